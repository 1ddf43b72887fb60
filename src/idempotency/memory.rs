//! [`MemoryIdempotencyStore`]: idempotency records in this process's memory.

use alloc::boxed::Box;
use core::fmt;
use core::future::{Future, ready};
use core::sync::atomic::{AtomicU64, Ordering};
use core::time::Duration;

use hashbrown::HashTable;

use super::{
    Begin, DEFAULT_MAX_RESULT_LEN, Fingerprint, IdempotencyStore, Lease, ScopedKey, StoreError,
    check_completion, check_ttl,
};
use crate::clock::{Clock, SystemClock};
use crate::error::ConfigError;
use crate::memory_table::{Shard, Shards, deadline};
use crate::owner::Owners;

/// Idempotency records in this process's memory, for a single receiver. Share one between tasks
/// by reference or in an `Arc`.
///
/// - **Atomic:** each transition runs under its shard's lock, so exactly one concurrent
///   [`begin`](IdempotencyStore::begin) of a free key starts it.
/// - **Time** is the [`Clock`]'s monotonic time (whole seconds), so a wall clock stepped forward
///   or back never changes when a lease or record ends; every deadline is rounded *up*: a lease
///   or result is kept at least its TTL and at most one second longer. Expired records are
///   dropped when met, and all at once when the store is full.
/// - **Bounded:** at most `capacity` records of at most `max_result_len` bytes each (64 KiB by
///   default). When full of unexpired records it refuses new keys with
///   [`StoreError::CapacityExceeded`] (answer 503) and never drops a record early.
/// - [`release_detached`](IdempotencyStore::release_detached) releases at once, so work that
///   panics under [`Idempotency::run`](super::Idempotency::run) frees its key immediately.
///
/// ```
/// use hookseal::idempotency::MemoryIdempotencyStore;
///
/// let store = MemoryIdempotencyStore::new(100_000)?.with_max_result_len(4096)?;
/// assert_eq!((store.capacity(), store.len()), (100_000, 0));
/// # Ok::<(), hookseal::ConfigError>(())
/// ```
pub struct MemoryIdempotencyStore<C = SystemClock> {
    table: Shards<HashTable<Record>>,
    max_result_len: usize,
    /// The second of the last full sweep: nothing can have expired since within that second.
    swept: AtomicU64,
    owners: Owners,
    clock: C,
}

struct Record {
    key: [u8; ScopedKey::LEN],
    fingerprint: [u8; Fingerprint::LEN],
    /// The first second at which the record no longer exists.
    expires: u64,
    state: State,
}

enum State {
    InProgress { owner: [u8; 16] },
    Completed { result: Box<[u8]> },
}

impl MemoryIdempotencyStore {
    /// A store of at most `capacity` records, reading the system clock.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidLimit`] for a capacity of 0.
    pub fn new(capacity: usize) -> Result<Self, ConfigError> {
        if capacity == 0 {
            return Err(ConfigError::InvalidLimit);
        }
        Ok(Self {
            table: Shards::new(SHARDS, capacity, HashTable::new),
            max_result_len: DEFAULT_MAX_RESULT_LEN,
            swept: AtomicU64::new(0),
            owners: Owners::counted(),
            clock: SystemClock,
        })
    }
}

impl<C: Clock> MemoryIdempotencyStore<C> {
    /// Reads the time from `clock` instead (its [monotonic](Clock::monotonic) time). Defaults to
    /// [`SystemClock`].
    #[must_use]
    pub fn with_clock<C2: Clock>(self, clock: C2) -> MemoryIdempotencyStore<C2> {
        MemoryIdempotencyStore {
            table: self.table,
            max_result_len: self.max_result_len,
            swept: self.swept,
            owners: self.owners,
            clock,
        }
    }

    /// Keeps results of at most `max` bytes (64 KiB by default); larger ones are refused with
    /// [`StoreError::ResultTooLarge`].
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidLimit`] for 0.
    pub fn with_max_result_len(mut self, max: usize) -> Result<Self, ConfigError> {
        if max == 0 {
            return Err(ConfigError::InvalidLimit);
        }
        self.max_result_len = max;
        Ok(self)
    }

    /// The most records the store holds.
    #[must_use]
    pub fn capacity(&self) -> usize {
        self.table.capacity()
    }

    /// The largest result kept, in bytes.
    #[must_use]
    pub fn max_result_len(&self) -> usize {
        self.max_result_len
    }

    /// The number of unexpired records (expired ones are dropped first).
    #[must_use]
    pub fn len(&self) -> usize {
        self.sweep(self.now());
        self.table.len()
    }

    /// Whether no unexpired record is held.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn begin_now(
        &self,
        key: &ScopedKey,
        fingerprint: &Fingerprint,
        lease: Duration,
    ) -> Result<Begin, StoreError> {
        check_ttl(lease)?;
        let now = self.now();
        let key = *key;
        let hasher = self.table.hasher();
        let hash = hasher.hash_bytes(key.as_bytes());
        for round in 0..2 {
            let mut shard = self.table.lock(hash);
            if let Some(found) = found(&mut shard, hash, key.as_bytes(), fingerprint, now) {
                return Ok(found);
            }
            if shard.claim() {
                let lease_token = Lease {
                    key,
                    owner: self.owners.next(),
                    fingerprint: None,
                };
                shard.insert_unique(
                    hash,
                    Record {
                        key: *key.as_bytes(),
                        fingerprint: *fingerprint.as_bytes(),
                        expires: deadline(now, lease),
                        state: State::InProgress {
                            owner: *lease_token.owner(),
                        },
                    },
                    |r| hasher.hash_bytes(&r.key),
                );
                return Ok(Begin::Started(lease_token));
            }
            drop(shard);
            if round == 0 {
                self.sweep(now);
            }
        }
        Err(StoreError::CapacityExceeded {
            capacity: self.table.capacity(),
        })
    }

    /// Applies `change` to the record held by `lease`: `Some(new_state, ttl)` replaces it,
    /// `None` removes it.
    fn transition(
        &self,
        lease: &Lease,
        change: Option<(State, Duration)>,
    ) -> Result<(), StoreError> {
        let now = self.now();
        let key = lease.key().as_bytes();
        let hash = self.table.hasher().hash_bytes(key);
        let mut shard = self.table.lock(hash);
        let Ok(mut entry) = shard.find_entry(hash, |r| r.key == *key) else {
            return Err(StoreError::LeaseLost);
        };
        let record = entry.get_mut();
        let expired = record.expires <= now;
        let held = !expired
            && matches!(&record.state, State::InProgress { owner } if owner == lease.owner());
        match change {
            Some((state, ttl)) if held => {
                record.state = state;
                record.expires = deadline(now, ttl);
                Ok(())
            }
            _ => {
                if held || expired {
                    entry.remove();
                    shard.free(1);
                }
                if held {
                    Ok(())
                } else {
                    Err(StoreError::LeaseLost)
                }
            }
        }
    }

    /// Drops every expired record, at most once per second of the clock, and hands every
    /// shard's spare room back, so that any shard can claim it.
    fn sweep(&self, now: u64) {
        if self.swept.fetch_max(now, Ordering::AcqRel) < now {
            for mut shard in self.table.each() {
                let before = shard.len();
                shard.retain(|r| r.expires > now);
                let dropped = before - shard.len();
                shard.free(dropped);
            }
        }
        self.table.reclaim();
    }

    /// The monotonic time, in whole seconds.
    fn now(&self) -> u64 {
        self.clock.monotonic().as_secs()
    }
}

/// What `begin` answers for the unexpired record of `key` in `shard`, if there is one; an
/// expired record is dropped first.
fn found(
    shard: &mut Shard<'_, HashTable<Record>>,
    hash: u64,
    key: &[u8; ScopedKey::LEN],
    fingerprint: &Fingerprint,
    now: u64,
) -> Option<Begin> {
    match shard.find_entry(hash, |r| r.key == *key) {
        Ok(entry) if entry.get().expires > now => {
            let record = entry.get();
            Some(if record.fingerprint != *fingerprint.as_bytes() {
                Begin::Mismatch
            } else {
                match &record.state {
                    State::InProgress { .. } => Begin::InProgress {
                        retry_after: Duration::from_secs(record.expires - now),
                    },
                    State::Completed { result } => Begin::Completed(result.to_vec()),
                }
            })
        }
        Ok(entry) => {
            entry.remove();
            shard.free(1);
            None
        }
        Err(_) => None,
    }
}

impl<C: Clock> IdempotencyStore for MemoryIdempotencyStore<C> {
    fn begin<'a>(
        &'a self,
        key: &'a ScopedKey,
        fingerprint: &'a Fingerprint,
        lease: Duration,
    ) -> impl Future<Output = Result<Begin, StoreError>> + Send + 'a {
        ready(self.begin_now(key, fingerprint, lease))
    }

    fn complete<'a>(
        &'a self,
        lease: &'a Lease,
        result: &'a [u8],
        retention: Duration,
    ) -> impl Future<Output = Result<(), StoreError>> + Send + 'a {
        ready((|| {
            check_completion(result, self.max_result_len, retention)?;
            let state = State::Completed {
                result: result.into(),
            };
            self.transition(lease, Some((state, retention)))
        })())
    }

    fn release<'a>(
        &'a self,
        lease: &'a Lease,
    ) -> impl Future<Output = Result<(), StoreError>> + Send + 'a {
        ready(self.transition(lease, None))
    }

    fn release_detached(&self, lease: Lease) {
        // A lease already lost has nothing to release.
        let _ = self.transition(&lease, None);
    }

    fn kind(&self) -> &'static str {
        "memory"
    }
}

impl<C: fmt::Debug> fmt::Debug for MemoryIdempotencyStore<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryIdempotencyStore")
            .field("capacity", &self.table.capacity())
            .field("max_result_len", &self.max_result_len)
            .field("len", &self.table.len())
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

const SHARDS: usize = 16;

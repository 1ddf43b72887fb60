//! [`MemoryReplayCache`]: an exact, bounded, in-process replay cache.

use core::fmt;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use hashbrown::HashTable;

use super::{Outcome, ReplayCache, ReplayError};
use crate::clock::{Clock, SystemClock};
use crate::error::ConfigError;
use crate::verify::ReplayKey;

/// An exact replay cache in this process's memory, for a single receiver (or a fleet behind a
/// sticky load balancer). Share one between tasks by reference or in an `Arc`.
///
/// - **Exact:** a key is reported [`Outcome::Replayed`] if and only if it was inserted and has not
///   expired. No probabilistic answers.
/// - **Never forgets early:** a key is kept for at least its TTL; expiry is rounded *up* to the
///   next time bucket (an eighth of the maximum TTL), never down.
/// - **Bounded:** at most `capacity` keys. When full, new keys are refused with
///   [`ReplayError::CapacityExceeded`] (answer 503; the sender retries) while every stored key is
///   still reported as replayed. An unexpired key is never evicted: an evicted key is a replay
///   hole. Size the capacity as at least the peak request rate times the TTL.
/// - **Fast:** 64 shards, each a ring of time-bucketed hash sets of the 16-byte keys. A check is
///   one lock and at most nine probes; expiry drops a whole bucket at once. About 20–40 bytes per
///   key.
/// - **Time** comes from a [`Clock`], so tests can drive expiry with a `ManualClock`.
///
/// ```
/// use std::time::Duration;
/// use hookseal::replay::MemoryReplayCache;
///
/// let cache = MemoryReplayCache::new(1_000_000, Duration::from_secs(600))?;
/// assert_eq!(cache.capacity(), 1_000_000);
/// assert_eq!(cache.len(), 0);
/// # Ok::<(), hookseal::ConfigError>(())
/// ```
pub struct MemoryReplayCache<C = SystemClock> {
    shards: Box<[Mutex<Shard>]>,
    capacity: usize,
    max_ttl: Duration,
    /// Bucket width in seconds.
    width: u64,
    len: AtomicUsize,
    refused: AtomicU64,
    clock: C,
}

/// One shard: a ring of generations, one per time bucket in which keys expire.
struct Shard {
    generations: [Generation; SLOTS],
}

/// The keys that expire at the end of bucket `tick`.
struct Generation {
    tick: u64,
    keys: HashTable<[u8; ReplayKey::LEN]>,
}

impl MemoryReplayCache {
    /// A cache of at most `capacity` keys, accepting TTLs up to `max_ttl` (use the verifier's
    /// [`replay_ttl`](crate::Verifier::replay_ttl)), reading the system clock.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidLimit`] for a capacity of 0 or a `max_ttl` under one second or over
    /// 400 days.
    pub fn new(capacity: usize, max_ttl: Duration) -> Result<Self, ConfigError> {
        if capacity == 0 || max_ttl < Duration::from_secs(1) || max_ttl > MAX_TTL {
            return Err(ConfigError::InvalidLimit);
        }
        let max_ttl_secs = ceil_secs(max_ttl);
        Ok(Self {
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::new())).collect(),
            capacity,
            max_ttl,
            width: max_ttl_secs.div_ceil(BUCKETS).max(1),
            len: AtomicUsize::new(0),
            refused: AtomicU64::new(0),
            clock: SystemClock,
        })
    }
}

impl<C: Clock> MemoryReplayCache<C> {
    /// Reads the time from `clock` instead. Defaults to [`SystemClock`].
    #[must_use]
    pub fn with_clock<C2: Clock>(self, clock: C2) -> MemoryReplayCache<C2> {
        MemoryReplayCache {
            shards: self.shards,
            capacity: self.capacity,
            max_ttl: self.max_ttl,
            width: self.width,
            len: self.len,
            refused: self.refused,
            clock,
        }
    }

    /// The most keys the cache holds.
    #[must_use]
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The longest TTL the cache accepts.
    #[must_use]
    pub fn max_ttl(&self) -> Duration {
        self.max_ttl
    }

    /// The number of unexpired keys held (expired ones are dropped first, in every shard).
    #[must_use]
    pub fn len(&self) -> usize {
        if let Some(now) = self.clock.now() {
            self.sweep(self.tick(now.as_unix_secs()));
        }
        self.len.load(Ordering::Acquire)
    }

    /// Whether no unexpired key is held.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many new keys were refused because the cache was full. Alert on any increase: each
    /// one is a delivery answered 503.
    #[must_use]
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }

    /// The check itself: synchronous, since nothing here waits.
    fn check(&self, key: &ReplayKey, ttl: Duration) -> Result<Outcome, ReplayError> {
        if ttl > self.max_ttl {
            return Err(ReplayError::TtlTooLong { max: self.max_ttl });
        }
        let now = self
            .clock
            .now()
            .ok_or(ReplayError::ClockUnavailable)?
            .as_unix_secs();
        let now_tick = self.tick(now);
        let expiry_tick = self.tick(now.saturating_add(ceil_secs(ttl)));
        let bytes = key.as_bytes();
        let hash = table_hash(bytes);

        // Two rounds at most: a full cache sweeps every shard once before refusing.
        for round in 0..2 {
            let mut shard = self.shard(bytes);
            shard.expire(now_tick, &self.len);
            if shard.contains(now_tick, hash, bytes) {
                return Ok(Outcome::Replayed);
            }
            if self.reserve() {
                shard.insert(expiry_tick, now_tick, hash, *bytes);
                return Ok(Outcome::Fresh);
            }
            drop(shard);
            if round == 0 {
                self.sweep(now_tick);
            }
        }
        self.refused.fetch_add(1, Ordering::Relaxed);
        Err(ReplayError::CapacityExceeded {
            capacity: self.capacity,
        })
    }

    /// Claims room for one key; `false` when the cache is full.
    fn reserve(&self) -> bool {
        self.len
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.capacity).then_some(n + 1)
            })
            .is_ok()
    }

    /// Drops the expired generations of every shard.
    fn sweep(&self, now_tick: u64) {
        for shard in &*self.shards {
            lock(shard).expire(now_tick, &self.len);
        }
    }

    fn tick(&self, secs: u64) -> u64 {
        secs / self.width
    }

    fn shard(&self, key: &[u8; ReplayKey::LEN]) -> MutexGuard<'_, Shard> {
        let (head, _) = key.split_first_chunk::<8>().unwrap_or((&[0; 8], &[]));
        // The shard count is a power of two; the low bits of a digest are uniform.
        let index = u64::from_le_bytes(*head) % (SHARDS as u64);
        let shard = self
            .shards
            .get(usize::try_from(index).unwrap_or_default())
            .unwrap_or_else(|| unreachable!("the index is below the shard count"));
        lock(shard)
    }
}

impl Shard {
    fn new() -> Self {
        Self {
            generations: std::array::from_fn(|_| Generation {
                tick: 0,
                keys: HashTable::new(),
            }),
        }
    }

    /// Empties the generations whose bucket has ended.
    fn expire(&mut self, now_tick: u64, len: &AtomicUsize) {
        for generation in &mut self.generations {
            if generation.tick < now_tick && !generation.keys.is_empty() {
                len.fetch_sub(generation.keys.len(), Ordering::AcqRel);
                generation.keys.clear();
            }
        }
    }

    fn contains(&self, now_tick: u64, hash: u64, key: &[u8; ReplayKey::LEN]) -> bool {
        self.generations.iter().any(|generation| {
            generation.tick >= now_tick && generation.keys.find(hash, |k| k == key).is_some()
        })
    }

    fn insert(&mut self, expiry_tick: u64, now_tick: u64, hash: u64, key: [u8; ReplayKey::LEN]) {
        let slot = usize::try_from(expiry_tick % SLOTS as u64).unwrap_or_default();
        let Some(generation) = self.generations.get_mut(slot) else {
            unreachable!("the slot is below the slot count");
        };
        // The live buckets span at most `SLOTS` consecutive ticks, so a slot holds one live
        // generation. Should the clock have gone back, two live buckets can meet in one slot:
        // they merge into the later one, so no key is ever kept for less than its TTL.
        if generation.keys.is_empty() || generation.tick < now_tick {
            generation.tick = expiry_tick;
        } else {
            generation.tick = generation.tick.max(expiry_tick);
        }
        generation.keys.insert_unique(hash, key, table_hash);
    }
}

impl<C: Clock> ReplayCache for MemoryReplayCache<C> {
    fn insert_if_absent<'a>(
        &'a self,
        key: &'a ReplayKey,
        ttl: Duration,
    ) -> impl Future<Output = Result<Outcome, ReplayError>> + Send + 'a {
        std::future::ready(self.check(key, ttl))
    }
}

impl<C: fmt::Debug> fmt::Debug for MemoryReplayCache<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryReplayCache")
            .field("capacity", &self.capacity)
            .field("max_ttl", &self.max_ttl)
            .field("len", &self.len.load(Ordering::Relaxed))
            .field("refused", &self.refused.load(Ordering::Relaxed))
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

/// The hash a key is filed under in its shard's tables. Replay keys and scoped idempotency keys
/// are SHA-256 digests, uniform and not chosen by whoever sends requests, so their bytes serve as
/// the hash.
pub(crate) fn table_hash(key: &[u8; 16]) -> u64 {
    let (_, tail) = key.split_last_chunk::<8>().unwrap_or((&[], &[0; 8]));
    u64::from_le_bytes(*tail)
}

/// Locks a shard. Nothing panics while a shard is locked; should it, the shard is still
/// consistent, since every change to one is a single table operation.
pub(crate) fn lock<T>(shard: &Mutex<T>) -> MutexGuard<'_, T> {
    shard.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Whole seconds, rounded up.
pub(crate) fn ceil_secs(d: Duration) -> u64 {
    d.as_secs().saturating_add(u64::from(d.subsec_nanos() > 0))
}

const SHARDS: usize = 64;
/// Buckets per maximum TTL: a key is kept at most an eighth of the maximum TTL past its own.
const BUCKETS: u64 = 8;
/// Live buckets span at most `BUCKETS + 1` consecutive ticks.
const SLOTS: usize = 9;
const MAX_TTL: Duration = Duration::from_secs(400 * 24 * 3600);

//! [`MemoryReplayCache`]: an exact, bounded, in-process replay cache.

use core::fmt;
use core::sync::atomic::{AtomicU64, Ordering};
use core::time::Duration;

use super::shard::{Found, Settled, Shard};
use super::{MAX_TTL, ReplayCache, Reservation, Reserve, StoreError, check_ttl};
use crate::clock::{Clock, SystemClock};
use crate::error::ConfigError;
use crate::memory_table::{Shards, ceil_secs, deadline};
use crate::owner::OWNER_LEN;
use crate::replay::ReplayKey;
use crate::verify::Verifier;

/// An exact replay cache in this process's memory, for a single receiver (or a fleet behind a
/// sticky load balancer). Share one between tasks by reference or in an `Arc`.
///
/// - **Exact:** a key is reported [`Reserve::Replayed`] if and only if it was committed and has
///   not expired, and [`Reserve::InProgress`] if and only if it is reserved and its lease has not
///   ended. No probabilistic answers.
/// - **Never forgets early:** a committed key is kept for at least its TTL; expiry is rounded
///   *up* to the next time bucket (an eighth of the maximum TTL), never down.
/// - **Bounded:** at most `capacity` keys, reserved or committed. When full, new keys are
///   refused with [`StoreError::CapacityExceeded`] (answer 503; the sender retries) while every
///   stored key is still reported. An unexpired key is never evicted: an evicted key is a replay
///   hole. Size the capacity as at least the peak request rate times the TTL.
/// - **Fast:** 64 shards, each locked on its own and on cache lines of its own, each one
///   open-addressing table of reserved and committed keys, probed fifteen tags at a time; the
///   room of a whole time bucket's keys is given back the moment it ends. A shard takes room
///   from the shared count a batch at a time, so two threads do not contend on one counter.
///   About 23–34 bytes per committed key; a fresh key costs one cache miss or two.
/// - **Time** is the [`Clock`]'s monotonic time, so a wall clock stepped forward or back never
///   changes when a key expires; tests drive it with a `ManualClock`.
///
/// ```
/// use hookseal::replay::MemoryReplayCache;
/// use hookseal::{Scheme, Verifier};
///
/// let text = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
/// let verifier = Verifier::from_secret(Scheme::standard_webhooks(), text)?;
/// // Keeps keys as long as the verifier asks: its window and one second.
/// let cache = MemoryReplayCache::for_verifier(&verifier, 1_000_000)?;
/// assert_eq!(cache.max_ttl(), verifier.replay_ttl());
/// assert_eq!((cache.capacity(), cache.len()), (1_000_000, 0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct MemoryReplayCache<C = SystemClock> {
    table: Shards<Shard>,
    max_ttl: Duration,
    /// Bucket width in seconds.
    width: u64,
    refused: AtomicU64,
    clock: C,
}

impl MemoryReplayCache {
    /// A cache of at most `capacity` keys, accepting TTLs up to `max_ttl`, reading the system
    /// clock. [`MemoryReplayCache::for_verifier`] picks `max_ttl` for you.
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
            table: Shards::new(SHARDS, capacity, Shard::new),
            max_ttl,
            width: max_ttl_secs.div_ceil(BUCKETS).max(1),
            refused: AtomicU64::new(0),
            clock: SystemClock,
        })
    }

    /// A cache of at most `capacity` keys that keeps them exactly as long as `verifier` asks
    /// ([`Verifier::replay_ttl`]), reading the system clock.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidLimit`] for a capacity of 0, or a verifier whose replay TTL is over
    /// 400 days.
    pub fn for_verifier<C: Clock>(
        verifier: &Verifier<C>,
        capacity: usize,
    ) -> Result<Self, ConfigError> {
        Self::new(capacity, verifier.replay_ttl())
    }
}

impl<C: Clock> MemoryReplayCache<C> {
    /// Reads the time from `clock` instead (its [monotonic](Clock::monotonic) time). Defaults to
    /// [`SystemClock`].
    #[must_use]
    pub fn with_clock<C2: Clock>(self, clock: C2) -> MemoryReplayCache<C2> {
        MemoryReplayCache {
            table: self.table,
            max_ttl: self.max_ttl,
            width: self.width,
            refused: self.refused,
            clock,
        }
    }

    /// The most keys the cache holds.
    #[must_use]
    pub fn capacity(&self) -> usize {
        self.table.capacity()
    }

    /// The longest TTL the cache accepts.
    #[must_use]
    pub fn max_ttl(&self) -> Duration {
        self.max_ttl
    }

    /// The number of unexpired keys held, reserved or committed (expired ones are dropped
    /// first, in every shard).
    #[must_use]
    pub fn len(&self) -> usize {
        self.sweep(self.now());
        let held = self.table.each().map(|shard| shard.len()).sum();
        debug_assert_eq!(held, self.table.len(), "the count agrees with the shards");
        held
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

    /// The reservation step itself: synchronous, since nothing here waits.
    fn reserve_now(&self, key: &ReplayKey, lease: Duration) -> Result<Reserve, StoreError> {
        check_ttl(lease, MAX_TTL)?;
        let now = self.now();
        let hasher = self.table.hasher();
        let hash = hasher.hash_bytes(key.as_bytes());
        let bits = u128::from_le_bytes(*key.as_bytes());

        // Two rounds at most: a full cache sweeps every shard once before refusing.
        for round in 0..2 {
            let mut shard = self.table.lock(hash);
            let expired = shard.advance(hasher, now, self.tick(now));
            shard.free(expired);
            match shard.find(hasher, hash, bits, now) {
                Found::Committed => return Ok(Reserve::Replayed),
                Found::Held { ends } => {
                    let retry_after = Duration::from_secs(ends - now);
                    return Ok(Reserve::InProgress { retry_after });
                }
                // A holder whose lease has ended leaves the key free again.
                Found::Free { freed } => shard.free(freed),
            }
            if shard.claim() {
                let (owner, dropped) = shard.reserve(hasher, hash, bits, deadline(now, lease), now);
                shard.free(dropped);
                return Ok(Reserve::Reserved(Reservation {
                    key: *key,
                    owner: owner_token(owner),
                }));
            }
            drop(shard);
            if round == 0 {
                self.sweep(now);
            }
        }
        self.refused.fetch_add(1, Ordering::Relaxed);
        Err(StoreError::CapacityExceeded {
            capacity: self.table.capacity(),
        })
    }

    /// Ends `reservation`'s hold: committing the key for `ttl`, or freeing it (`None`).
    fn settle(&self, reservation: &Reservation, ttl: Option<Duration>) -> Result<(), StoreError> {
        if let Some(ttl) = ttl {
            check_ttl(ttl, self.max_ttl)?;
        }
        let now = self.now();
        let hasher = self.table.hasher();
        let bytes = reservation.key.as_bytes();
        let hash = hasher.hash_bytes(bytes);
        let mut shard = self.table.lock(hash);
        let expired = shard.advance(hasher, now, self.tick(now));
        shard.free(expired);
        let expiry = ttl.map(|ttl| self.tick(now.saturating_add(ceil_secs(ttl))));
        let owner = u128::from_le_bytes(reservation.owner);
        let bits = u128::from_le_bytes(*bytes);
        match shard.settle(hasher, hash, bits, owner, now, expiry) {
            Settled::Committed => Ok(()),
            Settled::Released => {
                shard.free(1);
                Ok(())
            }
            Settled::Ended => {
                shard.free(1);
                Err(StoreError::LeaseLost)
            }
            Settled::Lost => Err(StoreError::LeaseLost),
        }
    }

    /// Expires the keys of ended ticks and drops the ended reservations of every shard, then
    /// hands every shard's spare room back, so that any shard can claim it.
    fn sweep(&self, now: u64) {
        let hasher = self.table.hasher();
        for mut shard in self.table.each() {
            let mut dropped = shard.advance(hasher, now, self.tick(now));
            dropped += shard.drop_ended(hasher, now);
            shard.free(dropped);
        }
        self.table.reclaim();
    }

    /// The monotonic time, in whole seconds.
    fn now(&self) -> u64 {
        self.clock.monotonic().as_secs()
    }

    fn tick(&self, secs: u64) -> u64 {
        secs / self.width
    }
}

/// The owner token of the shard's `n`th reservation: `n`, little-endian, then zeros.
fn owner_token(n: u64) -> [u8; OWNER_LEN] {
    u128::from(n).to_le_bytes()
}

impl<C: Clock> ReplayCache for MemoryReplayCache<C> {
    fn reserve<'a>(
        &'a self,
        key: &'a ReplayKey,
        lease: Duration,
    ) -> impl Future<Output = Result<Reserve, StoreError>> + Send + 'a {
        core::future::ready(self.reserve_now(key, lease))
    }

    fn commit<'a>(
        &'a self,
        reservation: &'a Reservation,
        ttl: Duration,
    ) -> impl Future<Output = Result<(), StoreError>> + Send + 'a {
        core::future::ready(self.settle(reservation, Some(ttl)))
    }

    fn release<'a>(
        &'a self,
        reservation: &'a Reservation,
    ) -> impl Future<Output = Result<(), StoreError>> + Send + 'a {
        core::future::ready(self.settle(reservation, None))
    }

    /// Releases at once: a panicking or cancelled handler frees its key immediately.
    fn release_detached(&self, reservation: Reservation) {
        // A reservation already lost has nothing to release.
        let _ = self.settle(&reservation, None);
    }

    fn kind(&self) -> &'static str {
        "memory"
    }
}

impl<C: fmt::Debug> fmt::Debug for MemoryReplayCache<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryReplayCache")
            .field("capacity", &self.table.capacity())
            .field("max_ttl", &self.max_ttl)
            .field("len", &self.table.len())
            .field("refused", &self.refused.load(Ordering::Relaxed))
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

const SHARDS: usize = 64;
/// Buckets per maximum TTL: a key is kept at most an eighth of the maximum TTL past its own.
const BUCKETS: u64 = 8;

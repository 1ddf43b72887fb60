//! [`MemoryReplayCache`]: an exact, bounded, in-process replay cache.

use core::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use hashbrown::HashTable;

use super::{MAX_TTL, ReplayCache, Reservation, Reserve, StoreError, check_ttl};
use crate::clock::{Clock, SystemClock};
use crate::error::ConfigError;
use crate::memory_table::{Shards, ceil_secs, deadline, table_hash};
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
/// - **Fast:** 64 shards, each a ring of time-bucketed hash sets of the 16-byte committed keys
///   and a small table of reservations. A step is one lock and at most ten probes; expiry drops
///   a whole bucket at once. About 20–40 bytes per committed key.
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

/// One shard: a ring of generations, one per time bucket in which committed keys expire, and
/// the reserved keys.
struct Shard {
    generations: [Generation; SLOTS],
    holds: HashTable<Hold>,
    /// Reservations made in this shard so far: a key always falls in the same shard, so the
    /// count is an owner token no other reservation of the key has had.
    reservations: u64,
}

/// The committed keys that expire at the end of bucket `tick`.
struct Generation {
    tick: u64,
    keys: HashTable<[u8; ReplayKey::LEN]>,
}

/// A reserved key.
struct Hold {
    key: [u8; ReplayKey::LEN],
    owner: [u8; OWNER_LEN],
    /// The first second (monotonic) at which the lease has ended.
    ends: u64,
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
        self.table.len()
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
        let bytes = key.as_bytes();
        let hash = table_hash(bytes);

        // Two rounds at most: a full cache sweeps every shard once before refusing.
        for round in 0..2 {
            let mut shard = self.table.get(bytes);
            self.table.free(shard.expire(self.tick(now)));
            if shard.contains(self.tick(now), hash, bytes) {
                return Ok(Reserve::Replayed);
            }
            match shard.holds.find_entry(hash, |h| h.key == *bytes) {
                Ok(hold) if hold.get().ends > now => {
                    let retry_after = Duration::from_secs(hold.get().ends - now);
                    return Ok(Reserve::InProgress { retry_after });
                }
                Ok(hold) => {
                    // The holder's lease has ended: the key is free again.
                    hold.remove();
                    self.table.free(1);
                }
                Err(_) => {}
            }
            if self.table.claim() {
                let reservation = Reservation {
                    key: *key,
                    owner: shard.next_owner(),
                };
                let hold = Hold {
                    key: *bytes,
                    owner: reservation.owner,
                    ends: deadline(now, lease),
                };
                shard
                    .holds
                    .insert_unique(hash, hold, |h| table_hash(&h.key));
                return Ok(Reserve::Reserved(reservation));
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
        let bytes = reservation.key.as_bytes();
        let hash = table_hash(bytes);
        let mut shard = self.table.get(bytes);
        let Ok(hold) = shard
            .holds
            .find_entry(hash, |h| h.key == *bytes && h.owner == reservation.owner)
        else {
            return Err(StoreError::LeaseLost);
        };
        let ended = hold.get().ends <= now;
        hold.remove();
        match ttl.filter(|_| !ended) {
            // The hold's room now holds the committed key.
            Some(ttl) => {
                let expiry_tick = self.tick(now.saturating_add(ceil_secs(ttl)));
                self.table.free(shard.expire(self.tick(now)));
                shard.insert(expiry_tick, self.tick(now), hash, *bytes);
            }
            None => self.table.free(1),
        }
        if ended {
            Err(StoreError::LeaseLost)
        } else {
            Ok(())
        }
    }

    /// Drops the expired generations and ended holds of every shard.
    fn sweep(&self, now: u64) {
        for mut shard in self.table.each() {
            let mut dropped = shard.expire(self.tick(now));
            let before = shard.holds.len();
            shard.holds.retain(|h| h.ends > now);
            dropped += before - shard.holds.len();
            self.table.free(dropped);
        }
    }

    /// The monotonic time, in whole seconds.
    fn now(&self) -> u64 {
        self.clock.monotonic().as_secs()
    }

    fn tick(&self, secs: u64) -> u64 {
        secs / self.width
    }
}

impl Shard {
    fn new() -> Self {
        Self {
            generations: std::array::from_fn(|_| Generation {
                tick: 0,
                keys: HashTable::new(),
            }),
            holds: HashTable::new(),
            reservations: 0,
        }
    }

    /// An owner token no other reservation in this shard has had.
    fn next_owner(&mut self) -> [u8; OWNER_LEN] {
        self.reservations = self.reservations.wrapping_add(1);
        let mut owner = [0; OWNER_LEN];
        for (out, b) in owner.iter_mut().zip(self.reservations.to_le_bytes()) {
            *out = b;
        }
        owner
    }

    /// Empties the generations whose bucket has ended, and says how many keys went.
    fn expire(&mut self, now_tick: u64) -> usize {
        let mut dropped = 0;
        for generation in &mut self.generations {
            if generation.tick < now_tick && !generation.keys.is_empty() {
                dropped += generation.keys.len();
                generation.keys.clear();
            }
        }
        dropped
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
        // generation; an emptied or ended one takes the new bucket.
        if generation.keys.is_empty() || generation.tick < now_tick {
            generation.tick = expiry_tick;
        } else {
            generation.tick = generation.tick.max(expiry_tick);
        }
        generation.keys.insert_unique(hash, key, table_hash);
    }
}

impl<C: Clock> ReplayCache for MemoryReplayCache<C> {
    fn reserve<'a>(
        &'a self,
        key: &'a ReplayKey,
        lease: Duration,
    ) -> impl Future<Output = Result<Reserve, StoreError>> + Send + 'a {
        std::future::ready(self.reserve_now(key, lease))
    }

    fn commit<'a>(
        &'a self,
        reservation: &'a Reservation,
        ttl: Duration,
    ) -> impl Future<Output = Result<(), StoreError>> + Send + 'a {
        std::future::ready(self.settle(reservation, Some(ttl)))
    }

    fn release<'a>(
        &'a self,
        reservation: &'a Reservation,
    ) -> impl Future<Output = Result<(), StoreError>> + Send + 'a {
        std::future::ready(self.settle(reservation, None))
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
/// Live buckets span at most `BUCKETS + 1` consecutive ticks.
const SLOTS: usize = 9;

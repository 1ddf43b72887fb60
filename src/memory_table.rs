//! The sharded, bounded table both memory stores keep their entries in: [`Shards`], with a
//! key's hash and deadlines in whole seconds of the monotonic clock, always rounded up.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// A fixed number of locked shards of `T`, chosen by a 16-byte digest key, holding at most
/// `capacity` entries in all. The count is kept here; each store says when it adds
/// ([`Shards::claim`]) and drops ([`Shards::free`]) entries.
pub(crate) struct Shards<T> {
    /// A power of two of shards, so a key picks one with a mask.
    shards: Box<[Mutex<T>]>,
    capacity: usize,
    len: AtomicUsize,
}

impl<T> Shards<T> {
    /// `count` shards (rounded up to a power of two), each made by `make`, for at most
    /// `capacity` entries.
    pub(crate) fn new(count: usize, capacity: usize, make: impl FnMut() -> T) -> Self {
        let mut make = make;
        Self {
            shards: (0..count.next_power_of_two())
                .map(|_| Mutex::new(make()))
                .collect(),
            capacity,
            len: AtomicUsize::new(0),
        }
    }

    /// The most entries held.
    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }

    /// The entries counted now (expired ones included until a store drops them).
    pub(crate) fn len(&self) -> usize {
        self.len.load(Ordering::Acquire)
    }

    /// The shard of `key`, locked. Keys are digests, so their first bytes spread them evenly.
    pub(crate) fn get(&self, key: &[u8; 16]) -> MutexGuard<'_, T> {
        let (head, _) = key.split_first_chunk::<8>().unwrap_or((&[0; 8], &[]));
        let mask = self.shards.len() as u64 - 1;
        let index = usize::try_from(u64::from_le_bytes(*head) & mask).unwrap_or_default();
        let shard = self
            .shards
            .get(index)
            .unwrap_or_else(|| unreachable!("the index is below the shard count"));
        lock(shard)
    }

    /// Every shard, locked one after the other.
    pub(crate) fn each(&self) -> impl Iterator<Item = MutexGuard<'_, T>> {
        self.shards.iter().map(lock)
    }

    /// Claims room for one entry; `false` when the table is full.
    pub(crate) fn claim(&self) -> bool {
        self.len
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.capacity).then_some(n + 1)
            })
            .is_ok()
    }

    /// Gives back the room of `n` entries dropped.
    pub(crate) fn free(&self, n: usize) {
        self.len.fetch_sub(n, Ordering::AcqRel);
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
fn lock<T>(shard: &Mutex<T>) -> MutexGuard<'_, T> {
    shard.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Whole seconds, rounded up.
pub(crate) fn ceil_secs(d: Duration) -> u64 {
    d.as_secs().saturating_add(u64::from(d.subsec_nanos() > 0))
}

/// The first second at which a hold made at `now` (whole seconds) for `ttl` has ended: `ttl`
/// rounded up to whole seconds, plus one, since `now` may be late in its second.
pub(crate) fn deadline(now: u64, ttl: Duration) -> u64 {
    now.saturating_add(ceil_secs(ttl)).saturating_add(1)
}

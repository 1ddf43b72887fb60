//! The sharded, bounded table both memory stores keep their entries in: [`Shards`], filed by a
//! seeded [`KeyHasher`], and deadlines in whole seconds of the monotonic
//! clock, always rounded up.

use core::ops::{Deref, DerefMut};
use core::sync::atomic::{AtomicUsize, Ordering};
use std::hash::{BuildHasher as _, RandomState};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use crate::key_hasher::KeyHasher;

/// A fixed number of locked shards of `T`, holding at most `capacity` entries in all.
///
/// The count is kept here; each store says when it adds ([`Shard::claim`]) and drops
/// ([`Shard::free`]) entries. So that two threads do not fight over one counter on every
/// call, a shard claims room from the shared count a batch at a time while plenty is left, and
/// keeps what it has not used yet (and what its own entries gave back) as its *spare* room;
/// near the capacity it claims one entry at a time. [`Shards::reclaim`] hands every shard's
/// spare room back, which a store does before refusing an entry, so a cache is only ever
/// refused when it holds `capacity` entries.
pub(crate) struct Shards<T> {
    /// A power of two of shards, so a key picks one with a mask; each on cache lines of its own.
    shards: Box<[Padded<Mutex<Slot<T>>>]>,
    capacity: usize,
    /// Room claimed by the shards: their entries and their spare room.
    claimed: AtomicUsize,
    hasher: KeyHasher,
}

/// One shard's value and its spare room.
struct Slot<T> {
    value: T,
    spare: usize,
}

/// A shard's lock and what it guards, aligned so no two shards share a cache line.
#[repr(align(128))]
struct Padded<T>(T);

/// One shard, locked: its value (through `Deref`), and its share of the room.
pub(crate) struct Shard<'a, T> {
    guard: MutexGuard<'a, Slot<T>>,
    shards: &'a Shards<T>,
}

impl<T> Shards<T> {
    /// `count` shards (rounded up to a power of two), each made by `make`, for at most
    /// `capacity` entries.
    pub(crate) fn new(count: usize, capacity: usize, make: impl FnMut() -> T) -> Self {
        let mut make = make;
        let state = RandomState::new();
        Self {
            shards: (0..count.next_power_of_two())
                .map(|_| {
                    Padded(Mutex::new(Slot {
                        value: make(),
                        spare: 0,
                    }))
                })
                .collect(),
            capacity,
            claimed: AtomicUsize::new(0),
            hasher: KeyHasher::new([state.hash_one(0_u8), state.hash_one(1_u8)]),
        }
    }

    /// The most entries held.
    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }

    /// The entries counted now (expired ones included until a store drops them): the room
    /// claimed, less every shard's spare room. Locks each shard in turn.
    pub(crate) fn len(&self) -> usize {
        let spare: usize = self.shards.iter().map(|s| lock(&s.0).spare).sum();
        self.claimed.load(Ordering::Acquire).saturating_sub(spare)
    }

    /// The hash this table files keys under.
    pub(crate) fn hasher(&self) -> KeyHasher {
        self.hasher
    }

    /// The shard of a key whose hash is `hash`, locked. The shard is picked by bits 32 and up,
    /// so the hash's lowest bits and its highest, which the tables inside a shard use, vary
    /// within each shard.
    pub(crate) fn lock(&self, hash: u64) -> Shard<'_, T> {
        let mask = self.shards.len() - 1;
        let index = usize::try_from(hash >> 32).unwrap_or_default() & mask;
        let shard = self
            .shards
            .get(index)
            .unwrap_or_else(|| unreachable!("the index is below the shard count"));
        Shard {
            guard: lock(&shard.0),
            shards: self,
        }
    }

    /// Every shard, locked one after the other.
    pub(crate) fn each(&self) -> impl Iterator<Item = Shard<'_, T>> {
        self.shards.iter().map(|shard| Shard {
            guard: lock(&shard.0),
            shards: self,
        })
    }

    /// Hands every shard's spare room back to the shared count, so that any shard can claim it.
    pub(crate) fn reclaim(&self) {
        for mut shard in self.each() {
            shard.give_back(0);
        }
    }
}

impl<T> Shard<'_, T> {
    /// Claims room for one entry in this shard; `false` when the table is full (as far as this
    /// shard can tell: other shards may hold spare room until [`Shards::reclaim`]).
    pub(crate) fn claim(&mut self) -> bool {
        if let Some(left) = self.guard.spare.checked_sub(1) {
            self.guard.spare = left;
            return true;
        }
        let capacity = self.shards.capacity;
        let mut batch = 0;
        let claimed = self
            .shards
            .claimed
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                let room = capacity.saturating_sub(n);
                batch = if room >= 4 * BATCH {
                    BATCH
                } else {
                    room.min(1)
                };
                (batch > 0).then_some(n + batch)
            })
            .is_ok();
        if claimed {
            self.guard.spare = batch - 1;
        }
        claimed
    }

    /// Gives back the room of `n` entries dropped from this shard.
    pub(crate) fn free(&mut self, n: usize) {
        if n > 0 {
            self.guard.spare += n;
            if self.guard.spare > 2 * BATCH {
                self.give_back(BATCH);
            }
        }
    }

    /// Hands this shard's spare room beyond `keep` back to the shared count.
    fn give_back(&mut self, keep: usize) {
        let spare = self.guard.spare;
        if spare > keep {
            self.shards
                .claimed
                .fetch_sub(spare - keep, Ordering::AcqRel);
            self.guard.spare = keep;
        }
    }
}

impl<T> Deref for Shard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.guard.value
    }
}

impl<T> DerefMut for Shard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.guard.value
    }
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

/// How much room a shard claims from the shared count at a time, while at least four times as
/// much is left.
const BATCH: usize = 32;

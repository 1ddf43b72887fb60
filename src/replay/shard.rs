//! One shard of the [`MemoryReplayCache`](super::MemoryReplayCache): its reserved and committed
//! keys in one open-addressing table of groups of fifteen slots.
//!
//! # Layout
//!
//! A group is two parts, kept in two arrays. Its *tags* (a byte per slot and a count: 16
//! bytes, read as one number) are what every lookup reads, so they stay dense (about 1.1 bytes
//! per slot): a fresh key is found absent there without touching a key, all fifteen tags
//! compared at once. Its *slots* (15 × 16 bytes, and a byte per slot) hold the keys themselves
//! and are read only when a tag matches.
//!
//! A slot holds a key, committed or reserved, or a reserved key's *companion*: the
//! reservation's owner token and the second its lease ends. A key's tag is seven bits of its
//! hash (1 to 127), a companion's is [`COMPANION`], a free slot's 0. A key's byte says the rest:
//! for a committed key, the time bucket (*tick*) in which it expires, modulo 128; for a
//! reserved key, [`RESERVED`] and its companion's slot. Committing a reservation rewrites the
//! key's byte and frees the companion's slot: the key stays where it was reserved, so
//! committing touches nothing the reservation did not.
//!
//! A key's home group is picked from its hash by a multiply (any group count works, so the
//! table grows by half, not double); a key lives in its home group or, when that is full, in the
//! next group with room (linear probing), and each group counts the keys that went past it
//! (saturating at 255), so a lookup stops at the first group none went past.
//!
//! # Time
//!
//! Committed keys expire a tick at a time: a key is live while its tick has not ended. The
//! shard counts its live keys per tick, so the room of a whole tick's keys is given back the
//! moment it ends, and leaves the expired keys where they are: lookups skip them, and the next
//! rebuild drops them. A byte holds a tick modulo 128, which is unambiguous because every stored
//! key's tick is within 74 ticks of the present: the table is rebuilt (expired keys dropped) at
//! least every 64 ticks, and a committed key expires at most 10 ticks ahead.

use crate::key_hasher::KeyHasher;
use alloc::vec;
use alloc::vec::Vec;

/// One shard's table and its counts.
pub(super) struct Shard {
    /// Every group's tags and count.
    tags: Vec<Tags>,
    /// Every group's slots and bytes.
    slots: Vec<Slots>,
    /// Slots in use: keys live or expired, and companions.
    used: usize,
    /// Reserved keys held, ended leases included until dropped.
    holds: usize,
    /// Committed keys whose tick has not ended.
    committed: usize,
    /// Committed keys by expiry tick, at `tick % RING`, for the ticks from `tick` on.
    expiring: [usize; RING],
    /// The latest tick seen.
    tick: u64,
    /// No stored key expires in a tick before this one (the last rebuild's tick).
    floor: u64,
    /// No lease held ends before this second.
    first_end: u64,
    /// Reservations made so far: a key always falls in the same shard, so the count is an owner
    /// token no other reservation of the key has had.
    reservations: u64,
}

/// What a reservation found.
pub(super) enum Found {
    /// The key is committed and unexpired.
    Committed,
    /// The key is reserved until the second `ends`.
    Held { ends: u64 },
    /// The key is free; `freed` reservations whose lease had ended were dropped on the way.
    Free { freed: usize },
}

/// What settling a reservation did.
pub(super) enum Settled {
    /// The key is committed now.
    Committed,
    /// The key is free again.
    Released,
    /// The reservation's lease had ended: the key is free again, and the reservation lost.
    Ended,
    /// No such reservation holds the key: nothing changed.
    Lost,
}

/// A group's fifteen tags (bytes 0 to 14) and its count (byte 15, the keys stored past this
/// group whose home is this group or one before; 255 sticks), compared as one little-endian
/// number.
#[derive(Clone, Copy)]
#[repr(C, align(16))]
struct Tags([u8; SLOTS + 1]);

/// A group's slots and their bytes: 256 bytes, on four cache lines of their own (a group that
/// straddled five would cost a key's reservation a miss more, now and then).
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Slots {
    /// Keys, as little-endian numbers; a companion is `lease end << 64 | owner`.
    slots: [u128; SLOTS],
    /// Per key: its expiry tick modulo 128, or [`RESERVED`] and its companion's slot.
    bytes: [u8; SLOTS],
    _pad: u8,
}

/// Where an entry is: its group and slot.
#[derive(Clone, Copy)]
struct At {
    group: usize,
    slot: usize,
}

/// What [`Shard::place`] stores.
enum Entry {
    /// A committed key, with its byte.
    Committed(u8),
    /// A reserved key, with its companion.
    Reserved(u128),
}

impl Shard {
    pub(super) fn new() -> Self {
        Self {
            tags: Vec::new(),
            slots: Vec::new(),
            used: 0,
            holds: 0,
            committed: 0,
            expiring: [0; RING],
            tick: 0,
            floor: 0,
            first_end: u64::MAX,
            reservations: 0,
        }
    }

    /// The keys held: committed and unexpired, or reserved (ended leases included until
    /// dropped).
    pub(super) fn len(&self) -> usize {
        self.committed + self.holds
    }

    /// Moves the shard's time to `tick` (at second `now`): the keys of every tick that has
    /// ended expire, and the table is rebuilt when stored ticks would otherwise grow ambiguous.
    /// Returns how many keys expired or were dropped, whose room the caller frees.
    pub(super) fn advance(&mut self, hasher: KeyHasher, now: u64, tick: u64) -> usize {
        if tick <= self.tick {
            return 0;
        }
        let mut freed = 0;
        if tick - self.tick >= RING as u64 {
            freed = self.expiring.iter().sum();
            self.expiring = [0; RING];
        } else {
            for t in self.tick..tick {
                if let Some(n) = self.expiring.get_mut(ring_slot(t)) {
                    freed += *n;
                    *n = 0;
                }
            }
        }
        self.committed -= freed;
        let all_expired = tick > self.tick + AHEAD;
        self.tick = tick;
        if all_expired || tick - self.floor >= CLEAN_TICKS {
            freed += self.rebuild(hasher, now, all_expired, 0);
        }
        freed
    }

    /// Drops every reservation whose lease has ended by second `now` (a rebuild, when one may
    /// have), and says how many went.
    pub(super) fn drop_ended(&mut self, hasher: KeyHasher, now: u64) -> usize {
        if self.holds > 0 && now >= self.first_end {
            self.rebuild(hasher, now, false, 0)
        } else {
            0
        }
    }

    /// Looks `key` (hashed `hash`) up for a reservation at second `now`, dropping a reservation
    /// of it whose lease has ended.
    pub(super) fn find(&mut self, hasher: KeyHasher, hash: u64, key: u128, now: u64) -> Found {
        let Some((at, byte)) = self.locate(hash, key, false) else {
            return Found::Free { freed: 0 };
        };
        if byte & RESERVED == 0 {
            return Found::Committed;
        }
        let ends = lease_end(self.slot(at.group, companion_slot(byte)));
        if ends > now {
            return Found::Held { ends };
        }
        self.remove_hold(hasher, at, byte);
        Found::Free { freed: 1 }
    }

    /// Reserves `key` (hashed `hash`, known to be free) until the second `ends`, at second
    /// `now`. Returns the reservation's owner token, and how many reservations whose lease had
    /// ended were dropped to make room (the caller frees their room).
    pub(super) fn reserve(
        &mut self,
        hasher: KeyHasher,
        hash: u64,
        key: u128,
        ends: u64,
        now: u64,
    ) -> (u64, usize) {
        let dropped = if self.used + 2 > max_used(self.tags.len()) {
            self.rebuild(hasher, now, false, 2)
        } else {
            0
        };
        self.reservations = self.reservations.wrapping_add(1);
        let owner = self.reservations;
        let companion = (u128::from(ends) << 64) | u128::from(owner);
        if self.place(hash, key, Entry::Reserved(companion)) {
            self.used += 2;
            self.holds += 1;
            self.first_end = self.first_end.min(ends);
        }
        (owner, dropped)
    }

    /// Settles the reservation of `key` (hashed `hash`) whose owner token is `owner`, at second
    /// `now`: commits it to expire at the end of tick `expiry` (`Some`), or frees it (`None`).
    pub(super) fn settle(
        &mut self,
        hasher: KeyHasher,
        hash: u64,
        key: u128,
        owner: u128,
        now: u64,
        expiry: Option<u64>,
    ) -> Settled {
        let Some((at, byte)) = self.locate(hash, key, true) else {
            return Settled::Lost;
        };
        let other = companion_slot(byte);
        let companion = self.slot(at.group, other);
        if companion & u128::from(u64::MAX) != owner {
            return Settled::Lost;
        }
        let ended = lease_end(companion) <= now;
        match expiry.filter(|_| !ended) {
            Some(tick) => {
                // Never before the shard's present, should the clock have gone back.
                let tick = tick.max(self.tick);
                // The key stays in its slot, committed; its companion's slot is free.
                if let Some(tags) = self.tags.get_mut(at.group) {
                    tags.set(other, 0);
                }
                if let Some(slots) = self.slots.get_mut(at.group) {
                    slots.set_byte(at.slot, tick_byte(tick));
                }
                self.used -= 1;
                self.holds -= 1;
                self.committed += 1;
                if let Some(n) = self.expiring.get_mut(ring_slot(tick)) {
                    *n += 1;
                }
                Settled::Committed
            }
            None => {
                self.remove_hold(hasher, at, byte);
                if ended {
                    Settled::Ended
                } else {
                    Settled::Released
                }
            }
        }
    }

    /// Where `key` is, and its byte: reserved (only, with `reserved_only`), or committed and
    /// unexpired.
    fn locate(&self, hash: u64, key: u128, reserved_only: bool) -> Option<(At, u8)> {
        let n = self.tags.len();
        let tag = key_tag(hash);
        let now = tick_byte(self.tick);
        let mut group = home(hash, n);
        for _ in 0..n {
            let tags = self.tags.get(group)?;
            let mut matches = tags.matching(tag);
            while matches != 0 {
                let slot = first(matches);
                matches &= matches - 1;
                let slots = self.slots.get(group)?;
                let byte = slots.byte(slot);
                let live = if byte & RESERVED != 0 {
                    true
                } else {
                    !reserved_only && byte.wrapping_sub(now) & TICK_MASK < LIVE
                };
                if live && slots.slot(slot) == key {
                    return Some((At { group, slot }, byte));
                }
            }
            if tags.overflow() == 0 {
                return None;
            }
            group = next(group, n);
        }
        None
    }

    /// Stores `entry` for `key` (hashed `hash`) in its home group or the first after it with
    /// room, counting it in every group it passes. `false` only if no group has room, which the
    /// load limit rules out.
    fn place(&mut self, hash: u64, key: u128, entry: Entry) -> bool {
        let need = match entry {
            Entry::Committed(_) => 1,
            Entry::Reserved(_) => 2,
        };
        let n = self.tags.len();
        let tag = key_tag(hash);
        let mut group = home(hash, n);
        for _ in 0..n {
            let Some(tags) = self.tags.get_mut(group) else {
                return false;
            };
            let free = tags.free();
            if free.count_ones() >= need {
                let Some(slots) = self.slots.get_mut(group) else {
                    return false;
                };
                let slot = first(free);
                slots.set(slot, key);
                tags.set(slot, tag);
                match entry {
                    Entry::Committed(byte) => slots.set_byte(slot, byte),
                    Entry::Reserved(companion) => {
                        let other = first(free & (free - 1));
                        slots.set(other, companion);
                        tags.set(other, COMPANION);
                        slots.set_byte(slot, reserved_byte(other));
                    }
                }
                return true;
            }
            tags.pass();
            group = next(group, n);
        }
        false
    }

    /// Removes the reservation at `at` (whose byte is `byte`), with its companion.
    fn remove_hold(&mut self, hasher: KeyHasher, at: At, byte: u8) {
        let key = self.slot(at.group, at.slot);
        let n = self.tags.len();
        if let Some(tags) = self.tags.get_mut(at.group) {
            tags.set(companion_slot(byte), 0);
            tags.set(at.slot, 0);
        }
        self.used -= 2;
        self.holds -= 1;
        // The groups the key went past no longer count it.
        let mut passed = home(hasher.hash(key), n);
        while passed != at.group {
            if let Some(tags) = self.tags.get_mut(passed) {
                tags.unpass();
            }
            passed = next(passed, n);
        }
    }

    /// Copies the live entries into a new table sized for them and `extra` more slots (at most
    /// two thirds full, so a third of its room is left before the next rebuild): expired
    /// committed keys (all of them when `all_expired`) and ended reservations stay behind.
    /// Returns how many reservations were dropped.
    fn rebuild(&mut self, hasher: KeyHasher, now: u64, all_expired: bool, extra: usize) -> usize {
        let wanted = groups_for(self.committed + 2 * self.holds + extra);
        let n = self.tags.len();
        // Shrink only to half or less, so a table near a size boundary is not rebuilt back and
        // forth.
        let size = if wanted > n || wanted <= n / 2 {
            wanted
        } else {
            n
        };
        let old_tags = core::mem::replace(&mut self.tags, vec![Tags::EMPTY; size]);
        let old_slots = core::mem::replace(&mut self.slots, vec![Slots::EMPTY; size]);
        let holds = self.holds;
        self.used = 0;
        self.holds = 0;
        self.first_end = u64::MAX;
        self.floor = self.tick;
        let now_byte = tick_byte(self.tick);
        for (tags, slots) in old_tags.iter().zip(&old_slots) {
            let mut keys = tags.keys();
            while keys != 0 {
                let slot = first(keys);
                keys &= keys - 1;
                let key = slots.slot(slot);
                let byte = slots.byte(slot);
                if byte & RESERVED != 0 {
                    let companion = slots.slot(companion_slot(byte));
                    let ends = lease_end(companion);
                    if ends > now && self.place(hasher.hash(key), key, Entry::Reserved(companion)) {
                        self.used += 2;
                        self.holds += 1;
                        self.first_end = self.first_end.min(ends);
                    }
                } else if !all_expired
                    && byte.wrapping_sub(now_byte) & TICK_MASK < LIVE
                    && self.place(hasher.hash(key), key, Entry::Committed(byte))
                {
                    self.used += 1;
                }
            }
        }
        holds - self.holds
    }

    fn slot(&self, group: usize, slot: usize) -> u128 {
        self.slots.get(group).map_or(0, |slots| slots.slot(slot))
    }
}

impl Tags {
    const EMPTY: Self = Self([0; SLOTS + 1]);

    fn word(&self) -> u128 {
        u128::from_le_bytes(self.0)
    }

    /// The slots whose tag is `tag`, as the top bit of each slot's byte.
    fn matching(&self, tag: u8) -> u128 {
        zero_bytes(self.word() ^ (ONES * u128::from(tag))) & SLOT_BITS
    }

    /// The free slots, as the top bit of each slot's byte.
    fn free(&self) -> u128 {
        zero_bytes(self.word()) & SLOT_BITS
    }

    /// The slots holding keys (not free, not companions), as the top bit of each slot's byte.
    fn keys(&self) -> u128 {
        !(self.free() | self.matching(COMPANION)) & SLOT_BITS
    }

    fn overflow(&self) -> u8 {
        let [.., count] = self.0;
        count
    }

    /// Counts a key stored past this group, unless the count is stuck at 255.
    fn pass(&mut self) {
        if let Some(count) = self.0.last_mut() {
            *count = count.saturating_add(1);
        }
    }

    /// Forgets a key counted by [`pass`](Self::pass), unless the count is stuck at 255.
    fn unpass(&mut self) {
        if let Some(count) = self.0.last_mut()
            && *count != u8::MAX
        {
            *count = count.saturating_sub(1);
        }
    }

    fn set(&mut self, slot: usize, tag: u8) {
        if let Some(t) = self.0.get_mut(slot) {
            *t = tag;
        }
    }
}

impl Slots {
    const EMPTY: Self = Self {
        slots: [0; SLOTS],
        bytes: [0; SLOTS],
        _pad: 0,
    };

    fn slot(&self, slot: usize) -> u128 {
        self.slots.get(slot).copied().unwrap_or_default()
    }

    fn byte(&self, slot: usize) -> u8 {
        self.bytes.get(slot).copied().unwrap_or_default()
    }

    fn set(&mut self, slot: usize, value: u128) {
        if let Some(s) = self.slots.get_mut(slot) {
            *s = value;
        }
    }

    fn set_byte(&mut self, slot: usize, byte: u8) {
        if let Some(b) = self.bytes.get_mut(slot) {
            *b = byte;
        }
    }
}

/// The top bit of every byte of `x` that is zero, and nothing else (no borrow runs from one
/// byte into the next).
fn zero_bytes(x: u128) -> u128 {
    let low = !HIGHS;
    !(((x & low) + low) | x | low)
}

/// The slot of the lowest byte whose top bit `mask` sets (not empty).
fn first(mask: u128) -> usize {
    (mask.trailing_zeros() / 8) as usize
}

/// A reserved key's byte, naming its companion's slot.
#[allow(clippy::cast_possible_truncation)] // A slot, below 15.
fn reserved_byte(companion: usize) -> u8 {
    RESERVED | companion as u8
}

/// The companion slot a reserved key's byte names.
fn companion_slot(byte: u8) -> usize {
    usize::from(byte & !RESERVED)
}

/// The second a reservation's lease ends, from its companion.
#[allow(clippy::cast_possible_truncation)] // The upper half of the companion.
fn lease_end(companion: u128) -> u64 {
    (companion >> 64) as u64
}

/// A key's tag: seven bits of its hash (its lowest; the home group comes from its highest and
/// the shard from the middle), never 0.
#[allow(clippy::cast_possible_truncation)] // Seven bits.
fn key_tag(hash: u64) -> u8 {
    ((hash & 0x7f) as u8).max(1)
}

/// The group a key hashed `hash` belongs in, of `n`: the high half of `hash × n`.
#[allow(clippy::cast_possible_truncation)] // Below `n`, a `usize`.
fn home(hash: u64, n: usize) -> usize {
    ((u128::from(hash) * n as u128) >> 64) as usize
}

fn next(at: usize, n: usize) -> usize {
    if at + 1 == n { 0 } else { at + 1 }
}

/// A tick modulo 128, as a committed key's byte keeps it.
#[allow(clippy::cast_possible_truncation)] // Modulo 128, on purpose.
fn tick_byte(tick: u64) -> u8 {
    (tick as u8) & TICK_MASK
}

#[allow(clippy::cast_possible_truncation)] // Modulo `RING`.
fn ring_slot(tick: u64) -> usize {
    (tick % RING as u64) as usize
}

/// The slots a table of `n` groups may use: four fifths.
fn max_used(n: usize) -> usize {
    n * SLOTS * 4 / 5
}

/// The fewest groups (at least one) in which `slots` slots fill at most two thirds of
/// [`max_used`].
fn groups_for(slots: usize) -> usize {
    let mut n = (slots * 15).div_ceil(SLOTS * 8).max(1);
    while max_used(n) * 2 < slots * 3 {
        n += 1;
    }
    n
}

/// Slots per group.
const SLOTS: usize = 15;
/// 0x01 in every byte.
const ONES: u128 = u128::MAX / 0xff;
/// 0x80 in every byte.
const HIGHS: u128 = ONES << 7;
/// The top bits of the fifteen slots' bytes.
const SLOT_BITS: u128 = HIGHS >> 8;
/// A companion's tag (no key's: those are below 128).
const COMPANION: u8 = 0x80;
/// The bit of a reserved key's byte.
const RESERVED: u8 = 0x80;
/// A committed key's byte: its tick modulo 128.
const TICK_MASK: u8 = 0x7f;
/// A committed key is live while its tick is this many ticks ahead or fewer (counted modulo
/// 128); expired keys are at least 54 behind.
const LIVE: u8 = 32;
/// The most ticks a committed key expires after the present one (one more than a bucket's
/// rounding allows, for a clock read a second apart).
const AHEAD: u64 = 10;
/// Ticks counted ahead, more than `AHEAD`.
const RING: usize = 16;
/// The most ticks between rebuilds, so a tick byte is never read a whole turn later.
const CLEAN_TICKS: u64 = 64;

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    /// What a key is, in a plain model of the shard.
    #[derive(Clone, Copy, Debug, PartialEq)]
    enum State {
        Committed { tick: u64 },
        Held { owner: u64, ends: u64 },
    }

    /// A small deterministic generator.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    fn overflow_total(shard: &Shard) -> usize {
        shard.tags.iter().map(|t| usize::from(t.overflow())).sum()
    }

    /// Random reservations, commits, releases and time steps, small and large, against a plain
    /// model: every answer agrees, and so do the counts.
    #[test]
    fn agrees_with_a_model() {
        let hasher = KeyHasher::new([0x9e37_79b9_7f4a_7c15, 0x0123_4567_89ab_cdef]);
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let mut shard = Shard::new();
        let mut model: HashMap<u128, State> = HashMap::new();
        // A small pool of keys, so that keys come back in every state.
        let keys: Vec<u128> = (0..3000)
            .map(|_| u128::from(rng.next()) << 64 | u128::from(rng.next()))
            .collect();
        let width = 10;
        let mut now = 1000;
        for step in 0..100_000 {
            let tick = now / width;
            shard.advance(hasher, now, tick);
            model.retain(|_, state| match *state {
                State::Committed { tick: t } => t >= tick,
                State::Held { .. } => true,
            });
            let key = keys[usize::try_from(rng.below(3000)).unwrap()];
            let hash = hasher.hash(key);
            match rng.below(3) {
                0 | 1 => {
                    let expected = model.get(&key).copied();
                    match (shard.find(hasher, hash, key, now), expected) {
                        (Found::Committed, Some(State::Committed { .. })) => {}
                        (Found::Held { ends }, Some(State::Held { ends: e, .. })) if e > now => {
                            assert_eq!(ends, e);
                        }
                        (Found::Free { freed }, None) => assert_eq!(freed, 0),
                        // An ended lease is dropped here, or was by a rebuild before.
                        (Found::Free { freed }, Some(State::Held { ends, .. })) if ends <= now => {
                            assert!(freed <= 1);
                            model.remove(&key);
                        }
                        (_, expected) => panic!("step {step}: the shard disagrees: {expected:?}"),
                    }
                    if let std::collections::hash_map::Entry::Vacant(free) = model.entry(key) {
                        let ends = now + 1 + rng.below(40);
                        let (owner, _) = shard.reserve(hasher, hash, key, ends, now);
                        free.insert(State::Held { owner, ends });
                    }
                }
                _ => {
                    let Some(&State::Held { owner, ends }) = model.get(&key) else {
                        continue;
                    };
                    // Now and then a stranger's token, which changes nothing.
                    let stranger = rng.below(10) == 0;
                    let token = u128::from(if stranger { owner + 1_000_000 } else { owner });
                    let commit = rng.below(4) != 0;
                    let expiry = commit.then(|| (now + 1 + rng.below(80)) / width);
                    let settled = shard.settle(hasher, hash, key, token, now, expiry);
                    match settled {
                        // A rebuild may have dropped the ended lease already.
                        Settled::Lost if !stranger && ends <= now => {
                            model.remove(&key);
                        }
                        Settled::Lost => assert!(stranger, "step {step}: a holder lost its key"),
                        Settled::Ended => {
                            assert!(!stranger && ends <= now);
                            model.remove(&key);
                        }
                        Settled::Released => {
                            assert!(!stranger && ends > now && !commit);
                            model.remove(&key);
                        }
                        Settled::Committed => {
                            assert!(!stranger && ends > now && commit);
                            let tick = expiry.unwrap_or_default().max(tick);
                            model.insert(key, State::Committed { tick });
                        }
                    }
                }
            }
            // Time moves mostly by seconds, now and then by a long way.
            now += match rng.below(1000) {
                0 => 700 * width,
                1..=20 => 5 * width,
                _ => rng.below(2),
            };
            if step % 1000 == 0 {
                let count = |f: &dyn Fn(&State) -> bool| model.values().filter(|s| f(s)).count();
                let committed = count(&|s| matches!(s, State::Committed { .. }));
                let holds = count(&|s| matches!(s, State::Held { .. }));
                let live = count(&|s| matches!(s, State::Held { ends, .. } if *ends > now));
                assert_eq!(shard.committed, committed, "step {step}");
                // Ended leases count until something drops them.
                assert!((live..=holds).contains(&shard.holds), "step {step}");
            }
        }
    }

    /// Every key reserved and then released leaves no count behind in the groups it passed.
    #[test]
    fn releasing_every_key_clears_every_count() {
        let hasher = KeyHasher::new([1, 2]);
        let mut shard = Shard::new();
        let mut held = Vec::new();
        for i in 0..5000_u128 {
            let key = i.wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835);
            let hash = hasher.hash(key);
            let (owner, _) = shard.reserve(hasher, hash, key, 100, 0);
            held.push((key, hash, owner));
        }
        assert!(
            overflow_total(&shard) > 0,
            "some keys went past their home group"
        );
        for (key, hash, owner) in held {
            let settled = shard.settle(hasher, hash, key, u128::from(owner), 1, None);
            assert!(matches!(settled, Settled::Released));
        }
        assert_eq!((shard.used, shard.holds, overflow_total(&shard)), (0, 0, 0));
    }

    /// A key committed long ago is not taken for a live one when its tick comes round again
    /// modulo 128.
    #[test]
    fn a_tick_byte_never_aliases() {
        let hasher = KeyHasher::new([3, 4]);
        let mut shard = Shard::new();
        let key = 42_u128;
        let hash = hasher.hash(key);
        shard.advance(hasher, 0, 0);
        let (owner, _) = shard.reserve(hasher, hash, key, 10, 0);
        let settled = shard.settle(hasher, hash, key, u128::from(owner), 0, Some(5));
        assert!(matches!(settled, Settled::Committed));
        for tick in [5, 6, 70, 128, 133, 256, 261, 1000] {
            shard.advance(hasher, tick, tick);
            let found = shard.find(hasher, hash, key, tick);
            let live = tick <= 5;
            assert_eq!(matches!(found, Found::Committed), live, "tick {tick}");
        }
        // Step by step, too, through several turns of 128.
        let (owner, _) = shard.reserve(hasher, hash, key, 2000, 1000);
        assert!(matches!(
            shard.settle(hasher, hash, key, u128::from(owner), 1000, Some(1003)),
            Settled::Committed
        ));
        for tick in 1000..1400 {
            shard.advance(hasher, tick, tick);
            let found = shard.find(hasher, hash, key, tick);
            assert_eq!(
                matches!(found, Found::Committed),
                tick <= 1003,
                "tick {tick}"
            );
        }
    }
}

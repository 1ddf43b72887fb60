//! What the memory stores' sharded tables share: a shard's lock, a key's hash, and deadlines
//! in whole seconds of the monotonic clock, always rounded up.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

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

/// The first second at which a hold made at `now` (whole seconds) for `ttl` has ended: `ttl`
/// rounded up to whole seconds, plus one, since `now` may be late in its second.
pub(crate) fn deadline(now: u64, ttl: Duration) -> u64 {
    now.saturating_add(ceil_secs(ttl)).saturating_add(1)
}

//! Replay protection: remember every verified request for as long as its signature would be
//! accepted, and refuse it the second time — but only once it was handled.
//!
//! # Records follow the work
//!
//! A replay key is *reserved* before the handler runs and *committed* only when the handler
//! succeeds. A failure, a panic or a dropped request *releases* it, so the sender's retry runs:
//! GitHub and Shopify redeliver the identical bytes, and a key recorded before a failed handler
//! would refuse every redelivery for the whole retention.
//!
//! | request | answer |
//! |---|---|
//! | first | reserved: the handler runs |
//! | duplicate while the first runs | 409 *in progress*, with `Retry-After` ([`FreshError::InProgress`]) |
//! | retry after the handler failed | reserved again: the handler runs again |
//! | duplicate after the handler succeeded | 409 *replayed* ([`FreshError::Replayed`]), or 200 by choice; the handler does not run |
//! | store unavailable | 503 with `Retry-After` (fail closed) |
//!
//! A reservation is a lease: a worker that dies without a word frees the key when the lease ends
//! ([`Verifier::with_replay_lease`], 60 s by default). Each reservation carries an owner token
//! no other reservation in the store has had, and a store commits or releases a key only for
//! the reservation holding it, so a late worker whose lease ran out cannot change a newer
//! request's record.
//!
//! Why two steps and not one: a single insert-if-absent cannot tell "in progress" from "done",
//! so it must either refuse a retry after a failure (and lose the delivery) or let a duplicate
//! run beside the first. Against Redis this costs one round trip to reserve and one to commit or
//! release.
//!
//! # Parts
//!
//! - [`ReplayCache`] is what a store provides: [`reserve`](ReplayCache::reserve),
//!   [`commit`](ReplayCache::commit) and [`release`](ReplayCache::release), each atomic.
//! - [`MemoryReplayCache`] is exact, sharded, time-bucketed and bounded; when full it refuses new
//!   keys rather than forget unexpired ones.
//! - `RedisReplayCache` (feature `redis`) shares the memory of a fleet: one Lua script per step,
//!   one round trip each.
//! - [`Verifier::verify_fresh`] verifies a request and reserves its key in one call, and hands
//!   back a [`Pending`] reservation to [`commit`](Pending::commit) once the delivery is handled —
//!   the core API for receivers without tower (actix-web, serverless functions). The tower layer
//!   (`middleware::VerifyLayer`, feature `tower`) does the same around the handler.
//!
//! Store errors **fail closed**: an unreachable store is an error the receiver answers with 503
//! and `Retry-After`, never "not seen". [`dangerous::FailOpen`](crate::dangerous::FailOpen) is the only way to
//! decide otherwise.
//!
//! # Using a cache generically or behind `dyn`
//!
//! [`ReplayCache`] returns `impl Future + Send`, so generic code pays nothing for the
//! abstraction. For a cache chosen at run time, hold an `Arc<dyn DynReplayCache>`: every
//! `ReplayCache` is a [`DynReplayCache`] (which boxes the futures), and `dyn DynReplayCache` is a
//! `ReplayCache` again:
//!
//! ```
//! use std::sync::Arc;
//! use hookseal::replay::{DynReplayCache, MemoryReplayCache};
//! use hookseal::{Scheme, Verifier};
//!
//! let verifier = Verifier::from_secret(Scheme::stripe(), "whsec_0123456789abcdef0123456789ab")?;
//! let cache: Arc<dyn DynReplayCache> = Arc::new(MemoryReplayCache::for_verifier(&verifier, 100_000)?);
//! // `cache` (or `&*cache`) can be passed wherever a `ReplayCache` is expected.
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#[cfg(feature = "std")]
pub(crate) mod fail_open;
mod fresh;
mod key;
#[cfg(feature = "std")]
mod memory;
#[cfg(feature = "redis")]
mod redis;
// The table's logic builds without `std` (and its tests run there); the cache that locks it
// needs `std`.
#[cfg_attr(not(feature = "std"), allow(dead_code))]
mod shard;

use alloc::boxed::Box;
use alloc::sync::Arc;
use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::time::Duration;

pub use crate::error::FreshError;
pub use crate::error::StoreError;
pub use fresh::Pending;
pub use key::ReplayKey;
pub(crate) use key::first_16;
#[cfg(feature = "std")]
pub use memory::MemoryReplayCache;
#[cfg(feature = "redis")]
pub use redis::RedisReplayCache;

use crate::owner::{OWNER_LEN, owner_token};
use crate::random::RandomSource;
#[cfg(doc)]
use crate::verify::Verifier;

/// What [`ReplayCache::reserve`] found.
#[derive(Debug)]
#[allow(clippy::exhaustive_enums)] // A key is free, being handled, or handled: nothing else.
pub enum Reserve {
    /// The key was free: the caller holds it until the lease ends, and must
    /// [`commit`](ReplayCache::commit) it once the request is handled, or
    /// [`release`](ReplayCache::release) it.
    Reserved(Reservation),
    /// Another request with this key is being handled: answer 409, and let the sender retry
    /// after `retry_after` (when that request's lease ends at the latest).
    InProgress {
        /// How long until the holder's lease ends, in whole seconds, at least one.
        retry_after: Duration,
    },
    /// The key was handled before and is remembered: the request is a replay.
    Replayed,
}

/// A claim on a replay key, from [`Reserve::Reserved`]: the key and an owner token no one else
/// holds. A store commits or releases a key only for the reservation holding it, and only while
/// its lease lasts.
///
/// Dropping a reservation does nothing by itself (nothing async can run in `Drop`); the key frees
/// itself when the lease ends. [`Pending`] releases it promptly instead.
pub struct Reservation {
    key: ReplayKey,
    owner: [u8; OWNER_LEN],
}

impl Reservation {
    /// A reservation of `key` with a new random owner token, for stores outside this crate.
    ///
    /// # Errors
    ///
    /// [`StoreError::RandomUnavailable`] when the system random number generator fails.
    #[cfg(feature = "std")]
    pub fn generate(key: ReplayKey) -> Result<Self, StoreError> {
        Self::generate_with(key, &mut crate::OsRandom)
    }

    /// [`Reservation::generate`] with the owner token drawn from `random`: the way to make one
    /// without `std`.
    ///
    /// # Errors
    ///
    /// [`StoreError::RandomUnavailable`] when `random` fails.
    pub fn generate_with(
        key: ReplayKey,
        random: &mut dyn RandomSource,
    ) -> Result<Self, StoreError> {
        let owner = owner_token(random).ok_or(StoreError::RandomUnavailable)?;
        Ok(Self { key, owner })
    }

    /// The key reserved.
    #[must_use]
    pub fn key(&self) -> &ReplayKey {
        &self.key
    }

    /// The owner token, for stores to keep with the reservation and compare before a change.
    #[must_use]
    pub fn owner(&self) -> &[u8; OWNER_LEN] {
        &self.owner
    }
}

impl fmt::Debug for Reservation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reservation")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

/// A store that remembers replay keys.
///
/// # Contract
///
/// - [`reserve`](Self::reserve) is **atomic**: of any number of concurrent calls with one free
///   key, on any number of threads or machines sharing the store, exactly one answers
///   [`Reserve::Reserved`]; the others answer [`Reserve::InProgress`] while it is held.
/// - A reserved key is held for at least its lease, and freed once the lease has ended unless it
///   was committed.
/// - [`commit`](Self::commit) and [`release`](Self::release) change the key only while the
///   reservation holds it (same owner token, lease not ended), and otherwise fail with
///   [`StoreError::LeaseLost`] and change nothing.
/// - A committed key answers [`Reserve::Replayed`] for at least its TTL (a store may keep it
///   longer, never shorter).
/// - No unexpired key is ever dropped to make room: a store that cannot take a key returns an
///   error.
pub trait ReplayCache: Send + Sync {
    /// Reserves `key` for `lease` unless it is reserved or committed, and says which it was.
    ///
    /// # Errors
    ///
    /// A [`StoreError`] when the store cannot answer; the request must then be refused (fail
    /// closed), since it may be a replay.
    fn reserve<'a>(
        &'a self,
        key: &'a ReplayKey,
        lease: Duration,
    ) -> impl Future<Output = Result<Reserve, StoreError>> + Send + 'a;

    /// Keeps the reserved key for `ttl`: the request was handled, and a replay of it must be
    /// refused.
    ///
    /// # Errors
    ///
    /// [`StoreError::LeaseLost`] when the lease has ended or another request holds the
    /// key (nothing is changed), [`StoreError::InvalidTtl`], or an unavailable store.
    fn commit<'a>(
        &'a self,
        reservation: &'a Reservation,
        ttl: Duration,
    ) -> impl Future<Output = Result<(), StoreError>> + Send + 'a;

    /// Frees the reserved key, so the next request with it runs.
    ///
    /// # Errors
    ///
    /// [`StoreError::LeaseLost`] when the lease has ended or another request holds the
    /// key (nothing is changed), or an unavailable store.
    fn release<'a>(
        &'a self,
        reservation: &'a Reservation,
    ) -> impl Future<Output = Result<(), StoreError>> + Send + 'a;

    /// Frees the reserved key without waiting, as well as the store can from synchronous code;
    /// used when a handler panicked or its future was dropped. The default does nothing and lets
    /// the lease end.
    fn release_detached(&self, reservation: Reservation) {
        let _ = reservation;
    }

    /// What kind of store this is, for logs and metrics (the `store` label of feature
    /// `metrics`, the `store` field of feature `tracing`): fixed text naming the backend, not an
    /// instance, such as `memory` or `redis`. Defaults to `custom`.
    ///
    /// ```
    /// use hookseal::replay::{MemoryReplayCache, ReplayCache};
    /// use std::time::Duration;
    ///
    /// let cache = MemoryReplayCache::new(1000, Duration::from_secs(601))?;
    /// assert_eq!(cache.kind(), "memory");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn kind(&self) -> &'static str {
        "custom"
    }
}

/// A boxed, sendable future.
type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The object-safe form of [`ReplayCache`], for `Arc<dyn DynReplayCache>`. Implemented for every
/// `ReplayCache`; the futures are boxed (one allocation per call).
pub trait DynReplayCache: Send + Sync {
    /// [`ReplayCache::reserve`], boxed.
    ///
    /// # Errors
    ///
    /// As [`ReplayCache::reserve`].
    fn reserve_boxed<'a>(
        &'a self,
        key: &'a ReplayKey,
        lease: Duration,
    ) -> BoxFuture<'a, Result<Reserve, StoreError>>;

    /// [`ReplayCache::commit`], boxed.
    ///
    /// # Errors
    ///
    /// As [`ReplayCache::commit`].
    fn commit_boxed<'a>(
        &'a self,
        reservation: &'a Reservation,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    /// [`ReplayCache::release`], boxed.
    ///
    /// # Errors
    ///
    /// As [`ReplayCache::release`].
    fn release_boxed<'a>(
        &'a self,
        reservation: &'a Reservation,
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    /// [`ReplayCache::release_detached`].
    fn release_detached_dyn(&self, reservation: Reservation);

    /// [`ReplayCache::kind`]. Defaults to `custom`.
    fn kind_dyn(&self) -> &'static str {
        "custom"
    }
}

impl<T: ReplayCache> DynReplayCache for T {
    fn reserve_boxed<'a>(
        &'a self,
        key: &'a ReplayKey,
        lease: Duration,
    ) -> BoxFuture<'a, Result<Reserve, StoreError>> {
        Box::pin(self.reserve(key, lease))
    }

    fn commit_boxed<'a>(
        &'a self,
        reservation: &'a Reservation,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(self.commit(reservation, ttl))
    }

    fn release_boxed<'a>(
        &'a self,
        reservation: &'a Reservation,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(self.release(reservation))
    }

    fn release_detached_dyn(&self, reservation: Reservation) {
        self.release_detached(reservation);
    }

    fn kind_dyn(&self) -> &'static str {
        self.kind()
    }
}

impl<'d> ReplayCache for dyn DynReplayCache + 'd {
    fn reserve<'a>(
        &'a self,
        key: &'a ReplayKey,
        lease: Duration,
    ) -> impl Future<Output = Result<Reserve, StoreError>> + Send + 'a {
        self.reserve_boxed(key, lease)
    }

    fn commit<'a>(
        &'a self,
        reservation: &'a Reservation,
        ttl: Duration,
    ) -> impl Future<Output = Result<(), StoreError>> + Send + 'a {
        self.commit_boxed(reservation, ttl)
    }

    fn release<'a>(
        &'a self,
        reservation: &'a Reservation,
    ) -> impl Future<Output = Result<(), StoreError>> + Send + 'a {
        self.release_boxed(reservation)
    }

    fn release_detached(&self, reservation: Reservation) {
        self.release_detached_dyn(reservation);
    }

    fn kind(&self) -> &'static str {
        self.kind_dyn()
    }
}

/// Forwards every method to the cache behind a pointer.
macro_rules! forward_cache {
    ($($ptr:ty),*) => {$(
        impl<T: ReplayCache + ?Sized> ReplayCache for $ptr {
            fn reserve<'a>(
                &'a self,
                key: &'a ReplayKey,
                lease: Duration,
            ) -> impl Future<Output = Result<Reserve, StoreError>> + Send + 'a {
                (**self).reserve(key, lease)
            }

            fn commit<'a>(
                &'a self,
                reservation: &'a Reservation,
                ttl: Duration,
            ) -> impl Future<Output = Result<(), StoreError>> + Send + 'a {
                (**self).commit(reservation, ttl)
            }

            fn release<'a>(
                &'a self,
                reservation: &'a Reservation,
            ) -> impl Future<Output = Result<(), StoreError>> + Send + 'a {
                (**self).release(reservation)
            }

            fn release_detached(&self, reservation: Reservation) {
                (**self).release_detached(reservation);
            }

            fn kind(&self) -> &'static str {
                (**self).kind()
            }
        }
    )*};
}

forward_cache!(&T, Arc<T>, Box<T>);

/// The longest TTL or lease the crate's stores keep: 400 days.
pub(crate) const MAX_TTL: Duration = Duration::from_secs(400 * 24 * 3600);

/// Checks a lease (or a TTL against the store's own bound `max`): at least one millisecond, at
/// most `max`.
#[cfg(feature = "std")]
fn check_ttl(ttl: Duration, max: Duration) -> Result<(), StoreError> {
    if ttl < Duration::from_millis(1) || ttl > max {
        return Err(StoreError::InvalidTtl { max });
    }
    Ok(())
}

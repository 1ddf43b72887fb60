//! Idempotent processing: run the work a request or delivery asks for once per key, although
//! deliveries are at least once, retried for days, concurrent, and workers crash.
//!
//! - [`IdempotencyKey`] names the work: from the `Idempotency-Key` header ([`KeyParser`],
//!   strict or lenient) or from a provider's event id. It is [scoped](IdempotencyKey::scoped)
//!   to a tenant or endpoint before it is stored.
//! - [`Fingerprint`] digests what the request asks for, to catch a key reused for another
//!   payload.
//! - [`IdempotencyStore`] is the state machine a store provides, one atomic step per call:
//!   [`begin`](IdempotencyStore::begin) claims a key for a *lease*, and the holder then either
//!   [`complete`](IdempotencyStore::complete)s it, storing the result for a *retention* period,
//!   or [`release`](IdempotencyStore::release)s it so a retry runs the work again. A lease
//!   carries an owner token: once it has expired or another worker has taken the key over, its
//!   holder can change nothing.
//! - [`MemoryIdempotencyStore`] serves one process; `RedisIdempotencyStore` (feature `redis`) a
//!   fleet; `PostgresIdempotencyStore` (feature `postgres`) a fleet too, and can write each
//!   record in the transaction where the work writes its effects.
//! - [`Idempotency::run`] does all of it around the user's async work.
//!
//! # Two windows
//!
//! The **lease** (default 60 s) bounds how long a key stays blocked when its worker dies without
//! a word: after it, the sender's next retry runs the work. Choose it longer than the work ever
//! takes — a lease that runs out mid-work lets a retry run the work a second time. The
//! **retention** (default 72 hours, Stripe's retry horizon) is how long a completed key's result
//! is kept and replayed. Keys are forgotten after it: choose it at least as long as senders
//! retry.
//!
//! # HTTP
//!
//! | Case | Status |
//! |---|---|
//! | No key where one is required ([`VerifyError::MissingHeader`](crate::VerifyError::MissingHeader)), or a malformed one | 400 |
//! | The key's first request is still running ([`IdempotencyError::InProgress`]) | 409 with `Retry-After` |
//! | The key was used for a different payload ([`IdempotencyError::Mismatch`]) | 422 |
//! | The key completed before ([`Processed::Stored`]) | the stored result, with `Idempotent-Replayed: true` |
//! | The store is unavailable or full | 503 with `Retry-After` |
//!
//! Store errors **fail closed**: a request whose key cannot be checked is refused, never run
//! unprotected.
//!
//! # Exactly once, and where it stops
//!
//! A store makes the *decision* to run exactly once per key while its records last. The work's
//! own effects are exactly once only if the work finishes within its lease and its result is
//! recorded; a worker that dies after its effects but before `complete` leaves them to be done
//! again by the retry. Where that matters, write the record in the same database transaction
//! as the effects: `PostgresIdempotencyStore::begin_in` (feature `postgres`) claims the key in
//! your transaction, so the record and the effects commit or roll back together, and a worker
//! that dies before its commit leaves nothing to repeat and nothing lost.

mod fingerprint;
mod key;
#[cfg(feature = "std")]
mod memory;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "redis")]
mod redis;
mod run;
mod scope;

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::time::Duration;

pub use crate::error::IdempotencyError;
pub use crate::error::StoreError;
pub use fingerprint::{Fingerprint, FingerprintBuilder};
#[cfg(feature = "tower")]
pub(crate) use key::scoped_text;
pub use key::{IdempotencyKey, KeyParser};
#[cfg(feature = "std")]
pub use memory::MemoryIdempotencyStore;
#[cfg(feature = "postgres")]
#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
pub use postgres::PostgresIdempotencyStore;
#[cfg(feature = "redis")]
pub use redis::RedisIdempotencyStore;
pub use run::{Idempotency, Processed, REPLAYED_HEADER};
pub use scope::{Scope, ScopedKey};

/// What [`IdempotencyStore::begin`] found.
#[derive(Debug)]
#[allow(clippy::exhaustive_enums)] // The state machine has exactly these four answers.
pub enum Begin {
    /// The key was free: the caller holds it until the lease expires, and must
    /// [`complete`](IdempotencyStore::complete) or [`release`](IdempotencyStore::release) it.
    Started(Lease),
    /// Another worker holds the key: answer 409, and let the sender retry after `retry_after`
    /// (when the lease ends at the latest).
    InProgress {
        /// How long until the holder's lease expires, rounded up to whole seconds.
        retry_after: Duration,
    },
    /// The key completed before: here is its stored result, byte for byte.
    Completed(Vec<u8>),
    /// The key is held or completed for a different [`Fingerprint`]: answer 422.
    Mismatch,
}

/// A claim on a key, from [`Begin::Started`]: the key and an owner token no one else holds.
///
/// A store changes a key's record only for the lease that claimed it, and only while the lease
/// lasts. Dropping a lease does not release the key (nothing async can run in `Drop`); the key
/// frees itself when the lease expires. [`Idempotency::run`] releases it promptly instead, even
/// when the work panics or its future is dropped.
pub struct Lease {
    key: ScopedKey,
    owner: [u8; 16],
    /// The fingerprint the key was begun with, for a store that keeps it in the record's value
    /// and writes the whole value back (Redis); `None` for the others.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    fingerprint: Option<[u8; Fingerprint::LEN]>,
}

impl Lease {
    /// A lease on `key` with a new random owner token, for stores outside this crate.
    ///
    /// # Errors
    ///
    /// [`StoreError::RandomUnavailable`] when the system random number generator fails.
    #[cfg(feature = "std")]
    pub fn generate(key: ScopedKey) -> Result<Self, StoreError> {
        Self::generate_with(key, &mut crate::OsRandom)
    }

    /// [`Lease::generate`] with the owner token drawn from `random`: the way to make one
    /// without `std`.
    ///
    /// # Errors
    ///
    /// [`StoreError::RandomUnavailable`] when `random` fails.
    pub fn generate_with(
        key: ScopedKey,
        random: &mut dyn crate::RandomSource,
    ) -> Result<Self, StoreError> {
        let owner = crate::owner::owner_token(random).ok_or(StoreError::RandomUnavailable)?;
        Ok(Self {
            key,
            owner,
            fingerprint: None,
        })
    }

    /// The key claimed.
    #[must_use]
    pub fn key(&self) -> &ScopedKey {
        &self.key
    }

    /// The owner token, for stores to keep with the record and compare before each change.
    #[must_use]
    pub fn owner(&self) -> &[u8; 16] {
        &self.owner
    }
}

impl fmt::Debug for Lease {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lease")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

/// A store of idempotency records: a key's state machine, with each transition atomic.
///
/// # Contract
///
/// - [`begin`](Self::begin) is atomic: of any number of concurrent calls with one free key, on
///   any number of machines sharing the store, exactly one answers [`Begin::Started`]. It
///   compares fingerprints first: a different fingerprint is [`Begin::Mismatch`] whether the
///   key is in progress or completed.
/// - A started key is held for at least its lease, and freed once the lease has expired unless
///   it was completed.
/// - [`complete`](Self::complete) and [`release`](Self::release) change the record only if it is
///   still held by that lease (same owner token, not expired), and otherwise fail with
///   [`StoreError::LeaseLost`].
/// - A completed key answers [`Begin::Completed`] with the stored bytes for at least its
///   retention, and is then forgotten.
/// - No record is ever left without an expiry, and no unexpired record is dropped to make room:
///   a store that cannot take a key returns an error.
pub trait IdempotencyStore: Send + Sync {
    /// Claims `key` for `lease` unless it is held or completed, and says which it was.
    ///
    /// # Errors
    ///
    /// A [`StoreError`] when the store cannot answer; the request must then be refused (fail
    /// closed).
    fn begin<'a>(
        &'a self,
        key: &'a ScopedKey,
        fingerprint: &'a Fingerprint,
        lease: Duration,
    ) -> impl Future<Output = Result<Begin, StoreError>> + Send + 'a;

    /// Marks the leased key completed with `result`, kept for `retention`.
    ///
    /// # Errors
    ///
    /// [`StoreError::LeaseLost`] when the lease has expired or the key was taken over (nothing
    /// is changed), [`StoreError::ResultTooLarge`], or an unavailable store.
    fn complete<'a>(
        &'a self,
        lease: &'a Lease,
        result: &'a [u8],
        retention: Duration,
    ) -> impl Future<Output = Result<(), StoreError>> + Send + 'a;

    /// Frees the leased key, so the next request with it runs the work.
    ///
    /// # Errors
    ///
    /// [`StoreError::LeaseLost`] when the lease has expired or the key was taken over (nothing
    /// is changed), or an unavailable store.
    fn release<'a>(
        &'a self,
        lease: &'a Lease,
    ) -> impl Future<Output = Result<(), StoreError>> + Send + 'a;

    /// Frees the leased key without waiting, as well as the store can from synchronous code; used
    /// when work panicked or was dropped. The default does nothing and lets the lease expire.
    fn release_detached(&self, lease: Lease) {
        let _ = lease;
    }

    /// What kind of store this is, for logs and metrics (the `store` label of feature
    /// `metrics`, the `store` field of feature `tracing`): fixed text naming the backend, not an
    /// instance, such as `memory` or `redis`. Defaults to `custom`.
    ///
    /// ```
    /// use hookseal::idempotency::{IdempotencyStore, MemoryIdempotencyStore};
    ///
    /// assert_eq!(MemoryIdempotencyStore::new(1000)?.kind(), "memory");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn kind(&self) -> &'static str {
        "custom"
    }
}

/// The object-safe form of [`IdempotencyStore`], for `Arc<dyn DynIdempotencyStore>`.
/// Implemented for every `IdempotencyStore`; the futures are boxed.
pub trait DynIdempotencyStore: Send + Sync {
    /// [`IdempotencyStore::begin`], boxed.
    ///
    /// # Errors
    ///
    /// As [`IdempotencyStore::begin`].
    fn begin_boxed<'a>(
        &'a self,
        key: &'a ScopedKey,
        fingerprint: &'a Fingerprint,
        lease: Duration,
    ) -> BoxFuture<'a, Result<Begin, StoreError>>;

    /// [`IdempotencyStore::complete`], boxed.
    ///
    /// # Errors
    ///
    /// As [`IdempotencyStore::complete`].
    fn complete_boxed<'a>(
        &'a self,
        lease: &'a Lease,
        result: &'a [u8],
        retention: Duration,
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    /// [`IdempotencyStore::release`], boxed.
    ///
    /// # Errors
    ///
    /// As [`IdempotencyStore::release`].
    fn release_boxed<'a>(&'a self, lease: &'a Lease) -> BoxFuture<'a, Result<(), StoreError>>;

    /// [`IdempotencyStore::release_detached`].
    fn release_detached_dyn(&self, lease: Lease);

    /// [`IdempotencyStore::kind`]. Defaults to `custom`.
    fn kind_dyn(&self) -> &'static str {
        "custom"
    }
}

/// A boxed, sendable future.
type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

impl<T: IdempotencyStore> DynIdempotencyStore for T {
    fn begin_boxed<'a>(
        &'a self,
        key: &'a ScopedKey,
        fingerprint: &'a Fingerprint,
        lease: Duration,
    ) -> BoxFuture<'a, Result<Begin, StoreError>> {
        Box::pin(self.begin(key, fingerprint, lease))
    }

    fn complete_boxed<'a>(
        &'a self,
        lease: &'a Lease,
        result: &'a [u8],
        retention: Duration,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(self.complete(lease, result, retention))
    }

    fn release_boxed<'a>(&'a self, lease: &'a Lease) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(self.release(lease))
    }

    fn release_detached_dyn(&self, lease: Lease) {
        self.release_detached(lease);
    }

    fn kind_dyn(&self) -> &'static str {
        self.kind()
    }
}

impl<'d> IdempotencyStore for dyn DynIdempotencyStore + 'd {
    fn begin<'a>(
        &'a self,
        key: &'a ScopedKey,
        fingerprint: &'a Fingerprint,
        lease: Duration,
    ) -> impl Future<Output = Result<Begin, StoreError>> + Send + 'a {
        self.begin_boxed(key, fingerprint, lease)
    }

    fn complete<'a>(
        &'a self,
        lease: &'a Lease,
        result: &'a [u8],
        retention: Duration,
    ) -> impl Future<Output = Result<(), StoreError>> + Send + 'a {
        self.complete_boxed(lease, result, retention)
    }

    fn release<'a>(
        &'a self,
        lease: &'a Lease,
    ) -> impl Future<Output = Result<(), StoreError>> + Send + 'a {
        self.release_boxed(lease)
    }

    fn release_detached(&self, lease: Lease) {
        self.release_detached_dyn(lease);
    }

    fn kind(&self) -> &'static str {
        self.kind_dyn()
    }
}

/// Forwards every method to the store behind a pointer.
macro_rules! forward_store {
    ($($ptr:ty),*) => {$(
        impl<T: IdempotencyStore + ?Sized> IdempotencyStore for $ptr {
            fn begin<'a>(
                &'a self,
                key: &'a ScopedKey,
                fingerprint: &'a Fingerprint,
                lease: Duration,
            ) -> impl Future<Output = Result<Begin, StoreError>> + Send + 'a {
                (**self).begin(key, fingerprint, lease)
            }

            fn complete<'a>(
                &'a self,
                lease: &'a Lease,
                result: &'a [u8],
                retention: Duration,
            ) -> impl Future<Output = Result<(), StoreError>> + Send + 'a {
                (**self).complete(lease, result, retention)
            }

            fn release<'a>(
                &'a self,
                lease: &'a Lease,
            ) -> impl Future<Output = Result<(), StoreError>> + Send + 'a {
                (**self).release(lease)
            }

            fn release_detached(&self, lease: Lease) {
                (**self).release_detached(lease);
            }

            fn kind(&self) -> &'static str {
                (**self).kind()
            }
        }
    )*};
}

forward_store!(&T, Arc<T>, Box<T>);

/// The longest lease or retention a store keeps: 400 days.
pub(crate) use crate::replay::MAX_TTL;

/// The largest result the crate's stores keep by default: 64 KiB.
#[cfg(feature = "std")]
pub(crate) const DEFAULT_MAX_RESULT_LEN: usize = 64 * 1024;

/// Checks what a store is asked to keep on completion: the retention (as [`check_ttl`]) and a
/// result of at most `max_result_len` bytes.
#[cfg(feature = "std")]
fn check_completion(
    result: &[u8],
    max_result_len: usize,
    retention: Duration,
) -> Result<(), StoreError> {
    check_ttl(retention)?;
    if result.len() > max_result_len {
        return Err(StoreError::ResultTooLarge {
            max: max_result_len,
        });
    }
    Ok(())
}

/// Checks a lease or retention: at least 1 ms, at most [`MAX_TTL`].
#[cfg(feature = "std")]
fn check_ttl(ttl: Duration) -> Result<(), StoreError> {
    if ttl < Duration::from_millis(1) || ttl > MAX_TTL {
        Err(StoreError::InvalidTtl { max: MAX_TTL })
    } else {
        Ok(())
    }
}

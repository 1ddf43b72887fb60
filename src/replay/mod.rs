//! Replay protection: remember every verified request for as long as its signature would be
//! accepted, and refuse it the second time.
//!
//! - [`ReplayCache`] is the one operation a store must provide: an atomic insert-if-absent with a
//!   TTL, answering [`Outcome::Fresh`] or [`Outcome::Replayed`]. Never a get followed by a set.
//! - [`MemoryReplayCache`] is exact, sharded, time-bucketed and bounded; when full it refuses new
//!   keys rather than forget unexpired ones.
//! - `RedisReplayCache` (feature `redis`) shares the memory of a fleet: `SET key 1 NX PX ttl`, one
//!   round trip.
//! - [`Verifier::verify_fresh`] verifies a request and consults a cache in one call, with the TTL
//!   taken from the verifier's window.
//!
//! Store errors **fail closed**: an unreachable store is an error the receiver answers with 503
//! and `Retry-After`, never "not seen". [`FailOpen`] is the only way to decide otherwise.
//!
//! # Using a cache generically or behind `dyn`
//!
//! [`ReplayCache`] returns `impl Future + Send`, so generic code pays nothing for the
//! abstraction. For a cache chosen at run time, hold an `Arc<dyn DynReplayCache>`: every
//! `ReplayCache` is a [`DynReplayCache`] (which boxes the future), and `dyn DynReplayCache` is a
//! `ReplayCache` again:
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Duration;
//! use hookseal::replay::{DynReplayCache, MemoryReplayCache};
//!
//! let cache: Arc<dyn DynReplayCache> =
//!     Arc::new(MemoryReplayCache::new(100_000, Duration::from_secs(600))?);
//! // `cache` (or `&*cache`) can be passed wherever a `ReplayCache` is expected.
//! # Ok::<(), hookseal::ConfigError>(())
//! ```

pub(crate) mod memory;
#[cfg(feature = "redis")]
mod redis;

use core::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

pub use memory::MemoryReplayCache;
#[cfg(feature = "redis")]
pub use redis::RedisReplayCache;

use crate::clock::{Clock, Timestamp};
use crate::error::VerifyError;
use crate::headers::HeaderSource;
use crate::verify::{ReplayKey, Verified, Verifier};

/// What a cache answered for a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(clippy::exhaustive_enums)] // A key is either new or not; there is no third answer.
pub enum Outcome {
    /// The key was not present; it is now, for the TTL.
    Fresh,
    /// The key was already present and unexpired: this request was seen before.
    Replayed,
}

/// A store that remembers replay keys.
///
/// # Contract
///
/// [`ReplayCache::insert_if_absent`] is **atomic**: of any number of concurrent calls with one
/// key, on any number of threads or machines sharing the store, exactly one answers
/// [`Outcome::Fresh`]. A key stays present for at least `ttl` after the call that inserted it
/// (a store may keep it longer, never shorter), and no unexpired key is ever dropped to make room:
/// a store that cannot take a key returns an error.
pub trait ReplayCache: Send + Sync {
    /// Inserts `key` with time-to-live `ttl` unless it is present, and says which it was.
    ///
    /// # Errors
    ///
    /// A [`ReplayError`] when the store cannot answer; the request must then be refused
    /// (fail closed), since it may be a replay.
    fn insert_if_absent<'a>(
        &'a self,
        key: &'a ReplayKey,
        ttl: Duration,
    ) -> impl Future<Output = Result<Outcome, ReplayError>> + Send + 'a;
}

/// The object-safe form of [`ReplayCache`], for `Arc<dyn DynReplayCache>`. Implemented for every
/// `ReplayCache`; the future is boxed (one allocation per check).
pub trait DynReplayCache: Send + Sync {
    /// [`ReplayCache::insert_if_absent`], with the future boxed.
    ///
    /// # Errors
    ///
    /// As [`ReplayCache::insert_if_absent`].
    fn insert_if_absent_boxed<'a>(
        &'a self,
        key: &'a ReplayKey,
        ttl: Duration,
    ) -> Pin<Box<dyn Future<Output = Result<Outcome, ReplayError>> + Send + 'a>>;
}

impl<T: ReplayCache> DynReplayCache for T {
    fn insert_if_absent_boxed<'a>(
        &'a self,
        key: &'a ReplayKey,
        ttl: Duration,
    ) -> Pin<Box<dyn Future<Output = Result<Outcome, ReplayError>> + Send + 'a>> {
        Box::pin(self.insert_if_absent(key, ttl))
    }
}

impl<'d> ReplayCache for dyn DynReplayCache + 'd {
    fn insert_if_absent<'a>(
        &'a self,
        key: &'a ReplayKey,
        ttl: Duration,
    ) -> impl Future<Output = Result<Outcome, ReplayError>> + Send + 'a {
        self.insert_if_absent_boxed(key, ttl)
    }
}

/// Forwards the check to the cache behind a pointer.
macro_rules! forward_cache {
    ($($ptr:ty),*) => {$(
        impl<T: ReplayCache + ?Sized> ReplayCache for $ptr {
            fn insert_if_absent<'a>(
                &'a self,
                key: &'a ReplayKey,
                ttl: Duration,
            ) -> impl Future<Output = Result<Outcome, ReplayError>> + Send + 'a {
                (**self).insert_if_absent(key, ttl)
            }
        }
    )*};
}

forward_cache!(&T, Arc<T>, Box<T>);

/// A replay cache could not answer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// The cache holds as many unexpired keys as it may; it refuses new ones rather than forget
    /// one that could still be replayed.
    #[error("replay cache is full ({capacity} keys)")]
    CapacityExceeded {
        /// The cache's capacity, in keys.
        capacity: usize,
    },
    /// The TTL asked for is longer than the cache was built to keep keys.
    #[error("replay TTL longer than the cache's maximum of {max:?}")]
    TtlTooLong {
        /// The longest TTL the cache accepts.
        max: Duration,
    },
    /// The cache's clock could not tell the time.
    #[error("replay cache clock unavailable")]
    ClockUnavailable,
    /// The store could not be reached or did not answer in time. The source error says why; it
    /// never contains key material.
    #[error("replay store unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// [`Verifier::verify_fresh`] refused a request.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FreshError {
    /// The request did not verify.
    #[error(transparent)]
    Rejected(#[from] VerifyError),
    /// The request verified, and was seen before.
    #[error("request replayed")]
    Replayed,
    /// The replay cache could not answer, so the request was refused (fail closed).
    #[error("replay check failed: {0}")]
    Store(#[source] ReplayError),
}

impl FreshError {
    /// The HTTP status code a receiver should answer with: the [`VerifyError`]'s for a rejected
    /// request, 409 for a replay, 503 when the store is unavailable or full (with
    /// [`FreshError::retry_after`]), and 500 for a TTL the cache cannot keep (the receiver's
    /// configuration).
    ///
    /// A receiver that treats a duplicate as success may answer a replay with 200 instead.
    #[must_use]
    pub fn status_code(&self) -> u16 {
        match self {
            Self::Rejected(e) => e.status_code(),
            Self::Replayed => 409,
            Self::Store(ReplayError::TtlTooLong { .. }) => 500,
            Self::Store(_) => 503,
        }
    }

    /// How long a sender should wait before retrying, for the `Retry-After` header: set for the
    /// 503 answers, `None` otherwise.
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        (self.status_code() == 503).then_some(RETRY_AFTER)
    }
}

/// The `Retry-After` given with a 503.
const RETRY_AFTER: Duration = Duration::from_secs(5);

impl<C: Clock> Verifier<C> {
    /// Verifies a request, then records its [`ReplayKey`] in `cache` for
    /// [`Verifier::replay_ttl`], refusing it if it was there already.
    ///
    /// ```
    /// # tokio_test_block_on(async {
    /// use std::time::Duration;
    /// use hookseal::replay::{FreshError, MemoryReplayCache};
    /// use hookseal::{Keyring, Scheme, Secret, Signer, Verifier};
    ///
    /// let key = || Keyring::single(Secret::from_bytes([7_u8; 32]).unwrap());
    /// let signer = Signer::new(Scheme::standard_webhooks(), key());
    /// let verifier = Verifier::new(Scheme::standard_webhooks(), key());
    /// let cache = MemoryReplayCache::new(10_000, verifier.replay_ttl())?;
    ///
    /// let body = br#"{"event":"invoice.paid"}"#;
    /// let headers = signer.sign(Some("evt_1"), body)?;
    /// let headers: Vec<(&str, &str)> = headers.iter().collect();
    ///
    /// assert!(verifier.verify_fresh(&headers, body, &cache).await.is_ok());
    /// let again = verifier.verify_fresh(&headers, body, &cache).await.unwrap_err();
    /// assert!(matches!(again, FreshError::Replayed));
    /// assert_eq!(again.status_code(), 409);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     // The memory cache answers at once, so polling once suffices.
    /// #     let mut f = std::pin::pin!(f);
    /// #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    /// #     match f.as_mut().poll(&mut cx) { std::task::Poll::Ready(v) => v, _ => unreachable!() }
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`FreshError::Rejected`] with the [`VerifyError`] when the request does not verify (the
    /// cache is not touched), [`FreshError::Replayed`] when it was seen before, and
    /// [`FreshError::Store`] when the cache cannot answer.
    pub async fn verify_fresh<'a, H, R>(
        &'a self,
        headers: &'a H,
        body: &'a [u8],
        cache: &R,
    ) -> Result<Verified<'a>, FreshError>
    where
        H: HeaderSource + Sync + ?Sized,
        R: ReplayCache + ?Sized,
    {
        let verified = self.verify(headers, body)?;
        self.record(verified, cache).await
    }

    /// [`Verifier::verify_fresh`] as of `now` (the time the request was received).
    ///
    /// # Errors
    ///
    /// As [`Verifier::verify_fresh`].
    pub async fn verify_fresh_at<'a, H, R>(
        &'a self,
        headers: &'a H,
        body: &'a [u8],
        now: Timestamp,
        cache: &R,
    ) -> Result<Verified<'a>, FreshError>
    where
        H: HeaderSource + Sync + ?Sized,
        R: ReplayCache + ?Sized,
    {
        let verified = self.verify_at(headers, body, now)?;
        self.record(verified, cache).await
    }

    async fn record<'a, R: ReplayCache + ?Sized>(
        &self,
        verified: Verified<'a>,
        cache: &R,
    ) -> Result<Verified<'a>, FreshError> {
        let key = verified.replay_key();
        match cache.insert_if_absent(&key, self.replay_ttl()).await {
            Ok(Outcome::Fresh) => Ok(verified),
            Ok(Outcome::Replayed) => Err(FreshError::Replayed),
            Err(e) => Err(FreshError::Store(e)),
        }
    }
}

/// Answers [`Outcome::Fresh`] when the wrapped cache's store is unavailable — an explicit choice
/// to accept possible replays rather than refuse deliveries while the store is down.
///
/// Only [`ReplayError::Unavailable`] is turned into `Fresh`, and each time is counted
/// ([`FailOpen::opened`]): watch the count. A full cache still refuses (its keys are all
/// unexpired, so accepting would be a replay hole by construction), and so does a bad TTL.
///
/// Fail-closed, the default of every cache, is the right choice for almost every receiver: the
/// sender retries a 503 later.
#[derive(Debug)]
pub struct FailOpen<R> {
    inner: R,
    opened: AtomicU64,
}

impl<R: ReplayCache> FailOpen<R> {
    /// Wraps `inner`.
    #[must_use]
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            opened: AtomicU64::new(0),
        }
    }

    /// How many checks were answered `Fresh` because the store was unavailable.
    #[must_use]
    pub fn opened(&self) -> u64 {
        self.opened.load(Ordering::Relaxed)
    }

    /// The wrapped cache.
    #[must_use]
    pub fn inner(&self) -> &R {
        &self.inner
    }
}

impl<R: ReplayCache> ReplayCache for FailOpen<R> {
    async fn insert_if_absent(
        &self,
        key: &ReplayKey,
        ttl: Duration,
    ) -> Result<Outcome, ReplayError> {
        match self.inner.insert_if_absent(key, ttl).await {
            Err(ReplayError::Unavailable(_)) => {
                self.opened.fetch_add(1, Ordering::Relaxed);
                Ok(Outcome::Fresh)
            }
            other => other,
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Fresh => "fresh",
            Self::Replayed => "replayed",
        })
    }
}

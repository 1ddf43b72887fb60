//! [`Verifier::verify_fresh`]: verify a request and reserve its replay key, then [`Pending`]
//! until the delivery is handled.

use core::fmt;
use core::time::Duration;

use super::{ReplayCache, ReplayKey, Reservation, Reserve, StoreError};
use crate::clock::Clock;
use crate::error::FreshError;
use crate::headers::HeaderSource;
use crate::observe;
use crate::timestamp::Timestamp;
use crate::verify::{Verified, Verifier};

/// A verified request's replay key, reserved while the delivery is handled: from
/// [`Verifier::verify_fresh`].
///
/// - [`Pending::commit`] once the delivery is handled: the key is then kept for
///   [`Verifier::replay_ttl`], and every copy is refused as a replay.
/// - [`Pending::release`] when handling failed, so the sender's retry runs. Dropping a `Pending`
///   releases too (at once for the memory cache; from a spawned task for Redis), so a panic or
///   a cancelled request never blocks a retry for longer than the lease.
#[must_use = "dropping a `Pending` releases the reservation: commit it once the delivery is handled"]
pub struct Pending<R: ReplayCache> {
    cache: R,
    reservation: Option<Reservation>,
    ttl: Duration,
}

impl<R: ReplayCache> Pending<R> {
    /// Keeps the key: the delivery was handled, and any copy of it is now a replay.
    ///
    /// # Errors
    ///
    /// A [`StoreError`] when the key could not be kept ([`StoreError::LeaseLost`] when
    /// the lease ended first). The delivery was handled all the same: answer as for a success —
    /// asking the sender to retry would make a second run likelier, not less.
    pub async fn commit(mut self) -> Result<(), StoreError> {
        match self.reservation.take() {
            Some(reservation) => {
                let commit = self.cache.commit(&reservation, self.ttl);
                observe::store_operation(self.cache.kind(), "commit", ok, commit).await
            }
            None => Err(StoreError::LeaseLost),
        }
    }

    /// Frees the key, so the sender's retry runs.
    ///
    /// # Errors
    ///
    /// A [`StoreError`] when the key could not be freed; it then frees itself when the lease
    /// ends.
    pub async fn release(mut self) -> Result<(), StoreError> {
        match self.reservation.take() {
            Some(reservation) => {
                let release = self.cache.release(&reservation);
                observe::store_operation(self.cache.kind(), "release", ok, release).await
            }
            None => Err(StoreError::LeaseLost),
        }
    }
}

impl<R: ReplayCache> Drop for Pending<R> {
    fn drop(&mut self) {
        if let Some(reservation) = self.reservation.take() {
            self.cache.release_detached(reservation);
            observe::detached_release(self.cache.kind());
        }
    }
}

impl<R: ReplayCache> fmt::Debug for Pending<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pending")
            .field("reservation", &self.reservation)
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl<C: Clock> Verifier<C> {
    /// Verifies a request, then reserves its [`ReplayKey`](crate::ReplayKey) in `cache` for
    /// [`Verifier::replay_lease`]: a request handled before is refused as a replay, and one
    /// being handled right now as in progress.
    ///
    /// Handle the delivery, then [`commit`](Pending::commit) the reservation when it succeeded,
    /// or [`release`](Pending::release) (or drop) it when it failed, so the sender's retry runs.
    /// See the [module docs](crate::replay) for the answers.
    ///
    /// `cache` is any [`ReplayCache`]: `&cache`, an `Arc`, or `&*arc_dyn`.
    ///
    /// ```
    /// # block_on(async {
    /// use hookseal::replay::{FreshError, MemoryReplayCache};
    /// use hookseal::{Keyring, Scheme, Signer, Verifier};
    ///
    /// let scheme = Scheme::standard_webhooks();
    /// let key = || Keyring::single(scheme.parse_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap());
    /// let signer = Signer::new(scheme.clone(), key());
    /// let verifier = Verifier::new(scheme.clone(), key());
    /// let cache = MemoryReplayCache::for_verifier(&verifier, 10_000)?;
    ///
    /// let body = br#"{"event":"invoice.paid"}"#;
    /// let headers = signer.sign(Some("msg_1"), body)?;
    /// let headers: Vec<(&str, &str)> = headers.iter().collect();
    ///
    /// // The handler fails: release, and the sender's retry runs.
    /// let (_verified, pending) = verifier.verify_fresh(&headers, body, &cache).await?;
    /// pending.release().await?;
    ///
    /// // The retry: reserved again; a copy arriving meanwhile is "in progress".
    /// let (verified, pending) = verifier.verify_fresh(&headers, body, &cache).await?;
    /// let copy = verifier.verify_fresh(&headers, body, &cache).await.unwrap_err();
    /// assert!(matches!(copy, FreshError::InProgress { .. }));
    /// assert_eq!(verified.body(), body);
    /// pending.commit().await?; // handled
    ///
    /// // Every later copy is a replay.
    /// let again = verifier.verify_fresh(&headers, body, &cache).await.unwrap_err();
    /// assert!(matches!(again, FreshError::Replayed));
    /// assert_eq!(again.status_code(), 409);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     // The memory cache answers at once, so polling once suffices.
    /// #     let mut f = std::pin::pin!(f);
    /// #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    /// #     match f.as_mut().poll(&mut cx) { std::task::Poll::Ready(v) => v, _ => unreachable!() }
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`FreshError::Rejected`] with the [`VerifyError`](crate::VerifyError) when the request does not verify (the
    /// cache is not touched), [`FreshError::InProgress`] while a copy is being handled,
    /// [`FreshError::Replayed`] when it was handled before, and [`FreshError::Store`] when the
    /// cache cannot answer.
    pub async fn verify_fresh<'a, H, R>(
        &'a self,
        headers: &'a H,
        body: &'a [u8],
        cache: R,
    ) -> Result<(Verified<'a>, Pending<R>), FreshError>
    where
        H: HeaderSource + Sync + ?Sized,
        R: ReplayCache,
    {
        self.load_key(headers, body).await?;
        let verified = self.verify(headers, body)?;
        self.reserve(verified, cache).await
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
        cache: R,
    ) -> Result<(Verified<'a>, Pending<R>), FreshError>
    where
        H: HeaderSource + Sync + ?Sized,
        R: ReplayCache,
    {
        self.load_key(headers, body).await?;
        let verified = self.verify_at(headers, body, now)?;
        self.reserve(verified, cache).await
    }

    /// Reserves a verified request's replay key in `cache`.
    pub(crate) async fn reserve<'a, R: ReplayCache>(
        &self,
        verified: Verified<'a>,
        cache: R,
    ) -> Result<(Verified<'a>, Pending<R>), FreshError> {
        let pending = self.reserve_key(verified.replay_key(), cache).await?;
        Ok((verified, pending))
    }

    /// Reserves `key`, a verified request's replay key, in `cache`.
    pub(crate) async fn reserve_key<R: ReplayCache>(
        &self,
        key: ReplayKey,
        cache: R,
    ) -> Result<Pending<R>, FreshError> {
        let reserve = cache.reserve(&key, self.replay_lease());
        match observe::store_operation(cache.kind(), "reserve", reserved, reserve).await {
            Ok(Reserve::Reserved(reservation)) => Ok(Pending {
                cache,
                reservation: Some(reservation),
                ttl: self.replay_ttl(),
            }),
            Ok(Reserve::InProgress { retry_after }) => Err(FreshError::InProgress { retry_after }),
            Ok(Reserve::Replayed) => Err(FreshError::Replayed),
            Err(e) => Err(FreshError::Store(e)),
        }
    }
}

/// The outcome a reservation's answer is recorded as.
fn reserved(answer: &Reserve) -> &'static str {
    match answer {
        Reserve::Reserved(_) => "fresh",
        Reserve::InProgress { .. } => "in_progress",
        Reserve::Replayed => "replayed",
    }
}

/// The outcome a commit or release is recorded as.
fn ok(_: &()) -> &'static str {
    "ok"
}

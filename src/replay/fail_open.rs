//! [`FailOpen`]: the named opt-in to accept deliveries while a replay store is down; exported
//! as [`dangerous::FailOpen`](crate::dangerous::FailOpen).

use core::sync::atomic::{AtomicU64, Ordering};
use core::time::Duration;

use super::{ReplayCache, Reservation, Reserve, StoreError};
use crate::replay::ReplayKey;

/// Treats the wrapped cache's store being unavailable as "not seen" — an explicit choice to
/// accept possible replays rather than refuse deliveries while the store is down.
///
/// Only [`StoreError::Unavailable`] is overridden, and each reservation granted that way is
/// counted ([`FailOpen::opened`]): watch the count. A commit or release the store cannot take is
/// dropped. A full cache still refuses (its keys are all unexpired, so accepting would be a
/// replay hole by construction), and so does a bad TTL.
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

    /// How many reservations were granted because the store was unavailable.
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
    async fn reserve(&self, key: &ReplayKey, lease: Duration) -> Result<Reserve, StoreError> {
        match self.inner.reserve(key, lease).await {
            Err(error @ StoreError::Unavailable(_)) => {
                let reservation = Reservation::generate(*key)?;
                self.opened.fetch_add(1, Ordering::Relaxed);
                crate::observe::failed_open(self.inner.kind(), &error);
                Ok(Reserve::Reserved(reservation))
            }
            other => other,
        }
    }

    async fn commit(&self, reservation: &Reservation, ttl: Duration) -> Result<(), StoreError> {
        match self.inner.commit(reservation, ttl).await {
            Err(StoreError::Unavailable(_)) => Ok(()),
            other => other,
        }
    }

    async fn release(&self, reservation: &Reservation) -> Result<(), StoreError> {
        match self.inner.release(reservation).await {
            Err(StoreError::Unavailable(_)) => Ok(()),
            other => other,
        }
    }

    fn release_detached(&self, reservation: Reservation) {
        self.inner.release_detached(reservation);
    }

    fn kind(&self) -> &'static str {
        self.inner.kind()
    }
}

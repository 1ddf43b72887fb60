//! [`StoreError`]: a replay cache or an idempotency store could not do what was asked.

use alloc::boxed::Box;
use core::time::Duration;

/// A replay cache or an idempotency store could not do what was asked. Both kinds of store
/// answer with it, so a receiver maps their failures alike.
///
/// | variant | status | meaning |
/// |---|---|---|
/// | [`CapacityExceeded`](Self::CapacityExceeded), [`Unavailable`](Self::Unavailable), [`LeaseLost`](Self::LeaseLost), [`RandomUnavailable`](Self::RandomUnavailable) | 503, `Retry-After` | try again later |
/// | [`InvalidTtl`](Self::InvalidTtl), [`ResultTooLarge`](Self::ResultTooLarge), [`EvictingStore`](Self::EvictingStore) | 500 | the receiver's configuration |
///
/// Messages never contain key material.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The lease (an idempotency lease, a replay reservation) has ended, or another request
    /// holds the key: nothing was changed.
    #[error("lease lost")]
    LeaseLost,
    /// The store holds as many unexpired keys as it may, and refuses new ones rather than
    /// forget one.
    #[error("store is full ({capacity} keys)")]
    CapacityExceeded {
        /// The store's capacity, in keys.
        capacity: usize,
    },
    /// A result is larger than the store keeps.
    #[error("result larger than the store's maximum of {max} bytes")]
    ResultTooLarge {
        /// The largest result the store keeps, in bytes.
        max: usize,
    },
    /// A TTL, lease or retention is zero or longer than the store keeps keys: the receiver's
    /// configuration (size a memory replay cache with
    /// [`MemoryReplayCache::for_verifier`](crate::replay::MemoryReplayCache::for_verifier)).
    /// Refused before the store is asked anything.
    #[error("TTL out of range (1 ms to {max:?})")]
    InvalidTtl {
        /// The longest TTL the store accepts.
        max: Duration,
    },
    /// The system random number generator failed, so no owner token could be made.
    #[error("random number generator unavailable")]
    RandomUnavailable,
    /// The store may drop unexpired keys under memory pressure (a Redis `maxmemory-policy`
    /// other than `noeviction`), which would let replays through and run completed work again:
    /// refused when connecting.
    #[error("store may evict keys (maxmemory-policy {policy})")]
    EvictingStore {
        /// The store's eviction policy.
        policy: Box<str>,
    },
    /// The store could not be reached or did not answer in time. The source error says why; it
    /// never contains key material.
    #[error("store unavailable")]
    Unavailable(#[source] Box<dyn core::error::Error + Send + Sync>),
}

impl StoreError {
    /// 500 for what the receiver's configuration must fix (a result too large, a TTL out of
    /// range, an evicting store); 503 for everything else, with [`StoreError::retry_after`].
    #[must_use]
    pub fn status_code(&self) -> u16 {
        match self {
            Self::ResultTooLarge { .. } | Self::InvalidTtl { .. } | Self::EvictingStore { .. } => {
                500
            }
            Self::LeaseLost
            | Self::CapacityExceeded { .. }
            | Self::RandomUnavailable
            | Self::Unavailable(_) => 503,
        }
    }

    /// How long a sender should wait before retrying: set for the 503 answers.
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        (self.status_code() == 503).then_some(STORE_RETRY_AFTER)
    }

    /// A stable machine-readable name for the failure, for logs and metrics.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::LeaseLost => "lease_lost",
            Self::CapacityExceeded { .. } => "store_full",
            Self::ResultTooLarge { .. } => "result_too_large",
            Self::InvalidTtl { .. } => "invalid_ttl",
            Self::RandomUnavailable => "random_unavailable",
            Self::EvictingStore { .. } => "evicting_store",
            Self::Unavailable(_) => "store_unavailable",
        }
    }
}

/// The `Retry-After` given with a 503.
const STORE_RETRY_AFTER: Duration = Duration::from_secs(5);

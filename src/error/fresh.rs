//! [`FreshError`]: [`Verifier::verify_fresh`](crate::Verifier::verify_fresh) refused a request.

use core::time::Duration;

use super::{HandshakeError, StoreError, VerifyError};

/// [`Verifier::verify_fresh`](crate::Verifier::verify_fresh) refused a request.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FreshError {
    /// The request did not verify.
    #[error(transparent)]
    Rejected(#[from] VerifyError),
    /// The request verified, and another copy of it is being handled right now: answer 409
    /// with `Retry-After`, so the sender tries again once that copy has succeeded or failed.
    #[error("request in progress")]
    InProgress {
        /// When the other copy's lease ends at the latest.
        retry_after: Duration,
    },
    /// The request verified, and was handled before.
    #[error("request replayed")]
    Replayed,
    /// The replay cache could not answer, so the request was refused (fail closed).
    #[error("replay check failed: {0}")]
    Store(#[source] StoreError),
    /// The request was the scheme's handshake, and could not be answered (a missing or invalid
    /// challenge, a verify token not the receiver's). Only the tower layer, which answers
    /// handshakes, refuses with it; [`Verifier::verify_fresh`](crate::Verifier::verify_fresh)
    /// never does.
    #[error(transparent)]
    Handshake(#[from] HandshakeError),
}

impl FreshError {
    /// The HTTP status code a receiver should answer with: the [`VerifyError`]'s for a rejected
    /// request, 409 for a copy in progress and for a replay, and the [`StoreError`]'s for a
    /// store failure (503, or 500 for a TTL the cache cannot keep: the receiver's
    /// configuration), and the [`HandshakeError`]'s for a handshake that could not be answered.
    ///
    /// A receiver that treats a duplicate as success may answer a replay with 200 instead; a
    /// copy in progress must still be answered 409, since it may yet fail.
    #[must_use]
    pub fn status_code(&self) -> u16 {
        match self {
            Self::Rejected(e) => e.status_code(),
            Self::InProgress { .. } | Self::Replayed => 409,
            Self::Store(e) => e.status_code(),
            Self::Handshake(e) => e.status_code(),
        }
    }

    /// How long a sender should wait before retrying, for the `Retry-After` header: the other
    /// copy's lease for [`FreshError::InProgress`], the wrapped error's for a 503 (a store's, or
    /// a [`VerifyError`]'s when the provider's keys are unavailable), `None` otherwise.
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::InProgress { retry_after } => Some(*retry_after),
            Self::Store(e) => e.retry_after(),
            Self::Rejected(e) => e.retry_after(),
            Self::Replayed | Self::Handshake(_) => None,
        }
    }

    /// A stable machine-readable name for the failure, for logs and metrics: the wrapped
    /// [`VerifyError`]'s, [`StoreError`]'s or [`HandshakeError`]'s own, `in_progress` or
    /// `replayed`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Rejected(e) => e.code(),
            Self::InProgress { .. } => "in_progress",
            Self::Replayed => "replayed",
            Self::Store(e) => e.code(),
            Self::Handshake(e) => e.code(),
        }
    }
}

//! [`IdempotencyLayerError`]: why the idempotency layer answered a request itself.

use alloc::sync::Arc;
use core::time::Duration;

use super::{StoreError, VerifyError};
use crate::extract::MissingLayer;

/// Why [`IdempotencyLayer`](crate::middleware::IdempotencyLayer) answered a request itself
/// instead of the handler (feature `tower`). The layer's answer carries only the status's fixed
/// text; this error is in the answer's response extensions, for a logging or metrics layer.
///
/// | variant | status |
/// |---|---|
/// | [`Key`](Self::Key): no key, or a malformed one | 400 (500 for the receiver's own choices) |
/// | [`UnsignedKey`](Self::UnsignedKey), [`MissingLayer`](Self::MissingLayer), [`UnreadableRecord`](Self::UnreadableRecord) | 500 |
/// | [`BodyTooLarge`](Self::BodyTooLarge) | 413 |
/// | [`BodyUnreadable`](Self::BodyUnreadable) | 400 |
/// | [`InProgress`](Self::InProgress) | 409, `Retry-After` |
/// | [`Mismatch`](Self::Mismatch) | 422 |
/// | [`Store`](Self::Store) | 503 with `Retry-After` (500 for the receiver's configuration) |
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum IdempotencyLayerError {
    /// The request has no key where the layer looks for one, or a malformed one: a missing or
    /// repeated `Idempotency-Key` header ([`VerifyError::MissingHeader`],
    /// [`VerifyError::DuplicateHeader`]), an invalid key
    /// ([`VerifyError::InvalidIdempotencyKey`]), a delivery without an id, a body without the
    /// member named ([`VerifyError::MissingField`]) or not a JSON object
    /// ([`VerifyError::MalformedBody`]).
    #[error("no usable idempotency key: {0}")]
    Key(VerifyError),
    /// The key chosen is not covered by the delivery's signature: a delivery id the scheme does
    /// not sign, or a member of a body it does not sign whole. Anyone replaying a captured
    /// request could change it and run the handler again, so it keys nothing. The receiver's
    /// choice of key, so 500: key on a signed id, or add a fallback
    /// ([`KeyFrom::or`](crate::middleware::KeyFrom::or)).
    #[error("the idempotency key chosen is not covered by the signature")]
    UnsignedKey,
    /// The key is read from the verified delivery, and no
    /// [`VerifyLayer`](crate::middleware::VerifyLayer) runs before this layer.
    #[error(transparent)]
    MissingLayer(#[from] MissingLayer),
    /// The request body is larger than the layer's limit.
    #[error("request body too large")]
    BodyTooLarge,
    /// The request body could not be read.
    #[error("request body unreadable")]
    BodyUnreadable,
    /// A request with this key is being handled: answer 409, and let the sender retry after
    /// `retry_after` (when the running request's lease ends at the latest).
    #[error("a request with this idempotency key is in progress")]
    InProgress {
        /// When the running request's lease ends at the latest.
        retry_after: Duration,
    },
    /// The key was used for a different payload: 422.
    #[error("idempotency key reused for a different payload")]
    Mismatch,
    /// The store could not say whether the key is free, so the handler did not run (fail
    /// closed).
    #[error("idempotency store failed")]
    Store(#[source] Arc<StoreError>),
    /// The key's stored response is not a record this version of the layer reads (another
    /// version wrote it, or it was damaged). Nothing of it is answered; the handler does not run
    /// again while the record lasts. 500.
    #[error("stored response unreadable")]
    UnreadableRecord,
}

impl IdempotencyLayerError {
    /// The HTTP status code to answer with (see the table on the type).
    #[must_use]
    pub fn status_code(&self) -> u16 {
        match self {
            Self::Key(e) => e.status_code(),
            Self::UnsignedKey | Self::UnreadableRecord => 500,
            Self::MissingLayer(e) => e.status_code(),
            Self::BodyTooLarge => 413,
            Self::BodyUnreadable => 400,
            Self::InProgress { .. } => 409,
            Self::Mismatch => 422,
            Self::Store(e) => e.status_code(),
        }
    }

    /// The `Retry-After` to send: the lease's remainder while in progress, a few seconds when
    /// the store is unavailable, `None` otherwise.
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::InProgress { retry_after } => Some(*retry_after),
            Self::Store(e) => e.retry_after(),
            Self::Key(e) => e.retry_after(),
            _ => None,
        }
    }

    /// A stable machine-readable name for the failure, for logs and metrics: the
    /// [`VerifyError`]'s or [`StoreError`]'s own, `unsigned_key`, `missing_layer`,
    /// `body_too_large`, `body_unreadable`, `in_progress`, `idempotency_mismatch` or
    /// `unreadable_record`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Key(e) => e.code(),
            Self::UnsignedKey => "unsigned_key",
            Self::MissingLayer(e) => e.code(),
            Self::BodyTooLarge => "body_too_large",
            Self::BodyUnreadable => "body_unreadable",
            Self::InProgress { .. } => "in_progress",
            Self::Mismatch => "idempotency_mismatch",
            Self::Store(e) => e.code(),
            Self::UnreadableRecord => "unreadable_record",
        }
    }
}

//! [`IdempotencyError`]: [`Idempotency::run`](crate::idempotency::Idempotency::run) did not
//! produce an output to answer with.

use alloc::vec::Vec;
use core::time::Duration;

use super::StoreError;

/// [`Idempotency::run`](crate::idempotency::Idempotency::run) did not produce an output to
/// answer with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IdempotencyError<E> {
    /// Another request with this key is running: answer 409 with `Retry-After`.
    #[error("a request with this idempotency key is in progress")]
    InProgress {
        /// When the running request's lease ends at the latest.
        retry_after: Duration,
    },
    /// The key was used for a different payload: answer 422.
    #[error("idempotency key reused for a different payload")]
    Mismatch,
    /// The work failed. The key was released, so a retry runs the work again, unless the
    /// failure policy stored it.
    #[error("the work failed")]
    Failed(#[source] E),
    /// The work succeeded but its output could not be recorded (the store failed, or the lease
    /// ran out first), so a later retry may run it again. Answer with `output` as for a fresh
    /// success: asking the sender to retry would make a second run likelier, not less.
    #[error("the work succeeded but its result was not recorded")]
    Unrecorded {
        /// The work's output.
        output: Vec<u8>,
        /// Why it was not recorded.
        #[source]
        source: StoreError,
    },
    /// The store could not say whether the key is free, so the work did not run (fail closed).
    #[error("idempotency store failed")]
    Store(#[source] StoreError),
}

impl<E> IdempotencyError<E> {
    /// The HTTP status code to answer with: 409 in progress, 422 mismatch, 500 for failed work
    /// (or the application's own mapping of its error), 200 for unrecorded output (answer with
    /// it), and the [`StoreError`]'s (503, or 500 for the receiver's configuration).
    #[must_use]
    pub fn status_code(&self) -> u16 {
        match self {
            Self::InProgress { .. } => 409,
            Self::Mismatch => 422,
            Self::Failed(_) => 500,
            Self::Unrecorded { .. } => 200,
            Self::Store(e) => e.status_code(),
        }
    }

    /// The `Retry-After` to send: the lease's remainder while in progress, a few seconds when the
    /// store is unavailable, `None` otherwise.
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::InProgress { retry_after } => Some(*retry_after),
            Self::Store(e) => e.retry_after(),
            _ => None,
        }
    }

    /// A stable machine-readable name for the failure, for logs and metrics: `in_progress`,
    /// `idempotency_mismatch`, `work_failed`, `result_unrecorded`, or the wrapped
    /// [`StoreError`]'s own.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::InProgress { .. } => "in_progress",
            Self::Mismatch => "idempotency_mismatch",
            Self::Failed(_) => "work_failed",
            Self::Unrecorded { .. } => "result_unrecorded",
            Self::Store(e) => e.code(),
        }
    }
}

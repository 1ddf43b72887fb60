//! [`SignError`]: a delivery could not be signed.

/// A delivery could not be signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// No key in the keyring is valid at the signing time.
    #[error("no key in the keyring is valid at the signing time")]
    NoActiveKey,
    /// The delivery id is empty, longer than 255 bytes, or has a byte outside visible ASCII.
    #[error("invalid delivery id")]
    InvalidId,
    /// The clock could not tell the time (a system clock set before 1970).
    #[error("clock unavailable")]
    ClockUnavailable,
    /// A header name or value cannot be sent over HTTP.
    #[error("header cannot be sent over HTTP")]
    InvalidHeader,
    /// The scheme signs the delivery id, and none was given.
    #[error("the scheme signs a delivery id, and none was given")]
    MissingId,
    /// The scheme signs the delivery id, and the id holds the text next to it in the signed
    /// content (such as `.` in Standard Webhooks), which would let one signature cover two
    /// different readings of the content. Text elsewhere in the content does not constrain the
    /// id.
    #[error("delivery id contains a separator of the signed content")]
    AmbiguousId,
    /// No random delivery id could be drawn: the system random number generator failed.
    #[error("the system random number generator is unavailable")]
    RandomUnavailable,
}

impl SignError {
    /// A stable machine-readable name for the failure, for logs and metrics.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoActiveKey => "no_active_key",
            Self::InvalidId => "invalid_id",
            Self::ClockUnavailable => "clock_unavailable",
            Self::InvalidHeader => "invalid_header",
            Self::MissingId => "missing_id",
            Self::AmbiguousId => "ambiguous_id",
            Self::RandomUnavailable => "random_unavailable",
        }
    }
}

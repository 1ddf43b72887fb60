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
    /// The scheme signs the request line (method, path or URL): sign with
    /// [`Signer::sign_request_at`](crate::Signer::sign_request_at).
    #[error("the scheme signs the request line; sign with the method and URL")]
    MissingRequest,
    /// The URL to sign is not an absolute `http(s)` URL without credentials or a fragment.
    #[error("invalid URL")]
    InvalidUrl,
    /// The scheme's timestamp format cannot write the signing time (RFC 3339 past year 9999).
    #[error("the signing time cannot be written in the scheme's timestamp format")]
    UnrepresentableTimestamp,
    /// The scheme carries its signature in the body (Mailgun): the crate verifies such
    /// deliveries but does not write them.
    #[error("the scheme carries its signature in the body; the crate does not sign it")]
    SignatureInBody,
    /// The scheme signs the body's form, and the body is not one (a bad `%` escape, more than
    /// 1024 parameters); or (the test kit, feature `test-util`) the scheme reads members of the
    /// body, and the body is not one JSON object or already holds a member the kit writes.
    #[error("the body is not a form")]
    InvalidBody,
    /// The test kit (feature `test-util`) was not given a value its scheme signs or sends and
    /// has no default for: an endpoint id (PayPal), a certificate URL (AWS SNS, PayPal) or a
    /// service account (Google Pub/Sub).
    #[error("a value the scheme signs or sends was not given")]
    Incomplete,
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
            Self::MissingRequest => "missing_request",
            Self::InvalidUrl => "invalid_url",
            Self::UnrepresentableTimestamp => "unrepresentable_timestamp",
            Self::SignatureInBody => "signature_in_body",
            Self::InvalidBody => "invalid_body",
            Self::Incomplete => "incomplete",
        }
    }
}

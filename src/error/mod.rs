//! The crate's errors: one type per kind of failure, each with the same three questions answered.
//!
//! | type | from | |
//! |---|---|---|
//! | [`ConfigError`] | building keys, keyrings, schemes, verifiers, retry and endpoint policies | the receiver's or sender's own setting |
//! | [`SecretError`] | reading secret or key text | the text given |
//! | [`SignError`] | signing a delivery | |
//! | [`VerifyError`] | verifying a request, reading its idempotency key | the sender's request (or the receiver's keys) |
//! | [`FreshError`] | [`Verifier::verify_fresh`](crate::Verifier::verify_fresh) | a `VerifyError`, a duplicate, or the store |
//! | [`HandshakeError`] | answering a provider's handshake | the sender's challenge, or the receiver's verify token |
//! | [`StoreError`] | a replay cache or an idempotency store | the store |
//! | [`IdempotencyError`] | [`Idempotency::run`](crate::idempotency::Idempotency::run) | a duplicate, a mismatch, the work, or the store |
//! | `IdempotencyLayerError` | the idempotency layer (feature `tower`) | the request's key, a duplicate, a mismatch, or the store |
//!
//! Every error answers:
//!
//! - `status_code()`: the HTTP status a receiver answers with (and `status()`, the same as an
//!   `http::StatusCode`, with the `http` feature), so every adapter answers alike;
//! - `retry_after()`: the `Retry-After` to send with it, where the sender should come back;
//! - `code()`: a short machine-readable name (`"signature_mismatch"`, `"store_unavailable"`),
//!   for logs and metrics. **Codes are stable**: a code is never renamed or reused for another
//!   failure; new failures get new codes.
//!
//! No message ever contains key material, an expected tag or a presented tag: messages name the
//! problem and, where useful, a header by its role. They are stable and short.

mod config;
mod fresh;
mod handshake;
mod idempotency;
#[cfg(feature = "tower")]
mod idempotency_layer;
mod secret;
mod sign;
mod store;
mod verify;

use core::fmt;

pub use config::ConfigError;
pub use fresh::FreshError;
pub use handshake::HandshakeError;
pub use idempotency::IdempotencyError;
#[cfg(feature = "tower")]
pub use idempotency_layer::IdempotencyLayerError;
pub use secret::SecretError;
pub use sign::SignError;
pub use store::StoreError;
pub use verify::VerifyError;

#[cfg(all(feature = "http", feature = "serde"))]
use crate::extract::EventRejection;
#[cfg(feature = "http")]
use crate::extract::MissingLayer;

/// `status_code()` and `retry_after()` for the errors of a setting the caller chose (a key, a
/// secret, a policy): 500, since a well-behaved sender retries a 5xx and nothing is lost while the
/// setting is fixed; and no `Retry-After`, since waiting changes no setting.
macro_rules! setting_error {
    ($($ty:ident),*) => {$(
        impl $ty {
            /// 500: the caller's own setting, not the sender's request.
            #[must_use]
            pub fn status_code(&self) -> u16 {
                500
            }

            /// `None`: retrying does not change a setting.
            #[must_use]
            pub fn retry_after(&self) -> Option<core::time::Duration> {
                None
            }
        }
    )*};
}

setting_error!(ConfigError, SecretError, SignError);

/// `status()` for error types: `status_code()` as an `http::StatusCode`.
macro_rules! http_status {
    ($($ty:ident $(<$g:ident>)?),*) => {$(
        #[cfg(feature = "http")]
        impl$(<$g>)? $ty$(<$g>)? {
            /// [`status_code`](Self::status_code) as an `http::StatusCode` (feature `http`).
            #[must_use]
            pub fn status(&self) -> http::StatusCode {
                http::StatusCode::from_u16(self.status_code())
                    .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR)
            }
        }
    )*};
}

http_status!(
    ConfigError,
    SecretError,
    SignError,
    VerifyError,
    FreshError,
    HandshakeError,
    StoreError,
    IdempotencyError<E>
);

http_status!(MissingLayer);
#[cfg(feature = "tower")]
http_status!(IdempotencyLayerError);
#[cfg(feature = "serde")]
http_status!(EventRejection);

/// Which header of a scheme an error is about, named by its role rather than its wire name.
///
/// Naming the role keeps errors free of allocations and identical across schemes; the wire name
/// for a role comes from the [`Scheme`](crate::Scheme).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HeaderKind {
    /// The header that carries the signature(s), e.g. `webhook-signature`.
    Signature,
    /// The header that carries the delivery id, e.g. `webhook-id`.
    Id,
    /// The header that carries the timestamp, in schemes that send it on its own (e.g.
    /// `webhook-timestamp`, `X-Slack-Request-Timestamp`).
    Timestamp,
    /// The `Idempotency-Key` header (or the one a [`KeyParser`](crate::idempotency::KeyParser)
    /// reads).
    IdempotencyKey,
    /// A header the signature header lists as signed (Hook0's `h=`).
    Listed,
    /// The header or member that names the request's signature algorithm (PayPal's
    /// `PAYPAL-AUTH-ALGO`, AWS SNS's `SignatureVersion`).
    Algorithm,
    /// The header or member that names the URL of the signer's certificate (PayPal's
    /// `PAYPAL-CERT-URL`, AWS SNS's `SigningCertURL`).
    CertificateUrl,
}

impl fmt::Display for HeaderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Signature => "signature",
            Self::Id => "id",
            Self::Timestamp => "timestamp",
            Self::IdempotencyKey => "idempotency key",
            Self::Listed => "listed",
            Self::Algorithm => "algorithm",
            Self::CertificateUrl => "certificate URL",
        })
    }
}

/// Why a timestamp is not a canonical unix time in seconds.
///
/// A canonical timestamp is one or more ASCII digits with no sign, no leading zero (except `0`
/// itself), no fraction, no exponent and no surrounding text, and it fits in a `u64`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimestampReason {
    /// The value is empty.
    Empty,
    /// The value holds a byte that is not an ASCII digit (a sign, a dot, a letter, a space, …).
    NotDigits,
    /// The value has a leading zero, e.g. `0123`.
    LeadingZero,
    /// The value does not fit in a `u64`.
    TooLarge,
    /// The value is not an RFC 3339 date-time as the scheme writes it (see
    /// [`TimestampFormat::Rfc3339`](crate::TimestampFormat::Rfc3339)), or names a time that does
    /// not exist or precedes 1970.
    NotRfc3339,
}

impl fmt::Display for TimestampReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Empty => "empty",
            Self::NotDigits => "not all ASCII digits",
            Self::LeadingZero => "leading zero",
            Self::TooLarge => "too large",
            Self::NotRfc3339 => "not an RFC 3339 date-time",
        })
    }
}

/// Why an idempotency key is not one: 1 to 255 visible ASCII characters, read from the
/// `Idempotency-Key` header as a structured-field string (or, leniently, a bare token).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IdempotencyKeyReason {
    /// The key is empty.
    Empty,
    /// The key is longer than the maximum.
    TooLong {
        /// The longest key accepted, in characters.
        max: usize,
    },
    /// The key holds a character outside visible ASCII (or, in a bare key, one of `"`, `\`, `,`
    /// and `;`).
    InvalidCharacter,
    /// Strict parsing: the key is not a quoted string.
    NotAString,
    /// A quoted key has no closing quote.
    Unterminated,
    /// A quoted key has a backslash not followed by `"` or `\`.
    InvalidEscape,
    /// Something other than well-formed structured-field parameters follows a quoted key.
    InvalidParameters,
}

impl fmt::Display for IdempotencyKeyReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("empty"),
            Self::TooLong { max } => write!(f, "longer than {max} characters"),
            Self::InvalidCharacter => f.write_str("invalid character"),
            Self::NotAString => f.write_str("not a quoted string"),
            Self::Unterminated => f.write_str("string not terminated"),
            Self::InvalidEscape => f.write_str("invalid escape"),
            Self::InvalidParameters => f.write_str("invalid parameters"),
        }
    }
}

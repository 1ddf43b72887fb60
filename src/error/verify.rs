//! [`VerifyError`]: a request was refused by the verifier (or its idempotency key was).

use super::{HeaderKind, IdempotencyKeyReason, TimestampReason};

/// A request was rejected by [`Verifier`](crate::Verifier).
///
/// Each variant is one distinct failure. [`VerifyError::status_code`] maps it to the HTTP status
/// a receiver should answer with, so every adapter answers alike.
///
/// [`VerifyError::NoMatchingSignature`] is deliberately opaque: it says nothing about which
/// signature, which byte or which key came closest.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// A required header is absent.
    #[error("missing {0} header")]
    MissingHeader(HeaderKind),
    /// A header that must appear once was sent several times.
    #[error("{0} header sent more than once")]
    DuplicateHeader(HeaderKind),
    /// A header is longer than the scheme allows.
    #[error("{0} header too long")]
    HeaderTooLong(HeaderKind),
    /// A header does not follow the scheme's syntax (an empty entry, an entry without `=`,
    /// whitespace, a byte outside visible ASCII, …).
    #[error("malformed {0} header")]
    MalformedHeader(HeaderKind),
    /// The signature header has no timestamp entry (in schemes that carry the timestamp there;
    /// a missing timestamp *header* is [`VerifyError::MissingHeader`]).
    #[error("missing timestamp")]
    MissingTimestamp,
    /// The signature header has more than one timestamp entry.
    #[error("duplicate timestamp")]
    DuplicateTimestamp,
    /// The timestamp is not a canonical unix time in seconds.
    #[error("invalid timestamp: {0}")]
    InvalidTimestamp(TimestampReason),
    /// The signature header carries no signature of a version this scheme accepts.
    #[error("no signature of a supported version")]
    MissingSignature,
    /// The signature header carries more signatures than allowed.
    #[error("too many signatures (at most {max})")]
    TooManySignatures {
        /// The maximum number of signatures.
        max: usize,
    },
    /// A signature is not well-formed for the scheme (wrong length, bad encoding, uppercase hex).
    #[error("malformed signature")]
    MalformedSignature,
    /// The delivery id is empty, too long, or has a byte outside visible ASCII.
    #[error("invalid delivery id")]
    InvalidId,
    /// The scheme signs the delivery id, and the id holds the text next to it in the signed
    /// content (such as `.` in Standard Webhooks), so the signed bytes have more than one reading.
    /// The signer refuses to sign such an id ([`SignError::AmbiguousId`](super::SignError::AmbiguousId)), and so does the
    /// verifier.
    #[error("delivery id contains a separator of the signed content")]
    AmbiguousId,
    /// The timestamp is older than the verifier's `max_age`.
    #[error("timestamp too old")]
    TimestampTooOld,
    /// The timestamp is further in the future than the verifier's `max_future_skew`.
    #[error("timestamp in the future")]
    TimestampInFuture,
    /// No presented signature matches the request under any currently valid key.
    #[error("no matching signature")]
    NoMatchingSignature,
    /// No key in the verifier's keyring is valid now, so nothing can be verified. This is a
    /// configuration problem on the receiving side.
    #[error("no key in the keyring is valid now")]
    NoActiveKey,
    /// The clock could not tell the time (a system clock set before 1970).
    #[error("clock unavailable")]
    ClockUnavailable,
    /// An idempotency key is not one (see [`IdempotencyKeyReason`]). A missing, repeated or
    /// oversized (over 1024 bytes) `Idempotency-Key` header is
    /// [`VerifyError::MissingHeader`], [`VerifyError::DuplicateHeader`] or
    /// [`VerifyError::HeaderTooLong`] of [`HeaderKind::IdempotencyKey`].
    #[error("invalid idempotency key: {0}")]
    InvalidIdempotencyKey(IdempotencyKeyReason),
    /// The delivery's id is not covered by its signature, so it cannot key dedupe: whoever
    /// replays a captured request can change it. Key on an id read from the verified body, or
    /// on the request's replay key. The receiver's own choice, so 500.
    #[error(
        "delivery id not covered by the signature; key on an id from the verified body, or on \
         the replay key"
    )]
    UnsignedId,
    /// A value the scheme reads from the body (Linear's timestamp, Mailgun's signature) is
    /// absent.
    #[error("missing {0} in the body")]
    MissingField(HeaderKind),
    /// The body is not what the scheme reads values from: not one JSON object (or one nesting
    /// deeper than 64, or naming a member on the path twice) for schemes that read members of
    /// it, not a form (a bad `%` escape, more than 1024 parameters) for schemes that sign the
    /// form.
    #[error("malformed body")]
    MalformedBody,
    /// The scheme signs the request line (method, path or URL), and the request was given as
    /// headers alone. Pass `http::request::Parts`, `http::Request` or a
    /// [`RequestView`](crate::RequestView). The receiver's own wiring, so 500.
    #[error("the scheme signs the request line; verify the request with its method and target")]
    MissingRequestLine,
    /// The scheme signs the URL the sender posted to, and the verifier has no public URL
    /// ([`Verifier::with_public_url`](crate::Verifier::with_public_url)): behind a proxy the URL
    /// the server sees is not the one signed, so the crate does not guess it. The receiver's own
    /// setting, so 500.
    #[error("the scheme signs the URL, and the verifier has no public URL")]
    MissingPublicUrl,
    /// The request names a signature algorithm the scheme does not accept (an AWS SNS
    /// `SignatureVersion` other than `1` and `2`).
    #[error("unknown signature algorithm")]
    UnknownAlgorithm,
    /// The scheme signs the id the provider gave the receiving endpoint (PayPal's webhook id),
    /// and the verifier has none
    /// ([`Verifier::with_endpoint_id`](crate::Verifier::with_endpoint_id)). The receiver's own
    /// setting, so 500.
    #[error("the scheme signs the endpoint id, and the verifier has none")]
    MissingEndpointId,
    /// The certificate the request names is not in the verifier's
    /// [`KeyCache`](crate::KeyCache): load it first with
    /// [`Verifier::load_key`](crate::Verifier::load_key) (which [`Verifier::verify_fresh`](crate::Verifier::verify_fresh)
    /// and the tower layer do), or it was evicted in between. 503: a retry loads it.
    #[error("the request's certificate is not loaded; call Verifier::load_key first")]
    KeyNotLoaded,
    /// The certificate the request names is outside its validity dates by the verifier's
    /// clock: expired, or not yet valid.
    #[error("the request's certificate is not valid now")]
    CertificateNotValid,
    /// The URL the request names for the sender's keys (AWS SNS's `SigningCertURL`, PayPal's
    /// `PAYPAL-CERT-URL`) is not on the allow list of the provider, so it is not fetched: not
    /// `https`, another host, a port, userinfo, a query or fragment, a path outside the
    /// provider's, or a byte outside the strict set the lists accept (see
    /// [`AllowList`](crate::AllowList)).
    #[error("key URL not allowed")]
    KeyUrlRefused,
    /// The provider's keys could not be had: the receiver's fetcher failed or timed out, the
    /// document was longer than `KeyCache::MAX_DOCUMENT_LEN`, a fetch of the same URL failed
    /// less than `KeyCache::FAILURE_TTL` (10 s) ago, or as many different URLs are being
    /// fetched as the cache allows at once (feature `x509`). Answered 503 with `Retry-After`
    /// ([`VerifyError::retry_after`]): the sender should come back once the fetch can succeed.
    #[error("provider keys unavailable")]
    KeyUnavailable,
    /// The document fetched from the provider's key URL is not the provider's keys: not a
    /// certificate or key set of the kind the scheme reads (feature `x509`). Answered 502, as a
    /// gateway does when the server behind it answers wrongly; refused again for
    /// `KeyCache::FAILURE_TTL` (10 s) without fetching.
    #[error("fetched key document is invalid")]
    InvalidFetchedKey,
    /// A claim of the request's bearer token is absent or not what the receiver requires: its
    /// issuer, its audience (the receiver's URL), its service account's `email`, or
    /// `email_verified`. The token was issued to someone else, or for another endpoint.
    #[error("token claim `{claim}` refused")]
    ClaimRefused {
        /// The claim's name.
        claim: &'static str,
    },
    /// The scheme's tokens must name the receiver's service account, and the verifier has none
    /// ([`Verifier::with_service_account`](crate::Verifier::with_service_account)): any
    /// account could otherwise mint a token for this endpoint. The receiver's own setting, so
    /// 500.
    #[error("the scheme's tokens name a service account, and the verifier has none")]
    MissingServiceAccount,
}

impl VerifyError {
    /// The HTTP status code a receiver should answer with.
    ///
    /// | error | status |
    /// |---|---|
    /// | missing, duplicate, oversized or malformed header; bad timestamp, id or signature syntax | 400 |
    /// | timestamp too old or in the future | 400 |
    /// | no matching signature; the request's certificate not valid now | 401 |
    /// | no active key, clock unavailable (the receiver's own fault) | 500 |
    /// | key URL not on the provider's allow list | 400 |
    /// | fetched key document invalid | 502 |
    /// | provider keys unavailable, or not loaded (with `Retry-After`) | 503 |
    ///
    /// A 5xx answer makes well-behaved senders retry, so a delivery rejected because of the
    /// receiver's own misconfiguration is not lost.
    #[must_use]
    pub fn status_code(&self) -> u16 {
        match self {
            Self::NoMatchingSignature | Self::CertificateNotValid | Self::ClaimRefused { .. } => {
                401
            }
            Self::InvalidFetchedKey => 502,
            Self::KeyUnavailable | Self::KeyNotLoaded => 503,
            Self::NoActiveKey
            | Self::ClockUnavailable
            | Self::UnsignedId
            | Self::MissingRequestLine
            | Self::MissingPublicUrl
            | Self::MissingEndpointId
            | Self::MissingServiceAccount => 500,
            Self::MissingHeader(_)
            | Self::DuplicateHeader(_)
            | Self::HeaderTooLong(_)
            | Self::MalformedHeader(_)
            | Self::MissingTimestamp
            | Self::DuplicateTimestamp
            | Self::InvalidTimestamp(_)
            | Self::MissingSignature
            | Self::TooManySignatures { .. }
            | Self::MalformedSignature
            | Self::InvalidId
            | Self::AmbiguousId
            | Self::TimestampTooOld
            | Self::TimestampInFuture
            | Self::InvalidIdempotencyKey(_)
            | Self::MissingField(_)
            | Self::MalformedBody
            | Self::UnknownAlgorithm
            | Self::KeyUrlRefused => 400,
        }
    }
}

impl VerifyError {
    /// How long a sender should wait before retrying, for the `Retry-After` header: set for
    /// the 503 answers, [`VerifyError::KeyUnavailable`] (the time a failed fetch is remembered
    /// for) and [`VerifyError::KeyNotLoaded`] (1 s); `None` for the others, where the same
    /// request would get the same answer.
    #[must_use]
    pub fn retry_after(&self) -> Option<core::time::Duration> {
        match self {
            Self::KeyUnavailable => Some(KEY_RETRY_AFTER),
            Self::KeyNotLoaded => Some(core::time::Duration::from_secs(1)),
            _ => None,
        }
    }

    /// A stable machine-readable name for the failure, for logs and metrics.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingHeader(_) => "missing_header",
            Self::DuplicateHeader(_) => "duplicate_header",
            Self::HeaderTooLong(_) => "header_too_long",
            Self::MalformedHeader(_) => "malformed_header",
            Self::MissingTimestamp => "missing_timestamp",
            Self::DuplicateTimestamp => "duplicate_timestamp",
            Self::InvalidTimestamp(_) => "invalid_timestamp",
            Self::MissingSignature => "missing_signature",
            Self::TooManySignatures { .. } => "too_many_signatures",
            Self::MalformedSignature => "malformed_signature",
            Self::InvalidId => "invalid_id",
            Self::AmbiguousId => "ambiguous_id",
            Self::TimestampTooOld => "timestamp_too_old",
            Self::TimestampInFuture => "timestamp_in_future",
            Self::NoMatchingSignature => "signature_mismatch",
            Self::NoActiveKey => "no_active_key",
            Self::ClockUnavailable => "clock_unavailable",
            Self::InvalidIdempotencyKey(_) => "invalid_idempotency_key",
            Self::UnsignedId => "unsigned_id",
            Self::MissingField(_) => "missing_field",
            Self::MalformedBody => "malformed_body",
            Self::MissingRequestLine => "missing_request_line",
            Self::MissingPublicUrl => "missing_public_url",
            Self::UnknownAlgorithm => "unknown_algorithm",
            Self::MissingEndpointId => "missing_endpoint_id",
            Self::KeyNotLoaded => "key_not_loaded",
            Self::ClaimRefused { .. } => "claim_refused",
            Self::MissingServiceAccount => "missing_service_account",
            Self::CertificateNotValid => "certificate_not_valid",
            Self::KeyUrlRefused => "key_url_refused",
            Self::KeyUnavailable => "key_unavailable",
            Self::InvalidFetchedKey => "invalid_fetched_key",
        }
    }
}

/// The `Retry-After` given with [`VerifyError::KeyUnavailable`]: the time a failed fetch is
/// remembered for (`KeyCache::FAILURE_TTL`), so a sender that waits finds a fetch tried again.
pub(crate) const KEY_RETRY_AFTER: core::time::Duration = core::time::Duration::from_secs(10);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes_follow_the_design() {
        assert_eq!(VerifyError::NoMatchingSignature.status_code(), 401);
        assert_eq!(VerifyError::TimestampTooOld.status_code(), 400);
        assert_eq!(VerifyError::TimestampInFuture.status_code(), 400);
        assert_eq!(
            VerifyError::MissingHeader(HeaderKind::Signature).status_code(),
            400
        );
        assert_eq!(
            VerifyError::InvalidTimestamp(TimestampReason::LeadingZero).status_code(),
            400
        );
        assert_eq!(VerifyError::NoActiveKey.status_code(), 500);
        assert_eq!(VerifyError::AmbiguousId.status_code(), 400);
        assert_eq!(VerifyError::KeyUrlRefused.status_code(), 400);
        assert_eq!(VerifyError::InvalidFetchedKey.status_code(), 502);
        assert_eq!(VerifyError::KeyUnavailable.status_code(), 503);
    }

    #[test]
    fn only_the_unavailable_keys_ask_for_a_retry() {
        assert_eq!(
            VerifyError::KeyUnavailable.retry_after(),
            Some(core::time::Duration::from_secs(10))
        );
        assert_eq!(VerifyError::InvalidFetchedKey.retry_after(), None);
        assert_eq!(VerifyError::KeyUrlRefused.retry_after(), None);
    }

    #[test]
    fn messages_are_short_and_name_the_role() {
        assert_eq!(
            VerifyError::MissingHeader(HeaderKind::Signature).to_string(),
            "missing signature header"
        );
        assert_eq!(
            VerifyError::InvalidTimestamp(TimestampReason::LeadingZero).to_string(),
            "invalid timestamp: leading zero"
        );
    }
}

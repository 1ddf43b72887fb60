//! [`ConfigError`]: a setting the receiver or sender chose is invalid.

use super::SecretError;

/// A key, keyring or verifier setting is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A key id is empty, longer than 64 bytes, or has a character outside
    /// `A-Z a-z 0-9 . _ : -`.
    #[error("invalid key id")]
    InvalidKeyId,
    /// Two keys in one keyring share an id.
    #[error("duplicate key id in keyring")]
    DuplicateKeyId,
    /// A keyring was to be built from no keys; it needs at least one (the primary).
    #[error("a keyring needs at least one key")]
    NoKeys,
    /// A key's text could not be read ([`Scheme::parse_key`](crate::Scheme::parse_key)); the
    /// [`SecretError`] says why.
    #[error(transparent)]
    Secret(#[from] SecretError),
    /// The keyring already holds the maximum number of keys.
    #[error("too many keys in keyring (at most {max})")]
    TooManyKeys {
        /// The maximum number of keys.
        max: usize,
    },
    /// A header name is empty or has a character outside the HTTP token set.
    #[error("invalid header name")]
    InvalidHeaderName,
    /// A key's `not_before` is later than its `not_after`, so it is never valid.
    #[error("key validity window is empty (not_before is after not_after)")]
    EmptyValidityWindow,
    /// A scheme name is empty, longer than 64 bytes, or has a character outside
    /// `A-Z a-z 0-9 . _ -`.
    #[error("invalid scheme name")]
    InvalidSchemeName,
    /// A custom scheme was built without a signature header.
    #[error("scheme has no signature header")]
    MissingSignatureHeader,
    /// A label of a signature format (a version, a parameter key, a prefix) is empty, too long,
    /// or holds a byte that would make the header ambiguous.
    #[error("invalid signature format label")]
    InvalidLabel,
    /// The signed content does not contain the body exactly once.
    #[error("signed content must contain the body exactly once")]
    BodyNotSigned,
    /// The scheme reads a timestamp that the signed content does not cover, so the freshness
    /// check would trust an unsigned value.
    #[error("the timestamp is read but not signed")]
    TimestampNotSigned,
    /// The signed content covers a timestamp or id the scheme has no header or parameter for.
    #[error("signed content uses a timestamp or id the scheme does not read")]
    UnknownContentPart,
    /// The signed content has more parts than allowed, or an empty or overlong text part.
    #[error("signed content has too many parts or an invalid text part")]
    InvalidSignedContent,
    /// A timestamp parameter was set for a signature format that has no parameters.
    #[error("timestamp parameter needs a parameter-list signature format")]
    TimestampParamNeedsParams,
    /// A limit is out of range (a zero or oversized header length or signature count).
    #[error("limit out of range")]
    InvalidLimit,
    /// Two variable parts of the signed content (id, timestamp, body) are adjacent, with no text
    /// part between them. Nothing would mark where one ends and the next begins, so one signature
    /// would cover several requests: `[timestamp, body]` signs `17000000001{…}` for timestamp
    /// `1700000000` with body `1{…}` and for timestamp `17000000001` with body `{…}` alike.
    #[error("signed content has two variable parts with no text between them")]
    AdjacentVariableParts,
    /// No key has this id.
    #[error("no key with this id")]
    UnknownKey,
    /// The primary key cannot be retired: rotate to a new one first.
    #[error("the primary key cannot be retired; rotate first")]
    RetiringPrimary,
    /// The system random number generator failed, so no key could be generated.
    #[error("the system random number generator is unavailable")]
    RandomUnavailable,
    /// Retry steps are empty, or one is zero, or one is shorter than the one before.
    #[error("retry steps must be non-empty, non-zero and non-decreasing")]
    InvalidRetrySteps,
    /// A retry growth factor below 1.
    #[error("the retry growth factor must be at least 1")]
    InvalidRetryGrowth,
    /// A retry horizon of zero or longer than
    /// [`RetryPolicy::MAX_HORIZON`](crate::delivery::RetryPolicy::MAX_HORIZON).
    #[error("the retry horizon must be between 1 s and 30 days")]
    InvalidRetryHorizon,
    /// A maximum of zero attempts.
    #[error("at least one attempt must be allowed")]
    InvalidRetryAttempts,
    /// An endpoint URL is not an absolute `http(s)://host…` URL, or is longer than
    /// [`EndpointPolicy::MAX_URL_LEN`](crate::delivery::EndpointPolicy::MAX_URL_LEN); or a
    /// verifier's public URL is not `http(s)://host[:port][/prefix]` (no credentials, query or
    /// fragment; at most 2048 bytes of visible ASCII).
    #[error("URL is not a valid absolute URL")]
    InvalidUrl,
    /// An endpoint URL with a scheme other than `https` (or `http` where allowed).
    #[error("endpoint URL must use https")]
    NotHttps,
    /// An endpoint URL carrying a user name or password.
    #[error("endpoint URL must not contain credentials")]
    UrlCredentials,
    /// An endpoint host that names the local machine or network: `localhost` and `*.localhost`
    /// (accepted only when [`AddressClass::Loopback`](crate::delivery::AddressClass::Loopback)
    /// is allowed), or `*.local`, `*.internal`, `*.home.arpa`, `*.lan` or a single label
    /// (resolved through search domains), refused under every policy.
    #[error("endpoint host is a local name")]
    LocalName,
    /// An endpoint host that resolvers read as an IPv4 address in a non-canonical form
    /// (`2130706433`, `0x7f.1`, `127.1`, `0177.0.0.1`).
    #[error("endpoint host is a numeric address in a non-canonical form")]
    AmbiguousNumericHost,
    /// An endpoint address of a class the policy does not allow.
    #[error("endpoint address is {0}")]
    ForbiddenAddress(crate::delivery::AddressClass),
    /// A handshake that a scheme cannot answer: one answered with an HMAC (Zoom's) in a scheme
    /// whose keys are not shared secrets, or one whose description is out of bounds (a member
    /// path deeper than 4 names, a name or value longer than 64 bytes or with a byte that JSON
    /// would need to escape, a fixed answer that is not one JSON object).
    #[error("invalid handshake")]
    InvalidHandshake,
    /// A verify token (Meta's `hub.verify_token`) is empty, longer than 1024 bytes, or holds a
    /// control character.
    #[error("invalid verify token")]
    InvalidVerifyToken,
}

impl ConfigError {
    /// A stable machine-readable name for the failure, for logs and metrics; a wrapped
    /// [`SecretError`] gives its own.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Secret(e) => e.code(),
            Self::InvalidKeyId => "invalid_key_id",
            Self::DuplicateKeyId => "duplicate_key_id",
            Self::NoKeys => "no_keys",
            Self::TooManyKeys { .. } => "too_many_keys",
            Self::InvalidHeaderName => "invalid_header_name",
            Self::EmptyValidityWindow => "empty_validity_window",
            Self::InvalidSchemeName => "invalid_scheme_name",
            Self::MissingSignatureHeader => "missing_signature_header",
            Self::InvalidLabel => "invalid_label",
            Self::BodyNotSigned => "body_not_signed",
            Self::TimestampNotSigned => "timestamp_not_signed",
            Self::UnknownContentPart => "unknown_content_part",
            Self::InvalidSignedContent => "invalid_signed_content",
            Self::TimestampParamNeedsParams => "timestamp_param_needs_params",
            Self::InvalidLimit => "invalid_limit",
            Self::AdjacentVariableParts => "adjacent_variable_parts",
            Self::UnknownKey => "unknown_key",
            Self::RetiringPrimary => "retiring_primary",
            Self::RandomUnavailable => "random_unavailable",
            Self::InvalidRetrySteps => "invalid_retry_steps",
            Self::InvalidRetryGrowth => "invalid_retry_growth",
            Self::InvalidRetryHorizon => "invalid_retry_horizon",
            Self::InvalidRetryAttempts => "invalid_retry_attempts",
            Self::InvalidUrl => "invalid_url",
            Self::NotHttps => "not_https",
            Self::UrlCredentials => "url_credentials",
            Self::LocalName => "local_name",
            Self::AmbiguousNumericHost => "ambiguous_numeric_host",
            Self::ForbiddenAddress(_) => "forbidden_address",
            Self::InvalidHandshake => "invalid_handshake",
            Self::InvalidVerifyToken => "invalid_verify_token",
        }
    }
}

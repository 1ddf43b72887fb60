//! Error types: configuration-time errors ([`SecretError`], [`ConfigError`]), signing errors
//! ([`SignError`]) and request-time rejections ([`VerifyError`]).
//!
//! No message in this module ever contains key material, an expected tag or a presented tag:
//! messages name the problem and, where useful, a header by its role. They are stable and short,
//! so they can be logged and returned to a sender as they are.

use core::fmt;
use core::time::Duration;
use std::borrow::Cow;

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
}

impl fmt::Display for HeaderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Signature => "signature",
            Self::Id => "id",
            Self::Timestamp => "timestamp",
            Self::IdempotencyKey => "idempotency key",
        })
    }
}

/// Why a timestamp is not a canonical unix time in seconds.
///
/// A canonical timestamp is one or more ASCII digits with no sign, no leading zero (except `0`
/// itself), no fraction, no exponent and no surrounding text, and it fits in a `u64`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimestampError {
    /// The value is empty.
    Empty,
    /// The value holds a byte that is not an ASCII digit (a sign, a dot, a letter, a space, …).
    NotDigits,
    /// The value has a leading zero, e.g. `0123`.
    LeadingZero,
    /// The value does not fit in a `u64`.
    TooLarge,
}

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Empty => "empty",
            Self::NotDigits => "not all ASCII digits",
            Self::LeadingZero => "leading zero",
            Self::TooLarge => "too large",
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

/// A secret could not be built from the given input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SecretError {
    /// The secret is empty.
    #[error("secret is empty")]
    Empty,
    /// The secret is shorter than the minimum length, in bytes after decoding.
    #[error("secret is too short: {len} bytes, at least {min} required")]
    TooShort {
        /// Length of the given secret, in bytes.
        len: usize,
        /// Minimum length, in bytes.
        min: usize,
    },
    /// The text contains whitespace, which usually means it was copied with a stray space or
    /// newline.
    #[error("secret text contains whitespace")]
    ContainsWhitespace,
    /// The text holds a control character: C0 (U+0000 to U+001F), DEL (U+007F) or C1 (U+0080 to
    /// U+009F), other than the whitespace ones (tab, line breaks), which are
    /// [`SecretError::ContainsWhitespace`]. Usually a terminal escape or a stray byte picked up
    /// on the way; no provider's secret has one.
    #[error("secret text contains a control character")]
    ControlCharacter,
    /// The text holds an invisible formatting character, as copying from a web page, chat or
    /// document can add: zero-width space, non-joiner and joiner (U+200B to U+200D), word joiner
    /// and the invisible operators (U+2060 to U+2064), byte order mark / zero-width no-break
    /// space (U+FEFF), soft hyphen (U+00AD), combining grapheme joiner (U+034F), the
    /// bidirectional marks, embeddings, overrides and isolates (U+061C, U+200E, U+200F, U+202A
    /// to U+202E, U+2066 to U+2069), the other U+2060 to U+206F format characters, the Mongolian
    /// vowel separator (U+180E), interlinear annotation characters (U+FFF9 to U+FFFB) and tag
    /// characters (U+E0000 to U+E007F). They would become key bytes no one can see.
    #[error("secret text contains an invisible character")]
    InvisibleCharacter,
    /// The text looks like a signature header value, or one entry of one, in the syntax of a
    /// built-in scheme (`v1,…`, `v1a,…`, `v1=…`, `v0=…`, `h1=…`, `t=…`, `ts=…`, `sha256=…`,
    /// `sha1=…`) rather than a secret.
    #[error("secret text looks like a signature, not a secret")]
    LooksLikeSignature,
    /// The text starts with `whsec_`, a provider prefix that this constructor does not
    /// understand; read it with the matching scheme's secret parser instead
    /// ([`Scheme::parse_secret`](crate::Scheme::parse_secret)).
    #[error("secret text has the provider prefix `whsec_`, which this constructor does not accept")]
    UnexpectedPrefix,
    /// The text lacks the prefix the scheme's secrets always carry (Stripe's signing secrets
    /// start with `whsec_`; an API key such as `sk_live_…` is not a signing secret), or an
    /// Ed25519 key lacks `whsk_`/`whpk_`.
    #[error("secret text lacks the expected prefix `{expected}`")]
    MissingPrefix {
        /// The prefix the text should start with, such as `whsec_`: the scheme's own label,
        /// never part of the given text.
        expected: Cow<'static, str>,
    },
    /// The text is a key of the other kind: an Ed25519 key (`whsk_`, `whpk_`) where an HMAC secret
    /// belongs, or the reverse, or an Ed25519 signing key where a public key belongs.
    #[error("secret text is a key of the wrong kind: expected {expected}")]
    WrongKeyKind {
        /// The kind of key expected, in words, such as "an HMAC secret" (for people to read;
        /// match on the variant, not on this text).
        expected: &'static str,
    },
    /// The text is an Ed25519 key (`whsk_`, `whpk_`) for a scheme that has Ed25519 signatures,
    /// and the crate was built without its `ed25519` feature, which reads them.
    #[error(
        "secret text is an Ed25519 key (`whsk_`/`whpk_`); reading it needs hookseal's `ed25519` feature"
    )]
    Ed25519Disabled,
    /// The text is not valid base64.
    #[error("secret text is not valid base64 (expected the standard alphabet, padding optional)")]
    InvalidBase64,
    /// A fixed-size key (an Ed25519 key) decoded to the wrong number of bytes.
    #[error("key has the wrong length: {len} bytes, {expected} expected")]
    WrongLength {
        /// Length of the decoded key, in bytes.
        len: usize,
        /// The length a key of this kind has, in bytes.
        expected: usize,
    },
    /// The bytes are not a usable key of their kind: an Ed25519 key pair whose halves do not
    /// match, or a weak (small-order) Ed25519 public key.
    #[error("not a usable key")]
    InvalidKey,
    /// The text is not valid hex.
    #[error("secret text is not valid hex (expected an even number of the digits 0-9, a-f, A-F)")]
    InvalidHex,
    /// The operating system's random number generator failed.
    #[error("the system random number generator is unavailable")]
    RandomUnavailable,
}

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
    /// [`EndpointPolicy::MAX_URL_LEN`](crate::delivery::EndpointPolicy::MAX_URL_LEN).
    #[error("endpoint URL is not a valid absolute URL")]
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
}

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
    InvalidTimestamp(TimestampError),
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
    /// The signer refuses to sign such an id ([`SignError::AmbiguousId`]), and so does the
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
}

impl VerifyError {
    /// The HTTP status code a receiver should answer with.
    ///
    /// | error | status |
    /// |---|---|
    /// | missing, duplicate, oversized or malformed header; bad timestamp, id or signature syntax | 400 |
    /// | timestamp too old or in the future | 400 |
    /// | no matching signature | 401 |
    /// | no active key, clock unavailable (the receiver's own fault) | 500 |
    ///
    /// A 5xx answer makes well-behaved senders retry, so a delivery rejected because of the
    /// receiver's own misconfiguration is not lost.
    #[must_use]
    pub fn status_code(&self) -> u16 {
        match self {
            Self::NoMatchingSignature => 401,
            Self::NoActiveKey | Self::ClockUnavailable | Self::UnsignedId => 500,
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
            | Self::InvalidIdempotencyKey(_) => 400,
        }
    }
}

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
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
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
}

/// The `Retry-After` given with a 503.
const STORE_RETRY_AFTER: Duration = Duration::from_secs(5);

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
            VerifyError::InvalidTimestamp(TimestampError::LeadingZero).status_code(),
            400
        );
        assert_eq!(VerifyError::NoActiveKey.status_code(), 500);
        assert_eq!(VerifyError::AmbiguousId.status_code(), 400);
    }

    #[test]
    fn messages_are_short_and_name_the_role() {
        assert_eq!(
            VerifyError::MissingHeader(HeaderKind::Signature).to_string(),
            "missing signature header"
        );
        assert_eq!(
            VerifyError::InvalidTimestamp(TimestampError::LeadingZero).to_string(),
            "invalid timestamp: leading zero"
        );
    }
}

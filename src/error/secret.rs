//! [`SecretError`]: secret or key text that is not one.

use alloc::borrow::Cow;

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
    /// The text is a public key of a kind the crate was built without: an Ed25519 key
    /// (`whsk_`, `whpk_`, or Discord's and Telnyx's keys) without feature `ed25519`, a P-256 key
    /// (SendGrid) without `p256`, an RSA key without `rsa`.
    #[error("reading this key needs hookseal's `{feature}` feature")]
    FeatureDisabled {
        /// The feature that reads it.
        feature: &'static str,
    },
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
    /// match, or a weak (small-order) Ed25519 public key; a P-256 or RSA public key whose
    /// encoding does not parse (not a SubjectPublicKeyInfo, PKCS#1 or PEM block of one), a P-256
    /// point not on the curve, or an RSA key whose modulus is even or whose exponent is even,
    /// below 3, or not below the modulus.
    #[error("not a usable key")]
    InvalidKey,
    /// A well-formed public key the crate does not verify with: a key of another algorithm
    /// (Ed25519, DSA or RSASSA-PSS where an RSA or P-256 key belongs, RSA where P-256 belongs,
    /// and the reverse), an elliptic-curve key on a curve other than P-256 (P-384, P-521,
    /// secp256k1, …), an RSA modulus shorter than `RsaPublicKey::MIN_BITS` (2048) or longer than
    /// `RsaPublicKey::MAX_BITS` (4096) bits, or an RSA public exponent above 2^33 - 1. A
    /// certificate with such a key is refused with this error too.
    #[error("key of an unsupported algorithm, curve or size")]
    UnsupportedKey,
    /// The input is not one X.509 certificate: not DER of one (or a PEM `CERTIFICATE` block of
    /// one, first in the text), longer than `Certificate::MAX_LEN` (16 KiB), or with validity
    /// dates out of range (before 1970, or a `notAfter` earlier than its `notBefore`).
    #[error("not a usable X.509 certificate")]
    InvalidCertificate,
    /// The text is not valid hex.
    #[error("secret text is not valid hex (expected an even number of the digits 0-9, a-f, A-F)")]
    InvalidHex,
    /// The operating system's random number generator failed.
    #[error("the system random number generator is unavailable")]
    RandomUnavailable,
}

impl SecretError {
    /// A stable machine-readable name for the failure, for logs and metrics.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "secret_empty",
            Self::TooShort { .. } => "secret_too_short",
            Self::ContainsWhitespace => "secret_whitespace",
            Self::ControlCharacter => "secret_control_character",
            Self::InvisibleCharacter => "secret_invisible_character",
            Self::LooksLikeSignature => "secret_looks_like_signature",
            Self::UnexpectedPrefix => "secret_unexpected_prefix",
            Self::MissingPrefix { .. } => "secret_missing_prefix",
            Self::WrongKeyKind { .. } => "wrong_key_kind",
            Self::FeatureDisabled { .. } => "feature_disabled",
            Self::InvalidBase64 => "invalid_base64",
            Self::WrongLength { .. } => "key_wrong_length",
            Self::InvalidKey => "invalid_key",
            Self::UnsupportedKey => "unsupported_key",
            Self::InvalidCertificate => "invalid_certificate",
            Self::InvalidHex => "invalid_hex",
            Self::RandomUnavailable => "random_unavailable",
        }
    }
}

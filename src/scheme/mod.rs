//! [`Scheme`]: one webhook wire format, described as data: which headers carry what, which bytes
//! are signed, how signatures are written, and how the shared secret is written down.
//!
//! # Presets
//!
//! | scheme | signature header | signed content | signature | secret |
//! |---|---|---|---|---|
//! | [`Scheme::standard_webhooks`] | `webhook-signature: v1,<b64>` (+ `webhook-id`, `webhook-timestamp`) | `id.ts.body` | base64, several, space-separated | `whsec_` + base64, decoded, ≥ 24 bytes |
//! | [`Scheme::svix`] | `svix-signature` (falls back to `webhook-*`) | `id.ts.body` | as Standard Webhooks | as Standard Webhooks |
//! | [`Scheme::stripe`] | `Stripe-Signature: t=<ts>,v1=<hex>` | `ts.body` | hex, several `v1`; `v0` ignored | `whsec_…`, used as text |
//! | [`Scheme::github`] | `X-Hub-Signature-256: sha256=<hex>` (+ `X-GitHub-Delivery`) | body | hex, one | text |
//! | [`Scheme::slack`] | `X-Slack-Signature: v0=<hex>` (+ `X-Slack-Request-Timestamp`) | `v0:ts:body` | hex, one | text |
//! | [`Scheme::shopify`] | `X-Shopify-Hmac-Sha256: <b64>` (+ `X-Shopify-Webhook-Id`) | body | base64, one | text |
//! | [`Scheme::paddle`] | `Paddle-Signature: ts=<ts>;h1=<hex>` | `ts:body` | hex, several `h1` | text |
//! | [`Scheme::zoom`] | `x-zm-signature: v0=<hex>` (+ `x-zm-request-timestamp`) | `v0:ts:body` | hex, one | text |
//!
//! Every preset is built with [`Scheme::custom`], which describes other formats the same way.
//! GitHub's legacy HMAC-SHA1 header is available only as
//! [`dangerous::github_sha1`](crate::dangerous::github_sha1).
//!
//! # Strictness, everywhere
//!
//! - Timestamps are canonical decimal: no sign, no leading zero, no fraction, no exponent.
//! - Hex is lowercase; base64 is the standard alphabet, padded, canonical. A tag of the wrong
//!   length, truncated or padded, is [`VerifyError::MalformedSignature`](crate::VerifyError).
//! - Entries of versions the scheme does not accept (`v0` in Stripe's header, a future `v2`) are
//!   skipped, never trusted.
//! - Signature headers are capped in length (2048 bytes) and in entries (8).
//! - Ed25519 (`v1a`, feature `ed25519`): a signature names no key and each (public key,
//!   signature) pair hashes the body again, so at most `Verifier::MAX_ED25519_VERIFICATIONS` (8)
//!   pairs are tried per request, in keyring order; past that the request matches only through an
//!   HMAC key. A signature whose `R` is a point of small order is refused without hashing the body.
//!
//! # Schemes without a timestamp
//!
//! GitHub and Shopify sign the body alone. A captured delivery verifies again at any later time:
//! the verifier cannot check freshness ([`Verified::timestamp`](crate::Verified::timestamp) is
//! `None`). Deduplicate such deliveries by the provider's delivery id
//! ([`Verified::id`](crate::Verified::id); unsigned, so keep it as a hint) or, better, by
//! [`Verified::replay_key`](crate::Verified::replay_key), which depends only on signed material —
//! and keep those keys for as long as a replay would do harm.
//!
//! # The default scheme signs its id
//!
//! [`Scheme::standard_webhooks`] is the crate's default: it signs `id.ts.body`, so its
//! `webhook-id` is covered by the signature and required. Deduplicate on it
//! ([`Verified::id`](crate::Verified::id)) or on
//! [`Verified::replay_key`](crate::Verified::replay_key): an edited id fails verification.
//! The crate has no wire format of its own.

mod builder;
mod content;
pub(crate) mod parse;
mod presets;

pub(crate) use content::{Content, MAX_PARTS};
pub(crate) use presets::preset;

pub use crate::secret::SecretFormat;
pub use builder::{Encoding, Part, SchemeBuilder, SignatureFormat};

use crate::encoding::Codec;
use crate::error::{ConfigError, HeaderKind, SecretError, VerifyError};
use crate::headers::{HeaderName, HeaderSource, single_value};
use crate::keyring::{Key, KeyId, Material};
use crate::mac::{Algorithm, MacKey, Tag};
use crate::secret::{EXPECTED_HMAC, SIGNING_PREFIX, Secret, is_ed25519_key_text};
use builder::{PartKind, Syntax};
use parse::Presented;

/// A webhook wire format.
///
/// ```
/// use hookseal::Scheme;
///
/// let scheme = Scheme::stripe();
/// assert_eq!(scheme.signature_header(), "Stripe-Signature");
/// assert!(scheme.signs_timestamp());
/// assert_eq!(Scheme::github().timestamp_header(), None);
///
/// // Each scheme reads its secrets the way its provider writes them.
/// let secret = Scheme::standard_webhooks().parse_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?;
/// assert_eq!(secret.len(), 24); // base64-decoded
/// let secret = Scheme::stripe().parse_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?;
/// assert_eq!(secret.len(), 38); // the text itself is the key
/// # Ok::<(), hookseal::SecretError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scheme {
    name: Box<str>,
    signature: HeaderSpec,
    timestamp: TimestampSource,
    id: Option<HeaderSpec>,
    content: Box<[PartKind]>,
    syntax: Syntax,
    codec_encoding: Encoding,
    algorithm: Algorithm,
    secret_format: SecretFormat,
    max_header_len: usize,
    max_signatures: usize,
}

impl Scheme {
    /// A builder for a scheme of your own, named `name` (1 to 64 bytes of
    /// `A-Z a-z 0-9 . _ -`; the name is part of every [`ReplayKey`](crate::ReplayKey)).
    ///
    /// ```
    /// use hookseal::scheme::{Encoding, Part, SignatureFormat};
    /// use hookseal::Scheme;
    ///
    /// // X-Signature: <hex of "timestamp.body">, X-Timestamp: <ts>, X-Delivery-Id: <id>
    /// let scheme = Scheme::custom("acme")
    ///     .signature_header("X-Signature")
    ///     .signature_format(SignatureFormat::bare())
    ///     .encoding(Encoding::Hex)
    ///     .timestamp_header("X-Timestamp")
    ///     .id_header("X-Delivery-Id")
    ///     .signed_content([Part::timestamp(), Part::text("."), Part::body()])
    ///     .build()?;
    /// assert_eq!(scheme.timestamp_header(), Some("X-Timestamp"));
    /// assert!(!scheme.id_is_signed());
    /// # Ok::<(), hookseal::ConfigError>(())
    /// ```
    pub fn custom(name: &str) -> SchemeBuilder {
        SchemeBuilder::new(name)
    }

    /// The scheme's name, e.g. `stripe`.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The header that carries the signatures, as written on the wire.
    #[must_use]
    pub fn signature_header(&self) -> &str {
        &self.signature.wire
    }

    /// The header that carries the timestamp, when the scheme sends it on its own.
    #[must_use]
    pub fn timestamp_header(&self) -> Option<&str> {
        match &self.timestamp {
            TimestampSource::Header(spec) => Some(&spec.wire),
            TimestampSource::None | TimestampSource::Param(_) => None,
        }
    }

    /// The header that carries the delivery id, if the scheme has one.
    #[must_use]
    pub fn id_header(&self) -> Option<&str> {
        self.id.as_ref().map(|spec| &*spec.wire)
    }

    /// Whether the delivery id is covered by the signature (and so required).
    #[must_use]
    pub fn id_is_signed(&self) -> bool {
        self.content.contains(&PartKind::Id)
    }

    /// Whether a timestamp is signed, so the verifier can check freshness. `false` for GitHub
    /// and Shopify.
    #[must_use]
    pub fn signs_timestamp(&self) -> bool {
        !matches!(self.timestamp, TimestampSource::None)
    }

    /// The longest signature header accepted, in bytes.
    #[must_use]
    pub fn max_header_len(&self) -> usize {
        self.max_header_len
    }

    /// The most signatures accepted in one header (1 for formats that carry a single one).
    #[must_use]
    pub fn max_signatures(&self) -> usize {
        self.max_signatures
    }

    /// How the scheme's secrets are written.
    #[must_use]
    pub fn secret_format(&self) -> &SecretFormat {
        &self.secret_format
    }

    /// Reads a secret the way this scheme's provider writes it: decoded for Standard Webhooks
    /// and Svix (`whsec_` + base64), the text's own bytes for Stripe, GitHub, Slack, Shopify,
    /// Paddle and Zoom. See [`SecretFormat::parse`].
    ///
    /// # Errors
    ///
    /// A [`SecretError`] naming the problem: empty, whitespace, a signature or a key of another
    /// kind passed as a secret, a missing prefix, bad base64, too short.
    pub fn parse_secret(&self, text: &str) -> Result<Secret, SecretError> {
        self.secret_format.parse(text)
    }

    /// Reads a key named `id` from its text, whatever its kind: an HMAC secret as
    /// [`Scheme::parse_secret`] reads it, or — in schemes with Ed25519 signatures (Standard
    /// Webhooks, Svix), with feature `ed25519` — a `whsk_` signing key or a `whpk_` public key.
    /// The key is valid at all times until a window is set on it.
    ///
    /// ```
    /// use hookseal::{Keyring, Scheme, Verifier};
    ///
    /// let scheme = Scheme::standard_webhooks();
    /// let key = scheme.parse_key("2026-11", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?;
    /// assert_eq!(key.id(), "2026-11");
    /// let verifier = Verifier::new(scheme, Keyring::new(key)?);
    /// # let _ = verifier;
    /// # Ok::<(), hookseal::ConfigError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// A [`ConfigError`], like every other step of building a key or a keyring, so a keyring
    /// built from several texts needs one `?` per step:
    ///
    /// - [`ConfigError::InvalidKeyId`] when `id` is not a valid [`KeyId`] (checked
    ///   first);
    /// - [`ConfigError::Secret`] when the text is not a key of this scheme, with the
    ///   [`SecretError`] that says why: those of [`Scheme::parse_secret`],
    ///   `Ed25519SigningKey::from_whsk` and `Ed25519PublicKey::from_whpk` (feature `ed25519`);
    ///   [`SecretError::WrongKeyKind`] for a `whsk_`/`whpk_` key given to a scheme without
    ///   Ed25519 signatures (it would never sign or verify there); and
    ///   [`SecretError::Ed25519Disabled`] for one given to a scheme with them when the crate is
    ///   built without feature `ed25519`.
    pub fn parse_key(&self, id: &str, text: &str) -> Result<Key, ConfigError> {
        let id = KeyId::new(id)?;
        Ok(Key::with_material(
            id,
            self.key_material(text, KeyUse::Any)?,
        ))
    }

    /// The one key, named `default`, that the `from_secret` constructors read from `text` for
    /// `role`: as [`Scheme::parse_key`], and an Ed25519 key of the kind `role` cannot use is
    /// refused ([`SecretError::WrongKeyKind`]).
    pub(crate) fn default_key(&self, text: &str, role: KeyUse) -> Result<Key, SecretError> {
        Ok(Key::with_material(
            KeyId::default_id(),
            self.key_material(text, role)?,
        ))
    }

    /// What a key's text holds, read for `role`.
    fn key_material(&self, text: &str, role: KeyUse) -> Result<Material, SecretError> {
        if !is_ed25519_key_text(text) {
            return Ok(Material::Hmac(MacKey::new(&self.parse_secret(text)?)));
        }
        if !self.has_ed25519_entries() {
            return Err(SecretError::WrongKeyKind {
                expected: EXPECTED_HMAC,
            });
        }
        let signing = text.starts_with(SIGNING_PREFIX);
        match role {
            KeyUse::Sign if !signing => Err(SecretError::WrongKeyKind {
                expected: "an HMAC secret or a `whsk_` Ed25519 signing key",
            }),
            KeyUse::Verify if signing => Err(SecretError::WrongKeyKind {
                expected: "an HMAC secret or a `whpk_` Ed25519 public key",
            }),
            #[cfg(feature = "ed25519")]
            KeyUse::Sign | KeyUse::Verify | KeyUse::Any => Ok(if signing {
                Material::Ed25519Signing(Box::new(
                    crate::secret::ed25519::Ed25519SigningKey::from_whsk(text)?,
                ))
            } else {
                Material::Ed25519Public(crate::secret::ed25519::Ed25519PublicKey::from_whpk(text)?)
            }),
            #[cfg(not(feature = "ed25519"))]
            KeyUse::Sign | KeyUse::Verify | KeyUse::Any => Err(SecretError::Ed25519Disabled),
        }
    }

    /// Whether the signature header has Ed25519 (`v1a`) entries, whether or not the crate is
    /// built to read them.
    fn has_ed25519_entries(&self) -> bool {
        matches!(
            &self.syntax,
            Syntax::Versioned {
                ed25519_version: Some(_),
                ..
            }
        )
    }

    pub(crate) fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    pub(crate) fn codec(&self) -> Codec {
        Codec {
            encoding: self.codec_encoding,
            tag_len: self.algorithm.tag_len(),
        }
    }

    pub(crate) fn signature_spec(&self) -> &HeaderSpec {
        &self.signature
    }

    pub(crate) fn timestamp_source(&self) -> &TimestampSource {
        &self.timestamp
    }

    pub(crate) fn id_spec(&self) -> Option<&HeaderSpec> {
        self.id.as_ref()
    }

    /// Whether the format carries several signatures.
    pub(crate) fn carries_several(&self) -> bool {
        matches!(
            self.syntax,
            Syntax::Params { .. } | Syntax::Versioned { .. }
        )
    }

    /// The version label of Ed25519 entries, when the scheme has them.
    #[cfg(feature = "ed25519")]
    pub(crate) fn ed25519_version(&self) -> Option<&str> {
        match &self.syntax {
            Syntax::Versioned {
                ed25519_version, ..
            } => ed25519_version.as_deref(),
            Syntax::Params { .. } | Syntax::Prefixed { .. } | Syntax::Bare => None,
        }
    }

    /// Parses the signature header's value (already checked for length) into `presented`.
    pub(crate) fn parse_signatures<'a>(
        &self,
        value: &'a [u8],
        presented: &mut Presented<'a>,
    ) -> Result<(), VerifyError> {
        let codec = self.codec();
        match &self.syntax {
            Syntax::Params { separator, key } => {
                let ts_key = match &self.timestamp {
                    TimestampSource::Param(k) => Some(k.as_bytes()),
                    TimestampSource::None | TimestampSource::Header(_) => None,
                };
                parse::parse_params(
                    value,
                    *separator,
                    key.as_bytes(),
                    ts_key,
                    codec,
                    self.max_signatures,
                    presented,
                )
            }
            Syntax::Versioned {
                version,
                ed25519_version,
            } => parse::parse_versioned(
                value,
                version.as_bytes(),
                ed25519_version.as_deref().map(str::as_bytes),
                codec,
                self.max_signatures,
                presented,
            ),
            Syntax::Prefixed { prefix } => {
                parse::parse_single(value, prefix.as_bytes(), codec, presented)
            }
            Syntax::Bare => parse::parse_single(value, b"", codec, presented),
        }
    }

    /// The tag of one request's signed content under `key`.
    pub(crate) fn tag(&self, key: &MacKey, content: &Content<'_>) -> Tag {
        key.tag_with(self.algorithm, content.parts())
    }

    /// The signature header's value for these entries, in order.
    pub(crate) fn format_signatures(
        &self,
        timestamp_digits: &str,
        tags: &[Tag],
        #[cfg(feature = "ed25519")] ed25519: &[[u8; 64]],
    ) -> String {
        let codec = self.codec();
        let mut out = String::with_capacity(32 + tags.len() * (codec.text_len() + 8));
        match &self.syntax {
            Syntax::Params { separator, key } => {
                let sep = char::from(*separator);
                if let TimestampSource::Param(ts_key) = &self.timestamp {
                    out.push_str(ts_key);
                    out.push('=');
                    out.push_str(timestamp_digits);
                }
                for tag in tags {
                    if !out.is_empty() {
                        out.push(sep);
                    }
                    out.push_str(key);
                    out.push('=');
                    codec.encode(tag, &mut out);
                }
            }
            Syntax::Versioned {
                version,
                ed25519_version,
            } => {
                for tag in tags {
                    if !out.is_empty() {
                        out.push(' ');
                    }
                    out.push_str(version);
                    out.push(',');
                    codec.encode(tag, &mut out);
                }
                #[cfg(feature = "ed25519")]
                if let Some(label) = ed25519_version {
                    for sig in ed25519 {
                        if !out.is_empty() {
                            out.push(' ');
                        }
                        out.push_str(label);
                        out.push(',');
                        crate::ed25519::encode_signature(sig, &mut out);
                    }
                }
                #[cfg(not(feature = "ed25519"))]
                let _ = ed25519_version;
            }
            Syntax::Prefixed { prefix } => {
                out.push_str(prefix);
                if let Some(tag) = tags.first() {
                    codec.encode(tag, &mut out);
                }
            }
            Syntax::Bare => {
                if let Some(tag) = tags.first() {
                    codec.encode(tag, &mut out);
                }
            }
        }
        out
    }
}

/// What a key read by [`Scheme::default_key`] is for: an Ed25519 key of the other side's kind
/// is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyUse {
    /// Signing: a `whpk_` public key cannot sign.
    Sign,
    /// Verifying: a receiver should not hold a `whsk_` signing key.
    Verify,
    /// Either ([`Scheme::parse_key`]): the keyring may sign, verify or both.
    Any,
}

/// A header a scheme reads, with an optional second name tried when the first is absent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HeaderSpec {
    wire: Box<str>,
    name: HeaderName,
    fallback: Option<HeaderName>,
}

impl HeaderSpec {
    pub(crate) fn new(wire: &str, fallback: Option<&str>) -> Result<Self, ConfigError> {
        Ok(Self {
            wire: wire.into(),
            name: HeaderName::new(wire)?,
            fallback: fallback.map(HeaderName::new).transpose()?,
        })
    }

    /// The header's single value, trimmed: under the first name, or under the fallback when the
    /// first is absent.
    pub(crate) fn single<'a, H: HeaderSource + ?Sized>(
        &'a self,
        headers: &'a H,
        kind: HeaderKind,
    ) -> Result<Option<&'a [u8]>, VerifyError> {
        match single_value(headers, &self.name, kind)? {
            Some(value) => Ok(Some(value)),
            None => match &self.fallback {
                Some(name) => single_value(headers, name, kind),
                None => Ok(None),
            },
        }
    }
}

/// Where a scheme reads the timestamp from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TimestampSource {
    /// No timestamp is sent or signed.
    None,
    /// A parameter of the signature header (`t=` for Stripe).
    Param(Box<str>),
    /// A header of its own (`webhook-timestamp`).
    Header(HeaderSpec),
}

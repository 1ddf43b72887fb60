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
pub(crate) mod parse;

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
    /// [Standard Webhooks](https://www.standardwebhooks.com/) 1.0: `webhook-id`,
    /// `webhook-timestamp` and `webhook-signature: v1,<base64> [v1,<base64> …]` over
    /// `id.ts.body`. The crate's default scheme.
    ///
    /// - The id is signed and required.
    /// - Secrets are `whsec_` + base64 (the prefix is optional, padding may be missing, as the
    ///   reference Python library accepts), decoded to at least 24 bytes. [`Secret::generate`]
    ///   exports its keys in this form.
    /// - With the `ed25519` feature, `v1a` entries are Ed25519 signatures, checked against the
    ///   keyring's trusted public keys (at most `Verifier::MAX_ED25519_VERIFICATIONS` key and
    ///   signature pairs per request); without it they are skipped like any unknown version.
    /// - Signing and verification refuse an id containing `.`, which would make the signed
    ///   content ambiguous.
    #[must_use]
    pub fn standard_webhooks() -> Self {
        preset(standard_webhooks_layout(
            Self::custom("standard-webhooks")
                .signature_header("webhook-signature")
                .timestamp_header("webhook-timestamp")
                .id_header("webhook-id"),
        ))
    }

    /// Svix: Standard Webhooks with `svix-id`, `svix-timestamp` and `svix-signature`. Each
    /// header falls back to its `webhook-*` name when the `svix-*` one is absent, as Svix's own
    /// libraries do. Signing writes the `svix-*` names.
    #[must_use]
    pub fn svix() -> Self {
        preset(standard_webhooks_layout(
            Self::custom("svix")
                .signature_header("svix-signature")
                .fallback_signature_header("webhook-signature")
                .timestamp_header("svix-timestamp")
                .fallback_timestamp_header("webhook-timestamp")
                .id_header("svix-id")
                .fallback_id_header("webhook-id"),
        ))
    }

    /// Stripe: `Stripe-Signature: t=<ts>,v1=<hex>[,v1=<hex>…]` over `ts.body`.
    ///
    /// Only `v1` entries are checked; `v0` (test-mode) and unknown entries are skipped, never
    /// accepted, so a downgrade is impossible. The signing secret (`whsec_…`) is used as text —
    /// its bytes, prefix included, are the key; it is **not** base64-decoded.
    #[must_use]
    pub fn stripe() -> Self {
        preset(
            Self::custom("stripe")
                .signature_header("Stripe-Signature")
                .signature_format(SignatureFormat::params(',', "v1"))
                .encoding(Encoding::Hex)
                .timestamp_param("t")
                .signed_content([Part::timestamp(), Part::text("."), Part::body()])
                .secret_format(SecretFormat::prefixed_text("whsec_")),
        )
    }

    /// GitHub: `X-Hub-Signature-256: sha256=<hex>` over the body alone, with the unsigned
    /// `X-GitHub-Delivery` id. The secret is text.
    ///
    /// No timestamp is signed, so there is no freshness check: see the
    /// [module docs](crate::scheme#schemes-without-a-timestamp) on deduplicating replays.
    #[must_use]
    pub fn github() -> Self {
        preset(
            Self::custom("github")
                .signature_header("X-Hub-Signature-256")
                .signature_format(SignatureFormat::prefixed("sha256="))
                .encoding(Encoding::Hex)
                .id_header("X-GitHub-Delivery")
                .signed_content([Part::body()])
                .secret_format(SecretFormat::text()),
        )
    }

    /// Slack: `X-Slack-Signature: v0=<hex>` over `v0:ts:body`, with the timestamp in
    /// `X-Slack-Request-Timestamp`. The signing secret is text.
    #[must_use]
    pub fn slack() -> Self {
        preset(v0_layout(
            Self::custom("slack")
                .signature_header("X-Slack-Signature")
                .timestamp_header("X-Slack-Request-Timestamp"),
        ))
    }

    /// Shopify: `X-Shopify-Hmac-Sha256: <base64>` over the body alone (falling back to the
    /// newer `shopify-hmac-sha256` name), with the unsigned `X-Shopify-Webhook-Id`. The app's
    /// client secret is text.
    ///
    /// No timestamp is signed, so there is no freshness check: see the
    /// [module docs](crate::scheme#schemes-without-a-timestamp) on deduplicating replays.
    #[must_use]
    pub fn shopify() -> Self {
        preset(
            Self::custom("shopify")
                .signature_header("X-Shopify-Hmac-Sha256")
                .fallback_signature_header("shopify-hmac-sha256")
                .signature_format(SignatureFormat::bare())
                .encoding(Encoding::Base64)
                .id_header("X-Shopify-Webhook-Id")
                .signed_content([Part::body()])
                .secret_format(SecretFormat::text()),
        )
    }

    /// Paddle Billing: `Paddle-Signature: ts=<ts>;h1=<hex>[;h1=<hex>…]` over `ts:body`. The
    /// endpoint's secret key is text.
    #[must_use]
    pub fn paddle() -> Self {
        preset(
            Self::custom("paddle")
                .signature_header("Paddle-Signature")
                .signature_format(SignatureFormat::params(';', "h1"))
                .encoding(Encoding::Hex)
                .timestamp_param("ts")
                .signed_content([Part::timestamp(), Part::text(":"), Part::body()])
                .secret_format(SecretFormat::text()),
        )
    }

    /// Zoom: `x-zm-signature: v0=<hex>` over `v0:ts:body`, with the timestamp in
    /// `x-zm-request-timestamp` (Slack's layout). The secret token is text.
    #[must_use]
    pub fn zoom() -> Self {
        preset(v0_layout(
            Self::custom("zoom")
                .signature_header("x-zm-signature")
                .timestamp_header("x-zm-request-timestamp"),
        ))
    }

    /// Every preset, in the order of the scheme table above. The legacy
    /// [`dangerous::github_sha1`](crate::dangerous::github_sha1) is not among them.
    ///
    /// ```
    /// use hookseal::Scheme;
    ///
    /// let names: Vec<String> = Scheme::presets().iter().map(|s| s.name().to_owned()).collect();
    /// assert_eq!(names[0], "standard-webhooks");
    /// assert!(names.iter().any(|n| n == "stripe"));
    /// ```
    #[must_use]
    pub fn presets() -> Vec<Scheme> {
        vec![
            Self::standard_webhooks(),
            Self::svix(),
            Self::stripe(),
            Self::github(),
            Self::slack(),
            Self::shopify(),
            Self::paddle(),
            Self::zoom(),
        ]
    }

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
                Material::Ed25519Signing(Box::new(crate::ed25519::Ed25519SigningKey::from_whsk(
                    text,
                )?))
            } else {
                Material::Ed25519Public(crate::ed25519::Ed25519PublicKey::from_whpk(text)?)
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

    /// The signed content for one request, as parts in order (at most [`MAX_PARTS`]).
    pub(crate) fn content<'b>(
        &'b self,
        id: &'b [u8],
        timestamp_digits: &'b [u8],
        body: &'b [u8],
    ) -> Content<'b> {
        let mut parts: [&[u8]; MAX_PARTS] = [&[]; MAX_PARTS];
        let mut len = 0;
        for (slot, part) in parts.iter_mut().zip(self.content.iter()) {
            *slot = match part {
                PartKind::Id => id,
                PartKind::Timestamp => timestamp_digits,
                PartKind::Body => body,
                PartKind::Text(text) => text,
            };
            len += 1;
        }
        Content { parts, len }
    }

    /// The tag of one request's signed content under `key`.
    pub(crate) fn tag(&self, key: &MacKey, content: &Content<'_>) -> Tag {
        key.tag_with(self.algorithm, content.parts())
    }

    /// Whether `id`, as this scheme signs it, leaves the signed content a single reading. The
    /// signer refuses to sign any other id ([`SignError::AmbiguousId`]) and the verifier refuses
    /// to accept one ([`VerifyError::AmbiguousId`]). Always true when the id is not signed.
    ///
    /// The content is its parts' bytes run together, and one signature covers every (id,
    /// timestamp, body) that runs together into the same bytes. The body may hold anything, so
    /// only the fixed texts mark where the id and the timestamp end (the builder puts one between
    /// any two of them; a timestamp is digits). Read from the start of the content, the id ends
    /// where the text after it is first found; read from the end (when the id comes after the
    /// body), it starts where the text before it is last found. So an id is refused when the text
    /// after it is found in `id ‖ after` anywhere but at the end — `evt.1` before `.`, but also
    /// `a-` before `--`, which reads as well as `a` followed by `--` and a body starting with
    /// `-` — or when the text before it is found in `before ‖ id` anywhere but at the start. Two
    /// ids that both pass cannot split the same bytes differently: the shorter one's text would
    /// be found inside the longer one's. Text elsewhere in the content does not border the id and
    /// cannot move its ends, and a bordering text only counts where it is found whole: after
    /// `v1:`, the id `evt_1` is fine though it holds a `1`.
    ///
    /// [`SignError::AmbiguousId`]: crate::SignError::AmbiguousId
    pub(crate) fn id_is_unambiguous(&self, id: &[u8]) -> bool {
        let Some(at) = self.content.iter().position(|p| *p == PartKind::Id) else {
            return true;
        };
        let text_at = |i: Option<usize>| match i.and_then(|i| self.content.get(i)) {
            Some(PartKind::Text(text)) => Some(&**text),
            Some(PartKind::Id | PartKind::Timestamp | PartKind::Body) | None => None,
        };
        let before = text_at(at.checked_sub(1));
        let after = text_at(at.checked_add(1));
        before.is_none_or(|text| found_only_at_start(text, id))
            && after.is_none_or(|text| found_only_at_end(id, text))
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

/// One request's signed content, as the parts that are fed to the MAC in order.
pub(crate) struct Content<'b> {
    parts: [&'b [u8]; MAX_PARTS],
    len: usize,
}

impl<'b> Content<'b> {
    pub(crate) fn parts(&self) -> &[&'b [u8]] {
        self.parts.get(..self.len).unwrap_or_default()
    }
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

/// The most parts signed content may have.
pub(crate) const MAX_PARTS: usize = 8;

/// Whether `text` is found in `id ‖ text` only at its end, so that reading forward, the first
/// `text` after the id's start marks the id's end.
fn found_only_at_end(id: &[u8], text: &[u8]) -> bool {
    // One byte (every preset's case): found only at the end if the id does not hold it.
    if let [byte] = text {
        return !id.contains(byte);
    }
    (0..id.len()).all(|start| !id.iter().skip(start).chain(text).take(text.len()).eq(text))
}

/// Whether `text` is found in `text ‖ id` only at its start, so that reading backward, the last
/// `text` before the id's end marks the id's start.
fn found_only_at_start(text: &[u8], id: &[u8]) -> bool {
    if let [byte] = text {
        return !id.contains(byte);
    }
    (1..=id.len()).all(|start| !text.iter().chain(id).skip(start).take(text.len()).eq(text))
}

/// The shared layout of Standard Webhooks and Svix.
fn standard_webhooks_layout(builder: SchemeBuilder) -> SchemeBuilder {
    builder
        .signature_format(SignatureFormat::versioned("v1").with_ed25519_version("v1a"))
        .encoding(Encoding::Base64)
        .signed_content([
            Part::id(),
            Part::text("."),
            Part::timestamp(),
            Part::text("."),
            Part::body(),
        ])
        .secret_format(SecretFormat::base64_with_prefix("whsec_").with_min_len(24))
}

/// The shared layout of Slack and Zoom: `v0=<hex>` over `v0:timestamp:body`, text secrets.
fn v0_layout(builder: SchemeBuilder) -> SchemeBuilder {
    builder
        .signature_format(SignatureFormat::prefixed("v0="))
        .encoding(Encoding::Hex)
        .signed_content([
            Part::text("v0:"),
            Part::timestamp(),
            Part::text(":"),
            Part::body(),
        ])
        .secret_format(SecretFormat::text())
}

/// Builds a built-in scheme, which is valid by construction (the unit tests build them all).
pub(crate) fn preset(builder: SchemeBuilder) -> Scheme {
    match builder.build() {
        Ok(scheme) => scheme,
        Err(_) => unreachable!("built-in schemes are valid"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_builds_with_its_names() {
        let expected = [
            ("standard-webhooks", "webhook-signature"),
            ("svix", "svix-signature"),
            ("stripe", "Stripe-Signature"),
            ("github", "X-Hub-Signature-256"),
            ("slack", "X-Slack-Signature"),
            ("shopify", "X-Shopify-Hmac-Sha256"),
            ("paddle", "Paddle-Signature"),
            ("zoom", "x-zm-signature"),
            ("github-sha1", "X-Hub-Signature"),
        ];
        let mut all = Scheme::presets();
        all.push(crate::dangerous::github_sha1());
        assert_eq!(all.len(), expected.len());
        for (scheme, (name, header)) in all.into_iter().zip(expected) {
            assert_eq!(scheme.name(), name);
            assert_eq!(scheme.signature_header(), header);
        }
    }

    #[test]
    fn signed_parts_follow_the_layout() {
        let sw = Scheme::standard_webhooks();
        assert!(sw.id_is_signed());
        assert!(sw.id_is_unambiguous(b"msg_1"));
        assert!(!sw.id_is_unambiguous(b"msg.1"));
        // An unsigned id constrains nothing.
        assert!(Scheme::github().id_is_unambiguous(b"msg.1"));
        let c = sw.content(b"msg_1", b"123", b"body");
        assert_eq!(c.parts().concat(), b"msg_1.123.body");
        let slack = Scheme::slack();
        assert_eq!(
            slack.content(b"", b"123", b"body").parts().concat(),
            b"v0:123:body"
        );
        assert_eq!(
            Scheme::github().content(b"", b"", b"body").parts().concat(),
            b"body"
        );
        assert!(!Scheme::github().signs_timestamp());
        assert!(!Scheme::github().id_is_signed());
    }

    #[test]
    fn only_the_text_bordering_the_id_constrains_it() {
        let scheme = |parts: Vec<Part>| {
            Scheme::custom("t")
                .signature_header("X-Sig")
                .timestamp_header("X-Ts")
                .id_header("X-Id")
                .signed_content(parts)
                .build()
                .unwrap()
        };
        // `v1:` before the id, `.` after it.
        let prefixed = scheme(vec![
            Part::text("v1:"),
            Part::id(),
            Part::text("."),
            Part::timestamp(),
            Part::text(":"),
            Part::body(),
        ]);
        for id in [&b"evt_1"[..], b"v1", b"x:1", b"1:"] {
            assert!(prefixed.id_is_unambiguous(id), "{id:?}");
        }
        for id in [&b"evt.1"[..], b".", b"v1:v", b"x.", b".x"] {
            assert!(!prefixed.id_is_unambiguous(id), "{id:?}");
        }
        // After the body, the id is found from the end: the text before it is what counts.
        let trailing = scheme(vec![
            Part::timestamp(),
            Part::text("+"),
            Part::body(),
            Part::text("|"),
            Part::id(),
        ]);
        assert!(trailing.id_is_unambiguous(b"a+b"));
        assert!(!trailing.id_is_unambiguous(b"a|b"));
    }

    #[test]
    fn no_two_accepted_ids_split_the_same_bytes() {
        // Every id of up to five bytes over `a`, `b`, `-`, against texts that overlap themselves.
        let mut ids: Vec<Vec<u8>> = Vec::new();
        let mut shorter: Vec<Vec<u8>> = vec![Vec::new()];
        for _ in 0..5 {
            shorter = shorter
                .iter()
                .flat_map(|id| [b'a', b'b', b'-'].map(|c| [id.as_slice(), &[c]].concat()))
                .collect();
            ids.extend(shorter.iter().cloned());
        }
        for text in [&b"-"[..], b"--", b"-a-", b"ab", b"aba", b"a-a-"] {
            let after: Vec<&Vec<u8>> = ids
                .iter()
                .filter(|id| found_only_at_end(id, text))
                .collect();
            let before: Vec<&Vec<u8>> = ids
                .iter()
                .filter(|id| found_only_at_start(text, id))
                .collect();
            assert!(!after.is_empty() && !before.is_empty());
            for (x, y) in after.iter().flat_map(|x| after.iter().map(move |y| (x, y))) {
                // A shorter x splits y's bytes differently exactly when `y ‖ text` starts with
                // `x ‖ text` (the rest of y's bytes then being x's body).
                if x.len() < y.len() {
                    let joined = |id: &[u8]| [id, text].concat();
                    assert!(!joined(y).starts_with(&joined(x)), "{x:?} {y:?} {text:?}");
                }
            }
            for (x, y) in before
                .iter()
                .flat_map(|x| before.iter().map(move |y| (x, y)))
            {
                if x.len() < y.len() {
                    let joined = |id: &[u8]| [text, id].concat();
                    assert!(!joined(y).ends_with(&joined(x)), "{x:?} {y:?} {text:?}");
                }
            }
        }
    }
}

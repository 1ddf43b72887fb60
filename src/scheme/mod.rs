//! [`Scheme`]: one webhook wire format, described as data: which headers carry what, which bytes
//! are signed, how signatures are written, and how the shared secret is written down.
//!
//! # Presets
//!
//! [`Scheme::presets`] lists all 32; the README's scheme table gives each one's headers, signed
//! content, signature, secret and test vector. By what they sign:
//!
//! - a timestamp, an id or both, and the body, each value in its own header or in the signature
//!   header: [`Scheme::standard_webhooks`] (the default), [`Scheme::svix`], [`Scheme::clerk`],
//!   [`Scheme::resend`], [`Scheme::stripe`], [`Scheme::slack`], [`Scheme::paddle`],
//!   [`Scheme::zoom`], [`Scheme::twitch`], [`Scheme::workos`], [`Scheme::mux`];
//! - the body alone: [`Scheme::github`], [`Scheme::shopify`], [`Scheme::pagerduty`],
//!   [`Scheme::intercom`], [`Scheme::coinbase_commerce`], [`Scheme::razorpay`],
//!   [`Scheme::dropbox`], [`Scheme::meta`] (WhatsApp, Instagram, Messenger);
//! - values from the JSON body: [`Scheme::linear`] (its timestamp), [`Scheme::mailgun`] (its
//!   signature, timestamp and token; the body itself is not signed);
//! - the request line: [`Scheme::twilio`] (the URL and the form), [`Scheme::square`] (the URL),
//!   [`Scheme::hubspot`] (the method and the URL);
//! - with Ed25519 alone (feature `ed25519`): [`Scheme::discord`], [`Scheme::telnyx`];
//! - listed headers: [`Scheme::hook0`], [`Scheme::coinbase_cdp`];
//! - with the provider's own key pair: [`Scheme::sendgrid`] (ECDSA P-256, feature `p256`),
//!   [`Scheme::aws_sns`] (members of its JSON message) and [`Scheme::paypal`] (a CRC-32 of the
//!   body), both RSA with the certificate each request names (feature `x509`), and
//!   [`Scheme::google_pubsub`] (a bearer ID token; the body is not signed).
//!
//! Every preset is built with [`Scheme::custom`], which describes other formats the same way.
//! GitHub's legacy HMAC-SHA1 header is available only as
//! [`dangerous::github_sha1`](crate::dangerous::github_sha1).
//!
//! # Handshakes
//!
//! Some providers check that a URL is the receiver's before they deliver there, and a scheme
//! carries that [`Handshake`] as data ([`Scheme::handshake`]), on for its preset and switched
//! off with [`Scheme::without_handshake`]:
//!
//! - signed ones, deliveries answered only once they verify
//!   ([`Verifier::handshake`](crate::Verifier::handshake)): Slack's `url_verification`,
//!   Discord's `PING`, Twitch's `webhook_callback_verification`, Zoom's
//!   `endpoint.url_validation`;
//! - unsigned `GET` challenges, answered before verification
//!   ([`Verifier::challenge`](crate::Verifier::challenge)): Dropbox's `challenge`, and Meta's
//!   `hub.challenge`, answered only when it carries the receiver's verify token
//!   ([`Verifier::with_verify_token`](crate::Verifier::with_verify_token)).
//!
//! The tower layer answers both before the handler. A handshake never takes a replay key, so
//! a provider's retry of one gets the same answer. Custom schemes describe theirs with
//! [`Handshake::signed`], [`HandshakeTrigger`] and [`HandshakeAnswer`], or
//! [`Handshake::query_challenge`].
//!
//! # Timestamps
//!
//! Each scheme writes its timestamps one way ([`TimestampFormat`]): Unix seconds, Unix
//! milliseconds (HubSpot, WorkOS, Linear) or RFC 3339 (Twitch), each parsed strictly. The
//! verifier checks freshness in whole seconds, in a window of 300 s on each side unless the
//! scheme states its provider's ([`Scheme::tolerance`]) or the verifier is told otherwise.
//!
//! # Strictness, everywhere
//!
//! - Timestamps are canonical: decimal without sign, leading zero, fraction or exponent; RFC
//!   3339 with uppercase `T` and `Z`, a real date and time, a fraction of at most nine digits.
//! - Hex is lowercase; base64 is the standard alphabet, padded, canonical. A tag of the wrong
//!   length, truncated or padded, is [`VerifyError::MalformedSignature`](crate::VerifyError).
//! - Entries of versions the scheme does not accept (`v0` in Stripe's header, a future `v2`) are
//!   skipped, never trusted.
//! - Signature headers are capped in length (2048 bytes) and in entries (8).
//! - Ed25519 (`v1a`, feature `ed25519`): a signature names no key and each (public key,
//!   signature) pair hashes the body again, so at most `Verifier::MAX_PUBLIC_KEY_VERIFICATIONS` (8)
//!   pairs are tried per request, in keyring order; past that the request matches only through an
//!   HMAC key. A signature whose `R` is a point of small order is refused without hashing the body.
//!
//! # Schemes without a timestamp
//!
//! GitHub, Shopify, PagerDuty, Intercom, Coinbase Commerce, Razorpay, Dropbox, Meta, Twilio and
//! Square sign no timestamp. A captured delivery verifies again at any later time:
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
mod source;

use alloc::boxed::Box;
use alloc::string::String;
pub(crate) use content::{Content, Derived, Listed, MAX_PARTS, NOTHING_DERIVED, Signed};
pub(crate) use presets::preset;
pub(crate) use source::{HeaderSpec, MAX_FIELD_DEPTH, Source};

pub use crate::algorithm::Algorithm;
pub use crate::handshake::{Handshake, HandshakeAnswer, HandshakeTrigger};
pub use crate::secret::SecretFormat;
pub use builder::{Encoding, Part, SchemeBuilder, SignatureFormat};

use alloc::sync::Arc;

use crate::algorithm::Family;
use crate::encoding::Codec;
use crate::error::{ConfigError, HeaderKind, SecretError, VerifyError};
use crate::header_table::{Found, HeaderTable};
#[cfg(feature = "x509")]
use crate::headers::HeaderSource;
use crate::key_source::AllowList;
#[cfg(feature = "x509")]
use crate::key_source::KeyUrl;
use crate::keyring::{Key, KeyId, Material};
use crate::mac::{MacKey, Tag};
use crate::secret::{EXPECTED_HMAC, SIGNING_PREFIX, Secret, is_ed25519_key_text};
pub use crate::timestamp::TimestampFormat;
pub use crate::token::TokenRules;
use builder::{PartKind, Syntax};
use parse::Presented;

/// A webhook wire format.
///
/// ```
/// use hookseal::Scheme;
///
/// let scheme = Scheme::stripe();
/// assert_eq!(scheme.signature_header(), Some("Stripe-Signature"));
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
    name: Arc<str>,
    signature: Source,
    timestamp: Option<Source>,
    timestamp_format: TimestampFormat,
    id: Option<Source>,
    content: Box<[PartKind]>,
    /// The default window on each side of now, in seconds, when the provider states one.
    tolerance: Option<u64>,
    /// Senders sign the URL with or without its port (Twilio): both are tried.
    url_port_variants: bool,
    /// A query parameter holding the hex SHA-256 of the body, which then stands for the form.
    body_digest_param: Option<Box<str>>,
    /// The signature header's parameter that lists the signed headers (Hook0's `h`).
    listed_param: Option<Box<str>>,
    /// What the content holds besides headers and body, found once when the scheme is built.
    reads: Reads,
    /// Whether a MAC can run over the body as it arrives.
    streams_body: bool,
    /// The mask of replay keys made of a MAC tag.
    replay_mask: [u8; 16],
    headers: HeaderTable,
    syntax: Syntax,
    codec_encoding: Encoding,
    /// The algorithm, or the first of those requests name.
    algorithm: Algorithm,
    /// Where requests name their algorithm, and the names accepted.
    algorithm_choice: Option<AlgorithmChoice>,
    /// Where requests name their certificate's URL, and the URLs allowed.
    certificate_url: Option<(Source, AllowList)>,
    secret_format: SecretFormat,
    max_header_len: usize,
    max_signatures: usize,
    /// The provider's handshake, answered by the verifier (and the tower layer) for it.
    handshake: Option<Handshake>,
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

    /// The name, shared: for values that outlive a borrow of the scheme.
    pub(crate) fn shared_name(&self) -> Arc<str> {
        Arc::clone(&self.name)
    }

    /// The header that carries the signatures, as written on the wire; `None` when the
    /// signature is a member of the body (Mailgun).
    #[must_use]
    pub fn signature_header(&self) -> Option<&str> {
        self.signature.header()
    }

    /// The header that carries the timestamp, when the scheme sends it on its own.
    #[must_use]
    pub fn timestamp_header(&self) -> Option<&str> {
        self.timestamp.as_ref().and_then(Source::header)
    }

    /// How the timestamp is written.
    #[must_use]
    pub fn timestamp_format(&self) -> TimestampFormat {
        self.timestamp_format
    }

    /// The header that carries the delivery id, if the scheme sends one in a header.
    #[must_use]
    pub fn id_header(&self) -> Option<&str> {
        self.id.as_ref().and_then(Source::header)
    }

    /// The window the provider's own libraries accept on each side of now, when the scheme
    /// states one (Linear 60 s, Twitch 10 minutes); [`Verifier::new`](crate::Verifier::new)
    /// starts from it instead of 300 s.
    #[must_use]
    pub fn tolerance(&self) -> Option<core::time::Duration> {
        self.tolerance.map(core::time::Duration::from_secs)
    }

    /// The provider's handshake, which [`Verifier::handshake`](crate::Verifier::handshake) and
    /// [`Verifier::challenge`](crate::Verifier::challenge) answer (and so the tower layer,
    /// before the handler): Slack's, Discord's, Twitch's and Zoom's signed ones, Dropbox's and
    /// Meta's `GET` challenges. `None` for the other presets and after
    /// [`Scheme::without_handshake`]. See [Handshakes](crate::scheme#handshakes).
    #[must_use]
    pub fn handshake(&self) -> Option<&Handshake> {
        self.handshake.as_ref()
    }

    /// The scheme without its handshake: every request, handshakes included, is verified and
    /// passed to the handler as any delivery (a `GET` challenge is then refused, as it carries
    /// no signature), for a receiver that answers handshakes itself.
    #[must_use]
    pub fn without_handshake(mut self) -> Self {
        self.handshake = None;
        self
    }

    /// Whether the body is covered by the signature. `false` where the provider signs other
    /// values alone (Mailgun a timestamp and a token, AWS SNS members of its message), its
    /// CRC-32 (PayPal) or a token (Google Pub/Sub): such a body is not authenticated as a whole,
    /// and [`Verified::replay_key`](crate::Verified::replay_key) is what stops a signature from
    /// being used twice.
    #[must_use]
    pub fn signs_body(&self) -> bool {
        self.content
            .iter()
            .any(|p| matches!(p, PartKind::Body | PartKind::Form))
    }

    /// The URLs of certificates the scheme's requests may name, when they name one (AWS SNS,
    /// PayPal).
    #[must_use]
    pub fn certificate_allow_list(&self) -> Option<&AllowList> {
        self.certificate_url.as_ref().map(|(_, allow)| allow)
    }

    /// The scheme with `allow` as the URLs of certificates its requests may name, instead of its
    /// own list: for a test server on `127.0.0.1` serving certificates of your own
    /// ([`AllowList::prefix`]). The presets' lists are never loosened; this makes another scheme
    /// value.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidSignedContent`] when the scheme's requests name no certificate.
    pub fn with_certificate_allow_list(mut self, allow: AllowList) -> Result<Self, ConfigError> {
        match &mut self.certificate_url {
            Some((_, list)) => *list = allow,
            None => return Err(ConfigError::InvalidSignedContent),
        }
        Ok(self)
    }

    /// Whether the keys that verify the scheme's requests are published by the provider: a
    /// certificate each request names, or a token issuer's key set.
    #[cfg(feature = "x509")]
    pub(crate) fn fetches_keys(&self) -> bool {
        self.certificate_url.is_some() || self.token_rules().is_some()
    }

    /// Where the keys that verify a request are fetched from, checked against the scheme's
    /// allow-list, and what the document there is.
    ///
    /// # Errors
    ///
    /// The missing-value error of where the URL is read (also when the scheme fetches no
    /// keys), and [`VerifyError::KeyUrlRefused`] for a URL the list does not allow.
    #[cfg(feature = "x509")]
    pub(crate) fn key_url<H: HeaderSource + ?Sized>(
        &self,
        headers: &H,
        body: &[u8],
    ) -> Result<(KeyUrl, KeyDocument), VerifyError> {
        if let Some(rules) = self.token_rules() {
            return Ok((rules.key_set()?, KeyDocument::KeySet));
        }
        let missing = VerifyError::MissingHeader(HeaderKind::CertificateUrl);
        let (source, allow) = self.certificate_url.as_ref().ok_or(missing)?;
        let found = self.headers.find(headers, body);
        let url = (source.read(&found, HeaderKind::CertificateUrl)?)
            .ok_or_else(|| source.missing(HeaderKind::CertificateUrl))?;
        Ok((allow.check(url)?, KeyDocument::Certificate))
    }

    /// The id a replay key is made of instead of the signed content: the request's id when
    /// neither the body nor the id is signed (Google Pub/Sub push, whose token is reused across
    /// deliveries and renewed for redeliveries); nothing otherwise.
    pub(crate) fn unsigned_replay_id<'a>(&self, id: &'a [u8]) -> &'a [u8] {
        match self.signs_body() || self.id_is_signed() {
            true => &[],
            false => id,
        }
    }

    /// Whether the signed content holds the body's top-level member `name`.
    pub(crate) fn signs_member(&self, name: &str) -> bool {
        self.content.iter().any(|p| p.signs_member(name))
    }

    /// Whether a verification builds values of the signed content from the request (the form,
    /// the listed headers, members of the body, the body's CRC-32), which it then holds.
    pub(crate) fn derives_content(&self) -> bool {
        self.reads.derived
    }

    /// Whether the signed content holds the method, the path or the URL (or a value read from
    /// the query, such as Twilio's body digest), so verification needs the request line
    /// ([`HeaderSource::request_line`]).
    #[must_use]
    pub fn signs_request_line(&self) -> bool {
        self.reads.line
    }

    /// Whether the signed content holds the endpoint id, so the verifier needs one
    /// ([`Verifier::with_endpoint_id`](crate::Verifier::with_endpoint_id)): PayPal.
    #[must_use]
    pub fn signs_endpoint_id(&self) -> bool {
        self.reads.endpoint_id
    }

    /// Whether the signed content holds the public URL, so the verifier needs one
    /// ([`Verifier::with_public_url`](crate::Verifier::with_public_url)).
    #[must_use]
    pub fn signs_url(&self) -> bool {
        self.reads.url
    }

    /// Whether the delivery id is covered by the signature (and so required).
    #[must_use]
    pub fn id_is_signed(&self) -> bool {
        self.reads.id
    }

    /// Whether a timestamp is signed, so the verifier can check freshness. `false` for GitHub
    /// and Shopify.
    #[must_use]
    pub fn signs_timestamp(&self) -> bool {
        self.timestamp.is_some() || self.token_rules().is_some()
    }

    /// What the scheme requires of the bearer token its requests carry, when they carry one
    /// (Google Pub/Sub push).
    #[must_use]
    pub fn token_rules(&self) -> Option<&TokenRules> {
        match &self.syntax {
            Syntax::Token(rules) => Some(rules),
            _ => None,
        }
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
    ///   [`SecretError::FeatureDisabled`] for one given to a scheme with them when the crate is
    ///   built without feature `ed25519`;
    /// - in schemes that sign with ECDSA P-256 (SendGrid), the errors of
    ///   `P256PublicKey::from_encoded` (feature `p256`), and in those that sign with RSA, of
    ///   `RsaPublicKey::from_pem` (feature `rsa`): their public keys are read, never secrets.
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
        match self.algorithm.family() {
            #[cfg(feature = "p256")]
            Family::P256 => {
                return crate::secret::p256::P256PublicKey::from_encoded(text)
                    .map(|key| Material::P256Public(Box::new(key)));
            }
            #[cfg(feature = "rsa")]
            Family::Rsa => {
                return crate::secret::rsa::RsaPublicKey::from_pem(text)
                    .map(|key| Material::RsaPublic(Box::new(key)));
            }
            #[cfg(not(feature = "p256"))]
            Family::P256 => return Err(SecretError::FeatureDisabled { feature: "p256" }),
            #[cfg(not(feature = "rsa"))]
            Family::Rsa => return Err(SecretError::FeatureDisabled { feature: "rsa" }),
            Family::Hmac | Family::Ed25519 => {}
        }
        if self.algorithm == Algorithm::Ed25519 && !is_ed25519_key_text(text) {
            #[cfg(feature = "ed25519")]
            return crate::secret::ed25519::Ed25519PublicKey::from_encoded(
                text,
                self.codec_encoding,
            )
            .map(Material::Ed25519Public);
            #[cfg(not(feature = "ed25519"))]
            return Err(SecretError::FeatureDisabled { feature: "ed25519" });
        }
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
            KeyUse::Sign | KeyUse::Verify | KeyUse::Any => {
                Err(SecretError::FeatureDisabled { feature: "ed25519" })
            }
        }
    }

    /// Whether `key` can verify this scheme's signatures: a key of the scheme's kind (an HMAC
    /// secret, an Ed25519, P-256 or RSA public key), or an Ed25519 key where an HMAC scheme has
    /// Ed25519 entries.
    pub(crate) fn can_verify_with(&self, key: &Key) -> bool {
        let family = key.material().family();
        family == self.algorithm.family() || family == Family::Ed25519 && self.has_ed25519_entries()
    }

    /// Whether the signature header has Ed25519 (`v1a`) entries, whether or not the crate is
    /// built to read them.
    fn has_ed25519_entries(&self) -> bool {
        self.algorithm == Algorithm::Ed25519
            || matches!(
                &self.syntax,
                Syntax::Versioned {
                    ed25519_version: Some(_),
                    ..
                }
            )
    }

    /// How the scheme signs: an HMAC, or a signature checked with the provider's public key; for
    /// a scheme whose requests name their algorithm (AWS SNS), the first it accepts, of the same
    /// kind of key as the others.
    #[must_use]
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// Whether the scheme reads a value (its timestamp, id or signature) from a member of the
    /// body, which must then be one JSON object: Linear and Mailgun.
    #[must_use]
    pub fn reads_body_members(&self) -> bool {
        [
            Some(&self.signature),
            self.timestamp.as_ref(),
            self.id.as_ref(),
        ]
        .into_iter()
        .flatten()
        .any(|source| matches!(source, Source::Field(..)))
    }

    pub(crate) fn codec(&self) -> Codec {
        self.codec_for(self.algorithm)
    }

    /// How signatures of `algorithm` are written in this scheme.
    fn codec_for(&self, algorithm: Algorithm) -> Codec {
        Codec {
            encoding: self.codec_encoding,
            tag_len: algorithm.signature_len(),
        }
    }

    /// The algorithm a request's signatures are made with: the scheme's, or the one the request
    /// names where it names one (AWS SNS, PayPal).
    ///
    /// # Errors
    ///
    /// The missing-value error of where the name is read,
    /// [`VerifyError::MalformedBody`] for a member that is not a string without escapes, and
    /// [`VerifyError::UnknownAlgorithm`] for a name the scheme does not accept.
    pub(crate) fn algorithm_of(&self, found: &Found<'_>) -> Result<Algorithm, VerifyError> {
        let Some(choice) = &self.algorithm_choice else {
            return Ok(self.algorithm);
        };
        // A member naming the algorithm is a string (SNS's `"SignatureVersion": "2"`); the
        // number `2` is not one of the names.
        let name = match &choice.source {
            Source::Field(slot) => crate::json_field::string_of(found.member(*slot)?)?,
            source => source.read(found, HeaderKind::Algorithm)?,
        }
        .ok_or_else(|| choice.source.missing(HeaderKind::Algorithm))?;
        choice
            .table
            .iter()
            .find(|(n, _)| **n == *name)
            .map(|(_, algorithm)| *algorithm)
            .ok_or(VerifyError::UnknownAlgorithm)
    }

    /// Where requests name their algorithm, and the names accepted, when they name one.
    #[cfg(feature = "test-util")]
    pub(crate) fn algorithm_choice(&self) -> Option<&AlgorithmChoice> {
        self.algorithm_choice.as_ref()
    }

    /// Where requests name their certificate's URL, when they name one.
    #[cfg(feature = "test-util")]
    pub(crate) fn certificate_url_source(&self) -> Option<&Source> {
        self.certificate_url.as_ref().map(|(source, _)| source)
    }

    /// The signature header's value for one public-key signature already `encoded`, with the
    /// timestamp where the format carries it: what the test kit writes for the presets the
    /// crate's signer does not sign.
    #[cfg(all(feature = "test-util", any(feature = "p256", feature = "rsa")))]
    pub(crate) fn format_public_signature(&self, timestamp_digits: &str, encoded: &str) -> String {
        match &self.syntax {
            Syntax::Params { separator, key, .. } => {
                let mut out = String::new();
                if let Some(Source::Param(ts_key)) = &self.timestamp {
                    out.push_str(ts_key);
                    out.push('=');
                    out.push_str(timestamp_digits);
                    out.push(char::from(*separator));
                }
                out.push_str(key);
                out.push('=');
                out.push_str(encoded);
                out
            }
            Syntax::Versioned { version, .. } => format!("{version},{encoded}"),
            Syntax::Prefixed { prefix } => format!("{prefix}{encoded}"),
            Syntax::Bare | Syntax::Token(_) => encoded.to_owned(),
        }
    }

    /// Whether an HMAC over the content can be computed as the body arrives: nothing in the
    /// content is found in, or built from, the body, which is signed once, under one spelling
    /// of the URL.
    pub(crate) fn streams_body(&self) -> bool {
        self.streams_body
    }

    /// The mask of the scheme's replay keys made of a MAC tag
    /// ([`ReplayKey::tag_mask`](crate::ReplayKey)).
    pub(crate) fn replay_mask(&self) -> &[u8; 16] {
        &self.replay_mask
    }

    /// The headers the scheme reads on every request.
    pub(crate) fn header_table(&self) -> &HeaderTable {
        &self.headers
    }

    pub(crate) fn signature_source(&self) -> &Source {
        &self.signature
    }

    pub(crate) fn timestamp_source(&self) -> Option<&Source> {
        self.timestamp.as_ref()
    }

    pub(crate) fn id_source(&self) -> Option<&Source> {
        self.id.as_ref()
    }

    /// The signature header's parameter that lists the signed headers, if the scheme has one.
    pub(crate) fn listed_param(&self) -> Option<&str> {
        self.listed_param.as_deref()
    }

    /// Whether the format carries several signatures.
    pub(crate) fn carries_several(&self) -> bool {
        matches!(
            self.syntax,
            Syntax::Params { .. } | Syntax::Versioned { .. }
        )
    }

    /// Parses the signature header's value (already checked for length), signatures of
    /// `algorithm`, into `presented`.
    pub(crate) fn parse_signatures<'a>(
        &self,
        value: &'a [u8],
        algorithm: Algorithm,
        presented: &mut Presented<'a>,
    ) -> Result<(), VerifyError> {
        let codec = self.codec_for(algorithm);
        match &self.syntax {
            Syntax::Params {
                separator,
                spaced,
                key,
            } => {
                let ts_key = match &self.timestamp {
                    Some(Source::Param(k)) => Some(k.as_bytes()),
                    _ => None,
                };
                parse::parse_params(
                    value,
                    (*separator, *spaced),
                    parse::ParamKeys {
                        signature: key.as_bytes(),
                        timestamp: ts_key.map(|k| (k, self.timestamp_format)),
                        listed: self.listed_param.as_deref().map(str::as_bytes),
                    },
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
                parse::parse_single(value, prefix.as_bytes(), codec, algorithm, presented)
            }
            Syntax::Bare => parse::parse_single(value, b"", codec, algorithm, presented),
            Syntax::Token(_) => {
                let signature = crate::token::split(value)?.1;
                parse::push_token_signature(signature, codec, algorithm, presented)
            }
        }
    }

    /// What the public-key signatures of a request whose signatures are made with `algorithm`
    /// are made with, and how they are written: as the scheme writes its signatures where it
    /// signs with a public key (Discord: hex Ed25519), Ed25519 in base64 in the `v1a` entries of
    /// an HMAC scheme.
    pub(crate) fn public_signatures(&self, algorithm: Algorithm) -> (Algorithm, Codec) {
        match algorithm.is_public_key() {
            true => (algorithm, self.codec_for(algorithm)),
            false => (Algorithm::Ed25519, parse::ED25519_BASE64),
        }
    }

    /// The tag of one request's signed content under `key`.
    pub(crate) fn tag(&self, key: &MacKey, content: &Content<'_>) -> Tag {
        key.tag_with(self.algorithm, content)
    }

    /// The signature header's value for these entries, in order.
    pub(crate) fn format_signatures(
        &self,
        timestamp_digits: &str,
        listed: &[u8],
        tags: &[Tag],
        ed25519: &[[u8; 64]],
    ) -> String {
        let codec = self.codec();
        let mut out = String::with_capacity(32 + tags.len() * (codec.text_len() + 8));
        match &self.syntax {
            Syntax::Params {
                separator,
                spaced,
                key,
            } => {
                let sep = char::from(*separator);
                if let Some(Source::Param(ts_key)) = &self.timestamp {
                    out.push_str(ts_key);
                    out.push('=');
                    out.push_str(timestamp_digits);
                }
                if let Some(list_key) = &self.listed_param {
                    if !out.is_empty() {
                        out.push(sep);
                    }
                    out.push_str(list_key);
                    out.push('=');
                    out.push_str(core::str::from_utf8(listed).unwrap_or_default());
                }
                for tag in tags {
                    if !out.is_empty() {
                        out.push(sep);
                        if *spaced {
                            out.push(' ');
                        }
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
                if let Some(label) = ed25519_version {
                    for sig in ed25519 {
                        if !out.is_empty() {
                            out.push(' ');
                        }
                        out.push_str(label);
                        out.push(',');
                        parse::ED25519_BASE64.encode(sig, &mut out);
                    }
                }
            }
            Syntax::Prefixed { prefix } => {
                out.push_str(prefix);
                self.encode_single(tags, ed25519_first(ed25519), &mut out);
            }
            Syntax::Bare => self.encode_single(tags, ed25519_first(ed25519), &mut out),
            // Tokens are the issuer's to sign.
            Syntax::Token(_) => {}
        }
        out
    }

    /// The one signature of a format that carries one: the first tag, or the first Ed25519
    /// signature in schemes that sign with Ed25519 alone.
    fn encode_single(&self, tags: &[Tag], ed25519: Option<&[u8; 64]>, out: &mut String) {
        if let (Algorithm::Ed25519, Some(sig)) = (self.algorithm, ed25519) {
            self.codec_for(Algorithm::Ed25519).encode(sig, out);
            return;
        }
        if let Some(tag) = tags.first() {
            self.codec().encode(tag, out);
        }
    }
}

/// Which parts a scheme's content holds, beyond its headers' values and the body: found once,
/// when the scheme is built, so a verification does not look for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Reads {
    id: bool,
    line: bool,
    url: bool,
    form: bool,
    endpoint_id: bool,
    /// Values built from the request: the form, listed headers, members, the CRC-32.
    derived: bool,
}

impl Reads {
    /// What `content` holds; a scheme with a body digest parameter reads the request line too,
    /// and one whose id is the top-level member `id_member` signs it where the content holds
    /// that member.
    pub(crate) fn of(
        content: &[PartKind],
        body_digest_param: bool,
        id_member: Option<&str>,
    ) -> Self {
        let has = |f: &dyn Fn(&PartKind) -> bool| content.iter().any(f);
        Self {
            id: has(&|p| *p == PartKind::Id || id_member.is_some_and(|m| p.signs_member(m))),
            line: body_digest_param
                || has(&|p| matches!(p, PartKind::Method | PartKind::Path | PartKind::Url)),
            url: has(&|p| *p == PartKind::Url),
            form: has(&|p| *p == PartKind::Form),
            endpoint_id: has(&|p| *p == PartKind::EndpointId),
            derived: has(&|p| {
                matches!(
                    p,
                    PartKind::Form
                        | PartKind::Listed(_)
                        | PartKind::Members(_)
                        | PartKind::BodyCrc32
                )
            }),
        }
    }
}

/// What a document of published keys is.
#[cfg(feature = "x509")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyDocument {
    /// One PEM certificate.
    Certificate,
    /// A JSON Web Key Set.
    KeySet,
}

/// Where requests name their algorithm, and the names a scheme accepts
/// ([`SchemeBuilder::algorithm_header`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AlgorithmChoice {
    pub(crate) source: Source,
    pub(crate) table: Box<[(Box<[u8]>, Algorithm)]>,
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

/// The first Ed25519 signature made, if any.
fn ed25519_first(signatures: &[[u8; 64]]) -> Option<&[u8; 64]> {
    signatures.first()
}

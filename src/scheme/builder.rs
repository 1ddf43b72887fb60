//! [`SchemeBuilder`] and the pieces a scheme is described with.

use alloc::borrow::ToOwned;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use core::time::Duration;

use super::{Algorithm, Handshake};
use super::{HeaderSpec, MAX_FIELD_DEPTH, MAX_PARTS, Scheme, Source, parse};
use crate::error::ConfigError;
use crate::header_table::HeaderTable;
use crate::key_source::AllowList;
use crate::secret::SecretFormat;
use crate::timestamp::TimestampFormat;

/// How tags are written in a signature header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Encoding {
    /// Lowercase hex (Stripe, GitHub, Slack, Paddle, Zoom).
    Hex,
    /// Standard-alphabet base64 with padding (Standard Webhooks, Shopify).
    Base64,
    /// URL-safe base64 without padding, as JSON Web Signatures write it (Google's ID tokens).
    Base64Url,
}

/// The syntax of a signature header.
///
/// ```
/// use hookseal::scheme::SignatureFormat;
///
/// let stripe = SignatureFormat::params(',', "v1");        // t=…,v1=…,v1=…
/// let paddle = SignatureFormat::params(';', "h1");        // ts=…;h1=…
/// let standard = SignatureFormat::versioned("v1");        // v1,… v1,…
/// let github = SignatureFormat::prefixed("sha256=");      // sha256=…
/// let shopify = SignatureFormat::bare();                  // …
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureFormat(pub(super) Syntax);

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Syntax {
    Params {
        separator: u8,
        /// One space follows each separator.
        spaced: bool,
        key: Box<str>,
    },
    Versioned {
        version: Box<str>,
        ed25519_version: Option<Box<str>>,
    },
    Prefixed {
        prefix: Box<str>,
    },
    Bare,
    /// `Bearer <JWT>`, whose claims the rules check.
    Token(Box<crate::token::TokenRules>),
}

impl SignatureFormat {
    /// A list of `key=value` entries separated by `separator` (`,` or `;`), in which each
    /// signature is an entry with key `signature_key`; several are allowed. Entries with other
    /// keys are skipped. The timestamp may be one of the entries
    /// ([`SchemeBuilder::timestamp_param`]).
    #[must_use]
    pub fn params(separator: char, signature_key: &str) -> Self {
        // A separator outside ASCII is refused by `build`; NUL stands in for it here.
        let separator = u8::try_from(separator).unwrap_or(0);
        Self(Syntax::Params {
            separator,
            spaced: false,
            key: signature_key.into(),
        })
    }

    /// Entries of a [`SignatureFormat::params`] list are separated by the separator and one
    /// space (WorkOS: `t=…, v1=…`), exactly. Ignored for other formats.
    #[must_use]
    pub fn with_space_after_separator(mut self) -> Self {
        if let Syntax::Params { spaced, .. } = &mut self.0 {
            *spaced = true;
        }
        self
    }

    /// A space-separated list of `version,signature` entries, as Standard Webhooks writes them;
    /// HMAC signatures carry `version`. Entries of other versions are skipped.
    #[must_use]
    pub fn versioned(version: &str) -> Self {
        Self(Syntax::Versioned {
            version: version.into(),
            ed25519_version: None,
        })
    }

    /// Entries of `version` hold Ed25519 signatures (Standard Webhooks' `v1a`). They are
    /// checked with the `ed25519` feature and skipped like unknown versions without it. Only for
    /// [`SignatureFormat::versioned`]; ignored otherwise.
    #[must_use]
    pub fn with_ed25519_version(mut self, version: &str) -> Self {
        if let Syntax::Versioned {
            ed25519_version, ..
        } = &mut self.0
        {
            *ed25519_version = Some(version.into());
        }
        self
    }

    /// A single signature after a fixed prefix, such as GitHub's `sha256=` or Slack's `v0=`.
    #[must_use]
    pub fn prefixed(prefix: &str) -> Self {
        Self(Syntax::Prefixed {
            prefix: prefix.into(),
        })
    }

    /// A single signature and nothing else, as Shopify sends it.
    #[must_use]
    pub fn bare() -> Self {
        Self(Syntax::Bare)
    }

    /// `Bearer <JWT>` (Google's ID tokens on Pub/Sub push): a JSON Web Token whose signature
    /// covers its own header and claims, not the body. Its header names the algorithm and the
    /// key, its claims the issuer, audience, account and lifetime, which `rules` and the
    /// verifier check. The scheme's signed content is the token's; its timestamp is the token's
    /// `iat`, and a token past its `exp` is refused.
    #[must_use]
    pub fn bearer_token(rules: crate::token::TokenRules) -> Self {
        Self(Syntax::Token(Box::new(rules)))
    }

    /// Whether `label` starts an entry of a built-in scheme's signature header: a signature key
    /// (`v1`, `h1`), a version (`v1`, `v1a`), a prefix without its `=` (`sha256`, `sha1`, `v0`),
    /// a timestamp parameter (`t`, `ts`) or a header list (`h`). Secret parsing refuses text starting with one.
    ///
    /// The labels are read from the built-in schemes themselves, once, so they follow the
    /// schemes' formats.
    pub(crate) fn is_builtin_label(label: &str) -> bool {
        BUILTIN_LABELS.contains(&label)
    }
}

/// The labels of [`SignatureFormat::is_builtin_label`], sorted: those the built-in schemes
/// write, as a test reads them from the schemes themselves.
const BUILTIN_LABELS: [&str; 9] = ["h", "h1", "sha1", "sha256", "t", "ts", "v0", "v1", "v1a"];

/// Every built-in scheme, the legacy SHA-1 one included.
#[cfg(test)]
fn builtin_schemes() -> impl Iterator<Item = Scheme> {
    Scheme::presets()
        .into_iter()
        .chain([crate::dangerous::github_sha1()])
}

/// One piece of a scheme's signed content; the content is the pieces' bytes in order.
///
/// ```
/// use hookseal::scheme::Part;
///
/// // Standard Webhooks: `id.timestamp.body`.
/// let parts = [Part::id(), Part::text("."), Part::timestamp(), Part::text("."), Part::body()];
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part(pub(super) PartKind);

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PartKind {
    Id,
    Timestamp,
    Body,
    Text(Box<[u8]>),
    Method,
    Path,
    Url,
    Form,
    /// The headers listed as signed: the list as sent, then each value after `separator`.
    Listed(Box<[u8]>),
    /// Members of the JSON body, each present one as `name\nvalue\n`.
    Members(Box<[Box<str>]>),
    /// The body's CRC-32, in decimal.
    BodyCrc32,
    /// The verifier's endpoint id.
    EndpointId,
    /// A bearer token's header and claims, as sent.
    Token,
}

impl PartKind {
    /// Whether the part's bytes vary from request to request.
    fn is_variable(&self) -> bool {
        !matches!(self, Self::Text(_))
    }

    /// Whether the part stands for the body in the signed content.
    fn is_body(&self) -> bool {
        matches!(self, Self::Body | Self::Form | Self::BodyCrc32)
    }

    /// Whether the part signs the body's top-level member `name`.
    pub(super) fn signs_member(&self, name: &str) -> bool {
        matches!(self, Self::Members(names) if names.iter().any(|n| **n == *name))
    }
}

impl Part {
    /// The delivery id, as sent in the id header. A signed id is required on every request.
    #[must_use]
    pub fn id() -> Self {
        Self(PartKind::Id)
    }

    /// The timestamp's decimal digits, as sent.
    #[must_use]
    pub fn timestamp() -> Self {
        Self(PartKind::Timestamp)
    }

    /// The raw body.
    #[must_use]
    pub fn body() -> Self {
        Self(PartKind::Body)
    }

    /// Fixed text, such as a `.` separator or Slack's `v0:` (1 to 32 bytes).
    #[must_use]
    pub fn text(text: &str) -> Self {
        Self(PartKind::Text(text.as_bytes().into()))
    }

    /// The request's method, as received (`POST`).
    #[must_use]
    pub fn method() -> Self {
        Self(PartKind::Method)
    }

    /// The request's target: the path with its query, as received (`/hook?a=1`).
    #[must_use]
    pub fn path() -> Self {
        Self(PartKind::Path)
    }

    /// The public URL the sender posted to: the verifier's public base URL followed by the
    /// request's target (`https://example.com/hook?a=1`).
    #[must_use]
    pub fn url() -> Self {
        Self(PartKind::Url)
    }

    /// The headers the signature header lists as signed (Hook0's `h=`): the list as sent, then
    /// each listed header's value after `separator` (1 to 32 bytes). Reading the list allocates
    /// one header name per entry.
    #[must_use]
    pub fn listed_headers(separator: &str) -> Self {
        Self(PartKind::Listed(separator.as_bytes().into()))
    }

    /// The body read as an `application/x-www-form-urlencoded` form: its parameters decoded,
    /// sorted by name and then by value, each distinct pair once, as `name‖value` with nothing
    /// between (Twilio). Stands for the body in the signed content; the only part that
    /// allocates (a copy of the decoded body and one entry per parameter, at most 1024).
    #[must_use]
    pub fn form() -> Self {
        Self(PartKind::Form)
    }

    /// Top-level string members of the JSON body, in the order named here: each one present as
    /// its name, a line feed, its value (escapes decoded) and a line feed; absent ones leave no
    /// trace (AWS SNS, whose signature is a member of the body too). Only the first member's
    /// value may hold a line feed (`VerifyError::MalformedBody` for another's): otherwise one
    /// member could carry others folded into it and the content read two ways. 1 to 16 distinct names of
    /// 1 to 64 bytes. A member named here signs the timestamp or the id read from it. Reading
    /// the members allocates one buffer.
    #[must_use]
    pub fn named_members(names: &[&str]) -> Self {
        Self(PartKind::Members(
            names.iter().map(|n| (*n).into()).collect(),
        ))
    }

    /// The CRC-32 (IEEE, as zlib computes it) of the raw body, in unsigned decimal (PayPal).
    /// It stands for the body: a checksum, not a digest, so only a public-key signature over it
    /// makes it worth anything — and then the body is as good as signed only while nobody can
    /// choose a second body with the same CRC-32, which anyone can. A scheme that signs it does
    /// not authenticate its body; it needs [`SchemeBuilder::algorithm`] of a public key.
    #[must_use]
    pub fn body_crc32() -> Self {
        Self(PartKind::BodyCrc32)
    }

    /// The id the provider gave the receiving endpoint, from the verifier's configuration
    /// ([`Verifier::with_endpoint_id`](crate::Verifier::with_endpoint_id)): PayPal's webhook id.
    #[must_use]
    pub fn endpoint_id() -> Self {
        Self(PartKind::EndpointId)
    }
}

/// Builds a [`Scheme`]: start with [`Scheme::custom`], describe the format, then
/// [`SchemeBuilder::build`].
///
/// Defaults: signature format [`SignatureFormat::bare`], [`Encoding::Hex`], no timestamp, no id
/// header, signed content = the body alone (or `timestamp.body` once a timestamp is read),
/// secrets as [`SecretFormat::text`], headers of at most 2048 bytes carrying at most 8
/// signatures.
#[derive(Debug, Clone)]
#[must_use]
pub struct SchemeBuilder {
    name: String,
    signature: Option<String>,
    signature_fallback: Option<String>,
    format: SignatureFormat,
    encoding: Encoding,
    signature_field: Option<Vec<String>>,
    timestamp: TimestampConfig,
    timestamp_fallback: Option<String>,
    timestamp_format: TimestampFormat,
    id: Option<String>,
    id_fallback: Option<String>,
    id_field: Option<Vec<String>>,
    content: Option<Vec<Part>>,
    secret_format: SecretFormat,
    max_header_len: usize,
    max_signatures: usize,
    algorithm: Algorithm,
    tolerance: Option<Duration>,
    url_port_variants: bool,
    body_digest_param: Option<String>,
    listed_param: Option<String>,
    algorithm_choice: Option<(SourceConfig, Vec<(String, Algorithm)>)>,
    certificate_url: Option<(SourceConfig, AllowList)>,
    provider_layout: bool,
    handshake: Option<Handshake>,
}

/// Where a value is read from: a header or a member of the body.
#[derive(Debug, Clone)]
enum SourceConfig {
    Header(String),
    Field(Vec<String>),
}

#[derive(Debug, Clone)]
enum TimestampConfig {
    None,
    Param(String),
    Header(String),
    Field(Vec<String>),
}

impl SchemeBuilder {
    pub(super) fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            signature: None,
            signature_fallback: None,
            format: SignatureFormat::bare(),
            encoding: Encoding::Hex,
            signature_field: None,
            timestamp: TimestampConfig::None,
            timestamp_fallback: None,
            timestamp_format: TimestampFormat::UnixSecs,
            id: None,
            id_fallback: None,
            id_field: None,
            content: None,
            secret_format: SecretFormat::text(),
            max_header_len: DEFAULT_MAX_HEADER_LEN,
            max_signatures: parse::MAX_SIGNATURES,
            algorithm: Algorithm::HmacSha256,
            tolerance: None,
            url_port_variants: false,
            body_digest_param: None,
            listed_param: None,
            algorithm_choice: None,
            certificate_url: None,
            provider_layout: false,
            handshake: None,
        }
    }

    /// The header that carries the signatures. Required.
    pub fn signature_header(mut self, name: &str) -> Self {
        self.signature = Some(name.to_owned());
        self
    }

    /// A second name for the signature header, read when the first is absent. Defaults to none.
    pub fn fallback_signature_header(mut self, name: &str) -> Self {
        self.signature_fallback = Some(name.to_owned());
        self
    }

    /// The signature header's syntax. Defaults to [`SignatureFormat::bare`].
    pub fn signature_format(mut self, format: SignatureFormat) -> Self {
        self.format = format;
        self
    }

    /// How tags are encoded. Defaults to [`Encoding::Hex`].
    pub fn encoding(mut self, encoding: Encoding) -> Self {
        self.encoding = encoding;
        self
    }

    /// The signature is the member of the JSON body at `path` (names, outermost first: Mailgun's
    /// `["signature", "signature"]`) instead of a header. The body then cannot be signed, since
    /// it holds the signature.
    pub fn signature_field(mut self, path: &[&str]) -> Self {
        self.signature_field = Some(path.iter().map(|n| (*n).to_owned()).collect());
        self
    }

    /// The timestamp is the member of the JSON body at `path` (Linear's
    /// `["webhookTimestamp"]`), a number or a string without escapes. Replaces any timestamp
    /// header or parameter.
    pub fn timestamp_field(mut self, path: &[&str]) -> Self {
        self.timestamp = TimestampConfig::Field(path.iter().map(|n| (*n).to_owned()).collect());
        self
    }

    /// How the timestamp is written. Defaults to [`TimestampFormat::UnixSecs`].
    pub fn timestamp_format(mut self, format: TimestampFormat) -> Self {
        self.timestamp_format = format;
        self
    }

    /// The delivery id is the member of the JSON body at `path` (Mailgun's
    /// `["signature", "token"]`), a string without escapes. Replaces any id header.
    pub fn id_field(mut self, path: &[&str]) -> Self {
        self.id_field = Some(path.iter().map(|n| (*n).to_owned()).collect());
        self
    }

    /// The window the provider accepts on each side of now, which verifiers start from
    /// instead of 300 s (whole seconds; at most 24 hours). Defaults to none.
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = Some(tolerance);
        self
    }

    /// The timestamp is the signature header's entry with this key (Stripe's `t`). Replaces any
    /// timestamp header. Defaults to no timestamp.
    pub fn timestamp_param(mut self, key: &str) -> Self {
        self.timestamp = TimestampConfig::Param(key.to_owned());
        self
    }

    /// The timestamp is sent in this header. Replaces any timestamp parameter. Defaults to no
    /// timestamp.
    pub fn timestamp_header(mut self, name: &str) -> Self {
        self.timestamp = TimestampConfig::Header(name.to_owned());
        self
    }

    /// A second name for the timestamp header, read when the first is absent.
    pub fn fallback_timestamp_header(mut self, name: &str) -> Self {
        self.timestamp_fallback = Some(name.to_owned());
        self
    }

    /// The header that carries the delivery id. Defaults to none.
    pub fn id_header(mut self, name: &str) -> Self {
        self.id = Some(name.to_owned());
        self
    }

    /// A second name for the id header, read when the first is absent.
    pub fn fallback_id_header(mut self, name: &str) -> Self {
        self.id_fallback = Some(name.to_owned());
        self
    }

    /// The signed content, as parts in order (at most 8). It must contain the body (or the form
    /// read from it) exactly once — not at all when the signature is a member of the body — and
    /// the timestamp exactly once when the scheme reads one (unless it is read from the signed
    /// body); it may contain the id (which makes the id required), and each of the method, the
    /// path and the URL once. A text part must separate any two parts that vary.
    pub fn signed_content(mut self, parts: impl IntoIterator<Item = Part>) -> Self {
        self.content = Some(parts.into_iter().collect());
        self
    }

    /// How secrets are written. Defaults to [`SecretFormat::text`].
    pub fn secret_format(mut self, format: SecretFormat) -> Self {
        self.secret_format = format;
        self
    }

    /// The longest signature header accepted, 16 bytes to 64 KiB. Defaults to 2048.
    pub fn max_header_len(mut self, len: usize) -> Self {
        self.max_header_len = len;
        self
    }

    /// The most signatures accepted in one header, 1 to 8. Defaults to 8 (always 1 for formats
    /// that carry a single signature).
    pub fn max_signatures(mut self, n: usize) -> Self {
        self.max_signatures = n;
        self
    }

    /// Signs with `algorithm`: HMAC-SHA1 for the providers that still use it, Ed25519 for those
    /// that sign with a public key alone. Defaults to [`Algorithm::HmacSha256`].
    pub fn algorithm(mut self, algorithm: Algorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// Each request names its algorithm in the header `name`, whose value must be one of
    /// `table`'s names (PayPal's `PAYPAL-AUTH-ALGO: SHA256withRSA`); any other value is refused
    /// ([`VerifyError::UnknownAlgorithm`](crate::VerifyError::UnknownAlgorithm)). Replaces
    /// [`SchemeBuilder::algorithm`]. 1 to 4 entries, each a distinct name of 1 to 32 visible
    /// ASCII bytes, all verified by one kind of key.
    pub fn algorithm_header(mut self, name: &str, table: &[(&str, Algorithm)]) -> Self {
        self.algorithm_choice = Some((SourceConfig::Header(name.to_owned()), owned(table)));
        self
    }

    /// As [`SchemeBuilder::algorithm_header`], with the name read from the member of the JSON
    /// body at `path` (AWS SNS's `SignatureVersion`: `"1"` for RSA-SHA1, `"2"` for RSA-SHA256),
    /// which must be a string without escapes
    /// ([`VerifyError::MalformedBody`](crate::VerifyError::MalformedBody) otherwise).
    pub fn algorithm_field(mut self, path: &[&str], table: &[(&str, Algorithm)]) -> Self {
        let path = path.iter().map(|n| (*n).to_owned()).collect();
        self.algorithm_choice = Some((SourceConfig::Field(path), owned(table)));
        self
    }

    /// Each request names, in the header `name`, the URL of the sender's certificate (PayPal's
    /// `PAYPAL-CERT-URL`), which must pass `allow` before anything is fetched. A verifier made
    /// with [`Verifier::fetching`](crate::Verifier::fetching) fetches it through its
    /// [`KeyCache`](crate::KeyCache) (feature `x509`); one that holds a keyring ignores it.
    pub fn certificate_url_header(mut self, name: &str, allow: AllowList) -> Self {
        self.certificate_url = Some((SourceConfig::Header(name.to_owned()), allow));
        self
    }

    /// As [`SchemeBuilder::certificate_url_header`], with the URL read from the member of the
    /// JSON body at `path` (AWS SNS's `SigningCertURL`).
    pub fn certificate_url_field(mut self, path: &[&str], allow: AllowList) -> Self {
        let path = path.iter().map(|n| (*n).to_owned()).collect();
        self.certificate_url = Some((SourceConfig::Field(path), allow));
        self
    }

    /// The sender signs the URL with or without its port (Twilio): verification tries the
    /// public URL with its port (the default one added when it has none) and without any. Needs
    /// [`Part::url`] in the content.
    pub fn url_port_variants(mut self) -> Self {
        self.url_port_variants = true;
        self
    }

    /// The query parameter `name`, when present, holds the lowercase hex SHA-256 of the body
    /// and stands for the form in the signed content (Twilio's `bodySHA256`): the form is then
    /// empty, and a digest that is not the body's fails verification. Needs [`Part::form`].
    pub fn body_digest_param(mut self, name: &str) -> Self {
        self.body_digest_param = Some(name.to_owned());
        self
    }

    /// The signature header's entry with key `key` lists the signed headers by name, separated
    /// by single spaces (Hook0's `h`): [`Part::listed_headers`] signs them. Each listed header
    /// must be sent, once; at most 16. Needs a [`SignatureFormat::params`] header.
    pub fn listed_headers_param(mut self, key: &str) -> Self {
        self.listed_param = Some(key.to_owned());
        self
    }

    /// The provider's handshake, answered before the handler ([`Handshake`]). Defaults to none.
    pub fn handshake(mut self, handshake: Handshake) -> Self {
        self.handshake = Some(handshake);
        self
    }

    /// The layout is the provider's, variable parts side by side included: each preset that
    /// sets it says in its docs why its adjacent parts cannot be shifted into one another in a
    /// way that passes verification, or what a shift can reach.
    pub(crate) fn provider_layout(mut self) -> Self {
        self.provider_layout = true;
        self
    }

    /// Checks the description and builds the scheme.
    ///
    /// # Errors
    ///
    /// - [`ConfigError::InvalidSchemeName`] for a bad name;
    /// - [`ConfigError::MissingSignatureHeader`] without a signature header;
    /// - [`ConfigError::InvalidHeaderName`] for a header name that is not an HTTP token;
    /// - [`ConfigError::InvalidLabel`] for a bad separator, key, version or prefix;
    /// - [`ConfigError::TimestampParamNeedsParams`] for a timestamp parameter in a format
    ///   without parameters;
    /// - [`ConfigError::BodyNotSigned`], [`ConfigError::TimestampNotSigned`],
    ///   [`ConfigError::UnknownContentPart`] and [`ConfigError::InvalidSignedContent`] for signed
    ///   content that leaves out the body or a timestamp that is read, or uses one that is not;
    /// - [`ConfigError::AdjacentVariableParts`] for signed content in which two of the id,
    ///   timestamp and body are not separated by a text part;
    /// - [`ConfigError::InvalidLimit`] for limits out of range;
    /// - [`ConfigError::InvalidHandshake`] for a handshake answered with an HMAC in a scheme
    ///   whose keys are public keys.
    pub fn build(self) -> Result<Scheme, ConfigError> {
        check_scheme_name(&self.name)?;
        let mut headers = HeaderTable::default();
        let signature = match (&self.signature_field, self.signature.as_deref()) {
            (Some(path), _) => field(path, &mut headers)?,
            (None, Some(name)) => Source::Header(HeaderSpec::new(
                name,
                self.signature_fallback.as_deref(),
                &mut headers,
            )?),
            (None, None) => return Err(ConfigError::MissingSignatureHeader),
        };
        check_format(&self.format.0)?;

        let timestamp = match &self.timestamp {
            TimestampConfig::None => None,
            TimestampConfig::Param(key) => {
                let Syntax::Params { key: sig_key, .. } = &self.format.0 else {
                    return Err(ConfigError::TimestampParamNeedsParams);
                };
                if !is_param_key(key) || key.as_str() == &**sig_key {
                    return Err(ConfigError::InvalidLabel);
                }
                Some(Source::Param(key.as_str().into()))
            }
            TimestampConfig::Header(name) => Some(Source::Header(HeaderSpec::new(
                name,
                self.timestamp_fallback.as_deref(),
                &mut headers,
            )?)),
            TimestampConfig::Field(path) => Some(field(path, &mut headers)?),
        };
        let id = match (&self.id_field, self.id.as_deref()) {
            (Some(path), _) => Some(field(path, &mut headers)?),
            (None, Some(name)) => Some(Source::Header(HeaderSpec::new(
                name,
                self.id_fallback.as_deref(),
                &mut headers,
            )?)),
            (None, None) => None,
        };
        let tolerance = match self.tolerance {
            Some(t) if t.as_secs() == 0 || t > MAX_TOLERANCE => {
                return Err(ConfigError::InvalidLimit);
            }
            t => t.map(|t| t.as_secs()),
        };

        let algorithm_choice = (self.algorithm_choice)
            .map(|choice| algorithm_choice(choice, &mut headers))
            .transpose()?;
        let certificate_url = match self.certificate_url {
            Some((source, allow)) => Some((source.build(&mut headers)?, allow)),
            None => None,
        };
        let token_algorithm = match &self.format.0 {
            Syntax::Token(rules) => Some(rules.algorithm()),
            _ => None,
        };
        let token = token_algorithm.is_some();
        let algorithm = match (&algorithm_choice, token_algorithm) {
            (Some(choice), _) => choice.table.first().map_or(self.algorithm, |(_, a)| *a),
            (None, Some(algorithm)) => algorithm,
            (None, None) => self.algorithm,
        };
        // A token carries its own time and content, and signs no part of the request.
        if token && (self.content.is_some() || timestamp.is_some()) {
            return Err(ConfigError::InvalidSignedContent);
        }
        let has_timestamp = timestamp.is_some();
        let content: Vec<PartKind> = match self.content {
            Some(parts) => parts.into_iter().map(|p| p.0).collect(),
            None if token => vec![PartKind::Token],
            None if has_timestamp => vec![
                PartKind::Timestamp,
                PartKind::Text(b".".as_slice().into()),
                PartKind::Body,
            ],
            None => vec![PartKind::Body],
        };
        check_content(
            &content,
            Expected {
                timestamp: has_timestamp,
                timestamp_in_body: matches!(timestamp, Some(Source::Field(..))),
                id: id.is_some(),
                body: !matches!(signature, Source::Field(..)) && !token,
                provider_layout: self.provider_layout,
                timestamp_member: timestamp
                    .as_ref()
                    .and_then(|t| t.top_level_member(&headers)),
                public_key: algorithm.is_public_key(),
            },
        )?;
        let lists = content.iter().any(|p| matches!(p, PartKind::Listed(_)));
        if self.url_port_variants && !content.contains(&PartKind::Url)
            || self.body_digest_param.is_some() && !content.contains(&PartKind::Form)
            || self.listed_param.is_some() != lists
        {
            return Err(ConfigError::InvalidSignedContent);
        }

        if !(MIN_HEADER_LEN..=MAX_HEADER_LEN).contains(&self.max_header_len)
            || !(1..=parse::MAX_SIGNATURES).contains(&self.max_signatures)
        {
            return Err(ConfigError::InvalidLimit);
        }
        let max_signatures = match self.format.0 {
            Syntax::Params { .. } | Syntax::Versioned { .. } => self.max_signatures,
            Syntax::Prefixed { .. } | Syntax::Bare | Syntax::Token(_) => 1,
        };

        if self
            .handshake
            .as_ref()
            .is_some_and(Handshake::answers_with_hmac)
            && algorithm.is_public_key()
        {
            return Err(ConfigError::InvalidHandshake);
        }

        let reads = super::Reads::of(
            &content,
            self.body_digest_param.is_some(),
            id.as_ref().and_then(|id| id.top_level_member(&headers)),
        );
        // A MAC can run over the body as it arrives where nothing in the content is found in,
        // or built from, the body, and the body is signed once, under one spelling of the URL.
        let from_body = [Some(&signature), timestamp.as_ref(), id.as_ref()]
            .into_iter()
            .flatten()
            .any(|source| matches!(source, Source::Field(..)));
        let streams_body = !algorithm.is_public_key()
            && algorithm_choice.is_none()
            && !token
            && !reads.derived
            && !from_body
            && !self.url_port_variants
            && content.iter().filter(|p| **p == PartKind::Body).count() == 1;
        Ok(Scheme {
            replay_mask: crate::replay::ReplayKey::tag_mask(&self.name),
            name: self.name.into(),
            streams_body,
            signature,
            timestamp,
            timestamp_format: self.timestamp_format,
            id,
            reads,
            headers,
            content: content.into(),
            tolerance,
            url_port_variants: self.url_port_variants,
            body_digest_param: self.body_digest_param.map(Into::into),
            listed_param: self.listed_param.map(Into::into),
            syntax: self.format.0,
            // A token's signature is base64url, whatever else is set.
            codec_encoding: match token {
                true => Encoding::Base64Url,
                false => self.encoding,
            },
            algorithm,
            algorithm_choice,
            certificate_url,
            secret_format: self.secret_format,
            max_header_len: self.max_header_len,
            max_signatures,
            handshake: self.handshake,
        })
    }
}

/// An algorithm table, owned.
fn owned(table: &[(&str, Algorithm)]) -> Vec<(String, Algorithm)> {
    table.iter().map(|(n, a)| ((*n).to_owned(), *a)).collect()
}

impl SourceConfig {
    fn build(self, headers: &mut HeaderTable) -> Result<Source, ConfigError> {
        match self {
            Self::Header(name) => Ok(Source::Header(HeaderSpec::new(&name, None, headers)?)),
            Self::Field(path) => field(&path, headers),
        }
    }
}

/// Checks a table of algorithms named by requests and builds where its names are read.
fn algorithm_choice(
    (source, table): (SourceConfig, Vec<(String, Algorithm)>),
    headers: &mut HeaderTable,
) -> Result<super::AlgorithmChoice, ConfigError> {
    let source = source.build(headers)?;
    let first = table.first().map(|(_, a)| a.family());
    let ok = (1..=4).contains(&table.len())
        && table.iter().enumerate().all(|(i, (name, algorithm))| {
            (1..=MAX_LABEL_LEN).contains(&name.len())
                && name.bytes().all(|b| b.is_ascii_graphic())
                && Some(algorithm.family()) == first
                && !table.iter().take(i).any(|(n, _)| n == name)
        });
    if !ok {
        return Err(ConfigError::InvalidLabel);
    }
    Ok(super::AlgorithmChoice {
        source,
        table: table
            .into_iter()
            .map(|(n, a)| (n.into_bytes().into(), a))
            .collect(),
    })
}

fn check_scheme_name(name: &str) -> Result<(), ConfigError> {
    let ok = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(ConfigError::InvalidSchemeName)
    }
}

fn check_format(syntax: &Syntax) -> Result<(), ConfigError> {
    let ok = match syntax {
        Syntax::Params { separator, key, .. } => {
            matches!(separator, b',' | b';') && is_param_key(key)
        }
        Syntax::Versioned {
            version,
            ed25519_version,
        } => {
            is_version(version)
                && ed25519_version
                    .as_deref()
                    .is_none_or(|v| is_version(v) && v != &**version)
        }
        Syntax::Prefixed { prefix } => {
            (1..=MAX_LABEL_LEN).contains(&prefix.len())
                && prefix.bytes().all(|b| b.is_ascii_graphic())
        }
        Syntax::Bare | Syntax::Token(_) => true,
    };
    if ok {
        Ok(())
    } else {
        Err(ConfigError::InvalidLabel)
    }
}

/// What the signed content must hold, from the rest of the description.
struct Expected<'a> {
    /// A timestamp is read, so it must be signed.
    timestamp: bool,
    /// The timestamp is read from the body, which signs it when the body is signed.
    timestamp_in_body: bool,
    /// An id is read, so it may be signed.
    id: bool,
    /// The body (or the form read from it) must be signed, once; `false` when the signature is
    /// a member of the body, which then cannot be.
    body: bool,
    /// Variable parts may sit side by side (a preset's own layout).
    provider_layout: bool,
    /// The top-level member the timestamp is read from, if it is one.
    timestamp_member: Option<&'a str>,
    /// The algorithm signs with a public key.
    public_key: bool,
}

fn check_content(content: &[PartKind], expected: Expected<'_>) -> Result<(), ConfigError> {
    if content.is_empty() || content.len() > MAX_PARTS {
        return Err(ConfigError::InvalidSignedContent);
    }
    let count = |kind: &PartKind| content.iter().filter(|p| *p == kind).count();
    let body = content.iter().filter(|p| p.is_body()).count();
    if body != usize::from(expected.body) {
        return Err(ConfigError::BodyNotSigned);
    }
    let once = [
        PartKind::Timestamp,
        PartKind::Id,
        PartKind::Method,
        PartKind::Path,
        PartKind::Url,
        PartKind::EndpointId,
    ];
    let count_of = |f: fn(&PartKind) -> bool| content.iter().filter(|p| f(p)).count();
    let lists = count_of(|p| matches!(p, PartKind::Listed(_)));
    let members = count_of(|p| matches!(p, PartKind::Members(_)));
    if lists > 1 || members > 1 || once.iter().any(|kind| count(kind) > 1) {
        return Err(ConfigError::InvalidSignedContent);
    }
    if content.contains(&PartKind::BodyCrc32) && !expected.public_key {
        return Err(ConfigError::InvalidSignedContent);
    }
    let member_signed =
        |name: Option<&str>| name.is_some_and(|name| content.iter().any(|p| p.signs_member(name)));
    match (expected.timestamp, count(&PartKind::Timestamp)) {
        (true, 0)
            if !(member_signed(expected.timestamp_member)
                || expected.timestamp_in_body && expected.body) =>
        {
            return Err(ConfigError::TimestampNotSigned);
        }
        (false, 1) => return Err(ConfigError::UnknownContentPart),
        _ => {}
    }
    if !expected.id && count(&PartKind::Id) == 1 {
        return Err(ConfigError::UnknownContentPart);
    }
    let bad_text = content.iter().any(|p| match p {
        PartKind::Text(t) | PartKind::Listed(t) => !(1..=MAX_LABEL_LEN).contains(&t.len()),
        PartKind::Members(names) => !are_member_names(names),
        _ => false,
    });
    // Content of fixed text alone would sign nothing of the request.
    if bad_text || !content.iter().any(PartKind::is_variable) {
        return Err(ConfigError::InvalidSignedContent);
    }
    if !expected.provider_layout && has_adjacent_variable_parts(content) {
        return Err(ConfigError::AdjacentVariableParts);
    }
    Ok(())
}

/// 1 to 16 distinct member names, each 1 to 64 bytes.
fn are_member_names(names: &[Box<str>]) -> bool {
    (1..=16).contains(&names.len())
        && names.iter().enumerate().all(|(i, name)| {
            (1..=64).contains(&name.len()) && !names.iter().take(i).any(|n| n == name)
        })
}

/// A member path: 1 to 4 names, each 1 to 64 bytes, given a slot in `headers`.
fn field(path: &[String], headers: &mut HeaderTable) -> Result<Source, ConfigError> {
    let ok = (1..=MAX_FIELD_DEPTH).contains(&path.len())
        && path.iter().all(|n| (1..=64).contains(&n.len()));
    if !ok {
        return Err(ConfigError::InvalidLabel);
    }
    let path: Box<[Box<str>]> = path.iter().map(|n| n.as_str().into()).collect();
    Ok(Source::Field(headers.member_slot(&path)?))
}

/// Whether two parts that vary from request to request follow each other with no text between
/// them, so nothing in the signed bytes marks where the first ends.
fn has_adjacent_variable_parts(content: &[PartKind]) -> bool {
    content
        .windows(2)
        .any(|pair| pair.iter().all(PartKind::is_variable))
}

/// A parameter key: what the parameter-list parser accepts as a key.
fn is_param_key(key: &str) -> bool {
    (1..=MAX_LABEL_LEN).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A version label: what the versioned-list parser accepts as a version.
fn is_version(version: &str) -> bool {
    (1..=MAX_LABEL_LEN).contains(&version.len())
        && version.bytes().all(|b| b.is_ascii_alphanumeric())
}

const DEFAULT_MAX_HEADER_LEN: usize = 2048;
/// The longest window a scheme may state: a day.
const MAX_TOLERANCE: Duration = Duration::from_secs(24 * 3600);
const MIN_HEADER_LEN: usize = 16;
const MAX_HEADER_LEN: usize = 64 * 1024;
const MAX_LABEL_LEN: usize = 32;

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> SchemeBuilder {
        Scheme::custom("t").signature_header("X-Sig")
    }

    #[test]
    fn builder_refuses_bad_descriptions() {
        let cases: Vec<(SchemeBuilder, ConfigError)> = vec![
            (
                Scheme::custom("").signature_header("X-Sig"),
                ConfigError::InvalidSchemeName,
            ),
            (
                Scheme::custom("a b").signature_header("X-Sig"),
                ConfigError::InvalidSchemeName,
            ),
            (Scheme::custom("t"), ConfigError::MissingSignatureHeader),
            (
                Scheme::custom("t").signature_header("X Sig"),
                ConfigError::InvalidHeaderName,
            ),
            (
                base().fallback_signature_header(""),
                ConfigError::InvalidHeaderName,
            ),
            (
                base().signature_format(SignatureFormat::params('|', "v1")),
                ConfigError::InvalidLabel,
            ),
            (
                base().signature_format(SignatureFormat::params('é', "v1")),
                ConfigError::InvalidLabel,
            ),
            (
                base().signature_format(SignatureFormat::params(',', "v=1")),
                ConfigError::InvalidLabel,
            ),
            (
                base().signature_format(SignatureFormat::versioned("v1,")),
                ConfigError::InvalidLabel,
            ),
            (
                base()
                    .signature_format(SignatureFormat::versioned("v1").with_ed25519_version("v1")),
                ConfigError::InvalidLabel,
            ),
            (
                base().signature_format(SignatureFormat::prefixed("")),
                ConfigError::InvalidLabel,
            ),
            (
                base().signature_format(SignatureFormat::prefixed("sha 256=")),
                ConfigError::InvalidLabel,
            ),
            (
                base().timestamp_param("t"),
                ConfigError::TimestampParamNeedsParams,
            ),
            (
                base()
                    .signature_format(SignatureFormat::params(',', "v1"))
                    .timestamp_param("v1"),
                ConfigError::InvalidLabel,
            ),
            (
                base().signed_content([Part::text(".")]),
                ConfigError::BodyNotSigned,
            ),
            (
                base().signed_content([Part::body(), Part::body()]),
                ConfigError::BodyNotSigned,
            ),
            (
                base()
                    .timestamp_header("X-Ts")
                    .signed_content([Part::body()]),
                ConfigError::TimestampNotSigned,
            ),
            (
                base().signed_content([Part::timestamp(), Part::body()]),
                ConfigError::UnknownContentPart,
            ),
            (
                base().signed_content([Part::id(), Part::body()]),
                ConfigError::UnknownContentPart,
            ),
            (
                base()
                    .id_header("X-Id")
                    .signed_content([Part::id(), Part::id(), Part::body()]),
                ConfigError::InvalidSignedContent,
            ),
            (
                base().signed_content([Part::text(""), Part::body()]),
                ConfigError::InvalidSignedContent,
            ),
            (
                base().signed_content(vec![Part::text("."); 8].into_iter().chain([Part::body()])),
                ConfigError::InvalidSignedContent,
            ),
            (base().max_header_len(8), ConfigError::InvalidLimit),
            (
                base().tolerance(Duration::from_millis(500)),
                ConfigError::InvalidLimit,
            ),
            (
                base().tolerance(Duration::from_secs(24 * 3600 + 1)),
                ConfigError::InvalidLimit,
            ),
            (base().timestamp_field(&[]), ConfigError::InvalidLabel),
            (
                base().timestamp_field(&["a", "b", "c", "d", "e"]),
                ConfigError::InvalidLabel,
            ),
            (base().id_field(&[""]), ConfigError::InvalidLabel),
            (
                Scheme::custom("t")
                    .signature_field(&["sig"])
                    .signed_content([Part::text("constant")]),
                ConfigError::InvalidSignedContent,
            ),
            // A signature in the body cannot sign the body.
            (
                Scheme::custom("t").signature_field(&["sig"]),
                ConfigError::BodyNotSigned,
            ),
            (
                base().signed_content([Part::body(), Part::text("."), Part::form()]),
                ConfigError::BodyNotSigned,
            ),
            (
                base().signed_content([
                    Part::url(),
                    Part::text("."),
                    Part::url(),
                    Part::text("."),
                    Part::body(),
                ]),
                ConfigError::InvalidSignedContent,
            ),
            (
                base().signed_content([Part::method(), Part::url(), Part::text("."), Part::body()]),
                ConfigError::AdjacentVariableParts,
            ),
            (
                base().url_port_variants().signed_content([Part::body()]),
                ConfigError::InvalidSignedContent,
            ),
            (
                base().body_digest_param("d").signed_content([Part::body()]),
                ConfigError::InvalidSignedContent,
            ),
            (
                base()
                    .signature_format(SignatureFormat::params(',', "v1"))
                    .listed_headers_param("h")
                    .signed_content([Part::body()]),
                ConfigError::InvalidSignedContent,
            ),
            (
                base()
                    .signature_format(SignatureFormat::params(',', "v1"))
                    .listed_headers_param("h")
                    .signed_content([
                        Part::listed_headers("."),
                        Part::text("."),
                        Part::listed_headers("."),
                        Part::text("."),
                        Part::body(),
                    ]),
                ConfigError::InvalidSignedContent,
            ),
            (base().max_signatures(0), ConfigError::InvalidLimit),
            (base().max_signatures(9), ConfigError::InvalidLimit),
        ];
        for (i, (builder, want)) in cases.into_iter().enumerate() {
            assert_eq!(builder.build().unwrap_err(), want, "case {i}");
        }
    }

    #[test]
    fn a_timestamp_in_the_signed_body_is_signed() {
        let scheme = base()
            .timestamp_field(&["ts"])
            .timestamp_format(TimestampFormat::UnixMillis)
            .build()
            .unwrap();
        assert!(scheme.signs_timestamp());
        assert_eq!(scheme.timestamp_header(), None);
        // In an unsigned body, it must be signed on its own.
        let unsigned = Scheme::custom("t")
            .signature_field(&["sig"])
            .timestamp_field(&["ts"])
            .signed_content([Part::text("t:"), Part::timestamp()]);
        assert!(unsigned.clone().build().is_ok());
        assert_eq!(
            unsigned
                .signed_content([Part::text("t:")])
                .build()
                .unwrap_err(),
            ConfigError::TimestampNotSigned
        );
    }

    #[test]
    fn defaults_follow_the_timestamp() {
        let plain = base().build().unwrap();
        assert_eq!(plain.content.as_ref(), [PartKind::Body]);
        let stamped = base().timestamp_header("X-Ts").build().unwrap();
        let signed = crate::scheme::Signed {
            timestamp: b"12",
            body: b"b",
            ..Default::default()
        };
        let derived = crate::scheme::Derived::default();
        assert_eq!(stamped.content(&signed, &[], &derived).to_vec(), b"12.b");
        assert_eq!(
            base().max_signatures(5).build().unwrap().max_signatures(),
            1
        );
    }

    /// Every label a built-in scheme writes, collected from the schemes.
    fn labels_of_builtin_schemes() -> Vec<Box<str>> {
        let mut labels: Vec<Box<str>> = Vec::new();
        for scheme in builtin_schemes() {
            match scheme.syntax {
                Syntax::Params { key, .. } => labels.push(key),
                Syntax::Versioned {
                    version,
                    ed25519_version,
                } => labels.extend([Some(version), ed25519_version].into_iter().flatten()),
                Syntax::Prefixed { prefix } => {
                    labels.push(prefix.trim_end_matches(['=', ',']).into());
                }
                Syntax::Bare | Syntax::Token(_) => {}
            }
            if let Some(Source::Param(name)) = scheme.timestamp {
                labels.push(name);
            }
            labels.extend(scheme.listed_param);
        }
        labels.retain(|l| !l.is_empty());
        labels.sort_unstable();
        labels.dedup();
        labels
    }

    #[test]
    fn builtin_labels_are_those_the_presets_send() {
        let labels = labels_of_builtin_schemes();
        let labels: Vec<&str> = labels.iter().map(|l| &**l).collect();
        assert_eq!(labels, BUILTIN_LABELS);
        assert!(SignatureFormat::is_builtin_label("h1"));
        assert!(!SignatureFormat::is_builtin_label(""));
        assert!(!SignatureFormat::is_builtin_label("whsec_x"));
    }
}

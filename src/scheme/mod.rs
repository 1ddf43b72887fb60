//! [`Scheme`]: one webhook wire format, described as data: which headers carry what, which bytes
//! are signed, and how signatures are written.
//!
//! # The default scheme
//!
//! [`Scheme::hookseal`] signs `timestamp || "." || body` with HMAC-SHA256 and sends:
//!
//! ```text
//! X-Webhook-Signature: t=<unix seconds>,v1=<64 lowercase hex>[,v1=<64 lowercase hex>…]
//! X-Webhook-Id: <delivery id>          (optional)
//! ```
//!
//! - One `v1` entry per signing key, so a receiver holding either the old or the new key accepts a
//!   delivery during a rotation; at most 8 are accepted.
//! - The timestamp is canonical decimal: no sign, no leading zero, no fraction.
//! - Entries with other keys (for example a future `v2`) are skipped, never trusted.
//! - The header is at most 2048 bytes.
//! - `X-Webhook-Id` is **not signed** in this scheme: use it to correlate deliveries in logs, but
//!   take the event id you deduplicate on from the signed body, or dedupe on
//!   [`Verified::replay_key`](crate::Verified::replay_key).

pub(crate) mod parse;

use crate::error::VerifyError;
use crate::headers::HeaderName;
use crate::mac::{MacKey, Tag};
use parse::{Presented, push_lower_hex};

/// A webhook wire format.
///
/// ```
/// use hookseal::Scheme;
///
/// let scheme = Scheme::hookseal();
/// assert_eq!(scheme.signature_header(), "X-Webhook-Signature");
/// assert_eq!(scheme.id_header(), Some("X-Webhook-Id"));
/// ```
#[derive(Debug, Clone)]
pub struct Scheme {
    name: &'static str,
    signature_header: &'static str,
    id_header: Option<&'static str>,
    signature_name: HeaderName,
    id_name: Option<HeaderName>,
    max_header_len: usize,
    max_signatures: usize,
}

impl Scheme {
    /// The crate's own scheme: `X-Webhook-Signature: t=<ts>,v1=<hex>` over `ts.body`, with an
    /// optional, unsigned `X-Webhook-Id`. See the [module docs](crate::scheme) for the details.
    #[must_use]
    pub fn hookseal() -> Self {
        Self::with_headers("hookseal", "X-Webhook-Signature", Some("X-Webhook-Id"))
    }

    /// A scheme with these header names (as written on the wire; lookups parse them once) and
    /// the default bounds.
    fn with_headers(
        name: &'static str,
        signature_header: &'static str,
        id_header: Option<&'static str>,
    ) -> Self {
        Self {
            name,
            signature_header,
            id_header,
            signature_name: static_name(signature_header),
            id_name: id_header.map(static_name),
            max_header_len: 2048,
            max_signatures: parse::MAX_SIGNATURES,
        }
    }

    /// A short name for the scheme, e.g. `hookseal`.
    #[must_use]
    pub fn name(&self) -> &str {
        self.name
    }

    /// The header that carries the signatures.
    #[must_use]
    pub fn signature_header(&self) -> &str {
        self.signature_header
    }

    /// The header that carries the delivery id, if the scheme has one.
    #[must_use]
    pub fn id_header(&self) -> Option<&str> {
        self.id_header
    }

    /// Whether the delivery id is covered by the signature.
    #[must_use]
    pub fn id_is_signed(&self) -> bool {
        false
    }

    /// The longest signature header accepted, in bytes.
    #[must_use]
    pub fn max_header_len(&self) -> usize {
        self.max_header_len
    }

    /// The most signatures accepted in one header.
    #[must_use]
    pub fn max_signatures(&self) -> usize {
        self.max_signatures
    }

    /// The signature header's name, parsed.
    pub(crate) fn signature_name(&self) -> &HeaderName {
        &self.signature_name
    }

    /// The id header's name, parsed.
    pub(crate) fn id_name(&self) -> Option<&HeaderName> {
        self.id_name.as_ref()
    }

    /// Parses the signature header's value (already checked for length).
    pub(crate) fn parse_signatures<'a>(
        &self,
        value: &'a [u8],
    ) -> Result<Presented<'a>, VerifyError> {
        parse::parse_param_list(value, b"t", b"v1", self.max_signatures)
    }

    /// The tag of the signed content: `timestamp_digits || "." || body`.
    pub(crate) fn tag(&self, key: &MacKey, timestamp_digits: &[u8], body: &[u8]) -> Tag {
        key.tag(&[timestamp_digits, b".", body])
    }

    /// The signature header's value for `tags` at `timestamp_digits`.
    pub(crate) fn format_signatures(&self, timestamp_digits: &str, tags: &[Tag]) -> String {
        let mut out = String::with_capacity(2 + timestamp_digits.len() + tags.len() * 68);
        out.push_str("t=");
        out.push_str(timestamp_digits);
        for tag in tags {
            out.push_str(",v1=");
            push_lower_hex(tag, &mut out);
        }
        out
    }
}

/// A built-in header name, known valid.
fn static_name(name: &'static str) -> HeaderName {
    match HeaderName::new(name) {
        Ok(name) => name,
        // Only called with the crate's own literal names, which are valid tokens.
        Err(_) => unreachable!("built-in header names are valid"),
    }
}

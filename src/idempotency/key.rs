//! [`IdempotencyKey`], parsed from the `Idempotency-Key` header ([`KeyParser`]) or taken from
//! an event id.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;

use super::{Scope, ScopedKey};
use crate::error::{ConfigError, HeaderKind, IdempotencyKeyReason as Reason, VerifyError};
use crate::headers::{HeaderName, HeaderSource, trim_ows};
use crate::verify::Verified;

/// A client's idempotency key: 1 to 255 visible ASCII characters (`!` to `~`).
///
/// Get one from the `Idempotency-Key` header with [`IdempotencyKey::parse`] or a [`KeyParser`],
/// or from a webhook's event id with [`IdempotencyKey::new`] or
/// [`IdempotencyKey::from_verified`]. Before it reaches a store it is [scoped](Self::scoped) to
/// a tenant or endpoint, so two clients choosing the same key never share a record.
///
/// ```
/// use hookseal::idempotency::IdempotencyKey;
/// use hookseal::{IdempotencyKeyReason, VerifyError};
///
/// // The draft's form, a quoted structured-field string:
/// let key = IdempotencyKey::parse(br#""8e03978e-40d5-43e8-bc93-6894a57f9324""#)?;
/// assert_eq!(key.as_str(), "8e03978e-40d5-43e8-bc93-6894a57f9324");
/// // The bare form most clients send, accepted by default:
/// assert_eq!(IdempotencyKey::parse(b"KG5LxwFBepaKHyUD")?.as_str(), "KG5LxwFBepaKHyUD");
/// // ... and refused in strict mode.
/// assert_eq!(
///     IdempotencyKey::parse_strict(b"KG5LxwFBepaKHyUD"),
///     Err(VerifyError::InvalidIdempotencyKey(IdempotencyKeyReason::NotAString)),
/// );
/// # Ok::<(), VerifyError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(Box<str>);

impl IdempotencyKey {
    /// The longest key, in characters.
    pub const MAX_LEN: usize = 255;

    /// A key taken as it is, such as a provider's event id (`evt_1NG8Du2eZvKYlo2CbUgMLbAa`).
    ///
    /// # Errors
    ///
    /// [`VerifyError::InvalidIdempotencyKey`] with [`Reason::Empty`], [`Reason::TooLong`], or
    /// [`Reason::InvalidCharacter`] for
    /// anything outside visible ASCII.
    pub fn new(key: &str) -> Result<Self, VerifyError> {
        check_key(key.as_bytes(), |_| true)?;
        Ok(Self(key.into()))
    }

    /// A key from an `Idempotency-Key` header value, leniently: either the quoted string the
    /// draft specifies (`"abc"`, with any structured-field parameters after it), or a bare key
    /// (`abc`) as Stripe and most clients send. A bare key may not contain `"`, `\`, `,` or `;`.
    ///
    /// # Errors
    ///
    /// A [`VerifyError`] saying what is wrong; never a partial key. A header value longer than
    /// 1024 bytes is [`VerifyError::HeaderTooLong`] before anything else is looked at; a key longer
    /// than 255 characters within it is [`Reason::TooLong`].
    pub fn parse(value: &[u8]) -> Result<Self, VerifyError> {
        parse_value(value, false)
    }

    /// A key from an `Idempotency-Key` header value, strictly as
    /// draft-ietf-httpapi-idempotency-key-header specifies: a structured-field item whose value
    /// is a string (RFC 9651 §3.3.3), optionally with parameters, which are ignored.
    ///
    /// # Errors
    ///
    /// As [`IdempotencyKey::parse`], and [`Reason::NotAString`] for a bare key.
    pub fn parse_strict(value: &[u8]) -> Result<Self, VerifyError> {
        parse_value(value, true)
    }

    /// The key from a verified delivery's id header (`webhook-id`, `svix-id`, …), which stays
    /// the same across a sender's retries — only where the signature covers the id.
    ///
    /// An id the signature does not cover (GitHub's `X-GitHub-Delivery`, Shopify's
    /// `X-Shopify-Webhook-Id`) can be changed by anyone who replays a captured request: each new
    /// id would get a new key, and the work would run again. Such ids are refused with
    /// [`VerifyError::UnsignedId`]. Use instead an id read from the verified body (Stripe's `evt_…`,
    /// with [`IdempotencyKey::new`]), or the request's
    /// [`ReplayKey`](crate::ReplayKey) with a replay cache. The unsigned id remains available,
    /// for those who accept the risk, as
    /// [`dangerous::unsigned_id_key`](crate::dangerous::unsigned_id_key).
    ///
    /// ```
    /// use hookseal::idempotency::IdempotencyKey;
    /// use hookseal::{Keyring, Scheme, Signer, Verifier, VerifyError};
    ///
    /// let scheme = Scheme::standard_webhooks();
    /// let key = || Keyring::single(scheme.parse_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap());
    /// let headers = Signer::new(scheme.clone(), key()).sign(Some("msg_1"), b"{}")?;
    /// let headers: Vec<(&str, &str)> = headers.iter().collect();
    /// let verifier = Verifier::new(scheme.clone(), key());
    /// let verified = verifier.verify(&headers, b"{}")?;
    /// assert_eq!(IdempotencyKey::from_verified(&verified)?.as_str(), "msg_1"); // signed
    ///
    /// let github = Scheme::github();
    /// let key = || Keyring::single(github.parse_secret("It's a Secret to Everybody").unwrap());
    /// let headers = Signer::new(github.clone(), key()).sign(Some("72d3162e"), b"{}")?;
    /// let headers: Vec<(&str, &str)> = headers.iter().collect();
    /// let verifier = Verifier::new(github.clone(), key());
    /// let verified = verifier.verify(&headers, b"{}")?;
    /// assert_eq!(IdempotencyKey::from_verified(&verified), Err(VerifyError::UnsignedId));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`VerifyError::UnsignedId`] in a scheme that does not sign the id,
    /// [`VerifyError::MissingHeader`] of the id header
    /// when the delivery has no id, and as [`IdempotencyKey::new`].
    pub fn from_verified(verified: &Verified<'_>) -> Result<Self, VerifyError> {
        if !verified.id_is_signed() {
            return Err(VerifyError::UnsignedId);
        }
        Self::from_verified_id(verified)
    }

    /// The key from a verified delivery's id header, signed or not.
    pub(crate) fn from_verified_id(verified: &Verified<'_>) -> Result<Self, VerifyError> {
        Self::new(
            verified
                .id()
                .ok_or(VerifyError::MissingHeader(HeaderKind::Id))?,
        )
    }

    /// The key.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key as stored: this key within `scope`.
    #[must_use]
    pub fn scoped(&self, scope: &Scope) -> ScopedKey {
        scope.key(self.0.as_bytes())
    }
}

impl fmt::Debug for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("IdempotencyKey").field(&self.0).finish()
    }
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Reads the idempotency key from request headers: which header, and how strictly.
///
/// ```
/// use hookseal::idempotency::KeyParser;
/// use hookseal::{HeaderKind, IdempotencyKeyReason, VerifyError};
///
/// let parser = KeyParser::new();
/// let key = parser.from_headers(&[("idempotency-key", "\"k-1\"")])?;
/// assert_eq!(key.as_str(), "k-1");
///
/// let headers: [(&str, &str); 0] = [];
/// let missing = parser.from_headers(&headers).unwrap_err();
/// assert_eq!(missing, VerifyError::MissingHeader(HeaderKind::IdempotencyKey));
/// assert_eq!(missing.status_code(), 400);
///
/// let twice = [("Idempotency-Key", "a"), ("idempotency-key", "b")];
/// assert_eq!(
///     parser.from_headers(&twice),
///     Err(VerifyError::DuplicateHeader(HeaderKind::IdempotencyKey)),
/// );
///
/// // A framework's own header name, parsed strictly:
/// let parser = KeyParser::with_header("X-Idempotency-Key")?.strict();
/// assert_eq!(
///     parser.from_headers(&[("x-idempotency-key", "k-2")]),
///     Err(VerifyError::InvalidIdempotencyKey(IdempotencyKeyReason::NotAString)),
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct KeyParser {
    header: HeaderName,
    strict: bool,
}

impl KeyParser {
    /// Reads `Idempotency-Key`, leniently (see [`IdempotencyKey::parse`]).
    #[must_use]
    pub fn new() -> Self {
        Self {
            header: HeaderName::from_static("idempotency-key"),
            strict: false,
        }
    }

    /// Reads the header `name` instead.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidHeaderName`] when `name` is not an HTTP header name.
    pub fn with_header(name: &str) -> Result<Self, ConfigError> {
        Ok(Self {
            header: HeaderName::new(name)?,
            strict: false,
        })
    }

    /// Accepts only the draft's quoted form (see [`IdempotencyKey::parse_strict`]).
    #[must_use]
    pub fn strict(mut self) -> Self {
        self.strict = true;
        self
    }

    /// The header read.
    #[must_use]
    pub fn header(&self) -> &HeaderName {
        &self.header
    }

    /// The key from `headers`, which must carry the header exactly once.
    ///
    /// # Errors
    ///
    /// [`VerifyError::MissingHeader`] (answer 400: the draft asks for a key on every request that needs
    /// one), [`VerifyError::DuplicateHeader`] when it is sent more than once, and the parse
    /// errors.
    pub fn from_headers<H: HeaderSource + ?Sized>(
        &self,
        headers: &H,
    ) -> Result<IdempotencyKey, VerifyError> {
        let mut values = headers.header_values(&self.header);
        let value = values
            .next()
            .ok_or(VerifyError::MissingHeader(HeaderKind::IdempotencyKey))?;
        if values.next().is_some() {
            return Err(VerifyError::DuplicateHeader(HeaderKind::IdempotencyKey));
        }
        self.parse(value)
    }

    /// The key from one header value.
    ///
    /// # Errors
    ///
    /// As [`IdempotencyKey::parse`] or [`IdempotencyKey::parse_strict`].
    pub fn parse(&self, value: &[u8]) -> Result<IdempotencyKey, VerifyError> {
        parse_value(value, self.strict)
    }
}

impl Default for KeyParser {
    fn default() -> Self {
        Self::new()
    }
}

/// Parses a header value: a quoted sf-string with optional parameters, or (unless `strict`) a
/// bare key.
fn parse_value(value: &[u8], strict: bool) -> Result<IdempotencyKey, VerifyError> {
    if value.len() > MAX_VALUE_LEN {
        return Err(VerifyError::HeaderTooLong(HeaderKind::IdempotencyKey));
    }
    let value = trim_ows(value);
    let Some(quoted) = value.strip_prefix(b"\"") else {
        if strict {
            return Err(if value.is_empty() {
                invalid(Reason::Empty)
            } else {
                invalid(Reason::NotAString)
            });
        }
        check_key(value, |b| !matches!(b, b'"' | b'\\' | b',' | b';'))?;
        return Ok(IdempotencyKey(to_str(value)?));
    };
    let (key, rest) = parse_sf_string(quoted)?;
    parse_parameters(rest)?;
    check_key(&key, |_| true)?;
    Ok(IdempotencyKey(to_str(&key)?))
}

/// The body of an sf-string after its opening quote (RFC 9651 §4.2.5): the unescaped content and
/// what follows the closing quote.
fn parse_sf_string(input: &[u8]) -> Result<(Vec<u8>, &[u8]), VerifyError> {
    let mut out = Vec::with_capacity(input.len().min(IdempotencyKey::MAX_LEN));
    let mut bytes = input.iter().enumerate();
    while let Some((i, &b)) = bytes.next() {
        match b {
            b'"' => return Ok((out, input.get(i + 1..).unwrap_or_default())),
            b'\\' => match bytes.next() {
                Some((_, &c @ (b'"' | b'\\'))) => out.push(c),
                Some(_) => return Err(invalid(Reason::InvalidEscape)),
                None => return Err(invalid(Reason::Unterminated)),
            },
            0x20..=0x7e => out.push(b),
            _ => return Err(invalid(Reason::InvalidCharacter)),
        }
    }
    Err(invalid(Reason::Unterminated))
}

/// Checks the parameters after an item (RFC 9651 §4.2.3.2): `*( ";" *SP key [ "=" bare-item ] )`,
/// then nothing. The values are not used; they only have to be well-formed.
fn parse_parameters(mut rest: &[u8]) -> Result<(), VerifyError> {
    while let [b';', tail @ ..] = rest {
        rest = tail.trim_ascii_start();
        let key_len = rest
            .iter()
            .enumerate()
            .take_while(|&(i, &b)| {
                b.is_ascii_lowercase()
                    || b == b'*'
                    || (i > 0 && (b.is_ascii_digit() || matches!(b, b'_' | b'-' | b'.')))
            })
            .count();
        if key_len == 0 {
            return Err(invalid(Reason::InvalidParameters));
        }
        rest = rest.get(key_len..).unwrap_or_default();
        if let [b'=', value @ ..] = rest {
            rest = skip_bare_item(value)?;
        }
    }
    if rest.is_empty() {
        Ok(())
    } else {
        Err(invalid(Reason::InvalidParameters))
    }
}

/// Skips one bare item (RFC 9651 §4.2.3.1), returning what follows it.
fn skip_bare_item(input: &[u8]) -> Result<&[u8], VerifyError> {
    let bad = invalid(Reason::InvalidParameters);
    let skip = |from: usize, ok: fn(u8) -> bool| {
        let n = input.get(from..).unwrap_or_default();
        from + n.iter().take_while(|&&b| ok(b)).count()
    };
    let end = match input {
        [b'"', tail @ ..] => {
            let (_, after) = parse_sf_string(tail).map_err(|_| bad)?;
            input.len() - after.len()
        }
        [b'-' | b'0'..=b'9', ..] | [b'@', ..] => {
            let start = usize::from(matches!(input, [b'@', ..]));
            let start = start + usize::from(input.get(start) == Some(&b'-'));
            let end = skip(start, |b| b.is_ascii_digit() || b == b'.');
            if end == start {
                return Err(bad);
            }
            end
        }
        [b'?', b'0' | b'1', ..] => 2,
        [b':', ..] => {
            let end = skip(1, |b| {
                b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')
            });
            if input.get(end) != Some(&b':') {
                return Err(bad);
            }
            end + 1
        }
        [b'%', b'"', ..] => {
            let end = skip(2, |b| (0x20..=0x7e).contains(&b) && b != b'"');
            if input.get(end) != Some(&b'"') {
                return Err(bad);
            }
            end + 1
        }
        [b, ..] if b.is_ascii_alphabetic() || *b == b'*' => skip(1, |b| {
            b.is_ascii_alphanumeric() || b":/!#$%&'*+-.^_`|~".contains(&b)
        }),
        _ => return Err(bad),
    };
    Ok(input.get(end..).unwrap_or_default())
}

/// An idempotency key refused for `reason`.
fn invalid(reason: Reason) -> VerifyError {
    VerifyError::InvalidIdempotencyKey(reason)
}

/// Checks a key's length and characters: 1 to 255 bytes, each visible ASCII and `allowed`.
/// `key` within `scope`, checked as [`IdempotencyKey::new`] checks it, without allocating.
#[cfg(feature = "tower")]
pub(crate) fn scoped_text(scope: &Scope, key: &[u8]) -> Result<ScopedKey, VerifyError> {
    check_key(key, |_| true)?;
    Ok(scope.key(key))
}

fn check_key(key: &[u8], allowed: impl Fn(u8) -> bool) -> Result<(), VerifyError> {
    if key.is_empty() {
        return Err(invalid(Reason::Empty));
    }
    if key.len() > IdempotencyKey::MAX_LEN {
        return Err(invalid(Reason::TooLong {
            max: IdempotencyKey::MAX_LEN,
        }));
    }
    if key.iter().all(|&b| b.is_ascii_graphic() && allowed(b)) {
        Ok(())
    } else {
        Err(invalid(Reason::InvalidCharacter))
    }
}

fn to_str(key: &[u8]) -> Result<Box<str>, VerifyError> {
    core::str::from_utf8(key)
        .map(Into::into)
        .map_err(|_| invalid(Reason::InvalidCharacter))
}

/// The longest header value looked at: a quoted key of 255 characters, each escaped, plus room
/// for parameters.
const MAX_VALUE_LEN: usize = 1024;

#[cfg(test)]
mod tests {
    use super::*;

    fn lenient(v: &str) -> Result<String, VerifyError> {
        IdempotencyKey::parse(v.as_bytes()).map(|k| k.as_str().to_owned())
    }

    fn strict(v: &str) -> Result<String, VerifyError> {
        IdempotencyKey::parse_strict(v.as_bytes()).map(|k| k.as_str().to_owned())
    }

    #[test]
    fn the_drafts_examples() {
        let uuid = "8e03978e-40d5-43e8-bc93-6894a57f9324";
        let quoted = format!("\"{uuid}\"");
        assert_eq!(strict(&quoted).unwrap(), uuid);
        assert_eq!(lenient(&quoted).unwrap(), uuid);
        // Unquoted, a UUID starting with a digit is not an sf-item at all; leniently it is a key.
        assert_eq!(strict(uuid), Err(invalid(Reason::NotAString)));
        assert_eq!(lenient(uuid).unwrap(), uuid);
    }

    #[test]
    fn escapes_and_parameters() {
        assert_eq!(strict(r#""a\"b\\c""#).unwrap(), r#"a"b\c"#);
        assert_eq!(strict(r#""a\nb""#), Err(invalid(Reason::InvalidEscape)));
        assert_eq!(strict(r#""abc"#), Err(invalid(Reason::Unterminated)));
        assert_eq!(strict(r#""abc\"#), Err(invalid(Reason::Unterminated)));
        for ok in [
            r#""k";a"#,
            r#""k";a=1;b=?0"#,
            r#""k"; a=-1.5;b="x;y";c=tok/en:1"#,
            r#""k";a=:AQID:;b=@1700000000;c=%"caf%c3%a9";*d"#,
            "\t\"k\" ",
        ] {
            assert_eq!(strict(ok).unwrap(), "k", "{ok}");
        }
        for bad in [
            r#""k" x"#,
            r#""k";"#,
            r#""k";A=1"#,
            r#""k";1a=1"#,
            r#""k";a="#,
            r#""k";a=:AQ"#,
            r#""k";a=-"#,
            r#""k";a="x"#,
            r#""k","j""#,
            r#""k"x"#,
        ] {
            assert_eq!(
                strict(bad),
                Err(invalid(Reason::InvalidParameters)),
                "{bad}"
            );
        }
    }

    #[test]
    fn length_and_characters() {
        let max = "k".repeat(255);
        assert_eq!(lenient(&max).unwrap(), max);
        assert_eq!(strict(&format!("\"{max}\"")).unwrap(), max);
        let too_long = invalid(Reason::TooLong { max: 255 });
        assert_eq!(lenient(&"k".repeat(256)), Err(too_long.clone()));
        assert_eq!(strict(&format!("\"{}\"", "k".repeat(256))), Err(too_long));
        // Past the header value's cap, the value is refused before any key is looked for.
        assert_eq!(
            lenient(&"k".repeat(1 << 20)),
            Err(VerifyError::HeaderTooLong(HeaderKind::IdempotencyKey))
        );
        assert_eq!(lenient(""), Err(invalid(Reason::Empty)));
        assert_eq!(lenient("  "), Err(invalid(Reason::Empty)));
        assert_eq!(strict(""), Err(invalid(Reason::Empty)));
        assert_eq!(strict("\"\""), Err(invalid(Reason::Empty)));
        for bad in ["a b", "a,b", "a;b", "a\"b", "a\\b", "caf\u{e9}", "a\u{0}b"] {
            assert_eq!(
                lenient(bad),
                Err(invalid(Reason::InvalidCharacter)),
                "{bad:?}"
            );
        }
        // A space is an sf-string character, but not a key character.
        assert_eq!(strict("\"a b\""), Err(invalid(Reason::InvalidCharacter)));
        assert_eq!(
            strict("\"caf\u{e9}\""),
            Err(invalid(Reason::InvalidCharacter))
        );
        assert_eq!(
            IdempotencyKey::parse(b"\xff\xfe"),
            Err(invalid(Reason::InvalidCharacter))
        );
    }

    #[test]
    fn event_ids_are_keys() {
        let key = IdempotencyKey::new("evt_1NG8Du2eZvKYlo2CbUgMLbAa").unwrap();
        assert_eq!(key.to_string(), "evt_1NG8Du2eZvKYlo2CbUgMLbAa");
        assert_eq!(IdempotencyKey::new(""), Err(invalid(Reason::Empty)));
        assert_eq!(
            IdempotencyKey::new("a b"),
            Err(invalid(Reason::InvalidCharacter))
        );
    }

    #[test]
    fn scopes_separate_keys_and_parts_do_not_run_together() {
        let key = IdempotencyKey::new("k").unwrap();
        let ab_c = Scope::new("ab").and("c");
        let a_bc = Scope::new("a").and("bc");
        assert_ne!(key.scoped(&ab_c), key.scoped(&a_bc));
        assert_ne!(key.scoped(&Scope::new("ab")), key.scoped(&ab_c));
        assert_eq!(key.scoped(&ab_c), key.scoped(&Scope::new("ab").and("c")));
        let other = IdempotencyKey::new("j").unwrap();
        assert_ne!(key.scoped(&ab_c), other.scoped(&ab_c));
    }
}

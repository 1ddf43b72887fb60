//! Byte-level parsers for signature headers. Each one is bounded (it looks at each input byte a
//! fixed number of times and stores at most a fixed number of tags on the stack), allocation-free,
//! and returns a typed error for every malformed input: none of them can panic.

use crate::algorithm::Algorithm;
use crate::encoding::Codec;
use crate::error::{HeaderKind, VerifyError};
use crate::mac::{TAG_LEN, Tag, tags_equal};
use crate::timestamp::{Timestamp, TimestampFormat};

/// The most signatures any scheme accepts in one header: room for a rotation with a few keys in
/// flight, and the size of the stack buffer that holds them.
pub(crate) const MAX_SIGNATURES: usize = 8;

/// The keys of a parameter list's entries a scheme reads.
pub(crate) struct ParamKeys<'k> {
    /// Each signature's key (`v1`).
    pub(crate) signature: &'k [u8],
    /// The timestamp's key (`t`) and how it is written, when the timestamp is an entry.
    pub(crate) timestamp: Option<(&'k [u8], TimestampFormat)>,
    /// The key of the entry listing the signed headers (Hook0's `h`).
    pub(crate) listed: Option<&'k [u8]>,
}

/// The signatures (and, when the signature header carries it, the timestamp) presented with a
/// request, decoded to bytes.
pub(crate) struct Presented<'a> {
    /// The algorithm the signatures are made with.
    pub(crate) algorithm: Algorithm,
    /// The timestamp and its text exactly as sent.
    pub(crate) timestamp: Option<(Timestamp, &'a [u8])>,
    /// The list of signed headers, as sent (Hook0's `h=`).
    pub(crate) listed: Option<&'a [u8]>,
    tags: [Tag; MAX_SIGNATURES],
    count: usize,
    /// Signatures checked with a public key, as sent (decoded again when verified).
    public: [&'a [u8]; MAX_SIGNATURES],
    public_count: usize,
}

impl Presented<'_> {
    /// Whether any presented tag equals `expected`. Every presented tag is compared, each in
    /// constant time, so the time taken does not depend on which one (if any) matched.
    pub(crate) fn matches(&self, expected: &Tag) -> bool {
        let mut any = false;
        for tag in self.tags.iter().take(self.count) {
            any |= tags_equal(tag, expected);
        }
        any
    }
}

/// Parses a `key=value` list such as `t=1492774577,v1=<hex>,v1=<hex>` (or, with `;` as the
/// separator, Paddle's `ts=1671552777;h1=<hex>`):
///
/// - entries are separated by `separator` (and, when `spaced`, exactly one space after it);
///   there is no other whitespace and every other byte is visible ASCII;
/// - each entry is `key=value`, with a non-empty key of ASCII alphanumerics, `-` and `_`, and a
///   non-empty value;
/// - `timestamp_key`, when the scheme carries its timestamp here, must appear exactly once, with
///   a canonical timestamp;
/// - `signature_key` must appear one to `max_signatures` times, each one encoded tag;
/// - entries with any other key (other signature versions, future extensions) are skipped.
///
/// Each byte is examined once, by the check for the field it belongs to.
pub(crate) fn parse_params<'a>(
    value: &'a [u8],
    (separator, spaced): (u8, bool),
    keys: ParamKeys<'_>,
    codec: Codec,
    max_signatures: usize,
    presented: &mut Presented<'a>,
) -> Result<(), VerifyError> {
    let max_signatures = max_signatures.min(MAX_SIGNATURES);
    let tag_text_len = codec.text_len();
    let signature_key = keys.signature;
    let (timestamp_key, format) = match keys.timestamp {
        Some((key, format)) => (Some(key), format),
        None => (None, TimestampFormat::UnixSecs),
    };

    let mut rest = value;
    loop {
        let (key, after_eq) = split_key(rest).ok_or(MALFORMED)?;
        // A well-formed tag has a fixed length, so look for its end there rather than scanning
        // for the separator; the decoder checks every one of those bytes.
        let expected_len = if key == signature_key {
            tag_text_len
        } else {
            0
        };
        let (val, next) = split_value(after_eq, separator, expected_len);
        if val.is_empty() {
            return Err(MALFORMED);
        }
        if Some(key) == timestamp_key {
            if presented.timestamp.is_some() {
                return Err(VerifyError::DuplicateTimestamp);
            }
            let t = format
                .parse(val)
                .map_err(|e| malformed_or(val, VerifyError::InvalidTimestamp(e)))?;
            presented.timestamp = Some((t, val));
        } else if key == signature_key {
            presented.push_tag(val, codec, max_signatures)?;
        } else if Some(key) == keys.listed {
            // Names separated by single spaces: visible ASCII and spaces, neither at an end.
            let ok = val.iter().all(|&b| b.is_ascii_graphic() || b == b' ')
                && !val.starts_with(b" ")
                && !val.ends_with(b" ");
            if !ok || presented.listed.replace(val).is_some() {
                return Err(MALFORMED);
            }
        } else if !val.iter().all(u8::is_ascii_graphic) {
            return Err(MALFORMED);
        }
        match next {
            Some(n) if spaced => rest = n.strip_prefix(b" ").ok_or(MALFORMED)?,
            Some(n) => rest = n,
            None => break,
        }
    }

    if timestamp_key.is_some() && presented.timestamp.is_none() {
        return Err(VerifyError::MissingTimestamp);
    }
    presented.require_signature()
}

/// Parses a space-separated list of `version,signature` entries, as Standard Webhooks writes
/// them: `v1,<base64> v1,<base64> v1a,<base64>`.
///
/// - entries are separated by a single space; each is a non-empty alphanumeric version, a `,`,
///   and a non-empty value of visible ASCII;
/// - entries of `version` hold an HMAC tag; entries of `ed25519_version` (with the `ed25519`
///   feature) hold an Ed25519 signature; together at most `max_signatures`;
/// - entries of any other version are skipped.
pub(crate) fn parse_versioned<'a>(
    value: &'a [u8],
    version: &[u8],
    ed25519_version: Option<&[u8]>,
    codec: Codec,
    max_signatures: usize,
    presented: &mut Presented<'a>,
) -> Result<(), VerifyError> {
    let max_signatures = max_signatures.min(MAX_SIGNATURES);

    for entry in value.split(|&b| b == b' ') {
        let comma = entry.iter().position(|&b| b == b',').ok_or(MALFORMED)?;
        let (label, val) = entry.split_at(comma);
        let val = val.get(1..).unwrap_or_default();
        if label.is_empty() || !label.iter().all(u8::is_ascii_alphanumeric) || val.is_empty() {
            return Err(MALFORMED);
        }
        if label == version {
            presented.push_tag(val, codec, max_signatures)?;
            continue;
        }
        // Without the feature an Ed25519 signature is never checked: none is presented.
        if Some(label) == ed25519_version && cfg!(feature = "ed25519") {
            presented.push_public(val, ED25519_BASE64, Algorithm::Ed25519, max_signatures)?;
            continue;
        }
        if !val.iter().all(u8::is_ascii_graphic) {
            return Err(MALFORMED);
        }
    }
    presented.require_signature()
}

/// Parses a header that carries exactly one signature: `<prefix><tag>` (GitHub's `sha256=<hex>`,
/// Slack's `v0=<hex>`), or the bare signature when `prefix` is empty (Shopify's base64), of
/// `algorithm`: an HMAC tag, or a public-key signature (Discord's hex Ed25519, SendGrid's base64
/// DER ECDSA).
///
/// A value that starts with another `label=` or `label,` is a signature of a version this scheme
/// does not accept: [`VerifyError::MissingSignature`].
pub(crate) fn parse_single<'a>(
    value: &'a [u8],
    prefix: &[u8],
    codec: Codec,
    algorithm: Algorithm,
    presented: &mut Presented<'a>,
) -> Result<(), VerifyError> {
    if value.is_empty() {
        return Err(MALFORMED);
    }
    let public = algorithm.is_public_key();
    match value.strip_prefix(prefix) {
        // Without the feature an Ed25519 signature is never checked: none is presented.
        Some(_) if algorithm == Algorithm::Ed25519 && !cfg!(feature = "ed25519") => {
            return Err(VerifyError::MissingSignature);
        }
        Some(sig) if public && !sig.is_empty() => {
            presented.push_public(sig, codec, algorithm, 1)?;
        }
        Some(tag) if !tag.is_empty() && !public => presented.push_tag(tag, codec, 1)?,
        Some(_) => return Err(MALFORMED),
        None => {
            let other_version = value
                .iter()
                .position(|&b| b == b'=' || b == b',')
                .and_then(|at| value.get(..at))
                .is_some_and(|label| {
                    !label.is_empty() && label.iter().all(u8::is_ascii_alphanumeric)
                });
            return Err(if other_version && value.iter().all(u8::is_ascii_graphic) {
                VerifyError::MissingSignature
            } else {
                MALFORMED
            });
        }
    }
    Ok(())
}

/// Keeps a bearer token's signature, one of `algorithm` written with `codec`.
pub(crate) fn push_token_signature<'a>(
    signature: &'a [u8],
    codec: Codec,
    algorithm: Algorithm,
    presented: &mut Presented<'a>,
) -> Result<(), VerifyError> {
    presented.push_public(signature, codec, algorithm, 1)
}

impl<'a> Presented<'a> {
    /// Nothing presented yet, for signatures of `algorithm`; the parsers fill it in place (so
    /// the tags are never moved).
    pub(crate) fn new(algorithm: Algorithm) -> Self {
        Self {
            algorithm,
            timestamp: None,
            listed: None,
            tags: [[0_u8; TAG_LEN]; MAX_SIGNATURES],
            count: 0,
            public: [&[]; MAX_SIGNATURES],
            public_count: 0,
        }
    }

    /// The number of signatures of either kind held.
    fn total(&self) -> usize {
        self.count + self.public_count
    }

    /// Decodes and keeps one HMAC tag.
    fn push_tag(&mut self, text: &[u8], codec: Codec, max: usize) -> Result<(), VerifyError> {
        if self.total() >= max {
            return Err(VerifyError::TooManySignatures { max });
        }
        let slot = self
            .tags
            .get_mut(self.count)
            .ok_or(VerifyError::TooManySignatures { max })?;
        codec
            .decode(text, slot)
            .ok_or_else(|| malformed_or(text, VerifyError::MalformedSignature))?;
        self.count += 1;
        Ok(())
    }

    /// Checks that `text` is one signature of `algorithm`, a public-key one, written with
    /// `codec`, and keeps it (decoded again when it is verified).
    fn push_public(
        &mut self,
        text: &'a [u8],
        codec: Codec,
        algorithm: Algorithm,
        max: usize,
    ) -> Result<(), VerifyError> {
        if self.total() >= max {
            return Err(VerifyError::TooManySignatures { max });
        }
        if decode_public(
            text,
            codec,
            algorithm,
            &mut [0_u8; MAX_PUBLIC_SIGNATURE_LEN],
        )
        .is_none()
        {
            return Err(malformed_or(text, VerifyError::MalformedSignature));
        }
        let slot = self
            .public
            .get_mut(self.public_count)
            .ok_or(VerifyError::TooManySignatures { max })?;
        *slot = text;
        self.public_count += 1;
        Ok(())
    }

    fn require_signature(&self) -> Result<(), VerifyError> {
        if self.total() == 0 {
            return Err(VerifyError::MissingSignature);
        }
        Ok(())
    }

    /// The HMAC tags presented, in order.
    #[cfg(fuzzing)]
    pub(crate) fn tags(&self) -> &[Tag] {
        self.tags.get(..self.count).unwrap_or_default()
    }

    /// Whether any HMAC tags were presented.
    pub(crate) fn has_tags(&self) -> bool {
        self.count > 0
    }

    /// The public-key signatures presented, as sent.
    pub(crate) fn public_signatures(&self) -> &[&'a [u8]] {
        self.public.get(..self.public_count).unwrap_or_default()
    }
}

const MALFORMED: VerifyError = VerifyError::MalformedHeader(HeaderKind::Signature);

/// The longest public-key signature, decoded: an RSA-4096 one.
pub(crate) const MAX_PUBLIC_SIGNATURE_LEN: usize = 512;

/// `text` decoded as one signature of `algorithm` written with `codec`, into the front of
/// `out`; `None` unless it is one, well-formed.
pub(crate) fn decode_public<'o>(
    text: &[u8],
    codec: Codec,
    algorithm: Algorithm,
    out: &'o mut [u8; MAX_PUBLIC_SIGNATURE_LEN],
) -> Option<&'o [u8]> {
    let len = match algorithm.has_variable_length() {
        true => codec.decode_up_to(text, out)?,
        false => {
            codec.decode(text, out)?;
            codec.tag_len
        }
    };
    let signature = out.get(..len)?;
    algorithm.is_well_formed(signature).then_some(signature)
}

/// How `v1a` entries write Ed25519 signatures: padded base64.
pub(crate) const ED25519_BASE64: Codec = Codec {
    encoding: crate::scheme::Encoding::Base64,
    tag_len: 64,
};

/// Splits `key=rest` at the first `=`, checking the key: non-empty, ASCII alphanumerics, `-`
/// and `_`.
fn split_key(entry: &[u8]) -> Option<(&[u8], &[u8])> {
    let eq = entry
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))?;
    match entry.split_at(eq) {
        (key, [b'=', rest @ ..]) if !key.is_empty() => Some((key, rest)),
        _ => None,
    }
}

/// Splits a value from what follows it: up to the next `separator` (which is consumed), or the
/// end. When the value is expected to be `expected_len` bytes and a separator or the end follows
/// there, no scan is needed.
fn split_value(rest: &[u8], separator: u8, expected_len: usize) -> (&[u8], Option<&[u8]>) {
    if expected_len > 0 {
        match (rest.get(..expected_len), rest.get(expected_len)) {
            (Some(val), None) => return (val, None),
            (Some(val), Some(&b)) if b == separator => {
                return (val, rest.get(expected_len + 1..));
            }
            _ => {}
        }
    }
    match rest.iter().position(|&b| b == separator) {
        Some(at) => (rest.get(..at).unwrap_or_default(), rest.get(at + 1..)),
        None => (rest, None),
    }
}

/// A value its field's parser refused: a syntax error if it holds a byte outside visible ASCII,
/// `otherwise` if it is merely not a valid value for its field.
fn malformed_or(val: &[u8], otherwise: VerifyError) -> VerifyError {
    if val.iter().all(u8::is_ascii_graphic) {
        otherwise
    } else {
        MALFORMED
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::tests::{B64, HEX, HEX32};
    use crate::error::TimestampReason;

    fn parse(v: &str) -> Result<Presented<'_>, VerifyError> {
        params(v, b',', b"v1", Some(b"t"), MAX_SIGNATURES)
    }

    fn params<'a>(
        v: &'a str,
        sep: u8,
        key: &[u8],
        ts: Option<&[u8]>,
        max: usize,
    ) -> Result<Presented<'a>, VerifyError> {
        let mut p = Presented::new(Algorithm::HmacSha256);
        let keys = ParamKeys {
            signature: key,
            timestamp: ts.map(|k| (k, TimestampFormat::UnixSecs)),
            listed: None,
        };
        parse_params(v.as_bytes(), (sep, false), keys, HEX32, max, &mut p).map(|()| p)
    }

    #[test]
    fn well_formed_lists() {
        let text = format!("t=1492774577,v1={HEX},v0={HEX}");
        let p = parse(&text).unwrap();
        let (t, digits) = p.timestamp.unwrap();
        assert_eq!(t.as_unix_secs(), 1_492_774_577);
        assert_eq!(digits, b"1492774577");
        assert_eq!(p.count, 1);
        let text = format!("v1={HEX},t=1,v1={HEX},x-future=abc");
        let p = parse(&text).unwrap();
        assert_eq!(p.count, 2);
    }

    #[test]
    fn malformed_lists_get_exact_errors() {
        let m = VerifyError::MalformedHeader(HeaderKind::Signature);
        let cases: Vec<(String, VerifyError)> = vec![
            (String::new(), m.clone()),
            (format!("t=1, v1={HEX}"), m.clone()),
            (format!("t=1,v1={HEX},"), m.clone()),
            (format!(",t=1,v1={HEX}"), m.clone()),
            (format!("t=1,,v1={HEX}"), m.clone()),
            (format!("t=1,v1{HEX}"), m.clone()),
            (format!("t=1,=abc,v1={HEX}"), m.clone()),
            ("t=1,v1=".to_string(), m.clone()),
            (format!("t=1,v 1={HEX}"), m.clone()),
            (format!("t=1,v1={HEX}\u{e9}"), m.clone()),
            (format!("t=1,v1={HEX}\0"), m.clone()),
            (format!("t=1,v1={HEX},t=2"), VerifyError::DuplicateTimestamp),
            (format!("v1={HEX}"), VerifyError::MissingTimestamp),
            ("t=1".to_string(), VerifyError::MissingSignature),
            (format!("t=1,v0={HEX}"), VerifyError::MissingSignature),
            (
                format!("t=+1,v1={HEX}"),
                VerifyError::InvalidTimestamp(TimestampReason::NotDigits),
            ),
            (
                format!("t=01,v1={HEX}"),
                VerifyError::InvalidTimestamp(TimestampReason::LeadingZero),
            ),
            (
                format!("t=1,v1={}", &HEX[..63]),
                VerifyError::MalformedSignature,
            ),
            (format!("t=1,v1={HEX}0"), VerifyError::MalformedSignature),
            (
                format!("t=1,v1={}", HEX.to_uppercase()),
                VerifyError::MalformedSignature,
            ),
            (
                format!("t=1,v1={}g", &HEX[..63]),
                VerifyError::MalformedSignature,
            ),
            (format!("t=1,v1={HEX}==="), VerifyError::MalformedSignature),
        ];
        for (input, want) in cases {
            assert_eq!(parse(&input).err(), Some(want), "{input:?}");
        }
    }

    #[test]
    fn signature_count_is_capped() {
        let eight = vec![format!("v1={HEX}"); MAX_SIGNATURES].join(",");
        assert_eq!(
            parse(&format!("t=1,{eight}")).unwrap().count,
            MAX_SIGNATURES
        );
        assert_eq!(
            parse(&format!("t=1,{eight},v1={HEX}")).err(),
            Some(VerifyError::TooManySignatures { max: 8 })
        );
        let text = format!("t=1,v1={HEX},v1={HEX}");
        let few = params(&text, b',', b"v1", Some(b"t"), 1);
        assert_eq!(few.err(), Some(VerifyError::TooManySignatures { max: 1 }));
    }

    #[test]
    fn versioned_lists() {
        const SIG: &str = "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
        fn v(t: &str) -> Result<Presented<'_>, VerifyError> {
            let mut p = Presented::new(Algorithm::HmacSha256);
            parse_versioned(t.as_bytes(), b"v1", None, B64, MAX_SIGNATURES, &mut p).map(|()| p)
        }
        assert_eq!(v(&format!("v1,{SIG}")).unwrap().count, 1);
        assert_eq!(
            v(&format!("v2,xyz v1,{SIG} v1a,abc v1,{SIG}"))
                .unwrap()
                .count,
            2
        );
        let m = VerifyError::MalformedHeader(HeaderKind::Signature);
        let cases: Vec<(String, VerifyError)> = vec![
            (String::new(), m.clone()),
            ("v1,".to_string(), m.clone()),
            (format!("v1{SIG}"), m.clone()),
            (format!(",{SIG}"), m.clone()),
            (format!("v1,{SIG}  v1,{SIG}"), m.clone()),
            (format!("v1,{SIG} "), m.clone()),
            (format!("v-1,{SIG}"), m.clone()),
            (format!("v2,\u{e9} v1,{SIG}"), m.clone()),
            (format!("v1,{}", &SIG[..8]), VerifyError::MalformedSignature),
            (format!("v1,{SIG},"), VerifyError::MalformedSignature),
            ("v2,abc".to_string(), VerifyError::MissingSignature),
            (
                vec![format!("v1,{SIG}"); 9].join(" "),
                VerifyError::TooManySignatures { max: 8 },
            ),
        ];
        for (input, want) in cases {
            assert_eq!(v(&input).err(), Some(want), "{input:?}");
        }
    }

    #[test]
    fn single_values() {
        fn single<'a>(t: &'a str, prefix: &str) -> Result<Presented<'a>, VerifyError> {
            let mut p = Presented::new(Algorithm::HmacSha256);
            parse_single(
                t.as_bytes(),
                prefix.as_bytes(),
                HEX32,
                Algorithm::HmacSha256,
                &mut p,
            )
            .map(|()| p)
        }
        assert_eq!(
            single(&format!("sha256={HEX}"), "sha256=").unwrap().count,
            1
        );
        assert_eq!(single(HEX, "").unwrap().count, 1);
        let m = VerifyError::MalformedHeader(HeaderKind::Signature);
        let cases: Vec<(String, &str, VerifyError)> = vec![
            (String::new(), "sha256=", m.clone()),
            ("sha256=".to_string(), "sha256=", m.clone()),
            (
                format!("sha1={HEX}"),
                "sha256=",
                VerifyError::MissingSignature,
            ),
            (format!("v1,{HEX}"), "v0=", VerifyError::MissingSignature),
            (format!(" {HEX}"), "sha256=", m.clone()),
            (HEX.to_string(), "sha256=", m.clone()),
            (
                format!("sha256={HEX},sha256={HEX}"),
                "sha256=",
                VerifyError::MalformedSignature,
            ),
            (
                format!("sha256={}", HEX.to_uppercase()),
                "sha256=",
                VerifyError::MalformedSignature,
            ),
            (format!("sha256={HEX}\0"), "sha256=", m.clone()),
        ];
        for (input, prefix, want) in cases {
            assert_eq!(single(&input, prefix).err(), Some(want), "{input:?}");
        }
    }

    #[test]
    fn semicolon_params_with_another_timestamp_key() {
        let text = format!("ts=1671552777;h1={HEX};h1={HEX}");
        let p = params(&text, b';', b"h1", Some(b"ts"), 8).unwrap();
        assert_eq!(p.count, 2);
        assert_eq!(p.timestamp.unwrap().1, b"1671552777");
        let no_ts = params(HEX, b';', b"h1", None, 8);
        assert_eq!(
            no_ts.err(),
            Some(VerifyError::MalformedHeader(HeaderKind::Signature))
        );
        let text = format!("h1={HEX}");
        let p = params(&text, b';', b"h1", None, 8).unwrap();
        assert!(p.timestamp.is_none());
    }
}

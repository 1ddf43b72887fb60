//! Byte-level parsers for signature headers. Each one is bounded (it looks at each input byte a
//! fixed number of times and stores at most a fixed number of tags on the stack), allocation-free,
//! and returns a typed error for every malformed input: none of them can panic.

use base64::Engine as _;

use super::Encoding;
use crate::clock::Timestamp;
use crate::error::{HeaderKind, TimestampError, VerifyError};
use crate::mac::{TAG_LEN, Tag, tags_equal};

/// The most signatures any scheme accepts in one header: room for a rotation with a few keys in
/// flight, and the size of the stack buffer that holds them.
pub(crate) const MAX_SIGNATURES: usize = 8;

/// The signatures (and, when the signature header carries it, the timestamp) presented with a
/// request, decoded to bytes.
pub(crate) struct Presented<'a> {
    /// The timestamp and its digits exactly as sent (canonical, so they equal the timestamp
    /// formatted in decimal).
    pub(crate) timestamp: Option<(Timestamp, &'a [u8])>,
    tags: [Tag; MAX_SIGNATURES],
    count: usize,
    #[cfg(feature = "ed25519")]
    ed25519: [&'a [u8]; MAX_SIGNATURES],
    #[cfg(feature = "ed25519")]
    ed25519_count: usize,
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

/// Parses a canonical unix timestamp: ASCII digits only, no sign, no leading zero (except `0`),
/// fitting in a `u64`.
///
/// Each value gets the error for its first fault in this order: empty, a byte that is not a
/// digit (anywhere, even past the point where the digits overflow), a leading zero, too large.
pub(crate) fn parse_timestamp(digits: &[u8]) -> Result<Timestamp, TimestampError> {
    if digits.is_empty() {
        return Err(TimestampError::Empty);
    }
    // One pass: a non-digit returns at once; an overflow is only noted, since a non-digit
    // after it still decides the error.
    let mut value: Option<u64> = Some(0);
    for &b in digits {
        if !b.is_ascii_digit() {
            return Err(TimestampError::NotDigits);
        }
        value = value
            .and_then(|v| v.checked_mul(10))
            .and_then(|v| v.checked_add(u64::from(b - b'0')));
    }
    if digits.len() > 1 && digits.first() == Some(&b'0') {
        return Err(TimestampError::LeadingZero);
    }
    value
        .map(Timestamp::from_unix_secs)
        .ok_or(TimestampError::TooLarge)
}

/// A timestamp's canonical decimal digits, on the stack.
pub(crate) struct Digits {
    buf: [u8; 20],
    start: usize,
}

impl Digits {
    pub(crate) fn new(t: Timestamp) -> Self {
        let mut buf = [b'0'; 20];
        let mut n = t.as_unix_secs();
        let mut start = buf.len();
        loop {
            start -= 1;
            // `n % 10` is a single digit, and a u64 has at most 20 digits, so `start` stays in
            // bounds.
            #[allow(clippy::cast_possible_truncation, clippy::indexing_slicing)]
            {
                buf[start] = b'0' + (n % 10) as u8;
            }
            n /= 10;
            if n == 0 {
                break;
            }
        }
        Self { buf, start }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.buf.get(self.start..).unwrap_or_default()
    }

    pub(crate) fn as_str(&self) -> &str {
        // Only ASCII digits are ever written.
        core::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }
}

/// How a scheme writes one tag: its encoding and the tag's length in bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Codec {
    pub(crate) encoding: Encoding,
    pub(crate) tag_len: usize,
}

impl Codec {
    /// The length of an encoded tag, in bytes.
    pub(crate) const fn text_len(self) -> usize {
        match self.encoding {
            Encoding::Hex => 2 * self.tag_len,
            Encoding::Base64 => base64_len(self.tag_len),
        }
    }

    /// Decodes an encoded tag into the front of `out`; `None` unless `text` is exactly one
    /// canonically encoded tag.
    pub(crate) fn decode(self, text: &[u8], out: &mut Tag) -> Option<()> {
        let out = out.get_mut(..self.tag_len)?;
        match self.encoding {
            Encoding::Hex => decode_lower_hex(text, out),
            Encoding::Base64 => decode_base64_exact(text, out),
        }
    }

    /// Appends `tag`, encoded, to `out`.
    pub(crate) fn encode(self, tag: &Tag, out: &mut String) {
        let tag = tag.get(..self.tag_len).unwrap_or_default();
        match self.encoding {
            Encoding::Hex => push_lower_hex(tag, out),
            Encoding::Base64 => base64::engine::general_purpose::STANDARD.encode_string(tag, out),
        }
    }
}

/// The length of `n` bytes in padded base64.
pub(crate) const fn base64_len(n: usize) -> usize {
    n.div_ceil(3) * 4
}

/// Parses a `key=value` list such as `t=1492774577,v1=<hex>,v1=<hex>` (or, with `;` as the
/// separator, Paddle's `ts=1671552777;h1=<hex>`):
///
/// - entries are separated by `separator`; there is no whitespace anywhere and every byte is
///   visible ASCII;
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
    separator: u8,
    signature_key: &[u8],
    timestamp_key: Option<&[u8]>,
    codec: Codec,
    max_signatures: usize,
    presented: &mut Presented<'a>,
) -> Result<(), VerifyError> {
    let max_signatures = max_signatures.min(MAX_SIGNATURES);
    let tag_text_len = codec.text_len();

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
            let t = parse_timestamp(val)
                .map_err(|e| malformed_or(val, VerifyError::InvalidTimestamp(e)))?;
            presented.timestamp = Some((t, val));
        } else if key == signature_key {
            presented.push_tag(val, codec, max_signatures)?;
        } else if !val.iter().all(u8::is_ascii_graphic) {
            return Err(MALFORMED);
        }
        match next {
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
    #[cfg(not(feature = "ed25519"))]
    let _ = ed25519_version;

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
        #[cfg(feature = "ed25519")]
        if Some(label) == ed25519_version {
            presented.push_ed25519(val, max_signatures)?;
            continue;
        }
        if !val.iter().all(u8::is_ascii_graphic) {
            return Err(MALFORMED);
        }
    }
    presented.require_signature()
}

/// Parses a header that carries exactly one tag: `<prefix><tag>` (GitHub's `sha256=<hex>`,
/// Slack's `v0=<hex>`), or the bare tag when `prefix` is empty (Shopify's base64).
///
/// A value that starts with another `label=` or `label,` is a signature of a version this scheme
/// does not accept: [`VerifyError::MissingSignature`].
pub(crate) fn parse_single(
    value: &[u8],
    prefix: &[u8],
    codec: Codec,
    presented: &mut Presented<'_>,
) -> Result<(), VerifyError> {
    if value.is_empty() {
        return Err(MALFORMED);
    }
    match value.strip_prefix(prefix) {
        Some(tag) if !tag.is_empty() => presented.push_tag(tag, codec, 1)?,
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

impl<'a> Presented<'a> {
    /// Nothing presented yet; the parsers fill it in place (so the tags are never moved).
    pub(crate) fn new() -> Self {
        Self {
            timestamp: None,
            tags: [[0_u8; TAG_LEN]; MAX_SIGNATURES],
            count: 0,
            #[cfg(feature = "ed25519")]
            ed25519: [&[]; MAX_SIGNATURES],
            #[cfg(feature = "ed25519")]
            ed25519_count: 0,
        }
    }

    /// The number of signatures of either kind held.
    fn total(&self) -> usize {
        #[cfg(feature = "ed25519")]
        return self.count + self.ed25519_count;
        #[cfg(not(feature = "ed25519"))]
        self.count
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

    /// Checks and keeps one base64 Ed25519 signature (decoded again when it is verified).
    #[cfg(feature = "ed25519")]
    fn push_ed25519(&mut self, text: &'a [u8], max: usize) -> Result<(), VerifyError> {
        if self.total() >= max {
            return Err(VerifyError::TooManySignatures { max });
        }
        if crate::ed25519::decode_signature(text).is_none() {
            return Err(malformed_or(text, VerifyError::MalformedSignature));
        }
        let slot = self
            .ed25519
            .get_mut(self.ed25519_count)
            .ok_or(VerifyError::TooManySignatures { max })?;
        *slot = text;
        self.ed25519_count += 1;
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

    /// The Ed25519 signatures presented, as base64 text.
    #[cfg(feature = "ed25519")]
    pub(crate) fn ed25519_signatures(&self) -> &[&'a [u8]] {
        self.ed25519.get(..self.ed25519_count).unwrap_or_default()
    }
}

const MALFORMED: VerifyError = VerifyError::MalformedHeader(HeaderKind::Signature);

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

/// Decodes lowercase hex into `out`, which it must fill exactly. Uppercase is refused: senders
/// emit lowercase, and accepting one spelling keeps signature headers canonical.
///
/// Branch-free over the digits, with a single validity check at the end: the time taken does not
/// depend on the digits. A 32-byte tag (every scheme but one) goes through fixed-size arrays,
/// which the compiler vectorizes.
pub(crate) fn decode_lower_hex(text: &[u8], out: &mut [u8]) -> Option<()> {
    if let (Ok(text), Ok(out)) = (
        <&[u8; 2 * TAG_LEN]>::try_from(text),
        <&mut [u8; TAG_LEN]>::try_from(&mut *out),
    ) {
        return decode_lower_hex_32(text, out);
    }
    if text.len() != 2 * out.len() {
        return None;
    }
    let (pairs, _) = text.as_chunks::<2>();
    let mut invalid = 0_u8;
    for (byte, &[hi, lo]) in out.iter_mut().zip(pairs) {
        let (hi, hi_bad) = hex_nibble(hi);
        let (lo, lo_bad) = hex_nibble(lo);
        *byte = hi << 4 | lo;
        invalid |= hi_bad | lo_bad;
    }
    (invalid == 0).then_some(())
}

/// [`decode_lower_hex`] for exactly one 32-byte tag.
fn decode_lower_hex_32(text: &[u8; 2 * TAG_LEN], out: &mut Tag) -> Option<()> {
    let mut nibbles = [0_u8; 2 * TAG_LEN];
    let mut invalid = 0_u8;
    for (nibble, &c) in nibbles.iter_mut().zip(text) {
        let (value, bad) = hex_nibble(c);
        *nibble = value;
        invalid |= bad;
    }
    let (pairs, _) = nibbles.as_chunks::<2>();
    for (byte, [hi, lo]) in out.iter_mut().zip(pairs) {
        *byte = hi << 4 | lo;
    }
    (invalid == 0).then_some(())
}

/// One lowercase hex digit's value, and 1 if it is not one.
fn hex_nibble(c: u8) -> (u8, u8) {
    let digit = c.wrapping_sub(b'0');
    let letter = c.wrapping_sub(b'a');
    let (is_digit, is_letter) = (digit < 10, letter < 6);
    let value = if is_digit {
        digit
    } else {
        letter.wrapping_add(10)
    };
    (value, u8::from(!(is_digit | is_letter)))
}

/// Decodes canonical, padded, standard-alphabet base64 into `out`, which it must fill exactly:
/// the text is exactly `4 * ceil(n / 3)` characters, padded with `=` only where the length says,
/// and the bits a final partial group leaves over are zero (the `base64` crate's `STANDARD`
/// rules). Table-driven and branch-free over the characters; the input is a presented signature,
/// not a secret.
pub(crate) fn decode_base64_exact(text: &[u8], out: &mut [u8]) -> Option<()> {
    if text.len() != base64_len(out.len()) {
        return None;
    }
    let (quads, _) = text.as_chunks::<4>();
    let full = out.len() / 3;
    let (whole, tail) = out.split_at_mut(full * 3);
    let (groups, _) = whole.as_chunks_mut::<3>();
    // Every sextet is below 64; the table marks anything else 0xff, so one OR shows a bad one.
    let mut seen = 0_u8;
    for (group, quad) in groups.iter_mut().zip(quads) {
        let [a, b, c, d] = quad.map(sextet);
        seen |= a | b | c | d;
        let n = u32::from(a) << 18 | u32::from(b) << 12 | u32::from(c) << 6 | u32::from(d);
        let [_, x, y, z] = n.to_be_bytes();
        *group = [x, y, z];
    }
    // The bits of the last sextet that fall past the final byte: canonical text has them zero.
    let leftover = match (tail, quads.get(full)) {
        ([], None) => 0,
        ([x], Some(&[a, b, b'=', b'='])) => {
            let (a, b) = (sextet(a), sextet(b));
            seen |= a | b;
            *x = a << 2 | b >> 4;
            b & 0x0f
        }
        ([x, y], Some(&[a, b, c, b'='])) => {
            let (a, b, c) = (sextet(a), sextet(b), sextet(c));
            seen |= a | b | c;
            *x = a << 2 | b >> 4;
            *y = (b & 0x0f) << 4 | c >> 2;
            c & 0x03
        }
        _ => return None,
    };
    (seen < 64 && leftover == 0).then_some(())
}

/// The value of one base64 character, or 0xff for a character outside the alphabet.
fn sextet(c: u8) -> u8 {
    *BASE64_VALUES.get(usize::from(c)).unwrap_or(&0xff)
}

/// The standard base64 alphabet, inverted.
// Evaluated at compile time: an index out of range would fail the build, and `i` is below 64.
#[allow(clippy::indexing_slicing, clippy::cast_possible_truncation)]
static BASE64_VALUES: [u8; 256] = {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut values = [0xff_u8; 256];
    let mut i = 0;
    while i < alphabet.len() {
        values[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    values
};

/// Encodes bytes as lowercase hex onto `out`.
pub(crate) fn push_lower_hex(bytes: &[u8], out: &mut String) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for &b in bytes {
        for nibble in [b >> 4, b & 0x0f] {
            out.push(char::from(
                *DIGITS.get(usize::from(nibble)).unwrap_or(&b'0'),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The `base64` crate's canonical decoder, as the reference for ours.
    fn reference(text: &[u8], len: usize) -> Option<Vec<u8>> {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(text)
            .ok()?;
        (decoded.len() == len).then_some(decoded)
    }

    proptest! {
        #[test]
        fn base64_decoding_agrees_with_the_base64_crate_on_valid_text(bytes in proptest::collection::vec(any::<u8>(), 0..70)) {
            let text = base64::engine::general_purpose::STANDARD.encode(&bytes);
            let mut out = vec![0_u8; bytes.len()];
            prop_assert_eq!(decode_base64_exact(text.as_bytes(), &mut out), Some(()));
            prop_assert_eq!(out, bytes);
        }

        #[test]
        fn base64_decoding_agrees_with_the_base64_crate_on_any_text(
            text in "[A-Za-z0-9+/=_\\-. ]{40,48}",
            len in prop_oneof![Just(30_usize), Just(31), Just(32), Just(33), Just(34)],
        ) {
            let mut out = vec![0_u8; len];
            let ours = decode_base64_exact(text.as_bytes(), &mut out).map(|()| out);
            prop_assert_eq!(ours, reference(text.as_bytes(), len), "{}", text);
        }

        #[test]
        fn base64_decoding_agrees_with_the_base64_crate_near_valid_text(
            bytes in proptest::collection::vec(any::<u8>(), 1..40),
            at in any::<prop::sample::Index>(),
            with in prop::sample::select(NEAR_VALID.to_vec()),
        ) {
            let mut text = base64::engine::general_purpose::STANDARD.encode(&bytes).into_bytes();
            let at = at.index(text.len());
            text[at] = with;
            let mut out = vec![0_u8; bytes.len()];
            let ours = decode_base64_exact(&text, &mut out).map(|()| out);
            prop_assert_eq!(ours, reference(&text, bytes.len()));
        }
    }

    /// Every base64 character, padding, and bytes outside the alphabet.
    const NEAR_VALID: &[u8] =
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=*-_ ";

    #[test]
    fn base64_decoding_refuses_every_non_canonical_last_character() {
        // One and two bytes left over after whole groups (64 bytes, an Ed25519 signature, leave
        // one; 32, an HMAC-SHA256 tag, leave two). Every character in the last data position
        // is tried against the base64 crate.
        for len in [1_usize, 2, 4, 5, 31, 32, 64] {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11).to_le_bytes()[0]).collect();
            let text = base64::engine::general_purpose::STANDARD.encode(&bytes);
            let last = text.trim_end_matches('=').len() - 1;
            for &c in NEAR_VALID {
                let mut variant = text.clone().into_bytes();
                variant[last] = c;
                let mut out = vec![0_u8; len];
                let ours = decode_base64_exact(&variant, &mut out).map(|()| out);
                assert_eq!(
                    ours,
                    reference(&variant, len),
                    "{}",
                    String::from_utf8_lossy(&variant)
                );
            }
        }
    }

    const HEX: &str = "5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd";

    const HEX32: Codec = Codec {
        encoding: Encoding::Hex,
        tag_len: 32,
    };
    const B64: Codec = Codec {
        encoding: Encoding::Base64,
        tag_len: 32,
    };

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
        let mut p = Presented::new();
        parse_params(v.as_bytes(), sep, key, ts, HEX32, max, &mut p).map(|()| p)
    }

    #[test]
    fn timestamps_must_be_canonical() {
        assert_eq!(parse_timestamp(b"0").unwrap().as_unix_secs(), 0);
        assert_eq!(
            parse_timestamp(b"1492774577").unwrap().as_unix_secs(),
            1_492_774_577
        );
        assert_eq!(
            parse_timestamp(b"18446744073709551615")
                .unwrap()
                .as_unix_secs(),
            u64::MAX
        );
        let bad: [(&[u8], TimestampError); 11] = [
            (b"", TimestampError::Empty),
            (b"0123", TimestampError::LeadingZero),
            (b"00", TimestampError::LeadingZero),
            (b"+123", TimestampError::NotDigits),
            (b"-1", TimestampError::NotDigits),
            (b"1e9", TimestampError::NotDigits),
            (b"1.5", TimestampError::NotDigits),
            (b" 1", TimestampError::NotDigits),
            (b"0x1", TimestampError::NotDigits),
            (b"18446744073709551616", TimestampError::TooLarge),
            (b"99999999999999999999999", TimestampError::TooLarge),
        ];
        for (input, want) in bad {
            assert_eq!(parse_timestamp(input).unwrap_err(), want, "{input:?}");
        }
    }

    #[test]
    fn digits_round_trip() {
        for n in [0, 9, 10, 1_492_774_577, u64::MAX] {
            let d = Digits::new(Timestamp::from_unix_secs(n));
            assert_eq!(d.as_str(), n.to_string());
            assert_eq!(parse_timestamp(d.as_bytes()).unwrap().as_unix_secs(), n);
        }
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
                VerifyError::InvalidTimestamp(TimestampError::NotDigits),
            ),
            (
                format!("t=01,v1={HEX}"),
                VerifyError::InvalidTimestamp(TimestampError::LeadingZero),
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
    fn hex_round_trip() {
        let mut tag = [0_u8; TAG_LEN];
        HEX32.decode(HEX.as_bytes(), &mut tag).unwrap();
        let mut s = String::new();
        HEX32.encode(&tag, &mut s);
        assert_eq!(s, HEX);
        // A 20-byte (SHA-1) tag fills the front of the buffer.
        let sha1 = Codec {
            encoding: Encoding::Hex,
            tag_len: 20,
        };
        let mut short = [0xff_u8; TAG_LEN];
        sha1.decode(&HEX.as_bytes()[..40], &mut short).unwrap();
        assert_eq!(short[..20], tag[..20]);
        assert!(sha1.decode(HEX.as_bytes(), &mut short).is_none());
    }

    #[test]
    fn base64_tags_must_be_canonical() {
        const SIG: &str = "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
        let mut tag = [0_u8; TAG_LEN];
        B64.decode(SIG.as_bytes(), &mut tag).unwrap();
        let mut s = String::new();
        B64.encode(&tag, &mut s);
        assert_eq!(s, SIG);
        for bad in [
            &SIG[..43],                                     // padding dropped
            &SIG[..8],                                      // truncated
            "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OF=", // non-zero trailing bits
            "g0hM9SsE-OTPJTGt_tmIKtSyZlE3uFJELVlNIOLJ1OE=", // URL-safe alphabet
            "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1O==", // wrong length
            "",
        ] {
            assert!(B64.decode(bad.as_bytes(), &mut tag).is_none(), "{bad}");
        }
    }

    #[test]
    fn versioned_lists() {
        const SIG: &str = "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
        fn v(t: &str) -> Result<Presented<'_>, VerifyError> {
            let mut p = Presented::new();
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
        let single = |t: &str, prefix: &str| {
            let mut p = Presented::new();
            parse_single(t.as_bytes(), prefix.as_bytes(), HEX32, &mut p).map(|()| p)
        };
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

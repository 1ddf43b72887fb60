//! Byte-level parsers for signature headers. Each one is bounded (it looks at each input byte a
//! fixed number of times and stores at most a fixed number of tags on the stack), allocation-free,
//! and returns a typed error for every malformed input: none of them can panic.

use crate::clock::Timestamp;
use crate::error::{HeaderKind, TimestampError, VerifyError};
use crate::mac::{TAG_LEN, Tag, tags_equal};

/// The most signatures any scheme accepts in one header: room for a rotation with a few keys in
/// flight, and the size of the stack buffer that holds them.
pub(crate) const MAX_SIGNATURES: usize = 8;

/// The signatures and timestamp presented with a request, decoded to bytes.
pub(crate) struct Presented<'a> {
    pub(crate) timestamp: Timestamp,
    /// The timestamp exactly as sent; canonical, so it equals `timestamp` formatted in decimal.
    pub(crate) timestamp_digits: &'a [u8],
    tags: [Tag; MAX_SIGNATURES],
    count: usize,
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
pub(crate) fn parse_timestamp(digits: &[u8]) -> Result<Timestamp, TimestampError> {
    match digits {
        [] => return Err(TimestampError::Empty),
        [b'0', _, ..] if digits.iter().all(u8::is_ascii_digit) => {
            return Err(TimestampError::LeadingZero);
        }
        _ => {}
    }
    let mut value: u64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return Err(TimestampError::NotDigits);
        }
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(b - b'0')))
            .ok_or(TimestampError::TooLarge)?;
    }
    Ok(Timestamp::from_unix_secs(value))
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

/// Parses a `key=value` list such as `t=1492774577,v1=<hex>,v1=<hex>`:
///
/// - entries are separated by `,`; there is no whitespace anywhere and every byte is visible ASCII;
/// - each entry is `key=value`, with a non-empty alphanumeric key and a non-empty value;
/// - `timestamp_key` must appear exactly once, with a canonical timestamp;
/// - `signature_key` must appear one to `max_signatures` times, each a 64-character lowercase hex
///   tag;
/// - entries with any other key (other signature versions, future extensions) are skipped.
///
/// Each byte is examined once, by the check for the field it belongs to.
pub(crate) fn parse_param_list<'a>(
    value: &'a [u8],
    timestamp_key: &[u8],
    signature_key: &[u8],
    max_signatures: usize,
) -> Result<Presented<'a>, VerifyError> {
    let max_signatures = max_signatures.min(MAX_SIGNATURES);
    let mut timestamp: Option<(&[u8], Timestamp)> = None;
    let mut tags = [[0_u8; TAG_LEN]; MAX_SIGNATURES];
    let mut count = 0;

    let mut rest = value;
    loop {
        let (key, after_eq) = split_key(rest).ok_or(MALFORMED)?;
        // A well-formed tag is exactly 64 bytes, so look for its end there rather than scanning
        // for the comma; the decoder checks every one of those bytes.
        let expected_len = if key == signature_key { 2 * TAG_LEN } else { 0 };
        let (val, next) = split_value(after_eq, expected_len);
        if val.is_empty() {
            return Err(MALFORMED);
        }
        if key == timestamp_key {
            if timestamp.is_some() {
                return Err(VerifyError::DuplicateTimestamp);
            }
            let t = parse_timestamp(val)
                .map_err(|e| malformed_or(val, VerifyError::InvalidTimestamp(e)))?;
            timestamp = Some((val, t));
        } else if key == signature_key {
            let Some(slot) = tags.get_mut(count).filter(|_| count < max_signatures) else {
                return Err(VerifyError::TooManySignatures {
                    max: max_signatures,
                });
            };
            decode_lower_hex(val, slot)
                .ok_or_else(|| malformed_or(val, VerifyError::MalformedSignature))?;
            count += 1;
        } else if !val.iter().all(u8::is_ascii_graphic) {
            return Err(MALFORMED);
        }
        match next {
            Some(n) => rest = n,
            None => break,
        }
    }

    let (timestamp_digits, timestamp) = timestamp.ok_or(VerifyError::MissingTimestamp)?;
    if count == 0 {
        return Err(VerifyError::MissingSignature);
    }
    Ok(Presented {
        timestamp,
        timestamp_digits,
        tags,
        count,
    })
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

/// Splits a value from what follows it: up to the next `,` (which is consumed), or the end.
/// When the value is expected to be `expected_len` bytes and a `,` or the end follows there, no
/// scan is needed.
fn split_value(rest: &[u8], expected_len: usize) -> (&[u8], Option<&[u8]>) {
    if expected_len > 0 {
        match (rest.get(..expected_len), rest.get(expected_len)) {
            (Some(val), None) => return (val, None),
            (Some(val), Some(b',')) => return (val, rest.get(expected_len + 1..)),
            _ => {}
        }
    }
    match rest.iter().position(|&b| b == b',') {
        Some(comma) => (rest.get(..comma).unwrap_or_default(), rest.get(comma + 1..)),
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

/// Decodes exactly 64 lowercase hex characters into `out`. Uppercase is refused: senders emit
/// lowercase, and accepting one spelling keeps the signature header canonical.
///
/// Branch-free over fixed-size arrays (so the compiler can vectorize it), with a single validity
/// check at the end: the time taken does not depend on the digits.
pub(crate) fn decode_lower_hex(text: &[u8], out: &mut Tag) -> Option<()> {
    let text: &[u8; 2 * TAG_LEN] = text.try_into().ok()?;
    let mut nibbles = [0_u8; 2 * TAG_LEN];
    let mut invalid = 0_u8;
    for (nibble, &c) in nibbles.iter_mut().zip(text) {
        let digit = c.wrapping_sub(b'0');
        let letter = c.wrapping_sub(b'a');
        let (is_digit, is_letter) = (digit < 10, letter < 6);
        *nibble = if is_digit {
            digit
        } else {
            letter.wrapping_add(10)
        };
        invalid |= u8::from(!(is_digit | is_letter));
    }
    let (pairs, _) = nibbles.as_chunks::<2>();
    for (byte, [hi, lo]) in out.iter_mut().zip(pairs) {
        *byte = hi << 4 | lo;
    }
    (invalid == 0).then_some(())
}

/// Encodes a tag as 64 lowercase hex characters onto `out`.
pub(crate) fn push_lower_hex(tag: &Tag, out: &mut String) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for &b in tag {
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

    const HEX: &str = "5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd";

    fn parse(v: &str) -> Result<Presented<'_>, VerifyError> {
        parse_param_list(v.as_bytes(), b"t", b"v1", MAX_SIGNATURES)
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
        assert_eq!(p.timestamp.as_unix_secs(), 1_492_774_577);
        assert_eq!(p.timestamp_digits, b"1492774577");
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
        let few = parse_param_list(text.as_bytes(), b"t", b"v1", 1);
        assert_eq!(few.err(), Some(VerifyError::TooManySignatures { max: 1 }));
    }

    #[test]
    fn hex_round_trip() {
        let mut tag = [0_u8; TAG_LEN];
        decode_lower_hex(HEX.as_bytes(), &mut tag).unwrap();
        let mut s = String::new();
        push_lower_hex(&tag, &mut s);
        assert_eq!(s, HEX);
    }
}

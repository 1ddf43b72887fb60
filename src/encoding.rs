//! The hex and base64 codecs: canonical decoding of presented tags (branch-free over the
//! characters, each spelling refused but one), encoding of the tags the signer writes, and
//! [`Codec`], a scheme's choice of the two for its tag length.

use alloc::string::String;
use base64::Engine as _;

use crate::mac::{TAG_LEN, Tag};
use crate::scheme::Encoding;

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
            Encoding::Base64Url => (4 * self.tag_len).div_ceil(3),
        }
    }

    /// Decodes an encoded tag into the front of `out`; `None` unless `text` is exactly one
    /// canonically encoded tag.
    pub(crate) fn decode(self, text: &[u8], out: &mut [u8]) -> Option<()> {
        let out = out.get_mut(..self.tag_len)?;
        match self.encoding {
            Encoding::Hex => decode_lower_hex(text, out),
            Encoding::Base64 => decode_base64_exact(text, out),
            Encoding::Base64Url => (self.decode_up_to(text, out)? == out.len()).then_some(()),
        }
    }

    /// Decodes a signature of any length up to `out`'s into the front of `out`; its length.
    /// `None` unless `text` is canonically encoded (lowercase hex; padded standard base64 with
    /// no stray bits).
    pub(crate) fn decode_up_to(self, text: &[u8], out: &mut [u8]) -> Option<usize> {
        match self.encoding {
            Encoding::Hex => {
                let len = text.len() / 2;
                text.len().is_multiple_of(2).then_some(())?;
                decode_lower_hex(text, out.get_mut(..len)?)?;
                Some(len)
            }
            Encoding::Base64 if text.len() > base64_len(out.len()) => None,
            Encoding::Base64 => base64::engine::general_purpose::STANDARD
                .decode_slice(text, out)
                .ok(),
            Encoding::Base64Url if text.len() > (4 * out.len()).div_ceil(3) => None,
            Encoding::Base64Url => base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode_slice(text, out)
                .ok(),
        }
    }

    /// Appends `tag`, encoded, to `out`.
    pub(crate) fn encode(self, tag: &[u8], out: &mut String) {
        let tag = tag.get(..self.tag_len).unwrap_or_default();
        match self.encoding {
            Encoding::Hex => push_lower_hex(tag, out),
            Encoding::Base64 => base64::engine::general_purpose::STANDARD.encode_string(tag, out),
            Encoding::Base64Url => {
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode_string(tag, out);
            }
        }
    }
}

/// The length of `n` bytes in padded base64.
pub(crate) const fn base64_len(n: usize) -> usize {
    n.div_ceil(3) * 4
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
pub(crate) mod tests {
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

    /// A 32-byte tag in hex, and the codecs of 32-byte tags, for the parsers' tests too.
    pub(crate) const HEX: &str = "5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd";

    pub(crate) const HEX32: Codec = Codec {
        encoding: Encoding::Hex,
        tag_len: 32,
    };
    pub(crate) const B64: Codec = Codec {
        encoding: Encoding::Base64,
        tag_len: 32,
    };

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
}

//! Form parameters as Twilio signs them: an `application/x-www-form-urlencoded` body decoded,
//! sorted by name and then by value, each distinct pair once, fed as `name‖value` with nothing
//! between (twilio-python's `RequestValidator.compute_signature`).
//!
//! The only part of signed content that allocates: one copy of the decoded body and one entry
//! per parameter, at most [`MAX_FORM_PARAMS`] (a body with more is refused).

use alloc::vec::Vec;
use core::ops::Range;

use crate::error::VerifyError;

/// The most parameters a signed form may have (Twilio sends a few dozen).
pub(crate) const MAX_FORM_PARAMS: usize = 1024;

/// A decoded form, its pairs in signing order.
pub(crate) struct Form {
    decoded: Vec<u8>,
    pairs: Vec<(Range<usize>, Range<usize>)>,
}

impl Form {
    /// The empty form: nothing is signed after the URL.
    pub(crate) fn empty() -> Self {
        Self {
            decoded: Vec::new(),
            pairs: Vec::new(),
        }
    }

    /// Decodes `body` as `name=value` pairs joined by `&` (`+` is a space, `%XX` a byte; an
    /// empty pair is skipped, a pair without `=` has an empty value), then sorts them.
    ///
    /// # Errors
    ///
    /// [`VerifyError::MalformedBody`] for a `%` not followed by two hex digits, or more than
    /// [`MAX_FORM_PARAMS`] pairs.
    pub(crate) fn parse(body: &[u8]) -> Result<Self, VerifyError> {
        let mut decoded = Vec::with_capacity(body.len());
        let mut pairs = Vec::new();
        for pair in body.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
            if pairs.len() == MAX_FORM_PARAMS {
                return Err(VerifyError::MalformedBody);
            }
            let mut halves = pair.splitn(2, |&b| b == b'=');
            let name = decode_into(halves.next().unwrap_or_default(), &mut decoded)?;
            let value = decode_into(halves.next().unwrap_or_default(), &mut decoded)?;
            pairs.push((name, value));
        }
        let text = |r: &Range<usize>| decoded.get(r.clone()).unwrap_or_default();
        pairs.sort_unstable_by(|(n1, v1), (n2, v2)| {
            text(n1).cmp(text(n2)).then_with(|| text(v1).cmp(text(v2)))
        });
        pairs.dedup_by(|(n1, v1), (n2, v2)| text(n1) == text(n2) && text(v1) == text(v2));
        Ok(Self { decoded, pairs })
    }

    /// Feeds each pair's name and value, in order.
    pub(crate) fn feed(&self, f: &mut impl FnMut(&[u8])) {
        for (name, value) in &self.pairs {
            f(self.decoded.get(name.clone()).unwrap_or_default());
            f(self.decoded.get(value.clone()).unwrap_or_default());
        }
    }
}

/// Appends `text` percent-decoded to `out` (`+` is a space) and returns where it landed.
///
/// # Errors
///
/// [`VerifyError::MalformedBody`] for a `%` not followed by two hex digits.
pub(crate) fn decode_into(text: &[u8], out: &mut Vec<u8>) -> Result<Range<usize>, VerifyError> {
    let start = out.len();
    let mut bytes = text.iter();
    while let Some(&b) = bytes.next() {
        out.push(match b {
            b'+' => b' ',
            b'%' => {
                let hi = bytes.next().and_then(|&h| hex_value(h));
                let lo = bytes.next().and_then(|&l| hex_value(l));
                match (hi, lo) {
                    (Some(hi), Some(lo)) => hi << 4 | lo,
                    _ => return Err(VerifyError::MalformedBody),
                }
            }
            other => other,
        });
    }
    Ok(start..out.len())
}

fn hex_value(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed(body: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        Form::parse(body)
            .unwrap()
            .feed(&mut |p| out.extend_from_slice(p));
        out
    }

    #[test]
    fn pairs_sort_by_name_then_value_once_each() {
        assert_eq!(
            signed(b"To=%2B1800&From=%2B1415&Body=hi+there&a=2&a=1&a=2&&flag"),
            b"Bodyhi thereFrom+1415To+1800a1a2flag"
        );
        assert_eq!(signed(b""), b"");
        assert_eq!(signed(b"%41%62=%e2%82%ac"), "Ab\u{20ac}".as_bytes());
    }

    #[test]
    fn bad_escapes_and_too_many_pairs_are_refused() {
        for bad in [&b"a=%"[..], b"a=%4", b"a=%zz", b"%g0=1"] {
            assert!(matches!(Form::parse(bad), Err(VerifyError::MalformedBody)));
        }
        let many = vec![&b"a=1"[..]; MAX_FORM_PARAMS + 1].join(&b'&');
        assert!(matches!(
            Form::parse(&many),
            Err(VerifyError::MalformedBody)
        ));
        let most = vec![&b"a=1"[..]; MAX_FORM_PARAMS].join(&b'&');
        assert_eq!(signed(&most), b"a1");
    }
}

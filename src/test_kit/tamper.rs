//! [`Tamper`]: the one thing a tampered twin of a signed request changes, and how each kind of
//! value is changed.

/// What a tampered twin of a [`SignedRequest`](super::SignedRequest) changes; everything else is
/// sent as signed. Each twin must be refused by a verifier that accepts the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Tamper {
    /// One byte of the body: the last letter or digit whose change changes what is signed
    /// (its case swapped, a digit moved by one), or a space added at the end of a body with none.
    Body,
    /// The timestamp, one second later, written in the scheme's format where the request
    /// carries it (a header, a parameter of the signature header, a member of the body, a
    /// bearer token's `iat`).
    Timestamp,
    /// Every signature the request carries, one bit of each flipped; still well-formed, so the
    /// verifier decodes it and finds it does not match.
    Signature,
    /// The delivery id's last letter or digit, where the request carries it.
    Id,
}

impl Tamper {
    /// Every kind of twin.
    pub const ALL: [Self; 4] = [Self::Body, Self::Timestamp, Self::Signature, Self::Id];
}

/// `byte` changed into another byte of its kind: a letter's case swapped, a digit moved by one.
/// `None` for any other byte.
pub(super) fn swap_alphanumeric(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'8' => Some(byte + 1),
        b'9' => Some(b'0'),
        b'a'..=b'z' => Some(byte.to_ascii_uppercase()),
        b'A'..=b'Z' => Some(byte.to_ascii_lowercase()),
        _ => None,
    }
}

/// The changed copies of `bytes` a body twin may be, in the order tried: each letter or digit
/// changed, from the last, then a space added at the end.
pub(super) fn body_candidates(bytes: &[u8]) -> impl Iterator<Item = Vec<u8>> + '_ {
    let changed = (0..bytes.len()).rev().filter_map(move |at| {
        let swapped = swap_alphanumeric(*bytes.get(at)?)?;
        let mut copy = bytes.to_vec();
        *copy.get_mut(at)? = swapped;
        Some(copy)
    });
    changed
        .take(MAX_BODY_CANDIDATES)
        .chain(core::iter::once([bytes, b" "].concat()))
}

/// The most changed bodies tried before the space at the end.
const MAX_BODY_CANDIDATES: usize = 256;

/// `id` with its last letter or digit changed, or its last byte replaced when it has none (so
/// the twin is still a valid id).
pub(super) fn changed_id(id: &str) -> String {
    let mut bytes = id.as_bytes().to_vec();
    let at = bytes.iter().rposition(|&b| swap_alphanumeric(b).is_some());
    match at.and_then(|at| Some((at, swap_alphanumeric(*bytes.get(at)?)?))) {
        Some((at, swapped)) => {
            if let Some(byte) = bytes.get_mut(at) {
                *byte = swapped;
            }
        }
        None => {
            bytes.pop();
            bytes.push(b'x');
        }
    }
    String::from_utf8(bytes).unwrap_or_default()
}

/// `tag` with one bit of its first byte flipped: the first byte is in every tag, however many
/// bytes of it an algorithm uses (20 of HMAC-SHA1's).
pub(super) fn flip_first_bit(tag: &mut [u8]) {
    if let Some(first) = tag.first_mut() {
        *first ^= 1;
    }
}

/// `signature` with one bit of its last byte flipped: for RSA the low bit of the number, for a
/// DER ECDSA signature the low bit of `s`, both still well-formed.
pub(super) fn flip_last_bit(signature: &mut [u8]) {
    if let Some(last) = signature.last_mut() {
        *last ^= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_bodies_change_one_byte() {
        assert_eq!(changed_id("msg_1"), "msg_2");
        assert_eq!(changed_id("evt_A9"), "evt_A0");
        assert_eq!(changed_id("a-"), "A-");
        assert_eq!(changed_id("--"), "-x");
        let mut candidates = body_candidates(b"{\"a\":1}");
        assert_eq!(candidates.next().unwrap(), b"{\"a\":2}");
        assert_eq!(candidates.next().unwrap(), b"{\"A\":1}");
        assert_eq!(candidates.next().unwrap(), b"{\"a\":1} ");
        assert!(candidates.next().is_none());
        assert_eq!(body_candidates(b"").collect::<Vec<_>>(), [b" ".to_vec()]);
    }
}

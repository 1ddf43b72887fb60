//! A few named parameters of a URL's query, percent-decoded as a form (`+` is a space): what a
//! `GET` handshake carries (Dropbox's `challenge`, Meta's `hub.mode`, `hub.verify_token` and
//! `hub.challenge`).
//!
//! Bounded: a query longer than [`MAX_QUERY_LEN`] is refused before it is read, and only the
//! named parameters' values are decoded (each into its own buffer, at most the query's length).

use crate::error::HandshakeError;
use crate::form::decode_into;
use alloc::vec::Vec;

/// The longest query read, in bytes.
pub(crate) const MAX_QUERY_LEN: usize = 4096;

/// The values of the parameters `names` in `query` (the part after `?`, without it), in the
/// order of `names`: decoded, or `None` for a name the query does not hold.
///
/// # Errors
///
/// [`HandshakeError::MalformedQuery`] for a query longer than [`MAX_QUERY_LEN`], a bad `%`
/// escape in a name or in a named value, or a named parameter sent twice (parsers disagree on
/// which copy wins, so neither is read).
pub(crate) fn params<const N: usize>(
    query: &[u8],
    names: [&str; N],
) -> Result<[Option<Vec<u8>>; N], HandshakeError> {
    if query.len() > MAX_QUERY_LEN {
        return Err(HandshakeError::MalformedQuery);
    }
    let mut found: [Option<Vec<u8>>; N] = core::array::from_fn(|_| None);
    let mut name_buf = Vec::new();
    for pair in query.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
        let mut halves = pair.splitn(2, |&b| b == b'=');
        let raw_name = halves.next().unwrap_or_default();
        name_buf.clear();
        decode_into(raw_name, &mut name_buf).map_err(|_| HandshakeError::MalformedQuery)?;
        let Some(slot) = names
            .iter()
            .position(|n| n.as_bytes() == name_buf.as_slice())
            .and_then(|i| found.get_mut(i))
        else {
            continue;
        };
        if slot.is_some() {
            return Err(HandshakeError::MalformedQuery);
        }
        let mut value = Vec::new();
        decode_into(halves.next().unwrap_or_default(), &mut value)
            .map_err(|_| HandshakeError::MalformedQuery)?;
        *slot = Some(value);
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_values_are_decoded_and_others_skipped() {
        let [mode, token, challenge] = params(
            b"hub.mode=subscribe&x=%zz&hub.challenge=1158201444&hub.verify_token=meaty+ham%21",
            ["hub.mode", "hub.verify_token", "hub.challenge"],
        )
        .unwrap();
        assert_eq!(mode.as_deref(), Some(&b"subscribe"[..]));
        assert_eq!(token.as_deref(), Some(&b"meaty ham!"[..]));
        assert_eq!(challenge.as_deref(), Some(&b"1158201444"[..]));
        let [absent] = params(b"", ["challenge"]).unwrap();
        assert_eq!(absent, None);
        let [empty] = params(b"challenge&a=1", ["challenge"]).unwrap();
        assert_eq!(empty.as_deref(), Some(&b""[..]));
        // An encoded name is the same name.
        let [encoded] = params(b"%63hallenge=abc", ["challenge"]).unwrap();
        assert_eq!(encoded.as_deref(), Some(&b"abc"[..]));
    }

    #[test]
    fn repeats_bad_escapes_and_long_queries_are_refused() {
        for bad in [
            &b"challenge=a&challenge=b"[..],
            b"challenge=a&%63hallenge=a",
            b"challenge=%4",
            b"%g1=1",
        ] {
            assert_eq!(
                params(bad, ["challenge"]),
                Err(HandshakeError::MalformedQuery),
                "{bad:?}"
            );
        }
        let long = vec![b'a'; MAX_QUERY_LEN + 1];
        assert_eq!(params(&long, ["a"]), Err(HandshakeError::MalformedQuery));
        let longest = vec![b'a'; MAX_QUERY_LEN];
        assert!(params(&longest, ["a"]).is_ok());
    }
}

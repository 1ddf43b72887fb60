//! [`HeaderSource`]: where the verifier reads request headers from, independent of any HTTP crate.
//!
//! # Repeated headers
//!
//! A source yields *every* value of a header, in the order received. The verifier requires each
//! header it reads to be present at most once: a signature or id header sent twice is rejected
//! with [`VerifyError::DuplicateHeader`](crate::VerifyError::DuplicateHeader) rather than picking
//! one copy, because which copy a proxy or framework keeps differs between implementations, and
//! that difference is what request-smuggling tricks exploit.
//!
//! Names match ASCII case-insensitively. Values are bytes (they need not be UTF-8); the verifier
//! trims leading and trailing spaces and tabs, which are not part of an HTTP field value.

use std::collections::HashMap;
use std::hash::BuildHasher;

use crate::error::{HeaderKind, VerifyError};

/// Request headers the verifier can read.
///
/// Implemented for `http::HeaderMap` (feature `http`), for slices, arrays and `Vec`s of
/// `(name, value)` pairs, and for `HashMap`s of names to values. Implement it for a framework's
/// own header type to verify without converting.
///
/// ```
/// use hookseal::HeaderSource;
///
/// let headers = [("Content-Type", "application/json"), ("x-webhook-id", "evt_1")];
/// let ids: Vec<&[u8]> = headers.header_values("X-Webhook-Id").collect();
/// assert_eq!(ids, [b"evt_1".as_slice()]);
/// ```
pub trait HeaderSource {
    /// Every value of the header `name` (matched ASCII case-insensitively), in the order
    /// received. Must not allocate if verification is to stay allocation-free.
    fn header_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a;
}

impl<T: HeaderSource + ?Sized> HeaderSource for &T {
    fn header_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        (**self).header_values(name)
    }
}

impl<K: AsRef<str>, V: AsRef<[u8]>> HeaderSource for [(K, V)] {
    fn header_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.iter()
            .filter(move |(k, _)| k.as_ref().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }
}

impl<K: AsRef<str>, V: AsRef<[u8]>, const N: usize> HeaderSource for [(K, V); N] {
    fn header_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.as_slice().header_values(name)
    }
}

impl<K: AsRef<str>, V: AsRef<[u8]>> HeaderSource for Vec<(K, V)> {
    fn header_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.as_slice().header_values(name)
    }
}

/// A map holds one value per distinct key, but keys that differ only in case
/// (`X-Webhook-Id` and `x-webhook-id`) are distinct keys: they count as repeats of one header.
impl<K: AsRef<str>, V: AsRef<[u8]>, S: BuildHasher> HeaderSource for HashMap<K, V, S> {
    fn header_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.iter()
            .filter(move |(k, _)| k.as_ref().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }
}

#[cfg(feature = "http")]
impl HeaderSource for http::HeaderMap {
    fn header_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        // `HeaderMap` stores names lowercased and lowercases `name` on a stack buffer to look
        // it up, so this matches case-insensitively without allocating.
        self.get_all(name).iter().map(http::HeaderValue::as_bytes)
    }
}

/// The single value of header `name`, trimmed, or `None` when it is absent.
pub(crate) fn single_value<'a, H: HeaderSource + ?Sized>(
    headers: &'a H,
    name: &'a str,
    kind: HeaderKind,
) -> Result<Option<&'a [u8]>, VerifyError> {
    let mut values = headers.header_values(name);
    let Some(first) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(VerifyError::DuplicateHeader(kind));
    }
    Ok(Some(trim_ows(first)))
}

/// Strips leading and trailing optional whitespace (SP and HTAB, RFC 9110 §5.6.3).
fn trim_ows(mut v: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = v {
        v = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = v {
        v = rest;
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_match_case_insensitively_in_order() {
        let h = vec![
            ("X-A".to_string(), "1".to_string()),
            ("x-b".to_string(), "2".to_string()),
            ("x-a".to_string(), "3".to_string()),
        ];
        let got: Vec<&[u8]> = h.header_values("x-A").collect();
        assert_eq!(got, [b"1".as_slice(), b"3".as_slice()]);
    }

    #[test]
    fn single_value_rejects_repeats_and_trims() {
        let h = [("x-a", " \tv \t"), ("x-b", "1"), ("X-B", "2")];
        assert_eq!(
            single_value(&h, "x-a", HeaderKind::Signature).unwrap(),
            Some(b"v".as_slice())
        );
        assert_eq!(
            single_value(&h, "x-b", HeaderKind::Id).unwrap_err(),
            VerifyError::DuplicateHeader(HeaderKind::Id)
        );
        assert_eq!(single_value(&h, "x-c", HeaderKind::Id).unwrap(), None);
    }

    #[test]
    fn hashmap_keys_differing_in_case_are_repeats() {
        let mut h = HashMap::new();
        h.insert("X-Webhook-Id".to_string(), "a".to_string());
        assert_eq!(
            single_value(&h, "x-webhook-id", HeaderKind::Id).unwrap(),
            Some(b"a".as_slice())
        );
        h.insert("x-webhook-id".to_string(), "b".to_string());
        assert_eq!(
            single_value(&h, "x-webhook-id", HeaderKind::Id).unwrap_err(),
            VerifyError::DuplicateHeader(HeaderKind::Id)
        );
    }

    #[cfg(feature = "http")]
    #[test]
    fn header_map_values() {
        let mut h = http::HeaderMap::new();
        h.append("x-webhook-id", http::HeaderValue::from_static("a"));
        h.append("X-Webhook-Id", http::HeaderValue::from_static("b"));
        let got: Vec<&[u8]> = h.header_values("X-WEBHOOK-ID").collect();
        assert_eq!(got, [b"a".as_slice(), b"b".as_slice()]);
        let bytes = http::HeaderValue::from_bytes(b"\xff\xfe").unwrap();
        h.insert("x-raw", bytes);
        let got: Vec<&[u8]> = h.header_values("x-raw").collect();
        assert_eq!(got, [b"\xff\xfe".as_slice()]);
    }

    #[test]
    fn trim_handles_all_whitespace_and_empty() {
        assert_eq!(trim_ows(b"   "), b"");
        assert_eq!(trim_ows(b""), b"");
        assert_eq!(trim_ows(b"a b"), b"a b");
    }
}

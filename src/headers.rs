//! [`HeaderSource`]: where the verifier reads request headers (and, for schemes that sign it, the
//! request line) from, independent of any HTTP crate.
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

use alloc::boxed::Box;
use alloc::vec::Vec;
#[cfg(feature = "std")]
use core::hash::BuildHasher;
#[cfg(feature = "std")]
use std::collections::HashMap;

use crate::error::{ConfigError, HeaderKind, VerifyError};
use crate::request::RequestLine;

/// Request headers the verifier can read.
///
/// Implemented for `http::HeaderMap` (feature `http`), for slices, arrays and `Vec`s of
/// `(name, value)` pairs, and for `HashMap`s of names to values. Implement it for a framework's
/// own header type to verify without converting.
///
/// ```
/// use hookseal::{HeaderName, HeaderSource};
///
/// let headers = [("Content-Type", "application/json"), ("webhook-id", "evt_1")];
/// let name = HeaderName::new("Webhook-Id")?;
/// let ids: Vec<&[u8]> = headers.header_values(&name).collect();
/// assert_eq!(ids, [b"evt_1".as_slice()]);
/// # Ok::<(), hookseal::ConfigError>(())
/// ```
pub trait HeaderSource {
    /// Every value of the header `name` (matched ASCII case-insensitively), in the order
    /// received. Must not allocate if verification is to stay allocation-free.
    fn header_values<'a>(&'a self, name: &HeaderName) -> impl Iterator<Item = &'a [u8]>;

    /// Calls `found(i, value)` for every value of each header `names[i]` (matched ASCII
    /// case-insensitively), each header's values in the order received. The verifier reads all
    /// of a scheme's headers with one call. By default, one [`header_values`] lookup per name;
    /// implement it when one pass over the headers is cheaper, as it is for `http::HeaderMap`
    /// (whose lookup hashes each name) and for pairs. Must not allocate if verification is to
    /// stay allocation-free.
    ///
    /// [`header_values`]: HeaderSource::header_values
    ///
    /// ```
    /// use hookseal::{HeaderName, HeaderSource};
    ///
    /// let headers = [("webhook-id", "evt_1"), ("Webhook-Signature", "v1,c2ln")];
    /// let names = [HeaderName::new("webhook-signature")?, HeaderName::new("webhook-id")?];
    /// let mut seen = Vec::new();
    /// headers.each_header_value(&names, |i, value| seen.push((i, value)));
    /// seen.sort();
    /// assert_eq!(seen, [(0, b"v1,c2ln".as_slice()), (1, b"evt_1".as_slice())]);
    /// # Ok::<(), hookseal::ConfigError>(())
    /// ```
    fn each_header_value<'a>(
        &'a self,
        names: &[HeaderName],
        mut found: impl FnMut(usize, &'a [u8]),
    ) {
        for (i, name) in names.iter().enumerate() {
            for value in self.header_values(name) {
                found(i, value);
            }
        }
    }

    /// The request's method and target, for schemes that sign them (Twilio, Square, HubSpot).
    /// `None` by default: header maps and pairs do not know it. `http::request::Parts`,
    /// `http::Request` (feature `http`) and [`RequestView`](crate::RequestView) carry it.
    fn request_line(&self) -> Option<RequestLine<'_>> {
        None
    }
}

/// A header name, checked once when a scheme is built rather than on every request: one or
/// more HTTP token characters, kept in lowercase.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HeaderName {
    lowercase: Box<str>,
    #[cfg(feature = "http")]
    http: http::HeaderName,
}

impl HeaderName {
    /// A header name from text, in any case.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidHeaderName`] when `name` is empty or has a character outside the
    /// HTTP token set (RFC 9110 §5.6.2).
    pub fn new(name: &str) -> Result<Self, ConfigError> {
        let is_token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
        if name.is_empty() || !name.bytes().all(is_token) {
            return Err(ConfigError::InvalidHeaderName);
        }
        let lowercase: Box<str> = name.to_ascii_lowercase().into();
        Ok(Self {
            #[cfg(feature = "http")]
            http: http::HeaderName::from_bytes(lowercase.as_bytes())
                .map_err(|_| ConfigError::InvalidHeaderName)?,
            lowercase,
        })
    }

    /// A name the crate itself spells, in lowercase, known to be valid.
    pub(crate) fn from_static(lowercase: &'static str) -> Self {
        Self {
            #[cfg(feature = "http")]
            http: http::HeaderName::from_static(lowercase),
            lowercase: lowercase.into(),
        }
    }

    /// The name in lowercase.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.lowercase
    }

    /// The name as an `http` crate header name.
    #[cfg(feature = "http")]
    #[must_use]
    pub fn as_http(&self) -> &http::HeaderName {
        &self.http
    }
}

impl<T: HeaderSource + ?Sized> HeaderSource for &T {
    fn header_values<'a>(&'a self, name: &HeaderName) -> impl Iterator<Item = &'a [u8]> {
        (**self).header_values(name)
    }

    fn each_header_value<'a>(&'a self, names: &[HeaderName], found: impl FnMut(usize, &'a [u8])) {
        (**self).each_header_value(names, found);
    }

    fn request_line(&self) -> Option<RequestLine<'_>> {
        (**self).request_line()
    }
}

impl<K: AsRef<str>, V: AsRef<[u8]>> HeaderSource for [(K, V)] {
    fn header_values<'a>(&'a self, name: &HeaderName) -> impl Iterator<Item = &'a [u8]> {
        self.iter()
            .filter(move |(k, _)| k.as_ref().eq_ignore_ascii_case(name.as_str()))
            .map(|(_, v)| v.as_ref())
    }

    fn each_header_value<'a>(&'a self, names: &[HeaderName], found: impl FnMut(usize, &'a [u8])) {
        one_pass(
            self.iter().map(|(k, v)| (k.as_ref(), v.as_ref())),
            names,
            found,
        );
    }
}

impl<K: AsRef<str>, V: AsRef<[u8]>, const N: usize> HeaderSource for [(K, V); N] {
    fn header_values<'a>(&'a self, name: &HeaderName) -> impl Iterator<Item = &'a [u8]> {
        self.as_slice().header_values(name)
    }

    fn each_header_value<'a>(&'a self, names: &[HeaderName], found: impl FnMut(usize, &'a [u8])) {
        self.as_slice().each_header_value(names, found);
    }
}

impl<K: AsRef<str>, V: AsRef<[u8]>> HeaderSource for Vec<(K, V)> {
    fn header_values<'a>(&'a self, name: &HeaderName) -> impl Iterator<Item = &'a [u8]> {
        self.as_slice().header_values(name)
    }

    fn each_header_value<'a>(&'a self, names: &[HeaderName], found: impl FnMut(usize, &'a [u8])) {
        self.as_slice().each_header_value(names, found);
    }
}

/// [`HeaderSource::each_header_value`] over `(name, value)` pairs in one pass: a name's length
/// is compared before its bytes.
pub(crate) fn one_pass<'a>(
    pairs: impl Iterator<Item = (&'a str, &'a [u8])>,
    names: &[HeaderName],
    mut found: impl FnMut(usize, &'a [u8]),
) {
    for (name, value) in pairs {
        for (i, wanted) in names.iter().enumerate() {
            let wanted = wanted.as_str();
            if wanted.len() == name.len() && wanted.eq_ignore_ascii_case(name) {
                found(i, value);
            }
        }
    }
}

/// A map holds one value per distinct key, but keys that differ only in case
/// (`Webhook-Id` and `webhook-id`) are distinct keys: they count as repeats of one header.
#[cfg(feature = "std")]
impl<K: AsRef<str>, V: AsRef<[u8]>, S: BuildHasher> HeaderSource for HashMap<K, V, S> {
    fn header_values<'a>(&'a self, name: &HeaderName) -> impl Iterator<Item = &'a [u8]> {
        self.iter()
            .filter(move |(k, _)| k.as_ref().eq_ignore_ascii_case(name.as_str()))
            .map(|(_, v)| v.as_ref())
    }

    fn each_header_value<'a>(&'a self, names: &[HeaderName], found: impl FnMut(usize, &'a [u8])) {
        one_pass(
            self.iter().map(|(k, v)| (k.as_ref(), v.as_ref())),
            names,
            found,
        );
    }
}

#[cfg(feature = "http")]
impl HeaderSource for http::HeaderMap {
    fn header_values<'a>(&'a self, name: &HeaderName) -> impl Iterator<Item = &'a [u8]> {
        // The name was parsed when the scheme was built, so the lookup is a hash and a probe.
        self.get_all(name.as_http())
            .iter()
            .map(http::HeaderValue::as_bytes)
    }
}

/// The single value of header `name`, trimmed, or `None` when it is absent.
pub(crate) fn single_value<'a, H: HeaderSource + ?Sized>(
    headers: &'a H,
    name: &HeaderName,
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
pub(crate) fn trim_ows(mut v: &[u8]) -> &[u8] {
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

    fn name(n: &str) -> HeaderName {
        HeaderName::new(n).unwrap()
    }

    #[test]
    fn header_names_are_tokens() {
        assert_eq!(name("Webhook-Signature").as_str(), "webhook-signature");
        for bad in ["", "a b", "a:b", "caf\u{e9}", "a\nb"] {
            assert_eq!(
                HeaderName::new(bad).unwrap_err(),
                ConfigError::InvalidHeaderName
            );
        }
    }

    #[test]
    fn pairs_match_case_insensitively_in_order() {
        let h = vec![
            ("X-A".to_string(), "1".to_string()),
            ("x-b".to_string(), "2".to_string()),
            ("x-a".to_string(), "3".to_string()),
        ];
        let n = name("x-A");
        let got: Vec<&[u8]> = h.header_values(&n).collect();
        assert_eq!(got, [b"1".as_slice(), b"3".as_slice()]);
    }

    #[test]
    fn single_value_rejects_repeats_and_trims() {
        let h = [("x-a", " \tv \t"), ("x-b", "1"), ("X-B", "2")];
        assert_eq!(
            single_value(&h, &name("x-a"), HeaderKind::Signature).unwrap(),
            Some(b"v".as_slice())
        );
        assert_eq!(
            single_value(&h, &name("x-b"), HeaderKind::Id).unwrap_err(),
            VerifyError::DuplicateHeader(HeaderKind::Id)
        );
        assert_eq!(
            single_value(&h, &name("x-c"), HeaderKind::Id).unwrap(),
            None
        );
    }

    #[cfg(feature = "std")]
    #[test]
    fn hashmap_keys_differing_in_case_are_repeats() {
        let mut h = HashMap::new();
        h.insert("Webhook-Id".to_string(), "a".to_string());
        assert_eq!(
            single_value(&h, &name("webhook-id"), HeaderKind::Id).unwrap(),
            Some(b"a".as_slice())
        );
        h.insert("webhook-id".to_string(), "b".to_string());
        assert_eq!(
            single_value(&h, &name("webhook-id"), HeaderKind::Id).unwrap_err(),
            VerifyError::DuplicateHeader(HeaderKind::Id)
        );
    }

    #[cfg(feature = "http")]
    #[test]
    fn header_map_values() {
        let mut h = http::HeaderMap::new();
        h.append("webhook-id", http::HeaderValue::from_static("a"));
        h.append("Webhook-Id", http::HeaderValue::from_static("b"));
        let n = name("WEBHOOK-ID");
        let got: Vec<&[u8]> = h.header_values(&n).collect();
        assert_eq!(got, [b"a".as_slice(), b"b".as_slice()]);
        let bytes = http::HeaderValue::from_bytes(b"\xff\xfe").unwrap();
        h.insert("x-raw", bytes);
        let n = name("x-raw");
        let got: Vec<&[u8]> = h.header_values(&n).collect();
        assert_eq!(got, [b"\xff\xfe".as_slice()]);
    }

    #[test]
    fn trim_handles_all_whitespace_and_empty() {
        assert_eq!(trim_ows(b"   "), b"");
        assert_eq!(trim_ows(b""), b"");
        assert_eq!(trim_ows(b"a b"), b"a b");
    }
}

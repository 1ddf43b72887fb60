//! The request line, for schemes that sign it: [`RequestLine`] (method and target, as the server
//! received them), [`RequestView`] (a request line with its headers, for users without the `http`
//! crate), and the public URL a sender signs, which behind a proxy differs from the one the
//! server sees.
//!
//! Schemes that sign the method, the path or the URL (Twilio, Square, HubSpot) read the request
//! line from the [`HeaderSource`]: `http::request::Parts` and `http::Request` (feature `http`)
//! carry it, and so does a [`RequestView`]. The URL is the verifier's public base URL
//! ([`Verifier::with_public_url`](crate::Verifier::with_public_url)) followed by the request's
//! target; a scheme that signs the URL refuses to verify without one
//! ([`VerifyError::MissingPublicUrl`](crate::VerifyError::MissingPublicUrl)) rather than guess it
//! from a `Host` header.

use crate::error::ConfigError;
use crate::headers::{HeaderName, HeaderSource};
use alloc::boxed::Box;
use alloc::format;

/// A request's method and target (its path with the query, as received: `/hook?a=1`).
///
/// ```
/// use hookseal::RequestLine;
///
/// let line = RequestLine::new("POST", "/twilio/sms?account=7");
/// assert_eq!(line.method(), b"POST");
/// assert_eq!(line.query_param(b"account"), Some(&b"7"[..]));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RequestLine<'a> {
    method: &'a [u8],
    target: &'a [u8],
}

impl<'a> RequestLine<'a> {
    /// The request line of a request for `target` (the path with its query, as received) with
    /// `method`.
    #[must_use]
    pub fn new(method: &'a str, target: &'a str) -> Self {
        Self {
            method: method.as_bytes(),
            target: target.as_bytes(),
        }
    }

    /// The method, as received.
    #[must_use]
    pub fn method(&self) -> &'a [u8] {
        self.method
    }

    /// The target: the path with its query, as received.
    #[must_use]
    pub fn target(&self) -> &'a [u8] {
        self.target
    }

    /// The value of query parameter `name`, as written (not percent-decoded), when it is
    /// present exactly once.
    #[must_use]
    pub fn query_param(&self, name: &[u8]) -> Option<&'a [u8]> {
        let query = self.target.splitn(2, |&b| b == b'?').nth(1)?;
        let mut found = query.split(|&b| b == b'&').filter_map(|pair| {
            let mut kv = pair.splitn(2, |&b| b == b'=');
            (kv.next() == Some(name)).then(|| kv.next().unwrap_or_default())
        });
        let value = found.next()?;
        found.next().is_none().then_some(value)
    }
}

/// A request line with the request's headers: the plain [`HeaderSource`] for schemes that sign
/// the request line, for users without the `http` crate.
///
/// ```
/// use hookseal::{RequestView, Scheme, Signer, Timestamp, Verifier};
///
/// let scheme = Scheme::square();
/// let url = "https://example.com/hooks/square";
/// let signer = Signer::from_secret(scheme.clone(), "Ibxx_5AKakO-3qeNVR61Dw")?;
/// let now = Timestamp::from_unix_secs(1_700_000_000);
/// let signed = signer.sign_request_at("POST", url, None, b"{}", now)?;
///
/// // Behind a proxy the server sees `http://10.0.0.7:8080/hooks/square`; the sender signed the
/// // public URL.
/// let verifier = Verifier::from_secret(scheme, "Ibxx_5AKakO-3qeNVR61Dw")?
///     .with_public_url("https://example.com")?;
/// let headers: Vec<(&str, &str)> = signed.iter().collect();
/// let request = RequestView::new("POST", "/hooks/square", &headers);
/// assert!(verifier.verify_at(&request, b"{}", now).is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct RequestView<'a, H: ?Sized> {
    line: RequestLine<'a>,
    headers: &'a H,
}

impl<'a, H: HeaderSource + ?Sized> RequestView<'a, H> {
    /// A request with `method`, `target` (the path with its query, as received) and `headers`.
    #[must_use]
    pub fn new(method: &'a str, target: &'a str, headers: &'a H) -> Self {
        Self {
            line: RequestLine::new(method, target),
            headers,
        }
    }
}

impl<H: HeaderSource + ?Sized> HeaderSource for RequestView<'_, H> {
    fn header_values<'a>(&'a self, name: &HeaderName) -> impl Iterator<Item = &'a [u8]> {
        self.headers.header_values(name)
    }

    fn each_header_value<'a>(&'a self, names: &[HeaderName], found: impl FnMut(usize, &'a [u8])) {
        self.headers.each_header_value(names, found);
    }

    fn request_line(&self) -> Option<RequestLine<'_>> {
        Some(self.line)
    }
}

#[cfg(feature = "http")]
impl HeaderSource for http::request::Parts {
    fn header_values<'a>(&'a self, name: &HeaderName) -> impl Iterator<Item = &'a [u8]> {
        self.headers.header_values(name)
    }

    fn each_header_value<'a>(&'a self, names: &[HeaderName], found: impl FnMut(usize, &'a [u8])) {
        self.headers.each_header_value(names, found);
    }

    fn request_line(&self) -> Option<RequestLine<'_>> {
        Some(http_line(&self.method, &self.uri))
    }
}

#[cfg(feature = "http")]
impl<B> HeaderSource for http::Request<B> {
    fn header_values<'a>(&'a self, name: &HeaderName) -> impl Iterator<Item = &'a [u8]> {
        self.headers().header_values(name)
    }

    fn each_header_value<'a>(&'a self, names: &[HeaderName], found: impl FnMut(usize, &'a [u8])) {
        self.headers().each_header_value(names, found);
    }

    fn request_line(&self) -> Option<RequestLine<'_>> {
        Some(http_line(self.method(), self.uri()))
    }
}

/// The request line of an `http` request: its method and its URI's path and query (an absolute
/// URI's scheme and authority are left out; the public URL stands for them).
#[cfg(feature = "http")]
fn http_line<'a>(method: &'a http::Method, uri: &'a http::Uri) -> RequestLine<'a> {
    RequestLine::new(
        method.as_str(),
        uri.path_and_query()
            .map_or("/", http::uri::PathAndQuery::as_str),
    )
}

/// The URL a sender signs, up to the request's target: `https://example.com` or, behind a proxy
/// that strips a prefix, `https://example.com/prefix`. Kept as written and, for schemes whose
/// senders sign either (Twilio), with and without its port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PublicUrl {
    /// As written, without a trailing `/`.
    written: Box<str>,
    /// With the port: as written, or with the scheme's default port added.
    with_port: Box<str>,
    /// Without any port.
    without_port: Box<str>,
}

impl PublicUrl {
    /// Reads `http(s)://host[:port][/prefix]`: no userinfo, query or fragment; a port of 1 to 5
    /// digits; visible ASCII only. A trailing `/` is dropped (the target brings its own).
    pub(crate) fn parse(url: &str) -> Result<Self, ConfigError> {
        let parts = UrlParts::split(url).ok_or(ConfigError::InvalidUrl)?;
        let UrlParts {
            https,
            authority,
            host,
            port,
            path,
        } = parts;
        let (scheme, default_port) = if https {
            ("https://", "443")
        } else {
            ("http://", "80")
        };
        let path = path.trim_end_matches('/');
        Ok(Self {
            written: format!("{scheme}{authority}{path}").into(),
            with_port: format!("{scheme}{host}:{}{path}", port.unwrap_or(default_port)).into(),
            without_port: format!("{scheme}{host}{path}").into(),
        })
    }

    /// Splits an absolute URL into its public base (scheme and authority) and its target (the
    /// path with the query, `/` when empty): what a signer is given.
    pub(crate) fn split_absolute(url: &str) -> Result<(Self, &str), ConfigError> {
        // The authority ends at the first `/`, `?` or `#` after the scheme's `://`.
        let after_scheme = url.find("://").map_or(0, |at| at + 3);
        let rest = url.get(after_scheme..).unwrap_or_default();
        let end = after_scheme + rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (base, target) = (url.get(..end), url.get(end..));
        match (base, target) {
            (Some(base), Some(target)) if !target.contains('#') => Ok((Self::parse(base)?, target)),
            _ => Err(ConfigError::InvalidUrl),
        }
    }

    /// The base as written.
    pub(crate) fn written(&self) -> &[u8] {
        self.written.as_bytes()
    }

    /// The base with its port, and without: the two spellings Twilio's senders sign.
    pub(crate) fn port_variants(&self) -> [&[u8]; 2] {
        [self.with_port.as_bytes(), self.without_port.as_bytes()]
    }
}

/// An absolute `http(s)` URL read strictly, split into its parts: the one reading of URLs that
/// the public URL of a verifier and the allow lists of fetched keys share.
///
/// Read: at most [`MAX_URL_LEN`] bytes, all visible ASCII; the scheme exactly `https://` or
/// `http://` (lowercase); an authority with no userinfo (`@`), a non-empty host (a name, or an
/// IPv6 literal in brackets) and an optional port of 1 to 5 digits; then a path. No query and
/// no fragment anywhere. Nothing is decoded or normalized: the parts are slices of the URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UrlParts<'a> {
    /// `https://` (rather than `http://`).
    pub(crate) https: bool,
    /// The host with its port, as written.
    pub(crate) authority: &'a str,
    /// The host as written (an IPv6 literal with its brackets).
    pub(crate) host: &'a str,
    /// The port's digits, when the authority has a port.
    pub(crate) port: Option<&'a str>,
    /// The path as written: empty, or starting with `/`.
    pub(crate) path: &'a str,
}

impl<'a> UrlParts<'a> {
    /// Splits `url`, or `None` when it is not read as above.
    pub(crate) fn split(url: &'a str) -> Option<Self> {
        if url.len() > MAX_URL_LEN || !url.bytes().all(|b| b.is_ascii_graphic()) {
            return None;
        }
        let (https, rest) = if let Some(rest) = url.strip_prefix("https://") {
            (true, rest)
        } else {
            (false, url.strip_prefix("http://")?)
        };
        let authority_len = rest.find('/').unwrap_or(rest.len());
        let (authority, path) = rest.split_at(authority_len);
        if authority.contains(['@', '?', '#']) || path.contains(['?', '#']) {
            return None;
        }
        let (host, port) = if authority.starts_with('[') {
            // An IPv6 literal: the port, if any, follows the bracket.
            let close = authority.find(']')?;
            let (host, after) = authority.split_at(close + 1);
            let port = match after {
                "" => None,
                _ => Some(after.strip_prefix(':')?),
            };
            (host, port)
        } else {
            match authority.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            }
        };
        let port_ok = port
            .is_none_or(|p| (1..=5).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()));
        (!host.is_empty() && port_ok).then_some(Self {
            https,
            authority,
            host,
            port,
            path,
        })
    }
}

/// The longest URL accepted, in bytes.
pub(crate) const MAX_URL_LEN: usize = 2048;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_urls_are_read_strictly() {
        let url = PublicUrl::parse("https://example.com/").unwrap();
        assert_eq!(url.written(), b"https://example.com");
        assert_eq!(
            url.port_variants(),
            [&b"https://example.com:443"[..], b"https://example.com"]
        );
        let url = PublicUrl::parse("http://10.0.0.7:8080/in").unwrap();
        assert_eq!(url.written(), b"http://10.0.0.7:8080/in");
        assert_eq!(
            url.port_variants(),
            [&b"http://10.0.0.7:8080/in"[..], b"http://10.0.0.7/in"]
        );
        let url = PublicUrl::parse("https://[::1]:8443").unwrap();
        assert_eq!(url.port_variants()[1], b"https://[::1]");
        let url = PublicUrl::parse("https://[::1]").unwrap();
        assert_eq!(url.port_variants()[0], b"https://[::1]:443");
        for bad in [
            "",
            "example.com",
            "ftp://example.com",
            "https://",
            "https://user@example.com",
            "https://example.com?x=1",
            "https://example.com/a?x=1",
            "https://example.com#f",
            "https://example.com:",
            "https://example.com:443443",
            "https://example.com:44a",
            "https://::1:443",
            "https://[::1",
            "https://[::1]x",
            "https://exa mple.com",
            "https://example.com/caf\u{e9}",
        ] {
            assert_eq!(
                PublicUrl::parse(bad).unwrap_err(),
                ConfigError::InvalidUrl,
                "{bad}"
            );
        }
    }

    #[test]
    fn absolute_urls_split_at_the_authority() {
        let (base, target) =
            PublicUrl::split_absolute("https://mycompany.com/myapp.php?foo=1&bar=2").unwrap();
        assert_eq!(base.written(), b"https://mycompany.com");
        assert_eq!(target, "/myapp.php?foo=1&bar=2");
        let (base, target) = PublicUrl::split_absolute("https://example.com").unwrap();
        assert_eq!(base.written(), b"https://example.com");
        assert_eq!(target, "");
        assert!(PublicUrl::split_absolute("https://example.com/a#b").is_err());
    }

    #[test]
    fn query_params_are_found_once() {
        let line = RequestLine::new("POST", "/h?bodySHA256=ab&x=1&x=2&y");
        assert_eq!(line.query_param(b"bodySHA256"), Some(&b"ab"[..]));
        assert_eq!(line.query_param(b"x"), None);
        assert_eq!(line.query_param(b"y"), Some(&b""[..]));
        assert_eq!(line.query_param(b"z"), None);
        assert_eq!(RequestLine::new("GET", "/h").query_param(b"h"), None);
    }
}

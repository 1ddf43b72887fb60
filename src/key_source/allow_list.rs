//! [`AllowList`]: the URLs the sender's keys may be fetched from, and [`KeyUrl`], a URL one of
//! them accepted.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::ToString;
use core::fmt;
use core::net::{Ipv4Addr, Ipv6Addr};

use crate::delivery::{is_label, looks_numeric};
use crate::error::{ConfigError, VerifyError};
use crate::request::UrlParts;

/// The URLs a sender's keys may be fetched from.
///
/// Some providers sign with a private key and name, in each request, the URL of the certificate
/// that holds the public key (AWS SNS's `SigningCertURL`, PayPal's `PAYPAL-CERT-URL`). Whoever
/// sends a request chooses that URL, so it is checked against the provider's list before anything
/// is fetched: otherwise anyone could have the receiver fetch a key of their own (and sign with
/// it), or make it send requests inside its network.
///
/// [`check`](Self::check) reads a URL strictly, for every list:
///
/// - at most 2048 bytes, all visible ASCII;
/// - the scheme exactly `https://` (lowercase; `http://` only for a [`prefix`](Self::prefix)
///   list of a loopback address);
/// - no userinfo (`user@`), no query (`?`), no fragment (`#`);
/// - the host compared without regard to ASCII case, and no port unless the list names one
///   (even `:443` is refused);
/// - a path of `A-Z a-z 0-9 - . _ ~ /` only: no `%` escape, no `\`, no `.` or `..` segment, no
///   `//`.
///
/// Every refusal is [`VerifyError::KeyUrlRefused`].
///
/// ```
/// use hookseal::{AllowList, VerifyError};
///
/// let sns = AllowList::aws_sns();
/// let cert_url = concat!(
///     "https://sns.us-east-2.amazonaws.com/",
///     "SimpleNotificationService-7ff5318490ec183fbaddaa2a969abfda.pem",
/// );
/// let url = sns.check(cert_url.as_bytes())?;
/// assert_eq!(url.as_str(), cert_url);
///
/// // An S3 bucket is under amazonaws.com too, and is refused.
/// assert_eq!(
///     sns.check(b"https://evil.s3.amazonaws.com/cert.pem").unwrap_err(),
///     VerifyError::KeyUrlRefused
/// );
/// # Ok::<(), VerifyError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowList {
    rule: Rule,
}

/// A URL an [`AllowList`] accepted: what a [`KeyFetcher`](crate::KeyFetcher) is asked to fetch.
///
/// Made only by [`AllowList::check`], with the host in lowercase (so one URL written in several
/// cases is fetched and cached once); the rest as written. URLs are not secret: `Debug` and
/// `Display` show it.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct KeyUrl(Box<str>);

impl AllowList {
    /// AWS SNS's signing certificates (`SigningCertURL`): `https`, a host matching
    /// `^sns\.[a-zA-Z0-9-]{3,}\.amazonaws\.com(\.cn)?$` (regional endpoints, GovCloud such as
    /// `sns.us-gov-west-1.amazonaws.com`, China such as `sns.cn-north-1.amazonaws.com.cn`), and
    /// a path ending in `.pem`.
    ///
    /// The host rule is the one of AWS's own validator (`$defaultHostPattern` in
    /// `src/MessageValidator.php` of `aws/aws-php-sns-message-validator`), which keeps out
    /// other hosts under `amazonaws.com`, S3 buckets among them. Its `.pem` rule is kept; the
    /// rest of the URL is read more strictly than there (no port, query, fragment or escape).
    #[must_use]
    pub fn aws_sns() -> Self {
        Self { rule: Rule::AwsSns }
    }

    /// PayPal's webhook certificates (`PAYPAL-CERT-URL`): `https`, a host among
    /// `api.paypal.com`, `api.sandbox.paypal.com`, `api-m.paypal.com` and
    /// `api-m.sandbox.paypal.com`, and a path under `/v1/notifications/certs/`.
    #[must_use]
    pub fn paypal() -> Self {
        Self { rule: Rule::PayPal }
    }

    /// Google's OAuth 2.0 signing keys, as a JWKS: exactly
    /// `https://www.googleapis.com/oauth2/v3/certs`.
    #[must_use]
    pub fn google_oauth_certs() -> Self {
        Self {
            rule: Rule::Exact {
                host: "www.googleapis.com",
                path: "/oauth2/v3/certs",
            },
        }
    }

    /// Your own list: URLs with exactly the scheme, host and port of `url_prefix` whose path is
    /// its path or lies below it (on a `/` boundary: `https://keys.example.com/jwks` admits
    /// `…/jwks` and `…/jwks/2024.json`, not `…/jwks2`).
    ///
    /// `https` only, but for `http` to a loopback address written as `127.0.0.1` or `[::1]`, so
    /// tests and examples can serve keys on the local machine.
    ///
    /// ```
    /// use hookseal::AllowList;
    ///
    /// let list = AllowList::prefix("https://keys.example.com/webhooks")?;
    /// assert!(list.check(b"https://keys.example.com/webhooks/2024.pem").is_ok());
    /// assert!(list.check(b"https://keys.example.com/webhooks-old/2024.pem").is_err());
    /// assert!(list.check(b"https://keys.example.com:8443/webhooks/2024.pem").is_err());
    ///
    /// let local = AllowList::prefix("http://127.0.0.1:8080/keys")?;
    /// assert!(local.check(b"http://127.0.0.1:8080/keys/a.pem").is_ok());
    /// assert!(AllowList::prefix("http://keys.example.com").is_err());
    /// # Ok::<(), hookseal::ConfigError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ConfigError::NotHttps`] for another scheme (or `http` to anything but a loopback
    /// literal), [`ConfigError::UrlCredentials`] for a user name or password, and
    /// [`ConfigError::InvalidUrl`] for anything else that [`check`](Self::check) would not
    /// accept in a URL: a query, a fragment, an invalid host or port, a path with another byte
    /// or a `.`, `..` or empty segment.
    pub fn prefix(url_prefix: &str) -> Result<Self, ConfigError> {
        let (scheme, rest) = url_prefix
            .split_once("://")
            .ok_or(ConfigError::InvalidUrl)?;
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if authority.contains('@') {
            return Err(ConfigError::UrlCredentials);
        }
        if scheme != "https" && scheme != "http" {
            return Err(ConfigError::NotHttps);
        }
        let parts = UrlParts::split(url_prefix).ok_or(ConfigError::InvalidUrl)?;
        let host = parts.host.to_ascii_lowercase();
        if !parts.https && !LOOPBACK.contains(&host.as_str()) {
            return Err(ConfigError::NotHttps);
        }
        if !is_host(&host) {
            return Err(ConfigError::InvalidUrl);
        }
        let port = match parts.port {
            None => None,
            Some(digits) => match digits.parse::<u16>() {
                Ok(port) if port != 0 => Some(port.to_string().into()),
                _ => return Err(ConfigError::InvalidUrl),
            },
        };
        if !parts.path.is_empty() && !is_safe_path(parts.path) {
            return Err(ConfigError::InvalidUrl);
        }
        Ok(Self {
            rule: Rule::Prefix {
                https: parts.https,
                host: host.into(),
                port,
                path: parts.path.trim_end_matches('/').into(),
            },
        })
    }

    /// Checks `url`, as the request carries it, against this list.
    ///
    /// # Errors
    ///
    /// [`VerifyError::KeyUrlRefused`] when the list does not accept it (see [`AllowList`] for
    /// what every list requires).
    pub fn check(&self, url: &[u8]) -> Result<KeyUrl, VerifyError> {
        const REFUSED: VerifyError = VerifyError::KeyUrlRefused;
        // `UrlParts::split` bounds the length and admits visible ASCII only.
        let url = core::str::from_utf8(url).map_err(|_| REFUSED)?;
        let parts = UrlParts::split(url).ok_or(REFUSED)?;
        if !is_safe_path(parts.path) || !self.rule.admits(&parts) {
            return Err(REFUSED);
        }
        Ok(KeyUrl::from_parts(&parts))
    }
}

impl KeyUrl {
    /// The URL, as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn from_parts(parts: &UrlParts<'_>) -> Self {
        let scheme = if parts.https { "https://" } else { "http://" };
        let host = parts.host.to_ascii_lowercase();
        let url = match parts.port {
            Some(port) => format!("{scheme}{host}:{port}{}", parts.path),
            None => format!("{scheme}{host}{}", parts.path),
        };
        Self(url.into())
    }
}

impl fmt::Debug for KeyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for KeyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for KeyUrl {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// What an [`AllowList`] admits, beyond the rules every list shares.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Rule {
    /// [`AllowList::aws_sns`].
    AwsSns,
    /// [`AllowList::paypal`].
    PayPal,
    /// One `https` URL without a port.
    Exact {
        host: &'static str,
        path: &'static str,
    },
    /// [`AllowList::prefix`]: the host in lowercase, the port in canonical digits, the path
    /// without a trailing `/` (empty for the root).
    Prefix {
        https: bool,
        host: Box<str>,
        port: Option<Box<str>>,
        path: Box<str>,
    },
}

impl Rule {
    /// Whether the parts of a URL (already read strictly, its path checked) are admitted.
    fn admits(&self, url: &UrlParts<'_>) -> bool {
        match self {
            Self::AwsSns => {
                url.https
                    && url.port.is_none()
                    && is_sns_host(url.host)
                    && url.path.ends_with(".pem")
            }
            Self::PayPal => {
                url.https
                    && url.port.is_none()
                    && PAYPAL_HOSTS
                        .iter()
                        .any(|h| h.eq_ignore_ascii_case(url.host))
                    && url
                        .path
                        .strip_prefix(PAYPAL_CERT_PATH)
                        .is_some_and(|name| !name.is_empty())
            }
            Self::Exact { host, path } => {
                url.https
                    && url.port.is_none()
                    && host.eq_ignore_ascii_case(url.host)
                    && url.path == *path
            }
            Self::Prefix {
                https,
                host,
                port,
                path,
            } => {
                url.https == *https
                    && host.eq_ignore_ascii_case(url.host)
                    && url.port == port.as_deref()
                    && url
                        .path
                        .strip_prefix(&**path)
                        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
            }
        }
    }
}

/// `^sns\.[a-zA-Z0-9-]{3,}\.amazonaws\.com(\.cn)?$`, without regard to ASCII case.
fn is_sns_host(host: &str) -> bool {
    let Some(rest) = strip_prefix_ignore_case(host, "sns.") else {
        return false;
    };
    let region = strip_suffix_ignore_case(rest, ".amazonaws.com.cn")
        .or_else(|| strip_suffix_ignore_case(rest, ".amazonaws.com"));
    region.is_some_and(|region| {
        region.len() >= 3
            && region
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    })
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| s.get(prefix.len()..))
        .flatten()
}

fn strip_suffix_ignore_case<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let split = s.len().checked_sub(suffix.len())?;
    let tail = s.get(split..)?;
    tail.eq_ignore_ascii_case(suffix)
        .then(|| s.get(..split))
        .flatten()
}

/// A path of `/` and then segments of `A-Z a-z 0-9 - . _ ~`, none of them `.` or `..`, none
/// empty but the last (a trailing `/`).
fn is_safe_path(path: &str) -> bool {
    let Some(rest) = path.strip_prefix('/') else {
        return false;
    };
    let allowed = path
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/'));
    let mut segments = rest.split('/').peekable();
    while let Some(segment) = segments.next() {
        let last = segments.peek().is_none();
        if segment == "." || segment == ".." || (segment.is_empty() && !last) {
            return false;
        }
    }
    allowed
}

/// A host a [`prefix`](AllowList::prefix) list may name (in lowercase): a DNS name that no
/// resolver reads as a number, an IPv4 address in dotted-quad form, or an IPv6 literal in
/// brackets.
fn is_host(host: &str) -> bool {
    if let Some(inner) = host.strip_prefix('[') {
        return inner
            .strip_suffix(']')
            .is_some_and(|literal| literal.parse::<Ipv6Addr>().is_ok());
    }
    if host.parse::<Ipv4Addr>().is_ok() {
        return true;
    }
    host.len() <= 253 && host.split('.').all(is_label) && !looks_numeric(host)
}

/// The loopback literals a [`prefix`](AllowList::prefix) list may reach over `http`.
const LOOPBACK: [&str; 2] = ["127.0.0.1", "[::1]"];

/// PayPal's API hosts, live and sandbox.
const PAYPAL_HOSTS: [&str; 4] = [
    "api.paypal.com",
    "api.sandbox.paypal.com",
    "api-m.paypal.com",
    "api-m.sandbox.paypal.com",
];

/// The path PayPal's certificates are served under.
const PAYPAL_CERT_PATH: &str = "/v1/notifications/certs/";

#[cfg(test)]
mod tests {
    use super::*;

    const SNS_URL: &str = concat!(
        "https://sns.us-east-2.amazonaws.com/",
        "SimpleNotificationService-7ff5318490ec183fbaddaa2a969abfda.pem"
    );
    const PAYPAL_URL: &str =
        "https://api.sandbox.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77";

    fn refused(list: &AllowList, url: &str) {
        assert_eq!(
            list.check(url.as_bytes()),
            Err(VerifyError::KeyUrlRefused),
            "{url}"
        );
    }

    fn accepted(list: &AllowList, url: &str) -> KeyUrl {
        list.check(url.as_bytes())
            .unwrap_or_else(|e| panic!("{url}: {e}"))
    }

    #[test]
    fn real_sns_urls_are_accepted() {
        let sns = AllowList::aws_sns();
        assert_eq!(accepted(&sns, SNS_URL).as_str(), SNS_URL);
        accepted(
            &sns,
            "https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-abc.pem",
        );
        accepted(
            &sns,
            "https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-abc.pem",
        );
    }

    #[test]
    fn sns_refuses_http() {
        refused(&AllowList::aws_sns(), &SNS_URL.replacen("https", "http", 1));
    }

    #[test]
    fn sns_refuses_an_uppercase_scheme() {
        refused(
            &AllowList::aws_sns(),
            &SNS_URL.replacen("https", "HTTPS", 1),
        );
    }

    #[test]
    fn sns_refuses_another_host() {
        refused(&AllowList::aws_sns(), "https://example.com/cert.pem");
        refused(
            &AllowList::aws_sns(),
            "https://evil.s3.amazonaws.com/cert.pem",
        );
    }

    #[test]
    fn sns_refuses_lookalike_hosts() {
        let sns = AllowList::aws_sns();
        for host in [
            "sns.us-east-1.amazonaws.com.evil.example",
            "sns.us-east-1.amazonaws.com@evil.example",
            "evilsns.us-east-1.amazonaws.com",
            "sns.x.amazonaws.com",
            "sns.us.amazonaws.com",
            "sns.us-east-1.amazonaws.co",
            "sns.us-east-1.amazonaws.com.",
            "sns.us.east.amazonaws.com",
            "sns..amazonaws.com",
            "sns.amazonaws.com",
            "sns.us_east.amazonaws.com",
        ] {
            refused(&sns, &format!("https://{host}/cert.pem"));
        }
    }

    #[test]
    fn sns_refuses_a_path_without_pem() {
        let sns = AllowList::aws_sns();
        refused(&sns, "https://sns.us-east-1.amazonaws.com/cert.txt");
        refused(&sns, "https://sns.us-east-1.amazonaws.com/cert.pem/");
        refused(&sns, "https://sns.us-east-1.amazonaws.com");
    }

    #[test]
    fn userinfo_is_refused() {
        refused(
            &AllowList::aws_sns(),
            "https://user@sns.us-east-1.amazonaws.com/cert.pem",
        );
        refused(
            &AllowList::aws_sns(),
            "https://user:pw@sns.us-east-1.amazonaws.com/cert.pem",
        );
    }

    #[test]
    fn any_port_is_refused() {
        for port in [":443", ":8443", ":"] {
            refused(
                &AllowList::aws_sns(),
                &format!("https://sns.us-east-1.amazonaws.com{port}/cert.pem"),
            );
        }
    }

    #[test]
    fn a_query_is_refused() {
        refused(
            &AllowList::aws_sns(),
            "https://sns.us-east-1.amazonaws.com/cert.pem?x=.pem",
        );
        refused(
            &AllowList::aws_sns(),
            "https://sns.us-east-1.amazonaws.com/cert?.pem",
        );
    }

    #[test]
    fn a_fragment_is_refused() {
        refused(
            &AllowList::aws_sns(),
            "https://sns.us-east-1.amazonaws.com/cert.pem#x",
        );
        refused(
            &AllowList::aws_sns(),
            "https://sns.us-east-1.amazonaws.com/x#.pem",
        );
    }

    #[test]
    fn escapes_are_refused() {
        refused(
            &AllowList::aws_sns(),
            "https://sns.us-east-1.amazonaws.com/%2e%2e/cert.pem",
        );
        refused(
            &AllowList::aws_sns(),
            "https://sns.us-east-1.amazonaws.com/a%2Fb.pem",
        );
        refused(
            &AllowList::aws_sns(),
            "https://sns.us-east-1.amazonaws.com/a\\b.pem",
        );
    }

    #[test]
    fn dot_segments_and_empty_segments_are_refused() {
        let sns = AllowList::aws_sns();
        for path in [
            "/../cert.pem",
            "/a/../cert.pem",
            "/./cert.pem",
            "//cert.pem",
            "/a//cert.pem",
        ] {
            refused(&sns, &format!("https://sns.us-east-1.amazonaws.com{path}"));
        }
        // A dot inside a name is no segment of its own.
        accepted(&sns, "https://sns.us-east-1.amazonaws.com/a..b/.cert.pem");
    }

    #[test]
    fn bytes_outside_visible_ascii_are_refused() {
        let sns = AllowList::aws_sns();
        for bad in [
            &b"https://sns.us-east-1.amazonaws.com/a b.pem"[..],
            b"https://sns.us-east-1.amazonaws.com/cert.pem\n",
            b"https://sns.us-east-1.amazonaws.com/\xc3\xa9.pem",
            b"https://sns.us-east-1.amazonaws.com/\xff.pem",
            b"",
        ] {
            assert_eq!(sns.check(bad), Err(VerifyError::KeyUrlRefused));
        }
    }

    #[test]
    fn long_urls_are_refused() {
        let sns = AllowList::aws_sns();
        let head = "https://sns.us-east-1.amazonaws.com/";
        let fits = format!("{head}{}.pem", "a".repeat(2048 - head.len() - 4));
        assert_eq!(fits.len(), 2048);
        accepted(&sns, &fits);
        refused(
            &sns,
            &format!("{head}{}.pem", "a".repeat(2049 - head.len() - 4)),
        );
    }

    #[test]
    fn hosts_are_compared_without_case_and_written_in_lowercase() {
        let url = accepted(
            &AllowList::aws_sns(),
            "https://SNS.US-EAST-1.AmazonAWS.com/Cert.pem",
        );
        assert_eq!(url.as_str(), "https://sns.us-east-1.amazonaws.com/Cert.pem");
        assert_eq!(url.to_string(), url.as_str());
        assert_eq!(
            format!("{url:?}"),
            "\"https://sns.us-east-1.amazonaws.com/Cert.pem\""
        );
    }

    #[test]
    fn paypal_accepts_its_hosts_and_cert_path() {
        let paypal = AllowList::paypal();
        assert_eq!(accepted(&paypal, PAYPAL_URL).as_str(), PAYPAL_URL);
        for host in PAYPAL_HOSTS {
            accepted(
                &paypal,
                &format!("https://{host}/v1/notifications/certs/CERT-1"),
            );
        }
        for bad in [
            "http://api.paypal.com/v1/notifications/certs/CERT-1",
            "https://paypal.com/v1/notifications/certs/CERT-1",
            "https://api.paypal.com.evil.example/v1/notifications/certs/CERT-1",
            "https://api.paypal.com:443/v1/notifications/certs/CERT-1",
            "https://api.paypal.com/v1/notifications/certs/",
            "https://api.paypal.com/v1/notifications/certsX",
            "https://api.paypal.com/v1/notifications/other/CERT-1",
            "https://api.paypal.com/v1/notifications/certs/../../oauth",
            "https://api.paypal.com/v1/notifications/certs/CERT-1?x",
        ] {
            refused(&paypal, bad);
        }
    }

    #[test]
    fn google_accepts_one_url() {
        let google = AllowList::google_oauth_certs();
        accepted(&google, "https://www.googleapis.com/oauth2/v3/certs");
        for bad in [
            "https://www.googleapis.com/oauth2/v3/certs/",
            "https://www.googleapis.com/oauth2/v1/certs",
            "https://www.googleapis.com/oauth2/v3/certs2",
            "https://googleapis.com/oauth2/v3/certs",
            "https://www.googleapis.com:443/oauth2/v3/certs",
            "http://www.googleapis.com/oauth2/v3/certs",
        ] {
            refused(&google, bad);
        }
    }

    #[test]
    fn a_prefix_admits_its_path_and_below() {
        let list = AllowList::prefix("https://keys.example.com/hooks/").unwrap();
        accepted(&list, "https://keys.example.com/hooks");
        accepted(&list, "https://keys.example.com/hooks/");
        accepted(&list, "https://KEYS.example.com/hooks/a/b.pem");
        for bad in [
            "https://keys.example.com/hooksx/a.pem",
            "https://keys.example.com/a.pem",
            "https://keys.example.com:443/hooks/a.pem",
            "https://keys.example.com.evil/hooks/a.pem",
            "http://keys.example.com/hooks/a.pem",
            "https://keys.example.com/hooks/../a.pem",
            "https://keys.example.com/hooks/a.pem?x",
        ] {
            refused(&list, bad);
        }
        let root = AllowList::prefix("https://keys.example.com").unwrap();
        accepted(&root, "https://keys.example.com/any/where.json");
        refused(&root, "https://keys.example.com");
    }

    #[test]
    fn a_prefix_with_a_port_needs_that_port() {
        let list = AllowList::prefix("http://127.0.0.1:8080/keys").unwrap();
        accepted(&list, "http://127.0.0.1:8080/keys/a.pem");
        refused(&list, "http://127.0.0.1/keys/a.pem");
        refused(&list, "http://127.0.0.1:8081/keys/a.pem");
        refused(&list, "http://127.0.0.1:08080/keys/a.pem");
        refused(&list, "https://127.0.0.1:8080/keys/a.pem");
        let v6 = AllowList::prefix("http://[::1]:9000").unwrap();
        accepted(&v6, "http://[::1]:9000/k");
        let canonical = AllowList::prefix("https://keys.example.com:0443").unwrap();
        accepted(&canonical, "https://keys.example.com:443/k");
    }

    #[test]
    fn prefix_settings_are_checked() {
        for (bad, error) in [
            ("http://keys.example.com", ConfigError::NotHttps),
            ("http://localhost:8080", ConfigError::NotHttps),
            ("http://127.0.0.2:8080", ConfigError::NotHttps),
            ("ftp://keys.example.com", ConfigError::NotHttps),
            ("HTTPS://keys.example.com", ConfigError::NotHttps),
            ("https://user@keys.example.com", ConfigError::UrlCredentials),
            (
                "https://user:pw@keys.example.com/k",
                ConfigError::UrlCredentials,
            ),
            ("keys.example.com", ConfigError::InvalidUrl),
            ("https://", ConfigError::InvalidUrl),
            ("https://keys.example.com/k?x=1", ConfigError::InvalidUrl),
            ("https://keys.example.com/k#x", ConfigError::InvalidUrl),
            ("https://keys.example.com:0", ConfigError::InvalidUrl),
            ("https://keys.example.com:65536", ConfigError::InvalidUrl),
            ("https://keys.example.com.", ConfigError::InvalidUrl),
            ("https://keys..example.com", ConfigError::InvalidUrl),
            ("https://-keys.example.com", ConfigError::InvalidUrl),
            ("https://127.1", ConfigError::InvalidUrl),
            ("https://[::1", ConfigError::InvalidUrl),
            ("https://[zz]", ConfigError::InvalidUrl),
            ("https://keys.example.com/a/../b", ConfigError::InvalidUrl),
            ("https://keys.example.com//b", ConfigError::InvalidUrl),
            ("https://keys.example.com/%2e", ConfigError::InvalidUrl),
        ] {
            assert_eq!(AllowList::prefix(bad).unwrap_err(), error, "{bad}");
        }
    }
}

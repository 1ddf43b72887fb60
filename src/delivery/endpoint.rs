//! Which endpoint URLs a sender may deliver to: HTTPS only, and no address inside the sender's
//! own network (an SSRF guard), unless explicitly allowed.
//!
//! Local names follow the addresses they stand for. `localhost` and `*.localhost` resolve to
//! loopback (RFC 6761), so they are accepted exactly when [`AddressClass::Loopback`] is. Every
//! other local name — a single label, `*.local`, `*.internal`, `*.home.arpa`, `*.lan` — resolves
//! through search domains, mDNS or a local resolver to an address no one has checked, and is
//! refused under every policy ([`ConfigError::LocalName`]): reach such a host by its address,
//! with that address's class allowed.

use crate::error::ConfigError;
use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The kinds of address an endpoint may not have unless allowed. Each is refused by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AddressClass {
    /// `127.0.0.0/8`, `::1`.
    Loopback,
    /// RFC 1918 (`10/8`, `172.16/12`, `192.168/16`), IPv6 unique-local `fc00::/7` and the
    /// deprecated site-local `fec0::/10`, and NAT64's local-use `64:ff9b:1::/48`.
    Private,
    /// `169.254.0.0/16`, `fe80::/10`.
    LinkLocal,
    /// Cloud instance-metadata services: `169.254.169.254`, `169.254.170.2` (ECS),
    /// `100.100.100.200`, `fd00:ec2::254`.
    Metadata,
    /// Carrier-grade NAT's shared space, `100.64.0.0/10`.
    SharedAddressSpace,
    /// `0.0.0.0/8`, `::` — which reach the local host on many systems.
    Unspecified,
    /// `224.0.0.0/4`, `ff00::/8`.
    Multicast,
    /// `255.255.255.255`.
    Broadcast,
    /// Documentation ranges: `192.0.2/24`, `198.51.100/24`, `203.0.113/24`, `2001:db8::/32`.
    Documentation,
    /// Everything else that is not global unicast: `192.0.0/24`, `198.18/15`, `240/4`, the
    /// IPv4-compatible `::/96`, Teredo `2001::/32`, discard-only `100::/64`, and IPv6 outside
    /// `2000::/3`.
    Reserved,
}

impl fmt::Display for AddressClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Loopback => "loopback",
            Self::Private => "private",
            Self::LinkLocal => "link-local",
            Self::Metadata => "cloud metadata",
            Self::SharedAddressSpace => "shared (carrier-grade NAT)",
            Self::Unspecified => "unspecified",
            Self::Multicast => "multicast",
            Self::Broadcast => "broadcast",
            Self::Documentation => "documentation",
            Self::Reserved => "reserved",
        })
    }
}

/// A checked endpoint: its URL, and its host as an address or a DNS name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    url: Box<str>,
    host: Host,
    port: u16,
    https: bool,
}

/// An endpoint's host.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Host {
    /// An IP address, already checked.
    Ip(IpAddr),
    /// A DNS name (lowercase, without a trailing dot). Its addresses are not known until it is
    /// resolved: check each with [`EndpointPolicy::check_ip`] and connect to one that passed.
    Name(Box<str>),
}

impl Endpoint {
    /// The URL as given.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The host.
    #[must_use]
    pub fn host(&self) -> &Host {
        &self.host
    }

    /// The port (443 or 80 when the URL has none).
    #[must_use]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Whether the URL is `https`.
    #[must_use]
    pub fn is_https(&self) -> bool {
        self.https
    }
}

/// Checks endpoint URLs before a sender delivers to them.
///
/// By default only `https` URLs are accepted, and a host that is an IP address must be a
/// global unicast address: loopback, private, link-local, cloud-metadata and every other
/// non-global range ([`AddressClass`]) are refused, in IPv4, IPv6, and IPv4 embedded in IPv6
/// (`::ffff:127.0.0.1`, NAT64, 6to4). Local names (`localhost`, `*.internal`, single labels)
/// and numeric hosts in forms resolvers read as IPv4 (`2130706433`) are refused too; of the
/// local names, only `localhost` and `*.localhost` can be allowed, with
/// [`AddressClass::Loopback`].
///
/// **DNS is the caller's check.** A name that passes may still resolve to a private address,
/// and may resolve differently by the time of the request (DNS rebinding). Resolve the name,
/// pass every address to [`EndpointPolicy::check_ip`], and connect to an address that passed —
/// not to the name again. Do not follow redirects: their targets were never checked.
///
/// ```
/// use hookseal::ConfigError;
/// use hookseal::delivery::{AddressClass, EndpointPolicy};
///
/// let policy = EndpointPolicy::new();
/// assert!(policy.check("https://hooks.example.com/in").is_ok());
/// assert_eq!(policy.check("http://hooks.example.com/in"), Err(ConfigError::NotHttps));
/// assert_eq!(
///     policy.check("https://169.254.169.254/latest/meta-data/"),
///     Err(ConfigError::ForbiddenAddress(AddressClass::Metadata)),
/// );
/// assert_eq!(
///     policy.check("https://[::ffff:10.0.0.7]/"),
///     Err(ConfigError::ForbiddenAddress(AddressClass::Private)),
/// );
///
/// // For a local test receiver, opt in explicitly.
/// let local = EndpointPolicy::new().allow_http().allow(AddressClass::Loopback);
/// assert!(local.check("http://127.0.0.1:8080/webhooks").is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointPolicy {
    allow_http: bool,
    allowed: Vec<AddressClass>,
}

impl Default for EndpointPolicy {
    fn default() -> Self {
        Self::new()
    }
}

impl EndpointPolicy {
    /// The longest URL accepted, in bytes.
    pub const MAX_URL_LEN: usize = 2048;

    /// The strict policy: `https` only, global unicast addresses only, no local names.
    #[must_use]
    pub fn new() -> Self {
        Self {
            allow_http: false,
            allowed: Vec::new(),
        }
    }

    /// Accepts plain `http` URLs too: for local testing only, since the payload and its
    /// signature then cross the network in the clear.
    #[must_use]
    pub fn allow_http(mut self) -> Self {
        self.allow_http = true;
        self
    }

    /// Accepts addresses of `class` (for instance [`AddressClass::Loopback`] for a receiver
    /// on the same machine in tests, or [`AddressClass::Private`] for an internal deployment).
    ///
    /// Allowing [`AddressClass::Loopback`] also accepts the names `localhost` and
    /// `*.localhost`, which resolve to loopback. No class accepts any other local name (a single
    /// label, `*.local`, `*.internal`, `*.home.arpa`, `*.lan`): what they resolve to is unknown
    /// here, so allowing [`AddressClass::Private`] admits private *addresses* only. Reach an
    /// internal host by its address.
    #[must_use]
    pub fn allow(mut self, class: AddressClass) -> Self {
        if !self.allowed.contains(&class) {
            self.allowed.push(class);
        }
        self
    }

    /// Checks an endpoint URL: its scheme, that it has no credentials, and its host.
    ///
    /// # Errors
    ///
    /// An [`ConfigError`] naming the first fault found.
    pub fn check(&self, url: &str) -> Result<Endpoint, ConfigError> {
        if url.len() > Self::MAX_URL_LEN {
            return Err(ConfigError::InvalidUrl);
        }
        let (scheme, rest) = url.split_once("://").ok_or(ConfigError::InvalidUrl)?;
        let https = if scheme.eq_ignore_ascii_case("https") {
            true
        } else if scheme.eq_ignore_ascii_case("http") {
            false
        } else if is_scheme(scheme) {
            return Err(ConfigError::NotHttps);
        } else {
            return Err(ConfigError::InvalidUrl);
        };
        if !https && !self.allow_http {
            return Err(ConfigError::NotHttps);
        }
        if !url.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ConfigError::InvalidUrl);
        }
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if authority.contains('@') {
            return Err(ConfigError::UrlCredentials);
        }
        let (host, port) = split_port(authority)?;
        let port = port.unwrap_or(if https { 443 } else { 80 });
        let host = self.check_host(host)?;
        Ok(Endpoint {
            url: url.into(),
            host,
            port,
            https,
        })
    }

    /// Checks one address, e.g. each address a host name resolved to.
    ///
    /// # Errors
    ///
    /// [`ConfigError::ForbiddenAddress`] with the address's class, unless that class is allowed.
    pub fn check_ip(&self, addr: IpAddr) -> Result<(), ConfigError> {
        match classify(addr) {
            Some(class) if !self.allowed.contains(&class) => {
                Err(ConfigError::ForbiddenAddress(class))
            }
            _ => Ok(()),
        }
    }

    fn check_host(&self, host: &str) -> Result<Host, ConfigError> {
        if let Some(inner) = host.strip_prefix('[') {
            let literal = inner.strip_suffix(']').ok_or(ConfigError::InvalidUrl)?;
            let addr: Ipv6Addr = literal.parse().map_err(|_| ConfigError::InvalidUrl)?;
            self.check_ip(IpAddr::V6(addr))?;
            return Ok(Host::Ip(IpAddr::V6(addr)));
        }
        let name = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
        if name.is_empty() || name.len() > 253 || !name.split('.').all(is_label) {
            return Err(ConfigError::InvalidUrl);
        }
        if let Ok(addr) = name.parse::<Ipv4Addr>() {
            self.check_ip(IpAddr::V4(addr))?;
            return Ok(Host::Ip(IpAddr::V4(addr)));
        }
        if looks_numeric(&name) {
            return Err(ConfigError::AmbiguousNumericHost);
        }
        let admitted = is_localhost(&name) && self.allowed.contains(&AddressClass::Loopback);
        if is_local_name(&name) && !admitted {
            return Err(ConfigError::LocalName);
        }
        Ok(Host::Name(name.into()))
    }
}

fn is_scheme(s: &str) -> bool {
    let mut bytes = s.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-' || b == b'.')
}

/// Splits `host[:port]` (the host may be a bracketed IPv6 literal).
fn split_port(authority: &str) -> Result<(&str, Option<u16>), ConfigError> {
    let (host, port) = if authority.starts_with('[') {
        match authority.find(']') {
            Some(end) => {
                let (host, rest) = authority.split_at(end + 1);
                match rest.strip_prefix(':') {
                    Some(port) => (host, Some(port)),
                    None if rest.is_empty() => (host, None),
                    None => return Err(ConfigError::InvalidUrl),
                }
            }
            None => return Err(ConfigError::InvalidUrl),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return Err(ConfigError::InvalidUrl);
    }
    let port = match port {
        Some(p) if !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()) => {
            Some(p.parse::<u16>().map_err(|_| ConfigError::InvalidUrl)?)
        }
        Some(_) => return Err(ConfigError::InvalidUrl),
        None => None,
    };
    if port == Some(0) {
        return Err(ConfigError::InvalidUrl);
    }
    Ok((host, port))
}

/// A DNS label: 1 to 63 letters, digits and hyphens, not starting or ending with a hyphen
/// (underscores are tolerated, as some hosting names use them).
pub(crate) fn is_label(label: &str) -> bool {
    (1..=63).contains(&label.len())
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Whether URL parsers and `inet_aton` would read the name as an IPv4 address: its last label
/// is a decimal, octal or `0x` hex number (the WHATWG URL standard's rule).
pub(crate) fn looks_numeric(name: &str) -> bool {
    let last = name.rsplit('.').next().unwrap_or_default();
    let hex = last
        .strip_prefix("0x")
        .is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
    hex || (!last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()))
}

/// Names that resolve on the local machine or network only.
fn is_local_name(name: &str) -> bool {
    const SUFFIXES: [&str; 4] = [".local", ".internal", ".home.arpa", ".lan"];
    is_localhost(name) || !name.contains('.') || SUFFIXES.iter().any(|s| name.ends_with(s))
}

/// `localhost` and the names under it, which resolve to loopback (RFC 6761 §6.3).
fn is_localhost(name: &str) -> bool {
    name == "localhost" || name.ends_with(".localhost")
}

/// The class of a non-global address, `None` for global unicast.
#[must_use]
pub fn classify(addr: IpAddr) -> Option<AddressClass> {
    match addr {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(a: Ipv4Addr) -> Option<AddressClass> {
    let [o1, o2, o3, o4] = a.octets();
    let class = match (o1, o2, o3, o4) {
        (169, 254, 169, 254) | (169, 254, 170, 2) | (100, 100, 100, 200) => AddressClass::Metadata,
        (0, ..) => AddressClass::Unspecified,
        (127, ..) => AddressClass::Loopback,
        (10, ..) | (192, 168, ..) => AddressClass::Private,
        (172, b, ..) if (16..=31).contains(&b) => AddressClass::Private,
        (100, b, ..) if (64..=127).contains(&b) => AddressClass::SharedAddressSpace,
        (169, 254, ..) => AddressClass::LinkLocal,
        (192, 0, 2, _) | (198, 51, 100, _) | (203, 0, 113, _) => AddressClass::Documentation,
        (255, 255, 255, 255) => AddressClass::Broadcast,
        (224..=239, ..) => AddressClass::Multicast,
        (192, 0, 0, _) | (240..=255, ..) => AddressClass::Reserved,
        (198, 18 | 19, ..) => AddressClass::Reserved,
        _ => return None,
    };
    Some(class)
}

fn classify_v6(a: Ipv6Addr) -> Option<AddressClass> {
    let s = a.segments();
    let embedded = |hi: u16, lo: u16| {
        let [a, b] = hi.to_be_bytes();
        let [c, d] = lo.to_be_bytes();
        Ipv4Addr::new(a, b, c, d)
    };
    let class = match s {
        [0, 0, 0, 0, 0, 0, 0, 0] => AddressClass::Unspecified,
        [0, 0, 0, 0, 0, 0, 0, 1] => AddressClass::Loopback,
        // IPv4-mapped: the IPv4 address is what is reached.
        [0, 0, 0, 0, 0, 0xffff, hi, lo] => return classify_v4(embedded(hi, lo)),
        // IPv4-compatible (deprecated).
        [0, 0, 0, 0, 0, 0, _, _] => AddressClass::Reserved,
        // NAT64 well-known prefix: the IPv4 address is what is reached.
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => return classify_v4(embedded(hi, lo)),
        [0x64, 0xff9b, 1, ..] => AddressClass::Private,
        [0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0254] => AddressClass::Metadata,
        [0x100, 0, 0, 0, ..] => AddressClass::Reserved,
        [0x2001, 0x0db8, ..] => AddressClass::Documentation,
        [0x2001, 0, ..] => AddressClass::Reserved,
        // 6to4: the embedded IPv4 address decides.
        [0x2002, hi, lo, ..] => return classify_v4(embedded(hi, lo)),
        [first, ..] if first & 0xfe00 == 0xfc00 => AddressClass::Private,
        [first, ..] if first & 0xffc0 == 0xfe80 => AddressClass::LinkLocal,
        [first, ..] if first & 0xffc0 == 0xfec0 => AddressClass::Private,
        [first, ..] if first & 0xff00 == 0xff00 => AddressClass::Multicast,
        [first, ..] if first & 0xe000 == 0x2000 => return None,
        _ => AddressClass::Reserved,
    };
    Some(class)
}

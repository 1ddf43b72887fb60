//! `hookseal explain`: why a captured request does not verify, found by trying the known
//! mistakes offline until one reproduces its signature.
//!
//! It runs on a desk, never in a server: a receiver that told senders which change would make a
//! signature match would be an oracle for forging one.

use std::time::Duration;

use hookseal::scheme::{Algorithm, SecretFormat};
use hookseal::{Keyring, Scheme, Secret, VerifyError, dangerous};
use serde_json::json;

use crate::args::VerifyArgs;
use crate::body_variants;
use crate::checking::{Check, Verdict};
use crate::failure::Failure;

/// What reproduced the signature.
#[derive(Debug)]
struct Cause {
    /// A stable name of the mistake: `clock_skew`, `body_reserialized`, `secret_format`,
    /// `scheme_layout`, `url_changed`.
    class: &'static str,
    /// What was found, in words.
    detail: String,
    /// What to do about it.
    fix: String,
    /// For a clock skew: how far the signed timestamp is from the time checked at, in seconds
    /// (positive when it is in the past).
    skew_secs: Option<i64>,
}

/// Explains the verdict on the request: exit 0 when it verifies as it is, 1 when it does not
/// (naming the cause when one of the known mistakes reproduces the signature).
///
/// # Errors
///
/// [`Failure::Refused`] when the request does not verify; [`Failure::Input`] when it cannot be
/// checked (see [`Check::read`]).
pub(crate) fn run(args: &VerifyArgs, json: bool) -> Result<(), Failure> {
    let check = Check::read(args)?;
    let scheme = check.scheme.name();
    let refused = match check.verify()? {
        Ok(verdict) => {
            if json {
                super::print_json(&json!({
                    "verified": true,
                    "scheme": scheme,
                    "key_id": verdict.key_id,
                    "cause": null,
                }));
            } else {
                println!(
                    "verified as it is: {scheme}, key {}; nothing to explain",
                    verdict.key_id
                );
            }
            return Ok(());
        }
        Err(refused) => refused,
    };
    let mut search = Search::new(&check);
    let cause = search.run(&refused)?;
    if json {
        let cause = cause.as_ref().map(|c| {
            json!({ "class": c.class, "detail": c.detail, "fix": c.fix, "skew_secs": c.skew_secs })
        });
        super::print_json(&json!({
            "verified": false,
            "scheme": scheme,
            "code": refused.code(),
            "message": refused.to_string(),
            "cause": cause,
            "tried": search.tried,
        }));
    } else {
        println!("refused: {} ({refused})", refused.code());
        match &cause {
            Some(cause) => {
                println!("cause: {}", cause.class);
                println!("{}", cause.detail);
                println!("fix: {}", cause.fix);
            }
            None => {
                println!(
                    "cause: none of the known mistakes reproduces the signature ({} tried).",
                    search.tried
                );
                println!(
                    "Check that the secret is this endpoint's (not another endpoint's, a test \
                     mode's, or one rotated out) and that the body is the one sent."
                );
            }
        }
    }
    Err(Failure::Refused)
}

/// The search for the mistake, bounded by [`MAX_ATTEMPTS`] verifications.
struct Search<'a> {
    check: &'a Check,
    tried: usize,
    /// What the attempt that reproduced the signature verified.
    matched: Option<Verdict>,
}

impl<'a> Search<'a> {
    fn new(check: &'a Check) -> Self {
        Self {
            check,
            tried: 0,
            matched: None,
        }
    }

    /// The first known mistake that reproduces the signature, in the order of the classes:
    /// the clock, the body, the secret's format, another preset, the URL; with the clock's
    /// skew as well when the request was also refused for its time.
    fn run(&mut self, refused: &VerifyError) -> Result<Option<Cause>, Failure> {
        let mut cause = self.find(refused)?;
        let late = matches!(
            refused,
            VerifyError::TimestampTooOld | VerifyError::TimestampInFuture
        );
        if let (Some(cause), Some(verdict)) = (&mut cause, &self.matched)
            && late
            && cause.class != "clock_skew"
        {
            let skew = self.skew(refused, verdict);
            cause.detail = format!("{} Besides, {}", cause.detail, skew.detail);
            cause.skew_secs = skew.skew_secs;
        }
        Ok(cause)
    }

    /// The first known mistake that reproduces the signature.
    fn find(&mut self, refused: &VerifyError) -> Result<Option<Cause>, Failure> {
        let check = self.check;
        let scheme = &check.scheme;
        let own = check.verifier(scheme, check.keyring(scheme)?)?;
        let body = &check.request.body;
        if let Some(verdict) = self.attempt(&own, body, None) {
            let mut cause = self.skew(refused, &verdict);
            cause.detail = format!("The signature matches; {}", cause.detail);
            return Ok(Some(cause));
        }
        for variant in body_variants::variants(body) {
            if self.attempt(&own, &variant.body, None).is_some() {
                return Ok(Some(Cause {
                    class: "body_reserialized",
                    detail: format!(
                        "The signature matches the body {}: the body was changed between the \
                         sender and the verifier (a JSON parser and writer, a framework's body \
                         middleware, a proxy), or the sender signed other bytes than it sent.",
                        variant.description
                    ),
                    fix: "verify the raw body bytes as received, before any parsing".to_owned(),
                    skew_secs: None,
                }));
            }
        }
        for (description, secret) in secret_readings(&check.key_text) {
            let verifier = check.verifier(scheme, Keyring::single(secret))?;
            if self.attempt(&verifier, body, None).is_some() {
                return Ok(Some(Cause {
                    class: "secret_format",
                    detail: format!(
                        "The signature matches with the secret {description}; {} reads it {}.",
                        scheme.name(),
                        reading(scheme.secret_format())
                    ),
                    fix: format!(
                        "read the secret as the sender does: {description} (or give the sender \
                         the secret in {}'s format)",
                        scheme.name()
                    ),
                    skew_secs: None,
                }));
            }
        }
        for other in Scheme::presets() {
            if other.name() == scheme.name() {
                continue;
            }
            let mut keyrings: Vec<Keyring> = check.keyring(&other).into_iter().collect();
            if matches!(
                other.algorithm(),
                Algorithm::HmacSha256 | Algorithm::HmacSha1
            ) {
                keyrings.extend(secret_readings(&check.key_text).map(|(_, s)| Keyring::single(s)));
            }
            for keyring in keyrings {
                let Ok(verifier) = check.verifier(&other, keyring) else {
                    continue;
                };
                if self.attempt(&verifier, body, None).is_some() {
                    let name = other.name();
                    return Ok(Some(Cause {
                        class: "scheme_layout",
                        detail: format!(
                            "The request verifies as {name}: it was signed in {name}'s layout \
                             (its headers and signed content), not {}'s.",
                            scheme.name()
                        ),
                        fix: format!("verify with the {name} scheme (--scheme {name})"),
                        skew_secs: None,
                    }));
                }
            }
        }
        if scheme.signs_url() {
            for url in self.url_candidates() {
                if self.attempt(&own, body, Some(&url)).is_some() {
                    let used = check.public_url.as_deref().unwrap_or("none");
                    return Ok(Some(Cause {
                        class: "url_changed",
                        detail: format!(
                            "The signature matches the public URL {url}; the verifier used \
                             {used}: a proxy (or the server's own view of itself) changed the \
                             URL's scheme, host or port on the way."
                        ),
                        fix: format!(
                            "verify with the URL the sender posts to: --public-url {url} \
                             (Verifier::with_public_url)"
                        ),
                        skew_secs: None,
                    }));
                }
            }
        }
        Ok(None)
    }

    /// Verifies the request with `verifier`, `body` and `url`, in a window wide enough for any
    /// clock skew (which [`Search::skew`] reports on its own); `None` when it does not verify
    /// or the attempts are spent.
    fn attempt(
        &mut self,
        verifier: &hookseal::Verifier,
        body: &[u8],
        url: Option<&str>,
    ) -> Option<Verdict> {
        if self.tried >= MAX_ATTEMPTS {
            return None;
        }
        self.tried += 1;
        let verdict = (self.check)
            .verify_with(verifier, Some(ANY_SKEW), body, url)
            .ok();
        self.matched.clone_from(&verdict);
        verdict
    }

    /// The request verifies but for its time: how far off the clock is.
    fn skew(&self, refused: &VerifyError, verdict: &Verdict) -> Cause {
        let at = self.check.at.as_unix_secs();
        let signed = verdict.timestamp.map_or(at, |t| t.as_unix_secs());
        let skew = i64::try_from(i128::from(at) - i128::from(signed)).unwrap_or(i64::MAX);
        let window = (self.check.scheme.tolerance()).map_or(DEFAULT_WINDOW_SECS, |t| t.as_secs());
        let direction = match skew {
            0.. => "old",
            _ => "in the future",
        };
        Cause {
            class: "clock_skew",
            detail: format!(
                "the timestamp is {} s {direction} (signed at {signed}, \
                 checked at {at}), outside the window of {window} s ({}): the sender's clock \
                 or this one is off, or the request was captured earlier.",
                skew.unsigned_abs(),
                refused.code()
            ),
            fix: "synchronize the clocks (NTP); for a captured request, give --at with the time \
                  it was received"
                .to_owned(),
            skew_secs: Some(skew),
        }
    }

    /// The public URLs a proxy may have turned the sender's into: the verifier's, or the Host
    /// and X-Forwarded-Host headers' hosts, with `https` or `http`, with no port, the one given,
    /// or the default ports; followed by an X-Forwarded-Prefix when one is sent.
    fn url_candidates(&self) -> Vec<String> {
        let request = &self.check.request;
        let mut hosts: Vec<String> = Vec::new();
        let given = self.check.public_url.as_deref().map(split_url);
        if let Some((_, host, _)) = &given {
            hosts.push(host.clone());
        }
        for name in ["Host", "X-Forwarded-Host"] {
            for value in request.header(name) {
                let value = String::from_utf8_lossy(value);
                for host in value.split(',') {
                    hosts.push(split_url(&format!("http://{}", host.trim())).1);
                }
            }
        }
        let mut ports = vec![String::new(), ":443".to_owned(), ":80".to_owned()];
        for value in request
            .header("Host")
            .chain(request.header("X-Forwarded-Port"))
        {
            let value = String::from_utf8_lossy(value);
            let port = value.rsplit_once(':').map_or(value.as_ref(), |(_, p)| p);
            if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) {
                ports.push(format!(":{port}"));
            }
        }
        if let Some((_, _, port)) = &given {
            ports.push(port.clone());
        }
        let prefixes: Vec<String> = std::iter::once(String::new())
            .chain(
                request
                    .header("X-Forwarded-Prefix")
                    .map(|p| String::from_utf8_lossy(p).trim_end_matches('/').to_owned()),
            )
            .collect();
        let mut urls: Vec<String> = Vec::new();
        for scheme in ["https", "http"] {
            for host in &hosts {
                for port in &ports {
                    for prefix in &prefixes {
                        let url = format!("{scheme}://{host}{port}{prefix}");
                        if !urls.contains(&url) && self.check.public_url.as_ref() != Some(&url) {
                            urls.push(url);
                        }
                    }
                }
            }
        }
        urls.truncate(MAX_URLS);
        urls
    }
}

/// `url` split into its scheme, host and port (`:8080`, or empty), its path dropped.
fn split_url(url: &str) -> (String, String, String) {
    let (scheme, rest) = url.split_once("://").unwrap_or(("https", url));
    let authority = rest.split('/').next().unwrap_or(rest);
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) && !port.is_empty() => {
            (host, format!(":{port}"))
        }
        _ => (authority, String::new()),
    };
    (scheme.to_owned(), host.to_owned(), port)
}

/// How `format` reads a secret, in words.
fn reading(format: &SecretFormat) -> &'static str {
    let min = format.min_len();
    if *format == SecretFormat::base64_with_prefix("whsec_").with_min_len(min)
        || *format == SecretFormat::base64().with_min_len(min)
    {
        "decoded from base64 (after whsec_)"
    } else {
        "as text, its bytes the key"
    }
}

/// The other ways the secret's text may have been read by the sender: its text as the key
/// (prefix kept, or dropped), or decoded from base64 or hex (after its prefix).
fn secret_readings(text: &str) -> impl Iterator<Item = (String, Secret)> {
    let prefix = PREFIXES.iter().find(|p| text.starts_with(**p)).copied();
    let bare = prefix.map_or(text, |p| text.get(p.len()..).unwrap_or_default());
    let mut readings: Vec<(String, Option<Secret>)> = vec![(
        "text used as the key, as written".to_owned(),
        dangerous::short_secret(text.as_bytes().to_vec()).ok(),
    )];
    match prefix {
        Some(prefix) => readings.push((
            format!("text after {prefix} used as the key (prefix dropped)"),
            dangerous::short_secret(bare.as_bytes().to_vec()).ok(),
        )),
        None => (PREFIXES.iter()).for_each(|prefix| {
            readings.push((
                format!("text with {prefix} in front used as the key (prefix kept)"),
                dangerous::short_secret(format!("{prefix}{text}").into_bytes()).ok(),
            ));
        }),
    }
    let base64 = SecretFormat::base64().with_min_len(1);
    readings.push((
        match prefix {
            Some(prefix) => format!("decoded from base64 after {prefix}"),
            None => "decoded from base64".to_owned(),
        },
        base64.parse(bare).ok(),
    ));
    readings.push((
        "decoded from hex".to_owned(),
        hex(bare).and_then(|bytes| dangerous::short_secret(bytes).ok()),
    ));
    (readings.into_iter()).filter_map(|(description, secret)| Some((description, secret?)))
}

/// `text` decoded from hex (either case), when it is hex.
fn hex(text: &str) -> Option<Vec<u8>> {
    if text.is_empty() || !text.len().is_multiple_of(2) {
        return None;
    }
    let digit = |b: u8| char::from(b).to_digit(16);
    (text.as_bytes().chunks(2))
        .map(|pair| match pair {
            [high, low] => Some(u8::try_from(digit(*high)? * 16 + digit(*low)?).ok()?),
            _ => None,
        })
        .collect()
}

/// The prefixes secrets are written with.
const PREFIXES: [&str; 1] = ["whsec_"];

/// A window wide enough for any clock skew: a hundred years.
const ANY_SKEW: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// The verifier's window when the scheme states none.
const DEFAULT_WINDOW_SECS: u64 = 300;

/// The most verifications one explanation tries.
const MAX_ATTEMPTS: usize = 1024;

/// The most URLs tried.
const MAX_URLS: usize = 64;

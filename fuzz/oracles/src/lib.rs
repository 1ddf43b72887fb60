//! The oracles of hookseal's fuzz targets (`fuzz/fuzz_targets/`), in a library of their own so
//! that no test code ships in hookseal itself.
//!
//! Each function takes the fuzzer's raw bytes, runs one of hookseal's parsers (or the whole
//! verify path) on them, and checks what it answered against an oracle written independently
//! of the code under test: a property violation panics, which the fuzzer reports as a crash.
//! The corpus replay test (`tests/corpus.rs`) runs every committed corpus file through these
//! same functions, so `cargo test` covers the corpora too.
//!
//! Everything goes through hookseal's public API except two parsers checked directly (the
//! signature header's and the timestamp's), which hookseal exposes as `hookseal::fuzz_hooks`
//! only when built with `--cfg fuzzing`. `cargo fuzz` sets that flag; the corpus test needs it
//! too: `RUSTFLAGS='--cfg fuzzing' cargo test --manifest-path fuzz/Cargo.toml -p
//! hookseal-fuzz-oracles` (stable Rust is enough).
//!
//! Input layouts:
//!
//! - [`signature_params`], [`signature_versioned`], [`signature_single`]: the first byte picks
//!   a scheme using that header syntax; the rest is the header's value.
//! - [`timestamp`], [`idempotency_key`]: the bytes are the header's value.
//! - [`secret`]: the first byte picks a secret format; the rest, when it is UTF-8, is the text.
//! - [`verify`]: the first byte picks a scheme, the second how headers are held; then lines of
//!   `name: value` up to an empty line, then the body (see [`verify`]).

#![allow(
    clippy::missing_panics_doc,
    reason = "every function here panics on purpose when a property fails; the module docs say so"
)]

use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use hmac::Hmac;

use hookseal::fuzz_hooks::{parse_signature_header, parse_timestamp};
use hookseal::idempotency::IdempotencyKey;
use hookseal::scheme::Encoding;
use hookseal::{
    HeaderKind, HeaderName, HeaderSource, IdempotencyKeyReason, Key, Keyring, Scheme, Secret,
    SecretError, Signer, Timestamp, TimestampReason, Verified, Verifier, VerifyError, dangerous,
};

#[cfg(not(fuzzing))]
compile_error!(
    "the oracles need hookseal built with `--cfg fuzzing`: `cargo fuzz` sets it; for the corpus \
     test, set RUSTFLAGS='--cfg fuzzing'"
);

/// The time every verify input is checked at: 2023-11-14T22:13:20Z.
pub const NOW: u64 = 1_700_000_000;

/// The primary key of every fuzzed verifier.
pub const NEW_KEY: [u8; 32] = [0x42; 32];

/// The second key of every fuzzed verifier (a key being rotated out).
pub const OLD_KEY: [u8; 32] = [0x17; 32];

/// How a scheme's signed content and signature header are laid out, written out from each
/// provider's documentation rather than read from the scheme, so the checks below do not share
/// the code they check.
#[derive(Debug, Clone, Copy)]
struct Layout {
    content: Content,
    header: Header,
    /// The label before each tag: `v1=`, `v1,`, `sha256=`, or nothing.
    label: &'static str,
    encoding: Encoding,
    sha1: bool,
    /// The signature header's name, and the second name read when it is absent.
    header_names: (&'static str, Option<&'static str>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Content {
    /// `timestamp.body` (Stripe).
    TsDotBody,
    /// `id.timestamp.body` (Standard Webhooks, Svix).
    IdDotTsDotBody,
    /// The body alone (GitHub, Shopify).
    Body,
    /// `v0:timestamp:body` (Slack, Zoom).
    V0,
    /// `timestamp:body` (Paddle).
    TsColonBody,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Header {
    /// `key=value` entries split by this byte, the timestamp under `ts_key`.
    Params { separator: u8, ts_key: &'static str },
    /// `version,tag` entries split by spaces.
    Versioned,
    /// The one tag, after the label.
    Single,
}

/// One fuzzed scheme and its independent description.
struct Case {
    scheme: Scheme,
    layout: Layout,
    verifier: Verifier,
}

fn cases() -> &'static [Case] {
    static CASES: OnceLock<Vec<Case>> = OnceLock::new();
    CASES.get_or_init(|| {
        let params = |separator, ts_key| Header::Params { separator, ts_key };
        let hex = Encoding::Hex;
        let b64 = Encoding::Base64;
        let list = [
            (
                Scheme::stripe(),
                Content::TsDotBody,
                params(b',', "t"),
                "v1=",
                hex,
            ),
            (
                Scheme::paddle(),
                Content::TsColonBody,
                params(b';', "ts"),
                "h1=",
                hex,
            ),
            (
                Scheme::standard_webhooks(),
                Content::IdDotTsDotBody,
                Header::Versioned,
                "v1,",
                b64,
            ),
            (
                Scheme::svix(),
                Content::IdDotTsDotBody,
                Header::Versioned,
                "v1,",
                b64,
            ),
            (
                Scheme::github(),
                Content::Body,
                Header::Single,
                "sha256=",
                hex,
            ),
            (
                dangerous::github_sha1(),
                Content::Body,
                Header::Single,
                "sha1=",
                hex,
            ),
            (Scheme::slack(), Content::V0, Header::Single, "v0=", hex),
            (Scheme::zoom(), Content::V0, Header::Single, "v0=", hex),
            (Scheme::shopify(), Content::Body, Header::Single, "", b64),
        ];
        list.into_iter()
            .map(|(scheme, content, header, label, encoding)| Case {
                layout: Layout {
                    content,
                    header,
                    label,
                    encoding,
                    sha1: label == "sha1=",
                    header_names: signature_header_names(scheme.name()),
                },
                verifier: Verifier::new(scheme.clone(), keyring()),
                scheme,
            })
            .collect()
    })
}

/// Each scheme's signature header, and the name read when it is absent, from the providers'
/// documentation.
fn signature_header_names(scheme: &str) -> (&'static str, Option<&'static str>) {
    match scheme {
        "stripe" => ("Stripe-Signature", None),
        "paddle" => ("Paddle-Signature", None),
        "standard-webhooks" => ("webhook-signature", None),
        "svix" => ("svix-signature", Some("webhook-signature")),
        "github" => ("X-Hub-Signature-256", None),
        "github-sha1" => ("X-Hub-Signature", None),
        "slack" => ("X-Slack-Signature", None),
        "zoom" => ("x-zm-signature", None),
        "shopify" => ("X-Shopify-Hmac-Sha256", Some("shopify-hmac-sha256")),
        other => panic!("no header names for scheme {other}"),
    }
}

fn key_secret(bytes: [u8; 32]) -> Secret {
    match Secret::from_bytes(bytes) {
        Ok(s) => s,
        Err(e) => panic!("a 32-byte secret is refused: {e}"),
    }
}

fn keyring() -> Keyring {
    let new = Key::new("new", key_secret(NEW_KEY));
    let old = Key::new("old", key_secret(OLD_KEY));
    match (new, old) {
        (Ok(new), Ok(old)) => match Keyring::new(new).and_then(|k| k.with_key(old)) {
            Ok(k) => k,
            Err(e) => panic!("the keyring is refused: {e}"),
        },
        _ => panic!("the key ids are refused"),
    }
}

/// The schemes [`verify`] picks from with its first byte, in order.
#[must_use]
pub fn verify_schemes() -> Vec<Scheme> {
    cases().iter().map(|c| c.scheme.clone()).collect()
}

fn pick(data: &[u8], header: impl Fn(Header) -> bool) -> Option<(&'static Case, &[u8])> {
    let (&selector, rest) = data.split_first()?;
    let group: Vec<&Case> = cases().iter().filter(|c| header(c.layout.header)).collect();
    let case = group.get(usize::from(selector) % group.len().max(1))?;
    Some((case, rest))
}

/// The signature header parser of the `key=value` schemes (Stripe, Paddle).
pub fn signature_params(data: &[u8]) {
    if let Some((case, value)) = pick(data, |h| matches!(h, Header::Params { .. })) {
        check_signature_header(case, value);
    }
}

/// The signature header parser of the `version,tag` schemes (Standard Webhooks, Svix).
pub fn signature_versioned(data: &[u8]) {
    if let Some((case, value)) = pick(data, |h| h == Header::Versioned) {
        check_signature_header(case, value);
    }
}

/// The signature header parser of the one-tag schemes (GitHub, Slack, Zoom, Shopify).
pub fn signature_single(data: &[u8]) {
    if let Some((case, value)) = pick(data, |h| h == Header::Single) {
        check_signature_header(case, value);
    }
}

/// Checks one parse of a signature header value: on success, every tag and the timestamp taken
/// are exactly what the value spells; on failure, the error is one a signature header can get.
fn check_signature_header(case: &Case, value: &[u8]) {
    let result = parse_signature_header(&case.scheme, value);
    let again = parse_signature_header(&case.scheme, value);
    assert_eq!(result, again, "parsing is not deterministic");
    match result {
        Ok(parsed) => {
            let tags = &parsed.tags;
            assert!(tags.len() + parsed.other_signatures <= case.scheme.max_signatures());
            assert!(
                !tags.is_empty() || parsed.other_signatures > 0,
                "accepted with no signature"
            );
            let tag_len = if case.layout.sha1 { 20 } else { 32 };
            for tag in tags {
                let text = encode(case.layout.encoding, tag.get(..tag_len).unwrap_or_default());
                assert!(
                    has_entry(case.layout, value, &format!("{}{text}", case.layout.label)),
                    "a tag was taken that the value does not spell canonically"
                );
            }
            match (parsed.timestamp, case.layout.header) {
                (Some((t, digits)), Header::Params { ts_key, .. }) => {
                    assert_eq!(t.to_string().as_bytes(), digits, "non-canonical timestamp");
                    let entry = format!("{ts_key}={}", t.as_unix_secs());
                    assert!(has_entry(case.layout, value, &entry));
                }
                (Some(_), _) => panic!("a timestamp was taken from a header that has none"),
                (None, Header::Params { .. }) => panic!("accepted without a timestamp"),
                (None, _) => {}
            }
        }
        Err(e) => assert!(
            matches!(
                e,
                VerifyError::MalformedHeader(HeaderKind::Signature)
                    | VerifyError::MissingSignature
                    | VerifyError::MalformedSignature
                    | VerifyError::TooManySignatures { .. }
                    | VerifyError::MissingTimestamp
                    | VerifyError::DuplicateTimestamp
                    | VerifyError::InvalidTimestamp(_)
            ),
            "unexpected error from the signature header: {e:?}"
        ),
    }
}

/// Whether the header value, split as `layout` says, holds exactly `entry`.
fn has_entry(layout: Layout, value: &[u8], entry: &str) -> bool {
    let entry = entry.as_bytes();
    match layout.header {
        Header::Params { separator, .. } => value.split(|&b| b == separator).any(|e| e == entry),
        Header::Versioned => value.split(|&b| b == b' ').any(|e| e == entry),
        Header::Single => value == entry,
    }
}

fn encode(encoding: Encoding, bytes: &[u8]) -> String {
    match encoding {
        Encoding::Hex => bytes.iter().map(|b| format!("{b:02x}")).collect(),
        Encoding::Base64 => STANDARD.encode(bytes),
        other => panic!("no oracle for the encoding {other:?}"),
    }
}

/// The timestamp parser, against the standard library's `u64` parser: canonical decimal digits
/// (no sign, no leading zero, no space) that fit a `u64` are accepted with that value, and
/// everything else gets the error that names its fault.
pub fn timestamp(data: &[u8]) {
    let result = parse_timestamp(data);
    let all_digits = data.iter().all(u8::is_ascii_digit);
    let expected = if data.is_empty() {
        Err(TimestampReason::Empty)
    } else if !all_digits {
        Err(TimestampReason::NotDigits)
    } else if data.len() > 1 && data.first() == Some(&b'0') {
        Err(TimestampReason::LeadingZero)
    } else {
        // All ASCII digits, so UTF-8; `str::parse` also accepts a `+` sign, excluded above.
        match core::str::from_utf8(data).map(str::parse::<u64>) {
            Ok(Ok(n)) => Ok(Timestamp::from_unix_secs(n)),
            _ => Err(TimestampReason::TooLarge),
        }
    };
    assert_eq!(
        result,
        expected,
        "timestamp {:?}",
        String::from_utf8_lossy(data)
    );
    if let Ok(t) = result {
        // The signer writes the same digits back.
        let signer = Signer::new(Scheme::standard_webhooks(), keyring());
        match signer.sign_at(Some("msg_1"), b"", t) {
            Ok(signed) => assert_eq!(
                signed.get("webhook-timestamp").map(str::as_bytes),
                Some(data),
                "the signer writes other digits"
            ),
            Err(e) => panic!("cannot sign at {t}: {e}"),
        }
    }
}

/// How each scheme's secrets are written, from the providers' documentation.
#[derive(Debug, Clone, Copy)]
enum SecretRule {
    /// Standard base64, padding optional, after an optional prefix; at least `min` bytes.
    Base64 { prefix: &'static str, min: usize },
    /// The text itself, starting with `prefix`; at least `min` bytes.
    Text { prefix: &'static str, min: usize },
}

fn secret_rule(scheme: &str) -> SecretRule {
    match scheme {
        "standard-webhooks" | "svix" => SecretRule::Base64 {
            prefix: "whsec_",
            min: 24,
        },
        "stripe" => SecretRule::Text {
            prefix: "whsec_",
            min: 16,
        },
        _ => SecretRule::Text {
            prefix: "",
            min: 16,
        },
    }
}

/// Secret parsing: `Secret::from_hex`, `Secret::from_base64` and every scheme's
/// `parse_secret` (`whsec_` base64, `whsec_` text, base64, text). The first byte picks which;
/// the rest, when it is UTF-8, is the text. An accepted secret is exactly the key its text
/// spells (checked by the tag it signs with, see [`assert_key`]), and never shows up in `Debug`.
pub fn secret(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = core::str::from_utf8(rest) else {
        return;
    };
    match usize::from(selector) % (2 + cases().len()) {
        0 => check_hex_secret(text),
        1 => check_base64_secret(text, "", Secret::from_base64(text), Secret::MIN_LEN),
        n => {
            let Some(case) = cases().get(n - 2) else {
                return;
            };
            let result = case.scheme.parse_secret(text);
            match secret_rule(case.scheme.name()) {
                SecretRule::Base64 { prefix, min } => {
                    check_base64_secret(text, prefix, result, min);
                }
                SecretRule::Text { prefix, min } => check_text_secret(text, prefix, result, min),
            }
        }
    }
}

fn check_hex_secret(text: &str) {
    let result = Secret::from_hex(text);
    check_character_refusals(text, &result);
    let even = text.len().is_multiple_of(2);
    let decodes = even && text.bytes().all(|b| b.is_ascii_hexdigit());
    match result {
        Ok(s) => {
            assert!(decodes && s.len() >= Secret::MIN_LEN);
            let Some(key) = decode_hex(text) else {
                panic!("accepted hex that does not decode: {text:?}");
            };
            assert_eq!(encode(Encoding::Hex, &key), text.to_ascii_lowercase());
            check_hidden(&s);
            assert_key(s, &key);
        }
        Err(e) => {
            // Hex digits never spell a signature, an Ed25519 key or a prefix, so every
            // refusal is a length or a digit.
            if decodes && !text.is_empty() {
                assert_eq!(
                    e,
                    SecretError::TooShort {
                        len: text.len() / 2,
                        min: Secret::MIN_LEN
                    }
                );
            }
        }
    }
}

fn check_base64_secret(text: &str, prefix: &str, result: Result<Secret, SecretError>, min: usize) {
    check_character_refusals(text, &result);
    let bare = text.strip_prefix(prefix).unwrap_or(text);
    match result {
        Ok(s) => {
            assert!(s.len() >= min);
            let unpadded = bare.trim_end_matches('=');
            let Some(key) = decode_lenient(bare) else {
                panic!("accepted base64 that does not decode: {bare:?}");
            };
            assert_eq!(STANDARD_NO_PAD.encode(&key), unpadded);
            let padding = bare.len() - unpadded.len();
            assert!(
                padding <= canonical_padding(unpadded),
                "accepted excess padding"
            );
            check_hidden(&s);
            assert_key(s, &key);
        }
        Err(SecretError::InvalidBase64) => {
            assert!(
                decode_lenient(bare).is_none(),
                "refused base64 that decodes: {bare:?}"
            );
        }
        Err(_) => {}
    }
}

/// The `=` count that completes `unpadded` to a multiple of four characters.
fn canonical_padding(unpadded: &str) -> usize {
    (4 - unpadded.len() % 4) % 4
}

/// Standard base64 with at most its canonical padding, decoded by the `base64` crate's
/// `STANDARD` engine after the padding is completed.
fn decode_lenient(text: &str) -> Option<Vec<u8>> {
    let unpadded = text.trim_end_matches('=');
    let canonical = canonical_padding(unpadded);
    if text.len() - unpadded.len() > canonical {
        return None;
    }
    let mut padded = unpadded.to_owned();
    padded.extend(core::iter::repeat_n('=', canonical));
    STANDARD.decode(padded).ok()
}

fn check_text_secret(text: &str, prefix: &str, result: Result<Secret, SecretError>, min: usize) {
    check_character_refusals(text, &result);
    if let Ok(s) = result {
        assert!(s.len() >= min && text.starts_with(prefix));
        assert_eq!(text.trim(), text);
        assert!(!text.chars().any(|c| c.is_whitespace() && c != ' '));
        assert!(
            !text.chars().any(char::is_control),
            "accepted a control character"
        );
        assert!(!text.contains(INVISIBLE), "accepted an invisible character");
        assert!(
            !SIGNATURE_ENTRIES.iter().any(|e| text.starts_with(e)),
            "accepted a signature entry"
        );
        check_hidden(&s);
        assert_key(s, text.as_bytes());
    }
}

/// Hex digits (either case) decoded by hand, or `None` if `text` is not whole bytes of them.
fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    text.as_bytes()
        .chunks(2)
        .map(|pair| {
            let pair = core::str::from_utf8(pair).ok()?;
            u8::from_str_radix(pair, 16).ok()
        })
        .collect()
}

/// Asserts that `s` holds exactly the key bytes `expected`: the same length, and the same
/// HMAC-SHA256 tag (signed as GitHub signs a body) as `hmac` computes with those bytes. Keys
/// of one length that differ give different tags, so the two checks pin the bytes down without
/// reading them from the secret.
fn assert_key(s: Secret, expected: &[u8]) {
    const MESSAGE: &[u8] = b"the key, seen through its tag";
    assert_eq!(
        s.len(),
        expected.len(),
        "the key's length is not the text's"
    );
    let signer = Signer::new(Scheme::github(), Keyring::single(s));
    let sent = match signer.sign_at(None, MESSAGE, Timestamp::from_unix_secs(NOW)) {
        Ok(signed) => signed.get("X-Hub-Signature-256").map(str::to_owned),
        Err(e) => panic!("an accepted secret cannot sign: {e}"),
    };
    let tag = hmac_of::<Hmac<sha2::Sha256>>(expected, &[MESSAGE]);
    assert_eq!(
        sent,
        Some(format!("sha256={}", encode(Encoding::Hex, &tag))),
        "the key is not the bytes its text spells"
    );
}

/// A refusal for a control or invisible character names a text that has one (any character
/// outside ASCII, for the invisible ones: the oracle does not repeat the crate's list).
fn check_character_refusals(text: &str, result: &Result<Secret, SecretError>) {
    match result {
        Err(SecretError::ControlCharacter) => {
            assert!(text.chars().any(char::is_control), "no control character");
        }
        Err(SecretError::InvisibleCharacter) => {
            assert!(!text.is_ascii(), "no invisible character");
        }
        _ => {}
    }
}

/// Invisible characters commonly picked up by copying text, none of which a secret may hold.
const INVISIBLE: [char; 6] = [
    '\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}', '\u{00AD}',
];

/// The starts of the built-in schemes' signature header entries, none of which a secret may
/// start with.
const SIGNATURE_ENTRIES: [&str; 9] = [
    "v0=", "v1=", "v1,", "v1a,", "h1=", "t=", "ts=", "sha1=", "sha256=",
];

/// A secret's `Debug` is the same for every key of its length: it shows none of the bytes.
fn check_hidden(s: &Secret) {
    let Ok(same_length) = dangerous::short_secret(vec![0_u8; s.len()]) else {
        panic!("a secret of {} bytes cannot be rebuilt", s.len());
    };
    assert_eq!(format!("{s:?}"), format!("{same_length:?}"));
}

/// `Idempotency-Key` parsing, lenient and strict: a strict key is also a lenient one, every key
/// is 1–255 visible ASCII characters, a value refused as past the header cap is longer than the
/// cap in both modes, and a key written as the draft's quoted string reads back as itself in both
/// modes.
pub fn idempotency_key(data: &[u8]) {
    let lenient = IdempotencyKey::parse(data);
    let strict = IdempotencyKey::parse_strict(data);
    if let Ok(key) = &strict {
        assert_eq!(
            lenient.as_ref(),
            Ok(key),
            "strict accepts what lenient refuses"
        );
    }
    if let Err(VerifyError::HeaderTooLong(HeaderKind::IdempotencyKey)) = lenient {
        assert!(
            data.len() > 1024,
            "a header value within the cap is too long"
        );
        assert_eq!(strict, lenient, "the header cap differs between modes");
    }
    if let (Err(VerifyError::InvalidIdempotencyKey(IdempotencyKeyReason::NotAString)), Ok(_)) =
        (&strict, &lenient)
    {
        assert!(
            data.trim_ascii_start().first() != Some(&b'"'),
            "a quoted key is not a string"
        );
    }
    for key in [&lenient, &strict].into_iter().flatten() {
        let k = key.as_str();
        assert!((1..=IdempotencyKey::MAX_LEN).contains(&k.len()));
        assert!(k.bytes().all(|b| b.is_ascii_graphic()));
        assert_eq!(IdempotencyKey::new(k).as_ref(), Ok(key));
        let mut quoted = String::from("\"");
        for c in k.chars() {
            if c == '"' || c == '\\' {
                quoted.push('\\');
            }
            quoted.push(c);
        }
        quoted.push('"');
        assert_eq!(
            IdempotencyKey::parse_strict(quoted.as_bytes()).as_ref(),
            Ok(key)
        );
        assert_eq!(IdempotencyKey::parse(quoted.as_bytes()).as_ref(), Ok(key));
    }
}

/// The sender's untrusted inputs: an endpoint URL (a customer's text) when the first byte is
/// even, a `Retry-After` value (the endpoint's answer) when it is odd.
///
/// - A URL the strict policy accepts is accepted by a policy allowing everything, with the same
///   endpoint; an address host passes `check_ip`; a name host is a valid DNS name.
/// - Even a policy allowing everything admits no local name but `localhost` and `*.localhost`.
/// - A retry is never scheduled before now or after the horizon, and a delay-seconds value is
///   honoured or the delivery given up.
pub fn sender_input(data: &[u8]) {
    use hookseal::delivery::{
        AddressClass, EndpointPolicy, GiveUp, Host, Next, Outcome, RetryPolicy,
    };
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    if selector % 2 == 0 {
        let Ok(url) = core::str::from_utf8(rest) else {
            return;
        };
        let strict = EndpointPolicy::new();
        let open = [
            AddressClass::Loopback,
            AddressClass::Private,
            AddressClass::LinkLocal,
            AddressClass::Metadata,
            AddressClass::SharedAddressSpace,
            AddressClass::Unspecified,
            AddressClass::Multicast,
            AddressClass::Broadcast,
            AddressClass::Documentation,
            AddressClass::Reserved,
        ]
        .into_iter()
        .fold(EndpointPolicy::new().allow_http(), EndpointPolicy::allow);
        if let Ok(Host::Name(name)) = open.check(url).as_ref().map(|e| e.host()) {
            let localhost = &**name == "localhost" || name.ends_with(".localhost");
            let local = [".local", ".internal", ".home.arpa", ".lan"]
                .iter()
                .any(|s| name.ends_with(s));
            assert!(
                localhost || (name.contains('.') && !local),
                "a local name other than localhost was allowed"
            );
        }
        if let Ok(endpoint) = strict.check(url) {
            assert_eq!(open.check(url).as_ref(), Ok(&endpoint));
            let authority = url.split_once("://").map_or("", |(_, rest)| {
                rest.split(['/', '?', '#']).next().unwrap_or_default()
            });
            assert!(endpoint.is_https() && !authority.contains('@'));
            match endpoint.host() {
                Host::Ip(ip) => assert_eq!(strict.check_ip(*ip), Ok(())),
                Host::Name(name) => {
                    assert!(name.split('.').count() > 1 && name.len() <= 253);
                    assert!(name.bytes().all(|b| b.is_ascii_lowercase()
                        || b.is_ascii_digit()
                        || b == b'-'
                        || b == b'_'
                        || b == b'.'));
                }
                other => panic!("no oracle for the host {other:?}"),
            }
        }
        return;
    }
    let policy = RetryPolicy::new();
    let now = Timestamp::from_unix_secs(NOW);
    let deadline = NOW + policy.horizon().as_secs();
    let random = u64::from(selector).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let outcome = Outcome::status(503).with_retry_after(rest);
    // HTTP's optional whitespace is spaces and tabs only.
    let ows = |b: &u8| *b == b' ' || *b == b'\t';
    let start = rest.iter().position(|b| !ows(b)).unwrap_or(rest.len());
    let end = rest.iter().rposition(|b| !ows(b)).map_or(start, |i| i + 1);
    let trimmed = rest.get(start..end).unwrap_or_default();
    let seconds =
        (!trimmed.is_empty() && trimmed.len() <= 12 && trimmed.iter().all(u8::is_ascii_digit))
            .then(|| {
                trimmed
                    .iter()
                    .fold(0_u64, |n, d| n * 10 + u64::from(d - b'0'))
            });
    match policy.next_with_random(1, now, now, outcome, random) {
        Next::RetryAt { at, .. } => {
            let at = at.as_unix_secs();
            assert!((NOW..=deadline).contains(&at));
            if let Some(secs) = seconds {
                assert!(at >= NOW + secs, "Retry-After {secs} not honoured");
            }
        }
        Next::GiveUp(GiveUp::HorizonReached) => {
            assert!(trimmed.len() <= 64, "an overlong Retry-After was read");
        }
        other => panic!("a 503 got {other:?}"),
    }
}

/// Headers as [`verify`] reads them from its input.
type Pairs = Vec<(String, Vec<u8>)>;

/// Splits a verify input into its scheme, header form, headers and body.
///
/// After the two leading bytes come header lines `name: value` (split at the first `:`, one
/// space after it dropped; a name that is not UTF-8 drops its line) ending with an empty line,
/// then the body. With no empty line, everything is headers and the body is empty.
#[must_use]
pub fn split_request(data: &[u8]) -> Option<(usize, bool, Pairs, &[u8])> {
    let [scheme, form, rest @ ..] = data else {
        return None;
    };
    let (head, body) = match rest.windows(2).position(|w| w == b"\n\n") {
        Some(at) => (rest.get(..at)?, rest.get(at + 2..)?),
        None => (rest, &[][..]),
    };
    let mut pairs = Vec::new();
    for line in head.split(|&b| b == b'\n') {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let (name, value) = line.split_at(colon);
        let value = value.get(1..).unwrap_or_default();
        let value = value.strip_prefix(b" ").unwrap_or(value);
        if let Ok(name) = core::str::from_utf8(name) {
            pairs.push((name.to_owned(), value.to_vec()));
        }
    }
    Some((
        usize::from(*scheme) % cases().len(),
        form & 1 == 1,
        pairs,
        body,
    ))
}

/// Builds a verify input: the inverse of [`split_request`].
#[must_use]
pub fn join_request(
    scheme: usize,
    header_map: bool,
    headers: &[(&str, &[u8])],
    body: &[u8],
) -> Vec<u8> {
    #[allow(
        clippy::cast_possible_truncation,
        reason = "the scheme index is below 256"
    )]
    let mut out = vec![scheme as u8, u8::from(header_map)];
    for (name, value) in headers {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.push(b'\n');
    }
    out.push(b'\n');
    out.extend_from_slice(body);
    out
}

/// The whole verify path of one scheme, differentially: the first byte picks the scheme, the
/// second whether headers are held in an `http::HeaderMap` (odd; lines that are not a valid
/// header are dropped) or as pairs (even). See [`split_request`] for the rest.
///
/// Whenever a request is accepted, it must be one the signer would produce for that key:
///
/// - a presented tag is the HMAC, under the key that matched, of the signed content as the
///   provider documents it (computed here with `hmac` directly, from the scheme's layout
///   written out independently);
/// - the timestamp is canonical and within the window of [`NOW`];
/// - when the signer can sign this id, its header entries are among those presented.
///
/// A refusal is any typed error; nothing may panic.
pub fn verify(data: &[u8]) {
    let Some((index, header_map, pairs, body)) = split_request(data) else {
        return;
    };
    let Some(case) = cases().get(index) else {
        return;
    };
    let now = Timestamp::from_unix_secs(NOW);
    if header_map {
        let mut map = http::HeaderMap::new();
        for (name, value) in &pairs {
            if let (Ok(n), Ok(v)) = (
                http::HeaderName::from_bytes(name.as_bytes()),
                http::HeaderValue::from_bytes(value),
            ) {
                map.append(n, v);
            }
        }
        if let Ok(v) = case.verifier.verify_at(&map, body, now) {
            check_accepted(case, &map, &v);
        }
    } else if let Ok(v) = case.verifier.verify_at(&pairs[..], body, now) {
        check_accepted(case, &pairs[..], &v);
    }
}

fn check_accepted<H: HeaderSource + ?Sized>(case: &Case, headers: &H, v: &Verified<'_>) {
    let layout = case.layout;
    let scheme = &case.scheme;
    let key = if v.key_id() == "new" {
        NEW_KEY
    } else {
        OLD_KEY
    };
    assert!(v.key_id() == "new" || v.key_id() == "old");

    // The timestamp: present exactly when the layout signs one, and inside the window.
    let signs_timestamp = layout.content != Content::Body;
    assert_eq!(v.timestamp().is_some(), signs_timestamp);
    let ts = v.timestamp().map(Timestamp::as_unix_secs);
    if let Some(t) = ts {
        assert!(
            (NOW - 300..=NOW + 300).contains(&t),
            "accepted a stale timestamp {t}"
        );
    }
    let digits = ts.map(|t| t.to_string()).unwrap_or_default();
    let id = v.id().unwrap_or_default();
    if layout.content == Content::IdDotTsDotBody {
        assert!(!id.is_empty(), "accepted without the signed id");
        assert!(
            !id.contains('.'),
            "accepted an id that makes the content ambiguous"
        );
    }

    // The signature header as sent (trimmed, under its name or its fallback).
    let Some(value) = sent_signature(layout, headers) else {
        panic!("accepted without a single signature header");
    };

    // The tag, from the provider's layout.
    let parts: Vec<&[u8]> = match layout.content {
        Content::TsDotBody => vec![digits.as_bytes(), b".", v.body()],
        Content::IdDotTsDotBody => vec![id.as_bytes(), b".", digits.as_bytes(), b".", v.body()],
        Content::Body => vec![v.body()],
        Content::V0 => vec![b"v0:", digits.as_bytes(), b":", v.body()],
        Content::TsColonBody => vec![digits.as_bytes(), b":", v.body()],
    };
    let tag = if layout.sha1 {
        hmac_of::<Hmac<sha1::Sha1>>(&key, &parts)
    } else {
        hmac_of::<Hmac<sha2::Sha256>>(&key, &parts)
    };
    let entry = format!("{}{}", layout.label, encode(layout.encoding, &tag));
    assert!(
        has_entry(layout, &value, &entry),
        "accepted a request whose signature header lacks the expected tag"
    );
    if let (Header::Params { ts_key, .. }, Some(t)) = (layout.header, ts) {
        assert!(has_entry(layout, &value, &format!("{ts_key}={t}")));
    }

    // The signer, holding only the key that matched, writes entries the request holds.
    let Ok(single) = Key::new(v.key_id().as_str(), key_secret(key)) else {
        panic!("the key id is refused");
    };
    let Ok(keyring) = Keyring::new(single) else {
        panic!("the keyring is refused");
    };
    let signer = Signer::new(scheme.clone(), keyring);
    let signed_id = scheme.id_is_signed().then_some(id);
    let at = Timestamp::from_unix_secs(ts.unwrap_or(NOW));
    match signer.sign_at(signed_id, v.body(), at) {
        Ok(signed) => {
            for (name, sent) in signed.iter() {
                if scheme.signature_header().is_some_and(|h| name.eq_ignore_ascii_case(h)) {
                    let entries: Vec<&str> = match layout.header {
                        Header::Params { separator, .. } => {
                            sent.split(char::from(separator)).collect()
                        }
                        Header::Versioned => sent.split(' ').collect(),
                        Header::Single => vec![sent],
                    };
                    for e in entries {
                        assert!(
                            has_entry(layout, &value, e),
                            "the signer's {e:?} is missing"
                        );
                    }
                } else if scheme.timestamp_header() == Some(name) {
                    assert_eq!(sent, digits);
                }
            }
        }
        Err(e) => panic!("accepted a request the signer cannot produce: {e}"),
    }
}

/// The signature header's one value, trimmed of HTTP's optional whitespace: under its name, or
/// under the second name when the first is absent. `None` when absent or repeated.
fn sent_signature<H: HeaderSource + ?Sized>(layout: Layout, headers: &H) -> Option<Vec<u8>> {
    let (first, second) = layout.header_names;
    let single = |name: &str| -> Option<Option<Vec<u8>>> {
        let Ok(name) = HeaderName::new(name) else {
            panic!("the header name {name:?} is refused");
        };
        let mut values = headers.header_values(&name).map(<[u8]>::to_vec);
        match (values.next(), values.next()) {
            (None, _) => Some(None),
            (Some(one), None) => Some(Some(one)),
            (Some(_), Some(_)) => None,
        }
    };
    let value = match single(first)? {
        Some(value) => value,
        None => single(second?)??,
    };
    let ows = |b: &u8| *b == b' ' || *b == b'\t';
    let start = value.iter().position(|b| !ows(b)).unwrap_or(value.len());
    let end = value.iter().rposition(|b| !ows(b)).map_or(start, |i| i + 1);
    value.get(start..end).map(<[u8]>::to_vec)
}

fn hmac_of<M: hmac::Mac + hmac::KeyInit>(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let Ok(mut mac) = <M as hmac::KeyInit>::new_from_slice(key) else {
        panic!("HMAC refused a key");
    };
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().to_vec()
}

/// Seed inputs for each target: `(target, name, bytes)`, valid and near-valid requests signed
/// with [`NEW_KEY`] and [`OLD_KEY`] at [`NOW`]. `fuzz/corpus/<target>/seed-<name>` holds each.
#[must_use]
pub fn seeds() -> Vec<(&'static str, String, Vec<u8>)> {
    let mut out = Vec::new();
    let body = br#"{"type":"invoice.paid","id":"evt_1"}"#;
    for (i, case) in cases().iter().enumerate() {
        let name = case.scheme.name().to_owned();
        for (which, key) in [("new", NEW_KEY), ("old", OLD_KEY)] {
            let Ok(k) = Key::new(which, key_secret(key)) else {
                continue;
            };
            let Ok(keyring) = Keyring::new(k) else {
                continue;
            };
            let signer = Signer::new(case.scheme.clone(), keyring);
            let id = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";
            let Ok(signed) = signer.sign_at(Some(id), body, Timestamp::from_unix_secs(NOW - 10))
            else {
                continue;
            };
            let headers: Vec<(&str, &[u8])> =
                signed.iter().map(|(n, v)| (n, v.as_bytes())).collect();
            for form in [false, true] {
                let seed = join_request(i, form, &headers, body);
                out.push(("verify", format!("{name}-{which}-{}", u8::from(form)), seed));
            }
            if which == "new"
                && let Some(header) = case.scheme.signature_header()
                && let Some(value) = signed.get(header)
            {
                let target = match case.layout.header {
                    Header::Params { .. } => "signature_params",
                    Header::Versioned => "signature_versioned",
                    Header::Single => "signature_single",
                };
                let index = cases()
                    .iter()
                    .filter(|c| {
                        std::mem::discriminant(&c.layout.header)
                            == std::mem::discriminant(&case.layout.header)
                    })
                    .position(|c| c.scheme.name() == case.scheme.name())
                    .unwrap_or_default();
                #[allow(clippy::cast_possible_truncation, reason = "fewer than 256 schemes")]
                let mut seed = vec![index as u8];
                seed.extend_from_slice(value.as_bytes());
                out.push((target, name.clone(), seed));
            }
        }
    }
    for (name, text) in [
        ("now", "1700000000"),
        ("zero", "0"),
        ("max", "18446744073709551615"),
        ("past-max", "18446744073709551616"),
        ("leading-zero", "0123"),
        ("plus", "+123"),
    ] {
        out.push(("timestamp", name.to_owned(), text.as_bytes().to_vec()));
    }
    let key_b64 = STANDARD.encode(NEW_KEY);
    for (name, selector, text) in [
        (
            "hex",
            0_u8,
            "000102030405060708090a0b0c0d0e0f101112131415161718191A1B1C1D1E1F",
        ),
        ("base64", 1, key_b64.as_str()),
        ("whsec-base64", 4, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
        ("whsec-text", 2, "whsec_test_secret_0123456789"),
        ("text", 6, "It's a Secret to Everybody"),
        (
            "signature",
            1,
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        ),
    ] {
        let mut seed = vec![selector];
        seed.extend_from_slice(text.as_bytes());
        out.push(("secret", name.to_owned(), seed));
    }
    for (name, selector, text) in [
        ("url", 0_u8, "https://hooks.example.com:8443/in?x=1"),
        ("url-ipv6-mapped", 0, "https://[::ffff:169.254.169.254]/"),
        ("url-numeric", 0, "https://0x7f.1/"),
        ("retry-after-seconds", 1, "120"),
        ("retry-after-date", 1, "Wed, 15 Nov 2023 22:13:20 GMT"),
    ] {
        let mut seed = vec![selector];
        seed.extend_from_slice(text.as_bytes());
        out.push(("sender_input", name.to_owned(), seed));
    }
    for (name, text) in [
        ("quoted", r#""8e03978e-40d5-43e8-bc93-6894a57f9324""#),
        ("bare", "8e03978e-40d5-43e8-bc93-6894a57f9324"),
        ("params", r#""k-1";a=1;b=?0"#),
        ("escaped", r#""a\"b\\c""#),
    ] {
        out.push(("idempotency_key", name.to_owned(), text.as_bytes().to_vec()));
    }
    out
}

/// One fuzz target's function.
pub type Target = fn(&[u8]);

/// The fuzz targets by name, as `fuzz/fuzz_targets/<name>.rs` calls them.
pub const TARGETS: [(&str, Target); 8] = [
    ("signature_params", signature_params),
    ("signature_versioned", signature_versioned),
    ("signature_single", signature_single),
    ("timestamp", timestamp),
    ("secret", secret),
    ("idempotency_key", idempotency_key),
    ("verify", verify),
    ("sender_input", sender_input),
];

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
//! hookseal-fuzz-oracles` (stable Rust is enough). The models the oracles compare against
//! (timestamps in each unit, JSON members on `serde_json`, forms, public URLs) are in `model`.
//!
//! Input layouts:
//!
//! - [`signature_params`], [`signature_versioned`], [`signature_single`]: the first byte picks
//!   a scheme using that header syntax; the rest is the header's value.
//! - [`timestamp`], [`idempotency_key`]: the bytes are the header's value.
//! - [`timestamp_format`]: the first byte picks Unix seconds, milliseconds or RFC 3339; the rest
//!   is the text.
//! - [`secret`]: the first byte picks a secret format; the rest, when it is UTF-8, is the text.
//! - [`verify`]: the first byte picks a scheme (every preset), the second how headers are held;
//!   then lines of `name: value` (and `:method:`, `:target:`, `:url:` for the request line and
//!   the verifier's public URL) up to an empty line, then the body (see [`split_request`]).
//! - [`body_fields`]: the first byte picks Linear, Mailgun, Twilio or AWS SNS; the rest is the
//!   body, signed by the oracle where the scheme signs the body with an HMAC key.
//!
//! The presets whose senders sign with a private key (SendGrid's ECDSA P-256, AWS SNS's, PayPal's
//! and Google Pub/Sub's RSA) are fuzzed through their parsing only: the oracles' hookseal is
//! built without `p256`, `rsa` and `x509`, so their verifiers hold HMAC keys, which verify
//! nothing of theirs. Every request of theirs must be refused (at the keys, `NoActiveKey`, at the
//! latest), and their seeds are the providers' own deliveries, as sent and with their timestamps
//! moved to [`NOW`] (Pub/Sub's: the tokens of its vectors, issued at [`NOW`]). Google Pub/Sub's
//! refusals are modelled exactly, its bearer token read to the end ([`verify`]).

#![allow(
    clippy::missing_panics_doc,
    reason = "every function here panics on purpose when a property fails; the module docs say so"
)]

mod model;

use std::borrow::Cow;
use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use hmac::Hmac;
use sha2::Digest as _;

use hookseal::fuzz_hooks::{parse_signature_header, parse_timestamp};
use hookseal::idempotency::IdempotencyKey;
use hookseal::scheme::Encoding;
use hookseal::{
    HeaderKind, HeaderName, HeaderSource, IdempotencyKeyReason, Key, Keyring, RequestView, Scheme,
    Secret, SecretError, SignError, Signer, Timestamp, TimestampFormat, TimestampReason, Verified,
    Verifier, VerifyError, dangerous,
};

#[cfg(not(fuzzing))]
compile_error!(
    "the oracles need hookseal built with `--cfg fuzzing`: `cargo fuzz` sets it; for the corpus \
     test, set RUSTFLAGS='--cfg fuzzing'"
);

/// The time every verify input is checked at: 2023-11-14T22:13:20Z.
pub const NOW: u64 = 1_700_000_000;

/// The primary key of every fuzzed verifier (the seed of its Ed25519 key for the schemes that
/// sign with Ed25519 alone).
pub const NEW_KEY: [u8; 32] = [0x42; 32];

/// The second key of every fuzzed verifier (a key being rotated out).
pub const OLD_KEY: [u8; 32] = [0x17; 32];

/// The public URL the verify seeds of the schemes that sign the URL are signed for, and their
/// request target.
pub const PUBLIC_URL: &str = "https://example.com";
const TARGET: &str = "/hooks/in?account=7";

/// SendGrid's headers.
const SENDGRID_SIGNATURE: &str = "X-Twilio-Email-Event-Webhook-Signature";
const SENDGRID_TIMESTAMP: &str = "X-Twilio-Email-Event-Webhook-Timestamp";

/// The webhook id PayPal's verifier is given: that of PayPal's SDK test delivery.
const PAYPAL_WEBHOOK_ID: &str = "96605875FF6516633";

/// Google Pub/Sub's window: the hour a Google ID token lives, on each side of [`NOW`].
const PUBSUB_WINDOW: u64 = 3600;

/// The longest `Authorization` value Google Pub/Sub's verifier reads.
const PUBSUB_MAX_HEADER: usize = 4096;

/// How a scheme's signed content and signature are laid out, written out from each provider's
/// documentation rather than read from the scheme, so the checks below do not share the code
/// they check.
#[derive(Debug, Clone, Copy)]
struct Layout {
    content: Content,
    syntax: Syntax,
    /// The label before each tag: `v1=`, `v1,`, `sha256=`, or nothing.
    label: &'static str,
    encoding: Encoding,
    alg: Alg,
    /// Where the signatures are: a header (and the name read when it is absent), or a member of
    /// the body.
    signature: Source,
    timestamp: Option<Source>,
    unit: Unit,
    id: Option<Source>,
    /// The window on each side of now, in seconds.
    tolerance: u64,
    url: Url,
    /// The key of the signature header's entry listing the headers signed (Hook0's `h`).
    listed: Option<&'static str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Content {
    /// `timestamp.body` (Stripe, Mux, WorkOS).
    TsDotBody,
    /// `id.timestamp.body` (Standard Webhooks, Svix, Clerk, Resend).
    IdDotTsDotBody,
    /// The body alone (GitHub, Shopify, PagerDuty, Intercom, Coinbase Commerce, Razorpay,
    /// Linear).
    Body,
    /// `v0:timestamp:body` (Slack, Zoom).
    V0,
    /// `timestamp:body` (Paddle).
    TsColonBody,
    /// `id‖timestamp‖body` (Twitch).
    IdTsBody,
    /// `timestamp‖token` (Mailgun).
    TsToken,
    /// The URL, then each form parameter's name and value, sorted (Twilio).
    UrlForm,
    /// `URL‖body` (Square).
    UrlBody,
    /// `method‖URL‖body‖timestamp` (HubSpot).
    MethodUrlBodyTs,
    /// `timestamp‖body` (Discord).
    TsBody,
    /// `timestamp|body` (Telnyx).
    TsPipeBody,
    /// `timestamp.names.values.body`: the `h=` list as sent, then each listed header's value
    /// after a `.` (Hook0, Coinbase CDP).
    TsDotListedDotBody,
    /// `name\nvalue\n` for each of eight members of the JSON body present, their escapes
    /// decoded (AWS SNS).
    SnsMembers,
    /// `id|timestamp|webhook id|CRC-32 of the body` (PayPal).
    IdTsWebhookCrc,
    /// A bearer token's `header.claims`, as sent (Google Pub/Sub): nothing of the request.
    Token,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Syntax {
    /// `key=value` entries split by this byte (and one space, when `spaced`).
    Params { separator: u8, spaced: bool },
    /// `version,tag` entries split by spaces.
    Versioned,
    /// The one tag, after the label.
    Single,
    /// `Bearer <header>.<claims>.<signature>`, a JSON Web Token (Google Pub/Sub): one signature,
    /// its third segment.
    Bearer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Alg {
    Sha256,
    Sha1,
    Ed25519,
    /// ECDSA P-256 with SHA-256, the signature in DER (SendGrid): no key of it is held here.
    P256,
    /// RSA PKCS#1 v1.5, 2048 to 4096 bits (AWS SNS, PayPal, Google Pub/Sub): no key of it is
    /// held here.
    Rsa,
}

impl Alg {
    /// The length of an HMAC tag or Ed25519 signature; none for the others, of varying length.
    fn tag_len(self) -> usize {
        match self {
            Self::Sha256 => 32,
            Self::Sha1 => 20,
            Self::Ed25519 => 64,
            Self::P256 | Self::Rsa => 0,
        }
    }

    /// Whether the scheme's senders sign with a private key of a kind no verifier here holds.
    fn is_unheld(self) -> bool {
        matches!(self, Self::P256 | Self::Rsa)
    }

    /// Whether `signature` (decoded) has the shape of one of this algorithm's signatures.
    fn is_well_formed(self, signature: &[u8]) -> bool {
        match self {
            Self::P256 => model::ecdsa_der(signature),
            Self::Rsa => (256..=512).contains(&signature.len()),
            other => signature.len() == other.tag_len(),
        }
    }
}

/// Where a value is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// A header, and the name read when it is absent.
    Header(&'static str, Option<&'static str>),
    /// A `key=value` entry of the signature header.
    Param(&'static str),
    /// A member of the JSON body, by its path.
    Member(&'static [&'static str]),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Secs,
    Millis,
    Rfc3339,
}

impl Unit {
    /// The independent model of the unit's parser.
    fn parse(self, text: &[u8]) -> Result<u64, TimestampReason> {
        match self {
            Self::Secs => model::decimal(text),
            Self::Millis => model::millis(text),
            Self::Rfc3339 => model::rfc3339(text),
        }
    }
}

/// How the URL is signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Url {
    None,
    /// As the public URL is written.
    Written,
    /// With its port and without (Twilio).
    PortVariants,
}

/// One fuzzed scheme and its independent description.
struct Case {
    scheme: Scheme,
    layout: Layout,
    verifier: Verifier,
}

/// Every preset (and the legacy GitHub SHA-1 scheme), each with its layout. The first nine keep
/// their places, so older corpus files still pick the scheme they were found with.
fn layouts() -> Vec<(Scheme, Layout)> {
    let header = |name| Source::Header(name, None);
    let base = |content, syntax, label, encoding, signature| Layout {
        content,
        syntax,
        label,
        encoding,
        alg: Alg::Sha256,
        signature: header(signature),
        timestamp: None,
        unit: Unit::Secs,
        id: None,
        tolerance: 300,
        url: Url::None,
        listed: None,
    };
    let params = |separator| Syntax::Params {
        separator,
        spaced: false,
    };
    let hex = Encoding::Hex;
    let b64 = Encoding::Base64;
    let svix_like = |scheme: Scheme, signature: &'static str, ts, id, fallback: bool| {
        let or = |name| fallback.then_some(name);
        (
            scheme,
            Layout {
                signature: Source::Header(signature, or("webhook-signature")),
                timestamp: Some(Source::Header(ts, or("webhook-timestamp"))),
                id: Some(Source::Header(id, or("webhook-id"))),
                ..base(Content::IdDotTsDotBody, Syntax::Versioned, "v1,", b64, "")
            },
        )
    };
    let svix = |scheme| svix_like(scheme, "svix-signature", "svix-timestamp", "svix-id", true);
    let v0 = |signature, ts| Layout {
        timestamp: Some(header(ts)),
        ..base(Content::V0, Syntax::Single, "v0=", hex, signature)
    };
    let body_only = |syntax, label, encoding, signature| {
        base(Content::Body, syntax, label, encoding, signature)
    };
    // Hook0's `X-Hook0-Signature: t=<secs>,h=<names>,v1=<hex>`, the event id in the unsigned
    // `X-Event-Id` (which Hook0 lists in `h=`, and so signs).
    let hook0 = |scheme| {
        (
            scheme,
            Layout {
                timestamp: Some(Source::Param("t")),
                id: Some(header("X-Event-Id")),
                listed: Some("h"),
                ..base(
                    Content::TsDotListedDotBody,
                    params(b','),
                    "v1=",
                    hex,
                    "X-Hook0-Signature",
                )
            },
        )
    };
    vec![
        (
            Scheme::stripe(),
            Layout {
                timestamp: Some(Source::Param("t")),
                ..base(
                    Content::TsDotBody,
                    params(b','),
                    "v1=",
                    hex,
                    "Stripe-Signature",
                )
            },
        ),
        (
            Scheme::paddle(),
            Layout {
                timestamp: Some(Source::Param("ts")),
                ..base(
                    Content::TsColonBody,
                    params(b';'),
                    "h1=",
                    hex,
                    "Paddle-Signature",
                )
            },
        ),
        svix_like(
            Scheme::standard_webhooks(),
            "webhook-signature",
            "webhook-timestamp",
            "webhook-id",
            false,
        ),
        svix(Scheme::svix()),
        (
            Scheme::github(),
            Layout {
                id: Some(header("X-GitHub-Delivery")),
                ..body_only(Syntax::Single, "sha256=", hex, "X-Hub-Signature-256")
            },
        ),
        (
            dangerous::github_sha1(),
            Layout {
                alg: Alg::Sha1,
                id: Some(header("X-GitHub-Delivery")),
                ..body_only(Syntax::Single, "sha1=", hex, "X-Hub-Signature")
            },
        ),
        (
            Scheme::slack(),
            v0("X-Slack-Signature", "X-Slack-Request-Timestamp"),
        ),
        (
            Scheme::zoom(),
            v0("x-zm-signature", "x-zm-request-timestamp"),
        ),
        (
            Scheme::shopify(),
            Layout {
                signature: Source::Header("X-Shopify-Hmac-Sha256", Some("shopify-hmac-sha256")),
                id: Some(header("X-Shopify-Webhook-Id")),
                ..body_only(Syntax::Single, "", b64, "")
            },
        ),
        svix(Scheme::clerk()),
        svix(Scheme::resend()),
        (
            Scheme::twitch(),
            Layout {
                timestamp: Some(header("Twitch-Eventsub-Message-Timestamp")),
                unit: Unit::Rfc3339,
                id: Some(header("Twitch-Eventsub-Message-Id")),
                tolerance: 600,
                ..base(
                    Content::IdTsBody,
                    Syntax::Single,
                    "sha256=",
                    hex,
                    "Twitch-Eventsub-Message-Signature",
                )
            },
        ),
        (
            Scheme::workos(),
            Layout {
                timestamp: Some(Source::Param("t")),
                unit: Unit::Millis,
                tolerance: 180,
                ..base(
                    Content::TsDotBody,
                    Syntax::Params {
                        separator: b',',
                        spaced: true,
                    },
                    "v1=",
                    hex,
                    "WorkOS-Signature",
                )
            },
        ),
        (
            Scheme::mux(),
            Layout {
                timestamp: Some(Source::Param("t")),
                ..base(
                    Content::TsDotBody,
                    params(b','),
                    "v1=",
                    hex,
                    "Mux-Signature",
                )
            },
        ),
        (
            Scheme::pagerduty(),
            Layout {
                id: Some(header("X-Webhook-Id")),
                ..body_only(params(b','), "v1=", hex, "X-PagerDuty-Signature")
            },
        ),
        (
            Scheme::intercom(),
            Layout {
                alg: Alg::Sha1,
                ..body_only(Syntax::Single, "sha1=", hex, "X-Hub-Signature")
            },
        ),
        (
            Scheme::coinbase_commerce(),
            body_only(Syntax::Single, "", hex, "X-CC-Webhook-Signature"),
        ),
        (
            Scheme::razorpay(),
            Layout {
                id: Some(header("X-Razorpay-Event-Id")),
                ..body_only(Syntax::Single, "", hex, "X-Razorpay-Signature")
            },
        ),
        (
            Scheme::linear(),
            Layout {
                timestamp: Some(Source::Member(&["webhookTimestamp"])),
                unit: Unit::Millis,
                id: Some(header("Linear-Delivery")),
                tolerance: 60,
                ..body_only(Syntax::Single, "", hex, "Linear-Signature")
            },
        ),
        (
            Scheme::mailgun(),
            Layout {
                signature: Source::Member(&["signature", "signature"]),
                timestamp: Some(Source::Member(&["signature", "timestamp"])),
                id: Some(Source::Member(&["signature", "token"])),
                ..base(Content::TsToken, Syntax::Single, "", hex, "")
            },
        ),
        (
            Scheme::twilio(),
            Layout {
                alg: Alg::Sha1,
                url: Url::PortVariants,
                ..base(
                    Content::UrlForm,
                    Syntax::Single,
                    "",
                    b64,
                    "X-Twilio-Signature",
                )
            },
        ),
        (
            Scheme::square(),
            Layout {
                url: Url::Written,
                ..base(
                    Content::UrlBody,
                    Syntax::Single,
                    "",
                    b64,
                    "x-square-hmacsha256-signature",
                )
            },
        ),
        (
            Scheme::hubspot(),
            Layout {
                timestamp: Some(header("X-HubSpot-Request-Timestamp")),
                unit: Unit::Millis,
                url: Url::Written,
                ..base(
                    Content::MethodUrlBodyTs,
                    Syntax::Single,
                    "",
                    b64,
                    "X-HubSpot-Signature-v3",
                )
            },
        ),
        (
            Scheme::discord(),
            Layout {
                alg: Alg::Ed25519,
                timestamp: Some(header("X-Signature-Timestamp")),
                ..base(
                    Content::TsBody,
                    Syntax::Single,
                    "",
                    hex,
                    "X-Signature-Ed25519",
                )
            },
        ),
        (
            Scheme::telnyx(),
            Layout {
                alg: Alg::Ed25519,
                timestamp: Some(header("telnyx-timestamp")),
                ..base(
                    Content::TsPipeBody,
                    Syntax::Single,
                    "",
                    b64,
                    "telnyx-signature-ed25519",
                )
            },
        ),
        hook0(Scheme::hook0()),
        hook0(Scheme::coinbase_cdp()),
        (
            Scheme::sendgrid(),
            Layout {
                alg: Alg::P256,
                timestamp: Some(header(SENDGRID_TIMESTAMP)),
                ..base(Content::TsBody, Syntax::Single, "", b64, SENDGRID_SIGNATURE)
            },
        ),
        (
            Scheme::aws_sns(),
            Layout {
                alg: Alg::Rsa,
                signature: Source::Member(&["Signature"]),
                timestamp: Some(Source::Member(&["Timestamp"])),
                unit: Unit::Rfc3339,
                id: Some(Source::Member(&["MessageId"])),
                tolerance: 3600,
                ..base(Content::SnsMembers, Syntax::Single, "", b64, "")
            },
        ),
        (
            Scheme::paypal(),
            Layout {
                alg: Alg::Rsa,
                timestamp: Some(header("PAYPAL-TRANSMISSION-TIME")),
                unit: Unit::Rfc3339,
                id: Some(header("PAYPAL-TRANSMISSION-ID")),
                ..base(
                    Content::IdTsWebhookCrc,
                    Syntax::Single,
                    "",
                    b64,
                    "PAYPAL-TRANSMISSION-SIG",
                )
            },
        ),
        // The token's `iat` is its timestamp, read by `bearer_model`, not from a source.
        (
            Scheme::google_pubsub(),
            Layout {
                alg: Alg::Rsa,
                id: Some(Source::Member(&["message", "messageId"])),
                tolerance: PUBSUB_WINDOW,
                ..base(
                    Content::Token,
                    Syntax::Bearer,
                    "",
                    Encoding::Base64Url,
                    "Authorization",
                )
            },
        ),
        (
            Scheme::dropbox(),
            body_only(Syntax::Single, "", hex, "X-Dropbox-Signature"),
        ),
        (
            Scheme::meta(),
            body_only(Syntax::Single, "sha256=", hex, "X-Hub-Signature-256"),
        ),
    ]
}

fn cases() -> &'static [Case] {
    static CASES: OnceLock<Vec<Case>> = OnceLock::new();
    CASES.get_or_init(|| {
        layouts()
            .into_iter()
            .map(|(scheme, layout)| {
                let mut verifier = Verifier::new(scheme.clone(), verifying_keyring(layout.alg));
                if scheme.signs_endpoint_id() {
                    verifier = match verifier.with_endpoint_id(PAYPAL_WEBHOOK_ID) {
                        Ok(verifier) => verifier,
                        Err(e) => panic!("the webhook id is refused: {e}"),
                    };
                }
                Case {
                    verifier,
                    scheme,
                    layout,
                }
            })
            .collect()
    })
}

/// The case of the scheme named `name`.
fn case(name: &str) -> &'static Case {
    match cases().iter().find(|c| c.scheme.name() == name) {
        Some(case) => case,
        None => panic!("no case for {name}"),
    }
}

fn key_secret(bytes: [u8; 32]) -> Secret {
    match Secret::from_bytes(bytes) {
        Ok(s) => s,
        Err(e) => panic!("a 32-byte secret is refused: {e}"),
    }
}

/// A keyring of `keys`, in order.
fn ring(keys: Vec<Result<Key, hookseal::ConfigError>>) -> Keyring {
    let mut keys = keys.into_iter().map(|k| match k {
        Ok(k) => k,
        Err(e) => panic!("a key is refused: {e}"),
    });
    let Some(first) = keys.next() else {
        panic!("an empty keyring");
    };
    let mut ring = Keyring::new(first);
    for key in keys {
        ring = ring.and_then(|r| r.with_key(key));
    }
    match ring {
        Ok(ring) => ring,
        Err(e) => panic!("the keyring is refused: {e}"),
    }
}

/// The two HMAC keys, `new` first.
fn keyring() -> Keyring {
    ring(vec![
        Key::new("new", key_secret(NEW_KEY)),
        Key::new("old", key_secret(OLD_KEY)),
    ])
}

/// The Ed25519 signing key whose seed is `seed`, read from its `whsk_` text.
fn ed25519_signing(seed: [u8; 32]) -> hookseal::Ed25519SigningKey {
    let pair = ed25519_dalek::SigningKey::from_bytes(&seed).to_keypair_bytes();
    match hookseal::Ed25519SigningKey::from_whsk(&format!("whsk_{}", STANDARD.encode(pair))) {
        Ok(key) => key,
        Err(e) => panic!("a whsk_ key is refused: {e}"),
    }
}

fn ed25519_verifying(seed: [u8; 32]) -> ed25519_dalek::VerifyingKey {
    ed25519_dalek::SigningKey::from_bytes(&seed).verifying_key()
}

/// The keys a verifier of a scheme signing with `alg` holds, `new` first.
fn verifying_keyring(alg: Alg) -> Keyring {
    match alg {
        Alg::Ed25519 => ring(vec![
            Key::ed25519_public("new", ed25519_signing(NEW_KEY).public_key()),
            Key::ed25519_public("old", ed25519_signing(OLD_KEY).public_key()),
        ]),
        // No key of the public-key schemes' kinds can be held: these verify nothing of theirs.
        Alg::Sha256 | Alg::Sha1 | Alg::P256 | Alg::Rsa => keyring(),
    }
}

/// The one key named `id` (`new` or `old`) a sender of a scheme signing with `alg` holds.
fn signing_keyring(alg: Alg, id: &str) -> Keyring {
    let seed = if id == "new" { NEW_KEY } else { OLD_KEY };
    match alg {
        Alg::Ed25519 => ring(vec![Key::ed25519_signing(id, ed25519_signing(seed))]),
        Alg::Sha256 | Alg::Sha1 => ring(vec![Key::new(id, key_secret(seed))]),
        Alg::P256 | Alg::Rsa => panic!("the crate cannot sign with a private key"),
    }
}

/// The schemes [`verify`] picks from with its first byte, in order.
#[must_use]
pub fn verify_schemes() -> Vec<Scheme> {
    cases().iter().map(|c| c.scheme.clone()).collect()
}

fn pick(data: &[u8], syntax: impl Fn(Syntax) -> bool) -> Option<(&'static Case, &[u8])> {
    let (&selector, rest) = data.split_first()?;
    let group: Vec<&Case> = cases().iter().filter(|c| syntax(c.layout.syntax)).collect();
    let case = group.get(usize::from(selector) % group.len().max(1))?;
    Some((case, rest))
}

/// The signature header parser of the `key=value` schemes (Stripe, Paddle, WorkOS, Mux,
/// PagerDuty, Hook0, Coinbase CDP).
pub fn signature_params(data: &[u8]) {
    if let Some((case, value)) = pick(data, |s| matches!(s, Syntax::Params { .. })) {
        check_signature_header(case, value);
    }
}

/// The signature header parser of the `version,tag` schemes (Standard Webhooks, Svix, Clerk,
/// Resend).
pub fn signature_versioned(data: &[u8]) {
    if let Some((case, value)) = pick(data, |s| s == Syntax::Versioned) {
        check_signature_header(case, value);
    }
}

/// The signature parser of the one-signature schemes (GitHub, Slack, Zoom, Shopify, Twitch,
/// Intercom, Coinbase Commerce, Razorpay, Linear, Mailgun's member, Twilio, Square, HubSpot, the
/// Ed25519 ones, Discord and Telnyx, the public-key ones, SendGrid, AWS SNS's member and PayPal,
/// and Google Pub/Sub's bearer token).
pub fn signature_single(data: &[u8]) {
    if let Some((case, value)) = pick(data, is_single) {
        check_signature_header(case, value);
    }
}

/// Whether a syntax carries one signature: the `signature_single` group.
fn is_single(syntax: Syntax) -> bool {
    matches!(syntax, Syntax::Single | Syntax::Bearer)
}

/// The fuzz target that parses signature headers of `syntax`.
fn signature_target(syntax: Syntax) -> &'static str {
    match syntax {
        Syntax::Params { .. } => "signature_params",
        Syntax::Versioned => "signature_versioned",
        Syntax::Single | Syntax::Bearer => "signature_single",
    }
}

/// Checks one parse of a signature header value: on success, every tag and the timestamp taken
/// are exactly what the value spells; on failure, the error is one a signature header can get.
fn check_signature_header(case: &Case, value: &[u8]) {
    let layout = case.layout;
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
            if matches!(layout.alg, Alg::Ed25519 | Alg::P256 | Alg::Rsa) {
                assert!(tags.is_empty(), "an HMAC tag taken for a public-key scheme");
                assert_eq!(parsed.other_signatures, 1);
                let Some(text) = signature_text(layout, value) else {
                    panic!("a signature taken from a value that is not of the scheme's syntax");
                };
                assert!(
                    decode(layout.encoding, text).is_some_and(|s| layout.alg.is_well_formed(&s)),
                    "a signature taken that the value does not spell canonically, or of another \
                     shape than its algorithm's"
                );
            } else {
                assert_eq!(parsed.other_signatures, 0, "an Ed25519 signature taken");
            }
            let tag_len = layout.alg.tag_len();
            for tag in tags {
                let text = encode(layout.encoding, tag.get(..tag_len).unwrap_or_default());
                assert!(
                    has_entry(layout, value, &format!("{}{text}", layout.label)),
                    "a tag was taken that the value does not spell canonically"
                );
            }
            match (parsed.timestamp, layout.timestamp) {
                (Some((t, text)), Some(Source::Param(key))) => {
                    assert_eq!(
                        layout.unit.parse(&text),
                        Ok(t.as_unix_secs()),
                        "the timestamp is not what its text spells"
                    );
                    let entry = format!("{key}={}", String::from_utf8_lossy(&text));
                    assert!(has_entry(layout, value, &entry));
                }
                (Some(_), _) => panic!("a timestamp was taken from a header that has none"),
                (None, Some(Source::Param(_))) => panic!("accepted without a timestamp"),
                (None, _) => {}
            }
            if let Some(key) = layout.listed {
                // Hook0's list of signed headers: at most once, names separated by single
                // spaces (read against the request's headers after this parse).
                let prefix = format!("{key}=");
                let lists: Vec<&[u8]> = entries(layout, value)
                    .into_iter()
                    .flatten()
                    .filter_map(|e| e.strip_prefix(prefix.as_bytes()))
                    .collect();
                assert!(lists.len() <= 1, "a list of signed headers taken twice");
                for list in lists {
                    assert!(
                        !list.is_empty()
                            && !list.starts_with(b" ")
                            && !list.ends_with(b" ")
                            && list.iter().all(|&b| b == b' ' || b.is_ascii_graphic()),
                        "a list of signed headers taken that is not names split by spaces"
                    );
                }
            }
        }
        Err(e) => {
            assert!(
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
            );
            // A public-key scheme's one signature, canonical base64 of its algorithm's shape, is
            // taken (the key decides).
            let text = signature_text(layout, value);
            if layout.alg.is_unheld() {
                assert!(
                    !text
                        .and_then(|text| decode(layout.encoding, text))
                        .is_some_and(|s| layout.alg.is_well_formed(&s)),
                    "a well-formed signature refused: {e:?}"
                );
            }
            // A bearer token's shape is the header's; its signature's, the signature's.
            if layout.syntax == Syntax::Bearer {
                let expected = match text {
                    None => VerifyError::MalformedHeader(HeaderKind::Signature),
                    Some(_) => VerifyError::MalformedSignature,
                };
                assert_eq!(e, expected, "a bearer token refused for another fault");
            }
        }
    }
}

/// The text of the one signature of a value of `layout`'s syntax: after its label, or a bearer
/// token's third segment when the value is `Bearer ` and three non-empty segments of the
/// base64url alphabet. `None` when the value is not of that shape.
fn signature_text(layout: Layout, value: &[u8]) -> Option<&[u8]> {
    match layout.syntax {
        Syntax::Bearer => match bearer_segments(value)? {
            [_, _, signature] => Some(signature),
        },
        _ => value.strip_prefix(layout.label.as_bytes()),
    }
}

/// The three segments of `Bearer <header>.<claims>.<signature>`, each non-empty and of the
/// base64url alphabet (RFC 4648 §5) alone; `None` for any other value.
fn bearer_segments(value: &[u8]) -> Option<[&[u8]; 3]> {
    let token = value.strip_prefix(b"Bearer ")?;
    let segments: Vec<&[u8]> = token.split(|&b| b == b'.').collect();
    let [header, claims, signature] = segments[..] else {
        return None;
    };
    let alphabet = |s: &[u8]| {
        !s.is_empty()
            && s.iter()
                .all(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_')
    };
    [header, claims, signature]
        .iter()
        .all(|s| alphabet(s))
        .then_some([header, claims, signature])
}

/// The entries of a signature header value, split as `layout` says; `None` for an entry that
/// lacks the space a spaced list puts after each separator.
fn entries(layout: Layout, value: &[u8]) -> Vec<Option<&[u8]>> {
    match layout.syntax {
        Syntax::Params { separator, spaced } => value
            .split(|&b| b == separator)
            .enumerate()
            .map(|(i, e)| {
                if spaced && i > 0 {
                    e.strip_prefix(b" ")
                } else {
                    Some(e)
                }
            })
            .collect(),
        Syntax::Versioned => value.split(|&b| b == b' ').map(Some).collect(),
        Syntax::Single | Syntax::Bearer => vec![Some(value)],
    }
}

/// Whether the signature value, split as `layout` says, holds exactly `entry`.
fn has_entry(layout: Layout, value: &[u8], entry: &str) -> bool {
    entries(layout, value)
        .into_iter()
        .any(|e| e == Some(entry.as_bytes()))
}

fn encode(encoding: Encoding, bytes: &[u8]) -> String {
    match encoding {
        Encoding::Hex => bytes.iter().map(|b| format!("{b:02x}")).collect(),
        Encoding::Base64 => STANDARD.encode(bytes),
        Encoding::Base64Url => URL_SAFE_NO_PAD.encode(bytes),
        other => panic!("no oracle for the encoding {other:?}"),
    }
}

/// Canonical text in `encoding` decoded: lowercase hex, padded standard base64 or unpadded
/// base64url that encodes back to itself.
fn decode(encoding: Encoding, text: &[u8]) -> Option<Vec<u8>> {
    match encoding {
        Encoding::Hex => {
            if !text.len().is_multiple_of(2)
                || !text
                    .iter()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
            {
                return None;
            }
            text.chunks(2)
                .map(|pair| u8::from_str_radix(core::str::from_utf8(pair).ok()?, 16).ok())
                .collect()
        }
        Encoding::Base64 => {
            let bytes = STANDARD.decode(text).ok()?;
            (STANDARD.encode(&bytes).as_bytes() == text).then_some(bytes)
        }
        Encoding::Base64Url => {
            let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
            (URL_SAFE_NO_PAD.encode(&bytes).as_bytes() == text).then_some(bytes)
        }
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
        "standard-webhooks" | "svix" | "clerk" | "resend" => SecretRule::Base64 {
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

/// `Unix seconds`, milliseconds and RFC 3339 (`TimestampFormat::parse`), each against its
/// model in `model`: the same answer for every text, and an accepted timestamp written back by
/// the signer of a scheme using the format (Standard Webhooks' header, WorkOS's `t=`, Twitch's
/// header) as the model writes it, which parses back to the same timestamp.
pub fn timestamp_format(data: &[u8]) {
    let Some((&selector, text)) = data.split_first() else {
        return;
    };
    let (format, unit) = match selector % 3 {
        0 => (TimestampFormat::UnixSecs, Unit::Secs),
        1 => (TimestampFormat::UnixMillis, Unit::Millis),
        _ => (TimestampFormat::Rfc3339, Unit::Rfc3339),
    };
    let result = format.parse(text);
    assert_eq!(
        result,
        unit.parse(text).map(Timestamp::from_unix_secs),
        "{format:?} {:?}",
        String::from_utf8_lossy(text)
    );
    let Ok(t) = result else {
        return;
    };
    let secs = t.as_unix_secs();
    let (scheme, id) = match unit {
        Unit::Secs => (Scheme::standard_webhooks(), Some("msg_1")),
        Unit::Millis => (Scheme::workos(), None),
        Unit::Rfc3339 => (Scheme::twitch(), Some("msg_1")),
    };
    let expected = match unit {
        Unit::Secs => Some(secs.to_string()),
        Unit::Millis => secs.checked_mul(1000).map(|ms| ms.to_string()),
        Unit::Rfc3339 => model::rfc3339_text(secs),
    };
    let signed = Signer::new(scheme, keyring()).sign_at(id, b"", t);
    match (signed, expected) {
        (Ok(signed), Some(expected)) => {
            let written = match unit {
                Unit::Secs => signed.get("webhook-timestamp"),
                Unit::Millis => signed
                    .get("WorkOS-Signature")
                    .and_then(|v| v.split(", ").next())
                    .and_then(|e| e.strip_prefix("t=")),
                Unit::Rfc3339 => signed.get("Twitch-Eventsub-Message-Timestamp"),
            };
            assert_eq!(
                written,
                Some(expected.as_str()),
                "the signer writes {t} otherwise"
            );
            assert_eq!(
                format.parse(expected.as_bytes()),
                Ok(t),
                "{expected} reads back otherwise"
            );
            // A text already in the signer's spelling is written back as itself.
            let canonical = match unit {
                Unit::Secs => true,
                Unit::Millis => model::decimal(text).is_ok_and(|ms| ms % 1000 == 0),
                Unit::Rfc3339 => text.len() == 20 && text.ends_with(b"Z"),
            };
            assert_eq!(canonical, text == expected.as_bytes(), "{expected}");
        }
        (Err(SignError::UnrepresentableTimestamp), None) => {}
        (signed, expected) => panic!("signing at {t}: {signed:?}, expected {expected:?}"),
    }
}

/// Refused unless `secs` is within `tolerance` of [`NOW`], as verification checks freshness.
fn window(secs: u64, tolerance: u64) -> Result<(), VerifyError> {
    if secs <= NOW && NOW - secs > tolerance {
        Err(VerifyError::TimestampTooOld)
    } else if secs > NOW && secs - NOW > tolerance {
        Err(VerifyError::TimestampInFuture)
    } else {
        Ok(())
    }
}

/// What verifying a Google Pub/Sub push must answer, with no RSA key held, in the order
/// verification reads: the `Authorization` header (sent once, at most 4096 bytes once trimmed
/// of spaces and tabs), `Bearer ` and three segments of the base64url alphabet, the header and
/// the claims each canonical unpadded base64url of one JSON object (`model::Json`), the claims'
/// `iat` (canonical Unix seconds, not more than the hour ahead) and `exp` (not passed), the
/// header's `alg` (`RS256`), the signature (256 to 512 bytes), the body's `message.messageId`
/// (a delivery id, when present), the header's `kid` (a number or a string without escapes,
/// when present), the hour's window on `iat`, and then no key to verify with. `None` where the
/// model cannot say: a header, claims or body that is JSON but not UTF-8.
fn bearer_model<H: HeaderSource + ?Sized>(headers: &H, body: &[u8]) -> Option<VerifyError> {
    use VerifyError::{
        ClaimRefused, DuplicateHeader, HeaderTooLong, InvalidId, MalformedBody, MalformedHeader,
        MalformedSignature, MissingHeader, NoActiveKey, TimestampInFuture, TimestampTooOld,
        UnknownAlgorithm,
    };
    let malformed = MalformedHeader(HeaderKind::Signature);
    let Ok(name) = HeaderName::new("Authorization") else {
        panic!("Authorization is refused as a header name");
    };
    let values: Vec<&[u8]> = headers.header_values(&name).collect();
    let value = match values[..] {
        [] => return Some(MissingHeader(HeaderKind::Signature)),
        [one] => trim_ows(one),
        _ => return Some(DuplicateHeader(HeaderKind::Signature)),
    };
    if value.len() > PUBSUB_MAX_HEADER {
        return Some(HeaderTooLong(HeaderKind::Signature));
    }
    let Some([header, claims, signature]) = bearer_segments(value) else {
        return Some(malformed);
    };
    // Each decoded, then read as one JSON object.
    let Some(header) = decode(Encoding::Base64Url, header) else {
        return Some(malformed);
    };
    let header = model::Json::new(&header)?;
    if matches!(header, model::Json::Malformed) {
        return Some(malformed);
    }
    let Some(claims) = decode(Encoding::Base64Url, claims) else {
        return Some(malformed);
    };
    let claims = model::Json::new(&claims)?;
    if matches!(claims, model::Json::Malformed) {
        return Some(malformed);
    }
    // A critical extension (`crit`), whatever its value, is one the crate does not know.
    if !matches!(header.find(&["crit"]), Ok(None)) {
        return Some(malformed);
    }
    let time = |claim: &'static str| match claims.find(&[claim]) {
        Err(model::Malformed) => Err(malformed.clone()),
        Ok(None) => Err(ClaimRefused { claim }),
        Ok(Some(text)) => model::decimal(&text).map_err(|_| ClaimRefused { claim }),
    };
    let iat = match time("iat") {
        Ok(iat) => iat,
        Err(e) => return Some(e),
    };
    if iat > NOW + PUBSUB_WINDOW {
        return Some(TimestampInFuture);
    }
    match time("exp") {
        Ok(exp) if exp < NOW => return Some(TimestampTooOld),
        Ok(_) => {}
        Err(e) => return Some(e),
    }
    match header.find(&["alg"]) {
        Err(model::Malformed) | Ok(None) => return Some(malformed),
        Ok(Some(alg)) if alg != b"RS256" => return Some(UnknownAlgorithm),
        Ok(Some(_)) => {}
    }
    if !decode(Encoding::Base64Url, signature).is_some_and(|s| Alg::Rsa.is_well_formed(&s)) {
        return Some(MalformedSignature);
    }
    match model::Json::new(body)?.find(&["message", "messageId"]) {
        Err(model::Malformed) => return Some(MalformedBody),
        Ok(Some(id)) if !(1..=255).contains(&id.len()) || !id.iter().all(u8::is_ascii_graphic) => {
            return Some(InvalidId);
        }
        Ok(_) => {}
    }
    if header.find(&["kid"]).is_err() {
        return Some(malformed);
    }
    if let Err(e) = window(iat, PUBSUB_WINDOW) {
        return Some(e);
    }
    Some(NoActiveKey)
}

/// The readers of the body, through verification: Linear's JSON timestamp member (the body
/// signed by the oracle), Mailgun's signature, timestamp and token members (the body verified as
/// it is), Twilio's form (the body signed by the oracle), AWS SNS's members (the body verified as
/// it is, by a verifier without an RSA key). Each outcome is the model's: the
/// members `model::Json` finds (on `serde_json`), the form `model::form` reads, the signature
/// `hmac` computes. Nothing may panic, and the fuzzer's time and memory limits bound the work.
pub fn body_fields(data: &[u8]) {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    match selector % 4 {
        0 => linear_fields(body),
        1 => mailgun_fields(body),
        2 => twilio_form(body),
        _ => sns_fields(body),
    }
}

fn linear_fields(body: &[u8]) {
    let case = case("linear");
    let now = Timestamp::from_unix_secs(NOW);
    let signer = Signer::new(case.scheme.clone(), signing_keyring(Alg::Sha256, "new"));
    let signed = match signer.sign_at(Some("msg_1"), body, now) {
        Ok(signed) => signed,
        Err(e) => panic!("Linear cannot sign a body: {e}"),
    };
    let headers: Vec<(&str, &str)> = signed.iter().collect();
    let got = case
        .verifier
        .verify_at(&headers[..], body, now)
        .map(|v| v.timestamp());
    let Some(json) = model::Json::new(body) else {
        return; // JSON, but not UTF-8: the model reads no further.
    };
    let expected = match json.find(&["webhookTimestamp"]) {
        Err(model::Malformed) => Err(VerifyError::MalformedBody),
        Ok(None) => Err(VerifyError::MissingField(HeaderKind::Timestamp)),
        Ok(Some(text)) => match model::millis(&text) {
            Err(reason) => Err(VerifyError::InvalidTimestamp(reason)),
            Ok(secs) => window(secs, 60).map(|()| Some(Timestamp::from_unix_secs(secs))),
        },
    };
    assert_eq!(
        got,
        expected,
        "Linear body {:?}",
        String::from_utf8_lossy(body)
    );
}

fn mailgun_fields(body: &[u8]) {
    let case = case("mailgun");
    let now = Timestamp::from_unix_secs(NOW);
    let got = case
        .verifier
        .verify_at(&[] as &[(&str, &str)], body, now)
        .map(|v| v.key_id().as_str().to_owned());
    let Some(json) = model::Json::new(body) else {
        return;
    };
    let expected = mailgun_model(&json);
    assert_eq!(
        got,
        expected,
        "Mailgun body {:?}",
        String::from_utf8_lossy(body)
    );
}

/// What verifying a Mailgun body must answer, in the order verification reads: its three
/// members unambiguous (read in one pass), the signature (a member read as a header value is:
/// capped at 2048 bytes, one lowercase hex HMAC-SHA256), the timestamp, the token (a delivery
/// id), the window, then the signature of `timestamp‖token` under each key.
fn mailgun_model(json: &model::Json<'_>) -> Result<String, VerifyError> {
    use VerifyError::{
        HeaderTooLong, InvalidId, InvalidTimestamp, MalformedBody, MalformedHeader,
        MalformedSignature, MissingField, NoMatchingSignature,
    };
    let member = |path: &[&str], kind| match json.find(path) {
        Err(model::Malformed) => Err(MalformedBody),
        Ok(None) => Err(MissingField(kind)),
        Ok(Some(text)) => Ok(text),
    };
    json.unambiguous(&[
        &["signature", "signature"],
        &["signature", "timestamp"],
        &["signature", "token"],
    ])
    .map_err(|model::Malformed| MalformedBody)?;
    let signature = member(&["signature", "signature"], HeaderKind::Signature)?;
    if signature.len() > 2048 {
        return Err(HeaderTooLong(HeaderKind::Signature));
    }
    let Some(tag) = decode(Encoding::Hex, &signature).filter(|t| t.len() == 32) else {
        return Err(
            if !signature.is_empty() && signature.iter().all(u8::is_ascii_graphic) {
                MalformedSignature
            } else {
                MalformedHeader(HeaderKind::Signature)
            },
        );
    };
    let timestamp = member(&["signature", "timestamp"], HeaderKind::Timestamp)?;
    let secs = model::decimal(&timestamp).map_err(InvalidTimestamp)?;
    let token = member(&["signature", "token"], HeaderKind::Id)?;
    if !(1..=255).contains(&token.len()) || !token.iter().all(u8::is_ascii_graphic) {
        return Err(InvalidId);
    }
    window(secs, 300)?;
    for (id, key) in [("new", NEW_KEY), ("old", OLD_KEY)] {
        if hmac_of::<Hmac<sha2::Sha256>>(&key, &[&timestamp, &token]) == tag {
            return Ok(id.to_owned());
        }
    }
    Err(NoMatchingSignature)
}

fn sns_fields(body: &[u8]) {
    let case = case("aws-sns");
    let now = Timestamp::from_unix_secs(NOW);
    let got = case
        .verifier
        .verify_at(&[] as &[(&str, &str)], body, now)
        .map(|v| v.key_id().as_str().to_owned());
    let Some(json) = model::Json::new(body) else {
        return;
    };
    assert_eq!(
        got,
        Err(sns_model(&json)),
        "AWS SNS body {:?}",
        String::from_utf8_lossy(body)
    );
}

/// What verifying an AWS SNS body must answer, in the order verification reads, with no RSA key
/// held: the five members the scheme names unambiguous (read in one pass: the four below and
/// `SigningCertURL`), `SignatureVersion` (a string, `1` or `2`), the signature (read as a header value is:
/// capped at 2048 bytes, one canonical base64 RSA signature of 256 to 512 bytes), the timestamp
/// (RFC 3339), `MessageId` (a delivery id), the window of an hour, each of the eight signed
/// members present a string whose escapes decode, and then no key to verify with.
fn sns_model(json: &model::Json<'_>) -> VerifyError {
    use VerifyError::{
        HeaderTooLong, InvalidId, InvalidTimestamp, MalformedBody, MalformedHeader,
        MalformedSignature, MissingField, NoActiveKey, UnknownAlgorithm,
    };
    let read = |member: model::Member, kind| match member {
        Err(model::Malformed) => Err(MalformedBody),
        Ok(None) => Err(MissingField(kind)),
        Ok(Some(text)) => Ok(text),
    };
    let answer = || -> Result<(), VerifyError> {
        json.unambiguous(&[
            &["SignatureVersion"],
            &["Signature"],
            &["Timestamp"],
            &["MessageId"],
            &["SigningCertURL"],
        ])
        .map_err(|model::Malformed| MalformedBody)?;
        let version = read(
            json.find_string(&["SignatureVersion"]),
            HeaderKind::Algorithm,
        )?;
        if version != b"1" && version != b"2" {
            return Err(UnknownAlgorithm);
        }
        let signature = read(json.find(&["Signature"]), HeaderKind::Signature)?;
        if signature.len() > 2048 {
            return Err(HeaderTooLong(HeaderKind::Signature));
        }
        let graphic = !signature.is_empty() && signature.iter().all(u8::is_ascii_graphic);
        if !decode(Encoding::Base64, &signature).is_some_and(|s| Alg::Rsa.is_well_formed(&s)) {
            return Err(if graphic {
                MalformedSignature
            } else {
                MalformedHeader(HeaderKind::Signature)
            });
        }
        let timestamp = read(json.find(&["Timestamp"]), HeaderKind::Timestamp)?;
        let secs = model::rfc3339(&timestamp).map_err(InvalidTimestamp)?;
        let id = read(json.find(&["MessageId"]), HeaderKind::Id)?;
        if !(1..=255).contains(&id.len()) || !id.iter().all(u8::is_ascii_graphic) {
            return Err(InvalidId);
        }
        window(secs, 3600)?;
        for name in SNS_SIGNED {
            if json.decoded_string(&[name]).is_err() {
                return Err(MalformedBody);
            }
        }
        Err(NoActiveKey)
    };
    match answer() {
        Ok(()) => panic!("the model accepts without a key"),
        Err(e) => e,
    }
}

/// The members AWS SNS signs, in signing order.
const SNS_SIGNED: [&str; 8] = [
    "Message",
    "MessageId",
    "Subject",
    "SubscribeURL",
    "Timestamp",
    "Token",
    "TopicArn",
    "Type",
];

fn twilio_form(body: &[u8]) {
    static VERIFIER: OnceLock<Verifier> = OnceLock::new();
    let case = case("twilio");
    let verifier =
        VERIFIER.get_or_init(|| match case.verifier.clone().with_public_url(PUBLIC_URL) {
            Ok(v) => v,
            Err(e) => panic!("the public URL is refused: {e}"),
        });
    let now = Timestamp::from_unix_secs(NOW);
    let url = format!("{PUBLIC_URL}{TARGET}");
    let signer = Signer::new(case.scheme.clone(), signing_keyring(Alg::Sha1, "new"));
    match (
        signer.sign_request_at("POST", &url, None, body, now),
        model::form(body),
    ) {
        (Ok(signed), Ok(pairs)) => {
            assert!(pairs.len() <= model::MAX_FORM_PARAMS);
            let mut content = url.into_bytes();
            for (name, value) in &pairs {
                content.extend_from_slice(name);
                content.extend_from_slice(value);
            }
            let tag = STANDARD.encode(hmac_of::<Hmac<sha1::Sha1>>(&NEW_KEY, &[&content]));
            assert_eq!(
                signed.get("X-Twilio-Signature"),
                Some(tag.as_str()),
                "the form is signed otherwise: {:?}",
                String::from_utf8_lossy(body)
            );
            let headers: Vec<(&str, &str)> = signed.iter().collect();
            let request = RequestView::new("POST", TARGET, &headers[..]);
            let got = verifier
                .verify_at(&request, body, now)
                .map(|v| v.key_id().as_str().to_owned());
            assert_eq!(got, Ok("new".to_owned()));
        }
        (Err(SignError::InvalidBody), Err(model::Malformed)) => {
            let headers = [("X-Twilio-Signature", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=")];
            let request = RequestView::new("POST", TARGET, &headers[..]);
            let got = verifier.verify_at(&request, body, now).map(|_| ());
            assert_eq!(got, Err(VerifyError::MalformedBody));
        }
        (signed, model) => panic!(
            "signing the form {:?}: {signed:?}, the model reads {model:?}",
            String::from_utf8_lossy(body)
        ),
    }
}

/// Headers as [`verify`] reads them from its input.
type Pairs = Vec<(String, Vec<u8>)>;

/// A verify input: see [`split_request`].
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// The index of the scheme in [`verify_schemes`].
    pub scheme: usize,
    /// Whether the headers are held in an `http::HeaderMap` (or as pairs).
    pub header_map: bool,
    pub headers: Pairs,
    /// The method and the target, when the input gives either (the other then `POST` or `/`).
    pub line: Option<(String, String)>,
    /// The verifier's public URL, if the input gives one.
    pub public_url: Option<String>,
    pub body: &'a [u8],
}

/// Splits a verify input into its scheme, header form, headers, request line, public URL and
/// body.
///
/// After the two leading bytes come header lines `name: value` (split at the first `:`, one
/// space after it dropped; a name that is not UTF-8 drops its line) ending with an empty line,
/// then the body (an empty line first: no headers). With no empty line, everything is headers
/// and the body is empty. A line
/// starting with `:` names the request line or the verifier's public URL instead:
/// `:method: POST`, `:target: /hooks?x=1`, `:url: https://example.com` (UTF-8 values only).
#[must_use]
pub fn split_request(data: &[u8]) -> Option<Request<'_>> {
    let [scheme, form, rest @ ..] = data else {
        return None;
    };
    let (head, body) = match rest.windows(2).position(|w| w == b"\n\n") {
        _ if rest.first() == Some(&b'\n') => (&[][..], rest.get(1..)?),
        Some(at) => (rest.get(..at)?, rest.get(at + 2..)?),
        None => (rest, &[][..]),
    };
    let mut headers = Vec::new();
    let (mut method, mut target, mut public_url) = (None, None, None);
    for line in head.split(|&b| b == b'\n') {
        let (line, pseudo) = match line.strip_prefix(b":") {
            Some(line) => (line, true),
            None => (line, false),
        };
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let (name, value) = line.split_at(colon);
        let value = value.get(1..).unwrap_or_default();
        let value = value.strip_prefix(b" ").unwrap_or(value);
        let Ok(name) = core::str::from_utf8(name) else {
            continue;
        };
        if pseudo {
            let Ok(value) = core::str::from_utf8(value) else {
                continue;
            };
            match name {
                "method" => method = Some(value.to_owned()),
                "target" => target = Some(value.to_owned()),
                "url" => public_url = Some(value.to_owned()),
                _ => {}
            }
        } else {
            headers.push((name.to_owned(), value.to_vec()));
        }
    }
    let line = (method.is_some() || target.is_some()).then(|| {
        (
            method.unwrap_or_else(|| "POST".to_owned()),
            target.unwrap_or_else(|| "/".to_owned()),
        )
    });
    Some(Request {
        scheme: usize::from(*scheme) % cases().len(),
        header_map: form & 1 == 1,
        headers,
        line,
        public_url,
        body,
    })
}

/// Builds a verify input: the inverse of [`split_request`].
#[must_use]
pub fn join_request(request: &Request<'_>) -> Vec<u8> {
    #[allow(
        clippy::cast_possible_truncation,
        reason = "the scheme index is below 256"
    )]
    let mut out = vec![request.scheme as u8, u8::from(request.header_map)];
    let mut line = |name: &str, value: &[u8]| {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.push(b'\n');
    };
    if let Some((method, target)) = &request.line {
        line(":method", method.as_bytes());
        line(":target", target.as_bytes());
    }
    if let Some(url) = &request.public_url {
        line(":url", url.as_bytes());
    }
    for (name, value) in &request.headers {
        line(name, value);
    }
    out.push(b'\n');
    out.extend_from_slice(request.body);
    out
}

/// The whole verify path of one scheme, differentially: the first byte picks the scheme, the
/// second whether headers are held in an `http::HeaderMap` (odd; lines that are not a valid
/// header are dropped) or as pairs (even). See [`split_request`] for the rest. The verifier
/// gets the input's public URL when it accepts it; a request line, when given, comes with the
/// headers in a `RequestView`.
///
/// Whenever a request is accepted, it must be one the provider's sender would produce for that
/// key:
///
/// - a presented signature is, under the key that matched, the HMAC (or the Ed25519 signature)
///   of the signed content as the provider documents it, computed here with `hmac` and
///   `ed25519-dalek` directly from values read here: the timestamp, id and signature from their
///   headers or body members (`model::Json`), the URL from the public URL (`model::url_bases`),
///   the form (`model::form`) or Twilio's `bodySHA256`, Hook0's listed headers from its `h=`
///   entry (`listed_values`);
/// - the timestamp is what its text spells in the scheme's unit and within the scheme's window
///   of [`NOW`];
/// - when the signer can sign this request (its timestamp spelled as the signer writes it), its
///   signature entries are among those presented.
///
/// A refusal is any typed error, but Google Pub/Sub's, which must be the one `bearer_model`
/// gives; nothing may panic.
pub fn verify(data: &[u8]) {
    if let Some(request) = split_request(data) {
        let _ = verify_request(&request, true);
    }
}

/// Verifies a split input as [`verify`] does, returning the id of the key that matched; with
/// `check`, an acceptance is checked as [`verify`] says.
pub fn verify_request(request: &Request<'_>, check: bool) -> Result<String, VerifyError> {
    let Some(case) = cases().get(request.scheme) else {
        return Err(VerifyError::NoActiveKey);
    };
    let with_url = request
        .public_url
        .as_deref()
        .and_then(|url| Some((url, case.verifier.clone().with_public_url(url).ok()?)));
    let (url, verifier) = match with_url {
        Some((url, verifier)) => (Some(url), Cow::Owned(verifier)),
        None => (None, Cow::Borrowed(&case.verifier)),
    };
    let sent = Sent {
        line: request.line.as_ref().map(|(m, t)| (m.as_str(), t.as_str())),
        url,
        check,
    };
    if request.header_map {
        let mut map = http::HeaderMap::new();
        for (name, value) in &request.headers {
            if let (Ok(n), Ok(v)) = (
                http::HeaderName::from_bytes(name.as_bytes()),
                http::HeaderValue::from_bytes(value),
            ) {
                map.append(n, v);
            }
        }
        sent.verify(case, &verifier, &map, request.body)
    } else {
        sent.verify(case, &verifier, &request.headers[..], request.body)
    }
}

/// What a verify input sends besides its headers and body.
#[derive(Clone, Copy)]
struct Sent<'a> {
    line: Option<(&'a str, &'a str)>,
    /// The public URL the verifier accepted.
    url: Option<&'a str>,
    check: bool,
}

impl Sent<'_> {
    fn verify<H: HeaderSource + ?Sized>(
        self,
        case: &Case,
        verifier: &Verifier,
        headers: &H,
        body: &[u8],
    ) -> Result<String, VerifyError> {
        let now = Timestamp::from_unix_secs(NOW);
        let result = match self.line {
            Some((method, target)) => {
                let request = RequestView::new(method, target, headers);
                verifier.verify_at(&request, body, now).map(|v| {
                    if self.check {
                        check_accepted(case, &request, self, &v);
                    }
                    v.key_id().as_str().to_owned()
                })
            }
            None => verifier.verify_at(headers, body, now).map(|v| {
                if self.check {
                    check_accepted(case, headers, self, &v);
                }
                v.key_id().as_str().to_owned()
            }),
        };
        if self.check
            && case.layout.syntax == Syntax::Bearer
            && let Some(expected) = bearer_model(headers, body)
        {
            assert_eq!(result, Err(expected), "Google Pub/Sub push");
        }
        result
    }
}

/// A value as sent, from a header (trimmed, under its name or its fallback), a parameter of the
/// signature header or a member of the body. `None` when absent or repeated.
fn read<H: HeaderSource + ?Sized>(
    layout: Layout,
    source: Source,
    headers: &H,
    json: Option<&model::Json<'_>>,
) -> Option<Vec<u8>> {
    match source {
        Source::Header(name, fallback) => sent_header(headers, name, fallback),
        Source::Param(key) => {
            let value = read(layout, layout.signature, headers, json)?;
            let prefix = format!("{key}=");
            let found: Vec<&[u8]> = entries(layout, &value)
                .into_iter()
                .flatten()
                .filter_map(|e| e.strip_prefix(prefix.as_bytes()))
                .collect();
            match found.as_slice() {
                [one] => Some(one.to_vec()),
                _ => None,
            }
        }
        Source::Member(path) => json?.find(path).ok().flatten(),
    }
}

/// A header's one value, trimmed of HTTP's optional whitespace: under `name`, or under
/// `fallback` when `name` is absent. `None` when absent or repeated.
fn sent_header<H: HeaderSource + ?Sized>(
    headers: &H,
    name: &str,
    fallback: Option<&str>,
) -> Option<Vec<u8>> {
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
    let value = match single(name)? {
        Some(value) => value,
        None => single(fallback?)??,
    };
    Some(trim_ows(&value).to_vec())
}

/// `value` without the spaces and tabs HTTP allows around a field value.
fn trim_ows(value: &[u8]) -> &[u8] {
    let ows = |b: &u8| *b == b' ' || *b == b'\t';
    let start = value.iter().position(|b| !ows(b)).unwrap_or(value.len());
    let end = value.iter().rposition(|b| !ows(b)).map_or(start, |i| i + 1);
    value.get(start..end).unwrap_or_default()
}

#[allow(
    clippy::too_many_lines,
    reason = "one check per part of the signed content"
)]
fn check_accepted<H: HeaderSource + ?Sized>(
    case: &Case,
    headers: &H,
    sent: Sent<'_>,
    v: &Verified<'_>,
) {
    let layout = case.layout;
    let scheme = &case.scheme;
    assert!(
        !layout.alg.is_unheld(),
        "{} accepted a request, and the verifier holds no key of its kind",
        scheme.name()
    );
    let body = v.body();
    assert!(v.key_id() == "new" || v.key_id() == "old");
    let key = if v.key_id() == "new" {
        NEW_KEY
    } else {
        OLD_KEY
    };
    let uses_members = [Some(layout.signature), layout.timestamp, layout.id]
        .iter()
        .any(|s| matches!(s, Some(Source::Member(_))));
    let json = if uses_members {
        match model::Json::new(body) {
            Some(json) => Some(json),
            None => return, // JSON, but not UTF-8: the model cannot read its members.
        }
    } else {
        None
    };
    let read_sent = |source| read(layout, source, headers, json.as_ref());

    // The timestamp: present exactly when the layout has one, what its text spells, and
    // inside the window.
    let ts_text = layout.timestamp.map(|source| match read_sent(source) {
        Some(text) => text,
        None => panic!("accepted without a single timestamp"),
    });
    match &ts_text {
        Some(text) => {
            let secs = layout.unit.parse(text);
            assert_eq!(secs.ok(), v.timestamp().map(Timestamp::as_unix_secs));
            let secs = secs.unwrap_or_default();
            assert_eq!(
                window(secs, layout.tolerance),
                Ok(()),
                "accepted a stale timestamp {secs}"
            );
        }
        None => assert_eq!(v.timestamp(), None),
    }
    let ts_text = ts_text.unwrap_or_default();

    // The id: as sent; required where it is signed.
    let id = layout.id.and_then(read_sent);
    let signs_id = matches!(
        layout.content,
        Content::IdDotTsDotBody | Content::IdTsBody | Content::TsToken
    );
    if signs_id {
        let Some(id) = &id else {
            panic!("accepted without the signed id");
        };
        assert_eq!(v.id().map(str::as_bytes), Some(id.as_slice()));
        if layout.content == Content::IdDotTsDotBody {
            assert!(
                !id.contains(&b'.'),
                "accepted an id that makes the content ambiguous"
            );
        }
    }
    let id = id.unwrap_or_default();

    // The signature as sent.
    let Some(value) = read_sent(layout.signature) else {
        panic!("accepted without a single signature");
    };

    // The URL bases the sender may have signed, the method and the target.
    let (method, target) = sent.line.unwrap_or_default();
    let bases = match layout.url {
        Url::None => vec![String::new()],
        url => {
            let Some(public) = sent.url else {
                panic!("accepted without a public URL");
            };
            assert!(sent.line.is_some(), "accepted without a request line");
            model::url_bases(public, url == Url::PortVariants)
        }
    };
    // Twilio's form, or the body's digest in the query standing for it.
    let mut form = Vec::new();
    if layout.content == Content::UrlForm {
        match model::query_param(target.as_bytes(), b"bodySHA256") {
            Some(digest) => {
                let actual = encode(Encoding::Hex, &sha2::Sha256::digest(body));
                assert_eq!(
                    digest,
                    actual.as_bytes(),
                    "accepted a body that is not the digest's"
                );
            }
            None => {
                let Ok(pairs) = model::form(body) else {
                    panic!("accepted a body that is not a form");
                };
                for (name, value) in pairs {
                    form.extend_from_slice(&name);
                    form.extend_from_slice(&value);
                }
            }
        }
    }
    // The headers the request lists as signed, and their values, read here from the list.
    let listed = layout.listed.map(|key| {
        let Some(names) = read_sent(Source::Param(key)) else {
            panic!("accepted without a single list of signed headers");
        };
        let Some(values) = listed_values(headers, &names) else {
            panic!(
                "accepted the list {:?}, which a sender does not write, or without one of its \
                 headers sent once",
                String::from_utf8_lossy(&names)
            );
        };
        (names, values)
    });
    let listed_content = listed.as_ref().map_or_else(Vec::new, |(names, values)| {
        let mut out = names.clone();
        for value in values {
            out.push(b'.');
            out.extend_from_slice(value);
        }
        out
    });
    let contents: Vec<Vec<u8>> = bases
        .iter()
        .map(|base| {
            let url = [base.as_bytes(), target.as_bytes()].concat();
            let ts = ts_text.as_slice();
            let parts: Vec<&[u8]> = match layout.content {
                Content::TsDotBody => vec![ts, b".", body],
                Content::IdDotTsDotBody => vec![&id, b".", ts, b".", body],
                Content::Body => vec![body],
                Content::V0 => vec![b"v0:", ts, b":", body],
                Content::TsColonBody => vec![ts, b":", body],
                Content::IdTsBody => vec![&id, ts, body],
                Content::TsToken => vec![ts, &id],
                Content::UrlForm => vec![&url, &form],
                Content::UrlBody => vec![&url, body],
                Content::MethodUrlBodyTs => vec![method.as_bytes(), &url, body, ts],
                Content::TsBody => vec![ts, body],
                Content::TsPipeBody => vec![ts, b"|", body],
                Content::TsDotListedDotBody => vec![ts, b".", &listed_content, b".", body],
                Content::SnsMembers | Content::IdTsWebhookCrc | Content::Token => {
                    unreachable!("no key of theirs is held")
                }
            };
            parts.concat()
        })
        .collect();

    // The signature, from the provider's layout.
    match layout.alg {
        Alg::Ed25519 => {
            let text = value
                .strip_prefix(layout.label.as_bytes())
                .unwrap_or_default();
            let Some(bytes) = decode(layout.encoding, text) else {
                panic!("accepted an Ed25519 signature that is not canonical text");
            };
            let Ok(bytes) = <[u8; 64]>::try_from(bytes) else {
                panic!("accepted an Ed25519 signature of another length");
            };
            let signature = ed25519_dalek::Signature::from_bytes(&bytes);
            let public = ed25519_verifying(key);
            assert!(
                contents
                    .iter()
                    .any(|c| public.verify_strict(c, &signature).is_ok()),
                "accepted an Ed25519 signature that does not verify strictly"
            );
        }
        Alg::P256 | Alg::Rsa => unreachable!("no key of theirs is held"),
        Alg::Sha256 | Alg::Sha1 => {
            let matched = contents.iter().any(|content| {
                let tag = if layout.alg == Alg::Sha1 {
                    hmac_of::<Hmac<sha1::Sha1>>(&key, &[content])
                } else {
                    hmac_of::<Hmac<sha2::Sha256>>(&key, &[content])
                };
                has_entry(
                    layout,
                    &value,
                    &format!("{}{}", layout.label, encode(layout.encoding, &tag)),
                )
            });
            assert!(
                matched,
                "accepted a request whose signature lacks the expected tag"
            );
        }
    }
    if let (Some(Source::Param(key)), Some(_)) = (layout.timestamp, v.timestamp()) {
        let entry = format!("{key}={}", String::from_utf8_lossy(&ts_text));
        assert!(has_entry(layout, &value, &entry));
    }

    // The signer, holding only the key that matched, writes entries the request holds when it
    // spells the timestamp as the request does.
    if !matches!(layout.signature, Source::Header(..)) {
        return; // Mailgun: the crate does not write its deliveries.
    }
    let signer = Signer::new(
        scheme.clone(),
        signing_keyring(layout.alg, v.key_id().as_str()),
    );
    let mut signed_id = signs_id.then(|| core::str::from_utf8(&id).unwrap_or_default());
    if let Some((names, _)) = &listed {
        // The signer lists the id header alone, under its lowercase name, and signs the id
        // there: its entries are comparable only for a request that lists the same.
        let Some(Source::Header(id_header, _)) = layout.id else {
            panic!("a list of signed headers without an id header");
        };
        if names.as_slice() != id_header.to_ascii_lowercase().as_bytes() {
            return;
        }
        signed_id = Some(core::str::from_utf8(&id).unwrap_or_default());
    }
    let at = v.timestamp().unwrap_or(Timestamp::from_unix_secs(NOW));
    let ts_param = match layout.timestamp {
        Some(Source::Param(key)) => Some(format!("{key}=")),
        _ => None,
    };
    let mut reproduced = false;
    let mut writes = 0;
    for base in &bases {
        let signed = match layout.url {
            Url::None => signer.sign_at(signed_id, body, at),
            _ => signer.sign_request_at(method, &format!("{base}{target}"), signed_id, body, at),
        };
        let signed = match signed {
            Ok(signed) => signed,
            // A target the signer cannot take as part of a URL (a fragment): nothing to compare.
            Err(SignError::InvalidUrl) => continue,
            Err(e) => panic!("accepted a request the signer cannot produce: {e}"),
        };
        let sent_values: Vec<(String, String)> = signed
            .iter()
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect();
        let Some(written) = read(layout, layout.signature, &sent_values[..], None) else {
            panic!("the signer writes no signature");
        };
        let written_ts = layout
            .timestamp
            .map(|source| read(layout, source, &sent_values[..], None));
        if written_ts.is_some_and(|t| t.as_deref() != Some(ts_text.as_slice())) {
            continue; // The request spells its timestamp otherwise.
        }
        writes += 1;
        reproduced |= entries(layout, &written)
            .into_iter()
            .flatten()
            .filter(|e| {
                ts_param
                    .as_ref()
                    .is_none_or(|p| !e.starts_with(p.as_bytes()))
            })
            .all(|e| has_entry(layout, &value, &String::from_utf8_lossy(e)));
    }
    assert!(
        writes == 0 || reproduced,
        "the signer's entries are missing"
    );
}

/// Hook0's `h=` list modelled on its own: one to 16 names, each an HTTP token (RFC 9110's
/// `tchar`s), separated by single spaces; and each named header's one value, trimmed, in the
/// list's order. `None` when the list is not one a sender writes, or a named header is absent
/// or sent more than once.
fn listed_values<H: HeaderSource + ?Sized>(headers: &H, names: &[u8]) -> Option<Vec<Vec<u8>>> {
    const TCHAR: &[u8] = b"!#$%&'*+-.^_`|~";
    let names: Vec<&[u8]> = names.split(|&b| b == b' ').collect();
    if names.len() > 16 {
        return None;
    }
    names
        .into_iter()
        .map(|name| {
            let token = !name.is_empty()
                && name
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || TCHAR.contains(b));
            let name = core::str::from_utf8(name).ok().filter(|_| token)?;
            sent_header(headers, name, None)
        })
        .collect()
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

/// The body every verify seed sends, but Linear's (with its timestamp), Mailgun's (with its
/// signature) and Twilio's (a form).
const SEED_BODY: &[u8] = br#"{"type":"invoice.paid","id":"evt_1"}"#;
const SEED_ID: &str = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";
const TOKEN: &str = "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0";
const FORM: &[u8] =
    b"CallSid=CA1234567890ABCDE&From=%2B14158675309&To=%2B18005551212&Body=hello+world";

/// Linear's body, its timestamp written as `ts` (JSON text).
fn linear_seed(ts: &str) -> Vec<u8> {
    format!(
        r#"{{"type":"Issue","action":"create","data":{{"id":"evt_1"}},"webhookTimestamp":{ts}}}"#
    )
    .into_bytes()
}

/// Mailgun's body signed with `key`, its timestamp written as `ts` (JSON text).
fn mailgun_seed(key: [u8; 32], ts: &str) -> Vec<u8> {
    let digits = ts.trim_matches('"');
    let signature = encode(
        Encoding::Hex,
        &hmac_of::<Hmac<sha2::Sha256>>(&key, &[digits.as_bytes(), TOKEN.as_bytes()]),
    );
    format!(
        r#"{{"signature":{{"timestamp":{ts},"token":"{TOKEN}","signature":"{signature}"}},"event-data":{{"event":"delivered","id":"evt_1"}}}}"#
    )
    .into_bytes()
}

/// The body a sender of `case` holding key `which` sends at `at`.
fn seed_body(case: &Case, which: &str, at: u64) -> Vec<u8> {
    let key = if which == "new" { NEW_KEY } else { OLD_KEY };
    match case.scheme.name() {
        "linear" => linear_seed(&format!("{at}000")),
        "mailgun" => mailgun_seed(key, &format!("\"{at}\"")),
        "twilio" => FORM.to_vec(),
        _ => SEED_BODY.to_vec(),
    }
}

/// The headers the signer of `case` holding `keyring` writes for `body` at `at`, to `url` for
/// the schemes that sign it; none for Mailgun.
fn seed_headers(case: &Case, keyring: Keyring, body: &[u8], at: u64, url: &str) -> Pairs {
    if case.layout.signature == Source::Member(&["signature", "signature"]) {
        return Vec::new();
    }
    let signer = Signer::new(case.scheme.clone(), keyring);
    let id = matches!(case.layout.id, Some(Source::Header(..))).then_some(SEED_ID);
    let at = Timestamp::from_unix_secs(at);
    let signed = match case.layout.url {
        Url::None => signer.sign_at(id, body, at),
        _ => signer.sign_request_at("POST", url, id, body, at),
    };
    match signed {
        Ok(signed) => signed
            .iter()
            .map(|(n, v)| (n.to_owned(), v.as_bytes().to_vec()))
            .collect(),
        Err(e) => panic!("{} cannot sign a seed: {e}", case.scheme.name()),
    }
}

fn seed_request<'a>(index: usize, header_map: bool, headers: Pairs, body: &'a [u8]) -> Request<'a> {
    let case = &cases()[index];
    let url = case.layout.url != Url::None;
    Request {
        scheme: index,
        header_map,
        headers,
        line: url.then(|| ("POST".to_owned(), TARGET.to_owned())),
        public_url: url.then(|| PUBLIC_URL.to_owned()),
        body,
    }
}

/// Requests signed by hand, as providers send them and the crate's signer does not write them
/// (a fraction or an offset in an RFC 3339 timestamp, milliseconds not a whole second), or in
/// the ways each provider's layout allows (a form or a JSON body bound by its digest, a proxy's
/// prefix, Svix's fallback names, two signatures): `(name, request)`, all under the `new` key.
fn extra_seeds() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let index = |name: &str| {
        cases()
            .iter()
            .position(|c| c.scheme.name() == name)
            .unwrap_or_default()
    };
    let mut push = |name: &str, what: &str, request: Request<'_>| {
        out.push((format!("{name}-extra-{what}"), join_request(&request)));
    };
    let hex = |parts: &[&[u8]]| {
        encode(
            Encoding::Hex,
            &hmac_of::<Hmac<sha2::Sha256>>(&NEW_KEY, parts),
        )
    };
    let header = |n: &str, v: &str| (n.to_owned(), v.as_bytes().to_vec());

    for (what, ts) in [
        ("fraction", "2023-11-14T22:13:10.123456789Z"),
        ("offset", "2023-11-14T23:13:10+01:00"),
    ] {
        let sig = hex(&[b"msg_1", ts.as_bytes(), SEED_BODY]);
        let headers = vec![
            header("Twitch-Eventsub-Message-Id", "msg_1"),
            header("Twitch-Eventsub-Message-Timestamp", ts),
            header(
                "Twitch-Eventsub-Message-Signature",
                &format!("sha256={sig}"),
            ),
        ];
        push(
            "twitch",
            what,
            seed_request(index("twitch"), false, headers, SEED_BODY),
        );
    }
    let ms = "1699999990123";
    let sig = hex(&[ms.as_bytes(), b".", SEED_BODY]);
    let headers = vec![header("WorkOS-Signature", &format!("t={ms}, v1={sig}"))];
    push(
        "workos",
        "millis",
        seed_request(index("workos"), true, headers, SEED_BODY),
    );

    let url = format!("{PUBLIC_URL}{TARGET}");
    let tag = STANDARD.encode(hmac_of::<Hmac<sha2::Sha256>>(
        &NEW_KEY,
        &[b"POST", url.as_bytes(), SEED_BODY, ms.as_bytes()],
    ));
    let headers = vec![
        header("X-HubSpot-Signature-v3", &tag),
        header("X-HubSpot-Request-Timestamp", ms),
    ];
    push(
        "hubspot",
        "millis",
        seed_request(index("hubspot"), false, headers, SEED_BODY),
    );

    let linear = linear_seed(&format!("\"{ms}\""));
    let case = &cases()[index("linear")];
    let headers = seed_headers(case, keyring(), &linear, NOW, &url);
    push(
        "linear",
        "string",
        seed_request(index("linear"), false, headers, &linear),
    );

    let mailgun = mailgun_seed(NEW_KEY, "1699999990");
    push(
        "mailgun",
        "number",
        seed_request(index("mailgun"), false, Vec::new(), &mailgun),
    );

    // Twilio: a JSON body bound by `bodySHA256`; the public URL with its default port; a form
    // with repeats, escapes and empty pairs.
    let twilio = &cases()[index("twilio")];
    let json = SEED_BODY;
    let digest = encode(Encoding::Hex, &sha2::Sha256::digest(json));
    let target = format!("/hooks/in?bodySHA256={digest}");
    let headers = seed_headers(
        twilio,
        keyring(),
        json,
        NOW,
        &format!("{PUBLIC_URL}{target}"),
    );
    let mut request = seed_request(index("twilio"), false, headers, json);
    request.line = Some(("POST".to_owned(), target));
    push("twilio", "digest", request);
    let headers = seed_headers(twilio, keyring(), FORM, NOW, &url);
    let mut request = seed_request(index("twilio"), true, headers, FORM);
    request.public_url = Some("https://example.com:443".to_owned());
    push("twilio", "port", request);
    let form = b"&Body=a%20b+c&Body=a%20b+c&&From=%2b1&To=x%3D1&empty&";
    let headers = seed_headers(twilio, keyring(), form, NOW, &url);
    push(
        "twilio",
        "form",
        seed_request(index("twilio"), false, headers, form),
    );

    // Square behind a proxy that strips `/hooks`.
    let square = &cases()[index("square")];
    let headers = seed_headers(square, keyring(), SEED_BODY, NOW, &url);
    let mut request = seed_request(index("square"), false, headers, SEED_BODY);
    request.public_url = Some(format!("{PUBLIC_URL}/hooks/"));
    request.line = Some(("POST".to_owned(), "/in?account=7".to_owned()));
    push("square", "prefix", request);

    // Svix's names fall back to the standard ones.
    for name in ["clerk", "resend"] {
        let case = &cases()[index(name)];
        let headers = seed_headers(case, keyring(), SEED_BODY, NOW, &url)
            .into_iter()
            .map(|(n, v)| (n.replace("svix-", "webhook-"), v))
            .collect();
        push(
            name,
            "fallback",
            seed_request(index(name), false, headers, SEED_BODY),
        );
    }
    // Hook0 and Coinbase CDP: three headers listed (one sent with spaces around its value,
    // which are trimmed), the entries in the order of Hook0's worker, a `v0` over `t.body`
    // among them; and a list of one header that is not the id.
    let ts = (NOW - 10).to_string();
    let listed = "x-event-id x-event-type content-type";
    let v1 = hex(&[
        ts.as_bytes(),
        b".",
        listed.as_bytes(),
        b".",
        SEED_ID.as_bytes(),
        b".invoice.paid.application/json.",
        SEED_BODY,
    ]);
    let v0 = hex(&[ts.as_bytes(), b".", SEED_BODY]);
    let one = hex(&[ts.as_bytes(), b".x-event-type.invoice.paid.", SEED_BODY]);
    for name in ["hook0", "coinbase-cdp"] {
        let headers = vec![
            header(
                "X-Hook0-Signature",
                &format!("t={ts},v0={v0},h={listed},v1={v1}"),
            ),
            header("X-Event-Type", "invoice.paid"),
            header("Content-Type", " application/json\t"),
            header("X-Event-Id", SEED_ID),
        ];
        push(
            name,
            "listed",
            seed_request(index(name), false, headers, SEED_BODY),
        );
        let headers = vec![
            header(
                "X-Hook0-Signature",
                &format!("v1={one},h=x-event-type,t={ts}"),
            ),
            header("x-event-type", "invoice.paid"),
        ];
        push(
            name,
            "one",
            seed_request(index(name), true, headers, SEED_BODY),
        );
    }
    // Two signatures, one per key.
    for name in ["pagerduty", "mux"] {
        let case = &cases()[index(name)];
        let headers = seed_headers(case, keyring(), SEED_BODY, NOW, &url);
        push(
            name,
            "two",
            seed_request(index(name), true, headers, SEED_BODY),
        );
    }
    out
}

/// SendGrid's single-event known answer (sendgrid-python, -go and -nodejs).
const SENDGRID_VECTORS: &str = include_str!("../../../tests/vectors/sendgrid/vectors.json");
const SENDGRID_PAYLOAD: &[u8] =
    include_bytes!("../../../tests/vectors/sendgrid/dropped_event.json");
/// Two of AWS SNS's notifications (AWS's PHP validator tests): `SignatureVersion` 1 without a
/// `Subject`, 2 with one.
const SNS_NOTIFICATIONS: [(&str, &str); 2] = [
    (
        "sv1",
        include_str!("../../../tests/vectors/aws_sns/notification_sv1.json"),
    ),
    (
        "sv2-subject",
        include_str!("../../../tests/vectors/aws_sns/notification_sv2_subject.json"),
    ),
];
/// PayPal's SDK test delivery.
const PAYPAL_VECTOR: &str = include_str!("../../../tests/vectors/paypal/vector.json");
const PAYPAL_BODY: &[u8] = include_bytes!("../../../tests/vectors/paypal/body.json");
/// Google Pub/Sub's push vectors: ID tokens issued at [`NOW`], and a push body.
const PUBSUB_TOKENS: &str = include_str!("../../../tests/vectors/google_pubsub/tokens.json");
const PUBSUB_BODY: &[u8] = include_bytes!("../../../tests/vectors/google_pubsub/body.json");

/// The seeds of the presets the crate cannot sign for (SendGrid, AWS SNS, PayPal, Google
/// Pub/Sub): the providers' own deliveries, for [`verify`] as sent (refused as stale at [`NOW`])
/// and with their timestamps moved to ten seconds before it, which parse through to the keys
/// (refused there: no key of theirs is held); Pub/Sub's pushes with each token of its vectors,
/// issued at [`NOW`] (refused at the keys, but those naming another algorithm); their signatures
/// (Pub/Sub's whole `Authorization` value) for [`signature_single`]; AWS SNS's bodies for
/// [`body_fields`]. Named `<scheme>-provider-<what>`.
#[must_use]
pub fn provider_seeds() -> Vec<(&'static str, String, Vec<u8>)> {
    let mut out = Vec::new();
    let index = |name: &str| {
        cases()
            .iter()
            .position(|c| c.scheme.name() == name)
            .unwrap_or_default()
    };
    let single_index = |name: &str| {
        let single = cases().iter().filter(|c| is_single(c.layout.syntax));
        #[allow(clippy::cast_possible_truncation, reason = "fewer than 256 schemes")]
        let index = single
            .into_iter()
            .position(|c| c.scheme.name() == name)
            .unwrap_or_default() as u8;
        index
    };
    let Some(now) = model::rfc3339_text(NOW - 10) else {
        panic!("NOW is before 9999");
    };
    let json = |text: &str| -> serde_json::Value {
        match serde_json::from_str(text) {
            Ok(value) => value,
            Err(e) => panic!("a vector is not JSON: {e}"),
        }
    };
    let text = |value: &serde_json::Value, name: &str| -> String {
        match value[name].as_str() {
            Some(text) => text.to_owned(),
            None => panic!("a vector lacks {name}"),
        }
    };
    let header = |n: &str, v: &str| (n.to_owned(), v.as_bytes().to_vec());
    let push_verify = |out: &mut Vec<_>, name: &str, what: &str, request: Request<'_>| {
        out.push((
            "verify",
            format!("{name}-provider-{what}"),
            join_request(&request),
        ));
    };

    // SendGrid: the timestamp header.
    let vectors = json(SENDGRID_VECTORS);
    let sendgrid = &vectors[0];
    let signature = text(sendgrid, "signature");
    for (what, ts, form) in [
        ("as-sent", text(sendgrid, "timestamp"), false),
        ("now", (NOW - 10).to_string(), true),
    ] {
        let headers = vec![
            header(SENDGRID_SIGNATURE, &signature),
            header(SENDGRID_TIMESTAMP, &ts),
        ];
        let request = seed_request(index("sendgrid"), form, headers, SENDGRID_PAYLOAD);
        push_verify(&mut out, "sendgrid", what, request);
    }
    let mut seed = vec![single_index("sendgrid")];
    seed.extend_from_slice(signature.as_bytes());
    out.push(("signature_single", "sendgrid-provider".to_owned(), seed));

    // AWS SNS: the Timestamp member, its fraction kept.
    for (which, body) in SNS_NOTIFICATIONS {
        let sent = text(&json(body), "Timestamp");
        let moved = format!("{}{}", now.trim_end_matches('Z'), &sent[19..]);
        let now_body = body.replacen(&sent, &moved, 1);
        for (what, body) in [("as-sent", body), ("now", now_body.as_str())] {
            let request = seed_request(index("aws-sns"), false, Vec::new(), body.as_bytes());
            push_verify(&mut out, "aws-sns", &format!("{which}-{what}"), request);
        }
        let mut seed = vec![3_u8];
        seed.extend_from_slice(now_body.as_bytes());
        out.push(("body_fields", format!("aws-sns-provider-{which}"), seed));
        let mut seed = vec![single_index("aws-sns")];
        seed.extend_from_slice(text(&json(body), "Signature").as_bytes());
        out.push((
            "signature_single",
            format!("aws-sns-provider-{which}"),
            seed,
        ));
    }
    // AWS SNS bodies the members' reader refuses or decodes: an escape decoding to the same
    // text, a lone surrogate, SignatureVersion a number, a member twice.
    let (_, body) = SNS_NOTIFICATIONS[0];
    let sent = text(&json(body), "Timestamp");
    let moved = format!("{}{}", now.trim_end_matches('Z'), &sent[19..]);
    let body = body.replacen(&sent, &moved, 1);
    for (what, from, to) in [
        ("escape", "Hello world", "Hello\\u0020world"),
        ("surrogate", "Hello world", "Hello \\ud800world"),
        (
            "version-number",
            "\"SignatureVersion\": \"1\"",
            "\"SignatureVersion\": 1",
        ),
        ("type-twice", "{", "{\"Type\": \"Notification\", "),
    ] {
        let mut seed = vec![3_u8];
        seed.extend_from_slice(body.replacen(from, to, 1).as_bytes());
        out.push(("body_fields", format!("aws-sns-provider-{what}"), seed));
    }

    // PayPal: the transmission time header.
    let vector = json(PAYPAL_VECTOR);
    let signature = text(&vector, "transmission_sig");
    for (what, time, form) in [
        ("as-sent", text(&vector, "transmission_time"), true),
        ("now", now.clone(), false),
    ] {
        let headers = vec![
            header("PAYPAL-TRANSMISSION-ID", &text(&vector, "transmission_id")),
            header("PAYPAL-TRANSMISSION-TIME", &time),
            header("PAYPAL-AUTH-ALGO", &text(&vector, "auth_algo")),
            header("PAYPAL-TRANSMISSION-SIG", &signature),
            header("PAYPAL-CERT-URL", &text(&vector, "cert_url")),
        ];
        let request = seed_request(index("paypal"), form, headers, PAYPAL_BODY);
        push_verify(&mut out, "paypal", what, request);
    }
    let mut seed = vec![single_index("paypal")];
    seed.extend_from_slice(signature.as_bytes());
    out.push(("signature_single", "paypal-provider".to_owned(), seed));

    // Google Pub/Sub: the Authorization header, each token of the vectors in turn.
    let vectors = json(PUBSUB_TOKENS);
    assert_eq!(vectors["iat"].as_u64(), Some(NOW));
    let Some(tokens) = vectors["tokens"].as_object() else {
        panic!("the Pub/Sub vectors hold no tokens");
    };
    for (name, token) in tokens {
        let Some(token) = token.as_str() else {
            panic!("the Pub/Sub token {name} is not a string");
        };
        let authorization = format!("Bearer {token}");
        let headers = vec![header("Authorization", &authorization)];
        let form = name == "valid_k2";
        let request = seed_request(index("google-pubsub"), form, headers, PUBSUB_BODY);
        push_verify(&mut out, "google-pubsub", &name.replace('_', "-"), request);
        if name == "valid" {
            let mut seed = vec![single_index("google-pubsub")];
            seed.extend_from_slice(authorization.as_bytes());
            out.push((
                "signature_single",
                "google-pubsub-provider".to_owned(),
                seed,
            ));
        }
    }
    out
}

/// Seed inputs for each target: `(target, name, bytes)`, valid and near-valid requests signed
/// with [`NEW_KEY`] and [`OLD_KEY`] at [`NOW`]. `fuzz/corpus/<target>/seed-<name>` holds each.
#[must_use]
#[allow(clippy::too_many_lines, reason = "one list of seeds per target")]
pub fn seeds() -> Vec<(&'static str, String, Vec<u8>)> {
    let mut out = Vec::new();
    let url = format!("{PUBLIC_URL}{TARGET}");
    for (i, case) in cases().iter().enumerate() {
        if case.layout.alg.is_unheld() {
            continue; // The crate cannot sign for them: see `provider_seeds`.
        }
        let name = case.scheme.name().to_owned();
        for which in ["new", "old"] {
            let body = seed_body(case, which, NOW - 10);
            let keyring = signing_keyring(case.layout.alg, which);
            let headers = seed_headers(case, keyring, &body, NOW - 10, &url);
            for form in [false, true] {
                let seed = join_request(&seed_request(i, form, headers.clone(), &body));
                out.push(("verify", format!("{name}-{which}-{}", u8::from(form)), seed));
            }
            if which != "new" {
                continue;
            }
            let value = match case.layout.signature {
                Source::Header(header, _) => headers
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(header))
                    .map(|(_, v)| v.clone()),
                Source::Member(path) => {
                    model::Json::new(&body).and_then(|json| json.find(path).ok().flatten())
                }
                Source::Param(_) => None,
            };
            let Some(value) = value else {
                continue;
            };
            let target = signature_target(case.layout.syntax);
            let index = cases()
                .iter()
                .filter(|c| signature_target(c.layout.syntax) == target)
                .position(|c| c.scheme.name() == case.scheme.name())
                .unwrap_or_default();
            #[allow(clippy::cast_possible_truncation, reason = "fewer than 256 schemes")]
            let mut seed = vec![index as u8];
            seed.extend_from_slice(&value);
            out.push((target, name.clone(), seed));
        }
    }
    for (name, seed) in extra_seeds() {
        out.push(("verify", name, seed));
    }
    out.extend(provider_seeds());
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
    for (name, selector, text) in [
        ("secs", 0_u8, "1700000000"),
        ("secs-leading-zero", 0, "01700000000"),
        ("millis", 1, "1700000000123"),
        ("millis-max", 1, "18446744073709551615"),
        ("millis-below-a-second", 1, "999"),
        ("rfc3339", 2, "2023-11-14T22:13:20Z"),
        ("rfc3339-fraction", 2, "2021-02-19T23:47:00.8091512Z"),
        ("rfc3339-offset", 2, "2021-02-20T00:47:00+01:00"),
        ("rfc3339-last", 2, "9999-12-31T23:59:59Z"),
        ("rfc3339-leap-day", 2, "2000-02-29T00:00:00Z"),
        ("rfc3339-before-1970-local", 2, "1969-12-31T23:30:00-01:00"),
        ("rfc3339-lowercase", 2, "2023-11-14t22:13:20z"),
    ] {
        let mut seed = vec![selector];
        seed.extend_from_slice(text.as_bytes());
        out.push(("timestamp_format", name.to_owned(), seed));
    }
    let ts = format!("{NOW}000");
    for (name, selector, body) in [
        ("linear", 0_u8, linear_seed(&ts)),
        ("linear-string", 0, linear_seed(&format!("\"{ts}\""))),
        (
            "linear-twice",
            0,
            format!(r#"{{"webhookTimestamp":{ts},"webhookTimestamp":{ts}}}"#).into_bytes(),
        ),
        (
            "linear-nested",
            0,
            format!(r#"{{"a":[{{"b":[1,2,{{}}]}}],"webhookTimestamp":{ts},"c":"\u00e9"}}"#)
                .into_bytes(),
        ),
        // The deepest nesting accepted (a value at depth 64), and one deeper.
        (
            "linear-depth-64",
            0,
            format!(
                r#"{{"webhookTimestamp":{ts},"x":{}1{}}}"#,
                "[".repeat(63),
                "]".repeat(63)
            )
            .into_bytes(),
        ),
        (
            "linear-depth-65",
            0,
            format!(
                r#"{{"webhookTimestamp":{ts},"x":{}1{}}}"#,
                "[".repeat(64),
                "]".repeat(64)
            )
            .into_bytes(),
        ),
        ("mailgun", 1, mailgun_seed(NEW_KEY, &format!("\"{NOW}\""))),
        (
            "mailgun-old",
            1,
            mailgun_seed(OLD_KEY, &format!("\"{NOW}\"")),
        ),
        ("mailgun-number", 1, mailgun_seed(NEW_KEY, &NOW.to_string())),
        ("twilio", 2, FORM.to_vec()),
        ("twilio-repeats", 2, b"&b=2&a=%41+1&&a=%41+1&c".to_vec()),
        ("twilio-bad-escape", 2, b"a=%4g".to_vec()),
    ] {
        let mut seed = vec![selector];
        seed.extend_from_slice(&body);
        out.push(("body_fields", name.to_owned(), seed));
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
pub const TARGETS: [(&str, Target); 10] = [
    ("signature_params", signature_params),
    ("signature_versioned", signature_versioned),
    ("signature_single", signature_single),
    ("timestamp", timestamp),
    ("timestamp_format", timestamp_format),
    ("secret", secret),
    ("idempotency_key", idempotency_key),
    ("verify", verify),
    ("body_fields", body_fields),
    ("sender_input", sender_input),
];

//! Interop with the providers' own SDKs: each SDK verifies deliveries hookseal signed (and
//! refuses them tampered) and, wherever the SDK can sign, hookseal verifies deliveries the SDK
//! signed (and refuses them tampered), over random payloads with non-ASCII text. The schemes
//! signed with the provider's private key, whose SDKs only verify, are signed by an independent
//! implementation instead, and hookseal verifies them (module `public_key`).
//!
//! | SDK | scheme | directions |
//! |---|---|---|
//! | `standardwebhooks` (PyPI) | [`Scheme::standard_webhooks`] | both |
//! | `stripe` (PyPI) | [`Scheme::stripe`] | both |
//! | `slack-sdk` (PyPI) | [`Scheme::slack`] | both |
//! | `@octokit/webhooks-methods` (npm) | [`Scheme::github`] | both |
//! | `twilio` (PyPI), form parameters | [`Scheme::twilio`] | both |
//! | `twilio` (PyPI), JSON body bound by `bodySHA256` | [`Scheme::twilio`] | both |
//! | `squareup` (PyPI) | [`Scheme::square`] | hookseal → SDK |
//! | `hubspot-api-client` (PyPI), v3 signatures | [`Scheme::hubspot`] | both |
//! | `workos` (PyPI) | [`Scheme::workos`] | hookseal → SDK |
//! | `coinbase-commerce` (PyPI) | [`Scheme::coinbase_commerce`] | both¹ |
//! | `razorpay` (PyPI) | [`Scheme::razorpay`] | hookseal → SDK |
//! | `discord-interactions` (PyPI) | [`Scheme::discord`]² | hookseal → SDK |
//! | `telnyx` (PyPI) | [`Scheme::telnyx`]² | hookseal → SDK |
//! | `svix` (PyPI) | [`Scheme::clerk`], [`Scheme::resend`] | both |
//! | `@linear/sdk` (npm) | [`Scheme::linear`] | hookseal → SDK |
//! | `@mux/mux-node` (npm) | [`Scheme::mux`] | hookseal → SDK |
//! | `cryptography` (PyPI), signer³ | [`Scheme::sendgrid`]⁴ | signer → hookseal |
//! | `cryptography` (PyPI), signer³ | [`Scheme::aws_sns`]⁵ | signer → hookseal |
//! | `cryptography` (PyPI), signer³ | [`Scheme::paypal`]⁵ | signer → hookseal |
//! | `cryptography` (PyPI), signer³ | [`Scheme::google_pubsub`]⁵ | signer → hookseal |
//!
//! "hookseal → SDK": the SDK only verifies, it has no signing function. ¹ The SDK signs with
//! its private `_compute_signature` (the header value is its output as is). ² Feature
//! `ed25519`. ³ Not the provider's SDK, which only verifies and hookseal cannot sign for (it
//! holds no private keys): `tests/interop/public_key.py` signs as the provider documents, with
//! Python's `cryptography`, over keys, self-signed certificates and key sets it generates;
//! "signer → hookseal" is the one direction. ⁴ Feature `p256`. ⁵ Feature `x509`.
//!
//! The versions are pinned in `tests/interop/requirements.txt` and
//! `tests/interop/npm-packages.txt`. What each case varies beyond the payload:
//!
//! - Schemes that sign the URL (Twilio, Square, HubSpot) are sent to a random URL with a query,
//!   and the receiver knows its public URL with a path prefix a proxy strips. Twilio's sender
//!   and receiver each write `https://example.com` with or without `:443`, independently (both
//!   sides try both spellings); HubSpot's method is random too.
//! - Twilio's forms have random parameters, repeated names and repeated pairs, non-ASCII names
//!   and values, and random percent-encoding; its JSON bodies are bound by the URL's
//!   `bodySHA256`, which the SDK must compute alike.
//! - Linear's bodies are JSON objects with the signed `webhookTimestamp` in milliseconds among
//!   other members in random order, random escapes, and a decoy `webhookTimestamp` nested deeper.
//! - HubSpot's SDK signs timestamps with a random millisecond part.
//! - Discord and Telnyx get hookseal's Ed25519 public key as they take it (hex, base64), and
//!   hookseal reads that same text back with [`Scheme::parse_key`].
//! - The SDKs that read the clock in a way a driver can set (Linear, Mux, WorkOS, Telnyx) are set
//!   to the case's time.
//! - The public-key schemes' cases are at random times from 2001 to 2099, on RSA keys of 2048
//!   and 3072 bits and P-256 keys; AWS SNS's and PayPal's certificates are verified pinned and
//!   fetched through a `KeyCache`, and AWS SNS's messages cover its three types, both
//!   signature versions and JSON written with `\u` escapes only or in UTF-8 (`public_key`).
//! - Google Pub/Sub's cases each have a key set of one to three RSA keys under random ids,
//!   served through a `KeyCache`; the ID token's header and claims are written with members in
//!   random order, random whitespace and a claim of random text (`\u` escapes or UTF-8); the
//!   receiver knows its audience as its public URL and a random request target (URLs with
//!   percent-encoded non-ASCII paths and queries) or as set on the subscription, and is
//!   checked at a random time in the token's hour (`public_key`).
//!
//! The SDKs (and `cryptography`) live outside the crate, so these tests are ignored by a plain
//! `cargo test`. `bash .ci/test` installs them under `target/interop` (`.ci/test-deps`), sets
//! `HOOKSEAL_INTEROP_PYTHON` and `HOOKSEAL_INTEROP_NODE`, and runs them.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use hookseal::{
    Key, Keyring, RequestView, Scheme, Secret, Signer, Timestamp, TimestampFormat, Verifier,
    VerifyError,
};
use sha2::{Digest as _, Sha256};

/// Cases per SDK and direction.
const CASES: usize = 64;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Sdk {
    StandardWebhooks,
    Stripe,
    Slack,
    Octokit,
    TwilioForm,
    TwilioJson,
    Square,
    HubSpot,
    WorkOs,
    CoinbaseCommerce,
    Razorpay,
    #[cfg(feature = "ed25519")]
    Discord,
    #[cfg(feature = "ed25519")]
    Telnyx,
    Clerk,
    Resend,
    Linear,
    Mux,
}

/// What the tests need to know of one SDK.
struct Spec {
    /// The driver's name for it.
    name: &'static str,
    scheme: Scheme,
    runtime: Runtime,
    /// Whether the SDK signs: only then does hookseal verify what it signed.
    signs: bool,
    /// Whether hookseal signs as during a rotation where the format carries several signatures:
    /// first with a key the SDK does not hold.
    rotation: bool,
    key: KeyKind,
    url: UrlKind,
    /// The methods a request may have (random among them).
    methods: &'static [&'static str],
    body: BodyKind,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Runtime {
    Python,
    Node,
}

/// How the provider writes its keys.
#[derive(Clone, Copy)]
enum KeyKind {
    /// `whsec_` and the base64 of random bytes, the padding sometimes dropped.
    Whsec,
    /// `prefix` and `len` characters of `alphabet`.
    Text {
        prefix: &'static str,
        alphabet: &'static [u8],
        len: usize,
    },
    /// A UUID in lowercase.
    Uuid,
    /// Chosen by a person: any text, spaces and non-ASCII included.
    Chosen,
    /// An Ed25519 key pair: hookseal signs with a `whsk_` key, the SDK holds the public key in
    /// hex (`true`, Discord) or base64 (Telnyx).
    #[cfg(feature = "ed25519")]
    Ed25519 { hex: bool },
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum UrlKind {
    /// Not signed.
    None,
    /// Signed as written: both sides write the same base URL.
    Exact,
    /// Signed with or without the port: each side writes `:443` or not, independently.
    EitherPort,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum BodyKind {
    /// Random text.
    Text,
    /// Random text, its SHA-256 in the URL's `bodySHA256` (Twilio's JSON bodies).
    Digested,
    /// An `application/x-www-form-urlencoded` form (Twilio).
    Form,
    /// A JSON object carrying `webhookTimestamp` (Linear).
    Linear,
}

const HEX: &[u8] = b"0123456789abcdef";
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const BASE64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const TYPED: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&()*+,-./:;<=>?@[]^_{|}~";

impl Sdk {
    fn spec(self) -> Spec {
        let (name, scheme, key) = match self {
            Self::StandardWebhooks => (
                "standardwebhooks",
                Scheme::standard_webhooks(),
                KeyKind::Whsec,
            ),
            Self::Stripe => ("stripe", Scheme::stripe(), text("whsec_", ALNUM, 32)),
            Self::Slack => ("slack", Scheme::slack(), text("", HEX, 32)),
            Self::Octokit => ("octokit", Scheme::github(), KeyKind::Chosen),
            Self::TwilioForm => ("twilio-form", Scheme::twilio(), text("", HEX, 32)),
            Self::TwilioJson => ("twilio-json", Scheme::twilio(), text("", HEX, 32)),
            Self::Square => ("square", Scheme::square(), text("", BASE64URL, 22)),
            Self::HubSpot => ("hubspot", Scheme::hubspot(), KeyKind::Uuid),
            Self::WorkOs => ("workos", Scheme::workos(), text("", ALNUM, 25)),
            Self::CoinbaseCommerce => (
                "coinbase-commerce",
                Scheme::coinbase_commerce(),
                KeyKind::Uuid,
            ),
            Self::Razorpay => ("razorpay", Scheme::razorpay(), text("", TYPED, 20)),
            #[cfg(feature = "ed25519")]
            Self::Discord => ("discord", Scheme::discord(), KeyKind::Ed25519 { hex: true }),
            #[cfg(feature = "ed25519")]
            Self::Telnyx => ("telnyx", Scheme::telnyx(), KeyKind::Ed25519 { hex: false }),
            Self::Clerk => ("clerk", Scheme::clerk(), KeyKind::Whsec),
            Self::Resend => ("resend", Scheme::resend(), KeyKind::Whsec),
            Self::Linear => ("linear", Scheme::linear(), text("lin_wh_", ALNUM, 32)),
            Self::Mux => ("mux", Scheme::mux(), text("", ALNUM, 32)),
        };
        let signs = matches!(
            self,
            Self::StandardWebhooks
                | Self::Stripe
                | Self::Slack
                | Self::Octokit
                | Self::TwilioForm
                | Self::TwilioJson
                | Self::HubSpot
                | Self::CoinbaseCommerce
                | Self::Clerk
                | Self::Resend
        );
        // WorkOS sends one signature and its SDK reads exactly one (`t=…, v1=…`), but
        // `Scheme::workos()` allows 8 and so signs once per key: sign with its one key until the
        // preset is limited to one signature.
        let rotation = self != Self::WorkOs;
        let runtime = match self {
            Self::Octokit | Self::Linear | Self::Mux => Runtime::Node,
            _ => Runtime::Python,
        };
        let url = match self {
            Self::TwilioForm | Self::TwilioJson => UrlKind::EitherPort,
            Self::Square | Self::HubSpot => UrlKind::Exact,
            _ => UrlKind::None,
        };
        let methods: &[&str] = match self {
            Self::HubSpot => &["POST", "GET", "PUT", "PATCH"],
            _ => &["POST"],
        };
        let body = match self {
            Self::TwilioForm => BodyKind::Form,
            Self::TwilioJson => BodyKind::Digested,
            Self::Linear => BodyKind::Linear,
            _ => BodyKind::Text,
        };
        assert_eq!(url != UrlKind::None, scheme.signs_url(), "{name}");
        Spec {
            name,
            scheme,
            runtime,
            signs,
            rotation,
            key,
            url,
            methods,
            body,
        }
    }
}

fn text(prefix: &'static str, alphabet: &'static [u8], len: usize) -> KeyKind {
    KeyKind::Text {
        prefix,
        alphabet,
        len,
    }
}

/// A key as the SDK holds it and as hookseal signs with it: the same text for a shared secret;
/// the public key and the signing key for Ed25519.
struct Keys {
    sdk: String,
    hookseal: String,
}

impl KeyKind {
    fn generate(self, rng: &mut Rng) -> Keys {
        let text = match self {
            Self::Whsec => {
                let bytes: Vec<u8> = (0..rng.range(24, 64)).map(|_| rng.byte()).collect();
                let text = base64::engine::general_purpose::STANDARD.encode(bytes);
                // The SDKs accept a secret whose base64 padding was dropped.
                if rng.range(0, 1) == 0 {
                    format!("whsec_{}", text.trim_end_matches('='))
                } else {
                    format!("whsec_{text}")
                }
            }
            Self::Text {
                prefix,
                alphabet,
                len,
            } => loop {
                let text = format!("{prefix}{}", rng.pick_chars(alphabet, len));
                // A text whose first `,` or `=` follows a short label reads as a pasted signature
                // entry (`t=…`, `v1,…`, `h1=…`), which the crate refuses by design
                // (`SecretError::LooksLikeSignature`): not a secret to draw.
                let label = text.split([',', '=']).next().unwrap_or_default();
                if label.len() == text.len()
                    || label.len() > 6
                    || !label.bytes().all(|b| b.is_ascii_alphanumeric())
                {
                    break text;
                }
            },
            Self::Uuid => [8, 4, 4, 4, 12].map(|n| rng.pick_chars(HEX, n)).join("-"),
            Self::Chosen => {
                let mut s = rng.alphanumeric(8);
                s.push_str(" ünïcödé 🔑 ");
                let n = rng.range(8, 24);
                s.push_str(&rng.alphanumeric(n));
                s
            }
            #[cfg(feature = "ed25519")]
            Self::Ed25519 { hex: as_hex } => {
                let (key, signing) = hookseal::Ed25519SigningKey::generate().unwrap();
                let whpk = key.public_key().to_whpk();
                let base64 = whpk.strip_prefix("whpk_").unwrap();
                let sdk = if as_hex {
                    let raw = base64::engine::general_purpose::STANDARD
                        .decode(base64)
                        .unwrap();
                    hex(&raw)
                } else {
                    base64.to_owned()
                };
                return Keys {
                    sdk,
                    hookseal: signing.expose_secret().to_owned(),
                };
            }
        };
        Keys {
            sdk: text.clone(),
            hookseal: text,
        }
    }
}

/// A small deterministic generator (SplitMix64), seeded from the OS and printed, so a failing run
/// can be replayed with `HOOKSEAL_INTEROP_SEED`.
struct Rng(u64);

impl Rng {
    fn new() -> Self {
        let seed = std::env::var("HOOKSEAL_INTEROP_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                let mut b = [0_u8; 8];
                getrandom::fill(&mut b).unwrap();
                u64::from_le_bytes(b)
            });
        eprintln!("interop seed: {seed} (set HOOKSEAL_INTEROP_SEED to replay)");
        Self(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo + 1) as u64) as usize
    }

    fn coin(&mut self) -> bool {
        self.range(0, 1) == 0
    }

    fn byte(&mut self) -> u8 {
        self.next().to_le_bytes()[0]
    }

    fn pick<'a, T: ?Sized>(&mut self, items: &[&'a T]) -> &'a T {
        items[self.range(0, items.len() - 1)]
    }

    fn pick_chars(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| char::from(alphabet[self.range(0, alphabet.len() - 1)]))
            .collect()
    }

    fn alphanumeric(&mut self, n: usize) -> String {
        self.pick_chars(ALNUM, n)
    }

    /// Random text: JSON punctuation, escapes, whitespace, accents, CJK, right-to-left script,
    /// combining marks, a byte-order mark, emoji.
    fn payload(&mut self) -> String {
        let n = self.range(1, 300);
        self.text_of(n)
    }

    fn text_of(&mut self, pieces: usize) -> String {
        const PIECES: &[&str] = &[
            "{",
            "}",
            "\"",
            "\\",
            ":",
            ",",
            "[",
            "]",
            " ",
            "\n",
            "\t",
            "\r\n",
            "a",
            "Z",
            "0",
            "9",
            ".",
            "é",
            "ß",
            "Ω",
            "中",
            "文",
            "ا",
            "ש",
            "\u{301}",
            "\u{feff}",
            "\u{0}",
            "😀",
            "🦀",
            "👩‍💻",
            "\u{10ffff}",
            "\\u001b",
            "event",
            "id",
        ];
        let mut s = String::new();
        for _ in 0..pieces {
            s.push_str(self.pick(PIECES));
        }
        s
    }

    /// A form as Twilio posts it: parameters with repeated names (and now and then a repeated
    /// pair), names and values with spaces, `+`, `&`, `=`, `%` and non-ASCII text, each byte
    /// that may be escaped escaped at random, in either case of hex.
    fn form(&mut self) -> String {
        const NAMES: &[&str] = &[
            "Body",
            "From",
            "To",
            "AccountSid",
            "MessageSid",
            "NumMedia",
            "MediaUrl0",
            "Digits",
            "a",
            "B",
            "b",
            "a b",
            "x+y",
            "k=v&w",
            "100%",
            "Ünïcödé",
            "名前",
            "🦀",
        ];
        const VALUES: &[&str] = &[
            "+14158675309",
            "SM1234567890abcdef",
            "hello world",
            "a+b=c&d",
            "100%",
            "é",
            "ß",
            "中文",
            "ש",
            "\u{301}",
            "😀",
            "👩‍💻",
            "\u{0}",
            "\n",
            "\t",
            "",
            "0",
            "9",
            "~",
            "*",
        ];
        let mut pairs: Vec<(String, String)> = Vec::new();
        for _ in 0..self.range(0, 12) {
            let pair = match self.range(0, 5) {
                0 if !pairs.is_empty() => pairs[self.range(0, pairs.len() - 1)].clone(),
                1 if !pairs.is_empty() => {
                    let name = pairs[self.range(0, pairs.len() - 1)].0.clone();
                    (name, self.form_value(VALUES))
                }
                _ => (self.pick(NAMES).to_owned(), self.form_value(VALUES)),
            };
            pairs.push(pair);
        }
        pairs
            .iter()
            .map(|(n, v)| format!("{}={}", self.form_encode(n), self.form_encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    fn form_value(&mut self, pieces: &[&str]) -> String {
        (0..self.range(0, 4)).map(|_| self.pick(pieces)).collect()
    }

    fn form_encode(&mut self, text: &str) -> String {
        let mut out = String::new();
        for b in text.bytes() {
            let unreserved = b.is_ascii_alphanumeric() || b"-._~".contains(&b);
            if unreserved && self.range(0, 7) != 0 {
                out.push(char::from(b));
            } else if b == b' ' && self.coin() {
                out.push('+');
            } else if self.coin() {
                write!(out, "%{b:02X}").unwrap();
            } else {
                write!(out, "%{b:02x}").unwrap();
            }
        }
        out
    }

    /// A Linear delivery: a JSON object with `webhookTimestamp` (`now_ms`) among other members,
    /// in random order with random whitespace; a comment body of random text with random
    /// escapes; now and then a decoy `webhookTimestamp` inside `data`.
    fn linear_body(&mut self, now_ms: u64) -> String {
        let n = self.range(0, 60);
        let comment = self.text_of(n);
        let comment = self.json_string(&comment);
        let decoy = if self.coin() {
            format!(",\"webhookTimestamp\":{}", self.range(0, 1 << 40))
        } else {
            String::new()
        };
        let id = self.alphanumeric(12);
        let mut members = [
            (
                "action",
                format!("\"{}\"", self.pick(&["create", "update", "remove"])),
            ),
            ("type", "\"Comment\"".to_owned()),
            (
                "data",
                format!("{{\"id\":\"{id}\",\"body\":\"{comment}\"{decoy}}}"),
            ),
            (
                "url",
                format!("\"https:\\/\\/linear.app\\/hookseal\\/issue\\/{id}\""),
            ),
            ("webhookTimestamp", now_ms.to_string()),
            ("webhookId", format!("\"{}\"", self.alphanumeric(16))),
        ];
        for i in (1..members.len()).rev() {
            members.swap(i, self.range(0, i));
        }
        let space = |rng: &mut Self| rng.pick(&["", "", " ", "\n  ", "\t"]).to_owned();
        let mut body = space(self);
        body.push('{');
        for (i, (name, value)) in members.iter().enumerate() {
            if i > 0 {
                body.push(',');
            }
            let (a, b, c) = (space(self), space(self), space(self));
            write!(body, "{a}\"{name}\"{b}:{c}{value}").unwrap();
        }
        body.push_str(&space(self));
        body.push('}');
        body.push_str(&space(self));
        body
    }

    /// `text` as the inside of a JSON string, non-ASCII characters and `/` escaped at random.
    fn json_string(&mut self, text: &str) -> String {
        let mut out = String::new();
        for ch in text.chars() {
            match ch {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if u32::from(c) < 0x20 => write!(out, "\\u{:04x}", u32::from(c)).unwrap(),
                '/' if self.coin() => out.push_str("\\/"),
                c if !c.is_ascii() && self.coin() => {
                    let mut units = [0_u16; 2];
                    for unit in c.encode_utf16(&mut units) {
                        if self.coin() {
                            write!(out, "\\u{unit:04x}").unwrap();
                        } else {
                            write!(out, "\\u{unit:04X}").unwrap();
                        }
                    }
                }
                c => out.push(c),
            }
        }
        out
    }
}

fn env_path(name: &str) -> PathBuf {
    std::env::var_os(name)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            panic!("{name} is not set: run `bash .ci/test`, which installs the SDKs and sets it")
        })
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        write!(s, "{b:02x}").unwrap();
    }
    s
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// Runs the SDK's driver in `mode` over `lines` and returns one output line per input line.
fn run_driver(spec: &Spec, mode: &str, lines: &[Vec<String>]) -> Vec<String> {
    let scripts = scripts();
    let command = match spec.runtime {
        // Every npm SDK is driven by this one file (the name is its first SDK's).
        Runtime::Node => {
            let mut command = Command::new("node");
            command
                .arg(scripts.join("sdks.mjs"))
                .env("HOOKSEAL_INTEROP_NODE", env_path("HOOKSEAL_INTEROP_NODE"));
            command
        }
        Runtime::Python => {
            let mut command = Command::new(env_path("HOOKSEAL_INTEROP_PYTHON"));
            command.arg(scripts.join("sdks.py"));
            command
        }
    };
    run_lines(command, spec.name, mode, lines)
}

/// The folder of the drivers.
fn scripts() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/interop")
}

/// Runs a driver (`command`, its script named) in `mode` over `lines`, each field hex-encoded
/// and tab-separated in a file whose path follows the mode, and returns one output line per
/// input line. `name` names the driver in the file's name and in a failure.
fn run_lines(mut command: Command, name: &str, mode: &str, lines: &[Vec<String>]) -> Vec<String> {
    let input: String = lines
        .iter()
        .map(|fields| {
            let mut line = fields
                .iter()
                .map(|f| hex(f.as_bytes()))
                .collect::<Vec<_>>()
                .join("\t");
            line.push('\n');
            line
        })
        .collect();
    let path = std::env::temp_dir().join(format!(
        "hookseal-interop-{}-{name}-{mode}",
        std::process::id(),
    ));
    std::fs::write(&path, input).unwrap();
    let output = command.arg(mode).arg(&path).output().unwrap();
    std::fs::remove_file(&path).unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        output.status.success(),
        "{name} driver failed: {}\n{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    let out: Vec<String> = stdout.lines().map(str::to_owned).collect();
    assert_eq!(out.len(), lines.len(), "one answer per case");
    out
}

/// One delivery: its key, id and body, the same body tampered with, and its request.
struct Case {
    keys: Keys,
    id: String,
    payload: String,
    /// The payload changed so that the signature no longer covers it, and still well-formed
    /// where the scheme reads the body (a form, a JSON object).
    tampered: String,
    method: &'static str,
    /// The scheme and authority the sender signs.
    sent_base: String,
    /// The scheme and authority the receiver knows itself by.
    received_base: String,
    /// A path prefix that a proxy strips before the request reaches the receiver.
    prefix: &'static str,
    /// The request's target (path and query) as the receiver gets it.
    target: String,
    /// The case's time in milliseconds (within the second hookseal stamps): what the SDKs' clocks
    /// are set to, Linear's `webhookTimestamp`, HubSpot's SDK's stamp.
    now_ms: u64,
}

impl Case {
    fn sent_url(&self) -> String {
        format!("{}{}{}", self.sent_base, self.prefix, self.target)
    }

    fn received_url(&self) -> String {
        format!("{}{}{}", self.received_base, self.prefix, self.target)
    }

    fn public_url(&self) -> String {
        format!("{}{}", self.received_base, self.prefix)
    }

    /// The driver's input line for this case.
    fn fields(&self, spec: &Spec, ts: &str, url: String, signature: Option<String>) -> Vec<String> {
        let mut fields = vec![
            spec.name.to_owned(),
            self.keys.sdk.clone(),
            self.id.clone(),
            ts.to_owned(),
            self.now_ms.to_string(),
            self.method.to_owned(),
            url,
            self.payload.clone(),
            self.tampered.clone(),
        ];
        fields.extend(signature);
        fields
    }
}

fn cases(spec: &Spec, ts: u64, rng: &mut Rng) -> Vec<Case> {
    (0..CASES)
        .map(|_| {
            let now_ms = ts * 1000 + rng.range(0, 999) as u64;
            let payload = match spec.body {
                BodyKind::Text | BodyKind::Digested => rng.payload(),
                BodyKind::Form => rng.form(),
                BodyKind::Linear => rng.linear_body(now_ms),
            };
            let tampered = match spec.body {
                // A parameter no form here has.
                BodyKind::Form => format!("{payload}&Tampered=1"),
                // A member more, so the body is still one object with its timestamp.
                BodyKind::Linear => payload.replacen('{', "{\"tampered\":true,", 1),
                BodyKind::Text | BodyKind::Digested => format!("{payload}x"),
            };
            let base = |rng: &mut Rng| {
                rng.pick(&["https://example.com", "https://example.com:443"])
                    .to_owned()
            };
            let (sent_base, received_base, prefix, target) = match spec.url {
                UrlKind::None => (base(rng), base(rng), "", "/hook".to_owned()),
                UrlKind::Exact | UrlKind::EitherPort => {
                    let sent = base(rng);
                    let received = match spec.url {
                        UrlKind::EitherPort => base(rng),
                        _ => sent.clone(),
                    };
                    let prefix = rng.pick(&["", "/api", "/in/v2"]);
                    let target =
                        rng.target((spec.body == BodyKind::Digested).then_some(payload.as_bytes()));
                    (sent, received, prefix, target)
                }
            };
            Case {
                keys: spec.key.generate(rng),
                id: format!("msg_{}", rng.alphanumeric(27)),
                method: rng.pick(spec.methods),
                payload,
                tampered,
                sent_base,
                received_base,
                prefix,
                target,
                now_ms,
            }
        })
        .collect()
}

impl Rng {
    /// A request target: a path and a random query, with `bodySHA256=<hex>` of `digested` among
    /// its parameters when given.
    fn target(&mut self, digested: Option<&[u8]>) -> String {
        let mut target = self
            .pick(&["/hook", "/twilio/sms", "/webhooks/in"])
            .to_owned();
        let mut query: Vec<String> = (0..self.range(0, 3))
            .map(|_| {
                let name = self.pick(&["foo", "bar", "account", "q"]);
                let value = match self.range(0, 4) {
                    0 => "a%20b".to_owned(),
                    1 => "caf%C3%A9".to_owned(),
                    2 => "1+2".to_owned(),
                    3 => "x-y_z.~".to_owned(),
                    _ => self.alphanumeric(6),
                };
                format!("{name}={value}")
            })
            .collect();
        if let Some(body) = digested {
            let at = self.range(0, query.len());
            query.insert(at, format!("bodySHA256={}", hex(&Sha256::digest(body))));
        }
        if !query.is_empty() {
            target.push('?');
            target.push_str(&query.join("&"));
        }
        target
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The keyring hookseal signs with: the SDK's key and, where the format carries several
/// signatures, first a key the SDK does not hold, as during a rotation.
fn sending_keys(spec: &Spec, text: &str) -> Keyring {
    let shared = spec.scheme.parse_key("shared", text).unwrap();
    if spec.rotation && spec.scheme.max_signatures() > 1 {
        let other = Key::new("new", Secret::generate().unwrap().into_secret()).unwrap();
        Keyring::new(other).unwrap().with_key(shared).unwrap()
    } else {
        Keyring::new(shared).unwrap()
    }
}

/// hookseal, holding the key as the SDK does and knowing its public URL, verifies `signature`
/// over the case's request and refuses it over the tampered payload.
fn hookseal_verifies(spec: &Spec, case: &Case, signature: &str, ts: &str, now: u64, what: &str) {
    let scheme = &spec.scheme;
    let mut headers = vec![(
        scheme.signature_header().unwrap().to_owned(),
        signature.to_owned(),
    )];
    if let Some(name) = scheme.timestamp_header() {
        headers.push((name.to_owned(), ts.to_owned()));
    }
    if scheme.id_is_signed() {
        headers.push((scheme.id_header().unwrap().to_owned(), case.id.clone()));
    }
    let key = scheme.parse_key("sdk", &case.keys.sdk).unwrap();
    let verifier = Verifier::new(scheme.clone(), Keyring::new(key).unwrap())
        .with_public_url(&case.public_url())
        .unwrap();
    let request = RequestView::new(case.method, &case.target, &headers);
    let now = Timestamp::from_unix_secs(now);
    let verified = verifier
        .verify_at(&request, case.payload.as_bytes(), now)
        .unwrap_or_else(|e| {
            panic!(
                "hookseal refused {what} ({e}): {} {} (public URL {}), payload {:?}",
                case.method,
                case.target,
                case.public_url(),
                case.payload
            )
        });
    assert_eq!(verified.body(), case.payload.as_bytes());
    assert_eq!(
        verifier
            .verify_at(&request, case.tampered.as_bytes(), now)
            .unwrap_err(),
        VerifyError::NoMatchingSignature,
        "{what}: tampered {:?}",
        case.tampered
    );
}

/// hookseal signs; the SDK verifies, and refuses the tampered payload. hookseal also verifies
/// its own delivery with the key written as the SDK holds it.
fn sdk_verifies_hookseal(sdk: Sdk) {
    let spec = sdk.spec();
    let scheme = &spec.scheme;
    let mut rng = Rng::new();
    let ts = now();
    let cases = cases(&spec, ts, &mut rng);
    let mut lines = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let signed = Signer::new(scheme.clone(), sending_keys(&spec, &case.keys.hookseal))
            .sign_request_at(
                case.method,
                &case.sent_url(),
                Some(case.id.as_str()),
                case.payload.as_bytes(),
                Timestamp::from_unix_secs(ts),
            )
            .unwrap();
        let signature = signed
            .get(scheme.signature_header().unwrap())
            .unwrap()
            .to_owned();
        let ts_text = scheme
            .timestamp_header()
            .and_then(|name| signed.get(name))
            .map_or_else(|| ts.to_string(), str::to_owned);
        let what = format!("its own {} case {i}", spec.name);
        hookseal_verifies(&spec, case, &signature, &ts_text, ts, &what);
        lines.push(case.fields(&spec, &ts_text, case.received_url(), Some(signature)));
    }
    let answers = run_driver(&spec, "verify", &lines);
    for (i, answer) in answers.iter().enumerate() {
        let case = &cases[i];
        assert_eq!(
            answer,
            "ok",
            "{} on hookseal's case {i}: {} {} (sent to {}), payload {:?}",
            spec.name,
            case.method,
            case.received_url(),
            case.sent_url(),
            case.payload
        );
    }
}

/// The SDK signs; hookseal verifies, and refuses the tampered payload.
fn hookseal_verifies_sdk(sdk: Sdk) {
    let spec = sdk.spec();
    let mut rng = Rng::new();
    let ts = now();
    let cases = cases(&spec, ts, &mut rng);
    // The SDK stamps the time as its provider writes it, milliseconds to the millisecond.
    let stamps: Vec<String> = cases
        .iter()
        .map(|c| match spec.scheme.timestamp_format() {
            TimestampFormat::UnixMillis => c.now_ms.to_string(),
            _ => ts.to_string(),
        })
        .collect();
    let lines: Vec<Vec<String>> = cases
        .iter()
        .zip(&stamps)
        .map(|(c, stamp)| c.fields(&spec, stamp, c.sent_url(), None))
        .collect();
    let answers = run_driver(&spec, "sign", &lines);
    for (i, ((case, answer), stamp)) in cases.iter().zip(&answers).zip(&stamps).enumerate() {
        let value = String::from_utf8(unhex(answer)).unwrap();
        let what = format!("{}'s case {i}", spec.name);
        hookseal_verifies(&spec, case, &value, stamp, ts, &what);
    }
}

/// Both directions where the SDK signs; hookseal to the SDK where it only verifies.
fn interop(sdk: Sdk) {
    sdk_verifies_hookseal(sdk);
    if sdk.spec().signs {
        hookseal_verifies_sdk(sdk);
    }
}

macro_rules! interop_tests {
    ($($(#[$attr:meta])* $test:ident: $sdk:expr;)*) => {$(
        #[test]
        #[ignore = "needs the providers' SDKs; `bash .ci/test` installs them and runs this"]
        $(#[$attr])*
        fn $test() {
            interop($sdk);
        }
    )*};
}

interop_tests! {
    standard_webhooks_python_sdk: Sdk::StandardWebhooks;
    stripe_python_sdk: Sdk::Stripe;
    slack_python_sdk: Sdk::Slack;
    octokit_node_sdk: Sdk::Octokit;
    twilio_python_sdk_form: Sdk::TwilioForm;
    twilio_python_sdk_json: Sdk::TwilioJson;
    square_python_sdk: Sdk::Square;
    hubspot_python_sdk: Sdk::HubSpot;
    workos_python_sdk: Sdk::WorkOs;
    coinbase_commerce_python_sdk: Sdk::CoinbaseCommerce;
    razorpay_python_sdk: Sdk::Razorpay;
    #[cfg(feature = "ed25519")]
    discord_python_sdk: Sdk::Discord;
    #[cfg(feature = "ed25519")]
    telnyx_python_sdk: Sdk::Telnyx;
    clerk_svix_python_sdk: Sdk::Clerk;
    resend_svix_python_sdk: Sdk::Resend;
    linear_node_sdk: Sdk::Linear;
    mux_node_sdk: Sdk::Mux;
}

/// The public-key schemes (SendGrid, AWS SNS, PayPal, Google Pub/Sub), signed by an independent
/// implementation (`tests/interop/public_key.py`), verified by hookseal.
#[cfg(any(feature = "p256", feature = "x509"))]
#[path = "interop/public_key.rs"]
mod public_key;

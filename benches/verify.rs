//! Verify, against the MAC it cannot avoid, in every HMAC preset; and sign in three schemes.
//!
//! Each request is built by the test kit (`hookseal::test_kit::SignedRequest`) and carries, next
//! to the scheme's own headers, the 14 headers a request through a proxy typically has, so
//! reading the scheme's headers costs what it costs in a receiver. Each verification is measured
//! next to, in the same run:
//!
//! - `raw_hmac`: a one-shot HMAC (`hmac` + `sha2`/`sha1`: key setup, update, finalize) of the
//!   same signed bytes — what a hand-written verifier pays at least;
//! - `keyed_hmac`: the MAC of those bytes from a pre-keyed state (clone, update, finalize) —
//!   the floor of any verifier that keeps its keys ready, as hookseal does;
//! - `by_hand` (Standard Webhooks, Stripe and GitHub, at 64 B and 1 KiB): only what every
//!   verification of the scheme must do, written directly on `http`, `base64`/`hex`, `hmac` and
//!   `subtle` — read the scheme's headers from the same `HeaderMap`, decode the signature, the
//!   MAC from the pre-keyed state, one constant-time compare — and nothing else (no bounds, no
//!   window, no keyring, no error for a malformed request: the request is known good).
//!
//! Every HMAC preset at 64 B and 1 KiB; Standard Webhooks, Stripe and GitHub from 64 B to
//! 1 MiB.
//!
//! `cargo bench --features test-util --bench verify`

#![allow(clippy::expect_used, clippy::cast_possible_truncation)]

use std::hint::black_box;
use std::time::Duration;

use bytes::Bytes;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hmac::{Hmac, KeyInit as _, Mac as _};
use sha1::Sha1;
use sha2::Sha256;

use hookseal::scheme::Algorithm;
use hookseal::test_kit::SignedRequest;
use hookseal::{Keyring, Scheme, Secret, Signer, Timestamp, Verifier};

const SIZES: [usize; 5] = [64, 256, 1024, 16 * 1024, 1 << 20];
const SHORT: [usize; 2] = [64, 1024];
const NOW: u64 = 1_700_000_000;
const KEY: [u8; 32] = [0x42; 32];
const ID: &str = "msg_2LJmU5kBXGpmSUBNdqBb7BSp4aF";

/// What a request carries besides the scheme's headers, after a load balancer and a proxy.
const TYPICAL_HEADERS: [(&str, &str); 14] = [
    ("host", "hooks.example.com"),
    (
        "user-agent",
        "Provider-Webhooks/1.0 (+https://provider.example/webhooks)",
    ),
    ("accept", "*/*"),
    ("accept-encoding", "gzip, deflate, br"),
    ("content-type", "application/json; charset=utf-8"),
    ("x-forwarded-for", "203.0.113.7, 198.51.100.2"),
    ("x-forwarded-proto", "https"),
    ("x-forwarded-host", "hooks.example.com"),
    ("x-real-ip", "203.0.113.7"),
    ("x-request-id", "6f1c0d0e-6f6b-4b8e-9c1a-5d2f0e7b9a31"),
    (
        "traceparent",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    ),
    ("via", "1.1 proxy.example.net"),
    ("connection", "keep-alive"),
    ("cdn-loop", "cloudflare"),
];

fn keyring() -> Keyring {
    Keyring::single(Secret::from_bytes(KEY).expect("32-byte key"))
}

/// A body of about `size` bytes the scheme can sign: a form for Twilio, a JSON object for the
/// others (some read members of it).
fn body(scheme: &Scheme, size: usize) -> Vec<u8> {
    let (head, tail) = match scheme.name() {
        "twilio" => ("Body=", ""),
        _ => (r#"{"type":"invoice.paid","data":""#, r#""}"#),
    };
    let fill = size.saturating_sub(head.len() + tail.len());
    let filler = (0..fill).map(|i| char::from(b'a' + (i % 26) as u8));
    head.chars()
        .chain(filler)
        .chain(tail.chars())
        .collect::<String>()
        .into_bytes()
}

/// A signed request of `scheme` with a body of about `size` bytes, the bytes it signs, and a
/// verifier that accepts it.
fn request(scheme: &Scheme, size: usize) -> (http::Request<Bytes>, Vec<u8>, Verifier) {
    let mut kit = SignedRequest::new(scheme.clone(), Secret::from_bytes(KEY).expect("key"))
        .timestamp(Timestamp::from_unix_secs(NOW))
        .id(ID)
        .url("https://hooks.example.com/webhooks?source=bench")
        .body(body(scheme, size));
    if ["hook0", "coinbase-cdp"].contains(&scheme.name()) {
        kit = kit.header("X-Event-Type", "invoice.paid");
    }
    let mut request = kit.build().expect("the kit signs every HMAC preset");
    for (name, value) in TYPICAL_HEADERS {
        let name = http::HeaderName::from_static(name);
        if !request.headers().contains_key(&name) {
            request
                .headers_mut()
                .insert(name, http::HeaderValue::from_static(value));
        }
    }
    let content = kit.signed_content().expect("signed content");
    let verifier = Verifier::new(scheme.clone(), keyring())
        .with_public_url("https://hooks.example.com")
        .expect("public URL");
    (request, content, verifier)
}

/// The MAC of `message`: from a state keyed each time (`raw`), or from a pre-keyed one.
enum Mac {
    Sha256(Hmac<Sha256>),
    Sha1(Hmac<Sha1>),
}

impl Mac {
    fn keyed(algorithm: Algorithm) -> Self {
        match algorithm {
            Algorithm::HmacSha1 => Self::Sha1(Hmac::new_from_slice(&KEY).expect("any key")),
            _ => Self::Sha256(Hmac::new_from_slice(&KEY).expect("any key")),
        }
    }

    fn raw(algorithm: Algorithm, message: &[u8]) {
        Self::keyed(algorithm).tag(message);
    }

    fn tag(&self, message: &[u8]) {
        match self {
            Self::Sha256(keyed) => {
                let mut mac = keyed.clone();
                mac.update(message);
                black_box(mac.finalize().into_bytes());
            }
            Self::Sha1(keyed) => {
                let mut mac = keyed.clone();
                mac.update(message);
                black_box(mac.finalize().into_bytes());
            }
        }
    }
}

/// Whether `request` carries a valid signature of `scheme` (one of the three main ones) under
/// `keyed`: the steps no verifier can skip, and no more (see the module's docs).
fn by_hand(scheme: &str, headers: &http::HeaderMap, body: &[u8], keyed: &Hmac<Sha256>) -> bool {
    use base64::Engine as _;
    use subtle::ConstantTimeEq as _;
    let header = |name: &str| headers.get(name).map_or(&b""[..], |v| v.as_bytes());
    let mut presented = [0_u8; 32];
    let mut mac = keyed.clone();
    match scheme {
        "standard-webhooks" => {
            let (id, timestamp) = (header("webhook-id"), header("webhook-timestamp"));
            let signature = header("webhook-signature").strip_prefix(b"v1,");
            let decoded = signature
                .map(|s| base64::engine::general_purpose::STANDARD.decode_slice(s, &mut presented));
            black_box((decoded, id));
            for part in [id, b".", timestamp, b"."] {
                mac.update(part);
            }
        }
        "stripe" => {
            let value = header("stripe-signature");
            let mut timestamp = &b""[..];
            for item in value.split(|&b| b == b',') {
                if let Some(t) = item.strip_prefix(b"t=") {
                    timestamp = t;
                } else if let Some(hexed) = item.strip_prefix(b"v1=") {
                    black_box(hex::decode_to_slice(hexed, &mut presented).is_ok());
                }
            }
            mac.update(timestamp);
            mac.update(b".");
        }
        _ => {
            black_box(header("x-github-delivery"));
            let hexed = header("x-hub-signature-256").strip_prefix(b"sha256=");
            black_box(hexed.map(|h| hex::decode_to_slice(h, &mut presented).is_ok()));
        }
    }
    mac.update(body);
    bool::from(mac.finalize().into_bytes().as_slice().ct_eq(&presented))
}

fn verify_group(c: &mut Criterion, scheme: &Scheme, sizes: &[usize], quick: bool) {
    let now = Timestamp::from_unix_secs(NOW);
    let algorithm = scheme.algorithm();
    let mut group = c.benchmark_group(format!("verify/{}", scheme.name()));
    if quick {
        group.warm_up_time(Duration::from_millis(200));
        group.measurement_time(Duration::from_millis(600));
    }
    for &size in sizes {
        let (request, content, verifier) = request(scheme, size);
        let body = request.body().clone();
        verifier.verify_at(&request, &body, now).expect("verifies");
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(
            BenchmarkId::new("raw_hmac", size),
            &content,
            |b, content| {
                b.iter(|| Mac::raw(algorithm, black_box(content)));
            },
        );
        let keyed = Mac::keyed(algorithm);
        group.bench_with_input(
            BenchmarkId::new("keyed_hmac", size),
            &content,
            |b, content| {
                b.iter(|| keyed.tag(black_box(content)));
            },
        );
        group.bench_with_input(BenchmarkId::new("hookseal", size), &body, |b, body| {
            b.iter(|| {
                let v = verifier
                    .verify_at(black_box(&request), black_box(body), now)
                    .expect("verifies");
                black_box(v.key_id());
            });
        });
        let name = scheme.name();
        if SHORT.contains(&size) && main_schemes().iter().any(|m| m.name() == name) {
            let keyed = Hmac::<Sha256>::new_from_slice(&KEY).expect("any key");
            assert!(by_hand(name, request.headers(), &body, &keyed));
            group.bench_with_input(BenchmarkId::new("by_hand", size), &body, |b, body| {
                b.iter(|| {
                    black_box(by_hand(
                        name,
                        black_box(request.headers()),
                        black_box(body),
                        &keyed,
                    ))
                });
            });
        }
    }
    group.finish();
}

/// The three schemes measured at every size.
fn main_schemes() -> [Scheme; 3] {
    [
        Scheme::standard_webhooks(),
        Scheme::stripe(),
        Scheme::github(),
    ]
}

fn verify(c: &mut Criterion) {
    let main = main_schemes();
    for scheme in &main {
        verify_group(c, scheme, &SIZES, false);
    }
    let hmac = |s: &Scheme| matches!(s.algorithm(), Algorithm::HmacSha256 | Algorithm::HmacSha1);
    for scheme in Scheme::presets().iter().filter(|s| hmac(s)) {
        if !main.iter().any(|m| m.name() == scheme.name()) {
            verify_group(c, scheme, &SHORT, true);
        }
    }
}

fn sign(c: &mut Criterion) {
    let now = Timestamp::from_unix_secs(NOW);
    for scheme in main_schemes() {
        let mut group = c.benchmark_group(format!("sign/{}", scheme.name()));
        let signer = Signer::new(scheme.clone(), keyring());
        for size in SIZES {
            let body = body(&scheme, size);
            group.throughput(Throughput::Bytes(size as u64));
            group.bench_with_input(BenchmarkId::new("hookseal", size), &body, |b, body| {
                b.iter(|| black_box(signer.sign_at(Some(ID), black_box(body), now)));
            });
        }
        group.finish();
    }
}

criterion_group!(benches, verify, sign);
criterion_main!(benches);

//! Verify and sign in three schemes — Standard Webhooks (the default), Stripe and GitHub — at
//! 64 B to 1 MiB, each against a one-shot raw HMAC-SHA256 (`hmac` + `sha2`: key setup, update,
//! finalize, what a hand-written verifier pays at least) of the same signed bytes, in one run.
//!
//! `cargo bench --bench verify`

#![allow(clippy::expect_used, clippy::cast_possible_truncation)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hmac::{Hmac, KeyInit as _, Mac as _};
use sha2::Sha256;

use hookseal::{Keyring, Scheme, Secret, Signer, Timestamp, Verifier};

const SIZES: [usize; 5] = [64, 256, 1024, 16 * 1024, 1 << 20];
const NOW: u64 = 1_700_000_000;
const KEY: [u8; 32] = [0x42; 32];
const ID: &str = "msg_2LJmU5kBXGpmSUBNdqBb7BSp4aF";

fn keyring() -> Keyring {
    Keyring::single(Secret::from_bytes(KEY).expect("32-byte key"))
}

/// Each scheme, and what it signs before the body.
fn schemes() -> [(&'static str, Scheme, String); 3] {
    [
        (
            "standard_webhooks",
            Scheme::standard_webhooks(),
            format!("{ID}.{NOW}."),
        ),
        ("stripe", Scheme::stripe(), format!("{NOW}.")),
        ("github", Scheme::github(), String::new()),
    ]
}

fn body(size: usize) -> Vec<u8> {
    (0..size).map(|i| (i % 251) as u8).collect()
}

fn verify(c: &mut Criterion) {
    let now = Timestamp::from_unix_secs(NOW);
    for (name, scheme, prefix) in schemes() {
        let signer = Signer::new(scheme.clone(), keyring());
        let verifier = Verifier::new(scheme, keyring());
        let mut group = c.benchmark_group(format!("verify/{name}"));
        for size in SIZES {
            let body = body(size);
            let signed = signer.sign_at(Some(ID), &body, now).expect("sign");
            let mut headers = http::HeaderMap::new();
            signed.insert_into(&mut headers).expect("headers");
            headers.insert("content-type", "application/json".parse().expect("value"));
            verifier.verify_at(&headers, &body, now).expect("verifies");
            group.throughput(Throughput::Bytes(size as u64));

            group.bench_with_input(BenchmarkId::new("raw_hmac", size), &body, |b, body| {
                b.iter(|| {
                    let mut mac = Hmac::<Sha256>::new_from_slice(black_box(&KEY)).expect("any key");
                    mac.update(prefix.as_bytes());
                    mac.update(black_box(body));
                    black_box(mac.finalize().into_bytes())
                });
            });
            group.bench_with_input(BenchmarkId::new("hookseal", size), &body, |b, body| {
                b.iter(|| {
                    let v = verifier
                        .verify_at(black_box(&headers), black_box(body), now)
                        .expect("verifies");
                    black_box(v.key_id());
                });
            });
        }
        group.finish();
    }
}

fn sign(c: &mut Criterion) {
    let now = Timestamp::from_unix_secs(NOW);
    for (name, scheme, _) in schemes() {
        let signer = Signer::new(scheme, keyring());
        let mut group = c.benchmark_group(format!("sign/{name}"));
        for size in SIZES {
            let body = body(size);
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

//! hookseal against the peer crates on identical Standard Webhooks requests, with a one-shot raw
//! HMAC-SHA256 (`hmac` + `sha2`) of the same signed bytes as the baseline, all in one run.
//!
//! Every verifier reads the same `http::HeaderMap` (`webhook-id`, `webhook-timestamp` = now,
//! `webhook-signature: v1,<base64>`) and the same body, and checks the timestamp against the
//! system clock.
//!
//! `cargo bench --manifest-path benches/peers/Cargo.toml`

#![allow(clippy::expect_used, clippy::cast_possible_truncation)]

use std::hint::black_box;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hmac::{Hmac, KeyInit as _, Mac as _};
use sha2::Sha256;

use hookseal::{Keyring, Scheme, Secret, Signer, Timestamp, Verifier};

const SIZES: [usize; 5] = [64, 256, 1024, 16 * 1024, 1 << 20];
const KEY: [u8; 32] = [0x42; 32];
const ID: &str = "msg_2LJmU5kBXGpmSUBNdqBb7BSp4aF";

fn peers(c: &mut Criterion) {
    let keyring = || Keyring::single(Secret::from_bytes(KEY).expect("32-byte key"));
    let signer = Signer::new(Scheme::standard_webhooks(), keyring());
    let verifier = Verifier::new(Scheme::standard_webhooks(), keyring());
    let whsec = format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(KEY)
    );
    let svix = svix::webhooks::Webhook::new(&whsec).expect("svix secret");
    let stdwh = standardwebhooks::Webhook::new(&whsec).expect("standardwebhooks secret");
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();

    let mut group = c.benchmark_group("peers");
    for size in SIZES {
        // The peers refuse bodies that are not UTF-8, so the body is ASCII.
        let body: Vec<u8> = (0..size).map(|i| b'a' + (i % 26) as u8).collect();
        let signed = signer
            .sign_at(Some(ID), &body, Timestamp::from_unix_secs(now))
            .expect("sign");
        let mut headers = http::HeaderMap::new();
        signed.insert_into(&mut headers).expect("headers");
        headers.insert("content-type", "application/json".parse().expect("value"));
        headers.insert("user-agent", "Svix-Webhooks/1.0".parse().expect("value"));
        // Every verifier accepts the request before it is timed.
        verifier.verify(&headers, &body).expect("hookseal verifies");
        svix.verify(&body, &headers).expect("svix verifies");
        stdwh
            .verify(&body, &headers)
            .expect("standardwebhooks verifies");
        let prefix = format!("{ID}.{now}.");
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
                    .verify(black_box(&headers), black_box(body))
                    .expect("verifies");
                black_box(v.key_id());
            });
        });
        group.bench_with_input(BenchmarkId::new("svix", size), &body, |b, body| {
            b.iter(|| {
                svix.verify(black_box(body), black_box(&headers))
                    .expect("verifies")
            });
        });
        group.bench_with_input(
            BenchmarkId::new("standardwebhooks", size),
            &body,
            |b, body| {
                b.iter(|| {
                    stdwh
                        .verify(black_box(body), black_box(&headers))
                        .expect("verifies");
                });
            },
        );
    }
    group.finish();
}

criterion_group!(benches, peers);
criterion_main!(benches);

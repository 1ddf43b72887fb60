//! Verify and sign with the default scheme against a one-shot raw HMAC-SHA256 of the same bytes
//! (key setup, update, finalize: what a hand-written verifier pays at least), in one run.
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

fn keyring() -> Keyring {
    Keyring::single(Secret::from_bytes(KEY).expect("32-byte key"))
}

fn verify(c: &mut Criterion) {
    let signer = Signer::new(Scheme::hookseal(), keyring());
    let verifier = Verifier::new(Scheme::hookseal(), keyring());
    let now = Timestamp::from_unix_secs(NOW);

    let mut group = c.benchmark_group("verify");
    for size in SIZES {
        let body: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
        let signed = signer.sign_at(None, &body, now).expect("sign");
        let mut headers = http::HeaderMap::new();
        signed.insert_into(&mut headers).expect("headers");
        let digits = NOW.to_string();
        group.throughput(Throughput::Bytes(size as u64));

        group.bench_with_input(
            BenchmarkId::new("raw_hmac_oneshot", size),
            &body,
            |b, body| {
                b.iter(|| {
                    let mut mac = Hmac::<Sha256>::new_from_slice(black_box(&KEY)).expect("any key");
                    mac.update(digits.as_bytes());
                    mac.update(b".");
                    mac.update(black_box(body));
                    black_box(mac.finalize().into_bytes())
                });
            },
        );
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

fn sign(c: &mut Criterion) {
    let signer = Signer::new(Scheme::hookseal(), keyring());
    let now = Timestamp::from_unix_secs(NOW);
    let mut group = c.benchmark_group("sign");
    for size in SIZES {
        let body: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(BenchmarkId::new("hookseal", size), &body, |b, body| {
            b.iter(|| black_box(signer.sign_at(Some("evt_1"), black_box(body), now)));
        });
    }
    group.finish();
}

criterion_group!(benches, verify, sign);
criterion_main!(benches);

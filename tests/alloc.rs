//! A `verify` call performs no heap allocation: not on success, not on rejection, whatever the
//! header source, body size or keyring size.
//!
//! `allocation-counter` installs a counting global allocator in this test binary (and only here)
//! and tallies allocations made by the current thread only, so the test harness's own threads
//! cannot disturb the count.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::collections::HashMap;
use std::future::Future as _;

use hookseal::{Key, Keyring, Scheme, Secret, Signer, Timestamp, Verifier, VerifyError, dangerous};

/// Heap allocations (and reallocations) the current thread makes while `f` runs.
fn allocations_during(f: impl FnOnce()) -> u64 {
    allocation_counter::measure(f).count_total
}

const NOW: u64 = 1_700_000_000;
const CALLS: usize = 1000;

fn keyring() -> Keyring {
    Keyring::new(Key::new("new", Secret::from_bytes([2; 32]).unwrap()).unwrap())
        .unwrap()
        .with_key(Key::new("old", Secret::from_bytes([1; 32]).unwrap()).unwrap())
        .unwrap()
}

#[test]
fn the_counter_sees_allocations() {
    // Guards the test itself: a counter that never moves would make every check below pass.
    let n = allocations_during(|| {
        let v = std::hint::black_box(vec![1_u8; 64]);
        drop(v);
    });
    assert_eq!(n, 1);
}

#[test]
fn verify_does_not_allocate() {
    let signer = Signer::new(Scheme::standard_webhooks(), keyring());
    let verifier = Verifier::new(Scheme::standard_webhooks(), keyring());
    let old_only = Signer::new(
        Scheme::standard_webhooks(),
        Keyring::new(Key::new("old", Secret::from_bytes([1; 32]).unwrap()).unwrap()).unwrap(),
    );
    let now = Timestamp::from_unix_secs(NOW);

    for size in [0, 64, 1024, 16 * 1024, 1 << 20] {
        let body: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
        let signed = signer.sign_at(Some("evt_1"), &body, now).unwrap();
        let old_signed = old_only.sign_at(Some("evt_1"), &body, now).unwrap();

        let mut map = http::HeaderMap::new();
        signed.insert_into(&mut map).unwrap();
        let pairs: Vec<(&str, &str)> = signed.iter().collect();
        let hash: HashMap<String, String> = signed
            .iter()
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect();
        let old_pairs: Vec<(&str, &str)> = old_signed.iter().collect();
        let mut tampered = body.clone();
        tampered.push(0);

        let calls = if size >= 1 << 20 { 10 } else { CALLS };
        let n = allocations_during(|| {
            for _ in 0..calls {
                let v = verifier.verify_at(&map, &body, now).unwrap();
                std::hint::black_box(v.replay_key());
                let v = verifier.verify_at(&pairs, &body, now).unwrap();
                std::hint::black_box(v.key_id());
                std::hint::black_box(verifier.verify_at(&hash, &body, now).unwrap());
                // Matched by the second key, with the replay key derived afterwards.
                let v = verifier.verify_at(&old_pairs, &body, now).unwrap();
                std::hint::black_box(v.replay_key());
                // Rejections allocate nothing either.
                let e = verifier.verify_at(&pairs, &tampered, now).unwrap_err();
                assert_eq!(e, VerifyError::NoMatchingSignature);
                let e = verifier
                    .verify_at(&pairs, &body, Timestamp::from_unix_secs(NOW + 301))
                    .unwrap_err();
                assert_eq!(e, VerifyError::TimestampTooOld);
            }
        });
        assert_eq!(n, 0, "{n} allocations over {calls} rounds at {size} B");
    }
}

#[test]
fn verify_with_the_system_clock_does_not_allocate() {
    let signer = Signer::new(Scheme::standard_webhooks(), keyring());
    let verifier = Verifier::new(Scheme::standard_webhooks(), keyring());
    let body = b"{\"type\":\"ping\"}";
    let signed = signer.sign(Some("evt_1"), body).unwrap();
    let pairs: Vec<(&str, &str)> = signed.iter().collect();
    let n = allocations_during(|| {
        for _ in 0..CALLS {
            std::hint::black_box(verifier.verify(&pairs, body).unwrap());
        }
    });
    assert_eq!(n, 0);
}

/// Every scheme: success under the first and under the second key, the replay key, and
/// rejections, through a `HeaderMap` and through pairs.
#[test]
fn verify_does_not_allocate_in_any_scheme() {
    let mut schemes = Scheme::presets();
    schemes.push(dangerous::github_sha1());
    let now = Timestamp::from_unix_secs(NOW);
    let old_ring =
        || Keyring::new(Key::new("old", Secret::from_bytes([1; 32]).unwrap()).unwrap()).unwrap();
    for scheme in schemes {
        let name = scheme.name().to_owned();
        let id = scheme.id_header().map(|_| "msg_1");
        let verifier = Verifier::new(scheme.clone(), keyring());
        let body = vec![b'x'; 1024];
        let new = Signer::new(scheme.clone(), keyring())
            .sign_at(id, &body, now)
            .unwrap();
        let old = Signer::new(scheme.clone(), old_ring())
            .sign_at(id, &body, now)
            .unwrap();
        let mut map = http::HeaderMap::new();
        new.insert_into(&mut map).unwrap();
        let old_pairs: Vec<(&str, &str)> = old.iter().collect();
        let stale = Timestamp::from_unix_secs(NOW + 301);

        let n = allocations_during(|| {
            for _ in 0..CALLS {
                let v = verifier.verify_at(&map, &body, now).unwrap();
                std::hint::black_box(v.replay_key());
                let v = verifier.verify_at(&old_pairs, &body, now).unwrap();
                std::hint::black_box(v.replay_key());
                let e = verifier.verify_at(&map, b"other", now).unwrap_err();
                assert_eq!(e, VerifyError::NoMatchingSignature);
                if scheme.signs_timestamp() {
                    let e = verifier.verify_at(&map, &body, stale).unwrap_err();
                    assert_eq!(e, VerifyError::TimestampTooOld);
                }
            }
        });
        assert_eq!(n, 0, "{name}: {n} allocations over {CALLS} rounds");
    }
}

#[cfg(feature = "ed25519")]
#[test]
fn ed25519_verify_does_not_allocate() {
    use hookseal::Ed25519SigningKey;

    let (sk, _) = Ed25519SigningKey::generate().unwrap();
    let public = Key::ed25519_public("ed", sk.public_key()).unwrap();
    let signing = Key::ed25519_signing("ed", sk).unwrap();
    let hmac = Key::new("hmac", Secret::from_bytes([2; 32]).unwrap()).unwrap();
    let now = Timestamp::from_unix_secs(NOW);
    let body = vec![b'x'; 1024];
    let signed = Signer::new(Scheme::standard_webhooks(), Keyring::new(signing).unwrap())
        .sign_at(Some("msg_1"), &body, now)
        .unwrap();
    let pairs: Vec<(&str, &str)> = signed.iter().collect();
    // The HMAC key first: it is tried and fails before the public key matches, and the replay key
    // is anchored on it.
    let verifier = Verifier::new(
        Scheme::standard_webhooks(),
        Keyring::new(hmac)
            .unwrap()
            .with_key(public.clone())
            .unwrap(),
    );
    let public_only = Verifier::new(Scheme::standard_webhooks(), Keyring::new(public).unwrap());
    let n = allocations_during(|| {
        for _ in 0..100 {
            let v = verifier.verify_at(&pairs, &body, now).unwrap();
            std::hint::black_box(v.replay_key());
            let v = public_only.verify_at(&pairs, &body, now).unwrap();
            std::hint::black_box(v.replay_key());
            let e = public_only.verify_at(&pairs, b"other", now).unwrap_err();
            assert_eq!(e, VerifyError::NoMatchingSignature);
        }
    });
    assert_eq!(n, 0);
}

/// The memory replay cache holds a million committed keys in at most 64 bytes each (DESIGN §6),
/// counted by the allocator: every byte the cache allocated and still holds, divided by the keys.
#[test]
fn memory_replay_cache_bytes_per_key_at_one_million() {
    use hookseal::ReplayKey;
    use hookseal::replay::{MemoryReplayCache, ReplayCache, Reserve};
    use std::time::Duration;

    const KEYS: usize = 1_000_000;
    let ttl = Duration::from_secs(601);
    let keys: Vec<ReplayKey> = (0..KEYS as u64)
        .map(|i| ReplayKey::derive(b"bytes-per-key", &i.to_le_bytes()))
        .collect();
    let mut cache = None;
    let info = allocation_counter::measure(|| {
        let c = MemoryReplayCache::new(KEYS, ttl).unwrap();
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        for key in &keys {
            let fut = std::pin::pin!(c.reserve(key, ttl));
            let std::task::Poll::Ready(Ok(Reserve::Reserved(reservation))) = fut.poll(&mut cx)
            else {
                panic!("the memory cache reserves a fresh key at once");
            };
            let fut = std::pin::pin!(c.commit(&reservation, ttl));
            let std::task::Poll::Ready(committed) = fut.poll(&mut cx) else {
                panic!("the memory cache answers at once");
            };
            committed.unwrap();
        }
        cache = Some(c);
    });
    assert_eq!(cache.as_ref().unwrap().len(), KEYS);
    let per_key = info.bytes_current as f64 / KEYS as f64;
    eprintln!("memory replay cache: {per_key:.1} bytes per key at {KEYS} keys");
    assert!(per_key <= 64.0, "{per_key:.1} bytes per key");
}

//! Freshness window edges, driven by `ManualClock`: exactly at the limit is accepted, one second
//! past it is refused, in both directions; for the default scheme, and for every preset that
//! signs a timestamp at its own window, with requests of the test kit.

use std::time::Duration;

use hookseal::test_kit::SignedRequest;
use hookseal::{Scheme, Timestamp, VerifyError};

use crate::common::{NOW, clock, key, ring, signed_pairs, signer, verifier};

const BODY: &[u8] = b"{\"type\":\"ping\"}";

/// Verifies a delivery signed at `signed_at` when the receiver's clock reads `NOW`.
fn verify_signed_at(signed_at: u64, max_age: u64, skew: u64) -> Result<(), VerifyError> {
    let clock = clock();
    let v = verifier(vec![key("k", 1)], &clock)
        .with_max_age(Duration::from_secs(max_age))
        .with_max_future_skew(Duration::from_secs(skew));
    let request = SignedRequest::new(Scheme::standard_webhooks(), ring(vec![key("k", 1)]))
        .id("msg_1")
        .body(BODY)
        .timestamp(Timestamp::from_unix_secs(signed_at))
        .build()
        .unwrap();
    v.verify(&request, request.body()).map(|_| ())
}

#[test]
fn every_preset_with_a_timestamp_has_an_inclusive_window() {
    let now = Timestamp::from_unix_secs(NOW);
    for scheme in Scheme::presets() {
        // A bearer token's window is its lifetime: `public_key.rs` and `adversarial.rs`.
        if !scheme.signs_timestamp() || scheme.token_rules().is_some() {
            continue;
        }
        let Some((kit, verifier)) = crate::kit::setup(&scheme) else {
            continue;
        };
        let window = scheme.tolerance().map_or(300, |t| t.as_secs());
        let name = scheme.name();
        let verify = |signed_at: u64| {
            let request = kit
                .clone()
                .timestamp(Timestamp::from_unix_secs(signed_at))
                .build()
                .unwrap();
            verifier
                .verify_at(&request, request.body(), now)
                .map(|_| ())
        };
        assert_eq!(verify(NOW - window), Ok(()), "{name}");
        assert_eq!(verify(NOW + window), Ok(()), "{name}");
        assert_eq!(
            verify(NOW - window - 1),
            Err(VerifyError::TimestampTooOld),
            "{name}"
        );
        assert_eq!(
            verify(NOW + window + 1),
            Err(VerifyError::TimestampInFuture),
            "{name}"
        );
    }
}

#[test]
fn a_300s_window_is_inclusive_each_way() {
    assert_eq!(verify_signed_at(NOW, 300, 300), Ok(()));
    assert_eq!(verify_signed_at(NOW - 300, 300, 300), Ok(()));
    assert_eq!(
        verify_signed_at(NOW - 301, 300, 300),
        Err(VerifyError::TimestampTooOld)
    );
    assert_eq!(verify_signed_at(NOW + 300, 300, 300), Ok(()));
    assert_eq!(
        verify_signed_at(NOW + 301, 300, 300),
        Err(VerifyError::TimestampInFuture)
    );
}

#[test]
fn defaults_match_the_documented_300s() {
    let clock = clock();
    let s = signer(vec![key("k", 1)], &clock);
    let v = verifier(vec![key("k", 1)], &clock);
    assert_eq!(v.replay_window(), Some(Duration::from_secs(600)));
    for (ts, ok) in [
        (NOW - 300, true),
        (NOW - 301, false),
        (NOW + 300, true),
        (NOW + 301, false),
    ] {
        let pairs = signed_pairs(&s, Some("msg_1"), BODY, ts);
        assert_eq!(
            v.verify(&pairs, BODY).is_ok(),
            ok,
            "signed at NOW{:+}",
            ts as i64 - NOW as i64
        );
    }
}

#[test]
fn custom_windows_are_independent() {
    // A long past window with a tight future one.
    assert_eq!(verify_signed_at(NOW - 3600, 3600, 5), Ok(()));
    assert_eq!(
        verify_signed_at(NOW - 3601, 3600, 5),
        Err(VerifyError::TimestampTooOld)
    );
    assert_eq!(verify_signed_at(NOW + 5, 3600, 5), Ok(()));
    assert_eq!(
        verify_signed_at(NOW + 6, 3600, 5),
        Err(VerifyError::TimestampInFuture)
    );
    // Zero on both sides: only the exact second passes.
    assert_eq!(verify_signed_at(NOW, 0, 0), Ok(()));
    assert_eq!(
        verify_signed_at(NOW - 1, 0, 0),
        Err(VerifyError::TimestampTooOld)
    );
    assert_eq!(
        verify_signed_at(NOW + 1, 0, 0),
        Err(VerifyError::TimestampInFuture)
    );
}

#[test]
fn the_clock_moving_makes_a_delivery_stale() {
    let clock = clock();
    let s = signer(vec![key("k", 1)], &clock);
    let v = verifier(vec![key("k", 1)], &clock);
    let pairs = signed_pairs(&s, Some("msg_1"), BODY, NOW);
    clock.advance(Duration::from_secs(300));
    assert!(v.verify(&pairs, BODY).is_ok());
    clock.advance(Duration::from_secs(1));
    assert_eq!(
        v.verify(&pairs, BODY).unwrap_err(),
        VerifyError::TimestampTooOld
    );
    clock.rewind(Duration::from_secs(601));
    assert!(v.verify(&pairs, BODY).is_ok());
    clock.rewind(Duration::from_secs(1));
    assert_eq!(
        v.verify(&pairs, BODY).unwrap_err(),
        VerifyError::TimestampInFuture
    );
}

#[test]
fn verify_at_checks_against_the_receive_time() {
    let clock = clock();
    let s = signer(vec![key("k", 1)], &clock);
    let v = verifier(vec![key("k", 1)], &clock);
    let pairs = signed_pairs(&s, Some("msg_1"), BODY, NOW);
    let received = Timestamp::from_unix_secs(NOW + 2);
    // Processed an hour later from a queue: stale by the clock, fresh as of its receipt.
    clock.advance(Duration::from_secs(3600));
    assert_eq!(
        v.verify(&pairs, BODY).unwrap_err(),
        VerifyError::TimestampTooOld
    );
    assert!(v.verify_at(&pairs, BODY, received).is_ok());
}

#[test]
fn extreme_timestamps_do_not_overflow() {
    let clock = clock();
    let s = signer(vec![key("k", 1)], &clock);
    let v = verifier(vec![key("k", 1)], &clock).with_max_future_skew(Duration::MAX);
    let pairs = signed_pairs(&s, Some("msg_1"), BODY, u64::MAX);
    assert!(v.verify(&pairs, BODY).is_ok());
    let pairs = signed_pairs(&s, Some("msg_1"), BODY, 0);
    assert_eq!(
        v.verify(&pairs, BODY).unwrap_err(),
        VerifyError::TimestampTooOld
    );
    let v = verifier(vec![key("k", 1)], &clock).with_max_age(Duration::MAX);
    assert!(v.verify(&pairs, BODY).is_ok());
    assert_eq!(
        v.verify_at(&pairs, BODY, Timestamp::from_unix_secs(u64::MAX))
            .map(|_| ()),
        Ok(())
    );
}

#[test]
fn the_window_is_checked_before_the_signature() {
    // A stale request with a bad signature reports staleness: the MAC is never computed for it.
    let clock = clock();
    let s = signer(vec![key("k", 1)], &clock);
    let v = verifier(vec![key("other", 2)], &clock);
    let pairs = signed_pairs(&s, Some("msg_1"), BODY, NOW - 1000);
    assert_eq!(
        v.verify(&pairs, BODY).unwrap_err(),
        VerifyError::TimestampTooOld
    );
}

//! Key rotation: a sender signing with old and new keys, receivers holding either or both, and
//! validity windows that retire keys.

use hookseal::{SignError, Timestamp, VerifyError};

use crate::common::{NOW, clock, key, signed_pairs, signer, value, verifier};

const BODY: &[u8] = b"rotation";

fn v1_count(header: &str) -> usize {
    header.split(' ').filter(|e| e.starts_with("v1,")).count()
}

#[test]
fn signer_emits_one_signature_per_active_key() {
    let clock = clock();
    let s = signer(vec![key("new", 2), key("old", 1)], &clock);
    let pairs = signed_pairs(&s, Some("msg_1"), BODY, NOW);
    assert_eq!(v1_count(value(&pairs, "webhook-signature")), 2);

    let single = signer(vec![key("new", 2)], &clock);
    let one = signed_pairs(&single, Some("msg_1"), BODY, NOW);
    let header = value(&one, "webhook-signature");
    assert_eq!(v1_count(header), 1);
    // The single-key header is the first entry of the two-key one: keyring order is kept.
    assert!(value(&pairs, "webhook-signature").starts_with(header));
}

#[test]
fn receivers_holding_either_key_accept_and_report_it() {
    let clock = clock();
    let s = signer(vec![key("new", 2), key("old", 1)], &clock);
    let pairs = signed_pairs(&s, Some("msg_1"), BODY, NOW);

    let only_new = verifier(vec![key("new", 2)], &clock);
    assert_eq!(only_new.verify(&pairs, BODY).unwrap().key_id(), "new");
    let only_old = verifier(vec![key("old", 1)], &clock);
    assert_eq!(only_old.verify(&pairs, BODY).unwrap().key_id(), "old");
    let both = verifier(vec![key("old", 1), key("new", 2)], &clock);
    assert_eq!(both.verify(&pairs, BODY).unwrap().key_id(), "old");
}

#[test]
fn a_receiver_with_only_the_new_key_refuses_old_only_deliveries() {
    let clock = clock();
    let old_sender = signer(vec![key("old", 1)], &clock);
    let pairs = signed_pairs(&old_sender, Some("msg_1"), BODY, NOW);
    let v = verifier(vec![key("new", 2)], &clock);
    assert_eq!(
        v.verify(&pairs, BODY).unwrap_err(),
        VerifyError::NoMatchingSignature
    );
    // Holding both during the overlap, it accepts and says the old key is still in use.
    let v = verifier(vec![key("new", 2), key("old", 1)], &clock);
    assert_eq!(v.verify(&pairs, BODY).unwrap().key_id(), "old");
}

#[test]
fn an_expired_key_is_refused() {
    let clock = clock();
    let old_sender = signer(vec![key("old", 1)], &clock);
    let pairs = signed_pairs(&old_sender, Some("msg_1"), BODY, NOW);
    let expired = || key("old", 1).not_after(Timestamp::from_unix_secs(NOW - 1));

    let v = verifier(vec![key("new", 2), expired()], &clock);
    assert_eq!(
        v.verify(&pairs, BODY).unwrap_err(),
        VerifyError::NoMatchingSignature
    );

    let v = verifier(vec![expired()], &clock);
    let err = v.verify(&pairs, BODY).unwrap_err();
    assert_eq!(err, VerifyError::NoActiveKey);
    assert_eq!(err.status_code(), 500);

    // Valid through its last second, inclusive.
    let v = verifier(
        vec![key("old", 1).not_after(Timestamp::from_unix_secs(NOW))],
        &clock,
    );
    assert!(v.verify(&pairs, BODY).is_ok());
}

#[test]
#[cfg(feature = "test-util")]
fn a_key_starts_signing_and_verifying_at_not_before() {
    use std::time::Duration;

    let clock = clock();
    let start = Timestamp::from_unix_secs(NOW + 100);
    let s = signer(
        vec![key("next", 3).not_before(start), key("current", 1)],
        &clock,
    );
    let before = signed_pairs(&s, Some("msg_1"), BODY, NOW);
    assert_eq!(v1_count(value(&before, "webhook-signature")), 1);
    let after = signed_pairs(&s, Some("msg_1"), BODY, NOW + 100);
    assert_eq!(v1_count(value(&after, "webhook-signature")), 2);

    // A receiver holding only the next key refuses until it becomes valid.
    let v = verifier(vec![key("next", 3).not_before(start)], &clock);
    clock.set(Timestamp::from_unix_secs(NOW + 99));
    assert_eq!(
        v.verify(&after, BODY).unwrap_err(),
        VerifyError::NoActiveKey
    );
    clock.advance(Duration::from_secs(1));
    assert_eq!(v.verify(&after, BODY).unwrap().key_id(), "next");
}

#[test]
fn signing_with_no_valid_key_fails() {
    let clock = clock();
    let s = signer(
        vec![key("old", 1).not_after(Timestamp::from_unix_secs(NOW - 1))],
        &clock,
    );
    assert_eq!(
        s.sign_at(Some("msg_1"), BODY, Timestamp::from_unix_secs(NOW))
            .unwrap_err(),
        SignError::NoActiveKey
    );
    assert_eq!(
        s.sign(Some("msg_1"), BODY).unwrap_err(),
        SignError::NoActiveKey
    );
}

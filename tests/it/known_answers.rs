//! Known-answer tests with published vectors.
//!
//! Stripe's scheme signs `timestamp || "." || body` and writes `t=<ts>,v1=<lowercase hex>`. The
//! vector below is async-stripe's `test_webhook_construct_event` (secret `secret`,
//! t = 1533204620); its header also carries a `v0` entry, which must be skipped. (The Standard
//! Webhooks vectors, the default scheme's, are in `vectors.rs`.)

use hookseal::{Keyring, Scheme, Signer, Timestamp, Verifier, VerifyError, dangerous};

const SECRET: &[u8] = b"secret";
const TS: u64 = 1_533_204_620;
const PAYLOAD: &str = r#"{"account":"acct_123","api_version":"2017-05-25","created":1533204620,"data":{"object":{"amount":1000,"currency":"usd","customer":"cus_123","date":1533204620,"description":"Test Invoice Item","discountable":false,"id":"ii_123","invoice":"in_123","livemode":false,"metadata":{},"object":"invoiceitem","period":{"end":1533204620,"start":1533204620},"proration":false,"quantity":3,"quantity_decimal":"0"}},"id":"evt_123","livemode":false,"object":"event","pending_webhooks":1,"request":{"id":"req_123","idempotency_key":"idempotency-key-123"},"type":"invoiceitem.created"}"#;
const HEADER: &str = "t=1533204620,v1=d7373bc68f4bd320b253cd7461f87af6e1cdf1b4d7db1614d8d1d746972d2d0a,v0=63f3a72374a733066c4be69ed7f8e5ac85c22c9f0a6a612ab9a025a9e4ee7eef";
const V1_ONLY: &str =
    "t=1533204620,v1=d7373bc68f4bd320b253cd7461f87af6e1cdf1b4d7db1614d8d1d746972d2d0a";

fn keyring() -> Keyring {
    Keyring::single(dangerous::short_secret(SECRET).unwrap())
}

#[test]
fn signing_reproduces_the_published_signature() {
    let signer = Signer::new(Scheme::stripe(), keyring());
    let headers = signer
        .sign_at(None, PAYLOAD.as_bytes(), Timestamp::from_unix_secs(TS))
        .unwrap();
    assert_eq!(headers.get("Stripe-Signature"), Some(V1_ONLY));
    assert_eq!(headers.iter().len(), 1, "Stripe sends no id header");
}

#[test]
fn verifying_accepts_the_published_header() {
    let verifier = Verifier::new(Scheme::stripe(), keyring());
    let headers = [("Stripe-Signature", HEADER)];
    let now = Timestamp::from_unix_secs(TS + 10);
    let verified = verifier
        .verify_at(&headers, PAYLOAD.as_bytes(), now)
        .unwrap();
    assert_eq!(verified.timestamp().unwrap().as_unix_secs(), TS);
    assert_eq!(verified.body(), PAYLOAD.as_bytes());
}

#[test]
fn the_published_header_fails_for_other_bodies_keys_and_times() {
    let verifier = Verifier::new(Scheme::stripe(), keyring());
    let headers = [("Stripe-Signature", HEADER)];
    let now = Timestamp::from_unix_secs(TS);

    let mut body = PAYLOAD.as_bytes().to_vec();
    body.push(b' ');
    assert_eq!(
        verifier.verify_at(&headers, &body, now).unwrap_err(),
        VerifyError::NoMatchingSignature
    );

    let other = Verifier::new(
        Scheme::stripe(),
        Keyring::single(dangerous::short_secret(b"secreT".to_vec()).unwrap()),
    );
    assert_eq!(
        other
            .verify_at(&headers, PAYLOAD.as_bytes(), now)
            .unwrap_err(),
        VerifyError::NoMatchingSignature
    );

    // The v1 tag re-sent with the next second's timestamp.
    let shifted = HEADER.replacen("t=1533204620", "t=1533204621", 1);
    let headers = [("Stripe-Signature", shifted.as_str())];
    assert_eq!(
        verifier
            .verify_at(&headers, PAYLOAD.as_bytes(), now)
            .unwrap_err(),
        VerifyError::NoMatchingSignature
    );
}

#[test]
fn the_v0_entry_alone_is_never_accepted() {
    let verifier = Verifier::new(Scheme::stripe(), keyring());
    let v0_only =
        "t=1533204620,v0=63f3a72374a733066c4be69ed7f8e5ac85c22c9f0a6a612ab9a025a9e4ee7eef";
    let headers = [("Stripe-Signature", v0_only)];
    assert_eq!(
        verifier
            .verify_at(&headers, PAYLOAD.as_bytes(), Timestamp::from_unix_secs(TS))
            .unwrap_err(),
        VerifyError::MissingSignature
    );
}

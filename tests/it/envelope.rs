//! `VerifiedDelivery` as the envelope of a verify-now, process-later queue: what a receiver
//! writes is what a worker reads back, field for field, and an envelope that is not one is
//! refused rather than half read.

use hookseal::{Scheme, Signer, Timestamp, VerifiedDelivery, Verifier};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const NOW: Timestamp = Timestamp::from_unix_secs(1_700_000_000);

fn delivery(body: &[u8]) -> VerifiedDelivery {
    let scheme = Scheme::standard_webhooks();
    let signer = Signer::from_secret(scheme.clone(), SECRET).unwrap();
    let verifier = Verifier::from_secret(scheme, SECRET).unwrap();
    let headers = signer.sign_at(Some("msg_2Lk"), body, NOW).unwrap();
    let headers: Vec<(&str, &str)> = headers.iter().collect();
    let verified = verifier.verify_at(&headers, body, NOW).unwrap();
    let delivery = VerifiedDelivery::from_verified(&verified);
    assert_eq!(delivery.replay_key(), verified.replay_key());
    delivery
}

#[test]
fn an_envelope_reads_back_as_written() {
    // Not UTF-8, with every byte that needs care in JSON.
    let body = b"{\"type\":\"invoice.paid\"}\r\n\0\xff\"\\";
    let sent = delivery(body);
    let text = serde_json::to_string(&sent).unwrap();
    let read: VerifiedDelivery = serde_json::from_str(&text).unwrap();
    assert_eq!(read, sent);
    assert_eq!(&read.body()[..], body);
    assert_eq!(read.scheme(), "standard-webhooks");
    assert_eq!(read.id(), Some("msg_2Lk"));
    assert!(read.id_is_signed());
    assert!(read.body_is_signed());
    assert_eq!(read.timestamp(), Some(NOW));
    assert_eq!(read.key_id().as_str(), sent.key_id().as_str());
}

#[test]
fn the_envelope_names_every_field_and_writes_the_body_in_base64() {
    let sent = delivery(b"{}");
    let value = serde_json::to_value(&sent).unwrap();
    let object = value.as_object().unwrap();
    let mut names: Vec<&str> = object.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "body",
            "body_is_signed",
            "id",
            "id_is_signed",
            "key_id",
            "replay_key",
            "scheme",
            "timestamp"
        ]
    );
    assert_eq!(object["body"], "e30="); // base64 of `{}`
    assert_eq!(object["timestamp"], 1_700_000_000);
    let hex: String = sent
        .replay_key()
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(object["replay_key"], hex.as_str());
}

#[test]
fn an_envelope_that_is_not_one_is_refused() {
    let good = serde_json::to_value(delivery(b"{}")).unwrap();
    let with = |field: &str, value: serde_json::Value| {
        let mut envelope = good.clone();
        envelope[field] = value;
        envelope
    };
    let mut missing = good.clone();
    missing.as_object_mut().unwrap().remove("replay_key");
    let mut extra = good.clone();
    extra["verified"] = true.into();
    for (case, envelope) in [
        ("short replay key", with("replay_key", "00ff".into())),
        (
            "uppercase replay key",
            with("replay_key", "AB".repeat(16).into()),
        ),
        (
            "replay key not hex",
            with("replay_key", "zz".repeat(16).into()),
        ),
        ("empty key id", with("key_id", "".into())),
        ("body not base64", with("body", "not base64!".into())),
        (
            "body as numbers",
            with("body", serde_json::json!([123, 125])),
        ),
        ("negative timestamp", with("timestamp", (-1).into())),
        ("missing field", missing),
        ("unknown field", extra),
    ] {
        assert!(
            serde_json::from_value::<VerifiedDelivery>(envelope).is_err(),
            "{case}"
        );
    }
}

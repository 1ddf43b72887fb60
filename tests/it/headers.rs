//! Header sources, repeated and missing headers, delivery ids, and bodies of any bytes.

use hookseal::{
    HeaderKind, Key, Keyring, ReplayKey, Scheme, Secret, SignError, SignedHeaders, Signer,
    Timestamp, Verified, Verifier, VerifyError,
};

use crate::common::{NOW, clock, key, signed_pairs, signer, value, verifier, with_value};

const BODY: &[u8] = b"{\"ok\":true}";

#[cfg(feature = "std")]
#[test]
fn every_header_source_verifies() {
    let clock = clock();
    let s = signer(vec![key("k", 1)], &clock);
    let v = verifier(vec![key("k", 1)], &clock);
    let signed = s.sign(Some("evt_1"), BODY).unwrap();

    let mut map = http::HeaderMap::new();
    map.insert(
        "content-type",
        http::HeaderValue::from_static("application/json"),
    );
    signed.insert_into(&mut map).unwrap();
    assert_eq!(v.verify(&map, BODY).unwrap().id(), Some("evt_1"));

    let borrowed: Vec<(&str, &str)> = signed.iter().collect();
    assert!(v.verify(&borrowed, BODY).is_ok());
    assert!(v.verify(borrowed.as_slice(), BODY).is_ok());

    let owned: std::collections::HashMap<String, String> = signed
        .iter()
        .map(|(n, v)| (n.to_lowercase(), v.to_owned()))
        .collect();
    assert!(v.verify(&owned, BODY).is_ok());

    let sig = signed.get("Webhook-Signature").unwrap();
    let ts = signed.get("webhook-timestamp").unwrap();
    let array = [
        ("webhook-signature", sig),
        ("webhook-timestamp", ts),
        ("webhook-id", "evt_1"),
    ];
    assert!(v.verify(&array, BODY).is_ok());
}

#[test]
fn insert_into_replaces_stale_values() {
    let clock = clock();
    let s = signer(vec![key("k", 1)], &clock);
    let mut map = http::HeaderMap::new();
    map.append(
        "webhook-signature",
        http::HeaderValue::from_static("v1,stale"),
    );
    map.append(
        "webhook-signature",
        http::HeaderValue::from_static("v1,stale2"),
    );
    map.append("webhook-id", http::HeaderValue::from_static("evt_0"));
    s.sign(Some("evt_1"), BODY)
        .unwrap()
        .insert_into(&mut map)
        .unwrap();
    assert_eq!(map.get_all("webhook-signature").iter().count(), 1);
    assert_eq!(map.get_all("webhook-id").iter().count(), 1);
    assert!(
        verifier(vec![key("k", 1)], &clock)
            .verify(&map, BODY)
            .is_ok()
    );
}

#[test]
fn repeated_and_missing_headers_are_rejected() {
    let clock = clock();
    let s = signer(vec![key("k", 1)], &clock);
    let v = verifier(vec![key("k", 1)], &clock);
    let pairs = signed_pairs(&s, Some("evt_1"), BODY, NOW);
    let sig = value(&pairs, "webhook-signature").to_owned();

    let mut twice = pairs.clone();
    twice.push(("webhook-signature".into(), sig.clone()));
    assert_eq!(
        v.verify(&twice, BODY).unwrap_err(),
        VerifyError::DuplicateHeader(HeaderKind::Signature)
    );

    let mut two_ids = pairs.clone();
    two_ids.push(("WEBHOOK-ID".into(), "evt_2".into()));
    assert_eq!(
        v.verify(&two_ids, BODY).unwrap_err(),
        VerifyError::DuplicateHeader(HeaderKind::Id)
    );

    let none: [(&str, &str); 0] = [];
    let err = v.verify(&none, BODY).unwrap_err();
    assert_eq!(err, VerifyError::MissingHeader(HeaderKind::Signature));
    assert_eq!(err.status_code(), 400);

    // The default scheme signs its id, so the id is required, and the one verified is signed.
    let ts = value(&pairs, "webhook-timestamp").to_owned();
    let no_id = [
        ("webhook-signature", sig.as_str()),
        ("webhook-timestamp", ts.as_str()),
    ];
    let err = v.verify(&no_id, BODY).unwrap_err();
    assert_eq!(err, VerifyError::MissingHeader(HeaderKind::Id));
    assert_eq!(err.status_code(), 400);
    let verified = v.verify(&pairs, BODY).unwrap();
    assert_eq!(verified.id(), Some("evt_1"));
    assert!(verified.id_is_signed());
}

#[test]
fn delivery_ids_are_checked_both_ways() {
    let clock = clock();
    let s = signer(vec![key("k", 1)], &clock);
    let v = verifier(vec![key("k", 1)], &clock);
    for bad in ["", "has space", "tab\there", "caf\u{e9}", &"x".repeat(256)] {
        assert_eq!(
            s.sign(Some(bad), BODY).unwrap_err(),
            SignError::InvalidId,
            "{bad:?}"
        );
    }
    assert!(s.sign(Some(&"x".repeat(255)), BODY).is_ok());

    let pairs = signed_pairs(&s, Some("evt_1"), BODY, NOW);
    for bad in ["", "a b", "caf\u{e9}", &"x".repeat(256)] {
        let edited = with_value(&pairs, "webhook-id", bad);
        assert_eq!(
            v.verify(&edited, BODY).unwrap_err(),
            VerifyError::InvalidId,
            "{bad:?}"
        );
    }
    let mut raw = http::HeaderMap::new();
    s.sign(Some("evt_1"), BODY)
        .unwrap()
        .insert_into(&mut raw)
        .unwrap();
    raw.insert(
        "webhook-id",
        http::HeaderValue::from_bytes(b"\xff\xfe").unwrap(),
    );
    assert_eq!(v.verify(&raw, BODY).unwrap_err(), VerifyError::InvalidId);
}

#[test]
fn oversized_headers_are_refused_before_parsing() {
    let clock = clock();
    let v = verifier(vec![key("k", 1)], &clock);
    let long = format!("v1,{}", "x ".repeat(1200));
    let pairs = [("webhook-signature", long.as_str())];
    assert_eq!(
        v.verify(&pairs, BODY).unwrap_err(),
        VerifyError::HeaderTooLong(HeaderKind::Signature)
    );
    let max = Scheme::standard_webhooks().max_header_len();
    assert_eq!(max, 2048);
}

#[test]
fn bodies_are_bytes_not_text() {
    let clock = clock();
    let s = signer(vec![key("k", 1)], &clock);
    let v = verifier(vec![key("k", 1)], &clock);
    for body in [
        &b"\xff\xfe"[..],
        b"",
        b"\0\0\0",
        "caf\u{e9} \u{1f600}".as_bytes(),
    ] {
        let pairs = signed_pairs(&s, Some("evt_1"), body, NOW);
        assert_eq!(v.verify(&pairs, body).unwrap().body(), body);
    }
    // An empty body's signature does not verify a one-byte body, nor the reverse.
    let empty = signed_pairs(&s, Some("evt_1"), b"", NOW);
    assert_eq!(
        v.verify(&empty, b"\0").unwrap_err(),
        VerifyError::NoMatchingSignature
    );
}

#[test]
fn a_larger_keyring_still_verifies_with_its_last_key() {
    let clock = clock();
    let mut ring = Keyring::new(key("k0", 100)).unwrap();
    let mut fill = 100_u8;
    for i in 1..Keyring::MAX_KEYS {
        fill += 1;
        ring = ring.with_key(key(&format!("k{i}"), fill)).unwrap();
    }
    let last = format!("k{}", Keyring::MAX_KEYS - 1);
    let s = signer(vec![key(&last, fill)], &clock);
    let v = Verifier::new(Scheme::standard_webhooks(), ring).with_clock(clock.clone());
    let pairs = signed_pairs(&s, Some("evt_1"), BODY, NOW);
    assert_eq!(v.verify(&pairs, BODY).unwrap().key_id(), last.as_str());
}

#[test]
fn public_types_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Secret>();
    assert_send_sync::<Key>();
    assert_send_sync::<Keyring>();
    assert_send_sync::<Signer>();
    assert_send_sync::<Verifier>();
    assert_send_sync::<Verified<'static>>();
    assert_send_sync::<SignedHeaders>();
    assert_send_sync::<ReplayKey>();
    assert_send_sync::<VerifyError>();
    assert_send_sync::<Timestamp>();
}

#[test]
fn signed_headers_report_their_timestamp() {
    let s = Signer::new(
        Scheme::standard_webhooks(),
        Keyring::single(Secret::from_bytes([3; 32]).unwrap()),
    );
    let at = Timestamp::from_unix_secs(NOW);
    let h = s.sign_at(Some("e"), BODY, at).unwrap();
    assert_eq!(h.timestamp(), at);
    assert_eq!(h.iter().next().unwrap().0, "webhook-signature");
    assert_eq!(h.get("Webhook-Id"), Some("e"));
}

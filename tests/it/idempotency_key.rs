//! `Idempotency-Key` parsing over arbitrary input: every valid key round-trips through the
//! draft's quoted form (escapes and parameters included) and through the bare form; no input
//! panics, and whatever is accepted is a 1–255 character visible-ASCII key. Fingerprints of a
//! verified delivery follow its body, or its signature.

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

use hookseal::idempotency::{Fingerprint, IdempotencyKey, KeyError, KeyParser};
use hookseal::{Keyring, Scheme, Secret, Signer, Timestamp, Verifier};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 512,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("regressions"))),
        ..ProptestConfig::default()
    }
}

/// The draft's serialization of `key` as an sf-string.
fn quoted(key: &str) -> String {
    let mut out = String::from("\"");
    for c in key.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn quoted_keys_round_trip(key in "[!-~]{1,255}", params in "(;[a-z*][a-z0-9_.*-]{0,5}(=(\\?[01]|-?[0-9]{1,5}|[a-zA-Z][a-zA-Z0-9]{0,4}))?){0,3}") {
        let value = format!("{}{params}", quoted(&key));
        prop_assert_eq!(IdempotencyKey::parse_strict(value.as_bytes()), IdempotencyKey::new(&key));
        prop_assert_eq!(IdempotencyKey::parse(value.as_bytes()), IdempotencyKey::new(&key));
    }

    #[test]
    fn bare_keys_round_trip_leniently(key in "[!#-+\\--:<-\\[\\]-~]{1,255}") {
        prop_assert_eq!(IdempotencyKey::parse(key.as_bytes()), IdempotencyKey::new(&key));
        prop_assert_eq!(IdempotencyKey::parse_strict(key.as_bytes()), Err(KeyError::NotAString));
    }

    #[test]
    fn any_input_is_a_valid_key_or_a_typed_error(value in proptest::collection::vec(any::<u8>(), 0..600)) {
        for key in [IdempotencyKey::parse(&value), IdempotencyKey::parse_strict(&value)].into_iter().flatten() {
            {
                let k = key.as_str();
                prop_assert!((1..=255).contains(&k.len()));
                prop_assert!(k.bytes().all(|b| b.is_ascii_graphic()));
            }
        }
    }

    #[test]
    fn near_valid_input_never_panics(value in "[\"\\\\;=?:@%a-z0-9 ,*-]{0,40}") {
        let _ = IdempotencyKey::parse(value.as_bytes());
        let _ = IdempotencyKey::parse_strict(value.as_bytes());
    }
}

#[test]
fn keys_past_255_characters_are_refused_in_either_form() {
    let key = "k".repeat(256);
    let too_long = Err(KeyError::TooLong { max: 255 });
    assert_eq!(IdempotencyKey::parse(key.as_bytes()), too_long);
    assert_eq!(
        IdempotencyKey::parse_strict(quoted(&key).as_bytes()),
        too_long
    );
    assert_eq!(IdempotencyKey::new(&key), too_long);
}

#[cfg(feature = "http")]
#[test]
fn the_header_is_read_once_from_any_header_source() {
    let mut map = http::HeaderMap::new();
    map.insert("Idempotency-Key", http::HeaderValue::from_static("\"a-1\""));
    assert_eq!(KeyParser::new().from_headers(&map).unwrap().as_str(), "a-1");
    map.append("idempotency-key", http::HeaderValue::from_static("\"a-1\""));
    assert_eq!(
        KeyParser::new().from_headers(&map),
        Err(KeyError::Duplicate)
    );
    assert_eq!(KeyParser::new().header().as_str(), "idempotency-key");
    assert!(KeyParser::with_header("bad header").is_err());
}

#[test]
fn fingerprints_of_a_delivery_follow_its_body_or_its_signature() {
    let ring = || Keyring::single(Secret::from_bytes([9_u8; 32]).unwrap());
    let signer = Signer::new(Scheme::standard_webhooks(), ring());
    let verifier = Verifier::new(Scheme::standard_webhooks(), ring());
    let body = br#"{"type":"invoice.paid"}"#;
    let now = Timestamp::from_unix_secs(1_700_000_000);
    let later = Timestamp::from_unix_secs(1_700_000_060);
    let first = signer.sign_at(Some("msg_1"), body, now).unwrap();
    let retry = signer.sign_at(Some("msg_1"), body, later).unwrap();
    let first: Vec<(&str, &str)> = first.iter().collect();
    let retry: Vec<(&str, &str)> = retry.iter().collect();
    let a = verifier.verify_at(&first, body, now).unwrap();
    let b = verifier.verify_at(&retry, body, later).unwrap();
    let again = verifier.verify_at(&first, body, later).unwrap();

    // A retry re-signs the same body: the body fingerprint matches, the signature's does not.
    assert_eq!(Fingerprint::of_verified(&a), Fingerprint::of_verified(&b));
    assert_eq!(Fingerprint::of_verified(&a), Fingerprint::of_body(body));
    assert_ne!(
        Fingerprint::of_signed_request(&a),
        Fingerprint::of_signed_request(&b)
    );
    // The identical signed request resent: both match.
    assert_eq!(
        Fingerprint::of_signed_request(&a),
        Fingerprint::of_signed_request(&again)
    );

    // The delivery id is the key.
    assert_eq!(IdempotencyKey::from_verified(&a).unwrap().as_str(), "msg_1");
    // A delivery sent without its (optional, unsigned) id has none.
    let no_id = Signer::new(Scheme::github(), ring())
        .sign_at(None, body, now)
        .unwrap();
    let no_id: Vec<(&str, &str)> = no_id.iter().collect();
    let plain = Verifier::new(Scheme::github(), ring());
    let v = plain.verify_at(&no_id, body, now).unwrap();
    assert_eq!(IdempotencyKey::from_verified(&v), Err(KeyError::Missing));
}

//! `Idempotency-Key` parsing over arbitrary input: every valid key round-trips through the
//! draft's quoted form (escapes and parameters included) and through the bare form; no input
//! panics, and whatever is accepted is a 1–255 character visible-ASCII key. Fingerprints of a
//! verified delivery follow its body, or its signature.

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

use hookseal::dangerous;
use hookseal::idempotency::{Fingerprint, IdempotencyKey, KeyParser};
use hookseal::{HeaderKind, IdempotencyKeyReason, VerifyError};
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
        prop_assert_eq!(IdempotencyKey::parse_strict(key.as_bytes()), Err(VerifyError::InvalidIdempotencyKey(IdempotencyKeyReason::NotAString)));
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
    let too_long = Err(VerifyError::InvalidIdempotencyKey(
        IdempotencyKeyReason::TooLong { max: 255 },
    ));
    assert_eq!(IdempotencyKey::parse(key.as_bytes()), too_long);
    assert_eq!(
        IdempotencyKey::parse_strict(quoted(&key).as_bytes()),
        too_long
    );
    assert_eq!(IdempotencyKey::new(&key), too_long);
}

#[test]
fn a_short_key_with_oversized_parameters_is_a_header_too_long_not_a_key_too_long() {
    let params: String = (0..100).map(|i| format!(";p{i:03}=12345")).collect();
    let value = format!("\"abc\"{params}");
    assert!(value.len() > 1024 && value.len() < 1200, "{}", value.len());
    let header_too_long = Err(VerifyError::HeaderTooLong(HeaderKind::IdempotencyKey));
    assert_eq!(IdempotencyKey::parse(value.as_bytes()), header_too_long);
    assert_eq!(
        IdempotencyKey::parse_strict(value.as_bytes()),
        header_too_long
    );
    assert_eq!(KeyParser::new().parse(value.as_bytes()), header_too_long);
    let message = VerifyError::HeaderTooLong(HeaderKind::IdempotencyKey).to_string();
    assert_eq!(message, "idempotency key header too long");
    // Within the cap, the same parameters are fine.
    let fits: String = (0..90).map(|i| format!(";p{i:03}=12345")).collect();
    let fits = format!("\"abc\"{fits}");
    assert!(fits.len() <= 1024);
    assert_eq!(
        IdempotencyKey::parse_strict(fits.as_bytes())
            .unwrap()
            .as_str(),
        "abc"
    );
    // A key itself past 255 characters is still too long a key: see
    // `keys_past_255_characters_are_refused_in_either_form`.
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
        Err(VerifyError::DuplicateHeader(HeaderKind::IdempotencyKey))
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

    // The signed delivery id is the key.
    assert_eq!(IdempotencyKey::from_verified(&a).unwrap().as_str(), "msg_1");
}

/// An id the signature does not cover never keys dedupe: a captured GitHub delivery replayed
/// with a new `X-GitHub-Delivery` verifies, and would get a new key. The refusal says what to
/// use instead; the unsigned path stays under `dangerous`.
#[test]
fn an_unsigned_id_is_refused_as_a_key() {
    let ring = || Keyring::single(Secret::from_bytes([9_u8; 32]).unwrap());
    let signer = Signer::new(Scheme::github(), ring());
    let verifier = Verifier::new(Scheme::github(), ring());
    let body = br#"{"action":"opened"}"#;
    let signed = signer.sign(Some("d1e2"), body).unwrap();
    let mut headers: Vec<(String, String)> =
        signed.iter().map(|(n, v)| (n.into(), v.into())).collect();
    let v = verifier.verify(&headers, body).unwrap();
    assert!(!v.id_is_signed());
    let err = IdempotencyKey::from_verified(&v).unwrap_err();
    assert_eq!(err, VerifyError::UnsignedId);
    // The receiver's choice of key, not the sender's fault.
    assert_eq!(err.status_code(), 500);
    assert!(err.to_string().contains("verified body"), "{err}");
    assert!(err.to_string().contains("replay key"), "{err}");
    assert_eq!(dangerous::unsigned_id_key(&v).unwrap().as_str(), "d1e2");

    // The attack the refusal closes: a new id on the same signed bytes still verifies.
    for (name, value) in &mut headers {
        if name.eq_ignore_ascii_case("x-github-delivery") {
            *value = "forged".into();
        }
    }
    let forged = verifier.verify(&headers, body).unwrap();
    assert_eq!(
        IdempotencyKey::from_verified(&forged),
        Err(VerifyError::UnsignedId)
    );
    assert_eq!(
        dangerous::unsigned_id_key(&forged).unwrap().as_str(),
        "forged"
    );

    // No id at all: the dangerous path says so.
    let no_id = signer.sign(None, body).unwrap();
    let no_id: Vec<(&str, &str)> = no_id.iter().collect();
    let v = verifier.verify(&no_id, body).unwrap();
    assert_eq!(
        dangerous::unsigned_id_key(&v),
        Err(VerifyError::MissingHeader(HeaderKind::Id))
    );
}

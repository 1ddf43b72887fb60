//! Regressions for review findings: canonical base64 in `v1a` signatures, signed ids that would
//! make the signed content ambiguous (refused by signer and verifier alike), and custom layouts
//! with adjacent variable parts.

use hmac::{KeyInit as _, Mac as _};
use hookseal::scheme::Part;
use hookseal::{
    ConfigError, Keyring, Scheme, Secret, SignError, Signer, Timestamp, Verifier, VerifyError,
};

const NOW: u64 = 1_700_000_000;
const BODY: &[u8] = br#"{"event":"invoice.paid"}"#;

fn secret() -> Secret {
    Secret::from_bytes([7_u8; 32]).unwrap()
}

/// The HMAC-SHA256 of `content` under [`secret`]'s bytes, as a Standard Webhooks `v1` entry.
fn sw_v1_entry(content: &[u8]) -> String {
    use base64::Engine as _;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&[7_u8; 32]).unwrap();
    mac.update(content);
    let tag = mac.finalize().into_bytes();
    format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(tag)
    )
}

fn sw_headers(id: &str, signature: &str) -> Vec<(&'static str, String)> {
    vec![
        ("webhook-id", id.to_owned()),
        ("webhook-timestamp", NOW.to_string()),
        ("webhook-signature", signature.to_owned()),
    ]
}

#[cfg(feature = "ed25519")]
#[test]
fn v1a_signatures_have_one_base64_spelling() {
    use base64::Engine as _;
    use hookseal::{Ed25519SigningKey, Key};

    let now = Timestamp::from_unix_secs(NOW);
    let (sk, _) = Ed25519SigningKey::generate().unwrap();
    let public = Key::ed25519_public("ed", sk.public_key()).unwrap();
    let signer = Signer::new(
        Scheme::standard_webhooks(),
        Keyring::new(Key::ed25519_signing("ed", sk).unwrap()).unwrap(),
    );
    let verifier = Verifier::new(Scheme::standard_webhooks(), Keyring::new(public).unwrap());
    let signed = signer.sign_at(Some("msg_1"), BODY, now).unwrap();
    let sent = signed.get("webhook-signature").unwrap();
    let b64 = sent.strip_prefix("v1a,").unwrap();
    assert_eq!(b64.len(), 88);
    assert!(b64.ends_with("=="));
    assert!(
        verifier
            .verify_at(&sw_headers("msg_1", sent), BODY, now)
            .is_ok()
    );

    // 64 bytes leave one byte in the last group: its second character carries two bits of it,
    // and its four low bits must be zero. Every other value of those four bits is refused.
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let last = b64.as_bytes()[85];
    let value = ALPHABET.iter().position(|&c| c == last).unwrap();
    assert_eq!(value & 0x0f, 0, "the signer writes the canonical spelling");
    for low in 1..16 {
        let variant = char::from(ALPHABET[(value & 0x30) | low]);
        let text = format!("{}{variant}==", &b64[..85]);
        assert!(
            base64::engine::general_purpose::STANDARD
                .decode(&text)
                .is_err(),
            "{text}"
        );
        let headers = sw_headers("msg_1", &format!("v1a,{text}"));
        assert_eq!(
            verifier.verify_at(&headers, BODY, now).unwrap_err(),
            VerifyError::MalformedSignature,
            "{text}"
        );
    }
}

#[test]
fn verifier_refuses_an_id_holding_the_separator_after_it() {
    let now = Timestamp::from_unix_secs(NOW);
    let verifier = Verifier::new(Scheme::standard_webhooks(), Keyring::single(secret()));
    // A correct tag over `evt.1.<ts>.<body>`, as a sender that does not check ids would make.
    let mut content = format!("evt.1.{NOW}.").into_bytes();
    content.extend_from_slice(BODY);
    let headers = sw_headers("evt.1", &sw_v1_entry(&content));
    let err = verifier.verify_at(&headers, BODY, now).unwrap_err();
    assert_eq!(err, VerifyError::AmbiguousId);
    assert_eq!(err.status_code(), 400);

    // The signer refuses the same id.
    let signer = Signer::new(Scheme::standard_webhooks(), Keyring::single(secret()));
    assert_eq!(
        signer.sign_at(Some("evt.1"), BODY, now).unwrap_err(),
        SignError::AmbiguousId
    );
    // A clean id still verifies, tag made the same way.
    let mut content = format!("evt_1.{NOW}.").into_bytes();
    content.extend_from_slice(BODY);
    let headers = sw_headers("evt_1", &sw_v1_entry(&content));
    assert!(verifier.verify_at(&headers, BODY, now).is_ok());
}

#[test]
fn adjacent_variable_parts_are_a_configuration_error() {
    let base = || {
        Scheme::custom("t")
            .signature_header("X-Sig")
            .timestamp_header("X-Ts")
            .id_header("X-Id")
    };
    for parts in [
        vec![Part::id(), Part::timestamp(), Part::text("."), Part::body()],
        vec![Part::timestamp(), Part::body()],
        vec![Part::id(), Part::text("."), Part::timestamp(), Part::body()],
        vec![Part::body(), Part::id(), Part::text("."), Part::timestamp()],
    ] {
        assert_eq!(
            base().signed_content(parts.clone()).build().unwrap_err(),
            ConfigError::AdjacentVariableParts,
            "{parts:?}"
        );
    }
    assert!(
        base()
            .signed_content([
                Part::body(),
                Part::text("."),
                Part::id(),
                Part::text("."),
                Part::timestamp(),
            ])
            .build()
            .is_ok()
    );
}

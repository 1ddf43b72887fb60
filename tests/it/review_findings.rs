//! Regressions for review findings: canonical base64 in `v1a` signatures, signed ids that would
//! make the signed content ambiguous (refused by signer and verifier alike), and custom layouts
//! with adjacent variable parts.

use hmac::{KeyInit as _, Mac as _};
use hookseal::scheme::{Encoding, Part, SignatureFormat};
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

/// `v1:id.timestamp.body`: a layout whose text before the id has letters and digits in it.
fn prefixed_scheme() -> Scheme {
    Scheme::custom("prefixed")
        .signature_header("X-Sig")
        .signature_format(SignatureFormat::prefixed("v1="))
        .encoding(Encoding::Hex)
        .timestamp_header("X-Ts")
        .id_header("X-Id")
        .signed_content([
            Part::text("v1:"),
            Part::id(),
            Part::text("."),
            Part::timestamp(),
            Part::text("."),
            Part::body(),
        ])
        .build()
        .unwrap()
}

#[cfg(feature = "ed25519")]
#[test]
fn v1a_signatures_have_one_base64_spelling() {
    use base64::Engine as _;
    use hookseal::{Ed25519SigningKey, Key};

    let now = Timestamp::from_unix_secs(NOW);
    let mut sevens = |bytes: &mut [u8]| {
        bytes.fill(7);
        Ok(())
    };
    let (sk, _) = Ed25519SigningKey::generate_with(&mut sevens).unwrap();
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

#[test]
fn only_the_text_next_to_the_id_constrains_it() {
    let now = Timestamp::from_unix_secs(NOW);
    let signer = Signer::new(prefixed_scheme(), Keyring::single(secret()));
    let verifier = Verifier::new(prefixed_scheme(), Keyring::single(secret()));

    // Ids may hold bytes of the text before them, `v1:`, as long as they do not repeat it.
    for id in ["evt_1", "v1", "x:1"] {
        let signed = signer.sign_at(Some(id), BODY, now).unwrap();
        let headers: Vec<(&str, &str)> = signed.iter().collect();
        let verified = verifier.verify_at(&headers, BODY, now).unwrap();
        assert_eq!(verified.id(), Some(id));
    }

    // `.` follows the id: an id holding it is refused by both sides.
    assert_eq!(
        signer.sign_at(Some("evt.1"), BODY, now).unwrap_err(),
        SignError::AmbiguousId
    );
    let signed = signer.sign_at(Some("evt_1"), BODY, now).unwrap();
    let headers: Vec<(&str, String)> = signed
        .iter()
        .map(|(n, v)| (n, if n == "X-Id" { "evt.1" } else { v }.to_owned()))
        .collect();
    assert_eq!(
        verifier.verify_at(&headers, BODY, now).unwrap_err(),
        VerifyError::AmbiguousId
    );

    // Standard Webhooks still refuses a `.` anywhere in a signed id.
    let sw = Signer::new(Scheme::standard_webhooks(), Keyring::single(secret()));
    for id in ["evt.1", ".evt", "evt."] {
        assert_eq!(
            sw.sign_at(Some(id), BODY, now).unwrap_err(),
            SignError::AmbiguousId,
            "{id}"
        );
    }
    assert!(sw.sign_at(Some("evt_1:v1"), BODY, now).is_ok());
}

#[test]
fn a_text_that_can_overlap_the_id_is_checked_as_text() {
    // With `--` after the id, `a-` is ambiguous although it does not contain `--`: the content
    // `a---<ts>…` also reads as the id `a` followed by `--` and a body starting with `-`.
    let scheme = || {
        Scheme::custom("dashes")
            .signature_header("X-Sig")
            .id_header("X-Id")
            .signed_content([Part::id(), Part::text("--"), Part::body()])
            .build()
            .unwrap()
    };
    let now = Timestamp::from_unix_secs(NOW);
    let signer = Signer::new(scheme(), Keyring::single(secret()));
    assert_eq!(
        signer.sign_at(Some("a-"), BODY, now).unwrap_err(),
        SignError::AmbiguousId
    );
    assert_eq!(
        signer.sign_at(Some("a--b"), BODY, now).unwrap_err(),
        SignError::AmbiguousId
    );
    for id in ["a", "a-b", "-a"] {
        assert!(signer.sign_at(Some(id), BODY, now).is_ok(), "{id}");
    }
}

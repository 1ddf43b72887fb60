//! Regressions for review findings: canonical base64 in `v1a` signatures.

#[cfg(feature = "ed25519")]
use hookseal::{Keyring, Scheme, Signer, Timestamp, Verifier, VerifyError};

#[cfg(feature = "ed25519")]
const NOW: u64 = 1_700_000_000;
#[cfg(feature = "ed25519")]
const BODY: &[u8] = br#"{"event":"invoice.paid"}"#;

#[cfg(feature = "ed25519")]
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

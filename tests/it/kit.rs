//! The test kit against the verifier, for every preset: the signed request verifies, and each
//! tampered twin is refused as a signature that does not match. Where a scheme has nothing of
//! a kind signed, the kit makes no twin of that kind, as its docs say.
//!
//! The public-key presets sign with the kit's own keys (`tests/vectors/kit/`, made by
//! `make.py`); their verification against the providers' published vectors is in
//! `public_key.rs`.

use hookseal::test_kit::{SignedRequest, Tamper};
use hookseal::{Keyring, Scheme, Secret, Timestamp, Verifier};

const NOW: u64 = 1_700_000_000;

/// A request of `scheme` and a verifier that accepts it; `None` when the crate is built without
/// what verifies the scheme.
pub(crate) fn setup(scheme: &Scheme) -> Option<(SignedRequest, Verifier)> {
    use hookseal::scheme::Algorithm;
    let at = Timestamp::from_unix_secs(NOW);
    let (kit, verifier) = match scheme.algorithm() {
        Algorithm::HmacSha256 | Algorithm::HmacSha1 => {
            let secret = || Secret::from_bytes([7_u8; 32]).unwrap();
            (
                SignedRequest::new(scheme.clone(), secret()),
                Verifier::new(scheme.clone(), Keyring::single(secret())),
            )
        }
        Algorithm::Ed25519 => ed25519(scheme)?,
        Algorithm::EcdsaP256Sha256 | Algorithm::EcdsaP256Sha256Fixed => p256(scheme)?,
        Algorithm::RsaSha1 | Algorithm::RsaSha256 => rsa(scheme)?,
        _ => unreachable!("{}", scheme.name()),
    };
    let mut kit = kit.timestamp(at).id("evt_1A").body(body(scheme));
    let mut verifier = verifier.with_public_url("https://example.com").unwrap();
    if scheme.signs_endpoint_id() {
        kit = kit.endpoint_id("WH-KIT-0001");
        verifier = verifier.with_endpoint_id("WH-KIT-0001").unwrap();
    }
    if lists_headers(scheme) {
        kit = kit.header("X-Event-Type", "invoice.paid");
    }
    Some((kit, verifier))
}

/// What each scheme's body holds: a form for Twilio, the members of an SNS notification, JSON
/// otherwise.
fn body(scheme: &Scheme) -> Vec<u8> {
    match scheme.name() {
        "twilio" => b"CallSid=CA1234567890ABCDE&From=%2B14158675309&Digits=1234".to_vec(),
        "aws-sns" => br#"{"Type":"Notification","TopicArn":"arn:aws:sns:us-east-1:123456789012:kit","Message":"Hello world"}"#.to_vec(),
        _ => br#"{"type":"invoice.paid","amount":1200}"#.to_vec(),
    }
}

/// Hook0 and Coinbase CDP list the headers they sign, the id header among them.
fn lists_headers(scheme: &Scheme) -> bool {
    ["hook0", "coinbase-cdp"].contains(&scheme.name())
}

#[cfg(feature = "ed25519")]
fn ed25519(scheme: &Scheme) -> Option<(SignedRequest, Verifier)> {
    use hookseal::{Ed25519SigningKey, Key};
    let (signing, _) = Ed25519SigningKey::generate().unwrap();
    let public = signing.public_key();
    Some((
        SignedRequest::new(
            scheme.clone(),
            Keyring::new(Key::ed25519_signing("k", signing).unwrap()).unwrap(),
        ),
        Verifier::new(
            scheme.clone(),
            Keyring::new(Key::ed25519_public("k", public).unwrap()).unwrap(),
        ),
    ))
}

#[cfg(not(feature = "ed25519"))]
fn ed25519(_: &Scheme) -> Option<(SignedRequest, Verifier)> {
    None
}

#[cfg(feature = "p256")]
fn p256(scheme: &Scheme) -> Option<(SignedRequest, Verifier)> {
    use hookseal::test_kit::PrivateKey;
    let key = PrivateKey::p256_from_pem("sendgrid", include_str!("../vectors/kit/p256.key.pem"));
    let public = include_str!("../vectors/kit/p256.pub.txt");
    Some((
        SignedRequest::new(scheme.clone(), key.unwrap()),
        Verifier::from_secret(scheme.clone(), public).unwrap(),
    ))
}

#[cfg(not(feature = "p256"))]
fn p256(_: &Scheme) -> Option<(SignedRequest, Verifier)> {
    None
}

#[cfg(feature = "x509")]
fn rsa(scheme: &Scheme) -> Option<(SignedRequest, Verifier)> {
    use hookseal::test_kit::PrivateKey;
    use hookseal::{Certificate, Key, RsaPublicKey};
    let key = PrivateKey::rsa_from_pem("k1", include_str!("../vectors/kit/rsa.key.pem")).unwrap();
    let kit = SignedRequest::new(scheme.clone(), key);
    if scheme.token_rules().is_some() {
        let public = RsaPublicKey::from_pem(include_str!("../vectors/kit/rsa.pub.pem")).unwrap();
        let verifier = Verifier::new(
            scheme.clone(),
            Keyring::new(Key::rsa_public("k1", public).unwrap()).unwrap(),
        )
        .with_service_account("push@kit-project.iam.gserviceaccount.com")
        .unwrap();
        let kit = kit.service_account("push@kit-project.iam.gserviceaccount.com");
        return Some((kit, verifier));
    }
    let certificate = Certificate::from_pem(include_bytes!("../vectors/kit/rsa.crt")).unwrap();
    let url = match scheme.name() {
        "aws-sns" => "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-kit.pem",
        _ => "https://api.sandbox.paypal.com/v1/notifications/certs/CERT-kit",
    };
    assert!(
        scheme
            .certificate_allow_list()
            .unwrap()
            .check(url.as_bytes())
            .is_ok()
    );
    Some((
        kit.certificate_url(url),
        Verifier::new(
            scheme.clone(),
            Keyring::new(Key::certificate("kit", &certificate).unwrap()).unwrap(),
        ),
    ))
}

#[cfg(not(feature = "x509"))]
fn rsa(_: &Scheme) -> Option<(SignedRequest, Verifier)> {
    None
}

/// The twins each scheme has no use for: nothing of the kind is signed.
fn no_twin(scheme: &Scheme, what: Tamper) -> bool {
    match what {
        Tamper::Body => ["mailgun", "google-pubsub"].contains(&scheme.name()),
        Tamper::Timestamp => !scheme.signs_timestamp(),
        Tamper::Id => !scheme.id_is_signed() && !lists_headers(scheme),
        _ => false,
    }
}

#[test]
fn every_preset_signs_a_request_that_verifies_and_twins_that_do_not() {
    let now = Timestamp::from_unix_secs(NOW);
    let mut covered = Vec::new();
    for scheme in Scheme::presets() {
        let Some((kit, verifier)) = setup(&scheme) else {
            continue;
        };
        let name = scheme.name();
        let request = kit.build().unwrap_or_else(|e| panic!("{name}: {e}"));
        let verified = verifier
            .verify_at(&request, request.body(), now)
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        if scheme.id_header().is_some() || scheme.id_is_signed() {
            assert_eq!(verified.id(), Some("evt_1A"), "{name}");
        }
        if scheme.signs_timestamp() {
            assert_eq!(verified.timestamp(), Some(now), "{name}");
        }
        for what in Tamper::ALL {
            let twin = kit.tampered(what).unwrap();
            assert_eq!(twin.is_none(), no_twin(&scheme, what), "{name} {what:?}");
            let Some(twin) = twin else {
                continue;
            };
            let refused = verifier.verify_at(&twin, twin.body(), now).unwrap_err();
            assert_eq!(refused.code(), "signature_mismatch", "{name} {what:?}");
            // The twin differs from the request in the one thing.
            let differs = |a: &http::Request<bytes::Bytes>, b: &http::Request<bytes::Bytes>| {
                (a.body() != b.body(), a.headers() != b.headers())
            };
            let (body, headers) = differs(&request, &twin);
            assert!(body || headers, "{name} {what:?}");
            if what == Tamper::Body {
                assert!(body && !headers, "{name}");
            }
        }
        covered.push(name.to_owned());
    }
    if cfg!(all(feature = "ed25519", feature = "p256", feature = "x509")) {
        assert_eq!(covered.len(), Scheme::presets().len());
        assert_eq!(covered.len(), 32);
    }
}

/// Standard Webhooks' Ed25519 (`v1a`) entries, signed and tampered like its HMAC ones.
#[cfg(feature = "ed25519")]
#[test]
fn standard_webhooks_ed25519_entries_and_a_rotation_are_tampered_whole() {
    use hookseal::{Ed25519SigningKey, Key};
    let now = Timestamp::from_unix_secs(NOW);
    let (signing, _) = Ed25519SigningKey::generate().unwrap();
    let public = signing.public_key();
    let scheme = Scheme::standard_webhooks();
    // A rotation: two HMAC keys and an Ed25519 one, each signing; every signature is flipped.
    let ring = Keyring::from_keys([
        Key::new("new", Secret::from_bytes([1_u8; 32]).unwrap()).unwrap(),
        Key::new("old", Secret::from_bytes([2_u8; 32]).unwrap()).unwrap(),
        Key::ed25519_signing("ed", signing).unwrap(),
    ])
    .unwrap();
    let kit = SignedRequest::new(scheme.clone(), ring)
        .timestamp(now)
        .id("msg_1")
        .body("{}");
    let request = kit.build().unwrap();
    let signature = request.headers()["webhook-signature"].to_str().unwrap();
    assert_eq!(signature.matches("v1,").count(), 2);
    assert_eq!(signature.matches("v1a,").count(), 1);
    for verifier in [
        Verifier::new(
            scheme.clone(),
            Keyring::new(Key::new("old", Secret::from_bytes([2_u8; 32]).unwrap()).unwrap())
                .unwrap(),
        ),
        Verifier::new(
            scheme.clone(),
            Keyring::new(Key::ed25519_public("ed", public.clone()).unwrap()).unwrap(),
        ),
    ] {
        assert!(verifier.verify_at(&request, request.body(), now).is_ok());
        for what in Tamper::ALL {
            let twin = kit.tampered(what).unwrap().unwrap();
            let refused = verifier.verify_at(&twin, twin.body(), now).unwrap_err();
            assert_eq!(refused.code(), "signature_mismatch", "{what:?}");
        }
    }
}

/// What the kit refuses to build: a request its scheme cannot verify.
#[test]
fn incomplete_requests_are_refused() {
    use hookseal::SignError;
    let secret = || Secret::from_bytes([7_u8; 32]).unwrap();
    // Standard Webhooks signs its id.
    let kit = SignedRequest::new(Scheme::standard_webhooks(), secret());
    assert_eq!(kit.build().unwrap_err(), SignError::MissingId);
    // Linear reads its timestamp from a JSON object body, and writes it there.
    let kit = SignedRequest::new(Scheme::linear(), secret()).body("[1]");
    assert_eq!(kit.build().unwrap_err(), SignError::InvalidBody);
    let kit = SignedRequest::new(Scheme::linear(), secret()).body(r#"{"webhookTimestamp":1}"#);
    assert_eq!(kit.build().unwrap_err(), SignError::InvalidBody);
    // A URL the request line cannot come from.
    let kit = SignedRequest::new(Scheme::square(), secret()).url("/relative");
    assert_eq!(kit.build().unwrap_err(), SignError::InvalidUrl);
    // An HMAC secret cannot sign for a public-key preset.
    let kit = SignedRequest::new(Scheme::sendgrid(), secret());
    assert_eq!(kit.build().unwrap_err(), SignError::NoActiveKey);
    // PayPal signs an endpoint id, and names a certificate.
    #[cfg(feature = "rsa")]
    {
        let key = hookseal::test_kit::PrivateKey::rsa_from_pem(
            "k1",
            include_str!("../vectors/kit/rsa.key.pem"),
        )
        .unwrap();
        let kit = SignedRequest::new(Scheme::paypal(), key).id("t-1");
        assert_eq!(kit.build().unwrap_err(), SignError::Incomplete);
        let kit = kit.endpoint_id("WH-1");
        assert_eq!(kit.build().unwrap_err(), SignError::Incomplete);
        let kit = kit.certificate_url("https://api.paypal.com/v1/notifications/certs/CERT-1");
        assert!(kit.build().is_ok());
    }
}

/// A form is written as Twilio's SDK reads it, with its content type.
#[test]
fn forms_are_encoded_with_their_content_type() {
    let kit = SignedRequest::new(Scheme::twilio(), Secret::from_bytes([7_u8; 32]).unwrap())
        .form([("From", "+1 415"), ("Body", "a&b=c")]);
    let request = kit.build().unwrap();
    assert_eq!(&request.body()[..], b"From=%2B1+415&Body=a%26b%3Dc");
    assert_eq!(
        request.headers()["content-type"],
        "application/x-www-form-urlencoded"
    );
}

/// The README's test of a receiver, with Stripe: the twins Stripe signs are refused with 401.
#[test]
fn the_readme_receiver_test() -> Result<(), Box<dyn std::error::Error>> {
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let now = Timestamp::from_unix_secs(1_700_000_000);
    let verifier = Verifier::from_secret(Scheme::stripe(), secret)?;
    let kit = SignedRequest::from_secret(Scheme::stripe(), secret)?
        .body(r#"{"id":"evt_1","type":"invoice.paid"}"#)
        .timestamp(now);

    let request = kit.build()?;
    assert!(verifier.verify_at(&request, request.body(), now).is_ok());
    let mut refused = 0;
    for what in Tamper::ALL {
        if let Some(twin) = kit.tampered(what)? {
            let error = verifier.verify_at(&twin, twin.body(), now).unwrap_err();
            assert_eq!(error.status_code(), 401);
            refused += 1;
        }
    }
    // Stripe signs the body and the timestamp, and no id.
    assert_eq!(refused, 3);
    Ok(())
}

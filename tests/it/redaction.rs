//! No key bytes in `Debug` of any type that holds a key, and no key or expected tag in any error.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};

use hookseal::{Key, Keyring, Scheme, Secret, Signer, Timestamp, Verifier};

use crate::common::{NOW, clock, signed_pairs, value, with_value};

/// A key with no repeated bytes, so any 4-byte window of it is distinctive.
const KEY: [u8; 32] = [
    0xa7, 0x3c, 0x0c, 0x09, 0xf1, 0x5e, 0x22, 0x8b, 0x47, 0xd3, 0x6e, 0x91, 0x14, 0xbb, 0x58, 0x02,
    0xe9, 0x7a, 0x35, 0xc6, 0x1f, 0x83, 0x6d, 0x40, 0xfe, 0x29, 0x97, 0x5b, 0xac, 0x10, 0xd8, 0x63,
];

/// Every rendering of every 4-byte window of `bytes` that a careless `Debug` could print.
fn forms(bytes: &[u8]) -> Vec<String> {
    let mut out = vec![STANDARD.encode(bytes), STANDARD_NO_PAD.encode(bytes)];
    for w in bytes.windows(4) {
        out.push(hex::encode(w));
        out.push(hex::encode_upper(w));
        out.push(format!("{w:?}").trim_matches(['[', ']']).to_owned());
        out.push(format!("{w:x?}").trim_matches(['[', ']']).to_owned());
        out.push(String::from_utf8_lossy(w).into_owned());
    }
    out.push(String::from_utf8_lossy(bytes).into_owned());
    out
}

fn assert_clean(what: &str, text: &str, secret_bytes: &[u8]) {
    for form in forms(secret_bytes) {
        assert!(!text.contains(&form), "{what} leaks {form:?}: {text}");
    }
}

fn keyring() -> Keyring {
    Keyring::new(Key::new("k1", Secret::from_bytes(KEY).unwrap()).unwrap()).unwrap()
}

#[test]
fn debug_of_key_holders_shows_no_key_bytes() {
    let secret = Secret::from_bytes(KEY).unwrap();
    assert_clean("Secret", &format!("{secret:?} {secret:#?}"), &KEY);
    let key = Key::new("k1", Secret::from_bytes(KEY).unwrap()).unwrap();
    assert_clean("Key", &format!("{key:?} {key:#?}"), &KEY);
    let ring = keyring();
    assert_clean("Keyring", &format!("{ring:?} {ring:#?}"), &KEY);
    let signer = Signer::new(Scheme::standard_webhooks(), keyring());
    assert_clean("Signer", &format!("{signer:?} {signer:#?}"), &KEY);
    let verifier = Verifier::new(Scheme::standard_webhooks(), keyring());
    assert_clean("Verifier", &format!("{verifier:?} {verifier:#?}"), &KEY);

    let headers = signer
        .sign_at(Some("evt_1"), b"body", Timestamp::from_unix_secs(NOW))
        .unwrap();
    let pairs: Vec<(&str, &str)> = headers.iter().collect();
    let verified = verifier
        .verify_at(&pairs, b"body", Timestamp::from_unix_secs(NOW))
        .unwrap();
    let text = format!("{verified:?} {verified:#?}");
    assert_clean("Verified", &text, &KEY);
    assert!(!text.contains("body\""), "Verified prints the body: {text}");
    let tag_b64 = headers
        .get("webhook-signature")
        .and_then(|h| h.strip_prefix("v1,"))
        .unwrap();
    assert!(
        !text.contains(&tag_b64[..16]),
        "Verified prints the tag: {text}"
    );
    assert_clean("Verified", &text, &STANDARD.decode(tag_b64).unwrap());
}

#[cfg(feature = "std")]
#[test]
fn generated_secrets_are_redacted_until_exported() {
    let generated = Secret::generate().unwrap();
    let debug_before = format!("{generated:?}");
    let (secret, text) = generated.export();
    let exported = text.expose_secret().to_owned();
    let key_b64 = exported.strip_prefix("whsec_").unwrap();
    let raw = STANDARD.decode(key_b64).unwrap();
    assert_eq!(raw.len(), 32);
    for (what, shown) in [
        ("GeneratedSecret", debug_before),
        ("Secret", format!("{secret:?}")),
        ("ExportedSecret", format!("{text:?}")),
    ] {
        assert!(!shown.contains(&key_b64[..8]), "{what}: {shown}");
        assert_clean(what, &shown, &raw);
    }
}

#[test]
fn errors_carry_neither_key_nor_expected_tag() {
    let clock = clock();
    let signer = Signer::new(Scheme::standard_webhooks(), keyring()).with_clock(clock.clone());
    let verifier = Verifier::new(Scheme::standard_webhooks(), keyring()).with_clock(clock.clone());
    let pairs = signed_pairs(&signer, Some("evt_1"), b"original", NOW);
    let header = value(&pairs, "webhook-signature").to_owned();
    let expected_tag = header.strip_prefix("v1,").unwrap().to_owned();
    let expected_bytes = STANDARD.decode(&expected_tag).unwrap();

    // A tampered body: the verifier computes exactly `expected_tag` and must not reveal it.
    let wrong_tag = format!("v1,{}", STANDARD.encode([0_u8; 32]));
    let cases = vec![
        verifier.verify(&pairs, b"tampered").unwrap_err(),
        verifier
            .verify(
                &with_value(&pairs, "webhook-signature", &wrong_tag),
                b"original",
            )
            .unwrap_err(),
        verifier
            .verify(
                &with_value(&pairs, "webhook-signature", &header.to_uppercase()),
                b"original",
            )
            .unwrap_err(),
    ];
    for err in cases {
        let text = format!("{err} {err:?}");
        assert!(!text.contains(&expected_tag[..8]), "{text}");
        assert_clean("VerifyError", &text, &KEY);
        assert_clean("VerifyError", &text, &expected_bytes);
    }

    let err = Secret::from_bytes(KEY[..20].to_vec()).unwrap_err();
    assert_clean("SecretError", &format!("{err} {err:?}"), &KEY[..20]);
    let b64 = STANDARD.encode(&KEY[..20]);
    let err = Secret::from_base64(&b64).unwrap_err();
    assert!(!format!("{err} {err:?}").contains(&b64[..8]));
}

/// The middleware's types hold a verifier (and so the keys) or a verified request: their `Debug`
/// shows neither key bytes nor the tag.
#[cfg(feature = "tower")]
#[test]
fn middleware_types_show_no_key_bytes() {
    use hookseal::VerifiedDelivery;
    use hookseal::middleware::VerifyLayer;
    use tower::Layer as _;

    let layer = VerifyLayer::new(Verifier::new(Scheme::standard_webhooks(), keyring()));
    assert_clean("VerifyLayer", &format!("{layer:?} {layer:#?}"), &KEY);
    let service = layer.layer(());
    assert_clean("VerifyService", &format!("{service:?} {service:#?}"), &KEY);

    // A delivery as the middleware hands it on, taken from a request it passed.
    let signer = Signer::new(Scheme::standard_webhooks(), keyring());
    let headers = signer
        .sign_at(Some("evt_1"), b"body", Timestamp::from_unix_secs(NOW))
        .unwrap();
    let tag_b64 = headers
        .get("webhook-signature")
        .and_then(|h| h.strip_prefix("v1,"))
        .unwrap()
        .to_owned();
    let mut request = http::Request::new(http_body_util::Full::new(bytes::Bytes::from_static(
        b"body",
    )));
    headers.insert_into(request.headers_mut()).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let delivery = runtime.block_on(async {
        use tower::{Service as _, ServiceExt};
        let verifier = Verifier::new(Scheme::standard_webhooks(), keyring())
            .with_max_age(std::time::Duration::from_secs(u64::MAX / 4));
        let mut service = VerifyLayer::new(verifier).layer(tower::service_fn(
            |request: http::Request<http_body_util::Full<bytes::Bytes>>| async move {
                Ok::<_, std::convert::Infallible>(http::Response::new(
                    request.extensions().get::<VerifiedDelivery>().cloned(),
                ))
            },
        ));
        let ready =
            ServiceExt::<http::Request<http_body_util::Full<bytes::Bytes>>>::ready(&mut service);
        let response = ready.await.unwrap().call(request).await.unwrap();
        match response.into_body() {
            http_body_util::Either::Left(delivery) => delivery,
            http_body_util::Either::Right(_) => None,
        }
    });
    let delivery = delivery.expect("the request verifies");
    let text = format!("{delivery:?} {delivery:#?}");
    assert_clean("VerifiedDelivery", &text, &KEY);
    assert!(
        !text.contains(&tag_b64[..16]),
        "VerifiedDelivery prints the tag: {text}"
    );
    assert_clean(
        "VerifiedDelivery",
        &text,
        &STANDARD.decode(&tag_b64).unwrap(),
    );
}

#[cfg(feature = "std")]
/// The sender's key holders: endpoint secrets, through generation, rotation and retirement.
#[test]
fn endpoint_secrets_show_no_key_bytes() {
    use hookseal::delivery::EndpointSecrets;
    let (secrets, first) = EndpointSecrets::generate("k1").unwrap();
    let first_raw = STANDARD
        .decode(first.expose_secret().strip_prefix("whsec_").unwrap())
        .unwrap();
    let (rotated, second) = secrets
        .rotate(
            "k2",
            Timestamp::from_unix_secs(NOW),
            std::time::Duration::from_secs(60),
        )
        .unwrap();
    let second_raw = STANDARD
        .decode(second.expose_secret().strip_prefix("whsec_").unwrap())
        .unwrap();
    let supplied = rotated
        .rotate_to(
            Key::new("k3", Secret::from_bytes(KEY).unwrap()).unwrap(),
            Timestamp::from_unix_secs(NOW),
            std::time::Duration::from_secs(60),
        )
        .unwrap();
    for (what, shown) in [
        ("EndpointSecrets", format!("{secrets:?} {secrets:#?}")),
        (
            "EndpointSecrets after rotate",
            format!("{rotated:?} {rotated:#?}"),
        ),
        (
            "EndpointSecrets after retire",
            format!("{:?}", rotated.retire("k1").unwrap()),
        ),
        (
            "EndpointSecrets with a supplied key",
            format!("{supplied:#?}"),
        ),
        ("ExportedSecret", format!("{first:?} {second:?}")),
    ] {
        assert!(shown.contains("k1") || shown.contains("k2") || what == "ExportedSecret");
        for raw in [&first_raw[..], &second_raw[..], &KEY[..]] {
            assert_clean(what, &shown, raw);
        }
    }
}

//! One-line constructors from secret text (`Signer::from_secret`, `Verifier::from_secret`),
//! `Keyring::from_keys`, `Scheme::parse_key`, and secret errors that name what they expected
//! without quoting the text.

use hookseal::{ConfigError, Key, Keyring, Scheme, SecretError, Signer, Timestamp, Verifier};

use crate::common::key;

/// One published request per scheme: the scheme, its secret text, the delivery id, the time,
/// the body and the signature header it carries.
struct Published {
    scheme: fn() -> Scheme,
    secret: &'static str,
    id: Option<&'static str>,
    ts: u64,
    body: &'static [u8],
    header: (&'static str, &'static str),
}

const PUBLISHED: [Published; 3] = [
    // Standard Webhooks' own test vector.
    Published {
        scheme: Scheme::standard_webhooks,
        secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        id: Some("msg_p5jXN8AQM9LWM0D4loKWxJek"),
        ts: 1_614_265_330,
        body: br#"{"test": 2432232314}"#,
        header: (
            "webhook-signature",
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        ),
    },
    // Stripe's `generateTestHeaderString` with a dashboard-style secret.
    Published {
        scheme: Scheme::stripe,
        secret: "whsec_test_secret",
        id: None,
        ts: 1_614_265_330,
        body: br#"{"id":"evt_test_webhook","object":"event"}"#,
        header: (
            "Stripe-Signature",
            "t=1614265330,v1=3c5817089d739023dd6190f70a3757e04f7a2fd8b5dab12c2e000f51970dccff",
        ),
    },
    // GitHub's documentation example.
    Published {
        scheme: Scheme::github,
        secret: "It's a Secret to Everybody",
        id: None,
        ts: 1_614_265_330,
        body: b"Hello, World!",
        header: (
            "X-Hub-Signature-256",
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
        ),
    },
];

/// The headers of a published request.
fn request(p: &Published) -> Vec<(&'static str, &'static str)> {
    let mut headers = vec![p.header];
    if p.header.0 == "webhook-signature" {
        headers.push(("webhook-id", p.id.unwrap()));
        headers.push(("webhook-timestamp", "1614265330"));
    }
    headers
}

#[test]
fn from_secret_signs_each_published_request() {
    for p in &PUBLISHED {
        let scheme = (p.scheme)();
        let signer = Signer::from_secret(scheme.clone(), p.secret).unwrap();
        let signed = signer
            .sign_at(p.id, p.body, Timestamp::from_unix_secs(p.ts))
            .unwrap();
        assert_eq!(
            signed.get(p.header.0),
            Some(p.header.1),
            "{}",
            scheme.name()
        );
    }
}

#[test]
fn from_secret_verifies_each_published_request() {
    for p in &PUBLISHED {
        let scheme = (p.scheme)();
        let verifier = Verifier::from_secret(scheme.clone(), p.secret).unwrap();
        let now = Timestamp::from_unix_secs(p.ts);
        let headers = request(p);
        let verified = verifier.verify_at(&headers, p.body, now).unwrap();
        assert_eq!(verified.key_id(), "default", "{}", scheme.name());
        assert_eq!(verified.body(), p.body);
        assert!(
            verifier.verify_at(&headers, b"tampered", now).is_err(),
            "{}",
            scheme.name()
        );
    }
}

#[test]
fn from_secret_is_new_with_a_single_keyring() {
    // The one-line constructor and the two-step one accept the same requests.
    for p in &PUBLISHED {
        let scheme = (p.scheme)();
        let long = Verifier::new(
            scheme.clone(),
            Keyring::single(scheme.parse_secret(p.secret).unwrap()),
        );
        let now = Timestamp::from_unix_secs(p.ts);
        let headers = request(p);
        assert_eq!(
            long.verify_at(&headers, p.body, now).unwrap().key_id(),
            "default"
        );
        assert_eq!(
            format!("{:?}", Verifier::from_secret(scheme, p.secret).unwrap()),
            format!("{long:?}")
        );
    }
}

#[test]
fn from_secret_refuses_what_parse_secret_refuses() {
    for (scheme, text) in [
        (Scheme::stripe(), "sk_live_51HxYzAbCdEfGhIjKl"),
        (Scheme::standard_webhooks(), "whsec_%%%%"),
        (Scheme::github(), "short"),
    ] {
        let expected = scheme.parse_secret(text).unwrap_err();
        assert_eq!(
            Verifier::from_secret(scheme.clone(), text).unwrap_err(),
            expected
        );
        assert_eq!(Signer::from_secret(scheme, text).unwrap_err(), expected);
    }
}

#[test]
fn from_keys_with_no_keys_is_refused() {
    assert_eq!(
        Keyring::from_keys(Vec::<Key>::new()).unwrap_err(),
        ConfigError::NoKeys
    );
    assert_eq!(
        ConfigError::NoKeys.to_string(),
        "a keyring needs at least one key"
    );
}

#[test]
fn from_keys_with_one_key() {
    let ring = Keyring::from_keys([key("only", 1)]).unwrap();
    assert_eq!(ring.len(), 1);
    assert_eq!(ring.primary().id(), "only");
}

#[test]
fn from_keys_with_three_keys_keeps_their_order() {
    let ring = Keyring::from_keys([key("c", 1), key("a", 2), key("b", 3)]).unwrap();
    assert_eq!(ring.primary().id(), "c");
    let ids: Vec<&str> = ring.keys().map(|k| k.id().as_str()).collect();
    assert_eq!(ids, ["c", "a", "b"]);
}

#[test]
fn from_keys_refuses_a_duplicate_id() {
    assert_eq!(
        Keyring::from_keys([key("a", 1), key("b", 2), key("a", 3)]).unwrap_err(),
        ConfigError::DuplicateKeyId
    );
}

#[test]
fn from_keys_holds_sixteen_and_refuses_seventeen() {
    let keys = |n: usize| (0..n).map(|i| key(&format!("k{i}"), 1));
    assert_eq!(
        Keyring::from_keys(keys(Keyring::MAX_KEYS)).unwrap().len(),
        16
    );
    assert_eq!(
        Keyring::from_keys(keys(17)).unwrap_err(),
        ConfigError::TooManyKeys { max: 16 }
    );
}

#[test]
fn from_keys_refuses_an_empty_window_like_with_key() {
    let empty = key("w", 1)
        .not_before(Timestamp::from_unix_secs(2))
        .not_after(Timestamp::from_unix_secs(1));
    assert_eq!(
        Keyring::from_keys([empty.clone()]).unwrap_err(),
        ConfigError::EmptyValidityWindow
    );
    assert_eq!(
        Keyring::from_keys([key("a", 1), empty]).unwrap_err(),
        ConfigError::EmptyValidityWindow
    );
}

#[test]
fn parse_key_reads_an_hmac_secret_the_schemes_way() {
    let p = &PUBLISHED[0];
    let scheme = (p.scheme)();
    let ring = Keyring::from_keys([
        scheme.parse_key("2026-11", p.secret).unwrap(),
        scheme
            .parse_key("2026-05", "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYX")
            .unwrap(),
    ])
    .unwrap();
    let verifier = Verifier::new(scheme, ring);
    let headers = request(p);
    let verified = verifier
        .verify_at(&headers, p.body, Timestamp::from_unix_secs(p.ts))
        .unwrap();
    assert_eq!(verified.key_id(), "2026-11");
}

#[test]
fn parse_key_refuses_an_invalid_id_before_reading_the_text() {
    let scheme = Scheme::standard_webhooks();
    for id in ["", "a b", "é", &"a".repeat(65)] {
        assert_eq!(
            scheme
                .parse_key(id, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
                .unwrap_err(),
            ConfigError::InvalidKeyId,
            "{id:?}"
        );
        // The id is checked first: bad text does not hide a bad id.
        assert_eq!(
            scheme.parse_key(id, "").unwrap_err(),
            ConfigError::InvalidKeyId
        );
    }
}

#[test]
fn parse_key_refuses_a_signature_as_text() {
    for (scheme, text) in [
        (
            Scheme::standard_webhooks(),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        ),
        (
            Scheme::stripe(),
            "t=1614265330,v1=3c5817089d739023dd6190f70a3757e04f7a2fd8b5dab12c2e000f51970dccff",
        ),
        (
            Scheme::github(),
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
        ),
    ] {
        let err = scheme.parse_key("k", text).unwrap_err();
        assert_eq!(
            err,
            ConfigError::Secret(SecretError::LooksLikeSignature),
            "{}",
            scheme.name()
        );
        // The wrapper reads as the secret error it carries.
        assert_eq!(
            err.to_string(),
            "secret text looks like a signature, not a secret"
        );
    }
}

#[test]
fn ed25519_keys_are_refused_by_schemes_without_ed25519() {
    for scheme in [Scheme::stripe(), Scheme::github()] {
        for text in [ed::WHSK, ed::WHPK] {
            let expected = SecretError::WrongKeyKind {
                expected: "an HMAC secret",
            };
            assert_eq!(
                scheme.parse_key("k", text).unwrap_err(),
                ConfigError::Secret(expected.clone())
            );
            assert_eq!(
                Verifier::from_secret(scheme.clone(), text).unwrap_err(),
                expected
            );
            assert_eq!(
                Signer::from_secret(scheme.clone(), text).unwrap_err(),
                expected
            );
        }
    }
}

#[test]
fn each_side_refuses_the_other_sides_ed25519_key() {
    // Checked before the key is read, so with or without feature `ed25519`.
    assert_eq!(
        Signer::from_secret(Scheme::standard_webhooks(), ed::WHPK).unwrap_err(),
        SecretError::WrongKeyKind {
            expected: "an HMAC secret or a `whsk_` Ed25519 signing key"
        }
    );
    assert_eq!(
        Verifier::from_secret(Scheme::standard_webhooks(), ed::WHSK).unwrap_err(),
        SecretError::WrongKeyKind {
            expected: "an HMAC secret or a `whpk_` Ed25519 public key"
        }
    );
}

#[test]
fn missing_prefix_names_the_prefix_expected() {
    let err = Scheme::stripe()
        .parse_secret("sk_live_51HxYzAbCdEfGhIjKl")
        .unwrap_err();
    assert_eq!(
        err,
        SecretError::MissingPrefix {
            expected: "whsec_".into()
        }
    );
    assert_eq!(
        err.to_string(),
        "secret text lacks the expected prefix `whsec_`"
    );
    let via_key = Scheme::stripe()
        .parse_key("k", "sk_live_51HxYzAbCdEfGhIjKl")
        .unwrap_err();
    assert_eq!(via_key.to_string(), err.to_string());
    // A custom scheme's own prefix is named too.
    let custom = Scheme::custom("acme")
        .signature_header("X-Acme-Signature")
        .secret_format(hookseal::scheme::SecretFormat::prefixed_text("acme_"))
        .build()
        .unwrap();
    assert_eq!(
        custom
            .parse_secret("whsec_0123456789abcdef")
            .unwrap_err()
            .to_string(),
        "secret text lacks the expected prefix `acme_`"
    );
}

#[test]
fn format_errors_name_the_format_expected() {
    let b64 = Scheme::standard_webhooks()
        .parse_secret("whsec_%%%%")
        .unwrap_err();
    assert_eq!(b64, SecretError::InvalidBase64);
    assert!(b64.to_string().contains("standard alphabet"), "{b64}");
    let hex = hookseal::Secret::from_hex("zz").unwrap_err();
    assert_eq!(hex, SecretError::InvalidHex);
    assert!(hex.to_string().contains("0-9, a-f, A-F"), "{hex}");
    let kind = Scheme::github().parse_secret(ed::WHPK).unwrap_err();
    assert_eq!(
        kind.to_string(),
        "secret text is a key of the wrong kind: expected an HMAC secret"
    );
}

#[test]
fn no_secret_error_quotes_the_text() {
    let secret_part = "Xq9VcR2mTz7LpK4w";
    let cases: Vec<(Scheme, String)> = vec![
        (Scheme::stripe(), format!("sk_live_{secret_part}")),
        (Scheme::stripe(), format!("whsec_{secret_part} ")),
        (Scheme::standard_webhooks(), format!("whsec_{secret_part}%")),
        (Scheme::standard_webhooks(), format!("whsec_{secret_part}")),
        (Scheme::github(), format!("whpk_{secret_part}")),
        (Scheme::github(), format!("v1={secret_part}")),
        (Scheme::standard_webhooks(), format!("whsk_{secret_part}")),
    ];
    for (scheme, text) in cases {
        let err = scheme.parse_secret(&text).unwrap_err();
        let by_key = scheme.parse_key("k", &text).unwrap_err();
        let by_verifier = Verifier::from_secret(scheme.clone(), &text).unwrap_err();
        for shown in [
            format!("{err} {err:?}"),
            format!("{by_key} {by_key:?}"),
            format!("{by_verifier} {by_verifier:?}"),
        ] {
            assert!(!shown.contains(&secret_part[..6]), "{shown}");
        }
    }
}

/// Svix's published Ed25519 test pair (`test_asymmetric_key_signing`).
mod ed {
    pub(super) const WHSK: &str = "whsk_6Xb/dCcHpPea21PS1N9VY/NZW723CEc77N4rJCubMbfVKIDij2HKpMKkioLlX0dRqSKJp4AJ6p9lMicMFs6Kvg==";
    pub(super) const WHPK: &str = "whpk_1SiA4o9hyqTCpIqC5V9HUakiiaeACeqfZTInDBbOir4=";
    /// Svix's `v1a` signature of the Standard Webhooks test request under `WHSK`.
    #[cfg_attr(not(feature = "ed25519"), allow(dead_code))]
    pub(super) const V1A: &str = "v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg==";
}

#[cfg(feature = "ed25519")]
mod with_ed25519 {
    use super::*;

    fn sw_request(signature: &'static str) -> Vec<(&'static str, &'static str)> {
        let p = &PUBLISHED[0];
        vec![
            ("webhook-signature", signature),
            ("webhook-id", p.id.unwrap()),
            ("webhook-timestamp", "1614265330"),
        ]
    }

    #[test]
    fn parse_key_reads_whsk_and_whpk() {
        let p = &PUBLISHED[0];
        let scheme = Scheme::standard_webhooks();
        let now = Timestamp::from_unix_secs(p.ts);
        let signing = scheme.parse_key("ed-sign", ed::WHSK).unwrap();
        let public = scheme.parse_key("ed-pub", ed::WHPK).unwrap();
        assert!(format!("{signing:?}").contains("ed25519-signing"));
        assert!(format!("{public:?}").contains("ed25519-public"));

        let signer = Signer::new(scheme.clone(), Keyring::from_keys([signing]).unwrap());
        let signed = signer.sign_at(p.id, p.body, now).unwrap();
        assert_eq!(signed.get("webhook-signature"), Some(ed::V1A));

        // HMAC and Ed25519 keys side by side, read by the same call.
        let ring =
            Keyring::from_keys([scheme.parse_key("hmac", p.secret).unwrap(), public]).unwrap();
        let verifier = Verifier::new(scheme, ring);
        let (ed_request, hmac_request) = (sw_request(ed::V1A), request(p));
        let by_ed = verifier.verify_at(&ed_request, p.body, now).unwrap();
        assert_eq!(by_ed.key_id(), "ed-pub");
        let by_hmac = verifier.verify_at(&hmac_request, p.body, now).unwrap();
        assert_eq!(by_hmac.key_id(), "hmac");
    }

    #[test]
    fn from_secret_reads_each_sides_ed25519_key() {
        let p = &PUBLISHED[0];
        let now = Timestamp::from_unix_secs(p.ts);
        let signer = Signer::from_secret(Scheme::standard_webhooks(), ed::WHSK).unwrap();
        let signed = signer.sign_at(p.id, p.body, now).unwrap();
        assert_eq!(signed.get("webhook-signature"), Some(ed::V1A));
        let verifier = Verifier::from_secret(Scheme::svix(), ed::WHPK).unwrap();
        let headers = sw_request(ed::V1A);
        let verified = verifier.verify_at(&headers, p.body, now).unwrap();
        assert_eq!(verified.key_id(), "default");
    }

    #[test]
    fn bad_ed25519_text_keeps_its_own_error() {
        let scheme = Scheme::standard_webhooks();
        assert_eq!(
            scheme.parse_key("k", "whpk_AAECAwQF").unwrap_err(),
            ConfigError::Secret(SecretError::WrongLength {
                len: 6,
                expected: 32
            })
        );
        assert_eq!(
            scheme.parse_key("k", "whsk_!!!!").unwrap_err(),
            ConfigError::Secret(SecretError::InvalidBase64)
        );
    }
}

#[cfg(not(feature = "ed25519"))]
#[test]
fn without_the_feature_ed25519_keys_are_a_clear_error() {
    let scheme = Scheme::standard_webhooks();
    for text in [ed::WHSK, ed::WHPK] {
        let err = scheme.parse_key("k", text).unwrap_err();
        assert_eq!(
            err,
            ConfigError::Secret(SecretError::FeatureDisabled { feature: "ed25519" })
        );
        assert!(err.to_string().contains("`ed25519` feature"), "{err}");
    }
}

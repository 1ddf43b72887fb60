//! `Scheme::custom` re-expresses every preset: each rebuilt scheme equals the preset and passes
//! the preset's published vectors; and the builder describes layouts no preset has.

use std::time::Duration;

use hookseal::scheme::{
    Algorithm, Encoding, Handshake, Part, SecretFormat, SignatureFormat, TokenRules,
};
use hookseal::{
    AllowList, HeaderKind, Keyring, Scheme, Secret, SignError, Signer, Timestamp, TimestampFormat,
    Verifier, VerifyError, dangerous,
};

use crate::common::all_schemes;
use crate::vectors::{check, vectors};

/// `id.timestamp.body`, the Standard Webhooks layout.
fn id_ts_body() -> [Part; 5] {
    [
        Part::id(),
        Part::text("."),
        Part::timestamp(),
        Part::text("."),
        Part::body(),
    ]
}

/// Each preset, written out with the builder.
fn rebuilt(name: &str) -> Scheme {
    let b = Scheme::custom(name);
    let b = match name {
        "standard-webhooks" => b
            .signature_header("webhook-signature")
            .signature_format(SignatureFormat::versioned("v1").with_ed25519_version("v1a"))
            .encoding(Encoding::Base64)
            .timestamp_header("webhook-timestamp")
            .id_header("webhook-id")
            .signed_content(id_ts_body())
            .secret_format(SecretFormat::base64_with_prefix("whsec_").with_min_len(24)),
        // Clerk and Resend are Svix under their own names.
        "svix" | "clerk" | "resend" => b
            .signature_header("svix-signature")
            .fallback_signature_header("webhook-signature")
            .signature_format(SignatureFormat::versioned("v1").with_ed25519_version("v1a"))
            .encoding(Encoding::Base64)
            .timestamp_header("svix-timestamp")
            .fallback_timestamp_header("webhook-timestamp")
            .id_header("svix-id")
            .fallback_id_header("webhook-id")
            .signed_content(id_ts_body())
            .secret_format(SecretFormat::base64_with_prefix("whsec_").with_min_len(24)),
        "stripe" => b
            .signature_header("Stripe-Signature")
            .signature_format(SignatureFormat::params(',', "v1"))
            .timestamp_param("t")
            .signed_content([Part::timestamp(), Part::text("."), Part::body()])
            .secret_format(SecretFormat::prefixed_text("whsec_")),
        "github" => b
            .signature_header("X-Hub-Signature-256")
            .signature_format(SignatureFormat::prefixed("sha256="))
            .id_header("X-GitHub-Delivery"),
        "slack" => b
            .signature_header("X-Slack-Signature")
            .signature_format(SignatureFormat::prefixed("v0="))
            .timestamp_header("X-Slack-Request-Timestamp")
            .signed_content([
                Part::text("v0:"),
                Part::timestamp(),
                Part::text(":"),
                Part::body(),
            ])
            .handshake(Handshake::slack()),
        "shopify" => b
            .signature_header("X-Shopify-Hmac-Sha256")
            .fallback_signature_header("shopify-hmac-sha256")
            .encoding(Encoding::Base64)
            .id_header("X-Shopify-Webhook-Id"),
        "paddle" => b
            .signature_header("Paddle-Signature")
            .signature_format(SignatureFormat::params(';', "h1"))
            .timestamp_param("ts")
            .signed_content([Part::timestamp(), Part::text(":"), Part::body()]),
        "zoom" => b
            .signature_header("x-zm-signature")
            .signature_format(SignatureFormat::prefixed("v0="))
            .timestamp_header("x-zm-request-timestamp")
            .signed_content([
                Part::text("v0:"),
                Part::timestamp(),
                Part::text(":"),
                Part::body(),
            ])
            .handshake(Handshake::zoom()),
        "twitch" => dangerous::adjacent_parts(
            b.signature_header("Twitch-Eventsub-Message-Signature")
                .signature_format(SignatureFormat::prefixed("sha256="))
                .timestamp_header("Twitch-Eventsub-Message-Timestamp")
                .timestamp_format(TimestampFormat::Rfc3339)
                .id_header("Twitch-Eventsub-Message-Id")
                .signed_content([Part::id(), Part::timestamp(), Part::body()])
                .tolerance(Duration::from_secs(600))
                .handshake(Handshake::twitch()),
        ),
        "workos" => b
            .signature_header("WorkOS-Signature")
            .signature_format(SignatureFormat::params(',', "v1").with_space_after_separator())
            .max_signatures(1)
            .timestamp_param("t")
            .timestamp_format(TimestampFormat::UnixMillis)
            .signed_content([Part::timestamp(), Part::text("."), Part::body()])
            .tolerance(Duration::from_secs(180)),
        "mux" => b
            .signature_header("Mux-Signature")
            .signature_format(SignatureFormat::params(',', "v1"))
            .timestamp_param("t")
            .signed_content([Part::timestamp(), Part::text("."), Part::body()]),
        "pagerduty" => b
            .signature_header("X-PagerDuty-Signature")
            .signature_format(SignatureFormat::params(',', "v1"))
            .id_header("X-Webhook-Id"),
        "intercom" => b
            .signature_header("X-Hub-Signature")
            .signature_format(SignatureFormat::prefixed("sha1="))
            .algorithm(Algorithm::HmacSha1),
        "coinbase-commerce" => b.signature_header("X-CC-Webhook-Signature"),
        "razorpay" => b
            .signature_header("X-Razorpay-Signature")
            .id_header("X-Razorpay-Event-Id"),
        "linear" => b
            .signature_header("Linear-Signature")
            .timestamp_field(&["webhookTimestamp"])
            .timestamp_format(TimestampFormat::UnixMillis)
            .id_header("Linear-Delivery")
            .signed_content([Part::body()])
            .tolerance(Duration::from_secs(60)),
        "mailgun" => dangerous::adjacent_parts(
            b.signature_field(&["signature", "signature"])
                .timestamp_field(&["signature", "timestamp"])
                .id_field(&["signature", "token"])
                .signed_content([Part::timestamp(), Part::id()]),
        ),
        "twilio" => dangerous::adjacent_parts(
            b.signature_header("X-Twilio-Signature")
                .encoding(Encoding::Base64)
                .algorithm(Algorithm::HmacSha1)
                .signed_content([Part::url(), Part::form()])
                .url_port_variants()
                .body_digest_param("bodySHA256"),
        ),
        "square" => dangerous::adjacent_parts(
            b.signature_header("x-square-hmacsha256-signature")
                .encoding(Encoding::Base64)
                .signed_content([Part::url(), Part::body()]),
        ),
        "hubspot" => dangerous::adjacent_parts(
            b.signature_header("X-HubSpot-Signature-v3")
                .encoding(Encoding::Base64)
                .timestamp_header("X-HubSpot-Request-Timestamp")
                .timestamp_format(TimestampFormat::UnixMillis)
                .signed_content([Part::method(), Part::url(), Part::body(), Part::timestamp()])
                .tolerance(Duration::from_secs(300)),
        ),
        "discord" => dangerous::adjacent_parts(
            b.signature_header("X-Signature-Ed25519")
                .algorithm(Algorithm::Ed25519)
                .timestamp_header("X-Signature-Timestamp")
                .signed_content([Part::timestamp(), Part::body()])
                .handshake(Handshake::discord()),
        ),
        "telnyx" => b
            .signature_header("telnyx-signature-ed25519")
            .encoding(Encoding::Base64)
            .algorithm(Algorithm::Ed25519)
            .timestamp_header("telnyx-timestamp")
            .signed_content([Part::timestamp(), Part::text("|"), Part::body()]),
        "hook0" | "coinbase-cdp" => b
            .signature_header("X-Hook0-Signature")
            .signature_format(SignatureFormat::params(',', "v1"))
            .timestamp_param("t")
            .id_header("X-Event-Id")
            .listed_headers_param("h")
            .signed_content([
                Part::timestamp(),
                Part::text("."),
                Part::listed_headers("."),
                Part::text("."),
                Part::body(),
            ]),
        "sendgrid" => dangerous::adjacent_parts(
            b.signature_header("X-Twilio-Email-Event-Webhook-Signature")
                .encoding(Encoding::Base64)
                .algorithm(Algorithm::EcdsaP256Sha256)
                .timestamp_header("X-Twilio-Email-Event-Webhook-Timestamp")
                .signed_content([Part::timestamp(), Part::body()]),
        ),
        "aws-sns" => b
            .signature_field(&["Signature"])
            .encoding(Encoding::Base64)
            .algorithm_field(
                &["SignatureVersion"],
                &[("1", Algorithm::RsaSha1), ("2", Algorithm::RsaSha256)],
            )
            .timestamp_field(&["Timestamp"])
            .timestamp_format(TimestampFormat::Rfc3339)
            .tolerance(Duration::from_secs(3600))
            .id_field(&["MessageId"])
            .certificate_url_field(&["SigningCertURL"], AllowList::aws_sns())
            .signed_content([Part::named_members(&[
                "Message",
                "MessageId",
                "Subject",
                "SubscribeURL",
                "Timestamp",
                "Token",
                "TopicArn",
                "Type",
            ])]),
        "paypal" => b
            .signature_header("PAYPAL-TRANSMISSION-SIG")
            .encoding(Encoding::Base64)
            .algorithm_header(
                "PAYPAL-AUTH-ALGO",
                &[("SHA256withRSA", Algorithm::RsaSha256)],
            )
            .timestamp_header("PAYPAL-TRANSMISSION-TIME")
            .timestamp_format(TimestampFormat::Rfc3339)
            .id_header("PAYPAL-TRANSMISSION-ID")
            .certificate_url_header("PAYPAL-CERT-URL", AllowList::paypal())
            .signed_content([
                Part::id(),
                Part::text("|"),
                Part::timestamp(),
                Part::text("|"),
                Part::endpoint_id(),
                Part::text("|"),
                Part::body_crc32(),
            ]),
        "dropbox" => b
            .signature_header("X-Dropbox-Signature")
            .handshake(Handshake::dropbox()),
        "meta" => b
            .signature_header("X-Hub-Signature-256")
            .signature_format(SignatureFormat::prefixed("sha256="))
            .handshake(Handshake::meta()),
        "google-pubsub" => b
            .signature_header("Authorization")
            .signature_format(SignatureFormat::bearer_token(TokenRules::google_id_token()))
            .max_header_len(4096)
            .tolerance(Duration::from_secs(3600))
            .id_field(&["message", "messageId"]),
        other => panic!("no preset named {other}"),
    };
    b.build().unwrap()
}

/// The presets (GitHub's legacy SHA-1 header is not one).
fn presets() -> Vec<Scheme> {
    let mut all = all_schemes();
    all.retain(|s| s.name() != "github-sha1");
    all
}

#[test]
fn the_builder_rebuilds_every_preset() {
    for preset in presets() {
        assert_eq!(rebuilt(preset.name()), preset, "{}", preset.name());
    }
}

#[test]
fn rebuilt_schemes_pass_the_published_vectors() {
    let mut checked = 0;
    for vector in vectors() {
        // The raw-HMAC helper vectors and GitHub's legacy header are not presets.
        if matches!(vector.scheme.name(), "raw-hex" | "github-sha1") {
            continue;
        }
        check(&vector, &rebuilt(vector.scheme.name()));
        checked += 1;
    }
    assert!(checked >= 20, "{checked}");
}

#[test]
fn rebuilt_schemes_round_trip_like_their_presets() {
    // Paddle and Zoom have no published vectors: each signs what its preset verifies, and back.
    // (The schemes `sign_at` cannot write from any body are equal to their presets above.)
    let secret = || Secret::from_bytes([9; 32]).unwrap();
    let t = Timestamp::from_unix_secs(1_700_000_000);
    for preset in crate::common::header_schemes() {
        if preset.name() == "github-sha1" {
            continue;
        }
        let custom = rebuilt(preset.name());
        let id = preset.id_header().map(|_| "evt_123");
        for (sign_with, verify_with) in [(&preset, &custom), (&custom, &preset)] {
            let signed = Signer::new(sign_with.clone(), Keyring::single(secret()))
                .sign_at(id, b"{\"n\":1}", t)
                .unwrap();
            let pairs: Vec<(&str, &str)> = signed.iter().collect();
            let verifier = Verifier::new(verify_with.clone(), Keyring::single(secret()));
            assert!(
                verifier.verify_at(&pairs, b"{\"n\":1}", t).is_ok(),
                "{}",
                preset.name()
            );
        }
    }
}

#[test]
fn paddle_and_zoom_write_their_formats() {
    let t = Timestamp::from_unix_secs(1_671_552_777);
    let secret = || Secret::from_bytes([9; 32]).unwrap();
    let paddle = Signer::new(Scheme::paddle(), Keyring::single(secret()))
        .sign_at(None, b"{}", t)
        .unwrap();
    let value = paddle.get("Paddle-Signature").unwrap();
    assert!(value.starts_with("ts=1671552777;h1="), "{value}");
    assert_eq!(value.len(), "ts=1671552777;h1=".len() + 64);

    let zoom = Signer::new(Scheme::zoom(), Keyring::single(secret()))
        .sign_at(None, b"{}", t)
        .unwrap();
    assert!(zoom.get("x-zm-signature").unwrap().starts_with("v0="));
    assert_eq!(zoom.get("x-zm-request-timestamp"), Some("1671552777"));
}

/// The seeds' layout: `X-Signature` = hex HMAC of `timestamp.body`, `X-Timestamp`, and an
/// unsigned `X-Delivery-Id`.
fn three_headers() -> Scheme {
    Scheme::custom("three-headers")
        .signature_header("X-Signature")
        .signature_format(SignatureFormat::bare())
        .encoding(Encoding::Hex)
        .timestamp_header("X-Timestamp")
        .id_header("X-Delivery-Id")
        .signed_content([Part::timestamp(), Part::text("."), Part::body()])
        .secret_format(SecretFormat::base64())
        .build()
        .unwrap()
}

#[test]
fn the_three_header_layout_from_the_seeds() {
    let secret = || Secret::from_bytes([3; 32]).unwrap();
    let t = Timestamp::from_unix_secs(1_700_000_000);
    let body = br#"{"event":"order.paid"}"#;
    let signed = Signer::new(three_headers(), Keyring::single(secret()))
        .sign_at(Some("dlv_42"), body, t)
        .unwrap();
    let pairs: Vec<(&str, &str)> = signed.iter().collect();
    assert_eq!(
        pairs.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
        ["X-Signature", "X-Timestamp", "X-Delivery-Id"]
    );
    // The signature is the plain hex HMAC of "1700000000." + body, computed here with the
    // RustCrypto crates directly.
    use hmac::{KeyInit as _, Mac as _};
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&[3; 32]).unwrap();
    mac.update(b"1700000000.");
    mac.update(body);
    assert_eq!(
        signed.get("X-Signature").unwrap(),
        hex::encode(mac.finalize().into_bytes())
    );

    let verifier = Verifier::new(three_headers(), Keyring::single(secret()));
    let verified = verifier.verify_at(&pairs, body, t).unwrap();
    assert_eq!(verified.id(), Some("dlv_42"));
    assert!(!verified.id_is_signed());
    let no_ts: Vec<_> = pairs
        .iter()
        .filter(|(n, _)| *n != "X-Timestamp")
        .copied()
        .collect();
    assert_eq!(
        verifier.verify_at(&no_ts, body, t).unwrap_err(),
        VerifyError::MissingHeader(HeaderKind::Timestamp)
    );
    assert_eq!(
        verifier
            .verify_at(&pairs, body, Timestamp::from_unix_secs(1_700_000_301))
            .unwrap_err(),
        VerifyError::TimestampTooOld
    );
}

/// A `t=<ts>,v1=<hex>` header over `ts.body` with an optional, unsigned id header: Stripe's
/// layout under other names, plus an id the signature does not cover. No preset has it (an id
/// that keys deduplication must be signed), but the builder still describes it.
fn params_with_unsigned_id() -> Scheme {
    Scheme::custom("params-unsigned-id")
        .signature_header("X-Webhook-Signature")
        .signature_format(SignatureFormat::params(',', "v1"))
        .encoding(Encoding::Hex)
        .timestamp_param("t")
        .id_header("X-Webhook-Id")
        .signed_content([Part::timestamp(), Part::text("."), Part::body()])
        .secret_format(SecretFormat::base64())
        .build()
        .unwrap()
}

#[test]
fn a_custom_scheme_with_an_unsigned_id() {
    let scheme = params_with_unsigned_id();
    assert!(!scheme.id_is_signed());
    assert_eq!(scheme.id_header(), Some("X-Webhook-Id"));
    let secret = || Secret::from_bytes([5; 32]).unwrap();
    let t = Timestamp::from_unix_secs(1_700_000_000);
    let body = br#"{"event":"order.paid"}"#;
    let signed = Signer::new(scheme.clone(), Keyring::single(secret()))
        .sign_at(Some("evt_1"), body, t)
        .unwrap();
    let sig = signed.get("X-Webhook-Signature").unwrap();
    assert!(sig.starts_with("t=1700000000,v1="), "{sig}");
    // The same signed content and syntax as Stripe's, so the same tag under the same key.
    let stripe = Signer::new(Scheme::stripe(), Keyring::single(secret()))
        .sign_at(None, body, t)
        .unwrap();
    assert_eq!(stripe.get("Stripe-Signature"), Some(sig));

    let verifier = Verifier::new(scheme, Keyring::single(secret()));
    let pairs: Vec<(&str, &str)> = signed.iter().collect();
    let verified = verifier.verify_at(&pairs, body, t).unwrap();
    assert_eq!(verified.id(), Some("evt_1"));
    assert!(!verified.id_is_signed());
    // The id is optional, and nothing stops it from being changed in transit.
    let no_id = [("X-Webhook-Signature", sig)];
    assert_eq!(verifier.verify_at(&no_id, body, t).unwrap().id(), None);
    let edited = [("X-Webhook-Signature", sig), ("X-Webhook-Id", "evt_999")];
    let verified = verifier.verify_at(&edited, body, t).unwrap();
    assert_eq!(verified.id(), Some("evt_999"));
    // Its replay key is the same: it depends on signed material only.
    assert_eq!(
        verified.replay_key(),
        verifier.verify_at(&pairs, body, t).unwrap().replay_key()
    );
}

#[test]
fn a_custom_scheme_that_signs_its_id() {
    let scheme = Scheme::custom("signed-id")
        .signature_header("X-Sig")
        .signature_format(SignatureFormat::params(',', "v1"))
        .timestamp_param("t")
        .id_header("X-Id")
        .signed_content([
            Part::id(),
            Part::text("|"),
            Part::timestamp(),
            Part::text("|"),
            Part::body(),
        ])
        .build()
        .unwrap();
    assert!(scheme.id_is_signed());
    let secret = || Secret::from_bytes([4; 32]).unwrap();
    let t = Timestamp::from_unix_secs(1_700_000_000);
    let signer = Signer::new(scheme.clone(), Keyring::single(secret()));
    assert_eq!(
        signer.sign_at(Some("a|b"), b"x", t).unwrap_err(),
        SignError::AmbiguousId
    );
    let signed = signer.sign_at(Some("a.b"), b"x", t).unwrap();
    let mut pairs: Vec<(String, String)> = signed
        .iter()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
    let verifier = Verifier::new(scheme, Keyring::single(secret()));
    assert!(verifier.verify_at(&pairs, b"x", t).unwrap().id_is_signed());
    pairs[1].1 = "a.c".into();
    assert_eq!(
        verifier.verify_at(&pairs, b"x", t).unwrap_err(),
        VerifyError::NoMatchingSignature
    );
}

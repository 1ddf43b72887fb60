//! Handshakes answered by the verifier: the presets' signed ones (Slack, Twitch, Zoom; Discord in
//! the end-to-end tests), the `GET` challenges (Dropbox, Meta), the refusals, and the Dropbox
//! and Meta presets' signatures.
//!
//! Independent values (not computed by hookseal) come from `tests/vectors/handshakes/make.py`
//! (Python's `hmac`); published ones name their source.

use hookseal::scheme::{Handshake, HandshakeAnswer, HandshakeTrigger};
use hookseal::{
    ConfigError, HandshakeError, Keyring, Scheme, Signer, Timestamp, Verifier, VerifyError,
};

fn at(secs: u64) -> Timestamp {
    Timestamp::from_unix_secs(secs)
}

/// A signed delivery of `body` under `scheme` with the text secret `secret`, verified, and the
/// verifier's answer to it as a handshake.
fn answer(
    scheme: Scheme,
    secret: &str,
    body: &[u8],
    extra: &[(&str, &str)],
) -> Option<Result<hookseal::HandshakeReply, HandshakeError>> {
    let parsed = scheme.clone();
    let key = || Keyring::single(parsed.parse_secret(secret).unwrap());
    let now = at(1_700_000_000);
    let signed = Signer::new(scheme.clone(), key())
        .sign_at(Some("msg_1"), body, now)
        .unwrap();
    let mut headers: Vec<(&str, &str)> = signed.iter().collect();
    headers.extend_from_slice(extra);
    let verifier = Verifier::new(scheme, key());
    let verified = verifier.verify_at(&headers, body, now).unwrap();
    verifier.handshake(&verified, &headers)
}

/// Slack's documented `url_verification` payload (api.slack.com/events/url_verification) and
/// its documented signing secret example.
const SLACK_SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
const SLACK_BODY: &[u8] = br#"{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}"#;

#[test]
fn slack_url_verification_is_answered_with_its_challenge_as_text() {
    let reply = answer(Scheme::slack(), SLACK_SECRET, SLACK_BODY, &[])
        .unwrap()
        .unwrap();
    assert_eq!(reply.status_code(), 200);
    assert_eq!(reply.content_type(), "text/plain");
    assert_eq!(reply.headers(), &[("x-content-type-options", "nosniff")]);
    assert_eq!(
        reply.body(),
        b"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    );
    // Other deliveries are not handshakes; nor is the handshake once switched off.
    let event = br#"{"type":"event_callback","event":{"type":"url_verification"}}"#;
    assert_eq!(answer(Scheme::slack(), SLACK_SECRET, event, &[]), None);
    assert_eq!(
        answer(
            Scheme::slack().without_handshake(),
            SLACK_SECRET,
            SLACK_BODY,
            &[]
        ),
        None
    );
    // Not a JSON object, or a member written with escapes: not the handshake.
    for body in [
        &br#"{"type":"url_verification","#[..],
        br#"{"type":"url_\u0076erification","challenge":"x"}"#,
        br#"["type","url_verification"]"#,
    ] {
        assert_eq!(answer(Scheme::slack(), SLACK_SECRET, body, &[]), None);
    }
}

#[test]
fn twitch_published_challenge_request_is_answered() {
    // twitch-rs/twitch_api@6f98d0a32e1d2f155a42dffa63fe553c266f956e src/eventsub/mod.rs, test
    // `verify_request_challenge` (the body is checked in providers.rs).
    let body = include_bytes!("../vectors/twitch/verify_request_challenge.json");
    let headers = [
        (
            "Twitch-Eventsub-Message-Id",
            "8d8fa82b-9792-79da-4e11-a6fa58a7a582",
        ),
        (
            "Twitch-Eventsub-Message-Timestamp",
            "2022-02-06T04:03:24.2726598Z",
        ),
        (
            "Twitch-Eventsub-Message-Signature",
            "sha256=091f6a5c74fba820f2d50e9d0c5e7650556ee009375af2cc662e610e670bc412",
        ),
        (
            "Twitch-Eventsub-Message-Type",
            "webhook_callback_verification",
        ),
    ];
    // The published secret is shorter than the crate's minimum for a text secret.
    let key = Keyring::single(hookseal::dangerous::short_secret(b"HELLOabc2321").unwrap());
    let verifier = Verifier::new(Scheme::twitch(), key);
    let verified = verifier
        .verify_at(&headers, body, at(1_644_120_204))
        .unwrap();
    let reply = verifier.handshake(&verified, &headers).unwrap().unwrap();
    assert_eq!(reply.content_type(), "text/plain");
    assert_eq!(reply.body(), b"11535768-497e-14ec-8197-ba2cb5341a01");

    // A notification is not the handshake; a message type sent twice is neither.
    let notification = [
        headers[0],
        headers[1],
        headers[2],
        (headers[3].0, "notification"),
    ];
    assert_eq!(verifier.handshake(&verified, &notification), None);
    let twice = [headers[0], headers[1], headers[2], headers[3], headers[3]];
    assert_eq!(verifier.handshake(&verified, &twice), None);
}

#[test]
fn twitch_type_header_on_a_body_without_challenge_is_refused() {
    let body = br#"{"subscription":{"id":"x"},"event":{"user_id":"1"}}"#;
    let kind = [(
        "Twitch-Eventsub-Message-Type",
        "webhook_callback_verification",
    )];
    assert_eq!(
        answer(Scheme::twitch(), "twitch-secret-0123456789", body, &kind),
        Some(Err(HandshakeError::MissingChallenge))
    );
}

#[test]
fn zoom_url_validation_is_answered_with_the_hmac_of_its_plain_token() {
    // plainToken from Zoom's developer forum example; encryptedToken computed by
    // tests/vectors/handshakes/make.py (Python hmac), not by hookseal.
    let body = br#"{"payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"},"event_ts":1654503849680,"event":"endpoint.url_validation"}"#;
    let reply = answer(Scheme::zoom(), "zoom-secret-token-0123456789", body, &[])
        .unwrap()
        .unwrap();
    assert_eq!(reply.content_type(), "application/json");
    assert!(reply.headers().is_empty());
    assert_eq!(
        reply.body(),
        br#"{"plainToken":"qgg8vlvZRS6UYooatFL8Aw","encryptedToken":"fa52ecf98b4919aaa696f04cdc156ea40b1eba020707f76b8c9e455168295b87"}"#
    );
}

#[test]
fn challenges_out_of_bounds_are_refused_never_echoed() {
    let slack = |challenge: &str| {
        let body = format!(r#"{{"type":"url_verification","challenge":"{challenge}"}}"#);
        answer(Scheme::slack(), SLACK_SECRET, body.as_bytes(), &[]).unwrap()
    };
    let longest = "a".repeat(Handshake::MAX_CHALLENGE_LEN);
    assert_eq!(slack(&longest).unwrap().body(), longest.as_bytes());
    for bad in [
        "a".repeat(Handshake::MAX_CHALLENGE_LEN + 1),
        String::new(),
        "<script>".into(),
        "a b".into(),
        r"a\nb".into(),
        r"\u0041".into(),
        "caf\u{e9}".into(),
    ] {
        assert_eq!(
            slack(&bad),
            Err(HandshakeError::InvalidChallenge),
            "{bad:?}"
        );
    }
    let none = br#"{"type":"url_verification"}"#;
    assert_eq!(
        answer(Scheme::slack(), SLACK_SECRET, none, &[]),
        Some(Err(HandshakeError::MissingChallenge))
    );
    let number = br#"{"type":"url_verification","challenge":12}"#;
    assert_eq!(
        answer(Scheme::slack(), SLACK_SECRET, number, &[]),
        Some(Err(HandshakeError::InvalidChallenge))
    );
    // A body over the cap is a delivery, whatever it says.
    let mut big = br#"{"type":"url_verification","challenge":"abc","pad":""#.to_vec();
    big.resize(Handshake::MAX_BODY_LEN, b'x');
    big.extend_from_slice(b"\"}");
    assert_eq!(answer(Scheme::slack(), SLACK_SECRET, &big, &[]), None);
}

#[test]
fn dropbox_get_challenge_is_echoed_as_text_with_nosniff() {
    let verifier =
        Verifier::from_secret(Scheme::dropbox(), "dropbox-app-secret-0123456789").unwrap();
    let reply = verifier
        .challenge("GET", "challenge=abc123")
        .unwrap()
        .unwrap();
    assert_eq!(reply.status_code(), 200);
    assert_eq!(reply.content_type(), "text/plain");
    assert_eq!(reply.headers(), &[("x-content-type-options", "nosniff")]);
    assert_eq!(reply.body(), b"abc123");
    // Percent-decoded.
    let reply = verifier
        .challenge("GET", "x=1&challenge=a%2Bb%3D")
        .unwrap()
        .unwrap();
    assert_eq!(reply.body(), b"a+b=");

    assert_eq!(verifier.challenge("POST", "challenge=abc123"), None);
    assert_eq!(verifier.challenge("GET", "other=1"), None);
    assert_eq!(verifier.challenge("GET", ""), None);
    for (query, error) in [
        ("challenge=", HandshakeError::InvalidChallenge),
        ("challenge=%3Cscript%3E", HandshakeError::InvalidChallenge),
        ("challenge=a&challenge=b", HandshakeError::MalformedQuery),
        ("challenge=%zz", HandshakeError::MalformedQuery),
    ] {
        let refused = verifier.challenge("GET", query).unwrap().unwrap_err();
        assert_eq!(refused, error, "{query}");
        assert_eq!(refused.status_code(), 400);
    }
    let long = format!("challenge={}", "a".repeat(5000));
    assert_eq!(
        verifier.challenge("GET", &long),
        Some(Err(HandshakeError::MalformedQuery))
    );
    let off = Verifier::from_secret(
        Scheme::dropbox().without_handshake(),
        "dropbox-app-secret-0123456789",
    )
    .unwrap();
    assert_eq!(off.challenge("GET", "challenge=abc123"), None);
}

/// Meta's documented sample verification request
/// (developers.facebook.com/docs/graph-api/webhooks/getting-started).
const META_QUERY: &str =
    "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhock";

#[test]
fn meta_get_challenge_needs_the_receivers_verify_token() {
    let secret = "meta-app-secret-0123456789abcdef";
    let bare = Verifier::from_secret(Scheme::meta(), secret).unwrap();
    let refused = bare.challenge("GET", META_QUERY).unwrap().unwrap_err();
    assert_eq!(refused, HandshakeError::VerifyTokenNotSet);
    assert_eq!(refused.status_code(), 403);

    let verifier = bare.with_verify_token("meatyhamhock").unwrap();
    let reply = verifier.challenge("GET", META_QUERY).unwrap().unwrap();
    assert_eq!(reply.body(), b"1158201444");
    assert_eq!(reply.content_type(), "text/plain");

    for query in [
        "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhocK",
        "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=",
        "hub.mode=subscribe&hub.challenge=1158201444",
    ] {
        let refused = verifier.challenge("GET", query).unwrap().unwrap_err();
        assert_eq!(refused, HandshakeError::VerifyTokenRefused, "{query}");
        assert_eq!(refused.code(), "verify_token_refused");
    }
    // The token is checked before the challenge is read.
    assert_eq!(
        verifier.challenge("GET", "hub.mode=subscribe&hub.verify_token=meatyhamhock"),
        Some(Err(HandshakeError::MissingChallenge))
    );
    // Another mode, or none: not the handshake.
    assert_eq!(
        verifier.challenge(
            "GET",
            "hub.mode=unsubscribe&hub.challenge=1&hub.verify_token=meatyhamhock"
        ),
        None
    );
    assert_eq!(verifier.challenge("GET", "hub.challenge=1"), None);
    // The token is never printed.
    assert!(!format!("{verifier:?}").contains("meatyhamhock"));
}

#[test]
fn verify_tokens_are_checked_when_set() {
    let verifier =
        Verifier::from_secret(Scheme::meta(), "meta-app-secret-0123456789abcdef").unwrap();
    for bad in ["", "a\nb", &"a".repeat(1025)] {
        assert_eq!(
            verifier.clone().with_verify_token(bad).unwrap_err(),
            ConfigError::InvalidVerifyToken
        );
    }
    assert!(verifier.with_verify_token(&"a".repeat(1024)).is_ok());
}

#[test]
fn dropbox_and_meta_verify_independent_vectors() {
    // tests/vectors/handshakes/make.py (Python hmac): neither provider publishes a vector.
    let dropbox_body = br#"{"list_folder": {"accounts": ["dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc"]}, "delta": {"users": [12345678]}}"#;
    let dropbox_sig = "11f35460189937b7d89d81d078bcfe616bf6b59a667beac105fbfe83984161c4";
    let meta_body = br#"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"}},"field":"messages"}]}]}"#;
    let meta_sig = "sha256=efc5d05f05d0c9aefb3a7477daa94dd217e4586f54afe0ec2644fef084dfe64c";
    for (scheme, secret, header, sig, body) in [
        (
            Scheme::dropbox(),
            "dropbox-app-secret-0123456789",
            "X-Dropbox-Signature",
            dropbox_sig,
            &dropbox_body[..],
        ),
        (
            Scheme::meta(),
            "meta-app-secret-0123456789abcdef",
            "X-Hub-Signature-256",
            meta_sig,
            &meta_body[..],
        ),
    ] {
        let signer = Signer::from_secret(scheme.clone(), secret).unwrap();
        assert_eq!(signer.sign(None, body).unwrap().get(header), Some(sig));
        let verifier = Verifier::from_secret(scheme, secret).unwrap();
        let headers = [(header, sig)];
        let verified = verifier.verify(&headers, body).unwrap();
        assert_eq!(verified.timestamp(), None);
        // A signed POST of these schemes is never a handshake.
        assert_eq!(verifier.handshake(&verified, &headers), None);
        let mut changed = body.to_vec();
        *changed.last_mut().unwrap() ^= 1;
        assert_eq!(
            verifier.verify(&headers, &changed).unwrap_err(),
            VerifyError::NoMatchingSignature
        );
    }
}

#[test]
fn custom_schemes_describe_their_handshake() {
    let echo_json = Handshake::signed(
        HandshakeTrigger::header("X-Acme-Kind", "ping").unwrap(),
        HandshakeAnswer::echo_member_as_json(&["data", "nonce"], "nonce").unwrap(),
    );
    let scheme = Scheme::custom("acme")
        .signature_header("X-Acme-Signature")
        .handshake(echo_json)
        .build()
        .unwrap();
    let body = br#"{"data":{"nonce":"n-1"}}"#;
    let reply = answer(
        scheme,
        "acme-secret-0123456789",
        body,
        &[("x-acme-kind", "ping")],
    )
    .unwrap()
    .unwrap();
    assert_eq!(reply.content_type(), "application/json");
    assert_eq!(reply.body(), br#"{"nonce":"n-1"}"#);

    let pong = Handshake::signed(
        HandshakeTrigger::number_member(&["op"], 9).unwrap(),
        HandshakeAnswer::json(r#"{"op":10}"#).unwrap(),
    );
    let scheme = Scheme::custom("acme")
        .signature_header("X-Acme-Signature")
        .handshake(pong)
        .build()
        .unwrap();
    let reply = answer(
        scheme.clone(),
        "acme-secret-0123456789",
        br#"{"op":9}"#,
        &[],
    )
    .unwrap()
    .unwrap();
    assert_eq!(reply.body(), br#"{"op":10}"#);
    // A string "9" is not the number 9.
    assert_eq!(
        answer(scheme, "acme-secret-0123456789", br#"{"op":"9"}"#, &[]),
        None
    );

    let challenge = Handshake::query_challenge("validationToken").unwrap();
    let scheme = Scheme::custom("acme")
        .signature_header("X-Acme-Signature")
        .handshake(challenge)
        .build()
        .unwrap();
    let verifier = Verifier::from_secret(scheme, "acme-secret-0123456789").unwrap();
    let reply = verifier
        .challenge("GET", "validationToken=t-1")
        .unwrap()
        .unwrap();
    assert_eq!(reply.body(), b"t-1");

    // Descriptions out of bounds.
    assert_eq!(
        HandshakeTrigger::member(&[], "x").unwrap_err(),
        ConfigError::InvalidHandshake
    );
    assert_eq!(
        HandshakeTrigger::member(&["a", "b", "c", "d", "e"], "x").unwrap_err(),
        ConfigError::InvalidHandshake
    );
    assert_eq!(
        HandshakeTrigger::member(&["type"], "a\"b").unwrap_err(),
        ConfigError::InvalidHandshake
    );
    assert_eq!(
        HandshakeTrigger::header("bad name", "x").unwrap_err(),
        ConfigError::InvalidHeaderName
    );
    assert_eq!(
        HandshakeAnswer::json("[1]").unwrap_err(),
        ConfigError::InvalidHandshake
    );
    assert_eq!(
        Handshake::query_challenge("").unwrap_err(),
        ConfigError::InvalidHandshake
    );
    // An HMAC answer needs shared secrets.
    let hmac = Handshake::signed(
        HandshakeTrigger::member(&["event"], "validate").unwrap(),
        HandshakeAnswer::member_with_hmac(&["token"], "plain", "hmac").unwrap(),
    );
    assert_eq!(
        Scheme::custom("acme")
            .signature_header("X-Acme-Signature")
            .algorithm(hookseal::scheme::Algorithm::Ed25519)
            .handshake(hmac)
            .build()
            .unwrap_err(),
        ConfigError::InvalidHandshake
    );
}

#[test]
fn the_presets_carry_their_handshakes() {
    for scheme in Scheme::presets() {
        let expected = match scheme.name() {
            "slack" => Some(Handshake::slack()),
            "discord" => Some(Handshake::discord()),
            "twitch" => Some(Handshake::twitch()),
            "zoom" => Some(Handshake::zoom()),
            "dropbox" => Some(Handshake::dropbox()),
            "meta" => Some(Handshake::meta()),
            _ => None,
        };
        assert_eq!(scheme.handshake(), expected.as_ref(), "{}", scheme.name());
        assert_eq!(scheme.clone().without_handshake().handshake(), None);
        if let Some(handshake) = expected {
            let get = matches!(scheme.name(), "dropbox" | "meta");
            assert_eq!(handshake.is_signed(), !get);
        }
    }
}

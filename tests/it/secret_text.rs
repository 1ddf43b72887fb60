//! Secret text that is plainly not a secret is refused, on every text path (`Secret::from_base64`,
//! `Secret::from_hex`, every scheme's `parse_secret`): a signature entry in any built-in scheme's
//! syntax, control characters and invisible characters, each with its own error; while the
//! providers' real secrets still parse.

use hookseal::{Keyring, Scheme, Secret, SecretError, Signer, Timestamp};

use crate::common::{header_schemes, secret};

const HEX64: &str = "5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd";
const HEX40: &str = "a02b7c8b3ef3d34e8c4a1c67b1a5f2b0c9f5ed52";
const B64_32: &str = "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
/// 32 key bytes in base64 and in hex, for `from_base64`, `from_hex` and the base64 schemes.
const KEY_B64: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const KEY_HEX: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

/// One text path to a secret.
type Parse = fn(&str) -> Result<Secret, SecretError>;

/// Every text path, each with a secret it accepts.
fn parsers() -> Vec<(String, Parse, &'static str)> {
    let mut out: Vec<(String, Parse, &'static str)> = vec![
        (
            "Secret::from_base64".into(),
            Secret::from_base64 as Parse,
            KEY_B64,
        ),
        ("Secret::from_hex".into(), Secret::from_hex, KEY_HEX),
        (
            "standard-webhooks".into(),
            |t| Scheme::standard_webhooks().parse_secret(t),
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        ),
        (
            "svix".into(),
            |t| Scheme::svix().parse_secret(t),
            "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
        ),
        (
            "stripe".into(),
            |t| Scheme::stripe().parse_secret(t),
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        ),
        (
            "github".into(),
            |t| Scheme::github().parse_secret(t),
            "It's a Secret to Everybody",
        ),
        (
            "slack".into(),
            |t| Scheme::slack().parse_secret(t),
            "8f742231b10e8888abcd99yyyzzz85a5",
        ),
        (
            "shopify".into(),
            |t| Scheme::shopify().parse_secret(t),
            "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",
        ),
        (
            "paddle".into(),
            |t| Scheme::paddle().parse_secret(t),
            "pdl_ntfset_01gkpjp8bkm3tm53kdgkx6sms7_6h3qd3uFSi9YCD3OLYAShQI90XTI5vEI",
        ),
        (
            "zoom".into(),
            |t| Scheme::zoom().parse_secret(t),
            "FQ2pdx9PRK2sZ6NLAHm2dA",
        ),
        (
            "github-sha1".into(),
            |t| hookseal::dangerous::github_sha1().parse_secret(t),
            "It's a Secret to Everybody",
        ),
    ];
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// `text` with `c` put in its middle, or at its end when `at_end`.
fn with_char(text: &str, c: char, at_end: bool) -> String {
    let mut out = text.to_owned();
    if at_end {
        out.push(c);
    } else {
        out.insert(text.len() / 2, c);
    }
    out
}

#[cfg(feature = "std")]
#[test]
fn every_providers_real_secret_still_parses() {
    for (name, parse, good) in parsers() {
        assert!(parse(good).is_ok(), "{name}: {good:?} refused");
    }
    // Those of the known-answer tests, too.
    for (scheme, text) in [
        (Scheme::stripe(), "whsec_test_secret"),
        (Scheme::github(), "It's a Secret to Everybody"),
        (Scheme::slack(), "8f742231b10e8888abcd99yyyzzz85a5"),
    ] {
        assert!(scheme.parse_secret(text).is_ok(), "{}", scheme.name());
    }
    // And the text of any generated key.
    for _ in 0..64 {
        let (_, text) = Secret::generate().unwrap().export();
        assert!(
            Scheme::standard_webhooks()
                .parse_secret(text.expose_secret())
                .is_ok()
        );
    }
}

#[test]
fn paddle_refuses_a_lone_h1_signature_entry_as_its_secret() {
    let entry = format!("h1={HEX64}");
    assert_eq!(
        Scheme::paddle().parse_secret(&entry).unwrap_err(),
        SecretError::LooksLikeSignature
    );
    assert_eq!(
        Scheme::paddle()
            .parse_secret(&format!("ts=1671552777;{entry}"))
            .unwrap_err(),
        SecretError::LooksLikeSignature
    );
}

#[test]
fn a_lone_signature_entry_of_any_presets_syntax_is_refused_by_every_parser() {
    let entries = [
        format!("h1={HEX64}"),
        format!("v0={HEX64}"),
        format!("v1={HEX64}"),
        format!("sha256={HEX64}"),
        format!("sha1={HEX40}"),
        "ts=1671552777".to_owned(),
        "t=1492774577".to_owned(),
        "v1=".to_owned(),
        format!("v1,{B64_32}"),
        format!("v1a,{B64_32}{B64_32}"),
    ];
    for (name, parse, _) in parsers() {
        for entry in &entries {
            assert_eq!(
                parse(entry).err(),
                Some(SecretError::LooksLikeSignature),
                "{name}: {entry}"
            );
        }
    }
}

/// What each built-in scheme actually sends, whole and split into its entries: each is refused
/// as a secret, except a bare tag (Shopify's base64, Coinbase Commerce's, Razorpay's and Dropbox's hex),
/// which no parser can tell from a key.
#[test]
fn every_entry_of_every_presets_signed_header_is_refused_as_a_secret() {
    for scheme in header_schemes() {
        let name = scheme.name().to_owned();
        if matches!(
            name.as_str(),
            "shopify" | "coinbase-commerce" | "razorpay" | "dropbox"
        ) {
            continue;
        }
        let id = scheme
            .id_header()
            .map(|_| "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W");
        let signed = Signer::new(scheme.clone(), Keyring::single(secret(3)))
            .sign_at(id, b"{}", Timestamp::from_unix_secs(1_700_000_000))
            .unwrap();
        let header = signed
            .get(scheme.signature_header().unwrap())
            .unwrap()
            .to_owned();
        let mut pieces = vec![header.as_str()];
        for part in header.split(' ') {
            pieces.push(part);
            // `v1,<tag>` is one entry; `t=…,v1=…` and `ts=…;h1=…` are several.
            if !part.starts_with("v1,") && !part.starts_with("v1a,") {
                pieces.extend(part.split([',', ';']));
            }
        }
        for piece in pieces.into_iter().filter(|p| !p.is_empty()) {
            for (parser, parse, _) in parsers() {
                let err = parse(piece).err();
                // A whole header with a space in it (WorkOS's `t=…, v1=…`) may be refused for
                // the space first, by parsers that allow no space.
                let space = piece.contains(' ') && err == Some(SecretError::ContainsWhitespace);
                assert!(
                    space || err == Some(SecretError::LooksLikeSignature),
                    "{name}'s {piece:?} given to {parser}: {err:?}"
                );
            }
        }
    }
}

#[test]
fn control_characters_are_refused_with_their_own_error() {
    // C0 (not whitespace), DEL, C1 (not NEL, which is whitespace).
    let controls = [
        '\u{0}', '\u{1}', '\u{7}', '\u{8}', '\u{1b}', '\u{1f}', '\u{7f}', '\u{80}', '\u{9b}',
        '\u{9f}',
    ];
    for (name, parse, good) in parsers() {
        for c in controls {
            for at_end in [false, true] {
                let text = with_char(good, c, at_end);
                assert_eq!(
                    parse(&text).err(),
                    Some(SecretError::ControlCharacter),
                    "{name}: U+{:04X}",
                    u32::from(c)
                );
            }
        }
    }
}

#[test]
fn invisible_characters_are_refused_with_their_own_error() {
    let invisible = [
        '\u{200B}',
        '\u{200C}',
        '\u{200D}',
        '\u{2060}',
        '\u{FEFF}',
        '\u{00AD}',
        '\u{200E}',
        '\u{200F}',
        '\u{202E}',
        '\u{2066}',
        '\u{180E}',
        '\u{034F}',
        '\u{E0041}',
    ];
    for (name, parse, good) in parsers() {
        for c in invisible {
            for at_end in [false, true] {
                let text = with_char(good, c, at_end);
                assert_eq!(
                    parse(&text).err(),
                    Some(SecretError::InvisibleCharacter),
                    "{name}: U+{:04X}",
                    u32::from(c)
                );
            }
        }
        // A byte order mark in front, as some editors save it.
        assert_eq!(
            parse(&format!("\u{FEFF}{good}")).err(),
            Some(SecretError::InvisibleCharacter),
            "{name}: leading BOM"
        );
    }
}

#[test]
fn whitespace_keeps_its_own_error() {
    for (name, parse, good) in parsers() {
        for c in [
            '\t', '\n', '\r', '\u{b}', '\u{c}', '\u{85}', '\u{a0}', '\u{2028}',
        ] {
            assert_eq!(
                parse(&with_char(good, c, true)).err(),
                Some(SecretError::ContainsWhitespace),
                "{name}: U+{:04X}",
                u32::from(c)
            );
        }
    }
}

#[test]
fn new_refusals_say_what_is_wrong_without_the_secret() {
    let secret = "It's a Secret to Everybody";
    for text in [format!("{secret}\u{1b}"), format!("{secret}\u{200B}")] {
        let message = Scheme::github()
            .parse_secret(&text)
            .unwrap_err()
            .to_string();
        assert!(!message.contains("Secret to"), "{message}");
    }
    assert_eq!(
        SecretError::ControlCharacter.to_string(),
        "secret text contains a control character"
    );
    assert_eq!(
        SecretError::InvisibleCharacter.to_string(),
        "secret text contains an invisible character"
    );
}

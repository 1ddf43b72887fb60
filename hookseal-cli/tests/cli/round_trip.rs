//! Round trips for every preset: `sign` (or, for the presets whose providers sign with their
//! own key pair, the library's test kit) → a captured request built from what was printed →
//! `verify` exits 0; one changed byte → exit 1 with the code `signature_mismatch`.

use hookseal::Scheme;
use hookseal::scheme::Algorithm;
use hookseal::test_kit::{PrivateKey, SignedRequest, Tamper};

use crate::common::{NOW, SECRET_VAR, generate, headers, raw_request, run_json, temp_file};

/// The URL requests are signed for and sent to (its path and query in the request line).
const URL: &str = "https://example.com/webhook?source=cli";

/// A body of the scheme's kind: a form for Twilio, JSON otherwise.
fn body(scheme: &str) -> &'static [u8] {
    match scheme {
        "twilio" => b"CallSid=CA1234567890ABCDE&From=%2B14158675309&Digits=1234",
        _ => br#"{"type":"invoice.paid","amount":1200}"#,
    }
}

/// Runs `verify` on `raw` with `key`; the exit code and the JSON verdict.
fn verify(scheme: &str, key: &str, raw: &[u8], extra: &[&str]) -> (i32, serde_json::Value) {
    let file = temp_file(&format!("{scheme}-{}.http", raw.len()), raw);
    let file = file.to_str().unwrap();
    let at = NOW.to_string();
    let mut args = vec!["verify", "--scheme", scheme, "--secret-env", SECRET_VAR];
    args.extend(["--request", file, "--at", &at]);
    args.extend(extra);
    run_json(&args, key, b"")
}

/// `bytes` with the first `from` replaced by `to`.
fn replaced(bytes: &[u8], from: &str, to: &str) -> Vec<u8> {
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    assert!(text.contains(from), "{text}");
    text.replacen(from, to, 1).into_bytes()
}

#[test]
fn every_preset_hookseal_signs_verifies_and_one_changed_byte_is_refused() {
    let mut covered = Vec::new();
    for scheme in Scheme::presets() {
        let name = scheme.name();
        let signable = matches!(
            scheme.algorithm(),
            Algorithm::HmacSha256 | Algorithm::HmacSha1 | Algorithm::Ed25519
        );
        if !signable {
            continue;
        }
        let (secret, public_key) = generate(name);
        let at = NOW.to_string();
        let mut args = vec!["sign", "--scheme", name, "--secret-env", SECRET_VAR];
        args.extend(["--timestamp", &at, "--id", "evt_1A", "--url", URL]);
        if ["hook0", "coinbase-cdp"].contains(&name) {
            args.extend(["--header", "X-Event-Type: invoice.paid"]);
        }
        let (code, signed) = run_json(&args, &secret, body(name));
        assert_eq!(code, 0, "{name}: {signed}");
        let sent = match signed["body"].as_str() {
            Some(rewritten) => rewritten.as_bytes().to_vec(),
            None => body(name).to_vec(),
        };
        let headers = headers(&signed);
        // Receivers hold the public key of an Ed25519 signing key.
        let key = public_key.as_deref().unwrap_or(&secret);

        let (code, verdict) = verify(name, key, &raw_request("POST", URL, &headers, &sent), &[]);
        assert_eq!(code, 0, "{name}: {verdict}");
        assert_eq!(verdict["verified"], true, "{name}");
        assert_eq!(verdict["key_id"], "default", "{name}");
        if scheme.signs_timestamp() {
            assert_eq!(verdict["timestamp"], NOW, "{name}");
        }

        // One byte changed where the scheme signs it: the body, or (Mailgun, which signs no
        // body) the signature the body carries.
        let changed = if scheme.signs_body() {
            match name {
                "twilio" => replaced(&sent, "Digits=1234", "Digits=1235"),
                _ => replaced(&sent, "invoice.paid", "invoice.paie"),
            }
        } else {
            let json: serde_json::Value = serde_json::from_slice(&sent).unwrap();
            let signature = json["signature"]["signature"].as_str().unwrap();
            let flipped = match signature.chars().last() {
                Some('0') => format!("{}1", &signature[..signature.len() - 1]),
                _ => format!("{}0", &signature[..signature.len() - 1]),
            };
            replaced(&sent, signature, &flipped)
        };
        let (code, verdict) = verify(
            name,
            key,
            &raw_request("POST", URL, &headers, &changed),
            &[],
        );
        assert_eq!(code, 1, "{name}: {verdict}");
        assert_eq!(verdict["code"], "signature_mismatch", "{name}");
        covered.push(name.to_owned());
    }
    assert_eq!(covered.len(), 28, "{covered:?}");
}

/// The library's test-kit keys (not provider data: `tests/vectors/kit/README.md`).
const P256_KEY: &str = include_str!("../../../tests/vectors/kit/p256.key.pem");
const P256_PUBLIC: &str = include_str!("../../../tests/vectors/kit/p256.pub.txt");
const RSA_KEY: &str = include_str!("../../../tests/vectors/kit/rsa.key.pem");
const RSA_PUBLIC: &str = include_str!("../../../tests/vectors/kit/rsa.pub.pem");
const RSA_CERTIFICATE: &str = include_str!("../../../tests/vectors/kit/rsa.crt");

#[test]
fn every_preset_signed_by_its_provider_is_refused_by_sign_and_verified_by_verify() {
    let mut covered = Vec::new();
    for scheme in Scheme::presets() {
        let name = scheme.name();
        let at = hookseal::Timestamp::from_unix_secs(NOW);
        let (kit, key, options): (SignedRequest, &str, Vec<&str>) = match scheme.algorithm() {
            Algorithm::EcdsaP256Sha256 | Algorithm::EcdsaP256Sha256Fixed => {
                let key = PrivateKey::p256_from_pem("sendgrid", P256_KEY).unwrap();
                (SignedRequest::new(scheme.clone(), key), P256_PUBLIC, vec![])
            }
            Algorithm::RsaSha1 | Algorithm::RsaSha256 if scheme.token_rules().is_some() => {
                let key = PrivateKey::rsa_from_pem("k1", RSA_KEY).unwrap();
                let account = "push@kit-project.iam.gserviceaccount.com";
                let kit = SignedRequest::new(scheme.clone(), key).service_account(account);
                let options = vec!["--key-id", "k1", "--service-account", account];
                (kit, RSA_PUBLIC, options)
            }
            Algorithm::RsaSha1 | Algorithm::RsaSha256 => {
                let key = PrivateKey::rsa_from_pem("k1", RSA_KEY).unwrap();
                let (url, options) = match name {
                    "aws-sns" => (
                        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-kit.pem",
                        vec![],
                    ),
                    _ => (
                        "https://api.sandbox.paypal.com/v1/notifications/certs/CERT-kit",
                        vec!["--endpoint-id", "WH-KIT-0001"],
                    ),
                };
                let kit = (SignedRequest::new(scheme.clone(), key).certificate_url(url))
                    .endpoint_id("WH-KIT-0001");
                (kit, RSA_CERTIFICATE, options)
            }
            _ => continue,
        };

        // `sign` says it cannot, and exits 2.
        let secret = "a-shared-secret-that-cannot-sign-0123456789";
        let args = ["sign", "--scheme", name, "--secret-env", SECRET_VAR];
        let (code, refusal) = run_json(&args, secret, b"{}");
        assert_eq!(code, 2, "{name}: {refusal}");
        let message = refusal["error"].as_str().unwrap();
        assert!(message.contains("provider's own private key"), "{message}");

        let body: &[u8] = match name {
            "aws-sns" => br#"{"Type":"Notification","TopicArn":"arn:aws:sns:us-east-1:123456789012:kit","Message":"Hello world"}"#,
            _ => br#"{"type":"invoice.paid","amount":1200}"#,
        };
        let kit = kit.timestamp(at).id("evt_1A").body(body);
        let capture = |request: http::Request<bytes::Bytes>| {
            let headers: Vec<(String, String)> = (request.headers().iter())
                .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_owned()))
                .collect();
            let url = request.uri().to_string();
            raw_request(request.method().as_str(), &url, &headers, request.body())
        };
        let (code, verdict) = verify(name, key, &capture(kit.build().unwrap()), &options);
        assert_eq!(code, 0, "{name}: {verdict}");
        assert_eq!(verdict["verified"], true, "{name}");
        let twin = kit.tampered(Tamper::Signature).unwrap().unwrap();
        let (code, verdict) = verify(name, key, &capture(twin), &options);
        assert_eq!(code, 1, "{name}: {verdict}");
        assert_eq!(verdict["code"], "signature_mismatch", "{name}");
        covered.push(name.to_owned());
    }
    assert_eq!(covered, ["sendgrid", "aws-sns", "paypal", "google-pubsub"]);
}

//! The public-key schemes: SendGrid (ECDSA P-256), AWS SNS and PayPal (RSA, with certificates),
//! Google Pub/Sub push (RSA, an ID token with a key set). Their providers' SDKs only verify, so
//! an independent signer does the providers' part: `public_key.py`, over Python's
//! `cryptography`, written from the providers' documentation. It generates the keys (P-256; RSA
//! of 2048 and 3072 bits, each shared by a few cases), a self-signed certificate per case,
//! valid around the case's time, or a key set per case; hookseal verifies what it signed, and
//! refuses it tampered.
//!
//! The test chooses the content (bodies, messages, ids, the case's time, between 2001 and 2099,
//! so certificates carry both UTCTime and GeneralizedTime dates); the driver chooses, from a
//! seed per case, what a provider may vary in writing it: member order, whitespace, `\/`,
//! how a time is written (fraction or not, an offset), a certificate's dates, a key set's and
//! a token's JSON.

#[cfg(feature = "x509")]
use std::collections::HashMap;
#[cfg(feature = "x509")]
use std::sync::{Arc, Mutex};

#[cfg(feature = "x509")]
use hookseal::Key;
use hookseal::{Keyring, Scheme, Timestamp, Verifier, VerifyError};
use serde_json::Value;

use super::{CASES, Rng, env_path, run_lines, scripts};

/// The first and last instants of the cases' times: 2001-01-01 and 2099-12-31, in ms.
const FIRST_MS: usize = 978_307_200_000;
const LAST_MS: usize = 4_102_444_799_999;

/// One case as the driver takes it: the scheme, the signing key's name, the seed of the
/// driver's choices, the case's time in ms, then the scheme's fields (empty for an absent one).
fn line(scheme: &str, key: &str, rng: &mut Rng, now_ms: u64, fields: &[&str]) -> Vec<String> {
    let mut line = vec![
        scheme.to_owned(),
        key.to_owned(),
        rng.next().to_string(),
        now_ms.to_string(),
    ];
    line.extend(fields.iter().map(|f| (*f).to_owned()));
    line
}

/// The signer's deliveries for `lines`, one JSON object each.
fn sign(name: &str, lines: &[Vec<String>]) -> Vec<Value> {
    let mut command = std::process::Command::new(env_path("HOOKSEAL_INTEROP_PYTHON"));
    command.arg(scripts().join("public_key.py"));
    run_lines(command, name, "sign", lines)
        .iter()
        .map(|out| serde_json::from_str(out).unwrap())
        .collect()
}

fn text<'a>(value: &'a Value, name: &str) -> &'a str {
    value[name]
        .as_str()
        .unwrap_or_else(|| panic!("no {name} in {value}"))
}

/// The headers of a delivery, as sent.
fn headers(delivery: &Value) -> Vec<(String, String)> {
    delivery["headers"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, value)| (name.clone(), value.as_str().unwrap().to_owned()))
        .collect()
}

/// `headers` with `name`'s value replaced.
fn with_header(headers: &[(String, String)], name: &str, value: &str) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(n, v)| match n == name {
            true => (n.clone(), value.to_owned()),
            false => (n.clone(), v.clone()),
        })
        .collect()
}

/// The same instant in other RFC 3339 text: the fraction's last digit changed, or a fraction
/// added. The verifier reads the same time; the signature covers the text.
#[cfg(feature = "x509")]
fn respelled(time: &str) -> String {
    if time.as_bytes().get(19) == Some(&b'.') {
        let end = 20 + time[20..].bytes().take_while(u8::is_ascii_digit).count();
        let last = time.as_bytes()[end - 1];
        let other = if last == b'9' {
            '8'
        } else {
            char::from(last + 1)
        };
        format!("{}{other}{}", &time[..end - 1], &time[end..])
    } else {
        format!("{}.0{}", &time[..19], &time[19..])
    }
}

fn at(secs: u64) -> Timestamp {
    Timestamp::from_unix_secs(secs)
}

#[cfg(feature = "x509")]
fn pinned(id: &str, delivery: &Value) -> Key {
    let certificate =
        hookseal::Certificate::from_pem(text(delivery, "certificate").as_bytes()).unwrap();
    Key::certificate(id, &certificate).unwrap()
}

/// A [`KeyFetcher`](hookseal::KeyFetcher) serving certificates from memory, counting fetches.
#[cfg(feature = "x509")]
#[derive(Clone, Default)]
struct Served {
    documents: Arc<HashMap<String, Vec<u8>>>,
    fetches: Arc<Mutex<HashMap<String, usize>>>,
}

#[cfg(feature = "x509")]
impl Served {
    fn new(documents: HashMap<String, Vec<u8>>) -> Self {
        Self {
            documents: Arc::new(documents),
            fetches: Arc::default(),
        }
    }

    fn fetches(&self, url: &str) -> usize {
        self.fetches
            .lock()
            .unwrap()
            .get(url)
            .copied()
            .unwrap_or_default()
    }
}

#[cfg(feature = "x509")]
impl hookseal::KeyFetcher for Served {
    async fn fetch(&self, url: &hookseal::KeyUrl) -> Result<Vec<u8>, hookseal::FetchError> {
        *self
            .fetches
            .lock()
            .unwrap()
            .entry(url.as_str().to_owned())
            .or_default() += 1;
        self.documents
            .get(url.as_str())
            .cloned()
            .ok_or_else(|| hookseal::FetchError::new(format!("404 from {url}")))
    }
}

#[cfg(feature = "x509")]
fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(future)
}

// --- SendGrid ---------------------------------------------------------------------------------

/// A SendGrid Event Webhook body: a JSON array of events, written with random whitespace and
/// escapes, their texts random.
#[cfg(feature = "p256")]
fn sendgrid_body(rng: &mut Rng, ts: u64) -> String {
    let space = |rng: &mut Rng| rng.pick(&["", "", " ", "\n  ", "\t"]).to_owned();
    let events: Vec<String> = (0..rng.range(1, 5))
        .map(|_| {
            let n = rng.range(0, 40);
            let reason = rng.text_of(n);
            let reason = rng.json_string(&reason);
            let n = rng.range(0, 6);
            let category = rng.text_of(n);
            let category = rng.json_string(&category);
            let members = [
                format!("\"email\":\"{}@example.com\"", rng.alphanumeric(8)),
                format!("\"timestamp\":{}", ts - rng.range(0, 600) as u64),
                format!(
                    "\"event\":\"{}\"",
                    rng.pick(&[
                        "processed",
                        "delivered",
                        "open",
                        "click",
                        "bounce",
                        "dropped"
                    ])
                ),
                format!("\"sg_event_id\":\"{}\"", rng.alphanumeric(22)),
                format!("\"sg_message_id\":\"{}.filter\"", rng.alphanumeric(22)),
                format!("\"category\":[\"{category}\"]"),
                format!("\"reason\":\"{reason}\""),
            ];
            let sep = space(rng);
            format!("{{{}}}", members.join(&format!(",{sep}")))
        })
        .collect();
    let (a, b) = (space(rng), space(rng));
    format!("{a}[{}]{b}", events.join(","))
}

/// SendGrid: the signer signs random event arrays at random times with a fresh P-256 key each;
/// hookseal verifies them with the key as the dashboard shows it (base64) or as PEM, and
/// refuses them with a bit of the body flipped, the timestamp moved by a second, or another
/// case's key.
#[cfg(feature = "p256")]
#[test]
#[ignore = "needs Python's cryptography; `bash .ci/test` installs it and runs this"]
fn sendgrid_signed_by_cryptography() {
    let mut rng = Rng::new();
    let cases: Vec<(u64, String)> = (0..CASES)
        .map(|_| {
            let ts = rng.range(FIRST_MS, LAST_MS) as u64 / 1000;
            (ts, sendgrid_body(&mut rng, ts))
        })
        .collect();
    let lines: Vec<Vec<String>> = cases
        .iter()
        .enumerate()
        .map(|(i, (ts, body))| {
            let now_ms = ts * 1000;
            let ts = ts.to_string();
            line(
                "sendgrid",
                &format!("p256-{i}"),
                &mut rng,
                now_ms,
                &[&ts, body],
            )
        })
        .collect();
    let deliveries = sign("sendgrid", &lines);
    let scheme = Scheme::sendgrid();
    for (i, ((ts, body), delivery)) in cases.iter().zip(&deliveries).enumerate() {
        let what = format!("sendgrid case {i}, body {body:?}");
        let verifier = if i % 2 == 0 {
            Verifier::from_secret(scheme.clone(), text(delivery, "public_key")).unwrap()
        } else {
            let key = scheme
                .parse_key("sendgrid", text(delivery, "public_key_pem"))
                .unwrap();
            Verifier::new(scheme.clone(), Keyring::new(key).unwrap())
        };
        let headers = headers(delivery);
        // Within the window, and so is the timestamp a second either side.
        let now = at(ts + rng.range(1, 299) as u64);
        let verified = verifier
            .verify_at(&headers, body.as_bytes(), now)
            .unwrap_or_else(|e| panic!("hookseal refused {what}: {e}"));
        assert_eq!(verified.body(), body.as_bytes());
        assert_eq!(verified.timestamp(), Some(at(*ts)));

        let mut flipped = body.clone().into_bytes();
        let byte = rng.range(0, flipped.len() - 1);
        flipped[byte] ^= 1 << rng.range(0, 7);
        assert_eq!(
            verifier.verify_at(&headers, &flipped, now).unwrap_err(),
            VerifyError::NoMatchingSignature,
            "{what}: bit flipped in byte {byte}"
        );
        let header = "X-Twilio-Email-Event-Webhook-Timestamp";
        for moved in [ts - 1, ts + 1] {
            let moved = with_header(&headers, header, &moved.to_string());
            assert_eq!(
                verifier
                    .verify_at(&moved, body.as_bytes(), now)
                    .unwrap_err(),
                VerifyError::NoMatchingSignature,
                "{what}: timestamp moved"
            );
        }
        let other = text(&deliveries[(i + 1) % CASES], "public_key");
        let stranger = Verifier::from_secret(scheme.clone(), other).unwrap();
        assert_eq!(
            stranger
                .verify_at(&headers, body.as_bytes(), now)
                .unwrap_err(),
            VerifyError::NoMatchingSignature,
            "{what}: another key"
        );
    }
}

// --- AWS SNS ----------------------------------------------------------------------------------

/// The three kinds of SNS messages.
#[cfg(feature = "x509")]
const SNS_KINDS: [&str; 3] = [
    "Notification",
    "SubscriptionConfirmation",
    "UnsubscribeConfirmation",
];

/// The members SNS signs, for the tampering checks.
#[cfg(feature = "x509")]
const SNS_SIGNED: [&str; 8] = [
    "Message",
    "MessageId",
    "Subject",
    "SubscribeURL",
    "Timestamp",
    "Token",
    "TopicArn",
    "Type",
];

/// Where a case's certificate is served: an address on an allow-list of the test's own
/// (`AllowList::prefix`), or a URL such as SNS names, which its preset's list admits.
#[cfg(feature = "x509")]
const LOCAL_CERTS: &str = "http://127.0.0.1:1/certs/";

/// One SNS message as the test chooses it.
#[cfg(feature = "x509")]
struct SnsCase {
    now_ms: u64,
    kind: &'static str,
    version: &'static str,
    message_id: String,
    topic_arn: String,
    subject: Option<String>,
    message: String,
    token: String,
    subscribe_url: String,
    unsubscribe_url: String,
    cert_url: String,
    local: bool,
    ensure_ascii: bool,
    key: String,
}

#[cfg(feature = "x509")]
impl Rng {
    fn uuid(&mut self) -> String {
        [8, 4, 4, 4, 12]
            .map(|n| self.pick_chars(super::HEX, n))
            .join("-")
    }

    /// Message text: the random text of the other cases and the characters JSON must escape
    /// (quotes, backslashes, control characters), `/`, U+2028, and an emoji beyond the BMP
    /// (a surrogate pair when written as `\u` escapes), in random order.
    fn sns_text(&mut self, pieces: usize) -> String {
        const MUST: &[&str] = &[
            "\"", "\\", "\n", "\r", "\t", "\u{0}", "\u{1}", "\u{8}", "\u{c}", "\u{1f}", "\u{7f}",
            "/", "\u{2028}", "😀",
        ];
        let mut parts: Vec<String> = MUST.iter().map(|s| (*s).to_owned()).collect();
        for _ in 0..pieces {
            parts.push(self.text_of(1));
        }
        for i in (1..parts.len()).rev() {
            parts.swap(i, self.range(0, i));
        }
        parts.concat()
    }
}

#[cfg(feature = "x509")]
fn sns_cases(rng: &mut Rng) -> Vec<SnsCase> {
    (0..CASES)
        .map(|i| {
            // Every combination of kind, version, escaping and certificate URL, twice or more;
            // notifications with a subject and without; both key sizes with each kind.
            let kind = SNS_KINDS[i % 3];
            let version = ["1", "2"][(i / 3) % 2];
            let ensure_ascii = (i / 6) % 2 == 0;
            let local = (i / 12) % 2 == 0;
            let key = match i % 2 {
                0 => format!("rsa2048-{}", rng.range(0, 2)),
                _ => format!("rsa3072-{}", rng.range(0, 1)),
            };
            let region = rng.pick(&["us-east-1", "eu-west-3", "ap-southeast-2", "us-gov-west-1"]);
            let topic_arn = format!(
                "arn:aws:sns:{region}:{}:{}",
                rng.pick_chars(b"0123456789", 12),
                {
                    let n = rng.range(1, 40);
                    rng.pick_chars(super::BASE64URL, n)
                }
            );
            let n = rng.range(128, 256);
            let token = rng.pick_chars(super::HEX, n);
            let subscribe_url = format!(
                "https://sns.{region}.amazonaws.com/?Action=ConfirmSubscription&TopicArn={topic_arn}&Token={token}"
            );
            let unsubscribe_url = format!(
                "https://sns.{region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={topic_arn}:{}",
                rng.uuid()
            );
            let n = rng.range(0, 200);
            let mut message = rng.sns_text(n);
            if kind != "Notification" {
                message = format!(
                    "You have chosen to subscribe to the topic {topic_arn}.\nTo confirm the subscription, visit the SubscribeURL included in this message. {message}"
                );
            }
            // SNS refuses a subject with line breaks or control characters (and the crate
            // refuses a line feed in any signed member but Message).
            let subject = (kind == "Notification" && (i / 24) % 2 == 0).then(|| {
                let n = rng.range(0, 10);
                let text: String = rng.text_of(n).chars().filter(|c| !c.is_control()).collect();
                format!("Subject \"{text}\" é")
            });
            let cert_url = if local {
                format!("{LOCAL_CERTS}sns-{i}.pem")
            } else {
                format!(
                    "https://sns.{region}.amazonaws.com/SimpleNotificationService-{}.pem",
                    rng.pick_chars(super::HEX, 32)
                )
            };
            SnsCase {
                now_ms: rng.range(FIRST_MS, LAST_MS) as u64,
                kind,
                version,
                message_id: rng.uuid(),
                topic_arn,
                subject,
                message,
                token,
                subscribe_url,
                unsubscribe_url,
                cert_url,
                local,
                ensure_ascii,
                key,
            }
        })
        .collect()
}

#[cfg(feature = "x509")]
impl SnsCase {
    fn line(&self, rng: &mut Rng) -> Vec<String> {
        let confirmation = self.kind != "Notification";
        let (token, subscribe_url, unsubscribe_url) = match confirmation {
            true => (self.token.as_str(), self.subscribe_url.as_str(), ""),
            false => ("", "", self.unsubscribe_url.as_str()),
        };
        line(
            "aws-sns",
            &self.key,
            rng,
            self.now_ms,
            &[
                self.kind,
                self.version,
                &self.message_id,
                &self.topic_arn,
                self.subject.as_deref().unwrap_or_default(),
                &self.message,
                token,
                subscribe_url,
                unsubscribe_url,
                &self.cert_url,
                if self.ensure_ascii { "1" } else { "0" },
            ],
        )
    }

    /// What `SnsMessage::from_verified` must read.
    fn check(&self, message: &hookseal::SnsMessage, what: &str) {
        use hookseal::SnsKind;
        let kind = match self.kind {
            "Notification" => SnsKind::Notification,
            "SubscriptionConfirmation" => SnsKind::SubscriptionConfirmation {
                subscribe_url: self.subscribe_url.clone(),
                token: self.token.clone(),
            },
            _ => SnsKind::UnsubscribeConfirmation {
                subscribe_url: self.subscribe_url.clone(),
                token: self.token.clone(),
            },
        };
        assert_eq!(message.kind(), &kind, "{what}");
        assert_eq!(message.message_id(), self.message_id, "{what}");
        assert_eq!(message.topic_arn(), self.topic_arn, "{what}");
        assert_eq!(message.subject(), self.subject.as_deref(), "{what}");
        assert_eq!(message.message(), self.message, "{what}");
    }
}

/// SNS sends its message in the body; its headers are not signed.
#[cfg(feature = "x509")]
const NO_HEADERS: &[(&str, &str)] = &[];

#[cfg(feature = "x509")]
fn sns_verify<'a>(
    verifier: &'a Verifier,
    body: &'a str,
    now: Timestamp,
) -> Result<hookseal::Verified<'a>, VerifyError> {
    verifier.verify_at(NO_HEADERS, body.as_bytes(), now)
}

/// AWS SNS: the signer signs notifications (with a subject and without), subscription and
/// unsubscribe confirmations, with SHA-1 (`SignatureVersion` 1) and SHA-256 (2), their texts
/// full of what JSON escapes, written with `\u` escapes only (`ensure_ascii`, surrogate pairs
/// beyond the BMP) or in raw UTF-8. hookseal verifies each with its certificate pinned and
/// fetched (from an allow-list of the test's own, or from an SNS URL on the preset's list),
/// reads the message back, verifies it re-encoded, and refuses it with any signed member
/// changed or removed.
#[cfg(feature = "x509")]
#[test]
#[ignore = "needs Python's cryptography; `bash .ci/test` installs it and runs this"]
fn aws_sns_signed_by_cryptography() {
    use hookseal::{AllowList, CertificateKey, KeyCache, SnsMessage};

    let mut rng = Rng::new();
    let cases = sns_cases(&mut rng);
    let lines: Vec<Vec<String>> = cases.iter().map(|c| c.line(&mut rng)).collect();
    let deliveries = sign("aws-sns", &lines);

    let served = Served::new(
        cases
            .iter()
            .zip(&deliveries)
            .map(|(c, d)| {
                (
                    c.cert_url.clone(),
                    text(d, "certificate").as_bytes().to_vec(),
                )
            })
            .collect(),
    );
    let cache = KeyCache::new(served.clone());
    let local_scheme = Scheme::aws_sns()
        .with_certificate_allow_list(AllowList::prefix(LOCAL_CERTS).unwrap())
        .unwrap();
    let fetching_local = Verifier::fetching(local_scheme, cache.clone()).unwrap();
    let fetching_sns = Verifier::fetching(Scheme::aws_sns(), cache).unwrap();
    let (mut surrogate_escapes, mut raw_emoji) = (0, 0);

    for (i, (case, delivery)) in cases.iter().zip(&deliveries).enumerate() {
        let body = text(delivery, "body");
        let what = format!(
            "aws-sns case {i} ({} v{}, {}): {body}",
            case.kind, case.version, case.cert_url
        );
        surrogate_escapes += usize::from(body.contains("\\ud83d\\ude00"));
        raw_emoji += usize::from(body.contains('😀'));
        let ts = case.now_ms / 1000;
        let now = at(ts + rng.range(0, 3600) as u64);
        // Whether `verifier` accepts `body`, for the checks that need no more.
        let verify = |verifier: &Verifier, body: &str| sns_verify(verifier, body, now).map(drop);

        // The certificate pinned.
        let verifier = Verifier::new(
            Scheme::aws_sns(),
            Keyring::new(pinned("sns", delivery)).unwrap(),
        );
        let verified = sns_verify(&verifier, body, now)
            .unwrap_or_else(|e| panic!("hookseal refused {what}: {e}"));
        assert_eq!(verified.id(), Some(case.message_id.as_str()), "{what}");
        assert_eq!(verified.timestamp(), Some(at(ts)), "{what}");
        case.check(&SnsMessage::from_verified(&verified).unwrap(), &what);
        // The window is an hour on each side.
        for (then, err) in [
            (ts + 3601, VerifyError::TimestampTooOld),
            (ts - 3601, VerifyError::TimestampInFuture),
        ] {
            let refused = verifier.verify_at(NO_HEADERS, body.as_bytes(), at(then));
            assert_eq!(refused.unwrap_err(), err, "{what}");
        }

        // The certificate fetched, once, from a URL of the verifier's list; the other list
        // refuses the URL before anything is fetched.
        let (fetching, other) = match case.local {
            true => (&fetching_local, &fetching_sns),
            false => (&fetching_sns, &fetching_local),
        };
        for _ in 0..2 {
            block_on(fetching.load_key(NO_HEADERS, body.as_bytes()))
                .unwrap_or_else(|e| panic!("no certificate for {what}: {e}"));
        }
        assert_eq!(served.fetches(&case.cert_url), 1, "{what}");
        let verified = sns_verify(fetching, body, now)
            .unwrap_or_else(|e| panic!("hookseal refused {what}: {e}"));
        assert_eq!(verified.key_id(), "sns.amazonaws.com", "{what}");
        case.check(&SnsMessage::from_verified(&verified).unwrap(), &what);
        assert_eq!(
            block_on(other.load_key(NO_HEADERS, body.as_bytes())).unwrap_err(),
            VerifyError::KeyUrlRefused,
            "{what}"
        );

        // Another key refuses it.
        let other = &deliveries[(i + 1) % CASES];
        let other = hookseal::Certificate::from_pem(text(other, "certificate").as_bytes()).unwrap();
        let CertificateKey::Rsa(other) = other.public_key() else {
            panic!("not RSA")
        };
        let stranger = Key::rsa_public("other", other.clone()).unwrap();
        let stranger = Verifier::new(Scheme::aws_sns(), Keyring::new(stranger).unwrap());
        assert_eq!(
            verify(&stranger, body).unwrap_err(),
            VerifyError::NoMatchingSignature,
            "{what}: another key"
        );

        // The same message written by another encoder (serde_json: members sorted, raw UTF-8).
        let message: serde_json::Map<String, Value> = serde_json::from_str(body).unwrap();
        let write =
            |message: &serde_json::Map<String, Value>| serde_json::to_string(message).unwrap();
        verify(&verifier, &write(&message))
            .unwrap_or_else(|e| panic!("hookseal refused {what} re-encoded: {e}"));

        // Each signed member changed, then removed; a subject added; the other version.
        for name in SNS_SIGNED {
            let Some(value) = message.get(name) else {
                continue;
            };
            let value = value.as_str().unwrap();
            let changed = match name {
                "Timestamp" => respelled(value),
                _ => format!("{value}x"),
            };
            let mut tampered = message.clone();
            tampered.insert(name.to_owned(), Value::String(changed.clone()));
            assert_eq!(
                verify(&verifier, &write(&tampered)).unwrap_err(),
                VerifyError::NoMatchingSignature,
                "{what}: {name} changed to {changed:?}"
            );
            let mut removed = message.clone();
            removed.remove(name);
            let refused = verify(&verifier, &write(&removed));
            assert!(refused.is_err(), "{what}: {name} removed");
            if !matches!(name, "MessageId" | "Timestamp") {
                assert_eq!(refused.unwrap_err(), VerifyError::NoMatchingSignature);
            }
        }
        if case.kind == "Notification" && case.subject.is_none() {
            let mut added = message.clone();
            added.insert("Subject".to_owned(), Value::String("Subject".to_owned()));
            assert_eq!(
                verify(&verifier, &write(&added)).unwrap_err(),
                VerifyError::NoMatchingSignature,
                "{what}: a subject added"
            );
        }
        let mut version = message.clone();
        let swapped = if case.version == "1" { "2" } else { "1" };
        version.insert(
            "SignatureVersion".to_owned(),
            Value::String(swapped.to_owned()),
        );
        assert_eq!(
            verify(&verifier, &write(&version)).unwrap_err(),
            VerifyError::NoMatchingSignature,
            "{what}: SignatureVersion {swapped}"
        );
        // What SNS does not sign may change: the certificate's URL, the unsubscribe URL.
        let mut unsigned = message.clone();
        for name in ["SigningCertURL", "UnsubscribeURL"] {
            if let Some(Value::String(url)) = unsigned.get_mut(name) {
                url.push('x');
            }
        }
        verify(&verifier, &write(&unsigned)).unwrap_or_else(|e| {
            panic!("hookseal refused {what} with unsigned members changed: {e}")
        });
    }
    assert!(surrogate_escapes > 0, "no case wrote \\ud83d\\ude00");
    assert!(raw_emoji > 0, "no case wrote raw UTF-8");
}

// --- PayPal -----------------------------------------------------------------------------------

/// PayPal: the signer signs random bodies (their CRC-32s above 2^31 and below) with random
/// transmission ids, times and webhook ids; hookseal verifies them with the certificate pinned
/// and fetched from a URL on the preset's list, and refuses them under another webhook id, with
/// a bit of the body flipped, another transmission id, or the time written otherwise.
#[cfg(feature = "x509")]
#[test]
#[ignore = "needs Python's cryptography; `bash .ci/test` installs it and runs this"]
fn paypal_signed_by_cryptography() {
    use hookseal::KeyCache;

    struct Case {
        now_ms: u64,
        transmission_id: String,
        webhook_id: String,
        body: String,
        cert_url: String,
    }

    let mut rng = Rng::new();
    let cases: Vec<Case> = (0..CASES)
        .map(|i| {
            let host = rng.pick(&[
                "api.paypal.com",
                "api-m.paypal.com",
                "api.sandbox.paypal.com",
                "api-m.sandbox.paypal.com",
            ]);
            let hex = |rng: &mut Rng| rng.pick_chars(super::HEX, 8);
            let webhook_id = if rng.coin() {
                format!(
                    "WH-{}-{}",
                    rng.pick_chars(b"0123456789ABCDEFGHJKLMNPRSTUVWXY", 17),
                    rng.alphanumeric(10)
                )
            } else {
                rng.pick_chars(b"0123456789ABCDEFGHJKLMNPRSTUVWXY", 17)
            };
            Case {
                now_ms: rng.range(FIRST_MS, LAST_MS) as u64,
                transmission_id: rng.uuid(),
                webhook_id,
                body: rng.payload(),
                cert_url: format!(
                    "https://{host}/v1/notifications/certs/CERT-360caa42-{}-{}-{i}",
                    hex(&mut rng),
                    hex(&mut rng)
                ),
            }
        })
        .collect();
    let lines: Vec<Vec<String>> = cases
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let key = match i % 2 {
                0 => format!("rsa2048-{}", rng.range(0, 2)),
                _ => format!("rsa3072-{}", rng.range(0, 1)),
            };
            line(
                "paypal",
                &key,
                &mut rng,
                c.now_ms,
                &[&c.transmission_id, &c.webhook_id, &c.body, &c.cert_url],
            )
        })
        .collect();
    let deliveries = sign("paypal", &lines);

    let served = Served::new(
        cases
            .iter()
            .zip(&deliveries)
            .map(|(c, d)| {
                (
                    c.cert_url.clone(),
                    text(d, "certificate").as_bytes().to_vec(),
                )
            })
            .collect(),
    );
    // Clones share the cache.
    let fetching = Verifier::fetching(Scheme::paypal(), KeyCache::new(served.clone())).unwrap();
    let (mut high_crc, mut low_crc) = (0, 0);
    for (i, (case, delivery)) in cases.iter().zip(&deliveries).enumerate() {
        let crc = delivery["crc32"].as_u64().unwrap();
        high_crc += usize::from(crc >= 1 << 31);
        low_crc += usize::from(crc < 1 << 31);
        let headers = headers(delivery);
        let time = headers
            .iter()
            .find(|(n, _)| n == "PAYPAL-TRANSMISSION-TIME")
            .unwrap()
            .1
            .clone();
        let what = format!(
            "paypal case {i} (CRC-32 {crc}, webhook {}, {time}), body {:?}",
            case.webhook_id, case.body
        );
        let ts = case.now_ms / 1000;
        let now = at(ts + rng.range(0, 300) as u64);
        let body = case.body.as_bytes();

        let verifier = Verifier::new(
            Scheme::paypal(),
            Keyring::new(pinned("paypal", delivery)).unwrap(),
        );
        assert_eq!(
            verifier.verify_at(&headers, body, now).unwrap_err(),
            VerifyError::MissingEndpointId,
            "{what}"
        );
        let verifier = verifier.with_endpoint_id(&case.webhook_id).unwrap();
        let verified = verifier
            .verify_at(&headers, body, now)
            .unwrap_or_else(|e| panic!("hookseal refused {what}: {e}"));
        assert_eq!(verified.id(), Some(case.transmission_id.as_str()), "{what}");
        assert_eq!(verified.timestamp(), Some(at(ts)), "{what}");
        assert_eq!(verified.body(), body, "{what}");

        let fetching = fetching.clone().with_endpoint_id(&case.webhook_id).unwrap();
        block_on(fetching.load_key(&headers, body))
            .unwrap_or_else(|e| panic!("no certificate for {what}: {e}"));
        assert_eq!(served.fetches(&case.cert_url), 1, "{what}");
        let verified = fetching
            .verify_at(&headers, body, now)
            .unwrap_or_else(|e| panic!("hookseal refused {what} (fetched): {e}"));
        assert_eq!(verified.key_id(), "messageverificationcerts.paypal.com");

        let refused = |headers: &[(String, String)], body: &[u8], why: &str| {
            assert_eq!(
                verifier.verify_at(headers, body, now).unwrap_err(),
                VerifyError::NoMatchingSignature,
                "{what}: {why}"
            );
        };
        let stranger = Verifier::new(
            Scheme::paypal(),
            Keyring::new(pinned("paypal", delivery)).unwrap(),
        )
        .with_endpoint_id(&format!("{}0", case.webhook_id))
        .unwrap();
        assert_eq!(
            stranger.verify_at(&headers, body, now).unwrap_err(),
            VerifyError::NoMatchingSignature,
            "{what}: another webhook id"
        );
        let mut flipped = body.to_vec();
        let byte = rng.range(0, flipped.len() - 1);
        flipped[byte] ^= 1 << rng.range(0, 7);
        refused(&headers, &flipped, "a bit flipped");
        let id = &case.transmission_id;
        let other_id = format!(
            "{}{}",
            &id[..id.len() - 1],
            if id.ends_with('0') { '1' } else { '0' }
        );
        refused(
            &with_header(&headers, "PAYPAL-TRANSMISSION-ID", &other_id),
            body,
            "another transmission id",
        );
        refused(
            &with_header(&headers, "PAYPAL-TRANSMISSION-TIME", &respelled(&time)),
            body,
            "the time written otherwise",
        );
    }
    assert!(
        high_crc > 0 && low_crc > 0,
        "CRC-32s: {high_crc} ≥ 2^31, {low_crc} below"
    );
}

// --- Google Pub/Sub ---------------------------------------------------------------------------

/// Where Google publishes the keys of its ID tokens: the one URL every case's key set is
/// served from, each case through a cache of its own.
#[cfg(feature = "x509")]
const GOOGLE_KEYS: &str = "https://www.googleapis.com/oauth2/v3/certs";

/// The signer's keys for Pub/Sub: each case's key set holds one to three of them under ids of
/// its own, and one of the others signs a token the receiver must refuse.
#[cfg(feature = "x509")]
const PUBSUB_KEYS: [&str; 5] = [
    "rsa2048-0",
    "rsa2048-1",
    "rsa2048-2",
    "rsa3072-0",
    "rsa3072-1",
];

/// Issuers a token must not name: near misses of Google's two.
#[cfg(feature = "x509")]
const NOT_GOOGLE: [&str; 7] = [
    "https://accounts.google.com/",
    "http://accounts.google.com",
    "accounts.google.com.",
    "https://accounts.google.co",
    "HTTPS://ACCOUNTS.GOOGLE.COM",
    "https://accounts.google.com.evil.example",
    "https://securetoken.google.com/example-project",
];

/// One push as the test chooses it.
#[cfg(feature = "x509")]
struct PushCase {
    /// The token's `iat`, in ms (the driver writes whole seconds, and `exp` an hour later).
    now_ms: u64,
    /// The signing key, of [`PUBSUB_KEYS`], and its id in the case's key set.
    key: &'static str,
    kid: String,
    /// The case's key set, in the order it is served: the signing key among others.
    key_set: Vec<(&'static str, String)>,
    /// A key outside the set, and the id its token names: the signing key's, or its own.
    outsider: (&'static str, String),
    outsider_named_as_signer: bool,
    iss: &'static str,
    other_iss: &'static str,
    /// Whether the receiver knows its audience as its public URL and the request's target, as
    /// Pub/Sub names the push endpoint by default (else as the audience set on the
    /// subscription, `aud`).
    by_url: bool,
    public_url: String,
    /// The request's target, as received.
    target: String,
    aud: String,
    email: String,
    sub: String,
    /// The text of a claim that means nothing to the receiver.
    note: String,
    message_id: String,
    data: String,
    /// The message's attributes, as a JSON object.
    attributes: String,
    subscription: String,
}

#[cfg(feature = "x509")]
impl Rng {
    /// A key id: 40 hex digits, as Google's are, or base64url, or words and punctuation.
    fn kid(&mut self) -> String {
        match self.range(0, 2) {
            0 => self.pick_chars(super::HEX, 40),
            1 => {
                let n = self.range(16, 43);
                self.pick_chars(super::BASE64URL, n)
            }
            _ => format!(
                "key-{}.{}:{}",
                self.range(1, 99),
                self.alphanumeric(6),
                self.range(0, 9)
            ),
        }
    }

    /// `n` decimal digits, the first not zero.
    fn digits(&mut self, n: usize) -> String {
        let first = self.pick_chars(b"123456789", 1);
        first + &self.pick_chars(b"0123456789", n - 1)
    }

    /// A path with non-ASCII segments, percent-encoded, and a query of one to three random
    /// parameters, form-encoded.
    fn push_target(&mut self) -> String {
        use std::fmt::Write as _;

        let mut target = String::new();
        for _ in 0..self.range(1, 3) {
            let segment = self.pick(&["pubsub", "push", "v1", "x_y-z.~", "événements", "受信"]);
            target.push('/');
            for b in segment.bytes() {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    target.push(char::from(b));
                } else {
                    write!(target, "%{b:02X}").unwrap();
                }
            }
        }
        let query: Vec<String> = (0..self.range(1, 3))
            .map(|_| {
                let name = self.pick(&["token", "topic", "q", "région"]);
                let n = self.range(0, 4);
                let value = self.text_of(n);
                format!("{}={}", self.form_encode(name), self.form_encode(&value))
            })
            .collect();
        format!("{target}?{}", query.join("&"))
    }

    /// An `https` URL's scheme and authority.
    fn push_host(&mut self) -> String {
        let host = self.pick(&[
            "hooks.example.com",
            "example-project.uc.r.appspot.com",
            "push-7f3a2b-uc.a.run.app",
            "[2001:db8::7]",
        ]);
        let port = self.pick(&["", "", ":443", ":8443"]);
        format!("https://{host}{port}")
    }

    /// A service account: one of a project's, or a project's default compute account.
    fn service_account(&mut self) -> String {
        let word = |rng: &mut Self| {
            let n = rng.range(4, 20);
            rng.pick_chars(b"abcdefghijklmnopqrstuvwxyz", 1)
                + &rng.pick_chars(b"abcdefghijklmnopqrstuvwxyz0123456789-", n)
                + &rng.pick_chars(b"abcdefghijklmnopqrstuvwxyz0123456789", 1)
        };
        if self.coin() {
            format!("{}@{}.iam.gserviceaccount.com", word(self), word(self))
        } else {
            format!("{}-compute@developer.gserviceaccount.com", self.digits(12))
        }
    }
}

#[cfg(feature = "x509")]
fn push_cases(rng: &mut Rng) -> Vec<PushCase> {
    use base64::Engine as _;

    (0..CASES)
        .map(|i| {
            // Both ways of naming the audience, both key sizes signing, key sets of one to three
            // keys, the outsider under the signer's id and its own: each combination more than
            // once.
            let by_url = i % 2 == 0;
            let signers = match (i / 2) % 2 {
                0 => &PUBSUB_KEYS[..3],
                _ => &PUBSUB_KEYS[3..],
            };
            let key = rng.pick(signers);
            let mut others: Vec<&'static str> =
                PUBSUB_KEYS.iter().copied().filter(|k| *k != key).collect();
            for j in (1..others.len()).rev() {
                others.swap(j, rng.range(0, j));
            }
            let size = 1 + (i / 4) % 3;
            let mut key_set: Vec<(&'static str, String)> = std::iter::once(key)
                .chain(others.iter().copied().take(size - 1))
                .map(|name| (name, rng.kid()))
                .collect();
            let kid = key_set[0].1.clone();
            for j in (1..key_set.len()).rev() {
                key_set.swap(j, rng.range(0, j));
            }
            let outsider_named_as_signer = (i / 12) % 2 == 0;
            let outsider = (
                others[size - 1],
                match outsider_named_as_signer {
                    true => kid.clone(),
                    false => rng.kid(),
                },
            );
            let public_url = format!(
                "{}{}",
                rng.push_host(),
                rng.pick(&["", "/pubsub", "/api/v1"])
            );
            let target = rng.push_target();
            let aud = match by_url {
                true => format!("{public_url}{target}"),
                false => format!("{}{}", rng.push_host(), rng.push_target()),
            };
            let project = format!("example-{}", rng.digits(6));
            let mut attributes = serde_json::Map::new();
            for _ in 0..rng.range(0, 4) {
                let name = rng.pick(&["origin", "eventType", "ünïcödé", "名前", "🦀", "a b"]);
                let n = rng.range(0, 12);
                attributes.insert(name.to_owned(), Value::String(rng.text_of(n)));
            }
            let n = rng.range(0, 120);
            let data: Vec<u8> = (0..n).map(|_| rng.byte()).collect();
            let n = rng.range(1, 16);
            PushCase {
                now_ms: rng.range(FIRST_MS, LAST_MS) as u64,
                key,
                kid,
                key_set,
                outsider,
                outsider_named_as_signer,
                iss: rng.pick(&["accounts.google.com", "https://accounts.google.com"]),
                other_iss: rng.pick(&NOT_GOOGLE),
                by_url,
                public_url,
                target,
                aud,
                email: rng.service_account(),
                sub: rng.digits(21),
                note: rng.text_of(n),
                message_id: {
                    let n = rng.range(16, 17);
                    rng.digits(n)
                },
                data: base64::engine::general_purpose::STANDARD.encode(data),
                attributes: Value::Object(attributes).to_string(),
                subscription: format!(
                    "projects/{project}/subscriptions/push-{}",
                    rng.alphanumeric(8)
                ),
            }
        })
        .collect()
}

#[cfg(feature = "x509")]
impl PushCase {
    fn line(&self, rng: &mut Rng) -> Vec<String> {
        let named = |keys: &[(&str, String)]| {
            keys.iter()
                .map(|(name, kid)| format!("{name}={kid}"))
                .collect::<Vec<_>>()
                .join(",")
        };
        line(
            "google-pubsub",
            self.key,
            rng,
            self.now_ms,
            &[
                &self.kid,
                &named(&self.key_set),
                &named(std::slice::from_ref(&self.outsider)),
                self.iss,
                self.other_iss,
                &self.aud,
                &self.email,
                &self.sub,
                &self.note,
                &self.message_id,
                &self.data,
                &self.attributes,
                &self.subscription,
            ],
        )
    }
}

/// What a verified push tells its receiver.
#[cfg(feature = "x509")]
struct Pushed {
    key_id: String,
    id: Option<String>,
    timestamp: Option<Timestamp>,
    replay_key: hookseal::ReplayKey,
}

/// Loads the key set for a push (`Authorization: authorization`, posted to `target`) and
/// verifies it at `now`, as a receiver does.
#[cfg(feature = "x509")]
fn push(
    verifier: &Verifier,
    authorization: &str,
    target: &str,
    body: &str,
    now: Timestamp,
) -> Result<Pushed, VerifyError> {
    let headers = [("Authorization", authorization)];
    let request = hookseal::RequestView::new("POST", target, &headers);
    block_on(verifier.load_key(&request, body.as_bytes()))?;
    let verified = verifier.verify_at(&request, body.as_bytes(), now)?;
    Ok(Pushed {
        key_id: verified.key_id().to_string(),
        id: verified.id().map(str::to_owned),
        timestamp: verified.timestamp(),
        replay_key: verified.replay_key(),
    })
}

/// Google Pub/Sub push: the signer makes each case a key set of one to three RSA keys (2048
/// and 3072 bits, random ids) and signs an RS256 ID token with one of them, its header and
/// claims written with members in random order, random whitespace, and a claim of random
/// text in UTF-8 or `\u` escapes; the push body is random too (message ids, data, non-ASCII
/// attributes). hookseal verifies each through a `KeyCache` serving the set, its audience
/// known as its public URL and the request's target or as set on the subscription, at a random
/// time in the token's life; and refuses it for another audience or service account, and with
/// `email_verified` false, another issuer, expired, issued over an hour ahead, signed with a
/// key outside the set, under `HS256`, or with a bit of its signature flipped. Two messages
/// under one token have two replay keys; the same request, one.
#[cfg(feature = "x509")]
#[test]
#[ignore = "needs Python's cryptography; `bash .ci/test` installs it and runs this"]
fn google_pubsub_signed_by_cryptography() {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use hookseal::KeyCache;

    let mut rng = Rng::new();
    let cases = push_cases(&mut rng);
    let lines: Vec<Vec<String>> = cases.iter().map(|c| c.line(&mut rng)).collect();
    let deliveries = sign("google-pubsub", &lines);
    let (mut escaped_claims, mut raw_claims) = (0, 0);

    for (i, (case, delivery)) in cases.iter().zip(&deliveries).enumerate() {
        let body = text(delivery, "body");
        let headers = headers(delivery);
        assert_eq!(headers.len(), 1);
        assert_eq!(headers[0].0, "Authorization");
        let authorization = headers[0].1.as_str();
        let what = format!(
            "google-pubsub case {i} (kid {} of {} keys, aud {}, {}): {authorization} {body}",
            case.kid,
            case.key_set.len(),
            case.aud,
            case.email
        );
        let claims = authorization.split('.').nth(1).unwrap();
        let claims = URL_SAFE_NO_PAD.decode(claims).unwrap();
        if !case.note.is_ascii() {
            escaped_claims += usize::from(claims.is_ascii());
            raw_claims += usize::from(!claims.is_ascii());
        }

        let served = Served::new(HashMap::from([(
            GOOGLE_KEYS.to_owned(),
            text(delivery, "jwks").as_bytes().to_vec(),
        )]));
        // Clones share the cache.
        let cache = KeyCache::new(served.clone());
        // A receiver that knows itself by `named` (its public URL, or the audience set on the
        // subscription) and expects `email`.
        let receiver = |named: &str, email: &str| {
            let verifier = Verifier::fetching(Scheme::google_pubsub(), cache.clone())
                .unwrap()
                .with_service_account(email)
                .unwrap();
            match case.by_url {
                true => verifier.with_public_url(named),
                false => verifier.with_audience(named),
            }
            .unwrap()
        };
        let named = if case.by_url {
            &case.public_url
        } else {
            &case.aud
        };
        let verifier = receiver(named, &case.email);
        let iat = case.now_ms / 1000;
        let exp = iat + 3600;
        let now = at(iat + rng.range(0, 3600) as u64);

        let pushed = push(&verifier, authorization, &case.target, body, now)
            .unwrap_or_else(|e| panic!("hookseal refused {what}: {e}"));
        assert_eq!(pushed.key_id, case.kid, "{what}");
        assert_eq!(
            pushed.id.as_deref(),
            Some(case.message_id.as_str()),
            "{what}"
        );
        assert_eq!(pushed.timestamp, Some(at(iat)), "{what}");
        // The token's whole life, `exp` included.
        for then in [iat, exp] {
            push(&verifier, authorization, &case.target, body, at(then))
                .unwrap_or_else(|e| panic!("hookseal refused {what} at {then}: {e}"));
        }

        // The same request, the same replay key; another message under the same token, another.
        let again = push(&verifier, authorization, &case.target, body, now).unwrap();
        assert_eq!(again.replay_key, pushed.replay_key, "{what}");
        let id = &case.message_id;
        let other_id = format!(
            "{}{}",
            &id[..id.len() - 1],
            if id.ends_with('0') { '1' } else { '0' }
        );
        let other_body = body.replace(&format!("\"{id}\""), &format!("\"{other_id}\""));
        assert_ne!(other_body, body, "{what}");
        let other = push(&verifier, authorization, &case.target, &other_body, now)
            .unwrap_or_else(|e| panic!("hookseal refused {what} with message {other_id}: {e}"));
        assert_eq!(other.id.as_deref(), Some(other_id.as_str()), "{what}");
        assert_ne!(other.replay_key, pushed.replay_key, "{what}");

        let claim = |claim| VerifyError::ClaimRefused { claim };
        let refused = |verifier: &Verifier, authorization: &str, target: &str, then, err, why| {
            let got = push(verifier, authorization, target, body, then).err();
            assert_eq!(got, Some(err), "{what}: {why}");
        };

        // Receivers that expect another audience or another service account.
        let mut others = vec![(
            receiver(named, &format!("other-{}", case.email)),
            claim("email"),
            "another service account",
        )];
        let other_target = match rng.range(0, 2) {
            0 => format!("{}&x=1", case.target),
            1 => case.target[..case.target.find('?').unwrap()].to_owned(),
            _ => format!("/other{}", case.target),
        };
        if case.by_url {
            let elsewhere = format!("{}/v2", case.public_url);
            others.push((
                receiver(&elsewhere, &case.email),
                claim("aud"),
                "another public URL",
            ));
            refused(
                &verifier,
                authorization,
                &other_target,
                now,
                claim("aud"),
                "posted to another target",
            );
        } else {
            let aud = &case.aud;
            let elsewhere = match rng.range(0, 2) {
                0 => format!("{aud}x"),
                1 => aud[..aud.len() - 1].to_owned(),
                _ => aud.replacen("https://", "http://", 1),
            };
            others.push((
                receiver(&elsewhere, &case.email),
                claim("aud"),
                "another audience",
            ));
            // The audience set on the subscription names the endpoint, whatever the target.
            push(&verifier, authorization, &other_target, body, now)
                .unwrap_or_else(|e| panic!("hookseal refused {what} at {other_target}: {e}"));
        }
        for (other, err, why) in others {
            refused(&other, authorization, &case.target, now, err, why);
        }

        // The token expired, and issued more than the window ahead.
        for (then, err, why) in [
            (exp + 1, VerifyError::TimestampTooOld, "expired"),
            (
                iat - 3601,
                VerifyError::TimestampInFuture,
                "issued over an hour ahead",
            ),
        ] {
            refused(&verifier, authorization, &case.target, at(then), err, why);
        }

        // The tokens the signer made to be refused, and the token with a bit of its signature
        // flipped.
        let (signed, signature) = authorization.rsplit_once('.').unwrap();
        let mut signature = URL_SAFE_NO_PAD.decode(signature).unwrap();
        let byte = rng.range(0, signature.len() - 1);
        signature[byte] ^= 1 << rng.range(0, 7);
        let flipped = format!("{signed}.{}", URL_SAFE_NO_PAD.encode(&signature));
        let token = |name: &str| format!("Bearer {}", text(&delivery["tokens"], name));
        let outsider = match case.outsider_named_as_signer {
            true => "signed by a key outside the set, under the signer's id",
            false => "signed by a key outside the set, under its own id",
        };
        for (authorization, err, why) in [
            (
                token("email_unverified"),
                claim("email_verified"),
                "email_verified false",
            ),
            (token("other_issuer"), claim("iss"), case.other_iss),
            (
                token("outsider"),
                VerifyError::NoMatchingSignature,
                outsider,
            ),
            (token("hs256"), VerifyError::UnknownAlgorithm, "HS256"),
            (
                flipped,
                VerifyError::NoMatchingSignature,
                "a signature bit flipped",
            ),
        ] {
            refused(&verifier, &authorization, &case.target, now, err, why);
        }

        // One fetch of the key set: a token naming a key the set lacks fetches it again at
        // most once a minute.
        assert_eq!(served.fetches(GOOGLE_KEYS), 1, "{what}");
    }
    assert!(
        escaped_claims > 0 && raw_claims > 0,
        "claims: {escaped_claims} escaped, {raw_claims} raw"
    );
}

//! A `verify` call performs no heap allocation: not on success, not on rejection, whatever the
//! scheme, header source, body size or keyring size. The exceptions are counted here exactly:
//! the form Twilio signs (a copy of the decoded body and the list of its parameters,
//! `form_allocations`), the headers Hook0 lists (`listed_allocations`), the members AWS SNS
//! signs (one buffer, `members_allocations`), a bearer token's decoded header and claims (Google
//! Pub/Sub: `TOKEN_ALLOCATIONS`) and each RSA verification (AWS SNS, PayPal, Google Pub/Sub:
//! `RSA_VERIFY_ALLOCATIONS`).
//!
//! With feature `metrics`, each verify call also builds the keys of the metrics it records, with
//! or without a recorder installed: `metrics_allocations`, added to every count below (zero
//! without the feature, so a build without it proves the claims above as they stand).
//!
//! `allocation-counter` installs a counting global allocator in this test binary (and only here)
//! and tallies allocations made by the current thread only, so the test harness's own threads
//! cannot disturb the count. A reallocation counts as one allocation.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::collections::HashMap;
use std::future::Future as _;

use hmac::{Hmac, KeyInit, Mac as _};
use sha2::Sha256;

use hookseal::{
    HeaderSource, Key, Keyring, RequestView, Scheme, Secret, SignError, Signer, Timestamp,
    Verifier, VerifyError, dangerous,
};

/// Heap allocations (and reallocations) the current thread makes while `f` runs.
fn allocations_during(f: impl FnOnce()) -> u64 {
    allocation_counter::measure(f).count_total
}

const NOW: u64 = 1_700_000_000;
const CALLS: usize = 1000;

/// The allocations feature `metrics` adds to one verify call (src/observe.rs), with no recorder
/// installed: the label lists of the verification counter and of its latency histogram, each
/// a `Vec` made with its final capacity, and the labels' owned values — the scheme's name in
/// each, and the matched key's id on a pass. None is held once the call returns. Zero without
/// the feature.
fn metrics_allocations(passed: bool) -> u64 {
    match (cfg!(feature = "metrics"), passed) {
        (false, _) => 0,
        // The counter's list, scheme and key id; the histogram's list and scheme.
        (true, true) => 5,
        // The counter's list and scheme (the code is static text); the histogram's list and
        // scheme.
        (true, false) => 4,
    }
}

/// `metrics_allocations` for `passes` accepted and `refusals` refused verify calls.
fn metrics_for(passes: u64, refusals: u64) -> u64 {
    passes * metrics_allocations(true) + refusals * metrics_allocations(false)
}

/// The bytes of the verifiers' two HMAC keys: `new`, the primary, and `old`.
const NEW: [u8; 32] = [2; 32];
const OLD: [u8; 32] = [1; 32];

fn keyring() -> Keyring {
    Keyring::new(Key::new("new", Secret::from_bytes(NEW).unwrap()).unwrap())
        .unwrap()
        .with_key(Key::new("old", Secret::from_bytes(OLD).unwrap()).unwrap())
        .unwrap()
}

#[test]
fn the_counter_sees_allocations() {
    // Guards the test itself: a counter that never moves would make every check below pass.
    let n = allocations_during(|| {
        let v = std::hint::black_box(vec![1_u8; 64]);
        drop(v);
    });
    assert_eq!(n, 1);
}

#[test]
fn verify_does_not_allocate() {
    let signer = Signer::new(Scheme::standard_webhooks(), keyring());
    let verifier = Verifier::new(Scheme::standard_webhooks(), keyring());
    let old_only = Signer::new(
        Scheme::standard_webhooks(),
        Keyring::new(Key::new("old", Secret::from_bytes([1; 32]).unwrap()).unwrap()).unwrap(),
    );
    let now = Timestamp::from_unix_secs(NOW);

    for size in [0, 64, 1024, 16 * 1024, 1 << 20] {
        let body: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
        let signed = signer.sign_at(Some("evt_1"), &body, now).unwrap();
        let old_signed = old_only.sign_at(Some("evt_1"), &body, now).unwrap();

        let mut map = http::HeaderMap::new();
        signed.insert_into(&mut map).unwrap();
        let pairs: Vec<(&str, &str)> = signed.iter().collect();
        let hash: HashMap<String, String> = signed
            .iter()
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect();
        let old_pairs: Vec<(&str, &str)> = old_signed.iter().collect();
        let mut tampered = body.clone();
        tampered.push(0);

        let calls = if size >= 1 << 20 { 10 } else { CALLS };
        let n = allocations_during(|| {
            for _ in 0..calls {
                let v = verifier.verify_at(&map, &body, now).unwrap();
                std::hint::black_box(v.replay_key());
                let v = verifier.verify_at(&pairs, &body, now).unwrap();
                std::hint::black_box(v.key_id());
                std::hint::black_box(verifier.verify_at(&hash, &body, now).unwrap());
                // Matched by the second key, with the replay key derived afterwards.
                let v = verifier.verify_at(&old_pairs, &body, now).unwrap();
                std::hint::black_box(v.replay_key());
                // Rejections allocate nothing either.
                let e = verifier.verify_at(&pairs, &tampered, now).unwrap_err();
                assert_eq!(e, VerifyError::NoMatchingSignature);
                let e = verifier
                    .verify_at(&pairs, &body, Timestamp::from_unix_secs(NOW + 301))
                    .unwrap_err();
                assert_eq!(e, VerifyError::TimestampTooOld);
            }
        });
        let expected = calls as u64 * metrics_for(4, 2);
        assert_eq!(
            n, expected,
            "{n} allocations over {calls} rounds at {size} B"
        );
    }
}

#[test]
fn verify_with_the_system_clock_does_not_allocate() {
    let signer = Signer::new(Scheme::standard_webhooks(), keyring());
    let verifier = Verifier::new(Scheme::standard_webhooks(), keyring());
    let body = b"{\"type\":\"ping\"}";
    let signed = signer.sign(Some("evt_1"), body).unwrap();
    let pairs: Vec<(&str, &str)> = signed.iter().collect();
    let n = allocations_during(|| {
        for _ in 0..CALLS {
            std::hint::black_box(verifier.verify(&pairs, body).unwrap());
        }
    });
    assert_eq!(n, CALLS as u64 * metrics_for(1, 0));
}

/// The public URL every request-line scheme's verifier is given, and what its senders sign.
const PUBLIC_URL: &str = "https://example.com";
const METHOD: &str = "POST";
const TARGET: &str = "/hooks/in?account=7";

/// The presets that sign with Ed25519 alone: no HMAC key signs or verifies them, so they get
/// their own test with Ed25519 keys (`ed25519_only_schemes_do_not_allocate`).
const ED25519_ONLY: [&str; 2] = ["discord", "telnyx"];

/// The presets whose senders sign with a private key (ECDSA P-256, RSA): the crate cannot sign
/// for them, so their providers' own deliveries are verified instead, in
/// `sendgrid_does_not_allocate`, `aws_sns_allocates_its_members_and_each_rsa_verification`,
/// `paypal_allocates_each_rsa_verification` and
/// `google_pubsub_allocates_its_token_and_each_rsa_verification`.
const PUBLIC_KEY: [&str; 4] = ["sendgrid", "aws-sns", "paypal", "google-pubsub"];

/// The preset that signs the body's form (Twilio): reading the form is the one part of verifying
/// that allocates, counted exactly by `form_allocations`.
const FORM: &str = "twilio";

/// The schemes that sign the headers their signature header lists (Hook0's `h=`).
const LISTED: [&str; 2] = ["hook0", "coinbase-cdp"];

/// The heap allocations one verify of a request listing `names` headers makes (src/scheme/
/// content.rs, `Scheme::listed`): the list of values, made with its final capacity, and for
/// each name the `HeaderName` it is looked up by — its lowercase text and, with the `http`
/// feature, the `http` crate's name. Dropped before the verify returns.
fn listed_allocations(names: u64) -> u64 {
    1 + names * (1 + u64::from(cfg!(feature = "http")))
}

/// A body of about 1 KiB that `scheme` accepts, signed (where the signature is in the body, as
/// Mailgun's is) with the HMAC key `key`. Its first `x` is a signed byte in every scheme: the
/// padding, Linear's data, Mailgun's token, Twilio's `Body` parameter.
fn body_for(scheme: &Scheme, key: [u8; 32]) -> Vec<u8> {
    let pad = "x".repeat(1000);
    match scheme.name() {
        // The timestamp in milliseconds, in the body.
        "linear" => format!(
            r#"{{"action":"create","data":{{"text":"{pad}"}},"webhookTimestamp":{NOW}000}}"#
        )
        .into_bytes(),
        "mailgun" => mailgun_body(key, &NOW.to_string(), &format!("x{}", "7".repeat(49)), &pad),
        // Twilio's documented parameters (and a long message): six of them.
        "twilio" => format!(
            "CallSid=CA1234567890ABCDE&Caller=%2B14158675309&Digits=1234\
             &From=%2B14158675309&To=%2B18005551212&Body={pad}"
        )
        .into_bytes(),
        _ => pad.into_bytes(),
    }
}

/// A Mailgun body: the hex HMAC-SHA256 of `timestamp‖token` under `key`, with the values it
/// signs, in the body's `signature` object (the crate does not write Mailgun's deliveries).
fn mailgun_body(key: [u8; 32], timestamp: &str, token: &str, pad: &str) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&key).unwrap();
    mac.update(timestamp.as_bytes());
    mac.update(token.as_bytes());
    let signature = hex::encode(mac.finalize().into_bytes());
    format!(
        r#"{{"signature":{{"timestamp":"{timestamp}","token":"{token}","signature":"{signature}"}},"event-data":{{"event":"delivered","text":"{pad}"}}}}"#
    )
    .into_bytes()
}

/// `body` with its first `x` changed: a signed byte (see `body_for`).
fn tampered(body: &[u8]) -> Vec<u8> {
    let mut out = body.to_vec();
    let at = out.iter().position(|&b| b == b'x').unwrap();
    out[at] = b'y';
    out
}

/// The headers a sender of `scheme` holding `keyring` sends with `body` at `NOW`: to
/// `PUBLIC_URL` + `TARGET` for the schemes that sign the request line; none for Mailgun, whose
/// signature is in the body.
fn send(scheme: &Scheme, keyring: Keyring, body: &[u8]) -> Vec<(String, String)> {
    let signer = Signer::new(scheme.clone(), keyring);
    let id = scheme.id_header().map(|_| "msg_1");
    let now = Timestamp::from_unix_secs(NOW);
    let signed = if scheme.signature_header().is_none() {
        assert_eq!(
            signer.sign_at(id, body, now).unwrap_err(),
            SignError::SignatureInBody
        );
        return Vec::new();
    } else if scheme.signs_request_line() {
        signer.sign_request_at(METHOD, &format!("{PUBLIC_URL}{TARGET}"), id, body, now)
    } else {
        signer.sign_at(id, body, now)
    };
    signed
        .unwrap()
        .iter()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect()
}

fn verifier_for(scheme: &Scheme, keyring: Keyring) -> Verifier {
    let verifier = Verifier::new(scheme.clone(), keyring);
    if scheme.signs_url() {
        verifier.with_public_url(PUBLIC_URL).unwrap()
    } else {
        verifier
    }
}

/// The time at which a request signed at `NOW` is one second too old for `scheme`'s window:
/// its tolerance, or the verifier's default 300 s. `None` when no timestamp is signed.
fn stale(scheme: &Scheme) -> Option<Timestamp> {
    let window = scheme.tolerance().map_or(300, |t| t.as_secs());
    scheme
        .signs_timestamp()
        .then(|| Timestamp::from_unix_secs(NOW + window + 1))
}

/// What one scheme's requests carry, and the answers they must get.
struct Round<'a> {
    verifier: &'a Verifier,
    /// Signed under both keys (under the first alone in formats that carry one signature).
    body: &'a [u8],
    /// Signed under the second key alone.
    old_body: &'a [u8],
    /// Bodies refused with the error given, sent with the first request's headers.
    refused: &'a [(Vec<u8>, VerifyError)],
    stale: Option<Timestamp>,
}

impl Round<'_> {
    /// Verifies each request once, `new` and `old` carrying the headers of `body` and
    /// `old_body`, and `moved` (where the scheme signs the request line) `new`'s headers with
    /// another request line; derives the replay key of each accepted one.
    fn run<H: HeaderSource + ?Sized, O: HeaderSource + ?Sized>(
        &self,
        new: &H,
        old: &O,
        moved: Option<&H>,
    ) {
        let now = Timestamp::from_unix_secs(NOW);
        let v = self.verifier.verify_at(new, self.body, now).unwrap();
        assert_eq!(v.key_id(), "new");
        std::hint::black_box(v.replay_key());
        let v = self.verifier.verify_at(old, self.old_body, now).unwrap();
        assert_eq!(v.key_id(), "old");
        std::hint::black_box(v.replay_key());
        for (body, expected) in self.refused {
            let e = self.verifier.verify_at(new, body, now).unwrap_err();
            assert_eq!(&e, expected);
        }
        if let Some(moved) = moved {
            let e = self.verifier.verify_at(moved, self.body, now).unwrap_err();
            assert_eq!(e, VerifyError::NoMatchingSignature);
        }
        if let Some(stale) = self.stale {
            let e = self.verifier.verify_at(new, self.body, stale).unwrap_err();
            assert_eq!(e, VerifyError::TimestampTooOld);
        }
    }

    /// The verify calls one `run` without a `moved` request makes.
    fn verifies(&self) -> u64 {
        2 + self.refused.len() as u64 + u64::from(self.stale.is_some())
    }

    /// The `metrics_allocations` of one `run`, with a `moved` request or without: two passes,
    /// and the rest refusals.
    fn metrics_allocations(&self, moved: bool) -> u64 {
        metrics_for(2, self.verifies() - 2 + u64::from(moved))
    }

    /// The allocations of the form reads one `run` with a `moved` request makes, for the scheme
    /// that signs a form: each verify reads the form once, after the freshness check (so not
    /// for the stale request). The replay key reads nothing again: for a scheme whose content
    /// holds values built from the request, its anchor is computed while verifying.
    fn form_allocations(&self) -> u64 {
        let accepted = form_allocations(self.body) + form_allocations(self.old_body);
        let refused: u64 = self.refused.iter().map(|(b, _)| form_allocations(b)).sum();
        let moved = form_allocations(self.body);
        accepted + refused + moved
    }
}

/// The heap allocations one read of `body` as a form makes (src/form.rs), for a body that is
/// a form:
///
/// - the decoded copy, made with the body's length as its capacity: decoding never lengthens
///   the text, so it never grows. One allocation, none for an empty body;
/// - the pairs, one `Vec` entry per parameter, grown by `Vec::push`: the first push allocates
///   room for 4 entries and each push past the capacity doubles it (one reallocation, counted as
///   an allocation). So 1 allocation for 1 to 4 parameters, 2 for 5 to 8, 3 for 9 to 16, …,
///   9 for 513 to 1024 (the most a form may have).
///
/// Sorting (`sort_unstable_by`) and removing repeats (`dedup_by`) work in place. Nothing
/// outlives the read.
fn form_allocations(body: &[u8]) -> u64 {
    let params = body.split(|&b| b == b'&').filter(|p| !p.is_empty()).count();
    let copy = u64::from(!body.is_empty());
    let mut pairs = 0;
    let mut capacity = 0;
    for n in 1..=params {
        if n > capacity {
            capacity = if capacity == 0 { 4 } else { capacity * 2 };
            pairs += 1;
        }
    }
    copy + pairs
}

/// Every preset that signs with HMAC (and the legacy SHA-1 one): success under the first and
/// under the second key, the replay key of each, rejections of a changed body (and, where the
/// scheme signs it, of a changed request line) and of a stale timestamp (one second past the
/// scheme's own window), through a `HeaderMap` and through pairs (each in a `RequestView` for
/// the schemes that sign the request line).
///
/// None allocates but Twilio, whose form read allocates exactly what `form_allocations` counts,
/// and Hook0 and Coinbase CDP, whose listed headers allocate what `listed_allocations` counts.
/// Linear and Mailgun read members of the JSON body, without allocating; Square and HubSpot sign
/// the request line, without allocating. The Ed25519-only presets are checked in
/// `ed25519_only_schemes_do_not_allocate`, those signed with ECDSA or RSA after it (`PUBLIC_KEY`).
#[test]
fn verify_does_not_allocate_in_any_scheme() {
    let mut schemes = Scheme::presets();
    schemes.push(dangerous::github_sha1());
    let now = Timestamp::from_unix_secs(NOW);
    let old_ring =
        || Keyring::new(Key::new("old", Secret::from_bytes(OLD).unwrap()).unwrap()).unwrap();
    let mut covered = Vec::new();
    for scheme in &schemes {
        let name = scheme.name().to_owned();
        if ED25519_ONLY.contains(&name.as_str()) || PUBLIC_KEY.contains(&name.as_str()) {
            // No HMAC key signs them (and the crate writes no AWS SNS message): they are
            // checked with their own keys below.
            let signer = Signer::new(scheme.clone(), keyring());
            let refused = match scheme.signature_header() {
                Some(_) => SignError::NoActiveKey,
                None => SignError::SignatureInBody,
            };
            let id = scheme.id_header().map(|_| "msg_1");
            assert_eq!(
                signer.sign_at(id, b"x", now).unwrap_err(),
                refused,
                "{name}"
            );
            continue;
        }
        let verifier = verifier_for(scheme, keyring());
        let body = body_for(scheme, NEW);
        let old_body = body_for(scheme, OLD);
        let new = send(scheme, keyring(), &body);
        let old = send(scheme, old_ring(), &old_body);
        let mut map = http::HeaderMap::new();
        for (n, v) in &new {
            map.append(
                http::HeaderName::from_bytes(n.as_bytes()).unwrap(),
                http::HeaderValue::from_str(v).unwrap(),
            );
        }
        let pairs: Vec<(&str, &str)> = new.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let old_pairs: Vec<(&str, &str)> =
            old.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let mut refused = vec![(tampered(&body), VerifyError::NoMatchingSignature)];
        // The JSON reader refuses without allocating too: not JSON, and a member on the path
        // named twice.
        let twice: Option<&[u8]> = match name.as_str() {
            "linear" => Some(br#"{"webhookTimestamp":1,"webhookTimestamp":1}"#),
            "mailgun" => Some(br#"{"signature":{},"signature":{}}"#),
            _ => None,
        };
        if let Some(twice) = twice {
            refused.push((b"other".to_vec(), VerifyError::MalformedBody));
            refused.push((twice.to_vec(), VerifyError::MalformedBody));
        } else if name != FORM {
            refused.push((b"other".to_vec(), VerifyError::NoMatchingSignature));
        }
        let round = Round {
            verifier: &verifier,
            body: &body,
            old_body: &old_body,
            refused: &refused,
            stale: stale(scheme),
        };

        let n = if scheme.signs_request_line() {
            let old = RequestView::new(METHOD, TARGET, &old_pairs);
            let via_map = RequestView::new(METHOD, TARGET, &map);
            let moved_map = RequestView::new(METHOD, "/hooks/in?account=8", &map);
            let via_pairs = RequestView::new(METHOD, TARGET, &pairs);
            let moved_pairs = RequestView::new(METHOD, "/hooks/in", &pairs);
            allocations_during(|| {
                for _ in 0..CALLS {
                    round.run(&via_map, &old, Some(&moved_map));
                    round.run(&via_pairs, &old, Some(&moved_pairs));
                }
            })
        } else {
            allocations_during(|| {
                for _ in 0..CALLS {
                    round.run(&map, &old_pairs, None);
                    round.run(&pairs, &old_pairs, None);
                }
            })
        };
        let metrics = 2 * round.metrics_allocations(scheme.signs_request_line()) * CALLS as u64;
        let expected = metrics
            + if LISTED.contains(&name.as_str()) {
                // The signer lists the one header it writes, the id.
                2 * round.verifies() * listed_allocations(1) * CALLS as u64
            } else if name == FORM {
                // HMAC-SHA1 over the URL and the six parameters: each form read makes 3 allocations
                // (the copy; the pairs' 4 entries, grown to 8 for the fifth).
                assert_eq!(form_allocations(&body), 3);
                2 * round.form_allocations() * CALLS as u64
            } else {
                0
            };
        assert_eq!(n, expected, "{name}: {n} allocations over {CALLS} rounds");
        covered.push(name);
    }
    covered.extend(ED25519_ONLY.map(str::to_owned));
    covered.extend(PUBLIC_KEY.map(str::to_owned));
    let mut all: Vec<String> = schemes.iter().map(|s| s.name().to_owned()).collect();
    all.sort();
    covered.sort();
    assert_eq!(covered, all);
}

/// The form read's allocations, one verify at a time, for forms of 0 to 1024 parameters: exactly
/// what `form_allocations` counts (at most 2 allocations, the copy and the pairs, plus the pairs'
/// growth: 10 at the 1024-parameter limit), all freed when the call returns, and at most 3 held
/// at once (the copy, the pairs, and the pairs' new buffer while they grow). The replay key,
/// anchored while verifying, reads no form again and allocates nothing. A JSON body bound by the
/// URL's `bodySHA256` signs no form and allocates nothing; refused forms stop allocating where
/// they are refused.
#[test]
fn twilio_form_reads_allocate_the_copy_and_the_pairs() {
    let scheme = Scheme::twilio();
    let verifier = verifier_for(&scheme, keyring());
    let now = Timestamp::from_unix_secs(NOW);
    let form = |n: usize| -> Vec<u8> {
        (0..n)
            .map(|i| format!("p{i}=v%20{i}"))
            .collect::<Vec<_>>()
            .join("&")
            .into_bytes()
    };
    let expected_by_params = [(0, 0), (1, 2), (4, 2), (5, 3), (8, 3), (9, 4), (1024, 10)];
    for (params, expected) in expected_by_params {
        let body = form(params);
        assert_eq!(form_allocations(&body), expected, "{params} parameters");
        let headers = send(&scheme, keyring(), &body);
        let request = RequestView::new(METHOD, TARGET, &headers);
        let mut verified = None;
        let info = allocation_counter::measure(|| {
            verified = Some(verifier.verify_at(&request, &body, now).unwrap());
        });
        assert_eq!(
            info.count_total,
            expected + metrics_for(1, 0),
            "verify, {params} parameters"
        );
        assert_eq!(info.count_current, 0, "the form outlives the verify");
        assert!(info.count_max <= 3, "{} held at once", info.count_max);
        let verified = verified.unwrap();
        let info = allocation_counter::measure(|| {
            std::hint::black_box(verified.replay_key());
        });
        assert_eq!(info.count_total, 0, "replay key, {params} parameters");
    }

    // Refusals: a bad escape in the second parameter (the copy, and the pairs' first entry);
    // one parameter over the limit (the copy, and the pairs grown to 1024).
    let headers = send(&scheme, keyring(), &form(2));
    let request = RequestView::new(METHOD, TARGET, &headers);
    let over = [form(1024), b"&z=1".to_vec()].concat();
    for (body, expected) in [(b"a=1&b=%zz".to_vec(), 2), (over, 10)] {
        let n = allocations_during(|| {
            let e = verifier.verify_at(&request, &body, now).unwrap_err();
            assert_eq!(e, VerifyError::MalformedBody);
        });
        assert_eq!(n, expected + metrics_for(0, 1));
    }

    // A JSON body, bound by the hex SHA-256 in the URL's `bodySHA256`: no form, no allocation.
    let json = br#"{"sid":"SM1","status":"delivered"}"#;
    let digest = hex::encode(<Sha256 as sha2::Digest>::digest(json));
    let target = format!("/hooks/in?bodySHA256={digest}");
    let signed = Signer::new(scheme.clone(), keyring())
        .sign_request_at(METHOD, &format!("{PUBLIC_URL}{target}"), None, json, now)
        .unwrap();
    let pairs: Vec<(&str, &str)> = signed.iter().collect();
    let request = RequestView::new(METHOD, &target, &pairs);
    let n = allocations_during(|| {
        for _ in 0..CALLS {
            let v = verifier.verify_at(&request, json, now).unwrap();
            std::hint::black_box(v.replay_key());
            let e = verifier.verify_at(&request, b"{}", now).unwrap_err();
            assert_eq!(e, VerifyError::NoMatchingSignature);
        }
    });
    let expected = CALLS as u64 * metrics_for(1, 1);
    assert_eq!(n, expected, "{n} allocations over {CALLS} rounds");
}

/// Discord and Telnyx, which sign with Ed25519 alone: a verify under the first and under the
/// second public key, the replay key (a SHA-256 digest of the signed content, the primary key
/// being a public key), a changed body and a stale timestamp.
#[cfg(feature = "ed25519")]
#[test]
fn ed25519_only_schemes_do_not_allocate() {
    use hookseal::Ed25519SigningKey;

    for name in ED25519_ONLY {
        let scheme = Scheme::presets()
            .into_iter()
            .find(|s| s.name() == name)
            .unwrap();
        let (new_sk, _) = Ed25519SigningKey::generate().unwrap();
        let (old_sk, _) = Ed25519SigningKey::generate().unwrap();
        let verifier = Verifier::new(
            scheme.clone(),
            Keyring::new(Key::ed25519_public("new", new_sk.public_key()).unwrap())
                .unwrap()
                .with_key(Key::ed25519_public("old", old_sk.public_key()).unwrap())
                .unwrap(),
        );
        let body = vec![b'x'; 1024];
        let sign = |sk: Ed25519SigningKey| {
            let ring = Keyring::new(Key::ed25519_signing("signer", sk).unwrap()).unwrap();
            send(&scheme, ring, &body)
        };
        let (new, old) = (sign(new_sk), sign(old_sk));
        let mut map = http::HeaderMap::new();
        for (n, v) in &new {
            map.append(
                http::HeaderName::from_bytes(n.as_bytes()).unwrap(),
                http::HeaderValue::from_str(v).unwrap(),
            );
        }
        let refused = [(tampered(&body), VerifyError::NoMatchingSignature)];
        let round = Round {
            verifier: &verifier,
            body: &body,
            old_body: &body,
            refused: &refused,
            stale: stale(&scheme),
        };
        assert!(round.stale.is_some());
        let n = allocations_during(|| {
            for _ in 0..100 {
                round.run(&map, &old, None);
            }
        });
        let expected = 100 * round.metrics_allocations(false);
        assert_eq!(n, expected, "{name}: {n} allocations over 100 rounds");
    }
}

/// SendGrid, ECDSA P-256 with the verification key pinned: nothing is allocated, not for its
/// three known answers (each under its own key, this one found second in a keyring of two), their
/// replay keys, a changed body, a stale timestamp or a malformed signature.
#[cfg(feature = "p256")]
#[test]
fn sendgrid_does_not_allocate() {
    use hookseal::P256PublicKey;

    let vectors: Vec<serde_json::Value> =
        serde_json::from_str(include_str!("vectors/sendgrid/vectors.json")).unwrap();
    let payloads: [&[u8]; 3] = [
        include_bytes!("vectors/sendgrid/dropped_event.json"),
        include_bytes!("vectors/sendgrid/multiple_events.json"),
        include_bytes!("vectors/sendgrid/test_event.json"),
    ];
    let field = |i: usize, name: &str| vectors[i][name].as_str().unwrap().to_owned();
    let key = |i: usize| {
        let public = P256PublicKey::from_encoded(&field(i, "public_key")).unwrap();
        Key::p256_public(&format!("k{i}"), public).unwrap()
    };
    for i in 0..3 {
        assert!(field(i, "payload").starts_with(["dropped", "multiple", "test"][i]));
        // Another sender's key first: its verification fails, then this one's matches.
        let verifier = Verifier::new(
            Scheme::sendgrid(),
            Keyring::new(key((i + 1) % 3))
                .unwrap()
                .with_key(key(i))
                .unwrap(),
        );
        let timestamp = field(i, "timestamp");
        let signature = field(i, "signature");
        let pairs = [
            ("X-Twilio-Email-Event-Webhook-Signature", signature.as_str()),
            ("X-Twilio-Email-Event-Webhook-Timestamp", timestamp.as_str()),
        ];
        let mut map = http::HeaderMap::new();
        for (n, v) in pairs {
            map.append(n, http::HeaderValue::from_str(v).unwrap());
        }
        let malformed = [pairs[0].0, &signature[..signature.len() - 4]];
        let malformed = [(malformed[0], malformed[1]), pairs[1]];
        let body = payloads[i];
        let now = Timestamp::from_unix_secs(timestamp.parse().unwrap());
        let stale = Timestamp::from_unix_secs(now.as_unix_secs() + 301);
        let (id, tampered) = (format!("k{i}"), tampered(body));
        let n = allocations_during(|| {
            for _ in 0..100 {
                let v = verifier.verify_at(&map, body, now).unwrap();
                assert_eq!(v.key_id().as_str(), id);
                std::hint::black_box(v.replay_key());
                let v = verifier.verify_at(&pairs, body, now).unwrap();
                std::hint::black_box(v.replay_key());
                let e = verifier.verify_at(&pairs, &tampered, now);
                assert_eq!(e.unwrap_err(), VerifyError::NoMatchingSignature);
                let e = verifier.verify_at(&pairs, body, stale);
                assert_eq!(e.unwrap_err(), VerifyError::TimestampTooOld);
                let e = verifier.verify_at(&malformed, body, now);
                assert_eq!(e.unwrap_err(), VerifyError::MalformedSignature);
            }
        });
        assert_eq!(
            n,
            100 * metrics_for(2, 3),
            "known answer {}: {n} allocations over 100 rounds",
            i + 1
        );
    }
}

/// A verify call, by what it is, its answer and the allocations it makes.
#[cfg(feature = "rsa")]
type Counted<'a> = (
    &'a str,
    &'a dyn Fn() -> Result<(), VerifyError>,
    Result<(), VerifyError>,
    u64,
);

/// The allocations of one RSA PKCS#1 v1.5 verification under a 2048-bit key (AWS SNS, PayPal,
/// Google Pub/Sub), made for each (key, signature) pair tried: 31, all in the `rsa` crate's
/// big-integer arithmetic (the digest stays on the stack). All are freed when the verification
/// returns.
#[cfg(feature = "rsa")]
const RSA_VERIFY_ALLOCATIONS: u64 = 31;

/// The allocations of the buffer AWS SNS's signed members are written into (`Scheme::derive`,
/// src/scheme/content.rs), given each of the eight members in signing order and its decoded
/// value when present: `name\n` is appended, then the value and `\n` when there is one (the name
/// is cut off again when there is none). The buffer starts empty and grows as `Vec` does, to
/// 8 bytes at first and then to twice its capacity or to what the append needs, whichever is
/// more; each growth is one allocation. The buffer is dropped before the verify returns.
#[cfg(feature = "x509")]
fn members_allocations(members: &[(&str, Option<String>)]) -> u64 {
    let (mut len, mut capacity, mut allocations) = (0_usize, 0_usize, 0);
    let mut append = |len: &mut usize, n: usize| {
        if *len + n > capacity {
            capacity = (2 * capacity).max(*len + n).max(8);
            allocations += 1;
        }
        *len += n;
    };
    for (name, value) in members {
        let start = len;
        append(&mut len, name.len() + 1);
        match value {
            Some(value) => {
                append(&mut len, value.len());
                append(&mut len, 1);
            }
            None => len = start,
        }
    }
    allocations
}

/// AWS SNS's four notifications, with the certificate pinned: verifying writes the signed
/// members into one buffer (`members_allocations`, 6 allocations for each of these) and then
/// verifies RSA (`RSA_VERIFY_ALLOCATIONS`) under each key of the right kind valid then. So: a
/// delivery accepted, or refused for its signature, costs both, and its replay key nothing more;
/// two RSA keys tried cost two verifications; a certificate outside its dates costs the members
/// alone; a stale timestamp or a malformed signature, refused before the members are read,
/// costs nothing. Nothing outlives the call.
#[cfg(feature = "x509")]
#[test]
fn aws_sns_allocates_its_members_and_each_rsa_verification() {
    use hookseal::{Certificate, CertificateKey, TimestampFormat};

    let cert = Certificate::from_pem(include_bytes!("vectors/aws_sns/cert.pem")).unwrap();
    let paypal = Certificate::from_pem(include_bytes!("vectors/paypal/cert.pem")).unwrap();
    let CertificateKey::Rsa(paypal_key) = paypal.public_key().clone() else {
        panic!("PayPal's certificate holds an RSA key");
    };
    let pinned = Verifier::new(
        Scheme::aws_sns(),
        Keyring::new(Key::certificate("sns", &cert).unwrap()).unwrap(),
    );
    // PayPal's key (valid at all times) first: its verification fails, then the certificate's.
    let two = Verifier::new(
        Scheme::aws_sns(),
        Keyring::new(Key::rsa_public("paypal", paypal_key).unwrap())
            .unwrap()
            .with_key(Key::certificate("sns", &cert).unwrap())
            .unwrap(),
    );
    let after = cert.not_after().as_unix_secs() + 1;
    let headers: [(&str, &str); 0] = [];
    for body in [
        include_str!("vectors/aws_sns/notification_sv1.json"),
        include_str!("vectors/aws_sns/notification_sv2.json"),
        include_str!("vectors/aws_sns/notification_sv1_subject.json"),
        include_str!("vectors/aws_sns/notification_sv2_subject.json"),
    ] {
        let json: serde_json::Value = serde_json::from_str(body).unwrap();
        let members: Vec<(&str, Option<String>)> = [
            "Message",
            "MessageId",
            "Subject",
            "SubscribeURL",
            "Timestamp",
            "Token",
            "TopicArn",
            "Type",
        ]
        .into_iter()
        .map(|name| (name, json[name].as_str().map(str::to_owned)))
        .collect();
        assert!(
            !body.contains('\\'),
            "the model counts values without escapes"
        );
        let members = members_allocations(&members);
        assert_eq!(members, 6);
        let sent = json["Timestamp"].as_str().unwrap();
        let now = TimestampFormat::Rfc3339.parse(sent.as_bytes()).unwrap();
        let late = Timestamp::from_unix_secs(after);
        let stale = Timestamp::from_unix_secs(now.as_unix_secs() + 3601);
        let tampered = body.replacen("Hello world", "Hello World", 1);
        let signature = json["Signature"].as_str().unwrap();
        let malformed = body.replacen(signature, &signature[..signature.len() - 4], 1);
        let too_late = pinned
            .clone()
            .with_max_age(std::time::Duration::from_secs(after - now.as_unix_secs()));
        let body = body.as_bytes();

        let cases: [Counted<'_>; 6] = [
            (
                "accepted, with its replay key",
                &|| {
                    pinned.verify_at(&headers, body, now).map(|v| {
                        std::hint::black_box(v.replay_key());
                    })
                },
                Ok(()),
                members + RSA_VERIFY_ALLOCATIONS,
            ),
            (
                "Message changed",
                &|| {
                    pinned
                        .verify_at(&headers, tampered.as_bytes(), now)
                        .map(drop)
                },
                Err(VerifyError::NoMatchingSignature),
                members + RSA_VERIFY_ALLOCATIONS,
            ),
            (
                "accepted under the second of two RSA keys",
                &|| two.verify_at(&headers, body, now).map(drop),
                Ok(()),
                members + 2 * RSA_VERIFY_ALLOCATIONS,
            ),
            (
                "the certificate expired",
                &|| too_late.verify_at(&headers, body, late).map(drop),
                Err(VerifyError::NoActiveKey),
                members,
            ),
            (
                "stale",
                &|| pinned.verify_at(&headers, body, stale).map(drop),
                Err(VerifyError::TimestampTooOld),
                0,
            ),
            (
                "a malformed signature",
                &|| {
                    pinned
                        .verify_at(&headers, malformed.as_bytes(), now)
                        .map(drop)
                },
                Err(VerifyError::MalformedSignature),
                0,
            ),
        ];
        for (what, verify, expected, allocations) in cases {
            let info = allocation_counter::measure(|| {
                for _ in 0..10 {
                    assert_eq!(verify(), expected, "{what}");
                }
            });
            let allocations = allocations + metrics_allocations(expected.is_ok());
            assert_eq!(info.count_total, 10 * allocations, "{what}");
            assert_eq!(info.count_current, 0, "{what}: held after the call");
        }
    }
}

/// PayPal's event, with the certificate pinned: its content (the id, the time, the webhook id
/// and the body's CRC-32 in decimal) is built without allocating, so a verification costs the
/// RSA verification alone (`RSA_VERIFY_ALLOCATIONS`), accepted or refused for its signature; a
/// refusal before the signature costs nothing.
#[cfg(feature = "x509")]
#[test]
fn paypal_allocates_each_rsa_verification() {
    use hookseal::{Certificate, TimestampFormat};

    let vector: serde_json::Value =
        serde_json::from_str(include_str!("vectors/paypal/vector.json")).unwrap();
    let field = |name: &str| vector[name].as_str().unwrap().to_owned();
    let body: &[u8] = include_bytes!("vectors/paypal/body.json");
    let cert = Certificate::from_pem(include_bytes!("vectors/paypal/cert.pem")).unwrap();
    let ring = Keyring::new(Key::certificate("paypal", &cert).unwrap()).unwrap();
    let verifier = Verifier::new(Scheme::paypal(), ring.clone())
        .with_endpoint_id(&field("webhook_id"))
        .unwrap();
    let no_webhook_id = Verifier::new(Scheme::paypal(), ring);
    let headers = [
        ("PAYPAL-TRANSMISSION-ID", field("transmission_id")),
        ("PAYPAL-TRANSMISSION-TIME", field("transmission_time")),
        ("PAYPAL-AUTH-ALGO", field("auth_algo")),
        ("PAYPAL-TRANSMISSION-SIG", field("transmission_sig")),
        ("PAYPAL-CERT-URL", field("cert_url")),
    ];
    let mut sha1 = headers.clone();
    sha1[2].1 = "SHA1withRSA".to_owned();
    let mut map = http::HeaderMap::new();
    for (n, v) in &headers {
        map.append(*n, http::HeaderValue::from_str(v).unwrap());
    }
    let now = TimestampFormat::Rfc3339
        .parse(field("transmission_time").as_bytes())
        .unwrap();
    let stale = Timestamp::from_unix_secs(now.as_unix_secs() + 301);
    let tampered = tampered(body);

    let cases: [Counted<'_>; 6] = [
        (
            "accepted, with its replay key",
            &|| {
                verifier.verify_at(&headers, body, now).map(|v| {
                    std::hint::black_box(v.replay_key());
                })
            },
            Ok(()),
            RSA_VERIFY_ALLOCATIONS,
        ),
        (
            "accepted through a HeaderMap",
            &|| verifier.verify_at(&map, body, now).map(drop),
            Ok(()),
            RSA_VERIFY_ALLOCATIONS,
        ),
        (
            "the body changed",
            &|| verifier.verify_at(&headers, &tampered, now).map(drop),
            Err(VerifyError::NoMatchingSignature),
            RSA_VERIFY_ALLOCATIONS,
        ),
        (
            "stale",
            &|| verifier.verify_at(&headers, body, stale).map(drop),
            Err(VerifyError::TimestampTooOld),
            0,
        ),
        (
            "SHA1withRSA",
            &|| verifier.verify_at(&sha1, body, now).map(drop),
            Err(VerifyError::UnknownAlgorithm),
            0,
        ),
        (
            "no webhook id",
            &|| no_webhook_id.verify_at(&headers, body, now).map(drop),
            Err(VerifyError::MissingEndpointId),
            0,
        ),
    ];
    for (what, verify, expected, allocations) in cases {
        let info = allocation_counter::measure(|| {
            for _ in 0..10 {
                assert_eq!(verify(), expected, "{what}");
            }
        });
        let allocations = allocations + metrics_allocations(expected.is_ok());
        assert_eq!(info.count_total, 10 * allocations, "{what}");
        assert_eq!(info.count_current, 0, "{what}: held after the call");
    }
}

/// The allocations of reading a Google Pub/Sub bearer token (`Token::read`, src/token.rs): its
/// header and its claims, each decoded from base64url into a `Vec` made with its final
/// capacity, before anything else of the request is read. Both are freed when the verify
/// returns.
#[cfg(feature = "rsa")]
const TOKEN_ALLOCATIONS: u64 = 2;

/// Google Pub/Sub, with the vectors' two keys pinned under their `kid`s: the token's header and
/// claims are decoded (`TOKEN_ALLOCATIONS`) once the Authorization value is split into three
/// base64url segments, so a value refused before that costs nothing, and one refused later
/// (for its algorithm, its times, its signature's shape, a `kid` no key has) costs the token
/// alone. The key its `kid` names is verified with (`RSA_VERIFY_ALLOCATIONS`), whatever the
/// answer: accepted, refused for its signature, or for a claim or the service account checked
/// after it. The replay key, a digest of `message.messageId`, costs nothing more.
#[cfg(feature = "rsa")]
#[test]
fn google_pubsub_allocates_its_token_and_each_rsa_verification() {
    use hookseal::RsaPublicKey;

    let vectors: serde_json::Value =
        serde_json::from_str(include_str!("vectors/google_pubsub/tokens.json")).unwrap();
    let token = |name: &str| format!("Bearer {}", vectors["tokens"][name].as_str().unwrap());
    let key = |kid: &str, pem: &str| Key::rsa_public(kid, RsaPublicKey::from_pem(pem).unwrap());
    let ring = Keyring::new(key("k1", include_str!("vectors/google_pubsub/k1.pem")).unwrap())
        .unwrap()
        .with_key(key("k2", include_str!("vectors/google_pubsub/k2.pem")).unwrap())
        .unwrap();
    let email = vectors["email"].as_str().unwrap();
    let no_account = Verifier::new(Scheme::google_pubsub(), ring)
        .with_public_url("https://hooks.example.com")
        .unwrap();
    let verifier = no_account.clone().with_service_account(email).unwrap();
    let body: &[u8] = include_bytes!("vectors/google_pubsub/body.json");
    let now = Timestamp::from_unix_secs(vectors["iat"].as_u64().unwrap());
    let expired = Timestamp::from_unix_secs(now.as_unix_secs() + 3601);
    let target = "/pubsub/push?token=abc";

    let headers = |value: &str| [("Authorization".to_owned(), value.to_owned())];
    let valid = headers(&token("valid"));
    let valid_k2 = headers(&token("valid_k2"));
    let other_issuer = headers(&token("other_issuer"));
    let another_key = headers(&token("signed_by_another_key"));
    let unknown_kid = headers(&token("unknown_kid"));
    let alg_none = headers(&token("alg_none"));
    let bare = headers(token("valid").trim_start_matches("Bearer "));
    let short_signature = headers(&token("valid")[..token("valid").len() - 4]);
    let long = headers(&format!("{}{}", token("valid"), "A".repeat(4096)));
    let mut claims_not_object = token("valid");
    let at = claims_not_object.find('.').unwrap() + 1;
    claims_not_object.replace_range(at..at + 3, "WzE");
    let claims_not_object = headers(&claims_not_object);
    let mut map = http::HeaderMap::new();
    map.append(
        "authorization",
        http::HeaderValue::from_str(&token("valid")).unwrap(),
    );
    let request = |h| RequestView::new("POST", target, h);
    let (valid, valid_k2, other_issuer) =
        (request(&valid), request(&valid_k2), request(&other_issuer));
    let (another_key, unknown_kid, alg_none) = (
        request(&another_key),
        request(&unknown_kid),
        request(&alg_none),
    );
    let (bare, short_signature, long) = (request(&bare), request(&short_signature), request(&long));
    let claims_not_object = request(&claims_not_object);
    let via_map = RequestView::new("POST", target, &map);
    let elsewhere = RequestView::new("POST", "/pubsub/push", &map);
    let verify = |v: &Verifier, r: &RequestView<'_, [(String, String); 1]>, at| {
        v.verify_at(r, body, at).map(drop)
    };
    let token_and_rsa = TOKEN_ALLOCATIONS + RSA_VERIFY_ALLOCATIONS;

    let cases: [Counted<'_>; 14] = [
        (
            "accepted, with its replay key",
            &|| {
                verifier.verify_at(&valid, body, now).map(|v| {
                    std::hint::black_box(v.replay_key());
                })
            },
            Ok(()),
            token_and_rsa,
        ),
        (
            "accepted through a HeaderMap",
            &|| verifier.verify_at(&via_map, body, now).map(drop),
            Ok(()),
            token_and_rsa,
        ),
        (
            "accepted under k2, k1 passed over for its kid",
            &|| verify(&verifier, &valid_k2, now),
            Ok(()),
            token_and_rsa,
        ),
        (
            "signed by a key outside the set",
            &|| verify(&verifier, &another_key, now),
            Err(VerifyError::NoMatchingSignature),
            token_and_rsa,
        ),
        (
            "another issuer, checked after the signature",
            &|| verify(&verifier, &other_issuer, now),
            Err(VerifyError::ClaimRefused { claim: "iss" }),
            token_and_rsa,
        ),
        (
            "another audience (the request's target), checked after the signature",
            &|| verifier.verify_at(&elsewhere, body, now).map(drop),
            Err(VerifyError::ClaimRefused { claim: "aud" }),
            token_and_rsa,
        ),
        (
            "no service account, asked for after the signature",
            &|| verify(&no_account, &valid, now),
            Err(VerifyError::MissingServiceAccount),
            token_and_rsa,
        ),
        (
            "a kid no key has",
            &|| verify(&verifier, &unknown_kid, now),
            Err(VerifyError::NoMatchingSignature),
            TOKEN_ALLOCATIONS,
        ),
        (
            "expired",
            &|| verify(&verifier, &valid, expired),
            Err(VerifyError::TimestampTooOld),
            TOKEN_ALLOCATIONS,
        ),
        (
            "alg none",
            &|| verify(&verifier, &alg_none, now),
            Err(VerifyError::UnknownAlgorithm),
            TOKEN_ALLOCATIONS,
        ),
        (
            "the signature cut short",
            &|| verify(&verifier, &short_signature, now),
            Err(VerifyError::MalformedSignature),
            TOKEN_ALLOCATIONS,
        ),
        (
            "claims that are not an object (the header decoded first)",
            &|| verify(&verifier, &claims_not_object, now),
            Err(VerifyError::MalformedHeader(
                hookseal::HeaderKind::Signature,
            )),
            TOKEN_ALLOCATIONS,
        ),
        (
            "no Bearer",
            &|| verify(&verifier, &bare, now),
            Err(VerifyError::MalformedHeader(
                hookseal::HeaderKind::Signature,
            )),
            0,
        ),
        (
            "longer than 4096 bytes",
            &|| verify(&verifier, &long, now),
            Err(VerifyError::HeaderTooLong(hookseal::HeaderKind::Signature)),
            0,
        ),
    ];
    for (what, verify, expected, allocations) in cases {
        let info = allocation_counter::measure(|| {
            for _ in 0..10 {
                assert_eq!(verify(), expected, "{what}");
            }
        });
        let allocations = allocations + metrics_allocations(expected.is_ok());
        assert_eq!(info.count_total, 10 * allocations, "{what}");
        assert_eq!(info.count_current, 0, "{what}: held after the call");
    }
}

/// The memory replay cache holds a million committed keys in at most 36 bytes each (DESIGN §6 and
/// the performance issue's aim), counted by the allocator: every byte the cache allocated and
/// still holds, divided by the keys.
#[test]
fn memory_replay_cache_bytes_per_key_at_one_million() {
    use hookseal::ReplayKey;
    use hookseal::replay::{MemoryReplayCache, ReplayCache, Reserve};
    use std::time::Duration;

    const KEYS: usize = 1_000_000;
    let ttl = Duration::from_secs(601);
    let keys: Vec<ReplayKey> = (0..KEYS as u64)
        .map(|i| ReplayKey::derive(b"bytes-per-key", &i.to_le_bytes()))
        .collect();
    let mut cache = None;
    let info = allocation_counter::measure(|| {
        let c = MemoryReplayCache::new(KEYS, ttl).unwrap();
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        for key in &keys {
            let fut = std::pin::pin!(c.reserve(key, ttl));
            let std::task::Poll::Ready(Ok(Reserve::Reserved(reservation))) = fut.poll(&mut cx)
            else {
                panic!("the memory cache reserves a fresh key at once");
            };
            let fut = std::pin::pin!(c.commit(&reservation, ttl));
            let std::task::Poll::Ready(committed) = fut.poll(&mut cx) else {
                panic!("the memory cache answers at once");
            };
            committed.unwrap();
        }
        cache = Some(c);
    });
    assert_eq!(cache.as_ref().unwrap().len(), KEYS);
    let per_key = info.bytes_current as f64 / KEYS as f64;
    eprintln!("memory replay cache: {per_key:.1} bytes per key at {KEYS} keys");
    assert!(per_key <= 36.0, "{per_key:.1} bytes per key");
}

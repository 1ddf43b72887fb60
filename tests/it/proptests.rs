//! Properties over arbitrary bodies (non-UTF-8 included), keys and timestamps inside the window:
//! signing then verifying round-trips, and flipping any bit of the body, timestamp or tag is
//! refused with the right error.

use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use hookseal::{
    Key, Keyring, RequestView, Scheme, Secret, Signer, Timestamp, Verifier, VerifyError,
};

use crate::common::{NOW, all_schemes, signs_with_a_secret};

const MAX_AGE: u64 = 300;
const SKEW: u64 = 300;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("regressions"))),
        ..ProptestConfig::default()
    }
}

/// The id every delivery here carries: the default scheme signs it, so it is required.
const ID: &str = "msg_1";

fn pair(key: &[u8]) -> (Signer, Verifier) {
    let ring =
        || Keyring::new(Key::new("k", Secret::from_bytes(key.to_vec()).unwrap()).unwrap()).unwrap();
    (
        Signer::new(Scheme::standard_webhooks(), ring()),
        Verifier::new(Scheme::standard_webhooks(), ring())
            .with_max_age(Duration::from_secs(MAX_AGE))
            .with_max_future_skew(Duration::from_secs(SKEW)),
    )
}

/// The `webhook-signature` value for `body` signed at `ts`.
fn sign(signer: &Signer, body: &[u8], ts: u64) -> String {
    signer
        .sign_at(Some(ID), body, Timestamp::from_unix_secs(ts))
        .unwrap()
        .get("webhook-signature")
        .unwrap()
        .to_owned()
}

/// The three headers of a delivery: `signature`, the timestamp as sent, and `ID`.
fn headers<'a>(signature: &'a [u8], timestamp: &'a [u8]) -> [(&'static str, &'a [u8]); 3] {
    [
        ("webhook-signature", signature),
        ("webhook-timestamp", timestamp),
        ("webhook-id", ID.as_bytes()),
    ]
}

fn verify(v: &Verifier, header: &str, ts: u64, body: &[u8]) -> Result<(), VerifyError> {
    let ts = ts.to_string();
    v.verify_at(
        &headers(header.as_bytes(), ts.as_bytes()),
        body,
        Timestamp::from_unix_secs(NOW),
    )
    .map(|_| ())
}

fn key_strategy() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 32..=200)
}

fn body_strategy() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..2048)
}

/// Signed at `NOW + offset`, anywhere inside the window.
fn offset_strategy() -> impl Strategy<Value = i64> {
    -(MAX_AGE as i64)..=(SKEW as i64)
}

fn at(offset: i64) -> u64 {
    NOW.checked_add_signed(offset).unwrap()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn sign_then_verify_round_trips(key in key_strategy(), body in body_strategy(), offset in offset_strategy()) {
        let (s, v) = pair(&key);
        let header = sign(&s, &body, at(offset));
        let ts = at(offset).to_string();
        let headers = headers(header.as_bytes(), ts.as_bytes());
        let verified = v.verify_at(&headers, &body, Timestamp::from_unix_secs(NOW)).unwrap();
        prop_assert_eq!(verified.body(), body.as_slice());
        prop_assert_eq!(verified.timestamp().unwrap().as_unix_secs(), at(offset));
        prop_assert_eq!(verified.id(), Some(ID));
    }

    #[test]
    fn any_body_bit_flip_is_refused(
        key in key_strategy(),
        body in prop::collection::vec(any::<u8>(), 1..2048),
        offset in offset_strategy(),
        bit in any::<prop::sample::Index>(),
    ) {
        let (s, v) = pair(&key);
        let header = sign(&s, &body, at(offset));
        let mut tampered = body.clone();
        let i = bit.index(body.len() * 8);
        tampered[i / 8] ^= 1 << (i % 8);
        prop_assert_eq!(verify(&v, &header, at(offset), &tampered), Err(VerifyError::NoMatchingSignature));
    }

    #[test]
    fn truncating_or_extending_the_body_is_refused(
        key in key_strategy(),
        body in body_strategy(),
        extra in prop::collection::vec(any::<u8>(), 1..16),
        cut in any::<prop::sample::Index>(),
    ) {
        let (s, v) = pair(&key);
        let header = sign(&s, &body, NOW);
        let mut longer = body.clone();
        longer.extend_from_slice(&extra);
        prop_assert_eq!(verify(&v, &header, NOW, &longer), Err(VerifyError::NoMatchingSignature));
        if !body.is_empty() {
            let shorter = &body[..cut.index(body.len())];
            prop_assert_eq!(verify(&v, &header, NOW, shorter), Err(VerifyError::NoMatchingSignature));
        }
    }

    #[test]
    fn any_tag_bit_flip_is_refused(
        key in key_strategy(),
        body in body_strategy(),
        offset in offset_strategy(),
        bit in 0_usize..256,
    ) {
        let (s, v) = pair(&key);
        let header = sign(&s, &body, at(offset));
        let b64_tag = header.strip_prefix("v1,").unwrap();
        let mut tag = STANDARD.decode(b64_tag).unwrap();
        tag[bit / 8] ^= 1 << (bit % 8);
        let tampered = format!("v1,{}", STANDARD.encode(tag));
        prop_assert_eq!(verify(&v, &tampered, at(offset), &body), Err(VerifyError::NoMatchingSignature));
    }

    #[test]
    fn another_timestamp_in_the_window_is_refused(
        key in key_strategy(),
        body in body_strategy(),
        offset in offset_strategy(),
        other in offset_strategy(),
    ) {
        prop_assume!(offset != other);
        let (s, v) = pair(&key);
        let header = sign(&s, &body, at(offset));
        prop_assert_eq!(verify(&v, &header, at(offset), &body), Ok(()));
        prop_assert_eq!(verify(&v, &header, at(other), &body), Err(VerifyError::NoMatchingSignature));
    }

    #[test]
    fn any_timestamp_bit_flip_is_refused_with_the_right_error(
        key in key_strategy(),
        body in body_strategy(),
        offset in offset_strategy(),
        bit in any::<prop::sample::Index>(),
    ) {
        let (s, v) = pair(&key);
        let ts = at(offset);
        let header = sign(&s, &body, ts);
        let digits = ts.to_string().into_bytes();
        let i = bit.index(digits.len() * 8);
        let mut flipped = digits.clone();
        flipped[i / 8] ^= 1 << (i % 8);
        let headers = headers(header.as_bytes(), &flipped);
        let got = v.verify_at(&headers, &body, Timestamp::from_unix_secs(NOW)).map(|_| ());

        // What the flipped timestamp is, and so which check must refuse it. A header value's
        // surrounding spaces are not part of it (a final `0` can flip to a space).
        let mut read = flipped.as_slice();
        while let [b' ' | b'\t', rest @ ..] = read {
            read = rest;
        }
        while let [rest @ .., b' ' | b'\t'] = read {
            read = rest;
        }
        let want = if !read.iter().all(u8::is_ascii_digit) {
            VerifyError::InvalidTimestamp(hookseal::TimestampReason::NotDigits)
        } else if read[0] == b'0' {
            VerifyError::InvalidTimestamp(hookseal::TimestampReason::LeadingZero)
        } else {
            let t: u64 = std::str::from_utf8(read).unwrap().parse().unwrap();
            if t + MAX_AGE < NOW {
                VerifyError::TimestampTooOld
            } else if t > NOW + SKEW {
                VerifyError::TimestampInFuture
            } else {
                VerifyError::NoMatchingSignature
            }
        };
        prop_assert_eq!(got, Err(want));
    }
}

/// Every scheme the crate signs for any body with an HMAC key. Left out, each covered by the
/// adversarial table and the fuzz targets instead: Mailgun (the crate does not write it), the
/// schemes signed with a public key alone (Discord, Telnyx, SendGrid, AWS SNS, PayPal), Linear
/// (its body must be JSON holding its timestamp) and Twilio (its body must be a form).
fn any_scheme() -> impl Strategy<Value = Scheme> {
    let mut schemes = all_schemes();
    schemes
        .retain(|s| signs_with_a_secret(s) && !matches!(s.name(), "mailgun" | "linear" | "twilio"));
    prop::sample::select(schemes)
}

/// Where the schemes that sign the request line (Square, HubSpot) are sent.
const PUBLIC_URL: &str = "https://example.com";
const TARGET: &str = "/hooks/in?x=1";

proptest! {
    #![proptest_config(config())]

    /// Every scheme: what the signer writes, the verifier accepts, returning the same body and
    /// id; a flipped body bit, a changed signed id, or any changed byte of the signature header
    /// is refused.
    #[test]
    fn every_scheme_round_trips_and_refuses_changes(
        scheme in any_scheme(),
        key in key_strategy(),
        body in body_strategy(),
        id in "[A-Za-z0-9_-]{1,40}",
        bit in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
    ) {
        let ring = || Keyring::single(Secret::from_bytes(key.clone()).unwrap());
        let now = Timestamp::from_unix_secs(NOW);
        let id = scheme.id_header().map(|_| id.as_str());
        let signer = Signer::new(scheme.clone(), ring());
        let signed = if scheme.signs_request_line() {
            signer.sign_request_at("POST", &format!("{PUBLIC_URL}{TARGET}"), id, &body, now)
        } else {
            signer.sign_at(id, &body, now)
        }
        .unwrap();
        let headers: Vec<(String, String)> =
            signed.iter().map(|(n, v)| (n.to_owned(), v.to_owned())).collect();
        let verifier = Verifier::new(scheme.clone(), ring()).with_public_url(PUBLIC_URL).unwrap();
        // The body and the id verified, with the request line where the scheme signs it.
        let verify = |headers: &[(String, String)], body: &[u8]| {
            if scheme.signs_request_line() {
                let request = RequestView::new("POST", TARGET, headers);
                verifier.verify_at(&request, body, now).map(|v| (v.body().to_vec(), v.id().map(str::to_owned)))
            } else {
                verifier.verify_at(headers, body, now).map(|v| (v.body().to_vec(), v.id().map(str::to_owned)))
            }
        };

        let (verified_body, verified_id) = verify(&headers, &body).unwrap();
        prop_assert_eq!(verified_body, body.clone());
        prop_assert_eq!(verified_id.as_deref(), id);

        if !body.is_empty() {
            let mut flipped = body.clone();
            let i = bit.index(body.len() * 8);
            flipped[i / 8] ^= 1 << (i % 8);
            prop_assert_eq!(
                verify(&headers, &flipped).unwrap_err(),
                VerifyError::NoMatchingSignature
            );
        }

        if scheme.id_is_signed() {
            let mut other = headers.clone();
            for (n, v) in &mut other {
                if Some(n.as_str()) == scheme.id_header() {
                    v.push('x');
                }
            }
            prop_assert_eq!(
                verify(&other, &body).unwrap_err(),
                VerifyError::NoMatchingSignature
            );
        }

        // Any one byte of the signature header changed (to another visible ASCII byte): never
        // accepted, whatever the error.
        let mut changed = headers.clone();
        let value = &mut changed[0].1;
        let i = at.index(value.len());
        let old = value.as_bytes()[i];
        let new = if old == b'~' { b'!' } else { old + 1 };
        value.replace_range(i..=i, &char::from(new).to_string());
        let shown = value.clone();
        prop_assert!(verify(&changed, &body).is_err(), "{shown}");
    }
}

/// Key URL allow lists: arbitrary input never panics, and whatever `AllowList::aws_sns` accepts
/// meets AWS's rule, re-checked here label by label rather than by stripping a prefix and a
/// suffix as the crate does.
#[cfg(feature = "rsa")]
mod key_urls {
    use proptest::prelude::*;

    use hookseal::{AllowList, VerifyError};

    use super::config;

    /// AWS's rule (`^sns\.[a-zA-Z0-9-]{3,}\.amazonaws\.com(\.cn)?$` for the host, `https`,
    /// a `.pem` path), with this crate's stricter reading: no port, userinfo, query, fragment
    /// or escape.
    fn meets_the_sns_rule(url: &str) -> bool {
        let Some(rest) = url.strip_prefix("https://") else {
            return false;
        };
        let Some(slash) = rest.find('/') else {
            return false;
        };
        let (host, path) = rest.split_at(slash);
        let host = host.to_ascii_lowercase();
        let labels: Vec<&str> = host.split('.').collect();
        let region = match labels.as_slice() {
            ["sns", region, "amazonaws", "com"] | ["sns", region, "amazonaws", "com", "cn"] => {
                *region
            }
            _ => return false,
        };
        region.len() >= 3
            && region
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
            && path.ends_with(".pem")
            && !url.contains(['?', '#', '@', '%', '\\', ' '])
            && !path.contains("//")
            && !path
                .split('/')
                .any(|segment| segment == "." || segment == "..")
    }

    /// URLs near the SNS rule: mostly right, with wrong schemes, hosts, ports, userinfo and
    /// paths mixed in.
    fn near_sns_url() -> impl Strategy<Value = String> {
        let scheme = prop_oneof![8 => Just("https"), 1 => Just("http"), 1 => Just("HTTPS")];
        let service = prop_oneof![
            8 => Just("sns"),
            1 => Just("SNS"),
            1 => Just("evilsns"),
            1 => Just("sns.sns"),
        ];
        let region = prop_oneof![6 => "[a-zA-Z0-9-]{0,12}", 1 => "[a-zA-Z0-9.@:_-]{0,12}"];
        let domain = prop_oneof![
            6 => Just(".amazonaws.com"),
            2 => Just(".amazonaws.com.cn"),
            1 => Just(".amazonaws.co"),
            1 => Just(".AMAZONAWS.COM"),
        ];
        let after = prop_oneof![
            8 => Just(""),
            1 => Just("."),
            1 => Just(":443"),
            1 => Just("@x.example"),
            1 => Just(".evil"),
        ];
        let path = prop_oneof![
            6 => "(/[a-zA-Z0-9_~-]{1,8}){1,3}",
            2 => "/[a-zA-Z0-9./%?#~_\\\\-]{0,24}",
            1 => Just(String::new()),
        ];
        let ext = prop_oneof![
            6 => Just(".pem"),
            1 => Just(""),
            1 => Just(".pem?x"),
            1 => Just(".pem#x"),
        ];
        (scheme, service, region, domain, after, path, ext).prop_map(
            |(scheme, service, region, domain, after, path, ext)| {
                format!("{scheme}://{service}.{region}{domain}{after}{path}{ext}")
            },
        )
    }

    fn check_all(input: &[u8]) -> Result<(), TestCaseError> {
        let lists = [
            AllowList::aws_sns(),
            AllowList::paypal(),
            AllowList::google_oauth_certs(),
            AllowList::prefix("https://keys.example.com/k").unwrap(),
            AllowList::prefix("http://127.0.0.1:8080").unwrap(),
        ];
        for list in &lists {
            match list.check(input) {
                // What a list accepts, it accepts again as it wrote it.
                Ok(url) => prop_assert_eq!(list.check(url.as_str().as_bytes()), Ok(url.clone())),
                Err(e) => prop_assert_eq!(e, VerifyError::KeyUrlRefused),
            }
        }
        if let Ok(url) = AllowList::aws_sns().check(input) {
            let written = std::str::from_utf8(input).unwrap();
            prop_assert!(meets_the_sns_rule(written), "{written}");
            prop_assert!(meets_the_sns_rule(url.as_str()), "{url}");
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn arbitrary_bytes_are_checked_without_panic(input in proptest::collection::vec(any::<u8>(), 0..200)) {
            check_all(&input)?;
        }

        #[test]
        fn arbitrary_text_is_checked_without_panic(input in any::<String>()) {
            check_all(input.as_bytes())?;
        }

        #[test]
        fn what_aws_sns_accepts_meets_the_rule(input in near_sns_url()) {
            check_all(input.as_bytes())?;
        }
    }

    #[test]
    fn the_rule_check_agrees_on_the_known_urls() {
        for good in [
            "https://sns.us-east-2.amazonaws.com/SimpleNotificationService-7ff5318490ec183fbaddaa2a969abfda.pem",
            "https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-1.pem",
            "https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-1.pem",
        ] {
            assert!(meets_the_sns_rule(good), "{good}");
            assert!(
                AllowList::aws_sns().check(good.as_bytes()).is_ok(),
                "{good}"
            );
        }
        for bad in [
            "https://sns.x.amazonaws.com/a.pem",
            "https://sns.us-east-1.amazonaws.com.evil.example/a.pem",
            "https://evilsns.us-east-1.amazonaws.com/a.pem",
        ] {
            assert!(!meets_the_sns_rule(bad), "{bad}");
            assert!(AllowList::aws_sns().check(bad.as_bytes()).is_err(), "{bad}");
        }
    }
}

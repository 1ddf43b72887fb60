//! Hook0 and Coinbase CDP (which delivers through Hook0): the vectors of Hook0's own tests.
//!
//! - hook0/hook0 `output-worker/src/work.rs`, tests `create_signature_v1` and
//!   `create_signature_v0_and_v1` (commit 86a9d665080c89ba6f9c7b9de0cb50d72a406125): secret
//!   `secret`, body `hello !`, t = 1636936200.
//! - hook0/hook0 `clients/conformance/signature.json` (same commit, copied verbatim to
//!   `tests/vectors/hook0/signature.json`): the accept/refuse vectors every Hook0 SDK runs.
//!
//! hookseal checks `v1` (the headers named in `h=` and the body) and skips `v0` (the body
//! alone): a vector whose header carries only `v0` is refused with
//! [`VerifyError::MissingSignature`], where Hook0's SDKs accept it or refuse it for its own
//! fault. Every vector with a `v1` entry gets Hook0's verdict.

use hookseal::{HeaderKind, Keyring, Scheme, Signer, Timestamp, Verifier, VerifyError, dangerous};

const WORKER_SECRET: &[u8] = b"secret";
const WORKER_TS: u64 = 1_636_936_200;
const WORKER_HEADER: &str = "t=1636936200,v0=1b3d69df55f1e52f05224ba94a5162abeb17ef52cd7f4948c390f810d6a87e98,h=x-event-id x-event-type,v1=bc521546ba5de381b12f135782d2008b028c3065c191760b12b76850a8fc8f51";

fn verifier(scheme: Scheme, secret: &[u8]) -> Verifier {
    Verifier::new(
        scheme,
        Keyring::single(dangerous::short_secret(secret.to_vec()).unwrap()),
    )
}

#[test]
fn the_workers_v1_signature_verifies_with_its_headers() {
    for scheme in [Scheme::hook0(), Scheme::coinbase_cdp()] {
        let v = verifier(scheme, WORKER_SECRET);
        let now = Timestamp::from_unix_secs(WORKER_TS);
        let headers = [
            ("X-Hook0-Signature", WORKER_HEADER),
            ("X-EVENT-TYPE", "service.resource.verb"),
            ("X-Event-Id", "1a01cb48-5142-4d9b-8f90-d20cca61f0ee"),
        ];
        let verified = v.verify_at(&headers, b"hello !", now).unwrap();
        assert_eq!(verified.id(), Some("1a01cb48-5142-4d9b-8f90-d20cca61f0ee"));
        // A listed header's value is signed: changing it, or dropping it, is refused.
        let mut changed = headers;
        changed[1].1 = "service.resource.other";
        assert_eq!(
            v.verify_at(&changed, b"hello !", now).unwrap_err(),
            VerifyError::NoMatchingSignature
        );
        assert_eq!(
            v.verify_at(&headers[..2], b"hello !", now).unwrap_err(),
            VerifyError::MissingHeader(HeaderKind::Listed)
        );
        let twice = [headers[0], headers[1], headers[2], ("x-event-id", "other")];
        assert_eq!(
            v.verify_at(&twice, b"hello !", now).unwrap_err(),
            VerifyError::DuplicateHeader(HeaderKind::Listed)
        );
        // Without the list, the remaining `v0` is not accepted: no downgrade.
        let v0_only = [(
            "X-Hook0-Signature",
            "t=1636936200,v0=1b3d69df55f1e52f05224ba94a5162abeb17ef52cd7f4948c390f810d6a87e98",
        )];
        assert_eq!(
            v.verify_at(&v0_only, b"hello !", now).unwrap_err(),
            VerifyError::MissingSignature
        );
    }
}

#[test]
fn signing_lists_the_id_header_and_hook0s_formula_agrees() {
    let key = || Keyring::single(dangerous::short_secret(b"secret".to_vec()).unwrap());
    let signer = Signer::new(Scheme::hook0(), key());
    let now = Timestamp::from_unix_secs(WORKER_TS);
    let signed = signer.sign_at(Some("evt-1"), b"hello !", now).unwrap();
    let header = signed.get("X-Hook0-Signature").unwrap();
    // The formula of Hook0's worker: HMAC-SHA256 over `t.names.values.body`.
    let expected = {
        use hmac::{KeyInit as _, Mac as _};
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(b"secret").unwrap();
        mac.update(b"1636936200.x-event-id.evt-1.hello !");
        hex::encode(mac.finalize().into_bytes())
    };
    assert_eq!(header, format!("t=1636936200,h=x-event-id,v1={expected}"));
    let headers: Vec<(&str, &str)> = signed.iter().collect();
    let v = Verifier::new(Scheme::hook0(), key());
    assert!(v.verify_at(&headers, b"hello !", now).is_ok());
    assert_eq!(
        signer.sign_at(None, b"hello !", now).unwrap_err(),
        hookseal::SignError::MissingId
    );
}

/// The test kit lists the headers it is given after the id header, as Hook0's worker lists
/// `X-Event-Id` and `X-Event-Type`; its twins are refused, and so is a listed header changed.
#[cfg(feature = "test-util")]
#[test]
fn the_kit_signs_listed_headers_by_hook0s_formula() {
    use hookseal::test_kit::{SignedRequest, Tamper};
    let key = || Keyring::single(dangerous::short_secret(b"secret".to_vec()).unwrap());
    let now = Timestamp::from_unix_secs(WORKER_TS);
    let kit = SignedRequest::new(Scheme::hook0(), key())
        .timestamp(now)
        .id("evt-1")
        .header("X-Event-Type", "service.resource.verb")
        .body("hello !");
    let request = kit.build().unwrap();
    // The formula of Hook0's worker: HMAC-SHA256 over `t.names.values.body`, the values joined
    // by `.`.
    let expected = {
        use hmac::{KeyInit as _, Mac as _};
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(b"secret").unwrap();
        mac.update(b"1636936200.x-event-id x-event-type.evt-1.service.resource.verb.hello !");
        hex::encode(mac.finalize().into_bytes())
    };
    assert_eq!(
        request.headers()["X-Hook0-Signature"],
        format!("t=1636936200,h=x-event-id x-event-type,v1={expected}")
    );
    assert_eq!(request.headers()["X-Event-Id"], "evt-1");
    let v = Verifier::new(Scheme::hook0(), key());
    assert!(v.verify_at(&request, request.body(), now).is_ok());
    for what in Tamper::ALL {
        let twin = kit.tampered(what).unwrap().unwrap();
        assert_eq!(
            v.verify_at(&twin, twin.body(), now).unwrap_err(),
            VerifyError::NoMatchingSignature,
            "{what:?}"
        );
    }
    let mut changed = request.clone();
    changed.headers_mut().insert(
        "X-Event-Type",
        http::HeaderValue::from_static("service.resource.other"),
    );
    assert_eq!(
        v.verify_at(&changed, changed.body(), now).unwrap_err(),
        VerifyError::NoMatchingSignature
    );
}

#[test]
fn hook0s_conformance_vectors() {
    let file: serde_json::Value =
        serde_json::from_slice(include_bytes!("../vectors/hook0/signature.json")).unwrap();
    let vectors = file["vectors"].as_array().unwrap();
    assert_eq!(vectors.len(), 12);
    for vector in vectors {
        let name = vector["name"].as_str().unwrap();
        let signature = vector["signature"].as_str().unwrap();
        let mut headers: Vec<(&str, &str)> = vector["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| (h[0].as_str().unwrap(), h[1].as_str().unwrap()))
            .collect();
        headers.push(("X-Hook0-Signature", signature));
        let tolerance = vector["tolerance_seconds"].as_u64().unwrap();
        let v = verifier(
            Scheme::hook0(),
            vector["secret"].as_str().unwrap().as_bytes(),
        )
        .with_max_age(std::time::Duration::from_secs(tolerance))
        .with_max_future_skew(std::time::Duration::from_secs(tolerance));
        let now = Timestamp::from_unix_secs(vector["current_time"].as_u64().unwrap());
        let got = v.verify_at(
            &headers,
            vector["payload"].as_str().unwrap().as_bytes(),
            now,
        );
        let has_v1 = signature.split(',').any(|entry| entry.starts_with("v1="));
        let want = if !has_v1 {
            Err(VerifyError::MissingSignature)
        } else {
            match (vector["verdict"].as_str(), vector["refusal"].as_str()) {
                (Some("accepted"), _) => Ok(()),
                (_, Some("code_mismatch")) => Err(VerifyError::NoMatchingSignature),
                (_, Some("header_not_delivered")) => {
                    Err(VerifyError::MissingHeader(HeaderKind::Listed))
                }
                (_, Some("code_not_hexadecimal")) => Err(VerifyError::MalformedSignature),
                (_, Some("outside_tolerance")) => Err(VerifyError::TimestampTooOld),
                other => panic!("{name}: unexpected verdict {other:?}"),
            }
        };
        assert_eq!(got.map(|_| ()), want, "{name}");
    }
}

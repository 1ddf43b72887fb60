//! The verification the Worker runs on each request, apart from the Workers runtime so that it
//! is tested on the host.

use hookseal::{Clock, Scheme, Verifier};

/// Why a delivery was refused: the HTTP status to answer and the error's stable code, for the
/// response body and the logs. Never the secret or the signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    /// The HTTP status: 4xx when the request is at fault, 5xx when the receiver is (a secret
    /// that does not parse, no clock), so the sender retries.
    pub status: u16,
    /// hookseal's code for the failure (`signature_mismatch`, `timestamp_too_old`, …).
    pub code: &'static str,
}

/// Verifies a Standard Webhooks delivery: `headers` and `body` exactly as received, `secret` the
/// endpoint's `whsec_` secret, `clock` the time to check the signature's window against.
///
/// # Errors
///
/// A [`Refusal`] with the status and code of hookseal's `SecretError` (500: the Worker's secret
/// is not a Standard Webhooks secret) or `VerifyError` (the request is not a fresh delivery
/// signed with the secret).
pub fn verify_delivery(
    secret: &str,
    headers: &[(String, String)],
    body: &[u8],
    clock: impl Clock,
) -> Result<(), Refusal> {
    let verifier = Verifier::from_secret(Scheme::standard_webhooks(), secret)
        .map_err(|e| Refusal {
            status: 500,
            code: e.code(),
        })?
        .with_clock(clock);
    verifier.verify(headers, body).map_err(|e| Refusal {
        status: e.status_code(),
        code: e.code(),
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use hookseal::{Signer, SystemClock, Timestamp};

    use super::*;

    // The Standard Webhooks reference delivery (standard-webhooks/standard-webhooks,
    // libraries/python/tests/test_webhooks.py, `test_sign_function`).
    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TS: u64 = 1_614_265_330;
    const BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    /// A clock stopped at one time, as `Date.now()` is inside a request.
    #[derive(Debug)]
    struct At(u64);

    impl Clock for At {
        fn now(&self) -> Option<Timestamp> {
            Some(Timestamp::from_unix_secs(self.0))
        }
    }

    fn reference_headers() -> Vec<(String, String)> {
        [
            ("webhook-id", ID.to_owned()),
            ("webhook-timestamp", TS.to_string()),
            ("webhook-signature", SIGNATURE.to_owned()),
        ]
        .map(|(name, value)| (name.to_owned(), value))
        .to_vec()
    }

    /// What hookseal's signer sends, as the Worker reads it (names as they came).
    fn signed(id: &str, body: &[u8], at: u64) -> Vec<(String, String)> {
        Signer::from_secret(Scheme::standard_webhooks(), SECRET)
            .unwrap()
            .sign_at(Some(id), body, Timestamp::from_unix_secs(at))
            .unwrap()
            .iter()
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect()
    }

    #[test]
    fn the_reference_delivery_verifies_and_its_tampered_twin_is_refused() {
        let headers = reference_headers();
        assert_eq!(verify_delivery(SECRET, &headers, BODY, At(TS)), Ok(()));
        assert_eq!(
            verify_delivery(SECRET, &headers, br#"{"test": 2432232315}"#, At(TS)),
            Err(Refusal {
                status: 401,
                code: "signature_mismatch"
            })
        );
    }

    #[test]
    fn a_delivery_from_hookseals_signer_verifies_and_its_tampered_twin_is_refused() {
        let body = br#"{"type":"invoice.paid","amount":1200}"#;
        let headers = signed("msg_2", body, 1_700_000_000);
        assert_eq!(
            verify_delivery(SECRET, &headers, body, At(1_700_000_010)),
            Ok(())
        );
        assert_eq!(
            verify_delivery(
                SECRET,
                &headers,
                br#"{"type":"invoice.paid","amount":9200}"#,
                At(1_700_000_010)
            ),
            Err(Refusal {
                status: 401,
                code: "signature_mismatch"
            })
        );
    }

    #[test]
    fn a_stale_delivery_is_refused_by_the_clock_given() {
        let headers = signed("msg_3", BODY, 1_700_000_000);
        assert_eq!(
            verify_delivery(SECRET, &headers, BODY, At(1_700_000_301)),
            Err(Refusal {
                status: 400,
                code: "timestamp_too_old"
            })
        );
    }

    /// Built without `std`, hookseal has no system clock: without the runtime's, the Worker
    /// answers 500 (and the sender retries) instead of panicking.
    #[test]
    fn without_the_runtimes_clock_the_delivery_is_refused_as_the_receivers_fault() {
        let headers = reference_headers();
        assert_eq!(
            verify_delivery(SECRET, &headers, BODY, SystemClock::new()),
            Err(Refusal {
                status: 500,
                code: "clock_unavailable"
            })
        );
    }

    #[test]
    fn a_secret_that_does_not_parse_is_the_receivers_fault() {
        let headers = reference_headers();
        assert_eq!(
            verify_delivery("not a secret", &headers, BODY, At(TS)),
            Err(Refusal {
                status: 500,
                code: "secret_whitespace"
            })
        );
    }
}

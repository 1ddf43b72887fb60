//! The sender's side: deliveries, the retry schedule, the endpoint policy and the secret
//! lifecycle.

#[cfg(feature = "std")]
use std::collections::HashSet;
use std::net::IpAddr;
use std::time::Duration;

#[cfg(feature = "std")]
use hookseal::delivery::EndpointSecrets;
use hookseal::delivery::{
    AddressClass, Delivery, EndpointPolicy, GiveUp, Host, Jitter, Next, Outcome, RetryPolicy,
    StatusClass,
};
use hookseal::{ConfigError, Keyring, Scheme, Secret, SignError, Signer, Timestamp};
#[cfg(feature = "std")]
use hookseal::{Key, Verifier, VerifyError};
use proptest::prelude::*;

const T0: u64 = 1_700_000_000;
const MIN: u64 = 60;
const HOUR: u64 = 3600;
const DAY: u64 = 86_400;

fn at(secs: u64) -> Timestamp {
    Timestamp::from_unix_secs(secs)
}

// ---------------------------------------------------------------------------------------------
// Delivery

#[cfg(feature = "std")]
#[test]
fn generated_ids_are_unique_and_unguessable_in_form() {
    let mut seen = HashSet::new();
    for _ in 0..10_000 {
        let d = Delivery::new(b"{}".to_vec()).unwrap();
        let id = d.id();
        assert!(id.starts_with("msg_"));
        assert_eq!(id.len(), 4 + 26, "128 bits in base32");
        assert!(
            id[4..]
                .bytes()
                .all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b))
        );
        assert!(seen.insert(id.to_owned()), "repeated id {id}");
    }
}

#[test]
fn own_ids_are_checked() {
    assert_eq!(
        Delivery::with_id("evt_1", b"x".to_vec()).unwrap().id(),
        "evt_1"
    );
    for bad in ["", "a b", "é", "tab\there"] {
        assert_eq!(
            Delivery::with_id(bad, b"x".to_vec()).unwrap_err(),
            SignError::InvalidId
        );
    }
    let long = "a".repeat(256);
    assert_eq!(
        Delivery::with_id(&long, b"x".to_vec()).unwrap_err(),
        SignError::InvalidId
    );
    assert!(Delivery::with_id(&long[..255], b"x".to_vec()).is_ok());
}

#[test]
fn debug_shows_the_id_and_length_not_the_body() {
    let d = Delivery::with_id("evt_1", b"card 4242".to_vec()).unwrap();
    let shown = format!("{d:?}");
    assert!(shown.contains("evt_1") && shown.contains('9'));
    assert!(!shown.contains("4242"));
}

/// Each scheme a delivery signs (its headers and body, with an HMAC key): every attempt carries
/// the same id, a fresh timestamp and a fresh signature, and each verifies on its own. The
/// others are refused with the error that says why: a scheme that signs the request line needs
/// `Signer::sign_request`, Mailgun's signature is in the body, and Discord and Telnyx sign with
/// Ed25519 keys alone.
#[test]
#[cfg(feature = "test-util")]
fn attempts_keep_the_id_and_sign_afresh_in_every_scheme() {
    use hookseal::ManualClock;

    let secret = || Secret::from_bytes([9; 32]).unwrap();
    for scheme in crate::common::all_schemes() {
        let clock = ManualClock::new(at(T0));
        let signer =
            Signer::new(scheme.clone(), Keyring::single(secret())).with_clock(clock.clone());
        let verifier = Verifier::new(scheme.clone(), Keyring::single(secret()));
        // Linear reads its timestamp from the body, which every attempt sends unchanged.
        let body = match scheme.name() {
            "linear" => format!(r#"{{"n":1,"webhookTimestamp":{T0}000}}"#).into_bytes(),
            _ => br#"{"n":1}"#.to_vec(),
        };
        let delivery = Delivery::new(body).unwrap();

        let first = match delivery.sign(&signer) {
            Ok(first) => first,
            Err(e) => {
                let expected = if scheme.signature_header().is_none() {
                    SignError::SignatureInBody
                } else if scheme.signs_request_line() {
                    SignError::MissingRequest
                } else {
                    assert!(!crate::common::signs_with_a_secret(&scheme));
                    SignError::NoActiveKey
                };
                assert_eq!(e, expected, "{}", scheme.name());
                continue;
            }
        };
        clock.advance(Duration::from_secs(MIN));
        let second = delivery.sign(&signer).unwrap();
        assert_eq!(first.timestamp(), at(T0));
        assert_eq!(second.timestamp(), at(T0 + MIN));

        let sig = scheme.signature_header();
        if scheme.name() == "linear" {
            // The same body, so the same signature: the attempt's time is not sent.
            assert_eq!(first.get(sig.unwrap()), second.get(sig.unwrap()));
        } else if scheme.signs_timestamp() {
            assert_ne!(
                first.get(sig.unwrap()),
                second.get(sig.unwrap()),
                "{}: same signature twice",
                scheme.name()
            );
        }
        if let Some(id_header) = scheme.id_header() {
            assert_eq!(
                first.get(id_header),
                Some(delivery.id()),
                "{}",
                scheme.name()
            );
            assert_eq!(
                second.get(id_header),
                Some(delivery.id()),
                "{}",
                scheme.name()
            );
        }
        for (attempt, time) in [(&first, T0), (&second, T0 + MIN)] {
            let headers: Vec<(&str, &str)> = attempt.iter().collect();
            let verified = verifier
                .verify_at(&headers[..], delivery.body(), at(time))
                .unwrap();
            if scheme.id_header().is_some() {
                assert_eq!(verified.id(), Some(delivery.id()));
            }
        }
    }
}

#[test]
fn standard_webhooks_ids_cannot_hold_a_dot() {
    let signer = Signer::new(
        Scheme::standard_webhooks(),
        Keyring::single(Secret::from_bytes([9; 32]).unwrap()),
    );
    let delivery = Delivery::with_id("evt.1", b"{}".to_vec()).unwrap();
    assert_eq!(
        delivery.sign_at(&signer, at(T0)).unwrap_err(),
        SignError::AmbiguousId
    );
}

// ---------------------------------------------------------------------------------------------
// Retry schedule

#[cfg(feature = "std")]
fn fixed() -> RetryPolicy {
    RetryPolicy::new().with_jitter(Jitter::None)
}

#[test]
fn default_schedule_is_one_five_fifteen_sixty_minutes_then_doubling_to_a_day() {
    let policy = RetryPolicy::new();
    let ceilings: Vec<u64> = (1..=12).map(|n| policy.ceiling(n).as_secs()).collect();
    assert_eq!(
        ceilings,
        [
            MIN,
            5 * MIN,
            15 * MIN,
            HOUR,
            2 * HOUR,
            4 * HOUR,
            8 * HOUR,
            16 * HOUR,
            DAY,
            DAY,
            DAY,
            DAY
        ]
    );
    assert_eq!(policy.horizon(), Duration::from_secs(3 * DAY));
    assert_eq!(policy.max_attempts(), 20);
}

#[cfg(feature = "std")]
/// Without jitter, a delivery that always gets 503 is tried at 0, 1 m, 6 m, 21 m, 81 m, …
/// and given up at the horizon; the last attempt is at the horizon at the latest.
#[test]
fn a_failing_delivery_walks_the_schedule_to_the_horizon() {
    let policy = fixed();
    let mut now = at(T0);
    let mut times = vec![0];
    let mut attempt = 1;
    loop {
        match policy.next_after(attempt, at(T0), now, Outcome::status(503)) {
            Next::RetryAt {
                at: next,
                from_retry_after,
            } => {
                assert!(!from_retry_after);
                assert!(next > now);
                now = next;
                times.push(now.as_unix_secs() - T0);
                attempt += 1;
            }
            Next::GiveUp(GiveUp::HorizonReached) => break,
            other => panic!("unexpected {other:?}"),
        }
    }
    // Each gap is the next ceiling: 1 m, 5 m, 15 m, 1 h, 2 h, 4 h, 8 h, 16 h, 24 h; the 24 h
    // after that would pass the horizon, so the last attempt is clamped to it.
    assert_eq!(
        times,
        [
            0,
            60,
            360,
            1260,
            4860,
            12_060,
            26_460,
            55_260,
            112_860,
            199_260,
            3 * DAY
        ]
    );
}

#[cfg(feature = "std")]
#[test]
fn statuses_are_classified() {
    let policy = RetryPolicy::new();
    for s in [200, 201, 202, 204, 299] {
        assert_eq!(policy.classify(s), StatusClass::Delivered, "{s}");
    }
    for s in [408, 409, 425, 429, 500, 501, 502, 503, 504, 599] {
        assert_eq!(policy.classify(s), StatusClass::Retry, "{s}");
    }
    for s in [
        0, 100, 199, 300, 301, 302, 307, 308, 400, 401, 403, 404, 410, 413, 422, 600, 999,
    ] {
        assert_eq!(policy.classify(s), StatusClass::Final, "{s}");
    }
    let custom = RetryPolicy::new()
        .with_status(404, StatusClass::Retry)
        .with_status(501, StatusClass::Final);
    assert_eq!(custom.classify(404), StatusClass::Retry);
    assert_eq!(custom.classify(501), StatusClass::Final);

    let now = at(T0);
    assert_eq!(
        policy.next_after(1, now, now, Outcome::status(204)),
        Next::Delivered
    );
    assert_eq!(
        policy.next_after(1, now, now, Outcome::status(301)),
        Next::GiveUp(GiveUp::FinalStatus(301))
    );
    // No answer at all is retried.
    assert!(matches!(
        policy.next_after(1, now, now, Outcome::no_response()),
        Next::RetryAt { .. }
    ));
}

#[cfg(feature = "std")]
#[test]
fn retry_after_moves_the_next_attempt_later_never_earlier() {
    let policy = fixed();
    let now = at(T0);
    // Asked for 10 minutes where the schedule says 1.
    assert_eq!(
        policy.next_after(1, now, now, Outcome::status(429).with_retry_after(b"600")),
        Next::RetryAt {
            at: at(T0 + 600),
            from_retry_after: true
        }
    );
    // Asked for 10 s: the schedule's minute stands.
    assert_eq!(
        policy.next_after(1, now, now, Outcome::status(503).with_retry_after(b"10")),
        Next::RetryAt {
            at: at(T0 + MIN),
            from_retry_after: false
        }
    );
    // An HTTP date two hours ahead.
    let date = b"Tue, 14 Nov 2023 22:13:20 GMT"; // = T0
    let two_hours_before = at(T0 - 2 * HOUR);
    assert_eq!(
        policy.next_after(
            1,
            two_hours_before,
            two_hours_before,
            Outcome::status(503).with_retry_after(date)
        ),
        Next::RetryAt {
            at: at(T0),
            from_retry_after: true
        }
    );
    // Past the horizon: give up rather than ignore it.
    assert_eq!(
        policy.next_after(
            1,
            now,
            now,
            Outcome::status(503).with_retry_after(b"259201")
        ),
        Next::GiveUp(GiveUp::HorizonReached)
    );
    // Garbage is ignored; Retry-After on a final status is too.
    assert_eq!(
        policy.next_after(1, now, now, Outcome::status(503).with_retry_after(b"soon")),
        Next::RetryAt {
            at: at(T0 + MIN),
            from_retry_after: false
        }
    );
    assert_eq!(
        policy.next_after(1, now, now, Outcome::status(400).with_retry_after(b"5")),
        Next::GiveUp(GiveUp::FinalStatus(400))
    );
}

#[cfg(feature = "std")]
#[test]
fn attempts_and_configuration_are_bounded() {
    let policy = RetryPolicy::new().with_max_attempts(3).unwrap();
    let now = at(T0);
    assert!(matches!(
        policy.next_after(2, now, now, Outcome::status(500)),
        Next::RetryAt { .. }
    ));
    assert_eq!(
        policy.next_after(3, now, now, Outcome::status(500)),
        Next::GiveUp(GiveUp::AttemptsExhausted)
    );
    assert_eq!(
        RetryPolicy::new().with_max_attempts(0).unwrap_err(),
        ConfigError::InvalidRetryAttempts
    );
    assert_eq!(
        RetryPolicy::new().with_growth(0).unwrap_err(),
        ConfigError::InvalidRetryGrowth
    );
    assert_eq!(
        RetryPolicy::new().with_horizon(Duration::ZERO).unwrap_err(),
        ConfigError::InvalidRetryHorizon
    );
    assert_eq!(
        RetryPolicy::new()
            .with_horizon(Duration::from_secs(31 * DAY))
            .unwrap_err(),
        ConfigError::InvalidRetryHorizon
    );
    let s = Duration::from_secs;
    assert_eq!(
        RetryPolicy::new().with_steps(&[]).unwrap_err(),
        ConfigError::InvalidRetrySteps
    );
    assert_eq!(
        RetryPolicy::new().with_steps(&[s(0)]).unwrap_err(),
        ConfigError::InvalidRetrySteps
    );
    assert_eq!(
        RetryPolicy::new().with_steps(&[s(5), s(2)]).unwrap_err(),
        ConfigError::InvalidRetrySteps
    );
    let custom = RetryPolicy::new()
        .with_steps(&[s(10), s(30)])
        .unwrap()
        .with_growth(3)
        .unwrap()
        .with_max_delay(s(200));
    let ceilings: Vec<u64> = (1..=5).map(|n| custom.ceiling(n).as_secs()).collect();
    assert_eq!(ceilings, [10, 30, 90, 200, 200]);
    // Far retries cost no more than near ones, with or without growth, and extreme settings
    // neither overflow nor panic.
    let flat = custom.clone().with_growth(1).unwrap();
    assert_eq!(flat.ceiling(u32::MAX), s(30));
    assert_eq!(custom.ceiling(u32::MAX), s(200));
    let huge = RetryPolicy::new()
        .with_steps(&[Duration::MAX])
        .unwrap()
        .with_max_delay(Duration::MAX);
    assert_eq!(huge.ceiling(1), RetryPolicy::MAX_HORIZON);
    assert!(huge.delay(u32::MAX, u64::MAX) <= RetryPolicy::MAX_HORIZON);
    assert!(matches!(
        huge.next_with_random(
            1,
            at(u64::MAX - 5),
            at(u64::MAX - 1),
            Outcome::status(500),
            u64::MAX
        ),
        Next::RetryAt { .. } | Next::GiveUp(_)
    ));
}

fn any_policy() -> impl Strategy<Value = RetryPolicy> {
    (
        prop::collection::vec(1_u64..5000, 1..6),
        1_u32..5,
        1_u64..(2 * DAY),
        1_u64..(10 * DAY),
        1_u32..40,
        prop_oneof![Just(Jitter::Full), Just(Jitter::Equal), Just(Jitter::None)],
    )
        .prop_map(
            |(mut steps, growth, max_delay, horizon, attempts, jitter)| {
                steps.sort_unstable();
                let steps: Vec<Duration> = steps.into_iter().map(Duration::from_secs).collect();
                RetryPolicy::new()
                    .with_steps(&steps)
                    .unwrap()
                    .with_growth(growth)
                    .unwrap()
                    .with_max_delay(Duration::from_secs(max_delay))
                    .with_horizon(Duration::from_secs(horizon))
                    .unwrap()
                    .with_max_attempts(attempts)
                    .unwrap()
                    .with_jitter(jitter)
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Ceilings never shrink from one retry to the next, and never pass the maximum delay.
    #[test]
    fn ceilings_are_monotone_and_capped(policy in any_policy(), max_delay in 1_u64..(2 * DAY)) {
        let policy = policy.with_max_delay(Duration::from_secs(max_delay));
        let mut previous = Duration::ZERO;
        for n in 1..=64 {
            let c = policy.ceiling(n);
            prop_assert!(c >= previous, "ceiling {n} shrank");
            prop_assert!(c.as_secs() <= max_delay);
            previous = c;
        }
    }

    /// Each delay lies in its jitter's range under the ceiling.
    #[test]
    fn delays_lie_in_the_jitter_range(steps in prop::collection::vec(1_u64..100_000, 1..5),
                                      n in 1_u32..50, random: u64) {
        let mut steps = steps;
        steps.sort_unstable();
        let steps: Vec<Duration> = steps.into_iter().map(Duration::from_secs).collect();
        let base = RetryPolicy::new().with_steps(&steps).unwrap();
        let ceiling = base.ceiling(n);
        let full = base.clone().with_jitter(Jitter::Full).delay(n, random);
        let equal = base.clone().with_jitter(Jitter::Equal).delay(n, random);
        let none = base.with_jitter(Jitter::None).delay(n, random);
        prop_assert!(full <= ceiling);
        prop_assert!(equal <= ceiling && equal >= ceiling / 2 - Duration::from_millis(500));
        prop_assert_eq!(none, ceiling);
    }

    /// A delivery that keeps failing is retried at strictly later times, never after the
    /// horizon, never more than the maximum attempts, and each Retry-After is honoured.
    #[test]
    fn schedules_stay_inside_the_horizon(
        policy in any_policy(),
        outcomes in prop::collection::vec((prop_oneof![Just(None), (400_u16..600).prop_map(Some)],
                                           prop::option::of(0_u64..(4 * DAY)), any::<u64>()), 1..60),
    ) {
        let first = at(T0);
        let deadline = T0 + policy.horizon().as_secs();
        let mut now = first;
        let mut attempt = 1;
        for (status, retry_after, random) in outcomes {
            let ra = retry_after.map(|s| s.to_string());
            let mut outcome = match status {
                Some(s) => Outcome::status(s),
                None => Outcome::no_response(),
            };
            if let Some(ra) = &ra {
                outcome = outcome.with_retry_after(ra.as_bytes());
            }
            match policy.next_with_random(attempt, first, now, outcome, random) {
                Next::RetryAt { at: next, from_retry_after } => {
                    prop_assert!(status.is_none_or(|s| policy.classify(s) == StatusClass::Retry));
                    prop_assert!(next.as_unix_secs() <= deadline, "after the horizon");
                    prop_assert!(next >= now);
                    let ceiling = policy.ceiling(attempt).as_secs();
                    if let (Some(s), true) = (retry_after, status.is_some()) {
                        prop_assert!(next.as_unix_secs() >= now.as_unix_secs() + s, "Retry-After not honoured");
                    }
                    if !from_retry_after {
                        prop_assert!(next.as_unix_secs() <= now.as_unix_secs() + ceiling);
                    }
                    prop_assert!(attempt < policy.max_attempts());
                    attempt += 1;
                    // Attempts take at least a second.
                    now = if next > now { next } else { at(now.as_unix_secs() + 1) };
                }
                Next::GiveUp(GiveUp::FinalStatus(s)) => {
                    prop_assert_eq!(Some(s), status);
                    prop_assert_eq!(policy.classify(s), StatusClass::Final);
                    break;
                }
                Next::GiveUp(GiveUp::AttemptsExhausted) => {
                    prop_assert_eq!(attempt, policy.max_attempts());
                    break;
                }
                Next::GiveUp(GiveUp::HorizonReached) => {
                    let asked_past = retry_after.is_some_and(|s| now.as_unix_secs() + s > deadline);
                    prop_assert!(now.as_unix_secs() >= deadline || asked_past);
                    break;
                }
                Next::Delivered => {
                    prop_assert!(status.is_some_and(|s| policy.classify(s) == StatusClass::Delivered));
                    break;
                }
                other => prop_assert!(false, "unexpected {:?}", other),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Endpoint policy

#[test]
fn endpoint_policy_table() {
    use AddressClass::*;
    use ConfigError::*;
    let strict = EndpointPolicy::new();
    let cases: &[(&str, Result<(), ConfigError>)] = &[
        // Fine.
        ("https://hooks.example.com/in", Ok(())),
        ("https://hooks.example.com:8443/in?x=1#f", Ok(())),
        ("HTTPS://Hooks.Example.COM./in", Ok(())),
        ("https://93.184.216.34/", Ok(())),
        ("https://[2606:2800:220:1:248:1893:25c8:1946]/", Ok(())),
        ("https://[2002:5db8:d822::1]/", Ok(())), // 6to4 of a global address
        ("https://[::ffff:93.184.216.34]/", Ok(())),
        // Scheme and form.
        ("http://hooks.example.com/in", Err(NotHttps)),
        ("ftp://hooks.example.com/in", Err(NotHttps)),
        ("hooks.example.com/in", Err(InvalidUrl)),
        ("https://", Err(InvalidUrl)),
        ("https:///path", Err(InvalidUrl)),
        ("https://exa mple.com/", Err(InvalidUrl)),
        ("https://example.com:99999/", Err(InvalidUrl)),
        ("https://example.com:0/", Err(InvalidUrl)),
        ("https://example.com:/", Err(InvalidUrl)),
        ("https://[::1/", Err(InvalidUrl)),
        ("https://-bad-.example.com/", Err(InvalidUrl)),
        ("https://exa%6dple.com/", Err(InvalidUrl)),
        ("https://user:pass@example.com/", Err(UrlCredentials)),
        ("https://example.com@169.254.169.254/", Err(UrlCredentials)),
        // Local names.
        ("https://localhost/", Err(LocalName)),
        ("https://LOCALHOST./", Err(LocalName)),
        ("https://api.localhost/", Err(LocalName)),
        ("https://printer.local/", Err(LocalName)),
        ("https://metadata.google.internal/", Err(LocalName)),
        ("https://router.home.arpa/", Err(LocalName)),
        ("https://intranet/", Err(LocalName)),
        // Numeric hosts in forms resolvers read as IPv4.
        ("https://2130706433/", Err(AmbiguousNumericHost)),
        ("https://0x7f000001/", Err(AmbiguousNumericHost)),
        ("https://0x7f.0.0.1/", Err(AmbiguousNumericHost)),
        ("https://127.1/", Err(AmbiguousNumericHost)),
        ("https://0177.0.0.1/", Err(AmbiguousNumericHost)),
        ("https://127.000.000.001/", Err(AmbiguousNumericHost)),
        // IPv4.
        ("https://127.0.0.1/", Err(ForbiddenAddress(Loopback))),
        ("https://127.255.255.254/", Err(ForbiddenAddress(Loopback))),
        ("https://10.0.0.1/", Err(ForbiddenAddress(Private))),
        ("https://172.16.0.1/", Err(ForbiddenAddress(Private))),
        ("https://172.31.255.255/", Err(ForbiddenAddress(Private))),
        ("https://172.32.0.1/", Ok(())),
        ("https://192.168.1.1/", Err(ForbiddenAddress(Private))),
        (
            "https://169.254.169.254/latest/meta-data/",
            Err(ForbiddenAddress(Metadata)),
        ),
        (
            "https://169.254.170.2/v2/credentials",
            Err(ForbiddenAddress(Metadata)),
        ),
        ("https://100.100.100.200/", Err(ForbiddenAddress(Metadata))),
        ("https://169.254.1.1/", Err(ForbiddenAddress(LinkLocal))),
        (
            "https://100.64.0.1/",
            Err(ForbiddenAddress(SharedAddressSpace)),
        ),
        ("https://0.0.0.0/", Err(ForbiddenAddress(Unspecified))),
        ("https://224.0.0.1/", Err(ForbiddenAddress(Multicast))),
        ("https://255.255.255.255/", Err(ForbiddenAddress(Broadcast))),
        ("https://192.0.2.1/", Err(ForbiddenAddress(Documentation))),
        ("https://198.18.0.1/", Err(ForbiddenAddress(Reserved))),
        ("https://240.0.0.1/", Err(ForbiddenAddress(Reserved))),
        // IPv6.
        ("https://[::1]/", Err(ForbiddenAddress(Loopback))),
        ("https://[::]/", Err(ForbiddenAddress(Unspecified))),
        ("https://[fe80::1]/", Err(ForbiddenAddress(LinkLocal))),
        ("https://[fc00::1]/", Err(ForbiddenAddress(Private))),
        ("https://[fd12:3456::1]/", Err(ForbiddenAddress(Private))),
        ("https://[fec0::1]/", Err(ForbiddenAddress(Private))),
        ("https://[fd00:ec2::254]/", Err(ForbiddenAddress(Metadata))),
        ("https://[ff02::1]/", Err(ForbiddenAddress(Multicast))),
        (
            "https://[2001:db8::1]/",
            Err(ForbiddenAddress(Documentation)),
        ),
        ("https://[2001::1]/", Err(ForbiddenAddress(Reserved))),
        ("https://[100::1]/", Err(ForbiddenAddress(Reserved))),
        ("https://[::7f00:1]/", Err(ForbiddenAddress(Reserved))),
        // IPv4 inside IPv6: what is reached decides.
        (
            "https://[::ffff:127.0.0.1]/",
            Err(ForbiddenAddress(Loopback)),
        ),
        ("https://[::ffff:7f00:1]/", Err(ForbiddenAddress(Loopback))),
        ("https://[::ffff:10.1.2.3]/", Err(ForbiddenAddress(Private))),
        (
            "https://[::ffff:169.254.169.254]/",
            Err(ForbiddenAddress(Metadata)),
        ),
        (
            "https://[64:ff9b::169.254.169.254]/",
            Err(ForbiddenAddress(Metadata)),
        ),
        ("https://[64:ff9b::a00:1]/", Err(ForbiddenAddress(Private))),
        ("https://[64:ff9b:1::1]/", Err(ForbiddenAddress(Private))),
        ("https://[2002:7f00:1::]/", Err(ForbiddenAddress(Loopback))),
        (
            "https://[2002:a9fe:a9fe::]/",
            Err(ForbiddenAddress(Metadata)),
        ),
    ];
    for (url, expected) in cases {
        let got = strict.check(url).map(|_| ());
        assert_eq!(&got, expected, "{url}");
    }
    assert!(cases.len() >= 70);
}

#[test]
fn opt_ins_are_explicit_and_narrow() {
    let local = EndpointPolicy::new()
        .allow_http()
        .allow(AddressClass::Loopback);
    let e = local.check("http://127.0.0.1:8080/webhooks").unwrap();
    assert_eq!(e.host(), &Host::Ip("127.0.0.1".parse().unwrap()));
    assert_eq!(e.port(), 8080);
    assert!(!e.is_https());
    assert!(local.check("http://localhost:8080/").is_ok());
    assert!(local.check("https://[::1]/").is_ok());
    // Loopback only: private and metadata stay refused.
    assert_eq!(
        local.check("http://10.0.0.1/"),
        Err(ConfigError::ForbiddenAddress(AddressClass::Private))
    );
    assert_eq!(
        local.check("http://169.254.169.254/"),
        Err(ConfigError::ForbiddenAddress(AddressClass::Metadata))
    );
    // Link-local allowed does not allow the metadata address inside it.
    let link = EndpointPolicy::new().allow(AddressClass::LinkLocal);
    assert!(link.check("https://169.254.1.1/").is_ok());
    assert!(link.check("https://169.254.169.254/").is_err());
    // Default ports.
    assert_eq!(
        EndpointPolicy::new()
            .check("https://example.com/")
            .unwrap()
            .port(),
        443
    );
    assert_eq!(local.check("http://127.0.0.1/").unwrap().port(), 80);
}

/// Allowing private addresses is for an internal deployment reached by address; it admits no
/// local name, whose addresses nothing has checked.
#[test]
fn allowing_private_admits_no_local_name() {
    let private = EndpointPolicy::new().allow(AddressClass::Private);
    assert!(private.check("https://10.0.0.7/in").is_ok());
    for url in [
        "https://localhost/",
        "https://api.localhost/",
        "https://billing/",
        "https://x.internal/",
        "https://printer.local/",
        "https://router.home.arpa/",
        "https://nas.lan/",
    ] {
        assert_eq!(private.check(url), Err(ConfigError::LocalName), "{url}");
    }
}

/// Allowing loopback admits `localhost` and `*.localhost` (which resolve to loopback), and no
/// other local name; no class admits the others.
#[test]
fn allowing_loopback_admits_localhost_and_no_other_local_name() {
    let local = EndpointPolicy::new()
        .allow_http()
        .allow(AddressClass::Loopback);
    let e = local.check("http://localhost:8080/").unwrap();
    assert_eq!(e.host(), &Host::Name("localhost".into()));
    assert_eq!(e.port(), 8080);
    assert!(local.check("https://api.localhost/").is_ok());
    assert!(local.check("https://LOCALHOST./").is_ok());
    let every_class = [
        AddressClass::Loopback,
        AddressClass::Private,
        AddressClass::LinkLocal,
        AddressClass::Metadata,
        AddressClass::SharedAddressSpace,
        AddressClass::Unspecified,
        AddressClass::Multicast,
        AddressClass::Broadcast,
        AddressClass::Documentation,
        AddressClass::Reserved,
    ]
    .into_iter()
    .fold(EndpointPolicy::new().allow_http(), EndpointPolicy::allow);
    for url in [
        "https://billing/",
        "https://x.internal/",
        "https://metadata.google.internal/",
        "https://printer.local/",
        "https://router.home.arpa/",
        "https://nas.lan/",
    ] {
        assert_eq!(local.check(url), Err(ConfigError::LocalName), "{url}");
        assert_eq!(every_class.check(url), Err(ConfigError::LocalName), "{url}");
    }
}

/// A name's addresses are the caller's check: a name passes, and each address it resolves to
/// goes through `check_ip`.
#[test]
fn names_pass_and_their_addresses_are_checked_one_by_one() {
    let policy = EndpointPolicy::new();
    let e = policy.check("https://rebind.example.com/in").unwrap();
    assert_eq!(e.host(), &Host::Name("rebind.example.com".into()));
    let resolved: [IpAddr; 3] = [
        "93.184.216.34".parse().unwrap(),
        "10.0.0.5".parse().unwrap(),
        "::ffff:127.0.0.1".parse().unwrap(),
    ];
    let verdicts: Vec<_> = resolved.iter().map(|a| policy.check_ip(*a)).collect();
    assert_eq!(
        verdicts,
        [
            Ok(()),
            Err(ConfigError::ForbiddenAddress(AddressClass::Private)),
            Err(ConfigError::ForbiddenAddress(AddressClass::Loopback))
        ]
    );
}

proptest! {
    /// Every IPv4 address gets the same verdict on its own and mapped into IPv6.
    #[test]
    fn mapped_ipv4_is_judged_as_ipv4(a: u32) {
        let v4 = std::net::Ipv4Addr::from(a);
        let policy = EndpointPolicy::new();
        prop_assert_eq!(policy.check_ip(IpAddr::V4(v4)), policy.check_ip(IpAddr::V6(v4.to_ipv6_mapped())));
        prop_assert_eq!(
            policy.check(&format!("https://{v4}/")).map(|_| ()),
            policy.check(&format!("https://[{}]/", v4.to_ipv6_mapped())).map(|_| ()),
        );
    }

    /// Arbitrary text never panics the URL check.
    #[test]
    fn any_text_gets_a_verdict(url in "\\PC{0,80}") {
        let _ = EndpointPolicy::new().check(&url);
        let _ = EndpointPolicy::new().check(&format!("https://{url}"));
    }
}

// ---------------------------------------------------------------------------------------------
// Secret lifecycle

#[cfg(feature = "std")]
/// A receiver holding the endpoint secrets' texts as shown, read the default scheme's way.
fn verifier_with(keys: &[(&str, &str)]) -> Verifier {
    let scheme = Scheme::standard_webhooks();
    let mut iter = keys
        .iter()
        .map(|(id, text)| Key::new(id, scheme.parse_secret(text).unwrap()).unwrap());
    let mut keyring = Keyring::new(iter.next().unwrap()).unwrap();
    for key in iter {
        keyring = keyring.with_key(key).unwrap();
    }
    Verifier::new(scheme, keyring)
}

#[cfg(feature = "std")]
#[test]
fn rotation_round_trip_with_old_new_and_both() {
    let (secrets, old_text) = EndpointSecrets::generate("k1").unwrap();
    let old_text = old_text.expose_secret().to_owned();
    let rotated_at = at(T0);
    let overlap = Duration::from_secs(DAY);
    let (secrets, new_text) = secrets.rotate("k2", rotated_at, overlap).unwrap();
    let new_text = new_text.expose_secret().to_owned();
    assert_ne!(old_text, new_text);
    assert_eq!(secrets.keyring().primary().id(), "k2");

    let old_only = verifier_with(&[("k1", &old_text)]);
    let new_only = verifier_with(&[("k2", &new_text)]);
    let both = verifier_with(&[("k2", &new_text), ("k1", &old_text)]);
    let signer = Signer::new(Scheme::standard_webhooks(), secrets.keyring().clone());
    let delivery = Delivery::new(b"{}".to_vec()).unwrap();

    let check = |when: u64| {
        let attempt = delivery.sign_at(&signer, at(when)).unwrap();
        let headers: Vec<(&str, &str)> = attempt.iter().collect();
        [&old_only, &new_only, &both].map(|v| {
            v.verify_at(&headers[..], delivery.body(), at(when))
                .map(|ok| ok.key_id().as_str().to_owned())
        })
    };
    // Before the rotation, the new key does not sign yet.
    let before = check(T0 - 1);
    assert_eq!(before[0].as_deref(), Ok("k1"));
    assert_eq!(before[1], Err(VerifyError::NoMatchingSignature));
    // During the overlap, both sign: every receiver verifies.
    for when in [T0, T0 + HOUR, T0 + DAY] {
        let during = check(when);
        assert_eq!(during[0].as_deref(), Ok("k1"), "old-only at {when}");
        assert_eq!(during[1].as_deref(), Ok("k2"), "new-only at {when}");
        assert_eq!(during[2].as_deref(), Ok("k2"), "both at {when}");
    }
    // After it, only the new key signs.
    let after = check(T0 + DAY + 1);
    assert_eq!(after[0], Err(VerifyError::NoMatchingSignature));
    assert_eq!(after[1].as_deref(), Ok("k2"));
    assert_eq!(after[2].as_deref(), Ok("k2"));

    // Pruning drops the expired key; retiring removes one at once.
    assert_eq!(secrets.prune(at(T0 + DAY)).keyring().len(), 2);
    assert_eq!(secrets.prune(at(T0 + DAY + 1)).keyring().len(), 1);
    let retired = secrets.retire("k1").unwrap();
    assert_eq!(retired.keyring().len(), 1);
    let attempt = delivery
        .sign_at(
            &Signer::new(Scheme::standard_webhooks(), retired.keyring().clone()),
            at(T0),
        )
        .unwrap();
    let headers: Vec<(&str, &str)> = attempt.iter().collect();
    assert_eq!(
        old_only
            .verify_at(&headers[..], delivery.body(), at(T0))
            .unwrap_err(),
        VerifyError::NoMatchingSignature
    );
}

#[cfg(feature = "std")]
#[test]
fn lifecycle_errors() {
    let (secrets, _) = EndpointSecrets::generate("k1").unwrap();
    assert_eq!(
        secrets.retire("k1").unwrap_err(),
        ConfigError::RetiringPrimary
    );
    assert_eq!(secrets.retire("nope").unwrap_err(), ConfigError::UnknownKey);
    assert!(matches!(
        secrets
            .rotate("k1", at(T0), Duration::from_secs(60))
            .unwrap_err(),
        ConfigError::DuplicateKeyId
    ));
    assert!(matches!(
        EndpointSecrets::generate("bad id").unwrap_err(),
        ConfigError::InvalidKeyId
    ));
    // A second rotation shortens nothing that already ends sooner, and a full keyring refuses.
    let mut s = secrets;
    for i in 2..=16 {
        s = s
            .rotate(&format!("k{i}"), at(T0), Duration::from_secs(DAY))
            .unwrap()
            .0;
    }
    assert_eq!(s.keyring().len(), 16);
    assert!(matches!(
        s.rotate("k17", at(T0), Duration::from_secs(DAY))
            .unwrap_err(),
        ConfigError::TooManyKeys { .. }
    ));
    // After the overlap, pruning makes room.
    let s = s.prune(at(T0 + DAY + 1));
    assert_eq!(s.keyring().len(), 1);
    assert!(
        s.rotate("k17", at(T0 + DAY + 1), Duration::from_secs(DAY))
            .is_ok()
    );
    // Secrets never show key bytes.
    let shown = format!("{s:?}");
    assert!(shown.contains("k16") && !shown.contains("=="));
}

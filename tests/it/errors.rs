//! The error taxonomy: every error answers `status_code()`, `status()`, `retry_after()` and a
//! stable `code()`, and the codes read as one vocabulary.

use std::collections::HashSet;
use std::time::Duration;

use hookseal::idempotency::IdempotencyError;
use hookseal::replay::FreshError;
use hookseal::{
    ConfigError, HeaderKind, IdempotencyKeyReason, SecretError, SignError, StoreError,
    TimestampReason, VerifyError,
};

fn snake_case(code: &str) -> bool {
    !code.is_empty()
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !code.starts_with('_')
        && !code.ends_with('_')
}

/// The codes of one type's variants: each snake_case, no two alike.
fn distinct(codes: &[&'static str]) {
    let mut seen = HashSet::new();
    for code in codes {
        assert!(snake_case(code), "{code}");
        assert!(seen.insert(*code), "{code} twice");
    }
}

#[test]
fn verify_codes_are_stable_and_distinct() {
    let all = [
        VerifyError::MissingHeader(HeaderKind::Signature),
        VerifyError::DuplicateHeader(HeaderKind::Id),
        VerifyError::HeaderTooLong(HeaderKind::IdempotencyKey),
        VerifyError::MalformedHeader(HeaderKind::Timestamp),
        VerifyError::MissingTimestamp,
        VerifyError::DuplicateTimestamp,
        VerifyError::InvalidTimestamp(TimestampReason::LeadingZero),
        VerifyError::MissingSignature,
        VerifyError::TooManySignatures { max: 8 },
        VerifyError::MalformedSignature,
        VerifyError::InvalidId,
        VerifyError::AmbiguousId,
        VerifyError::TimestampTooOld,
        VerifyError::TimestampInFuture,
        VerifyError::NoMatchingSignature,
        VerifyError::NoActiveKey,
        VerifyError::ClockUnavailable,
        VerifyError::InvalidIdempotencyKey(IdempotencyKeyReason::Empty),
        VerifyError::UnsignedId,
        VerifyError::MissingField(HeaderKind::Timestamp),
        VerifyError::MalformedBody,
        VerifyError::MissingRequestLine,
        VerifyError::MissingPublicUrl,
        VerifyError::KeyUrlRefused,
        VerifyError::KeyUnavailable,
        VerifyError::InvalidFetchedKey,
    ];
    distinct(&all.iter().map(VerifyError::code).collect::<Vec<_>>());
    assert_eq!(
        VerifyError::NoMatchingSignature.code(),
        "signature_mismatch"
    );
    assert_eq!(VerifyError::TimestampTooOld.code(), "timestamp_too_old");
    assert_eq!(
        [
            VerifyError::KeyUrlRefused,
            VerifyError::KeyUnavailable,
            VerifyError::InvalidFetchedKey
        ]
        .map(|e| (e.code(), e.status_code())),
        [
            ("key_url_refused", 400),
            ("key_unavailable", 503),
            ("invalid_fetched_key", 502)
        ]
    );
    for e in &all {
        assert_eq!(e.status().as_u16(), e.status_code(), "{e}");
        // A 503 tells the sender when to come back; the others would get the same answer.
        assert_eq!(e.retry_after().is_some(), e.status_code() == 503, "{e}");
    }
}

#[test]
fn store_codes_and_answers() {
    let all = [
        StoreError::LeaseLost,
        StoreError::CapacityExceeded { capacity: 1 },
        StoreError::ResultTooLarge { max: 1 },
        StoreError::InvalidTtl {
            max: Duration::from_secs(1),
        },
        StoreError::RandomUnavailable,
        StoreError::EvictingStore {
            policy: "allkeys-lru".into(),
        },
        StoreError::Unavailable("down".into()),
    ];
    distinct(&all.iter().map(StoreError::code).collect::<Vec<_>>());
    assert_eq!(
        StoreError::Unavailable("down".into()).code(),
        "store_unavailable"
    );
    for e in &all {
        assert_eq!(e.status().as_u16(), e.status_code());
        // A 503 tells the sender when to come back; a 500 is a setting to fix.
        assert_eq!(e.retry_after().is_some(), e.status_code() == 503, "{e}");
    }
}

#[test]
fn wrappers_give_the_wrapped_code() {
    let fresh = FreshError::Rejected(VerifyError::NoMatchingSignature);
    assert_eq!(
        (fresh.code(), fresh.status_code()),
        ("signature_mismatch", 401)
    );
    let fresh = FreshError::Rejected(VerifyError::KeyUnavailable);
    assert_eq!(
        (fresh.code(), fresh.status_code()),
        ("key_unavailable", 503)
    );
    assert_eq!(fresh.retry_after(), Some(Duration::from_secs(10)));
    let fresh = FreshError::Store(StoreError::CapacityExceeded { capacity: 1 });
    assert_eq!((fresh.code(), fresh.status_code()), ("store_full", 503));
    assert_eq!(fresh.retry_after(), Some(Duration::from_secs(5)));
    let in_progress = FreshError::InProgress {
        retry_after: Duration::from_secs(7),
    };
    assert_eq!(in_progress.code(), "in_progress");
    assert_eq!(in_progress.retry_after(), Some(Duration::from_secs(7)));
    assert_eq!(FreshError::Replayed.code(), "replayed");

    // The same idea has the same code whichever layer reports it.
    let idem: IdempotencyError<std::io::Error> = IdempotencyError::InProgress {
        retry_after: Duration::from_secs(7),
    };
    assert_eq!(idem.code(), in_progress.code());
    assert_eq!(idem.status(), in_progress.status());
    let idem: IdempotencyError<std::io::Error> =
        IdempotencyError::Store(StoreError::Unavailable("down".into()));
    assert_eq!(idem.code(), "store_unavailable");
    assert_eq!(
        IdempotencyError::<()>::Mismatch.code(),
        "idempotency_mismatch"
    );

    let config = ConfigError::Secret(SecretError::Empty);
    assert_eq!(config.code(), SecretError::Empty.code());
}

#[test]
fn configuration_and_signing_are_the_callers_own() {
    for e in [
        ConfigError::InvalidKeyId,
        ConfigError::InvalidRetrySteps,
        ConfigError::NotHttps,
    ] {
        assert_eq!((e.status_code(), e.retry_after()), (500, None));
        assert!(snake_case(e.code()));
    }
    assert_eq!(SecretError::InvalidBase64.code(), "invalid_base64");
    assert_eq!(SignError::MissingId.code(), "missing_id");
    assert_eq!(SignError::MissingId.status_code(), 500);
}

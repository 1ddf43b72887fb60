//! Observability (features `tracing` and `metrics`): a span and an event for each verification
//! and each store operation, and counters and latency histograms with bounded labels. Nothing
//! secret is ever recorded: no key, no signature or tag, no header value, no delivery id, no body
//! byte — only the names below and the lengths, codes and ids they list.
//!
//! # What is observed
//!
//! - **Verifications**: every call of [`Verifier::verify`](crate::Verifier::verify) and
//!   [`Verifier::verify_at`](crate::Verifier::verify_at), and so every request the tower layer
//!   and [`Verifier::verify_fresh`](crate::Verifier::verify_fresh) verify: one record each.
//! - **Key loads**: [`Verifier::load_key`](crate::Verifier::load_key), for verifiers that fetch
//!   their keys (feature `x509`); nothing for verifiers that hold them.
//! - **Store operations**, as the crate makes them: the replay reservation of
//!   [`Verifier::verify_fresh`](crate::Verifier::verify_fresh) and its
//!   [`commit`](crate::replay::Pending::commit) or [`release`](crate::replay::Pending::release),
//!   and the `begin`, `complete` and `release` of
//!   [`Idempotency::run`](crate::idempotency::Idempotency::run) and of the Postgres store's
//!   `begin_in`, `complete_in` and `release_in` (feature `postgres`). A release made without
//!   waiting (a dropped reservation or lease, a handler that panicked) is recorded as
//!   `release_detached`, outcome `detached`. Calls your own code makes on a
//!   [`ReplayCache`](crate::replay::ReplayCache) or an
//!   [`IdempotencyStore`](crate::idempotency::IdempotencyStore) directly are not recorded.
//! - **Fail-open**: each reservation [`dangerous::FailOpen`](crate::dangerous::FailOpen) grants
//!   while its store is unavailable.
//!
//! # `tracing` spans and events (feature `tracing`)
//!
//! All under target `hookseal`.
//!
//! | span (level) | fields |
//! |---|---|
//! | `verify` (INFO) | `scheme`, `body_len`; then `outcome` (`verified` or `refused`), and `key_id` (verified) or `code` (refused) |
//! | `load_key` (INFO) | `scheme`; then `outcome` (`loaded` or `refused`) and `code` (refused) |
//! | `store` (DEBUG) | `store` (the store's [`kind`](crate::replay::ReplayCache::kind): `memory`, `redis`, …), `op`; then `outcome` and `code` (error) |
//!
//! Each span holds one event with the same outcome fields, so that logs show the answer:
//! `webhook verified` (DEBUG), `webhook refused` (INFO), `webhook keys loaded` (DEBUG),
//! `webhook keys refused` (INFO) and `store operation`: WARN for an error, INFO for an answer
//! that refuses the request (`replayed`, `in_progress`, `mismatch`), DEBUG otherwise. A
//! reservation granted by `FailOpen` is a WARN event `replay store unavailable, accepted without
//! a replay check (fail open)` with `store` and `code`.
//!
//! Store operations and their outcomes:
//!
//! | op | outcomes |
//! |---|---|
//! | `reserve` (replay) | `fresh`, `in_progress`, `replayed`, `error` |
//! | `commit`, `release` (replay) | `ok`, `error` |
//! | `begin` (idempotency) | `started`, `in_progress`, `completed`, `mismatch`, `error` |
//! | `complete`, `release` (idempotency) | `ok`, `error` |
//! | `release_detached` (both) | `detached` |
//!
//! `code` is the error's stable [`code()`](crate::VerifyError::code) (for store errors,
//! [`StoreError::code`](crate::StoreError::code)).
//!
//! # `metrics` (feature `metrics`)
//!
//! Recorded through the [`metrics`](https://docs.rs/metrics) facade: install the recorder of
//! your exporter (Prometheus, StatsD, …); without one nothing is recorded.
//!
//! | name | kind | labels |
//! |---|---|---|
//! | `hookseal_verifications_total` | counter | `scheme`, `outcome`, and `key_id` (verified) or `code` (refused) |
//! | `hookseal_verification_duration_seconds` | histogram | `scheme`, `outcome` |
//! | `hookseal_key_loads_total` | counter | `scheme`, `outcome`, `code` (refused) |
//! | `hookseal_store_operations_total` | counter | `store`, `op`, `outcome`, `code` (error) |
//! | `hookseal_store_operation_duration_seconds` | histogram | `store`, `op`, `outcome` |
//! | `hookseal_replay_failed_open_total` | counter | `store`, `code` |
//!
//! A label that does not apply to an outcome (the `code` of a verified request, the `key_id` of a
//! refused one) is left out rather than set empty. The durations are in seconds, measured with
//! [`std::time::Instant`] around the call (without the feature, no clock is read).
//!
//! Every label is bounded: `scheme` is a preset's name or one you chose; `outcome`, `op` and
//! `code` come from the fixed lists above and the errors' codes; `store` is a store's `kind`,
//! fixed text; `key_id` is the id of a key you configured. Keys a verifier fetches (certificates,
//! key sets named by a provider) are labelled `key_id="fetched"`, since their ids are the
//! provider's and change as it rotates them (the tracing field gives the real id). Name your
//! keys by their role or generation (`current`, `2024-06`), not by tenant: each key id is one
//! series. [`describe_metrics`] gives each metric its unit and a description.
//!
//! # What it costs
//!
//! Without the features the verify path is unchanged: no clock read, no allocation. With
//! `tracing` and no subscriber interested, each record is a check of the span's and events'
//! levels. With `metrics`, each verification or store operation reads the monotonic clock twice
//! and builds its metric keys (their label lists and the scheme name and key id are allocated,
//! a few small allocations, whether or not a recorder is installed), plus what the recorder does.

use crate::error::StoreError;
#[cfg(any(feature = "tracing", feature = "metrics"))]
use crate::error::VerifyError;
#[cfg(any(feature = "tracing", feature = "metrics"))]
use crate::scheme::Scheme;
#[cfg(any(feature = "tracing", feature = "metrics"))]
use crate::verify::Verified;

/// The name of the verification counter.
#[cfg(feature = "metrics")]
pub const VERIFICATIONS_TOTAL: &str = "hookseal_verifications_total";
/// The name of the verification latency histogram, in seconds.
#[cfg(feature = "metrics")]
pub const VERIFICATION_DURATION_SECONDS: &str = "hookseal_verification_duration_seconds";
/// The name of the key load counter (verifiers that fetch their keys).
#[cfg(feature = "metrics")]
pub const KEY_LOADS_TOTAL: &str = "hookseal_key_loads_total";
/// The name of the store operation counter.
#[cfg(feature = "metrics")]
pub const STORE_OPERATIONS_TOTAL: &str = "hookseal_store_operations_total";
/// The name of the store operation latency histogram, in seconds.
#[cfg(feature = "metrics")]
pub const STORE_OPERATION_DURATION_SECONDS: &str = "hookseal_store_operation_duration_seconds";
/// The name of the counter of reservations granted by
/// [`dangerous::FailOpen`](crate::dangerous::FailOpen) while its store was unavailable.
#[cfg(feature = "metrics")]
pub const REPLAY_FAILED_OPEN_TOTAL: &str = "hookseal_replay_failed_open_total";

/// Describes the crate's metrics to the installed recorder: each one's unit and a one-line
/// description (Prometheus's `# HELP`). Call it once, after installing the recorder; the metrics
/// are recorded whether or not it is called.
///
/// ```
/// // After installing your exporter's recorder:
/// hookseal::observe::describe_metrics();
/// ```
#[cfg(feature = "metrics")]
pub fn describe_metrics() {
    use metrics::{Unit, describe_counter, describe_histogram};
    describe_counter!(
        VERIFICATIONS_TOTAL,
        Unit::Count,
        "Webhook requests verified or refused, by scheme, outcome, key id and error code."
    );
    describe_histogram!(
        VERIFICATION_DURATION_SECONDS,
        Unit::Seconds,
        "Time spent verifying a webhook request, by scheme and outcome."
    );
    describe_counter!(
        KEY_LOADS_TOTAL,
        Unit::Count,
        "Loads of the provider keys a request names, by scheme, outcome and error code."
    );
    describe_counter!(
        STORE_OPERATIONS_TOTAL,
        Unit::Count,
        "Replay cache and idempotency store operations, by store, operation, outcome and code."
    );
    describe_histogram!(
        STORE_OPERATION_DURATION_SECONDS,
        Unit::Seconds,
        "Time spent in a replay cache or idempotency store operation."
    );
    describe_counter!(
        REPLAY_FAILED_OPEN_TOTAL,
        Unit::Count,
        "Replay reservations granted without a replay check because the store was unavailable."
    );
}

/// Runs `verify`, one verification of a `body_len`-byte body under `scheme`. Without the
/// features: `verify()`, nothing else.
#[cfg(not(any(feature = "tracing", feature = "metrics")))]
#[inline(always)]
pub(crate) fn verification<T>(
    _scheme: &crate::scheme::Scheme,
    _body_len: usize,
    verify: impl FnOnce() -> T,
) -> T {
    verify()
}

/// Runs `verify`, one verification of a `body_len`-byte body under `scheme`, in a `verify` span,
/// and records its outcome.
#[cfg(any(feature = "tracing", feature = "metrics"))]
pub(crate) fn verification<'a>(
    scheme: &Scheme,
    body_len: usize,
    verify: impl FnOnce() -> Result<Verified<'a>, VerifyError>,
) -> Result<Verified<'a>, VerifyError> {
    #[cfg(feature = "tracing")]
    let span = tracing::info_span!(
        target: "hookseal",
        "verify",
        scheme = scheme.name(),
        body_len,
        outcome = tracing::field::Empty,
        key_id = tracing::field::Empty,
        code = tracing::field::Empty,
    );
    #[cfg(feature = "tracing")]
    let _entered = span.enter();
    #[cfg(not(feature = "tracing"))]
    let _ = body_len;
    #[cfg(feature = "metrics")]
    let started = std::time::Instant::now();

    let result = verify();

    #[cfg(feature = "tracing")]
    match &result {
        Ok(verified) => {
            let key_id = verified.key_id().as_str();
            tracing::debug!(target: "hookseal", outcome = "verified", key_id, "webhook verified");
            span.record("outcome", "verified");
            span.record("key_id", key_id);
        }
        Err(error) => {
            let code = error.code();
            tracing::info!(target: "hookseal", outcome = "refused", code, "webhook refused");
            span.record("outcome", "refused");
            span.record("code", code);
        }
    }
    #[cfg(feature = "metrics")]
    {
        let elapsed = started.elapsed().as_secs_f64();
        let scheme = scheme.name();
        match &result {
            Ok(verified) => {
                let key_id = match verified.key_is_fetched() {
                    true => FETCHED_KEY_ID.to_owned(),
                    false => verified.key_id().as_str().to_owned(),
                };
                metrics::counter!(
                    VERIFICATIONS_TOTAL,
                    "scheme" => scheme.to_owned(),
                    "outcome" => "verified",
                    "key_id" => key_id
                )
                .increment(1);
            }
            Err(error) => {
                metrics::counter!(
                    VERIFICATIONS_TOTAL,
                    "scheme" => scheme.to_owned(),
                    "outcome" => "refused",
                    "code" => error.code()
                )
                .increment(1);
            }
        }
        let outcome = if result.is_ok() {
            "verified"
        } else {
            "refused"
        };
        metrics::histogram!(
            VERIFICATION_DURATION_SECONDS,
            "scheme" => scheme.to_owned(),
            "outcome" => outcome
        )
        .record(elapsed);
    }
    result
}

/// Without the features: `load` itself.
#[cfg(all(feature = "x509", not(any(feature = "tracing", feature = "metrics"))))]
#[inline(always)]
pub(crate) fn key_load<F>(_scheme: &crate::scheme::Scheme, load: F) -> F {
    load
}

/// Awaits `load`, the loading of the keys a request names under `scheme`, in a `load_key` span,
/// and records its outcome.
#[cfg(all(feature = "x509", any(feature = "tracing", feature = "metrics")))]
pub(crate) async fn key_load(
    scheme: &Scheme,
    load: impl Future<Output = Result<(), VerifyError>>,
) -> Result<(), VerifyError> {
    #[cfg(feature = "tracing")]
    let span = tracing::info_span!(
        target: "hookseal",
        "load_key",
        scheme = scheme.name(),
        outcome = tracing::field::Empty,
        code = tracing::field::Empty,
    );
    #[cfg(feature = "tracing")]
    let result = tracing::Instrument::instrument(load, span.clone()).await;
    #[cfg(not(feature = "tracing"))]
    let result = load.await;

    #[cfg(feature = "tracing")]
    {
        let _entered = span.enter();
        match &result {
            Ok(()) => {
                tracing::debug!(target: "hookseal", outcome = "loaded", "webhook keys loaded");
                span.record("outcome", "loaded");
            }
            Err(error) => {
                let code = error.code();
                tracing::info!(target: "hookseal", outcome = "refused", code, "webhook keys refused");
                span.record("outcome", "refused");
                span.record("code", code);
            }
        }
    }
    #[cfg(feature = "metrics")]
    match &result {
        Ok(()) => metrics::counter!(
            KEY_LOADS_TOTAL,
            "scheme" => scheme.name().to_owned(),
            "outcome" => "loaded"
        )
        .increment(1),
        Err(error) => metrics::counter!(
            KEY_LOADS_TOTAL,
            "scheme" => scheme.name().to_owned(),
            "outcome" => "refused",
            "code" => error.code()
        )
        .increment(1),
    }
    result
}

/// Without the features: `operation` itself.
#[cfg(not(any(feature = "tracing", feature = "metrics")))]
#[inline(always)]
pub(crate) fn store_operation<T, F>(
    _store: &'static str,
    _op: &'static str,
    _answer: fn(&T) -> &'static str,
    operation: F,
) -> F
where
    F: Future<Output = Result<T, StoreError>>,
{
    operation
}

/// `operation`, one operation `op` on a store of kind `store`, in a `store` span, recording its
/// outcome: `answer` names a success (`ok`, or the store's answer), and an error is `error` with
/// its code.
#[cfg(any(feature = "tracing", feature = "metrics"))]
pub(crate) async fn store_operation<T, F>(
    store: &'static str,
    op: &'static str,
    answer: fn(&T) -> &'static str,
    operation: F,
) -> Result<T, StoreError>
where
    F: Future<Output = Result<T, StoreError>>,
{
    #[cfg(feature = "tracing")]
    let span = tracing::debug_span!(
        target: "hookseal",
        "store",
        store,
        op,
        outcome = tracing::field::Empty,
        code = tracing::field::Empty,
    );
    #[cfg(feature = "metrics")]
    let started = std::time::Instant::now();
    #[cfg(feature = "tracing")]
    let result = tracing::Instrument::instrument(operation, span.clone()).await;
    #[cfg(not(feature = "tracing"))]
    let result = operation.await;

    let (outcome, code) = match &result {
        Ok(value) => (answer(value), None),
        Err(error) => ("error", Some(error.code())),
    };
    #[cfg(feature = "tracing")]
    {
        let _entered = span.enter();
        store_event(store, op, outcome, code);
        span.record("outcome", outcome);
        if let Some(code) = code {
            span.record("code", code);
        }
    }
    #[cfg(feature = "metrics")]
    store_metrics(
        store,
        op,
        outcome,
        code,
        Some(started.elapsed().as_secs_f64()),
    );
    result
}

/// Records a release handed to a store of kind `store` without waiting for its answer.
#[cfg_attr(not(any(feature = "tracing", feature = "metrics")), inline(always))]
pub(crate) fn detached_release(store: &'static str) {
    #[cfg(feature = "tracing")]
    {
        let span = tracing::debug_span!(
            target: "hookseal",
            "store",
            store,
            op = "release_detached",
            outcome = "detached",
        );
        let _entered = span.enter();
        store_event(store, "release_detached", "detached", None);
    }
    #[cfg(feature = "metrics")]
    store_metrics(store, "release_detached", "detached", None, None);
    #[cfg(not(any(feature = "tracing", feature = "metrics")))]
    let _ = store;
}

/// Records a reservation granted by `FailOpen` because its store of kind `store` failed with
/// `error`.
#[cfg(feature = "std")]
#[cfg_attr(not(any(feature = "tracing", feature = "metrics")), inline(always))]
pub(crate) fn failed_open(store: &'static str, error: &StoreError) {
    #[cfg(feature = "tracing")]
    tracing::warn!(
        target: "hookseal",
        store,
        code = error.code(),
        "replay store unavailable, accepted without a replay check (fail open)"
    );
    #[cfg(feature = "metrics")]
    metrics::counter!(
        REPLAY_FAILED_OPEN_TOTAL,
        "store" => store,
        "code" => error.code()
    )
    .increment(1);
    #[cfg(not(any(feature = "tracing", feature = "metrics")))]
    let _ = (store, error);
}

/// The `store operation` event: WARN for an error, INFO for an answer that refuses the request,
/// DEBUG otherwise.
#[cfg(feature = "tracing")]
fn store_event(
    store: &'static str,
    op: &'static str,
    outcome: &'static str,
    code: Option<&'static str>,
) {
    let code = code.unwrap_or_default();
    match outcome {
        "error" => {
            tracing::warn!(target: "hookseal", store, op, outcome, code, "store operation");
        }
        "replayed" | "in_progress" | "mismatch" => {
            tracing::info!(target: "hookseal", store, op, outcome, "store operation");
        }
        _ => tracing::debug!(target: "hookseal", store, op, outcome, "store operation"),
    }
}

/// The store operation counter and, when timed, its latency.
#[cfg(feature = "metrics")]
fn store_metrics(
    store: &'static str,
    op: &'static str,
    outcome: &'static str,
    code: Option<&'static str>,
    seconds: Option<f64>,
) {
    match code {
        Some(code) => metrics::counter!(
            STORE_OPERATIONS_TOTAL,
            "store" => store,
            "op" => op,
            "outcome" => outcome,
            "code" => code
        )
        .increment(1),
        None => metrics::counter!(
            STORE_OPERATIONS_TOTAL,
            "store" => store,
            "op" => op,
            "outcome" => outcome
        )
        .increment(1),
    }
    if let Some(seconds) = seconds {
        metrics::histogram!(
            STORE_OPERATION_DURATION_SECONDS,
            "store" => store,
            "op" => op,
            "outcome" => outcome
        )
        .record(seconds);
    }
}

/// The `key_id` label of keys a verifier fetched.
#[cfg(feature = "metrics")]
const FETCHED_KEY_ID: &str = "fetched";

//! What features `tracing` and `metrics` record, captured by a subscriber and a recorder written
//! here: one `verify` span and event for a pass and for each kind of refusal, one `store` span
//! and event for each replay and idempotency store operation (answers and failures), and the
//! counters and histograms beside them; and that no key, tag, header value, delivery id or body
//! byte appears in any name, field, label or message recorded.
//!
//! Each test installs both for its own thread alone (`tracing::subscriber::with_default`,
//! `metrics::with_local_recorder`) and drives async code on a current-thread runtime, so tests
//! running side by side do not see each other's records.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hookseal::idempotency::{
    Begin, Fingerprint, Idempotency, IdempotencyError, IdempotencyKey, IdempotencyStore, Lease,
    MemoryIdempotencyStore, Processed, Scope, ScopedKey,
};
use hookseal::replay::{
    FreshError, MemoryReplayCache, ReplayCache, Reservation, Reserve, StoreError,
};
use hookseal::{Key, Keyring, ManualClock, Scheme, Signer, Timestamp, Verifier, dangerous};
use metrics::{Counter, Gauge, Histogram, KeyName, Metadata, Recorder, SharedString, Unit};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Subscriber};

// The Standard Webhooks reference delivery, as the standard's own test suite signs and checks it
// (standard-webhooks/standard-webhooks, libraries/python/tests/test_webhooks.py:
// `test_sign_function`, and `test_invalid_signature_raises_error` for the altered signature).
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const TS: u64 = 1_614_265_330;
const BODY: &[u8] = br#"{"test": 2432232314}"#;
const SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
const ALTERED_SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=";

/// A body no field or label could hold by chance, for the requests signed here.
const MARKED_BODY: &[u8] = br#"{"type":"invoice.paid","note":"QX7-ZEBRA-PLUM-4411"}"#;
const MARKED_ID: &str = "msg_Obs3rvab1lity9Id";

/// The id the verifier gives the reference key: a configured label, recorded.
const KEY_ID: &str = "current";

fn scheme() -> Scheme {
    Scheme::standard_webhooks()
}

fn keyring() -> Keyring {
    let secret = scheme().parse_secret(SECRET).unwrap();
    Keyring::new(Key::new(KEY_ID, secret).unwrap()).unwrap()
}

fn verifier() -> Verifier<ManualClock> {
    Verifier::new(scheme(), keyring()).with_clock(ManualClock::new(Timestamp::from_unix_secs(TS)))
}

fn headers(signature: &str) -> Vec<(&'static str, String)> {
    vec![
        ("webhook-id", ID.to_owned()),
        ("webhook-timestamp", TS.to_string()),
        ("webhook-signature", signature.to_owned()),
    ]
}

/// The marked body's headers, signed with the reference key at `TS`.
fn marked_headers() -> Vec<(String, String)> {
    let signer = Signer::new(scheme(), keyring());
    let signed = signer
        .sign_at(Some(MARKED_ID), MARKED_BODY, Timestamp::from_unix_secs(TS))
        .unwrap();
    signed
        .iter()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// What was recorded.

/// A span: its name, target, level, and every field given or recorded later.
#[derive(Debug, Clone)]
struct SpanRec {
    name: &'static str,
    target: String,
    level: Level,
    fields: BTreeMap<String, String>,
}

/// An event: its message, level, fields, and the span it happened in.
#[derive(Debug, Clone)]
struct EventRec {
    message: String,
    target: String,
    level: Level,
    fields: BTreeMap<String, String>,
    span: Option<u64>,
}

/// A metric update: counter or histogram, its name, labels and value.
#[derive(Debug, Clone, PartialEq)]
struct MetricRec {
    kind: &'static str,
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

#[derive(Debug, Default)]
struct Captured {
    spans: BTreeMap<u64, SpanRec>,
    events: Vec<EventRec>,
    metrics: Vec<MetricRec>,
    /// Descriptions given to the recorder.
    described: Vec<String>,
}

impl Captured {
    /// The spans named `name`, in creation order.
    fn spans(&self, name: &str) -> Vec<&SpanRec> {
        self.spans.values().filter(|s| s.name == name).collect()
    }

    /// The events that happened in the span `span` (by its position among `name` spans).
    fn events_in(&self, name: &str, index: usize) -> Vec<&EventRec> {
        let id = self
            .spans
            .iter()
            .filter(|(_, s)| s.name == name)
            .nth(index)
            .map(|(id, _)| *id);
        self.events.iter().filter(|e| e.span == id).collect()
    }

    fn metric(&self, kind: &str, name: &str) -> Vec<&MetricRec> {
        self.metrics
            .iter()
            .filter(|m| m.kind == kind && m.name == name)
            .collect()
    }

    /// Everything recorded, as text: every name, target, field name and value, message, metric
    /// name, label and description.
    fn all_text(&self) -> String {
        let mut out = String::new();
        for s in self.spans.values() {
            out.push_str(&format!("{} {} {:?}\n", s.name, s.target, s.fields));
        }
        for e in &self.events {
            out.push_str(&format!("{} {} {:?}\n", e.message, e.target, e.fields));
        }
        for m in &self.metrics {
            out.push_str(&format!("{} {:?} {}\n", m.name, m.labels, m.value));
        }
        for d in &self.described {
            out.push_str(d);
            out.push('\n');
        }
        out
    }
}

/// Field values as text: `str` values as they are, others by `Debug`.
struct Fields<'a>(&'a mut BTreeMap<String, String>, &'a mut Option<String>);

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, value.to_owned());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.put(field, format!("{value:?}"));
    }
}

impl Fields<'_> {
    fn put(&mut self, field: &Field, value: String) {
        if field.name() == "message" {
            *self.1 = Some(value);
        } else {
            self.0.insert(field.name().to_owned(), value);
        }
    }
}

/// A `tracing` subscriber that records every span and event, at every level.
#[derive(Clone, Default)]
struct Capture {
    log: Arc<Mutex<Captured>>,
    stack: Arc<Mutex<Vec<u64>>>,
    next: Arc<AtomicU64>,
}

impl Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let mut fields = BTreeMap::new();
        let mut message = None;
        span.record(&mut Fields(&mut fields, &mut message));
        let meta = span.metadata();
        self.log.lock().unwrap().spans.insert(
            id,
            SpanRec {
                name: meta.name(),
                target: meta.target().to_owned(),
                level: *meta.level(),
                fields,
            },
        );
        Id::from_u64(id)
    }

    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut log = self.log.lock().unwrap();
        let rec = log.spans.get_mut(&span.into_u64()).unwrap();
        let mut message = None;
        values.record(&mut Fields(&mut rec.fields, &mut message));
    }

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut fields = BTreeMap::new();
        let mut message = None;
        event.record(&mut Fields(&mut fields, &mut message));
        let span = match event.parent() {
            Some(id) => Some(id.into_u64()),
            None if event.is_contextual() => self.stack.lock().unwrap().last().copied(),
            None => None,
        };
        self.log.lock().unwrap().events.push(EventRec {
            message: message.unwrap_or_default(),
            target: event.metadata().target().to_owned(),
            level: *event.metadata().level(),
            fields,
            span,
        });
    }

    fn enter(&self, span: &Id) {
        self.stack.lock().unwrap().push(span.into_u64());
    }

    fn exit(&self, span: &Id) {
        let mut stack = self.stack.lock().unwrap();
        let at = stack.iter().rposition(|id| *id == span.into_u64()).unwrap();
        stack.remove(at);
    }
}

/// A `metrics` recorder that records every counter increment and histogram value.
#[derive(Clone, Default)]
struct Metrics {
    log: Arc<Mutex<Captured>>,
}

/// One registered counter or histogram, recording into the log.
struct Handle {
    kind: &'static str,
    key: metrics::Key,
    log: Arc<Mutex<Captured>>,
}

impl Handle {
    fn push(&self, value: f64) {
        self.log.lock().unwrap().metrics.push(MetricRec {
            kind: self.kind,
            name: self.key.name().to_owned(),
            labels: self
                .key
                .labels()
                .map(|l| (l.key().to_owned(), l.value().to_owned()))
                .collect(),
            value,
        });
    }
}

impl metrics::CounterFn for Handle {
    fn increment(&self, value: u64) {
        self.push(value as f64);
    }

    fn absolute(&self, _: u64) {
        panic!("the crate sets no counter to an absolute value");
    }
}

impl metrics::HistogramFn for Handle {
    fn record(&self, value: f64) {
        self.push(value);
    }
}

impl Metrics {
    fn describe(&self, key: KeyName, unit: Option<Unit>, description: SharedString) {
        self.log.lock().unwrap().described.push(format!(
            "{} {unit:?} {}",
            key.as_str(),
            &*description
        ));
    }

    fn handle(&self, kind: &'static str, key: &metrics::Key) -> Arc<Handle> {
        Arc::new(Handle {
            kind,
            key: key.clone(),
            log: Arc::clone(&self.log),
        })
    }
}

impl Recorder for Metrics {
    fn describe_counter(&self, key: KeyName, unit: Option<Unit>, description: SharedString) {
        self.describe(key, unit, description);
    }

    fn describe_gauge(&self, key: KeyName, unit: Option<Unit>, description: SharedString) {
        self.describe(key, unit, description);
    }

    fn describe_histogram(&self, key: KeyName, unit: Option<Unit>, description: SharedString) {
        self.describe(key, unit, description);
    }

    fn register_counter(&self, key: &metrics::Key, _: &Metadata<'_>) -> Counter {
        Counter::from_arc(self.handle("counter", key))
    }

    fn register_gauge(&self, _: &metrics::Key, _: &Metadata<'_>) -> Gauge {
        panic!("the crate records no gauge");
    }

    fn register_histogram(&self, key: &metrics::Key, _: &Metadata<'_>) -> Histogram {
        Histogram::from_arc(self.handle("histogram", key))
    }
}

/// Runs `f` with a fresh subscriber and recorder installed for this thread, async code in it on
/// a current-thread runtime; returns what `f` returned and what was recorded.
fn capture<T>(f: impl AsyncFnOnce() -> T) -> (T, Captured) {
    let log = Arc::new(Mutex::new(Captured::default()));
    let subscriber = Capture {
        log: Arc::clone(&log),
        ..Capture::default()
    };
    let recorder = Metrics {
        log: Arc::clone(&log),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let out = tracing::subscriber::with_default(subscriber, || {
        metrics::with_local_recorder(&recorder, || runtime.block_on(f()))
    });
    let captured = std::mem::take(&mut *log.lock().unwrap());
    // Nothing recorded may hold a secret, whatever the test.
    assert_no_secret(&captured);
    (out, captured)
}

/// Labels from pairs.
fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Verifications.

/// One verification's records: its span's fields, its one event, its counter and histogram.
fn assert_verification(
    c: &Captured,
    outcome: &str,
    // `key_id` for a pass, `code` for a refusal.
    detail: (&str, &str),
    body_len: usize,
) {
    let spans = c.spans("verify");
    assert_eq!(spans.len(), 1, "{spans:?}");
    let span = spans[0];
    assert_eq!(
        (span.target.as_str(), span.level),
        ("hookseal", Level::INFO)
    );
    let expected = labels(&[
        ("scheme", "standard-webhooks"),
        ("body_len", &body_len.to_string()),
        ("outcome", outcome),
        detail,
    ]);
    assert_eq!(span.fields, expected);

    let events = c.events_in("verify", 0);
    assert_eq!(events.len(), 1, "{events:?}");
    let (message, level) = match outcome {
        "verified" => ("webhook verified", Level::DEBUG),
        _ => ("webhook refused", Level::INFO),
    };
    assert_eq!(
        (events[0].message.as_str(), events[0].level),
        (message, level)
    );
    assert_eq!(events[0].target, "hookseal");
    assert_eq!(events[0].fields, labels(&[("outcome", outcome), detail]));

    let counted = c.metric("counter", "hookseal_verifications_total");
    let counter_labels = labels(&[
        ("scheme", "standard-webhooks"),
        ("outcome", outcome),
        detail,
    ]);
    assert_eq!(counted.len(), 1, "{counted:?}");
    assert_eq!(
        (&counted[0].labels, counted[0].value),
        (&counter_labels, 1.0)
    );

    let timed = c.metric("histogram", "hookseal_verification_duration_seconds");
    assert_eq!(timed.len(), 1, "{timed:?}");
    assert_eq!(
        timed[0].labels,
        labels(&[("scheme", "standard-webhooks"), ("outcome", outcome)])
    );
    assert!((0.0..1.0).contains(&timed[0].value), "{}", timed[0].value);
}

#[test]
fn a_pass_records_the_scheme_key_id_and_body_length() {
    let (result, c) = capture(async || {
        verifier()
            .verify(&headers(SIGNATURE), BODY)
            .map(|v| v.key_id().to_string())
    });
    assert_eq!(result.unwrap(), KEY_ID);
    assert_verification(&c, "verified", ("key_id", KEY_ID), BODY.len());
    assert!(c.spans("store").is_empty());
}

#[test]
fn each_refusal_records_its_code() {
    let stale_now = Timestamp::from_unix_secs(TS + 301);
    // What is wrong, the request's headers, when it is verified (now, by default), its code.
    type Case = (
        &'static str,
        Vec<(&'static str, String)>,
        Option<Timestamp>,
        &'static str,
    );
    let cases: Vec<Case> = vec![
        (
            "a signature that does not match",
            headers(ALTERED_SIGNATURE),
            None,
            "signature_mismatch",
        ),
        (
            "a timestamp older than the window",
            headers(SIGNATURE),
            Some(stale_now),
            "timestamp_too_old",
        ),
        (
            "no signature header",
            headers(SIGNATURE)
                .into_iter()
                .filter(|(n, _)| *n != "webhook-signature")
                .collect(),
            None,
            "missing_header",
        ),
        (
            "a signature header without its version's comma",
            headers(&SIGNATURE.replacen(',', "", 1)),
            None,
            "malformed_header",
        ),
        (
            "a timestamp that is not digits (the standard's `hello`)",
            headers(SIGNATURE)
                .into_iter()
                .map(|(n, v)| match n {
                    "webhook-timestamp" => (n, "hello".to_owned()),
                    _ => (n, v),
                })
                .collect(),
            None,
            "invalid_timestamp",
        ),
    ];
    for (what, headers, at, code) in cases {
        let (result, c) = capture(async || {
            let v = verifier();
            match at {
                Some(now) => v.verify_at(&headers, BODY, now).map(drop),
                None => v.verify(&headers, BODY).map(drop),
            }
        });
        assert_eq!(result.unwrap_err().code(), code, "{what}");
        assert_verification(&c, "refused", ("code", code), BODY.len());
    }
}

// ---------------------------------------------------------------------------------------------
// Replay cache operations.

/// The one `store` span at `index`: its fields, and its one event's level and fields.
fn assert_store_op(c: &Captured, index: usize, fields: &[(&str, &str)], level: Level) {
    let spans = c.spans("store");
    let span = spans[index];
    assert_eq!(
        (span.target.as_str(), span.level),
        ("hookseal", Level::DEBUG)
    );
    assert_eq!(span.fields, labels(fields), "store span {index}");
    let events: Vec<_> = (c.events_in("store", index).into_iter())
        .filter(|e| e.message == "store operation")
        .collect();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].level, level, "{fields:?}");
    assert_eq!(events[0].fields, labels(fields));
}

/// The store operation counter's updates, as label sets, in order; and that each timed one has
/// its histogram value.
fn store_counts(c: &Captured) -> Vec<BTreeMap<String, String>> {
    let counted = c.metric("counter", "hookseal_store_operations_total");
    assert!(counted.iter().all(|m| m.value == 1.0));
    counted.into_iter().map(|m| m.labels.clone()).collect()
}

fn store_timings(c: &Captured) -> Vec<BTreeMap<String, String>> {
    c.metric("histogram", "hookseal_store_operation_duration_seconds")
        .into_iter()
        .map(|m| m.labels.clone())
        .collect()
}

#[test]
fn a_replay_is_recorded_as_the_reservation_answer() {
    let marked = marked_headers();
    let (answers, c) = capture(async || {
        let v = verifier();
        let cache = MemoryReplayCache::for_verifier(&v, 100).unwrap();
        let (_, pending) = v.verify_fresh(&marked, MARKED_BODY, &cache).await.unwrap();
        pending.commit().await.unwrap();
        let replayed = v.verify_fresh(&marked, MARKED_BODY, &cache).await;
        replayed.map(drop).unwrap_err()
    });
    assert!(matches!(answers, FreshError::Replayed));
    assert_eq!(answers.code(), "replayed");

    // Both requests verified; the second was refused by the cache.
    let verified = c.spans("verify");
    assert_eq!(verified.len(), 2);
    assert!(verified.iter().all(|s| s.fields["outcome"] == "verified"));
    assert_eq!(c.spans("store").len(), 3);
    let op = |op, outcome| [("store", "memory"), ("op", op), ("outcome", outcome)];
    assert_store_op(&c, 0, &op("reserve", "fresh"), Level::DEBUG);
    assert_store_op(&c, 1, &op("commit", "ok"), Level::DEBUG);
    assert_store_op(&c, 2, &op("reserve", "replayed"), Level::INFO);
    let expected: Vec<_> = [
        op("reserve", "fresh"),
        op("commit", "ok"),
        op("reserve", "replayed"),
    ]
    .iter()
    .map(|l| labels(l))
    .collect();
    assert_eq!(store_counts(&c), expected);
    assert_eq!(store_timings(&c), expected);
    let counted = c.metric("counter", "hookseal_verifications_total");
    assert_eq!(counted.len(), 2);
}

#[test]
fn a_copy_in_progress_a_release_and_a_dropped_reservation_are_recorded() {
    let marked = marked_headers();
    let (_, c) = capture(async || {
        let v = verifier();
        let cache = MemoryReplayCache::for_verifier(&v, 100).unwrap();
        let (_, first) = v.verify_fresh(&marked, MARKED_BODY, &cache).await.unwrap();
        let copy = v.verify_fresh(&marked, MARKED_BODY, &cache).await;
        assert!(matches!(copy.map(drop), Err(FreshError::InProgress { .. })));
        first.release().await.unwrap();
        let (_, again) = v.verify_fresh(&marked, MARKED_BODY, &cache).await.unwrap();
        drop(again); // a handler that panicked, or a request dropped
    });
    let op = |op, outcome| [("store", "memory"), ("op", op), ("outcome", outcome)];
    assert_store_op(&c, 0, &op("reserve", "fresh"), Level::DEBUG);
    assert_store_op(&c, 1, &op("reserve", "in_progress"), Level::INFO);
    assert_store_op(&c, 2, &op("release", "ok"), Level::DEBUG);
    assert_store_op(&c, 3, &op("reserve", "fresh"), Level::DEBUG);
    assert_store_op(&c, 4, &op("release_detached", "detached"), Level::DEBUG);
    let counted = store_counts(&c);
    assert_eq!(counted.len(), 5);
    assert_eq!(counted[4], labels(&op("release_detached", "detached")));
    // A release without an answer has no latency to record.
    assert_eq!(store_timings(&c).len(), 4);
}

/// A replay cache whose store cannot be reached: every step fails as Redis's client fails when
/// the server is down. It names no kind, so it is `custom`.
struct Down;

fn unavailable() -> StoreError {
    StoreError::Unavailable(Box::new(io::Error::new(
        io::ErrorKind::ConnectionRefused,
        "connection refused",
    )))
}

impl ReplayCache for Down {
    async fn reserve(&self, _: &hookseal::ReplayKey, _: Duration) -> Result<Reserve, StoreError> {
        Err(unavailable())
    }

    async fn commit(&self, _: &Reservation, _: Duration) -> Result<(), StoreError> {
        Err(unavailable())
    }

    async fn release(&self, _: &Reservation) -> Result<(), StoreError> {
        Err(unavailable())
    }
}

impl IdempotencyStore for Down {
    async fn begin(
        &self,
        _: &ScopedKey,
        _: &Fingerprint,
        _: Duration,
    ) -> Result<Begin, StoreError> {
        Err(unavailable())
    }

    async fn complete(&self, _: &Lease, _: &[u8], _: Duration) -> Result<(), StoreError> {
        Err(unavailable())
    }

    async fn release(&self, _: &Lease) -> Result<(), StoreError> {
        Err(unavailable())
    }
}

#[test]
fn a_store_failure_is_a_warning_with_its_code() {
    let marked = marked_headers();
    let (error, c) = capture(async || {
        let v = verifier();
        v.verify_fresh(&marked, MARKED_BODY, Down)
            .await
            .map(drop)
            .unwrap_err()
    });
    assert!(matches!(
        error,
        FreshError::Store(StoreError::Unavailable(_))
    ));
    assert_eq!(
        (error.code(), error.status_code()),
        ("store_unavailable", 503)
    );

    assert_eq!(c.spans("verify")[0].fields["outcome"], "verified");
    let fields = [
        ("store", "custom"),
        ("op", "reserve"),
        ("outcome", "error"),
        ("code", "store_unavailable"),
    ];
    assert_store_op(&c, 0, &fields, Level::WARN);
    assert_eq!(store_counts(&c), vec![labels(&fields)]);
    assert_eq!(
        store_timings(&c),
        vec![labels(&[
            ("store", "custom"),
            ("op", "reserve"),
            ("outcome", "error")
        ])]
    );
}

#[test]
fn failing_open_is_a_warning_and_a_count() {
    let marked = marked_headers();
    let (_, c) = capture(async || {
        let v = verifier();
        let cache = dangerous::FailOpen::new(Down);
        let (_, pending) = v.verify_fresh(&marked, MARKED_BODY, &cache).await.unwrap();
        pending.commit().await.unwrap();
        assert_eq!(cache.opened(), 1);
    });
    // Inside the reservation's span: the store failed; the verifier's caller gets a reservation.
    let warned: Vec<_> = c.events.iter().filter(|e| e.level == Level::WARN).collect();
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert_eq!(warned[0].span, c.events_in("store", 0)[0].span);
    assert_eq!(
        warned[0].message,
        "replay store unavailable, accepted without a replay check (fail open)"
    );
    assert_eq!(
        warned[0].fields,
        labels(&[("store", "custom"), ("code", "store_unavailable")])
    );
    let opened = c.metric("counter", "hookseal_replay_failed_open_total");
    assert_eq!(opened.len(), 1);
    assert_eq!(
        opened[0].labels,
        labels(&[("store", "custom"), ("code", "store_unavailable")])
    );
    // What the verifier saw: a fresh reservation, committed.
    let op = |op, outcome| [("store", "custom"), ("op", op), ("outcome", outcome)];
    assert_store_op(&c, 0, &op("reserve", "fresh"), Level::DEBUG);
    assert_store_op(&c, 1, &op("commit", "ok"), Level::DEBUG);
}

// ---------------------------------------------------------------------------------------------
// Idempotency store operations.

#[test]
fn idempotency_steps_are_recorded_with_the_store_answer() {
    let (_, c) = capture(async || {
        let run = Idempotency::new(MemoryIdempotencyStore::new(100).unwrap());
        let key = IdempotencyKey::new(MARKED_ID)
            .unwrap()
            .scoped(&Scope::new("obs"));
        let fp = Fingerprint::of_body(MARKED_BODY);
        let ok = async || Ok::<_, io::Error>(MARKED_BODY.to_vec());
        // Fails, and is released; runs; is replayed; is reused for another payload.
        let failed = run
            .run(&key, &fp, async {
                Err::<Vec<u8>, _>(io::Error::other("down"))
            })
            .await;
        assert!(matches!(failed, Err(IdempotencyError::Failed(_))));
        assert!(matches!(
            run.run(&key, &fp, ok()).await,
            Ok(Processed::Fresh(_))
        ));
        assert!(matches!(
            run.run(&key, &fp, ok()).await,
            Ok(Processed::Stored(_))
        ));
        let other = Fingerprint::of_body(b"{}");
        let mismatch = run.run(&key, &other, ok()).await;
        assert!(matches!(mismatch, Err(IdempotencyError::Mismatch)));
    });
    let op = |op, outcome| [("store", "memory"), ("op", op), ("outcome", outcome)];
    let expected = [
        (op("begin", "started"), Level::DEBUG),
        (op("release", "ok"), Level::DEBUG),
        (op("begin", "started"), Level::DEBUG),
        (op("complete", "ok"), Level::DEBUG),
        (op("begin", "completed"), Level::DEBUG),
        (op("begin", "mismatch"), Level::INFO),
    ];
    assert_eq!(c.spans("store").len(), expected.len());
    for (i, (fields, level)) in expected.iter().enumerate() {
        assert_store_op(&c, i, fields, *level);
    }
    let labels_of: Vec<_> = expected.iter().map(|(f, _)| labels(f)).collect();
    assert_eq!(store_counts(&c), labels_of);
    assert_eq!(store_timings(&c), labels_of);
}

#[test]
fn an_idempotency_store_failure_is_a_warning_with_its_code() {
    let (error, c) = capture(async || {
        let run = Idempotency::new(Down);
        let key = IdempotencyKey::new(MARKED_ID)
            .unwrap()
            .scoped(&Scope::new("obs"));
        let fp = Fingerprint::of_body(MARKED_BODY);
        let work = async { Ok::<_, io::Error>(MARKED_BODY.to_vec()) };
        run.run(&key, &fp, work).await.unwrap_err()
    });
    assert_eq!(error.code(), "store_unavailable");
    let fields = [
        ("store", "custom"),
        ("op", "begin"),
        ("outcome", "error"),
        ("code", "store_unavailable"),
    ];
    assert_store_op(&c, 0, &fields, Level::WARN);
    assert_eq!(store_counts(&c), vec![labels(&fields)]);
}

// ---------------------------------------------------------------------------------------------
// Nothing secret, and the metrics described.

#[test]
fn describe_metrics_names_each_metric_with_its_unit() {
    let ((), c) = capture(async || hookseal::observe::describe_metrics());
    let names: Vec<&str> = c
        .described
        .iter()
        .map(|d| d.split(' ').next().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "hookseal_verifications_total",
            "hookseal_verification_duration_seconds",
            "hookseal_key_loads_total",
            "hookseal_store_operations_total",
            "hookseal_store_operation_duration_seconds",
            "hookseal_replay_failed_open_total",
        ]
    );
    assert!(
        c.described[1].contains("Some(Seconds)"),
        "{:?}",
        c.described
    );
    assert!(c.described[0].contains("Some(Count)"), "{:?}", c.described);
}

/// Every form in which a secret could leak: the text, and bytes as raw text (where UTF-8), hex
/// (both cases), base64 and `Debug` of a byte slice.
fn forms(bytes: &[u8]) -> Vec<String> {
    let mut out = vec![
        hex::encode(bytes),
        hex::encode_upper(bytes),
        STANDARD.encode(bytes),
        format!("{bytes:?}"),
    ];
    // Any 8 consecutive bytes, as text, so that a piece cut out is found too.
    for window in bytes.windows(8.min(bytes.len())) {
        if let Ok(text) = std::str::from_utf8(window) {
            out.push(text.to_owned());
        }
    }
    out
}

/// No key, tag, header value, delivery id or body byte in anything recorded.
fn assert_no_secret(c: &Captured) {
    let text = c.all_text();
    let key_bytes = STANDARD
        .decode(SECRET.trim_start_matches("whsec_"))
        .unwrap();
    let tag = STANDARD
        .decode(SIGNATURE.trim_start_matches("v1,"))
        .unwrap();
    let altered = STANDARD
        .decode(ALTERED_SIGNATURE.trim_start_matches("v1,"))
        .unwrap();
    let marked_signature = marked_headers()
        .into_iter()
        .find(|(n, _)| n == "webhook-signature")
        .unwrap()
        .1;
    let marked_tag = STANDARD
        .decode(marked_signature.trim_start_matches("v1,"))
        .unwrap();

    let mut needles = vec![
        SECRET.to_owned(),
        SIGNATURE.to_owned(),
        ALTERED_SIGNATURE.to_owned(),
        marked_signature.clone(),
        ID.to_owned(),
        MARKED_ID.to_owned(),
        "2432232314".to_owned(),
        "ZEBRA".to_owned(),
        "invoice.paid".to_owned(),
    ];
    for bytes in [
        &key_bytes[..],
        &tag,
        &altered,
        &marked_tag,
        BODY,
        MARKED_BODY,
    ] {
        needles.extend(forms(bytes));
    }
    for needle in &needles {
        assert!(
            !text.contains(needle.as_str()),
            "{needle:?} recorded:\n{text}"
        );
    }
}

#[test]
fn the_leak_check_finds_what_it_looks_for() {
    // Guards `assert_no_secret`: a body, a key or a tag recorded would be found.
    let mut c = Captured::default();
    c.events.push(EventRec {
        message: String::new(),
        target: String::new(),
        level: Level::INFO,
        fields: labels(&[(
            "tag",
            &hex::encode(
                STANDARD
                    .decode("g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
                    .unwrap(),
            ),
        )]),
        span: None,
    });
    let found = std::panic::catch_unwind(|| assert_no_secret(&c));
    assert!(found.is_err());
    let mut c = Captured::default();
    c.metrics.push(MetricRec {
        kind: "counter",
        name: "x".to_owned(),
        labels: labels(&[("body", r#"note":"QX7-ZEBRA"#)]),
        value: 1.0,
    });
    assert!(std::panic::catch_unwind(|| assert_no_secret(&c)).is_err());
}

// ---------------------------------------------------------------------------------------------
// Keys fetched from the provider (feature `x509`).

/// PayPal's delivery from its Java SDK's tests, whose certificate the receiver fetches
/// (paypal/PayPal-Java-SDK, rest-api-sdk/src/test/java/com/paypal/base/ValidateCertTest.java and
/// rest-api-sdk/src/test/resources/testClientCert.crt; see tests/vectors/paypal/README.md).
#[cfg(feature = "x509")]
mod fetched {
    use super::*;
    use hookseal::{FetchError, KeyCache, KeyFetcher, KeyUrl};

    const VECTOR: &str = include_str!("vectors/paypal/vector.json");
    const BODY: &[u8] = include_bytes!("vectors/paypal/body.json");
    const CERT: &[u8] = include_bytes!("vectors/paypal/cert.pem");
    /// `PAYPAL-TRANSMISSION-TIME`, 2017-03-30T20:04:05Z.
    const SENT: u64 = 1_490_904_245;
    /// The certificate's subject common name, the fetched key's id.
    const CN: &str = "messageverificationcerts.sandbox.paypal.com";
    const CERT_URL: &str =
        "https://api.sandbox.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77";

    /// Serves the certificate, or fails as an unreachable host does.
    struct Served(bool);

    impl KeyFetcher for Served {
        async fn fetch(&self, _: &KeyUrl) -> Result<Vec<u8>, FetchError> {
            match self.0 {
                true => Ok(CERT.to_vec()),
                false => Err(FetchError::new("connection refused")),
            }
        }
    }

    fn vector() -> (serde_json::Value, Vec<(String, String)>) {
        let v: serde_json::Value = serde_json::from_str(VECTOR).unwrap();
        let headers = [
            ("PAYPAL-TRANSMISSION-ID", "transmission_id"),
            ("PAYPAL-TRANSMISSION-TIME", "transmission_time"),
            ("PAYPAL-AUTH-ALGO", "auth_algo"),
            ("PAYPAL-TRANSMISSION-SIG", "transmission_sig"),
            ("PAYPAL-CERT-URL", "cert_url"),
        ]
        .map(|(h, f)| (h.to_owned(), v[f].as_str().unwrap().to_owned()))
        .to_vec();
        // The SDK's test stubs the download of a URL off PayPal's certificate path; PayPal does
        // not sign the URL, so one on its allow-list leaves the signature as it is.
        let headers = (headers.into_iter())
            .map(|(n, v)| match n.as_str() {
                "PAYPAL-CERT-URL" => (n, CERT_URL.to_owned()),
                _ => (n, v),
            })
            .collect();
        (v, headers)
    }

    fn verifier(serves: bool) -> Verifier {
        let (v, _) = vector();
        Verifier::fetching(Scheme::paypal(), KeyCache::new(Served(serves)))
            .unwrap()
            .with_endpoint_id(v["webhook_id"].as_str().unwrap())
            .unwrap()
    }

    /// No header value of the delivery in anything recorded.
    fn assert_no_header_value(c: &Captured) {
        let (_, headers) = vector();
        let text = c.all_text();
        for (_, value) in headers {
            assert!(!text.contains(&value), "{value} recorded:\n{text}");
        }
        assert!(!text.contains("BILLING.PLAN.CREATED"), "{text}");
    }

    #[test]
    fn a_fetched_key_is_named_in_the_span_and_labelled_fetched() {
        let (_, headers) = vector();
        let (key_id, c) = capture(async || {
            let v = verifier(true);
            v.load_key(&headers, BODY).await.unwrap();
            let verified = v.verify_at(&headers, BODY, Timestamp::from_unix_secs(SENT));
            verified.unwrap().key_id().to_string()
        });
        assert_eq!(key_id, CN);
        assert_no_header_value(&c);

        let loads = c.spans("load_key");
        assert_eq!(loads.len(), 1);
        assert_eq!(
            loads[0].fields,
            labels(&[("scheme", "paypal"), ("outcome", "loaded")])
        );
        let counted = c.metric("counter", "hookseal_key_loads_total");
        assert_eq!(counted.len(), 1);
        assert_eq!(
            counted[0].labels,
            labels(&[("scheme", "paypal"), ("outcome", "loaded")])
        );

        let span = &c.spans("verify")[0];
        assert_eq!(span.fields["key_id"], CN);
        assert_eq!(span.fields["body_len"], BODY.len().to_string());
        let counted = c.metric("counter", "hookseal_verifications_total");
        assert_eq!(
            counted[0].labels,
            labels(&[
                ("scheme", "paypal"),
                ("outcome", "verified"),
                ("key_id", "fetched")
            ])
        );
    }

    #[test]
    fn a_key_that_cannot_be_loaded_is_refused_with_its_code() {
        let (_, headers) = vector();
        let off_list: Vec<_> = (headers.iter().cloned())
            .map(|(n, v)| match n.as_str() {
                "PAYPAL-CERT-URL" => (n, "https://certs.example.com/paypal.pem".to_owned()),
                _ => (n, v),
            })
            .collect();
        for (what, serves, headers, code) in [
            ("the fetch fails", false, &headers, "key_unavailable"),
            (
                "a URL off the allow-list",
                true,
                &off_list,
                "key_url_refused",
            ),
        ] {
            let (error, c) =
                capture(async || verifier(serves).load_key(headers, BODY).await.unwrap_err());
            assert_eq!(error.code(), code, "{what}");
            assert_no_header_value(&c);
            assert!(!c.all_text().contains("certs.example.com"));
            let loads = c.spans("load_key");
            assert_eq!(
                loads[0].fields,
                labels(&[("scheme", "paypal"), ("outcome", "refused"), ("code", code)]),
                "{what}"
            );
            let events = c.events_in("load_key", 0);
            assert_eq!(events.len(), 1, "{what}");
            assert_eq!(
                (events[0].message.as_str(), events[0].level),
                ("webhook keys refused", Level::INFO)
            );
            let counted = c.metric("counter", "hookseal_key_loads_total");
            assert_eq!(
                counted[0].labels,
                labels(&[("scheme", "paypal"), ("outcome", "refused"), ("code", code)]),
                "{what}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A real Redis, running and then stopped (feature `redis`).

/// The Redis harness of the replay tests.
#[cfg(feature = "redis")]
#[allow(dead_code, unreachable_pub)] // Its other helpers serve tests/replay.
#[path = "replay/server.rs"]
mod server;

#[cfg(feature = "redis")]
#[test]
fn a_redis_store_is_named_and_its_outage_recorded() {
    use hookseal::idempotency::RedisIdempotencyStore;
    use hookseal::replay::RedisReplayCache;

    let marked = marked_headers();
    let (outage, c) = capture(async || {
        let mut server = server::RedisServer::start()?;
        let v = verifier();
        let cache = RedisReplayCache::connect(&server.url()).await.unwrap();
        let store = RedisIdempotencyStore::connect(&server.url()).await.unwrap();
        assert_eq!((cache.kind(), store.kind()), ("redis", "redis"));
        let (_, pending) = v.verify_fresh(&marked, MARKED_BODY, &cache).await.unwrap();
        pending.commit().await.unwrap();
        server.stop();
        let refused = v.verify_fresh(&marked, MARKED_BODY, &cache).await;
        let key = IdempotencyKey::new(MARKED_ID)
            .unwrap()
            .scoped(&Scope::new("obs"));
        let work = async { Ok::<_, io::Error>(MARKED_BODY.to_vec()) };
        let run = Idempotency::new(store);
        let failed = run
            .run(&key, &Fingerprint::of_body(MARKED_BODY), work)
            .await;
        Some((refused.map(drop).unwrap_err(), failed.unwrap_err()))
    });
    let Some((refused, failed)) = outage else {
        return; // No redis-server here, and none required: said so above.
    };
    assert_eq!(refused.code(), "store_unavailable");
    assert_eq!(failed.code(), "store_unavailable");
    let op = |op, outcome| [("store", "redis"), ("op", op), ("outcome", outcome)];
    assert_store_op(&c, 0, &op("reserve", "fresh"), Level::DEBUG);
    assert_store_op(&c, 1, &op("commit", "ok"), Level::DEBUG);
    let down = |op| {
        [
            ("store", "redis"),
            ("op", op),
            ("outcome", "error"),
            ("code", "store_unavailable"),
        ]
    };
    assert_store_op(&c, 2, &down("reserve"), Level::WARN);
    assert_store_op(&c, 3, &down("begin"), Level::WARN);
    let expected = [
        labels(&op("reserve", "fresh")),
        labels(&op("commit", "ok")),
        labels(&down("reserve")),
        labels(&down("begin")),
    ];
    assert_eq!(store_counts(&c), expected);
}

//! `IdempotencyLayer` over real HTTP, behind `VerifyLayer` in one `ServiceBuilder` (and alone,
//! for the `Idempotency-Key` header), with the in-memory store and with a real Redis: each key
//! choice, copies of one event run once, stored answers come back with their headers, and what
//! is not stored (failures, answers over the limit) runs again.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use bytes::Bytes;
use hookseal::idempotency::{DynIdempotencyStore, KeyParser, MemoryIdempotencyStore, Scope};
use hookseal::middleware::{IdempotencyLayer, KeyFrom, VerifyLayer};
use hookseal::replay::{DynReplayCache, MemoryReplayCache};
use hookseal::{Clock, Keyring, Scheme, Signer, SystemClock, Timestamp, Verifier};
use tokio::sync::Notify;
use tower::ServiceBuilder;

use crate::client::{Answer, post as send};

/// Standard Webhooks' documented example secret.
const SW_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const STRIPE_SECRET: &str = "whsec_idempotency_layer_0123456789abcdef";
/// GitHub's documented example secret.
const GITHUB_SECRET: &str = "It's a Secret to Everybody";

/// The receiver: one route per key choice, one handler counting its runs per event id.
struct Receiver {
    addr: SocketAddr,
    runs: Arc<Mutex<HashMap<String, usize>>>,
    gate: Arc<Notify>,
}

impl Receiver {
    fn runs(&self, id: &str) -> usize {
        self.runs.lock().unwrap().get(id).copied().unwrap_or(0)
    }
}

fn keys(scheme: &Scheme, secret: &str) -> Keyring {
    Keyring::single(scheme.parse_secret(secret).unwrap())
}

/// What the handler does, by the body's `"do"`: `"ok"` (201, JSON, with a header it names to be
/// stored and one it does not), `"fail once"` (500 the first time), `"big"` (200 with 100 KiB),
/// `"wait"` (waits at the gate, then as `"ok"`).
async fn handler(
    runs: Arc<Mutex<HashMap<String, usize>>>,
    gate: Arc<Notify>,
    body: Bytes,
) -> axum::response::Response {
    let event: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let id = event["id"].as_str().unwrap().to_owned();
    let run = {
        let mut runs = runs.lock().unwrap();
        let run = runs.entry(id.clone()).or_default();
        *run += 1;
        *run
    };
    let mut headers = HeaderMap::new();
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    headers.insert("x-stored", HeaderValue::from_static("yes"));
    headers.insert("x-run", HeaderValue::from(run));
    match event["do"].as_str().unwrap() {
        "fail once" if run == 1 => {
            (StatusCode::INTERNAL_SERVER_ERROR, "database down").into_response()
        }
        "big" => (StatusCode::OK, vec![b'x'; 100 * 1024]).into_response(),
        what => {
            if what == "wait" {
                gate.notified().await;
            }
            let answer = format!(r#"{{"credited":"{id}","run":{run}}}"#);
            (StatusCode::CREATED, headers, answer).into_response()
        }
    }
}

async fn start(store: Arc<dyn DynIdempotencyStore>) -> Receiver {
    let runs = Arc::new(Mutex::new(HashMap::new()));
    let gate = Arc::new(Notify::new());
    let nonce = format!("{:?}", std::time::Instant::now());
    let handle = {
        let (runs, gate) = (Arc::clone(&runs), Arc::clone(&gate));
        move |body: Bytes| handler(Arc::clone(&runs), Arc::clone(&gate), body)
    };
    let stored = ["content-type", "x-stored"].map(http::HeaderName::from_static);
    let idempotency = |endpoint: &str, key: KeyFrom| {
        IdempotencyLayer::new(Arc::clone(&store), Scope::new(&nonce).and(endpoint), key)
            .with_stored_headers(stored.clone())
            .unwrap()
    };
    // Verified, replays refused, then run once per key.
    let verified = |scheme: Scheme, secret: &str, endpoint: &str, key: KeyFrom| {
        let verifier = Verifier::new(scheme.clone(), keys(&scheme, secret));
        let cache: Arc<dyn DynReplayCache> =
            Arc::new(MemoryReplayCache::for_verifier(&verifier, 10_000).unwrap());
        post(handle.clone()).route_layer(
            ServiceBuilder::new()
                .layer(VerifyLayer::new(verifier).with_replay_cache(cache))
                .layer(idempotency(endpoint, key)),
        )
    };
    let github = || Verifier::new(Scheme::github(), keys(&Scheme::github(), GITHUB_SECRET));
    let app = Router::new()
        .route(
            "/delivery-id",
            verified(
                Scheme::standard_webhooks(),
                SW_SECRET,
                "sw",
                KeyFrom::delivery_id(),
            ),
        )
        .route(
            "/body-member",
            verified(
                Scheme::stripe(),
                STRIPE_SECRET,
                "stripe",
                KeyFrom::body_member(&["id"]).unwrap(),
            ),
        )
        // No replay cache here: GitHub's redeliveries are identical requests, and it is the
        // replay key that makes them get the stored answer.
        .route(
            "/replay-key",
            post(handle.clone()).route_layer(
                ServiceBuilder::new()
                    .layer(VerifyLayer::new(github()))
                    .layer(idempotency("github", KeyFrom::replay_key())),
            ),
        )
        .route(
            "/unsigned-id",
            post(handle.clone()).route_layer(
                ServiceBuilder::new()
                    .layer(VerifyLayer::new(github()))
                    .layer(idempotency("github-id", KeyFrom::delivery_id())),
            ),
        )
        .route(
            "/unsigned-id-or-replay-key",
            post(handle.clone()).route_layer(
                ServiceBuilder::new()
                    .layer(VerifyLayer::new(github()))
                    .layer(idempotency(
                        "github-or",
                        KeyFrom::delivery_id().or(KeyFrom::replay_key()),
                    )),
            ),
        )
        // An API: no signature, the client's `Idempotency-Key`.
        .route(
            "/header",
            post(handle.clone()).route_layer(idempotency("api", KeyFrom::header(KeyParser::new()))),
        )
        .route(
            "/no-verify-layer",
            post(handle).route_layer(idempotency("misconfigured", KeyFrom::delivery_id())),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    Receiver { addr, runs, gate }
}

fn now() -> Timestamp {
    SystemClock::new().now().unwrap()
}

fn event(id: &str, what: &str) -> Vec<u8> {
    format!(r#"{{"id":"{id}","do":"{what}"}}"#).into_bytes()
}

fn pairs(signed: &hookseal::SignedHeaders) -> Vec<(String, String)> {
    signed.iter().map(|(n, v)| (n.into(), v.into())).collect()
}

/// A Standard Webhooks delivery of `body` under id `id`, signed `seconds` after now: each
/// attempt is a new signed request (not a replay) of the same event.
async fn deliver(r: &Receiver, id: &str, body: &[u8], seconds: u64) -> Answer {
    let signer = Signer::new(
        Scheme::standard_webhooks(),
        keys(&Scheme::standard_webhooks(), SW_SECRET),
    );
    let at = now().saturating_add(Duration::from_secs(seconds));
    let headers = pairs(&signer.sign_at(Some(id), body, at).unwrap());
    send(r.addr, "/delivery-id", &headers, body).await.unwrap()
}

/// The first answer, as the handler gave it.
fn assert_fresh(answer: &Answer, id: &str, run: usize) {
    assert_eq!(answer.status, 201, "{answer:?}");
    assert_eq!(answer.body, format!(r#"{{"credited":"{id}","run":{run}}}"#));
    assert_eq!(answer.headers["x-run"], run.to_string().as_str());
    assert!(answer.headers.get("idempotent-replayed").is_none());
}

/// A stored answer: the first's status, stored headers and body, marked replayed; not the
/// header left unstored.
fn assert_stored(answer: &Answer, id: &str, run: usize) {
    assert_eq!(answer.status, 201, "{answer:?}");
    assert_eq!(answer.body, format!(r#"{{"credited":"{id}","run":{run}}}"#));
    assert_eq!(answer.headers["content-type"], "application/json");
    assert_eq!(answer.headers["x-stored"], "yes");
    assert_eq!(answer.headers["idempotent-replayed"], "true");
    assert!(answer.headers.get("x-run").is_none(), "{answer:?}");
}

/// Sixteen attempts of one event sent at once while the first runs: one runs, fifteen are
/// answered 409 with `Retry-After`; a later attempt gets the stored answer, and the handler ran
/// once.
async fn concurrent_copies_run_once(r: &Receiver) {
    let body = event("evt_storm", "wait");
    let signer = Signer::new(
        Scheme::standard_webhooks(),
        keys(&Scheme::standard_webhooks(), SW_SECRET),
    );
    let mut tasks = Vec::new();
    for i in 0..16 {
        let at = now().saturating_add(Duration::from_secs(i));
        let headers = pairs(&signer.sign_at(Some("evt_storm"), &body, at).unwrap());
        let (addr, body) = (r.addr, body.clone());
        tasks.push(tokio::spawn(async move {
            send(addr, "/delivery-id", &headers, &body).await.unwrap()
        }));
    }
    // Every copy but the running one is answered at once, without waiting for the gate.
    let mut conflicts = 0;
    let mut running = Vec::new();
    for mut task in tasks {
        match tokio::time::timeout(Duration::from_secs(2), &mut task).await {
            Ok(answer) => {
                let answer = answer.unwrap();
                assert_eq!(answer.status, 409, "{answer:?}");
                assert_eq!(answer.body, "duplicate delivery");
                let after: u64 = answer.headers["retry-after"]
                    .to_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                assert!((1..=61).contains(&after), "{after}");
                conflicts += 1;
            }
            Err(_) => running.push(task),
        }
    }
    assert_eq!((conflicts, running.len()), (15, 1));
    assert_eq!(r.runs("evt_storm"), 1);
    r.gate.notify_one();
    let first = running.pop().unwrap().await.unwrap();
    assert_fresh(&first, "evt_storm", 1);
    let later = deliver(r, "evt_storm", &body, 30).await;
    assert_stored(&later, "evt_storm", 1);
    assert_eq!(r.runs("evt_storm"), 1);
}

/// Sequential attempts: the first runs, the second and third get the stored answer; another
/// payload under the same id is 422; a failure (500) is not stored, so the retry runs; an answer
/// over the limit is sent whole but not stored, so the retry runs it again.
async fn sequential_copies(r: &Receiver) {
    let body = event("evt_seq", "ok");
    assert_fresh(&deliver(r, "evt_seq", &body, 0).await, "evt_seq", 1);
    assert_stored(&deliver(r, "evt_seq", &body, 1).await, "evt_seq", 1);
    assert_stored(&deliver(r, "evt_seq", &body, 2).await, "evt_seq", 1);
    assert_eq!(r.runs("evt_seq"), 1);

    let other = br#"{"id":"evt_seq","do":"ok","amount":9900}"#;
    let mismatch = deliver(r, "evt_seq", other, 3).await;
    assert_eq!(
        (mismatch.status, mismatch.body.as_str()),
        (422, "idempotency key reused for another payload")
    );
    assert_eq!(r.runs("evt_seq"), 1);

    let flaky = event("evt_flaky", "fail once");
    let failed = deliver(r, "evt_flaky", &flaky, 0).await;
    assert_eq!(
        (failed.status, failed.body.as_str()),
        (500, "database down")
    );
    assert_fresh(&deliver(r, "evt_flaky", &flaky, 1).await, "evt_flaky", 2);
    assert_stored(&deliver(r, "evt_flaky", &flaky, 2).await, "evt_flaky", 2);
    assert_eq!(r.runs("evt_flaky"), 2);

    let big = event("evt_big", "big");
    for attempt in 1..=2_usize {
        let answer = deliver(r, "evt_big", &big, attempt as u64).await;
        assert_eq!(answer.status, 200);
        assert_eq!(answer.body.len(), 100 * 1024);
        assert!(answer.body.bytes().all(|b| b == b'x'));
        assert!(answer.headers.get("idempotent-replayed").is_none());
        assert_eq!(r.runs("evt_big"), attempt);
    }
}

/// Stripe signs no id header: the key is the signed body's `"id"`, so a retry (a new timestamp
/// and signature) gets the stored answer.
async fn body_member_key(r: &Receiver) {
    let signer = Signer::new(Scheme::stripe(), keys(&Scheme::stripe(), STRIPE_SECRET));
    let body = event("evt_3Stripe", "ok");
    let mut answers = Vec::new();
    for seconds in [0, 60] {
        let at = now().saturating_add(Duration::from_secs(seconds));
        let headers = pairs(&signer.sign_at(None, &body, at).unwrap());
        answers.push(send(r.addr, "/body-member", &headers, &body).await.unwrap());
    }
    assert_fresh(&answers[0], "evt_3Stripe", 1);
    assert_stored(&answers[1], "evt_3Stripe", 1);

    let no_id = br#"{"do":"ok"}"#;
    let headers = pairs(&signer.sign(None, no_id).unwrap());
    let answer = send(r.addr, "/body-member", &headers, no_id).await.unwrap();
    assert_eq!((answer.status, answer.body.as_str()), (400, "bad request"));
}

/// GitHub signs no timestamp and no id: a redelivery is the identical request, so its replay key
/// finds the stored answer. Its delivery id, unsigned, keys nothing (500) unless a fallback is
/// given.
async fn replay_key_and_fallback(r: &Receiver) {
    let signer = Signer::new(Scheme::github(), keys(&Scheme::github(), GITHUB_SECRET));
    let body = event("gh_1", "ok");
    let headers = pairs(
        &signer
            .sign(Some("72d3162e-cc78-11e3-81ab-4c9367dc0958"), &body)
            .unwrap(),
    );
    let first = send(r.addr, "/replay-key", &headers, &body).await.unwrap();
    let again = send(r.addr, "/replay-key", &headers, &body).await.unwrap();
    assert_fresh(&first, "gh_1", 1);
    assert_stored(&again, "gh_1", 1);

    let body = event("gh_2", "ok");
    let headers = pairs(&signer.sign(Some("a-delivery-id"), &body).unwrap());
    let unsigned = send(r.addr, "/unsigned-id", &headers, &body).await.unwrap();
    assert_eq!(
        (unsigned.status, unsigned.body.as_str()),
        (500, "internal error")
    );
    assert_eq!(r.runs("gh_2"), 0);
    let first = send(r.addr, "/unsigned-id-or-replay-key", &headers, &body)
        .await
        .unwrap();
    let again = send(r.addr, "/unsigned-id-or-replay-key", &headers, &body)
        .await
        .unwrap();
    assert_fresh(&first, "gh_2", 1);
    assert_stored(&again, "gh_2", 1);
}

/// An API taking `Idempotency-Key`, no signature: the key and the payload (method, path, body)
/// decide; a request without the key is 400.
async fn header_key(r: &Receiver) {
    let body = event("api_1", "ok");
    let key = |k: &str| vec![("Idempotency-Key".to_owned(), k.to_owned())];
    let first = send(r.addr, "/header", &key("k-1"), &body).await.unwrap();
    let again = send(r.addr, "/header", &key("\"k-1\""), &body)
        .await
        .unwrap();
    assert_fresh(&first, "api_1", 1);
    assert_stored(&again, "api_1", 1);
    let other = send(r.addr, "/header", &key("k-1"), &event("api_1", "other"))
        .await
        .unwrap();
    assert_eq!(other.status, 422);
    let without = send(r.addr, "/header", &[], &body).await.unwrap();
    assert_eq!(
        (without.status, without.body.as_str()),
        (400, "bad request")
    );
    let malformed = send(r.addr, "/header", &key("a,b"), &body).await.unwrap();
    assert_eq!(malformed.status, 400);
    assert_eq!(r.runs("api_1"), 1);
}

/// A key read from the verified delivery, on a route without `VerifyLayer`: 500, naming the
/// layer; the handler does not run.
async fn missing_verify_layer(r: &Receiver) {
    let body = event("evt_lost", "ok");
    let answer = send(r.addr, "/no-verify-layer", &[], &body).await.unwrap();
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (500, "hookseal: no VerifyLayer on this route")
    );
    assert_eq!(r.runs("evt_lost"), 0);
}

async fn every_case(store: Arc<dyn DynIdempotencyStore>) -> Receiver {
    let r = start(store).await;
    concurrent_copies_run_once(&r).await;
    sequential_copies(&r).await;
    body_member_key(&r).await;
    replay_key_and_fallback(&r).await;
    header_key(&r).await;
    missing_verify_layer(&r).await;
    r
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_store() {
    every_case(Arc::new(MemoryIdempotencyStore::new(10_000).unwrap())).await;
}

#[cfg(feature = "redis")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_store() {
    use hookseal::idempotency::RedisIdempotencyStore;

    let Some(mut server) = crate::server::RedisServer::start() else {
        return;
    };
    let store = RedisIdempotencyStore::connect(&server.url()).await.unwrap();
    let r = every_case(Arc::new(store)).await;

    // Redis goes away: a new event is refused with 503 and `Retry-After`, and not run (fail
    // closed); so is a retry of a completed one, whose record cannot be read.
    server.stop();
    let body = event("evt_outage", "ok");
    let answer = deliver(&r, "evt_outage", &body, 0).await;
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (503, "temporarily unavailable"),
        "{answer:?}"
    );
    assert_eq!(answer.headers["retry-after"], "5");
    assert_eq!(r.runs("evt_outage"), 0);
    let retry = deliver(&r, "evt_seq", &event("evt_seq", "ok"), 10).await;
    assert_eq!(retry.status, 503);
    assert_eq!(r.runs("evt_seq"), 1);

    // Back: the event runs once.
    server.restart();
    let mut answer = deliver(&r, "evt_outage", &body, 1).await;
    for attempt in 2..50 {
        if answer.status != 503 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        answer = deliver(&r, "evt_outage", &body, attempt).await;
    }
    assert_fresh(&answer, "evt_outage", 1);
}

/// The layers around a plain `tower::service_fn`: a handler that panics, or a request dropped
/// while the handler runs (a client gone, a timeout), releases the key, so the next attempt
/// runs the handler.
#[tokio::test]
async fn a_panic_or_a_dropped_request_releases_the_key() {
    use http_body_util::{BodyExt as _, Full};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tower::ServiceExt as _;

    let calls = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&calls);
    let handler = tower::service_fn(move |_: http::Request<Full<Bytes>>| {
        let call = counted.fetch_add(1, Ordering::SeqCst) + 1;
        async move {
            match call {
                1 => panic!("the handler panics"),
                2 => std::future::pending::<()>().await,
                _ => {}
            }
            Ok::<_, std::convert::Infallible>(http::Response::new(Full::new(Bytes::from(format!(
                "call {call}"
            )))))
        }
    });
    let scheme = Scheme::standard_webhooks();
    let service = ServiceBuilder::new()
        .layer(VerifyLayer::new(Verifier::new(
            scheme.clone(),
            keys(&scheme, SW_SECRET),
        )))
        .layer(IdempotencyLayer::new(
            Arc::new(MemoryIdempotencyStore::new(100).unwrap()),
            Scope::new("service_fn"),
            KeyFrom::delivery_id(),
        ))
        .service(handler);
    let signer = Signer::new(scheme.clone(), keys(&scheme, SW_SECRET));
    let body = b"{}";
    let request = |seconds: u64| {
        let at = now().saturating_add(Duration::from_secs(seconds));
        let mut request = http::Request::post("/hooks");
        for (name, value) in signer.sign_at(Some("msg_1"), body, at).unwrap().iter() {
            request = request.header(name, value);
        }
        request.body(Full::new(Bytes::from_static(body))).unwrap()
    };

    let panicked = tokio::spawn(service.clone().oneshot(request(0))).await;
    assert!(panicked.unwrap_err().is_panic());
    let dropped = tokio::time::timeout(
        Duration::from_millis(100),
        service.clone().oneshot(request(1)),
    )
    .await;
    assert!(dropped.is_err());
    let answer = service.clone().oneshot(request(2)).await.unwrap();
    assert_eq!(answer.status(), 200);
    assert!(answer.headers().get("idempotent-replayed").is_none());
    let text = answer.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(&text[..], b"call 3");
    let again = service.oneshot(request(3)).await.unwrap();
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

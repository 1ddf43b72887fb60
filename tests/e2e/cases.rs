//! Every outcome of the demo, plus the edges the demo does not show, once per backend.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::post;
use bytes::Bytes;
use hookseal::idempotency::{DynIdempotencyStore, MemoryIdempotencyStore, Scope};
use hookseal::middleware::VerifyLayer;
use hookseal::replay::{DynReplayCache, MemoryReplayCache};
use hookseal::{Clock, Key, Keyring, Scheme, Secret, Signer, SystemClock, Timestamp, Verifier};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use crate::app::{self, Config, Receiver, Senders};
use crate::chunks::Chunks;
use crate::client::post as send;

struct Setup {
    receiver: Receiver,
    senders: Senders,
}

fn now() -> Timestamp {
    SystemClock::new().now().unwrap()
}

async fn start(
    replay_cache: Arc<dyn DynReplayCache>,
    idempotency_store: Arc<dyn DynIdempotencyStore>,
) -> Setup {
    let old = Key::new("2026-05", Secret::generate().unwrap().into_secret()).unwrap();
    let new = Key::new("2026-11", Secret::generate().unwrap().into_secret()).unwrap();
    let stripe = || {
        Keyring::single(
            Scheme::stripe()
                .parse_secret("whsec_e2e_0123456789abcdef0123456789")
                .unwrap(),
        )
    };
    let nonce = format!("{:?}", std::time::Instant::now());
    let receiver = Receiver::start(Config {
        standard_webhooks_keys: Keyring::new(new.clone())
            .unwrap()
            .with_key(old.clone())
            .unwrap(),
        stripe_keys: stripe(),
        replay_cache,
        idempotency_store,
        scope: Scope::new("e2e").and(&nonce),
    })
    .await
    .unwrap();
    let senders = Senders {
        old: Signer::new(
            Scheme::standard_webhooks(),
            Keyring::new(old.clone()).unwrap(),
        ),
        rotated: Signer::new(
            Scheme::standard_webhooks(),
            Keyring::new(new).unwrap().with_key(old).unwrap(),
        ),
        stripe: Signer::new(Scheme::stripe(), stripe()),
    };
    Setup { receiver, senders }
}

fn memory() -> (Arc<dyn DynReplayCache>, Arc<dyn DynIdempotencyStore>) {
    (
        Arc::new(MemoryReplayCache::new(100_000, Duration::from_secs(601)).unwrap()),
        Arc::new(MemoryIdempotencyStore::new(100_000).unwrap()),
    )
}

/// Every case of the demo gets its status, its message and its headers; each event ran once.
async fn every_demo_case(setup: &Setup) {
    let cases = app::send_cases(&setup.receiver, &setup.senders, now())
        .await
        .unwrap();
    let expected: [(&str, u16, &str); 8] = [
        ("valid delivery", 200, "processed evt_1001 (key 2026-05)"),
        (
            "tampered body (amount changed)",
            401,
            "signature not verified",
        ),
        (
            "replayed (the same request again)",
            409,
            "duplicate delivery",
        ),
        ("stale timestamp (10 minutes old)", 400, "bad request"),
        (
            "rotated key (new + old)",
            200,
            "processed evt_1002 (key 2026-11)",
        ),
        (
            "Stripe-format delivery",
            200,
            "processed evt_3Stripe (key default)",
        ),
        (
            "duplicate event id (a retry)",
            200,
            "processed evt_1001 (key 2026-05)",
        ),
        ("oversized body (1 MiB + 1)", 413, "body too large"),
    ];
    assert_eq!(cases.len(), expected.len());
    for (case, (name, status, body)) in cases.iter().zip(expected) {
        assert_eq!(case.name, name);
        assert_eq!(case.expected, status, "{name}");
        assert_eq!(case.answer.status, status, "{name}: {}", case.answer.body);
        assert_eq!(case.answer.body, body, "{name}");
        let replayed = case.answer.headers.get("idempotent-replayed");
        if name.starts_with("duplicate") {
            assert_eq!(replayed.unwrap(), "true");
        } else {
            assert!(replayed.is_none(), "{name}");
        }
        if status >= 400 {
            assert_eq!(
                case.answer.headers.get("content-type").unwrap(),
                "text/plain; charset=utf-8"
            );
        }
    }
    let r = &setup.receiver;
    for event in ["evt_1001", "evt_1002", "evt_3Stripe"] {
        assert_eq!(r.times_processed(event), 1, "{event}");
    }
    assert_eq!(r.processed.lock().unwrap().len(), 3);
}

/// Twenty retries of one new event, each signed anew, sent at once: the work runs once; every
/// other answer is the stored one (200, replayed) or in progress (409, `Retry-After`).
async fn concurrent_retries_run_once(setup: &Setup) {
    let body: &[u8] = br#"{"id":"evt_storm","type":"invoice.paid"}"#;
    let base = now();
    let mut tasks = Vec::new();
    for i in 0..20 {
        let at = base.saturating_add(Duration::from_secs(i % 5));
        let signed = setup
            .senders
            .old
            .sign_at(Some("evt_storm"), body, at)
            .unwrap();
        let mut headers: Vec<(String, String)> =
            signed.iter().map(|(n, v)| (n.into(), v.into())).collect();
        // Vary an unsigned header too; it changes nothing.
        headers.push(("x-attempt".into(), i.to_string()));
        let addr = setup.receiver.addr;
        tasks.push(tokio::spawn(async move {
            send(addr, app::STANDARD_WEBHOOKS, &headers, body)
                .await
                .unwrap()
        }));
    }
    let mut fresh = 0;
    for task in tasks {
        let answer = task.await.unwrap();
        match answer.status {
            200 if answer.headers.get("idempotent-replayed").is_none() => fresh += 1,
            200 => assert_eq!(answer.body, "processed evt_storm (key 2026-05)"),
            409 => {
                // A copy of an identical request (same second) in progress or replayed, answered
                // by `VerifyLayer`; or the event in progress, answered by `IdempotencyLayer`.
                assert_eq!(answer.body, "duplicate delivery", "{answer:?}");
            }
            other => panic!("status {other}: {answer:?}"),
        }
    }
    assert_eq!(fresh, 1);
    assert_eq!(setup.receiver.times_processed("evt_storm"), 1);
}

/// A body without `Content-Length`, streamed in chunks past the limit, is cut off with 413, and
/// the handler never runs; a request with no signature header is 400.
async fn streamed_oversize_and_missing_header(setup: &Setup) {
    let client: Client<_, Chunks> = Client::builder(TokioExecutor::new()).build_http();
    let big = Chunks::new((0..=app::BODY_LIMIT / 4096).map(|_| Bytes::from(vec![b'x'; 4096])));
    let request = http::Request::post(format!(
        "http://{}{}",
        setup.receiver.addr,
        app::STANDARD_WEBHOOKS
    ))
    .header("webhook-signature", "v1,AA==")
    .header("webhook-timestamp", "1")
    .header("webhook-id", "evt_big")
    .body(big)
    .unwrap();
    let response = client.request(request).await.unwrap();
    assert_eq!(response.status(), 413);
    assert!(
        response
            .headers()
            .get("content-length")
            .is_none_or(|v| v != "0")
    );

    let body: &[u8] = br#"{"id":"evt_none"}"#;
    let answer = send(setup.receiver.addr, app::STANDARD_WEBHOOKS, &[], body)
        .await
        .unwrap();
    assert_eq!((answer.status, answer.body.as_str()), (400, "bad request"));
    assert_eq!(setup.receiver.times_processed("evt_none"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_backends() {
    let (cache, store) = memory();
    let setup = start(cache, store).await;
    every_demo_case(&setup).await;
    concurrent_retries_run_once(&setup).await;
    streamed_oversize_and_missing_header(&setup).await;
}

#[cfg(feature = "redis")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_backends() {
    use hookseal::idempotency::RedisIdempotencyStore;
    use hookseal::replay::RedisReplayCache;

    let Some(mut server) = crate::server::RedisServer::start() else {
        return;
    };
    let url = server.url();
    let cache = Arc::new(RedisReplayCache::connect(&url).await.unwrap());
    let store = Arc::new(RedisIdempotencyStore::connect(&url).await.unwrap());
    let setup = start(cache, store).await;
    every_demo_case(&setup).await;
    concurrent_retries_run_once(&setup).await;
    streamed_oversize_and_missing_header(&setup).await;

    // Redis goes away: a valid new delivery is refused with 503 and Retry-After, and not run.
    server.stop();
    let body: &[u8] = br#"{"id":"evt_outage"}"#;
    let signed = setup.senders.old.sign(Some("evt_outage"), body).unwrap();
    let headers: Vec<(String, String)> = signed.iter().map(|(n, v)| (n.into(), v.into())).collect();
    let answer = send(setup.receiver.addr, app::STANDARD_WEBHOOKS, &headers, body)
        .await
        .unwrap();
    assert_eq!(answer.status, 503, "{answer:?}");
    assert_eq!(answer.headers.get("retry-after").unwrap(), "5");
    assert_eq!(setup.receiver.times_processed("evt_outage"), 0);
}

/// `with_replay_status(200)`: a receiver that treats a replay as delivered answers 200, and the
/// handler still does not run.
#[tokio::test]
async fn replays_can_be_answered_200() {
    let key = Key::new("k", Secret::generate().unwrap().into_secret()).unwrap();
    let verifier = Verifier::new(
        Scheme::standard_webhooks(),
        Keyring::new(key.clone()).unwrap(),
    );
    let cache = Arc::new(MemoryReplayCache::for_verifier(&verifier, 1000).unwrap());
    let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = Arc::clone(&calls);
    let app = Router::new().route(
        "/",
        post(move || {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            async { "handled" }
        })
        .route_layer(
            VerifyLayer::new(verifier)
                .with_replay_cache(cache)
                .with_replay_status(http::StatusCode::OK),
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let body = b"{}";
    let signed = Signer::new(Scheme::standard_webhooks(), Keyring::new(key).unwrap())
        .sign(Some("msg_1"), body)
        .unwrap();
    let headers: Vec<(String, String)> = signed.iter().map(|(n, v)| (n.into(), v.into())).collect();
    let first = send(addr, "/", &headers, body).await.unwrap();
    let again = send(addr, "/", &headers, body).await.unwrap();
    assert_eq!((first.status, first.body.as_str()), (200, "handled"));
    assert_eq!(
        (again.status, again.body.as_str()),
        (200, "already processed")
    );
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 1);
}

/// The handler reads exactly the bytes that were verified — not UTF-8, with CR, LF and NUL — both
/// as its body and in the `VerifiedDelivery`.
#[tokio::test]
async fn the_handler_gets_the_untouched_body() {
    use axum::Extension;
    use hookseal::VerifiedDelivery;

    let key = Key::new("k", Secret::generate().unwrap().into_secret()).unwrap();
    let verifier = Verifier::new(
        Scheme::standard_webhooks(),
        Keyring::new(key.clone()).unwrap(),
    );
    let app = Router::new().route(
        "/",
        post(
            |Extension(delivery): Extension<VerifiedDelivery>, body: Bytes| async move {
                assert_eq!(&body, delivery.body());
                assert_eq!(delivery.id(), Some("msg_1"));
                assert!(delivery.id_is_signed());
                body
            },
        )
        .route_layer(VerifyLayer::new(verifier)),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let body: &[u8] = b"\xff\xfe{\"a\":\r\n1}\0 \t";
    let signed = Signer::new(Scheme::standard_webhooks(), Keyring::new(key).unwrap())
        .sign(Some("msg_1"), body)
        .unwrap();
    let headers: Vec<(String, String)> = signed.iter().map(|(n, v)| (n.into(), v.into())).collect();
    let client: Client<_, http_body_util::Full<Bytes>> =
        Client::builder(TokioExecutor::new()).build_http();
    let mut request = http::Request::post(format!("http://{addr}/"));
    for (name, value) in &headers {
        request = request.header(name, value);
    }
    let response = client
        .request(request.body(Bytes::from_static(body).into()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let echoed = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    assert_eq!(&echoed[..], body);
}

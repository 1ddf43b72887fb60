//! GitHub's redelivery sequence over real HTTP, through `VerifyLayer` with a replay cache: a
//! delivery whose handler fails, its redelivery (the identical bytes: GitHub signs no
//! timestamp), and two more redeliveries after it succeeded. The failed attempt releases its
//! replay key, so the redelivery runs; the successful one keeps it, so later copies are
//! answered as duplicates without running the handler.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::post;
use hookseal::middleware::VerifyLayer;
use hookseal::replay::{DynReplayCache, MemoryReplayCache};
use hookseal::test_kit::SignedRequest;
use hookseal::{Keyring, Scheme, Verifier};
use tokio::sync::Notify;

use crate::client::post as send;

/// GitHub's documented example secret.
const SECRET: &str = "It's a Secret to Everybody";

fn keyring() -> Keyring {
    Keyring::single(Scheme::github().parse_secret(SECRET).unwrap())
}

/// A GitHub receiver on a loopback port. Its handler fails the first time it runs (as if the
/// database were down), blocks while `gate` is closed, and counts its runs.
struct Receiver {
    addr: std::net::SocketAddr,
    runs: Arc<AtomicUsize>,
}

async fn start(
    cache: Arc<dyn DynReplayCache>,
    replay_status: StatusCode,
    gate: Arc<Notify>,
    slow_run: usize,
) -> Receiver {
    let verifier = Verifier::new(Scheme::github(), keyring());
    let runs = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&runs);
    let app = Router::new().route(
        "/webhooks/github",
        post(move || {
            let run = counted.fetch_add(1, Ordering::SeqCst) + 1;
            let gate = Arc::clone(&gate);
            async move {
                if run == slow_run {
                    gate.notified().await;
                }
                if run == 1 {
                    (StatusCode::INTERNAL_SERVER_ERROR, "database down")
                } else {
                    (StatusCode::OK, "handled")
                }
            }
        })
        .route_layer(
            VerifyLayer::new(verifier)
                .with_replay_cache(cache)
                .with_replay_status(replay_status),
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    Receiver { addr, runs }
}

/// The delivery GitHub sends, and sends again on "Redeliver": the identical bytes.
fn delivery(nonce: &str) -> (Vec<(String, String)>, Vec<u8>) {
    let body = format!(r#"{{"action":"opened","number":1,"nonce":"{nonce}"}}"#).into_bytes();
    let request = SignedRequest::new(Scheme::github(), keyring())
        .id("72d3162e-cc78-11e3-81ab-4c9367dc0958")
        .body(body)
        .build()
        .unwrap();
    let headers = (request.headers().iter())
        .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap().to_owned()))
        .collect();
    (headers, request.into_body().to_vec())
}

/// 500 → redeliver 200 → redeliver: the duplicate answer → again; the handler ran exactly
/// twice, and a copy sent while the successful run was still going got 409 with `Retry-After`.
async fn the_github_sequence(cache: Arc<dyn DynReplayCache>, replay_status: StatusCode) {
    let gate = Arc::new(Notify::new());
    // The second run (the first redelivery) waits at the gate, so a copy can arrive meanwhile.
    let receiver = start(cache, replay_status, Arc::clone(&gate), 2).await;
    let (headers, body) = delivery(&format!("{:?}", std::time::Instant::now()));
    let path = "/webhooks/github";

    let first = send(receiver.addr, path, &headers, &body).await.unwrap();
    assert_eq!((first.status, first.body.as_str()), (500, "database down"));

    let redelivery = {
        let (headers, body) = (headers.clone(), body.clone());
        let addr = receiver.addr;
        tokio::spawn(async move { send(addr, path, &headers, &body).await.unwrap() })
    };
    while receiver.runs.load(Ordering::SeqCst) < 2 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let meanwhile = send(receiver.addr, path, &headers, &body).await.unwrap();
    assert_eq!(meanwhile.status, 409, "{meanwhile:?}");
    assert_eq!(meanwhile.body, "duplicate delivery");
    let retry_after: u64 = meanwhile.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=61).contains(&retry_after), "{retry_after}");
    gate.notify_one();
    let redelivery = redelivery.await.unwrap();
    assert_eq!(
        (redelivery.status, redelivery.body.as_str()),
        (200, "handled")
    );

    let expected = if replay_status == StatusCode::OK {
        (200, "already processed")
    } else {
        (409, "duplicate delivery")
    };
    for _ in 0..2 {
        let again = send(receiver.addr, path, &headers, &body).await.unwrap();
        assert_eq!((again.status, again.body.as_str()), expected);
        assert!(again.headers.get("retry-after").is_none());
    }
    assert_eq!(receiver.runs.load(Ordering::SeqCst), 2);
}

fn memory_cache() -> Arc<dyn DynReplayCache> {
    let verifier = Verifier::new(Scheme::github(), keyring());
    Arc::new(MemoryReplayCache::for_verifier(&verifier, 1000).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn github_redelivery_after_a_failure_runs_on_memory() {
    the_github_sequence(memory_cache(), StatusCode::CONFLICT).await;
    the_github_sequence(memory_cache(), StatusCode::OK).await;
}

#[cfg(feature = "redis")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn github_redelivery_after_a_failure_runs_on_redis() {
    use hookseal::replay::RedisReplayCache;

    let Some(server) = crate::server::RedisServer::start() else {
        return;
    };
    for status in [StatusCode::CONFLICT, StatusCode::OK] {
        let cache = RedisReplayCache::connect(&server.url()).await.unwrap();
        the_github_sequence(Arc::new(cache), status).await;
    }
}

/// A handler that panics, and a request dropped mid-handler (a client gone, a timeout), release
/// the key: the sender's next attempt runs, and once it succeeded the next is a duplicate.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_or_a_dropped_request_releases_the_key() {
    use http_body_util::Full;
    use tower::{Layer as _, ServiceExt as _};

    let runs = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&runs);
    let handler = tower::service_fn(move |_: http::Request<Full<bytes::Bytes>>| {
        let run = counted.fetch_add(1, Ordering::SeqCst) + 1;
        async move {
            match run {
                1 => panic!("the handler fails hard"),
                2 => std::future::pending::<()>().await,
                _ => {}
            }
            Ok::<_, std::convert::Infallible>(http::Response::new(Full::new(
                bytes::Bytes::from_static(b"handled"),
            )))
        }
    });
    let verifier = Verifier::new(Scheme::github(), keyring());
    let service = VerifyLayer::new(verifier)
        .with_replay_cache(memory_cache())
        .layer(handler);
    let (headers, body) = delivery("dropped");
    let request = || {
        let mut request = http::Request::post("/");
        for (name, value) in &headers {
            request = request.header(name, value);
        }
        request
            .body(Full::new(bytes::Bytes::from(body.clone())))
            .unwrap()
    };

    let panicked = tokio::spawn(service.clone().oneshot(request())).await;
    assert!(panicked.unwrap_err().is_panic());
    let timed_out = tokio::time::timeout(
        Duration::from_millis(100),
        service.clone().oneshot(request()),
    )
    .await;
    assert!(timed_out.is_err());
    let answer = service.clone().oneshot(request()).await.unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    let again = service.clone().oneshot(request()).await.unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert_eq!(runs.load(Ordering::SeqCst), 3);
}

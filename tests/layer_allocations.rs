//! What the tower layers allocate per request, counted: an axum router called in process, bare
//! and behind `VerifyLayer` (Stripe) without and with a memory replay cache, and with
//! `IdempotencyLayer` behind it, each request a fresh signed delivery. The layers' own
//! allocations are the difference against the bare router's, which pays for axum's own (its
//! boxed route futures and bodies). A layer written here that does only what tower, `http` and
//! axum leave any verifying layer to do (`Least`) is the bound `VerifyLayer` is held to.
//!
//! `allocation-counter` installs a counting global allocator in this test binary (and only here)
//! and tallies the current thread's allocations, so nothing else running can disturb the count.
//!
//! `cargo test --features tower --test layer_allocations -- --nocapture` prints the counts.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::VecDeque;
use std::convert::Infallible;
use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use axum::Router;
use axum::body::Body;
use axum::routing::post;
use bytes::Bytes;
use http::{Request, StatusCode};
use http_body::{Frame, SizeHint};
use http_body_util::{BodyExt as _, Either, Full};
use tower::{Service, ServiceBuilder};

use hookseal::idempotency::{MemoryIdempotencyStore, Scope};
use hookseal::middleware::{IdempotencyLayer, KeyFrom, VerifyLayer};
use hookseal::replay::MemoryReplayCache;
use hookseal::{Scheme, Signer, Timestamp, Verifier};

const SECRET: &str = "whsec_layer_allocations_0123456789abcdef";
const REQUESTS: usize = 200;

async fn handler(body: Bytes) -> StatusCode {
    assert!(!body.is_empty());
    StatusCode::OK
}

fn app(variant: &str) -> Router {
    let routes = Router::new().route("/hook", post(handler));
    let verifier = || Verifier::from_secret(Scheme::stripe(), SECRET).unwrap();
    let cache = |v: &Verifier| Arc::new(MemoryReplayCache::for_verifier(v, 10_000).unwrap());
    let router = match variant {
        "bare" => routes,
        "least" => routes.route_layer(tower::layer::layer_fn(Least)),
        "verify, no replay cache" => routes.route_layer(VerifyLayer::new(verifier())),
        "verify" => {
            let verifier = verifier();
            let cache = cache(&verifier);
            routes.route_layer(VerifyLayer::new(verifier).with_replay_cache(cache))
        }
        "verify + idempotency" => {
            let verifier = verifier();
            let cache = cache(&verifier);
            let store = Arc::new(MemoryIdempotencyStore::new(10_000).unwrap());
            let key = KeyFrom::delivery_id().or(KeyFrom::body_member(&["id"]).unwrap());
            routes.route_layer(
                ServiceBuilder::new()
                    .layer(VerifyLayer::new(verifier).with_replay_cache(cache))
                    .layer(IdempotencyLayer::new(store, Scope::new("stripe"), key)),
            )
        }
        other => panic!("{other}"),
    };
    // As `axum::serve` does for each connection: handlers made into services once.
    router.with_state(())
}

/// The least a layer that verifies a request before its handler can do under tower, `http` and
/// axum: take the inner service that was polled ready and leave a clone for the next request
/// (tower's ready contract), box its future (it awaits the body and the inner service, so its
/// type has no name), read the body whole (a single chunk kept, not copied), hand the handler
/// one value in the request's extensions, and answer with its own body type or the inner one's.
#[derive(Clone)]
struct Least<S>(S);

/// The value `Least` hands the handler: sized like a delivery's fields (a zero-sized one would not
/// be allocated).
#[derive(Clone)]
#[expect(dead_code, reason = "the handler here does not read it")]
struct Passed(usize);

impl<S, B, R> Service<Request<B>> for Least<S>
where
    S: Service<Request<Full<Bytes>>, Response = http::Response<R>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    R: Send + 'static,
    B: http_body::Body<Data = Bytes> + Send + 'static,
{
    type Response = http::Response<Either<R, Full<Bytes>>>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let clone = self.0.clone();
        let mut inner = std::mem::replace(&mut self.0, clone);
        let (mut parts, body) = request.into_parts();
        Box::pin(async move {
            let mut body = pin!(body);
            let mut whole = Bytes::new();
            while let Some(Ok(frame)) = body.frame().await {
                if let Ok(data) = frame.into_data() {
                    whole = match whole.is_empty() {
                        true => data,
                        false => [whole, data].concat().into(),
                    };
                }
            }
            parts.extensions.insert(Passed(whole.len()));
            let called = inner.call(Request::from_parts(parts, Full::new(whole)));
            Ok(called.await?.map(Either::Left))
        })
    }
}

/// A request body in the chunks a server hands over.
struct Chunks(VecDeque<Bytes>);

impl http_body::Body for Chunks {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.0.pop_front().map(|b| Ok(Frame::data(b))))
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.0.iter().map(|b| b.len() as u64).sum())
    }
}

/// `REQUESTS` distinct Stripe deliveries of about 1 KiB, signed now, their bodies slices of one
/// buffer (as a server's read buffer: sharing it allocates nothing).
fn requests() -> Vec<Request<Body>> {
    let signer = Signer::from_secret(Scheme::stripe(), SECRET).unwrap();
    let now = Timestamp::from_system_time(std::time::SystemTime::now()).unwrap();
    let bodies: Vec<String> = (0..REQUESTS)
        .map(|i| {
            format!(
                r#"{{"id":"evt_{i:08}","object":"event","pad":"{}"}}"#,
                "x".repeat(960)
            )
        })
        .collect();
    let all = Bytes::from(bodies.concat());
    let mut at = 0;
    bodies
        .iter()
        .map(|body| {
            let signed = signer.sign_at(None, body.as_bytes(), now).unwrap();
            let (name, value) = signed.iter().next().unwrap();
            let chunk = all.slice(at..at + body.len());
            at += body.len();
            Request::post("/hook")
                .header("host", "localhost")
                .header("content-type", "application/json")
                .header(name, value)
                .body(Body::new(Chunks([chunk].into())))
                .unwrap()
        })
        .collect()
}

/// Polls `f` once: everything here answers at once.
fn now<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("pending"),
    }
}

/// Allocations per request through `variant`'s router, the requests built beforehand and the
/// answers read whole (and dropped) within the count.
fn per_request(variant: &str) -> f64 {
    let mut router = app(variant);
    let requests = requests();
    // One request first, so the replay cache's and store's tables have their first room.
    let mut requests = requests.into_iter();
    let first = requests.next().unwrap();
    assert_eq!(now(router.call(first)).unwrap().status(), StatusCode::OK);
    let counted = allocation_counter::measure(|| {
        for request in requests {
            let response = now(router.call(request)).unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            drop(now(response.into_body().collect()).unwrap());
        }
    });
    counted.count_total as f64 / (REQUESTS - 1) as f64
}

#[test]
fn the_layers_allocate_little_beyond_axum() {
    let bare = per_request("bare");
    let mut extra = Vec::new();
    for variant in [
        "least",
        "verify, no replay cache",
        "verify",
        "verify + idempotency",
    ] {
        let n = per_request(variant);
        println!(
            "{variant}: {n:.2} allocations per request, {:+.2} over bare ({bare:.2})",
            n - bare
        );
        extra.push(n - bare);
    }
    // Features `tracing` and `metrics` record each verification and store step, which
    // allocates (their labels and spans); the bounds below are the layers' own.
    if cfg!(any(feature = "tracing", feature = "metrics")) {
        return;
    }
    // `VerifyLayer` allocates what `Least` does, and nothing more. Counted step by step with
    // layers doing part of `Least`'s work: 4 for passing a request through a layer that clones
    // its inner service and boxes its future (axum boxing the body handed on among them), none
    // for reading a one-chunk body, 1 for the value in the extensions and 1 for axum boxing the
    // response's body. Before this count existed: 7.
    assert!(extra[1] <= extra[0], "beyond the least: {extra:?}");
    // The memory replay cache allocates nothing per request but its tables' growth.
    assert!(
        extra[2] <= extra[1] + 1.0,
        "the replay cache allocates: {extra:?}"
    );
    // `IdempotencyLayer`: its future, the stored answer's record, and the store's copy of it.
    assert!(extra[3] <= extra[2] + 4.0, "{extra:?}");
}

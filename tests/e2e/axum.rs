//! The axum extractors over real HTTP: `VerifiedDelivery` and `Event<T>` as handler arguments
//! behind `VerifyLayer`, the rejection of a route without the layer, and the crate's errors as
//! handlers' answers.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::post;
use hookseal::idempotency::{IdempotencyError, StoreError};
use hookseal::middleware::VerifyLayer;
use hookseal::replay::{FreshError, MemoryReplayCache};
use hookseal::{Event, Scheme, Signer, VerifiedDelivery, Verifier, VerifyError};

use crate::client::{Answer, post as send};

const SECRET: &str = "whsec_axum_extractors_over_real_http";

#[derive(Debug, serde::Deserialize)]
#[serde(tag = "type")]
enum StripeEvent {
    #[serde(rename = "invoice.paid")]
    InvoicePaid { id: String },
    #[serde(other)]
    Other,
}

async fn serve(app: Router) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

fn signed(body: &[u8]) -> Vec<(String, String)> {
    let signer = Signer::from_secret(Scheme::stripe(), SECRET).unwrap();
    let headers = signer.sign(None, body).unwrap();
    headers.iter().map(|(n, v)| (n.into(), v.into())).collect()
}

async fn typed_app() -> std::net::SocketAddr {
    let verifier = Verifier::from_secret(Scheme::stripe(), SECRET).unwrap();
    let cache = Arc::new(MemoryReplayCache::for_verifier(&verifier, 1_000).unwrap());
    let handle = |Event(event): Event<StripeEvent>, delivery: VerifiedDelivery| async move {
        assert_eq!(delivery.scheme(), "stripe");
        match event {
            StripeEvent::InvoicePaid { id } => format!("paid {id}"),
            StripeEvent::Other => "other".to_owned(),
        }
    };
    serve(
        Router::new()
            .route("/hooks", post(handle))
            .route_layer(VerifyLayer::new(verifier).with_replay_cache(cache)),
    )
    .await
}

#[tokio::test]
async fn the_handler_takes_the_event_as_its_own_type() {
    let addr = typed_app().await;
    let paid = br#"{"id":"evt_1","object":"event","type":"invoice.paid"}"#;
    let answer = send(addr, "/hooks", &signed(paid), paid).await.unwrap();
    assert_eq!((answer.status, answer.body.as_str()), (200, "paid evt_1"));

    // A type the enum does not name is the catch-all, not a refusal.
    let other = br#"{"id":"evt_2","object":"event","type":"payout.failed"}"#;
    let answer = send(addr, "/hooks", &signed(other), other).await.unwrap();
    assert_eq!((answer.status, answer.body.as_str()), (200, "other"));

    // Tampered: the layer refuses it; the extractor never parses it.
    let tampered = br#"{"id":"evt_1","object":"event","type":"invoice.void"}"#;
    let answer = send(addr, "/hooks", &signed(paid), tampered).await.unwrap();
    assert_eq!(answer.status, 401);
}

#[tokio::test]
async fn a_verified_body_that_is_not_the_type_is_400_and_its_key_released() {
    let addr = typed_app().await;
    // Verified, but no `type` member: not a `StripeEvent`.
    let body = br#"{"id":"evt_3","object":"event"}"#;
    let headers = signed(body);
    let answer = send(addr, "/hooks", &headers, body).await.unwrap();
    assert_eq!((answer.status, answer.body.as_str()), (400, "bad request"));
    assert_text_plain(&answer);
    // The handler did not answer 2xx, so the replay key was released: the same request is
    // verified and refused by the extractor again, not as a replay.
    let again = send(addr, "/hooks", &headers, body).await.unwrap();
    assert_eq!(again.status, 400);
}

#[tokio::test]
async fn a_route_without_the_layer_is_refused_naming_the_layer() {
    let app = Router::new()
        .route(
            "/delivery",
            post(|_: VerifiedDelivery| async { "never runs" }),
        )
        .route(
            "/event",
            post(|_: Event<StripeEvent>| async { "never runs" }),
        );
    let addr = serve(app).await;
    let body = br#"{"id":"evt_1","object":"event","type":"invoice.paid"}"#;
    for path in ["/delivery", "/event"] {
        let answer = send(addr, path, &signed(body), body).await.unwrap();
        assert_eq!(answer.status, 500, "{path}");
        assert_eq!(
            answer.body, "hookseal: no VerifyLayer on this route",
            "{path}"
        );
        assert_text_plain(&answer);
    }
}

/// A handler returns the crate's errors; each answers with its status, `Retry-After` where it
/// has one, and the fixed text — nothing of the error's detail.
#[tokio::test]
async fn the_errors_answer_with_status_retry_after_and_fixed_text() {
    let app = Router::new()
        .route(
            "/verify",
            post(|| async { Err::<(), _>(VerifyError::NoMatchingSignature) }),
        )
        .route(
            "/store",
            post(|| async {
                Err::<(), _>(StoreError::Unavailable(
                    "redis at 10.0.0.7:6379 refused the connection".into(),
                ))
            }),
        )
        .route(
            "/fresh",
            post(|| async {
                Err::<(), _>(FreshError::InProgress {
                    retry_after: Duration::from_millis(1_500),
                })
            }),
        )
        .route(
            "/mismatch",
            post(|| async { Err::<(), _>(IdempotencyError::<std::io::Error>::Mismatch) }),
        )
        .route(
            "/unrecorded",
            post(|| async {
                Err::<(), _>(IdempotencyError::<std::io::Error>::Unrecorded {
                    output: b"done".to_vec(),
                    source: StoreError::Unavailable("gone".into()),
                })
            }),
        );
    let addr = serve(app).await;
    // The store's own Retry-After, in whole seconds.
    let store_after = StoreError::Unavailable("".into())
        .retry_after()
        .unwrap()
        .as_secs()
        .to_string();
    for (path, status, retry_after, text) in [
        ("/verify", 401, None, "signature not verified"),
        (
            "/store",
            503,
            Some(store_after.as_str()),
            "temporarily unavailable",
        ),
        // 1.5 s: whole seconds, rounded up.
        ("/fresh", 409, Some("2"), "duplicate delivery"),
        (
            "/mismatch",
            422,
            None,
            "idempotency key reused for another payload",
        ),
        ("/unrecorded", 200, None, "done"),
    ] {
        let answer = send(addr, path, &[], b"").await.unwrap();
        assert_eq!(answer.status, status, "{path}");
        assert_eq!(answer.body, text, "{path}");
        let after = answer
            .headers
            .get("retry-after")
            .map(|v| v.to_str().unwrap());
        assert_eq!(after, retry_after, "{path}");
    }
}

fn assert_text_plain(answer: &Answer) {
    assert_eq!(
        answer.headers.get("content-type").unwrap(),
        "text/plain; charset=utf-8"
    );
}

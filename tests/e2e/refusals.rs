//! The layer's refusals say nothing of their cause beyond a fixed text per status: no store
//! detail (a capacity, a server's error text) reaches the sender. The cause is in the response's
//! extensions, as a `Refused`, for the receiver's own logs.

use std::sync::Arc;

use bytes::Bytes;
use hookseal::middleware::{Refused, VerifyLayer};
use hookseal::replay::{DynReplayCache, FreshError, MemoryReplayCache, StoreError};
use hookseal::test_kit::{SignedRequest, Tamper};
use hookseal::{Keyring, Scheme, Secret, Verifier, VerifyError};
use http_body_util::{BodyExt as _, Full};
use tower::{Layer as _, ServiceExt as _};

fn keyring() -> Keyring {
    Keyring::single(Secret::from_bytes([5_u8; 32]).unwrap())
}

/// A delivery of `body`, signed.
fn delivery(id: &str, body: &[u8]) -> SignedRequest {
    SignedRequest::new(Scheme::standard_webhooks(), keyring())
        .id(id)
        .body(body)
}

/// The answer of a layer around a handler that answers 200, with `cache`, to `request`.
async fn answer(
    cache: Arc<dyn DynReplayCache>,
    request: http::Request<Bytes>,
) -> (http::StatusCode, Option<String>, String, Option<Refused>) {
    let handler = tower::service_fn(|_: http::Request<Full<Bytes>>| async {
        Ok::<_, std::convert::Infallible>(http::Response::new(Full::new(Bytes::from_static(
            b"handled",
        ))))
    });
    let verifier = Verifier::new(Scheme::standard_webhooks(), keyring());
    let service = VerifyLayer::new(verifier)
        .with_replay_cache(cache)
        .layer(handler);
    let request = request.map(Full::new);
    let response = service.oneshot(request).await.unwrap();
    let status = response.status();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let refused = response.extensions().get::<Refused>().cloned();
    let text = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        retry_after,
        String::from_utf8(text.to_vec()).unwrap(),
        refused,
    )
}

#[tokio::test]
async fn a_full_cache_is_a_plain_503_with_the_detail_kept_for_logs() {
    let verifier = Verifier::new(Scheme::standard_webhooks(), keyring());
    let cache: Arc<dyn DynReplayCache> =
        Arc::new(MemoryReplayCache::for_verifier(&verifier, 1).unwrap());
    let first = delivery("msg_refusal", b"{\"n\":1}").build().unwrap();
    let (status, _, _, _) = answer(Arc::clone(&cache), first).await;
    assert_eq!(status, 200);
    let second = delivery("msg_refusal", b"{\"n\":2}").build().unwrap();
    let (status, retry_after, text, refused) = answer(cache, second).await;
    assert_eq!(status, 503);
    assert_eq!(retry_after.as_deref(), Some("5"));
    assert_eq!(text, "temporarily unavailable\n");
    let refused = refused.expect("the cause is in the extensions");
    assert!(matches!(
        refused.error(),
        FreshError::Store(StoreError::CapacityExceeded { capacity: 1 })
    ));
}

#[tokio::test]
async fn verification_failures_are_fixed_texts_per_status() {
    let verifier = Verifier::new(Scheme::standard_webhooks(), keyring());
    let cache = || -> Arc<dyn DynReplayCache> {
        Arc::new(MemoryReplayCache::for_verifier(&verifier, 100).unwrap())
    };
    let kit = delivery("msg_fixed", b"{\"n\":1}");
    // Each tampered twin (body, timestamp, signature, id): 401.
    for what in Tamper::ALL {
        let twin = kit.tampered(what).unwrap().unwrap();
        let (status, _, text, refused) = answer(cache(), twin).await;
        assert_eq!(
            (status.as_u16(), text.as_str()),
            (401, "signature not verified\n"),
            "{what:?}"
        );
        assert!(matches!(
            refused.unwrap().error(),
            FreshError::Rejected(VerifyError::NoMatchingSignature)
        ));
    }
    // The request itself passes.
    let (status, _, _, refused) = answer(cache(), kit.build().unwrap()).await;
    assert_eq!(status, 200);
    assert!(refused.is_none());
    // A tampered body: 401.
    let (status, _, text, refused) =
        answer(cache(), kit.tampered(Tamper::Body).unwrap().unwrap()).await;
    assert_eq!(
        (status.as_u16(), text.as_str()),
        (401, "signature not verified\n")
    );
    assert!(matches!(
        refused.unwrap().error(),
        FreshError::Rejected(VerifyError::NoMatchingSignature)
    ));
    // No signature header: 400, whatever the header's role.
    let mut unsigned = kit.build().unwrap();
    unsigned.headers_mut().remove("webhook-signature");
    let (status, _, text, refused) = answer(cache(), unsigned).await;
    assert_eq!((status.as_u16(), text.as_str()), (400, "bad request\n"));
    assert!(matches!(
        refused.unwrap().error(),
        FreshError::Rejected(VerifyError::MissingHeader(_))
    ));
}

#[cfg(feature = "redis")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_outage_is_a_plain_503_with_the_detail_kept_for_logs() {
    use hookseal::replay::RedisReplayCache;

    let Some(mut server) = crate::server::RedisServer::start() else {
        return;
    };
    let cache = Arc::new(RedisReplayCache::connect(&server.url()).await.unwrap());
    server.stop();
    let request = delivery("msg_refusal", b"{}").build().unwrap();
    let (status, retry_after, text, refused) = answer(cache, request).await;
    assert_eq!(status, 503);
    assert_eq!(retry_after.as_deref(), Some("5"));
    assert_eq!(text, "temporarily unavailable\n");
    assert!(matches!(
        refused.unwrap().error(),
        FreshError::Store(StoreError::Unavailable(_))
    ));
}

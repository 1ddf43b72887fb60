//! The layer's refusals say nothing of their cause beyond a fixed text per status: no store
//! detail (a capacity, a server's error text) reaches the sender. The cause is in the response's
//! extensions, as a `Refused`, for the receiver's own logs.

use std::sync::Arc;

use bytes::Bytes;
use hookseal::middleware::{Refused, VerifyLayer};
use hookseal::replay::{DynReplayCache, FreshError, MemoryReplayCache, StoreError};
use hookseal::{Keyring, Scheme, Secret, Signer, Verifier, VerifyError};
use http_body_util::{BodyExt as _, Full};
use tower::{Layer as _, ServiceExt as _};

fn keyring() -> Keyring {
    Keyring::single(Secret::from_bytes([5_u8; 32]).unwrap())
}

/// A layer around a handler that answers 200, with `cache`; and a request for `body`.
async fn answer(
    cache: Arc<dyn DynReplayCache>,
    body: &[u8],
    headers: Option<Vec<(String, String)>>,
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
    let headers = headers.unwrap_or_else(|| {
        let signed = Signer::new(Scheme::standard_webhooks(), keyring())
            .sign(Some("msg_refusal"), body)
            .unwrap();
        signed.iter().map(|(n, v)| (n.into(), v.into())).collect()
    });
    let mut request = http::Request::post("/");
    for (name, value) in &headers {
        request = request.header(name, value);
    }
    let request = request
        .body(Full::new(Bytes::copy_from_slice(body)))
        .unwrap();
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
    let (status, _, _, _) = answer(Arc::clone(&cache), b"{\"n\":1}", None).await;
    assert_eq!(status, 200);
    let (status, retry_after, text, refused) = answer(cache, b"{\"n\":2}", None).await;
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
    let signed = Signer::new(Scheme::standard_webhooks(), keyring())
        .sign(Some("msg_fixed"), b"{}")
        .unwrap();
    let headers: Vec<(String, String)> = signed.iter().map(|(n, v)| (n.into(), v.into())).collect();
    // A tampered body: 401.
    let (status, _, text, refused) = answer(cache(), b"{ }", Some(headers.clone())).await;
    assert_eq!(
        (status.as_u16(), text.as_str()),
        (401, "signature not verified\n")
    );
    assert!(matches!(
        refused.unwrap().error(),
        FreshError::Rejected(VerifyError::NoMatchingSignature)
    ));
    // No signature header: 400, whatever the header's role.
    let unsigned: Vec<(String, String)> = headers
        .iter()
        .filter(|(n, _)| n != "webhook-signature")
        .cloned()
        .collect();
    let (status, _, text, refused) = answer(cache(), b"{}", Some(unsigned)).await;
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
    let (status, retry_after, text, refused) = answer(cache, b"{}", None).await;
    assert_eq!(status, 503);
    assert_eq!(retry_after.as_deref(), Some("5"));
    assert_eq!(text, "temporarily unavailable\n");
    assert!(matches!(
        refused.unwrap().error(),
        FreshError::Store(StoreError::Unavailable(_))
    ));
}

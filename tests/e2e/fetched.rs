//! Schemes whose requests name their certificate, through the tower layer with a replay cache:
//! the layer loads the certificate through the verifier's `KeyCache` before verifying, so the
//! handler sees a verified AWS SNS or PayPal delivery, a replay is refused, and a certificate
//! URL off the scheme's allow-list is refused without a fetch.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use hookseal::VerifiedDelivery;
use hookseal::middleware::{Refused, VerifyLayer};
use hookseal::replay::{FreshError, MemoryReplayCache};
use hookseal::{
    Clock, FetchError, KeyCache, KeyFetcher, KeyUrl, Scheme, Timestamp, TimestampFormat, Verifier,
    VerifyError,
};
use http_body_util::Full;
use tower::{Layer as _, Service as _, ServiceExt};

const SNS_CERT: &[u8] = include_bytes!("../vectors/aws_sns/cert.pem");
const SNS_CERT_URL: &str = "https://sns.us-east-2.amazonaws.com/SimpleNotificationService-7ff5318490ec183fbaddaa2a969abfda.pem";
const SNS_MESSAGE: &[u8] = include_bytes!("../vectors/aws_sns/notification_sv2_subject.json");
const PAYPAL_CERT: &[u8] = include_bytes!("../vectors/paypal/cert.pem");
const PAYPAL_BODY: &[u8] = include_bytes!("../vectors/paypal/body.json");
const PAYPAL_CERT_URL: &str =
    "https://api.sandbox.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77";

/// A clock stopped at the time the vectors were signed (their certificates have expired since).
#[derive(Debug)]
struct At(Timestamp);

impl Clock for At {
    fn now(&self) -> Option<Timestamp> {
        Some(self.0)
    }
}

fn at(rfc3339: &str) -> At {
    At(TimestampFormat::Rfc3339.parse(rfc3339.as_bytes()).unwrap())
}

/// Serves one document and counts its fetches.
struct OneDocument {
    url: &'static str,
    document: &'static [u8],
    fetches: Arc<AtomicUsize>,
}

impl KeyFetcher for OneDocument {
    async fn fetch(&self, url: &KeyUrl) -> Result<Vec<u8>, FetchError> {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        // A fetch takes a while, so concurrent requests find it in flight.
        tokio::time::sleep(Duration::from_millis(20)).await;
        match url.as_str() == self.url {
            true => Ok(self.document.to_vec()),
            false => Err(FetchError::new("not found")),
        }
    }
}

/// The layer around a handler, boxed.
type Receiver = tower::util::BoxCloneService<
    http::Request<Full<Bytes>>,
    http::Response<Full<Bytes>>,
    Infallible,
>;

/// The layer around a handler that answers 200 with the verified delivery's id.
fn service<C: Clock + 'static>(verifier: Verifier<C>) -> Receiver {
    let cache = Arc::new(MemoryReplayCache::for_verifier(&verifier, 1000).unwrap());
    let handler = tower::service_fn(|request: http::Request<Full<Bytes>>| async move {
        let delivery = request.extensions().get::<VerifiedDelivery>().unwrap();
        let id = delivery.id().unwrap_or_default().to_owned();
        Ok::<_, Infallible>(http::Response::new(Full::new(Bytes::from(id))))
    });
    let layered = VerifyLayer::new(verifier)
        .with_replay_cache(cache)
        .layer(handler);
    // The layer's answers, refusals included, as one body type.
    let layered = ServiceExt::<http::Request<Full<Bytes>>>::map_response(layered, |response| {
        let (parts, body) = response.into_parts();
        http::Response::from_parts(parts, Full::new(collect_now(body)))
    });
    tower::util::BoxCloneService::new(layered)
}

/// The bytes of a body that is ready at once (the handler's and the layer's are).
fn collect_now<B: http_body::Body<Data = Bytes> + Unpin>(mut body: B) -> Bytes {
    use std::pin::Pin;
    use std::task::{Context, Poll, Waker};
    let mut out = Vec::new();
    let mut cx = Context::from_waker(Waker::noop());
    while let Poll::Ready(Some(Ok(frame))) = Pin::new(&mut body).poll_frame(&mut cx) {
        if let Ok(data) = frame.into_data() {
            out.extend_from_slice(&data);
        }
    }
    Bytes::from(out)
}

fn request(headers: &[(&str, &str)], body: Vec<u8>) -> http::Request<Full<Bytes>> {
    let mut request = http::Request::builder().method("POST").uri("/hooks");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.body(Full::new(Bytes::from(body))).unwrap()
}

async fn body_text(response: http::Response<Full<Bytes>>) -> String {
    use http_body_util::BodyExt as _;
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[tokio::test]
async fn sns_deliveries_verify_once_with_one_fetch() {
    let fetches = Arc::new(AtomicUsize::new(0));
    let fetcher = OneDocument {
        url: SNS_CERT_URL,
        document: SNS_CERT,
        fetches: Arc::clone(&fetches),
    };
    let verifier = Verifier::fetching(Scheme::aws_sns(), KeyCache::new(fetcher))
        .unwrap()
        .with_clock(at("2022-07-28T22:53:55Z"));
    let service = service(verifier);
    let sns = [("Content-Type", "text/plain; charset=UTF-8")];

    // Eight copies at once: one fetch, one handled, the others refused as in progress or
    // replayed.
    let answers =
        futures_join((0..8).map(|_| service.clone().oneshot(request(&sns, SNS_MESSAGE.to_vec()))))
            .await;
    let statuses: Vec<u16> = answers.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| [200, 409].contains(s)),
        "{statuses:?}"
    );
    assert_eq!(fetches.load(Ordering::SeqCst), 1);
    let handled = answers.into_iter().find(|r| r.status() == 200).unwrap();
    assert_eq!(
        body_text(handled).await,
        "4504e649-d933-5aa9-8199-bd14ccf05f0b"
    );

    // A certificate URL off AWS's list: refused, nothing fetched.
    let forged = String::from_utf8(SNS_MESSAGE.to_vec()).unwrap().replace(
        SNS_CERT_URL,
        "https://sns.us-east-2.amazonaws.com.evil.example/x.pem",
    );
    let response = service
        .clone()
        .oneshot(request(&sns, forged.into_bytes()))
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let refused = response.extensions().get::<Refused>().unwrap();
    assert!(matches!(
        refused.error(),
        FreshError::Rejected(VerifyError::KeyUrlRefused)
    ));
    assert_eq!(fetches.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn paypal_deliveries_verify_through_the_layer_and_fail_closed_without_their_certificate() {
    let vector: serde_json::Value =
        serde_json::from_str(include_str!("../vectors/paypal/vector.json")).unwrap();
    let field = |name: &str| vector[name].as_str().unwrap().to_owned();
    let (id, time, sig) = (
        field("transmission_id"),
        field("transmission_time"),
        field("transmission_sig"),
    );
    let headers = |cert_url: &'static str| {
        vec![
            ("PAYPAL-TRANSMISSION-ID", id.clone()),
            ("PAYPAL-TRANSMISSION-TIME", time.clone()),
            ("PAYPAL-TRANSMISSION-SIG", sig.clone()),
            ("PAYPAL-AUTH-ALGO", "SHA256withRSA".to_owned()),
            ("PAYPAL-CERT-URL", cert_url.to_owned()),
        ]
    };
    let fetches = Arc::new(AtomicUsize::new(0));
    let fetcher = OneDocument {
        url: PAYPAL_CERT_URL,
        document: PAYPAL_CERT,
        fetches: Arc::clone(&fetches),
    };
    let verifier = Verifier::fetching(Scheme::paypal(), KeyCache::new(fetcher))
        .unwrap()
        .with_endpoint_id("96605875FF6516633")
        .unwrap()
        .with_clock(at("2017-03-30T20:04:05Z"));
    let mut service = service(verifier);
    let send = |cert_url| {
        let pairs = headers(cert_url);
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(n, v)| (*n, v.as_str())).collect();
        request(&pairs, PAYPAL_BODY.to_vec())
    };

    // Another certificate URL on PayPal's list, which the fetcher cannot serve: 503, to be
    // retried, and remembered for a while.
    let missing = "https://api.sandbox.paypal.com/v1/notifications/certs/CERT-missing";
    let response = service.call(send(missing)).await.unwrap();
    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key(http::header::RETRY_AFTER));

    let response = service.call(send(PAYPAL_CERT_URL)).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(body_text(response).await, id);
    let replayed = service.call(send(PAYPAL_CERT_URL)).await.unwrap();
    assert_eq!(replayed.status(), 409);
    assert_eq!(fetches.load(Ordering::SeqCst), 2);
}

/// Runs the futures concurrently on this task and returns their answers in order.
async fn futures_join<F, T>(futures: impl IntoIterator<Item = F>) -> Vec<T>
where
    F: Future<Output = Result<T, Infallible>> + Send + 'static,
    T: Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut answers = Vec::new();
    for handle in handles {
        answers.push(handle.await.unwrap().unwrap());
    }
    answers
}

/// Google's key set, from memory, with its fetches counted.
struct GoogleKeys(Arc<AtomicUsize>);

impl KeyFetcher for GoogleKeys {
    async fn fetch(&self, url: &KeyUrl) -> Result<Vec<u8>, FetchError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        match url.as_str() {
            "https://www.googleapis.com/oauth2/v3/certs" => {
                Ok(include_bytes!("../vectors/google_pubsub/jwks.json").to_vec())
            }
            _ => Err(FetchError::new("not found")),
        }
    }
}

/// Pub/Sub reuses one token for many pushes: each message is handled once, whatever token it
/// comes with, and a token for another account is refused before the handler.
#[tokio::test]
async fn pubsub_pushes_verify_through_the_layer_each_message_once() {
    let vectors: serde_json::Value =
        serde_json::from_str(include_str!("../vectors/google_pubsub/tokens.json")).unwrap();
    let token = |name: &str| format!("Bearer {}", vectors["tokens"][name].as_str().unwrap());
    let issued = Timestamp::from_unix_secs(vectors["iat"].as_u64().unwrap() + 60);
    let fetches = Arc::new(AtomicUsize::new(0));
    let verifier = Verifier::fetching(
        Scheme::google_pubsub(),
        KeyCache::new(GoogleKeys(Arc::clone(&fetches))),
    )
    .unwrap()
    .with_public_url("https://hooks.example.com")
    .unwrap()
    .with_service_account(vectors["email"].as_str().unwrap())
    .unwrap()
    .with_clock(At(issued));
    let mut service = service(verifier);
    let body = include_str!("../vectors/google_pubsub/body.json");
    let push = |authorization: String, body: String| {
        let mut request = http::Request::builder()
            .method("POST")
            .uri("/pubsub/push?token=abc")
            .header("Authorization", authorization);
        request = request.header("Content-Type", "application/json");
        request.body(Full::new(Bytes::from(body))).unwrap()
    };

    let first = service
        .call(push(token("valid"), body.to_owned()))
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
    assert_eq!(body_text(first).await, "2070443601311540");
    // The same message again, under the same token or a renewed one: a replay.
    for name in ["valid", "valid_k2"] {
        let again = service
            .call(push(token(name), body.to_owned()))
            .await
            .unwrap();
        assert_eq!(again.status(), 409, "{name}");
    }
    // The next message under the same token.
    let next = body.replace("2070443601311540", "2070443601311541");
    let response = service.call(push(token("valid"), next)).await.unwrap();
    assert_eq!(body_text(response).await, "2070443601311541");
    // A token Google signed for someone else's account.
    let response = service
        .call(push(token("other_email"), body.to_owned()))
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let refused = response.extensions().get::<Refused>().unwrap();
    assert!(matches!(
        refused.error(),
        FreshError::Rejected(VerifyError::ClaimRefused { claim: "email" })
    ));
    assert_eq!(fetches.load(Ordering::SeqCst), 1);
}

//! Schemes that sign the request line, through the tower layer: the layer hands the verifier the
//! request's method and target, and the verifier puts its public URL in front of the target, as
//! the sender signed it. A proxy's rewrite of the host does not matter; a changed path or method
//! does.

use bytes::Bytes;
use hookseal::middleware::{Refused, VerifyLayer};
use hookseal::replay::FreshError;
use hookseal::test_kit::{SignedRequest, Tamper};
use hookseal::{Scheme, Verifier, VerifyError};
use http_body_util::Full;
use tower::{Layer as _, ServiceExt as _};

const SECRET: &str = "square_signature_key_0123456789";
const PUBLIC: &str = "https://hooks.example.com";

/// The headers of a request the kit signed.
fn headers_of(request: &http::Request<Bytes>) -> Vec<(&str, &str)> {
    (request.headers().iter())
        .map(|(n, v)| (n.as_str(), v.to_str().unwrap()))
        .collect()
}

/// The answer of a layer with `verifier` around a handler that answers 200, to `method` on
/// `target` (as the server sees it), with `headers` and `body`.
async fn answer(
    verifier: Verifier,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (http::StatusCode, Option<Refused>) {
    let handler = tower::service_fn(|_: http::Request<Full<Bytes>>| async {
        Ok::<_, std::convert::Infallible>(http::Response::new(Full::new(Bytes::new())))
    });
    let service = VerifyLayer::new(verifier).layer(handler);
    // The server behind the proxy sees its own host; only the target is the sender's.
    let mut request = http::Request::builder()
        .method(method)
        .uri(format!("http://10.0.0.7:8080{target}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = service
        .oneshot(
            request
                .body(Full::new(Bytes::copy_from_slice(body)))
                .unwrap(),
        )
        .await
        .unwrap();
    let refused = response.extensions().get::<Refused>().cloned();
    (response.status(), refused)
}

#[tokio::test]
async fn a_signed_url_verifies_behind_a_proxy_and_nowhere_else() {
    let body = br#"{"event_id":"ac3ac95b","type":"payment.updated"}"#;
    let kit = SignedRequest::from_secret(Scheme::square(), SECRET)
        .unwrap()
        .url(&format!("{PUBLIC}/hooks/square?shop=7"))
        .body(body);
    let signed = kit.build().unwrap();
    let headers = headers_of(&signed);
    let verifier = || {
        Verifier::from_secret(Scheme::square(), SECRET)
            .unwrap()
            .with_public_url(PUBLIC)
            .unwrap()
    };

    let (status, _) = answer(verifier(), "POST", "/hooks/square?shop=7", &headers, body).await;
    assert_eq!(status, 200);
    // Its tampered twins: Square signs the body and no timestamp or id.
    for what in Tamper::ALL {
        let Some(twin) = kit.tampered(what).unwrap() else {
            assert!(matches!(what, Tamper::Timestamp | Tamper::Id));
            continue;
        };
        let target = "/hooks/square?shop=7";
        let (status, _) = answer(verifier(), "POST", target, &headers_of(&twin), twin.body()).await;
        assert_eq!(status, 401, "{what:?}");
    }
    for target in [
        "/hooks/square?shop=8",
        "/hooks/square",
        "/hooks/other?shop=7",
    ] {
        let (status, refused) = answer(verifier(), "POST", target, &headers, body).await;
        assert_eq!(status, 401, "{target}");
        assert!(refused.is_some());
    }
    // Without its public URL the verifier cannot know what was signed: the receiver's fault.
    let bare = Verifier::from_secret(Scheme::square(), SECRET).unwrap();
    let (status, refused) = answer(bare, "POST", "/hooks/square?shop=7", &headers, body).await;
    assert_eq!(status, 500);
    assert!(matches!(
        refused.unwrap().error(),
        FreshError::Rejected(VerifyError::MissingPublicUrl)
    ));
}

#[tokio::test]
async fn a_signed_method_is_checked() {
    let body = br#"{"subscriptionType":"contact.creation"}"#;
    let secret = "hubspot-client-secret-0123456789";
    let kit = SignedRequest::from_secret(Scheme::hubspot(), secret)
        .unwrap()
        .url(&format!("{PUBLIC}/hubspot"))
        .body(body);
    let signed = kit.build().unwrap();
    let headers = headers_of(&signed);
    let verifier = || {
        Verifier::from_secret(Scheme::hubspot(), secret)
            .unwrap()
            .with_public_url(PUBLIC)
            .unwrap()
    };
    assert_eq!(
        answer(verifier(), "POST", "/hubspot", &headers, body)
            .await
            .0,
        200
    );
    assert_eq!(
        answer(verifier(), "PUT", "/hubspot", &headers, body)
            .await
            .0,
        401
    );
    // HubSpot signs its timestamp: the twin one second later is refused.
    let twin = kit.tampered(Tamper::Timestamp).unwrap().unwrap();
    let (status, _) = answer(verifier(), "POST", "/hubspot", &headers_of(&twin), body).await;
    assert_eq!(status, 401);
}

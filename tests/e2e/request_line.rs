//! Schemes that sign the request line, through the tower layer: the layer hands the verifier the
//! request's method and target, and the verifier puts its public URL in front of the target, as
//! the sender signed it. A proxy's rewrite of the host does not matter; a changed path or method
//! does.

use bytes::Bytes;
use hookseal::middleware::{Refused, VerifyLayer};
use hookseal::replay::FreshError;
use hookseal::{Scheme, Signer, Verifier, VerifyError};
use http_body_util::Full;
use tower::{Layer as _, ServiceExt as _};

const SECRET: &str = "square_signature_key_0123456789";
const PUBLIC: &str = "https://hooks.example.com";

/// The answer of a layer with `verifier` around a handler that answers 200, to `method` on
/// `target` (as the server sees it), with `headers` and `body`.
async fn answer(
    verifier: Verifier,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &'static [u8],
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
        .oneshot(request.body(Full::new(Bytes::from_static(body))).unwrap())
        .await
        .unwrap();
    let refused = response.extensions().get::<Refused>().cloned();
    (response.status(), refused)
}

#[tokio::test]
async fn a_signed_url_verifies_behind_a_proxy_and_nowhere_else() {
    let body = br#"{"event_id":"ac3ac95b","type":"payment.updated"}"#;
    let signed = Signer::from_secret(Scheme::square(), SECRET)
        .unwrap()
        .sign_request("POST", &format!("{PUBLIC}/hooks/square?shop=7"), None, body)
        .unwrap();
    let headers: Vec<(&str, &str)> = signed.iter().collect();
    let verifier = || {
        Verifier::from_secret(Scheme::square(), SECRET)
            .unwrap()
            .with_public_url(PUBLIC)
            .unwrap()
    };

    let (status, _) = answer(verifier(), "POST", "/hooks/square?shop=7", &headers, body).await;
    assert_eq!(status, 200);
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
    let signed = Signer::from_secret(Scheme::hubspot(), secret)
        .unwrap()
        .sign_request("POST", &format!("{PUBLIC}/hubspot"), None, body)
        .unwrap();
    let headers: Vec<(&str, &str)> = signed.iter().collect();
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
}

//! Bodies that arrive in chunks, through the tower layer: where the scheme allows it the layer
//! runs the MAC over each chunk as it arrives, and the verification is the same as over the
//! whole body — a request verifies, one changed byte in any chunk does not, and the handler gets
//! the bytes exactly — in a scheme that signs parts before the body (Stripe) and one that signs
//! parts after it (HubSpot), and in one whose content cannot be MACed that way (Linear, whose
//! timestamp is a member of the body).

use std::convert::Infallible;

use bytes::Bytes;
use hookseal::middleware::VerifyLayer;
use hookseal::test_kit::SignedRequest;
use hookseal::{Scheme, Secret, Verifier};
use http_body_util::{BodyExt as _, Full};
use tower::{Layer as _, ServiceExt as _};

use crate::chunks::Chunks;

const PUBLIC: &str = "https://hooks.example.com";

/// The status the layer answers `request` with, its body cut into chunks of `size` bytes (with
/// `flip` set, one byte of the chunk in the middle changed), and the body the handler got.
async fn answer(
    scheme: &Scheme,
    request: &http::Request<Bytes>,
    size: usize,
    flip: bool,
) -> (u16, Bytes) {
    let verifier = Verifier::new(scheme.clone(), hookseal::Keyring::single(secret()))
        .with_public_url(PUBLIC)
        .unwrap();
    let handler = tower::service_fn(|request: http::Request<Full<Bytes>>| async move {
        let body = request.into_body().collect().await.unwrap().to_bytes();
        Ok::<_, Infallible>(http::Response::new(Full::new(body)))
    });
    let mut chunks: Vec<Bytes> = request
        .body()
        .chunks(size)
        .map(Bytes::copy_from_slice)
        .collect();
    if flip {
        let middle = chunks.len() / 2;
        let mut changed = chunks[middle].to_vec();
        changed[0] ^= 1;
        chunks[middle] = Bytes::from(changed);
    }
    let mut sent = http::Request::builder()
        .method(request.method())
        .uri(request.uri())
        .body(Chunks::new(chunks))
        .unwrap();
    *sent.headers_mut() = request.headers().clone();
    let response = VerifyLayer::new(verifier)
        .layer(handler)
        .oneshot(sent)
        .await
        .unwrap();
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, body)
}

fn secret() -> Secret {
    Secret::from_bytes([9_u8; 32]).unwrap()
}

#[tokio::test]
async fn a_body_in_chunks_verifies_as_a_whole_one() {
    let json = format!(
        r#"{{"type":"contact.creation","note":"{}"}}"#,
        "n".repeat(300)
    );
    for scheme in [Scheme::stripe(), Scheme::hubspot(), Scheme::linear()] {
        let request = SignedRequest::new(scheme.clone(), secret())
            .url(&format!("{PUBLIC}/hooks?portal=7"))
            .id("evt_1")
            .body(json.clone())
            .build()
            .unwrap();
        for size in [1, 5, 64, 100, request.body().len()] {
            let (status, got) = answer(&scheme, &request, size, false).await;
            assert_eq!(
                (status, &got),
                (200, request.body()),
                "{} in {size}",
                scheme.name()
            );
            if size < request.body().len() {
                let (status, _) = answer(&scheme, &request, size, true).await;
                assert_eq!(status, 401, "{} in {size}, changed", scheme.name());
            }
        }
    }
}

//! An axum 0.8 receiver: one route behind `VerifyLayer`, with an in-memory replay cache. The
//! handler gets the `VerifiedDelivery` from the request extensions and the untouched body.
//!
//! It starts on 127.0.0.1, sends itself a valid delivery, a tampered one and a replay over real
//! HTTP, prints the answers, and exits. Run it with `cargo run --features tower --example axum_receiver`.

#[path = "common/client.rs"]
mod client;

use std::sync::Arc;

use axum::body::Bytes;
use axum::routing::post;
use axum::{Extension, Router};
use hookseal::middleware::{VerifiedDelivery, VerifyLayer};
use hookseal::replay::MemoryReplayCache;
use hookseal::{Scheme, Secret, Signer, Verifier};

use client::{BoxError, post as send};

/// The handler: the layer already refused anything not signed with our key, or seen before.
async fn handle(Extension(delivery): Extension<VerifiedDelivery>, body: Bytes) -> String {
    // The body the handler reads is the one that was verified, byte for byte.
    debug_assert_eq!(&body, delivery.body());
    format!(
        "accepted {} bytes signed with key {}",
        body.len(),
        delivery.key_id()
    )
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    // The endpoint's secret, as text (`whsec_…`): in a real app, read from a secret store.
    let (_, text) = Secret::generate()?.export();
    let verifier = Verifier::from_secret(Scheme::standard_webhooks(), text.expose_secret())?;
    let cache = Arc::new(MemoryReplayCache::for_verifier(&verifier, 100_000)?);
    let app = Router::new()
        .route("/webhooks", post(handle))
        .route_layer(VerifyLayer::new(verifier).with_replay_cache(cache));

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });

    let body = br#"{"id":"evt_1","type":"invoice.paid"}"#;
    let signer = Signer::from_secret(Scheme::standard_webhooks(), text.expose_secret())?;
    let signed = signer.sign(Some("evt_1"), body)?;
    let headers: Vec<(String, String)> = signed.iter().map(|(n, v)| (n.into(), v.into())).collect();
    let cases: [(&str, &[u8], u16); 3] = [
        ("valid", body, 200),
        ("tampered", br#"{"id":"evt_1","type":"invoice.void"}"#, 401),
        ("replayed", body, 409),
    ];
    for (case, body, expected) in cases {
        let answer = send(addr, "/webhooks", &headers, body).await?;
        println!("{case:<9} {} {}", answer.status, answer.body);
        if answer.status != expected {
            return Err(format!("{case}: expected {expected}").into());
        }
    }
    Ok(())
}

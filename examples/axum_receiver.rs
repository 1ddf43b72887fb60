//! An axum 0.8 receiver for Stripe: one route behind `VerifyLayer` with an in-memory replay
//! cache, and a handler that takes the event as its own type — no glue in between. The layer
//! refuses what is not signed with the endpoint's secret, stale, or seen before; the handler
//! only ever sees verified bytes, already read into `StripeEvent`.
//!
//! It starts on 127.0.0.1, sends itself a valid delivery, an event type the handler does not
//! name, a tampered one and a replay over real HTTP, prints the answers, checks them, and
//! exits. Run it with `cargo run --features tower,axum,serde --example axum_receiver`.

#[path = "common/client.rs"]
mod client;

use std::sync::Arc;

use axum::Router;
use axum::routing::post;
use hookseal::Event;
use hookseal::middleware::VerifyLayer;
use hookseal::replay::MemoryReplayCache;
use hookseal::{Scheme, Secret, Signer, Verifier};

use client::{BoxError, post as send};

/// The events this endpoint handles; any other type is `Other`, not an error.
#[derive(serde::Deserialize)]
#[serde(tag = "type")]
enum StripeEvent {
    #[serde(rename = "invoice.paid")]
    InvoicePaid { id: String },
    #[serde(other)]
    Other,
}

/// The handler: verified, deduplicated and parsed before it runs.
async fn handle(Event(event): Event<StripeEvent>) -> String {
    match event {
        StripeEvent::InvoicePaid { id } => format!("invoice paid: {id}"),
        StripeEvent::Other => "ignored".to_owned(),
    }
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    // The endpoint's signing secret (`whsec_…`): in a real app, read from a secret store.
    let (_, text) = Secret::generate()?.export();
    let verifier = Verifier::from_secret(Scheme::stripe(), text.expose_secret())?;
    let cache = Arc::new(MemoryReplayCache::for_verifier(&verifier, 100_000)?);
    let app = Router::new()
        .route("/webhooks/stripe", post(handle))
        .route_layer(VerifyLayer::new(verifier).with_replay_cache(cache));

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });

    // What Stripe does.
    let stripe = Signer::from_secret(Scheme::stripe(), text.expose_secret())?;
    let paid = br#"{"id":"evt_1","object":"event","type":"invoice.paid"}"#;
    let other = br#"{"id":"evt_2","object":"event","type":"payout.failed"}"#;
    let sign = |body: &[u8]| -> Result<Vec<(String, String)>, BoxError> {
        let signed = stripe.sign(None, body)?;
        Ok(signed.iter().map(|(n, v)| (n.into(), v.into())).collect())
    };
    let (paid_headers, other_headers) = (sign(paid)?, sign(other)?);
    let tampered = br#"{"id":"evt_1","object":"event","type":"invoice.void"}"#;
    type Case<'a> = (&'a str, &'a [(String, String)], &'a [u8], u16);
    let cases: [Case<'_>; 4] = [
        ("valid", &paid_headers, paid, 200),
        ("other type", &other_headers, other, 200),
        ("tampered", &paid_headers, tampered, 401),
        ("replayed", &paid_headers, paid, 409),
    ];
    for (case, headers, body, expected) in cases {
        let answer = send(addr, "/webhooks/stripe", headers, body).await?;
        println!("{case:<10} {} {}", answer.status, answer.body.trim_end());
        if answer.status != expected {
            return Err(format!("{case}: expected {expected}").into());
        }
    }
    Ok(())
}

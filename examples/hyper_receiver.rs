//! A plain hyper 1 receiver: `VerifyLayer` around a `tower::service_fn`, served by hyper's
//! HTTP/1 connection builder through `hyper-util`'s `TowerToHyperService`.
//!
//! It starts on 127.0.0.1, sends itself a valid delivery and a tampered one over real HTTP,
//! prints the answers, and exits. Run it with `cargo run --features tower --example
//! hyper_receiver`.

#[path = "common/client.rs"]
mod client;

use std::convert::Infallible;

use bytes::Bytes;
use hookseal::VerifiedDelivery;
use hookseal::middleware::VerifyLayer;
use hookseal::{Key, Keyring, Scheme, Secret, Signer, Verifier};
use http::{Request, Response};
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tower::{Layer as _, service_fn};

use client::{BoxError, post};

/// The handler: only verified requests reach it, with the verified body.
async fn handle(request: Request<Full<Bytes>>) -> Result<Response<Full<Bytes>>, Infallible> {
    let text = match request.extensions().get::<VerifiedDelivery>() {
        Some(delivery) => format!("accepted delivery {:?}", delivery.id()),
        None => "not verified".to_owned(),
    };
    Ok(Response::new(Full::new(Bytes::from(text))))
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let key = Key::new("2026-11", Secret::generate()?.into_secret())?;
    let verifier = Verifier::new(Scheme::standard_webhooks(), Keyring::new(key.clone())?);
    let service = VerifyLayer::new(verifier).layer(service_fn(handle));

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let service = TowerToHyperService::new(service.clone());
            tokio::spawn(http1::Builder::new().serve_connection(TokioIo::new(stream), service));
        }
    });

    let body = br#"{"type":"invoice.paid"}"#;
    let signer = Signer::new(Scheme::standard_webhooks(), Keyring::new(key)?);
    let signed = signer.sign(Some("msg_2Lh9KRb0pzN4LePd3XiA4dbKZu"), body)?;
    let headers: Vec<(String, String)> = signed.iter().map(|(n, v)| (n.into(), v.into())).collect();
    let cases: [(&str, &[u8], u16); 2] = [
        ("valid", body, 200),
        ("tampered", br#"{"type":"invoice.void"}"#, 401),
    ];
    for (case, body, expected) in cases {
        let answer = post(addr, "/", &headers, body).await?;
        println!("{case:<9} {} {}", answer.status, answer.body);
        if answer.status != expected {
            return Err(format!("{case}: expected {expected}").into());
        }
    }
    Ok(())
}

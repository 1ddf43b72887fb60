//! `VerifiedDelivery::json` in a handler behind the tower layer: the handler reads its own type
//! from the body the layer verified.

use bytes::Bytes;
use hookseal::VerifiedDelivery;
use hookseal::middleware::VerifyLayer;
use hookseal::test_kit::{SignedRequest, Tamper};
use hookseal::{Scheme, Verifier};
use http_body_util::{BodyExt as _, Full};
use tower::{Layer as _, ServiceExt as _};

const SECRET: &str = "whsec_typed_events_behind_the_layer";

#[derive(Debug, serde::Deserialize)]
#[serde(tag = "type")]
enum Event {
    #[serde(rename = "invoice.paid")]
    InvoicePaid { id: String },
    #[serde(other)]
    Unknown,
}

#[tokio::test]
async fn the_handler_reads_its_type_from_the_verified_body() {
    let handler = tower::service_fn(|request: http::Request<Full<Bytes>>| async move {
        let delivery = request.extensions().get::<VerifiedDelivery>().unwrap();
        let answer = match delivery.json::<Event>() {
            Ok(Event::InvoicePaid { id }) => format!("paid {id}"),
            Ok(Event::Unknown) => "ignored".to_owned(),
            Err(_) => "unreadable".to_owned(),
        };
        Ok::<_, std::convert::Infallible>(http::Response::new(Full::new(Bytes::from(answer))))
    });
    let service =
        VerifyLayer::new(Verifier::from_secret(Scheme::stripe(), SECRET).unwrap()).layer(handler);
    for (body, expected) in [
        (
            &br#"{"id":"evt_1","type":"invoice.paid"}"#[..],
            "paid evt_1",
        ),
        (br#"{"id":"evt_2","type":"payout.failed"}"#, "ignored"),
    ] {
        let kit = SignedRequest::from_secret(Scheme::stripe(), SECRET)
            .unwrap()
            .url("https://example.com/hooks")
            .body(body);
        let request = kit.build().unwrap().map(Full::new);
        let response = service.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), 200);
        let text = response.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(text, expected.as_bytes());
        // A tampered body never reaches the handler.
        let twin = kit.tampered(Tamper::Body).unwrap().unwrap().map(Full::new);
        let response = service.clone().oneshot(twin).await.unwrap();
        assert_eq!(response.status(), 401);
        let text = response.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(text, "signature not verified\n");
    }
}

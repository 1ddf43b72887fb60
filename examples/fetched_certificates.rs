//! AWS SNS deliveries verified with certificates fetched through a `KeyFetcher` written with
//! hyper, and cached: the crate never makes a request itself, and never fetches a URL off the
//! scheme's allow-list.
//!
//! The example serves the certificate itself on 127.0.0.1 and replays the four messages AWS
//! published with its SNS validator's tests (`tests/vectors/aws_sns`), at the time they were
//! signed (their certificate has since expired), each naming the local certificate URL instead of
//! AWS's (`SigningCertURL` is not signed). The scheme's allow-list is replaced by one for that
//! local URL, in a scheme value of the example's own: `Scheme::aws_sns()` keeps AWS's list.
//!
//! In production the fetcher must speak HTTPS (hyper with a TLS connector, or reqwest): the
//! certificate is trusted because it came over TLS from a host on AWS's list.
//!
//! ```text
//! cargo run --example fetched_certificates --features x509
//! ```
//!
//! It checks its own outcome: every message verifies, the certificate is fetched once, and a URL
//! off the list is refused without a request.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use hookseal::{
    AllowList, FetchError, KeyCache, KeyFetcher, KeyUrl, Scheme, SnsKind, SnsMessage, Timestamp,
    TimestampFormat, Verifier, VerifyError,
};
use http_body_util::{BodyExt as _, Full, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

/// A fetcher on hyper's client: a GET with a timeout, no redirects followed, the body read up to
/// the cache's limit.
struct HyperFetcher {
    client: Client<HttpConnector, Full<Bytes>>,
}

impl KeyFetcher for HyperFetcher {
    async fn fetch(&self, url: &KeyUrl) -> Result<Vec<u8>, FetchError> {
        let uri: http::Uri = url.as_str().parse().map_err(FetchError::new)?;
        let response = tokio::time::timeout(Duration::from_secs(5), self.client.get(uri))
            .await
            .map_err(FetchError::new)?
            .map_err(FetchError::new)?;
        if response.status() != http::StatusCode::OK {
            return Err(FetchError::new(format!(
                "{url} answered {}",
                response.status()
            )));
        }
        let body = Limited::new(response.into_body(), KeyCache::MAX_DOCUMENT_LEN);
        let bytes = tokio::time::timeout(Duration::from_secs(5), body.collect())
            .await
            .map_err(FetchError::new)?
            .map_err(FetchError::new)?;
        Ok(bytes.to_bytes().to_vec())
    }
}

const CERTIFICATE: &[u8] = include_bytes!("../tests/vectors/aws_sns/cert.pem");
const AWS_URL: &str = "https://sns.us-east-2.amazonaws.com/SimpleNotificationService-7ff5318490ec183fbaddaa2a969abfda.pem";
const MESSAGES: [&str; 4] = [
    include_str!("../tests/vectors/aws_sns/notification_sv1.json"),
    include_str!("../tests/vectors/aws_sns/notification_sv2.json"),
    include_str!("../tests/vectors/aws_sns/notification_sv1_subject.json"),
    include_str!("../tests/vectors/aws_sns/notification_sv2_subject.json"),
];

/// Serves the certificate at `/certs/sns.pem` and counts the requests.
async fn certificate_server(hits: Arc<AtomicUsize>) -> std::io::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let hits = Arc::clone(&hits);
            let service = hyper::service::service_fn(move |request: http::Request<_>| {
                hits.fetch_add(1, Ordering::SeqCst);
                let found = request.uri().path() == "/certs/sns.pem";
                async move {
                    let mut response = http::Response::new(Full::new(match found {
                        true => Bytes::from_static(CERTIFICATE),
                        false => Bytes::new(),
                    }));
                    if !found {
                        *response.status_mut() = http::StatusCode::NOT_FOUND;
                    }
                    Ok::<_, Infallible>(response)
                }
            });
            tokio::spawn(
                hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service),
            );
        }
    });
    Ok(addr)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let hits = Arc::new(AtomicUsize::new(0));
    let addr = certificate_server(Arc::clone(&hits)).await?;
    let local_url = format!("http://{addr}/certs/sns.pem");

    // This example's own list: its local server, nothing else.
    let scheme = Scheme::aws_sns()
        .with_certificate_allow_list(AllowList::prefix(&format!("http://{addr}/certs/"))?)?;
    let fetcher = HyperFetcher {
        client: Client::builder(TokioExecutor::new()).build_http(),
    };
    let verifier = Verifier::fetching(scheme, KeyCache::new(fetcher))?;

    let none: [(&str, &str); 0] = [];
    for message in MESSAGES {
        let message = message.replace(AWS_URL, &local_url);
        let body = message.as_bytes();
        // The one step that awaits: the certificate is fetched the first time, then cached.
        verifier.load_key(&none, body).await?;
        let signed_at = signed_at(body)?;
        let verified = verifier.verify_at(&none, body, signed_at)?;
        let sns = SnsMessage::from_verified(&verified)?;
        assert_eq!(sns.kind(), &SnsKind::Notification);
        println!(
            "verified {} from {} (certificate {}): {:?}",
            sns.message_id(),
            sns.topic_arn(),
            verified.key_id(),
            sns.message()
        );
    }
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "one fetch for four messages"
    );

    // AWS's own URL is not on this example's list: refused before any request.
    let body = MESSAGES[0].as_bytes();
    let refused = verifier.load_key(&none, body).await;
    assert_eq!(refused, Err(VerifyError::KeyUrlRefused));
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    println!("AWS's URL is off this example's list: refused before any request");
    Ok(())
}

/// When the message was signed: its `Timestamp` member.
fn signed_at(body: &[u8]) -> Result<Timestamp, Box<dyn std::error::Error>> {
    let message: serde_json::Value = serde_json::from_slice(body)?;
    let text =
        (message.get("Timestamp").and_then(serde_json::Value::as_str)).ok_or("no Timestamp")?;
    let parsed = TimestampFormat::Rfc3339.parse(text.as_bytes());
    Ok(parsed.map_err(VerifyError::InvalidTimestamp)?)
}

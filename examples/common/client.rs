//! A small HTTP/1.1 client for the examples and the end-to-end tests: posts a body with headers
//! over a real connection and reads the whole answer.

use std::net::SocketAddr;

use bytes::Bytes;
use http::{HeaderMap, Request};
use http_body_util::{BodyExt as _, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What the receiver answered one request.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    #[allow(dead_code)] // Not every example reads them.
    pub(crate) headers: HeaderMap,
    pub(crate) body: String,
}

/// Posts `body` with `headers` to `path` on the receiver, over a real HTTP/1.1 connection.
pub(crate) async fn post(
    addr: SocketAddr,
    path: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<Answer, BoxError> {
    let client: Client<HttpConnector, Full<Bytes>> =
        Client::builder(TokioExecutor::new()).build_http();
    let mut request = Request::post(format!("http://{addr}{path}"));
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let response = client
        .request(request.body(Full::new(Bytes::copy_from_slice(body)))?)
        .await?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await?.to_bytes();
    Ok(Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&body).trim_end().to_owned(),
    })
}

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

/// Posts like [`post`], but announces the body with `Expect: 100-continue` and sends it only
/// when the receiver asks for it (RFC 9110 §10.1.1). A receiver that refuses on the headers
/// alone — a `Content-Length` over its limit — answers at once, and the body is never sent.
///
/// Sending a large body the receiver will not read races its answer: the receiver closes the
/// connection with the body unread, and the sender may see a broken pipe rather than the
/// answer. Waiting for `100 Continue` removes the race. (hyper's client sends bodies at once,
/// so this speaks HTTP/1.1 on a plain socket; it reads answers with a `Content-Length`, which
/// is how `VerifyLayer` answers.)
#[allow(dead_code)] // Only the demo's oversized case uses it.
pub(crate) async fn post_expecting_continue(
    addr: SocketAddr,
    path: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<Answer, BoxError> {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    let mut head = format!(
        "POST {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-length: {}\r\nexpect: 100-continue\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;

    let mut buffer = Vec::new();
    loop {
        let (status, headers, head_len) = read_head(&mut stream, &mut buffer).await?;
        buffer.drain(..head_len);
        if status == 100 {
            stream.write_all(body).await?;
            continue;
        }
        let length: usize = match headers.get(http::header::CONTENT_LENGTH) {
            Some(v) => v.to_str()?.parse()?,
            None => return Err("an answer without content-length".into()),
        };
        while buffer.len() < length {
            let mut chunk = [0_u8; 4096];
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Err("the connection closed inside the answer".into());
            }
            buffer.extend_from_slice(chunk.get(..n).unwrap_or_default());
        }
        let body = buffer.get(..length).unwrap_or_default();
        return Ok(Answer {
            status,
            headers,
            body: String::from_utf8_lossy(body).trim_end().to_owned(),
        });
    }
}

/// Reads one response head into `buffer`: the status, the headers, and the head's length.
async fn read_head(
    stream: &mut tokio::net::TcpStream,
    buffer: &mut Vec<u8>,
) -> Result<(u16, HeaderMap, usize), BoxError> {
    use tokio::io::AsyncReadExt as _;

    let end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        if buffer.len() > 64 * 1024 {
            return Err("an answer head over 64 KiB".into());
        }
        let mut chunk = [0_u8; 4096];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err("the connection closed before an answer".into());
        }
        buffer.extend_from_slice(chunk.get(..n).unwrap_or_default());
    };
    let head = std::str::from_utf8(buffer.get(..end).unwrap_or_default())?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status: u16 = match status_line.split(' ').nth(1) {
        Some(code) if status_line.starts_with("HTTP/1.") => code.parse()?,
        _ => return Err(format!("not an HTTP/1.1 status line: {status_line:?}").into()),
    };
    let mut headers = HeaderMap::new();
    for line in lines.filter(|l| !l.is_empty()) {
        let (name, value) = line.split_once(':').ok_or("a header line without ':'")?;
        headers.append(
            http::HeaderName::from_bytes(name.trim().as_bytes())?,
            http::HeaderValue::from_str(value.trim())?,
        );
    }
    Ok((status, headers, end))
}

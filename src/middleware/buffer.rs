//! Reading a request's body whole, up to a limit: what each layer does before it looks at the
//! body.

use std::error::Error;

use bytes::Bytes;
use http::HeaderMap;
use http::header::CONTENT_LENGTH;
use http_body::Body;
use http_body_util::{BodyExt as _, LengthLimitError, Limited};

/// Why a body was not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unread {
    /// Larger than the limit, or announced so by `Content-Length` (then not read at all): 413.
    TooLarge,
    /// The body failed: 400.
    Failed,
}

/// The body, read whole: at most `limit` bytes. A body of one chunk is not copied.
pub(crate) async fn buffer<B>(headers: &HeaderMap, body: B, limit: usize) -> Result<Bytes, Unread>
where
    B: Body,
    B::Error: Into<Box<dyn Error + Send + Sync>>,
{
    let announced = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|len| len > limit as u64) {
        return Err(Unread::TooLarge);
    }
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<LengthLimitError>() => Err(Unread::TooLarge),
        Err(_) => Err(Unread::Failed),
    }
}

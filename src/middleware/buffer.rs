//! Reading a body up to a limit: a request's whole, before a layer looks at it, or a response's,
//! to decide whether it is stored.

use std::error::Error;
use std::pin::pin;

use bytes::{Buf as _, Bytes};
use http::HeaderMap;
use http::header::CONTENT_LENGTH;
use http_body::Body;
use http_body_util::BodyExt as _;

use super::idempotent_body::Then;
use crate::body_chunks::BodyChunks;
pub(crate) use crate::body_chunks::Unread;

/// A request's body, read whole: at most `limit` bytes, each chunk handed to `chunk` as it
/// arrives. A body of one chunk is not copied; trailers are passed over.
pub(crate) async fn buffer<B>(
    headers: &HeaderMap,
    body: B,
    limit: usize,
    chunk: impl FnMut(&[u8]),
) -> Result<Bytes, Unread>
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
    match read_up_to(pin!(body), limit, chunk).await {
        Read::Whole(body) | Read::Partly(body, Then::Trailers(_)) => Ok(body),
        Read::Partly(_, Then::Rest(_)) => Err(Unread::TooLarge),
        Read::Partly(_, Then::Failed(_)) => Err(Unread::Failed),
    }
}

/// How much of a body was read.
pub(crate) enum Read<B: Body> {
    /// All of it, within the room.
    Whole(Bytes),
    /// The bytes read before the body outgrew the room, ended in trailers, or failed; and what
    /// comes next.
    Partly(Bytes, Then<B>),
}

/// Reads `body` whole if it is at most `room` bytes, handing each chunk within the room to
/// `seen` as it arrives; stops as soon as it is known to be larger. A body of one chunk is not
/// copied.
pub(crate) async fn read_up_to<B: Body + Unpin>(
    mut body: B,
    room: usize,
    mut seen: impl FnMut(&[u8]),
) -> Read<B> {
    if body.size_hint().lower() > room as u64 {
        return Read::Partly(Bytes::new(), Then::Rest(body));
    }
    let mut held = BodyChunks::None;
    loop {
        match body.frame().await {
            None => return Read::Whole(held.into_bytes()),
            Some(Err(error)) => return Read::Partly(held.into_bytes(), Then::Failed(error)),
            Some(Ok(frame)) => match frame.into_data() {
                Ok(mut data) => {
                    let chunk = data.copy_to_bytes(data.remaining());
                    if held.len().saturating_add(chunk.len()) > room {
                        held.push(chunk);
                        return Read::Partly(held.into_bytes(), Then::Rest(body));
                    }
                    seen(&chunk);
                    held.push(chunk);
                }
                Err(frame) => {
                    let then = match frame.into_trailers() {
                        Ok(trailers) => Then::Trailers(trailers),
                        // A frame of a kind http-body does not know yet: send what was read,
                        // and the rest as it comes (nothing is stored).
                        Err(_) => Then::Rest(body),
                    };
                    return Read::Partly(held.into_bytes(), then);
                }
            },
        }
    }
}

//! [`IdempotentBody`]: the response body of the idempotency layer.

use core::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Buf as _, Bytes};
use http::HeaderMap;
use http_body::{Body, Frame, SizeHint};

/// The response body of [`IdempotencyService`](super::IdempotencyService): the handler's own
/// body, or bytes the layer holds — a stored response, a refusal, or the part of the handler's
/// body it read to decide whether to store it — followed, where the layer stopped reading, by the
/// rest of the handler's body. The bytes reach the client exactly as the handler wrote them.
pub struct IdempotentBody<B: Body> {
    /// Bytes read already, sent first.
    held: Option<Bytes>,
    /// Trailers read already, sent after `held` (and ending the body). Boxed: rare, and a
    /// header map would make every response of the layer larger.
    trailers: Option<Box<HeaderMap>>,
    /// An error the handler's body gave while the layer read it, sent after `held`.
    failed: Option<B::Error>,
    /// The rest of the handler's body, after `held`.
    rest: Option<B>,
}

impl<B: Body> IdempotentBody<B> {
    /// The handler's body, untouched.
    pub(crate) fn inner(body: B) -> Self {
        Self {
            held: None,
            trailers: None,
            failed: None,
            rest: Some(body),
        }
    }

    /// Bytes the layer holds, alone.
    pub(crate) fn full(bytes: Bytes) -> Self {
        Self {
            held: Some(bytes),
            trailers: None,
            failed: None,
            rest: None,
        }
    }

    /// The part of the handler's body read already, then what stopped the reading: the rest of
    /// the body, its trailers, or its error.
    pub(crate) fn resumed(held: Bytes, then: Then<B>) -> Self {
        let mut body = Self::full(held);
        match then {
            Then::Rest(rest) => body.rest = Some(rest),
            Then::Trailers(trailers) => body.trailers = Some(Box::new(trailers)),
            Then::Failed(error) => body.failed = Some(error),
        }
        body
    }
}

/// What follows the bytes the layer read from a handler's body.
pub(crate) enum Then<B: Body> {
    /// The body goes on.
    Rest(B),
    /// The body ended with these trailers.
    Trailers(HeaderMap),
    /// The body failed.
    Failed(B::Error),
}

impl<B> Body for IdempotentBody<B>
where
    B: Body + Unpin,
    B::Error: Unpin,
{
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, B::Error>>> {
        let this = self.get_mut();
        if let Some(held) = this.held.take().filter(|h| !h.is_empty()) {
            return Poll::Ready(Some(Ok(Frame::data(held))));
        }
        if let Some(trailers) = this.trailers.take() {
            return Poll::Ready(Some(Ok(Frame::trailers(*trailers))));
        }
        if let Some(error) = this.failed.take() {
            return Poll::Ready(Some(Err(error)));
        }
        let Some(rest) = this.rest.as_mut() else {
            return Poll::Ready(None);
        };
        match Pin::new(rest).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => Poll::Ready(Some(Ok(
                frame.map_data(|mut data| data.copy_to_bytes(data.remaining()))
            ))),
            Poll::Ready(Some(Err(error))) => Poll::Ready(Some(Err(error))),
            Poll::Ready(None) => {
                this.rest = None;
                Poll::Ready(None)
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.held.as_ref().is_none_or(Bytes::is_empty)
            && self.trailers.is_none()
            && self.failed.is_none()
            && self.rest.as_ref().is_none_or(Body::is_end_stream)
    }

    fn size_hint(&self) -> SizeHint {
        let held = self.held.as_ref().map_or(0, |h| h.len() as u64);
        match &self.rest {
            Some(rest) => {
                let hint = rest.size_hint();
                let mut sum = SizeHint::new();
                sum.set_lower(hint.lower().saturating_add(held));
                if let Some(upper) = hint.upper().and_then(|u| u.checked_add(held)) {
                    sum.set_upper(upper);
                }
                sum
            }
            None => SizeHint::with_exact(held),
        }
    }
}

impl<B: Body> fmt::Debug for IdempotentBody<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdempotentBody")
            .field("held", &self.held.as_ref().map(Bytes::len))
            .field("rest", &self.rest.is_some())
            .finish_non_exhaustive()
    }
}

//! [`VerifyLayer`]: the tower middleware that verifies requests before the handler.

use core::fmt;
use std::error::Error;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body::Body;
use http_body_util::{Either, Full};
use tower_layer::Layer;
use tower_service::Service;

use super::buffer::{Unread, buffer};
use crate::clock::{Clock, SystemClock};
use crate::gate::{Answer, Gate};
use crate::refusal::refuse;
use crate::refused::Refused;
use crate::replay::{DynReplayCache, ReplayCache};
use crate::verify::Verifier;

/// A layer that verifies requests before the wrapped service sees them. See the
/// [module docs](crate::middleware).
///
/// `R` is the type of its replay cache ([`VerifyLayer::with_replay_cache`]).
pub struct VerifyLayer<C = SystemClock, R: ?Sized = dyn DynReplayCache> {
    gate: Gate<C, R>,
}

/// The middleware [`VerifyLayer`] puts around a service.
pub struct VerifyService<S, C = SystemClock, R: ?Sized = dyn DynReplayCache> {
    inner: S,
    gate: Arc<Gate<C, R>>,
}

/// The response body of [`VerifyService`]: the wrapped service's, or the middleware's own for a
/// refused request.
type ResponseBody<B> = Either<B, Full<Bytes>>;

impl<C: Clock> VerifyLayer<C> {
    /// Verifies with `verifier`; no replay cache, bodies up to 1 MiB.
    #[must_use]
    pub fn new(verifier: Verifier<C>) -> Self {
        Self {
            gate: Gate::new(verifier),
        }
    }
}

impl<C: Clock, R: ?Sized> VerifyLayer<C, R> {
    /// Reserves every verified request's replay key in `cache` for [`Verifier::replay_lease`]
    /// while the handler runs, and keeps it for [`Verifier::replay_ttl`] once the handler
    /// answers 2xx; any other outcome releases it, so the sender's retry runs. A copy arriving
    /// while the first is handled is answered 409 with `Retry-After`; one arriving after it
    /// succeeded is refused as a replay (409, or see [`VerifyLayer::with_replay_status`]),
    /// without calling the handler. A cache that cannot answer refuses the request with 503
    /// (fail closed).
    ///
    /// `cache` is any [`ReplayCache`] in an `Arc`. A concrete one
    /// (`Arc<MemoryReplayCache>`) is called directly, its futures unboxed; an
    /// `Arc<dyn DynReplayCache>` gives one `VerifyLayer` type whatever the backend, which a
    /// receiver can choose at run time (the demo picks memory or Redis from a flag) and name in
    /// its own types without generics, for one boxed future per store step.
    #[must_use]
    pub fn with_replay_cache<R2: ReplayCache + ?Sized>(self, cache: Arc<R2>) -> VerifyLayer<C, R2> {
        VerifyLayer {
            gate: self.gate.with_cache(cache),
        }
    }

    /// Buffers bodies of at most `limit` bytes; larger ones are answered 413.
    #[must_use]
    pub fn with_body_limit(mut self, limit: usize) -> Self {
        self.gate.body_limit = limit;
        self
    }

    /// Answers a replayed request — one whose first copy was handled successfully — with
    /// `status` instead of 409: 200, for a receiver that treats a duplicate as delivered. The
    /// handler is not called either way. A copy whose first is still being handled is answered
    /// 409 whatever this says, since the first may yet fail.
    #[must_use]
    pub fn with_replay_status(mut self, status: StatusCode) -> Self {
        self.gate.replay_status = status.as_u16();
        self
    }
}

impl<C, R: ?Sized> Clone for VerifyLayer<C, R> {
    fn clone(&self) -> Self {
        Self {
            gate: self.gate.clone(),
        }
    }
}

impl<S, C, R: ?Sized> Layer<S> for VerifyLayer<C, R> {
    type Service = VerifyService<S, C, R>;

    fn layer(&self, inner: S) -> Self::Service {
        VerifyService {
            inner,
            gate: Arc::new(self.gate.clone()),
        }
    }
}

impl<S: Clone, C, R: ?Sized> Clone for VerifyService<S, C, R> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            gate: Arc::clone(&self.gate),
        }
    }
}

impl<S, C, R, B, ResBody> Service<Request<B>> for VerifyService<S, C, R>
where
    S: Service<Request<Full<Bytes>>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    ResBody: Send + 'static,
    C: Clock + 'static,
    R: ReplayCache + ?Sized + 'static,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn Error + Send + Sync>>,
{
    type Response = Response<ResponseBody<ResBody>>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        // The clone that was polled ready serves this request; a fresh clone waits for the next.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let gate = Arc::clone(&self.gate);
        let (mut parts, body) = request.into_parts();
        // An async block rather than an async fn, whose arguments would take room twice in the
        // future: it is boxed for every request, and kept small enough for the allocator's
        // fast path (no whole request beside its parts, no request beside the service's future).
        Box::pin(async move {
            let query = parts.uri.query().unwrap_or_default();
            if let Some(answer) = gate.challenge(parts.method.as_str(), query) {
                return Ok(respond(answer).map(Either::Right));
            }
            // The MACs run over the body as it arrives, where the scheme allows it.
            let mut body_mac = gate.verifier.body_mac(&parts);
            let feed = |chunk: &[u8]| {
                if let Some(mac) = &mut body_mac {
                    mac.update(chunk);
                }
            };
            let body = match buffer(&parts.headers, body, gate.body_limit, feed).await {
                Ok(body) => body,
                Err(Unread::TooLarge) => return Ok(refusal(StatusCode::PAYLOAD_TOO_LARGE)),
                Err(Unread::Failed) => return Ok(refusal(StatusCode::BAD_REQUEST)),
            };
            // The parts carry the request line, for schemes that sign it.
            let (delivery, pending) = match gate.admit(&parts, &body, body_mac).await {
                Ok(admitted) => admitted,
                Err(answer) => return Ok(respond(answer).map(Either::Right)),
            };
            let called = {
                parts.extensions.insert(delivery);
                inner.call(Request::from_parts(parts, Full::new(body)))
            };
            // Should the service fail or panic, or this future be dropped, `pending` releases
            // the key as it drops.
            let response = called.await?;
            if let Some(pending) = pending {
                // The handler has answered: a store that cannot take the outcome now changes
                // nothing for this request (an unreleased key frees itself when its lease
                // ends).
                let _ = if response.status().is_success() {
                    pending.commit().await
                } else {
                    pending.release().await
                };
            }
            Ok(response.map(Either::Left))
        })
    }
}

/// A refusal with `status` and no error to tell (a body too large or unreadable).
fn refusal<B>(status: StatusCode) -> Response<ResponseBody<B>> {
    refuse(status, None).map(Either::Right)
}

/// The layer's own answer as a response; a refusal carries its error as a [`Refused`].
fn respond(answer: Answer) -> Response<Full<Bytes>> {
    match answer {
        Answer::Handshake(reply) => reply.into_http(),
        Answer::Refused { status, error } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut response = refuse(status, error.retry_after());
            response.extensions_mut().insert(Refused::new(error));
            response
        }
    }
}

impl<C, R: ?Sized> fmt::Debug for VerifyLayer<C, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyLayer")
            .field("replay_cache", &self.gate.cache.is_some())
            .field("body_limit", &self.gate.body_limit)
            .field("replay_status", &self.gate.replay_status)
            .finish_non_exhaustive()
    }
}

impl<S: fmt::Debug, C, R: ?Sized> fmt::Debug for VerifyService<S, C, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyService")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

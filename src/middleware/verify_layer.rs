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
use crate::gate::{Answer, Gate, Held};
use crate::refusal::refuse;
use crate::refused::Refused;
use crate::replay::DynReplayCache;
use crate::verify::Verifier;
#[cfg(doc)]
use crate::{VerifyError, replay::ReplayCache};

/// A layer that verifies requests before the wrapped service sees them. See the
/// [module docs](crate::middleware).
pub struct VerifyLayer<C = SystemClock> {
    gate: Gate<C>,
}

/// The middleware [`VerifyLayer`] puts around a service.
pub struct VerifyService<S, C = SystemClock> {
    inner: S,
    gate: Arc<Gate<C>>,
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

    /// Reserves every verified request's replay key in `cache` for [`Verifier::replay_lease`]
    /// while the handler runs, and keeps it for [`Verifier::replay_ttl`] once the handler
    /// answers 2xx; any other outcome releases it, so the sender's retry runs. A copy arriving
    /// while the first is handled is answered 409 with `Retry-After`; one arriving after it
    /// succeeded is refused as a replay (409, or see [`VerifyLayer::with_replay_status`]),
    /// without calling the handler. A cache that cannot answer refuses the request with 503
    /// (fail closed).
    ///
    /// The cache is held as `Arc<dyn DynReplayCache>` rather than as a type parameter of the
    /// layer: one `VerifyLayer` type whatever the backend, which a receiver can choose at run
    /// time (the demo picks memory or Redis from a flag) and name in its own types without
    /// generics. The price is one boxed future per store step, two small allocations per
    /// delivery: nothing next to a Redis round trip, and well under the HMAC of a short body
    /// in memory.
    #[must_use]
    pub fn with_replay_cache(mut self, cache: Arc<dyn DynReplayCache>) -> Self {
        self.gate.cache = Some(cache);
        self
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

impl<C> Clone for VerifyLayer<C> {
    fn clone(&self) -> Self {
        Self {
            gate: self.gate.clone(),
        }
    }
}

impl<S, C> Layer<S> for VerifyLayer<C> {
    type Service = VerifyService<S, C>;

    fn layer(&self, inner: S) -> Self::Service {
        VerifyService {
            inner,
            gate: Arc::new(self.gate.clone()),
        }
    }
}

impl<S: Clone, C> Clone for VerifyService<S, C> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            gate: Arc::clone(&self.gate),
        }
    }
}

impl<S, C, B, ResBody> Service<Request<B>> for VerifyService<S, C>
where
    S: Service<Request<Full<Bytes>>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    ResBody: Send,
    C: Clock + 'static,
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
        Box::pin(async move {
            let (request, pending) = match check(&gate, request).await {
                Ok(accepted) => accepted,
                Err(refusal) => return Ok(refusal.map(Either::Right)),
            };
            // Should the service fail or panic, or this future be dropped, `pending` releases the
            // key as it drops.
            let response = inner.call(request).await?;
            if let Some(pending) = pending {
                // The handler has answered: a store that cannot take the outcome now changes
                // nothing for this request (an unreleased key frees itself when its lease ends).
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

/// The request to pass on (with its replay reservation), or the layer's own answer: a refusal,
/// or a provider's handshake.
async fn check<B, C: Clock>(
    gate: &Gate<C>,
    request: Request<B>,
) -> Result<(Request<Full<Bytes>>, Held), Response<Full<Bytes>>>
where
    B: Body,
    B::Error: Into<Box<dyn Error + Send + Sync>>,
{
    let (mut parts, body) = request.into_parts();
    let query = parts.uri.query().unwrap_or_default();
    if let Some(answer) = gate.challenge(parts.method.as_str(), query) {
        return Err(respond(answer));
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
        Err(Unread::TooLarge) => return Err(refuse(StatusCode::PAYLOAD_TOO_LARGE, None)),
        Err(Unread::Failed) => return Err(refuse(StatusCode::BAD_REQUEST, None)),
    };
    // The parts carry the request line, for schemes that sign it.
    let (delivery, pending) = (gate.admit(&parts, &body, body_mac).await).map_err(respond)?;
    parts.extensions.insert(delivery);
    Ok((Request::from_parts(parts, Full::new(body)), pending))
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

impl<C> fmt::Debug for VerifyLayer<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyLayer")
            .field("replay_cache", &self.gate.cache.is_some())
            .field("body_limit", &self.gate.body_limit)
            .field("replay_status", &self.gate.replay_status)
            .finish_non_exhaustive()
    }
}

impl<S: fmt::Debug, C> fmt::Debug for VerifyService<S, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyService")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

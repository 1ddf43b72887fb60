//! [`Verify`]: the actix-web middleware that verifies requests before the handler.

use core::fmt;
use std::future::{Future, Ready, ready};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;

use actix_web::body::{BodyStream, EitherBody, MessageBody};
use actix_web::dev::{Payload, Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use actix_web::{Error, HttpMessage as _, HttpResponse};

use bytes::Bytes;

use super::response::{refusal, status};
use crate::body_chunks::{BodyChunks, Unread};
use crate::clock::{Clock, SystemClock};
use crate::gate::{Answer, Gate, Held};
use crate::refused::Refused;
use crate::replay::DynReplayCache;
#[cfg(doc)]
use crate::replay::ReplayCache;
use crate::request::RequestView;
use crate::verify::Verifier;

/// actix-web middleware that verifies requests before the handler sees them: wrap a resource
/// or scope in it (`.wrap(Verify::new(verifier))`). See the [module docs](super).
///
/// Cheap to clone (the verifier and cache are shared): build it once, outside
/// `HttpServer::new`, and clone it into each worker's `App`.
///
/// ```
/// use std::sync::Arc;
///
/// use actix_web::{App, HttpResponse, web};
/// use hookseal::actix::Verify;
/// use hookseal::replay::{DynReplayCache, MemoryReplayCache};
/// use hookseal::{Scheme, VerifiedDelivery, Verifier};
///
/// async fn handle(delivery: VerifiedDelivery) -> HttpResponse {
///     // `delivery.body()` is the verified body, byte for byte.
///     HttpResponse::Ok().body(format!("{} bytes", delivery.body().len()))
/// }
///
/// # fn app() -> Result<(), Box<dyn std::error::Error>> {
/// let verifier = Verifier::from_secret(Scheme::github(), "It's a Secret to Everybody")?;
/// let cache: Arc<dyn DynReplayCache> =
///     Arc::new(MemoryReplayCache::for_verifier(&verifier, 100_000)?);
/// let verify = Verify::new(verifier)
///     .with_replay_cache(cache)
///     .with_body_limit(256 * 1024);
/// let app = App::new().service(
///     web::scope("/webhooks")
///         .wrap(verify.clone())
///         .route("/github", web::post().to(handle)),
/// );
/// # let _ = app;
/// # Ok(()) }
/// ```
pub struct Verify<C = SystemClock> {
    gate: Gate<C>,
}

/// The service [`Verify`] puts around a resource's or scope's service.
pub struct VerifyMiddleware<S, C = SystemClock> {
    service: Rc<S>,
    gate: Rc<Gate<C>>,
}

impl<C: Clock> Verify<C> {
    /// Verifies with `verifier`; no replay cache, bodies up to 1 MiB.
    #[must_use]
    pub fn new(verifier: Verifier<C>) -> Self {
        Self {
            gate: Gate::new(verifier),
        }
    }

    /// Reserves every verified request's replay key in `cache` for [`Verifier::replay_lease`]
    /// while the handler runs, and keeps it for [`Verifier::replay_ttl`] once the handler
    /// answers 2xx; any other outcome (a non-2xx answer, an error, a panic, a dropped request)
    /// releases it, so the sender's retry runs. A copy arriving while the first is handled is
    /// answered 409 with `Retry-After`; one arriving after it succeeded is refused as a replay
    /// (409, or see [`Verify::with_replay_status`]), without calling the handler. A cache that
    /// cannot answer refuses the request with 503 (fail closed).
    ///
    /// Any [`ReplayCache`] as `Arc<dyn DynReplayCache>`, as the tower layer takes it: one
    /// `Verify` type whatever the backend.
    #[must_use]
    pub fn with_replay_cache(mut self, cache: Arc<dyn DynReplayCache>) -> Self {
        self.gate = self.gate.with_cache(cache);
        self
    }

    /// Buffers bodies of at most `limit` bytes; larger ones are answered 413. Defaults to
    /// 1 MiB.
    ///
    /// A handler that reads the body as `web::Bytes` is held to actix-web's own
    /// `web::PayloadConfig` limit as well (256 KiB unless configured); a
    /// [`VerifiedDelivery`](crate::VerifiedDelivery) argument is not.
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

impl<C> Clone for Verify<C> {
    fn clone(&self) -> Self {
        Self {
            gate: self.gate.clone(),
        }
    }
}

impl<S, B, C> Transform<S, ServiceRequest> for Verify<C>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
    C: Clock + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = VerifyMiddleware<S, C>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(VerifyMiddleware {
            service: Rc::new(service),
            gate: Rc::new(self.gate.clone()),
        }))
    }
}

/// The future of [`VerifyMiddleware`]: actix-web's futures stay on their worker's thread.
type LocalFuture<T> = Pin<Box<dyn Future<Output = T>>>;

impl<S, B, C> Service<ServiceRequest> for VerifyMiddleware<S, C>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
    C: Clock + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = LocalFuture<Result<Self::Response, Error>>;

    forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        let service = Rc::clone(&self.service);
        let gate = Rc::clone(&self.gate);
        Box::pin(async move {
            let (request, pending) = match check(&gate, request).await {
                Ok(accepted) => accepted,
                Err(refused) => return Ok(refused.map_into_right_body()),
            };
            // Should the handler fail or panic, or this future be dropped, `pending` releases
            // the key as it drops.
            let answer = service.call(request).await;
            if let Some(pending) = pending {
                // The handler has answered: a store that cannot take the outcome now changes
                // nothing for this request (an unreleased key frees itself when its lease ends).
                // A handler's error is an answer too (actix-web makes it its error response).
                let _ = match &answer {
                    Ok(response) if response.status().is_success() => pending.commit().await,
                    _ => pending.release().await,
                };
            }
            answer.map(ServiceResponse::map_into_left_body)
        })
    }
}

/// The request to pass on (with its replay reservation), or the middleware's own answer: a
/// refusal, or a provider's handshake.
async fn check<C: Clock>(
    gate: &Gate<C>,
    mut request: ServiceRequest,
) -> Result<(ServiceRequest, Held<'_>), ServiceResponse> {
    let query = request.query_string();
    if let Some(answer) = gate.challenge(request.method().as_str(), query) {
        return Err(request.into_response(respond(answer)));
    }
    let announced = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|len| len > gate.body_limit as u64) {
        return Err(request.into_response(refusal(StatusCode::PAYLOAD_TOO_LARGE, None)));
    }
    // The MACs run over the body as it arrives, where the scheme allows it.
    let mut body_mac = gate.verifier.body_mac(&view(&request));
    let feed = |chunk: &[u8]| {
        if let Some(mac) = &mut body_mac {
            mac.update(chunk);
        }
    };
    let body = match read_payload(request.take_payload(), gate.body_limit, feed).await {
        Ok(body) => body,
        Err(Unread::Failed) => {
            return Err(request.into_response(refusal(StatusCode::BAD_REQUEST, None)));
        }
        Err(Unread::TooLarge) => {
            return Err(request.into_response(refusal(StatusCode::PAYLOAD_TOO_LARGE, None)));
        }
    };
    match gate.admit(&view(&request), &body, body_mac).await {
        Ok((delivery, pending)) => {
            request.extensions_mut().insert(delivery);
            // The handler reads the body the middleware verified, byte for byte.
            request.set_payload(Payload::from(body));
            Ok((request, pending))
        }
        Err(answer) => Err(request.into_response(respond(answer))),
    }
}

/// The request's headers with its request line, for schemes that sign the method or URL: the
/// target as received, the path with its query.
fn view(request: &ServiceRequest) -> RequestView<'_, actix_web::http::header::HeaderMap> {
    let target = request
        .uri()
        .path_and_query()
        .map_or("/", |target| target.as_str());
    RequestView::new(request.method().as_str(), target, request.headers())
}

/// A request's payload, read whole: at most `limit` bytes, each chunk handed to `seen` as it
/// arrives. A payload of one chunk is not copied.
async fn read_payload(
    payload: Payload,
    limit: usize,
    mut seen: impl FnMut(&[u8]),
) -> Result<Bytes, Unread> {
    let mut payload = std::pin::pin!(BodyStream::new(payload));
    let mut held = BodyChunks::None;
    while let Some(chunk) = std::future::poll_fn(|cx| payload.as_mut().poll_next(cx)).await {
        let chunk = chunk.map_err(|_| Unread::Failed)?;
        if held.len().saturating_add(chunk.len()) > limit {
            return Err(Unread::TooLarge);
        }
        seen(&chunk);
        held.push(chunk);
    }
    Ok(held.into_bytes())
}

/// The middleware's own answer as a response; a refusal carries its error as a [`Refused`].
fn respond(answer: Answer) -> HttpResponse {
    match answer {
        Answer::Handshake(reply) => {
            let mut response = HttpResponse::build(status(reply.status_code()));
            response.insert_header((CONTENT_TYPE, reply.content_type()));
            for &header in reply.headers() {
                response.insert_header(header);
            }
            response.body(reply.into_body())
        }
        Answer::Refused {
            status: code,
            error,
        } => {
            let mut response = refusal(status(code), error.retry_after());
            response.extensions_mut().insert(Refused::new(error));
            response
        }
    }
}

impl<C> fmt::Debug for Verify<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verify")
            .field("replay_cache", &self.gate.cache.is_some())
            .field("body_limit", &self.gate.body_limit)
            .field("replay_status", &self.gate.replay_status)
            .finish_non_exhaustive()
    }
}

impl<S, C> fmt::Debug for VerifyMiddleware<S, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyMiddleware").finish_non_exhaustive()
    }
}

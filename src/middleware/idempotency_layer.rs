//! [`IdempotencyLayer`]: the tower middleware that runs the handler once per key and answers
//! the key's later requests with the stored response.

use core::fmt;
use std::error::Error;
use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{HeaderName, HeaderValue, Request, Response};
use http_body::Body;
use http_body_util::Full;
use tower_layer::Layer;
use tower_service::Service;

use super::buffer::{Read, Unread, buffer, read_up_to};
use super::idempotent_body::IdempotentBody;
use super::key_from::KeyFrom;
use super::stored_response::{self, BODY_OVERHEAD, MAX_HEADERS};
use crate::error::{ConfigError, IdempotencyError, IdempotencyLayerError};
use crate::extract::VERIFY_LAYER_MISSING;
use crate::gate::DEFAULT_BODY_LIMIT;
#[cfg(doc)]
use crate::idempotency::REPLAYED_HEADER;
use crate::idempotency::{DynIdempotencyStore, Idempotency, IdempotencyStore, Processed, Scope};
use crate::refusal::refuse;

/// A layer that runs the wrapped service once per idempotency key, stores its answer, and
/// answers the key's later requests with the stored answer. See the
/// [module docs](super#idempotency).
///
/// The store is held as `Arc<S>`: a concrete store (`Arc<MemoryIdempotencyStore>`) is called
/// without boxing, and `Arc<dyn DynIdempotencyStore>` (the default type) lets a receiver pick
/// the backend at run time, for one boxed future per store step.
pub struct IdempotencyLayer<S: ?Sized = dyn DynIdempotencyStore> {
    shared: Shared<S>,
}

struct Shared<S: ?Sized> {
    idempotency: Idempotency<Arc<S>>,
    scope: Scope,
    key: KeyFrom,
    stored_headers: Arc<[HeaderName]>,
    response_limit: usize,
    body_limit: usize,
}

/// The middleware [`IdempotencyLayer`] puts around a service.
pub struct IdempotencyService<Inner, S: ?Sized = dyn DynIdempotencyStore> {
    inner: Inner,
    shared: Arc<Shared<S>>,
}

impl<S: IdempotencyStore + ?Sized> IdempotencyLayer<S> {
    /// Runs the wrapped service once per key that `key` reads from each request, within
    /// `scope`, over `store`: a lease of 60 seconds while the service runs, a retention of 72
    /// hours for its stored answer (see [`Idempotency`]); answers whose stored form takes up to
    /// 64 KiB are stored, with their `Content-Type`; request bodies up to 1 MiB.
    ///
    /// Give each endpoint its own `scope` (its name, and the tenant's where there are several):
    /// keys are stored within it, so two endpoints sharing a store never share a key.
    #[must_use]
    pub fn new(store: Arc<S>, scope: Scope, key: KeyFrom) -> Self {
        Self {
            shared: Shared {
                idempotency: Idempotency::new(store),
                scope,
                key,
                stored_headers: Arc::new([CONTENT_TYPE]),
                response_limit: DEFAULT_RESPONSE_LIMIT,
                body_limit: DEFAULT_BODY_LIMIT,
            },
        }
    }

    /// Holds a key for `lease` while the service runs: how long a key stays blocked after a
    /// receiver dies mid-request. Make it longer than the service ever takes. Defaults to 60
    /// seconds.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidLimit`] for under one second or over 400 days.
    pub fn with_lease(mut self, lease: Duration) -> Result<Self, ConfigError> {
        self.shared.idempotency = self.shared.idempotency.with_lease(lease)?;
        Ok(self)
    }

    /// Keeps a stored answer for `retention`: at least as long as senders retry. Defaults to 72
    /// hours (Stripe's retry horizon).
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidLimit`] for under one second or over 400 days.
    pub fn with_retention(mut self, retention: Duration) -> Result<Self, ConfigError> {
        self.shared.idempotency = self.shared.idempotency.with_retention(retention)?;
        Ok(self)
    }

    /// Stores these headers of an answer (every value of each, in order), and answers a stored
    /// key with them. Defaults to `Content-Type` alone. Other headers of the first answer are
    /// sent with it, not stored.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidLimit`] for more than 32 names.
    pub fn with_stored_headers<I>(mut self, names: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = HeaderName>,
    {
        let names: Arc<[HeaderName]> = names.into_iter().collect();
        if names.len() > MAX_HEADERS {
            return Err(ConfigError::InvalidLimit);
        }
        self.shared.stored_headers = names;
        Ok(self)
    }

    /// Stores an answer only when its stored form — status, stored headers and body, plus a
    /// few bytes of framing per header — takes at most `limit` bytes; a larger answer is sent
    /// but not stored, and its key released. Keep it within the store's own maximum
    /// (`max_result_len`, 64 KiB by default for the crate's stores). Defaults to 64 KiB.
    ///
    /// The layer reads at most `limit` bytes of an answer's body to decide, and sends it on as
    /// it comes past that.
    #[must_use]
    pub fn with_response_limit(mut self, limit: usize) -> Self {
        self.shared.response_limit = limit;
        self
    }

    /// Buffers request bodies of at most `limit` bytes; larger ones are answered 413. Behind a
    /// [`VerifyLayer`](super::VerifyLayer), which has its own limit, this one only needs to be
    /// as large. Defaults to 1 MiB.
    #[must_use]
    pub fn with_body_limit(mut self, limit: usize) -> Self {
        self.shared.body_limit = limit;
        self
    }
}

impl<S: ?Sized> Clone for IdempotencyLayer<S> {
    fn clone(&self) -> Self {
        Self {
            shared: self.shared.clone(),
        }
    }
}

impl<S: ?Sized> Clone for Shared<S> {
    fn clone(&self) -> Self {
        Self {
            idempotency: self.idempotency.clone(),
            scope: self.scope.clone(),
            key: self.key.clone(),
            stored_headers: Arc::clone(&self.stored_headers),
            response_limit: self.response_limit,
            body_limit: self.body_limit,
        }
    }
}

impl<Inner, S: ?Sized> Layer<Inner> for IdempotencyLayer<S> {
    type Service = IdempotencyService<Inner, S>;

    fn layer(&self, inner: Inner) -> Self::Service {
        IdempotencyService {
            inner,
            shared: Arc::new(self.shared.clone()),
        }
    }
}

impl<Inner: Clone, S: ?Sized> Clone for IdempotencyService<Inner, S> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<Inner, S, B, ResBody> Service<Request<B>> for IdempotencyService<Inner, S>
where
    Inner: Service<Request<Full<Bytes>>, Response = Response<ResBody>> + Clone + Send + 'static,
    Inner::Future: Send + 'static,
    Inner::Error: Send,
    ResBody: Body + Send + Unpin + 'static,
    ResBody::Data: Send,
    ResBody::Error: Send + Unpin,
    S: IdempotencyStore + ?Sized + 'static,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn Error + Send + Sync>>,
{
    type Response = Response<IdempotentBody<ResBody>>;
    type Error = Inner::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Inner::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Inner::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        // The clone that was polled ready serves this request; a fresh clone waits for the next.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let shared = Arc::clone(&self.shared);
        let (parts, body) = request.into_parts();
        // Kept small, as the verification layer's future (see there): the request in parts, and
        // the work pinned here rather than moved into the store's future, which would hold it
        // twice over.
        Box::pin(async move {
            let body = match buffer(&parts.headers, body, shared.body_limit, |_| {}).await {
                Ok(body) => body,
                Err(Unread::TooLarge) => return Ok(refusal(IdempotencyLayerError::BodyTooLarge)),
                Err(Unread::Failed) => return Ok(refusal(IdempotencyLayerError::BodyUnreadable)),
            };
            let (key, fingerprint) = match shared.key.key(&shared.scope, &parts, &body) {
                Ok(found) => found,
                Err(error) => return Ok(refusal(error)),
            };
            // The first answer, kept here while the store records it, to be sent whole.
            let mut fresh = None;
            // Should the service fail or panic, or this future be dropped, `run` releases the
            // key.
            let outcome = {
                let work = pin!(async {
                    let called = inner.call(Request::from_parts(parts, Full::new(body)));
                    let response = called.await.map_err(Unstored::Failed)?;
                    shared.storable(response, &mut fresh).await
                });
                shared.idempotency.run(&key, &fingerprint, work).await
            };
            match outcome {
                Ok(Processed::Fresh(_)) | Err(IdempotencyError::Unrecorded { .. }) => {
                    // The record is made only after `fresh` is set.
                    Ok(fresh.map_or_else(
                        || refusal(IdempotencyLayerError::UnreadableRecord),
                        |(parts, body)| Response::from_parts(parts, IdempotentBody::full(body)),
                    ))
                }
                Ok(Processed::Stored(record)) => Ok(replayed(record)),
                Err(IdempotencyError::Failed(Unstored::Answer(response))) => Ok(*response),
                Err(IdempotencyError::Failed(Unstored::Failed(error))) => Err(error),
                Err(IdempotencyError::InProgress { retry_after }) => {
                    Ok(refusal(IdempotencyLayerError::InProgress { retry_after }))
                }
                Err(IdempotencyError::Mismatch) => Ok(refusal(IdempotencyLayerError::Mismatch)),
                Err(IdempotencyError::Store(error)) => {
                    Ok(refusal(IdempotencyLayerError::Store(Arc::new(error))))
                }
            }
        })
    }
}

/// Why the service's answer is not stored, as the work's failure: the key is released.
enum Unstored<E, B: Body> {
    /// The service failed.
    Failed(E),
    /// The answer is not stored (not 2xx, too large, ended in trailers or an error): send it.
    /// Boxed: a failure's answer, rarer than a success's, is allocated rather than making
    /// room for it in every request's future (several times over).
    Answer(Box<Response<IdempotentBody<B>>>),
}

/// The stashed first answer: its head and its whole body.
type Fresh = Option<(http::response::Parts, Bytes)>;

impl<S: ?Sized> Shared<S> {
    /// The record of `response` to store, with the response stashed in `fresh`; or the response
    /// to send unstored.
    ///
    /// Not an `async fn`, whose arguments would take room twice in the layer's future.
    #[allow(clippy::manual_async_fn)]
    fn storable<'a, E, B>(
        &'a self,
        response: Response<B>,
        fresh: &'a mut Fresh,
    ) -> impl Future<Output = Result<Vec<u8>, Unstored<E, B>>> + 'a
    where
        B: Body + Unpin + 'a,
        E: 'a,
    {
        async move {
            if !response.status().is_success() {
                return Err(Unstored::Answer(Box::new(
                    response.map(IdempotentBody::inner),
                )));
            }
            let head =
                stored_response::head(response.status(), response.headers(), &self.stored_headers);
            let room = head.as_ref().and_then(|head| {
                self.response_limit
                    .checked_sub(head.len())
                    .and_then(|room| room.checked_sub(BODY_OVERHEAD))
            });
            let (Some(head), Some(room)) = (head, room) else {
                return Err(Unstored::Answer(Box::new(
                    response.map(IdempotentBody::inner),
                )));
            };
            let (parts, body) = response.into_parts();
            match read_up_to(body, room, |_| {}).await {
                Read::Whole(body) => match stored_response::finish(head, &body) {
                    Some(record) => {
                        *fresh = Some((parts, body));
                        Ok(record)
                    }
                    None => Err(Unstored::Answer(Box::new(Response::from_parts(
                        parts,
                        IdempotentBody::full(body),
                    )))),
                },
                Read::Partly(held, then) => Err(Unstored::Answer(Box::new(Response::from_parts(
                    parts,
                    IdempotentBody::resumed(held, then),
                )))),
            }
        }
    }
}

/// The answer to a completed key: the stored response, marked `Idempotent-Replayed: true`; or
/// 500 for a record that cannot be read.
fn replayed<B: Body>(record: Vec<u8>) -> Response<IdempotentBody<B>> {
    match stored_response::decode(record) {
        Ok(stored) => {
            let mut response = Response::new(IdempotentBody::full(stored.body));
            *response.status_mut() = stored.status;
            *response.headers_mut() = stored.headers;
            response.headers_mut().insert(
                HeaderName::from_static(REPLAYED_HEADER_LOWER),
                HeaderValue::from_static("true"),
            );
            response
        }
        Err(_) => refusal(IdempotencyLayerError::UnreadableRecord),
    }
}

/// The layer's own answer for `error`: its status, `Retry-After` and fixed text, with the error
/// in the response extensions.
fn refusal<B: Body>(error: IdempotencyLayerError) -> Response<IdempotentBody<B>> {
    let mut response = refuse::<Bytes>(error.status(), error.retry_after());
    if matches!(error, IdempotencyLayerError::MissingLayer(_)) {
        *response.body_mut() = Bytes::from_static(VERIFY_LAYER_MISSING.as_bytes());
    }
    response.extensions_mut().insert(error);
    response.map(IdempotentBody::full)
}

impl<S: IdempotencyStore + ?Sized> fmt::Debug for IdempotencyLayer<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shared = &self.shared;
        f.debug_struct("IdempotencyLayer")
            .field("key", &shared.key)
            .field("scope", &shared.scope)
            .field("lease", &shared.idempotency.lease())
            .field("retention", &shared.idempotency.retention())
            .field("stored_headers", &shared.stored_headers)
            .field("response_limit", &shared.response_limit)
            .field("body_limit", &shared.body_limit)
            .finish_non_exhaustive()
    }
}

impl<Inner: fmt::Debug, S: ?Sized> fmt::Debug for IdempotencyService<Inner, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdempotencyService")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

/// [`REPLAYED_HEADER`] as a header name is written: lowercase.
const REPLAYED_HEADER_LOWER: &str = "idempotent-replayed";

/// The default largest stored answer: 64 KiB, the crate's stores' default `max_result_len`.
const DEFAULT_RESPONSE_LIMIT: usize = 64 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_replayed_header_is_the_crates() {
        assert!(REPLAYED_HEADER_LOWER.eq_ignore_ascii_case(crate::idempotency::REPLAYED_HEADER));
    }
}

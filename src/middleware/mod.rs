//! Tower middleware (feature `tower`): verify every request before the handler sees it. Works
//! with axum 0.8 (`Router::layer` / `route_layer`), with hyper 1 through `hyper-util`'s
//! `TowerToHyperService`, and with anything else built on `tower::Service`.
//!
//! [`VerifyLayer`] wraps a service. For each request, the middleware:
//!
//! 1. answers a `GET` challenge of the scheme's [handshake](crate::scheme#handshakes) (Dropbox,
//!    Meta) at once, without reading a body ([`Verifier::challenge`]);
//! 2. buffers the raw body, up to a limit (1 MiB by default; a larger body, or a
//!    `Content-Length` announcing one, is answered **413** without reading further);
//! 3. verifies it with a [`Verifier`]; answers a verified signed handshake (Slack's
//!    `url_verification`, Discord's `PING`, Twitch's callback verification, Zoom's URL
//!    validation) itself ([`Verifier::handshake`]), without the replay cache or the handler;
//!    and, when given a [`ReplayCache`], *reserves* the replay key of any other delivery there;
//! 4. answers a refused request itself, with the status of [`FreshError::status_code`] (400,
//!    401, 403, 409, 500, 503), `Retry-After` where the error has one, and a short fixed text per
//!    answer as a `text/plain` body — never an error's detail, which stays in the response's
//!    extensions as a [`Refused`] for the caller's logging layer;
//! 5. passes an accepted request on with its body untouched — the exact bytes verified — and a
//!    [`VerifiedDelivery`](crate::VerifiedDelivery) in the request extensions;
//! 6. with a replay cache, *commits* the replay key when the handler answers 2xx and
//!    *releases* it otherwise — a non-2xx answer, an error, a panic, or a request dropped
//!    before the answer (client gone, timeout) — so the sender's retry of a failed delivery
//!    runs. See [`crate::replay`] for the answers to duplicates.
//!
//! ```
//! use axum::{Extension, Router, routing::post};
//! use hookseal::middleware::VerifyLayer;
//! use hookseal::{Scheme, VerifiedDelivery, Verifier};
//!
//! async fn handle(Extension(delivery): Extension<VerifiedDelivery>) -> &'static str {
//!     // `delivery.body()` is the verified body, byte for byte.
//!     let _event = delivery.body();
//!     "ok"
//! }
//!
//! # fn app() -> Result<Router, Box<dyn std::error::Error>> {
//! let verifier = Verifier::from_secret(Scheme::stripe(), "whsec_…")?;
//! let app: Router = Router::new()
//!     .route("/webhooks/stripe", post(handle))
//!     .route_layer(VerifyLayer::new(verifier));
//! # Ok(app) }
//! ```
//!
//! # Idempotency
//!
//! [`IdempotencyLayer`] runs the handler once per key and answers the key's later requests
//! without it. Put it after `VerifyLayer`, in one `ServiceBuilder`:
//!
//! ```
//! # #[cfg(feature = "axum")] {
//! use std::sync::Arc;
//!
//! use axum::{Router, routing::post};
//! use hookseal::idempotency::{MemoryIdempotencyStore, Scope};
//! use hookseal::middleware::{IdempotencyLayer, KeyFrom, VerifyLayer};
//! use hookseal::replay::MemoryReplayCache;
//! use hookseal::{Scheme, VerifiedDelivery, Verifier};
//! use tower::ServiceBuilder;
//!
//! async fn handle(delivery: VerifiedDelivery) -> String {
//!     format!("credited {} bytes", delivery.body().len()) // runs once per event
//! }
//!
//! # fn app() -> Result<Router, Box<dyn std::error::Error>> {
//! let verifier = Verifier::from_secret(Scheme::stripe(), "whsec_…")?;
//! let cache = Arc::new(MemoryReplayCache::for_verifier(&verifier, 100_000)?);
//! let store = Arc::new(MemoryIdempotencyStore::new(100_000)?);
//! let app: Router = Router::new().route("/webhooks/stripe", post(handle)).route_layer(
//!     ServiceBuilder::new()
//!         .layer(VerifyLayer::new(verifier).with_replay_cache(cache))
//!         .layer(IdempotencyLayer::new(store, Scope::new("stripe"), KeyFrom::body_member(&["id"])?)),
//! );
//! # Ok(app) }
//! # }
//! ```
//!
//! (`VerifiedDelivery` as a handler argument needs feature `axum`; without it, take
//! `Extension<VerifiedDelivery>`.)
//!
//! For each request, the layer:
//!
//! 1. reads its key where [`KeyFrom`] says — a signed delivery id, a member of the signed body,
//!    the replay key (these three from the [`VerifiedDelivery`](crate::VerifiedDelivery)
//!    `VerifyLayer` left, so `VerifyLayer` must come first), or the `Idempotency-Key` header —
//!    within its [`Scope`](crate::idempotency::Scope), and fingerprints the payload;
//! 2. claims the key in its [`IdempotencyStore`](crate::idempotency::IdempotencyStore), and
//!    answers itself when it cannot, without calling the handler:
//!
//!    | the key | answer |
//!    |---|---|
//!    | completed | the stored status, stored headers and body, with `Idempotent-Replayed: true` |
//!    | being handled | 409 with `Retry-After` (when the running request's lease ends) |
//!    | used for another payload | 422 |
//!    | not found in the request, or malformed | 400 (500 when the receiver's choice of key cannot work: an unsigned id, no `VerifyLayer` in front) |
//!    | store unavailable or full | 503 with `Retry-After` (fail closed) |
//!
//! 3. calls the handler and, when it answers **2xx**, stores its status, the headers named
//!    (`Content-Type` by default) and its body, if they fit the response limit (64 KiB by
//!    default), and sends the answer on whole. Otherwise it *releases* the key, so the sender's
//!    retry runs the handler again:
//!    - any other status: 5xx, and 4xx too (a 4xx tells the sender its request is wrong; its
//!      retry is judged again, which a handler without side effects for a refused request
//!      makes harmless);
//!    - a 2xx too large to store: sent as it comes (the layer reads no more of the body than the
//!      limit), **not stored**, the key released — so a retry runs the handler again. Keep
//!      answers to webhooks short, or raise the limit (within the store's own);
//!    - a 2xx whose body ends in trailers or fails midway: sent as it is, not stored;
//!    - a service error, a panic, or the request dropped before the answer (client gone,
//!      timeout): nothing is sent, the key is released.
//!
//!    Should the store fail to record an answer (it went down meanwhile), the answer is still
//!    sent, and the key frees itself when its lease ends.
//!
//! A stored answer is kept in a small versioned format. A record the layer cannot read back
//! (written by another version, damaged) is answered 500 as a whole, never in part. Every answer
//! the layer gives itself carries an [`IdempotencyLayerError`] in its response extensions.
//!
//! actix-web is not built on tower: its middleware, with the same behaviour, is `actix::Verify`
//! (feature `actix`). Other frameworks use the same core directly: [`Verifier::verify`], or
//! [`Verifier::verify_fresh`] and then [`Pending::commit`] once the handler succeeded, on the
//! headers and the buffered body, and the errors' `status_code()` and `retry_after()` for the
//! answer.

mod buffer;
mod idempotency_layer;
mod idempotent_body;
mod key_from;
mod stored_response;
mod verify_layer;

pub use crate::error::IdempotencyLayerError;
pub use crate::refused::Refused;
pub use idempotency_layer::{IdempotencyLayer, IdempotencyService};
pub use idempotent_body::IdempotentBody;
pub use key_from::KeyFrom;
pub use verify_layer::{VerifyLayer, VerifyService};

#[cfg(doc)]
use crate::replay::{FreshError, Pending, ReplayCache};
#[cfg(doc)]
use crate::{Verified, Verifier, VerifyError};

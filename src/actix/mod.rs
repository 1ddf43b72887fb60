//! actix-web 4 integration (feature `actix`): [`Verify`], middleware that verifies requests
//! before the handler, with the tower layer's behaviour; handler arguments for what it verified;
//! and an answer for every error.
//!
//! actix-web is not built on tower, so the tower layer (`middleware::VerifyLayer`, feature
//! `tower`) does not fit it; [`Verify`] is its actix-web form. Wrap a resource or scope in it: for each request, the middleware
//!
//! 1. buffers the raw body, up to a limit (1 MiB by default; a larger body, or a
//!    `Content-Length` announcing one, is answered **413** without reading further);
//! 2. verifies it with a [`Verifier`] (reading actix-web's headers and request line as they
//!    are, for schemes that sign the method or URL) and, when given a [`ReplayCache`],
//!    *reserves* its replay key there;
//! 3. answers a refused request itself, with the status of [`FreshError::status_code`],
//!    `Retry-After` where the error has one, and a short fixed text per answer — never an
//!    error's detail, which stays in the response's extensions as a [`Refused`] for the
//!    application's logging middleware;
//! 4. passes an accepted request on with its body untouched — the exact bytes verified, still
//!    readable as `web::Bytes` — and a [`VerifiedDelivery`] in the request extensions;
//! 5. with a replay cache, *commits* the replay key when the handler answers 2xx and
//!    *releases* it otherwise — a non-2xx answer, an error, a panic, or a request dropped before
//!    the answer — so the sender's retry of a failed delivery runs.
//!
//! Handlers take what was verified as arguments:
//!
//! - [`VerifiedDelivery`]: the delivery the middleware verified. On a route without the
//!   middleware it is refused with [`MissingLayer`] (500, naming `hookseal::actix::Verify`),
//!   never handed out unverified.
//! - [`Event<T>`](crate::Event) (with feature `serde`): the verified body read as JSON into your
//!   `T`; a body that is not a `T` is answered 400 (and, the handler not having answered 2xx,
//!   the replay key is released).
//!
//! Every error type of the crate is an actix-web `ResponseError`, answered with its status,
//! `Retry-After` where it has one, and the middleware's fixed text, so a handler can return
//! `Result<_, VerifyError>` or use `?` on a store call.
//!
//! ```
//! # #[cfg(feature = "serde")] {
//! use std::sync::Arc;
//!
//! use actix_web::{App, web};
//! use hookseal::actix::Verify;
//! use hookseal::replay::MemoryReplayCache;
//! use hookseal::{Event, Scheme, Verifier};
//!
//! #[derive(serde::Deserialize)]
//! #[serde(tag = "type")]
//! enum StripeEvent {
//!     #[serde(rename = "invoice.paid")]
//!     InvoicePaid { id: String },
//!     #[serde(other)]
//!     Other,
//! }
//!
//! async fn handle(Event(event): Event<StripeEvent>) -> &'static str {
//!     match event {
//!         StripeEvent::InvoicePaid { .. } => "paid",
//!         StripeEvent::Other => "ignored",
//!     }
//! }
//!
//! # fn app() -> Result<(), Box<dyn std::error::Error>> {
//! let verifier = Verifier::from_secret(Scheme::stripe(), "whsec_…")?;
//! let cache = Arc::new(MemoryReplayCache::for_verifier(&verifier, 100_000)?);
//! let verify = Verify::new(verifier).with_replay_cache(cache);
//! // In `HttpServer::new(move || ..)`, with `verify.clone()`:
//! let app = App::new().service(
//!     web::resource("/webhooks/stripe")
//!         .wrap(verify)
//!         .route(web::post().to(handle)),
//! );
//! # let _ = app;
//! # Ok(()) }
//! # }
//! ```
//!
//! Headers are read from actix-web's own `HeaderMap` (it implements [`HeaderSource`]), never
//! converted: actix-web 4 uses version 0.2 of the `http` crate, and the rest of the crate does
//! not depend on it.
//!
//! [`Verifier`]: crate::Verifier
//! [`ReplayCache`]: crate::replay::ReplayCache
//! [`FreshError::status_code`]: crate::replay::FreshError::status_code
//! [`VerifiedDelivery`]: crate::VerifiedDelivery
//! [`MissingLayer`]: crate::MissingLayer
//! [`HeaderSource`]: crate::HeaderSource

mod extract;
mod headers;
mod response;
mod verify;

pub use crate::refused::Refused;
pub use verify::{Verify, VerifyMiddleware};

//! Tower middleware (feature `tower`): verify every request before the handler sees it. Works
//! with axum 0.8 (`Router::layer` / `route_layer`), with hyper 1 through `hyper-util`'s
//! `TowerToHyperService`, and with anything else built on `tower::Service`.
//!
//! [`VerifyLayer`] wraps a service. For each request, the middleware:
//!
//! 1. buffers the raw body, up to a limit (1 MiB by default; a larger body, or a
//!    `Content-Length` announcing one, is answered **413** without reading further);
//! 2. verifies it with a [`Verifier`], and, when given a [`ReplayCache`], *reserves* its replay
//!    key there;
//! 3. answers a refused request itself, with the status of [`FreshError::status_code`] (400,
//!    401, 409, 500, 503), `Retry-After` where the error has one, and a short fixed text per
//!    answer as a `text/plain` body — never an error's detail, which stays in the response's
//!    extensions as a [`Refused`] for the caller's logging layer;
//! 4. passes an accepted request on with its body untouched — the exact bytes verified — and a
//!    [`VerifiedDelivery`](crate::VerifiedDelivery) in the request extensions;
//! 5. with a replay cache, *commits* the replay key when the handler answers 2xx and
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
//! actix-web is not built on tower: its middleware, with the same behaviour, is `actix::Verify`
//! (feature `actix`). Other frameworks use the same core directly: [`Verifier::verify`], or
//! [`Verifier::verify_fresh`] and then [`Pending::commit`] once the handler succeeded, on the
//! headers and the buffered body, and the errors' `status_code()` and `retry_after()` for the
//! answer.

mod verify_layer;

#[cfg(doc)]
use crate::Verifier;
#[cfg(doc)]
use crate::replay::{FreshError, Pending, ReplayCache};

pub use crate::refused::Refused;
pub use verify_layer::{VerifyLayer, VerifyService};

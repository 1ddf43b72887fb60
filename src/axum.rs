//! axum 0.8 integration (feature `axum`): handler arguments for what [`VerifyLayer`] verified,
//! and an answer for every error.
//!
//! - [`VerifiedDelivery`] is a handler argument: the delivery the layer verified. On a route
//!   without the layer it is refused with [`MissingLayer`] (500, naming the layer), never
//!   handed out unverified.
//! - [`Event<T>`] (with feature `serde`) is the verified body read as JSON into your `T`; a body
//!   that is not a `T` is answered 400.
//! - Every error type of the crate is a response (`IntoResponse`): its status, `Retry-After`
//!   where it has one, and a short fixed text — the same answers the layer gives — so a handler
//!   can return `Result<_, VerifyError>` or use `?` on a store call.
//!
//! ```
//! # #[cfg(feature = "serde")] {
//! use axum::{Router, routing::post};
//! use hookseal::axum::Event;
//! use hookseal::middleware::VerifyLayer;
//! use hookseal::{Scheme, Verifier};
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
//! # fn app() -> Result<Router, Box<dyn std::error::Error>> {
//! let verifier = Verifier::from_secret(Scheme::stripe(), "whsec_…")?;
//! let app: Router = Router::new()
//!     .route("/webhooks/stripe", post(handle))
//!     .route_layer(VerifyLayer::new(verifier));
//! # Ok(app) }
//! # }
//! ```
//!
//! [`VerifyLayer`]: crate::middleware::VerifyLayer

use core::fmt;

use axum_core::extract::FromRequestParts;
use axum_core::response::{IntoResponse, Response};
use http::StatusCode;
use http::request::Parts;

use crate::error::{
    ConfigError, FreshError, IdempotencyError, SecretError, SignError, StoreError, VerifyError,
};
use crate::refusal::refuse;
use crate::verified_delivery::VerifiedDelivery;

impl<S: Send + Sync> FromRequestParts<S> for VerifiedDelivery {
    type Rejection = MissingLayer;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, MissingLayer> {
        parts
            .extensions
            .get::<VerifiedDelivery>()
            .cloned()
            .ok_or(MissingLayer)
    }
}

/// The verified body read as JSON into a `T` of yours: a handler argument (feature `serde`).
///
/// Only bytes the layer verified are parsed. An event type `T` does not name is yours to handle
/// (give the enum a catch-all); a body that is not JSON of `T`'s shape is refused with 400 by
/// [`EventRejection`] — and, the handler having not answered 2xx, the layer releases the
/// replay key, so the sender's retry is verified again.
#[cfg(feature = "serde")]
#[derive(Debug, Clone, Copy, Default)]
#[allow(clippy::exhaustive_structs)] // A wrapper to destructure in the handler's arguments.
pub struct Event<T>(pub T);

#[cfg(feature = "serde")]
impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequestParts<S> for Event<T> {
    type Rejection = EventRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, EventRejection> {
        let delivery = VerifiedDelivery::from_request_parts(parts, state).await?;
        delivery
            .json()
            .map(Event)
            .map_err(EventRejection::Unreadable)
    }
}

/// A handler asked for a verified delivery on a route the [`VerifyLayer`] does not cover.
///
/// Answered 500 with a text naming the layer: the route is misconfigured, and nothing was
/// verified, so the handler does not run. Add `.route_layer(VerifyLayer::new(..))` to the route.
///
/// [`VerifyLayer`]: crate::middleware::VerifyLayer
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::exhaustive_structs)] // A unit marker.
pub struct MissingLayer;

impl fmt::Display for MissingLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MISSING_LAYER)
    }
}

impl std::error::Error for MissingLayer {}

impl MissingLayer {
    /// A stable machine-readable name, for logs and metrics: `missing_layer`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        "missing_layer"
    }
}

impl IntoResponse for MissingLayer {
    fn into_response(self) -> Response {
        let mut response = refuse(StatusCode::INTERNAL_SERVER_ERROR, None);
        *response.body_mut() = "hookseal: no VerifyLayer on this route\n".into();
        response
    }
}

/// Why [`Event`] refused a request.
#[cfg(feature = "serde")]
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EventRejection {
    /// The route has no [`VerifyLayer`](crate::middleware::VerifyLayer): 500.
    #[error(transparent)]
    MissingLayer(#[from] MissingLayer),
    /// The verified body is not JSON of the type asked for: 400. `serde_json`'s error, for
    /// your logs (it may quote a piece of the body).
    #[error("the verified body is not the JSON expected")]
    Unreadable(#[source] serde_json::Error),
}

#[cfg(feature = "serde")]
impl EventRejection {
    /// A stable machine-readable name, for logs and metrics: `missing_layer` or
    /// `unreadable_body`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingLayer(e) => e.code(),
            Self::Unreadable(_) => "unreadable_body",
        }
    }
}

#[cfg(feature = "serde")]
impl IntoResponse for EventRejection {
    fn into_response(self) -> Response {
        match self {
            Self::MissingLayer(e) => e.into_response(),
            Self::Unreadable(_) => refuse(StatusCode::BAD_REQUEST, None),
        }
    }
}

/// `IntoResponse` for the crate's errors: their status, `Retry-After` and fixed text.
macro_rules! error_response {
    ($($ty:ident $(<$g:ident>)?),*) => {$(
        impl$(<$g>)? IntoResponse for $ty$(<$g>)? {
            fn into_response(self) -> Response {
                refuse(self.status(), self.retry_after())
            }
        }
    )*};
}

error_response!(
    ConfigError,
    SecretError,
    SignError,
    VerifyError,
    FreshError,
    StoreError
);

/// Answers as [`IdempotencyError::status_code`] says; [`IdempotencyError::Unrecorded`] answers
/// the work's output with 200, as a fresh success would.
impl<E> IntoResponse for IdempotencyError<E> {
    fn into_response(self) -> Response {
        match self {
            Self::Unrecorded { output, .. } => output.into_response(),
            other => refuse(other.status(), other.retry_after()),
        }
    }
}

const MISSING_LAYER: &str =
    "a handler asked for a verified delivery on a route without VerifyLayer";

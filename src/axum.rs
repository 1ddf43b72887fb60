//! axum 0.8 integration (feature `axum`): handler arguments for what [`VerifyLayer`] verified,
//! and an answer for every error.
//!
//! - [`VerifiedDelivery`] is a handler argument: the delivery the layer verified. On a route
//!   without the layer it is refused with [`MissingLayer`] (500, naming the layer), never
//!   handed out unverified.
//! - [`Event<T>`](crate::Event) (with feature `serde`) is the verified body read as JSON into
//!   your `T`; a body that is not a `T` is answered 400.
//! - Every error type of the crate is a response (`IntoResponse`): its status, `Retry-After`
//!   where it has one, and a short fixed text — the same answers the layer gives — so a handler
//!   can return `Result<_, VerifyError>` or use `?` on a store call.
//!
//! ```
//! # #[cfg(feature = "serde")] {
//! use axum::{Router, routing::post};
//! use hookseal::middleware::VerifyLayer;
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

use axum_core::extract::FromRequestParts;
use axum_core::response::{IntoResponse, Response};
use http::request::Parts;

#[cfg(feature = "tower")]
use crate::error::IdempotencyLayerError;
use crate::error::{
    ConfigError, FreshError, HandshakeError, IdempotencyError, SecretError, SignError, StoreError,
    VerifyError,
};
#[cfg(feature = "serde")]
use crate::extract::{Event, EventRejection};
use crate::extract::{MissingLayer, VERIFY_LAYER_MISSING};
use crate::handshake::HandshakeReply;
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

impl IntoResponse for MissingLayer {
    fn into_response(self) -> Response {
        let mut response = refuse(self.status(), None);
        *response.body_mut() = VERIFY_LAYER_MISSING.into();
        response
    }
}

#[cfg(feature = "serde")]
impl IntoResponse for EventRejection {
    fn into_response(self) -> Response {
        match self {
            Self::MissingLayer(e) => e.into_response(),
            unreadable => refuse(unreadable.status(), None),
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
    HandshakeError,
    StoreError
);

/// The handshake's answer, as [`HandshakeReply`] describes it.
impl IntoResponse for HandshakeReply {
    fn into_response(self) -> Response {
        self.into_http()
    }
}

#[cfg(feature = "tower")]
error_response!(IdempotencyLayerError);

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

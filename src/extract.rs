//! What a framework adapter hands a handler: [`Event`], the verified body read into the
//! handler's own type, and the rejections of asking for a verified delivery — the same types in
//! every framework (feature `axum` implements axum's traits for them, feature `actix`
//! actix-web's).

use core::fmt;

/// The verified body read as JSON into a `T` of yours: a handler argument (feature `serde`,
/// with a framework's feature such as `axum`).
///
/// Only bytes the verification layer verified are parsed. An event type `T` does not name is
/// yours to handle (give the enum a catch-all); a body that is not JSON of `T`'s shape is
/// refused with 400 ([`EventRejection::Unreadable`]) — and, the handler having not answered
/// 2xx, the layer releases the replay key, so the sender's retry is verified again.
#[cfg(feature = "serde")]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[allow(clippy::exhaustive_structs)] // A wrapper to destructure in the handler's arguments.
pub struct Event<T>(pub T);

/// A handler asked for a verified delivery on a route no verification layer covers.
///
/// Answered 500 with a text naming the adapter's layer: the route is misconfigured, and nothing
/// was verified, so the handler does not run. With axum, add
/// `.route_layer(VerifyLayer::new(..))` to the route; with actix-web,
/// `.wrap(hookseal::actix::Verify::new(..))` to its resource or scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::exhaustive_structs)] // A unit marker.
pub struct MissingLayer;

impl fmt::Display for MissingLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "a handler asked for a verified delivery on a route without a verification layer",
        )
    }
}

impl core::error::Error for MissingLayer {}

impl MissingLayer {
    /// 500: the route's configuration, not the sender's request.
    #[must_use]
    pub fn status_code(&self) -> u16 {
        500
    }

    /// A stable machine-readable name, for logs and metrics: `missing_layer`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        "missing_layer"
    }
}

/// The answer's text for [`MissingLayer`] from the adapter whose verification layer is named
/// `$layer` (a string literal): it names the layer to add, for whoever reads the server's
/// answers; nothing about the request. A constant, one wording for every adapter.
#[cfg(any(feature = "axum", feature = "actix", feature = "tower"))]
macro_rules! missing_layer_answer {
    ($layer:literal) => {
        concat!("hookseal: no ", $layer, " on this route\n")
    };
}
#[cfg(feature = "actix")]
pub(crate) use missing_layer_answer;

/// [`MissingLayer`]'s answer where the layer is the tower `VerifyLayer` (axum, hyper).
#[cfg(any(feature = "axum", feature = "tower"))]
pub(crate) const VERIFY_LAYER_MISSING: &str = missing_layer_answer!("VerifyLayer");

/// Why [`Event`] refused a request.
#[cfg(feature = "serde")]
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EventRejection {
    /// The route has no verification layer: 500.
    #[error(transparent)]
    MissingLayer(#[from] MissingLayer),
    /// The verified body is not JSON of the type asked for: 400. `serde_json`'s error, for
    /// your logs (it may quote a piece of the body).
    #[error("the verified body is not the JSON expected")]
    Unreadable(#[source] serde_json::Error),
}

#[cfg(feature = "serde")]
impl EventRejection {
    /// The HTTP status code to answer with: 500 for a missing layer, 400 for a body that is not
    /// the JSON expected.
    #[must_use]
    pub fn status_code(&self) -> u16 {
        match self {
            Self::MissingLayer(e) => e.status_code(),
            Self::Unreadable(_) => 400,
        }
    }

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

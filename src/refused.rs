//! [`Refused`]: why a verification middleware refused a request, for the receiver's own logs.

use std::sync::Arc;

use crate::error::FreshError;

/// Why the middleware refused a request, in the refusal's response extensions: for a logging
/// or metrics layer around it. The response body says only the answer's fixed text; the detail
/// (which header, which store error) is here, for the receiver's own logs.
///
/// The same type from every adapter: the tower layer
/// ([`middleware::VerifyLayer`](crate::middleware::VerifyLayer), feature `tower`) and the
/// actix-web middleware (`actix::Verify`, feature `actix`).
#[derive(Debug, Clone)]
pub struct Refused {
    error: Arc<FreshError>,
}

impl Refused {
    /// A refusal because of `error`.
    pub(crate) fn new(error: FreshError) -> Self {
        Self {
            error: Arc::new(error),
        }
    }

    /// The error that refused the request.
    #[must_use]
    pub fn error(&self) -> &FreshError {
        &self.error
    }
}

//! The answer to a refused request, the same from every adapter: the error's status, its
//! `Retry-After`, and one short fixed text per status — never an error's detail, which stays
//! with the caller for its logs. [`text`] and [`retry_after_secs`] are the answer whatever the
//! framework; [`refuse`] builds it as an `http` 1 response (tower, axum), and the actix adapter
//! builds it as its own.

use core::time::Duration;

#[cfg(any(feature = "tower", feature = "axum"))]
use http::header::{CONTENT_TYPE, RETRY_AFTER};
#[cfg(any(feature = "tower", feature = "axum"))]
use http::{HeaderValue, Response, StatusCode};

/// The `Content-Type` of a refusal's text.
pub(crate) const TEXT_PLAIN: &str = "text/plain; charset=utf-8";

/// A response refusing a request: `status`, `Retry-After` if given (in whole seconds, rounded
/// up, at least one), and the status's fixed text as `text/plain`.
#[cfg(any(feature = "tower", feature = "axum"))]
pub(crate) fn refuse<B: From<&'static str>>(
    status: StatusCode,
    retry_after: Option<Duration>,
) -> Response<B> {
    let mut response = Response::new(B::from(text(status.as_u16())));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(TEXT_PLAIN));
    if let Some(after) = retry_after {
        headers.insert(RETRY_AFTER, HeaderValue::from(retry_after_secs(after)));
    }
    response
}

/// `Retry-After` in whole seconds, rounded up (a sender that comes back early is refused
/// again) and at least one, so a sender never retries at once.
pub(crate) fn retry_after_secs(after: Duration) -> u64 {
    (after.as_secs() + u64::from(after.subsec_nanos() > 0)).max(1)
}

/// The body of a refusal: one fixed text per status, so nothing of an error's detail (a store's
/// capacity, a server's error text) reaches the sender.
pub(crate) fn text(status: u16) -> &'static str {
    match status {
        200 => "already processed\n",
        400 => "bad request\n",
        401 => "signature not verified\n",
        403 => "forbidden\n",
        409 => "duplicate delivery\n",
        413 => "body too large\n",
        422 => "idempotency key reused for another payload\n",
        500 => "internal error\n",
        502 => "bad gateway\n",
        503 => "temporarily unavailable\n",
        _ => "refused\n",
    }
}

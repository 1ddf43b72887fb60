//! The answers of the actix-web adapter: a refusal as actix-web's response, and
//! `ResponseError` for every error of the crate — the same status, `Retry-After` and fixed text
//! as the tower layer and axum give.

use core::time::Duration;

use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_TYPE, RETRY_AFTER};
use actix_web::{HttpResponse, ResponseError};

use crate::error::{
    ConfigError, FreshError, IdempotencyError, SecretError, SignError, StoreError, VerifyError,
};
#[cfg(feature = "serde")]
use crate::extract::EventRejection;
use crate::extract::{MissingLayer, missing_layer_answer};
use crate::refusal::{TEXT_PLAIN, retry_after_secs, text};

/// A response refusing a request: `status`, `Retry-After` if given (in whole seconds, at least
/// one), and the status's fixed text as `text/plain`.
pub(crate) fn refusal(status: StatusCode, retry_after: Option<Duration>) -> HttpResponse {
    let mut answer = HttpResponse::build(status);
    answer.insert_header((CONTENT_TYPE, TEXT_PLAIN));
    if let Some(after) = retry_after {
        answer.insert_header((RETRY_AFTER, retry_after_secs(after)));
    }
    answer.body(text(status.as_u16()))
}

/// `status_code()` as actix-web's status code (a status the crate answers is always valid).
pub(crate) fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// The answer's text for [`MissingLayer`]: it names the middleware to add.
const MISSING_LAYER_ANSWER: &str = missing_layer_answer!("hookseal::actix::Verify");

impl ResponseError for MissingLayer {
    fn status_code(&self) -> StatusCode {
        status(MissingLayer::status_code(self))
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(ResponseError::status_code(self))
            .insert_header((CONTENT_TYPE, TEXT_PLAIN))
            .body(MISSING_LAYER_ANSWER)
    }
}

#[cfg(feature = "serde")]
impl ResponseError for EventRejection {
    fn status_code(&self) -> StatusCode {
        status(EventRejection::status_code(self))
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::MissingLayer(e) => e.error_response(),
            unreadable => refusal(ResponseError::status_code(unreadable), None),
        }
    }
}

/// `ResponseError` for the crate's errors: their status, `Retry-After` and fixed text.
macro_rules! error_response {
    ($($ty:ident),*) => {$(
        impl ResponseError for $ty {
            fn status_code(&self) -> StatusCode {
                status($ty::status_code(self))
            }

            fn error_response(&self) -> HttpResponse {
                refusal(ResponseError::status_code(self), self.retry_after())
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
impl<E: core::fmt::Debug> ResponseError for IdempotencyError<E> {
    fn status_code(&self) -> StatusCode {
        status(IdempotencyError::status_code(self))
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::Unrecorded { output, .. } => HttpResponse::Ok()
                .content_type("application/octet-stream")
                .body(output.clone()),
            other => refusal(ResponseError::status_code(other), other.retry_after()),
        }
    }
}

#[cfg(test)]
mod tests {
    use actix_web::body::MessageBody as _;

    use super::*;

    /// The status, `Retry-After` and body of `error`'s answer, as a handler's `?` gives it.
    fn answer<E: ResponseError + 'static>(error: E) -> (u16, Option<String>, Vec<u8>) {
        let error = actix_web::Error::from(error);
        let response = error.error_response();
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .map(|v| v.to_str().unwrap().to_owned());
        if status != 200 {
            assert_eq!(response.headers().get(CONTENT_TYPE).unwrap(), TEXT_PLAIN);
        }
        let body = response.into_body().try_into_bytes().unwrap();
        (status, retry_after, body.to_vec())
    }

    #[test]
    fn errors_answer_their_status_retry_after_and_fixed_text() {
        assert_eq!(
            answer(VerifyError::NoMatchingSignature),
            (401, None, b"signature not verified\n".to_vec())
        );
        assert_eq!(
            answer(VerifyError::TimestampTooOld),
            (400, None, b"bad request\n".to_vec())
        );
        assert_eq!(
            answer(FreshError::InProgress {
                retry_after: Duration::from_millis(7_400),
            }),
            // Whole seconds, rounded up: a sender honouring it never comes back too early.
            (409, Some("8".into()), b"duplicate delivery\n".to_vec())
        );
        assert_eq!(
            answer(FreshError::Store(StoreError::Unavailable(
                "connection refused".into()
            ))),
            (503, Some("5".into()), b"temporarily unavailable\n".to_vec())
        );
        assert_eq!(
            answer(ConfigError::InvalidHeaderName),
            (500, None, b"internal error\n".to_vec())
        );
        assert_eq!(
            answer(IdempotencyError::<()>::Mismatch),
            (
                422,
                None,
                b"idempotency key reused for another payload\n".to_vec()
            )
        );
    }

    #[test]
    fn unrecorded_work_answers_its_output() {
        let unrecorded = IdempotencyError::<()>::Unrecorded {
            output: b"receipt 7".to_vec(),
            source: StoreError::LeaseLost,
        };
        assert_eq!(answer(unrecorded), (200, None, b"receipt 7".to_vec()));
    }

    #[test]
    fn a_missing_middleware_is_named() {
        assert_eq!(
            answer(MissingLayer),
            (
                500,
                None,
                b"hookseal: no hookseal::actix::Verify on this route\n".to_vec()
            )
        );
    }

    #[cfg(feature = "serde")]
    #[test]
    fn an_unreadable_event_is_a_bad_request() {
        let error = serde_json::from_slice::<u64>(b"\"seven\"").unwrap_err();
        assert_eq!(
            answer(EventRejection::Unreadable(error)),
            (400, None, b"bad request\n".to_vec())
        );
        assert_eq!(answer(EventRejection::from(MissingLayer)).0, 500);
    }
}

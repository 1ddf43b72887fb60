//! [`Failure`]: why a call to Postgres failed, as the source of [`StoreError::Unavailable`],
//! with nothing from the rows in it.

use std::time::Duration;

use tokio_postgres::error::SqlState;

use crate::error::StoreError;

/// Why a call to Postgres failed. A server error keeps its SQLSTATE and message but not its
/// detail, which may quote a row (a key, a result); so it is never the driver's error itself.
#[derive(Debug, thiserror::Error)]
pub(super) enum Failure {
    /// The server refused the statement.
    #[error("postgres refused the statement ({code}): {message}")]
    Server {
        /// The SQLSTATE, such as `40001` or `42P01`.
        code: Box<str>,
        /// The server's primary message.
        message: Box<str>,
    },
    /// The connection failed or is closed.
    #[error("postgres connection failed")]
    Connection(#[source] tokio_postgres::Error),
    /// No answer in time.
    #[error("postgres did not answer within {0:?}")]
    Timeout(Duration),
    /// A row the store cannot read: another program wrote the table, or its schema changed.
    #[error("unreadable idempotency record")]
    Unreadable,
}

impl Failure {
    /// The driver's error, without a server error's detail.
    pub(super) fn from_driver(e: tokio_postgres::Error) -> Self {
        match e.as_db_error() {
            Some(db) => Self::Server {
                code: db.code().code().into(),
                message: db.message().into(),
            },
            None => Self::Connection(e),
        }
    }

    /// The server gave up waiting for a row lock (`lock_timeout`): another transaction holds
    /// the key.
    pub(super) fn is_lock_timeout(&self) -> bool {
        matches!(self, Self::Server { code, .. } if **code == *SqlState::LOCK_NOT_AVAILABLE.code())
    }

    /// The server answered, so the connection itself is sound.
    pub(super) fn connection_sound(&self) -> bool {
        matches!(self, Self::Server { .. } | Self::Unreadable)
    }
}

impl From<Failure> for StoreError {
    fn from(failure: Failure) -> Self {
        StoreError::Unavailable(Box::new(failure))
    }
}

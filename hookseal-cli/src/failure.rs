//! [`Failure`]: why a command did not succeed, and the exit code it ends with.

use std::fmt;
use std::process::ExitCode;

/// Why a command did not succeed.
#[derive(Debug)]
pub(crate) enum Failure {
    /// A usage or input error (exit 2): the message says what to fix. It never holds a secret.
    Input(String),
    /// The request was refused (exit 1). The command has printed its verdict already.
    Refused,
}

impl Failure {
    /// A usage or input error.
    pub(crate) fn input(message: impl Into<String>) -> Self {
        Self::Input(message.into())
    }

    /// The exit code: 1 refused, 2 usage or input error.
    pub(crate) fn exit_code(&self) -> ExitCode {
        match self {
            Self::Refused => ExitCode::from(1),
            Self::Input(_) => ExitCode::from(2),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Input(message) => f.write_str(message),
            Self::Refused => f.write_str("refused"),
        }
    }
}

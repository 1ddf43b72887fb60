//! [`HandshakeError`]: a provider's handshake could not be answered.

/// A provider's handshake (a URL verification challenge: Slack, Twitch, Zoom, Dropbox, Meta)
/// was recognised and could not be answered. The request is refused; nothing reaches the
/// handler.
///
/// | variant | status |
/// |---|---|
/// | [`MissingChallenge`](Self::MissingChallenge), [`InvalidChallenge`](Self::InvalidChallenge), [`MalformedQuery`](Self::MalformedQuery) | 400 |
/// | [`VerifyTokenNotSet`](Self::VerifyTokenNotSet), [`VerifyTokenRefused`](Self::VerifyTokenRefused) | 403 |
/// | [`KeyCannotAnswer`](Self::KeyCannotAnswer) | 500 |
///
/// Messages never contain the challenge, the verify token or key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HandshakeError {
    /// The handshake carries no challenge (no `challenge` member or parameter, no Zoom
    /// `plainToken`).
    #[error("handshake without a challenge")]
    MissingChallenge,
    /// The challenge is empty, longer than
    /// [`Handshake::MAX_CHALLENGE_LEN`](crate::scheme::Handshake::MAX_CHALLENGE_LEN) bytes,
    /// written with JSON escapes, or holds a byte outside ASCII letters, digits and `-._~+/=:`.
    /// It is never echoed.
    #[error("invalid handshake challenge")]
    InvalidChallenge,
    /// The query of a `GET` challenge is longer than 4096 bytes, has a bad `%` escape, or names
    /// a parameter the handshake reads more than once.
    #[error("malformed handshake query")]
    MalformedQuery,
    /// The handshake must carry the receiver's verify token (Meta's `hub.verify_token`), and
    /// the verifier has none ([`Verifier::with_verify_token`](crate::Verifier::with_verify_token)):
    /// refused rather than answered to anyone.
    #[error("no verify token is set")]
    VerifyTokenNotSet,
    /// The handshake's verify token is absent or not the receiver's.
    #[error("verify token refused")]
    VerifyTokenRefused,
    /// The handshake's answer is an HMAC (Zoom's `encryptedToken`), and the key that verified
    /// the request is not a shared secret. The receiver's keys, so 500.
    #[error("the matched key cannot answer the handshake")]
    KeyCannotAnswer,
}

impl HandshakeError {
    /// The HTTP status code a receiver should answer with: 400 for a handshake without a usable
    /// challenge, 403 for a verify token that is not the receiver's (or when none is set), 500
    /// for a key that cannot answer.
    #[must_use]
    pub fn status_code(&self) -> u16 {
        match self {
            Self::MissingChallenge | Self::InvalidChallenge | Self::MalformedQuery => 400,
            Self::VerifyTokenNotSet | Self::VerifyTokenRefused => 403,
            Self::KeyCannotAnswer => 500,
        }
    }

    /// `None`: the same handshake would get the same answer.
    #[must_use]
    pub fn retry_after(&self) -> Option<core::time::Duration> {
        None
    }

    /// A stable machine-readable name for the failure, for logs and metrics.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingChallenge => "missing_challenge",
            Self::InvalidChallenge => "invalid_challenge",
            Self::MalformedQuery => "malformed_query",
            Self::VerifyTokenNotSet => "verify_token_not_set",
            Self::VerifyTokenRefused => "verify_token_refused",
            Self::KeyCannotAnswer => "handshake_key_unusable",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_codes() {
        assert_eq!(HandshakeError::MissingChallenge.status_code(), 400);
        assert_eq!(HandshakeError::InvalidChallenge.status_code(), 400);
        assert_eq!(HandshakeError::VerifyTokenNotSet.status_code(), 403);
        assert_eq!(HandshakeError::VerifyTokenRefused.status_code(), 403);
        assert_eq!(HandshakeError::KeyCannotAnswer.status_code(), 500);
        assert_eq!(
            HandshakeError::VerifyTokenRefused.code(),
            "verify_token_refused"
        );
        assert_eq!(HandshakeError::MalformedQuery.retry_after(), None);
    }
}

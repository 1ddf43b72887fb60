//! [`Fingerprint`]: a digest of what a request asks for, to catch a key reused for another
//! payload.

use core::fmt;

use sha2::{Digest as _, Sha256};

use crate::verify::Verified;

/// A digest of what a request asks for, stored with its key: a later request with the same key
/// but a different fingerprint is a key reused for another payload, answered 422 rather than
/// with the first request's result.
///
/// For webhooks, fingerprint the body ([`Fingerprint::of_verified`]): a sender's retry carries
/// the same body under a new timestamp and signature. For an API taking `Idempotency-Key`,
/// fingerprint the method, path and body ([`Fingerprint::of_request`]), or the signed request
/// when retries resend it unchanged ([`Fingerprint::of_signed_request`]), or build one from the
/// fields that matter with [`Fingerprint::builder`].
///
/// ```
/// use hookseal::idempotency::Fingerprint;
///
/// let a = Fingerprint::of_request("POST", "/v1/charges", br#"{"amount":100}"#);
/// assert_eq!(a, Fingerprint::of_request("POST", "/v1/charges", br#"{"amount":100}"#));
/// assert_ne!(a, Fingerprint::of_request("POST", "/v1/charges", br#"{"amount":900}"#));
/// assert_ne!(a, Fingerprint::of_request("POST", "/v1/refunds", br#"{"amount":100}"#));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint([u8; 32]);

impl Fingerprint {
    /// The length in bytes.
    pub const LEN: usize = 32;

    /// A fingerprint of a body alone.
    #[must_use]
    pub fn of_body(body: &[u8]) -> Self {
        Self::builder().part(b"body").part(body).finish()
    }

    /// A fingerprint of a verified delivery: its body, which a sender's retries repeat
    /// unchanged. Not its signature or timestamp, which every attempt renews. Equal to
    /// [`Fingerprint::of_body`] of [`Verified::body`].
    #[must_use]
    pub fn of_verified(verified: &Verified<'_>) -> Self {
        Self::of_body(verified.body())
    }

    /// A fingerprint of the signed request itself, from its [`Verified::replay_key`]: free to
    /// compute (no second pass over the body), and it covers everything the signature covers.
    ///
    /// Only for senders that retry by resending the *identical* signed request. Webhook
    /// providers sign every attempt anew (new timestamp, new signature), so their retries would
    /// all mismatch: use [`Fingerprint::of_verified`] for them.
    #[must_use]
    pub fn of_signed_request(verified: &Verified<'_>) -> Self {
        Self::builder()
            .part(b"signed request")
            .part(verified.replay_key().as_bytes())
            .finish()
    }

    /// A fingerprint of an HTTP request: method, path (with the query, if it selects what is
    /// done) and body.
    #[must_use]
    pub fn of_request(method: &str, path: &str, body: &[u8]) -> Self {
        Self::builder()
            .part(b"request")
            .part(method.as_bytes())
            .part(path.as_bytes())
            .part(body)
            .finish()
    }

    /// Builds a fingerprint from parts of one's choosing.
    #[must_use]
    pub fn builder() -> FingerprintBuilder {
        FingerprintBuilder {
            state: Sha256::new().chain_update(b"hookseal fingerprint v1\0"),
        }
    }

    /// A fingerprint read back from storage.
    #[must_use]
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The fingerprint's bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Fingerprint(")?;
        for b in &self.0[..8] {
            write!(f, "{b:02x}")?;
        }
        f.write_str("…)")
    }
}

/// Builds a [`Fingerprint`] from parts; see [`Fingerprint::builder`].
///
/// ```
/// use hookseal::idempotency::Fingerprint;
///
/// let fp = |amount: &str| Fingerprint::builder().part(b"charge").part(amount.as_bytes()).finish();
/// assert_eq!(fp("100"), fp("100"));
/// assert_ne!(fp("100"), fp("1000"));
/// ```
#[derive(Clone)]
pub struct FingerprintBuilder {
    state: Sha256,
}

impl FingerprintBuilder {
    /// Adds a part. Parts are length-prefixed, so `["ab", "c"]` and `["a", "bc"]` differ.
    #[must_use]
    pub fn part(mut self, part: &[u8]) -> Self {
        self.state.update((part.len() as u64).to_le_bytes());
        self.state.update(part);
        self
    }

    /// The fingerprint of the parts added.
    #[must_use]
    pub fn finish(self) -> Fingerprint {
        Fingerprint(self.state.finalize().into())
    }
}

impl fmt::Debug for FingerprintBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FingerprintBuilder").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_parts_do_not_run_together() {
        let fp = |parts: &[&[u8]]| {
            parts
                .iter()
                .fold(Fingerprint::builder(), |b, p| b.part(p))
                .finish()
        };
        assert_ne!(fp(&[b"ab", b"c"]), fp(&[b"a", b"bc"]));
        assert_ne!(
            Fingerprint::of_body(b""),
            Fingerprint::of_request("", "", b"")
        );
        assert_eq!(fp(&[b"body", b"x"]), Fingerprint::of_body(b"x"));
    }
}

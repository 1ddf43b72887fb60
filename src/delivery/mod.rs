//! The sender's side: deliveries that receivers can trust.
//!
//! hookseal sends no HTTP itself. It produces what the sender's own HTTP client sends, and
//! decides what happens after each attempt:
//!
//! - [`Delivery`]: one event, with a random, unguessable id that stays the same across retries,
//!   signed afresh (new timestamp, new signature) for every attempt, in any [`Scheme`](crate::Scheme).
//! - [`RetryPolicy`]: after each attempt, delivered, retry at a time (exponential backoff with
//!   jitter, honouring `Retry-After`, within a horizon), or give up.
//! - [`EndpointPolicy`]: HTTPS-only endpoint URLs, and no loopback, private, link-local or
//!   cloud-metadata address (an SSRF guard), unless explicitly allowed. Local names are refused;
//!   only `localhost` (and `*.localhost`) can be allowed, with [`AddressClass::Loopback`].
//! - [`EndpointSecrets`]: each endpoint's secrets — generated and shown once, rotated with an
//!   overlap during which both keys sign, retired.
//!
//! ```
//! use hookseal::delivery::{Delivery, EndpointPolicy, Next, Outcome, RetryPolicy};
//! use hookseal::{Keyring, Scheme, Secret, Signer};
//!
//! let endpoint = EndpointPolicy::new().check("https://hooks.example.com/in")?;
//! let key = Secret::from_bytes([7; 32])?;
//! let signer = Signer::new(Scheme::standard_webhooks(), Keyring::single(key));
//! let delivery = Delivery::new(br#"{"type":"invoice.paid"}"#.to_vec())?;
//! let policy = RetryPolicy::new();
//!
//! let attempt = delivery.sign(&signer)?;
//! // POST endpoint.url() with attempt's headers and delivery.body(), then:
//! let outcome = Outcome::status(503);
//! match policy.next_after(1, attempt.timestamp(), attempt.timestamp(), outcome) {
//!     Next::RetryAt { at, .. } => { /* queue (delivery, at); sign again when it comes due */ }
//!     Next::Delivered | Next::GiveUp(_) => unreachable!(),
//!     _ => {}
//! }
//! # let _ = endpoint;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod endpoint;
mod keys;
mod retry;

use crate::random::RandomSource;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

pub use endpoint::{AddressClass, Endpoint, EndpointPolicy, Host, classify};
pub(crate) use endpoint::{is_label, looks_numeric};
pub use keys::EndpointSecrets;
pub use retry::{GiveUp, Jitter, Next, Outcome, RetryPolicy, StatusClass};

use crate::clock::Clock;
use crate::error::SignError;
use crate::sign::{SignedHeaders, Signer, is_valid_id};
use crate::timestamp::Timestamp;

/// One event on its way to one endpoint: an id that stays the same across every attempt, and
/// the body. Each attempt is signed afresh by [`Delivery::sign`], with the signer's clock.
///
/// The id is what a receiver deduplicates on: in the default scheme, Standard Webhooks, it is
/// the `webhook-id` header, covered by the signature. In schemes that do not sign an id, put it
/// in the body too, as Stripe's `evt_…` is.
#[derive(Clone, PartialEq, Eq)]
pub struct Delivery {
    id: Box<str>,
    body: Box<[u8]>,
}

impl Delivery {
    /// The prefix of generated ids.
    pub const ID_PREFIX: &'static str = "msg_";

    /// A delivery of `body` with a new random id: `msg_` and 26 base32 characters (128 bits
    /// from the operating system's random number generator).
    ///
    /// # Errors
    ///
    /// [`SignError::RandomUnavailable`] when the random number generator fails.
    #[cfg(feature = "std")]
    pub fn new(body: impl Into<Vec<u8>>) -> Result<Self, SignError> {
        Self::new_with(body, &mut crate::OsRandom)
    }

    /// [`Delivery::new`] with the id's random bits drawn from `random`: the way to make a
    /// delivery without `std`.
    ///
    /// # Errors
    ///
    /// [`SignError::RandomUnavailable`] when `random` fails.
    pub fn new_with(
        body: impl Into<Vec<u8>>,
        random: &mut dyn RandomSource,
    ) -> Result<Self, SignError> {
        let mut random_bits = [0_u8; 16];
        random
            .fill(&mut random_bits)
            .map_err(|_| SignError::RandomUnavailable)?;
        let mut id = String::with_capacity(Self::ID_PREFIX.len() + 26);
        id.push_str(Self::ID_PREFIX);
        push_base32(&random_bits, &mut id);
        Ok(Self {
            id: id.into(),
            body: body.into().into_boxed_slice(),
        })
    }

    /// A delivery with an id of your own, e.g. an event id kept in the sender's queue, so a
    /// delivery picked up again after a restart keeps its id.
    ///
    /// # Errors
    ///
    /// [`SignError::InvalidId`] unless `id` is 1 to 255 visible ASCII characters.
    pub fn with_id(id: &str, body: impl Into<Vec<u8>>) -> Result<Self, SignError> {
        if !is_valid_id(id.as_bytes()) {
            return Err(SignError::InvalidId);
        }
        Ok(Self {
            id: id.into(),
            body: body.into().into_boxed_slice(),
        })
    }

    /// The event id, the same for every attempt.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The body, sent unchanged on every attempt.
    #[must_use]
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// Signs one attempt: the signer's clock gives a fresh timestamp, and every key valid now
    /// signs. Call it again for each retry; never resend an old attempt's headers, which a
    /// receiver's replay cache refuses and whose timestamp goes stale.
    ///
    /// # Errors
    ///
    /// The [`SignError`]s of [`Signer::sign`]: no clock, no valid key, or an id the scheme
    /// cannot sign (a `.` in a Standard Webhooks id).
    pub fn sign<C: Clock>(&self, signer: &Signer<C>) -> Result<SignedHeaders, SignError> {
        signer.sign(Some(&self.id), &self.body)
    }

    /// Signs one attempt as of `now` (for tests and for senders with their own time source).
    ///
    /// # Errors
    ///
    /// As [`Delivery::sign`].
    pub fn sign_at<C: Clock>(
        &self,
        signer: &Signer<C>,
        now: Timestamp,
    ) -> Result<SignedHeaders, SignError> {
        signer.sign_at(Some(&self.id), &self.body, now)
    }
}

impl fmt::Debug for Delivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Delivery")
            .field("id", &self.id)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// Appends RFC 4648 base32 (lowercase, unpadded) of `bytes`.
fn push_base32(bytes: &[u8], out: &mut String) {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut buffer: usize = 0;
    let mut bits = 0;
    let mut push = |index: usize| {
        out.push(char::from(
            ALPHABET.get(index & 31).copied().unwrap_or(b'a'),
        ));
    };
    for &b in bytes {
        buffer = ((buffer << 8) | usize::from(b)) & 0xffff;
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            push(buffer >> bits);
        }
    }
    if bits > 0 {
        push(buffer << (5 - bits));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_matches_rfc_4648() {
        // RFC 4648 §10, lowercase and unpadded.
        for (input, expected) in [
            ("", ""),
            ("f", "my"),
            ("fo", "mzxq"),
            ("foo", "mzxw6"),
            ("foob", "mzxw6yq"),
            ("fooba", "mzxw6ytb"),
            ("foobar", "mzxw6ytboi"),
        ] {
            let mut out = String::new();
            push_base32(input.as_bytes(), &mut out);
            assert_eq!(out, expected);
        }
    }
}

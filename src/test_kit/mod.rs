//! The test kit (feature `test-util`): signed requests of every scheme, their tampered twins,
//! and a clock that moves only when told to, for testing a receiver without its sender.
//!
//! A [`SignedRequest`] builds an `http::Request<Bytes>` signed the way a scheme's provider signs
//! it — body, id, timestamp, keys, and what else the scheme signs (the URL and method, form
//! parameters, listed headers, the endpoint id) — and its tampered twins ([`Tamper`]), each
//! changed in one thing a verifier must refuse to see changed. HMAC and Ed25519 schemes are
//! signed by the crate's [`Signer`](crate::Signer); the presets whose providers sign with a key
//! pair of their own, by a `PrivateKey` of the test's (features `p256` and `rsa`).
//!
//! A handler tested without a server, the time held still by a [`ManualClock`]:
//!
//! ```
//! use hookseal::test_kit::{ManualClock, SignedRequest, Tamper};
//! use hookseal::{Clock as _, Scheme, Timestamp, Verifier};
//!
//! /// The receiver's handler: what it answers to one request.
//! fn handle<C: hookseal::Clock>(verifier: &Verifier<C>, request: &http::Request<bytes::Bytes>) -> u16 {
//!     match verifier.verify(request, request.body()) {
//!         Ok(verified) => {
//!             assert_eq!(verified.id(), Some("msg_2Hj3"));
//!             200
//!         }
//!         Err(refused) => refused.status_code(),
//!     }
//! }
//!
//! let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
//! let clock = ManualClock::new(Timestamp::from_unix_secs(1_700_000_000));
//! let verifier = Verifier::from_secret(Scheme::standard_webhooks(), secret)?.with_clock(clock.clone());
//!
//! let kit = SignedRequest::from_secret(Scheme::standard_webhooks(), secret)?
//!     .id("msg_2Hj3")
//!     .timestamp(clock.now().unwrap())
//!     .body(r#"{"type":"invoice.paid"}"#);
//! assert_eq!(handle(&verifier, &kit.build()?), 200);
//!
//! // Each twin is refused: Standard Webhooks signs the body, the timestamp and the id.
//! for what in Tamper::ALL {
//!     let twin = kit.tampered(what)?.expect("every part is signed");
//!     assert_eq!(handle(&verifier, &twin), 401, "{what:?}");
//! }
//!
//! // Six minutes later the request is stale.
//! clock.advance(std::time::Duration::from_secs(360));
//! assert_eq!(handle(&verifier, &kit.build()?), 400);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod body_members;
#[cfg(any(feature = "p256", feature = "rsa"))]
mod private_key;
mod signed_request;
mod tamper;

pub use crate::clock::ManualClock;
#[cfg(any(feature = "p256", feature = "rsa"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "p256", feature = "rsa"))))]
pub use private_key::PrivateKey;
pub use signed_request::{SignedRequest, SigningKeys};
pub use tamper::Tamper;

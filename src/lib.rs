//! Sign and verify webhooks: HMAC (or Ed25519) over the exact bytes received, compared in constant
//! time, inside a freshness window, with key rotation; stop replays; process each delivery once.
//! Standard Webhooks is the default scheme, and 31 more providers' deliveries verify byte for
//! byte — Stripe, GitHub, Slack, Shopify, Twilio, Discord, HubSpot, SendGrid, AWS SNS, PayPal,
//! Google Pub/Sub, Dropbox, Meta and the rest of [`Scheme::presets`]. A verify call with HMAC
//! keys allocates nothing (but for the form Twilio signs and the header list Hook0 signs).
//!
//! # Installing
//!
//! ```sh
//! cargo add hookseal                        # verify and sign (`http` is on by default)
//! cargo add hookseal --features tower       # and the tower middleware (axum, hyper)
//! cargo add hookseal --features tower,axum,serde  # and axum handler arguments: Event<YourType>
//! cargo add hookseal --features actix,serde # actix-web's middleware and handler arguments
//! cargo add hookseal --features tower,redis # and stores shared by many receivers
//! cargo add hookseal --no-default-features --features http  # no_std + alloc: wasm32, the edge
//! ```
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `std` | yes | the standard library: [`SystemClock`] reads the system clock, `OsRandom` the operating system's random number generator (behind [`Secret::generate`] and the other `generate` functions), the memory stores, [`HeaderSource`] for `HashMap` (adds `getrandom`) |
//! | `http` | yes | [`HeaderSource`] for `http::HeaderMap`; [`SignedHeaders::insert_into`] |
//! | `tower` | no | [`middleware`]: `VerifyLayer`, which verifies requests before the handler and answers providers' handshakes, and `IdempotencyLayer`, which runs it once per key (adds `tower-layer`, `tower-service`, `http-body`, `http-body-util`) |
//! | `axum` | no | `axum`: [`VerifiedDelivery`] and (with `serde`) `Event<T>` as handler arguments, and every error as a response (adds `axum-core`) |
//! | `redis` | no | `replay::RedisReplayCache` and `idempotency::RedisIdempotencyStore`, on one Redis or Valkey node or a Redis Cluster (adds `redis` with tokio) |
//! | `postgres` | no | `idempotency::PostgresIdempotencyStore`, which records a delivery in the caller's own transaction (adds `tokio-postgres`) |
//! | `ed25519` | no | Standard Webhooks' `v1a` Ed25519 signatures: `Ed25519SigningKey`, `Ed25519PublicKey` (adds `ed25519-dalek`) |
//! | `serde` | no | `Verified::json` and `Event<T>`: the verified body read into a type of yours; `VerifiedDelivery` serializes, as a queue's envelope (adds `serde`, `serde_json`) |
//! | `p256` | no | ECDSA P-256 public keys (SendGrid): `P256PublicKey` (adds `p256`) |
//! | `rsa` | no | RSA public keys for PKCS#1 v1.5 signatures with SHA-1 or SHA-256: `RsaPublicKey` (adds `rsa`) |
//! | `x509` | no | X.509 certificates read for their key and validity dates (AWS SNS, PayPal): `Certificate`; `KeyCache`, which fetches the certificates requests name through a fetcher of yours, and `Verifier::fetching` (adds `x509-cert`; turns on `rsa`) |
//! | `actix` | no | `actix::Verify`, actix-web middleware with the tower layer's behaviour; [`VerifiedDelivery`] and (with `serde`) `Event<T>` as handler arguments; `ResponseError` for every error (adds `actix-web` without its default features) |
//! | `test-util` | no | `ManualClock`, a clock that moves only when told to, and `test_kit`: signed requests of every preset and their tampered twins, for your tests |
//! | `tracing` | no | `observe`: a span for each verification, key load and store operation (scheme, outcome, error code, key id, body length; nothing secret) (adds `tracing`) |
//! | `metrics` | no | `observe`: counters and latency histograms through the `metrics` facade, with bounded labels (adds `metrics`) |
//!
//! Features only add items; none changes what the others do. Every feature but `http`, `serde`,
//! `ed25519`, `p256` and `rsa` turns `std` on.
//!
//! # Without std
//!
//! Without `std` the crate is `no_std` with `alloc` (for `wasm32-unknown-unknown` and edge
//! runtimes): schemes, secrets, keyrings, signing and verification. The time and randomness
//! the standard library gave are handed in: [`SystemClock`] answers `None` there, so verifying
//! fails with [`VerifyError::ClockUnavailable`] until [`Verifier::with_clock`] sets the
//! runtime's clock; each `generate` function has a `generate_with` form taking a
//! [`RandomSource`]. Nothing panics for want of either.
//!
//! # Map of the crate
//!
//! - Receiving: a [`Verifier`] checks a request's headers (a [`HeaderSource`]; with its
//!   [`RequestLine`] for schemes that sign the method or URL, as `http::request::Parts` and
//!   [`RequestView`] carry it) and raw body, and returns [`Verified`] (the trusted body,
//!   timestamp, id and key id) or a [`VerifyError`].
//! - Sending: a [`Signer`] returns the [`SignedHeaders`] to send with a body; [`delivery`] holds
//!   the rest of the sender's side (ids, retry schedule, endpoint URL checks, per-endpoint
//!   secrets).
//! - Formats: [`scheme`] describes each provider's headers and signed content ([`Scheme`]
//!   presets, or [`Scheme::custom`] for your own).
//! - Keys: [`Secret`] (key bytes, zeroized, never printed), [`Key`] (a secret or a provider's
//!   public key, with an id and a validity window) and [`Keyring`] (several keys, for rotation);
//!   for providers that name a certificate URL in each request, [`AllowList`] and (feature
//!   `x509`) `KeyCache`, the certificates fetched from the provider's own hosts.
//! - Replays: [`replay`] holds the replay caches that refuse a request seen before, keyed on
//!   [`ReplayKey`].
//! - Exactly once: [`idempotency`] stores each delivery's outcome so that a redelivery gets the
//!   stored answer instead of running the work again.
//! - Frameworks: [`middleware`] (feature `tower`) and `actix` (feature `actix`) verify, answer
//!   providers' handshakes, stop replays and hand the handler a [`VerifiedDelivery`], and
//!   `IdempotencyLayer` runs it once per event; `axum` (feature `axum`) makes the delivery and
//!   `Event<T>` handler arguments and every error a response.
//! - Testing: `test_kit` (feature `test-util`) signs requests as each provider does.
//! - Observability: `observe` (features `tracing`, `metrics`) lists the spans, events and
//!   metrics the crate records.
//! - Time: [`Clock`], [`SystemClock`] and [`Timestamp`] (written as a [`TimestampFormat`]);
//!   every time check reads an injected clock.
//! - Escape hatches: [`dangerous`] holds the audited ways to weaken a default.
//! - Errors, one type per kind of failure: [`ConfigError`], [`SecretError`], [`SignError`],
//!   [`VerifyError`], [`FreshError`](replay::FreshError), [`StoreError`] and
//!   [`IdempotencyError`](idempotency::IdempotencyError). Each answers `status_code()` (and
//!   `status()`), `retry_after()`, and `code()`: a short name for logs and metrics, stable across
//!   releases (never renamed, never reused). None holds key material.
//!
//! # Quick start
//!
//! ```
//! use hookseal::{Keyring, Scheme, Signer, Verifier};
//!
//! // The endpoint's secret, as the sender shows it (a Standard Webhooks `whsec_` key).
//! let scheme = Scheme::standard_webhooks();
//! let secret_text = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
//! let verifier = Verifier::new(scheme.clone(), Keyring::single(scheme.parse_secret(secret_text)?));
//!
//! // What the sender does (here, to have a request to check).
//! let signer = Signer::new(scheme.clone(), Keyring::single(scheme.parse_secret(secret_text)?));
//! let body = br#"{"type":"invoice.paid"}"#;
//! let headers = signer.sign(Some("msg_1"), body)?;
//! let received: Vec<(&str, &str)> = headers.iter().collect(); // or an `http::HeaderMap`
//!
//! // The receiver: verify the raw body as received, before parsing it.
//! let verified = verifier.verify(&received, body)?;
//! assert_eq!(verified.body(), body); // now trusted
//! assert_eq!(verified.id(), Some("msg_1")); // signed: deduplicate on it
//!
//! // A tampered body is refused.
//! assert!(verifier.verify(&received, b"{}").is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The [README](https://crates.io/crates/hookseal) walks through replay protection, idempotent
//! processing, framework integration, the sender's side, and what the crate promises.

#![cfg_attr(docsrs, feature(doc_cfg))]
#![cfg_attr(not(any(feature = "std", test)), no_std)]

extern crate alloc;

#[cfg(feature = "actix")]
#[cfg_attr(docsrs, doc(cfg(feature = "actix")))]
pub mod actix;
mod algorithm;
#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod axum;
#[cfg(any(feature = "tower", feature = "actix"))]
mod body_chunks;
mod body_mac;
#[cfg(feature = "x509")]
mod certificate;
mod clock;
mod crc32;
pub mod dangerous;
pub mod delivery;
#[cfg(feature = "ed25519")]
mod ed25519;
mod encoding;
mod error;
mod extract;
mod form;
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzz_hooks;
#[cfg(any(feature = "tower", feature = "actix"))]
mod gate;
mod handshake;
mod header_table;
mod headers;
pub mod idempotency;
mod json_field;
// The memory stores use it; their table logic builds without `std`.
#[cfg_attr(not(feature = "std"), allow(dead_code))]
mod key_hasher;
mod key_source;
mod keyring;
mod mac;
#[cfg(feature = "std")]
mod memory_table;
#[cfg(feature = "tower")]
pub mod middleware;
#[cfg(not(any(feature = "tracing", feature = "metrics")))]
mod observe;
#[cfg(any(feature = "tracing", feature = "metrics"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "tracing", feature = "metrics"))))]
pub mod observe;
mod owner;
mod public_key;
mod query;
mod random;
#[cfg(feature = "redis")]
mod redis_client;
#[cfg(feature = "redis")]
mod redis_connection;
#[cfg(any(feature = "tower", feature = "axum", feature = "actix"))]
mod refusal;
#[cfg(any(feature = "tower", feature = "actix"))]
mod refused;
pub mod replay;
mod request;
pub mod scheme;
mod secret;
mod sign;
mod sns_message;
#[cfg(feature = "test-util")]
#[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
pub mod test_kit;
mod timestamp;
mod token;
mod verified_delivery;
mod verify;

#[cfg(feature = "x509")]
#[cfg_attr(docsrs, doc(cfg(feature = "x509")))]
pub use certificate::{Certificate, CertificateKey};
#[cfg(feature = "test-util")]
pub use clock::ManualClock;
pub use clock::{Clock, SystemClock};
pub use error::{
    ConfigError, HandshakeError, HeaderKind, IdempotencyKeyReason, SecretError, SignError,
    StoreError, TimestampReason, VerifyError,
};
pub use extract::MissingLayer;
#[cfg(feature = "serde")]
pub use extract::{Event, EventRejection};
pub use handshake::HandshakeReply;
pub use headers::{HeaderName, HeaderSource};
pub use key_source::{AllowList, KeyUrl};
#[cfg(feature = "x509")]
#[cfg_attr(docsrs, doc(cfg(feature = "x509")))]
pub use key_source::{FetchError, KeyCache, KeyFetcher};
pub use keyring::{Key, KeyId, Keyring};
#[cfg(feature = "std")]
pub use random::OsRandom;
pub use random::{RandomSource, RandomUnavailable};
#[cfg(feature = "redis")]
pub use redis_client::RedisOptions;
#[cfg(feature = "redis")]
pub use redis_connection::RedisConnection;
pub use replay::ReplayKey;
pub use request::{RequestLine, RequestView};
pub use scheme::Scheme;
#[cfg(feature = "ed25519")]
pub use secret::ed25519::{Ed25519PublicKey, Ed25519SigningKey};
#[cfg(feature = "p256")]
#[cfg_attr(docsrs, doc(cfg(feature = "p256")))]
pub use secret::p256::P256PublicKey;
#[cfg(feature = "rsa")]
#[cfg_attr(docsrs, doc(cfg(feature = "rsa")))]
pub use secret::rsa::RsaPublicKey;
pub use secret::{ExportedSecret, GeneratedSecret, Secret};
pub use sign::{SignedHeaders, Signer};
pub use sns_message::{SnsKind, SnsMessage};
pub use timestamp::{Timestamp, TimestampFormat};
pub use verified_delivery::VerifiedDelivery;
pub use verify::{Verified, Verifier};

/// The README's code blocks, compiled and run as doctests. One shows the middleware, so they run
/// with feature `tower` (`cargo test --all-features`, as `.ci/test` does).
#[cfg(all(doctest, feature = "tower"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

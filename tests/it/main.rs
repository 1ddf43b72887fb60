//! Integration tests, one binary with a module per concern.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod adversarial;
mod common;
mod constructors;
mod custom;
mod delivery;
#[cfg(feature = "serde")]
mod envelope;
mod errors;
mod handshakes;
mod headers;
mod hook0;
mod idempotency_key;
#[cfg(feature = "test-util")]
mod kit;
mod known_answers;
mod proptests;
mod providers;
#[cfg(any(feature = "p256", feature = "x509"))]
mod public_key;
mod redaction;
mod replay_key;
mod review_findings;
mod rotation;
mod secret_text;
#[cfg(feature = "serde")]
mod typed_events;
mod vectors;
#[cfg(feature = "test-util")]
mod window;

#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod clock;
pub mod dangerous;
pub mod delivery;
#[cfg(feature = "ed25519")]
mod ed25519;
mod error;
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzz_hooks;
mod headers;
pub mod idempotency;
mod keyring;
mod mac;
#[cfg(feature = "tower")]
pub mod middleware;
mod owner;
#[cfg(feature = "redis")]
mod redis_client;
pub mod replay;
pub mod scheme;
mod secret;
mod sign;
mod verify;

#[cfg(feature = "test-util")]
pub use clock::ManualClock;
pub use clock::{Clock, SystemClock, Timestamp};
#[cfg(feature = "ed25519")]
pub use ed25519::{Ed25519PublicKey, Ed25519SigningKey};
pub use error::{ConfigError, HeaderKind, SecretError, SignError, TimestampError, VerifyError};
pub use headers::{HeaderName, HeaderSource};
pub use keyring::{Key, KeyId, Keyring};
#[cfg(feature = "redis")]
pub use redis_client::RedisOptions;
pub use scheme::Scheme;
pub use secret::{ExportedSecret, GeneratedSecret, Secret};
pub use sign::{SignedHeaders, Signer};
pub use verify::{ReplayKey, Verified, Verifier};

#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod clock;
pub mod dangerous;
pub mod delivery;
#[cfg(feature = "ed25519")]
mod ed25519;
mod encoding;
mod error;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
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
mod timestamp;
mod verify;

#[cfg(feature = "test-util")]
pub use clock::ManualClock;
pub use clock::{Clock, SystemClock};
#[cfg(feature = "ed25519")]
pub use ed25519::{Ed25519PublicKey, Ed25519SigningKey};
pub use error::{
    ConfigError, HeaderKind, IdempotencyKeyReason, SecretError, SignError, StoreError,
    TimestampReason, VerifyError,
};
pub use headers::{HeaderName, HeaderSource};
pub use keyring::{Key, KeyId, Keyring};
#[cfg(feature = "redis")]
pub use redis_client::RedisOptions;
pub use replay::ReplayKey;
pub use scheme::Scheme;
pub use secret::{ExportedSecret, GeneratedSecret, Secret};
pub use sign::{SignedHeaders, Signer};
pub use timestamp::Timestamp;
pub use verify::{Verified, Verifier};

#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod clock;
pub mod dangerous;
mod error;
mod headers;
mod keyring;
mod mac;
pub mod scheme;
mod secret;
mod sign;
mod verify;

#[cfg(feature = "test-util")]
pub use clock::ManualClock;
pub use clock::{Clock, SystemClock, Timestamp};
pub use error::{ConfigError, HeaderKind, SecretError, SignError, TimestampError, VerifyError};
pub use headers::{HeaderName, HeaderSource};
pub use keyring::{Key, KeyId, Keyring};
pub use scheme::Scheme;
pub use secret::{ExportedSecret, GeneratedSecret, Secret};
pub use sign::{SignedHeaders, Signer};
pub use verify::{ReplayKey, Verified, Verifier};

//! Random bytes: the [`RandomSource`] trait and (feature `std`) [`OsRandom`].
//!
//! Generating a secret, a signing key, a delivery id or an owner token needs random bytes.
//! With `std` the crate reads them from the operating system ([`OsRandom`], behind
//! [`Secret::generate`](crate::Secret::generate) and the other `generate` functions); every such
//! function also has a `_with` form that takes a [`RandomSource`], the only one there is
//! without `std` (on an edge runtime: `crypto.getRandomValues`, e.g. through `getrandom`'s
//! `wasm_js` feature).
//!
//! ```
//! use hookseal::{RandomUnavailable, Scheme, Secret};
//!
//! // Any closure filling a buffer from a cryptographically secure generator is a source.
//! let mut random = |bytes: &mut [u8]| getrandom::fill(bytes).map_err(|_| RandomUnavailable);
//! let (_secret, text) = Secret::generate_with(&mut random)?.export();
//! assert!(Scheme::standard_webhooks().parse_secret(text.expose_secret()).is_ok());
//! # Ok::<(), hookseal::SecretError>(())
//! ```

/// A cryptographically secure source of random bytes.
///
/// Implemented for closures `FnMut(&mut [u8]) -> Result<(), RandomUnavailable>`.
pub trait RandomSource {
    /// Fills `bytes` with random bytes.
    ///
    /// # Errors
    ///
    /// [`RandomUnavailable`] when the source cannot give them; the caller then gives up (a
    /// secret is never made from fewer random bytes).
    fn fill(&mut self, bytes: &mut [u8]) -> Result<(), RandomUnavailable>;
}

impl<F: FnMut(&mut [u8]) -> Result<(), RandomUnavailable>> RandomSource for F {
    fn fill(&mut self, bytes: &mut [u8]) -> Result<(), RandomUnavailable> {
        self(bytes)
    }
}

/// A [`RandomSource`] could not give random bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the random number generator is unavailable")]
#[allow(clippy::exhaustive_structs)] // Sources build it; there is nothing more to say.
pub struct RandomUnavailable;

/// The operating system's random number generator (through `getrandom`). Feature `std`.
#[cfg(feature = "std")]
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct OsRandom;

#[cfg(feature = "std")]
impl OsRandom {
    /// The operating system's generator.
    #[must_use]
    pub const fn new() -> Self {
        Self
    }
}

#[cfg(feature = "std")]
impl RandomSource for OsRandom {
    fn fill(&mut self, bytes: &mut [u8]) -> Result<(), RandomUnavailable> {
        getrandom::fill(bytes).map_err(|_| RandomUnavailable)
    }
}

//! [`Scope`] and [`ScopedKey`]: whose keys these are, and a key as stores file it.

use core::fmt;

use sha2::{Digest as _, Sha256};

#[cfg(doc)]
use super::IdempotencyKey;
#[cfg(feature = "tower")]
use crate::replay::ReplayKey;
use crate::replay::first_16;

/// Whose keys these are: a tenant, an endpoint, or both. Keys are only stored within a scope,
/// so one client's key never finds another's record (the draft's "unique composite key").
///
/// A scope is built once and reused; scoping a key is one SHA-256 of the key.
///
/// ```
/// use hookseal::idempotency::{IdempotencyKey, Scope};
///
/// let key = IdempotencyKey::new("evt_1")?;
/// let acme = Scope::new("tenant:acme").and("endpoint:/hooks/stripe");
/// let globex = Scope::new("tenant:globex").and("endpoint:/hooks/stripe");
/// assert_ne!(key.scoped(&acme), key.scoped(&globex));
/// assert_eq!(key.scoped(&acme), key.scoped(&acme.clone()));
/// # Ok::<(), hookseal::VerifyError>(())
/// ```
#[derive(Clone)]
pub struct Scope {
    state: Sha256,
    parts: usize,
}

impl Scope {
    /// A scope of one part, e.g. a tenant id or an endpoint path.
    #[must_use]
    pub fn new(part: &str) -> Self {
        Self {
            state: Sha256::new().chain_update(b"hookseal idempotency scope v1\0"),
            parts: 0,
        }
        .and(part)
    }

    /// This scope narrowed by one more part. Parts are length-prefixed, so no two lists of parts
    /// give the same scope.
    #[must_use]
    pub fn and(mut self, part: &str) -> Self {
        self.state.update((part.len() as u64).to_le_bytes());
        self.state.update(part.as_bytes());
        self.parts += 1;
        self
    }

    /// A request's replay key within this scope: never equal to a text key's, which holds no
    /// NUL.
    #[cfg(feature = "tower")]
    pub(crate) fn replay_key(&self, key: &ReplayKey) -> ScopedKey {
        let mut tagged = [0_u8; 12 + ReplayKey::LEN];
        let (tag, bytes) = tagged.split_at_mut(12);
        tag.copy_from_slice(b"\0replay key\0");
        bytes.copy_from_slice(key.as_bytes());
        self.key(&tagged)
    }

    pub(super) fn key(&self, key: &[u8]) -> ScopedKey {
        let digest = self
            .state
            .clone()
            .chain_update(b"\0key\0")
            .chain_update(key)
            .finalize();
        ScopedKey(first_16(&digest))
    }
}

impl fmt::Debug for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scope")
            .field("parts", &self.parts)
            .finish_non_exhaustive()
    }
}

/// An idempotency key within its [`Scope`], as stores file it: 16 bytes of a SHA-256 digest, so
/// keys have one size and no key text reaches a store.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ScopedKey([u8; 16]);

impl ScopedKey {
    /// The length in bytes.
    pub const LEN: usize = 16;

    /// The key's bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

impl fmt::Debug for ScopedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ScopedKey(")?;
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

//! Owner tokens: the value a store keeps with a claimed record (an idempotency lease, a replay
//! reservation) and compares before each change, so only the claim's holder can change the
//! record, and only while the claim lasts. A token only has to differ from every other claim's
//! in the same store: [`owner_token`] draws a random one for stores outside the crate, and
//! [`Owners`] counts them, cheaply, for the crate's own.

#[cfg(feature = "std")]
use core::sync::atomic::{AtomicU64, Ordering};

use crate::random::RandomSource;

/// The length of an owner token, in bytes.
pub(crate) const OWNER_LEN: usize = 16;

/// A new owner token from `random`, or `None` when it fails.
pub(crate) fn owner_token(random: &mut dyn RandomSource) -> Option<[u8; OWNER_LEN]> {
    let mut owner = [0_u8; OWNER_LEN];
    random.fill(&mut owner).ok()?;
    Some(owner)
}

/// The owner tokens of one store (and its clones): a prefix, then a count, so that making a
/// token costs no call to the system's random number generator. The count keeps this store's
/// tokens apart; a shared store (Redis) draws the prefix at random, 64 bits, to keep them apart
/// from other stores' and other processes'.
#[cfg(feature = "std")]
#[derive(Debug)]
pub(crate) struct Owners {
    prefix: [u8; 8],
    next: AtomicU64,
}

#[cfg(feature = "std")]
impl Owners {
    /// Tokens with a random prefix, for a store other processes share; `None` when the system
    /// random number generator fails.
    #[cfg(feature = "redis")]
    pub(crate) fn random() -> Option<Self> {
        let mut prefix = [0; 8];
        crate::OsRandom.fill(&mut prefix).ok()?;
        Some(Self::with_prefix(prefix))
    }

    /// Tokens for a store in this process alone: the count suffices.
    pub(crate) fn counted() -> Self {
        Self::with_prefix([0; 8])
    }

    fn with_prefix(prefix: [u8; 8]) -> Self {
        Self {
            prefix,
            next: AtomicU64::new(0),
        }
    }

    /// A token no other claim of this store has had.
    pub(crate) fn next(&self) -> [u8; OWNER_LEN] {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let mut owner = [0; OWNER_LEN];
        for (out, b) in owner
            .iter_mut()
            .zip(self.prefix.iter().chain(&n.to_le_bytes()))
        {
            *out = *b;
        }
        owner
    }
}

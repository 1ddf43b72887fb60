//! [`ReplayKey`]: the fixed-size key a replay cache files a verified request under.

use core::fmt;

use sha2::{Digest as _, Sha256};

#[cfg(doc)]
use crate::verify::Verified;

/// A fixed-size key identifying one signed request, from [`Verified::replay_key`].
///
/// It is made of a MAC of the request's signed content under the receiver's primary key (the
/// MAC's first half, masked with a constant of the scheme), or a one-way digest of it, so it
/// reveals nothing about keys; `Debug` shows it in hex.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReplayKey([u8; 16]);

impl ReplayKey {
    /// The length of a replay key in bytes.
    pub const LEN: usize = 16;

    /// A key for deduplicating on something other than a signed request, such as a provider's
    /// event id: SHA-256 of `namespace` and `material` (length-prefixed, so no two pairs collide),
    /// truncated to 16 bytes. Keys made this way never equal a [`Verified::replay_key`].
    ///
    /// Hashing keeps keys uniform whatever the material, so a sender choosing ids cannot pile
    /// them onto one bucket of a cache.
    ///
    /// ```
    /// use hookseal::ReplayKey;
    ///
    /// let a = ReplayKey::derive(b"stripe-event", b"evt_1");
    /// assert_eq!(a, ReplayKey::derive(b"stripe-event", b"evt_1"));
    /// assert_ne!(a, ReplayKey::derive(b"stripe-event", b"evt_2"));
    /// assert_ne!(a, ReplayKey::derive(b"github-delivery", b"evt_1"));
    /// ```
    #[must_use]
    pub fn derive(namespace: &[u8], material: &[u8]) -> Self {
        let digest = Sha256::new()
            .chain_update(b"hookseal derived key v1\0")
            .chain_update((namespace.len() as u64).to_le_bytes())
            .chain_update(namespace)
            .chain_update(material)
            .finalize();
        Self(first_16(&digest))
    }

    /// The key's bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// The key whose bytes are `bytes`, as [`ReplayKey::as_bytes`] gave them.
    #[cfg(feature = "serde")]
    pub(crate) fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    /// The key of a verified request in scheme `scheme`: a digest of `anchor`, a tag or digest
    /// of its signed content (`kind` says which), so it depends on signed material only.
    pub(crate) fn of_signed(scheme: &str, kind: &[u8], anchor: &[u8]) -> Self {
        let digest = Sha256::new()
            .chain_update(b"hookseal replay key v1\0")
            .chain_update(scheme.as_bytes())
            .chain_update(b"\0")
            .chain_update(kind)
            .chain_update(anchor)
            .finalize();
        Self(first_16(&digest))
    }
}

impl ReplayKey {
    /// The key of a verified request whose anchor is the primary key's HMAC-SHA256 `tag` of
    /// its signed content: the tag's first 16 bytes masked with `mask`, the scheme's
    /// [`ReplayKey::tag_mask`]. The tag is already a keyed one-way function of the signed
    /// content, so no hash is needed per request; the mask keeps schemes apart.
    pub(crate) fn of_tag(mask: &[u8; 16], tag: &[u8; 32]) -> Self {
        let mut key = *mask;
        for (out, b) in key.iter_mut().zip(tag) {
            *out ^= b;
        }
        Self(key)
    }

    /// The mask of [`ReplayKey::of_tag`] for scheme `scheme`, computed when the scheme is built.
    pub(crate) fn tag_mask(scheme: &str) -> [u8; 16] {
        let digest = Sha256::new()
            .chain_update(b"hookseal replay key v2\0")
            .chain_update(scheme.as_bytes())
            .chain_update(b"\0mac")
            .finalize();
        first_16(&digest)
    }
}

impl fmt::Debug for ReplayKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReplayKey(")?;
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

/// The first 16 bytes of a digest, as a key.
pub(crate) fn first_16(digest: &[u8]) -> [u8; 16] {
    let mut key = [0_u8; 16];
    for (out, b) in key.iter_mut().zip(digest) {
        *out = *b;
    }
    key
}

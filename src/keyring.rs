//! [`Keyring`]: several signing keys with ids and validity windows, for rotation without downtime.

use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

use crate::algorithm::Family;
use crate::error::ConfigError;
use crate::mac::MacKey;
use crate::secret::Secret;
use crate::timestamp::Timestamp;

/// The name of a key, reported by [`Verified::key_id`](crate::Verified::key_id) so receivers can
/// tell which key a sender still uses before retiring it.
///
/// 1 to 64 bytes of `A-Z a-z 0-9 . _ : -`. Key ids are labels, not secrets: `Debug` and
/// `Display` show them.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct KeyId(Box<str>);

impl KeyId {
    /// The longest key id, in bytes.
    pub const MAX_LEN: usize = 64;

    /// A key id from text.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidKeyId`] for an empty or too long id, or one with another character.
    pub fn new(id: &str) -> Result<Self, ConfigError> {
        let ok = !id.is_empty()
            && id.len() <= Self::MAX_LEN
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'));
        if ok {
            Ok(Self(id.into()))
        } else {
            Err(ConfigError::InvalidKeyId)
        }
    }

    /// `default`, the id of the one key of [`Keyring::single`] and the `from_secret`
    /// constructors.
    pub(crate) fn default_id() -> Self {
        Self("default".into())
    }

    /// The id as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for KeyId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for KeyId {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for KeyId {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

/// One signing key: an id, the key itself, and an optional validity window.
///
/// The window bounds are inclusive: a key is valid at `t` when `not_before <= t <= not_after`.
/// Outside it the key neither signs nor verifies.
///
/// `Debug` shows the id and the window, never the key.
#[derive(Clone)]
pub struct Key {
    id: KeyId,
    material: Material,
    not_before: Option<Timestamp>,
    not_after: Option<Timestamp>,
}

/// What a key holds.
#[derive(Clone)]
#[allow(
    clippy::large_enum_variant,
    reason = "the HMAC state, the common key, stays inline; the public keys of other kinds are boxed"
)]
pub(crate) enum Material {
    /// A shared HMAC secret, as keyed HMAC states.
    Hmac(MacKey),
    /// An Ed25519 signing key: signs `v1a` entries and verifies them.
    #[cfg(feature = "ed25519")]
    Ed25519Signing(Box<crate::secret::ed25519::Ed25519SigningKey>),
    /// A trusted Ed25519 public key: verifies `v1a` entries only.
    #[cfg(feature = "ed25519")]
    Ed25519Public(crate::secret::ed25519::Ed25519PublicKey),
    /// A trusted ECDSA P-256 public key.
    #[cfg(feature = "p256")]
    P256Public(Box<crate::secret::p256::P256PublicKey>),
    /// A trusted RSA public key.
    #[cfg(feature = "rsa")]
    RsaPublic(Box<crate::secret::rsa::RsaPublicKey>),
}

impl Material {
    /// The kind of key it is, by the algorithms it verifies.
    pub(crate) fn family(&self) -> Family {
        match self {
            Self::Hmac(_) => Family::Hmac,
            #[cfg(feature = "ed25519")]
            Self::Ed25519Signing(_) | Self::Ed25519Public(_) => Family::Ed25519,
            #[cfg(feature = "p256")]
            Self::P256Public(_) => Family::P256,
            #[cfg(feature = "rsa")]
            Self::RsaPublic(_) => Family::Rsa,
        }
    }
}

impl Key {
    /// A key named `id`, valid at all times until a window is set.
    ///
    /// The secret is consumed: its bytes are turned into a keyed HMAC state and wiped.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidKeyId`] when `id` is not a valid [`KeyId`].
    pub fn new(id: &str, secret: Secret) -> Result<Self, ConfigError> {
        Ok(Self::from_parts(KeyId::new(id)?, &secret))
    }

    /// An Ed25519 signing key named `id`: it signs `v1a` entries in schemes that have them and
    /// verifies them too. Schemes without Ed25519 entries neither sign nor verify with it.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidKeyId`] when `id` is not a valid [`KeyId`].
    #[cfg(feature = "ed25519")]
    pub fn ed25519_signing(
        id: &str,
        key: crate::secret::ed25519::Ed25519SigningKey,
    ) -> Result<Self, ConfigError> {
        Ok(Self::with_material(
            KeyId::new(id)?,
            Material::Ed25519Signing(Box::new(key)),
        ))
    }

    /// A trusted Ed25519 public key named `id`: it verifies `v1a` entries in schemes that have
    /// them. Only keys put in a keyring are ever trusted; a key is never taken from a request.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidKeyId`] when `id` is not a valid [`KeyId`].
    #[cfg(feature = "ed25519")]
    pub fn ed25519_public(
        id: &str,
        key: crate::secret::ed25519::Ed25519PublicKey,
    ) -> Result<Self, ConfigError> {
        Ok(Self::with_material(
            KeyId::new(id)?,
            Material::Ed25519Public(key),
        ))
    }

    /// A trusted ECDSA P-256 public key named `id` (SendGrid's verification key): it verifies
    /// the signatures of schemes that sign with ECDSA P-256.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidKeyId`] when `id` is not a valid [`KeyId`].
    #[cfg(feature = "p256")]
    pub fn p256_public(
        id: &str,
        key: crate::secret::p256::P256PublicKey,
    ) -> Result<Self, ConfigError> {
        Ok(Self::with_material(
            KeyId::new(id)?,
            Material::P256Public(Box::new(key)),
        ))
    }

    /// A trusted RSA public key named `id`: it verifies the signatures of schemes that sign
    /// with RSA.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidKeyId`] when `id` is not a valid [`KeyId`].
    #[cfg(feature = "rsa")]
    pub fn rsa_public(
        id: &str,
        key: crate::secret::rsa::RsaPublicKey,
    ) -> Result<Self, ConfigError> {
        Ok(Self::with_material(
            KeyId::new(id)?,
            Material::RsaPublic(Box::new(key)),
        ))
    }

    /// The public key of a certificate you trust, named `id`, valid from the certificate's
    /// `notBefore` to its `notAfter`: outside those dates it verifies nothing. For pinning a
    /// provider's certificate instead of fetching it ([`KeyCache`](crate::KeyCache)).
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidKeyId`] when `id` is not a valid [`KeyId`].
    #[cfg(feature = "x509")]
    pub fn certificate(id: &str, certificate: &crate::Certificate) -> Result<Self, ConfigError> {
        let material = match certificate.public_key() {
            crate::CertificateKey::Rsa(key) => Material::RsaPublic(Box::new(key.clone())),
            #[cfg(feature = "p256")]
            crate::CertificateKey::P256(key) => Material::P256Public(Box::new(key.clone())),
        };
        Ok(Self::with_material(KeyId::new(id)?, material)
            .not_before(certificate.not_before())
            .not_after(certificate.not_after()))
    }

    pub(crate) fn from_parts(id: KeyId, secret: &Secret) -> Self {
        Self::with_material(id, Material::Hmac(MacKey::new(secret)))
    }

    pub(crate) fn with_material(id: KeyId, material: Material) -> Self {
        Self {
            id,
            material,
            not_before: None,
            not_after: None,
        }
    }

    /// Makes the key valid only from `t` on (inclusive). Defaults to no lower bound.
    #[must_use]
    pub fn not_before(mut self, t: Timestamp) -> Self {
        self.not_before = Some(t);
        self
    }

    /// Makes the key valid only up to `t` (inclusive). Defaults to no upper bound.
    #[must_use]
    pub fn not_after(mut self, t: Timestamp) -> Self {
        self.not_after = Some(t);
        self
    }

    /// The key's id.
    #[must_use]
    pub fn id(&self) -> &KeyId {
        &self.id
    }

    /// Whether the key may sign or verify at `t`.
    #[must_use]
    pub fn is_valid_at(&self, t: Timestamp) -> bool {
        self.not_before.is_none_or(|nb| nb <= t) && self.not_after.is_none_or(|na| t <= na)
    }

    /// The start of the validity window, if any.
    #[must_use]
    pub fn valid_from(&self) -> Option<Timestamp> {
        self.not_before
    }

    /// The end of the validity window, if any.
    #[must_use]
    pub fn valid_until(&self) -> Option<Timestamp> {
        self.not_after
    }

    pub(crate) fn material(&self) -> &Material {
        &self.material
    }

    /// The key's Ed25519 verifying key, when it is an Ed25519 key of either kind.
    #[cfg(feature = "ed25519")]
    pub(crate) fn ed25519_verifying(&self) -> Option<ed25519_dalek::VerifyingKey> {
        match &self.material {
            Material::Ed25519Signing(sk) => Some(*sk.public_key().verifying_key()),
            Material::Ed25519Public(pk) => Some(*pk.verifying_key()),
            _ => None,
        }
    }

    /// The key's HMAC states, when it is a shared secret.
    pub(crate) fn mac(&self) -> Option<&MacKey> {
        match &self.material {
            Material::Hmac(mac) => Some(mac),
            #[allow(unreachable_patterns, reason = "without the public-key features")]
            _ => None,
        }
    }

    fn check_window(&self) -> Result<(), ConfigError> {
        match (self.not_before, self.not_after) {
            (Some(nb), Some(na)) if nb > na => Err(ConfigError::EmptyValidityWindow),
            _ => Ok(()),
        }
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.material {
            Material::Hmac(_) => "hmac",
            #[cfg(feature = "ed25519")]
            Material::Ed25519Signing(_) => "ed25519-signing",
            #[cfg(feature = "ed25519")]
            Material::Ed25519Public(_) => "ed25519-public",
            #[cfg(feature = "p256")]
            Material::P256Public(_) => "p256-public",
            #[cfg(feature = "rsa")]
            Material::RsaPublic(_) => "rsa-public",
        };
        f.debug_struct("Key")
            .field("id", &self.id)
            .field("kind", &kind)
            .field("key", &"[REDACTED]")
            .field("not_before", &self.not_before)
            .field("not_after", &self.not_after)
            .finish()
    }
}

/// An ordered set of keys; never empty.
///
/// - **Signing**: the [`Signer`](crate::Signer) emits one signature per key valid at the signing
///   time, in keyring order, so receivers holding either the old or the new key accept the
///   delivery during a rotation.
/// - **Verifying**: the [`Verifier`](crate::Verifier) accepts a signature made with any key valid
///   now, tries keys in keyring order, and reports which key matched.
/// - **The first key is the primary.** Schemes that carry a single signature sign with the first
///   valid key, and replay keys are derived with the primary key (see
///   [`Verified::replay_key`](crate::Verified::replay_key)).
///
/// ```
/// use hookseal::{Key, Keyring, Secret, Timestamp};
///
/// let new = Key::new("2026-11", Secret::from_bytes([1_u8; 32])?)?;
/// let old = Key::new("2026-05", Secret::from_bytes([2_u8; 32])?)?
///     .not_after(Timestamp::from_unix_secs(1_800_000_000));
/// let keyring = Keyring::new(new)?.with_key(old)?;
/// assert_eq!(keyring.primary().id(), "2026-11");
/// assert_eq!(keyring.len(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Keyring {
    keys: Vec<Key>,
}

impl Keyring {
    /// The most keys one keyring holds. It bounds the work an unverifiable request can cause.
    pub const MAX_KEYS: usize = 16;

    /// A keyring whose primary key is `primary`.
    ///
    /// # Errors
    ///
    /// [`ConfigError::EmptyValidityWindow`] when the key's window is empty.
    pub fn new(primary: Key) -> Result<Self, ConfigError> {
        primary.check_window()?;
        Ok(Self {
            keys: vec![primary],
        })
    }

    /// A keyring with one key, named `default`, valid at all times.
    #[must_use]
    pub fn single(secret: Secret) -> Self {
        Self::of_unbounded(Key::from_parts(KeyId::default_id(), &secret))
    }

    /// A keyring of `keys`, in order: the first is the primary. The same rules apply as when the
    /// keyring is built one key at a time with [`Keyring::new`] and [`Keyring::with_key`].
    ///
    /// ```
    /// use hookseal::{Keyring, Scheme};
    ///
    /// let scheme = Scheme::stripe();
    /// let keyring = Keyring::from_keys([
    ///     scheme.parse_key("2026-11", "whsec_new_signing_secret")?,
    ///     scheme.parse_key("2026-05", "whsec_old_signing_secret")?,
    /// ])?;
    /// assert_eq!(keyring.primary().id(), "2026-11");
    /// assert_eq!(keyring.len(), 2);
    /// # Ok::<(), hookseal::ConfigError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ConfigError::NoKeys`] when `keys` is empty, [`ConfigError::DuplicateKeyId`] when two
    /// keys share an id, [`ConfigError::TooManyKeys`] beyond [`Keyring::MAX_KEYS`], and
    /// [`ConfigError::EmptyValidityWindow`] for a key whose window is empty. Keys after the
    /// first refused one are not read.
    pub fn from_keys(keys: impl IntoIterator<Item = Key>) -> Result<Self, ConfigError> {
        let mut keys = keys.into_iter();
        let primary = keys.next().ok_or(ConfigError::NoKeys)?;
        keys.try_fold(Self::new(primary)?, Self::with_key)
    }

    /// Adds `key` after the keys already held.
    ///
    /// # Errors
    ///
    /// [`ConfigError::DuplicateKeyId`] when a held key has the same id,
    /// [`ConfigError::TooManyKeys`] beyond [`Keyring::MAX_KEYS`], and
    /// [`ConfigError::EmptyValidityWindow`] when the key's window is empty.
    pub fn with_key(mut self, key: Key) -> Result<Self, ConfigError> {
        key.check_window()?;
        if self.keys.iter().any(|k| k.id == key.id) {
            return Err(ConfigError::DuplicateKeyId);
        }
        if self.keys.len() >= Self::MAX_KEYS {
            return Err(ConfigError::TooManyKeys {
                max: Self::MAX_KEYS,
            });
        }
        self.keys.push(key);
        Ok(self)
    }

    /// A keyring of one key without a validity window, which no rule can refuse.
    pub(crate) fn of_unbounded(key: Key) -> Self {
        Self { keys: vec![key] }
    }

    /// Keeps the primary key and the other keys for which `keep` is true, in order. Removing
    /// keys cannot break a keyring's rules, so this cannot fail.
    pub(crate) fn retain_secondary(&mut self, mut keep: impl FnMut(&Key) -> bool) {
        let mut primary = true;
        self.keys
            .retain(|k| core::mem::take(&mut primary) || keep(k));
    }

    /// The primary (first) key.
    #[must_use]
    pub fn primary(&self) -> &Key {
        // A keyring is built with one key and never loses it.
        #[allow(clippy::indexing_slicing)]
        &self.keys[0]
    }

    /// All keys, in order, as a slice.
    pub(crate) fn as_slice(&self) -> &[Key] {
        &self.keys
    }

    /// All keys, in order.
    #[must_use = "iterators do nothing unless consumed"]
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &Key> {
        self.keys.iter()
    }

    /// The key named `id`, if held.
    #[must_use]
    pub fn get(&self, id: &str) -> Option<&Key> {
        self.keys.iter().find(|k| k.id == id)
    }

    /// The number of keys.
    #[must_use]
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Always `false`: a keyring holds at least one key.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.keys).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(b: u8) -> Secret {
        Secret::from_bytes([b; 32]).unwrap()
    }

    #[test]
    fn key_ids_are_checked() {
        assert!(KeyId::new("k1").is_ok());
        assert!(KeyId::new("2026-11:prod_a.b").is_ok());
        assert_eq!(KeyId::new("").unwrap_err(), ConfigError::InvalidKeyId);
        assert_eq!(KeyId::new("a b").unwrap_err(), ConfigError::InvalidKeyId);
        assert_eq!(KeyId::new("é").unwrap_err(), ConfigError::InvalidKeyId);
        assert_eq!(
            KeyId::new(&"a".repeat(65)).unwrap_err(),
            ConfigError::InvalidKeyId
        );
        assert!(KeyId::new(&"a".repeat(64)).is_ok());
    }

    #[test]
    fn windows_are_inclusive() {
        let k = Key::new("k", secret(1))
            .unwrap()
            .not_before(Timestamp::from_unix_secs(100))
            .not_after(Timestamp::from_unix_secs(200));
        assert!(!k.is_valid_at(Timestamp::from_unix_secs(99)));
        assert!(k.is_valid_at(Timestamp::from_unix_secs(100)));
        assert!(k.is_valid_at(Timestamp::from_unix_secs(200)));
        assert!(!k.is_valid_at(Timestamp::from_unix_secs(201)));
    }

    #[test]
    fn keyring_rules() {
        let empty_window = Key::new("k", secret(1))
            .unwrap()
            .not_before(Timestamp::from_unix_secs(2))
            .not_after(Timestamp::from_unix_secs(1));
        assert_eq!(
            Keyring::new(empty_window).unwrap_err(),
            ConfigError::EmptyValidityWindow
        );

        let ring = Keyring::new(Key::new("a", secret(1)).unwrap()).unwrap();
        let err = ring
            .clone()
            .with_key(Key::new("a", secret(2)).unwrap())
            .unwrap_err();
        assert_eq!(err, ConfigError::DuplicateKeyId);

        let mut ring = ring;
        for i in 1..Keyring::MAX_KEYS {
            ring = ring
                .with_key(Key::new(&format!("k{i}"), secret(2)).unwrap())
                .unwrap();
        }
        assert_eq!(ring.len(), Keyring::MAX_KEYS);
        let err = ring
            .clone()
            .with_key(Key::new("one-more", secret(3)).unwrap())
            .unwrap_err();
        assert_eq!(err, ConfigError::TooManyKeys { max: 16 });
        assert_eq!(ring.primary().id(), "a");
        assert!(ring.get("k3").is_some());
        assert!(ring.get("nope").is_none());
    }

    #[test]
    fn debug_shows_ids_not_keys() {
        let ring = Keyring::new(Key::new("primary", secret(0xAB)).unwrap()).unwrap();
        let text = format!("{ring:?}");
        assert!(text.contains("primary"), "{text}");
        assert!(text.contains("[REDACTED]"), "{text}");
        assert!(!text.to_lowercase().contains("abab"), "{text}");
    }
}

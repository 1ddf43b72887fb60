//! Ed25519 keys for Standard Webhooks' asymmetric `v1a` signatures (feature `ed25519`), and
//! their `whsk_`/`whpk_` text.
//!
//! The sender holds a signing key (`whsk_` + base64 of the 32-byte seed and the 32-byte public
//! key); receivers hold only the public key (`whpk_` + base64), put in their
//! [`Keyring`](crate::Keyring) with [`Key::ed25519_public`](crate::Key::ed25519_public). A
//! receiver trusts exactly the public keys in its keyring — never one named or carried by a
//! request.

use alloc::borrow::Cow;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use base64::Engine as _;
use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use zeroize::Zeroizing;

use super::{ExportedSecret, PUBLIC_PREFIX, SIGNING_PREFIX, decode_base64, is_ed25519_key_text};
use crate::error::SecretError;
use crate::random::RandomSource;

/// An Ed25519 signing key. Zeroized on drop; `Debug` is redacted.
///
/// ```
/// use hookseal::{Ed25519PublicKey, Ed25519SigningKey};
///
/// let (key, text) = Ed25519SigningKey::generate()?;
/// assert!(text.expose_secret().starts_with("whsk_"));
/// let public = key.public_key();
/// assert_eq!(Ed25519PublicKey::from_whpk(&public.to_whpk())?, public);
/// # Ok::<(), hookseal::SecretError>(())
/// ```
#[derive(Clone)]
pub struct Ed25519SigningKey(SigningKey);

impl Ed25519SigningKey {
    /// Reads a `whsk_` key: the prefix, then base64 (padding optional) of the 32-byte seed
    /// followed by the 32-byte public key.
    ///
    /// # Errors
    ///
    /// [`SecretError::Empty`], [`SecretError::ContainsWhitespace`],
    /// [`SecretError::WrongKeyKind`] for a `whpk_` or `whsec_` key, [`SecretError::MissingPrefix`]
    /// (naming `whsk_`) without `whsk_`, [`SecretError::InvalidBase64`], [`SecretError::WrongLength`] unless it
    /// decodes to 64 bytes, and [`SecretError::InvalidKey`] when the public half does not belong
    /// to the seed.
    pub fn from_whsk(text: &str) -> Result<Self, SecretError> {
        let bytes = decode_prefixed(text, SIGNING_PREFIX)?;
        let pair: Zeroizing<[u8; 64]> = Zeroizing::new(fixed(&bytes)?);
        SigningKey::from_keypair_bytes(&pair)
            .map(Self)
            .map_err(|_| SecretError::InvalidKey)
    }

    /// Generates a key from the operating system's random number generator, and its `whsk_`
    /// text, to be stored once where the sender can load it.
    ///
    /// # Errors
    ///
    /// [`SecretError::RandomUnavailable`] when the system random number generator fails.
    #[cfg(feature = "std")]
    pub fn generate() -> Result<(Self, ExportedSecret), SecretError> {
        Self::generate_with(&mut crate::OsRandom)
    }

    /// [`Ed25519SigningKey::generate`] with the seed drawn from `random`: the way to generate a
    /// key without `std`.
    ///
    /// # Errors
    ///
    /// [`SecretError::RandomUnavailable`] when `random` fails.
    pub fn generate_with(
        random: &mut dyn RandomSource,
    ) -> Result<(Self, ExportedSecret), SecretError> {
        let mut seed = Zeroizing::new([0_u8; 32]);
        random
            .fill(seed.as_mut_slice())
            .map_err(|_| SecretError::RandomUnavailable)?;
        let key = SigningKey::from_bytes(&seed);
        let pair = Zeroizing::new(key.to_keypair_bytes());
        let text = format!(
            "whsk_{}",
            base64::engine::general_purpose::STANDARD.encode(pair.as_slice())
        );
        Ok((Self(key), ExportedSecret::new(text)))
    }

    /// The matching public key, to hand to receivers.
    #[must_use]
    pub fn public_key(&self) -> Ed25519PublicKey {
        Ed25519PublicKey(self.0.verifying_key())
    }

    /// Signs the concatenation of `parts`.
    pub(crate) fn sign(&self, content: &crate::scheme::Content<'_>) -> [u8; 64] {
        self.0.sign(&content.to_vec()).to_bytes()
    }
}

impl fmt::Debug for Ed25519SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Ed25519SigningKey([REDACTED])")
    }
}

/// A trusted Ed25519 public key. Public keys are not secret: `Debug` shows the `whpk_` text.
#[derive(Clone, PartialEq, Eq)]
pub struct Ed25519PublicKey(VerifyingKey);

impl Ed25519PublicKey {
    /// Reads a `whpk_` key: the prefix, then base64 (padding optional) of the 32-byte key.
    ///
    /// # Errors
    ///
    /// As [`Ed25519SigningKey::from_whsk`] (with `whpk_` expected, and a `whsk_` signing key
    /// refused as [`SecretError::WrongKeyKind`], since a receiver should not hold it), and
    /// [`SecretError::InvalidKey`] for bytes that are not a point on the curve or are a weak
    /// (small-order) key, under which forgeries are trivial.
    pub fn from_whpk(text: &str) -> Result<Self, SecretError> {
        let bytes = decode_prefixed(text, PUBLIC_PREFIX)?;
        Self::from_bytes(&fixed(&bytes)?)
    }

    /// Reads a public key written as a provider publishes it: the 32 bytes in lowercase hex
    /// (Discord's application public key) or in base64 (Telnyx).
    ///
    /// # Errors
    ///
    /// [`SecretError::Empty`], [`SecretError::ContainsWhitespace`],
    /// [`SecretError::WrongKeyKind`] for `whsk_`/`whpk_`/`whsec_` text,
    /// [`SecretError::InvalidHex`] or [`SecretError::InvalidBase64`],
    /// [`SecretError::WrongLength`] unless it holds 32 bytes, and [`SecretError::InvalidKey`] as
    /// for [`Ed25519PublicKey::from_whpk`].
    pub(crate) fn from_encoded(
        text: &str,
        encoding: crate::scheme::Encoding,
    ) -> Result<Self, SecretError> {
        super::check_key_text(text, super::Spaces::Refused)?;
        let bytes = match encoding {
            crate::scheme::Encoding::Hex => super::decode_hex(text)?,
            crate::scheme::Encoding::Base64 => decode_base64(text)?,
            crate::scheme::Encoding::Base64Url => Zeroizing::new(
                (base64::engine::general_purpose::URL_SAFE_NO_PAD)
                    .decode(text)
                    .map_err(|_| SecretError::InvalidBase64)?,
            ),
        };
        Self::from_bytes(&fixed(&bytes)?)
    }

    fn from_bytes(bytes: &[u8; 32]) -> Result<Self, SecretError> {
        let key = VerifyingKey::from_bytes(bytes).map_err(|_| SecretError::InvalidKey)?;
        if key.is_weak() {
            return Err(SecretError::InvalidKey);
        }
        Ok(Self(key))
    }

    /// The key as `whpk_` text.
    #[must_use]
    pub fn to_whpk(&self) -> String {
        format!(
            "whpk_{}",
            base64::engine::general_purpose::STANDARD.encode(self.0.as_bytes())
        )
    }

    pub(crate) fn verifying_key(&self) -> &VerifyingKey {
        &self.0
    }
}

impl fmt::Debug for Ed25519PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ed25519PublicKey({})", self.to_whpk())
    }
}

/// [`SecretError::WrongKeyKind`]'s words for a signing key.
pub(crate) const EXPECTED_SIGNING: &str = "a `whsk_` Ed25519 signing key";

/// [`SecretError::WrongKeyKind`]'s words for a public key.
pub(crate) const EXPECTED_PUBLIC: &str = "a `whpk_` Ed25519 public key";

/// Strips `prefix` and decodes the rest, with the secret checks' errors.
fn decode_prefixed(text: &str, prefix: &'static str) -> Result<Zeroizing<Vec<u8>>, SecretError> {
    if text.is_empty() {
        return Err(SecretError::Empty);
    }
    if text.chars().any(char::is_whitespace) {
        return Err(SecretError::ContainsWhitespace);
    }
    let Some(rest) = text.strip_prefix(prefix) else {
        return Err(if is_ed25519_key_text(text) || text.starts_with("whsec_") {
            SecretError::WrongKeyKind {
                expected: if prefix == SIGNING_PREFIX {
                    EXPECTED_SIGNING
                } else {
                    EXPECTED_PUBLIC
                },
            }
        } else {
            SecretError::MissingPrefix {
                expected: Cow::Borrowed(prefix),
            }
        });
    };
    if rest.is_empty() {
        return Err(SecretError::Empty);
    }
    decode_base64(rest)
}

fn fixed<const N: usize>(bytes: &[u8]) -> Result<[u8; N], SecretError> {
    bytes.try_into().map_err(|_| SecretError::WrongLength {
        len: bytes.len(),
        expected: N,
    })
}

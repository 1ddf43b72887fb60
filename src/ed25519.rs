//! Ed25519 keys for Standard Webhooks' asymmetric `v1a` signatures (feature `ed25519`).
//!
//! The sender holds a signing key (`whsk_` + base64 of the 32-byte seed and the 32-byte public
//! key); receivers hold only the public key (`whpk_` + base64), put in their
//! [`Keyring`](crate::Keyring) with [`Key::ed25519_public`](crate::Key::ed25519_public). A
//! receiver trusts exactly the public keys in its keyring — never one named or carried by a
//! request.
//!
//! Signatures are pure Ed25519 over the same signed content as `v1` (`id.timestamp.body`), so
//! one keyring can hold HMAC secrets and Ed25519 keys side by side, and a sender can emit `v1`
//! and `v1a` entries in one header.

use core::fmt;
use std::borrow::Cow;

use base64::Engine as _;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use zeroize::Zeroizing;

use crate::error::SecretError;
use crate::secret::{
    ExportedSecret, PUBLIC_PREFIX, SIGNING_PREFIX, decode_base64, is_ed25519_key_text,
};

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
    pub fn generate() -> Result<(Self, ExportedSecret), SecretError> {
        let mut seed = Zeroizing::new([0_u8; 32]);
        getrandom::fill(seed.as_mut_slice()).map_err(|_| SecretError::RandomUnavailable)?;
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
    pub(crate) fn sign(&self, parts: &[&[u8]]) -> [u8; 64] {
        let message = parts.concat();
        self.0.sign(&message).to_bytes()
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
        let key = VerifyingKey::from_bytes(&fixed(&bytes)?).map_err(|_| SecretError::InvalidKey)?;
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
const EXPECTED_SIGNING: &str = "a `whsk_` Ed25519 signing key";

/// [`SecretError::WrongKeyKind`]'s words for a public key.
const EXPECTED_PUBLIC: &str = "a `whpk_` Ed25519 public key";

/// Decodes a base64 Ed25519 signature (canonical, padded: 88 characters).
pub(crate) fn decode_signature(text: &[u8]) -> Option<[u8; 64]> {
    let mut sig = [0_u8; 64];
    crate::encoding::decode_base64_exact(text, &mut sig)?;
    Some(sig)
}

/// Appends a signature in base64.
pub(crate) fn encode_signature(sig: &[u8; 64], out: &mut String) {
    base64::engine::general_purpose::STANDARD.encode_string(sig, out);
}

/// Whether any of `signatures` (base64 text) is `key`'s signature of the concatenation of
/// `parts`, tried in order while `budget` lasts: each signature tried takes one from it, and none
/// is tried once it is spent.
pub(crate) fn verify_any(
    key: &VerifyingKey,
    signatures: &[&[u8]],
    parts: &[&[u8]],
    budget: &mut usize,
) -> bool {
    for signature in signatures {
        let Some(left) = budget.checked_sub(1) else {
            return false;
        };
        *budget = left;
        if verify(key, signature, parts) {
            return true;
        }
    }
    false
}

/// Whether `signature` (base64 text) is `key`'s signature of the concatenation of `parts`. The
/// message is streamed into the verifier, so nothing is concatenated or allocated; a signature
/// whose `R` is unusable is refused before the message is read.
pub(crate) fn verify(key: &VerifyingKey, signature: &[u8], parts: &[&[u8]]) -> bool {
    let Some(bytes) = decode_signature(signature) else {
        return false;
    };
    let signature = Signature::from_bytes(&bytes);
    if r_is_unusable(&signature) {
        return false;
    }
    let Ok(mut verifier) = key.verify_stream(&signature) else {
        return false;
    };
    #[cfg(test)]
    MESSAGE_PASSES.with(|n| n.set(n.get() + 1));
    for part in parts {
        verifier.update(part);
    }
    verifier.finalize_and_verify().is_ok()
}

/// Whether the signature's `R` (its first 32 bytes) is not a curve point or is a point of small
/// order. A signer's `R` is a multiple of the base point by a secret nonce, never of small order;
/// a small-order `R` is a sign of a forgery attempt (it is what makes weak-key and malleability
/// tricks work), and a non-point can never verify. Either way the body need not be hashed.
fn r_is_unusable(signature: &Signature) -> bool {
    // ed25519-dalek decodes points only as verifying keys, whose `is_weak` is the small-order
    // test; the point is used for nothing else.
    VerifyingKey::from_bytes(signature.r_bytes())
        .ok()
        .is_none_or(|r| r.is_weak())
}

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

#[cfg(test)]
thread_local! {
    /// How many messages this thread has fed to an Ed25519 verifier: the work a request costs.
    pub(crate) static MESSAGE_PASSES: core::cell::Cell<usize> = const { core::cell::Cell::new(0) };
}

#[cfg(test)]
mod tests {
    use super::*;

    // Svix's server test vector (`test_asymmetric_key_signing`).
    const WHSK: &str = "whsk_6Xb/dCcHpPea21PS1N9VY/NZW723CEc77N4rJCubMbfVKIDij2HKpMKkioLlX0dRqSKJp4AJ6p9lMicMFs6Kvg==";
    const WHPK: &str = "whpk_1SiA4o9hyqTCpIqC5V9HUakiiaeACeqfZTInDBbOir4=";

    #[test]
    fn the_published_pair_matches() {
        let key = Ed25519SigningKey::from_whsk(WHSK).unwrap();
        assert_eq!(key.public_key().to_whpk(), WHPK);
        assert_eq!(Ed25519PublicKey::from_whpk(WHPK).unwrap(), key.public_key());
        // Padding is optional, as for `whsec_` secrets.
        assert!(Ed25519SigningKey::from_whsk(WHSK.trim_end_matches('=')).is_ok());
    }

    #[test]
    fn mix_ups_get_their_own_error() {
        let pk_err = |t: &str| Ed25519PublicKey::from_whpk(t).unwrap_err();
        let sk_err = |t: &str| Ed25519SigningKey::from_whsk(t).unwrap_err();
        assert_eq!(pk_err(""), SecretError::Empty);
        assert_eq!(pk_err("whpk_"), SecretError::Empty);
        let public = SecretError::WrongKeyKind {
            expected: EXPECTED_PUBLIC,
        };
        let signing = SecretError::WrongKeyKind {
            expected: EXPECTED_SIGNING,
        };
        assert_eq!(pk_err(WHSK), public);
        assert_eq!(sk_err(WHPK), signing);
        assert_eq!(sk_err("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), signing);
        assert_eq!(
            pk_err(WHSK).to_string(),
            "secret text is a key of the wrong kind: expected a `whpk_` Ed25519 public key"
        );
        let missing = pk_err("1SiA4o9hyqTCpIqC5V9HUakiiaeACeqfZTInDBbOir4=");
        assert_eq!(
            missing,
            SecretError::MissingPrefix {
                expected: "whpk_".into()
            }
        );
        assert_eq!(
            missing.to_string(),
            "secret text lacks the expected prefix `whpk_`"
        );
        assert_eq!(pk_err("whpk_ 1SiA"), SecretError::ContainsWhitespace);
        assert_eq!(pk_err("whpk_!!!!"), SecretError::InvalidBase64);
        assert_eq!(
            pk_err("whpk_AAECAwQF"),
            SecretError::WrongLength {
                len: 6,
                expected: 32
            }
        );
        // The identity point is a weak key: refused.
        let mut identity = [0_u8; 32];
        identity[0] = 1;
        let text = format!(
            "whpk_{}",
            base64::engine::general_purpose::STANDARD.encode(identity)
        );
        assert_eq!(pk_err(&text), SecretError::InvalidKey);
        // A seed with someone else's public half.
        let mut pair = base64::engine::general_purpose::STANDARD
            .decode(&WHSK[5..])
            .unwrap();
        pair[63] ^= 1;
        let text = format!(
            "whsk_{}",
            base64::engine::general_purpose::STANDARD.encode(&pair)
        );
        assert_eq!(sk_err(&text), SecretError::InvalidKey);
    }

    #[test]
    fn debug_redacts_the_signing_key_only() {
        let key = Ed25519SigningKey::from_whsk(WHSK).unwrap();
        assert_eq!(format!("{key:?}"), "Ed25519SigningKey([REDACTED])");
        assert_eq!(
            format!("{:?}", key.public_key()),
            format!("Ed25519PublicKey({WHPK})")
        );
    }

    #[test]
    fn streamed_verification_matches_signing() {
        let key = Ed25519SigningKey::from_whsk(WHSK).unwrap();
        let sig = key.sign(&[b"msg_1", b".", b"12", b".", b"body"]);
        let mut text = String::new();
        encode_signature(&sig, &mut text);
        let vk = key.public_key();
        let parts: [&[u8]; 3] = [b"msg_1.1", b"2.bo", b"dy"];
        assert!(verify(vk.verifying_key(), text.as_bytes(), &parts));
        assert!(!verify(
            vk.verifying_key(),
            text.as_bytes(),
            &[b"msg_1.12.bodY"]
        ));
        assert!(!verify(vk.verifying_key(), b"AAAA", &parts));
    }

    #[test]
    fn a_small_order_r_is_refused_before_the_message_is_hashed() {
        let key = Ed25519SigningKey::from_whsk(WHSK).unwrap();
        let vk = key.public_key();
        let parts: [&[u8]; 1] = [b"msg_1.12.body"];
        // Encodings of points of order 1, 2, 4 and 8 (the last two also with the sign bit set).
        let mut small = [[0_u8; 32]; 6];
        small[0][0] = 1; // the identity
        small[1] = [0xff; 32]; // y = p - 1: order 2
        small[1][0] = 0xec;
        small[1][31] = 0x7f;
        small[3][31] = 0x80; // y = 0, sign bit set: order 4
        small[4] = hex32("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05");
        small[5] = hex32("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85");
        for r in small {
            assert!(VerifyingKey::from_bytes(&r).unwrap().is_weak(), "{r:?}");
            for s in [[0_u8; 32], [1_u8; 32]] {
                let mut sig = [0_u8; 64];
                sig[..32].copy_from_slice(&r);
                sig[32..].copy_from_slice(&s);
                let mut text = String::new();
                encode_signature(&sig, &mut text);
                MESSAGE_PASSES.with(|n| n.set(0));
                assert!(!verify(vk.verifying_key(), text.as_bytes(), &parts));
                assert_eq!(MESSAGE_PASSES.with(core::cell::Cell::get), 0, "{r:?}");
            }
        }
        // A real signature still costs one pass.
        let mut text = String::new();
        encode_signature(&key.sign(&parts), &mut text);
        MESSAGE_PASSES.with(|n| n.set(0));
        assert!(verify(vk.verifying_key(), text.as_bytes(), &parts));
        assert_eq!(MESSAGE_PASSES.with(core::cell::Cell::get), 1);
    }

    fn hex32(text: &str) -> [u8; 32] {
        hex::decode(text).unwrap().try_into().unwrap()
    }
}

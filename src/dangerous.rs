//! Audited escape hatches. Each weakens a default on purpose; use one only where the reason is
//! written next to the call.

use zeroize::Zeroizing;

use crate::error::SecretError;
use crate::secret::Secret;

/// Builds a secret shorter than [`Secret::MIN_LEN`] (but never empty), for a legacy key that
/// cannot be replaced yet.
///
/// A short HMAC key is only as strong as its length: an 8-byte key can be brute-forced from one
/// captured request. Replace such a key with [`Secret::generate`] as soon as the sender allows.
///
/// ```
/// use hookseal::dangerous;
///
/// let legacy = dangerous::short_secret(b"secret".to_vec())?;
/// assert_eq!(legacy.len(), 6);
/// # Ok::<(), hookseal::SecretError>(())
/// ```
///
/// # Errors
///
/// [`SecretError::Empty`] for no bytes.
pub fn short_secret(bytes: impl Into<Vec<u8>>) -> Result<Secret, SecretError> {
    Secret::with_min_len(Zeroizing::new(bytes.into()), 1)
}

//! One endpoint's signing secrets over their life: generated (and shown once), rotated with an
//! overlap during which old and new both sign, retired.

use crate::random::RandomSource;
use core::time::Duration;

use crate::error::ConfigError;
use crate::keyring::{Key, Keyring};
use crate::secret::{ExportedSecret, Secret};
use crate::timestamp::Timestamp;

/// An endpoint's signing secrets: a [`Keyring`] whose primary is the newest key, managed
/// through generate → rotate → retire.
///
/// - [`EndpointSecrets::generate`] makes the first key and returns its text once, to show the
///   endpoint's owner (hookseal never shows it again).
/// - [`EndpointSecrets::rotate`] adds a new primary key and sets every older key to expire
///   after an overlap. A [`Signer`](crate::Signer) signs with every key valid at the time, so
///   during the overlap each delivery carries both signatures, and a receiver verifies whether
///   it holds the old secret, the new one, or both.
/// - [`EndpointSecrets::retire`] removes a key at once (a leaked key, or the end of an overlap);
///   [`EndpointSecrets::prune`] removes the keys that have expired.
///
/// ```
/// use std::time::Duration;
/// use hookseal::delivery::EndpointSecrets;
/// use hookseal::{Scheme, Signer, Timestamp};
///
/// let now = Timestamp::from_unix_secs(1_700_000_000);
/// let scheme = Scheme::standard_webhooks();
/// let (secrets, shown_once) = EndpointSecrets::generate("k1")?;
/// // `whsec_` + 32 bytes in base64, the form the endpoint's owner loads it in.
/// assert_eq!(shown_once.expose_secret().len(), 6 + 44);
/// assert_eq!(scheme.parse_secret(shown_once.expose_secret())?.len(), 32);
///
/// let day = Duration::from_secs(86_400);
/// let (secrets, new_text) = secrets.rotate("k2", now, day)?;
/// let signer = Signer::new(scheme, secrets.keyring().clone());
/// let during = signer.sign_at(Some("msg_1"), b"{}", now)?;
/// assert_eq!(during.get("webhook-signature").unwrap().matches("v1,").count(), 2);
///
/// let after = signer.sign_at(Some("msg_1"), b"{}", now.saturating_add(2 * day))?;
/// assert_eq!(after.get("webhook-signature").unwrap().matches("v1,").count(), 1);
/// assert_eq!(secrets.prune(now.saturating_add(2 * day)).keyring().len(), 1);
/// # drop(new_text);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct EndpointSecrets {
    keyring: Keyring,
}

impl EndpointSecrets {
    /// A new endpoint's first key, named `id`, and its text to show once: `whsec_` and the
    /// standard base64 of 32 random bytes, the default scheme's secret format, which
    /// [`Scheme::standard_webhooks().parse_secret`](crate::Scheme::parse_secret) reads back.
    ///
    /// # Errors
    ///
    /// [`ConfigError::RandomUnavailable`] when the system random number generator fails,
    /// [`ConfigError::InvalidKeyId`] for an invalid id.
    #[cfg(feature = "std")]
    pub fn generate(id: &str) -> Result<(Self, ExportedSecret), ConfigError> {
        Self::generate_with(id, &mut crate::OsRandom)
    }

    /// [`EndpointSecrets::generate`] with the key drawn from `random`: the way to make one
    /// without `std`.
    ///
    /// # Errors
    ///
    /// [`ConfigError::RandomUnavailable`] when `random` fails, [`ConfigError::InvalidKeyId`] for
    /// an invalid id.
    pub fn generate_with(
        id: &str,
        random: &mut dyn RandomSource,
    ) -> Result<(Self, ExportedSecret), ConfigError> {
        let (secret, text) = generate(random)?;
        let keyring = Keyring::new(Key::new(id, secret)?)?;
        Ok((Self { keyring }, text))
    }

    /// Secrets made from an existing keyring (e.g. loaded from storage); its first key is the
    /// primary.
    #[must_use]
    pub fn from_keyring(keyring: Keyring) -> Self {
        Self { keyring }
    }

    /// The keys, newest first, for a [`Signer`](crate::Signer).
    #[must_use]
    pub fn keyring(&self) -> &Keyring {
        &self.keyring
    }

    /// Adds a newly generated key named `id` as the primary, valid from `now`, and sets every
    /// older key to expire at `now + overlap` (or earlier, if it already expires sooner).
    /// Returns the new key's text (`whsec_` + base64, as [`EndpointSecrets::generate`]), to
    /// show once.
    ///
    /// # Errors
    ///
    /// [`ConfigError::RandomUnavailable`] when no secret can be generated, and the
    /// [`ConfigError`] of an id that is invalid or taken, or of a full keyring (prune or retire
    /// first).
    #[cfg(feature = "std")]
    pub fn rotate(
        &self,
        id: &str,
        now: Timestamp,
        overlap: Duration,
    ) -> Result<(Self, ExportedSecret), ConfigError> {
        self.rotate_with(id, now, overlap, &mut crate::OsRandom)
    }

    /// [`EndpointSecrets::rotate`] with the new key drawn from `random`: the way to rotate
    /// without `std`.
    ///
    /// # Errors
    ///
    /// As [`EndpointSecrets::rotate`], with [`ConfigError::RandomUnavailable`] when `random`
    /// fails.
    pub fn rotate_with(
        &self,
        id: &str,
        now: Timestamp,
        overlap: Duration,
        random: &mut dyn RandomSource,
    ) -> Result<(Self, ExportedSecret), ConfigError> {
        let (secret, text) = generate(random)?;
        let rotated = self.rotate_to(Key::new(id, secret)?.not_before(now), now, overlap)?;
        Ok((rotated, text))
    }

    /// Like [`EndpointSecrets::rotate`], with a key made elsewhere (for instance, one the
    /// endpoint's owner supplied).
    ///
    /// # Errors
    ///
    /// The [`ConfigError`] of an id that is taken, a full keyring, or an empty key window.
    pub fn rotate_to(
        &self,
        key: Key,
        now: Timestamp,
        overlap: Duration,
    ) -> Result<Self, ConfigError> {
        let until = now.saturating_add(overlap);
        let mut keyring = Keyring::new(key)?;
        for old in self.keyring.keys() {
            let ends = old.valid_until().map_or(until, |t| t.min(until));
            // A key whose window closed before `now` is dropped rather than kept unusable.
            if old.valid_from().is_some_and(|from| from > ends) {
                continue;
            }
            keyring = keyring.with_key(old.clone().not_after(ends))?;
        }
        Ok(Self { keyring })
    }

    /// Removes the key named `id` at once.
    ///
    /// # Errors
    ///
    /// [`ConfigError::UnknownKey`] when no key has this id,
    /// [`ConfigError::RetiringPrimary`] for the primary key.
    pub fn retire(&self, id: &str) -> Result<Self, ConfigError> {
        if self.keyring.get(id).is_none() {
            return Err(ConfigError::UnknownKey);
        }
        if self.keyring.primary().id() == id {
            return Err(ConfigError::RetiringPrimary);
        }
        let mut keyring = self.keyring.clone();
        keyring.retain_secondary(|k| k.id() != id);
        Ok(Self { keyring })
    }

    /// The same secrets without the keys that expired before `now` (never the primary).
    #[must_use]
    pub fn prune(&self, now: Timestamp) -> Self {
        let mut keyring = self.keyring.clone();
        keyring.retain_secondary(|k| k.valid_until().is_none_or(|t| t >= now));
        Self { keyring }
    }
}

/// A new secret and its text, or the generator's failure as a configuration step's error.
fn generate(random: &mut dyn RandomSource) -> Result<(Secret, ExportedSecret), ConfigError> {
    Secret::generate_with(random)
        .map(crate::secret::GeneratedSecret::export)
        .map_err(|_| ConfigError::RandomUnavailable)
}

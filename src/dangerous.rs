//! Audited escape hatches. Each weakens a default on purpose; use one only where the reason is
//! written next to the call.

use alloc::vec::Vec;
use zeroize::Zeroizing;

#[cfg(feature = "std")]
pub use crate::replay::fail_open::FailOpen;

use crate::error::SecretError;
use crate::error::VerifyError;
use crate::idempotency::IdempotencyKey;
use crate::scheme::{Encoding, Part, Scheme, SchemeBuilder, SecretFormat, SignatureFormat, preset};
use crate::secret::Secret;
use crate::verify::Verified;

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

/// Lets variable parts of `builder`'s signed content sit side by side with no text between them,
/// as some providers sign them (HubSpot's `method‖URL‖body‖timestamp`, Twilio's `URL‖form`).
///
/// Nothing then marks where one part ends and the next begins, so one signature can cover
/// several requests: bytes can move from one part to its neighbour. Use it only to match a
/// sender's fixed layout, and know what a shift can reach: digits moved into or out of a
/// timestamp change it by a factor of ten or more, outside any window; a target running into a
/// body lets the body's first bytes be read as the query's last. Every preset that relies on it
/// says so in its docs.
///
/// ```
/// use hookseal::dangerous;
/// use hookseal::scheme::{Encoding, Part, SignatureFormat};
/// use hookseal::{Scheme, TimestampFormat};
///
/// // HubSpot's v3 layout, written out.
/// let scheme = dangerous::adjacent_parts(
///     Scheme::custom("hubspot-v3")
///         .signature_header("X-HubSpot-Signature-v3")
///         .signature_format(SignatureFormat::bare())
///         .encoding(Encoding::Base64)
///         .timestamp_header("X-HubSpot-Request-Timestamp")
///         .timestamp_format(TimestampFormat::UnixMillis)
///         .signed_content([Part::method(), Part::url(), Part::body(), Part::timestamp()]),
/// )
/// .build()?;
/// assert!(scheme.signs_url());
/// # Ok::<(), hookseal::ConfigError>(())
/// ```
pub fn adjacent_parts(builder: SchemeBuilder) -> SchemeBuilder {
    builder.provider_layout()
}

/// GitHub's legacy `X-Hub-Signature: sha1=<hex>` header: HMAC-**SHA1** over the body, with the
/// unsigned `X-GitHub-Delivery` id.
///
/// GitHub still sends this header beside `X-Hub-Signature-256`; use [`Scheme::github`] unless a
/// proxy strips the SHA-256 header. HMAC-SHA1 is not broken as a MAC today, but SHA-1 is
/// deprecated everywhere, and accepting it keeps a weaker algorithm on the attack surface.
///
/// ```
/// use hookseal::dangerous;
///
/// let scheme = dangerous::github_sha1();
/// assert_eq!(scheme.signature_header(), Some("X-Hub-Signature"));
/// ```
#[must_use]
pub fn github_sha1() -> Scheme {
    preset(
        Scheme::custom("github-sha1")
            .signature_header("X-Hub-Signature")
            .signature_format(SignatureFormat::prefixed("sha1="))
            .encoding(Encoding::Hex)
            .id_header("X-GitHub-Delivery")
            .signed_content([Part::body()])
            .secret_format(SecretFormat::text())
            .algorithm(crate::scheme::Algorithm::HmacSha1),
    )
}

/// The idempotency key from a verified delivery's id header even where the signature does not
/// cover the id (GitHub's `X-GitHub-Delivery`, Shopify's `X-Shopify-Webhook-Id`), which
/// [`IdempotencyKey::from_verified`] refuses.
///
/// Whoever can replay a captured request can send it with a new id, and each new id gets a new
/// key: the work runs again. Use it only where replays are stopped before it (a replay cache
/// keeping keys for as long as a replay would do harm), and never alone.
///
/// ```
/// use hookseal::{Keyring, Scheme, Signer, Verifier, dangerous};
///
/// let github = Scheme::github();
/// let key = || Keyring::single(github.parse_secret("It's a Secret to Everybody").unwrap());
/// let headers = Signer::new(github.clone(), key()).sign(Some("72d3162e"), b"{}")?;
/// let headers: Vec<(&str, &str)> = headers.iter().collect();
/// let verifier = Verifier::new(github.clone(), key());
/// let verified = verifier.verify(&headers, b"{}")?;
/// assert_eq!(dangerous::unsigned_id_key(&verified)?.as_str(), "72d3162e");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`VerifyError::MissingHeader`] when the delivery has no id, and as [`IdempotencyKey::new`].
pub fn unsigned_id_key(verified: &Verified<'_>) -> Result<IdempotencyKey, VerifyError> {
    IdempotencyKey::from_verified_id(verified)
}

//! [`VerifiedDelivery`]: what verification vouched for, owned, to hand to a handler or to queue
//! for later.

use alloc::boxed::Box;
use alloc::sync::Arc;
use core::fmt;

use bytes::Bytes;

use crate::keyring::KeyId;
use crate::replay::ReplayKey;
use crate::scheme::Scheme;
use crate::timestamp::Timestamp;
use crate::verify::Verified;

/// A verified request, owned: the body exactly as received and what the signature vouched for.
/// Cheap to clone (the body is shared).
///
/// The tower layer puts one in each accepted request's extensions (an axum handler takes it as
/// an argument with feature `axum`); [`VerifiedDelivery::from_verified`] makes one from a
/// [`Verified`] of your own. With feature `serde` it serializes — the envelope of a
/// verify-now, process-later queue:
///
/// ```
/// # #[cfg(feature = "serde")] {
/// use hookseal::{Scheme, Signer, Timestamp, VerifiedDelivery, Verifier};
///
/// let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
/// let signer = Signer::from_secret(Scheme::standard_webhooks(), secret)?;
/// let verifier = Verifier::from_secret(Scheme::standard_webhooks(), secret)?;
/// let now = Timestamp::from_unix_secs(1_700_000_000);
/// let body = br#"{"type":"invoice.paid"}"#;
/// let headers = signer.sign_at(Some("msg_1"), body, now)?;
/// let headers: Vec<(&str, &str)> = headers.iter().collect();
///
/// // The receiver verifies now and queues the envelope.
/// let delivery = VerifiedDelivery::from_verified(&verifier.verify_at(&headers, body, now)?);
/// let queued = serde_json::to_string(&delivery)?;
///
/// // A worker processes it later.
/// let delivery: VerifiedDelivery = serde_json::from_str(&queued)?;
/// assert_eq!(delivery.scheme(), "standard-webhooks");
/// assert_eq!(delivery.id(), Some("msg_1"));
/// assert_eq!(&delivery.body()[..], body);
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// An envelope read back is only as trustworthy as the queue it came through: it carries no
/// signature, so anyone who can write to the queue can write one. Queue envelopes where only the
/// receiver writes, or keep the request's headers with the body and verify again.
///
/// `Debug` shows the scheme, timestamp, id, key id and body length; never the body.
#[derive(Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(into = "envelope::Envelope", try_from = "envelope::Envelope")
)]
pub struct VerifiedDelivery {
    body: Bytes,
    origin: Arc<Origin>,
    timestamp: Option<Timestamp>,
    id: Option<Box<str>>,
    replay_key: ReplayKey,
}

/// What a delivery shares with every other verified by the same key of the same verifier: made
/// once per key by the layers, so a delivery is made without allocating.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Origin {
    scheme: Arc<str>,
    key_id: KeyId,
    id_is_signed: bool,
    body_is_signed: bool,
}

impl Origin {
    /// The origin of deliveries verified in `scheme` by the key `key_id`.
    pub(crate) fn new(scheme: &Scheme, key_id: KeyId) -> Self {
        Self {
            scheme: scheme.shared_name(),
            key_id,
            id_is_signed: scheme.id_is_signed(),
            body_is_signed: scheme.signs_body(),
        }
    }

    /// Whether this is the origin of `verified`.
    pub(crate) fn is_of(&self, verified: &Verified<'_>) -> bool {
        self.key_id == *verified.key_id() && *self.scheme == *verified.scheme().name()
    }
}

impl VerifiedDelivery {
    /// The delivery `verified` vouches for, with a copy of its body.
    #[must_use]
    pub fn from_verified(verified: &Verified<'_>) -> Self {
        let origin = Arc::new(Origin::new(verified.scheme(), verified.key_id().clone()));
        Self::new(
            verified,
            Bytes::copy_from_slice(verified.body()),
            origin,
            verified.replay_key(),
        )
    }

    /// The delivery `verified` vouches for, whose body `body` holds (the same bytes, not
    /// copied), from `origin` (which [`Origin::is_of`] it), with its replay key `replay_key`
    /// (computed once by the caller).
    pub(crate) fn new(
        verified: &Verified<'_>,
        body: Bytes,
        origin: Arc<Origin>,
        replay_key: ReplayKey,
    ) -> Self {
        debug_assert_eq!(&body[..], verified.body());
        debug_assert!(origin.is_of(verified));
        Self {
            body,
            origin,
            timestamp: verified.timestamp(),
            id: verified.id().map(Into::into),
            replay_key,
        }
    }

    /// The verified body read as JSON into a type of yours (feature `serde`), as
    /// [`Verified::json`] does.
    ///
    /// # Errors
    ///
    /// `serde_json`'s error when the body is not JSON of the type `T` describes.
    #[cfg(feature = "serde")]
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }

    /// The body, exactly as received and verified (see [`Verified::body`] for the schemes that
    /// do not sign it whole).
    #[must_use]
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The name of the scheme it was verified with, e.g. `stripe`.
    #[must_use]
    pub fn scheme(&self) -> &str {
        &self.origin.scheme
    }

    /// The signed timestamp; `None` in schemes that sign none.
    #[must_use]
    pub fn timestamp(&self) -> Option<Timestamp> {
        self.timestamp
    }

    /// The delivery id header's value, if sent. See [`Verified::id`] on trusting it.
    #[must_use]
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// Whether [`VerifiedDelivery::id`] is covered by the signature.
    #[must_use]
    pub fn id_is_signed(&self) -> bool {
        self.origin.id_is_signed
    }

    /// Whether [`VerifiedDelivery::body`] is covered by the signature as a whole (see
    /// [`Scheme::signs_body`](crate::Scheme::signs_body)).
    #[must_use]
    pub fn body_is_signed(&self) -> bool {
        self.origin.body_is_signed
    }

    /// The id of the key whose signature matched.
    #[must_use]
    pub fn key_id(&self) -> &KeyId {
        &self.origin.key_id
    }

    /// The request's [`ReplayKey`] (see [`Verified::replay_key`]).
    #[must_use]
    pub fn replay_key(&self) -> ReplayKey {
        self.replay_key
    }
}

impl fmt::Debug for VerifiedDelivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiedDelivery")
            .field("scheme", &self.origin.scheme)
            .field("timestamp", &self.timestamp)
            .field("id", &self.id)
            .field("key_id", &self.origin.key_id)
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

/// The serialized form: every field by name, the replay key in hex, and the body as bytes (in
/// base64 for text formats such as JSON).
#[cfg(feature = "serde")]
mod envelope {
    use alloc::borrow::ToOwned;
    use alloc::string::{String, ToString};
    use alloc::vec::Vec;
    use base64::Engine as _;

    use base64::engine::general_purpose::STANDARD;
    use bytes::Bytes;
    use serde::de::{Deserializer, Error as _};
    use serde::ser::Serializer;
    use serde::{Deserialize, Serialize};

    use super::{Origin, VerifiedDelivery};
    use crate::keyring::KeyId;
    use crate::replay::ReplayKey;
    use crate::timestamp::Timestamp;

    #[derive(Serialize, Deserialize)]
    #[serde(rename = "VerifiedDelivery", deny_unknown_fields)]
    pub(super) struct Envelope {
        scheme: String,
        key_id: String,
        timestamp: Option<u64>,
        id: Option<String>,
        id_is_signed: bool,
        body_is_signed: bool,
        replay_key: String,
        body: Body,
    }

    /// The body: bytes, written in base64 in text formats.
    struct Body(Bytes);

    impl From<VerifiedDelivery> for Envelope {
        fn from(d: VerifiedDelivery) -> Self {
            Self {
                scheme: d.origin.scheme.as_ref().to_owned(),
                key_id: d.origin.key_id.as_str().to_owned(),
                timestamp: d.timestamp.map(Timestamp::as_unix_secs),
                id: d.id.map(Into::into),
                id_is_signed: d.origin.id_is_signed,
                body_is_signed: d.origin.body_is_signed,
                replay_key: hex(d.replay_key.as_bytes()),
                body: Body(d.body),
            }
        }
    }

    impl TryFrom<Envelope> for VerifiedDelivery {
        type Error = String;

        fn try_from(e: Envelope) -> Result<Self, String> {
            let key_id = KeyId::new(&e.key_id).map_err(|e| e.to_string())?;
            let replay_key = unhex(&e.replay_key)
                .map(ReplayKey::from_bytes)
                .ok_or("replay_key is not 32 lowercase hex digits")?;
            let origin = Origin {
                scheme: e.scheme.into(),
                key_id,
                id_is_signed: e.id_is_signed,
                body_is_signed: e.body_is_signed,
            };
            Ok(Self {
                body: e.body.0,
                origin: origin.into(),
                timestamp: e.timestamp.map(Timestamp::from_unix_secs),
                id: e.id.map(Into::into),
                replay_key,
            })
        }
    }

    impl Serialize for Body {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            if s.is_human_readable() {
                s.serialize_str(&STANDARD.encode(&self.0))
            } else {
                s.serialize_bytes(&self.0)
            }
        }
    }

    impl<'de> Deserialize<'de> for Body {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            if d.is_human_readable() {
                let text = String::deserialize(d)?;
                STANDARD
                    .decode(text)
                    .map(|b| Self(b.into()))
                    .map_err(D::Error::custom)
            } else {
                serde_bytes_vec(d).map(|b| Self(b.into()))
            }
        }
    }

    /// Bytes from a binary format, however it writes them.
    fn serde_bytes_vec<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Vec<u8>;
            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("bytes")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
                Ok(v.to_vec())
            }
            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
                Ok(v)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Vec<u8>, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
                while let Some(b) = seq.next_element()? {
                    out.push(b);
                }
                Ok(out)
            }
        }
        d.deserialize_byte_buf(Visit)
    }

    fn hex(bytes: &[u8]) -> String {
        let mut text = String::with_capacity(2 * bytes.len());
        crate::encoding::push_lower_hex(bytes, &mut text);
        text
    }

    fn unhex(text: &str) -> Option<[u8; ReplayKey::LEN]> {
        let mut out = [0_u8; ReplayKey::LEN];
        crate::encoding::decode_lower_hex(text.as_bytes(), &mut out).map(|()| out)
    }
}

//! [`KeyFrom`]: where the idempotency layer reads each request's key.

use bytes::Bytes;
use http::request::Parts;

use crate::error::{ConfigError, HeaderKind, IdempotencyLayerError, VerifyError};
use crate::extract::MissingLayer;
use crate::idempotency::{Fingerprint, KeyParser, Scope, ScopedKey, scoped_text};
use crate::json_field;
use crate::verified_delivery::VerifiedDelivery;

/// Where [`IdempotencyLayer`](super::IdempotencyLayer) reads each request's key, and what it
/// fingerprints to catch a key reused for another payload.
///
/// | choice | key | fingerprint | needs |
/// |---|---|---|---|
/// | [`delivery_id`](Self::delivery_id) | the delivery's id header (`webhook-id`, …), where the signature covers it | the body | a [`VerifyLayer`](super::VerifyLayer) in front |
/// | [`body_member`](Self::body_member) | a string member of the verified body (Stripe's `"id"`), where the signature covers the body | the body | a `VerifyLayer` in front |
/// | [`replay_key`](Self::replay_key) | the request's [`ReplayKey`](crate::ReplayKey) | the body | a `VerifyLayer` in front |
/// | [`header`](Self::header) | the `Idempotency-Key` header, or the one a [`KeyParser`] reads | method, path and query, body | nothing |
///
/// A provider's event id keys the *event*: the sender's retries, signed anew, share it, so the
/// handler runs once per event. The replay key keys the *signed request*: a retry signed anew
/// has another, so it only makes the handler's answer to a repeated identical request (GitHub's
/// and Shopify's redeliveries) the stored one.
///
/// A choice that finds no key — the delivery has no signed id, the body no such member, the
/// request no header — answers the request itself (see [`IdempotencyLayerError`]), unless a
/// fallback is given with [`KeyFrom::or`]:
///
/// ```
/// use hookseal::middleware::KeyFrom;
///
/// // Standard Webhooks signs `webhook-id`; Stripe signs no id header, but its body's "id".
/// let key = KeyFrom::delivery_id().or(KeyFrom::body_member(&["id"])?);
/// # Ok::<(), hookseal::ConfigError>(())
/// ```
#[derive(Debug, Clone)]
pub struct KeyFrom {
    /// Tried in order; the first that finds a key is used.
    sources: Vec<Source>,
}

#[derive(Debug, Clone)]
enum Source {
    DeliveryId,
    BodyMember(Box<[Box<str>]>),
    ReplayKey,
    Header(KeyParser),
}

impl KeyFrom {
    /// The delivery's id (`VerifiedDelivery::id`), where the scheme's signature covers it:
    /// Standard Webhooks' `webhook-id`, Svix's `svix-id`, and the other schemes whose
    /// [`Scheme::id_is_signed`](crate::Scheme::id_is_signed). An id the signature does not cover
    /// (GitHub's `X-GitHub-Delivery`) is not used: without a fallback, the request is answered
    /// 500 ([`IdempotencyLayerError::UnsignedKey`]), since the choice is the receiver's to fix.
    /// A delivery of a signed-id scheme that has no id is answered 400.
    #[must_use]
    pub fn delivery_id() -> Self {
        Self::one(Source::DeliveryId)
    }

    /// The string member at `path` (names, outermost first) of the verified body, which must be
    /// one JSON object: `&["id"]` for Stripe's `evt_…`, `&["event", "id"]` for a nested one.
    /// The member must be a string of 1 to 255 visible ASCII characters without escapes.
    ///
    /// Only where the signature covers the body whole ([`Scheme::signs_body`](crate::Scheme::signs_body));
    /// elsewhere, as for an unsigned id, the request is answered 500 without a fallback. A body
    /// without the member is answered 400, one that is not a JSON object 400.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidLimit`] for an empty path or one deeper than 64 names,
    /// [`ConfigError::InvalidLabel`] for an empty name.
    pub fn body_member(path: &[&str]) -> Result<Self, ConfigError> {
        if path.is_empty() || path.len() > json_field::MAX_DEPTH {
            return Err(ConfigError::InvalidLimit);
        }
        if path.iter().any(|name| name.is_empty()) {
            return Err(ConfigError::InvalidLabel);
        }
        Ok(Self::one(Source::BodyMember(
            path.iter().map(|&name| name.into()).collect(),
        )))
    }

    /// The request's replay key ([`VerifiedDelivery::replay_key`]): the same only for the same
    /// signed request. Always found.
    #[must_use]
    pub fn replay_key() -> Self {
        Self::one(Source::ReplayKey)
    }

    /// The key `parser` reads from the request's headers: [`KeyParser::new`] reads
    /// `Idempotency-Key` leniently, [`KeyParser::strict`] only the draft's quoted form. For
    /// APIs as well as webhooks: no verification is needed, and the fingerprint covers the
    /// method, the path and query, and the body. A request without the header is answered 400,
    /// as the draft asks.
    #[must_use]
    pub fn header(parser: KeyParser) -> Self {
        Self::one(Source::Header(parser))
    }

    /// This choice, or `fallback` when it finds no key (not when it finds a malformed one). The
    /// answer when neither finds one is the last choice's.
    #[must_use]
    pub fn or(mut self, fallback: KeyFrom) -> Self {
        self.sources.extend(fallback.sources);
        self
    }

    fn one(source: Source) -> Self {
        Self {
            sources: vec![source],
        }
    }

    /// The request's key within `scope`, and its fingerprint.
    pub(crate) fn key(
        &self,
        scope: &Scope,
        parts: &Parts,
        body: &Bytes,
    ) -> Result<(ScopedKey, Fingerprint), IdempotencyLayerError> {
        let mut none = IdempotencyLayerError::Key(VerifyError::MissingHeader(HeaderKind::Id));
        for source in &self.sources {
            match source.key(scope, parts, body)? {
                Ok(found) => return Ok(found),
                Err(why) => none = why,
            }
        }
        Err(none)
    }
}

impl Source {
    /// The key found, or why there is none; an error for a malformed key.
    fn key(
        &self,
        scope: &Scope,
        parts: &Parts,
        body: &Bytes,
    ) -> Result<Result<(ScopedKey, Fingerprint), IdempotencyLayerError>, IdempotencyLayerError>
    {
        let delivery = || {
            parts
                .extensions
                .get::<VerifiedDelivery>()
                .ok_or(MissingLayer)
        };
        let found = match self {
            Self::DeliveryId => {
                let delivery = delivery()?;
                match delivery.id() {
                    None => {
                        let missing = VerifyError::MissingHeader(HeaderKind::Id);
                        return Ok(Err(IdempotencyLayerError::Key(missing)));
                    }
                    Some(_) if !delivery.id_is_signed() => {
                        return Ok(Err(IdempotencyLayerError::UnsignedKey));
                    }
                    Some(id) => (scoped_text(scope, id.as_bytes()), delivery.body()),
                }
            }
            Self::BodyMember(path) => {
                let delivery = delivery()?;
                if !delivery.body_is_signed() {
                    return Ok(Err(IdempotencyLayerError::UnsignedKey));
                }
                let member = json_field::find_string(delivery.body(), path)
                    .map_err(IdempotencyLayerError::Key)?;
                let Some(member) = member else {
                    let missing = VerifyError::MissingField(HeaderKind::Id);
                    return Ok(Err(IdempotencyLayerError::Key(missing)));
                };
                (scoped_text(scope, member), delivery.body())
            }
            Self::ReplayKey => {
                let delivery = delivery()?;
                (
                    Ok(scope.replay_key(&delivery.replay_key())),
                    delivery.body(),
                )
            }
            Self::Header(parser) => {
                let key = match parser.from_headers(&parts.headers) {
                    Ok(key) => key,
                    Err(missing @ VerifyError::MissingHeader(_)) => {
                        return Ok(Err(IdempotencyLayerError::Key(missing)));
                    }
                    Err(e) => return Err(IdempotencyLayerError::Key(e)),
                };
                let target = parts.uri.path_and_query().map_or("/", |p| p.as_str());
                let fingerprint = Fingerprint::of_request(parts.method.as_str(), target, body);
                return Ok(Ok((key.scoped(scope), fingerprint)));
            }
        };
        let (key, fingerprinted) = found;
        let key = key.map_err(IdempotencyLayerError::Key)?;
        Ok(Ok((key, Fingerprint::of_body(fingerprinted))))
    }
}

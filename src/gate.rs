//! [`Gate`]: what every verification layer does before the handler, whatever its framework —
//! answer a `GET` challenge, verify the buffered request, answer a signed handshake, reserve the
//! replay key — so the tower layer and the actix-web middleware only read bodies and write
//! answers in their framework's types.
//!
//! It does this per request without allocating (but for fetched keys): the delivery handed to
//! the handler shares what it has in common with every other of its key, made once here; the
//! replay key is computed once, for the cache and the delivery; and the reservation borrows the
//! cache from the gate rather than holding a handle of its own.

use std::sync::Arc;

use bytes::Bytes;

use crate::body_mac::BodyMac;
use crate::clock::Clock;
use crate::error::FreshError;
use crate::handshake::HandshakeReply;
use crate::headers::HeaderSource;
use crate::replay::{DynReplayCache, Pending, ReplayCache};
use crate::verified_delivery::{Origin, VerifiedDelivery};
use crate::verify::{Verified, Verifier};

/// A layer's settings and its steps, with a replay cache of type `R` (any [`ReplayCache`]:
/// `dyn DynReplayCache` for one chosen at run time, or a concrete one, called without boxing).
pub(crate) struct Gate<C, R: ?Sized = dyn DynReplayCache> {
    pub(crate) verifier: Arc<Verifier<C>>,
    pub(crate) cache: Option<Arc<R>>,
    pub(crate) body_limit: usize,
    /// The status of a replayed request's answer (409 unless the receiver chose otherwise).
    pub(crate) replay_status: u16,
    /// The origin of the deliveries each of the verifier's keys verifies, in keyring order.
    origins: Arc<[Arc<Origin>]>,
}

/// A replay reservation held while the handler runs, in the gate's cache.
pub(crate) type Held<'g, R = dyn DynReplayCache> = Option<Pending<&'g R>>;

/// How the layer answers a request itself, instead of the handler.
pub(crate) enum Answer {
    /// A provider's handshake.
    Handshake(HandshakeReply),
    /// A refusal with `status`, and `error` for its `Retry-After` and the answer's `Refused`.
    Refused { status: u16, error: FreshError },
}

impl<C: Clock> Gate<C> {
    /// A gate that verifies with `verifier`: no replay cache, bodies up to 1 MiB.
    pub(crate) fn new(verifier: Verifier<C>) -> Self {
        let scheme = verifier.scheme();
        let origins = verifier.keyring().map_or_else(
            || Arc::from([]),
            |ring| {
                ring.keys()
                    .map(|key| Arc::new(Origin::new(scheme, key.id().clone())))
                    .collect()
            },
        );
        Self {
            verifier: Arc::new(verifier),
            cache: None,
            body_limit: DEFAULT_BODY_LIMIT,
            replay_status: 409,
            origins,
        }
    }
}

impl<C, R: ?Sized> Gate<C, R> {
    /// This gate with `cache` as its replay cache.
    pub(crate) fn with_cache<R2: ?Sized>(self, cache: Arc<R2>) -> Gate<C, R2> {
        Gate {
            verifier: self.verifier,
            cache: Some(cache),
            body_limit: self.body_limit,
            replay_status: self.replay_status,
            origins: self.origins,
        }
    }

    /// The refusal for `error`.
    fn refuse(&self, error: FreshError) -> Answer {
        let status = match error {
            FreshError::Replayed => self.replay_status,
            _ => error.status_code(),
        };
        Answer::Refused { status, error }
    }
}

impl<C: Clock, R: ReplayCache + ?Sized> Gate<C, R> {
    /// The answer to a `GET` challenge (Dropbox, Meta), which carries no signature and no body:
    /// given before the body is read. `None` at once for schemes without one, and for other
    /// methods.
    pub(crate) fn challenge(&self, method: &str, query: &str) -> Option<Answer> {
        let answer = self.verifier.challenge(method, query)?;
        Some(match answer {
            Ok(reply) => Answer::Handshake(reply),
            Err(error) => self.refuse(FreshError::Handshake(error)),
        })
    }

    /// Verifies `request` (its headers, and its request line for schemes that sign it) with
    /// its buffered `body` — with the MACs run as it arrived, when there are — answers a signed
    /// handshake, and, with a replay cache, reserves the replay key: the delivery to hand the
    /// handler, or the layer's own answer.
    ///
    /// The future holds little across its awaits (the key, the delivery, the cache's own
    /// future): a verifier that fetches its keys loads them in a future of their own, boxed.
    pub(crate) async fn admit<'g, H: HeaderSource + Sync + ?Sized>(
        &'g self,
        request: &H,
        body: &Bytes,
        body_mac: Option<BodyMac>,
    ) -> Result<(VerifiedDelivery, Held<'g, R>), Answer> {
        if self.verifier.keyring().is_none() {
            Box::pin(self.verifier.load_key(request, body))
                .await
                .map_err(|error| self.refuse(FreshError::Rejected(error)))?;
        }
        let delivery = self.verify(request, body, body_mac)?;
        let pending = match &self.cache {
            None => None,
            Some(cache) => {
                let reserve = self.verifier.reserve_key(delivery.replay_key(), &**cache);
                Some(reserve.await.map_err(|error| self.refuse(error))?)
            }
        };
        Ok((delivery, pending))
    }

    /// The steps of [`Gate::admit`] that wait for nothing: verify (with the MACs run as the
    /// body arrived, when there are), answer a signed handshake, and make the delivery.
    fn verify<H: HeaderSource + ?Sized>(
        &self,
        request: &H,
        body: &Bytes,
        body_mac: Option<BodyMac>,
    ) -> Result<VerifiedDelivery, Answer> {
        let verified = match body_mac {
            Some(body_mac) => self.verifier.verify_with_mac(request, body, body_mac),
            None => self.verifier.verify(request, body),
        };
        let verified = verified.map_err(|error| self.refuse(FreshError::Rejected(error)))?;
        // A signed handshake is answered once verified, and before the replay cache: it takes
        // no replay key, so a provider's retry of it (the same bytes) gets the same answer, and
        // answering it twice does no harm (the answer is made of the signed request alone).
        if let Some(answer) = self.verifier.handshake(&verified, request) {
            return Err(match answer {
                Ok(reply) => Answer::Handshake(reply),
                Err(error) => self.refuse(FreshError::Handshake(error)),
            });
        }
        let origin = self.origin(&verified);
        let key = verified.replay_key();
        Ok(VerifiedDelivery::new(&verified, body.clone(), origin, key))
    }

    /// The shared part of the delivery `verified` vouches for: the one made for its key, or,
    /// for a fetched key, a new one.
    fn origin(&self, verified: &Verified<'_>) -> Arc<Origin> {
        let held = self
            .verifier
            .keyring()
            .map_or(&[][..], |ring| ring.as_slice());
        let matched = verified.matched_key();
        match held
            .iter()
            .zip(self.origins.iter())
            .find(|(key, _)| core::ptr::eq(*key, matched))
        {
            Some((_, origin)) => Arc::clone(origin),
            None => Arc::new(Origin::new(verified.scheme(), verified.key_id().clone())),
        }
    }
}

impl<C, R: ?Sized> Clone for Gate<C, R> {
    fn clone(&self) -> Self {
        Self {
            verifier: Arc::clone(&self.verifier),
            cache: self.cache.clone(),
            body_limit: self.body_limit,
            replay_status: self.replay_status,
            origins: Arc::clone(&self.origins),
        }
    }
}

/// The default body limit: 1 MiB.
pub(crate) const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

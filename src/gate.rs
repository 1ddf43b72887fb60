//! [`Gate`]: what every verification layer does before the handler, whatever its framework —
//! answer a `GET` challenge, verify the buffered request, answer a signed handshake, reserve the
//! replay key — so the tower layer and the actix-web middleware only read bodies and write
//! answers in their framework's types.

use std::sync::Arc;

use bytes::Bytes;

use crate::body_mac::BodyMac;
use crate::clock::Clock;
use crate::error::FreshError;
use crate::handshake::HandshakeReply;
use crate::headers::HeaderSource;
use crate::replay::{DynReplayCache, Pending};
use crate::verified_delivery::VerifiedDelivery;
use crate::verify::Verifier;

/// A layer's settings and its steps.
pub(crate) struct Gate<C> {
    pub(crate) verifier: Arc<Verifier<C>>,
    pub(crate) cache: Option<Arc<dyn DynReplayCache>>,
    pub(crate) body_limit: usize,
    /// The status of a replayed request's answer (409 unless the receiver chose otherwise).
    pub(crate) replay_status: u16,
}

/// A replay reservation held while the handler runs.
pub(crate) type Held = Option<Pending<Arc<dyn DynReplayCache>>>;

/// How the layer answers a request itself, instead of the handler.
pub(crate) enum Answer {
    /// A provider's handshake.
    Handshake(HandshakeReply),
    /// A refusal with `status`, and `error` for its `Retry-After` and the answer's `Refused`.
    Refused { status: u16, error: FreshError },
}

impl<C> Gate<C> {
    /// A gate that verifies with `verifier`: no replay cache, bodies up to 1 MiB.
    pub(crate) fn new(verifier: Verifier<C>) -> Self {
        Self {
            verifier: Arc::new(verifier),
            cache: None,
            body_limit: DEFAULT_BODY_LIMIT,
            replay_status: 409,
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

impl<C: Clock> Gate<C> {
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
    pub(crate) async fn admit<H: HeaderSource + Sync + ?Sized>(
        &self,
        request: &H,
        body: &Bytes,
        body_mac: Option<BodyMac>,
    ) -> Result<(VerifiedDelivery, Held), Answer> {
        let verified = match (self.verifier.load_key(request, body).await, body_mac) {
            (Ok(()), Some(body_mac)) => self.verifier.verify_with_mac(request, body, body_mac),
            (Ok(()), None) => self.verifier.verify(request, body),
            (Err(error), _) => Err(error),
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
        let (verified, pending) = match &self.cache {
            None => (verified, None),
            Some(cache) => {
                let (verified, pending) = self
                    .verifier
                    .reserve(verified, Arc::clone(cache))
                    .await
                    .map_err(|error| self.refuse(error))?;
                (verified, Some(pending))
            }
        };
        Ok((VerifiedDelivery::new(&verified, body.clone()), pending))
    }
}

impl<C> Clone for Gate<C> {
    fn clone(&self) -> Self {
        Self {
            verifier: Arc::clone(&self.verifier),
            cache: self.cache.clone(),
            body_limit: self.body_limit,
            replay_status: self.replay_status,
        }
    }
}

/// The default body limit: 1 MiB.
pub(crate) const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

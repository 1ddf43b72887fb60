//! [`BodyMac`]: the MACs of a request's signed content, computed as its body arrives, so a
//! layer reading the body in chunks does not read it a second time to verify it.

use core::fmt;

#[cfg(doc)]
use crate::Verifier;
use crate::mac::MacStream;
use crate::timestamp::Timestamp;

/// The most keys whose MACs run as a body arrives: a rotation in flight and one more. A
/// keyring with more HMAC keys valid at once is verified once the body is whole.
pub(crate) const MAX_STREAMED_KEYS: usize = 4;

/// The MACs of a request's signed content, run as its body arrives: under each HMAC key valid
/// when the request began to arrive, begun with the parts before the body
/// ([`Verifier::body_mac`]), fed the body's chunks in order ([`BodyMac::update`]), and finished
/// by the verification ([`Verifier::verify_with_mac`]). Its `Debug` shows no state.
#[derive(Clone)]
pub(crate) struct BodyMac {
    /// Each key's place in the keyring, and its MAC so far.
    streams: [Option<(usize, MacStream)>; MAX_STREAMED_KEYS],
    /// The bytes of body fed.
    fed: usize,
    /// When the request began to arrive: the time it is verified as of.
    pub(crate) now: Timestamp,
}

impl BodyMac {
    pub(crate) fn new(now: Timestamp) -> Self {
        Self {
            streams: [const { None }; MAX_STREAMED_KEYS],
            fed: 0,
            now,
        }
    }

    /// Adds the MAC of the key at `index` in the keyring; `None` when [`MAX_STREAMED_KEYS`] are
    /// held.
    pub(crate) fn add(&mut self, index: usize, stream: MacStream) -> Option<()> {
        let slot = self.streams.iter_mut().find(|s| s.is_none())?;
        *slot = Some((index, stream));
        Some(())
    }

    /// Feeds the body's next chunk to every MAC.
    #[cfg_attr(
        not(any(feature = "tower", feature = "actix")),
        allow(dead_code, reason = "the layers' alone")
    )]
    pub(crate) fn update(&mut self, chunk: &[u8]) {
        for (_, stream) in self.streams.iter_mut().flatten() {
            stream.update(chunk);
        }
        self.fed = self.fed.saturating_add(chunk.len());
    }

    /// The MAC of the key at `index`, fed a body of `body_len` bytes; `None` when that key has
    /// none, or a body of another length was fed (then the content is MACed whole).
    pub(crate) fn take(&mut self, index: usize, body_len: usize) -> Option<MacStream> {
        if self.fed != body_len {
            return None;
        }
        let slot = self
            .streams
            .iter_mut()
            .find(|s| s.as_ref().is_some_and(|(i, _)| *i == index))?;
        slot.take().map(|(_, stream)| stream)
    }
}

impl fmt::Debug for BodyMac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BodyMac")
            .field("fed", &self.fed)
            .finish_non_exhaustive()
    }
}

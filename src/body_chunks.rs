//! A request's body as its chunks arrive, at most a limit: [`BodyChunks`] keeps one chunk as
//! it is and joins more, and [`Unread`] says why a body was not read. Both the tower layer and
//! the actix-web middleware read bodies this way.

use bytes::{Bytes, BytesMut};

/// Why a body was not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unread {
    /// Larger than the limit, or announced so by `Content-Length` (then not read at all): 413.
    TooLarge,
    /// The body failed: 400.
    Failed,
}

/// The chunks of a body read so far: one kept as it is, more joined.
pub(crate) enum BodyChunks {
    None,
    One(Bytes),
    Many(BytesMut),
}

impl BodyChunks {
    /// The bytes held.
    pub(crate) fn len(&self) -> usize {
        match self {
            Self::None => 0,
            Self::One(b) => b.len(),
            Self::Many(b) => b.len(),
        }
    }

    /// Adds the next chunk: the first is kept as it is, later ones are joined.
    pub(crate) fn push(&mut self, chunk: Bytes) {
        *self = match std::mem::replace(self, Self::None) {
            Self::None => Self::One(chunk),
            Self::One(first) => {
                let mut joined = BytesMut::with_capacity(first.len() + chunk.len());
                joined.extend_from_slice(&first);
                joined.extend_from_slice(&chunk);
                Self::Many(joined)
            }
            Self::Many(mut joined) => {
                joined.extend_from_slice(&chunk);
                Self::Many(joined)
            }
        };
    }

    /// The body: the one chunk, not copied, or the joined ones.
    pub(crate) fn into_bytes(self) -> Bytes {
        match self {
            Self::None => Bytes::new(),
            Self::One(b) => b,
            Self::Many(b) => b.freeze(),
        }
    }
}

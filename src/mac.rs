//! The HMAC core shared by signing and verifying (HMAC-SHA256; HMAC-SHA1 for one legacy header
//! and Twilio).
//!
//! HMAC (RFC 2104) over the compression functions of RustCrypto's `sha2` and `sha1`. A key's
//! two padded blocks are compressed once, when the key is built, and each message starts from
//! those two states: a call pays for the message's blocks and the outer block only, copies 32
//! bytes of state rather than a whole hasher, and hands the body's whole blocks to the
//! compression function where they lie. The message is fed as a stream of parts: no part needs
//! to be UTF-8, and only the bytes that do not fill a block are copied (at most 63 at a time).
//!
//! The RFC 4231 and RFC 2202 vectors below, and a property test against the `hmac` crate
//! (`tests/it/mac.rs`), hold it to the standard.

use core::fmt;

use sha2::Digest as _;
use subtle::ConstantTimeEq as _;
use zeroize::Zeroize as _;

use crate::algorithm::Algorithm;
use crate::scheme::Content;
use crate::secret::Secret;

/// Length of an HMAC-SHA256 tag in bytes, and of the buffer every tag is held in.
pub(crate) const TAG_LEN: usize = 32;

/// An HMAC tag, in a 32-byte buffer. A shorter tag (HMAC-SHA1's 20 bytes) fills the front and
/// leaves the rest zero, so tags of either algorithm compare with one constant-time routine.
pub(crate) type Tag = [u8; TAG_LEN];

/// The block both hashes compress.
const BLOCK: usize = 64;

/// A chaining state: SHA-256's eight words, or SHA-1's five and three unused.
type State = [u32; 8];

/// The hash under an HMAC: SHA-256, or SHA-1.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Hash {
    Sha256,
    Sha1,
}

impl Hash {
    /// The state before any block (FIPS 180-4 §5.3).
    fn initial(self) -> State {
        match self {
            Self::Sha256 => [
                0x6a09_e667,
                0xbb67_ae85,
                0x3c6e_f372,
                0xa54f_f53a,
                0x510e_527f,
                0x9b05_688c,
                0x1f83_d9ab,
                0x5be0_cd19,
            ],
            Self::Sha1 => [
                0x6745_2301,
                0xefcd_ab89,
                0x98ba_dcfe,
                0x1032_5476,
                0xc3d2_e1f0,
                0,
                0,
                0,
            ],
        }
    }

    fn compress(self, state: &mut State, blocks: &[[u8; BLOCK]]) {
        match self {
            Self::Sha256 => sha2::block_api::compress256(state, blocks),
            Self::Sha1 => {
                if let Some(words) = state.first_chunk_mut::<5>() {
                    sha1::block_api::compress(words, blocks);
                }
            }
        }
    }

    /// The digest's length in bytes.
    fn output_len(self) -> usize {
        match self {
            Self::Sha256 => 32,
            Self::Sha1 => 20,
        }
    }

    /// The digest of `bytes` (a key longer than a block is hashed first).
    fn digest(self, bytes: &[u8]) -> Tag {
        let mut out = [0_u8; TAG_LEN];
        match self {
            Self::Sha256 => out = sha2::Sha256::digest(bytes).into(),
            Self::Sha1 => {
                for (o, b) in out.iter_mut().zip(sha1::Sha1::digest(bytes)) {
                    *o = b;
                }
            }
        }
        out
    }
}

/// One key's HMAC states under one hash: after its inner and its outer padded block.
/// Zeroized on drop, since each is as good as the key.
#[derive(Clone)]
struct Keyed {
    hash: Hash,
    inner: State,
    outer: State,
}

impl Keyed {
    fn new(hash: Hash, key: &[u8]) -> Self {
        let mut block = [0_u8; BLOCK];
        if key.len() > BLOCK {
            let mut digest = hash.digest(key);
            copy_into(&mut block, &digest);
            digest.zeroize();
        } else {
            copy_into(&mut block, key);
        }
        let padded = |byte: u8| {
            let mut pad = block.map(|b| b ^ byte);
            let mut state = hash.initial();
            hash.compress(&mut state, core::slice::from_ref(&pad));
            pad.zeroize();
            state
        };
        let keyed = Self {
            hash,
            inner: padded(0x36),
            outer: padded(0x5c),
        };
        block.zeroize();
        keyed
    }

    /// The tag of the message `feed` writes into the stream, part by part.
    fn tag(&self, feed: impl FnOnce(&mut Stream)) -> Tag {
        let mut inner = self.start();
        feed(&mut inner);
        self.finish(inner)
    }

    /// A message's stream, from the inner state.
    fn start(&self) -> Stream {
        Stream::after_one_block(self.hash, self.inner)
    }

    /// The tag of the message `inner` holds.
    fn finish(&self, inner: Stream) -> Tag {
        let digest = inner.finish();
        // The outer message is the inner digest alone: one block, padding included.
        let len = self.hash.output_len();
        let mut block = [0_u8; BLOCK];
        copy_into(&mut block, digest.get(..len).unwrap_or_default());
        if let Some(b) = block.get_mut(len) {
            *b = 0x80;
        }
        let bits = ((BLOCK + len) as u64) * 8;
        if let Some(end) = block.last_chunk_mut::<8>() {
            *end = bits.to_be_bytes();
        }
        let mut state = self.outer;
        self.hash
            .compress(&mut state, core::slice::from_ref(&block));
        let tag = to_bytes(&state, len);
        state.zeroize();
        tag
    }
}

impl Drop for Keyed {
    fn drop(&mut self) {
        self.inner.zeroize();
        self.outer.zeroize();
    }
}

/// A message being hashed from a state: the bytes that do not fill a block yet wait in
/// `pending`.
#[derive(Clone)]
struct Stream {
    hash: Hash,
    state: State,
    pending: [u8; BLOCK],
    filled: usize,
    /// Bytes hashed so far, the padded key's block included.
    total: u64,
}

impl Stream {
    /// A stream from `state`, the state after one block (the padded key).
    fn after_one_block(hash: Hash, state: State) -> Self {
        Self {
            hash,
            state,
            pending: [0; BLOCK],
            filled: 0,
            total: BLOCK as u64,
        }
    }

    fn update(&mut self, mut data: &[u8]) {
        self.total = self.total.wrapping_add(data.len() as u64);
        if self.filled > 0 {
            let room = self.pending.get_mut(self.filled..).unwrap_or_default();
            let take = room.len().min(data.len());
            let (head, rest) = data.split_at(take);
            copy_into(room, head);
            self.filled += take;
            data = rest;
            if self.filled < BLOCK {
                return;
            }
            self.hash
                .compress(&mut self.state, core::slice::from_ref(&self.pending));
            self.filled = 0;
        }
        let (blocks, rest) = data.as_chunks::<BLOCK>();
        if !blocks.is_empty() {
            self.hash.compress(&mut self.state, blocks);
        }
        copy_into(&mut self.pending, rest);
        self.filled = rest.len();
    }

    /// The digest, in the front of a tag-sized buffer.
    fn finish(mut self) -> Tag {
        let bits = self.total.wrapping_mul(8);
        let mut block = [0_u8; BLOCK];
        copy_into(
            &mut block,
            self.pending.get(..self.filled).unwrap_or_default(),
        );
        if let Some(b) = block.get_mut(self.filled) {
            *b = 0x80;
        }
        if self.filled >= BLOCK - 8 {
            self.hash
                .compress(&mut self.state, core::slice::from_ref(&block));
            block = [0; BLOCK];
        }
        if let Some(end) = block.last_chunk_mut::<8>() {
            *end = bits.to_be_bytes();
        }
        self.hash
            .compress(&mut self.state, core::slice::from_ref(&block));
        let digest = to_bytes(&self.state, self.hash.output_len());
        self.state.zeroize();
        digest
    }
}

/// Copies `from` into the front of `to` (as much as fits).
fn copy_into(to: &mut [u8], from: &[u8]) {
    for (t, f) in to.iter_mut().zip(from) {
        *t = *f;
    }
}

/// The first `len` bytes of a state's words, big-endian, in a tag-sized buffer.
fn to_bytes(state: &State, len: usize) -> Tag {
    let mut out = [0_u8; TAG_LEN];
    for (chunk, word) in out.chunks_exact_mut(4).zip(state) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    if let Some(rest) = out.get_mut(len..) {
        rest.fill(0);
    }
    out
}

/// Pre-keyed HMAC states for one key, under SHA-256 and SHA-1. Zeroized on drop.
#[derive(Clone)]
pub(crate) struct MacKey {
    sha256: Keyed,
    sha1: Keyed,
}

impl MacKey {
    pub(crate) fn new(secret: &Secret) -> Self {
        Self {
            sha256: Keyed::new(Hash::Sha256, secret.expose_secret()),
            sha1: Keyed::new(Hash::Sha1, secret.expose_secret()),
        }
    }

    /// The tag of `content` under `algorithm`: HMAC-SHA1 for it, HMAC-SHA256 for every other
    /// (in schemes that sign with a public key, HMAC keys sign nothing and the tag only anchors
    /// replay keys).
    pub(crate) fn tag_with(&self, algorithm: Algorithm, content: &Content<'_>) -> Tag {
        (self.for_algorithm(algorithm)).tag(|stream| content.feed(|part| stream.update(part)))
    }

    /// A message to be tagged under `algorithm` as it arrives, part by part
    /// ([`MacKey::tag_with`] for one known whole).
    pub(crate) fn stream(&self, algorithm: Algorithm) -> MacStream {
        let keyed = self.for_algorithm(algorithm);
        MacStream(keyed.start())
    }

    /// The tag of the message `stream` holds, begun with [`MacKey::stream`] under `algorithm`.
    pub(crate) fn finish(&self, algorithm: Algorithm, stream: MacStream) -> Tag {
        self.for_algorithm(algorithm).finish(stream.0)
    }

    fn for_algorithm(&self, algorithm: Algorithm) -> &Keyed {
        match algorithm {
            Algorithm::HmacSha1 => &self.sha1,
            _ => &self.sha256,
        }
    }

    /// The HMAC-SHA256 of `message` alone (Zoom's answer to its URL validation).
    pub(crate) fn sha256_of(&self, message: &[u8]) -> Tag {
        self.sha256.tag(|stream| stream.update(message))
    }
}

/// A message being tagged as it arrives ([`MacKey::stream`]).
#[derive(Clone)]
pub(crate) struct MacStream(Stream);

impl MacStream {
    /// Adds the message's next bytes.
    pub(crate) fn update(&mut self, part: &[u8]) {
        self.0.update(part);
    }
}

impl fmt::Debug for MacKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MacKey([REDACTED])")
    }
}

/// Compares two tags in time independent of their contents: as four words, each compared
/// with `subtle`.
pub(crate) fn tags_equal(a: &Tag, b: &Tag) -> bool {
    words(a).ct_eq(&words(b)).into()
}

/// A tag as four native-endian words.
fn words(tag: &Tag) -> [u64; 4] {
    let mut out = [0_u64; 4];
    for (word, bytes) in out.iter_mut().zip(tag.as_chunks::<8>().0) {
        *word = u64::from_ne_bytes(*bytes);
    }
    out
}

#[cfg(test)]
mod tests {
    //! RFC 4231 HMAC-SHA256 and RFC 2202 HMAC-SHA1 test vectors, run through the same
    //! keyed-state path signing and verifying use, with each message fed in several parts to
    //! prove the streaming is exact; and the `hmac` crate as an oracle for any key, message and
    //! split.

    use zeroize::Zeroizing;

    use super::*;

    struct Case {
        key: Vec<u8>,
        data: Vec<u8>,
        mac: &'static str,
        /// Test case 5 specifies only the leftmost 128 bits of the output.
        truncated_to: usize,
    }

    fn unhex(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    fn cases() -> Vec<Case> {
        vec![
            Case {
                key: vec![0x0b; 20],
                data: b"Hi There".to_vec(),
                mac: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
                truncated_to: 32,
            },
            Case {
                key: b"Jefe".to_vec(),
                data: b"what do ya want for nothing?".to_vec(),
                mac: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                truncated_to: 32,
            },
            Case {
                key: vec![0xaa; 20],
                data: vec![0xdd; 50],
                mac: "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
                truncated_to: 32,
            },
            Case {
                key: unhex("0102030405060708090a0b0c0d0e0f10111213141516171819"),
                data: vec![0xcd; 50],
                mac: "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
                truncated_to: 32,
            },
            Case {
                key: vec![0x0c; 20],
                data: b"Test With Truncation".to_vec(),
                mac: "a3b6167473100ee06e0c796c2955552b",
                truncated_to: 16,
            },
            Case {
                key: vec![0xaa; 131],
                data: b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(),
                mac: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
                truncated_to: 32,
            },
            Case {
                key: vec![0xaa; 131],
                data: b"This is a test using a larger than block-size key and a larger than \
                        block-size data. The key needs to be hashed before being used by the \
                        HMAC algorithm."
                    .to_vec(),
                mac: "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
                truncated_to: 32,
            },
        ]
    }

    fn key(bytes: &[u8]) -> MacKey {
        MacKey::new(&Secret::with_min_len(Zeroizing::new(bytes.to_vec()), 1).unwrap())
    }

    #[test]
    fn rfc4231_vectors_whole_and_streamed() {
        for (n, case) in cases().iter().enumerate() {
            let k = key(&case.key);
            let want = unhex(case.mac);
            let tag = |parts: &[&[u8]]| k.tag_with(Algorithm::HmacSha256, &Content::of(parts));
            let whole = tag(&[&case.data]);
            assert_eq!(&whole[..case.truncated_to], &want[..], "case {}", n + 1);
            // Every split point, and a three-way split with an empty part.
            for cut in 0..=case.data.len() {
                let (a, b) = case.data.split_at(cut);
                assert_eq!(tag(&[a, b]), whole, "case {} split at {cut}", n + 1);
                assert_eq!(tag(&[a, b"", b]), whole, "case {} split at {cut}", n + 1);
            }
        }
    }

    /// RFC 2202 §3, the HMAC-SHA1 cases (6 and 7 use a key longer than a block).
    #[test]
    fn rfc2202_sha1_vectors_whole_and_streamed() {
        let cases: [(Vec<u8>, Vec<u8>, &str); 7] = [
            (
                vec![0x0b; 20],
                b"Hi There".to_vec(),
                "b617318655057264e28bc0b6fb378c8ef146be00",
            ),
            (
                b"Jefe".to_vec(),
                b"what do ya want for nothing?".to_vec(),
                "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
            ),
            (
                vec![0xaa; 20],
                vec![0xdd; 50],
                "125d7342b9ac11cd91a39af48aa17b4f63f175d3",
            ),
            (
                unhex("0102030405060708090a0b0c0d0e0f10111213141516171819"),
                vec![0xcd; 50],
                "4c9007f4026250c6bc8414f9bf50c86c2d7235da",
            ),
            (
                vec![0x0c; 20],
                b"Test With Truncation".to_vec(),
                "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04",
            ),
            (
                vec![0xaa; 80],
                b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(),
                "aa4ae5e15272d00e95705637ce8a3b55ed402112",
            ),
            (
                vec![0xaa; 80],
                b"Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data"
                    .to_vec(),
                "e8e99d0f45237d786d6bbaa7965c7808bbff1a91",
            ),
        ];
        for (n, (key_bytes, data, mac)) in cases.iter().enumerate() {
            let k = key(key_bytes);
            let tag = |parts: &[&[u8]]| k.tag_with(Algorithm::HmacSha1, &Content::of(parts));
            let whole = tag(&[data]);
            assert_eq!(&whole[..20], &unhex(mac)[..], "case {}", n + 1);
            assert_eq!(&whole[20..], &[0_u8; 12], "case {}", n + 1);
            for cut in 0..=data.len() {
                let (a, b) = data.split_at(cut);
                assert_eq!(tag(&[a, b]), whole, "case {} split at {cut}", n + 1);
            }
        }
    }

    proptest::proptest! {
        /// Any key (shorter, as long as and longer than a block), any message across the block
        /// boundaries, fed in three parts: the `hmac` crate's tag, in both hashes.
        #[test]
        fn matches_the_hmac_crate(
            key_bytes in proptest::collection::vec(proptest::num::u8::ANY, 1..160),
            data in proptest::collection::vec(proptest::num::u8::ANY, 0..300),
            cuts in (0..300_usize, 0..300_usize),
        ) {
            use hmac::{Hmac, KeyInit as _, Mac as _};
            let k = key(&key_bytes);
            let (first, second) = (cuts.0.min(cuts.1).min(data.len()), cuts.0.max(cuts.1).min(data.len()));
            let (a, rest) = data.split_at(first);
            let (b, c) = rest.split_at(second - first);
            let parts: [&[u8]; 3] = [a, b, c];
            let mut sha256 = Hmac::<sha2::Sha256>::new_from_slice(&key_bytes).unwrap();
            sha256.update(&data);
            let want: Tag = sha256.finalize().into_bytes().into();
            proptest::prop_assert_eq!(k.tag_with(Algorithm::HmacSha256, &Content::of(&parts)), want);
            proptest::prop_assert_eq!(k.sha256_of(&data), want);
            let mut sha1 = Hmac::<sha1::Sha1>::new_from_slice(&key_bytes).unwrap();
            sha1.update(&data);
            let got = k.tag_with(Algorithm::HmacSha1, &Content::of(&parts));
            proptest::prop_assert_eq!(&got[..20], &sha1.finalize().into_bytes()[..]);
        }
    }

    #[test]
    fn keyed_state_is_reusable() {
        let k = key(b"Jefe");
        let message = Content::of(&[b"what do ya want for nothing?"]);
        let first = k.tag_with(Algorithm::HmacSha256, &message);
        let second = k.tag_with(Algorithm::HmacSha256, &message);
        assert_eq!(first, second);
    }

    #[test]
    fn compare_is_exact() {
        let a = [7_u8; TAG_LEN];
        let mut b = a;
        assert!(tags_equal(&a, &b));
        for i in 0..TAG_LEN {
            b = a;
            b[i] ^= 1;
            assert!(!tags_equal(&a, &b), "byte {i}");
        }
    }
}

//! The HMAC core shared by signing and verifying (HMAC-SHA256; HMAC-SHA1 for one legacy header).
//!
//! A key's HMAC state is computed once (the inner and outer pads are hashed when the key is
//! built) and cloned for every message, so a call pays only for the message itself. The message
//! is fed as a stream of parts: no part is ever copied or concatenated, and no part needs to be
//! UTF-8.

use core::fmt;

use hmac::{Hmac, KeyInit as _, Mac as _};
use sha1::Sha1;
use sha2::Sha256;
use subtle::ConstantTimeEq as _;

use crate::algorithm::Algorithm;
use crate::scheme::Content;
use crate::secret::Secret;

/// Length of an HMAC-SHA256 tag in bytes, and of the buffer every tag is held in.
pub(crate) const TAG_LEN: usize = 32;

/// An HMAC tag, in a 32-byte buffer. A shorter tag (HMAC-SHA1's 20 bytes) fills the front and
/// leaves the rest zero, so tags of either algorithm compare with one constant-time routine.
pub(crate) type Tag = [u8; TAG_LEN];

/// Pre-keyed HMAC states for one key. Zeroized on drop (the `zeroize` features of `hmac`, `sha1`
/// and `sha2`), since a keyed state is as good as the key.
#[derive(Clone)]
pub(crate) struct MacKey {
    sha256: Hmac<Sha256>,
    sha1: Hmac<Sha1>,
}

impl MacKey {
    pub(crate) fn new(secret: &Secret) -> Self {
        // HMAC takes keys of any length: longer ones are hashed, shorter ones padded, so
        // `new_from_slice` never fails for `Hmac`.
        match (
            Hmac::<Sha256>::new_from_slice(secret.expose_secret()),
            Hmac::<Sha1>::new_from_slice(secret.expose_secret()),
        ) {
            (Ok(sha256), Ok(sha1)) => Self { sha256, sha1 },
            _ => unreachable!("HMAC accepts keys of any length"),
        }
    }

    /// The tag of `content` under `algorithm`: HMAC-SHA1 for it, HMAC-SHA256 for every other
    /// (in schemes that sign with a public key, HMAC keys sign nothing and the tag only anchors
    /// replay keys).
    pub(crate) fn tag_with(&self, algorithm: Algorithm, content: &Content<'_>) -> Tag {
        match algorithm {
            Algorithm::HmacSha1 => {
                let mut state = self.sha1.clone();
                content.feed(|piece| state.update(piece));
                let mut tag = [0_u8; TAG_LEN];
                for (out, b) in tag.iter_mut().zip(state.finalize().into_bytes()) {
                    *out = b;
                }
                tag
            }
            _ => {
                let mut state = self.sha256.clone();
                content.feed(|piece| state.update(piece));
                state.finalize().into_bytes().into()
            }
        }
    }
}

impl MacKey {
    /// The HMAC-SHA256 of `message` alone (Zoom's answer to its URL validation).
    pub(crate) fn sha256_of(&self, message: &[u8]) -> Tag {
        let mut state = self.sha256.clone();
        state.update(message);
        state.finalize().into_bytes().into()
    }
}

impl fmt::Debug for MacKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MacKey([REDACTED])")
    }
}

/// Compares two tags in time independent of their contents.
pub(crate) fn tags_equal(a: &Tag, b: &Tag) -> bool {
    a[..].ct_eq(&b[..]).into()
}

#[cfg(test)]
mod tests {
    //! RFC 4231 HMAC-SHA256 test vectors, run through the same keyed-state path signing and
    //! verifying use, with each message fed in several parts to prove the streaming is exact.

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

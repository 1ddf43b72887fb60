//! Signatures checked with a public key the receiver trusts: Ed25519 (feature `ed25519`), ECDSA
//! P-256 (feature `p256`) and RSA PKCS#1 v1.5 (feature `rsa`), each with a bounded amount of
//! work per request. The keys and their text are in `secret`.

use crate::algorithm::Algorithm;
use crate::encoding::Codec;
use crate::keyring::Key;
#[cfg(any(feature = "ed25519", feature = "p256", feature = "rsa"))]
use crate::keyring::Material;
use crate::scheme::Content;

/// Whether any of `signatures` (text written with `codec`, made with `algorithm`) is `key`'s
/// signature of `content`, tried in order while `budget` lasts: each signature tried takes one
/// from it, and none is tried once it is spent. A key of another kind matches nothing.
#[cfg_attr(
    not(any(feature = "ed25519", feature = "p256", feature = "rsa")),
    allow(unused_variables, reason = "no public key can be held")
)]
pub(crate) fn verify_any(
    key: &Key,
    algorithm: Algorithm,
    signatures: &[&[u8]],
    codec: Codec,
    content: &Content<'_>,
    budget: &mut usize,
) -> bool {
    if signatures.is_empty() || *budget == 0 || key.material().family() != algorithm.family() {
        return false;
    }
    match key.material() {
        #[cfg(feature = "ed25519")]
        Material::Ed25519Signing(_) | Material::Ed25519Public(_) => {
            key.ed25519_verifying().is_some_and(|verifying| {
                crate::ed25519::verify_any(&verifying, signatures, codec, content, budget)
            })
        }
        #[cfg(feature = "p256")]
        Material::P256Public(public) => {
            let digest = sha256(content);
            let form = match algorithm {
                Algorithm::EcdsaP256Sha256Fixed => crate::secret::p256::EcdsaForm::Fixed,
                _ => crate::secret::p256::EcdsaForm::Der,
            };
            try_each(signatures, codec, algorithm, budget, |signature| {
                public.verify_prehash(&digest, signature, form)
            })
        }
        #[cfg(feature = "rsa")]
        Material::RsaPublic(public) => {
            use crate::secret::rsa::RsaHash;
            let (sha1_digest, sha256_digest);
            let (hash, digest): (RsaHash, &[u8]) = match algorithm {
                Algorithm::RsaSha1 => {
                    sha1_digest = sha1(content);
                    (RsaHash::Sha1, &sha1_digest)
                }
                _ => {
                    sha256_digest = sha256(content);
                    (RsaHash::Sha256, &sha256_digest)
                }
            };
            try_each(signatures, codec, algorithm, budget, |signature| {
                public.verify_pkcs1v15(hash, digest, signature)
            })
        }
        _ => false,
    }
}

/// Decodes each signature in turn and asks `verify` about it while `budget` lasts.
#[cfg(any(feature = "p256", feature = "rsa"))]
fn try_each(
    signatures: &[&[u8]],
    codec: Codec,
    algorithm: Algorithm,
    budget: &mut usize,
    mut verify: impl FnMut(&[u8]) -> bool,
) -> bool {
    use crate::scheme::parse::{MAX_PUBLIC_SIGNATURE_LEN, decode_public};
    for text in signatures {
        let Some(left) = budget.checked_sub(1) else {
            return false;
        };
        *budget = left;
        let mut buffer = [0_u8; MAX_PUBLIC_SIGNATURE_LEN];
        if decode_public(text, codec, algorithm, &mut buffer).is_some_and(&mut verify) {
            return true;
        }
    }
    false
}

/// The SHA-256 digest of `content`, fed piece by piece.
#[cfg(any(feature = "p256", feature = "rsa"))]
fn sha256(content: &Content<'_>) -> [u8; 32] {
    use sha2::Digest as _;
    let mut hash = sha2::Sha256::new();
    content.feed(|piece| hash.update(piece));
    hash.finalize().into()
}

/// The SHA-1 digest of `content`, fed piece by piece.
#[cfg(feature = "rsa")]
fn sha1(content: &Content<'_>) -> [u8; 20] {
    use sha1::Digest as _;
    let mut hash = sha1::Sha1::new();
    content.feed(|piece| hash.update(piece));
    hash.finalize().into()
}

//! Ed25519 signatures (feature `ed25519`): Standard Webhooks' asymmetric `v1a` entries and the
//! providers that sign with Ed25519 alone (Discord, Telnyx), verified with a bounded amount of
//! work per request. The keys and their text are in `secret::ed25519`.
//!
//! Signatures are pure Ed25519 over the scheme's signed content (for `v1a`, the same as `v1`'s:
//! `id.timestamp.body`), so one keyring can hold HMAC secrets and Ed25519 keys side by side, and
//! a sender can emit `v1` and `v1a` entries in one header.

use ed25519_dalek::{Signature, VerifyingKey};

use crate::encoding::Codec;
use crate::scheme::Content;

/// Whether any of `signatures` (text written with `codec`) is `key`'s signature of `content`,
/// tried in order while `budget` lasts: each signature tried takes one from it, and none is tried
/// once it is spent.
pub(crate) fn verify_any(
    key: &VerifyingKey,
    signatures: &[&[u8]],
    codec: Codec,
    content: &Content<'_>,
    budget: &mut usize,
) -> bool {
    for signature in signatures {
        let Some(left) = budget.checked_sub(1) else {
            return false;
        };
        *budget = left;
        if verify(key, signature, codec, content) {
            return true;
        }
    }
    false
}

/// Whether `signature` (text written with `codec`) is `key`'s signature of `content`. The
/// message is streamed into the verifier, so nothing is concatenated or allocated; a signature
/// whose `R` is unusable is refused before the message is read.
pub(crate) fn verify(
    key: &VerifyingKey,
    signature: &[u8],
    codec: Codec,
    content: &Content<'_>,
) -> bool {
    let mut bytes = [0_u8; 64];
    if codec.decode(signature, &mut bytes).is_none() {
        return false;
    }
    let signature = Signature::from_bytes(&bytes);
    if r_is_unusable(&signature) {
        return false;
    }
    let Ok(mut verifier) = key.verify_stream(&signature) else {
        return false;
    };
    #[cfg(test)]
    MESSAGE_PASSES.with(|n| n.set(n.get() + 1));
    content.feed(|piece| verifier.update(piece));
    verifier.finalize_and_verify().is_ok()
}

/// Whether the signature's `R` (its first 32 bytes) is not a curve point or is a point of small
/// order. A signer's `R` is a multiple of the base point by a secret nonce, never of small order;
/// a small-order `R` is a sign of a forgery attempt (it is what makes weak-key and malleability
/// tricks work), and a non-point can never verify. Either way the body need not be hashed.
fn r_is_unusable(signature: &Signature) -> bool {
    // ed25519-dalek decodes points only as verifying keys, whose `is_weak` is the small-order
    // test; the point is used for nothing else.
    VerifyingKey::from_bytes(signature.r_bytes())
        .ok()
        .is_none_or(|r| r.is_weak())
}

#[cfg(test)]
thread_local! {
    /// How many messages this thread has fed to an Ed25519 verifier: the work a request costs.
    pub(crate) static MESSAGE_PASSES: core::cell::Cell<usize> = const { core::cell::Cell::new(0) };
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;

    use super::*;
    use crate::error::SecretError;
    use crate::secret::ed25519::{
        EXPECTED_PUBLIC, EXPECTED_SIGNING, Ed25519PublicKey, Ed25519SigningKey,
    };

    // Svix's server test vector (`test_asymmetric_key_signing`).
    const WHSK: &str = "whsk_6Xb/dCcHpPea21PS1N9VY/NZW723CEc77N4rJCubMbfVKIDij2HKpMKkioLlX0dRqSKJp4AJ6p9lMicMFs6Kvg==";
    const WHPK: &str = "whpk_1SiA4o9hyqTCpIqC5V9HUakiiaeACeqfZTInDBbOir4=";

    #[test]
    fn the_published_pair_matches() {
        let key = Ed25519SigningKey::from_whsk(WHSK).unwrap();
        assert_eq!(key.public_key().to_whpk(), WHPK);
        assert_eq!(Ed25519PublicKey::from_whpk(WHPK).unwrap(), key.public_key());
        // Padding is optional, as for `whsec_` secrets.
        assert!(Ed25519SigningKey::from_whsk(WHSK.trim_end_matches('=')).is_ok());
    }

    #[test]
    fn mix_ups_get_their_own_error() {
        let pk_err = |t: &str| Ed25519PublicKey::from_whpk(t).unwrap_err();
        let sk_err = |t: &str| Ed25519SigningKey::from_whsk(t).unwrap_err();
        assert_eq!(pk_err(""), SecretError::Empty);
        assert_eq!(pk_err("whpk_"), SecretError::Empty);
        let public = SecretError::WrongKeyKind {
            expected: EXPECTED_PUBLIC,
        };
        let signing = SecretError::WrongKeyKind {
            expected: EXPECTED_SIGNING,
        };
        assert_eq!(pk_err(WHSK), public);
        assert_eq!(sk_err(WHPK), signing);
        assert_eq!(sk_err("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), signing);
        assert_eq!(
            pk_err(WHSK).to_string(),
            "secret text is a key of the wrong kind: expected a `whpk_` Ed25519 public key"
        );
        let missing = pk_err("1SiA4o9hyqTCpIqC5V9HUakiiaeACeqfZTInDBbOir4=");
        assert_eq!(
            missing,
            SecretError::MissingPrefix {
                expected: "whpk_".into()
            }
        );
        assert_eq!(
            missing.to_string(),
            "secret text lacks the expected prefix `whpk_`"
        );
        assert_eq!(pk_err("whpk_ 1SiA"), SecretError::ContainsWhitespace);
        assert_eq!(pk_err("whpk_!!!!"), SecretError::InvalidBase64);
        assert_eq!(
            pk_err("whpk_AAECAwQF"),
            SecretError::WrongLength {
                len: 6,
                expected: 32
            }
        );
        // The identity point is a weak key: refused.
        let mut identity = [0_u8; 32];
        identity[0] = 1;
        let text = format!(
            "whpk_{}",
            base64::engine::general_purpose::STANDARD.encode(identity)
        );
        assert_eq!(pk_err(&text), SecretError::InvalidKey);
        // A seed with someone else's public half.
        let mut pair = base64::engine::general_purpose::STANDARD
            .decode(&WHSK[5..])
            .unwrap();
        pair[63] ^= 1;
        let text = format!(
            "whsk_{}",
            base64::engine::general_purpose::STANDARD.encode(&pair)
        );
        assert_eq!(sk_err(&text), SecretError::InvalidKey);
    }

    #[test]
    fn debug_redacts_the_signing_key_only() {
        let key = Ed25519SigningKey::from_whsk(WHSK).unwrap();
        assert_eq!(format!("{key:?}"), "Ed25519SigningKey([REDACTED])");
        assert_eq!(
            format!("{:?}", key.public_key()),
            format!("Ed25519PublicKey({WHPK})")
        );
    }

    const B64: Codec = crate::scheme::parse::ED25519_BASE64;

    fn encode_signature(sig: &[u8; 64], out: &mut String) {
        B64.encode(sig, out);
    }

    #[test]
    fn streamed_verification_matches_signing() {
        let key = Ed25519SigningKey::from_whsk(WHSK).unwrap();
        let sig = key.sign(&Content::of(&[b"msg_1", b".", b"12", b".", b"body"]));
        let mut text = String::new();
        encode_signature(&sig, &mut text);
        let vk = key.public_key();
        let parts = Content::of(&[b"msg_1.1", b"2.bo", b"dy"]);
        assert!(verify(vk.verifying_key(), text.as_bytes(), B64, &parts));
        assert!(!verify(
            vk.verifying_key(),
            text.as_bytes(),
            B64,
            &Content::of(&[b"msg_1.12.bodY"])
        ));
        assert!(!verify(vk.verifying_key(), b"AAAA", B64, &parts));
    }

    #[test]
    fn a_small_order_r_is_refused_before_the_message_is_hashed() {
        let key = Ed25519SigningKey::from_whsk(WHSK).unwrap();
        let vk = key.public_key();
        let parts = Content::of(&[b"msg_1.12.body"]);
        // Encodings of points of order 1, 2, 4 and 8 (the last two also with the sign bit set).
        let mut small = [[0_u8; 32]; 6];
        small[0][0] = 1; // the identity
        small[1] = [0xff; 32]; // y = p - 1: order 2
        small[1][0] = 0xec;
        small[1][31] = 0x7f;
        small[3][31] = 0x80; // y = 0, sign bit set: order 4
        small[4] = hex32("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05");
        small[5] = hex32("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85");
        for r in small {
            assert!(VerifyingKey::from_bytes(&r).unwrap().is_weak(), "{r:?}");
            for s in [[0_u8; 32], [1_u8; 32]] {
                let mut sig = [0_u8; 64];
                sig[..32].copy_from_slice(&r);
                sig[32..].copy_from_slice(&s);
                let mut text = String::new();
                encode_signature(&sig, &mut text);
                MESSAGE_PASSES.with(|n| n.set(0));
                assert!(!verify(vk.verifying_key(), text.as_bytes(), B64, &parts));
                assert_eq!(MESSAGE_PASSES.with(core::cell::Cell::get), 0, "{r:?}");
            }
        }
        // A real signature still costs one pass.
        let mut text = String::new();
        encode_signature(&key.sign(&parts), &mut text);
        MESSAGE_PASSES.with(|n| n.set(0));
        assert!(verify(vk.verifying_key(), text.as_bytes(), B64, &parts));
        assert_eq!(MESSAGE_PASSES.with(core::cell::Cell::get), 1);
    }

    fn hex32(text: &str) -> [u8; 32] {
        hex::decode(text).unwrap().try_into().unwrap()
    }
}

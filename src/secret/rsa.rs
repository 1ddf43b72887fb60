//! RSA public keys (feature `rsa`), for PKCS#1 v1.5 signatures with SHA-1 or SHA-256: the keys
//! in the certificates AWS SNS and PayPal sign with, and keys published as a JWKS.
//!
//! Only moduli of [`RsaPublicKey::MIN_BITS`] to [`RsaPublicKey::MAX_BITS`] bits are read:
//! shorter keys are too weak to trust, and longer ones would let whoever picks the key (a
//! certificate fetched from a provider) make every verification slower.

use alloc::boxed::Box;
use core::fmt;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use rsa::BoxedUint;
use rsa::pkcs1::RsaPublicKeyRef;
use rsa::pkcs1::der::Decode as _;
use rsa::pkcs8::{ObjectIdentifier, SubjectPublicKeyInfoRef};
use rsa::traits::PublicKeyParts as _;

use super::pem;
use crate::error::SecretError;

/// A trusted RSA public key, of [`RsaPublicKey::MIN_BITS`] to [`RsaPublicKey::MAX_BITS`] bits.
///
/// `Debug` shows the key's size only (`RsaPublicKey(2048 bits)`). Two keys are equal when their
/// modulus and exponent are.
///
/// ```
/// use hookseal::RsaPublicKey;
///
/// // The key of the AWS SNS signing certificate in AWS's own validator tests.
/// let key = RsaPublicKey::from_pem(
///     "-----BEGIN PUBLIC KEY-----
/// MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAutFqueT3XgP13udzxE6U
/// pbdjOtVO5DwoMpSMiDNMnGzF1TYH5/R2LPUOBeTB0SkKnR4kpNcUZhicpGD4aKci
/// z/GEZ6wu65xncfT9H/KBOQwoXYTuClHwp6fYpGzcGFaFoEYMnijL/o4qmTSd+ukg
/// lQUgKpsDw4ofw6rUm2CttJo+GQSNQ9NfGR1h/0J+zsApkeSYrXRx5wNlu87z8os1
/// C/6PBrUHwt3xXeafXzfwut8aRRYsS8BySOA9DAgLfNHlfdQCjKPXKrG/ussgReyW
/// D6n/HH+j7Uha3xosTzQqJifcxlTq6MxWdPR6fDaJNvqw6DOE7UjUNxHguXHlVfxh
/// lQIDAQAB
/// -----END PUBLIC KEY-----",
/// )?;
/// assert_eq!(key.bits(), 2048);
/// assert_eq!(format!("{key:?}"), "RsaPublicKey(2048 bits)");
/// # Ok::<(), hookseal::SecretError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct RsaPublicKey {
    key: Box<rsa::PublicKey>,
    bits: usize,
}

/// The hash a PKCS#1 v1.5 signature was made over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RsaHash {
    /// SHA-1 (AWS SNS `SignatureVersion` 1).
    Sha1,
    /// SHA-256 (AWS SNS `SignatureVersion` 2, PayPal, RS256).
    Sha256,
}

impl RsaPublicKey {
    /// The shortest modulus read, in bits; shorter keys are [`SecretError::UnsupportedKey`].
    pub const MIN_BITS: usize = 2048;

    /// The longest modulus read, in bits; longer keys are [`SecretError::UnsupportedKey`]. The
    /// bound caps the work one request can cause: a verification's cost grows with the square
    /// of the modulus length (and with the exponent's, capped at 2^33 - 1).
    pub const MAX_BITS: usize = 4096;

    /// Reads a key from the DER of its SubjectPublicKeyInfo (RFC 5280, RFC 3279): algorithm
    /// `rsaEncryption` (parameters NULL or absent) and the PKCS#1 `RSAPublicKey`.
    ///
    /// # Errors
    ///
    /// [`SecretError::UnsupportedKey`] for a key of another algorithm (an elliptic-curve key,
    /// Ed25519, an RSASSA-PSS-only key, …), a modulus outside [`RsaPublicKey::MIN_BITS`] to
    /// [`RsaPublicKey::MAX_BITS`] bits, or a public exponent above 2^33 - 1; and
    /// [`SecretError::InvalidKey`] for bytes that are not one SubjectPublicKeyInfo holding one
    /// `RSAPublicKey`, an even modulus, or an exponent that is even or below 3.
    ///
    /// ```
    /// use base64::Engine as _;
    /// use hookseal::{RsaPublicKey, SecretError};
    ///
    /// // SendGrid's P-256 key is well-formed, and not an RSA key.
    /// let p256 = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==";
    /// let der = base64::engine::general_purpose::STANDARD.decode(p256).unwrap();
    /// assert_eq!(RsaPublicKey::from_spki_der(&der), Err(SecretError::UnsupportedKey));
    /// ```
    pub fn from_spki_der(der: &[u8]) -> Result<Self, SecretError> {
        let spki = SubjectPublicKeyInfoRef::from_der(der).map_err(|_| SecretError::InvalidKey)?;
        if spki.algorithm.oid != RSA_ENCRYPTION {
            return Err(SecretError::UnsupportedKey);
        }
        if spki.algorithm.parameters.is_some_and(|p| !p.is_null()) {
            return Err(SecretError::InvalidKey);
        }
        let pkcs1 = spki
            .subject_public_key
            .as_bytes()
            .ok_or(SecretError::InvalidKey)?;
        Self::from_pkcs1_der(pkcs1)
    }

    /// Reads a key from a PEM block: `-----BEGIN PUBLIC KEY-----` (a SubjectPublicKeyInfo, as
    /// OpenSSL writes public keys) or `-----BEGIN RSA PUBLIC KEY-----` (PKCS#1). Whitespace
    /// around the block is ignored.
    ///
    /// # Errors
    ///
    /// [`SecretError::Empty`] for blank text, [`SecretError::WrongKeyKind`] for a private key's
    /// block, [`SecretError::InvalidKey`] for text that is not one PEM block of a public key
    /// (a certificate is read by `Certificate::from_pem`, with feature `x509`), and the errors
    /// of [`RsaPublicKey::from_spki_der`].
    pub fn from_pem(text: &str) -> Result<Self, SecretError> {
        if text.trim().is_empty() {
            return Err(SecretError::Empty);
        }
        if !pem::looks_like_pem(text.as_bytes()) {
            return Err(SecretError::InvalidKey);
        }
        let (label, der) = pem::decode(text.as_bytes()).ok_or(SecretError::InvalidKey)?;
        match label {
            "PUBLIC KEY" => Self::from_spki_der(&der),
            "RSA PUBLIC KEY" => Self::from_pkcs1_der(&der),
            _ if pem::is_private_key_label(label) => Err(SecretError::WrongKeyKind {
                expected: EXPECTED_RSA,
            }),
            _ => Err(SecretError::InvalidKey),
        }
    }

    /// Reads a key from a JWK's `n` and `e` members, as a JWKS document publishes them: the
    /// base64url text (RFC 7518 §6.3.1, unpadded; padding is tolerated) of the big-endian
    /// modulus and exponent. Leading zero bytes, which RFC 7518 forbids but some publishers
    /// write, are ignored.
    ///
    /// # Errors
    ///
    /// [`SecretError::InvalidBase64`] when either member does not decode, and the errors of
    /// [`RsaPublicKey::from_spki_der`] for the numbers.
    #[cfg_attr(
        not(any(test, feature = "x509")),
        allow(dead_code, reason = "for the key sets the key cache reads")
    )]
    pub(crate) fn from_jwk(n: &[u8], e: &[u8]) -> Result<Self, SecretError> {
        let decode = |member: &[u8]| {
            BASE64URL
                .decode(member)
                .map_err(|_| SecretError::InvalidBase64)
        };
        Self::from_components(&decode(n)?, &decode(e)?)
    }

    /// The modulus length in bits.
    #[must_use]
    pub fn bits(&self) -> usize {
        self.bits
    }

    /// Whether `signature` is a valid RSASSA-PKCS1-v1_5 signature (RFC 8017 §8.2) of `digest`,
    /// the output of `hash`. The signature must be exactly as long as the modulus, and the digest
    /// exactly as long as `hash`'s output. Never panics: anything malformed is `false`.
    pub(crate) fn verify_pkcs1v15(&self, hash: RsaHash, digest: &[u8], signature: &[u8]) -> bool {
        if signature.len() != self.key.size() {
            return false;
        }
        let verified = match hash {
            RsaHash::Sha1 => self
                .key
                .pkcs1v15_verify_prehash::<sha1::Sha1>(digest, signature),
            RsaHash::Sha256 => self
                .key
                .pkcs1v15_verify_prehash::<sha2::Sha256>(digest, signature),
        };
        verified.is_ok()
    }

    /// Reads the DER of a PKCS#1 `RSAPublicKey`, with the errors of
    /// [`RsaPublicKey::from_spki_der`].
    fn from_pkcs1_der(der: &[u8]) -> Result<Self, SecretError> {
        let key = RsaPublicKeyRef::from_der(der).map_err(|_| SecretError::InvalidKey)?;
        Self::from_components(key.modulus.as_bytes(), key.public_exponent.as_bytes())
    }

    /// Builds a key from its big-endian modulus and exponent, checking the sizes before any
    /// arithmetic.
    fn from_components(n: &[u8], e: &[u8]) -> Result<Self, SecretError> {
        let n = strip_leading_zeros(n);
        let e = strip_leading_zeros(e);
        let bits = bit_len(n);
        if bits == 0 || e.is_empty() {
            return Err(SecretError::InvalidKey);
        }
        if !(Self::MIN_BITS..=Self::MAX_BITS).contains(&bits) {
            return Err(SecretError::UnsupportedKey);
        }
        if n.last().is_some_and(|b| b % 2 == 0) {
            return Err(SecretError::InvalidKey);
        }
        let exponent = small_exponent(e).ok_or(SecretError::UnsupportedKey)?;
        if exponent < 3 || exponent % 2 == 0 {
            return Err(SecretError::InvalidKey);
        }
        let key = rsa::PublicKey::new_with_size_limits(
            BoxedUint::from_be_slice_vartime(n),
            BoxedUint::from_be_slice_vartime(e),
            Self::MIN_BITS..=Self::MAX_BITS,
        )
        .map_err(|_| SecretError::InvalidKey)?;
        Ok(Self {
            key: Box::new(key),
            bits,
        })
    }
}

impl fmt::Debug for RsaPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RsaPublicKey({} bits)", self.bits)
    }
}

/// `rsaEncryption` (RFC 3279, RFC 8017): an RSA key, for any RSA scheme.
pub(crate) const RSA_ENCRYPTION: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// [`SecretError::WrongKeyKind`]'s words for an RSA public key.
const EXPECTED_RSA: &str = "an RSA public key (`PUBLIC KEY` or `RSA PUBLIC KEY`)";

/// The URL-safe base64 alphabet, padding optional (JWK members are written without).
const BASE64URL: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let zeros = bytes.iter().take_while(|&&b| b == 0).count();
    bytes.get(zeros..).unwrap_or_default()
}

/// The length in bits of the big-endian number `bytes`, which has no leading zero byte.
fn bit_len(bytes: &[u8]) -> usize {
    match bytes.first() {
        None => 0,
        Some(first) => (bytes.len() - 1)
            .saturating_mul(8)
            .saturating_add(8 - first.leading_zeros() as usize),
    }
}

/// The exponent as a number, or `None` above [`rsa::PublicKey::MAX_PUB_EXPONENT`] (2^33 - 1),
/// the bound the `rsa` crate (and *ring*) keep verification cheap with.
fn small_exponent(e: &[u8]) -> Option<u64> {
    if e.len() > 8 {
        return None;
    }
    let value = e.iter().fold(0_u64, |acc, &b| (acc << 8) | u64::from(b));
    (value <= rsa::PublicKey::MAX_PUB_EXPONENT).then_some(value)
}

#[cfg(test)]
mod tests {
    use base64::engine::general_purpose::STANDARD;
    use proptest::prelude::*;
    use sha1::Sha1;
    use sha2::{Digest as _, Sha256};

    use super::*;

    /// The RSA key of the AWS SNS certificate in aws/aws-php-sns-message-validator
    /// `tests/FunctionalValidationsTest.php`, as `openssl x509 -pubkey` writes it (see
    /// `tests/vectors/aws_sns/README.md`).
    const SNS_SPKI: &str = include_str!("../../tests/vectors/aws_sns/public_key.pem");
    /// The same key as PKCS#1 (`openssl rsa -RSAPublicKey_out`).
    const SNS_PKCS1: &str = include_str!("../../tests/vectors/aws_sns/public_key_pkcs1.pem");
    /// The same key as a JWK's `n` and `e`.
    const SNS_JWK: &str = include_str!("../../tests/vectors/aws_sns/public_key.jwk.json");
    /// The first notification of the same test (`SignatureVersion` 1: SHA-1).
    const SNS_SV1: &str = include_str!("../../tests/vectors/aws_sns/notification_sv1.json");
    /// The second (`SignatureVersion` 2: SHA-256).
    const SNS_SV2: &str = include_str!("../../tests/vectors/aws_sns/notification_sv2.json");

    fn sns_key() -> RsaPublicKey {
        RsaPublicKey::from_pem(SNS_SPKI).unwrap()
    }

    /// A notification's string to sign (aws-php-sns-message-validator `MessageValidator.php`,
    /// `getStringToSign`: each signed key present, in this order, as `key\nvalue\n`) and its
    /// decoded signature.
    fn sns_signed(json: &str) -> (String, Vec<u8>) {
        let message: serde_json::Value = serde_json::from_str(json).unwrap();
        let mut text = String::new();
        for key in [
            "Message",
            "MessageId",
            "Subject",
            "SubscribeURL",
            "Timestamp",
            "Token",
            "TopicArn",
            "Type",
        ] {
            if let Some(value) = message.get(key) {
                text.push_str(key);
                text.push('\n');
                text.push_str(value.as_str().unwrap());
                text.push('\n');
            }
        }
        let signature = STANDARD
            .decode(message["Signature"].as_str().unwrap())
            .unwrap();
        (text, signature)
    }

    #[test]
    fn sns_signatures_verify_with_their_hash_only() {
        let key = sns_key();
        let (text, signature) = sns_signed(SNS_SV1);
        assert!(text.starts_with("Message\nHello world\nMessageId\n792cda85-"));
        let sha1 = Sha1::digest(&text);
        let sha256 = Sha256::digest(&text);
        assert!(key.verify_pkcs1v15(RsaHash::Sha1, &sha1, &signature));
        assert!(!key.verify_pkcs1v15(RsaHash::Sha256, &sha256, &signature));
        // A SHA-1 digest presented as SHA-256, and the reverse: the wrong length, refused.
        assert!(!key.verify_pkcs1v15(RsaHash::Sha256, &sha1, &signature));
        assert!(!key.verify_pkcs1v15(RsaHash::Sha1, &sha256, &signature));

        let (text, signature) = sns_signed(SNS_SV2);
        let sha1 = Sha1::digest(&text);
        let sha256 = Sha256::digest(&text);
        assert!(key.verify_pkcs1v15(RsaHash::Sha256, &sha256, &signature));
        assert!(!key.verify_pkcs1v15(RsaHash::Sha1, &sha1, &signature));
    }

    #[test]
    fn tampering_is_refused() {
        let key = sns_key();
        let (text, signature) = sns_signed(SNS_SV2);
        let digest = Sha256::digest(&text);
        let changed = Sha256::digest(text.replace("Hello world", "Hello World"));
        assert!(!key.verify_pkcs1v15(RsaHash::Sha256, &changed, &signature));
        for byte in [0, 1, 100, signature.len() - 1] {
            let mut flipped = signature.clone();
            flipped[byte] ^= 0x01;
            assert!(!key.verify_pkcs1v15(RsaHash::Sha256, &digest, &flipped));
        }
        // The signature must be exactly the modulus length: not shorter, not longer, even by
        // a leading zero byte.
        for len in 0..signature.len() {
            assert!(!key.verify_pkcs1v15(RsaHash::Sha256, &digest, &signature[..len]));
        }
        let mut longer = vec![0];
        longer.extend_from_slice(&signature);
        assert!(!key.verify_pkcs1v15(RsaHash::Sha256, &digest, &longer));
        // s ≥ n is refused before any arithmetic.
        assert!(!key.verify_pkcs1v15(RsaHash::Sha256, &digest, &[0xff; 256]));
        assert!(!key.verify_pkcs1v15(RsaHash::Sha256, &[], &signature));
    }

    #[test]
    fn the_encodings_read_the_same_key() {
        let spki = sns_key();
        assert_eq!(spki.bits(), 2048);
        let pkcs1 = RsaPublicKey::from_pem(SNS_PKCS1).unwrap();
        assert_eq!(pkcs1, spki);
        let jwk: serde_json::Value = serde_json::from_str(SNS_JWK).unwrap();
        let (n, e) = (jwk["n"].as_str().unwrap(), jwk["e"].as_str().unwrap());
        assert_eq!(e, "AQAB"); // 65537
        let from_jwk = RsaPublicKey::from_jwk(n.as_bytes(), e.as_bytes()).unwrap();
        assert_eq!(from_jwk, spki);
        // A leading zero byte on n (as some publishers write it) reads the same key.
        let mut n_bytes = BASE64URL.decode(n).unwrap();
        n_bytes.insert(0, 0);
        let padded_n = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&n_bytes);
        let with_zero = RsaPublicKey::from_jwk(padded_n.as_bytes(), e.as_bytes()).unwrap();
        assert_eq!(with_zero, spki);
        // Whitespace around the block, and CRLF line ends.
        let crlf = format!("\n\n {}\r\n", SNS_SPKI.trim().replace('\n', "\r\n"));
        assert_eq!(RsaPublicKey::from_pem(&crlf).unwrap(), spki);
        // From DER.
        let (_, der) = pem::decode(SNS_SPKI.as_bytes()).unwrap();
        assert_eq!(RsaPublicKey::from_spki_der(&der).unwrap(), spki);
        assert_eq!(spki.clone(), spki);
        assert_eq!(format!("{spki:?}"), "RsaPublicKey(2048 bits)");
    }

    /// The generated keys of `tests/vectors/generated/` (made with openssl; see its README).
    fn generated(name: &str) -> String {
        std::fs::read_to_string(format!(
            "{}/tests/vectors/generated/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    #[test]
    fn sizes_and_algorithms() {
        // 1024 bits (`openssl genrsa 1024`) is too short; 4608 too long; 4096 is the longest.
        assert_eq!(
            RsaPublicKey::from_pem(&generated("rsa1024.pub.pem")),
            Err(SecretError::UnsupportedKey)
        );
        assert_eq!(
            RsaPublicKey::from_pem(&generated("rsa4608.pub.pem")),
            Err(SecretError::UnsupportedKey)
        );
        let max = RsaPublicKey::from_pem(&generated("rsa4096.pub.pem")).unwrap();
        assert_eq!(max.bits(), RsaPublicKey::MAX_BITS);
        assert_eq!(format!("{max:?}"), "RsaPublicKey(4096 bits)");
        // e = 3 (`openssl genrsa -3`) is an odd exponent of at least 3: read.
        assert_eq!(
            RsaPublicKey::from_pem(&generated("rsa2048_e3.pub.pem"))
                .unwrap()
                .bits(),
            2048
        );
        // Elliptic-curve and Ed25519 keys.
        for name in ["p384.pub.pem", "ed25519.pub.pem"] {
            assert_eq!(
                RsaPublicKey::from_pem(&generated(name)),
                Err(SecretError::UnsupportedKey),
                "{name}"
            );
        }
        // SendGrid's P-256 key (sendgrid-python's test key).
        let sendgrid = concat!(
            "-----BEGIN PUBLIC KEY-----\n",
            "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfS\n",
            "mpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==\n",
            "-----END PUBLIC KEY-----",
        );
        assert_eq!(
            RsaPublicKey::from_pem(sendgrid),
            Err(SecretError::UnsupportedKey)
        );
    }

    #[test]
    fn exponents() {
        let jwk: serde_json::Value = serde_json::from_str(SNS_JWK).unwrap();
        let n = BASE64URL.decode(jwk["n"].as_str().unwrap()).unwrap();
        let with_e = |e: &[u8]| RsaPublicKey::from_components(&n, e);
        assert!(with_e(&[1, 0, 1]).is_ok());
        assert!(with_e(&[3]).is_ok());
        // Largest the rsa crate reads: 2^33 - 1.
        assert!(with_e(&[1, 0xff, 0xff, 0xff, 0xff]).is_ok());
        for e in [&[][..], &[0], &[1], &[2], &[1, 0, 0], &[0, 0, 1]] {
            assert_eq!(with_e(e), Err(SecretError::InvalidKey), "{e:?}");
        }
        for e in [&[2, 0, 0, 0, 1][..], &[1; 9], &[0xff; 64]] {
            assert_eq!(with_e(e), Err(SecretError::UnsupportedKey), "{e:?}");
        }
        // An even modulus is not an RSA modulus.
        let mut even = n.clone();
        *even.last_mut().unwrap() &= 0xfe;
        assert_eq!(
            RsaPublicKey::from_components(&even, &[1, 0, 1]),
            Err(SecretError::InvalidKey)
        );
        assert_eq!(
            RsaPublicKey::from_components(&[], &[1, 0, 1]),
            Err(SecretError::InvalidKey)
        );
        // Sizes are checked on the bytes, before the numbers are built: 2047 and 4097 bits.
        let mut short = vec![0xff; 256];
        short[0] = 0x7f;
        assert_eq!(
            RsaPublicKey::from_components(&short, &[3]),
            Err(SecretError::UnsupportedKey)
        );
        let mut long = vec![0xff; 513];
        long[0] = 0x01;
        assert_eq!(
            RsaPublicKey::from_components(&long, &[3]),
            Err(SecretError::UnsupportedKey)
        );
        assert_eq!(
            RsaPublicKey::from_components(&vec![0xff; 1 << 20], &[3]),
            Err(SecretError::UnsupportedKey)
        );
    }

    #[test]
    fn refusals_have_their_errors() {
        let err = |text: &str| RsaPublicKey::from_pem(text).unwrap_err();
        assert_eq!(err(""), SecretError::Empty);
        assert_eq!(err("\n "), SecretError::Empty);
        // Bare base64 is not PEM.
        let body: String = SNS_SPKI
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        assert_eq!(err(&body), SecretError::InvalidKey);
        let private = "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----";
        assert!(matches!(err(private), SecretError::WrongKeyKind { .. }));
        let cert = SNS_SPKI.replace("PUBLIC KEY", "CERTIFICATE");
        assert_eq!(err(&cert), SecretError::InvalidKey);
        // A PKCS#1 body under the SPKI label, and the reverse.
        let swapped = SNS_PKCS1.replace("RSA PUBLIC KEY", "PUBLIC KEY");
        assert_eq!(err(&swapped), SecretError::InvalidKey);
        let swapped = SNS_SPKI.replace("PUBLIC KEY", "RSA PUBLIC KEY");
        assert_eq!(err(&swapped), SecretError::InvalidKey);
        // JWK members that are not base64url.
        assert_eq!(
            RsaPublicKey::from_jwk(b"ab+/", b"AQAB"),
            Err(SecretError::InvalidBase64)
        );
        assert_eq!(
            RsaPublicKey::from_jwk(b"", b"AQAB"),
            Err(SecretError::InvalidKey)
        );
        // rsaEncryption with parameters other than NULL.
        let (_, mut der) = pem::decode(SNS_SPKI.as_bytes()).unwrap();
        let null = der.windows(2).position(|w| w == [0x05, 0x00]).unwrap();
        der[null] = 0x04; // an empty OCTET STRING
        assert_eq!(
            RsaPublicKey::from_spki_der(&der),
            Err(SecretError::InvalidKey)
        );
    }

    #[test]
    fn every_truncation_is_an_error() {
        let (_, der) = pem::decode(SNS_SPKI.as_bytes()).unwrap();
        for len in 0..der.len() {
            assert!(RsaPublicKey::from_spki_der(&der[..len]).is_err(), "{len}");
        }
        let mut trailing = der.clone();
        trailing.push(0);
        assert!(RsaPublicKey::from_spki_der(&trailing).is_err());
        for pem in [SNS_SPKI.trim_end(), SNS_PKCS1.trim_end()] {
            for len in 0..pem.len() {
                assert!(RsaPublicKey::from_pem(&pem[..len]).is_err(), "{len}");
            }
        }
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            prop_assert!(RsaPublicKey::from_spki_der(&bytes).is_err());
            let _ = RsaPublicKey::from_pem(&String::from_utf8_lossy(&bytes));
            let _ = RsaPublicKey::from_jwk(&bytes, b"AQAB");
            let _ = RsaPublicKey::from_jwk(b"AQAB", &bytes);
            let key = sns_key();
            prop_assert!(!key.verify_pkcs1v15(RsaHash::Sha256, &[0; 32], &bytes));
            prop_assert!(!key.verify_pkcs1v15(RsaHash::Sha1, &[0; 20], &bytes));
        }

        #[test]
        fn random_signatures_of_the_modulus_length_are_false(
            bytes in proptest::collection::vec(any::<u8>(), 256),
        ) {
            let key = sns_key();
            prop_assert!(!key.verify_pkcs1v15(RsaHash::Sha256, &[0; 32], &bytes));
            prop_assert!(!key.verify_pkcs1v15(RsaHash::Sha1, &[0; 20], &bytes));
        }
    }
}

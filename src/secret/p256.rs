//! ECDSA P-256 public keys (feature `p256`), the keys SendGrid signs its Event Webhook with.
//!
//! SendGrid shows the key in its dashboard as the base64 of its SubjectPublicKeyInfo DER; its
//! SDKs wrap the same bytes in a PEM `PUBLIC KEY` block. Both forms are read by
//! [`P256PublicKey::from_encoded`]. A receiver trusts exactly the keys it was configured with,
//! never one named or carried by a request.

use core::fmt;

use p256::ecdsa::signature::hazmat::PrehashVerifier as _;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::pkcs8::der::Decode as _;
use p256::pkcs8::{ObjectIdentifier, SubjectPublicKeyInfoRef};

use super::pem;
use crate::error::SecretError;

/// A trusted ECDSA P-256 public key.
///
/// `Debug` prints `P256PublicKey(..)`: the key is public, but a log has no use for its bytes.
/// Two keys are equal when they are the same point.
///
/// ```
/// use hookseal::P256PublicKey;
///
/// // The verification key of a SendGrid Event Webhook, as its dashboard shows it (this one is
/// // from SendGrid's own SDK tests).
/// let key = P256PublicKey::from_encoded(
///     "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==",
/// )?;
/// assert_eq!(format!("{key:?}"), "P256PublicKey(..)");
/// # Ok::<(), hookseal::SecretError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct P256PublicKey(VerifyingKey);

/// How an ECDSA signature is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EcdsaForm {
    /// ASN.1 DER: a SEQUENCE of the two INTEGERs `r` and `s` (SendGrid, and most libraries).
    Der,
    /// The fixed 64 bytes `r ‖ s`, each big-endian in 32 bytes (JOSE's ES256, WebCrypto).
    Fixed,
}

impl P256PublicKey {
    /// Reads a key from the DER of its SubjectPublicKeyInfo (RFC 5480): algorithm
    /// `id-ecPublicKey`, curve `prime256v1` (P-256), and the point, compressed or not.
    ///
    /// # Errors
    ///
    /// [`SecretError::UnsupportedKey`] for a key of another algorithm (RSA, Ed25519, …) or an
    /// elliptic-curve key on another curve (P-384, P-521, secp256k1, …), and
    /// [`SecretError::InvalidKey`] for bytes that are not one SubjectPublicKeyInfo, curve
    /// parameters that are not a named curve, or a point that is not on the curve (or is the
    /// point at infinity).
    ///
    /// ```
    /// use base64::Engine as _;
    /// use hookseal::{P256PublicKey, SecretError};
    ///
    /// let text = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==";
    /// let der = base64::engine::general_purpose::STANDARD.decode(text).unwrap();
    /// assert_eq!(P256PublicKey::from_spki_der(&der)?, P256PublicKey::from_encoded(text)?);
    /// assert_eq!(P256PublicKey::from_spki_der(&der[..64]), Err(SecretError::InvalidKey));
    /// # Ok::<(), SecretError>(())
    /// ```
    pub fn from_spki_der(der: &[u8]) -> Result<Self, SecretError> {
        let spki = SubjectPublicKeyInfoRef::from_der(der).map_err(|_| SecretError::InvalidKey)?;
        if spki.algorithm.oid != ID_EC_PUBLIC_KEY {
            return Err(SecretError::UnsupportedKey);
        }
        let curve = spki
            .algorithm
            .parameters_oid()
            .map_err(|_| SecretError::InvalidKey)?;
        if curve != PRIME256V1 {
            return Err(SecretError::UnsupportedKey);
        }
        let point = spki
            .subject_public_key
            .as_bytes()
            .ok_or(SecretError::InvalidKey)?;
        VerifyingKey::from_sec1_bytes(point)
            .map(Self)
            .map_err(|_| SecretError::InvalidKey)
    }

    /// Reads a key from text: the standard base64 (padding optional) of its SubjectPublicKeyInfo
    /// DER — the form SendGrid shows in its dashboard — or a PEM `-----BEGIN PUBLIC KEY-----`
    /// block of the same DER. Whitespace around either is ignored (a copied key often ends with a
    /// line break).
    ///
    /// # Errors
    ///
    /// [`SecretError::Empty`] for blank text; for base64, [`SecretError::ContainsWhitespace`]
    /// for whitespace inside it and [`SecretError::InvalidBase64`] when it does not decode; for
    /// PEM, [`SecretError::WrongKeyKind`] for a private key's block and
    /// [`SecretError::InvalidKey`] for a block that does not decode or has another label; then
    /// the errors of [`P256PublicKey::from_spki_der`].
    pub fn from_encoded(text: &str) -> Result<Self, SecretError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(SecretError::Empty);
        }
        if pem::looks_like_pem(trimmed.as_bytes()) {
            let (label, der) = pem::decode(trimmed.as_bytes()).ok_or(SecretError::InvalidKey)?;
            return match label {
                "PUBLIC KEY" => Self::from_spki_der(&der),
                _ if pem::is_private_key_label(label) => Err(SecretError::WrongKeyKind {
                    expected: EXPECTED_P256,
                }),
                _ => Err(SecretError::InvalidKey),
            };
        }
        if trimmed.chars().any(char::is_whitespace) {
            return Err(SecretError::ContainsWhitespace);
        }
        Self::from_spki_der(&super::decode_base64(trimmed)?)
    }

    /// Whether `signature` is a valid ECDSA P-256 signature of the SHA-256 `digest`, written in
    /// `form`. Both low and high `s` are accepted, as ECDSA defines (SendGrid's signatures have
    /// either). Never panics: a malformed signature (bad DER, the wrong length, `r` or `s` zero or
    /// not below the group order) is `false`.
    pub(crate) fn verify_prehash(
        &self,
        digest: &[u8; 32],
        signature: &[u8],
        form: EcdsaForm,
    ) -> bool {
        let signature = match form {
            EcdsaForm::Der => Signature::from_der(signature),
            EcdsaForm::Fixed => Signature::from_slice(signature),
        };
        signature.is_ok_and(|signature| self.0.verify_prehash(digest, &signature).is_ok())
    }
}

impl fmt::Debug for P256PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("P256PublicKey(..)")
    }
}

/// [`SecretError::WrongKeyKind`]'s words for a P-256 public key.
const EXPECTED_P256: &str = "a P-256 public key (`PUBLIC KEY`)";

/// `id-ecPublicKey` (RFC 5480): an elliptic-curve key, its curve named in the parameters.
pub(crate) const ID_EC_PUBLIC_KEY: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");

/// `prime256v1` / `secp256r1` (RFC 5480): the curve P-256.
const PRIME256V1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use proptest::prelude::*;
    use sha2::{Digest as _, Sha256};

    use super::*;

    /// One SendGrid known answer, as `tests/vectors/sendgrid/vectors.json` lists them.
    struct Vector {
        source: String,
        public_key: String,
        signature: String,
        timestamp: String,
        payload: String,
    }

    const VECTORS: &str = include_str!("../../tests/vectors/sendgrid/vectors.json");

    /// The vectors with their payload files' bytes.
    fn vectors() -> Vec<(Vector, Vec<u8>)> {
        let vectors: Vec<serde_json::Value> = serde_json::from_str(VECTORS).unwrap();
        assert_eq!(vectors.len(), 3);
        vectors
            .iter()
            .map(|v| {
                let field = |name: &str| v[name].as_str().unwrap().to_owned();
                let v = Vector {
                    source: field("source"),
                    public_key: field("public_key"),
                    signature: field("signature"),
                    timestamp: field("timestamp"),
                    payload: field("payload"),
                };
                let path = format!(
                    "{}/tests/vectors/sendgrid/{}",
                    env!("CARGO_MANIFEST_DIR"),
                    v.payload
                );
                let payload = std::fs::read(&path).unwrap();
                (v, payload)
            })
            .collect()
    }

    /// What SendGrid signs: SHA-256 of the timestamp header's text followed by the raw body.
    fn digest(timestamp: &str, payload: &[u8]) -> [u8; 32] {
        Sha256::new()
            .chain_update(timestamp)
            .chain_update(payload)
            .finalize()
            .into()
    }

    /// The DER signature `SEQUENCE { INTEGER r, INTEGER s }` rewritten as the fixed `r ‖ s`.
    fn der_to_fixed(der: &[u8]) -> Vec<u8> {
        Signature::from_der(der).unwrap().to_bytes().to_vec()
    }

    /// sendgrid/sendgrid-python `test/unit/test_eventwebhook.py`, also sendgrid-go
    /// `helpers/eventwebhook/eventwebhook_test.go` (commits in the vector file).
    const PYTHON_KEY: &str = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==";

    /// The SDKs' "bad key" (`test_verify_bad_key`, "should reject for invalid key").
    const WRONG_KEY: &str = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqTxd43gyp8IOEto2LdIfjRQrIbsd4SXZkLW6jDutdhXSJCWHw8REntlo7aNDthvj+y7GjUuFDb/R1NGe1OPzpA==";

    /// The SDKs' "bad signature": sendgrid-nodejs's older signature with one character changed
    /// (`…NH2j/0=` to `…NH3j/0=`).
    const TAMPERED_SIGNATURE: &str = "MEUCIQCtIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRamr2nlxFDWYNH3j/0=";

    #[test]
    fn sendgrid_sdk_vectors_verify() {
        for (v, payload) in vectors() {
            let key = P256PublicKey::from_encoded(&v.public_key).unwrap();
            let der = STANDARD.decode(&v.signature).unwrap();
            let digest = digest(&v.timestamp, &payload);
            assert!(
                key.verify_prehash(&digest, &der, EcdsaForm::Der),
                "{}",
                v.source
            );
            // The same signature as r ‖ s, and each form refused as the other.
            let fixed = der_to_fixed(&der);
            assert!(key.verify_prehash(&digest, &fixed, EcdsaForm::Fixed));
            assert!(!key.verify_prehash(&digest, &der, EcdsaForm::Fixed));
            assert!(!key.verify_prehash(&digest, &fixed, EcdsaForm::Der));
        }
    }

    #[test]
    fn sendgrid_payload_is_exact() {
        let all = vectors();
        // sendgrid-python: the trailing CRLF is part of what SendGrid signs.
        let (v, payload) = &all[0];
        assert_eq!(v.payload, "dropped_event.json");
        assert!(payload.ends_with(b"}]\r\n"));
        let key = P256PublicKey::from_encoded(&v.public_key).unwrap();
        let der = STANDARD.decode(&v.signature).unwrap();
        let without_crlf = &payload[..payload.len() - 2];
        assert!(!key.verify_prehash(&digest(&v.timestamp, without_crlf), &der, EcdsaForm::Der));
        // sendgrid-nodejs (older spec): signed without one; adding it breaks the signature.
        let (v, payload) = &all[2];
        assert_eq!(v.payload, "test_event.json");
        let key = P256PublicKey::from_encoded(&v.public_key).unwrap();
        let der = STANDARD.decode(&v.signature).unwrap();
        let mut with_crlf = payload.clone();
        with_crlf.extend_from_slice(b"\r\n");
        assert!(!key.verify_prehash(&digest(&v.timestamp, &with_crlf), &der, EcdsaForm::Der));
    }

    #[test]
    fn sendgrid_sdk_negative_cases() {
        let all = vectors();
        let (v, payload) = &all[0];
        assert_eq!(v.public_key, PYTHON_KEY);
        let key = P256PublicKey::from_encoded(PYTHON_KEY).unwrap();
        let der = STANDARD.decode(&v.signature).unwrap();
        let good = digest(&v.timestamp, payload);
        assert!(key.verify_prehash(&good, &der, EcdsaForm::Der));

        // test_verify_bad_key
        let wrong = P256PublicKey::from_encoded(WRONG_KEY).unwrap();
        assert_ne!(wrong, key);
        assert!(!wrong.verify_prehash(&good, &der, EcdsaForm::Der));
        // test_verify_bad_payload, test_verify_bad_timestamp
        assert!(!key.verify_prehash(&digest(&v.timestamp, b"payload"), &der, EcdsaForm::Der));
        assert!(!key.verify_prehash(&digest("timestamp", payload), &der, EcdsaForm::Der));
        // test_verify_bad_signature: a well-formed signature, of something else.
        let tampered = STANDARD.decode(TAMPERED_SIGNATURE).unwrap();
        assert!(!key.verify_prehash(&good, &tampered, EcdsaForm::Der));
        // And the older nodejs vector's tampered signature under its own key.
        let (old, old_payload) = &all[2];
        let old_key = P256PublicKey::from_encoded(&old.public_key).unwrap();
        let old_digest = digest(&old.timestamp, old_payload);
        assert!(!old_key.verify_prehash(&old_digest, &tampered, EcdsaForm::Der));
        // Every single-bit flip of the signature fails (or stops being DER).
        for i in 0..der.len() * 8 {
            let mut flipped = der.clone();
            flipped[i / 8] ^= 1 << (i % 8);
            assert!(
                !key.verify_prehash(&good, &flipped, EcdsaForm::Der),
                "bit {i}"
            );
        }
        // Every single-bit flip of the digest fails.
        for i in 0..256 {
            let mut flipped = good;
            flipped[i / 8] ^= 1 << (i % 8);
            assert!(
                !key.verify_prehash(&flipped, &der, EcdsaForm::Der),
                "bit {i}"
            );
        }
    }

    #[test]
    fn malformed_signatures_are_false() {
        let (v, payload) = vectors().into_iter().next().unwrap();
        let key = P256PublicKey::from_encoded(&v.public_key).unwrap();
        let der = STANDARD.decode(&v.signature).unwrap();
        let good = digest(&v.timestamp, &payload);
        for len in 0..der.len() {
            assert!(
                !key.verify_prehash(&good, &der[..len], EcdsaForm::Der),
                "{len}"
            );
        }
        let mut trailing = der.clone();
        trailing.push(0);
        assert!(!key.verify_prehash(&good, &trailing, EcdsaForm::Der));
        let fixed = der_to_fixed(&der);
        for len in 0..fixed.len() {
            assert!(!key.verify_prehash(&good, &fixed[..len], EcdsaForm::Fixed));
        }
        // r = 0, s = 0, and r, s at the group order n: out of range, not verified.
        let n = hex::decode("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551")
            .unwrap();
        let zero = [0_u8; 32];
        for (r, s) in [(&zero[..], &fixed[32..]), (&fixed[..32], &zero[..])] {
            let sig = [r, s].concat();
            assert!(!key.verify_prehash(&good, &sig, EcdsaForm::Fixed));
        }
        let at_n = [&n[..], &n[..]].concat();
        assert!(!key.verify_prehash(&good, &at_n, EcdsaForm::Fixed));
        // DER of the same values: INTEGER 0, and a negative INTEGER.
        let zeros = hex::decode("3006020100020100").unwrap();
        let negative = hex::decode("3006020180020101").unwrap();
        for sig in [zeros, negative, Vec::new()] {
            assert!(!key.verify_prehash(&good, &sig, EcdsaForm::Der));
        }
    }

    #[test]
    fn encodings_read_the_same_key() {
        let der = STANDARD.decode(PYTHON_KEY).unwrap();
        let from_der = P256PublicKey::from_spki_der(&der).unwrap();
        let bare = P256PublicKey::from_encoded(PYTHON_KEY.trim_end_matches('=')).unwrap();
        let spaced = P256PublicKey::from_encoded(&format!("  {PYTHON_KEY}\n")).unwrap();
        assert_eq!(from_der, bare);
        assert_eq!(from_der, spaced);
        // The PEM the SDKs build, with LF and CRLF line ends, and whitespace around it.
        let pem = pem_of(PYTHON_KEY, "\n");
        assert_eq!(P256PublicKey::from_encoded(&pem).unwrap(), from_der);
        let crlf = format!("\r\n{}\r\n", pem_of(PYTHON_KEY, "\r\n"));
        assert_eq!(P256PublicKey::from_encoded(&crlf).unwrap(), from_der);
        // A compressed point is the same key.
        let compressed = from_der.0.to_sec1_point(true);
        let mut spki = hex::decode("3039301306072a8648ce3d020106082a8648ce3d030107032200").unwrap();
        spki.extend_from_slice(compressed.as_bytes());
        assert_eq!(P256PublicKey::from_spki_der(&spki).unwrap(), from_der);
    }

    /// A PEM `PUBLIC KEY` block of base64 text, in 64-column lines.
    fn pem_of(base64: &str, eol: &str) -> String {
        let mut pem = format!("-----BEGIN PUBLIC KEY-----{eol}");
        for line in base64.as_bytes().chunks(64) {
            pem.push_str(core::str::from_utf8(line).unwrap());
            pem.push_str(eol);
        }
        pem.push_str("-----END PUBLIC KEY-----");
        pem
    }

    #[test]
    fn clone_eq_and_debug() {
        let key = P256PublicKey::from_encoded(PYTHON_KEY).unwrap();
        let other = P256PublicKey::from_encoded(WRONG_KEY).unwrap();
        assert_eq!(key.clone(), key);
        assert_ne!(key, other);
        assert_eq!(format!("{key:?}"), "P256PublicKey(..)");
        assert_eq!(format!("{key:#?}"), "P256PublicKey(..)");
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
    fn other_algorithms_and_curves_are_unsupported() {
        for name in [
            "p384.pub.pem",
            "ed25519.pub.pem",
            "rsa1024.pub.pem",
            "rsa4096.pub.pem",
        ] {
            assert_eq!(
                P256PublicKey::from_encoded(&generated(name)),
                Err(SecretError::UnsupportedKey),
                "{name}"
            );
        }
        // The AWS SNS certificate's RSA key (tests/vectors/aws_sns/public_key.pem).
        let sns = include_str!("../../tests/vectors/aws_sns/public_key.pem");
        assert_eq!(
            P256PublicKey::from_encoded(sns),
            Err(SecretError::UnsupportedKey)
        );
    }

    #[test]
    fn refusals_have_their_errors() {
        let err = |text: &str| P256PublicKey::from_encoded(text).unwrap_err();
        assert_eq!(err(""), SecretError::Empty);
        assert_eq!(err(" \n"), SecretError::Empty);
        assert_eq!(err("MFkw EwYH"), SecretError::ContainsWhitespace);
        assert_eq!(err("MFkw!"), SecretError::InvalidBase64);
        assert_eq!(err("AAAA"), SecretError::InvalidKey);
        let private = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----";
        assert!(matches!(err(private), SecretError::WrongKeyKind { .. }));
        let ec_private = private.replace("PRIVATE", "EC PRIVATE");
        assert!(matches!(err(&ec_private), SecretError::WrongKeyKind { .. }));
        let cert = pem_of(PYTHON_KEY, "\n").replace("PUBLIC KEY", "CERTIFICATE");
        assert_eq!(err(&cert), SecretError::InvalidKey);
        let broken = pem_of(PYTHON_KEY, "\n").replace("MFkw", "MF!w");
        assert_eq!(err(&broken), SecretError::InvalidKey);

        // A point off the curve: the last byte of y changed.
        let mut der = STANDARD.decode(PYTHON_KEY).unwrap();
        *der.last_mut().unwrap() ^= 1;
        assert_eq!(
            P256PublicKey::from_spki_der(&der),
            Err(SecretError::InvalidKey)
        );
        // The point at infinity (SEC 1's single 0x00 byte).
        let infinity =
            hex::decode("3019301306072a8648ce3d020106082a8648ce3d03010703020000").unwrap();
        assert_eq!(
            P256PublicKey::from_spki_der(&infinity),
            Err(SecretError::InvalidKey)
        );
        // id-ecPublicKey without a named curve (implicit or explicit parameters).
        let no_curve = hex::decode("300e300906072a8648ce3d0201030100").unwrap();
        assert_eq!(
            P256PublicKey::from_spki_der(&no_curve),
            Err(SecretError::InvalidKey)
        );
    }

    #[test]
    fn every_truncation_is_an_error() {
        let der = STANDARD.decode(PYTHON_KEY).unwrap();
        for len in 0..der.len() {
            assert!(P256PublicKey::from_spki_der(&der[..len]).is_err(), "{len}");
        }
        let mut trailing = der.clone();
        trailing.push(0);
        assert!(P256PublicKey::from_spki_der(&trailing).is_err());
        let pem = pem_of(PYTHON_KEY, "\n");
        for (len, _) in pem.char_indices() {
            assert!(P256PublicKey::from_encoded(&pem[..len]).is_err(), "{len}");
        }
        for len in 0..PYTHON_KEY.len() {
            let text = &PYTHON_KEY[..len];
            // Cutting off only padding leaves the same key.
            if text.trim_end_matches('=').len() < PYTHON_KEY.trim_end_matches('=').len() {
                assert!(P256PublicKey::from_encoded(text).is_err(), "{len}");
            }
        }
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            prop_assert!(P256PublicKey::from_spki_der(&bytes).is_err());
            let text = String::from_utf8_lossy(&bytes);
            let _ = P256PublicKey::from_encoded(&text);
            let key = P256PublicKey::from_encoded(PYTHON_KEY).unwrap();
            let digest = [7_u8; 32];
            prop_assert!(!key.verify_prehash(&digest, &bytes, EcdsaForm::Der));
            prop_assert!(!key.verify_prehash(&digest, &bytes, EcdsaForm::Fixed));
        }

        #[test]
        fn random_pem_never_panics(body in "[A-Za-z0-9+/=\r\n -]{0,200}") {
            let text = format!("-----BEGIN PUBLIC KEY-----\n{body}\n-----END PUBLIC KEY-----");
            let _ = P256PublicKey::from_encoded(&text);
        }
    }
}

//! [`PrivateKey`]: the private half of a provider's key pair, made up for a test, so the kit can
//! sign the presets whose providers sign with their own key (SendGrid's P-256, the RSA of AWS
//! SNS, PayPal and Google Pub/Sub).

use core::fmt;

use crate::algorithm::Algorithm;
use crate::error::{ConfigError, SecretError};
use crate::keyring::KeyId;
use crate::scheme::Content;
use crate::secret::pem;

/// A private key that signs for a provider in a test: ECDSA P-256 (feature `p256`, SendGrid) or
/// RSA (feature `rsa`, AWS SNS, PayPal, Google Pub/Sub), with an id (a token's `kid`; a key id
/// elsewhere). The verifier under test holds the public half: the key, or a certificate of it.
///
/// `Debug` shows the id and the kind of key, never the key.
///
/// ```
/// # #[cfg(feature = "p256")] {
/// use hookseal::test_kit::PrivateKey;
///
/// let pem = include_str!("../../tests/vectors/kit/p256.key.pem");
/// let key = PrivateKey::p256_from_pem("sendgrid", pem)?;
/// assert_eq!(format!("{key:?}"), "PrivateKey { id: \"sendgrid\", kind: \"P-256\" }");
/// # }
/// # Ok::<(), hookseal::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct PrivateKey {
    id: KeyId,
    kind: Kind,
}

#[derive(Clone)]
enum Kind {
    #[cfg(feature = "p256")]
    P256(Box<p256::ecdsa::SigningKey>),
    #[cfg(feature = "rsa")]
    Rsa(Box<rsa::PrivateKey>),
}

impl PrivateKey {
    /// Reads a P-256 private key, named `id`, from a PEM `-----BEGIN PRIVATE KEY-----` block
    /// (PKCS#8, as `openssl genpkey` writes it).
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidKeyId`] for an invalid id, and [`ConfigError::Secret`] with
    /// [`SecretError::InvalidKey`] for text that is not one such block of a P-256 key.
    #[cfg(feature = "p256")]
    #[cfg_attr(docsrs, doc(cfg(feature = "p256")))]
    pub fn p256_from_pem(id: &str, pem: &str) -> Result<Self, ConfigError> {
        use p256::pkcs8::DecodePrivateKey as _;
        let id = KeyId::new(id)?;
        let der = pkcs8_der(pem, &["PRIVATE KEY"])?;
        let key = p256::ecdsa::SigningKey::from_pkcs8_der(&der)
            .map_err(|_| ConfigError::Secret(SecretError::InvalidKey))?;
        Ok(Self {
            id,
            kind: Kind::P256(Box::new(key)),
        })
    }

    /// Reads an RSA private key, named `id`, from a PEM block: `-----BEGIN PRIVATE KEY-----`
    /// (PKCS#8) or `-----BEGIN RSA PRIVATE KEY-----` (PKCS#1).
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidKeyId`] for an invalid id, and [`ConfigError::Secret`] with
    /// [`SecretError::InvalidKey`] for text that is not one such block of an RSA key.
    #[cfg(feature = "rsa")]
    #[cfg_attr(docsrs, doc(cfg(feature = "rsa")))]
    pub fn rsa_from_pem(id: &str, pem: &str) -> Result<Self, ConfigError> {
        use rsa::pkcs1::DecodeRsaPrivateKey as _;
        use rsa::pkcs8::DecodePrivateKey as _;
        let id = KeyId::new(id)?;
        let invalid = || ConfigError::Secret(SecretError::InvalidKey);
        let (label, der) = pem::decode(pem.as_bytes()).ok_or_else(invalid)?;
        let key = match label {
            "PRIVATE KEY" => rsa::PrivateKey::from_pkcs8_der(&der).map_err(|_| invalid())?,
            "RSA PRIVATE KEY" => rsa::PrivateKey::from_pkcs1_der(&der).map_err(|_| invalid())?,
            _ => return Err(invalid()),
        };
        Ok(Self {
            id,
            kind: Kind::Rsa(Box::new(key)),
        })
    }

    /// The key's id.
    #[must_use]
    pub fn id(&self) -> &KeyId {
        &self.id
    }

    /// This key's signature of `content` with `algorithm`, as the scheme's wire carries it
    /// before encoding (DER for ECDSA); `None` when the key cannot make it.
    pub(crate) fn sign(&self, algorithm: Algorithm, content: &Content<'_>) -> Option<Vec<u8>> {
        self.sign_with(algorithm, &|f| content.feed(f))
    }

    /// As [`PrivateKey::sign`], over the bytes `feed` hands out.
    #[allow(clippy::type_complexity, reason = "a callback that feeds a callback")]
    pub(crate) fn sign_with(
        &self,
        algorithm: Algorithm,
        feed: &dyn Fn(&mut dyn FnMut(&[u8])),
    ) -> Option<Vec<u8>> {
        use sha2::Digest as _;
        let sha256 = || {
            let mut hash = sha2::Sha256::new();
            feed(&mut |piece| hash.update(piece));
            hash.finalize()
        };
        match (&self.kind, algorithm) {
            #[cfg(feature = "p256")]
            (Kind::P256(key), Algorithm::EcdsaP256Sha256 | Algorithm::EcdsaP256Sha256Fixed) => {
                use p256::ecdsa::signature::hazmat::PrehashSigner as _;
                let signature: p256::ecdsa::Signature = key.sign_prehash(&sha256()).ok()?;
                Some(match algorithm {
                    Algorithm::EcdsaP256Sha256Fixed => signature.to_bytes().to_vec(),
                    _ => signature.to_der().as_bytes().to_vec(),
                })
            }
            #[cfg(feature = "rsa")]
            (Kind::Rsa(key), Algorithm::RsaSha256) => key
                .sign(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), &sha256())
                .ok(),
            #[cfg(feature = "rsa")]
            (Kind::Rsa(key), Algorithm::RsaSha1) => {
                let mut hash = sha1::Sha1::new();
                feed(&mut |piece| hash.update(piece));
                key.sign(rsa::Pkcs1v15Sign::new::<sha1::Sha1>(), &hash.finalize())
                    .ok()
            }
            _ => None,
        }
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.kind {
            #[cfg(feature = "p256")]
            Kind::P256(_) => "P-256",
            #[cfg(feature = "rsa")]
            Kind::Rsa(_) => "RSA",
        };
        f.debug_struct("PrivateKey")
            .field("id", &self.id.as_str())
            .field("kind", &kind)
            .finish()
    }
}

/// The DER of the one PEM block of `text`, when its label is one of `labels`.
#[cfg(feature = "p256")]
fn pkcs8_der(text: &str, labels: &[&str]) -> Result<Vec<u8>, ConfigError> {
    match pem::decode(text.as_bytes()) {
        Some((label, der)) if labels.contains(&label) => Ok(der),
        _ => Err(ConfigError::Secret(SecretError::InvalidKey)),
    }
}

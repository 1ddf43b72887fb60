//! [`Certificate`] (feature `x509`): an X.509 certificate, read for its public key and validity
//! dates — the form AWS SNS and PayPal publish their signing keys in. No chain is validated;
//! the type's docs say what is trusted instead.

use core::fmt;

use x509_cert::der::{Decode as _, Encode as _};

use crate::error::SecretError;
#[cfg(feature = "p256")]
use crate::secret::p256::{ID_EC_PUBLIC_KEY, P256PublicKey};
use crate::secret::pem;
use crate::secret::rsa::{RSA_ENCRYPTION, RsaPublicKey};
use crate::timestamp::Timestamp;

/// An X.509 certificate, read for its public key, its validity dates and its subject's common
/// name.
///
/// `Debug` shows the common name, the dates and the key's kind and size, never its bytes.
///
/// # Trust
///
/// No chain is validated: neither the issuer's signature on the certificate, nor revocation,
/// nor any extension is checked. The crate trusts a certificate because it was fetched over
/// HTTPS from a URL on the provider's allow-list (the TLS connection authenticates the server
/// that served it), and checks its validity dates, [`not_before`](Certificate::not_before) and
/// [`not_after`](Certificate::not_after), against the verifier's clock. The subject's common
/// name is read too, for a caller that checks it (PayPal's SDKs do).
///
/// ```
/// use hookseal::{Certificate, CertificateKey, Timestamp};
///
/// // The AWS SNS signing certificate of AWS's own validator tests.
/// let pem = include_bytes!("../tests/vectors/aws_sns/cert.pem");
/// let cert = Certificate::from_pem(pem)?;
/// assert_eq!(cert.subject_common_name(), Some("sns.amazonaws.com"));
/// assert_eq!(cert.not_before(), Timestamp::from_unix_secs(1_630_972_800)); // 2021-09-07
/// assert_eq!(cert.not_after(), Timestamp::from_unix_secs(1_660_780_799)); // 2022-08-17
/// assert!(matches!(cert.public_key(), CertificateKey::Rsa(key) if key.bits() == 2048));
/// # Ok::<(), hookseal::SecretError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Certificate {
    key: CertificateKey,
    not_before: Timestamp,
    not_after: Timestamp,
    common_name: Option<Box<str>>,
}

/// The public key of a [`Certificate`].
///
/// New key types may be added (behind their features), so a `match` needs a wildcard arm.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CertificateKey {
    /// An RSA key (`rsaEncryption`), of [`RsaPublicKey::MIN_BITS`] to
    /// [`RsaPublicKey::MAX_BITS`] bits.
    Rsa(RsaPublicKey),
    /// An ECDSA P-256 key (`id-ecPublicKey` on `prime256v1`).
    #[cfg(feature = "p256")]
    #[cfg_attr(docsrs, doc(cfg(feature = "p256")))]
    P256(P256PublicKey),
}

impl Certificate {
    /// The longest certificate read, in bytes of DER: 16 KiB. Longer input is refused before it
    /// is parsed. A provider's signing certificate is 1 to 2 KiB.
    pub const MAX_LEN: usize = 16 * 1024;

    /// Reads a certificate from its DER.
    ///
    /// # Errors
    ///
    /// [`SecretError::InvalidCertificate`] for input longer than [`Certificate::MAX_LEN`], bytes
    /// that are not exactly one X.509 certificate (RFC 5280), a validity date before 1970 or a
    /// `notAfter` earlier than the `notBefore`, or a subject common name that is not a string;
    /// [`SecretError::UnsupportedKey`] for a key other than RSA (or P-256, with feature `p256`),
    /// or an RSA key outside [`RsaPublicKey::MIN_BITS`] to [`RsaPublicKey::MAX_BITS`] bits; and
    /// [`SecretError::InvalidKey`] for a key of a supported kind that is not usable.
    ///
    /// ```
    /// use base64::Engine as _;
    /// use hookseal::{Certificate, SecretError};
    ///
    /// let pem = include_str!("../tests/vectors/aws_sns/cert.pem");
    /// let base64: String = pem.lines().filter(|line| !line.starts_with("-----")).collect();
    /// let der = base64::engine::general_purpose::STANDARD.decode(base64).unwrap();
    /// assert_eq!(Certificate::from_der(&der)?, Certificate::from_pem(pem.as_bytes())?);
    /// assert_eq!(Certificate::from_der(&der[..100]), Err(SecretError::InvalidCertificate));
    /// # Ok::<(), SecretError>(())
    /// ```
    pub fn from_der(der: &[u8]) -> Result<Self, SecretError> {
        if der.len() > Self::MAX_LEN {
            return Err(SecretError::InvalidCertificate);
        }
        let cert =
            x509_cert::Certificate::from_der(der).map_err(|_| SecretError::InvalidCertificate)?;
        let tbs = cert.tbs_certificate();
        let validity = tbs.validity();
        let not_before = unix_time(validity.not_before);
        let not_after = unix_time(validity.not_after);
        if not_after < not_before {
            return Err(SecretError::InvalidCertificate);
        }
        let common_name = tbs
            .subject()
            .common_name()
            .map_err(|_| SecretError::InvalidCertificate)?
            .map(|name| Box::from(name.value().as_ref()));
        let key = read_key(tbs.subject_public_key_info())?;
        Ok(Self {
            key,
            not_before,
            not_after,
            common_name,
        })
    }

    /// Reads the first `CERTIFICATE` block of PEM text. A provider may serve the certificate
    /// followed by the rest of its chain; the first block is the certificate itself, and the
    /// text after it is not read. Whitespace may come before the block; anything else before
    /// it (another block, such as a key, or other text) is refused. The base64 lines may be of
    /// any one width.
    ///
    /// # Errors
    ///
    /// [`SecretError::InvalidCertificate`] when the text does not start with a `CERTIFICATE`
    /// block, or the block does not decode (or is longer than a certificate of
    /// [`Certificate::MAX_LEN`] bytes can be); then the errors of [`Certificate::from_der`].
    ///
    /// ```
    /// use hookseal::{Certificate, SecretError};
    ///
    /// // A certificate followed by another (as a chain is served): the first is read.
    /// let sns = include_bytes!("../tests/vectors/aws_sns/cert.pem");
    /// let paypal = include_bytes!("../tests/vectors/paypal/cert.pem");
    /// let chain = [&sns[..], &paypal[..]].concat();
    /// let cert = Certificate::from_pem(&chain)?;
    /// assert_eq!(cert.subject_common_name(), Some("sns.amazonaws.com"));
    ///
    /// // A key block first is refused.
    /// let key = include_bytes!("../tests/vectors/aws_sns/public_key.pem");
    /// let key_first = [&key[..], &sns[..]].concat();
    /// assert_eq!(Certificate::from_pem(&key_first), Err(SecretError::InvalidCertificate));
    /// # Ok::<(), SecretError>(())
    /// ```
    pub fn from_pem(pem: &[u8]) -> Result<Self, SecretError> {
        let text = pem.trim_ascii_start();
        if !text.starts_with(BEGIN) {
            return Err(SecretError::InvalidCertificate);
        }
        // The block ends at the first END line; it is looked for only as far as a block of the
        // longest certificate can reach.
        let window = text.get(..MAX_PEM_LEN).unwrap_or(text);
        let end = window
            .windows(END.len())
            .position(|w| w == END)
            .ok_or(SecretError::InvalidCertificate)?;
        let block = text
            .get(..end.saturating_add(END.len()))
            .ok_or(SecretError::InvalidCertificate)?;
        match pem::decode(block) {
            Some(("CERTIFICATE", der)) => Self::from_der(&der),
            _ => Err(SecretError::InvalidCertificate),
        }
    }

    /// The start of the validity period (`notBefore`): the certificate is not valid before.
    #[must_use]
    pub fn not_before(&self) -> Timestamp {
        self.not_before
    }

    /// The end of the validity period (`notAfter`): the certificate is valid through this
    /// second, and not after it.
    #[must_use]
    pub fn not_after(&self) -> Timestamp {
        self.not_after
    }

    /// The subject's common name (the first `CN` of the subject), if it has one; for PayPal's
    /// certificates `messageverificationcerts.paypal.com` (or `….sandbox.paypal.com`), for AWS
    /// SNS's `sns.amazonaws.com`.
    #[must_use]
    pub fn subject_common_name(&self) -> Option<&str> {
        self.common_name.as_deref()
    }

    /// The certificate's public key.
    #[must_use]
    pub fn public_key(&self) -> &CertificateKey {
        &self.key
    }
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("subject_common_name", &self.common_name)
            .field("not_before", &self.not_before.as_unix_secs())
            .field("not_after", &self.not_after.as_unix_secs())
            .field("public_key", &self.key)
            .finish()
    }
}

/// The first line of a certificate's PEM block.
const BEGIN: &[u8] = b"-----BEGIN CERTIFICATE-----";

/// The last line of a certificate's PEM block.
const END: &[u8] = b"-----END CERTIFICATE-----";

/// How far the end of a certificate's PEM block is looked for: twice [`Certificate::MAX_LEN`],
/// room for base64's third more and a line break every 48 bytes of DER (more for narrower lines
/// than OpenSSL's 64 columns).
const MAX_PEM_LEN: usize = 2 * Certificate::MAX_LEN;

/// The time as whole seconds since the Unix epoch. The DER decoder refuses times before 1970.
fn unix_time(time: x509_cert::time::Time) -> Timestamp {
    Timestamp::from_unix_secs(time.to_unix_duration().as_secs())
}

/// The key of a SubjectPublicKeyInfo, by its algorithm.
fn read_key(
    spki: &x509_cert::spki::SubjectPublicKeyInfoOwned,
) -> Result<CertificateKey, SecretError> {
    let oid = spki.algorithm.oid;
    if oid == RSA_ENCRYPTION {
        let der = spki.to_der().map_err(|_| SecretError::InvalidKey)?;
        return RsaPublicKey::from_spki_der(&der).map(CertificateKey::Rsa);
    }
    #[cfg(feature = "p256")]
    if oid == ID_EC_PUBLIC_KEY {
        let der = spki.to_der().map_err(|_| SecretError::InvalidKey)?;
        return P256PublicKey::from_spki_der(&der).map(CertificateKey::P256);
    }
    Err(SecretError::UnsupportedKey)
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use proptest::prelude::*;
    use sha1::Sha1;
    use sha2::{Digest as _, Sha256};

    use super::*;
    use crate::secret::rsa::RsaHash;

    /// aws/aws-php-sns-message-validator `tests/FunctionalValidationsTest.php`: the certificate
    /// its mock certificate server returns (see `tests/vectors/aws_sns/README.md`).
    const SNS_CERT: &[u8] = include_bytes!("../tests/vectors/aws_sns/cert.pem");

    /// The four notifications of `getHttpFixtures` in the same test.
    const SNS_NOTIFICATIONS: [(&str, &str); 4] = [
        (
            "1",
            include_str!("../tests/vectors/aws_sns/notification_sv1.json"),
        ),
        (
            "2",
            include_str!("../tests/vectors/aws_sns/notification_sv2.json"),
        ),
        (
            "1",
            include_str!("../tests/vectors/aws_sns/notification_sv1_subject.json"),
        ),
        (
            "2",
            include_str!("../tests/vectors/aws_sns/notification_sv2_subject.json"),
        ),
    ];

    /// paypal/PayPal-Java-SDK `rest-api-sdk/src/test/resources/testClientCert.crt`, the
    /// certificate of `ValidateCertTest.java` (see `tests/vectors/paypal/README.md`).
    const PAYPAL_CERT: &[u8] = include_bytes!("../tests/vectors/paypal/cert.pem");
    /// The request body of `ValidateCertTest.java`, byte for byte.
    const PAYPAL_BODY: &[u8] = include_bytes!("../tests/vectors/paypal/body.json");
    /// Its headers and webhook id.
    const PAYPAL_VECTOR: &str = include_str!("../tests/vectors/paypal/vector.json");

    fn rsa(cert: &Certificate) -> &RsaPublicKey {
        match cert.public_key() {
            CertificateKey::Rsa(key) => key,
            #[allow(unreachable_patterns, reason = "P256 exists with feature p256 only")]
            other => panic!("not RSA: {other:?}"),
        }
    }

    /// The DER inside a PEM certificate.
    fn der_of(pem: &[u8]) -> Vec<u8> {
        let (label, der) = pem::decode(pem).unwrap();
        assert_eq!(label, "CERTIFICATE");
        der
    }

    /// The generated files of `tests/vectors/generated/` (made with openssl and Python's
    /// `cryptography`; see its README).
    fn generated(name: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/tests/vectors/generated/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    #[test]
    fn sns_certificate() {
        let cert = Certificate::from_pem(SNS_CERT).unwrap();
        assert_eq!(cert.subject_common_name(), Some("sns.amazonaws.com"));
        // `openssl x509 -noout -dates`: notBefore=Sep  7 00:00:00 2021 GMT,
        // notAfter=Aug 17 23:59:59 2022 GMT (calendar.timegm in Python gives the seconds).
        assert_eq!(cert.not_before().as_unix_secs(), 1_630_972_800);
        assert_eq!(cert.not_after().as_unix_secs(), 1_660_780_799);
        assert_eq!(rsa(&cert).bits(), 2048);
        assert_eq!(Certificate::from_der(&der_of(SNS_CERT)).unwrap(), cert);
        // The key is the one `openssl x509 -pubkey` gives.
        let pubkey =
            RsaPublicKey::from_pem(include_str!("../tests/vectors/aws_sns/public_key.pem"));
        assert_eq!(rsa(&cert), &pubkey.unwrap());
    }

    /// A notification's string to sign: each signed key present, in this order, as
    /// `key\nvalue\n` (aws-php-sns-message-validator `src/MessageValidator.php`).
    fn sns_string_to_sign(message: &serde_json::Value) -> String {
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
        text
    }

    #[test]
    fn sns_notifications_verify_with_their_signature_version_hash() {
        let cert = Certificate::from_pem(SNS_CERT).unwrap();
        let key = rsa(&cert);
        for (version, json) in SNS_NOTIFICATIONS {
            let message: serde_json::Value = serde_json::from_str(json).unwrap();
            assert_eq!(message["SignatureVersion"], version);
            let text = sns_string_to_sign(&message);
            let signature = STANDARD
                .decode(message["Signature"].as_str().unwrap())
                .unwrap();
            let sha1 = Sha1::digest(&text);
            let sha256 = Sha256::digest(&text);
            let (right, wrong) = match version {
                "1" => ((RsaHash::Sha1, &sha1[..]), (RsaHash::Sha256, &sha256[..])),
                _ => ((RsaHash::Sha256, &sha256[..]), (RsaHash::Sha1, &sha1[..])),
            };
            assert!(key.verify_pkcs1v15(right.0, right.1, &signature), "{text}");
            assert!(!key.verify_pkcs1v15(wrong.0, wrong.1, &signature), "{text}");
            // A signed value changed.
            let changed = text.replace("Notification", "notification");
            let changed = match version {
                "1" => Sha1::digest(&changed).to_vec(),
                _ => Sha256::digest(&changed).to_vec(),
            };
            assert!(!key.verify_pkcs1v15(right.0, &changed, &signature));
        }
        // The SV1 message's string, exactly (providers' notes, §1).
        let sv1: serde_json::Value = serde_json::from_str(SNS_NOTIFICATIONS[0].1).unwrap();
        assert_eq!(
            sns_string_to_sign(&sv1),
            "Message\nHello world\nMessageId\n792cda85-518f-5dd3-9163-81d851212f3a\n\
             Timestamp\n2022-07-28T21:23:58.317Z\nTopicArn\narn:aws:sns:us-east-2:295079676684:\
             publish-and-verify-892f85fe-4836-424d-8188-ab85bef0f362\nType\nNotification\n"
        );
    }

    /// CRC-32 (IEEE 802.3, as zlib and `java.util.zip.CRC32` compute it), bit by bit.
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0_u32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn paypal_certificate_and_signature() {
        let cert = Certificate::from_pem(PAYPAL_CERT).unwrap();
        assert_eq!(
            cert.subject_common_name(),
            Some("messageverificationcerts.sandbox.paypal.com")
        );
        // `openssl x509 -noout -dates`: notBefore=Feb 18 00:00:00 2017 GMT,
        // notAfter=Apr 26 12:00:00 2019 GMT.
        assert_eq!(cert.not_before().as_unix_secs(), 1_487_376_000);
        assert_eq!(cert.not_after().as_unix_secs(), 1_556_280_000);
        let key = rsa(&cert);
        assert_eq!(key.bits(), 2048);

        let vector: serde_json::Value = serde_json::from_str(PAYPAL_VECTOR).unwrap();
        let field = |name: &str| vector[name].as_str().unwrap();
        assert_eq!(PAYPAL_BODY.len(), 1636);
        // Above 2^31: written unsigned, as PayPal's SDKs do.
        assert_eq!(crc32(PAYPAL_BODY), 3_494_065_244);
        assert_eq!(vector["body_crc32"], 3_494_065_244_u32);
        let text = format!(
            "{}|{}|{}|{}",
            field("transmission_id"),
            field("transmission_time"),
            field("webhook_id"),
            crc32(PAYPAL_BODY)
        );
        assert_eq!(
            text,
            "071f7d20-1584-11e7-abf0-6b62a8a99ac4|2017-03-30T20:04:05Z|96605875FF6516633|3494065244"
        );
        assert_eq!(field("auth_algo"), "SHA256withRSA");
        let signature = STANDARD.decode(field("transmission_sig")).unwrap();
        assert!(key.verify_pkcs1v15(RsaHash::Sha256, &Sha256::digest(&text), &signature));
        assert!(!key.verify_pkcs1v15(RsaHash::Sha1, &Sha1::digest(&text), &signature));
        // The CRC-32 written signed (-800902052) is a different string.
        let signed = text.replace("3494065244", "-800902052");
        assert!(!key.verify_pkcs1v15(RsaHash::Sha256, &Sha256::digest(&signed), &signature));
        // Another webhook's id.
        let other = text.replace("96605875FF6516633", "96605875FF6516634");
        assert!(!key.verify_pkcs1v15(RsaHash::Sha256, &Sha256::digest(&other), &signature));
    }

    #[test]
    fn the_first_block_of_a_chain() {
        let chain = [SNS_CERT, b"\n", PAYPAL_CERT, b"\n"].concat();
        let first = Certificate::from_pem(&chain).unwrap();
        assert_eq!(first.subject_common_name(), Some("sns.amazonaws.com"));
        // Whitespace and CRLF line ends.
        let crlf = String::from_utf8(chain).unwrap().replace('\n', "\r\n");
        let spaced = format!("\r\n  \t{crlf}");
        assert_eq!(Certificate::from_pem(spaced.as_bytes()).unwrap(), first);
        // Lines of 76 columns, as some tools write them.
        let der = der_of(SNS_CERT);
        let b64 = STANDARD.encode(&der);
        let mut wide = String::from("-----BEGIN CERTIFICATE-----\n");
        for line in b64.as_bytes().chunks(76) {
            wide.push_str(core::str::from_utf8(line).unwrap());
            wide.push('\n');
        }
        wide.push_str("-----END CERTIFICATE-----\n");
        assert_eq!(Certificate::from_pem(wide.as_bytes()).unwrap(), first);
    }

    #[test]
    fn other_blocks_first_are_refused() {
        let key = include_bytes!("../tests/vectors/aws_sns/public_key.pem");
        let key_first = [&key[..], SNS_CERT].concat();
        assert_eq!(
            Certificate::from_pem(&key_first),
            Err(SecretError::InvalidCertificate)
        );
        let text_first = [&b"subject=CN = sns.amazonaws.com\n"[..], SNS_CERT].concat();
        assert_eq!(
            Certificate::from_pem(&text_first),
            Err(SecretError::InvalidCertificate)
        );
        // The END line of another label.
        let relabelled = String::from_utf8(SNS_CERT.to_vec())
            .unwrap()
            .replace("END CERTIFICATE", "END X509 CRL");
        assert_eq!(
            Certificate::from_pem(relabelled.as_bytes()),
            Err(SecretError::InvalidCertificate)
        );
        // A public key is not a certificate.
        assert_eq!(
            Certificate::from_der(&pem::decode(key).unwrap().1),
            Err(SecretError::InvalidCertificate)
        );
    }

    #[test]
    fn lengths() {
        let der = der_of(SNS_CERT);
        let mut long = der.clone();
        long.resize(Certificate::MAX_LEN + 1, 0);
        assert_eq!(
            Certificate::from_der(&long),
            Err(SecretError::InvalidCertificate)
        );
        // A block with no END line within reach.
        let endless = [&b"-----BEGIN CERTIFICATE-----\n"[..], &vec![b'A'; 40_000]].concat();
        assert_eq!(
            Certificate::from_pem(&endless),
            Err(SecretError::InvalidCertificate)
        );
        // A well-formed block of more than MAX_LEN bytes of DER.
        let mut big = String::from("-----BEGIN CERTIFICATE-----\n");
        let b64 = STANDARD.encode(vec![0x30; Certificate::MAX_LEN + 3]);
        for line in b64.as_bytes().chunks(64) {
            big.push_str(core::str::from_utf8(line).unwrap());
            big.push('\n');
        }
        big.push_str("-----END CERTIFICATE-----\n");
        assert_eq!(
            Certificate::from_pem(big.as_bytes()),
            Err(SecretError::InvalidCertificate)
        );
    }

    #[test]
    fn validity_out_of_range() {
        // The inverted one (notBefore 2030, notAfter 2020) is X.509 the decoder reads: the
        // refusal is the dates'.
        let inverted = der_of(&generated("inverted.crt"));
        assert!(x509_cert::Certificate::from_der(&inverted).is_ok());
        // notBefore 1969-12-31 (UTCTime "691231…") and 1949-12-31 (GeneralizedTime).
        for name in ["before1970.crt", "before1950.crt", "inverted.crt"] {
            assert_eq!(
                Certificate::from_pem(&generated(name)),
                Err(SecretError::InvalidCertificate),
                "{name}"
            );
        }
    }

    #[test]
    fn unsupported_keys() {
        for name in ["p384.crt", "ed25519.crt", "rsa1024.crt"] {
            assert_eq!(
                Certificate::from_pem(&generated(name)),
                Err(SecretError::UnsupportedKey),
                "{name}"
            );
        }
    }

    #[test]
    fn p256_certificates() {
        let cert = Certificate::from_pem(&generated("p256.crt"));
        #[cfg(feature = "p256")]
        {
            let cert = cert.unwrap();
            assert!(matches!(cert.public_key(), CertificateKey::P256(_)));
            assert_eq!(cert.subject_common_name(), Some("hookseal-test-p256"));
            assert!(format!("{cert:?}").contains("P256(P256PublicKey(..))"));
        }
        #[cfg(not(feature = "p256"))]
        assert_eq!(cert, Err(SecretError::UnsupportedKey));
    }

    #[test]
    fn debug_shows_name_dates_and_key_size_only() {
        let cert = Certificate::from_pem(SNS_CERT).unwrap();
        assert_eq!(
            format!("{cert:?}"),
            "Certificate { subject_common_name: Some(\"sns.amazonaws.com\"), \
             not_before: 1630972800, not_after: 1660780799, \
             public_key: Rsa(RsaPublicKey(2048 bits)) }"
        );
        assert_eq!(cert.clone(), cert);
    }

    #[test]
    fn every_truncation_is_an_error() {
        for pem in [SNS_CERT, PAYPAL_CERT] {
            let der = der_of(pem);
            for len in 0..der.len() {
                assert!(Certificate::from_der(&der[..len]).is_err(), "{len}");
            }
            let mut trailing = der.clone();
            trailing.push(0);
            assert!(Certificate::from_der(&trailing).is_err());
            let pem = pem.trim_ascii_end();
            for len in 0..pem.len() {
                assert!(Certificate::from_pem(&pem[..len]).is_err(), "{len}");
            }
        }
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
            prop_assert!(Certificate::from_der(&bytes).is_err());
            prop_assert!(Certificate::from_pem(&bytes).is_err());
            let mut pem = b"-----BEGIN CERTIFICATE-----\n".to_vec();
            pem.extend_from_slice(&bytes);
            pem.extend_from_slice(b"\n-----END CERTIFICATE-----\n");
            prop_assert!(Certificate::from_pem(&pem).is_err());
        }

        #[test]
        fn flipped_bytes_never_panic(index in 0_usize..1500, bit in 0_u8..8) {
            let der = der_of(SNS_CERT);
            let mut changed = der.clone();
            let i = index % changed.len();
            changed[i] ^= 1 << bit;
            // Either refused, or read (a changed signature or serial number is not checked).
            let _ = Certificate::from_der(&changed);
        }
    }
}

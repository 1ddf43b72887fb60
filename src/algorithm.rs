//! [`Algorithm`]: how a scheme signs, and what a signature of each algorithm looks like before
//! any key is tried.

/// How a scheme signs ([`SchemeBuilder::algorithm`](crate::scheme::SchemeBuilder::algorithm)).
///
/// HMAC algorithms verify with a shared secret; the others with the provider's public key, which
/// the receiver holds in its keyring or has fetched ([`KeyCache`](crate::KeyCache), feature
/// `rsa`). Every variant exists in every build; verifying with a public key needs the feature
/// that reads such keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// HMAC-SHA256: most schemes. The default.
    HmacSha256,
    /// HMAC-SHA1: the providers that still use it (Twilio, Intercom) and GitHub's legacy
    /// `X-Hub-Signature` ([`dangerous::github_sha1`](crate::dangerous::github_sha1)). SHA-1 is
    /// not broken as a MAC, but choose it only where the sender leaves no other choice.
    HmacSha1,
    /// Ed25519 alone, with the sender's public key (Discord, Telnyx): verifying needs feature
    /// `ed25519`, and keys are the public key in the scheme's [`Encoding`](crate::scheme::Encoding).
    Ed25519,
    /// ECDSA over P-256 with SHA-256, the signature DER-encoded (SendGrid): feature `p256`.
    EcdsaP256Sha256,
    /// ECDSA over P-256 with SHA-256, the signature as its two 32-byte halves `r ‖ s` (JWS
    /// `ES256`): feature `p256`.
    EcdsaP256Sha256Fixed,
    /// RSA PKCS#1 v1.5 with SHA-1 (AWS SNS `SignatureVersion` 1): feature `rsa`. SHA-1 signatures
    /// can be forged by an attacker who chooses what is signed; accept them only where the
    /// provider sends nothing better.
    RsaSha1,
    /// RSA PKCS#1 v1.5 with SHA-256 (AWS SNS `SignatureVersion` 2, PayPal): feature `rsa`.
    RsaSha256,
}

/// The kinds of key that verify each algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    Hmac,
    Ed25519,
    P256,
    Rsa,
}

impl Algorithm {
    /// The kind of key that verifies it.
    pub(crate) const fn family(self) -> Family {
        match self {
            Self::HmacSha256 | Self::HmacSha1 => Family::Hmac,
            Self::Ed25519 => Family::Ed25519,
            Self::EcdsaP256Sha256 | Self::EcdsaP256Sha256Fixed => Family::P256,
            Self::RsaSha1 | Self::RsaSha256 => Family::Rsa,
        }
    }

    /// Whether a signature is checked with a public key rather than recomputed with a secret.
    pub(crate) const fn is_public_key(self) -> bool {
        !matches!(self.family(), Family::Hmac)
    }

    /// The signature's length in bytes, for the algorithms whose signatures have one length;
    /// the longest accepted for the others.
    pub(crate) const fn signature_len(self) -> usize {
        match self {
            Self::HmacSha256 => 32,
            Self::HmacSha1 => 20,
            Self::Ed25519 | Self::EcdsaP256Sha256Fixed => 64,
            Self::EcdsaP256Sha256 => MAX_ECDSA_DER_LEN,
            Self::RsaSha1 | Self::RsaSha256 => MAX_RSA_SIGNATURE_LEN,
        }
    }

    /// Whether the algorithm's signatures vary in length (DER, and RSA with the key's size).
    pub(crate) const fn has_variable_length(self) -> bool {
        matches!(
            self,
            Self::EcdsaP256Sha256 | Self::RsaSha1 | Self::RsaSha256
        )
    }

    /// Whether `signature` (decoded) has the shape of one of this algorithm's signatures: its
    /// length, and for DER its structure. No key is needed, so a malformed signature is refused
    /// as such before any key is tried.
    pub(crate) fn is_well_formed(self, signature: &[u8]) -> bool {
        match self {
            Self::EcdsaP256Sha256 => is_ecdsa_der(signature),
            Self::RsaSha1 | Self::RsaSha256 => {
                (MIN_RSA_SIGNATURE_LEN..=MAX_RSA_SIGNATURE_LEN).contains(&signature.len())
            }
            _ => signature.len() == self.signature_len(),
        }
    }
}

/// The longest DER ECDSA P-256 signature: a sequence of two integers of up to 33 bytes.
const MAX_ECDSA_DER_LEN: usize = 72;

/// RSA signatures are as long as the modulus: 2048 to 4096 bits.
const MIN_RSA_SIGNATURE_LEN: usize = 2048 / 8;
const MAX_RSA_SIGNATURE_LEN: usize = 4096 / 8;

/// Whether `der` is `SEQUENCE { INTEGER r, INTEGER s }` in DER: short-form lengths that add up,
/// each integer positive, minimally encoded, and at most 33 bytes (a 256-bit value and its sign
/// byte).
fn is_ecdsa_der(der: &[u8]) -> bool {
    let [0x30, len, rest @ ..] = der else {
        return false;
    };
    if usize::from(*len) != rest.len() {
        return false;
    }
    let Some(rest) = der_positive_integer(rest) else {
        return false;
    };
    der_positive_integer(rest).is_some_and(<[u8]>::is_empty)
}

/// Reads one DER `INTEGER` of 1 to 33 bytes that is positive and minimally encoded; the bytes
/// after it.
fn der_positive_integer(der: &[u8]) -> Option<&[u8]> {
    let [0x02, len, rest @ ..] = der else {
        return None;
    };
    let len = usize::from(*len);
    if !(1..=33).contains(&len) {
        return None;
    }
    let (value, rest) = rest.split_at_checked(len)?;
    let ok = match value {
        // A leading zero only where the next byte's top bit is set; never zero itself.
        [0, next, ..] => *next >= 0x80,
        [first, ..] => *first != 0 && *first < 0x80,
        [] => false,
    };
    ok.then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_shapes() {
        // The SendGrid signature of sendgrid/sendgrid-go `helpers/eventwebhook/eventwebhook_test.go`.
        let good = base64_decode(
            "MEUCIQCtIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRamr2nlxFDWYNH2j/0=",
        );
        assert!(Algorithm::EcdsaP256Sha256.is_well_formed(&good));
        // Every truncation and every extension is refused.
        for cut in 0..good.len() {
            assert!(
                !Algorithm::EcdsaP256Sha256.is_well_formed(&good[..cut]),
                "{cut}"
            );
        }
        let mut longer = good.clone();
        longer.push(0);
        assert!(!Algorithm::EcdsaP256Sha256.is_well_formed(&longer));
        let der = |r: &[u8], s: &[u8]| {
            let mut out = vec![0x30, u8::try_from(4 + r.len() + s.len()).unwrap()];
            for int in [r, s] {
                out.extend([0x02, u8::try_from(int.len()).unwrap()]);
                out.extend(int);
            }
            out
        };
        assert!(Algorithm::EcdsaP256Sha256.is_well_formed(&der(&[1], &[0x7f])));
        assert!(Algorithm::EcdsaP256Sha256.is_well_formed(&der(&[0, 0x80], &[1])));
        for (r, why) in [
            (&[][..], "empty"),
            (&[0][..], "zero"),
            (&[0, 1][..], "not minimal"),
            (&[0x80][..], "negative"),
            (&[1; 34][..], "too long"),
        ] {
            assert!(
                !Algorithm::EcdsaP256Sha256.is_well_formed(&der(r, &[1])),
                "{why}"
            );
        }
        // A long-form length is not DER for a sequence this short.
        let mut long_form = der(&[1], &[1]);
        long_form.splice(1..2, [0x81, 6]);
        assert!(!Algorithm::EcdsaP256Sha256.is_well_formed(&long_form));
    }

    #[test]
    fn lengths() {
        assert!(Algorithm::RsaSha256.is_well_formed(&[1; 256]));
        assert!(Algorithm::RsaSha1.is_well_formed(&[1; 512]));
        assert!(!Algorithm::RsaSha256.is_well_formed(&[1; 255]));
        assert!(!Algorithm::RsaSha256.is_well_formed(&[1; 513]));
        assert!(Algorithm::EcdsaP256Sha256Fixed.is_well_formed(&[1; 64]));
        assert!(!Algorithm::EcdsaP256Sha256Fixed.is_well_formed(&[1; 65]));
    }

    fn base64_decode(text: &str) -> Vec<u8> {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .unwrap()
    }
}

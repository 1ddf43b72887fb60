//! [`Secret`]: a signing key's bytes, zeroized on drop and never printed.

#[cfg(feature = "ed25519")]
pub(crate) mod ed25519;
mod format;
#[cfg(feature = "p256")]
pub(crate) mod p256;
#[cfg(any(feature = "p256", feature = "rsa"))]
pub(crate) mod pem;
#[cfg(feature = "rsa")]
pub(crate) mod rsa;

use crate::random::RandomSource;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
pub use format::SecretFormat;

use core::fmt;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::error::SecretError;
use crate::scheme::SignatureFormat;

/// The bytes of a signing key.
///
/// - `Debug` prints `Secret([REDACTED])`; there is no `Display`, no `Clone` and no serde support.
/// - The bytes are zeroized when the secret is dropped.
/// - Every constructor returns a `Result`: an empty or too-short key is refused with a
///   [`SecretError`] instead of weakening every signature made with it.
///
/// ```
/// use hookseal::{Scheme, Secret};
///
/// // A fresh key for a new endpoint: show the text to the user once, keep the `Secret`.
/// let (secret, text) = Secret::generate()?.export();
/// assert_eq!(secret.len(), 32);
/// assert!(text.expose_secret().starts_with("whsec_"));
///
/// // Later, load it back from wherever the text was stored, with the default scheme.
/// let again = Scheme::standard_webhooks().parse_secret(text.expose_secret())?;
/// assert_eq!(again.len(), 32);
/// assert_eq!(format!("{again:?}"), "Secret([REDACTED])");
/// # Ok::<(), hookseal::SecretError>(())
/// ```
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct Secret {
    bytes: Box<[u8]>,
}

impl Secret {
    /// The minimum key length accepted by the checked constructors: 32 bytes, the output size of
    /// SHA-256 (RFC 2104 discourages HMAC keys shorter than the hash output).
    ///
    /// Provider secrets that are shorter by the provider's own rules are accepted by the schemes'
    /// secret parsers; a short legacy key of your own can be loaded with
    /// [`dangerous::short_secret`](crate::dangerous::short_secret).
    pub const MIN_LEN: usize = 32;

    /// The length of keys made by [`Secret::generate`], in bytes.
    pub const GENERATED_LEN: usize = 32;

    /// Builds a secret from raw key bytes.
    ///
    /// The input is zeroized whether or not it is accepted.
    ///
    /// # Errors
    ///
    /// [`SecretError::Empty`] for no bytes, [`SecretError::TooShort`] for fewer than
    /// [`Secret::MIN_LEN`] bytes.
    pub fn from_bytes(bytes: impl Into<Vec<u8>>) -> Result<Self, SecretError> {
        Self::with_min_len(Zeroizing::new(bytes.into()), Self::MIN_LEN)
    }

    /// Builds a secret from standard base64 text (padding optional), without a prefix.
    ///
    /// # Errors
    ///
    /// [`SecretError::ContainsWhitespace`], [`SecretError::ControlCharacter`],
    /// [`SecretError::InvisibleCharacter`], [`SecretError::LooksLikeSignature`],
    /// [`SecretError::WrongKeyKind`] or [`SecretError::UnexpectedPrefix`] for text that is plainly
    /// not a bare key (a `whsec_` secret, a provider's or one [`Secret::generate`] exported, is
    /// read by its scheme: [`Scheme::parse_secret`](crate::Scheme::parse_secret)),
    /// [`SecretError::InvalidBase64`] when it does not decode, and the errors of
    /// [`Secret::from_bytes`] for the decoded bytes.
    pub fn from_base64(text: &str) -> Result<Self, SecretError> {
        check_secret_text(text)?;
        let bytes = decode_base64(text)?;
        Self::with_min_len(bytes, Self::MIN_LEN)
    }

    /// Builds a secret from hex text (either case).
    ///
    /// # Errors
    ///
    /// As [`Secret::from_base64`], with [`SecretError::InvalidHex`] when the text does not decode.
    pub fn from_hex(text: &str) -> Result<Self, SecretError> {
        check_secret_text(text)?;
        let bytes = decode_hex(text)?;
        Self::with_min_len(bytes, Self::MIN_LEN)
    }

    /// Generates a new 32-byte key from the operating system's random number generator.
    ///
    /// The result can be exported to text exactly once, with [`GeneratedSecret::export`] (in
    /// the default scheme's `whsec_` + base64 form), so it can be shown to the user or put in a
    /// secret store; the [`Secret`] itself never reveals its bytes.
    ///
    /// # Errors
    ///
    /// [`SecretError::RandomUnavailable`] when the system random number generator fails.
    #[cfg(feature = "std")]
    pub fn generate() -> Result<GeneratedSecret, SecretError> {
        Self::generate_with(&mut crate::OsRandom)
    }

    /// [`Secret::generate`] with the random bytes drawn from `random`: the way to generate a
    /// secret without `std`.
    ///
    /// # Errors
    ///
    /// [`SecretError::RandomUnavailable`] when `random` fails.
    pub fn generate_with(random: &mut dyn RandomSource) -> Result<GeneratedSecret, SecretError> {
        let mut bytes = Zeroizing::new(vec![0_u8; Self::GENERATED_LEN]);
        random
            .fill(&mut bytes)
            .map_err(|_| SecretError::RandomUnavailable)?;
        Ok(GeneratedSecret {
            secret: Self::with_min_len(bytes, Self::MIN_LEN)?,
        })
    }

    /// The key length in bytes.
    #[must_use]
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Always `false`: an empty secret cannot be built.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The key bytes. The only read access, crate-private and easy to grep for.
    pub(crate) fn expose_secret(&self) -> &[u8] {
        &self.bytes
    }

    /// Builds a secret of at least `min` bytes (and never an empty one), copying the bytes into
    /// an exactly-sized allocation so no spare capacity keeps a copy behind.
    pub(crate) fn with_min_len(bytes: Zeroizing<Vec<u8>>, min: usize) -> Result<Self, SecretError> {
        if bytes.is_empty() {
            return Err(SecretError::Empty);
        }
        if bytes.len() < min {
            return Err(SecretError::TooShort {
                len: bytes.len(),
                min,
            });
        }
        Ok(Self {
            bytes: Box::from(bytes.as_slice()),
        })
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([REDACTED])")
    }
}

/// The prefix of exported keys: Standard Webhooks' secret format, the default scheme's.
const EXPORT_PREFIX: &str = "whsec_";

/// A key fresh from [`Secret::generate`], not yet exported.
///
/// Call [`GeneratedSecret::export`] once to get both the [`Secret`] and its text form.
pub struct GeneratedSecret {
    secret: Secret,
}

impl GeneratedSecret {
    /// Splits into the secret and its text, the one time the key's bytes leave the crate.
    ///
    /// The text is in the default scheme's secret format, `whsec_` followed by the key's
    /// standard base64 (padded), as Standard Webhooks writes secrets: store it where the sender
    /// and receiver can load it, and read it back with
    /// [`Scheme::standard_webhooks().parse_secret`](crate::Scheme::parse_secret) (or any
    /// Standard Webhooks library).
    #[must_use]
    pub fn export(self) -> (Secret, ExportedSecret) {
        let encoded = Zeroizing::new(
            base64::engine::general_purpose::STANDARD.encode(self.secret.expose_secret()),
        );
        // Sized up front, so the text is never reallocated (which would leave a copy behind).
        let mut text = String::with_capacity(EXPORT_PREFIX.len() + encoded.len());
        text.push_str(EXPORT_PREFIX);
        text.push_str(&encoded);
        (self.secret, ExportedSecret::new(text))
    }

    /// Keeps the secret without ever exporting it (for keys that live only in this process).
    #[must_use]
    pub fn into_secret(self) -> Secret {
        self.secret
    }
}

impl fmt::Debug for GeneratedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("GeneratedSecret([REDACTED])")
    }
}

/// The text form of a generated key. Zeroized on drop; `Debug` is redacted.
pub struct ExportedSecret(Zeroizing<String>);

impl ExportedSecret {
    pub(crate) fn new(text: String) -> Self {
        Self(Zeroizing::new(text))
    }

    /// The key's text, `whsec_` + base64. Show it once, store it, and drop this value.
    #[must_use]
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ExportedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ExportedSecret([REDACTED])")
    }
}

/// Refuses text that is plainly not a bare key: empty, with whitespace, control or invisible
/// characters, a signature value, an Ed25519 key, or a provider-prefixed secret given to a
/// constructor that does not strip prefixes.
pub(crate) fn check_secret_text(text: &str) -> Result<(), SecretError> {
    check_key_text(text, Spaces::Refused)?;
    if text.starts_with("whsec_") {
        return Err(SecretError::UnexpectedPrefix);
    }
    Ok(())
}

/// Whether a secret's text may hold spaces: a text secret used as it is may (GitHub's documented
/// example has them), inside the text; encoded keys may not.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Spaces {
    Inside,
    Refused,
}

/// The checks every secret text gets: not empty, no whitespace (but spaces inside where
/// `spaces` allows them), no control or invisible characters, not a signature, not an Ed25519
/// key.
pub(crate) fn check_key_text(text: &str, spaces: Spaces) -> Result<(), SecretError> {
    if text.is_empty() {
        return Err(SecretError::Empty);
    }
    let bad_space = |c: char| c.is_whitespace() && (c != ' ' || spaces == Spaces::Refused);
    if text.trim() != text || text.chars().any(bad_space) {
        return Err(SecretError::ContainsWhitespace);
    }
    check_characters(text)?;
    if looks_like_signature(text) {
        return Err(SecretError::LooksLikeSignature);
    }
    if is_ed25519_key_text(text) {
        return Err(SecretError::WrongKeyKind {
            expected: EXPECTED_HMAC,
        });
    }
    Ok(())
}

/// Refuses control characters (C0, DEL, C1) and invisible formatting characters, each with its
/// own error. Call after the whitespace check, so tabs and line breaks (which are also control
/// characters) keep [`SecretError::ContainsWhitespace`].
pub(crate) fn check_characters(text: &str) -> Result<(), SecretError> {
    if text.chars().any(char::is_control) {
        return Err(SecretError::ControlCharacter);
    }
    if text.chars().any(is_invisible) {
        return Err(SecretError::InvisibleCharacter);
    }
    Ok(())
}

/// The invisible formatting characters that copying from a web page, chat or document can bring
/// along, listed in [`SecretError::InvisibleCharacter`]. Variation selectors (U+FE00 to U+FE0F)
/// are not among them, so a text secret may hold most emoji; the zero-width joiner that some
/// emoji sequences use is, as a far likelier paste accident.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{E0000}'..='\u{E007F}'
    )
}

/// [`SecretError::WrongKeyKind`]'s words for an HMAC secret.
pub(crate) const EXPECTED_HMAC: &str = "an HMAC secret";

/// The prefix of an Ed25519 signing key's text.
pub(crate) const SIGNING_PREFIX: &str = "whsk_";

/// The prefix of an Ed25519 public key's text.
pub(crate) const PUBLIC_PREFIX: &str = "whpk_";

/// `whsk_…` or `whpk_…`: an Ed25519 key's text, never an HMAC secret.
pub(crate) fn is_ed25519_key_text(text: &str) -> bool {
    [SIGNING_PREFIX, PUBLIC_PREFIX]
        .iter()
        .any(|p| text.starts_with(p))
}

/// The shape of a signature header value, or of one of its entries: a label before the first
/// `,` or `=` that a built-in scheme's signature header uses (`v1,…`, `v1a,…`, `v1=…`, `v0=…`,
/// `h1=…`, `t=…`, `ts=…`, `sha256=…`, `sha1=…`, read from the schemes themselves by
/// [`SignatureFormat::is_builtin_label`]), or any other version label (`v2=…`, `v10,…`). Such a
/// label never starts a base64 or hex key.
pub(crate) fn looks_like_signature(text: &str) -> bool {
    let Some(split) = text.find([',', '=']) else {
        return false;
    };
    let (label, _) = text.split_at(split);
    let version_label = (2..=4).contains(&label.len())
        && label.starts_with('v')
        && label
            .bytes()
            .skip(1)
            .all(|b| b.is_ascii_digit() || b == b'a');
    version_label || SignatureFormat::is_builtin_label(label)
}

/// Standard-alphabet base64 with or without padding.
const BASE64_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

pub(crate) fn decode_base64(text: &str) -> Result<Zeroizing<Vec<u8>>, SecretError> {
    let mut out = Zeroizing::new(Vec::with_capacity(text.len() / 4 * 3 + 3));
    BASE64_LENIENT
        .decode_vec(text, &mut out)
        .map_err(|_| SecretError::InvalidBase64)?;
    Ok(out)
}

pub(crate) fn decode_hex(text: &str) -> Result<Zeroizing<Vec<u8>>, SecretError> {
    let text = text.as_bytes();
    if !text.len().is_multiple_of(2) {
        return Err(SecretError::InvalidHex);
    }
    let mut out = Zeroizing::new(Vec::with_capacity(text.len() / 2));
    for pair in text.chunks_exact(2) {
        let (Some(hi), Some(lo)) = (
            pair.first().copied().and_then(hex_value),
            pair.get(1).copied().and_then(hex_value),
        ) else {
            return Err(SecretError::InvalidHex);
        };
        out.push(hi << 4 | lo);
    }
    Ok(out)
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY32_B64: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    #[test]
    fn from_bytes_refuses_empty_and_short() {
        assert_eq!(
            Secret::from_bytes(Vec::new()).unwrap_err(),
            SecretError::Empty
        );
        assert_eq!(
            Secret::from_bytes(vec![7; 31]).unwrap_err(),
            SecretError::TooShort { len: 31, min: 32 }
        );
        assert_eq!(Secret::from_bytes(vec![7; 32]).unwrap().len(), 32);
    }

    #[test]
    fn base64_with_and_without_padding() {
        let padded = Secret::from_base64(KEY32_B64).unwrap();
        let bare = Secret::from_base64(KEY32_B64.trim_end_matches('=')).unwrap();
        assert_eq!(padded.expose_secret(), bare.expose_secret());
        assert_eq!(
            padded.expose_secret(),
            (0..32).collect::<Vec<u8>>().as_slice()
        );
    }

    #[test]
    fn hex_in_either_case() {
        let text = "000102030405060708090a0b0c0d0e0f101112131415161718191A1B1C1D1E1F";
        let s = Secret::from_hex(text).unwrap();
        assert_eq!(s.expose_secret(), (0..32).collect::<Vec<u8>>().as_slice());
        assert_eq!(Secret::from_hex("0g").unwrap_err(), SecretError::InvalidHex);
        assert_eq!(
            Secret::from_hex("abc").unwrap_err(),
            SecretError::InvalidHex
        );
    }

    #[test]
    fn mix_ups_get_their_own_error() {
        assert_eq!(Secret::from_base64("").unwrap_err(), SecretError::Empty);
        assert_eq!(
            Secret::from_base64(" AAEC").unwrap_err(),
            SecretError::ContainsWhitespace
        );
        assert_eq!(
            Secret::from_base64("AAEC\n").unwrap_err(),
            SecretError::ContainsWhitespace
        );
        for sig in [
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
            "v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd",
            "t=1492774577,v1=5257a869",
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
            "v1a,hnO3f9T8",
        ] {
            assert_eq!(
                Secret::from_base64(sig).unwrap_err(),
                SecretError::LooksLikeSignature,
                "{sig}"
            );
        }
        assert_eq!(
            Secret::from_base64("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap_err(),
            SecretError::UnexpectedPrefix
        );
        assert_eq!(
            Secret::from_base64("not base64!").unwrap_err(),
            SecretError::ContainsWhitespace
        );
        assert_eq!(
            Secret::from_base64("not-base64!").unwrap_err(),
            SecretError::InvalidBase64
        );
    }

    #[test]
    fn generate_with_takes_its_bytes_from_the_source_and_fails_with_it() {
        let mut next = 0_u8;
        let mut counting = |bytes: &mut [u8]| {
            for b in bytes {
                *b = next;
                next = next.wrapping_add(1);
            }
            Ok(())
        };
        let (secret, text) = Secret::generate_with(&mut counting).unwrap().export();
        let expected: Vec<u8> = (0..32).collect();
        assert_eq!(secret.expose_secret(), expected.as_slice());
        assert_eq!(
            text.expose_secret(),
            format!(
                "whsec_{}",
                base64::engine::general_purpose::STANDARD.encode(&expected)
            )
        );
        let mut failing = |_: &mut [u8]| Err(crate::RandomUnavailable);
        assert_eq!(
            Secret::generate_with(&mut failing).unwrap_err(),
            SecretError::RandomUnavailable
        );
    }

    #[cfg(feature = "std")]
    #[test]
    fn generate_gives_distinct_32_byte_keys_and_round_trips() {
        let (a, text) = Secret::generate().unwrap().export();
        let b = Secret::generate().unwrap().into_secret();
        assert_eq!(a.len(), 32);
        assert_ne!(a.expose_secret(), b.expose_secret());
        let text = text.expose_secret();
        assert!(text.starts_with("whsec_"), "{text}");
        let back = crate::Scheme::standard_webhooks()
            .parse_secret(text)
            .unwrap();
        assert_eq!(back.expose_secret(), a.expose_secret());
        // The key's bytes, base64 after the prefix.
        let bare = Secret::from_base64(text.trim_start_matches("whsec_")).unwrap();
        assert_eq!(bare.expose_secret(), a.expose_secret());
    }

    #[cfg(feature = "std")]
    #[test]
    fn debug_is_redacted() {
        let (s, text) = Secret::generate().unwrap().export();
        assert_eq!(format!("{s:?}"), "Secret([REDACTED])");
        assert_eq!(format!("{text:?}"), "ExportedSecret([REDACTED])");
        let g = Secret::generate().unwrap();
        assert_eq!(format!("{g:?}"), "GeneratedSecret([REDACTED])");
    }
}

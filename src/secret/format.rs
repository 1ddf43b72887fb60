//! [`SecretFormat`]: how a scheme's shared secret is written down, and how it is read.

use alloc::boxed::Box;
use alloc::string::String;
use zeroize::Zeroizing;

use super::{Secret, Spaces, check_key_text, check_secret_text, decode_base64};
#[cfg(doc)]
use crate::Scheme;
use crate::error::SecretError;

/// How a scheme's shared secret is written down, and so how [`Scheme::parse_secret`] reads it.
///
/// Every format refuses an empty secret, control and invisible characters, a signature (or one
/// entry of a signature header) pasted where the secret belongs, and a key of the wrong kind
/// (`whsk_`/`whpk_` Ed25519 keys), each with its own [`SecretError`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretFormat {
    kind: SecretKind,
    min_len: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum SecretKind {
    Text,
    PrefixedText(Box<str>),
    Base64 { optional_prefix: Option<Box<str>> },
}

impl SecretFormat {
    /// The text's own bytes are the key (GitHub, Slack, Shopify, Paddle, Zoom). Spaces inside
    /// are kept; leading or trailing whitespace, tabs, line breaks, control characters and
    /// invisible characters (zero-width spaces, byte order marks, …) are refused as copy-paste
    /// accidents. At least 16 bytes by default.
    #[must_use]
    pub fn text() -> Self {
        Self {
            kind: SecretKind::Text,
            min_len: 16,
        }
    }

    /// Like [`SecretFormat::text`], and the text must start with `prefix`, which is part of the
    /// key (Stripe's `whsec_`). At least 16 bytes by default, prefix included.
    #[must_use]
    pub fn prefixed_text(prefix: &str) -> Self {
        Self {
            kind: SecretKind::PrefixedText(prefix.into()),
            min_len: 16,
        }
    }

    /// Standard base64, padding optional, decoded to the key. At least 32 bytes (decoded) by
    /// default.
    #[must_use]
    pub fn base64() -> Self {
        Self {
            kind: SecretKind::Base64 {
                optional_prefix: None,
            },
            min_len: Secret::MIN_LEN,
        }
    }

    /// Like [`SecretFormat::base64`], after an optional `prefix` (Standard Webhooks' `whsec_`).
    #[must_use]
    pub fn base64_with_prefix(prefix: &str) -> Self {
        Self {
            kind: SecretKind::Base64 {
                optional_prefix: Some(prefix.into()),
            },
            min_len: Secret::MIN_LEN,
        }
    }

    /// Sets the minimum key length in bytes (after decoding); at least 1.
    #[must_use]
    pub fn with_min_len(mut self, min_len: usize) -> Self {
        self.min_len = min_len.max(1);
        self
    }

    /// The minimum key length in bytes (after decoding).
    #[must_use]
    pub fn min_len(&self) -> usize {
        self.min_len
    }

    /// Reads a secret written in this format.
    ///
    /// ```
    /// use hookseal::scheme::SecretFormat;
    /// use hookseal::SecretError;
    ///
    /// let format = SecretFormat::base64_with_prefix("whsec_").with_min_len(24);
    /// assert_eq!(format.parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?.len(), 24);
    /// assert_eq!(format.parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?.len(), 24);
    /// assert_eq!(
    ///     format.parse("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=").unwrap_err(),
    ///     SecretError::LooksLikeSignature,
    /// );
    /// assert_eq!(format.parse("whsec_not base64").unwrap_err(), SecretError::ContainsWhitespace);
    /// assert_eq!(format.parse("whsec_%%%%").unwrap_err(), SecretError::InvalidBase64);
    /// # Ok::<(), SecretError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// - [`SecretError::Empty`] for no text (or only the prefix);
    /// - [`SecretError::ContainsWhitespace`] for whitespace (text formats allow inner spaces);
    /// - [`SecretError::ControlCharacter`] for a C0, DEL or C1 control character that is not
    ///   whitespace;
    /// - [`SecretError::InvisibleCharacter`] for a zero-width, bidirectional or other invisible
    ///   formatting character (U+200B, U+FEFF, …);
    /// - [`SecretError::LooksLikeSignature`] for a signature header value or one of its entries
    ///   in any built-in scheme's syntax (`v1,…`, `t=…`, `h1=…`, `sha256=…`);
    /// - [`SecretError::WrongKeyKind`] for an Ed25519 key (`whsk_…`, `whpk_…`; read those with
    ///   [`Scheme::parse_key`]);
    /// - [`SecretError::MissingPrefix`], naming the prefix, when a required prefix is absent;
    /// - [`SecretError::UnexpectedPrefix`] for `whsec_` given to plain base64;
    /// - [`SecretError::InvalidBase64`] when base64 does not decode;
    /// - [`SecretError::TooShort`] below the minimum length.
    pub fn parse(&self, text: &str) -> Result<Secret, SecretError> {
        match &self.kind {
            SecretKind::Text => {
                check_key_text(text, Spaces::Inside)?;
                Secret::with_min_len(Zeroizing::new(text.as_bytes().to_vec()), self.min_len)
            }
            SecretKind::PrefixedText(prefix) => {
                check_key_text(text, Spaces::Inside)?;
                if !text.starts_with(&**prefix) {
                    return Err(SecretError::MissingPrefix {
                        expected: String::from(&**prefix).into(),
                    });
                }
                if text.len() == prefix.len() {
                    return Err(SecretError::Empty);
                }
                Secret::with_min_len(Zeroizing::new(text.as_bytes().to_vec()), self.min_len)
            }
            SecretKind::Base64 { optional_prefix } => {
                let bare = match optional_prefix {
                    Some(prefix) => match text.strip_prefix(&**prefix) {
                        Some("") => return Err(SecretError::Empty),
                        Some(rest) => rest,
                        None => text,
                    },
                    None => text,
                };
                check_secret_text(bare)?;
                Secret::with_min_len(decode_base64(bare)?, self.min_len)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_secrets() {
        let f = SecretFormat::text();
        assert_eq!(f.parse("It's a Secret to Everybody").unwrap().len(), 26);
        assert_eq!(f.parse("").unwrap_err(), SecretError::Empty);
        for bad in [
            " sixteen-bytes-long",
            "sixteen-bytes-long\n",
            "sixteen\tbytes-long",
        ] {
            assert_eq!(
                f.parse(bad).unwrap_err(),
                SecretError::ContainsWhitespace,
                "{bad:?}"
            );
        }
        assert_eq!(
            f.parse("sha256=757107ea0eb2509fc211221cce984b8a")
                .unwrap_err(),
            SecretError::LooksLikeSignature
        );
        assert_eq!(
            f.parse("whpk_1SiA4o9hyqTCpIqC5V9HUakiiaeACeqfZTInDBbOir4=")
                .unwrap_err(),
            SecretError::WrongKeyKind {
                expected: "an HMAC secret"
            }
        );
        assert_eq!(
            f.parse("mysecret").unwrap_err(),
            SecretError::TooShort { len: 8, min: 16 }
        );
        assert_eq!(f.clone().with_min_len(0).min_len(), 1);
    }

    #[test]
    fn prefixed_text_secrets() {
        let f = SecretFormat::prefixed_text("whsec_");
        let s = f.parse("whsec_test_secret").unwrap();
        assert_eq!(s.expose_secret(), b"whsec_test_secret");
        assert_eq!(
            f.parse("sk_live_51HxYzAbCdEfGhIjKl").unwrap_err(),
            SecretError::MissingPrefix {
                expected: "whsec_".into()
            }
        );
        assert_eq!(f.parse("whsec_").unwrap_err(), SecretError::Empty);
        assert_eq!(
            f.parse("whsec_short").unwrap_err(),
            SecretError::TooShort { len: 11, min: 16 }
        );
    }

    #[test]
    fn base64_secrets() {
        let f = SecretFormat::base64_with_prefix("whsec_").with_min_len(24);
        let with = f.parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let without = f.parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        assert_eq!(with.expose_secret(), without.expose_secret());
        // 25 bytes: the padded and unpadded spellings decode alike.
        let padded = f
            .parse("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGA==")
            .unwrap();
        let bare = f.parse("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGA").unwrap();
        assert_eq!(padded.expose_secret(), bare.expose_secret());
        assert_eq!(padded.len(), 25);
        assert_eq!(f.parse("whsec_").unwrap_err(), SecretError::Empty);
        assert_eq!(
            f.parse("whsec_!!!!").unwrap_err(),
            SecretError::InvalidBase64
        );
        assert_eq!(
            f.parse("whsk_6Xb/dCcHpPea21PS1N9VY/NZW723CEc77N4rJCubMbfVKIDij2HKpMKkioLlX0dRqSKJp4AJ6p9lMicMFs6Kvg==")
                .unwrap_err(),
            SecretError::WrongKeyKind {
                expected: "an HMAC secret"
            }
        );
        assert_eq!(
            f.parse("whsec_AAECAwQF").unwrap_err(),
            SecretError::TooShort { len: 6, min: 24 }
        );
        let plain = SecretFormat::base64();
        assert_eq!(
            plain
                .parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
                .unwrap_err(),
            SecretError::UnexpectedPrefix
        );
    }
}

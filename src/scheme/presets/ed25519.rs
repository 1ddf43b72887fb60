//! Presets that sign with Ed25519 alone: Discord and Telnyx. Keys are the provider's public
//! keys as it publishes them; verification needs feature `ed25519`.

use super::{Encoding, Handshake, Part, Scheme, SignatureFormat, preset};
use crate::scheme::Algorithm;

impl Scheme {
    /// Discord interactions: `X-Signature-Ed25519: <hex>` over `timestamp‖body` (nothing
    /// between), with `X-Signature-Timestamp`. The key is the application's public key, 64 hex
    /// digits, read by [`Scheme::parse_key`] and the `from_secret` constructors (feature
    /// `ed25519`).
    ///
    /// Discord's libraries check no timestamp window; the verifier applies its own (300 s by
    /// default). The timestamp and the body sit side by side, as Discord signs them: a digit
    /// moved between them changes the timestamp by a factor of ten or more, outside any window.
    /// Deduplicate on the interaction's `id` in the verified body, or on the replay key.
    ///
    /// Handshake: Discord's signed `PING` ([`Handshake::discord`]), answered with a `PONG`
    /// once verified.
    #[must_use]
    pub fn discord() -> Self {
        preset(
            Self::custom("discord")
                .signature_header("X-Signature-Ed25519")
                .signature_format(SignatureFormat::bare())
                .encoding(Encoding::Hex)
                .algorithm(Algorithm::Ed25519)
                .timestamp_header("X-Signature-Timestamp")
                .signed_content([Part::timestamp(), Part::body()])
                .provider_layout()
                .handshake(Handshake::discord()),
        )
    }

    /// Telnyx: `telnyx-signature-ed25519: <base64>` over `timestamp|body`, with
    /// `telnyx-timestamp`. The key is the account's public key in base64 (feature `ed25519`).
    /// Telnyx's libraries accept 300 s on each side, the verifier's default.
    #[must_use]
    pub fn telnyx() -> Self {
        preset(
            Self::custom("telnyx")
                .signature_header("telnyx-signature-ed25519")
                .signature_format(SignatureFormat::bare())
                .encoding(Encoding::Base64)
                .algorithm(Algorithm::Ed25519)
                .timestamp_header("telnyx-timestamp")
                .signed_content([Part::timestamp(), Part::text("|"), Part::body()]),
        )
    }
}

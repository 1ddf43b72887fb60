//! Presets that read a value from the JSON body: Linear (its timestamp) and Mailgun (its
//! signature, timestamp and token).

use core::time::Duration;

use super::{Encoding, Part, Scheme, SignatureFormat, preset};
use crate::timestamp::TimestampFormat;

impl Scheme {
    /// Linear: `Linear-Signature: <hex>` over the body alone; the timestamp is the body's
    /// `webhookTimestamp` member (milliseconds, so covered by the signature), accepted within
    /// 60 s as Linear's SDK does (the scheme's [tolerance](Scheme::tolerance)). The unsigned
    /// `Linear-Delivery` header is the id. The webhook's signing secret is text.
    ///
    /// The body is read once more to find the member: it must be one JSON object
    /// ([`VerifyError::MalformedBody`](crate::VerifyError::MalformedBody) otherwise).
    #[must_use]
    pub fn linear() -> Self {
        preset(
            Self::custom("linear")
                .signature_header("Linear-Signature")
                .signature_format(SignatureFormat::bare())
                .encoding(Encoding::Hex)
                .timestamp_field(&["webhookTimestamp"])
                .timestamp_format(TimestampFormat::UnixMillis)
                .id_header("Linear-Delivery")
                .signed_content([Part::body()])
                .tolerance(Duration::from_secs(60)),
        )
    }

    /// Mailgun: the body's `signature` object holds `timestamp`, `token` and `signature`, the
    /// hex HMAC-SHA256 of `timestamp‖token` under the HTTP webhook signing key (text).
    ///
    /// **The body is not signed** ([`Scheme::signs_body`] is `false`): only the timestamp and
    /// the token are. The token is the id: a random value per delivery, covered by the
    /// signature, so [`Verified::replay_key`](crate::Verified::replay_key) (or
    /// [`Verified::id`](crate::Verified::id)) in a replay cache is what stops a captured
    /// signature from being sent again with another body. Without one, anyone who has seen a
    /// signed delivery can send any body with its signature for as long as the timestamp is
    /// fresh.
    ///
    /// The timestamp and the token sit side by side unseparated, as Mailgun signs them; moving
    /// digits between them changes the timestamp by a factor of ten or more, outside any window.
    /// The crate verifies Mailgun's deliveries but does not write them
    /// ([`SignError::SignatureInBody`](crate::SignError::SignatureInBody)).
    #[must_use]
    pub fn mailgun() -> Self {
        preset(
            Self::custom("mailgun")
                .signature_field(&["signature", "signature"])
                .signature_format(SignatureFormat::bare())
                .encoding(Encoding::Hex)
                .timestamp_field(&["signature", "timestamp"])
                .id_field(&["signature", "token"])
                .signed_content([Part::timestamp(), Part::id()])
                .provider_layout(),
        )
    }
}

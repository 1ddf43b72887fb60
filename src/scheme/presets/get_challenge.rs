//! Presets whose endpoints the provider checks with an unsigned `GET` challenge before it
//! delivers: Dropbox and Meta. Both sign the body alone, with the app secret as text.

use super::{Encoding, Handshake, Scheme, SignatureFormat, body_layout, preset};

impl Scheme {
    /// Dropbox: `X-Dropbox-Signature: <hex>`, the HMAC-SHA256 of the body alone under the app
    /// secret (text) (dropbox.com/developers/reference/webhooks, "Receiving notifications").
    ///
    /// No timestamp is signed: see the [module docs](crate::scheme#schemes-without-a-timestamp).
    ///
    /// Handshake: Dropbox's `GET ?challenge=…` ([`Handshake::dropbox`]), which Dropbox does
    /// not sign, answered with the challenge as `text/plain` with
    /// `X-Content-Type-Options: nosniff` — so the route must accept `GET` as well as `POST`.
    #[must_use]
    pub fn dropbox() -> Self {
        preset(
            body_layout(
                "dropbox",
                "X-Dropbox-Signature",
                SignatureFormat::bare(),
                Encoding::Hex,
            )
            .handshake(Handshake::dropbox()),
        )
    }

    /// Meta's webhooks — WhatsApp Business, Instagram, Messenger and the Graph API:
    /// `X-Hub-Signature-256: sha256=<hex>`, the HMAC-SHA256 of the body alone under the app
    /// secret (text) (developers.facebook.com/docs/graph-api/webhooks/getting-started, "Event
    /// Notifications"). GitHub's format, under Meta's name.
    ///
    /// No timestamp is signed: see the [module docs](crate::scheme#schemes-without-a-timestamp).
    ///
    /// Handshake: Meta's `GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`
    /// ([`Handshake::meta`]), which Meta does not sign, answered with the challenge once the
    /// verify token is the receiver's
    /// ([`Verifier::with_verify_token`](crate::Verifier::with_verify_token); refused with 403
    /// without one) — so the route must accept `GET` as well as `POST`.
    #[doc(alias = "whatsapp")]
    #[doc(alias = "instagram")]
    #[doc(alias = "messenger")]
    #[doc(alias = "facebook")]
    #[must_use]
    pub fn meta() -> Self {
        preset(
            body_layout(
                "meta",
                "X-Hub-Signature-256",
                SignatureFormat::prefixed("sha256="),
                Encoding::Hex,
            )
            .handshake(Handshake::meta()),
        )
    }
}

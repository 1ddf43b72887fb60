//! The presets: each provider's wire format, described with [`Scheme::custom`]. This file holds
//! the formats with a header of their own for each value; the others are grouped by what they
//! sign besides the body.

mod body_fields;
mod ed25519;
mod get_challenge;
mod public_key;
mod request_line;
mod signed_headers;

use alloc::vec;
use alloc::vec::Vec;
use core::time::Duration;

use super::{Encoding, Handshake, Part, Scheme, SchemeBuilder, SecretFormat, SignatureFormat};
use crate::scheme::Algorithm;
#[cfg(doc)]
use crate::secret::Secret;
use crate::timestamp::TimestampFormat;

impl Scheme {
    /// [Standard Webhooks](https://www.standardwebhooks.com/) 1.0: `webhook-id`,
    /// `webhook-timestamp` and `webhook-signature: v1,<base64> [v1,<base64> …]` over
    /// `id.ts.body`. The crate's default scheme.
    ///
    /// - The id is signed and required.
    /// - Secrets are `whsec_` + base64 (the prefix is optional, padding may be missing, as the
    ///   reference Python library accepts), decoded to at least 24 bytes. [`Secret::generate`]
    ///   exports its keys in this form.
    /// - With the `ed25519` feature, `v1a` entries are Ed25519 signatures, checked against the
    ///   keyring's trusted public keys (at most `Verifier::MAX_PUBLIC_KEY_VERIFICATIONS` key and
    ///   signature pairs per request); without it they are skipped like any unknown version.
    /// - Signing and verification refuse an id containing `.`, which would make the signed
    ///   content ambiguous.
    #[must_use]
    pub fn standard_webhooks() -> Self {
        preset(standard_webhooks_layout(
            Self::custom("standard-webhooks")
                .signature_header("webhook-signature")
                .timestamp_header("webhook-timestamp")
                .id_header("webhook-id"),
        ))
    }

    /// Svix: Standard Webhooks with `svix-id`, `svix-timestamp` and `svix-signature`. Each
    /// header falls back to its `webhook-*` name when the `svix-*` one is absent, as Svix's own
    /// libraries do. Signing writes the `svix-*` names.
    #[must_use]
    pub fn svix() -> Self {
        preset(svix_layout(Self::custom("svix")))
    }

    /// Stripe: `Stripe-Signature: t=<ts>,v1=<hex>[,v1=<hex>…]` over `ts.body`.
    ///
    /// Only `v1` entries are checked; `v0` (test-mode) and unknown entries are skipped, never
    /// accepted, so a downgrade is impossible. The signing secret (`whsec_…`) is used as text —
    /// its bytes, prefix included, are the key; it is **not** base64-decoded.
    #[must_use]
    pub fn stripe() -> Self {
        preset(
            Self::custom("stripe")
                .signature_header("Stripe-Signature")
                .signature_format(SignatureFormat::params(',', "v1"))
                .encoding(Encoding::Hex)
                .timestamp_param("t")
                .signed_content([Part::timestamp(), Part::text("."), Part::body()])
                .secret_format(SecretFormat::prefixed_text("whsec_")),
        )
    }

    /// GitHub: `X-Hub-Signature-256: sha256=<hex>` over the body alone, with the unsigned
    /// `X-GitHub-Delivery` id. The secret is text.
    ///
    /// No timestamp is signed, so there is no freshness check: see the
    /// [module docs](crate::scheme#schemes-without-a-timestamp) on deduplicating replays.
    #[must_use]
    pub fn github() -> Self {
        preset(
            body_layout(
                "github",
                "X-Hub-Signature-256",
                SignatureFormat::prefixed("sha256="),
                Encoding::Hex,
            )
            .id_header("X-GitHub-Delivery"),
        )
    }

    /// Slack: `X-Slack-Signature: v0=<hex>` over `v0:ts:body`, with the timestamp in
    /// `X-Slack-Request-Timestamp`. The signing secret is text.
    ///
    /// Handshake: Slack's signed `url_verification` ([`Handshake::slack`]), answered with its
    /// challenge once verified.
    #[must_use]
    pub fn slack() -> Self {
        preset(
            v0_layout(
                Self::custom("slack")
                    .signature_header("X-Slack-Signature")
                    .timestamp_header("X-Slack-Request-Timestamp"),
            )
            .handshake(Handshake::slack()),
        )
    }

    /// Shopify: `X-Shopify-Hmac-Sha256: <base64>` over the body alone (falling back to the
    /// newer `shopify-hmac-sha256` name), with the unsigned `X-Shopify-Webhook-Id`. The app's
    /// client secret is text.
    ///
    /// No timestamp is signed, so there is no freshness check: see the
    /// [module docs](crate::scheme#schemes-without-a-timestamp) on deduplicating replays.
    #[must_use]
    pub fn shopify() -> Self {
        preset(
            body_layout(
                "shopify",
                "X-Shopify-Hmac-Sha256",
                SignatureFormat::bare(),
                Encoding::Base64,
            )
            .fallback_signature_header("shopify-hmac-sha256")
            .id_header("X-Shopify-Webhook-Id"),
        )
    }

    /// PagerDuty (v3 webhooks): `X-PagerDuty-Signature: v1=<hex>[,v1=<hex>…]` over the body
    /// alone (one per active secret), with the unsigned `X-Webhook-Id`. The subscription's
    /// secret is text.
    ///
    /// No timestamp is signed: see the [module docs](crate::scheme#schemes-without-a-timestamp).
    #[must_use]
    pub fn pagerduty() -> Self {
        preset(
            body_layout(
                "pagerduty",
                "X-PagerDuty-Signature",
                SignatureFormat::params(',', "v1"),
                Encoding::Hex,
            )
            .id_header("X-Webhook-Id"),
        )
    }

    /// Intercom: `X-Hub-Signature: sha1=<hex>` over the body alone, HMAC-SHA1 with the app's
    /// client secret as text (Intercom sends no SHA-256 signature).
    ///
    /// No timestamp is signed: see the [module docs](crate::scheme#schemes-without-a-timestamp).
    #[must_use]
    pub fn intercom() -> Self {
        preset(
            body_layout(
                "intercom",
                "X-Hub-Signature",
                SignatureFormat::prefixed("sha1="),
                Encoding::Hex,
            )
            .algorithm(Algorithm::HmacSha1),
        )
    }

    /// Coinbase Commerce: `X-CC-Webhook-Signature: <hex>` over the body alone. The shared secret
    /// is text.
    ///
    /// No timestamp is signed: see the [module docs](crate::scheme#schemes-without-a-timestamp).
    #[must_use]
    pub fn coinbase_commerce() -> Self {
        preset(body_layout(
            "coinbase-commerce",
            "X-CC-Webhook-Signature",
            SignatureFormat::bare(),
            Encoding::Hex,
        ))
    }

    /// Razorpay: `X-Razorpay-Signature: <hex>` over the body alone, with the unsigned
    /// `X-Razorpay-Event-Id`. The webhook secret is text.
    ///
    /// No timestamp is signed: see the [module docs](crate::scheme#schemes-without-a-timestamp).
    #[must_use]
    pub fn razorpay() -> Self {
        preset(
            body_layout(
                "razorpay",
                "X-Razorpay-Signature",
                SignatureFormat::bare(),
                Encoding::Hex,
            )
            .id_header("X-Razorpay-Event-Id"),
        )
    }

    /// Paddle Billing: `Paddle-Signature: ts=<ts>;h1=<hex>[;h1=<hex>…]` over `ts:body`. The
    /// endpoint's secret key is text.
    #[must_use]
    pub fn paddle() -> Self {
        preset(
            Self::custom("paddle")
                .signature_header("Paddle-Signature")
                .signature_format(SignatureFormat::params(';', "h1"))
                .encoding(Encoding::Hex)
                .timestamp_param("ts")
                .signed_content([Part::timestamp(), Part::text(":"), Part::body()])
                .secret_format(SecretFormat::text()),
        )
    }

    /// Zoom: `x-zm-signature: v0=<hex>` over `v0:ts:body`, with the timestamp in
    /// `x-zm-request-timestamp` (Slack's layout). The secret token is text.
    ///
    /// Handshake: Zoom's signed `endpoint.url_validation` ([`Handshake::zoom`]), answered with
    /// the HMAC of its `plainToken` under the secret token once verified.
    #[must_use]
    pub fn zoom() -> Self {
        preset(
            v0_layout(
                Self::custom("zoom")
                    .signature_header("x-zm-signature")
                    .timestamp_header("x-zm-request-timestamp"),
            )
            .handshake(Handshake::zoom()),
        )
    }

    /// Clerk: Svix under Clerk's name (`svix-id`, `svix-timestamp`, `svix-signature`; the
    /// `whsec_` signing secret from Clerk's dashboard), so it is found by its name. Replay keys
    /// carry the name `clerk`.
    #[must_use]
    pub fn clerk() -> Self {
        preset(svix_layout(Self::custom("clerk")))
    }

    /// Resend: Svix under Resend's name, as [`Scheme::clerk`].
    #[must_use]
    pub fn resend() -> Self {
        preset(svix_layout(Self::custom("resend")))
    }

    /// Twitch EventSub: `Twitch-Eventsub-Message-Signature: sha256=<hex>` over
    /// `id‖timestamp‖body` (nothing between them), with `Twitch-Eventsub-Message-Id` and an
    /// RFC 3339 `Twitch-Eventsub-Message-Timestamp` (up to nine fraction digits, signed as sent).
    /// The subscription's secret is text. Twitch asks receivers to refuse messages older than
    /// 10 minutes: the scheme's [tolerance](Scheme::tolerance).
    ///
    /// The id is signed: deduplicate on it (a resend keeps its id). The id and the timestamp
    /// sit side by side unseparated, as Twitch signs them; the boundary cannot move, since no
    /// suffix of an RFC 3339 date-time is one, and no date-time is one with text in front.
    ///
    /// Handshake: Twitch's signed `webhook_callback_verification` ([`Handshake::twitch`]),
    /// answered with its challenge once verified.
    #[must_use]
    pub fn twitch() -> Self {
        preset(
            Self::custom("twitch")
                .signature_header("Twitch-Eventsub-Message-Signature")
                .signature_format(SignatureFormat::prefixed("sha256="))
                .encoding(Encoding::Hex)
                .timestamp_header("Twitch-Eventsub-Message-Timestamp")
                .timestamp_format(TimestampFormat::Rfc3339)
                .id_header("Twitch-Eventsub-Message-Id")
                .signed_content([Part::id(), Part::timestamp(), Part::body()])
                .tolerance(Duration::from_secs(600))
                .provider_layout()
                .handshake(Handshake::twitch()),
        )
    }

    /// WorkOS: `WorkOS-Signature: t=<ms>, v1=<hex>` (a space after the comma) over `t.body`,
    /// the timestamp in milliseconds. The endpoint's secret is text. WorkOS's libraries accept
    /// 180 s: the scheme's [tolerance](Scheme::tolerance).
    #[must_use]
    pub fn workos() -> Self {
        preset(
            Self::custom("workos")
                .signature_header("WorkOS-Signature")
                .signature_format(SignatureFormat::params(',', "v1").with_space_after_separator())
                .encoding(Encoding::Hex)
                // WorkOS sends one signature, and its libraries read no more.
                .max_signatures(1)
                .timestamp_param("t")
                .timestamp_format(TimestampFormat::UnixMillis)
                .signed_content([Part::timestamp(), Part::text("."), Part::body()])
                .tolerance(Duration::from_secs(180)),
        )
    }

    /// Mux: `Mux-Signature: t=<ts>,v1=<hex>[,v1=<hex>…]` over `t.body` (Stripe's layout). The
    /// webhook signing secret is text.
    #[must_use]
    pub fn mux() -> Self {
        preset(
            Self::custom("mux")
                .signature_header("Mux-Signature")
                .signature_format(SignatureFormat::params(',', "v1"))
                .encoding(Encoding::Hex)
                .timestamp_param("t")
                .signed_content([Part::timestamp(), Part::text("."), Part::body()]),
        )
    }

    /// Every preset, in the order of the scheme table above. The legacy
    /// [`dangerous::github_sha1`](crate::dangerous::github_sha1) is not among them.
    ///
    /// ```
    /// use hookseal::Scheme;
    ///
    /// let names: Vec<String> = Scheme::presets().iter().map(|s| s.name().to_owned()).collect();
    /// assert_eq!(names[0], "standard-webhooks");
    /// assert!(names.iter().any(|n| n == "stripe"));
    /// ```
    #[must_use]
    pub fn presets() -> Vec<Scheme> {
        vec![
            Self::standard_webhooks(),
            Self::svix(),
            Self::clerk(),
            Self::resend(),
            Self::stripe(),
            Self::github(),
            Self::slack(),
            Self::shopify(),
            Self::paddle(),
            Self::zoom(),
            Self::twitch(),
            Self::workos(),
            Self::mux(),
            Self::pagerduty(),
            Self::intercom(),
            Self::coinbase_commerce(),
            Self::razorpay(),
            Self::linear(),
            Self::mailgun(),
            Self::twilio(),
            Self::square(),
            Self::hubspot(),
            Self::discord(),
            Self::telnyx(),
            Self::hook0(),
            Self::coinbase_cdp(),
            Self::sendgrid(),
            Self::aws_sns(),
            Self::paypal(),
            Self::google_pubsub(),
            Self::dropbox(),
            Self::meta(),
        ]
    }
}

/// The shared layout of Standard Webhooks and Svix.
fn standard_webhooks_layout(builder: SchemeBuilder) -> SchemeBuilder {
    builder
        .signature_format(SignatureFormat::versioned("v1").with_ed25519_version("v1a"))
        .encoding(Encoding::Base64)
        .signed_content([
            Part::id(),
            Part::text("."),
            Part::timestamp(),
            Part::text("."),
            Part::body(),
        ])
        .secret_format(SecretFormat::base64_with_prefix("whsec_").with_min_len(24))
}

/// Svix's headers (each falling back to its `webhook-*` name) on Standard Webhooks' layout.
fn svix_layout(builder: SchemeBuilder) -> SchemeBuilder {
    standard_webhooks_layout(
        builder
            .signature_header("svix-signature")
            .fallback_signature_header("webhook-signature")
            .timestamp_header("svix-timestamp")
            .fallback_timestamp_header("webhook-timestamp")
            .id_header("svix-id")
            .fallback_id_header("webhook-id"),
    )
}

/// A single signature over the body alone, in `header` (GitHub, Shopify, PagerDuty and the other
/// body-only formats).
pub(super) fn body_layout(
    name: &str,
    header: &str,
    format: SignatureFormat,
    encoding: Encoding,
) -> SchemeBuilder {
    Scheme::custom(name)
        .signature_header(header)
        .signature_format(format)
        .encoding(encoding)
        .signed_content([Part::body()])
        .secret_format(SecretFormat::text())
}

/// The shared layout of Slack and Zoom: `v0=<hex>` over `v0:timestamp:body`, text secrets.
fn v0_layout(builder: SchemeBuilder) -> SchemeBuilder {
    builder
        .signature_format(SignatureFormat::prefixed("v0="))
        .encoding(Encoding::Hex)
        .signed_content([
            Part::text("v0:"),
            Part::timestamp(),
            Part::text(":"),
            Part::body(),
        ])
        .secret_format(SecretFormat::text())
}

/// Builds a built-in scheme, which is valid by construction (the unit tests build them all).
pub(crate) fn preset(builder: SchemeBuilder) -> Scheme {
    match builder.build() {
        Ok(scheme) => scheme,
        Err(e) => unreachable!("built-in schemes are valid: {e:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_builds_with_its_names() {
        let expected = [
            ("standard-webhooks", Some("webhook-signature")),
            ("svix", Some("svix-signature")),
            ("clerk", Some("svix-signature")),
            ("resend", Some("svix-signature")),
            ("stripe", Some("Stripe-Signature")),
            ("github", Some("X-Hub-Signature-256")),
            ("slack", Some("X-Slack-Signature")),
            ("shopify", Some("X-Shopify-Hmac-Sha256")),
            ("paddle", Some("Paddle-Signature")),
            ("zoom", Some("x-zm-signature")),
            ("twitch", Some("Twitch-Eventsub-Message-Signature")),
            ("workos", Some("WorkOS-Signature")),
            ("mux", Some("Mux-Signature")),
            ("pagerduty", Some("X-PagerDuty-Signature")),
            ("intercom", Some("X-Hub-Signature")),
            ("coinbase-commerce", Some("X-CC-Webhook-Signature")),
            ("razorpay", Some("X-Razorpay-Signature")),
            ("linear", Some("Linear-Signature")),
            ("mailgun", None),
            ("twilio", Some("X-Twilio-Signature")),
            ("square", Some("x-square-hmacsha256-signature")),
            ("hubspot", Some("X-HubSpot-Signature-v3")),
            ("discord", Some("X-Signature-Ed25519")),
            ("telnyx", Some("telnyx-signature-ed25519")),
            ("hook0", Some("X-Hook0-Signature")),
            ("coinbase-cdp", Some("X-Hook0-Signature")),
            ("sendgrid", Some("X-Twilio-Email-Event-Webhook-Signature")),
            ("aws-sns", None),
            ("paypal", Some("PAYPAL-TRANSMISSION-SIG")),
            ("google-pubsub", Some("Authorization")),
            ("dropbox", Some("X-Dropbox-Signature")),
            ("meta", Some("X-Hub-Signature-256")),
            ("github-sha1", Some("X-Hub-Signature")),
        ];
        let mut all = Scheme::presets();
        all.push(crate::dangerous::github_sha1());
        assert_eq!(all.len(), expected.len());
        for (scheme, (name, header)) in all.into_iter().zip(expected) {
            assert_eq!(scheme.name(), name);
            assert_eq!(scheme.signature_header(), header);
        }
    }
}

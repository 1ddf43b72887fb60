//! The presets: each provider's wire format, described with [`Scheme::custom`].

use super::{Encoding, Part, Scheme, SchemeBuilder, SecretFormat, SignatureFormat};
#[cfg(doc)]
use crate::secret::Secret;

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
    ///   keyring's trusted public keys (at most `Verifier::MAX_ED25519_VERIFICATIONS` key and
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
        preset(standard_webhooks_layout(
            Self::custom("svix")
                .signature_header("svix-signature")
                .fallback_signature_header("webhook-signature")
                .timestamp_header("svix-timestamp")
                .fallback_timestamp_header("webhook-timestamp")
                .id_header("svix-id")
                .fallback_id_header("webhook-id"),
        ))
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
            Self::custom("github")
                .signature_header("X-Hub-Signature-256")
                .signature_format(SignatureFormat::prefixed("sha256="))
                .encoding(Encoding::Hex)
                .id_header("X-GitHub-Delivery")
                .signed_content([Part::body()])
                .secret_format(SecretFormat::text()),
        )
    }

    /// Slack: `X-Slack-Signature: v0=<hex>` over `v0:ts:body`, with the timestamp in
    /// `X-Slack-Request-Timestamp`. The signing secret is text.
    #[must_use]
    pub fn slack() -> Self {
        preset(v0_layout(
            Self::custom("slack")
                .signature_header("X-Slack-Signature")
                .timestamp_header("X-Slack-Request-Timestamp"),
        ))
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
            Self::custom("shopify")
                .signature_header("X-Shopify-Hmac-Sha256")
                .fallback_signature_header("shopify-hmac-sha256")
                .signature_format(SignatureFormat::bare())
                .encoding(Encoding::Base64)
                .id_header("X-Shopify-Webhook-Id")
                .signed_content([Part::body()])
                .secret_format(SecretFormat::text()),
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
    #[must_use]
    pub fn zoom() -> Self {
        preset(v0_layout(
            Self::custom("zoom")
                .signature_header("x-zm-signature")
                .timestamp_header("x-zm-request-timestamp"),
        ))
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
            Self::stripe(),
            Self::github(),
            Self::slack(),
            Self::shopify(),
            Self::paddle(),
            Self::zoom(),
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
        Err(_) => unreachable!("built-in schemes are valid"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_builds_with_its_names() {
        let expected = [
            ("standard-webhooks", "webhook-signature"),
            ("svix", "svix-signature"),
            ("stripe", "Stripe-Signature"),
            ("github", "X-Hub-Signature-256"),
            ("slack", "X-Slack-Signature"),
            ("shopify", "X-Shopify-Hmac-Sha256"),
            ("paddle", "Paddle-Signature"),
            ("zoom", "x-zm-signature"),
            ("github-sha1", "X-Hub-Signature"),
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

//! Presets that sign the request line: Twilio, Square and HubSpot. Each needs the request's
//! method and target ([`HeaderSource::request_line`](crate::HeaderSource::request_line)) and, for
//! the URL, the verifier's public URL
//! ([`Verifier::with_public_url`](crate::Verifier::with_public_url)).

use core::time::Duration;

use super::{Encoding, Part, Scheme, SignatureFormat, preset};
use crate::scheme::Algorithm;
use crate::timestamp::TimestampFormat;

impl Scheme {
    /// Twilio: `X-Twilio-Signature: <base64>`, HMAC-SHA1 with the Auth Token (text) over the
    /// URL Twilio requested followed by the form's parameters sorted by name and then value,
    /// each distinct pair as `name‖value` ([`Part::form`]). A JSON body is bound instead by the
    /// URL's `bodySHA256` query parameter, the hex SHA-256 of the body, which must match; the
    /// signature then covers the URL alone. The URL is tried with and without its port
    /// (`:443`, `:80` or the one given), as Twilio's SDK does.
    ///
    /// Twilio signs no timestamp and no id: a captured request verifies again at any time (see
    /// the [module docs](crate::scheme#schemes-without-a-timestamp)). Its layout is its own: the
    /// parameters run together with nothing between them, so `a=1b&c=2` and `a=1&bc=2` sign
    /// alike, and the URL's target runs into them. Reading the form allocates a copy of the
    /// body and one entry per parameter (at most 1024).
    #[must_use]
    pub fn twilio() -> Self {
        preset(
            Self::custom("twilio")
                .signature_header("X-Twilio-Signature")
                .signature_format(SignatureFormat::bare())
                .encoding(Encoding::Base64)
                .algorithm(Algorithm::HmacSha1)
                .signed_content([Part::url(), Part::form()])
                .url_port_variants()
                .body_digest_param("bodySHA256")
                .provider_layout(),
        )
    }

    /// Square: `x-square-hmacsha256-signature: <base64>` over the subscription's notification
    /// URL followed by the body. The signature key is text (not decoded).
    ///
    /// Square signs no timestamp (see the
    /// [module docs](crate::scheme#schemes-without-a-timestamp)); deduplicate on the body's
    /// `event_id` or on the replay key. The URL's target runs into the body unseparated, as
    /// Square signs it.
    #[must_use]
    pub fn square() -> Self {
        preset(
            Self::custom("square")
                .signature_header("x-square-hmacsha256-signature")
                .signature_format(SignatureFormat::bare())
                .encoding(Encoding::Base64)
                .signed_content([Part::url(), Part::body()])
                .provider_layout(),
        )
    }

    /// HubSpot (v3 signatures): `X-HubSpot-Signature-v3: <base64>` over
    /// `method‖URL‖body‖timestamp`, with `X-HubSpot-Request-Timestamp` in milliseconds. The
    /// app's client secret is text. HubSpot refuses requests older than 5 minutes; so does the
    /// scheme's [tolerance](Scheme::tolerance), in both directions.
    ///
    /// The URL is signed as the request carries it, as HubSpot's SDKs check it (HubSpot's docs
    /// also list percent-escapes to decode first; the SDKs do not). The parts run together as
    /// HubSpot signs them: the method before the URL is bounded by the URL's fixed `https://`;
    /// a digit moved between the body and the timestamp changes the timestamp by a factor of
    /// ten or more, outside any window.
    #[must_use]
    pub fn hubspot() -> Self {
        preset(
            Self::custom("hubspot")
                .signature_header("X-HubSpot-Signature-v3")
                .signature_format(SignatureFormat::bare())
                .encoding(Encoding::Base64)
                .timestamp_header("X-HubSpot-Request-Timestamp")
                .timestamp_format(TimestampFormat::UnixMillis)
                .signed_content([Part::method(), Part::url(), Part::body(), Part::timestamp()])
                .tolerance(Duration::from_secs(300))
                .provider_layout(),
        )
    }
}

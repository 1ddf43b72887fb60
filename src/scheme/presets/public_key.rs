//! Presets that sign with a provider's private key: SendGrid (ECDSA P-256), AWS SNS and PayPal
//! (RSA, with the certificate named in each request). The receiver verifies with the public key
//! or certificate: held in its keyring, or fetched through a [`KeyCache`](crate::KeyCache).

use core::time::Duration;

use super::{Encoding, Part, Scheme, SignatureFormat, preset};
use crate::key_source::AllowList;
use crate::scheme::Algorithm;
use crate::timestamp::TimestampFormat;
use crate::token::TokenRules;

impl Scheme {
    /// SendGrid's Event Webhook: `X-Twilio-Email-Event-Webhook-Signature: <base64 DER>`, an
    /// ECDSA P-256 signature with SHA-256 over `timestamp‖body` (nothing between), with
    /// `X-Twilio-Email-Event-Webhook-Timestamp`. The key is the verification key SendGrid shows
    /// with the webhook's settings, the base64 of its SubjectPublicKeyInfo, read by
    /// [`Scheme::parse_key`] and the `from_secret` constructors (feature `p256`).
    ///
    /// SendGrid's libraries check no timestamp window; the verifier applies its own (300 s by
    /// default). The timestamp and the body sit side by side, as SendGrid signs them: a digit
    /// moved between them changes the timestamp by a factor of ten or more, outside any window.
    /// Deduplicate on each event's `sg_event_id` in the verified body, or on the replay key.
    #[must_use]
    pub fn sendgrid() -> Self {
        preset(
            Self::custom("sendgrid")
                .signature_header("X-Twilio-Email-Event-Webhook-Signature")
                .signature_format(SignatureFormat::bare())
                .encoding(Encoding::Base64)
                .algorithm(Algorithm::EcdsaP256Sha256)
                .timestamp_header("X-Twilio-Email-Event-Webhook-Timestamp")
                .signed_content([Part::timestamp(), Part::body()])
                .provider_layout(),
        )
    }

    /// AWS SNS over HTTP(S): a JSON message whose `Signature` member is an RSA signature
    /// (PKCS#1 v1.5) of its other members — `Message`, `MessageId`, `Subject`, `SubscribeURL`,
    /// `Timestamp`, `Token`, `TopicArn` and `Type`, each present one as `name\nvalue\n`, in that
    /// order — with SHA-1 when `SignatureVersion` is `1` and SHA-256 when it is `2` (any other
    /// is refused). The certificate is the one at `SigningCertURL`, which must be an `https`
    /// URL of `sns.<region>.amazonaws.com` (or `.amazonaws.com.cn`) ending in `.pem`.
    ///
    /// `MessageId` is the id ([`Verified::id`](crate::Verified::id)), signed, so it keys dedupe;
    /// `Timestamp` (RFC 3339) is checked against a window of one hour on each side, since SNS
    /// retries a delivery with its original timestamp. Notifications, subscription and
    /// unsubscribe confirmations verify alike: read the verified message's `Type` before acting
    /// on it, and confirm a subscription yourself (the crate never visits `SubscribeURL`).
    ///
    /// The members read as written (`Signature`, `SignatureVersion`, `SigningCertURL`,
    /// `MessageId`, `Timestamp`) must hold no JSON escape, as SNS writes them: a message whose
    /// JSON was re-encoded with `\/` for `/` is refused (`VerifyError::MalformedBody`); verify
    /// the body as received.
    #[must_use]
    pub fn aws_sns() -> Self {
        preset(
            Self::custom("aws-sns")
                .signature_field(&["Signature"])
                .encoding(Encoding::Base64)
                .algorithm_field(
                    &["SignatureVersion"],
                    &[("1", Algorithm::RsaSha1), ("2", Algorithm::RsaSha256)],
                )
                .timestamp_field(&["Timestamp"])
                .timestamp_format(TimestampFormat::Rfc3339)
                .tolerance(Duration::from_secs(3600))
                .id_field(&["MessageId"])
                .certificate_url_field(&["SigningCertURL"], AllowList::aws_sns())
                .signed_content([Part::named_members(&[
                    "Message",
                    "MessageId",
                    "Subject",
                    "SubscribeURL",
                    "Timestamp",
                    "Token",
                    "TopicArn",
                    "Type",
                ])]),
        )
    }

    /// PayPal: `PAYPAL-TRANSMISSION-SIG: <base64>`, an RSA signature (PKCS#1 v1.5, SHA-256, as
    /// `PAYPAL-AUTH-ALGO: SHA256withRSA` says; any other is refused) over
    /// `transmission_id|transmission_time|webhook_id|crc32`: the `PAYPAL-TRANSMISSION-ID` and
    /// `PAYPAL-TRANSMISSION-TIME` (RFC 3339) headers, the webhook's id from the verifier's
    /// configuration ([`Verifier::with_endpoint_id`](crate::Verifier::with_endpoint_id)), and
    /// the CRC-32 of the body in decimal. The certificate is the one at `PAYPAL-CERT-URL`, which
    /// must be an `https` URL of `api.paypal.com`, `api-m.paypal.com` or their sandboxes under
    /// `/v1/notifications/certs/`.
    ///
    /// PayPal signs the body's CRC-32, not a digest of it, so the body is not authenticated
    /// ([`Scheme::signs_body`] is `false`): anyone holding one signed delivery can make another
    /// body with the same CRC-32. Keep a replay cache: such a body has the delivery's replay
    /// key, so it is refused once the delivery has been seen. Act on the event's id and fetch
    /// the resource from PayPal's API before acting on amounts.
    #[must_use]
    pub fn paypal() -> Self {
        preset(
            Self::custom("paypal")
                .signature_header("PAYPAL-TRANSMISSION-SIG")
                .signature_format(SignatureFormat::bare())
                .encoding(Encoding::Base64)
                .algorithm_header(
                    "PAYPAL-AUTH-ALGO",
                    &[("SHA256withRSA", Algorithm::RsaSha256)],
                )
                .timestamp_header("PAYPAL-TRANSMISSION-TIME")
                .timestamp_format(TimestampFormat::Rfc3339)
                .id_header("PAYPAL-TRANSMISSION-ID")
                .certificate_url_header("PAYPAL-CERT-URL", AllowList::paypal())
                .signed_content([
                    Part::id(),
                    Part::text("|"),
                    Part::timestamp(),
                    Part::text("|"),
                    Part::endpoint_id(),
                    Part::text("|"),
                    Part::body_crc32(),
                ]),
        )
    }

    /// Google Cloud Pub/Sub push with authentication: `Authorization: Bearer <ID token>`, an
    /// RS256 JSON Web Token Google signs for the subscription's service account. The body is
    /// **not signed**: the token says who sent the request, not what it holds
    /// ([`Scheme::signs_body`] is `false`). The token must be issued by `accounts.google.com`
    /// (either spelling), name the receiver in `aud` (the push endpoint's URL by default:
    /// [`Verifier::with_public_url`](crate::Verifier::with_public_url) and the request's
    /// target, or [`Verifier::with_audience`](crate::Verifier::with_audience)), name the
    /// subscription's service account in `email`
    /// ([`Verifier::with_service_account`](crate::Verifier::with_service_account), required)
    /// with `email_verified`, and be unexpired; its key comes from Google's key set, fetched
    /// through a [`KeyCache`](crate::KeyCache) (feature `x509`). A token names its key: a key
    /// pinned in a keyring instead must carry the key set's `kid` as its id.
    ///
    /// Google reuses a token for up to an hour and renews it for redeliveries, so the window is
    /// an hour and the token does not identify a delivery: the id is the body's
    /// `message.messageId` (unsigned, as the body is), and
    /// [`Verified::replay_key`](crate::Verified::replay_key) is made of it alone, so a message
    /// delivered again under another token is still a replay. For an idempotency key, use the
    /// replay key's store or [`dangerous::unsigned_id_key`](crate::dangerous::unsigned_id_key):
    /// nothing in a push but its token is signed.
    #[must_use]
    pub fn google_pubsub() -> Self {
        preset(
            Self::custom("google-pubsub")
                .signature_header("Authorization")
                .signature_format(SignatureFormat::bearer_token(TokenRules::google_id_token()))
                .max_header_len(4096)
                .tolerance(Duration::from_secs(3600))
                .id_field(&["message", "messageId"]),
        )
    }
}

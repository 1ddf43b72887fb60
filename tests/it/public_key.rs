//! The presets that verify with a provider's public key, through the verifier: SendGrid's,
//! AWS SNS's and PayPal's published known answers, with keys pinned and with certificates
//! fetched through a `KeyCache`. The refusals of each are in `adversarial.rs`.

use hookseal::{Scheme, Timestamp, Verifier, VerifyError};

#[cfg(feature = "p256")]
mod sendgrid {
    use super::*;

    /// The three published SendGrid vectors (`tests/vectors/sendgrid/README.md` names their
    /// repositories and paths), each through `Verifier::from_secret` with the verification key
    /// as SendGrid shows it.
    #[test]
    fn the_published_vectors_verify_and_a_changed_byte_does_not() {
        let vectors: serde_json::Value =
            serde_json::from_str(include_str!("../vectors/sendgrid/vectors.json")).unwrap();
        for vector in vectors.as_array().unwrap() {
            let field = |name: &str| vector[name].as_str().unwrap();
            let body = std::fs::read(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("tests/vectors/sendgrid")
                    .join(field("payload")),
            )
            .unwrap();
            let headers = [
                ("X-Twilio-Email-Event-Webhook-Signature", field("signature")),
                ("X-Twilio-Email-Event-Webhook-Timestamp", field("timestamp")),
            ];
            let verifier = Verifier::from_secret(Scheme::sendgrid(), field("public_key")).unwrap();
            let now = Timestamp::from_unix_secs(field("timestamp").parse().unwrap());
            let verified = verifier.verify_at(&headers, &body, now).unwrap();
            assert_eq!(verified.body(), &body[..]);
            assert_eq!(verified.key_id(), "default");
            assert_eq!(verified.timestamp(), Some(now));

            let mut changed = body.clone();
            changed[3] ^= 1;
            assert_eq!(
                verifier.verify_at(&headers, &changed, now).unwrap_err(),
                VerifyError::NoMatchingSignature
            );
        }
    }
}

#[cfg(feature = "x509")]
mod certificates {
    use std::collections::HashMap;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use hookseal::{
        AllowList, Certificate, FetchError, Key, KeyCache, KeyFetcher, KeyUrl, Keyring, SnsKind,
        SnsMessage,
    };

    use super::*;

    /// The RFC 3339 instant as Unix seconds (whole seconds are enough for a window check).
    fn at(rfc3339: &str) -> Timestamp {
        hookseal::TimestampFormat::Rfc3339
            .parse(rfc3339.as_bytes())
            .unwrap()
    }

    const SNS_CERT: &[u8] = include_bytes!("../vectors/aws_sns/cert.pem");
    const SNS_CERT_URL: &str = "https://sns.us-east-2.amazonaws.com/SimpleNotificationService-7ff5318490ec183fbaddaa2a969abfda.pem";
    const PAYPAL_CERT: &[u8] = include_bytes!("../vectors/paypal/cert.pem");
    const PAYPAL_BODY: &[u8] = include_bytes!("../vectors/paypal/body.json");
    const PAYPAL_CERT_URL: &str =
        "https://api.sandbox.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77";

    /// The four notifications of aws/aws-php-sns-message-validator
    /// `tests/FunctionalValidationsTest.php`, with their signature versions and subjects.
    fn sns_messages() -> [(&'static [u8], &'static str, Option<&'static str>); 4] {
        [
            (
                include_bytes!("../vectors/aws_sns/notification_sv1.json"),
                "792cda85-518f-5dd3-9163-81d851212f3a",
                None,
            ),
            (
                include_bytes!("../vectors/aws_sns/notification_sv2.json"),
                "17dea24b-55c2-540b-8362-f916557af765",
                None,
            ),
            (
                include_bytes!("../vectors/aws_sns/notification_sv1_subject.json"),
                "11405cc3-9ac7-56d5-b45d-079e8f7a8edf",
                Some("Hello world"),
            ),
            (
                include_bytes!("../vectors/aws_sns/notification_sv2_subject.json"),
                "4504e649-d933-5aa9-8199-bd14ccf05f0b",
                Some("Hello world"),
            ),
        ]
    }

    /// The time a message was published: its `Timestamp` member.
    fn published(message: &[u8]) -> Timestamp {
        let value: serde_json::Value = serde_json::from_slice(message).unwrap();
        at(value["Timestamp"].as_str().unwrap())
    }

    fn pinned(scheme: Scheme, id: &str, pem: &[u8]) -> Verifier {
        let certificate = Certificate::from_pem(pem).unwrap();
        Verifier::new(
            scheme,
            Keyring::new(Key::certificate(id, &certificate).unwrap()).unwrap(),
        )
    }

    /// Serves documents from memory and counts its fetches.
    #[derive(Debug, Default)]
    struct Documents {
        by_url: HashMap<String, Vec<u8>>,
        fetches: AtomicUsize,
    }

    impl Documents {
        fn with(url: &str, document: &[u8]) -> Arc<Self> {
            let mut by_url = HashMap::new();
            by_url.insert(url.to_owned(), document.to_vec());
            Arc::new(Self {
                by_url,
                fetches: AtomicUsize::new(0),
            })
        }
    }

    /// The fetcher of a test: the documents, shared so the test can count.
    struct Fetcher(Arc<Documents>);

    impl KeyFetcher for Fetcher {
        async fn fetch(&self, url: &KeyUrl) -> Result<Vec<u8>, FetchError> {
            self.0.fetches.fetch_add(1, Ordering::SeqCst);
            (self.0.by_url.get(url.as_str()).cloned())
                .ok_or_else(|| FetchError::new(format!("404 for {url}")))
        }
    }

    #[test]
    fn sns_published_notifications_verify_with_the_certificate_pinned() {
        let verifier = pinned(Scheme::aws_sns(), "sns", SNS_CERT);
        for (message, id, subject) in sns_messages() {
            let verified = verifier
                .verify_at(
                    &[("Content-Type", "text/plain")],
                    message,
                    published(message),
                )
                .unwrap();
            assert_eq!(verified.id(), Some(id));
            assert!(verified.id_is_signed());
            assert_eq!(verified.key_id(), "sns");
            // The signed MessageId keys idempotency.
            let key = hookseal::idempotency::IdempotencyKey::from_verified(&verified).unwrap();
            assert_eq!(key.as_str(), id);
            let sns = SnsMessage::from_verified(&verified).unwrap();
            assert_eq!(sns.kind(), &SnsKind::Notification);
            assert_eq!(sns.message_id(), id);
            assert_eq!(sns.message(), "Hello world");
            assert_eq!(sns.subject(), subject);
            assert!(
                sns.topic_arn()
                    .starts_with("arn:aws:sns:us-east-2:295079676684:")
            );
        }
    }

    #[test]
    fn sns_window_is_an_hour_each_side() {
        let verifier = pinned(Scheme::aws_sns(), "sns", SNS_CERT);
        let (message, _, _) = sns_messages()[0];
        let t = published(message).as_unix_secs();
        let verify =
            |now| verifier.verify_at(&[("a", "b")], message, Timestamp::from_unix_secs(now));
        assert!(verify(t + 3600).is_ok());
        assert_eq!(verify(t + 3601).unwrap_err(), VerifyError::TimestampTooOld);
        assert!(verify(t - 3600).is_ok());
        assert_eq!(
            verify(t - 3601).unwrap_err(),
            VerifyError::TimestampInFuture
        );
    }

    #[tokio::test]
    async fn sns_certificates_are_fetched_once_through_the_allow_list() {
        let documents = Documents::with(SNS_CERT_URL, SNS_CERT);
        let cache = KeyCache::new(Fetcher(Arc::clone(&documents)));
        let verifier = Verifier::fetching(Scheme::aws_sns(), cache).unwrap();
        let none: [(&str, &str); 0] = [];
        for (message, id, _) in sns_messages() {
            let now = published(message);
            verifier.load_key(&none, message).await.unwrap();
            let verified = verifier.verify_at(&none, message, now).unwrap();
            assert_eq!(verified.id(), Some(id));
            // The certificate's subject names the key.
            assert_eq!(verified.key_id(), "sns.amazonaws.com");
        }
        // Four messages, one certificate URL: one fetch.
        assert_eq!(documents.fetches.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_certificate_is_not_fetched_by_verify_and_not_trusted_outside_its_dates() {
        let documents = Documents::with(SNS_CERT_URL, SNS_CERT);
        let cache = KeyCache::new(Fetcher(Arc::clone(&documents)));
        let verifier = Verifier::fetching(Scheme::aws_sns(), cache)
            .unwrap()
            .with_max_age(Duration::from_secs(10 * 365 * 86_400));
        let (message, _, _) = sns_messages()[0];
        let none: [(&str, &str); 0] = [];
        let now = published(message);
        let err = verifier.verify_at(&none, message, now).unwrap_err();
        assert_eq!(err, VerifyError::KeyNotLoaded);
        assert_eq!(err.status_code(), 503);
        assert_eq!(documents.fetches.load(Ordering::SeqCst), 0);

        verifier.load_key(&none, message).await.unwrap();
        assert!(verifier.verify_at(&none, message, now).is_ok());
        // The certificate expired on 2022-08-17T23:59:59Z.
        let expired = at("2022-08-18T00:00:00Z");
        assert_eq!(
            verifier.verify_at(&none, message, expired).unwrap_err(),
            VerifyError::CertificateNotValid
        );
        let last = at("2022-08-17T23:59:59Z");
        assert!(verifier.verify_at(&none, message, last).is_ok());
    }

    #[tokio::test]
    async fn a_url_off_the_list_is_refused_before_any_fetch() {
        let (message, _, _) = sns_messages()[0];
        let text = core::str::from_utf8(message).unwrap();
        let none: [(&str, &str); 0] = [];
        for url in [
            "http://sns.us-east-2.amazonaws.com/SimpleNotificationService-1.pem",
            "https://sns.us-east-2.amazonaws.com.evil.example/SimpleNotificationService-1.pem",
            "https://sns.us-east-2.amazonaws.com/SimpleNotificationService-1.txt",
            "https://sns.us-east-2.amazonaws.com:8443/SimpleNotificationService-1.pem",
        ] {
            let forged = text.replace(SNS_CERT_URL, url);
            let documents = Documents::with(url, SNS_CERT);
            let cache = KeyCache::new(Fetcher(Arc::clone(&documents)));
            let verifier = Verifier::fetching(Scheme::aws_sns(), cache).unwrap();
            assert_eq!(
                verifier
                    .load_key(&none, forged.as_bytes())
                    .await
                    .unwrap_err(),
                VerifyError::KeyUrlRefused,
                "{url}"
            );
            assert_eq!(documents.fetches.load(Ordering::SeqCst), 0, "{url}");
        }
    }

    #[tokio::test]
    async fn what_the_fetcher_returns_must_be_a_certificate() {
        let documents = Documents::with(SNS_CERT_URL, b"<html>not found</html>");
        let cache = KeyCache::new(Fetcher(Arc::clone(&documents)));
        let verifier = Verifier::fetching(Scheme::aws_sns(), cache).unwrap();
        let (message, _, _) = sns_messages()[0];
        let none: [(&str, &str); 0] = [];
        let err = verifier.load_key(&none, message).await.unwrap_err();
        assert_eq!(err, VerifyError::InvalidFetchedKey);
        assert_eq!(err.status_code(), 502);
        // Remembered: no second fetch straight away.
        assert_eq!(
            verifier.load_key(&none, message).await.unwrap_err(),
            VerifyError::InvalidFetchedKey
        );
        assert_eq!(documents.fetches.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn fetching_needs_a_scheme_that_names_its_certificate() {
        let cache = KeyCache::new(Fetcher(Arc::default()));
        assert!(Verifier::fetching(Scheme::sendgrid(), cache).is_err());
        // A scheme's list is replaced by another scheme value, never loosened in place.
        let local = Scheme::aws_sns()
            .with_certificate_allow_list(AllowList::prefix("http://127.0.0.1:8080/certs/").unwrap())
            .unwrap();
        assert_ne!(
            local.certificate_allow_list(),
            Scheme::aws_sns().certificate_allow_list()
        );
        assert_eq!(
            Scheme::aws_sns().certificate_allow_list(),
            Some(&AllowList::aws_sns())
        );
        assert!(
            Scheme::stripe()
                .with_certificate_allow_list(AllowList::aws_sns())
                .is_err()
        );
    }

    fn paypal_headers(cert_url: &str) -> Vec<(String, String)> {
        let vector: serde_json::Value =
            serde_json::from_str(include_str!("../vectors/paypal/vector.json")).unwrap();
        let field = |name: &str| vector[name].as_str().unwrap().to_owned();
        vec![
            ("PAYPAL-TRANSMISSION-ID".into(), field("transmission_id")),
            (
                "PAYPAL-TRANSMISSION-TIME".into(),
                field("transmission_time"),
            ),
            ("PAYPAL-TRANSMISSION-SIG".into(), field("transmission_sig")),
            ("PAYPAL-AUTH-ALGO".into(), field("auth_algo")),
            ("PAYPAL-CERT-URL".into(), cert_url.into()),
        ]
    }

    /// paypal/PayPal-Java-SDK `rest-api-sdk/src/test/java/com/paypal/base/ValidateCertTest.java`:
    /// its body's CRC-32 is above 2^31, so only its unsigned decimal verifies.
    #[test]
    fn paypal_published_delivery_verifies_with_the_certificate_pinned() {
        let headers = paypal_headers(PAYPAL_CERT_URL);
        let now = at("2017-03-30T20:04:05Z");
        let verifier = pinned(Scheme::paypal(), "paypal", PAYPAL_CERT);
        assert_eq!(
            verifier.verify_at(&headers, PAYPAL_BODY, now).unwrap_err(),
            VerifyError::MissingEndpointId
        );
        let verifier = verifier.with_endpoint_id("96605875FF6516633").unwrap();
        let verified = verifier.verify_at(&headers, PAYPAL_BODY, now).unwrap();
        assert_eq!(verified.id(), Some("071f7d20-1584-11e7-abf0-6b62a8a99ac4"));
        let key = hookseal::idempotency::IdempotencyKey::from_verified(&verified).unwrap();
        assert_eq!(key.as_str(), "071f7d20-1584-11e7-abf0-6b62a8a99ac4");
        assert!(!verified.scheme().signs_body());

        let other = pinned(Scheme::paypal(), "paypal", PAYPAL_CERT)
            .with_endpoint_id("96605875FF6516634")
            .unwrap();
        assert_eq!(
            other.verify_at(&headers, PAYPAL_BODY, now).unwrap_err(),
            VerifyError::NoMatchingSignature
        );
    }

    #[tokio::test]
    async fn paypal_certificates_are_fetched_from_its_hosts() {
        let documents = Documents::with(PAYPAL_CERT_URL, PAYPAL_CERT);
        let cache = KeyCache::new(Fetcher(Arc::clone(&documents)));
        let verifier = Verifier::fetching(Scheme::paypal(), cache)
            .unwrap()
            .with_endpoint_id("96605875FF6516633")
            .unwrap();
        let headers = paypal_headers(PAYPAL_CERT_URL);
        let now = at("2017-03-30T20:04:05Z");
        verifier.load_key(&headers, PAYPAL_BODY).await.unwrap();
        let verified = verifier.verify_at(&headers, PAYPAL_BODY, now).unwrap();
        assert_eq!(
            verified.key_id(),
            "messageverificationcerts.sandbox.paypal.com"
        );
        // The URL the SDK's own test sends is not one PayPal serves certificates from.
        let test_url = paypal_headers("https://api.sandbox.paypal.com/v1/notifications/test");
        assert_eq!(
            verifier.load_key(&test_url, PAYPAL_BODY).await.unwrap_err(),
            VerifyError::KeyUrlRefused
        );
        assert_eq!(documents.fetches.load(Ordering::SeqCst), 1);
    }
}

#[cfg(feature = "x509")]
mod pubsub {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use hookseal::{FetchError, KeyCache, KeyFetcher, KeyUrl, RequestView};

    use super::*;

    const GOOGLE_KEYS: &str = "https://www.googleapis.com/oauth2/v3/certs";
    const JWKS: &[u8] = include_bytes!("../vectors/google_pubsub/jwks.json");
    const BODY: &[u8] = include_bytes!("../vectors/google_pubsub/body.json");
    const PUBLIC_URL: &str = "https://hooks.example.com";
    const TARGET: &str = "/pubsub/push?token=abc";

    struct Vectors {
        iat: u64,
        email: String,
        aud: String,
        tokens: serde_json::Value,
    }

    fn vectors() -> Vectors {
        let v: serde_json::Value =
            serde_json::from_str(include_str!("../vectors/google_pubsub/tokens.json")).unwrap();
        Vectors {
            iat: v["iat"].as_u64().unwrap(),
            email: v["email"].as_str().unwrap().to_owned(),
            aud: v["aud"].as_str().unwrap().to_owned(),
            tokens: v["tokens"].clone(),
        }
    }

    /// Google's key set, from memory, with its fetches counted.
    struct KeySet(Arc<AtomicUsize>);

    impl KeyFetcher for KeySet {
        async fn fetch(&self, url: &KeyUrl) -> Result<Vec<u8>, FetchError> {
            self.0.fetch_add(1, Ordering::SeqCst);
            assert_eq!(url.as_str(), GOOGLE_KEYS);
            Ok(JWKS.to_vec())
        }
    }

    fn verifier(fetches: &Arc<AtomicUsize>) -> Verifier {
        let cache = KeyCache::new(KeySet(Arc::clone(fetches)));
        Verifier::fetching(Scheme::google_pubsub(), cache)
            .unwrap()
            .with_public_url(PUBLIC_URL)
            .unwrap()
            .with_service_account(&vectors().email)
            .unwrap()
    }

    /// Loads the key set for `token` and verifies a push with it at `now`.
    async fn push(
        verifier: &Verifier,
        token: &str,
        body: &[u8],
        now: u64,
    ) -> Result<(Option<String>, String, Option<Timestamp>), VerifyError> {
        let authorization = format!("Bearer {token}");
        let headers = [("Authorization", authorization.as_str())];
        let request = RequestView::new("POST", TARGET, &headers);
        verifier.load_key(&request, body).await?;
        let verified = verifier.verify_at(&request, body, Timestamp::from_unix_secs(now))?;
        Ok((
            verified.id().map(str::to_owned),
            verified.key_id().to_string(),
            verified.timestamp(),
        ))
    }

    fn token(v: &Vectors, name: &str) -> String {
        v.tokens[name].as_str().unwrap().to_owned()
    }

    #[tokio::test]
    async fn a_push_verifies_by_its_token_and_names_its_message() {
        let v = vectors();
        let fetches = Arc::new(AtomicUsize::new(0));
        let verifier = verifier(&fetches);
        let (id, key, issued) = push(&verifier, &token(&v, "valid"), BODY, v.iat + 10)
            .await
            .unwrap();
        assert_eq!(id.as_deref(), Some("2070443601311540"));
        assert_eq!(key, "k1");
        assert_eq!(issued, Some(Timestamp::from_unix_secs(v.iat)));
        let (_, key, _) = push(&verifier, &token(&v, "valid_k2"), BODY, v.iat)
            .await
            .unwrap();
        assert_eq!(key, "k2");
        assert!(
            push(&verifier, &token(&v, "issuer_without_scheme"), BODY, v.iat)
                .await
                .is_ok()
        );
        // The body is not signed: the token vouches for the sender alone.
        assert!(!Scheme::google_pubsub().signs_body());
        let other_body = String::from_utf8(BODY.to_vec())
            .unwrap()
            .replace("17", "18");
        assert!(
            push(&verifier, &token(&v, "valid"), other_body.as_bytes(), v.iat)
                .await
                .is_ok()
        );
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn each_claim_is_checked() {
        let v = vectors();
        let verifier = verifier(&Arc::default());
        for (name, claim) in [
            ("other_issuer", "iss"),
            ("other_audience", "aud"),
            ("other_email", "email"),
            ("no_email", "email"),
            ("email_unverified", "email_verified"),
            ("email_verified_string", "email_verified"),
        ] {
            assert_eq!(
                push(&verifier, &token(&v, name), BODY, v.iat)
                    .await
                    .unwrap_err(),
                VerifyError::ClaimRefused { claim },
                "{name}"
            );
        }
        let valid = token(&v, "valid");
        // `exp` is an hour after `iat`, inclusive.
        assert!(push(&verifier, &valid, BODY, v.iat + 3600).await.is_ok());
        assert_eq!(
            push(&verifier, &valid, BODY, v.iat + 3601)
                .await
                .unwrap_err(),
            VerifyError::TimestampTooOld
        );
        // The window is the token's hour on each side.
        assert!(push(&verifier, &valid, BODY, v.iat - 3600).await.is_ok());
        assert_eq!(
            push(&verifier, &valid, BODY, v.iat - 3601)
                .await
                .unwrap_err(),
            VerifyError::TimestampInFuture
        );
        for name in ["alg_hs256", "alg_none"] {
            assert_eq!(
                push(&verifier, &token(&v, name), BODY, v.iat)
                    .await
                    .unwrap_err(),
                VerifyError::UnknownAlgorithm,
                "{name}"
            );
        }
        for name in ["unknown_kid", "signed_by_another_key"] {
            assert_eq!(
                push(&verifier, &token(&v, name), BODY, v.iat)
                    .await
                    .unwrap_err(),
                VerifyError::NoMatchingSignature,
                "{name}"
            );
        }
        let mut tampered = valid.clone();
        tampered.pop();
        tampered.push(if valid.ends_with('A') { 'B' } else { 'A' });
        assert!(push(&verifier, &tampered, BODY, v.iat).await.is_err());
        for malformed in ["", "a.b", "a.b.c.d", "!!.!!.!!"] {
            assert_eq!(
                push(&verifier, malformed, BODY, v.iat).await.unwrap_err(),
                VerifyError::MalformedHeader(hookseal::HeaderKind::Signature),
                "{malformed:?}"
            );
        }
    }

    #[tokio::test]
    async fn the_receiver_says_who_may_send_and_where() {
        let v = vectors();
        let valid = token(&v, "valid");
        let cache = || KeyCache::new(KeySet(Arc::default()));
        let bare = Verifier::fetching(Scheme::google_pubsub(), cache()).unwrap();
        assert_eq!(
            push(&bare, &valid, BODY, v.iat).await.unwrap_err(),
            VerifyError::MissingServiceAccount
        );
        let no_url = bare.with_service_account(&v.email).unwrap();
        assert_eq!(
            push(&no_url, &valid, BODY, v.iat).await.unwrap_err(),
            VerifyError::MissingPublicUrl
        );
        // An audience set on the subscription, instead of the endpoint's URL.
        let audience = no_url.with_audience(&v.aud).unwrap();
        assert!(push(&audience, &valid, BODY, v.iat).await.is_ok());
        let elsewhere = Verifier::fetching(Scheme::google_pubsub(), cache())
            .unwrap()
            .with_service_account(&v.email)
            .unwrap()
            .with_audience("https://hooks.example.com/elsewhere")
            .unwrap();
        assert_eq!(
            push(&elsewhere, &valid, BODY, v.iat).await.unwrap_err(),
            VerifyError::ClaimRefused { claim: "aud" }
        );
    }

    #[tokio::test]
    async fn a_message_is_one_delivery_whatever_token_it_comes_with() {
        let v = vectors();
        let verifier = verifier(&Arc::default());
        let authorization = format!("Bearer {}", token(&v, "valid"));
        let headers = [("Authorization", authorization.as_str())];
        let request = RequestView::new("POST", TARGET, &headers);
        let now = Timestamp::from_unix_secs(v.iat);
        let other = String::from_utf8(BODY.to_vec())
            .unwrap()
            .replace("2070443601311540", "2070443601311541");
        verifier.load_key(&request, BODY).await.unwrap();
        let key = |body: &[u8]| {
            verifier
                .verify_at(&request, body, now)
                .unwrap()
                .replay_key()
        };
        assert_eq!(key(BODY), key(BODY));
        assert_ne!(key(BODY), key(other.as_bytes()));
        // A redelivery under a renewed token is the same delivery.
        let renewed = format!("Bearer {}", token(&v, "valid_k2"));
        let renewed_headers = [("Authorization", renewed.as_str())];
        let renewed_request = RequestView::new("POST", TARGET, &renewed_headers);
        let redelivered = verifier.verify_at(&renewed_request, BODY, now).unwrap();
        assert_eq!(redelivered.replay_key(), key(BODY));
        // The message id is not signed: it keys no idempotency record but through `dangerous`.
        assert_eq!(
            hookseal::idempotency::IdempotencyKey::from_verified(&redelivered).unwrap_err(),
            VerifyError::UnsignedId
        );
    }
}

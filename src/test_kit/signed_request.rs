//! [`SignedRequest`]: a builder of a signed `http::Request` for any scheme, and of its tampered
//! twins. It reads the scheme's data — where each value goes (a header, a parameter of the
//! signature header, a member of the body, a bearer token), what the content signs — rather than
//! knowing the presets by name.

#[cfg(any(feature = "p256", feature = "rsa"))]
use base64::Engine as _;
use bytes::Bytes;

use super::body_members::{self, Member, Value};
#[cfg(any(feature = "p256", feature = "rsa"))]
use super::private_key::PrivateKey;
use super::tamper::{self, Tamper};
use crate::algorithm::Algorithm;
use crate::clock::{Clock as _, SystemClock};
use crate::error::{SecretError, SignError, VerifyError};
use crate::keyring::Keyring;
use crate::request::{PublicUrl, RequestLine};
#[cfg(any(feature = "p256", feature = "rsa"))]
use crate::scheme::Encoding;
use crate::scheme::{Derived, KeyUse, Listed, Scheme, Signed, Source};
use crate::secret::Secret;
use crate::sign::{SignInput, Signatures, Signer};
use crate::timestamp::{Timestamp, TimestampFormat, TimestampText};

/// A signed request for a test, of any scheme, and its tampered twins.
///
/// Set what the request holds — the body, the id, the timestamp, and what the scheme signs
/// besides (the URL and method, form parameters, listed headers, the endpoint id) — then
/// [`build`](SignedRequest::build) it, or a [`tampered`](SignedRequest::tampered) twin of it. The
/// same builder makes them all, so a twin differs from the request in one thing only.
///
/// The keys are what the scheme signs with ([`SigningKeys`]): a [`Keyring`] (or a [`Secret`])
/// of HMAC secrets or Ed25519 signing keys, signed by the crate's [`Signer`]; or a
/// `PrivateKey` (features `p256`, `rsa`) for the presets whose providers sign with their own
/// key pair.
///
/// Where each value goes is the scheme's: headers, parameters of the signature header, members
/// written at the front of a JSON body (Linear's `webhookTimestamp`, Mailgun's `signature`
/// object, AWS SNS's `MessageId`, `Timestamp`, `SignatureVersion`, `SigningCertURL` and
/// `Signature`, Google Pub/Sub's `message.messageId`), or a bearer token's claims. For AWS SNS,
/// give the body's other members (`Type`, `TopicArn`, `Message`, …) in the body.
///
/// ```
/// use hookseal::test_kit::{SignedRequest, Tamper};
/// use hookseal::{Scheme, Timestamp, Verifier};
///
/// let secret = "hubspot-client-secret-0123456789";
/// let now = Timestamp::from_unix_secs(1_700_000_000);
/// let kit = SignedRequest::from_secret(Scheme::hubspot(), secret)?
///     .method("POST")
///     .url("https://hooks.example.com/hubspot?portal=7")
///     .body(r#"[{"subscriptionType":"contact.creation"}]"#)
///     .timestamp(now);
/// let verifier = Verifier::from_secret(Scheme::hubspot(), secret)?
///     .with_public_url("https://hooks.example.com")?;
///
/// let request = kit.build()?;
/// assert!(verifier.verify_at(&request, request.body(), now).is_ok());
/// // HubSpot signs no id: there is no id twin.
/// assert!(kit.tampered(Tamper::Id)?.is_none());
/// let twin = kit.tampered(Tamper::Timestamp)?.unwrap();
/// assert_eq!(verifier.verify_at(&twin, twin.body(), now).unwrap_err().code(), "signature_mismatch");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct SignedRequest {
    scheme: Scheme,
    keys: SigningKeys,
    body: Vec<u8>,
    form: bool,
    id: Option<String>,
    timestamp: Timestamp,
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    endpoint_id: Option<String>,
    certificate_url: Option<String>,
    audience: Option<String>,
    service_account: Option<String>,
}

/// The keys a [`SignedRequest`] signs with: a [`Keyring`] or [`Secret`] (HMAC secrets, Ed25519
/// signing keys), or a `PrivateKey` (features `p256`, `rsa`).
#[derive(Debug, Clone)]
pub struct SigningKeys(Keys);

#[derive(Debug, Clone)]
enum Keys {
    Ring(Keyring),
    #[cfg(any(feature = "p256", feature = "rsa"))]
    Private(PrivateKey),
}

impl From<Keyring> for SigningKeys {
    fn from(ring: Keyring) -> Self {
        Self(Keys::Ring(ring))
    }
}

impl From<Secret> for SigningKeys {
    fn from(secret: Secret) -> Self {
        Self(Keys::Ring(Keyring::single(secret)))
    }
}

#[cfg(any(feature = "p256", feature = "rsa"))]
impl From<PrivateKey> for SigningKeys {
    fn from(key: PrivateKey) -> Self {
        Self(Keys::Private(key))
    }
}

impl SignedRequest {
    /// The URL requests go to unless [`SignedRequest::url`] says otherwise: a verifier of a
    /// scheme that signs the URL then needs the public URL `https://example.com`.
    pub const DEFAULT_URL: &'static str = "https://example.com/webhook";

    /// A request of `scheme` signed with `keys`: a `POST` of an empty body to
    /// [`SignedRequest::DEFAULT_URL`], stamped with the system clock's time when this is called,
    /// with no id.
    #[must_use]
    pub fn new(scheme: Scheme, keys: impl Into<SigningKeys>) -> Self {
        Self {
            scheme,
            keys: keys.into(),
            body: Vec::new(),
            form: false,
            id: None,
            timestamp: SystemClock.now().unwrap_or(Timestamp::from_unix_secs(0)),
            method: "POST".to_owned(),
            url: Self::DEFAULT_URL.to_owned(),
            headers: Vec::new(),
            endpoint_id: None,
            certificate_url: None,
            audience: None,
            service_account: None,
        }
    }

    /// [`SignedRequest::new`] with one key read from `text` the scheme's way, as
    /// [`Signer::from_secret`] reads it: an HMAC secret, or a `whsk_` Ed25519 signing key.
    ///
    /// # Errors
    ///
    /// Those of [`Signer::from_secret`].
    pub fn from_secret(scheme: Scheme, text: &str) -> Result<Self, SecretError> {
        let key = scheme.default_key(text, KeyUse::Sign)?;
        Ok(Self::new(scheme, Keyring::of_unbounded(key)))
    }

    /// The body, as sent. For schemes that read members of the body, one JSON object (or
    /// empty, taken as `{}`) without the members the kit writes. Defaults to empty.
    #[must_use]
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self.form = false;
        self
    }

    /// The body as a form of these parameters (`application/x-www-form-urlencoded`, with that
    /// `Content-Type`), as Twilio signs it.
    #[must_use]
    pub fn form<N: AsRef<str>, V: AsRef<str>>(
        mut self,
        params: impl IntoIterator<Item = (N, V)>,
    ) -> Self {
        let mut body = String::new();
        for (name, value) in params {
            if !body.is_empty() {
                body.push('&');
            }
            form_encode(name.as_ref(), &mut body);
            body.push('=');
            form_encode(value.as_ref(), &mut body);
        }
        self.body = body.into_bytes();
        self.form = true;
        self
    }

    /// The delivery id, sent where the scheme carries it (and signed where it signs it).
    /// Defaults to none, which schemes that sign the id refuse ([`SignError::MissingId`]).
    #[must_use]
    pub fn id(mut self, id: &str) -> Self {
        self.id = Some(id.to_owned());
        self
    }

    /// The signing time. Defaults to the system clock's time when the builder was made.
    #[must_use]
    pub fn timestamp(mut self, timestamp: Timestamp) -> Self {
        self.timestamp = timestamp;
        self
    }

    /// The method. Defaults to `POST`.
    #[must_use]
    pub fn method(mut self, method: &str) -> Self {
        self.method = method.to_owned();
        self
    }

    /// The absolute URL the request goes to, signed as given where the scheme signs it: the
    /// verifier's public URL is its scheme and authority (and any prefix a proxy strips).
    /// Defaults to [`SignedRequest::DEFAULT_URL`].
    #[must_use]
    pub fn url(mut self, url: &str) -> Self {
        self.url = url.to_owned();
        self
    }

    /// A header sent with the request. Schemes that list the headers they sign (Hook0, Coinbase
    /// CDP) list it after the id header, and so sign it; other schemes send it unsigned.
    #[must_use]
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The endpoint id, for schemes that sign it (PayPal's webhook id): the verifier's
    /// [`Verifier::with_endpoint_id`](crate::Verifier::with_endpoint_id).
    #[must_use]
    pub fn endpoint_id(mut self, id: &str) -> Self {
        self.endpoint_id = Some(id.to_owned());
        self
    }

    /// The URL of the signing certificate, for schemes whose requests name it (AWS SNS,
    /// PayPal): one the scheme's allow-list accepts if the verifier fetches it.
    #[must_use]
    pub fn certificate_url(mut self, url: &str) -> Self {
        self.certificate_url = Some(url.to_owned());
        self
    }

    /// The audience a bearer token names (its `aud`), for schemes whose requests carry one.
    /// Defaults to the request's URL, as Google Pub/Sub does.
    #[must_use]
    pub fn audience(mut self, audience: &str) -> Self {
        self.audience = Some(audience.to_owned());
        self
    }

    /// The service account a bearer token names (its `email`), for schemes whose requests carry
    /// one: the verifier's
    /// [`Verifier::with_service_account`](crate::Verifier::with_service_account).
    #[must_use]
    pub fn service_account(mut self, email: &str) -> Self {
        self.service_account = Some(email.to_owned());
        self
    }

    /// The signed request.
    ///
    /// # Errors
    ///
    /// - [`SignError::NoActiveKey`] when the keys cannot sign the scheme (an HMAC keyring for
    ///   SendGrid, a P-256 key for AWS SNS) or none is valid at the timestamp;
    /// - [`SignError::InvalidUrl`] for a URL that is not absolute `http(s)`;
    /// - [`SignError::InvalidBody`] for a body that the scheme cannot sign (not a form for
    ///   Twilio; not one JSON object, or holding a member the kit writes, for schemes that read
    ///   members of it);
    /// - [`SignError::Incomplete`] when the scheme needs an endpoint id, a certificate URL or a
    ///   service account that was not given;
    /// - [`SignError::InvalidHeader`] for a header that cannot be sent;
    /// - and those of [`Signer::sign_at`] for the id and the timestamp.
    pub fn build(&self) -> Result<http::Request<Bytes>, SignError> {
        let made = self.sign()?;
        self.assemble(&made, &made.values(self))
    }

    /// The bytes the request's signature covers, as the scheme builds them from the request:
    /// for checking a hand-written verifier against the kit, or measuring the MAC alone.
    ///
    /// ```
    /// use hookseal::test_kit::SignedRequest;
    /// use hookseal::{Scheme, Secret, Timestamp};
    ///
    /// let kit = SignedRequest::new(Scheme::stripe(), Secret::from_bytes([7_u8; 32])?)
    ///     .timestamp(Timestamp::from_unix_secs(1_700_000_000))
    ///     .body("{}");
    /// assert_eq!(kit.signed_content()?, b"1700000000.{}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Those of [`SignedRequest::build`].
    pub fn signed_content(&self) -> Result<Vec<u8>, SignError> {
        let made = self.sign()?;
        let (id, text) = (self.id.as_deref(), &made.content.timestamp);
        let fields = self.fields(text, id, made.algorithm_name.as_deref())?;
        let body = body_members::write(&self.body, &fields)?;
        let signed = made.content.signed(&self.scheme, &body, &self.method);
        let extra = self.extra_headers();
        let names = crate::sign::listed_names(&self.scheme, id, &extra)?;
        let listed = crate::sign::listed_values(&names, id, &extra)?;
        let derived = (self.scheme.derive(&signed, listed)).map_err(|_| SignError::InvalidBody)?;
        Ok(content_bytes(
            &self.scheme,
            &signed,
            &made.content.base,
            &derived,
        ))
    }

    /// The headers given besides the scheme's own, as pairs.
    fn extra_headers(&self) -> Vec<(&str, &str)> {
        (self.headers.iter())
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect()
    }

    /// The twin of the request that changes `what`, and nothing else; `None` where the request
    /// has nothing of the kind that a verifier would refuse to see changed:
    ///
    /// - [`Tamper::Body`]: `None` where no byte of the body is signed (Mailgun, Google Pub/Sub);
    /// - [`Tamper::Timestamp`]: `None` where no timestamp is signed (GitHub, Shopify, Twilio, …);
    /// - [`Tamper::Id`]: `None` where the id is not signed ([`Scheme::id_is_signed`], and the
    ///   id headers Hook0 lists), or no id was given.
    ///
    /// # Errors
    ///
    /// Those of [`SignedRequest::build`].
    pub fn tampered(&self, what: Tamper) -> Result<Option<http::Request<Bytes>>, SignError> {
        let made = self.sign()?;
        let mut values = made.values(self);
        match what {
            Tamper::Body => match self.tampered_body(&made)? {
                Some(body) => values.body = body,
                None => return Ok(None),
            },
            Tamper::Timestamp => {
                if !self.scheme.signs_timestamp() {
                    return Ok(None);
                }
                values.timestamp = self
                    .timestamp
                    .saturating_add(core::time::Duration::from_secs(1));
            }
            Tamper::Signature => values.flip = true,
            Tamper::Id => {
                let signed = self.scheme.id_is_signed() || self.scheme.listed_param().is_some();
                match (&self.id, signed) {
                    (Some(id), true) => values.id = Some(tamper::changed_id(id)),
                    _ => return Ok(None),
                }
            }
        }
        self.assemble(&made, &values).map(Some)
    }

    /// The signatures of the request, and what went into them.
    fn sign(&self) -> Result<Made, SignError> {
        let scheme = &self.scheme;
        let text = timestamp_text(self.timestamp, scheme.timestamp_format())?;
        let (base, target) =
            PublicUrl::split_absolute(&self.url).map_err(|_| SignError::InvalidUrl)?;
        let (algorithm_name, algorithm) = self.algorithm();
        let fields = self.fields(&text, self.id.as_deref(), algorithm_name.as_deref())?;
        let body = body_members::write(&self.body, &fields)?;
        let line = RequestLine::new(&self.method, target);
        let endpoint_id = match (scheme.signs_endpoint_id(), &self.endpoint_id) {
            (true, None) => return Err(SignError::Incomplete),
            (_, id) => id.clone(),
        };
        let content = ContentValues {
            id: self.id.clone(),
            timestamp: text,
            base: base.written().to_vec(),
            target: target.to_owned(),
            endpoint_id,
        };
        #[cfg(not(any(feature = "p256", feature = "rsa")))]
        let _ = algorithm;
        let signature = match &self.keys.0 {
            Keys::Ring(ring) => {
                let signer = Signer::new(scheme.clone(), ring.clone());
                let listed = self.extra_headers();
                let input = SignInput {
                    line,
                    base: base.written(),
                    id: self.id.as_deref(),
                    body: &body,
                    timestamp: self.timestamp,
                    listed: &listed,
                };
                Signature::Ring(signer.signatures(&input)?)
            }
            #[cfg(any(feature = "p256", feature = "rsa"))]
            Keys::Private(key) => self.sign_with_private_key(key, algorithm, &content, &body)?,
        };
        Ok(Made {
            signature,
            algorithm_name,
            content,
        })
    }

    /// The signature of a private key: over the scheme's content, or a bearer token's.
    #[cfg(any(feature = "p256", feature = "rsa"))]
    fn sign_with_private_key(
        &self,
        key: &PrivateKey,
        algorithm: Algorithm,
        values: &ContentValues,
        body: &[u8],
    ) -> Result<Signature, SignError> {
        if let Some(rules) = self.scheme.token_rules() {
            let (alg, issuer) = rules.first_names();
            let email = self.service_account.clone().ok_or(SignError::Incomplete)?;
            let token = TokenParts {
                header: encode_url(
                    format!(
                        r#"{{"alg":"{alg}","kid":"{}","typ":"JWT"}}"#,
                        key.id().as_str()
                    )
                    .as_bytes(),
                ),
                audience: self.audience.clone().unwrap_or_else(|| self.url.clone()),
                email,
                issuer: issuer.to_owned(),
                expires: self
                    .timestamp
                    .as_unix_secs()
                    .saturating_add(TOKEN_LIFETIME_SECS),
                signature: Vec::new(),
            };
            let input = token.signing_input(self.timestamp);
            let signature = key
                .sign_with(rules.algorithm(), &|f| f(input.as_bytes()))
                .ok_or(SignError::NoActiveKey)?;
            return Ok(Signature::Token(TokenParts { signature, ..token }));
        }
        let signed = values.signed(&self.scheme, body, &self.method);
        let derived =
            (self.scheme.derive(&signed, Listed::default())).map_err(|_| SignError::InvalidBody)?;
        let content = self.scheme.content(&signed, &values.base, &derived);
        key.sign(algorithm, &content)
            .map(Signature::Public)
            .ok_or(SignError::NoActiveKey)
    }

    /// The algorithm requests are signed with and the name they give it, where they name it:
    /// the first SHA-256 one the scheme accepts, else its first.
    fn algorithm(&self) -> (Option<String>, Algorithm) {
        let Some(choice) = self.scheme.algorithm_choice() else {
            return (None, self.scheme.algorithm());
        };
        let sha256 = choice.table.iter().find(|(_, a)| {
            matches!(
                a,
                Algorithm::RsaSha256 | Algorithm::EcdsaP256Sha256 | Algorithm::HmacSha256
            )
        });
        match sha256.or(choice.table.first()) {
            Some((name, algorithm)) => {
                (Some(String::from_utf8_lossy(name).into_owned()), *algorithm)
            }
            None => (None, self.scheme.algorithm()),
        }
    }

    /// The members the kit writes into the body, but the signature: the timestamp, the id, the
    /// algorithm's name and the certificate's URL, each where the scheme reads it from the
    /// body.
    fn fields(
        &self,
        timestamp: &str,
        id: Option<&str>,
        algorithm: Option<&str>,
    ) -> Result<Vec<Member>, SignError> {
        let scheme = &self.scheme;
        let mut members = Vec::new();
        let mut add = |source: Option<&Source>, value: Option<Value>| {
            let path = source.and_then(|s| s.member_path(scheme.header_table()));
            if let (Some(path), Some(value)) = (path, value) {
                members.push(Member {
                    path: path.into(),
                    value,
                });
            }
        };
        let timestamp_value = match scheme.timestamp_format() {
            TimestampFormat::Rfc3339 => Value::Text(timestamp.to_owned()),
            _ => Value::Number(timestamp.to_owned()),
        };
        add(scheme.timestamp_source(), Some(timestamp_value));
        add(scheme.id_source(), id.map(|id| Value::Text(id.to_owned())));
        let choice = scheme.algorithm_choice().map(|choice| &choice.source);
        add(choice, algorithm.map(|name| Value::Text(name.to_owned())));
        let url = scheme.certificate_url_source();
        if url.is_some() && self.certificate_url.is_none() {
            return Err(SignError::Incomplete);
        }
        add(url, self.certificate_url.clone().map(Value::Text));
        Ok(members)
    }

    /// The user's body changed in one byte such that the signed content changes, if any does.
    fn tampered_body(&self, made: &Made) -> Result<Option<Vec<u8>>, SignError> {
        let scheme = &self.scheme;
        let text = &made.content.timestamp;
        let fields = self.fields(text, self.id.as_deref(), made.algorithm_name.as_deref())?;
        let content_of = |user_body: &[u8]| -> Option<Result<Vec<u8>, VerifyError>> {
            let body = body_members::write(user_body, &fields).ok()?;
            if scheme.reads_body_members() && !crate::json_field::is_object(&body) {
                return None;
            }
            let signed = made.content.signed(scheme, &body, &self.method);
            let derived = match scheme.derive(&signed, Listed::default()) {
                Ok(derived) => derived,
                Err(VerifyError::MalformedBody) => return None,
                Err(e) => return Some(Err(e)),
            };
            Some(Ok(content_bytes(
                scheme,
                &signed,
                &made.content.base,
                &derived,
            )))
        };
        let Some(Ok(original)) = content_of(&self.body) else {
            return Err(SignError::InvalidBody);
        };
        Ok(tamper::body_candidates(&self.body).find(|candidate| {
            // A body whose content cannot be built is refused too (a digest that no longer
            // matches); one that no longer parses is passed over for a clean mismatch.
            content_of(candidate).is_some_and(|content| !matches!(content, Ok(c) if c == original))
        }))
    }

    /// The request with `values` placed where the scheme carries each.
    fn assemble(&self, made: &Made, values: &Values) -> Result<http::Request<Bytes>, SignError> {
        let scheme = &self.scheme;
        let text = timestamp_text(values.timestamp, scheme.timestamp_format())?;
        let mut fields =
            self.fields(&text, values.id.as_deref(), made.algorithm_name.as_deref())?;
        let signature = made.signature.value(scheme, values, &text);
        let mut headers: Vec<(&str, String)> = Vec::new();
        let source = scheme.signature_source();
        match source.member_path(scheme.header_table()) {
            Some(path) => fields.push(Member {
                path: path.into(),
                value: Value::Text(signature),
            }),
            None => {
                if let Some(name) = source.header() {
                    headers.push((name, signature));
                }
            }
        }
        if let Some(name) = scheme.timestamp_source().and_then(Source::header) {
            headers.push((name, text.clone()));
        }
        if let (Some(name), Some(id)) = (scheme.id_source().and_then(Source::header), &values.id) {
            headers.push((name, id.clone()));
        }
        let choice = scheme.algorithm_choice().map(|choice| &choice.source);
        if let (Some(name), Some(algorithm)) =
            (choice.and_then(Source::header), &made.algorithm_name)
        {
            headers.push((name, algorithm.clone()));
        }
        let url = scheme.certificate_url_source().and_then(Source::header);
        if let (Some(name), Some(url)) = (url, &self.certificate_url) {
            headers.push((name, url.clone()));
        }
        for (name, value) in &self.headers {
            headers.push((name.as_str(), value.clone()));
        }
        if self.form {
            headers.push(("Content-Type", FORM.to_owned()));
        }
        let body = body_members::write(&values.body, &fields)?;
        let mut request = http::Request::builder()
            .method(self.method.as_str())
            .uri(self.url.as_str());
        for (name, value) in headers {
            request = request.header(name, value);
        }
        request.body(Bytes::from(body)).map_err(|e| {
            if e.is::<http::uri::InvalidUri>() {
                SignError::InvalidUrl
            } else {
                SignError::InvalidHeader
            }
        })
    }
}

/// What one request is signed with, and the values its content was made of.
struct Made {
    signature: Signature,
    /// The algorithm's name, where requests name it.
    algorithm_name: Option<String>,
    content: ContentValues,
}

impl Made {
    /// The values of the request itself.
    fn values(&self, request: &SignedRequest) -> Values {
        Values {
            body: request.body.clone(),
            timestamp: request.timestamp,
            id: request.id.clone(),
            flip: false,
        }
    }
}

/// The values a request (or a twin) places on the wire.
struct Values {
    body: Vec<u8>,
    timestamp: Timestamp,
    id: Option<String>,
    /// Whether the signatures are flipped.
    flip: bool,
}

/// The values the signed content was made of, besides the body.
struct ContentValues {
    id: Option<String>,
    timestamp: String,
    base: Vec<u8>,
    target: String,
    endpoint_id: Option<String>,
}

impl ContentValues {
    /// The content's values with `body`.
    fn signed<'a>(&'a self, scheme: &Scheme, body: &'a [u8], method: &'a str) -> Signed<'a> {
        Signed {
            id: self.id.as_deref().map_or(&[][..], str::as_bytes),
            timestamp: match scheme.signs_timestamp() {
                true => self.timestamp.as_bytes(),
                false => &[],
            },
            body,
            line: RequestLine::new(method, &self.target),
            endpoint_id: self.endpoint_id.as_deref().map_or(&[][..], str::as_bytes),
            token: &[],
        }
    }
}

/// A request's signatures, as made.
enum Signature {
    /// By the crate's signer: HMAC tags and Ed25519 signatures.
    Ring(Signatures),
    /// By a private key, over the scheme's content.
    #[cfg(any(feature = "p256", feature = "rsa"))]
    Public(Vec<u8>),
    /// A bearer token.
    #[cfg(any(feature = "p256", feature = "rsa"))]
    Token(TokenParts),
}

impl Signature {
    /// The signature header's value (or the signature member's text) for `values`, with the
    /// timestamp written as `text`.
    fn value(&self, scheme: &Scheme, values: &Values, text: &str) -> String {
        match self {
            Self::Ring(made) => {
                let mut tags = made.tags.clone();
                let mut ed25519 = made.ed25519.clone();
                if values.flip {
                    tags.iter_mut().for_each(|tag| tamper::flip_first_bit(tag));
                    ed25519
                        .iter_mut()
                        .for_each(|sig| tamper::flip_last_bit(sig));
                }
                scheme.format_signatures(text, made.listed.as_bytes(), &tags, &ed25519)
            }
            #[cfg(any(feature = "p256", feature = "rsa"))]
            Self::Public(signature) => {
                let mut signature = signature.clone();
                if values.flip {
                    tamper::flip_last_bit(&mut signature);
                }
                scheme.format_public_signature(text, &encode(&signature, scheme.codec().encoding))
            }
            #[cfg(any(feature = "p256", feature = "rsa"))]
            Self::Token(token) => {
                let mut signature = token.signature.clone();
                if values.flip {
                    tamper::flip_last_bit(&mut signature);
                }
                let input = token.signing_input(values.timestamp);
                format!("Bearer {input}.{}", encode_url(&signature))
            }
        }
    }
}

/// A bearer token's parts: its header, its claims but the time of issue, and its signature.
#[cfg(any(feature = "p256", feature = "rsa"))]
struct TokenParts {
    /// The header, encoded.
    header: String,
    audience: String,
    email: String,
    issuer: String,
    expires: u64,
    signature: Vec<u8>,
}

#[cfg(any(feature = "p256", feature = "rsa"))]
impl TokenParts {
    /// `header.claims`, the claims issued at `issued`.
    fn signing_input(&self, issued: Timestamp) -> String {
        let claims = format!(
            concat!(
                r#"{{"aud":"{}","azp":"{}","email":"{}","email_verified":true,"#,
                r#""exp":{},"iat":{},"iss":"{}","sub":"{}"}}"#
            ),
            self.audience,
            TOKEN_SUBJECT,
            self.email,
            self.expires,
            issued.as_unix_secs(),
            self.issuer,
            TOKEN_SUBJECT,
        );
        format!("{}.{}", self.header, encode_url(claims.as_bytes()))
    }
}

/// How long the kit's bearer tokens are valid, as Google's: an hour.
#[cfg(any(feature = "p256", feature = "rsa"))]
const TOKEN_LIFETIME_SECS: u64 = 3600;

/// The `sub` and `azp` of the kit's bearer tokens (a service account's numeric id in Google's).
#[cfg(any(feature = "p256", feature = "rsa"))]
const TOKEN_SUBJECT: &str = "100000000000000000000";

/// The `Content-Type` of a form.
const FORM: &str = "application/x-www-form-urlencoded";

/// `t` in `format`.
fn timestamp_text(t: Timestamp, format: TimestampFormat) -> Result<String, SignError> {
    TimestampText::new(t, format)
        .map(|text| text.as_str().to_owned())
        .ok_or(SignError::UnrepresentableTimestamp)
}

/// The signed content's bytes.
fn content_bytes(
    scheme: &Scheme,
    signed: &Signed<'_>,
    base: &[u8],
    derived: &Derived<'_>,
) -> Vec<u8> {
    let mut out = Vec::new();
    scheme
        .content(signed, base, derived)
        .feed(|piece| out.extend_from_slice(piece));
    out
}

/// `bytes` in `encoding`.
#[cfg(any(feature = "p256", feature = "rsa"))]
fn encode(bytes: &[u8], encoding: Encoding) -> String {
    match encoding {
        Encoding::Hex => {
            let mut out = String::new();
            crate::encoding::push_lower_hex(bytes, &mut out);
            out
        }
        Encoding::Base64Url => encode_url(bytes),
        _ => base64::engine::general_purpose::STANDARD.encode(bytes),
    }
}

/// `bytes` in unpadded base64url, as a token's segments are written.
#[cfg(any(feature = "p256", feature = "rsa"))]
fn encode_url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Appends `text` form-encoded: letters, digits and `*-._` as they are, a space as `+`, any
/// other byte as `%XX`.
fn form_encode(text: &str, out: &mut String) {
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(char::from(byte));
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
}

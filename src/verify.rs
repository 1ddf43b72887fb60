//! [`Verifier`]: checks a request's signature and freshness and hands out the body as
//! [`Verified`].

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;

use sha2::{Digest as _, Sha256};

use crate::algorithm::Algorithm;
use crate::body_mac::BodyMac;
use crate::clock::{Clock, SystemClock};
use crate::error::{HeaderKind, SecretError, VerifyError};
use crate::handshake::VerifyToken;
use crate::header_table::Found;
use crate::headers::HeaderSource;
use alloc::sync::Arc;

#[cfg(feature = "x509")]
use crate::key_source::KeyCache;
use crate::keyring::{Key, KeyId, Keyring, Material};
use crate::mac::Tag;
use crate::replay::ReplayKey;
use crate::request::{PublicUrl, RequestLine};
#[cfg(feature = "x509")]
use crate::scheme::KeyDocument;
use crate::scheme::parse::Presented;
use crate::scheme::{Content, Derived, KeyUse, Listed, NOTHING_DERIVED, Scheme, Signed};
use crate::sign::is_valid_id;
use crate::timestamp::Timestamp;
use crate::token::{Audience, Expected, Token};

/// Verifies signed webhook requests.
///
/// Checks run in a fixed order, and a request is only verified once the last one passes:
///
/// 1. **Parse**, bounded: the signature header must be present once, at most the scheme's maximum
///    length, well-formed, with a canonical timestamp and at most the scheme's number of
///    signatures, each decoded to bytes; the id, the listed headers and the request line where
///    the scheme signs them.
/// 2. **Freshness**: the timestamp must be at most `max_age` in the past and at most
///    `max_future_skew` in the future (both inclusive; the scheme's
///    [tolerance](Scheme::tolerance) or 300 s by default).
/// 3. **Form**, for schemes that sign it (Twilio): the body read as a form, or its digest checked.
/// 4. **Signature**: the MAC of the signed content under each key valid now, in keyring order
///    (and, for Twilio, over the URL with and without its port), compared in constant time with
///    every presented signature. With the `ed25519` feature, each trusted Ed25519 public key is
///    tried against the Ed25519 signatures in turn, at most
///    `Verifier::MAX_PUBLIC_KEY_VERIFICATIONS` (8) pairs per request: each pair hashes the body
///    again, so the cap bounds what an unsigned request can cost. A signature whose `R` is of
///    small order is refused without hashing the body.
///
/// A verify call with HMAC or Ed25519 keys does not allocate, but in the schemes whose content
/// is built from the request: Twilio's form (a copy of the body and one entry per parameter, at
/// most 1024), Hook0's listed headers (one name each, at most 16), AWS SNS's members (one
/// buffer) and a bearer token (its decoded header and claims). An RSA verification allocates
/// inside the `rsa` crate's arithmetic; ECDSA P-256 does not.
///
/// ```
/// use hookseal::{Keyring, Scheme, Secret, Signer, Verifier};
///
/// let signer = Signer::new(Scheme::standard_webhooks(), Keyring::single(Secret::from_bytes([7_u8; 32])?));
/// let verifier = Verifier::new(Scheme::standard_webhooks(), Keyring::single(Secret::from_bytes([7_u8; 32])?));
///
/// let body = br#"{"event":"invoice.paid"}"#;
/// let signed = signer.sign(Some("evt_1"), body)?;
/// let headers: Vec<(&str, &str)> = signed.iter().collect();
///
/// let verified = verifier.verify(&headers, body)?;
/// assert_eq!(verified.body(), body);
/// assert_eq!(verified.key_id(), "default");
///
/// // One changed byte and it is refused.
/// let err = verifier.verify(&headers, br#"{"event":"invoice.paiD"}"#).unwrap_err();
/// assert_eq!(err.status_code(), 401);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Verifier<C = SystemClock> {
    scheme: Scheme,
    keys: Keys,
    max_age: u64,
    max_future_skew: u64,
    replay_retention: Duration,
    replay_lease: Duration,
    public_url: Option<PublicUrl>,
    endpoint_id: Option<Box<str>>,
    audience: Option<Box<str>>,
    service_account: Option<Box<str>>,
    verify_token: Option<VerifyToken>,
    clock: C,
}

impl Verifier {
    /// The most public-key verifications one request may cost: (trusted public key, presented
    /// signature) pairs tried, in keyring order and then header order, before the verifier stops
    /// trying public keys and the request fails with [`VerifyError::NoMatchingSignature`]
    /// (unless an HMAC key of the keyring matches).
    ///
    /// A signature names no key, each pair costs a public-key operation, and an Ed25519 pair
    /// hashes the whole body again, so without a cap a request with 8 signatures against a
    /// keyring of 16 public keys would buy 128 of them before being refused. Eight covers a
    /// rotation on both sides — a sender signing with its old and new keys, a receiver trusting
    /// both and one more — at a worst case of eight. List the keys requests are signed with
    /// first.
    pub const MAX_PUBLIC_KEY_VERIFICATIONS: usize = 8;

    /// A verifier for `scheme` accepting the keys of `keyring`, reading the system clock, with
    /// the default 300 s window on both sides.
    #[must_use]
    pub fn new(scheme: Scheme, keyring: Keyring) -> Self {
        Self::with_keys(scheme, Keys::Held(keyring))
    }

    fn with_keys(scheme: Scheme, keys: Keys) -> Self {
        let tolerance = scheme
            .tolerance()
            .map_or(DEFAULT_TOLERANCE_SECS, |t| t.as_secs());
        Self {
            scheme,
            keys,
            max_age: tolerance,
            max_future_skew: tolerance,
            replay_retention: DEFAULT_REPLAY_RETENTION,
            replay_lease: DEFAULT_REPLAY_LEASE,
            public_url: None,
            endpoint_id: None,
            audience: None,
            service_account: None,
            verify_token: None,
            clock: SystemClock,
        }
    }

    /// A verifier for `scheme` with one key read from `text` the scheme's way, named `default`:
    /// [`Verifier::new`] with a one-key keyring, naming the scheme once.
    ///
    /// The text is an HMAC secret as [`Scheme::parse_secret`] reads it or, in schemes with
    /// Ed25519 signatures (feature `ed25519`), a `whpk_` public key. For several keys or key
    /// ids of your own, build a [`Keyring`] ([`Scheme::parse_key`], [`Keyring::from_keys`]).
    ///
    /// ```
    /// use hookseal::{Scheme, Signer, Timestamp, Verifier};
    ///
    /// let text = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"; // from your secret store
    /// let verifier = Verifier::from_secret(Scheme::standard_webhooks(), text)?;
    ///
    /// let signer = Signer::from_secret(Scheme::standard_webhooks(), text)?;
    /// let now = Timestamp::from_unix_secs(1_700_000_000);
    /// let signed = signer.sign_at(Some("msg_1"), b"{}", now)?;
    /// let headers: Vec<(&str, &str)> = signed.iter().collect();
    /// assert_eq!(verifier.verify_at(&headers, b"{}", now)?.key_id(), "default");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The [`SecretError`] of [`Scheme::parse_secret`] for an HMAC secret, of
    /// [`Scheme::parse_key`] for an Ed25519 key, and [`SecretError::WrongKeyKind`] for a `whsk_`
    /// signing key: a receiver verifies with the public key alone.
    pub fn from_secret(scheme: Scheme, text: &str) -> Result<Self, SecretError> {
        let key = scheme.default_key(text, KeyUse::Verify)?;
        Ok(Self::new(scheme, Keyring::of_unbounded(key)))
    }

    /// A verifier for a scheme whose keys the provider publishes: the certificate each request
    /// names (AWS SNS, PayPal), trusted between its validity dates, or the key set of the
    /// issuer of the token each request carries (Google Pub/Sub push). Each document is fetched
    /// through `cache` the first time it is needed, and only from a URL on the scheme's
    /// allow-list.
    ///
    /// Load the keys with [`Verifier::load_key`] before calling [`Verifier::verify`];
    /// [`Verifier::verify_fresh`] and the tower layer do it themselves.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidSignedContent`](crate::ConfigError::InvalidSignedContent) when the
    /// scheme's keys are not published: it names no certificate and carries no token.
    #[cfg(feature = "x509")]
    pub fn fetching(scheme: Scheme, cache: KeyCache) -> Result<Self, crate::ConfigError> {
        if !scheme.fetches_keys() {
            return Err(crate::ConfigError::InvalidSignedContent);
        }
        Ok(Self::with_keys(scheme, Keys::Fetched(cache)))
    }
}

/// The keys a verifier checks signatures with.
#[derive(Debug, Clone)]
enum Keys {
    /// Keys it holds.
    Held(Keyring),
    /// Certificates fetched from the URLs requests name.
    #[cfg(feature = "x509")]
    Fetched(KeyCache),
}

impl<C: Clock> Verifier<C> {
    /// Reads the time from `clock` instead. Defaults to [`SystemClock`].
    #[must_use]
    pub fn with_clock<C2: Clock>(self, clock: C2) -> Verifier<C2> {
        Verifier {
            scheme: self.scheme,
            keys: self.keys,
            max_age: self.max_age,
            max_future_skew: self.max_future_skew,
            replay_retention: self.replay_retention,
            replay_lease: self.replay_lease,
            public_url: self.public_url,
            endpoint_id: self.endpoint_id,
            audience: self.audience,
            service_account: self.service_account,
            verify_token: self.verify_token,
            clock,
        }
    }

    /// The public URL senders post to, up to the request's target: `https://example.com`, or
    /// `https://example.com/prefix` behind a proxy that strips `/prefix` before the request
    /// reaches this server. Schemes that sign the URL (Twilio, Square, HubSpot) sign it followed
    /// by the request's target, and refuse to verify without it
    /// ([`VerifyError::MissingPublicUrl`]); other schemes ignore it. See
    /// [`RequestView`](crate::RequestView) for an example.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidUrl`](crate::ConfigError::InvalidUrl) unless `url` is
    /// `http(s)://host[:port][/prefix]`, without credentials, query or fragment.
    pub fn with_public_url(mut self, url: &str) -> Result<Self, crate::ConfigError> {
        self.public_url = Some(PublicUrl::parse(url)?);
        Ok(self)
    }

    /// The id the provider gave this endpoint when it was registered, which schemes that sign
    /// it put in the signed content (PayPal's webhook id, `WH-…` or a hex id shown with the
    /// webhook in PayPal's dashboard); other schemes ignore it. Without it such a scheme refuses
    /// to verify ([`VerifyError::MissingEndpointId`]).
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidLabel`](crate::ConfigError::InvalidLabel) unless `id` is 1 to 128
    /// bytes of visible ASCII.
    pub fn with_endpoint_id(mut self, id: &str) -> Result<Self, crate::ConfigError> {
        self.endpoint_id = Some(visible(id, 128)?);
        Ok(self)
    }

    /// The audience a bearer token must name (its `aud`), for schemes whose requests carry one
    /// (Google Pub/Sub push): the audience set on the push subscription. Without it the token
    /// must name the URL it was sent to, the public URL
    /// ([`Verifier::with_public_url`]) followed by the request's target, as Pub/Sub does by
    /// default.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidLabel`](crate::ConfigError::InvalidLabel) unless `audience` is 1 to
    /// 2048 bytes of visible ASCII.
    pub fn with_audience(mut self, audience: &str) -> Result<Self, crate::ConfigError> {
        self.audience = Some(visible(audience, 2048)?);
        Ok(self)
    }

    /// The service account a bearer token must name (its `email`), for schemes whose requests
    /// carry one (Google Pub/Sub push: the account the push subscription authenticates as).
    /// Required: anyone can have Google sign a token for any audience with an account of their
    /// own, so a token is this sender's only when it names this account
    /// ([`VerifyError::MissingServiceAccount`] without it).
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidLabel`](crate::ConfigError::InvalidLabel) unless `email` is 1 to
    /// 254 bytes of visible ASCII.
    pub fn with_service_account(mut self, email: &str) -> Result<Self, crate::ConfigError> {
        self.service_account = Some(visible(email, 254)?);
        Ok(self)
    }

    /// How old a timestamp may be, in whole seconds (fractions are dropped). A timestamp exactly
    /// `max_age` old is accepted. Defaults to the scheme's [tolerance](Scheme::tolerance), or
    /// 300 s.
    ///
    /// A longer window lets a captured request be replayed for longer unless a replay cache is
    /// consulted.
    #[must_use]
    pub fn with_max_age(mut self, max_age: Duration) -> Self {
        self.max_age = max_age.as_secs();
        self
    }

    /// How far in the future a timestamp may be, in whole seconds, to allow for the sender's
    /// clock running ahead. A timestamp exactly this far ahead is accepted. Defaults to the
    /// scheme's [tolerance](Scheme::tolerance), or 300 s.
    #[must_use]
    pub fn with_max_future_skew(mut self, skew: Duration) -> Self {
        self.max_future_skew = skew.as_secs();
        self
    }

    /// Verifies a request against the clock's current time.
    ///
    /// `body` must be the raw bytes as received, before any parsing or re-serialization.
    ///
    /// # Errors
    ///
    /// [`VerifyError::ClockUnavailable`] when the clock cannot tell the time, and every error of
    /// [`Verifier::verify_at`].
    pub fn verify<'a, H: HeaderSource + ?Sized>(
        &'a self,
        headers: &'a H,
        body: &'a [u8],
    ) -> Result<Verified<'a>, VerifyError> {
        match self.clock.now() {
            Some(now) => self.verify_at(headers, body, now),
            None => crate::observe::verification(&self.scheme, body.len(), || {
                Err(VerifyError::ClockUnavailable)
            }),
        }
    }

    /// Verifies a request as of `now` — for work taken from a queue, pass the time the request
    /// was received, so time spent queued does not make it stale.
    ///
    /// # Errors
    ///
    /// One [`VerifyError`] variant per failure: missing, repeated, oversized or malformed headers,
    /// a non-canonical timestamp, an invalid delivery id or, in schemes that sign it, one the
    /// signer would refuse as ambiguous ([`VerifyError::AmbiguousId`]), a timestamp outside the
    /// window, no key valid at `now`, or no matching signature. [`VerifyError::status_code`] gives the HTTP answer.
    pub fn verify_at<'a, H: HeaderSource + ?Sized>(
        &'a self,
        headers: &'a H,
        body: &'a [u8],
        now: Timestamp,
    ) -> Result<Verified<'a>, VerifyError> {
        crate::observe::verification(&self.scheme, body.len(), || {
            self.check(headers, body, now, None)
        })
    }

    /// Begins verifying a request whose body is still arriving, for the layers: the MAC under
    /// each HMAC key valid now, fed the signed content's parts before the body. The layer feeds
    /// it the body's chunks in order as they arrive ([`BodyMac::update`]), then verifies with
    /// [`Verifier::verify_with_mac`], which uses those MACs instead of reading the body again:
    /// one pass over the body instead of two.
    ///
    /// `None` where that cannot be done — the scheme's content is found in or built from the
    /// body (Twilio's form, Linear's and Mailgun's members, Hook0's listed headers, AWS SNS,
    /// PayPal), the keys are public or fetched, more than four HMAC keys are valid at once — or
    /// the clock or the headers cannot be read: the layer verifies the whole body with
    /// [`Verifier::verify`], which says why.
    ///
    /// Crate-private on purpose: the MACs are bound to this verifier's keys and to this
    /// request's headers only by the caller, so a `BodyMac` used with another verifier or
    /// request would verify what those never signed.
    #[cfg_attr(
        not(any(feature = "tower", feature = "actix")),
        allow(dead_code, reason = "the layers' alone")
    )]
    pub(crate) fn body_mac<H: HeaderSource + ?Sized>(&self, headers: &H) -> Option<BodyMac> {
        let scheme = &self.scheme;
        let now = self.clock.now()?;
        let ring = match &self.keys {
            Keys::Held(ring) if scheme.streams_body() => ring,
            _ => return None,
        };
        let mut presented = Presented::new(scheme.algorithm());
        let (signed, _, _) = self.read(headers, &[], now, &mut presented).ok()?;
        let [Some(base), None] = scheme.url_bases(self.public_url.as_ref()) else {
            return None;
        };
        // A scheme whose body can be MACed as it arrives derives nothing.
        let content = scheme.content(&signed, base, &NOTHING_DERIVED);
        let mut body_mac = BodyMac::new(now);
        for (i, key) in ring.as_slice().iter().enumerate() {
            if !key.is_valid_at(now) || !scheme.can_verify_with(key) {
                continue;
            }
            let mac = match key.material() {
                Material::Hmac(mac) => mac,
                #[allow(unreachable_patterns, reason = "without the public-key features")]
                _ => continue,
            };
            let mut stream = mac.stream(scheme.algorithm());
            content.feed_before_body(|part| stream.update(part));
            body_mac.add(i, stream)?;
        }
        Some(body_mac)
    }

    /// Verifies a request as of when it began to arrive ([`Verifier::body_mac`]), with the
    /// MACs `body_mac` computed over its body as it arrived; `body` is the whole body, the bytes
    /// fed, handed out as [`Verified::body`]. A key whose MAC was not run, or a body of another
    /// length than the one fed, is MACed from `body` instead. Each check of
    /// [`Verifier::verify_at`] applies, in its order.
    #[cfg_attr(
        not(any(feature = "tower", feature = "actix")),
        allow(dead_code, reason = "the layers' alone")
    )]
    pub(crate) fn verify_with_mac<'a, H: HeaderSource + ?Sized>(
        &'a self,
        headers: &'a H,
        body: &'a [u8],
        body_mac: BodyMac,
    ) -> Result<Verified<'a>, VerifyError> {
        let now = body_mac.now;
        crate::observe::verification(&self.scheme, body.len(), || {
            self.check(headers, body, now, Some(body_mac))
        })
    }

    /// The checks of [`Verifier::verify_at`], in order.
    fn check<'a, H: HeaderSource + ?Sized>(
        &'a self,
        headers: &'a H,
        body: &'a [u8],
        now: Timestamp,
        mut body_mac: Option<BodyMac>,
    ) -> Result<Verified<'a>, VerifyError> {
        let scheme = &self.scheme;

        // 1. Read what the request presents, bounded.
        let mut presented = Presented::new(scheme.algorithm());
        let (signed, listed, token) = self.read(headers, body, now, &mut presented)?;
        let key_id = token.as_ref().map(Token::key_id).transpose()?.flatten();
        let timestamp = presented.timestamp.map(|(t, _)| t);

        // 2. Freshness.
        if let Some(t) = timestamp {
            self.check_window(t, now)?;
        }

        // 3. The values of the content built from the request (the form, members of the body),
        //    for schemes that sign them: the one step that may allocate.
        let built;
        let derived = match scheme.derives_content() {
            true => {
                built = scheme.derive(&signed, listed)?;
                &built
            }
            false => &NOTHING_DERIVED,
        };

        // 4. Signature, under each key valid now (of those a token names), in keyring order,
        //    over each spelling of the URL the sender may have signed.
        let fetched = self.loaded_keys(headers, body)?;
        let bases = scheme.url_bases(self.public_url.as_ref());
        let (public, codec) = scheme.public_signatures(presented.algorithm);
        let mut any_usable = false;
        let mut budget = Verifier::MAX_PUBLIC_KEY_VERIFICATIONS;
        for (i, key_ref) in self.candidates(fetched.as_ref()).enumerate() {
            let key = key_ref.get();
            if !key.is_valid_at(now) || !scheme.can_verify_with(key) {
                continue;
            }
            any_usable = true;
            if key_id.is_some_and(|id| id != key.id().as_str().as_bytes()) {
                continue;
            }
            for base in bases.into_iter().flatten() {
                let content = scheme.content(&signed, base, derived);
                let (matched, tag) = match key.material() {
                    Material::Hmac(mac) if presented.has_tags() => {
                        // The MAC run as the body arrived, where there is one.
                        let streamed = body_mac.as_mut().and_then(|m| m.take(i, body.len()));
                        let tag = match streamed {
                            Some(mut stream) => {
                                content.feed_after_body(|part| stream.update(part));
                                mac.finish(scheme.algorithm(), stream)
                            }
                            None => scheme.tag(mac, &content),
                        };
                        (presented.matches(&tag), Some(tag))
                    }
                    Material::Hmac(_) => (false, None),
                    #[allow(unreachable_patterns, reason = "without the public-key features")]
                    _ => {
                        let signatures = presented.public_signatures();
                        let matched = crate::public_key::verify_any(
                            key,
                            public,
                            signatures,
                            codec,
                            &content,
                            &mut budget,
                        );
                        (matched, None)
                    }
                };
                if matched {
                    if let Some(token) = &token {
                        self.check_token_identity(token, headers)?;
                    }
                    let primary = self.keyring().and_then(|ring| ring.as_slice().first());
                    // The replay key's anchor, when it is at hand (the primary key's tag), or
                    // when the content's derived values are not kept.
                    let anchor = match tag {
                        Some(tag) if i == 0 && scheme.algorithm() == Algorithm::HmacSha256 => {
                            Some((b"mac", tag))
                        }
                        _ if scheme.derives_content() => {
                            let id = scheme.unsigned_replay_id(signed.id);
                            Some(anchor_of(primary, &content, id))
                        }
                        _ => None,
                    };
                    return Ok(Verified {
                        scheme,
                        primary,
                        key: key_ref,
                        signed,
                        base,
                        timestamp,
                        anchor,
                    });
                }
            }
        }
        Err(match (any_usable, &fetched) {
            (true, _) => VerifyError::NoMatchingSignature,
            (false, Some(_)) => VerifyError::CertificateNotValid,
            (false, None) => VerifyError::NoActiveKey,
        })
    }

    /// The keys to try, in order: the keyring's, or the fetched ones.
    fn candidates<'k>(&'k self, fetched: Option<&Arc<KeySet>>) -> impl Iterator<Item = KeyRef<'k>> {
        let held = self.keyring().map_or(&[][..], Keyring::as_slice);
        let fetched = fetched.map_or(&[][..], |keys| keys.as_slice());
        (held.iter().map(KeyRef::Held))
            .chain(fetched.iter().map(|key| KeyRef::Fetched(Arc::clone(key))))
    }

    /// Loads the keys that verify a request into the verifier's [`KeyCache`]: the certificate
    /// it names, or its token issuer's key set (fetched again, at most once a minute, when the
    /// token names a key the set lacks). A document is fetched once, however many requests wait
    /// for it, and only when it is not cached: the one step of verification that awaits. Does
    /// nothing for verifiers that hold their keys.
    ///
    /// # Errors
    ///
    /// The missing-value error where the URL is read, [`VerifyError::KeyUrlRefused`] for a URL
    /// off the scheme's allow-list (nothing is fetched), [`VerifyError::KeyUnavailable`] when
    /// the fetch fails, [`VerifyError::InvalidFetchedKey`] when what it returns is not a
    /// certificate or key set, and for a token, the errors of reading it.
    pub async fn load_key<H: HeaderSource + Sync + ?Sized>(
        &self,
        headers: &H,
        body: &[u8],
    ) -> Result<(), VerifyError> {
        #[cfg(feature = "x509")]
        if let Keys::Fetched(cache) = &self.keys {
            let load = self.fetch_keys(cache, headers, body);
            return crate::observe::key_load(&self.scheme, load).await;
        }
        #[cfg(not(feature = "x509"))]
        let _ = (headers, body);
        Ok(())
    }

    /// Loads the keys a request names into `cache`; see [`Verifier::load_key`].
    ///
    /// # Errors
    ///
    /// As [`Verifier::load_key`].
    #[cfg(feature = "x509")]
    async fn fetch_keys<H: HeaderSource + Sync + ?Sized>(
        &self,
        cache: &KeyCache,
        headers: &H,
        body: &[u8],
    ) -> Result<(), VerifyError> {
        match self.scheme.key_url(headers, body)? {
            (url, KeyDocument::Certificate) => {
                cache.load(&url, certificate_keys).await?;
            }
            (url, KeyDocument::KeySet) => {
                let keys = cache.load(&url, crate::token::key_set).await?;
                // A key id the set lacks: the issuer may have rotated its keys since.
                let kid = self.token_key_id(headers, body)?;
                if kid.is_some_and(|kid| !keys.iter().any(|k| k.id().as_str() == kid)) {
                    cache
                        .refresh(&url, KEY_SET_REFRESH, crate::token::key_set)
                        .await?;
                }
            }
        }
        Ok(())
    }

    /// The fetched keys of the certificate a request names, for verifiers that fetch them.
    ///
    /// # Errors
    ///
    /// Those of [`Scheme::certificate_url`], and [`VerifyError::KeyNotLoaded`] when the
    /// certificate is not cached.
    #[cfg_attr(
        not(feature = "x509"),
        allow(clippy::unnecessary_wraps, unused_variables)
    )]
    fn loaded_keys<H: HeaderSource + ?Sized>(
        &self,
        headers: &H,
        body: &[u8],
    ) -> Result<Option<Arc<KeySet>>, VerifyError> {
        match &self.keys {
            Keys::Held(_) => Ok(None),
            #[cfg(feature = "x509")]
            Keys::Fetched(cache) => {
                let (url, _) = self.scheme.key_url(headers, body)?;
                cache
                    .cached(&url)
                    .map(Some)
                    .ok_or(VerifyError::KeyNotLoaded)
            }
        }
    }

    /// Reads what a request presents: the algorithm it is signed with, its signatures (into
    /// `presented`, with its timestamp), its id, its request line where the scheme signs it,
    /// and its bearer token, its claims checked at `now`, where the scheme's requests carry one.
    fn read<'a, H: HeaderSource + ?Sized>(
        &'a self,
        headers: &'a H,
        body: &'a [u8],
        now: Timestamp,
        presented: &mut Presented<'a>,
    ) -> Result<(Signed<'a>, Listed<'a>, Option<Token<'a>>), VerifyError> {
        let scheme = &self.scheme;
        let found = scheme.header_table().find(headers, body);
        let token = self.read_token(&found, now)?;
        presented.algorithm = match (&token, scheme.token_rules()) {
            (Some((token, _)), Some(rules)) => token.algorithm(rules)?,
            _ => scheme.algorithm_of(&found)?,
        };
        let value = self.signature_value(&found)?;
        scheme.parse_signatures(value, presented.algorithm, presented)?;
        let listed = scheme.listed(presented.listed, headers)?;
        if let Some(source) = scheme.timestamp_source() {
            // A timestamp parameter was read with the signatures.
            if let Some(raw) = source.read(&found, HeaderKind::Timestamp)? {
                let t = (scheme.timestamp_format().parse(raw))
                    .map_err(VerifyError::InvalidTimestamp)?;
                presented.timestamp = Some((t, raw));
            }
            if presented.timestamp.is_none() {
                return Err(source.missing(HeaderKind::Timestamp));
            }
        }
        let id = match scheme.id_source() {
            Some(source) => match source.read(&found, HeaderKind::Id)? {
                Some(raw) => parse_id(scheme, raw)?,
                None if scheme.id_is_signed() => return Err(source.missing(HeaderKind::Id)),
                None => &[],
            },
            None => &[],
        };
        let line = match scheme.signs_request_line() {
            true => headers
                .request_line()
                .ok_or(VerifyError::MissingRequestLine)?,
            false => RequestLine::default(),
        };
        if scheme.signs_url() && self.public_url.is_none() {
            return Err(VerifyError::MissingPublicUrl);
        }
        let endpoint_id = match (scheme.signs_endpoint_id(), &self.endpoint_id) {
            (true, None) => return Err(VerifyError::MissingEndpointId),
            (_, id) => id.as_deref().map_or(&[][..], str::as_bytes),
        };
        let mut signed = Signed {
            id,
            timestamp: presented.timestamp.map_or(&[], |(_, raw)| raw),
            body,
            line,
            endpoint_id,
            token: &[],
        };
        let token = token.map(|(token, issued)| {
            signed.token = token.signed;
            presented.timestamp = Some((issued, &[]));
            token
        });
        Ok((signed, listed, token))
    }

    /// The signature header's value (or the signature member's), at most the scheme's maximum
    /// length.
    ///
    /// # Errors
    ///
    /// The missing-value error where the signature is read, and
    /// [`VerifyError::HeaderTooLong`].
    #[inline]
    fn signature_value<'a>(&self, found: &Found<'a>) -> Result<&'a [u8], VerifyError> {
        let source = self.scheme.signature_source();
        let value = source
            .read(found, HeaderKind::Signature)?
            .ok_or_else(|| source.missing(HeaderKind::Signature))?;
        if value.len() > self.scheme.max_header_len() {
            return Err(VerifyError::HeaderTooLong(HeaderKind::Signature));
        }
        Ok(value)
    }

    /// The key id a request's bearer token names, if it names one.
    #[cfg(feature = "x509")]
    fn token_key_id<H: HeaderSource + ?Sized>(
        &self,
        headers: &H,
        body: &[u8],
    ) -> Result<Option<String>, VerifyError> {
        let found = self.scheme.header_table().find(headers, body);
        let token = Token::read(self.signature_value(&found)?)?;
        let kid = token.key_id()?;
        Ok(kid.map(|kid| String::from_utf8_lossy(kid).into_owned()))
    }

    /// The bearer token of a request, for schemes whose requests carry one, with the time it
    /// was issued once its `iat` and `exp` are checked at `now`.
    ///
    /// # Errors
    ///
    /// Those of reading the signature header, of `Token::read` and `Token::issued`.
    fn read_token<'a>(
        &self,
        found: &Found<'a>,
        now: Timestamp,
    ) -> Result<Option<(Token<'a>, Timestamp)>, VerifyError> {
        if self.scheme.token_rules().is_none() {
            return Ok(None);
        }
        let token = Token::read(self.signature_value(found)?)?;
        let issued = token.issued(now, self.max_future_skew)?;
        Ok(Some((token, issued)))
    }

    /// Checks that a verified token names the receiver: its audience and service account.
    ///
    /// # Errors
    ///
    /// Those of `Token::check_identity`, and [`VerifyError::MissingServiceAccount`],
    /// [`VerifyError::MissingPublicUrl`] or [`VerifyError::MissingRequestLine`] when the
    /// verifier cannot tell what the token must name.
    fn check_token_identity<H: HeaderSource + ?Sized>(
        &self,
        token: &Token<'_>,
        headers: &H,
    ) -> Result<(), VerifyError> {
        let Some(rules) = self.scheme.token_rules() else {
            return Ok(());
        };
        let email = (self.service_account.as_deref()).ok_or(VerifyError::MissingServiceAccount)?;
        let line;
        let audience = match (&self.audience, &self.public_url) {
            (Some(audience), _) => Audience::Exactly(audience.as_bytes()),
            (None, Some(url)) => {
                line = headers
                    .request_line()
                    .ok_or(VerifyError::MissingRequestLine)?;
                Audience::Url {
                    base: url.written(),
                    target: line.target(),
                }
            }
            (None, None) => return Err(VerifyError::MissingPublicUrl),
        };
        let expected = Expected {
            audience,
            email: email.as_bytes(),
        };
        token.check_identity(rules, expected)
    }

    /// How long a replay cache must remember a verified request: `max_age + max_future_skew`,
    /// the whole span in which the same signed request would still be accepted.
    ///
    /// `None` for schemes that sign no timestamp (GitHub, Shopify): their signatures never
    /// expire, so a replay cache must keep keys for as long as a replay would do harm.
    #[must_use]
    pub fn replay_window(&self) -> Option<Duration> {
        self.scheme
            .signs_timestamp()
            .then(|| Duration::from_secs(self.max_age.saturating_add(self.max_future_skew)))
    }

    /// How long replay keys are kept for schemes that sign no timestamp (GitHub, Shopify), whose
    /// signatures never expire: a replay later than this is accepted. Defaults to 72 hours, the
    /// retry horizon of Stripe and of the Standard Webhooks reference schedule. Has no effect on
    /// schemes with a timestamp, whose keys are kept for [`Verifier::replay_window`].
    #[must_use]
    pub fn with_replay_retention(mut self, retention: Duration) -> Self {
        self.replay_retention = retention;
        self
    }

    /// The TTL [`Verifier::verify_fresh`] gives replay keys once committed: [`Verifier::replay_window`] plus
    /// one second for schemes with a timestamp (the window is checked in whole seconds, so a
    /// request first seen late in one second is still accepted until the end of the window's last
    /// second), the replay retention otherwise. Size a replay cache's maximum TTL from it.
    #[must_use]
    pub fn replay_ttl(&self) -> Duration {
        self.replay_window().map_or(self.replay_retention, |w| {
            w.saturating_add(Duration::from_secs(1))
        })
    }

    /// How long [`Verifier::verify_fresh`] reserves a replay key while the delivery is handled:
    /// how long a key stays blocked when the worker handling it dies without a word. Make it
    /// longer than a handler can take — a lease that ends mid-work lets a copy run beside it.
    /// Defaults to 60 s.
    #[must_use]
    pub fn with_replay_lease(mut self, lease: Duration) -> Self {
        self.replay_lease = lease;
        self
    }

    /// The lease of a replay reservation; see [`Verifier::with_replay_lease`].
    #[must_use]
    pub fn replay_lease(&self) -> Duration {
        self.replay_lease
    }

    /// The scheme this verifier reads.
    #[must_use]
    pub fn scheme(&self) -> &Scheme {
        &self.scheme
    }

    pub(crate) fn set_verify_token(&mut self, token: VerifyToken) {
        self.verify_token = Some(token);
    }

    pub(crate) fn verify_token(&self) -> Option<&VerifyToken> {
        self.verify_token.as_ref()
    }

    /// The keys this verifier accepts; `None` for one that fetches them
    /// ([`Verifier::fetching`]).
    #[must_use]
    pub fn keyring(&self) -> Option<&Keyring> {
        match &self.keys {
            Keys::Held(ring) => Some(ring),
            #[cfg(feature = "x509")]
            Keys::Fetched(_) => None,
        }
    }

    fn check_window(&self, ts: Timestamp, now: Timestamp) -> Result<(), VerifyError> {
        let (ts, now) = (ts.as_unix_secs(), now.as_unix_secs());
        if ts <= now {
            if now - ts > self.max_age {
                return Err(VerifyError::TimestampTooOld);
            }
        } else if ts - now > self.max_future_skew {
            return Err(VerifyError::TimestampInFuture);
        }
        Ok(())
    }
}

/// A request whose signature and timestamp checked out: the only way this crate hands out a body
/// as trusted.
///
/// `Debug` shows the timestamp, id, key id and body length; never the body or any tag.
pub struct Verified<'a> {
    scheme: &'a Scheme,
    /// The keyring's primary key, for a replay key computed later; `None` when the anchor was
    /// computed during verification.
    primary: Option<&'a Key>,
    key: KeyRef<'a>,
    /// What the matching signature covers (the id checked to be visible ASCII, so UTF-8; empty
    /// when none was sent), and the spelling of the public URL it covers.
    signed: Signed<'a>,
    base: &'a [u8],
    timestamp: Option<Timestamp>,
    /// The replay key's anchor, when it was computed during verification.
    anchor: Option<Anchor>,
}

impl<'a> Verified<'a> {
    /// The scheme the request was verified with.
    #[must_use]
    pub fn scheme(&self) -> &'a Scheme {
        self.scheme
    }

    /// The body, as received and now authenticated — except in the schemes that do not sign it
    /// whole ([`Scheme::signs_body`]: Mailgun, PayPal, Google Pub/Sub; AWS SNS signs the members
    /// it reads).
    #[must_use]
    pub fn body(&self) -> &'a [u8] {
        self.signed.body
    }

    /// The verified body read as JSON into a type of yours (feature `serde`): only verified
    /// bytes are ever parsed. An event type your type does not name is yours to handle — give
    /// the enum a catch-all — never a verification failure.
    ///
    /// ```
    /// # #[cfg(feature = "serde")] {
    /// use hookseal::{Scheme, Signer, Timestamp, Verifier};
    ///
    /// #[derive(serde::Deserialize, Debug, PartialEq)]
    /// #[serde(tag = "type")]
    /// enum Event {
    ///     #[serde(rename = "invoice.paid")]
    ///     InvoicePaid { amount: u64 },
    ///     #[serde(other)]
    ///     Other,
    /// }
    ///
    /// let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    /// let (signer, verifier) = (
    ///     Signer::from_secret(Scheme::standard_webhooks(), secret)?,
    ///     Verifier::from_secret(Scheme::standard_webhooks(), secret)?,
    /// );
    /// let now = Timestamp::from_unix_secs(1_700_000_000);
    /// for (body, event) in [
    ///     (&br#"{"type":"invoice.paid","amount":42}"#[..], Event::InvoicePaid { amount: 42 }),
    ///     (br#"{"type":"invoice.voided","reason":"duplicate"}"#, Event::Other),
    /// ] {
    ///     let headers = signer.sign_at(Some("msg_1"), body, now)?;
    ///     let headers: Vec<(&str, &str)> = headers.iter().collect();
    ///     let verified = verifier.verify_at(&headers, body, now)?;
    ///     assert_eq!(verified.json::<Event>()?, event);
    /// }
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// `serde_json`'s error when the body is not JSON of the type `T` describes (its message
    /// names a line and column, and may quote a piece of the body).
    #[cfg(feature = "serde")]
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(self.signed.body)
    }

    /// The signed timestamp; `None` in schemes that sign none (GitHub, Shopify).
    #[must_use]
    pub fn timestamp(&self) -> Option<Timestamp> {
        self.timestamp
    }

    /// The delivery id header's value, if sent.
    ///
    /// Check [`Verified::id_is_signed`] before trusting it: in a scheme that does not sign the
    /// id (such as [`Scheme::github`]), anyone who can replay or alter a request in transit can
    /// change it. Deduplicate on an id from the signed body, or on [`Verified::replay_key`].
    #[must_use]
    pub fn id(&self) -> Option<&'a str> {
        Some(self.signed.id)
            .filter(|id| !id.is_empty())
            .and_then(|id| core::str::from_utf8(id).ok())
    }

    /// Whether [`Verified::id`] is covered by the signature.
    #[must_use]
    pub fn id_is_signed(&self) -> bool {
        self.scheme.id_is_signed()
    }

    /// The key whose signature matched.
    pub(crate) fn matched_key(&self) -> &Key {
        self.key.get()
    }

    /// The id of the key whose signature matched. Watch it to learn when senders have stopped
    /// using an old key, before retiring it.
    #[must_use]
    pub fn key_id(&self) -> &KeyId {
        self.key.get().id()
    }

    /// Whether the key whose signature matched was fetched (a certificate or key set the
    /// provider publishes) rather than held by the verifier.
    #[cfg(feature = "metrics")]
    pub(crate) fn key_is_fetched(&self) -> bool {
        matches!(self.key, KeyRef::Fetched(_))
    }

    /// A 16-byte key that identifies this signed request, for a replay cache.
    ///
    /// It is derived only from signed material — the HMAC-SHA256 of the signed content under
    /// the keyring's primary key (or, when the primary is an Ed25519 key, a SHA-256 digest of the
    /// signed content) — so nothing an attacker can change without invalidating the signature
    /// changes it: not an unsigned header, not dropping, reordering or adding signature entries,
    /// not which key happened to match. A new delivery attempt (new timestamp) gets a new key; in
    /// schemes without a timestamp, the same body always gets the same key.
    ///
    /// The one exception is a scheme that signs neither its body nor its id (Google Pub/Sub
    /// push, whose token vouches for the sender alone and is renewed for redeliveries): its
    /// replay key is made of the id (`message.messageId`), so a redelivery under a new token is
    /// still a replay; a sender's token holder can name any id there, as any body.
    ///
    /// Because it depends on the primary key, making a different key primary changes the replay
    /// keys of requests already seen; make that change while no delivery accepted in the last
    /// [`Verifier::replay_window`] could be replayed, or keep the replay cache's entries for
    /// both.
    #[must_use]
    pub fn replay_key(&self) -> ReplayKey {
        let (kind, anchor) = self.anchor.unwrap_or_else(|| {
            // Schemes whose content holds derived values always have their anchor.
            let derived = Derived::default();
            let content = (self.scheme).content(&self.signed, self.base, &derived);
            anchor_of(
                self.primary,
                &content,
                self.scheme.unsigned_replay_id(self.signed.id),
            )
        });
        match kind {
            b"mac" => ReplayKey::of_tag(self.scheme.replay_mask(), &anchor),
            _ => ReplayKey::of_signed(self.scheme.name(), kind, &anchor),
        }
    }
}

impl fmt::Debug for Verified<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verified")
            .field("scheme", &self.scheme.name())
            .field("timestamp", &self.timestamp)
            .field("id", &self.id())
            .field("key_id", self.key_id())
            .field("body_len", &self.signed.body.len())
            .finish_non_exhaustive()
    }
}

/// The keys of one fetched document, shared with the cache.
type KeySet = Vec<Arc<Key>>;

/// The key whose signature matched: one the verifier holds, or a fetched one.
#[derive(Clone)]
enum KeyRef<'a> {
    Held(&'a Key),
    #[cfg_attr(not(feature = "x509"), allow(dead_code))]
    Fetched(Arc<Key>),
}

impl KeyRef<'_> {
    fn get(&self) -> &Key {
        match self {
            Self::Held(key) => key,
            Self::Fetched(key) => key,
        }
    }
}

/// What a replay key is derived from: a kind (`mac`, `sha` or `uid`) and 32 bytes.
type Anchor = (&'static [u8; 3], Tag);

/// The keys of a fetched certificate: its public key, named by its subject's common name, valid
/// between its dates.
///
/// # Errors
///
/// [`VerifyError::InvalidFetchedKey`] when the document is not one PEM certificate with a key
/// the crate reads.
#[cfg(feature = "x509")]
fn certificate_keys(document: &[u8]) -> Result<KeySet, VerifyError> {
    let certificate =
        crate::Certificate::from_pem(document).map_err(|_| VerifyError::InvalidFetchedKey)?;
    let id = (certificate.subject_common_name())
        .filter(|cn| KeyId::new(cn).is_ok())
        .unwrap_or("certificate");
    let key = Key::certificate(id, &certificate).map_err(|_| VerifyError::InvalidFetchedKey)?;
    Ok(vec![Arc::new(key)])
}

/// The replay key's anchor for `content`: its HMAC-SHA256 under the primary key or, when there
/// is none or it is a public key, its SHA-256 digest. A scheme that signs neither its body nor
/// its id (Google Pub/Sub push, whose token is reused across deliveries and renewed for
/// redeliveries) names a delivery by its `unsigned_id` alone, when it has one.
fn anchor_of(primary: Option<&Key>, content: &Content<'_>, unsigned_id: &[u8]) -> Anchor {
    if !unsigned_id.is_empty() {
        return (b"uid", Sha256::digest(unsigned_id).into());
    }
    match primary.and_then(Key::mac) {
        Some(mac) => (b"mac", mac.tag_with(Algorithm::HmacSha256, content)),
        None => {
            let mut hash = Sha256::new();
            content.feed(|piece| hash.update(piece));
            (b"sha", hash.finalize().into())
        }
    }
}

/// The delivery id as sent, if it is one the scheme's signer could have signed: a valid id and,
/// when the id is signed, one that leaves the signed content a single reading.
fn parse_id<'a>(scheme: &Scheme, raw: &'a [u8]) -> Result<&'a [u8], VerifyError> {
    if !is_valid_id(raw) {
        return Err(VerifyError::InvalidId);
    }
    if !scheme.id_is_unambiguous(raw) {
        return Err(VerifyError::AmbiguousId);
    }
    Ok(raw)
}

/// `text`, when it is 1 to `max` bytes of visible ASCII.
fn visible(text: &str, max: usize) -> Result<Box<str>, crate::ConfigError> {
    if !(1..=max).contains(&text.len()) || !text.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(crate::ConfigError::InvalidLabel);
    }
    Ok(text.into())
}

const DEFAULT_TOLERANCE_SECS: u64 = 300;

/// How long a key set is kept before a token naming a key it lacks fetches it again.
#[cfg(feature = "x509")]
const KEY_SET_REFRESH: Duration = Duration::from_secs(60);

/// How long a replay key is reserved while a delivery is handled, by default.
const DEFAULT_REPLAY_LEASE: Duration = Duration::from_secs(60);

/// How long replay keys of schemes without a timestamp are kept by default: 72 hours.
const DEFAULT_REPLAY_RETENTION: Duration = Duration::from_secs(72 * 3600);

#[cfg(test)]
#[cfg(feature = "ed25519")]
mod tests {
    use super::*;
    use crate::ed25519::MESSAGE_PASSES;
    use crate::secret::ed25519::Ed25519SigningKey;
    use crate::{Key, Signer};

    fn ring(keys: impl IntoIterator<Item = Key>) -> Keyring {
        let mut keys = keys.into_iter();
        let mut ring = Keyring::new(keys.next().unwrap()).unwrap();
        for key in keys {
            ring = ring.with_key(key).unwrap();
        }
        ring
    }

    /// A new key each call (seeds of one repeated byte: 0, 1, 2, ...).
    fn generated() -> Ed25519SigningKey {
        static NEXT: core::sync::atomic::AtomicU8 = core::sync::atomic::AtomicU8::new(0);
        let seed = NEXT.fetch_add(1, core::sync::atomic::Ordering::Relaxed);
        let mut random = |bytes: &mut [u8]| {
            bytes.fill(seed);
            Ok(())
        };
        Ed25519SigningKey::generate_with(&mut random).unwrap().0
    }

    #[test]
    fn ed25519_verifications_per_request_are_capped() {
        let now = Timestamp::from_unix_secs(1_700_000_000);
        let scheme = Scheme::standard_webhooks();
        // Eight v1a signatures, none by a trusted key.
        let signers = (0..8).map(|i| Key::ed25519_signing(&format!("s{i}"), generated()).unwrap());
        let signed = Signer::new(scheme.clone(), ring(signers))
            .sign_at(Some("msg_1"), b"body", now)
            .unwrap();
        assert_eq!(
            signed
                .get("webhook-signature")
                .unwrap()
                .matches("v1a,")
                .count(),
            8
        );
        let headers: Vec<(&str, &str)> = signed.iter().collect();
        // Sixteen trusted public keys: 128 (key, signature) pairs.
        let trusted = (0..Keyring::MAX_KEYS)
            .map(|i| Key::ed25519_public(&format!("k{i}"), generated().public_key()).unwrap());
        let verifier = Verifier::new(scheme, ring(trusted));

        MESSAGE_PASSES.with(|n| n.set(0));
        let err = verifier.verify_at(&headers, b"body", now).unwrap_err();
        assert_eq!(err, VerifyError::NoMatchingSignature);
        assert_eq!(
            MESSAGE_PASSES.with(core::cell::Cell::get),
            Verifier::MAX_PUBLIC_KEY_VERIFICATIONS
        );
    }

    #[test]
    fn the_cap_counts_pairs_in_keyring_order_and_leaves_hmac_keys_alone() {
        let now = Timestamp::from_unix_secs(1_700_000_000);
        let scheme = Scheme::standard_webhooks();
        let sender = generated();
        let sender_public = sender.public_key();
        let hmac = || Key::new("hmac", crate::Secret::from_bytes([9_u8; 32]).unwrap()).unwrap();
        let signed = Signer::new(
            scheme.clone(),
            ring([Key::ed25519_signing("sender", sender).unwrap(), hmac()]),
        )
        .sign_at(Some("msg_1"), b"body", now)
        .unwrap();
        let headers: Vec<(&str, &str)> = signed.iter().collect();
        let verifier_with = |strangers: usize, last: Key| {
            let keys = (0..strangers)
                .map(|i| Key::ed25519_public(&format!("k{i}"), generated().public_key()).unwrap());
            Verifier::new(scheme.clone(), ring(keys.chain([last])))
        };
        let public = || Key::ed25519_public("sender", sender_public.clone()).unwrap();

        // One v1a signature: the sender's key is found as the eighth key, not as the ninth.
        let last = Verifier::MAX_PUBLIC_KEY_VERIFICATIONS - 1;
        let v = verifier_with(last, public());
        assert_eq!(
            v.verify_at(&headers, b"body", now).unwrap().key_id(),
            "sender"
        );
        let v = verifier_with(last + 1, public());
        assert_eq!(
            v.verify_at(&headers, b"body", now).unwrap_err(),
            VerifyError::NoMatchingSignature
        );
        // HMAC keys are still tried once the Ed25519 budget is spent.
        let v = verifier_with(Keyring::MAX_KEYS - 1, hmac());
        assert_eq!(
            v.verify_at(&headers, b"body", now).unwrap().key_id(),
            "hmac"
        );
    }
}

#[cfg(test)]
#[cfg(feature = "test-util")]
mod body_mac_tests {
    use super::*;
    use crate::Secret;
    use crate::test_kit::SignedRequest;

    const NOW: u64 = 1_700_000_000;

    fn secret() -> Secret {
        Secret::from_bytes([7_u8; 32]).unwrap()
    }

    /// For every HMAC preset: where the body can be MACed as it arrives, that MAC, fed in
    /// chunks of any size, verifies what the whole-body verification verifies, with the same
    /// key and replay key, and is what decides (a different body fed is refused); where it
    /// cannot, there is no such MAC.
    #[test]
    fn a_mac_fed_in_chunks_verifies_as_the_whole_body_does() {
        let now = Timestamp::from_unix_secs(NOW);
        let mut streamed = Vec::new();
        for scheme in Scheme::presets() {
            if scheme.algorithm().is_public_key() {
                continue;
            }
            let body = match scheme.name() {
                "twilio" => "Digits=1234&From=%2B14158675309".to_owned(),
                _ => format!(r#"{{"type":"invoice.paid","pad":"{}"}}"#, "x".repeat(150)),
            };
            let mut kit = SignedRequest::new(scheme.clone(), secret())
                .timestamp(now)
                .id("evt_1A")
                .url("https://example.com/hooks?x=1")
                .body(body);
            if scheme.listed_param().is_some() {
                kit = kit.header("X-Event-Type", "invoice.paid");
            }
            let request = kit.build().unwrap();
            let body = request.body().clone();
            let verifier = Verifier::new(scheme.clone(), Keyring::single(secret()))
                .with_public_url("https://example.com")
                .unwrap()
                .with_clock(crate::clock::ManualClock::new(now));
            let whole = verifier.verify_at(&request, &body, now).unwrap();
            let Some(fresh) = verifier.body_mac(&request) else {
                continue;
            };
            streamed.push(scheme.name().to_owned());
            for size in [1, 7, 64, 65, body.len()] {
                let mut mac = fresh.clone();
                body.chunks(size).for_each(|chunk| mac.update(chunk));
                let verified = verifier.verify_with_mac(&request, &body, mac).unwrap();
                assert_eq!(verified.key_id(), whole.key_id(), "{}", scheme.name());
                assert_eq!(
                    verified.replay_key(),
                    whole.replay_key(),
                    "{}",
                    scheme.name()
                );
            }
            let mut other = body.to_vec();
            if let Some(b) = other.get_mut(3) {
                *b ^= 1;
            }
            let mut mac = fresh.clone();
            mac.update(&other);
            let refused = verifier.verify_with_mac(&request, &body, mac).unwrap_err();
            assert_eq!(
                refused,
                VerifyError::NoMatchingSignature,
                "{}",
                scheme.name()
            );
            // A body of another length than the one fed: MACed whole.
            let mut mac = fresh;
            mac.update(b"short");
            assert!(verifier.verify_with_mac(&request, &body, mac).is_ok());
        }
        for name in [
            "standard-webhooks",
            "stripe",
            "github",
            "slack",
            "square",
            "hubspot",
        ] {
            assert!(
                streamed.iter().any(|s| s == name),
                "{name} streams: {streamed:?}"
            );
        }
        for name in ["twilio", "linear", "mailgun", "hook0"] {
            assert!(
                !streamed.iter().any(|s| s == name),
                "{name} does not stream"
            );
        }
    }
}

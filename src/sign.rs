//! [`Signer`]: produces the headers a sender attaches to a delivery.

use crate::clock::{Clock, SystemClock};
use crate::error::{SecretError, SignError};
use crate::keyring::{Keyring, Material};
use crate::mac::Tag;
use crate::request::{PublicUrl, RequestLine};
use crate::scheme::parse::MAX_SIGNATURES;
use crate::scheme::{KeyUse, Listed, Scheme, Signed};
use crate::timestamp::{Timestamp, TimestampText};
use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;

/// Signs deliveries with every key of a [`Keyring`] that is valid at the signing time.
///
/// ```
/// use hookseal::{Keyring, Scheme, Secret, Signer, Timestamp};
///
/// let keyring = Keyring::single(Secret::from_bytes([7_u8; 32])?);
/// let signer = Signer::new(Scheme::standard_webhooks(), keyring);
/// let headers = signer.sign_at(Some("evt_1"), b"{\"paid\":true}", Timestamp::from_unix_secs(1_700_000_000))?;
/// assert!(headers.get("webhook-signature").unwrap().starts_with("v1,"));
/// assert_eq!(headers.get("webhook-timestamp"), Some("1700000000"));
/// assert_eq!(headers.get("Webhook-Id"), Some("evt_1"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// It signs every scheme, so it also makes test requests for a receiver of a provider's
/// webhooks — what Stripe's `generateTestHeaderString` does, for every provider:
///
/// ```
/// use hookseal::{Scheme, Signer, Timestamp};
///
/// // The secret as Stripe's dashboard shows it.
/// let signer = Signer::from_secret(Scheme::stripe(), "whsec_test_secret")?;
/// let body = br#"{"id":"evt_test_webhook","object":"event"}"#;
/// let headers = signer.sign_at(None, body, Timestamp::from_unix_secs(1_614_265_330))?;
/// assert_eq!(
///     headers.get("Stripe-Signature"),
///     Some("t=1614265330,v1=3c5817089d739023dd6190f70a3757e04f7a2fd8b5dab12c2e000f51970dccff"),
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Signer<C = SystemClock> {
    scheme: Scheme,
    keyring: Keyring,
    clock: C,
}

impl Signer {
    /// A signer for `scheme` with the keys of `keyring`, reading the system clock.
    #[must_use]
    pub fn new(scheme: Scheme, keyring: Keyring) -> Self {
        Self {
            scheme,
            keyring,
            clock: SystemClock,
        }
    }

    /// A signer for `scheme` with one key read from `text` the scheme's way, named `default`:
    /// [`Signer::new`] with a one-key keyring, naming the scheme once.
    ///
    /// The text is an HMAC secret as [`Scheme::parse_secret`] reads it or, in schemes with
    /// Ed25519 signatures (feature `ed25519`), a `whsk_` signing key. For several keys (a
    /// rotation), build a [`Keyring`] ([`Scheme::parse_key`], [`Keyring::from_keys`]).
    ///
    /// ```
    /// use hookseal::{Scheme, Signer, Timestamp};
    ///
    /// // GitHub's documented example: the secret is text.
    /// let signer = Signer::from_secret(Scheme::github(), "It's a Secret to Everybody")?;
    /// let headers = signer.sign_at(None, b"Hello, World!", Timestamp::from_unix_secs(0))?;
    /// assert_eq!(
    ///     headers.get("X-Hub-Signature-256"),
    ///     Some("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"),
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The [`SecretError`] of [`Scheme::parse_secret`] for an HMAC secret, of
    /// [`Scheme::parse_key`] for an Ed25519 key, and [`SecretError::WrongKeyKind`] for a `whpk_`
    /// public key, which cannot sign.
    pub fn from_secret(scheme: Scheme, text: &str) -> Result<Self, SecretError> {
        let key = scheme.default_key(text, KeyUse::Sign)?;
        Ok(Self::new(scheme, Keyring::of_unbounded(key)))
    }
}

impl<C: Clock> Signer<C> {
    /// Reads the time from `clock` instead. Defaults to [`SystemClock`].
    #[must_use]
    pub fn with_clock<C2: Clock>(self, clock: C2) -> Signer<C2> {
        Signer {
            scheme: self.scheme,
            keyring: self.keyring,
            clock,
        }
    }

    /// Signs `body`, stamped with the clock's current time.
    ///
    /// `id` is the delivery id; send the same id on every retry of one event.
    ///
    /// # Errors
    ///
    /// [`SignError::ClockUnavailable`] when the clock cannot tell the time, and the errors of
    /// [`Signer::sign_at`].
    pub fn sign(&self, id: Option<&str>, body: &[u8]) -> Result<SignedHeaders, SignError> {
        let now = self.clock.now().ok_or(SignError::ClockUnavailable)?;
        self.sign_at(id, body, now)
    }

    /// Signs `body`, stamped with `timestamp`, with the keys valid at `timestamp`, in keyring
    /// order: one signature per key (at most eight) in formats that carry several, the first
    /// valid key's alone in formats that carry one.
    ///
    /// Schemes without a timestamp (GitHub, Shopify) sign the body alone; `timestamp` then only
    /// decides which keys are valid.
    ///
    /// # Errors
    ///
    /// - [`SignError::InvalidId`] when `id` is empty, longer than 255 bytes, or has a byte
    ///   outside visible ASCII;
    /// - [`SignError::MissingId`] when the scheme signs the id and none is given;
    /// - [`SignError::AmbiguousId`] when a signed id holds the text next to it in the signed
    ///   content, so the content would have two readings (`.` in Standard Webhooks); the
    ///   verifier refuses the same ids;
    /// - [`SignError::NoActiveKey`] when no key that can sign this scheme is valid at
    ///   `timestamp`.
    ///
    /// For schemes that sign the request line (Twilio, Square, HubSpot), sign with
    /// [`Signer::sign_request_at`]; this answers [`SignError::MissingRequest`].
    pub fn sign_at(
        &self,
        id: Option<&str>,
        body: &[u8],
        timestamp: Timestamp,
    ) -> Result<SignedHeaders, SignError> {
        if self.scheme.signs_request_line() {
            return Err(SignError::MissingRequest);
        }
        self.sign_signed(RequestLine::default(), &[], id, body, timestamp)
    }

    /// Signs a request to `url` with `method`, stamped with the clock's current time: for
    /// schemes that sign the request line. See [`Signer::sign_request_at`].
    ///
    /// # Errors
    ///
    /// [`SignError::ClockUnavailable`] when the clock cannot tell the time, and the errors of
    /// [`Signer::sign_request_at`].
    pub fn sign_request(
        &self,
        method: &str,
        url: &str,
        id: Option<&str>,
        body: &[u8],
    ) -> Result<SignedHeaders, SignError> {
        let now = self.clock.now().ok_or(SignError::ClockUnavailable)?;
        self.sign_request_at(method, url, id, body, now)
    }

    /// Signs a request to `url` (absolute, as the receiver's public URL) with `method`,
    /// stamped with `timestamp`: what schemes that sign the method, the path or the URL need
    /// (Twilio, Square, HubSpot). The URL is signed exactly as given; other schemes ignore both.
    ///
    /// ```
    /// use hookseal::{Keyring, Scheme, Signer, Timestamp, dangerous};
    ///
    /// // Twilio's documented example (twilio-python tests/unit/test_request_validator.py), whose
    /// // token is shorter than a real Auth Token.
    /// let token = dangerous::short_secret(b"12345".as_slice())?;
    /// let signer = Signer::new(Scheme::twilio(), Keyring::single(token));
    /// let body = b"CallSid=CA1234567890ABCDE&Caller=%2B14158675309&Digits=1234\
    ///              &From=%2B14158675309&To=%2B18005551212";
    /// let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
    /// let headers = signer.sign_request_at("POST", url, None, body, Timestamp::from_unix_secs(0))?;
    /// assert_eq!(headers.get("X-Twilio-Signature"), Some("RSOYDt4T1cUTdK1PDd93/VVr8B8="));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`SignError::InvalidUrl`] unless `url` is an absolute `http(s)` URL without credentials
    /// or a fragment, and the errors of [`Signer::sign_at`] but
    /// [`SignError::MissingRequest`].
    pub fn sign_request_at(
        &self,
        method: &str,
        url: &str,
        id: Option<&str>,
        body: &[u8],
        timestamp: Timestamp,
    ) -> Result<SignedHeaders, SignError> {
        let (base, target) = PublicUrl::split_absolute(url).map_err(|_| SignError::InvalidUrl)?;
        let line = RequestLine::new(method, target);
        self.sign_signed(line, base.written(), id, body, timestamp)
    }

    /// Signs the content made of these values.
    fn sign_signed(
        &self,
        line: RequestLine<'_>,
        base: &[u8],
        id: Option<&str>,
        body: &[u8],
        timestamp: Timestamp,
    ) -> Result<SignedHeaders, SignError> {
        let scheme = &self.scheme;
        let Some(signature_header) = scheme.signature_header() else {
            return Err(SignError::SignatureInBody);
        };
        let request = SignInput {
            line,
            base,
            id,
            body,
            timestamp,
            listed: &[],
        };
        let made = self.signatures(&request)?;
        let mut headers = Vec::with_capacity(3);
        headers.push((signature_header.to_owned(), made.format(scheme)));
        if let Some(name) = scheme.timestamp_header() {
            headers.push((name.to_owned(), made.timestamp.as_str().to_owned()));
        }
        if let (Some(name), Some(id)) = (scheme.id_header(), id) {
            headers.push((name.to_owned(), id.to_owned()));
        }
        Ok(SignedHeaders { timestamp, headers })
    }

    /// The signatures of the content made of `request`'s values, one per key valid at its
    /// timestamp (at most eight, one in formats that carry one), unformatted: what
    /// [`Signer::sign_at`] writes, and what the test kit tampers with.
    pub(crate) fn signatures(&self, request: &SignInput<'_>) -> Result<Signatures, SignError> {
        let scheme = &self.scheme;
        let SignInput {
            line,
            base,
            id,
            body,
            timestamp,
            listed: extra,
        } = *request;
        if let Some(id) = id {
            if !is_valid_id(id.as_bytes()) {
                return Err(SignError::InvalidId);
            }
            if !scheme.id_is_unambiguous(id.as_bytes()) {
                return Err(SignError::AmbiguousId);
            }
        } else if scheme.id_is_signed() {
            return Err(SignError::MissingId);
        }
        let text = TimestampText::new(timestamp, scheme.timestamp_format())
            .ok_or(SignError::UnrepresentableTimestamp)?;
        let listed_names = listed_names(scheme, id, extra)?;
        let listed = listed_values(&listed_names, id, extra)?;
        let signed = Signed {
            id: id.map_or(&[][..], str::as_bytes),
            timestamp: if scheme.signs_timestamp() {
                text.as_bytes()
            } else {
                &[]
            },
            body,
            line,
            // Schemes that sign an endpoint id sign with a public key, which the crate does not
            // sign with.
            endpoint_id: &[],
            // Tokens are their issuer's to sign.
            token: &[],
        };
        let derived = (scheme.derive(&signed, listed)).map_err(|_| SignError::InvalidBody)?;
        let content = scheme.content(&signed, base, &derived);
        let limit = if scheme.carries_several() {
            MAX_SIGNATURES.min(scheme.max_signatures())
        } else {
            1
        };
        let mut tags: Vec<Tag> = Vec::new();
        #[cfg(feature = "ed25519")]
        let mut ed25519: Vec<[u8; 64]> = Vec::new();
        #[cfg(not(feature = "ed25519"))]
        let ed25519: Vec<[u8; 64]> = Vec::new();
        for key in self.keyring.keys().filter(|k| k.is_valid_at(timestamp)) {
            if tags.len() + ed25519.len() >= limit {
                break;
            }
            match key.material() {
                Material::Hmac(mac) if scheme.can_verify_with(key) => {
                    tags.push(scheme.tag(mac, &content));
                }
                #[cfg(feature = "ed25519")]
                Material::Ed25519Signing(sk) if scheme.can_verify_with(key) => {
                    ed25519.push(sk.sign(&content));
                }
                _ => {}
            }
        }
        if tags.is_empty() && ed25519.is_empty() {
            return Err(SignError::NoActiveKey);
        }
        Ok(Signatures {
            timestamp: text,
            listed: listed_names,
            tags,
            ed25519,
        })
    }

    /// The scheme this signer writes.
    #[must_use]
    pub fn scheme(&self) -> &Scheme {
        &self.scheme
    }

    /// The keys this signer signs with.
    #[must_use]
    pub fn keyring(&self) -> &Keyring {
        &self.keyring
    }
}

/// The headers to send with one delivery attempt, as `(name, value)` pairs.
///
/// None of these values is secret (they travel in the request), so `Debug` shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    timestamp: Timestamp,
    headers: Vec<(String, String)>,
}

impl SignedHeaders {
    /// The headers as `(name, value)` pairs: the signature header first, then the timestamp
    /// header (in schemes that send one) and the id header (when an id was given).
    #[must_use = "iterators do nothing unless consumed"]
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &str)> {
        self.headers.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// The value of header `name` (matched case-insensitively).
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// The timestamp the delivery was signed with.
    #[must_use]
    pub fn timestamp(&self) -> Timestamp {
        self.timestamp
    }

    /// Sets these headers on `map`, replacing any values they already had.
    ///
    /// # Errors
    ///
    /// [`SignError::InvalidHeader`] if a name or value cannot be sent over HTTP; the signer
    /// validates every value it writes, so this does not happen with the built-in schemes.
    #[cfg(feature = "http")]
    pub fn insert_into(&self, map: &mut http::HeaderMap) -> Result<(), SignError> {
        for (name, value) in self.iter() {
            let name = http::HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| SignError::InvalidHeader)?;
            let value = http::HeaderValue::from_str(value).map_err(|_| SignError::InvalidHeader)?;
            map.insert(name, value);
        }
        Ok(())
    }
}

/// The values a signature covers, as [`Signer::signatures`] reads them.
#[derive(Clone, Copy)]
pub(crate) struct SignInput<'a> {
    /// The method and target, for schemes that sign them.
    pub(crate) line: RequestLine<'a>,
    /// The public URL up to the target, for schemes that sign it.
    pub(crate) base: &'a [u8],
    pub(crate) id: Option<&'a str>,
    pub(crate) body: &'a [u8],
    pub(crate) timestamp: Timestamp,
    /// Headers listed as signed after the id header, in schemes that list them (Hook0).
    pub(crate) listed: &'a [(&'a str, &'a str)],
}

/// The signatures one request is sent with, before they are written in the scheme's format.
pub(crate) struct Signatures {
    /// The timestamp as the scheme writes it.
    pub(crate) timestamp: TimestampText,
    /// The headers listed as signed, as sent (Hook0's `h=`); empty in other schemes.
    pub(crate) listed: String,
    pub(crate) tags: Vec<Tag>,
    pub(crate) ed25519: Vec<[u8; 64]>,
}

impl Signatures {
    /// The signature header's value.
    pub(crate) fn format(&self, scheme: &Scheme) -> String {
        scheme.format_signatures(
            self.timestamp.as_str(),
            self.listed.as_bytes(),
            &self.tags,
            &self.ed25519,
        )
    }
}

/// A delivery id: 1 to 255 bytes of visible ASCII (`!` to `~`).
pub(crate) fn is_valid_id(id: &[u8]) -> bool {
    // A fold rather than `all`: no early exit, so the check runs over whole vectors.
    (1..=MAX_ID_LEN).contains(&id.len()) && id.iter().fold(true, |ok, b| ok & b.is_ascii_graphic())
}

/// The longest delivery id, in bytes.
pub(crate) const MAX_ID_LEN: usize = 255;

/// The names a scheme that lists the headers it signs (Hook0) lists, space-separated: the id
/// header the signer writes, then the others it is given (`extra`). Empty for other schemes.
pub(crate) fn listed_names(
    scheme: &Scheme,
    id: Option<&str>,
    extra: &[(&str, &str)],
) -> Result<String, SignError> {
    let mut names = String::new();
    if scheme.listed_param().is_some() {
        let (Some(name), Some(_)) = (scheme.id_header(), id) else {
            return Err(SignError::MissingId);
        };
        for name in core::iter::once(name).chain(extra.iter().map(|(name, _)| *name)) {
            if !names.is_empty() {
                names.push(' ');
            }
            names.push_str(&name.to_ascii_lowercase());
        }
    }
    Ok(names)
}

/// The listed headers of [`listed_names`] with their values: the id's, then `extra`'s.
pub(crate) fn listed_values<'a>(
    names: &'a str,
    id: Option<&'a str>,
    extra: &[(&'a str, &'a str)],
) -> Result<Listed<'a>, SignError> {
    let mut listed = Listed::new(names.as_bytes());
    if names.is_empty() {
        return Ok(listed);
    }
    let values = id.into_iter().chain(extra.iter().map(|(_, value)| *value));
    for value in values {
        if !listed.push(value.as_bytes()) {
            return Err(SignError::InvalidHeader);
        }
    }
    Ok(listed)
}

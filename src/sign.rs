//! [`Signer`]: produces the headers a sender attaches to a delivery.

use crate::clock::{Clock, SystemClock, Timestamp};
use crate::error::SignError;
use crate::keyring::Keyring;
use crate::mac::Tag;
use crate::scheme::Scheme;
use crate::scheme::parse::{Digits, MAX_SIGNATURES};

/// Signs deliveries with every key of a [`Keyring`] that is valid at the signing time.
///
/// ```
/// use hookseal::{Keyring, Scheme, Secret, Signer, Timestamp};
///
/// let keyring = Keyring::single(Secret::from_bytes([7_u8; 32])?);
/// let signer = Signer::new(Scheme::hookseal(), keyring);
/// let headers = signer.sign_at(Some("evt_1"), b"{\"paid\":true}", Timestamp::from_unix_secs(1_700_000_000))?;
/// assert!(headers.get("x-webhook-signature").unwrap().starts_with("t=1700000000,v1="));
/// assert_eq!(headers.get("X-Webhook-Id"), Some("evt_1"));
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

    /// Signs `body`, stamped with `timestamp`, with every key valid at `timestamp` (at most
    /// eight, in keyring order).
    ///
    /// # Errors
    ///
    /// [`SignError::InvalidId`] when `id` is empty, longer than 255 bytes, or has a byte outside
    /// visible ASCII; [`SignError::NoActiveKey`] when no key is valid at `timestamp`.
    pub fn sign_at(
        &self,
        id: Option<&str>,
        body: &[u8],
        timestamp: Timestamp,
    ) -> Result<SignedHeaders, SignError> {
        if id.is_some_and(|id| !is_valid_id(id.as_bytes())) {
            return Err(SignError::InvalidId);
        }
        let digits = Digits::new(timestamp);
        let tags: Vec<Tag> = self
            .keyring
            .keys()
            .filter(|k| k.is_valid_at(timestamp))
            .take(MAX_SIGNATURES.min(self.scheme.max_signatures()))
            .map(|k| self.scheme.tag(k.mac(), digits.as_bytes(), body))
            .collect();
        if tags.is_empty() {
            return Err(SignError::NoActiveKey);
        }
        let mut headers = Vec::with_capacity(2);
        headers.push((
            self.scheme.signature_header().to_owned(),
            self.scheme.format_signatures(digits.as_str(), &tags),
        ));
        if let (Some(name), Some(id)) = (self.scheme.id_header(), id) {
            headers.push((name.to_owned(), id.to_owned()));
        }
        Ok(SignedHeaders { timestamp, headers })
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
    /// The headers as `(name, value)` pairs, the signature header first.
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

/// A delivery id: 1 to 255 bytes of visible ASCII (`!` to `~`).
pub(crate) fn is_valid_id(id: &[u8]) -> bool {
    (1..=MAX_ID_LEN).contains(&id.len()) && id.iter().all(u8::is_ascii_graphic)
}

/// The longest delivery id, in bytes.
pub(crate) const MAX_ID_LEN: usize = 255;

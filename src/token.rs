//! Bearer tokens: a JSON Web Token in `Authorization: Bearer <header>.<claims>.<signature>`
//! (Google's ID tokens on Pub/Sub push), read strictly and bounded. Its signature is checked
//! like any public-key signature, over the token's `header.claims` text, with a key of the
//! provider's key set ([`TokenRules`]) chosen by the header's `kid`; its claims are checked
//! here.

use alloc::boxed::Box;
#[cfg(feature = "x509")]
use alloc::sync::Arc;
use alloc::vec::Vec;

use base64::Engine as _;

use crate::algorithm::Algorithm;
use crate::error::{ConfigError, HeaderKind, VerifyError};
use crate::json_field;
use crate::key_source::AllowList;
#[cfg(feature = "x509")]
use crate::keyring::Key;
use crate::timestamp::{Timestamp, TimestampFormat};

/// What a scheme whose requests carry a bearer token requires of it: the algorithms its header
/// may name, the issuers its `iss` may name, where the issuer publishes its key set, and whether
/// `email_verified` must be `true`. Every token must also name the receiver in `aud` and its
/// service account in `email` (see [`Verifier::with_audience`](crate::Verifier::with_audience)
/// and [`Verifier::with_service_account`](crate::Verifier::with_service_account)), be issued no
/// later than the verifier's future skew allows and not have expired.
///
/// ```
/// use hookseal::scheme::TokenRules;
///
/// let google = TokenRules::google_id_token();
/// assert_eq!(google.key_set_url(), "https://www.googleapis.com/oauth2/v3/certs");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRules {
    algorithms: Box<[(Box<str>, Algorithm)]>,
    issuers: Box<[Box<str>]>,
    key_set_url: Box<str>,
    key_set_allow: AllowList,
    email_verified: bool,
}

impl TokenRules {
    /// Google's ID tokens, as Pub/Sub push sends them: `RS256`, issued by `accounts.google.com`
    /// or `https://accounts.google.com` (google-auth's `_GOOGLE_ISSUERS`), keys from
    /// `https://www.googleapis.com/oauth2/v3/certs`, `email_verified` required.
    #[must_use]
    pub fn google_id_token() -> Self {
        Self {
            algorithms: [("RS256".into(), Algorithm::RsaSha256)].into(),
            issuers: [
                "accounts.google.com".into(),
                "https://accounts.google.com".into(),
            ]
            .into(),
            key_set_url: GOOGLE_KEYS.into(),
            key_set_allow: AllowList::google_oauth_certs(),
            email_verified: true,
        }
    }

    /// Rules for another issuer: tokens signed with `algorithm` (named `alg_name` in their
    /// header), issued by `issuer`, whose keys are the JSON Web Key Set at `key_set_url`, which
    /// `allow` must accept.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidUrl`] when `allow` refuses `key_set_url`, and
    /// [`ConfigError::InvalidLabel`] for an algorithm that is not RSA or a name or issuer that
    /// is empty, longer than 128 bytes or not visible ASCII.
    pub fn new(
        alg_name: &str,
        algorithm: Algorithm,
        issuer: &str,
        key_set_url: &str,
        allow: AllowList,
    ) -> Result<Self, ConfigError> {
        allow
            .check(key_set_url.as_bytes())
            .map_err(|_| ConfigError::InvalidUrl)?;
        let label = |text: &str| {
            (1..=128).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_graphic())
        };
        if !label(alg_name) || !label(issuer) || !matches!(algorithm, Algorithm::RsaSha256) {
            return Err(ConfigError::InvalidLabel);
        }
        Ok(Self {
            algorithms: [(alg_name.into(), algorithm)].into(),
            issuers: [issuer.into()].into(),
            key_set_url: key_set_url.into(),
            key_set_allow: allow,
            email_verified: false,
        })
    }

    /// Also requires the claim `email_verified` to be `true`.
    #[must_use]
    pub fn require_email_verified(mut self) -> Self {
        self.email_verified = true;
        self
    }

    /// The URL of the issuer's key set.
    #[must_use]
    pub fn key_set_url(&self) -> &str {
        &self.key_set_url
    }

    /// The algorithm the tokens are signed with: the first the rules accept.
    pub(crate) fn algorithm(&self) -> Algorithm {
        self.algorithms
            .first()
            .map_or(Algorithm::RsaSha256, |(_, algorithm)| *algorithm)
    }

    /// The first algorithm's name, as a token's header writes it, and the first issuer: what
    /// the test kit writes in the tokens it signs.
    #[cfg(all(feature = "test-util", any(feature = "p256", feature = "rsa")))]
    pub(crate) fn first_names(&self) -> (&str, &str) {
        let alg = self.algorithms.first().map_or("", |(name, _)| &**name);
        let issuer = self.issuers.first().map_or("", |issuer| &**issuer);
        (alg, issuer)
    }

    /// The key set's URL, checked against its allow-list.
    #[cfg(feature = "x509")]
    pub(crate) fn key_set(&self) -> Result<crate::KeyUrl, VerifyError> {
        self.key_set_allow.check(self.key_set_url.as_bytes())
    }
}

/// A bearer token read from its header: the text its signature covers, and its header and
/// claims decoded.
#[derive(Debug)]
pub(crate) struct Token<'a> {
    /// `header.claims`, as sent: the signed content.
    pub(crate) signed: &'a [u8],
    header: Vec<u8>,
    claims: Vec<u8>,
}

impl<'a> Token<'a> {
    /// Reads `Bearer <header>.<claims>.<signature>`: exactly one space after `Bearer`, three
    /// non-empty segments of unpadded base64url, the first two each decoding to one JSON
    /// object, the header naming no critical extension (`crit`).
    ///
    /// # Errors
    ///
    /// [`VerifyError::MalformedHeader`] of the signature header for anything else.
    pub(crate) fn read(value: &'a [u8]) -> Result<Self, VerifyError> {
        let (signed, _) = split(value)?;
        let (header, claims) =
            signed.split_at(signed.iter().position(|&b| b == b'.').ok_or(MALFORMED)?);
        let token = Self {
            signed,
            header: decode_object(header)?,
            claims: decode_object(claims.get(1..).unwrap_or_default())?,
        };
        // Extensions the issuer says must be understood (RFC 7515's `crit`): the crate knows
        // none.
        if token.header_member("crit") != Ok(None) {
            return Err(MALFORMED);
        }
        Ok(token)
    }

    /// The algorithm the header names, if `rules` accept it.
    ///
    /// # Errors
    ///
    /// [`VerifyError::UnknownAlgorithm`] for another, and [`VerifyError::MalformedHeader`] for
    /// a header without `alg` or with a malformed one.
    pub(crate) fn algorithm(&self, rules: &TokenRules) -> Result<Algorithm, VerifyError> {
        let name = self.header_member("alg")?.ok_or(MALFORMED)?;
        (rules.algorithms.iter())
            .find(|(n, _)| n.as_bytes() == name)
            .map(|(_, algorithm)| *algorithm)
            .ok_or(VerifyError::UnknownAlgorithm)
    }

    /// The key id the header names, if any.
    ///
    /// # Errors
    ///
    /// [`VerifyError::MalformedHeader`] for a `kid` that is not a plain string.
    pub(crate) fn key_id(&self) -> Result<Option<&[u8]>, VerifyError> {
        self.header_member("kid")
    }

    fn header_member(&self, name: &str) -> Result<Option<&[u8]>, VerifyError> {
        json_field::find(&self.header, &[name]).map_err(|_| MALFORMED)
    }

    fn claim(&self, name: &str) -> Result<Option<&[u8]>, VerifyError> {
        json_field::find(&self.claims, &[name]).map_err(|_| MALFORMED)
    }

    /// The time the token was issued, once its `iat` is no further ahead of `now` than
    /// `future_skew` seconds allow and its `exp` has not passed: checked before its signature,
    /// as every scheme's timestamp is.
    ///
    /// # Errors
    ///
    /// [`VerifyError::ClaimRefused`] for an absent or non-numeric `iat` or `exp`,
    /// [`VerifyError::TimestampInFuture`] and [`VerifyError::TimestampTooOld`].
    pub(crate) fn issued(
        &self,
        now: Timestamp,
        future_skew: u64,
    ) -> Result<Timestamp, VerifyError> {
        let time = |claim: &'static str| -> Result<Timestamp, VerifyError> {
            let raw = self
                .claim(claim)?
                .ok_or(VerifyError::ClaimRefused { claim })?;
            (TimestampFormat::UnixSecs.parse(raw)).map_err(|_| VerifyError::ClaimRefused { claim })
        };
        let issued = time("iat")?;
        if issued.as_unix_secs() > now.as_unix_secs().saturating_add(future_skew) {
            return Err(VerifyError::TimestampInFuture);
        }
        if time("exp")? < now {
            return Err(VerifyError::TimestampTooOld);
        }
        Ok(issued)
    }

    /// Checks who issued the token and for whom, against `rules` and what the receiver
    /// expects: after its signature is verified, so an unsigned token learns nothing of what
    /// the receiver expects.
    ///
    /// # Errors
    ///
    /// [`VerifyError::ClaimRefused`] naming the first claim absent or other than required.
    pub(crate) fn check_identity(
        &self,
        rules: &TokenRules,
        expected: Expected<'_>,
    ) -> Result<(), VerifyError> {
        let refused = |claim: &'static str| VerifyError::ClaimRefused { claim };
        let issuer = self.claim("iss")?.ok_or(refused("iss"))?;
        if !rules.issuers.iter().any(|iss| iss.as_bytes() == issuer) {
            return Err(refused("iss"));
        }
        if !expected
            .audience
            .matches(self.claim("aud")?.ok_or(refused("aud"))?)
        {
            return Err(refused("aud"));
        }
        if self.claim("email")? != Some(expected.email) {
            return Err(refused("email"));
        }
        if rules.email_verified && !self.claim_is_true("email_verified")? {
            return Err(refused("email_verified"));
        }
        Ok(())
    }

    /// Whether the claim `name` is the JSON literal `true` (the reader hands literals over as
    /// text it does not keep, so the token's claims are read for it directly).
    fn claim_is_true(&self, name: &str) -> Result<bool, VerifyError> {
        json_field::is_true(&self.claims, &[name]).map_err(|_| MALFORMED)
    }
}

/// What the receiver expects a token to name.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Expected<'v> {
    /// `aud`.
    pub(crate) audience: Audience<'v>,
    /// `email`.
    pub(crate) email: &'v [u8],
}

/// The audience a token must name: the receiver's own, or its public URL and the request's
/// target.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Audience<'v> {
    Exactly(&'v [u8]),
    Url { base: &'v [u8], target: &'v [u8] },
}

impl Audience<'_> {
    fn matches(self, aud: &[u8]) -> bool {
        match self {
            Self::Exactly(expected) => aud == expected,
            Self::Url { base, target } => aud.strip_prefix(base).is_some_and(|rest| rest == target),
        }
    }
}

/// The keys of a JSON Web Key Set: each RSA signing key the crate reads, named by its `kid`.
/// Keys of other kinds, or whose `kid` cannot be a key id, are passed over.
///
/// # Errors
///
/// [`VerifyError::InvalidFetchedKey`] unless the document is one JSON object whose `keys` hold
/// at most 16 keys, one at least an RSA key the crate reads.
#[cfg(feature = "x509")]
pub(crate) fn key_set(document: &[u8]) -> Result<Vec<Arc<Key>>, VerifyError> {
    let elements = json_field::array_elements(document, &["keys"], MAX_KEYS)
        .map_err(|_| VerifyError::InvalidFetchedKey)?
        .ok_or(VerifyError::InvalidFetchedKey)?;
    let keys: Vec<Arc<Key>> = elements.into_iter().filter_map(rsa_key).collect();
    if keys.is_empty() {
        return Err(VerifyError::InvalidFetchedKey);
    }
    Ok(keys)
}

/// One key of a key set, when it is an RSA signing key with a `kid` the crate reads.
#[cfg(feature = "x509")]
fn rsa_key(element: &[u8]) -> Option<Arc<Key>> {
    let member = |name: &str| json_field::find(element, &[name]).ok().flatten();
    if member("kty") != Some(b"RSA") || member("use").is_some_and(|u| u != b"sig") {
        return None;
    }
    let kid = core::str::from_utf8(member("kid")?).ok()?;
    let public = crate::secret::rsa::RsaPublicKey::from_jwk(member("n")?, member("e")?).ok()?;
    Key::rsa_public(kid, public).ok().map(Arc::new)
}

/// Splits `Bearer <header>.<claims>.<signature>` into `header.claims` and the signature,
/// without decoding: exactly one space after `Bearer`, three non-empty segments of the base64url
/// alphabet.
///
/// # Errors
///
/// [`VerifyError::MalformedHeader`] of the signature header for anything else.
pub(crate) fn split(value: &[u8]) -> Result<(&[u8], &[u8]), VerifyError> {
    let token = value.strip_prefix(b"Bearer ").ok_or(MALFORMED)?;
    let mut segments = token.split(|&b| b == b'.');
    let (Some(header), Some(claims), Some(signature), None) = (
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
    ) else {
        return Err(MALFORMED);
    };
    let base64url = |segment: &[u8]| {
        !segment.is_empty()
            && (segment.iter()).all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if !(base64url(header) && base64url(claims) && base64url(signature)) {
        return Err(MALFORMED);
    }
    let signed = token
        .get(..header.len() + 1 + claims.len())
        .ok_or(MALFORMED)?;
    Ok((signed, signature))
}

/// `segment`, unpadded base64url, decoded: one JSON object of at most [`MAX_SEGMENT_LEN`] bytes.
fn decode_object(segment: &[u8]) -> Result<Vec<u8>, VerifyError> {
    if segment.len() > MAX_SEGMENT_LEN {
        return Err(MALFORMED);
    }
    let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| MALFORMED)?;
    // One JSON object; what it holds is read member by member.
    if !json_field::is_object(&decoded) {
        return Err(MALFORMED);
    }
    Ok(decoded)
}

const MALFORMED: VerifyError = VerifyError::MalformedHeader(HeaderKind::Signature);

/// Google's key set for its ID tokens.
const GOOGLE_KEYS: &str = "https://www.googleapis.com/oauth2/v3/certs";

/// The longest encoded header or claims segment read.
const MAX_SEGMENT_LEN: usize = 4096;

/// The most keys a key set may hold.
#[cfg(feature = "x509")]
const MAX_KEYS: usize = 16;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_have_three_segments_after_one_space() {
        for value in [
            &b""[..],
            b"Bearer",
            b"Bearer ",
            b"bearer a.b.c",
            b"Bearer  a.b.c",
            b"Bearer a.b",
            b"Bearer a.b.c.d",
            b"Bearer .b.c",
            b"Bearer a..c",
            b"Bearer a.b.",
        ] {
            assert_eq!(split(value).unwrap_err(), MALFORMED, "{value:?}");
        }
        assert_eq!(split(b"Bearer a.b.c").unwrap(), (&b"a.b"[..], &b"c"[..]));
        // Segments must decode to JSON objects.
        let object = |json: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json);
        let token = |header: &str, claims: &str| {
            format!("Bearer {}.{}.c2ln", object(header), object(claims))
        };
        assert!(Token::read(token("{}", "{}").as_bytes()).is_ok());
        for (header, claims) in [
            ("[]", "{}"),
            ("{}", "1"),
            ("{", "{}"),
            ("{}", r#"{"a":1,"a":2}x"#),
        ] {
            assert_eq!(
                Token::read(token(header, claims).as_bytes()).unwrap_err(),
                MALFORMED,
                "{header} {claims}"
            );
        }
        let critical = token(r#"{"alg":"RS256","crit":["exp"]}"#, "{}");
        assert_eq!(Token::read(critical.as_bytes()).unwrap_err(), MALFORMED);
        let padded = format!("Bearer {}=.{}.c2ln", object("{}"), object("{}"));
        assert_eq!(Token::read(padded.as_bytes()).unwrap_err(), MALFORMED);
    }

    #[cfg(feature = "x509")]
    #[test]
    fn key_sets_keep_the_rsa_signing_keys_they_can_read() {
        let jwks = include_str!("../tests/vectors/google_pubsub/jwks.json");
        let keys = key_set(jwks.as_bytes()).unwrap();
        let ids: Vec<&str> = keys.iter().map(|k| k.id().as_str()).collect();
        assert_eq!(ids, ["k1", "k2"]);

        let set: serde_json::Value = serde_json::from_str(jwks).unwrap();
        let good = set["keys"][0].clone();
        let with = |others: Vec<serde_json::Value>| {
            let mut keys = others;
            keys.push(good.clone());
            serde_json::json!({ "keys": keys }).to_string()
        };
        let mut encryption = good.clone();
        encryption["use"] = "enc".into();
        let mut bad_kid = good.clone();
        bad_kid["kid"] = "a/b+c=".into();
        let mut no_n = good.clone();
        no_n.as_object_mut().unwrap().remove("n");
        let ec =
            serde_json::json!({"kty": "EC", "kid": "e1", "crv": "P-256", "x": "AA", "y": "AA"});
        let passed_over = with(vec![encryption.clone(), bad_kid.clone(), no_n.clone(), ec]);
        assert_eq!(key_set(passed_over.as_bytes()).unwrap().len(), 1);

        let unreadable = serde_json::json!({ "keys": [encryption, bad_kid, no_n] }).to_string();
        for document in [
            unreadable.as_str(),
            r#"{"keys":[]}"#,
            r#"{"keys":{}}"#,
            r#"{"other":[]}"#,
            "[]",
            "<html>",
        ] {
            assert_eq!(
                key_set(document.as_bytes()).unwrap_err(),
                VerifyError::InvalidFetchedKey,
                "{document}"
            );
        }
        let too_many = with(vec![good.clone(); MAX_KEYS]);
        assert_eq!(
            key_set(too_many.as_bytes()).unwrap_err(),
            VerifyError::InvalidFetchedKey
        );
    }
}

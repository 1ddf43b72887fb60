//! [`Handshake`]: how a provider checks that a URL is a receiver's before it delivers there, and
//! how the receiver answers — described as data that a [`Scheme`](crate::Scheme) carries, and
//! answered by [`Verifier::handshake`] (signed `POST` handshakes, after verification) and
//! [`Verifier::challenge`] (unsigned `GET` challenges).
//!
//! | preset | handshake | recognised by | answer |
//! |---|---|---|---|
//! | Slack | signed | body member `type` is `"url_verification"` | the `challenge` member, as text |
//! | Discord | signed | body member `type` is `1` (`PING`) | `{"type":1}` (`PONG`) |
//! | Twitch | signed | header `Twitch-Eventsub-Message-Type: webhook_callback_verification` | the `challenge` member, as text |
//! | Zoom | signed | body member `event` is `"endpoint.url_validation"` | `{"plainToken":…,"encryptedToken":…}`: the hex HMAC-SHA256 of `payload.plainToken` under the key that verified the request |
//! | Dropbox | `GET` | query parameter `challenge` | the parameter, as text |
//! | Meta | `GET` | `hub.mode=subscribe` | `hub.challenge`, as text, once `hub.verify_token` is the receiver's ([`Verifier::with_verify_token`]) |
//!
//! Every text answer is `text/plain` with `X-Content-Type-Options: nosniff` (Dropbox asks for
//! both, against reflected XSS; the others accept them), status 200.
//!
//! Challenges are bounded: at most [`Handshake::MAX_CHALLENGE_LEN`] bytes of ASCII letters,
//! digits and `-._~+/=:` (the UUIDs, base64 and decimal numbers providers send), never
//! written with JSON escapes; anything else is refused with a [`HandshakeError`] and never
//! echoed. Bodies longer than [`Handshake::MAX_BODY_LEN`] are never handshakes.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::string::ToString;
use alloc::vec::Vec;
use core::fmt;

use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;
use zeroize::Zeroizing;

use crate::clock::Clock;
use crate::error::{ConfigError, HandshakeError};
use crate::headers::{HeaderName, HeaderSource, trim_ows};
use crate::keyring::Key;
use crate::scheme::MAX_FIELD_DEPTH;
use crate::verify::{Verified, Verifier};

/// How a provider checks that a URL is a receiver's, and how the receiver answers: a scheme's
/// handshake ([`Scheme::handshake`](crate::Scheme::handshake)). The module docs of
/// [`scheme`](crate::scheme#handshakes) list the presets'.
///
/// A *signed* handshake (Slack, Discord, Twitch, Zoom) is a delivery like any other, signed
/// like any other: it is answered only once it verifies ([`Verifier::handshake`]). A *query*
/// challenge (Dropbox, Meta) is a `GET` the provider does not sign, answered before any
/// verification ([`Verifier::challenge`]); Meta's carries the receiver's verify token.
///
/// ```
/// use hookseal::Scheme;
/// use hookseal::scheme::{Handshake, HandshakeAnswer, HandshakeTrigger};
///
/// // The presets carry their provider's handshake, and can be told not to answer it.
/// assert_eq!(Scheme::slack().handshake(), Some(&Handshake::slack()));
/// assert_eq!(Scheme::slack().without_handshake().handshake(), None);
/// assert_eq!(Scheme::stripe().handshake(), None);
///
/// // A format of your own: `{"kind":"ping","nonce":"…"}` answered with the nonce as text.
/// let ping = Handshake::signed(
///     HandshakeTrigger::member(&["kind"], "ping")?,
///     HandshakeAnswer::echo_member_as_text(&["nonce"])?,
/// );
/// let scheme = Scheme::custom("acme")
///     .signature_header("X-Acme-Signature")
///     .handshake(ping)
///     .build()?;
/// assert!(scheme.handshake().is_some_and(Handshake::is_signed));
/// # Ok::<(), hookseal::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handshake(Kind);

/// What starts a signed handshake ([`Handshake::signed`]): a value in the verified request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeTrigger(Trigger);

/// How a signed handshake is answered ([`Handshake::signed`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeAnswer(Answer);

/// The answer to a handshake, for the receiver to send as it is: a status, a content type,
/// extra headers and a body. From [`Verifier::handshake`] and [`Verifier::challenge`]; the
/// tower layer sends it itself.
///
/// `Debug` shows the status, the content type and the body's length, not the body.
#[derive(Clone, PartialEq, Eq)]
pub struct HandshakeReply {
    status: u16,
    content_type: &'static str,
    headers: &'static [(&'static str, &'static str)],
    body: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// A delivery, answered once verified.
    Signed { trigger: Trigger, answer: Answer },
    /// A `GET` carrying its challenge in a query parameter, answered with it as text.
    Query {
        challenge: Box<str>,
        /// The parameter that marks the request as the challenge, and its value (Meta's
        /// `hub.mode=subscribe`); without one, the challenge parameter does.
        mode: Option<(Box<str>, Box<str>)>,
        /// The parameter carrying the receiver's verify token, when the challenge has one.
        verify_token: Option<Box<str>>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Trigger {
    /// A string member of the body, written without escapes, equal to `value`.
    StringMember {
        path: Box<[Box<str>]>,
        value: Box<str>,
    },
    /// A number member of the body, written as `value`.
    NumberMember {
        path: Box<[Box<str>]>,
        value: Box<str>,
    },
    /// A header sent once with `value` (surrounding whitespace trimmed).
    Header { name: HeaderName, value: Box<str> },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Answer {
    /// A string member of the body, as `text/plain`.
    EchoText { path: Box<[Box<str>]> },
    /// A string member of the body, as `{"<name>":"<value>"}`.
    EchoJson {
        path: Box<[Box<str>]>,
        name: Box<str>,
    },
    /// A fixed JSON body.
    Json(Box<str>),
    /// A string member of the body and its hex HMAC-SHA256 under the matched key, as
    /// `{"<plain>":"<value>","<hmac>":"<hex>"}`.
    HmacJson {
        path: Box<[Box<str>]>,
        plain: Box<str>,
        hmac: Box<str>,
    },
}

impl Handshake {
    /// The longest challenge answered, in bytes.
    pub const MAX_CHALLENGE_LEN: usize = 256;

    /// The longest body read for a handshake, in bytes: a longer delivery is not one, and goes
    /// to the handler unread. Handshakes are a few hundred bytes; the cap keeps recognising
    /// them from costing more than a glance at large deliveries.
    pub const MAX_BODY_LEN: usize = 16 * 1024;

    /// Slack's URL verification ([`Scheme::slack`](crate::Scheme::slack)): a signed delivery
    /// whose `type` member is `"url_verification"`, answered with its `challenge` member as
    /// `text/plain` (api.slack.com/events/url_verification: "respond in plaintext with the
    /// challenge attribute value", once the request is verified).
    #[must_use]
    pub fn slack() -> Self {
        Self::signed(
            HandshakeTrigger(Trigger::StringMember {
                path: path_of(&["type"]),
                value: "url_verification".into(),
            }),
            HandshakeAnswer(Answer::EchoText {
                path: path_of(&["challenge"]),
            }),
        )
    }

    /// Discord's `PING` ([`Scheme::discord`](crate::Scheme::discord)): a signed interaction
    /// whose `type` is the number `1`, answered `{"type":1}` (a `PONG`) as `application/json`
    /// (discord.com/developers/docs/interactions/receiving-and-responding; `InteractionType.PING`
    /// and `InteractionResponseType.PONG` are both 1 in discord/discord-interactions-js).
    #[must_use]
    pub fn discord() -> Self {
        Self::signed(
            HandshakeTrigger(Trigger::NumberMember {
                path: path_of(&["type"]),
                value: "1".into(),
            }),
            HandshakeAnswer(Answer::Json(r#"{"type":1}"#.into())),
        )
    }

    /// Twitch EventSub's callback verification ([`Scheme::twitch`](crate::Scheme::twitch)): a
    /// signed delivery with `Twitch-Eventsub-Message-Type: webhook_callback_verification`,
    /// answered with the body's `challenge` member as `text/plain`, nothing else
    /// (dev.twitch.tv/docs/eventsub/handling-webhook-events, "Responding to a challenge
    /// request").
    ///
    /// The message type header is not signed: changing it on a captured delivery can only make
    /// the receiver echo the `challenge` member of a verified body (or refuse the delivery with
    /// [`HandshakeError::MissingChallenge`] when it has none), never answer for a body Twitch
    /// did not sign.
    #[must_use]
    pub fn twitch() -> Self {
        Self::signed(
            HandshakeTrigger(Trigger::Header {
                name: HeaderName::from_static("twitch-eventsub-message-type"),
                value: "webhook_callback_verification".into(),
            }),
            HandshakeAnswer(Answer::EchoText {
                path: path_of(&["challenge"]),
            }),
        )
    }

    /// Zoom's URL validation ([`Scheme::zoom`](crate::Scheme::zoom)): a signed delivery whose
    /// `event` member is `"endpoint.url_validation"`, answered as `application/json` with
    /// `{"plainToken":"<payload.plainToken>","encryptedToken":"<hex HMAC-SHA256 of it>"}`, the
    /// HMAC under the secret token that verified the request (Zoom's webhook docs, "Validate
    /// your webhook endpoint"; zoom/webhook-sample `index.js`, which verifies the request
    /// first too).
    #[must_use]
    pub fn zoom() -> Self {
        Self::signed(
            HandshakeTrigger(Trigger::StringMember {
                path: path_of(&["event"]),
                value: "endpoint.url_validation".into(),
            }),
            HandshakeAnswer(Answer::HmacJson {
                path: path_of(&["payload", "plainToken"]),
                plain: "plainToken".into(),
                hmac: "encryptedToken".into(),
            }),
        )
    }

    /// Dropbox's verification request ([`Scheme::dropbox`](crate::Scheme::dropbox)): a `GET`
    /// with a `challenge` query parameter, answered with it as `text/plain` with
    /// `X-Content-Type-Options: nosniff` (dropbox.com/developers/reference/webhooks, "The
    /// verification request", which asks for both headers). Dropbox does not sign it.
    #[must_use]
    pub fn dropbox() -> Self {
        Self(Kind::Query {
            challenge: "challenge".into(),
            mode: None,
            verify_token: None,
        })
    }

    /// Meta's verification request ([`Scheme::meta`](crate::Scheme::meta): WhatsApp,
    /// Instagram, Messenger and the Graph API): a `GET` with `hub.mode=subscribe`,
    /// `hub.verify_token` and `hub.challenge`, answered with `hub.challenge` as `text/plain`
    /// once the verify token is the one the receiver set in Meta's App Dashboard
    /// (developers.facebook.com/docs/graph-api/webhooks/getting-started, "Verification
    /// Requests"). Meta does not sign it: the verify token is what stands for the sender, so
    /// without one set ([`Verifier::with_verify_token`]) every such request is refused.
    #[must_use]
    pub fn meta() -> Self {
        Self(Kind::Query {
            challenge: "hub.challenge".into(),
            mode: Some(("hub.mode".into(), "subscribe".into())),
            verify_token: Some("hub.verify_token".into()),
        })
    }

    /// A signed handshake: a delivery in which `trigger` is found, answered as `answer` says
    /// once it verifies.
    #[must_use]
    pub fn signed(trigger: HandshakeTrigger, answer: HandshakeAnswer) -> Self {
        Self(Kind::Signed {
            trigger: trigger.0,
            answer: answer.0,
        })
    }

    /// A `GET` challenge, answered with the query parameter `param` as `text/plain` (Dropbox's
    /// `challenge`) before any verification: the provider does not sign it.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidHandshake`] unless `param` is 1 to 64 bytes of visible ASCII.
    pub fn query_challenge(param: &str) -> Result<Self, ConfigError> {
        Ok(Self(Kind::Query {
            challenge: label(param)?,
            mode: None,
            verify_token: None,
        }))
    }

    /// A `GET` challenge marked by `mode_param=mode_value`, answered with `challenge_param` as
    /// `text/plain` once `token_param` holds the receiver's verify token (Meta's `hub.mode`,
    /// `hub.verify_token` and `hub.challenge`).
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidHandshake`] unless each name and the value is 1 to 64 bytes of
    /// visible ASCII.
    pub fn query_challenge_with_verify_token(
        mode_param: &str,
        mode_value: &str,
        token_param: &str,
        challenge_param: &str,
    ) -> Result<Self, ConfigError> {
        Ok(Self(Kind::Query {
            challenge: label(challenge_param)?,
            mode: Some((label(mode_param)?, label(mode_value)?)),
            verify_token: Some(label(token_param)?),
        }))
    }

    /// Whether the handshake is signed, so answered only after verification
    /// ([`Verifier::handshake`]); `false` for a `GET` challenge ([`Verifier::challenge`]).
    #[must_use]
    pub fn is_signed(&self) -> bool {
        matches!(self.0, Kind::Signed { .. })
    }

    /// Whether the answer is an HMAC under the matched key, which only a shared secret makes.
    pub(crate) fn answers_with_hmac(&self) -> bool {
        matches!(
            self.0,
            Kind::Signed {
                answer: Answer::HmacJson { .. },
                ..
            }
        )
    }

    /// The answer to a verified request, if it is this signed handshake.
    fn answer_verified<H: HeaderSource + ?Sized>(
        &self,
        headers: &H,
        body: &[u8],
        key: &Key,
    ) -> Option<Result<HandshakeReply, HandshakeError>> {
        let Kind::Signed { trigger, answer } = &self.0 else {
            return None;
        };
        trigger
            .fires(headers, body)
            .then(|| answer.reply(body, key))
    }

    /// The answer to a `GET` with `query`, if it is this query challenge.
    fn answer_query(
        &self,
        query: &[u8],
        token: Option<&VerifyToken>,
    ) -> Option<Result<HandshakeReply, HandshakeError>> {
        let Kind::Query {
            challenge,
            mode,
            verify_token,
        } = &self.0
        else {
            return None;
        };
        let (challenge, sent_mode, presented) = match (mode, verify_token) {
            (Some((mode_name, _)), Some(token_name)) => {
                match crate::query::params(query, [mode_name, token_name, challenge]) {
                    Ok([m, t, c]) => (c, m, t),
                    Err(e) => return Some(Err(e)),
                }
            }
            (Some((mode_name, _)), None) => {
                match crate::query::params(query, [mode_name, challenge]) {
                    Ok([m, c]) => (c, m, None),
                    Err(e) => return Some(Err(e)),
                }
            }
            (None, _) => match crate::query::params(query, [challenge]) {
                Ok([c]) => {
                    // Without a mode, the challenge parameter marks the request.
                    c.as_ref()?;
                    (c, None, None)
                }
                Err(e) => return Some(Err(e)),
            },
        };
        if let Some((_, expected)) = mode
            && sent_mode.as_deref() != Some(expected.as_bytes())
        {
            return None;
        }
        Some((|| {
            if verify_token.is_some() {
                let token = token.ok_or(HandshakeError::VerifyTokenNotSet)?;
                let presented = presented.ok_or(HandshakeError::VerifyTokenRefused)?;
                if !token.matches(&presented) {
                    return Err(HandshakeError::VerifyTokenRefused);
                }
            }
            let challenge = challenge.ok_or(HandshakeError::MissingChallenge)?;
            Ok(HandshakeReply::text(checked(&challenge)?))
        })())
    }
}

impl HandshakeTrigger {
    /// A string member of the body at `path` (names, outermost first) equal to `value`, as
    /// Slack's `"type":"url_verification"`. The body must be one JSON object of at most
    /// [`Handshake::MAX_BODY_LEN`] bytes, and the member written without escapes.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidHandshake`] for a path of no names or more than 4, or a name or
    /// value that is empty, longer than 64 bytes, or holds a byte JSON would escape.
    pub fn member(path: &[&str], value: &str) -> Result<Self, ConfigError> {
        Ok(Self(Trigger::StringMember {
            path: checked_path(path)?,
            value: label(value)?,
        }))
    }

    /// A number member of the body at `path` written as `value`, as Discord's `"type":1`.
    ///
    /// # Errors
    ///
    /// As [`HandshakeTrigger::member`], for the path.
    pub fn number_member(path: &[&str], value: u64) -> Result<Self, ConfigError> {
        Ok(Self(Trigger::NumberMember {
            path: checked_path(path)?,
            value: value.to_string().into(),
        }))
    }

    /// A header sent once with `value` (surrounding whitespace trimmed), as Twitch's
    /// `Twitch-Eventsub-Message-Type: webhook_callback_verification`.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidHeaderName`] for a name that is not an HTTP token, and
    /// [`ConfigError::InvalidHandshake`] unless `value` is 1 to 64 bytes of visible ASCII.
    pub fn header(name: &str, value: &str) -> Result<Self, ConfigError> {
        Ok(Self(Trigger::Header {
            name: HeaderName::new(name)?,
            value: label(value)?,
        }))
    }
}

impl HandshakeAnswer {
    /// The string member of the body at `path`, as `text/plain` (Slack's and Twitch's
    /// `challenge`).
    ///
    /// # Errors
    ///
    /// As [`HandshakeTrigger::member`], for the path.
    pub fn echo_member_as_text(path: &[&str]) -> Result<Self, ConfigError> {
        Ok(Self(Answer::EchoText {
            path: checked_path(path)?,
        }))
    }

    /// The string member of the body at `path`, as the JSON object `{"<name>":"<value>"}`.
    ///
    /// # Errors
    ///
    /// As [`HandshakeTrigger::member`], for the path and the name.
    pub fn echo_member_as_json(path: &[&str], name: &str) -> Result<Self, ConfigError> {
        Ok(Self(Answer::EchoJson {
            path: checked_path(path)?,
            name: label(name)?,
        }))
    }

    /// A fixed JSON body, as Discord's `{"type":1}`.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidHandshake`] unless `json` is one JSON object of at most 1024
    /// bytes.
    pub fn json(json: &str) -> Result<Self, ConfigError> {
        if json.len() > 1024 || !crate::json_field::is_object(json.as_bytes()) {
            return Err(ConfigError::InvalidHandshake);
        }
        Ok(Self(Answer::Json(json.into())))
    }

    /// The string member of the body at `path` and its hex HMAC-SHA256 under the key that
    /// verified the request, as `{"<plain>":"<value>","<hmac>":"<hex>"}` (Zoom's
    /// `plainToken` and `encryptedToken`). Only schemes whose keys are shared secrets can
    /// answer it.
    ///
    /// # Errors
    ///
    /// As [`HandshakeTrigger::member`], for the path and the names.
    pub fn member_with_hmac(path: &[&str], plain: &str, hmac: &str) -> Result<Self, ConfigError> {
        Ok(Self(Answer::HmacJson {
            path: checked_path(path)?,
            plain: label(plain)?,
            hmac: label(hmac)?,
        }))
    }
}

impl HandshakeReply {
    /// The HTTP status to answer with: 200.
    #[must_use]
    pub fn status_code(&self) -> u16 {
        self.status
    }

    /// The `Content-Type` to answer with: `text/plain` or `application/json`.
    #[must_use]
    pub fn content_type(&self) -> &'static str {
        self.content_type
    }

    /// Headers to send besides `Content-Type` (`x-content-type-options: nosniff` with a text
    /// answer), as name (in lowercase) and value.
    #[must_use]
    pub fn headers(&self) -> &'static [(&'static str, &'static str)] {
        self.headers
    }

    /// The body to answer with.
    #[must_use]
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body to answer with, owned.
    #[must_use]
    pub fn into_body(self) -> Vec<u8> {
        self.body
    }

    /// [`HandshakeReply::status_code`] as an `http::StatusCode` (feature `http`).
    #[cfg(feature = "http")]
    #[must_use]
    pub fn status(&self) -> http::StatusCode {
        http::StatusCode::from_u16(self.status).unwrap_or(http::StatusCode::OK)
    }

    /// The reply as an HTTP response: its status, `Content-Type`, extra headers and body.
    #[cfg(any(feature = "tower", feature = "axum"))]
    pub(crate) fn into_http<B: From<Vec<u8>>>(self) -> http::Response<B> {
        let mut response = http::Response::new(B::from(self.body));
        *response.status_mut() = http::StatusCode::from_u16(self.status).unwrap_or_default();
        let headers = response.headers_mut();
        headers.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static(self.content_type),
        );
        for (name, value) in self.headers {
            headers.insert(*name, http::HeaderValue::from_static(value));
        }
        response
    }

    /// A challenge as text.
    fn text(challenge: &[u8]) -> Self {
        Self {
            status: 200,
            content_type: "text/plain",
            headers: &[("x-content-type-options", "nosniff")],
            body: challenge.to_vec(),
        }
    }

    /// A JSON body.
    fn json(body: Vec<u8>) -> Self {
        Self {
            status: 200,
            content_type: "application/json",
            headers: &[],
            body,
        }
    }
}

impl fmt::Debug for HandshakeReply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HandshakeReply")
            .field("status", &self.status)
            .field("content_type", &self.content_type)
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

impl Trigger {
    /// Whether a verified request is this handshake. Cheap on other deliveries: a header
    /// comparison, or a look for the quoted value before the body (small, by the cap) is read.
    fn fires<H: HeaderSource + ?Sized>(&self, headers: &H, body: &[u8]) -> bool {
        match self {
            Self::Header { name, value } => {
                let mut values = headers.header_values(name);
                matches!(
                    (values.next(), values.next()),
                    (Some(v), None) if trim_ows(v) == value.as_bytes()
                )
            }
            Self::StringMember { path, value } => {
                body.len() <= Handshake::MAX_BODY_LEN
                    && holds_string(body, value.as_bytes())
                    && crate::json_field::find_string(body, path)
                        .is_ok_and(|found| found == Some(value.as_bytes()))
            }
            Self::NumberMember { path, value } => {
                body.len() <= Handshake::MAX_BODY_LEN
                    && crate::json_field::find_number(body, path)
                        .is_ok_and(|found| found == Some(value.as_bytes()))
            }
        }
    }
}

impl Answer {
    fn reply(&self, body: &[u8], key: &Key) -> Result<HandshakeReply, HandshakeError> {
        Ok(match self {
            Self::EchoText { path } => HandshakeReply::text(member(body, path)?),
            Self::EchoJson { path, name } => {
                let value = member(body, path)?;
                let mut out = Vec::with_capacity(value.len() + name.len() + 8);
                out.push(b'{');
                push_json_member(&mut out, name, value);
                out.push(b'}');
                HandshakeReply::json(out)
            }
            Self::Json(json) => HandshakeReply::json(json.as_bytes().to_vec()),
            Self::HmacJson { path, plain, hmac } => {
                let value = member(body, path)?;
                let mac = key.mac().ok_or(HandshakeError::KeyCannotAnswer)?;
                let mut hex = String::with_capacity(64);
                crate::encoding::push_lower_hex(&mac.sha256_of(value), &mut hex);
                let mut out = Vec::with_capacity(value.len() + 64 + plain.len() + hmac.len() + 12);
                out.push(b'{');
                push_json_member(&mut out, plain, value);
                out.push(b',');
                push_json_member(&mut out, hmac, hex.as_bytes());
                out.push(b'}');
                HandshakeReply::json(out)
            }
        })
    }
}

/// A receiver's verify token (Meta's `hub.verify_token`): only its SHA-256 is kept (zeroized on
/// drop), and a presented token is compared by digest in constant time, so neither its bytes
/// nor its length leak through timing. `Debug` prints `[REDACTED]`.
#[derive(Clone)]
pub(crate) struct VerifyToken(Zeroizing<[u8; 32]>);

impl VerifyToken {
    /// The longest verify token accepted, in bytes.
    const MAX_LEN: usize = 1024;

    /// # Errors
    ///
    /// [`ConfigError::InvalidVerifyToken`] for an empty token, one longer than 1024 bytes, or
    /// one with a control character.
    pub(crate) fn new(token: &str) -> Result<Self, ConfigError> {
        if token.is_empty() || token.len() > Self::MAX_LEN || token.chars().any(char::is_control) {
            return Err(ConfigError::InvalidVerifyToken);
        }
        Ok(Self(Zeroizing::new(
            Sha256::digest(token.as_bytes()).into(),
        )))
    }

    fn matches(&self, presented: &[u8]) -> bool {
        let digest: [u8; 32] = Sha256::digest(presented).into();
        digest.ct_eq(&*self.0).into()
    }
}

impl fmt::Debug for VerifyToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VerifyToken([REDACTED])")
    }
}

impl<C: Clock> Verifier<C> {
    /// The verify token the receiver set with its provider (Meta's App Dashboard "Verify
    /// Token"), which a `GET` challenge must carry to be answered ([`Handshake::meta`]). Kept
    /// only as its SHA-256, compared in constant time, never printed. Without one, such
    /// challenges are refused ([`HandshakeError::VerifyTokenNotSet`], 403).
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidVerifyToken`] for an empty token, one longer than 1024 bytes, or
    /// one with a control character.
    pub fn with_verify_token(mut self, token: &str) -> Result<Self, ConfigError> {
        self.set_verify_token(VerifyToken::new(token)?);
        Ok(self)
    }

    /// The answer to a verified request that is the scheme's signed handshake (Slack's URL
    /// verification, Discord's `PING`, Twitch's callback verification, Zoom's URL validation);
    /// `None` for any other request, or when the scheme has no signed handshake. Send the
    /// reply instead of calling the handler.
    ///
    /// Call it only with a request this verifier verified (`headers` are that request's):
    /// the handshake is answered because its signature is the provider's. The tower layer does
    /// it between verification and the replay cache, so a handshake never takes a replay key
    /// and a provider's retry of it gets the same answer.
    ///
    /// ```
    /// use hookseal::{Scheme, Signer, Verifier};
    ///
    /// let secret = "8f742231b10e8888abcd99yyyzzz85a5";
    /// let (signer, verifier) = (
    ///     Signer::from_secret(Scheme::slack(), secret)?,
    ///     Verifier::from_secret(Scheme::slack(), secret)?,
    /// );
    /// let body = br#"{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}"#;
    /// let headers = signer.sign(None, body)?;
    /// let headers: Vec<(&str, &str)> = headers.iter().collect();
    ///
    /// let verified = verifier.verify(&headers, body)?;
    /// let reply = verifier.handshake(&verified, &headers).expect("a handshake")?;
    /// assert_eq!(reply.body(), b"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P");
    /// assert_eq!(reply.content_type(), "text/plain");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// `Some(Err(..))`, a [`HandshakeError`], for a handshake without a usable challenge (400)
    /// or one whose answer needs an HMAC key when another kind matched (500). Refuse the request
    /// with its status; do not pass it to the handler.
    pub fn handshake<H: HeaderSource + ?Sized>(
        &self,
        verified: &Verified<'_>,
        headers: &H,
    ) -> Option<Result<HandshakeReply, HandshakeError>> {
        self.scheme()
            .handshake()?
            .answer_verified(headers, verified.body(), verified.matched_key())
    }

    /// The answer to an unsigned `GET` challenge (Dropbox's, Meta's) with `query` (the part of
    /// the request's target after `?`, without it); `None` for any other request — another
    /// method, a `GET` that is not the challenge — or when the scheme has no such handshake.
    /// Call it before verifying: the provider does not sign it. Send the reply (or the
    /// refusal) instead of verifying.
    ///
    /// ```
    /// use hookseal::{Scheme, Verifier};
    ///
    /// let verifier = Verifier::from_secret(Scheme::meta(), "0123456789abcdef0123456789abcdef")?
    ///     .with_verify_token("meatyhamhock")?;
    /// let query = "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhock";
    /// let reply = verifier.challenge("GET", query).expect("a challenge")?;
    /// assert_eq!(reply.body(), b"1158201444");
    ///
    /// let wrong = "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=guess";
    /// assert_eq!(verifier.challenge("GET", wrong).expect("a challenge").unwrap_err().status_code(), 403);
    /// assert!(verifier.challenge("POST", query).is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// `Some(Err(..))`, a [`HandshakeError`]: a malformed query or a missing or invalid
    /// challenge (400), a verify token that is absent or not the receiver's, or none set (403).
    pub fn challenge(
        &self,
        method: &str,
        query: &str,
    ) -> Option<Result<HandshakeReply, HandshakeError>> {
        if method != "GET" {
            return None;
        }
        self.scheme()
            .handshake()?
            .answer_query(query.as_bytes(), self.verify_token())
    }
}

/// `path` as a member path, checked.
fn checked_path(path: &[&str]) -> Result<Box<[Box<str>]>, ConfigError> {
    if !(1..=MAX_FIELD_DEPTH).contains(&path.len()) {
        return Err(ConfigError::InvalidHandshake);
    }
    path.iter().map(|name| label(name)).collect()
}

/// `text`, when it is 1 to 64 bytes of visible ASCII that JSON writes without escapes.
fn label(text: &str) -> Result<Box<str>, ConfigError> {
    let ok = (1..=64).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\');
    if !ok {
        return Err(ConfigError::InvalidHandshake);
    }
    Ok(text.into())
}

/// A path of the crate's own names, known to be valid.
fn path_of(path: &[&str]) -> Box<[Box<str>]> {
    path.iter().map(|name| Box::from(*name)).collect()
}

/// The challenge in the string member at `path`, checked.
fn member<'b>(body: &'b [u8], path: &[Box<str>]) -> Result<&'b [u8], HandshakeError> {
    match crate::json_field::find_string(body, path) {
        Ok(Some(value)) => checked(value),
        Ok(None) => Err(HandshakeError::MissingChallenge),
        Err(_) => Err(HandshakeError::InvalidChallenge),
    }
}

/// `challenge`, when it is 1 to [`Handshake::MAX_CHALLENGE_LEN`] bytes of ASCII letters, digits
/// and `-._~+/=:`: safe as text and inside a JSON string alike.
fn checked(challenge: &[u8]) -> Result<&[u8], HandshakeError> {
    let safe = |b: &u8| b.is_ascii_alphanumeric() || b"-._~+/=:".contains(b);
    if (1..=Handshake::MAX_CHALLENGE_LEN).contains(&challenge.len()) && challenge.iter().all(safe) {
        Ok(challenge)
    } else {
        Err(HandshakeError::InvalidChallenge)
    }
}

/// Whether `body` holds `value` between double quotes: a quick look before a JSON read.
fn holds_string(body: &[u8], value: &[u8]) -> bool {
    body.iter().enumerate().any(|(i, &b)| {
        b == b'"'
            && body
                .get(i + 1..)
                .is_some_and(|rest| rest.starts_with(value) && rest.get(value.len()) == Some(&b'"'))
    })
}

/// Appends `"name":"value"`, both free of bytes JSON escapes.
fn push_json_member(out: &mut Vec<u8>, name: &str, value: &[u8]) {
    out.push(b'"');
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"\":\"");
    out.extend_from_slice(value);
    out.push(b'"');
}

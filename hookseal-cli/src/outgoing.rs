//! [`Outgoing`]: what `sign` and `send` sign, read from the options and the body; and [`Signed`],
//! the request it signs into (the headers, and the body as sent).

use std::io::Read as _;
use std::path::Path;

use hookseal::delivery::Delivery as RandomId;
use hookseal::test_kit::SignedRequest;
use hookseal::{Scheme, SystemClock, Timestamp};

use crate::args::SignArgs;
use crate::failure::Failure;
use crate::{presets, secret_input};

/// What to sign: the scheme, the keys, the body and what else the scheme signs.
#[derive(Debug)]
pub(crate) struct Outgoing {
    kit: SignedRequest,
    scheme: Scheme,
    body: Vec<u8>,
    /// The signing time when `--timestamp` fixes it; now, at each signing, otherwise.
    timestamp: Option<Timestamp>,
    /// The headers given with `--header`, as written.
    extra: Vec<(String, String)>,
}

/// A signed delivery: the request to send.
#[derive(Debug, Clone)]
pub(crate) struct Signed {
    /// The signing time.
    pub(crate) timestamp: Timestamp,
    pub(crate) method: String,
    pub(crate) url: String,
    /// The headers, named as the scheme spells them.
    pub(crate) headers: Vec<(String, String)>,
    /// The body as sent.
    pub(crate) body: Vec<u8>,
    /// Whether signing wrote values into the body (Linear's timestamp, Mailgun's signature).
    pub(crate) body_rewritten: bool,
}

impl Outgoing {
    /// What `args` says to sign, the body read from `--body` or standard input, for `url` unless
    /// `--url` says otherwise.
    ///
    /// # Errors
    ///
    /// [`Failure::Input`] for an unknown scheme, one signed by the provider's own key, an
    /// unreadable secret or body, a secret the scheme does not read, or a malformed `--header`.
    pub(crate) fn read(args: &SignArgs, url: &str) -> Result<Self, Failure> {
        let scheme = presets::find(&args.scheme)?;
        if !presets::can_sign(&scheme) {
            return Err(presets::cannot_sign(&scheme));
        }
        let text = secret_input::read(&args.secret)?;
        let kit = SignedRequest::from_secret(scheme.clone(), &text).map_err(|e| {
            Failure::input(format!(
                "the secret is not a signing key of {}: {e}",
                scheme.name()
            ))
        })?;
        drop(text);
        let body = read_body(args.body.as_deref())?;
        let id = match &args.id {
            Some(id) => Some(id.clone()),
            None if scheme.id_header().is_some() || scheme.id_is_signed() => Some(
                RandomId::new(Vec::new())
                    .map_err(|e| Failure::input(format!("cannot make an id: {e}")))?
                    .id()
                    .to_owned(),
            ),
            None => None,
        };
        let mut extra = Vec::new();
        for header in &args.headers {
            let (name, value) = header.split_once(':').ok_or_else(|| {
                Failure::input(format!("--header {header:?} is not `Name: value`"))
            })?;
            extra.push((name.trim().to_owned(), value.trim().to_owned()));
        }
        let mut kit = kit
            .body(body.clone())
            .method(&args.method)
            .url(args.url.as_deref().unwrap_or(url));
        if let Some(id) = &id {
            kit = kit.id(id);
        }
        for (name, value) in &extra {
            kit = kit.header(name, value);
        }
        Ok(Self {
            kit,
            scheme,
            body,
            timestamp: args.timestamp.map(Timestamp::from_unix_secs),
            extra,
        })
    }

    /// The scheme.
    pub(crate) fn scheme(&self) -> &Scheme {
        &self.scheme
    }

    /// Signs the delivery, stamped with `--timestamp`, or the time now but at least a second
    /// after `previous` (so that each attempt of a `send --repeat` is signed anew, not a
    /// replay of the one before).
    ///
    /// # Errors
    ///
    /// [`Failure::Input`] with the signer's refusal: an id the scheme refuses, a body it cannot
    /// carry values in, a URL that is not absolute, …
    pub(crate) fn sign(&self, previous: Option<Timestamp>) -> Result<Signed, Failure> {
        let now = match self.timestamp {
            Some(t) => t,
            None => {
                let now = hookseal::Clock::now(&SystemClock::new())
                    .ok_or_else(|| Failure::input("the system clock is set before 1970"))?;
                let next = previous.map(|p| p.saturating_add(std::time::Duration::from_secs(1)));
                next.map_or(now, |next| now.max(next))
            }
        };
        let request = (self.kit.clone().timestamp(now).build())
            .map_err(|e| Failure::input(format!("cannot sign for {}: {e}", self.scheme.name())))?;
        let mut headers = Vec::new();
        for (name, value) in request.headers() {
            let value = value
                .to_str()
                .map_err(|_| Failure::input(format!("the header {name} is not text")))?;
            headers.push((self.spelled(name.as_str()), value.to_owned()));
        }
        let body = request.body().to_vec();
        Ok(Signed {
            timestamp: now,
            method: request.method().to_string(),
            url: request.uri().to_string(),
            headers,
            body_rewritten: body != self.body,
            body,
        })
    }

    /// `name` (lower case, as parsed) spelled as the scheme or the user writes it.
    fn spelled(&self, name: &str) -> String {
        let scheme = &self.scheme;
        let known = [
            scheme.signature_header(),
            scheme.timestamp_header(),
            scheme.id_header(),
        ];
        (known.into_iter().flatten())
            .chain(self.extra.iter().map(|(n, _)| n.as_str()))
            .chain(["Content-Type"])
            .find(|known| known.eq_ignore_ascii_case(name))
            .unwrap_or(name)
            .to_owned()
    }
}

impl Signed {
    /// The value of header `name` (matched case-insensitively).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        (self.headers.iter())
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The `Content-Type` to send besides the headers: `application/json` for a JSON body when
    /// none was given, so receivers that read JSON accept it (it is not signed).
    pub(crate) fn implied_content_type(&self) -> Option<&'static str> {
        let json = serde_json::from_slice::<serde_json::Value>(&self.body).is_ok();
        (json && self.header("Content-Type").is_none()).then_some("application/json")
    }
}

/// The body: the file at `path`, or standard input.
fn read_body(path: Option<&Path>) -> Result<Vec<u8>, Failure> {
    let mut body = Vec::new();
    let (read, shown) = match path {
        Some(path) => {
            let file = std::fs::File::open(path).map_err(|e| {
                Failure::input(format!("cannot open the body file {}: {e}", path.display()))
            })?;
            let read = file.take(MAX_BODY_LEN as u64 + 1).read_to_end(&mut body);
            (read, path.display().to_string())
        }
        None => {
            let read = (std::io::stdin().lock())
                .take(MAX_BODY_LEN as u64 + 1)
                .read_to_end(&mut body);
            (read, "standard input".to_owned())
        }
    };
    read.map_err(|e| Failure::input(format!("cannot read the body from {shown}: {e}")))?;
    if body.len() > MAX_BODY_LEN {
        return Err(Failure::input(format!(
            "the body from {shown} is larger than {} MiB",
            MAX_BODY_LEN >> 20
        )));
    }
    Ok(body)
}

/// The largest body signed.
const MAX_BODY_LEN: usize = 16 * 1024 * 1024;

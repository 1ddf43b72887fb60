//! A scheme's signed content: the values one request's content is made of (the public URL's
//! spellings, the form, the listed headers), the parts fed to the MAC, and the rule that keeps a
//! signed id from giving the content two readings.

use super::{PartKind, Scheme};
use crate::crc32::{Decimal, crc32};
use crate::error::{HeaderKind, VerifyError};
use crate::form::Form;
use crate::headers::{HeaderName, HeaderSource, single_value};
use crate::json_field::append_string;
use crate::request::{PublicUrl, RequestLine};
use alloc::vec::Vec;

/// The most parts signed content may have.
pub(crate) const MAX_PARTS: usize = 8;

/// The values one request's signed content is made of, each as sent (the timestamp as its text,
/// the URL's target as received), but for the public URL, the listed headers and the form, which
/// come with the content.
#[derive(Clone, Copy, Default)]
pub(crate) struct Signed<'a> {
    pub(crate) id: &'a [u8],
    pub(crate) timestamp: &'a [u8],
    pub(crate) body: &'a [u8],
    /// The method and the target (the path with the query).
    pub(crate) line: RequestLine<'a>,
    /// The endpoint id from the verifier's configuration, in schemes that sign it.
    pub(crate) endpoint_id: &'a [u8],
    /// A bearer token's `header.claims`, as sent.
    pub(crate) token: &'a [u8],
}

/// The values of one request's signed content that are built from it rather than read as sent:
/// the listed headers, the form, members of the body, the body's CRC-32. Empty, and so not
/// allocated, in schemes that sign none of them.
#[derive(Default)]
pub(crate) struct Derived<'a> {
    pub(crate) listed: Listed<'a>,
    pub(crate) form: Option<Form>,
    /// Each member signed that is present, as `name\nvalue\n`.
    pub(crate) members: Vec<u8>,
    pub(crate) crc32: Decimal,
}

/// Nothing derived: the values of every scheme that signs none, built once.
pub(crate) static NOTHING_DERIVED: Derived<'static> = Derived {
    listed: Listed {
        names: &[],
        values: Vec::new(),
    },
    form: None,
    members: Vec::new(),
    crc32: Decimal::EMPTY,
};

/// The most headers a signature header may list as signed.
pub(crate) const MAX_LISTED: usize = 16;

/// The headers a request lists as signed (Hook0's `h=`): the list as sent and each header's
/// value, in the list's order. Empty, and so not allocated, in other schemes.
#[derive(Clone, Default)]
pub(crate) struct Listed<'a> {
    pub(crate) names: &'a [u8],
    values: Vec<&'a [u8]>,
}

impl<'a> Listed<'a> {
    /// The list `names` (as sent) with no values yet.
    pub(crate) fn new(names: &'a [u8]) -> Self {
        Self {
            names,
            values: Vec::new(),
        }
    }

    /// Adds the next header's value; `false` when the list is full ([`MAX_LISTED`]).
    pub(crate) fn push(&mut self, value: &'a [u8]) -> bool {
        if self.values.len() == MAX_LISTED {
            return false;
        }
        self.values.push(value);
        true
    }
}

impl Scheme {
    /// The URL bases to try for a request: the public URL as written, or with and without its
    /// port for schemes whose senders sign either; one empty base when the URL is not signed.
    pub(crate) fn url_bases<'u>(&self, url: Option<&'u PublicUrl>) -> [Option<&'u [u8]>; 2] {
        match url {
            Some(url) if self.url_port_variants => url.port_variants().map(Some),
            Some(url) => [Some(url.written()), None],
            None => [Some(&[]), None],
        }
    }

    /// The form the scheme signs, read from the body: empty when the request's query carries
    /// the body's digest instead (Twilio's `bodySHA256`), which must then match.
    ///
    /// # Errors
    ///
    /// [`VerifyError::NoMatchingSignature`] for a digest that is not the body's, and
    /// [`VerifyError::MalformedBody`] for a body that is not a form.
    pub(crate) fn form(&self, line: RequestLine<'_>, body: &[u8]) -> Result<Form, VerifyError> {
        let digest = self
            .body_digest_param
            .as_deref()
            .and_then(|name| line.query_param(name.as_bytes()));
        match digest {
            Some(hex) => {
                let mut presented = [0_u8; 32];
                crate::encoding::decode_lower_hex(hex, &mut presented)
                    .ok_or(VerifyError::NoMatchingSignature)?;
                let actual: [u8; 32] = <sha2::Sha256 as sha2::Digest>::digest(body).into();
                if crate::mac::tags_equal(&presented, &actual) {
                    Ok(Form::empty())
                } else {
                    Err(VerifyError::NoMatchingSignature)
                }
            }
            None => Form::parse(body),
        }
    }

    /// The headers the request lists as signed, read from `headers` in the list's order, for
    /// schemes that sign a list of headers (Hook0); empty otherwise. Each name is checked and
    /// looked up by a [`HeaderName`] built for it (which allocates).
    ///
    /// # Errors
    ///
    /// [`VerifyError::MissingSignature`] when the list is not sent;
    /// [`VerifyError::MalformedHeader`] for a name that is not an HTTP token, an empty name or
    /// more than 16 names; [`VerifyError::MissingHeader`] and
    /// [`VerifyError::DuplicateHeader`] of [`HeaderKind::Listed`] for a listed header absent or
    /// sent twice.
    pub(crate) fn listed<'a, H: HeaderSource + ?Sized>(
        &self,
        names: Option<&'a [u8]>,
        headers: &'a H,
    ) -> Result<Listed<'a>, VerifyError> {
        if self.listed_param.is_none() {
            return Ok(Listed::default());
        }
        let names = names.ok_or(VerifyError::MissingSignature)?;
        let malformed = VerifyError::MalformedHeader(HeaderKind::Signature);
        let count = names.split(|&b| b == b' ').count();
        if count > MAX_LISTED {
            return Err(malformed);
        }
        let mut listed = Listed::new(names);
        listed.values.reserve_exact(count);
        for name in names.split(|&b| b == b' ') {
            let name = core::str::from_utf8(name)
                .ok()
                .and_then(|n| HeaderName::new(n).ok())
                .ok_or_else(|| malformed.clone())?;
            let value = single_value(headers, &name, HeaderKind::Listed)?
                .ok_or(VerifyError::MissingHeader(HeaderKind::Listed))?;
            if !listed.push(value) {
                return Err(malformed);
            }
        }
        Ok(listed)
    }

    /// The values built from a request (the form, members of the body, the CRC-32) besides
    /// its `listed` headers, for the scheme's content.
    ///
    /// # Errors
    ///
    /// Those of [`Scheme::form`], and [`VerifyError::MalformedBody`] for members that are not
    /// strings of one JSON object.
    #[inline]
    pub(crate) fn derive<'a>(
        &self,
        signed: &Signed<'a>,
        listed: Listed<'a>,
    ) -> Result<Derived<'a>, VerifyError> {
        let mut derived = Derived {
            listed,
            ..Derived::default()
        };
        if !self.derives_content() {
            return Ok(derived);
        }
        for part in &self.content {
            match part {
                PartKind::Form => derived.form = Some(self.form(signed.line, signed.body)?),
                PartKind::BodyCrc32 => derived.crc32 = Decimal::of(crc32(signed.body)),
                PartKind::Members(names) => {
                    for (i, name) in names.iter().enumerate() {
                        let start = derived.members.len();
                        derived.members.extend_from_slice(name.as_bytes());
                        derived.members.push(b'\n');
                        let value = derived.members.len();
                        if !append_string(signed.body, &[name], &mut derived.members)? {
                            derived.members.truncate(start);
                            continue;
                        }
                        // Only the first member may hold a line feed, so the content has one
                        // reading: members cannot be folded into one another.
                        let folded =
                            (derived.members.get(value..)).is_some_and(|v| v.contains(&b'\n'));
                        if i > 0 && folded {
                            return Err(VerifyError::MalformedBody);
                        }
                        derived.members.push(b'\n');
                    }
                }
                _ => {}
            }
        }
        Ok(derived)
    }

    /// The signed content for one request, with `base` as the public URL and the `derived`
    /// values in their places: a view, read part by part when fed.
    pub(crate) fn content<'b>(
        &'b self,
        signed: &'b Signed<'b>,
        base: &'b [u8],
        derived: &'b Derived<'b>,
    ) -> Content<'b> {
        Content::Parts {
            parts: &self.content,
            signed,
            base,
            derived,
        }
    }

    /// Whether `id`, as this scheme signs it, leaves the signed content a single reading. The
    /// signer refuses to sign any other id ([`SignError::AmbiguousId`]) and the verifier refuses
    /// to accept one ([`VerifyError::AmbiguousId`]). Always true when the id is not signed.
    ///
    /// The content is its parts' bytes run together, and one signature covers every (id,
    /// timestamp, body) that runs together into the same bytes. The body may hold anything, so
    /// only the fixed texts mark where the id and the timestamp end (the builder puts one between
    /// any two of them; a timestamp is digits). Read from the start of the content, the id ends
    /// where the text after it is first found; read from the end (when the id comes after the
    /// body), it starts where the text before it is last found. So an id is refused when the text
    /// after it is found in `id ‖ after` anywhere but at the end — `evt.1` before `.`, but also
    /// `a-` before `--`, which reads as well as `a` followed by `--` and a body starting with
    /// `-` — or when the text before it is found in `before ‖ id` anywhere but at the start. Two
    /// ids that both pass cannot split the same bytes differently: the shorter one's text would
    /// be found inside the longer one's. Text elsewhere in the content does not border the id and
    /// cannot move its ends, and a bordering text only counts where it is found whole: after
    /// `v1:`, the id `evt_1` is fine though it holds a `1`.
    ///
    /// [`SignError::AmbiguousId`]: crate::SignError::AmbiguousId
    pub(crate) fn id_is_unambiguous(&self, id: &[u8]) -> bool {
        let Some(at) = self.content.iter().position(|p| *p == PartKind::Id) else {
            return true;
        };
        let text_at = |i: Option<usize>| match i.and_then(|i| self.content.get(i)) {
            Some(PartKind::Text(text)) => Some(&**text),
            Some(_) | None => None,
        };
        let before = text_at(at.checked_sub(1));
        let after = text_at(at.checked_add(1));
        before.is_none_or(|text| found_only_at_start(text, id))
            && after.is_none_or(|text| found_only_at_end(id, text))
    }
}

/// One request's signed content, fed to the MAC part by part in order.
pub(crate) enum Content<'b> {
    /// A scheme's parts over one request's values.
    Parts {
        parts: &'b [PartKind],
        signed: &'b Signed<'b>,
        base: &'b [u8],
        derived: &'b Derived<'b>,
    },
    /// Given slices, in order.
    #[cfg(test)]
    Slices(&'b [&'b [u8]]),
}

impl<'b> Content<'b> {
    /// Feeds the content to `f`, piece by piece, in order; nothing is concatenated.
    #[inline]
    pub(crate) fn feed(&self, f: impl FnMut(&[u8])) {
        self.feed_parts(Span::All, f);
    }

    /// Feeds the parts before the body: what a MAC over a body still arriving starts with.
    pub(crate) fn feed_before_body(&self, f: impl FnMut(&[u8])) {
        self.feed_parts(Span::BeforeBody, f);
    }

    /// Feeds the parts after the body: what a MAC over a body that has arrived ends with.
    pub(crate) fn feed_after_body(&self, f: impl FnMut(&[u8])) {
        self.feed_parts(Span::AfterBody, f);
    }

    #[inline]
    fn feed_parts(&self, span: Span, mut f: impl FnMut(&[u8])) {
        let (parts, signed, base, derived) = match self {
            Self::Parts {
                parts,
                signed,
                base,
                derived,
            } => (*parts, *signed, *base, *derived),
            #[cfg(test)]
            Self::Slices(slices) => return slices.iter().for_each(|s| f(s)),
        };
        let body = || parts.iter().position(|p| *p == PartKind::Body);
        let parts = match span {
            Span::All => parts,
            Span::BeforeBody => body().and_then(|at| parts.get(..at)).unwrap_or_default(),
            Span::AfterBody => body()
                .and_then(|at| parts.get(at + 1..))
                .unwrap_or_default(),
        };
        for part in parts {
            match part {
                PartKind::Id => f(signed.id),
                PartKind::Timestamp => f(signed.timestamp),
                PartKind::Body => f(signed.body),
                PartKind::Text(text) => f(text),
                PartKind::Method => f(signed.line.method()),
                PartKind::Path => f(signed.line.target()),
                PartKind::Url => {
                    f(base);
                    f(signed.line.target());
                }
                PartKind::Form => {
                    if let Some(form) = &derived.form {
                        form.feed(&mut f);
                    }
                }
                PartKind::Listed(separator) => {
                    f(derived.listed.names);
                    for value in &derived.listed.values {
                        f(separator);
                        f(value);
                    }
                }
                PartKind::Members(_) => f(&derived.members),
                PartKind::BodyCrc32 => f(derived.crc32.as_bytes()),
                PartKind::EndpointId => f(signed.endpoint_id),
                PartKind::Token => f(signed.token),
            }
        }
    }

    /// Content of these slices, in order.
    #[cfg(test)]
    pub(crate) fn of(slices: &'b [&'b [u8]]) -> Self {
        Self::Slices(slices)
    }

    /// The content in one buffer (for Ed25519 signing, which reads the message twice).
    #[cfg(any(test, feature = "ed25519"))]
    pub(crate) fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.feed(|piece| out.extend_from_slice(piece));
        out
    }
}

/// Which of a content's parts to feed.
#[derive(Clone, Copy)]
enum Span {
    All,
    BeforeBody,
    AfterBody,
}

/// Whether `text` is found in `id ‖ text` only at its end, so that reading forward, the first
/// `text` after the id's start marks the id's end.
fn found_only_at_end(id: &[u8], text: &[u8]) -> bool {
    // One byte (every preset's case): found only at the end if the id does not hold it.
    if let [byte] = text {
        return !id.contains(byte);
    }
    (0..id.len()).all(|start| !id.iter().skip(start).chain(text).take(text.len()).eq(text))
}

/// Whether `text` is found in `text ‖ id` only at its start, so that reading backward, the last
/// `text` before the id's end marks the id's start.
fn found_only_at_start(text: &[u8], id: &[u8]) -> bool {
    if let [byte] = text {
        return !id.contains(byte);
    }
    (1..=id.len()).all(|start| !text.iter().chain(id).skip(start).take(text.len()).eq(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheme::Part;

    #[test]
    fn signed_parts_follow_the_layout() {
        let sw = Scheme::standard_webhooks();
        assert!(sw.id_is_signed());
        assert!(sw.id_is_unambiguous(b"msg_1"));
        assert!(!sw.id_is_unambiguous(b"msg.1"));
        // An unsigned id constrains nothing.
        assert!(Scheme::github().id_is_unambiguous(b"msg.1"));
        let c = |scheme: &Scheme, id: &'static [u8], ts: &'static [u8]| {
            let signed = Signed {
                id,
                timestamp: ts,
                body: b"body",
                ..Signed::default()
            };
            scheme.content(&signed, &[], &Derived::default()).to_vec()
        };
        assert_eq!(c(&sw, b"msg_1", b"123"), b"msg_1.123.body");
        assert_eq!(c(&Scheme::slack(), b"", b"123"), b"v0:123:body");
        assert_eq!(c(&Scheme::github(), b"", b""), b"body");
        assert!(!Scheme::github().signs_timestamp());
        assert!(!Scheme::github().id_is_signed());
    }

    #[test]
    fn only_the_text_bordering_the_id_constrains_it() {
        let scheme = |parts: Vec<Part>| {
            Scheme::custom("t")
                .signature_header("X-Sig")
                .timestamp_header("X-Ts")
                .id_header("X-Id")
                .signed_content(parts)
                .build()
                .unwrap()
        };
        // `v1:` before the id, `.` after it.
        let prefixed = scheme(vec![
            Part::text("v1:"),
            Part::id(),
            Part::text("."),
            Part::timestamp(),
            Part::text(":"),
            Part::body(),
        ]);
        for id in [&b"evt_1"[..], b"v1", b"x:1", b"1:"] {
            assert!(prefixed.id_is_unambiguous(id), "{id:?}");
        }
        for id in [&b"evt.1"[..], b".", b"v1:v", b"x.", b".x"] {
            assert!(!prefixed.id_is_unambiguous(id), "{id:?}");
        }
        // After the body, the id is found from the end: the text before it is what counts.
        let trailing = scheme(vec![
            Part::timestamp(),
            Part::text("+"),
            Part::body(),
            Part::text("|"),
            Part::id(),
        ]);
        assert!(trailing.id_is_unambiguous(b"a+b"));
        assert!(!trailing.id_is_unambiguous(b"a|b"));
    }

    #[test]
    fn no_two_accepted_ids_split_the_same_bytes() {
        // Every id of up to five bytes over `a`, `b`, `-`, against texts that overlap themselves.
        let mut ids: Vec<Vec<u8>> = Vec::new();
        let mut shorter: Vec<Vec<u8>> = vec![Vec::new()];
        for _ in 0..5 {
            shorter = shorter
                .iter()
                .flat_map(|id| [b'a', b'b', b'-'].map(|c| [id.as_slice(), &[c]].concat()))
                .collect();
            ids.extend(shorter.iter().cloned());
        }
        for text in [&b"-"[..], b"--", b"-a-", b"ab", b"aba", b"a-a-"] {
            let after: Vec<&Vec<u8>> = ids
                .iter()
                .filter(|id| found_only_at_end(id, text))
                .collect();
            let before: Vec<&Vec<u8>> = ids
                .iter()
                .filter(|id| found_only_at_start(text, id))
                .collect();
            assert!(!after.is_empty() && !before.is_empty());
            for (x, y) in after.iter().flat_map(|x| after.iter().map(move |y| (x, y))) {
                // A shorter x splits y's bytes differently exactly when `y ‖ text` starts with
                // `x ‖ text` (the rest of y's bytes then being x's body).
                if x.len() < y.len() {
                    let joined = |id: &[u8]| [id, text].concat();
                    assert!(!joined(y).starts_with(&joined(x)), "{x:?} {y:?} {text:?}");
                }
            }
            for (x, y) in before
                .iter()
                .flat_map(|x| before.iter().map(move |y| (x, y)))
            {
                if x.len() < y.len() {
                    let joined = |id: &[u8]| [text, id].concat();
                    assert!(!joined(y).ends_with(&joined(x)), "{x:?} {y:?} {text:?}");
                }
            }
        }
    }
}

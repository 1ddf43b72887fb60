//! A strict, bounded reader of members of a JSON object body, for schemes that carry a
//! timestamp, an id or a signature inside the body (Linear's `webhookTimestamp`, Mailgun's
//! `signature.token`): every member a scheme reads, in one pass over the body.
//!
//! It checks the whole body is one JSON object by RFC 8259's grammar (its strings' bytes are not
//! checked to be UTF-8), at most [`MAX_DEPTH`] levels deep,
//! allocates nothing, and looks at each byte a bounded number of times per pass. A member
//! named twice on a path is refused rather than picking one copy, since parsers disagree on
//! which copy wins; so is a member name written with escapes in an object a path goes
//! through (it might spell the same name).

use crate::error::VerifyError;
use alloc::vec::Vec;

/// The deepest nesting accepted.
pub(crate) const MAX_DEPTH: usize = 64;

/// The text of the member at `path` (names, outermost first): a string's bytes between the
/// quotes (which must hold no escape) or a number as written. `None` when a member on the path is
/// absent.
///
/// # Errors
///
/// [`VerifyError::MalformedBody`] when the body is not one JSON object, nests too deep, names a
/// member on the path twice, or the member is not a number or a string without escapes.
pub(crate) fn find<'b, S: AsRef<str>>(
    body: &'b [u8],
    path: &[S],
) -> Result<Option<&'b [u8]>, VerifyError> {
    text_of(read(body, path)?)
}

/// What [`find`] answers for what a path found: the text of a string without escapes or of a
/// number.
///
/// # Errors
///
/// [`VerifyError::MalformedBody`] for anything else.
pub(crate) fn text_of(found: Option<Found<'_>>) -> Result<Option<&[u8]>, VerifyError> {
    match found {
        Some(Found::String(text) | Found::Number(text)) => Ok(Some(text)),
        Some(Found::Escaped(_) | Found::Array(_) | Found::Literal(_) | Found::Other) => {
            Err(MALFORMED)
        }
        None => Ok(None),
    }
}

/// Whether the member at `path` is the literal `true` (`false` when it is absent or anything
/// else).
///
/// # Errors
///
/// As [`find`], but for the member's own kind.
pub(crate) fn is_true<S: AsRef<str>>(body: &[u8], path: &[S]) -> Result<bool, VerifyError> {
    Ok(matches!(read(body, path)?, Some(Found::Literal(b"true"))))
}

/// Whether `body` is one JSON object, by the reader's rules.
pub(crate) fn is_object(body: &[u8]) -> bool {
    read::<&str>(body, &[]).is_ok()
}

/// Whether the member at `path` is present, whatever it holds.
///
/// # Errors
///
/// [`VerifyError::MalformedBody`] when the body is not one JSON object by the reader's rules.
#[cfg(feature = "test-util")]
pub(crate) fn has<S: AsRef<str>>(body: &[u8], path: &[S]) -> Result<bool, VerifyError> {
    Ok(read(body, path)?.is_some())
}

/// Reads the whole body, one JSON object, and what is at `path` in it.
fn read<'b, S: AsRef<str>>(body: &'b [u8], path: &[S]) -> Result<Option<Found<'b>>, VerifyError> {
    let mut found = [None];
    read_each(body, &[path], &mut found)?;
    let [found] = found;
    Ok(found)
}

/// The most paths [`read_each`] follows in one pass: as many as a scheme reads from a body (the
/// signature, the timestamp, the id, the algorithm's name and the certificate's URL).
pub(crate) const MAX_PATHS: usize = 5;

/// Reads the whole body, one JSON object, once, and puts what is at each of `paths` (at most
/// [`MAX_PATHS`]) in the same place of `found` (`None` where a member on the path is absent).
///
/// # Errors
///
/// As reading each path alone would: [`VerifyError::MalformedBody`] when the body is not one
/// JSON object or nests too deep, or when any of the paths names a member twice or goes through
/// an object with a member name written with escapes.
pub(crate) fn read_each<'b, P: AsRef<[S]>, S: AsRef<str>>(
    body: &'b [u8],
    paths: &[P],
    found: &mut [Option<Found<'b>>],
) -> Result<(), VerifyError> {
    if paths.len() > MAX_PATHS {
        return Err(MALFORMED);
    }
    let all = (1_u8 << paths.len()) - 1;
    let mut reader = Reader { body, at: 0 };
    reader.space();
    if reader.peek() != Some(b'{') {
        return Err(MALFORMED);
    }
    let mut paths = Paths {
        paths,
        found,
        names: core::marker::PhantomData,
    };
    reader.lookup(&mut paths, all, 0, 0)?;
    reader.space();
    if reader.at != body.len() {
        return Err(MALFORMED);
    }
    Ok(())
}

/// Each element of the array member at `path`, as written, in order; `None` when a member on
/// the path is absent.
///
/// # Errors
///
/// As [`find`], and for a member that is not an array or has more than `max` elements.
#[cfg(feature = "x509")]
pub(crate) fn array_elements<'b, S: AsRef<str>>(
    body: &'b [u8],
    path: &[S],
    max: usize,
) -> Result<Option<Vec<&'b [u8]>>, VerifyError> {
    let found = read(body, path)?;
    let array = match found {
        Some(Found::Array(array)) => array,
        Some(_) => return Err(MALFORMED),
        None => return Ok(None),
    };
    // The array was read once already: its elements are well-formed and nest within bounds.
    let mut reader = Reader { body: array, at: 1 };
    let mut elements = Vec::new();
    reader.space();
    if reader.peek() == Some(b']') {
        return Ok(Some(elements));
    }
    loop {
        let start = reader.at;
        reader.value(1)?;
        if elements.len() == max {
            return Err(MALFORMED);
        }
        elements.push(array.get(start..reader.at).unwrap_or_default());
        if reader.closes(b']')? {
            return Ok(Some(elements));
        }
    }
}

/// Appends the string member at `path`, its escapes decoded, to `out`: `false` when a member
/// on the path is absent.
///
/// # Errors
///
/// As [`find`], and for a member that is not a string, or holds a `\u` escape of a lone
/// surrogate.
pub(crate) fn append_string<S: AsRef<str>>(
    body: &[u8],
    path: &[S],
    out: &mut Vec<u8>,
) -> Result<bool, VerifyError> {
    let found = read(body, path)?;
    match found {
        Some(Found::Escaped(text)) => unescape(text, out).map(|()| true),
        Some(Found::String(text)) => {
            out.extend_from_slice(text);
            Ok(true)
        }
        Some(_) => Err(MALFORMED),
        None => Ok(false),
    }
}

/// As [`find`], for a member that must be a string (AWS SNS's `"SignatureVersion": "2"`): the
/// bytes between its quotes, which must hold no escape. `None` when a member on the path is
/// absent.
///
/// # Errors
///
/// As [`find`], and for a member that is not a string: a number too.
pub(crate) fn find_string<'b, S: AsRef<str>>(
    body: &'b [u8],
    path: &[S],
) -> Result<Option<&'b [u8]>, VerifyError> {
    string_of(read(body, path)?)
}

/// What [`find_string`] answers for what a path found: the text of a string without escapes.
///
/// # Errors
///
/// [`VerifyError::MalformedBody`] for anything else.
pub(crate) fn string_of(found: Option<Found<'_>>) -> Result<Option<&[u8]>, VerifyError> {
    match found {
        Some(Found::String(text)) => Ok(Some(text)),
        Some(_) => Err(MALFORMED),
        None => Ok(None),
    }
}

/// As [`find`], for a member that must be a number (Discord's `"type": 1`): its text as
/// written. `None` when a member on the path is absent.
///
/// # Errors
///
/// As [`find`], and for a member that is not a number: a string too.
pub(crate) fn find_number<'b, S: AsRef<str>>(
    body: &'b [u8],
    path: &[S],
) -> Result<Option<&'b [u8]>, VerifyError> {
    match read(body, path)? {
        Some(Found::Number(text)) => Ok(Some(text)),
        Some(_) => Err(MALFORMED),
        None => Ok(None),
    }
}

/// Decodes the escapes of a string's text (already checked by the reader) onto `out`.
fn unescape(text: &[u8], out: &mut Vec<u8>) -> Result<(), VerifyError> {
    let mut rest = text;
    while let Some((&byte, tail)) = rest.split_first() {
        rest = tail;
        if byte != b'\\' {
            out.push(byte);
            continue;
        }
        let (&kind, tail) = rest.split_first().ok_or(MALFORMED)?;
        rest = tail;
        let decoded = match kind {
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                let unit = hex4(&mut rest)?;
                let c = match unit {
                    0xd800..=0xdbff => {
                        let low =
                            rest.strip_prefix(b"\\u")
                                .ok_or(MALFORMED)
                                .and_then(|mut r| {
                                    let low = hex4(&mut r)?;
                                    rest = r;
                                    Ok(low)
                                })?;
                        if !(0xdc00..=0xdfff).contains(&low) {
                            return Err(MALFORMED);
                        }
                        0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00)
                    }
                    0xdc00..=0xdfff => return Err(MALFORMED),
                    unit => unit,
                };
                let c = char::from_u32(c).ok_or(MALFORMED)?;
                out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                continue;
            }
            other => other,
        };
        out.push(decoded);
    }
    Ok(())
}

/// Reads four hex digits off the front of `rest`.
fn hex4(rest: &mut &[u8]) -> Result<u32, VerifyError> {
    let (digits, tail) = rest.split_at_checked(4).ok_or(MALFORMED)?;
    let text = core::str::from_utf8(digits).map_err(|_| MALFORMED)?;
    let value = u32::from_str_radix(text, 16).map_err(|_| MALFORMED)?;
    *rest = tail;
    Ok(value)
}

const MALFORMED: VerifyError = VerifyError::MalformedBody;

/// What was found at the end of a path.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Found<'b> {
    /// A string without escapes, as written between its quotes.
    String(&'b [u8]),
    /// A number, as written.
    Number(&'b [u8]),
    /// An array, as written from `[` to `]`.
    #[cfg_attr(
        not(feature = "x509"),
        allow(dead_code, reason = "read by the key-set reader of the key cache")
    )]
    Array(&'b [u8]),
    /// `true`, `false` or `null`.
    Literal(&'static [u8]),
    /// A string with escapes, as written between its quotes.
    Escaped(&'b [u8]),
    /// Anything else.
    Other,
}

struct Reader<'b> {
    body: &'b [u8],
    at: usize,
}

/// The paths one pass follows (a bit each in the masks the reader passes down), and where what
/// each finds goes.
struct Paths<'p, 'b, P, S> {
    paths: &'p [P],
    found: &'p mut [Option<Found<'b>>],
    names: core::marker::PhantomData<S>,
}

impl<'p, 'b, P: AsRef<[S]>, S: AsRef<str>> Paths<'p, 'b, P, S> {
    /// The paths of `on` whose `level` names are all there is.
    fn ending(&self, on: u8, level: usize) -> u8 {
        self.select(on, |path| path.len() == level)
    }

    /// The paths of `on` whose name at `level` is `name`.
    fn naming(&self, on: u8, level: usize, name: &[u8]) -> u8 {
        self.select(on, |path| {
            path.get(level)
                .is_some_and(|n| n.as_ref().as_bytes() == name)
        })
    }

    fn select(&self, on: u8, keep: impl Fn(&[S]) -> bool) -> u8 {
        let mut kept = 0;
        for (i, path) in self.paths.iter().enumerate().take(MAX_PATHS) {
            if on & (1 << i) != 0 && keep(path.as_ref()) {
                kept |= 1 << i;
            }
        }
        kept
    }

    /// Puts `found` where each path of `on` keeps what it finds.
    fn put(&mut self, on: u8, found: Found<'b>) {
        for (i, slot) in self.found.iter_mut().enumerate().take(MAX_PATHS) {
            if on & (1 << i) != 0 {
                *slot = Some(found);
            }
        }
    }
}

impl<'b> Reader<'b> {
    fn peek(&self) -> Option<u8> {
        self.body.get(self.at).copied()
    }

    fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), VerifyError> {
        if self.peek() == Some(byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(MALFORMED)
        }
    }

    /// Reads one value, at nesting `depth`, for the paths of `on` (a bit each), whose first
    /// `level` names led here: those that end here find the value, those that go on are followed
    /// into it when it is an object (and find nothing when it is not).
    fn lookup<P: AsRef<[S]>, S: AsRef<str>>(
        &mut self,
        paths: &mut Paths<'_, 'b, P, S>,
        on: u8,
        level: usize,
        depth: usize,
    ) -> Result<(), VerifyError> {
        let ending = paths.ending(on, level);
        let going = on & !ending;
        let found = match self.peek() {
            Some(b'{') if going != 0 => {
                self.object(paths, going, level, depth)?;
                Found::Other
            }
            _ => self.value(depth)?,
        };
        paths.put(ending, found);
        Ok(())
    }

    /// Reads one value at nesting `depth` and says what it is.
    fn value(&mut self, depth: usize) -> Result<Found<'b>, VerifyError> {
        let start = self.at;
        self.skip(depth)?;
        let text = self.body.get(start..self.at).unwrap_or_default();
        Ok(match text {
            [b'"', inner @ .., b'"'] if inner.contains(&b'\\') => Found::Escaped(inner),
            [b'"', inner @ .., b'"'] => Found::String(inner),
            [b'-' | b'0'..=b'9', ..] => Found::Number(text),
            [b'[', ..] => Found::Array(text),
            b"true" => Found::Literal(b"true"),
            b"false" => Found::Literal(b"false"),
            b"null" => Found::Literal(b"null"),
            _ => Found::Other,
        })
    }

    /// Reads one value at nesting `depth`, whatever it holds, in one loop over its tokens: the
    /// containers it opens are kept one bit each (set for an object), none by recursion.
    fn skip(&mut self, depth: usize) -> Result<(), VerifyError> {
        // The containers open, innermost in the lowest bit; `open` of them.
        let mut objects: u128 = 0;
        let mut open = 0_usize;
        loop {
            // A value, at nesting `depth + open`.
            if depth + open > MAX_DEPTH {
                return Err(MALFORMED);
            }
            match self.peek() {
                Some(b'"') => {
                    self.string()?;
                }
                Some(b'-' | b'0'..=b'9') => {
                    self.number()?;
                }
                Some(opening @ (b'{' | b'[')) => {
                    let object = opening == b'{';
                    self.at += 1;
                    self.space();
                    if self.peek() == Some(if object { b'}' } else { b']' }) {
                        self.at += 1;
                    } else {
                        objects = objects << 1 | u128::from(object);
                        open += 1;
                        if object {
                            self.member_name()?;
                        }
                        continue;
                    }
                }
                Some(b't') => self.literal(b"true")?,
                Some(b'f') => self.literal(b"false")?,
                Some(b'n') => self.literal(b"null")?,
                _ => return Err(MALFORMED),
            }
            // After a value: close containers until one goes on.
            loop {
                if open == 0 {
                    return Ok(());
                }
                let in_object = objects & 1 == 1;
                if !self.closes(if in_object { b'}' } else { b']' })? {
                    if in_object {
                        self.member_name()?;
                    }
                    break;
                }
                objects >>= 1;
                open -= 1;
            }
        }
    }

    /// Reads a member's name and its `:`, up to its value.
    fn member_name(&mut self) -> Result<(), VerifyError> {
        self.string()?;
        self.space();
        self.expect(b':')?;
        self.space();
        Ok(())
    }

    fn literal(&mut self, literal: &[u8]) -> Result<(), VerifyError> {
        if !self
            .body
            .get(self.at..)
            .is_some_and(|r| r.starts_with(literal))
        {
            return Err(MALFORMED);
        }
        self.at += literal.len();
        Ok(())
    }

    /// Reads an object at nesting `depth`, following into its members the paths of `on`, each
    /// of which names a member at `level` (none when `on` is empty).
    fn object<P: AsRef<[S]>, S: AsRef<str>>(
        &mut self,
        paths: &mut Paths<'_, 'b, P, S>,
        on: u8,
        level: usize,
        depth: usize,
    ) -> Result<(), VerifyError> {
        if depth > MAX_DEPTH {
            return Err(MALFORMED);
        }
        self.expect(b'{')?;
        self.space();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(());
        }
        let mut seen = 0_u8;
        loop {
            let (name, escaped) = self.string()?;
            self.space();
            self.expect(b':')?;
            self.space();
            // A path goes through this object: its names must be plain, and each once.
            if on != 0 && escaped {
                return Err(MALFORMED);
            }
            let named = paths.naming(on, level, name);
            if named & seen != 0 {
                return Err(MALFORMED);
            }
            seen |= named;
            if named == 0 {
                self.skip(depth + 1)?;
            } else {
                self.lookup(paths, named, level + 1, depth + 1)?;
            }
            if self.closes(b'}')? {
                return Ok(());
            }
        }
    }

    /// After an element or a member: `true` when `close` ends the container, `false` when a `,`
    /// says another follows.
    fn closes(&mut self, close: u8) -> Result<bool, VerifyError> {
        self.space();
        match self.peek() {
            Some(b',') => {
                self.at += 1;
                self.space();
                Ok(false)
            }
            Some(b) if b == close => {
                self.at += 1;
                Ok(true)
            }
            _ => Err(MALFORMED),
        }
    }

    /// Reads a string; returns the bytes between its quotes and whether it holds an escape.
    fn string(&mut self) -> Result<(&'b [u8], bool), VerifyError> {
        self.expect(b'"')?;
        let start = self.at;
        let mut escaped = false;
        loop {
            self.skip_plain();
            match self.peek() {
                Some(b'"') => {
                    let text = self.body.get(start..self.at).unwrap_or_default();
                    self.at += 1;
                    return Ok((text, escaped));
                }
                Some(b'\\') => {
                    escaped = true;
                    self.at += 1;
                    match self.peek() {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                            self.at += 1;
                        }
                        Some(b'u') => {
                            let hex = self.body.get(self.at + 1..self.at + 5).ok_or(MALFORMED)?;
                            if !hex.iter().all(u8::is_ascii_hexdigit) {
                                return Err(MALFORMED);
                            }
                            self.at += 5;
                        }
                        _ => return Err(MALFORMED),
                    }
                }
                _ => return Err(MALFORMED),
            }
        }
    }

    /// Moves past the plain bytes of a string, to its first `"`, `\` or control byte (or the
    /// body's end): eight bytes at a time, then byte by byte over the last few.
    fn skip_plain(&mut self) {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGH: u64 = 0x8080_8080_8080_8080;
        // The high bit of the lowest byte of `v` below `n` is set, and none below it (bits
        // above it may be set falsely by the borrow).
        let below = |v: u64, n: u8| v.wrapping_sub(ONES * u64::from(n)) & !v & HIGH;
        while let Some(word) = (self.body.get(self.at..))
            .and_then(<[u8]>::first_chunk::<8>)
            .map(|bytes| u64::from_le_bytes(*bytes))
        {
            let special = below(word, 0x20)
                | below(word ^ (ONES * u64::from(b'"')), 1)
                | below(word ^ (ONES * u64::from(b'\\')), 1);
            if special != 0 {
                self.at += (special.trailing_zeros() / 8) as usize;
                return;
            }
            self.at += 8;
        }
        while matches!(self.peek(), Some(b) if b >= 0x20 && b != b'"' && b != b'\\') {
            self.at += 1;
        }
    }

    /// Reads a number: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    fn number(&mut self) -> Result<&'b [u8], VerifyError> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.peek() {
            Some(b'0') => self.at += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(MALFORMED),
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            self.require_digits()?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            self.require_digits()?;
        }
        Ok(self.body.get(start..self.at).unwrap_or_default())
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
    }

    fn require_digits(&mut self) -> Result<(), VerifyError> {
        let start = self.at;
        self.digits();
        if self.at == start {
            return Err(MALFORMED);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Strings of any length, with quotes, backslashes, control and non-ASCII bytes at any
        /// offset (across the eight-byte words the scan skips): a string serde_json writes reads
        /// back as the text, and one holding a raw control byte or a lone backslash is refused.
        #[test]
        fn strings_are_read_exactly_at_every_offset(
            text in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::char::range('a', 'z'),
                    proptest::strategy::Just('"'),
                    proptest::strategy::Just('\\'),
                    proptest::strategy::Just('\u{1}'),
                    proptest::strategy::Just('é'),
                    proptest::strategy::Just('😀'),
                ],
                0..40,
            ),
            pad in 1..10_usize,
        ) {
            let text: String = text.into_iter().collect();
            let written = serde_json::to_string(&text).unwrap();
            let body = format!(r#"{{"{}":1,"a":{written}}}"#, "p".repeat(pad));
            let mut read = Vec::new();
            proptest::prop_assert!(append_string(body.as_bytes(), &["a"], &mut read).unwrap());
            proptest::prop_assert_eq!(read, text.as_bytes());
            // The same text unescaped: refused as soon as it holds a byte JSON must escape.
            let raw = format!(r#"{{"{}":1,"a":"{text}"}}"#, "p".repeat(pad));
            let needs_escape = text.contains(['"', '\\', '\u{1}']);
            let got = find(raw.as_bytes(), &["a"]);
            if needs_escape {
                proptest::prop_assert!(got.is_err() || got.unwrap() != Some(text.as_bytes()));
            } else {
                proptest::prop_assert_eq!(got.unwrap(), Some(text.as_bytes()));
            }
        }
    }

    /// A JSON text: literals, numbers, strings (one with an escape), arrays, and objects whose
    /// member names come from a small set (so paths meet them, repeated and escaped alike).
    fn json_value() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just("1".to_owned()),
            Just("\"x\"".to_owned()),
            Just("\"\\u0041\"".to_owned()),
            Just("true".to_owned()),
            Just("[1,{\"a\":2}]".to_owned()),
        ];
        leaf.prop_recursive(3, 32, 4, |inner| object(inner).boxed())
    }

    fn object(
        values: impl proptest::strategy::Strategy<Value = String>,
    ) -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let name = prop_oneof![Just("a"), Just("b"), Just("c"), Just("\\u0061")];
        proptest::collection::vec((name, values), 0..4).prop_map(|members| {
            let members: Vec<String> = (members.iter())
                .map(|(name, value)| format!("\"{name}\":{value}"))
                .collect();
            format!("{{{}}}", members.join(","))
        })
    }

    proptest::proptest! {
        /// One pass over the body finds, for each path, what reading that path alone finds, and
        /// fails when any path alone fails.
        #[test]
        fn one_pass_reads_what_each_path_reads(
            body in object(json_value()),
            paths in proptest::collection::vec(
                proptest::collection::vec(
                    proptest::prop_oneof![
                        proptest::strategy::Just("a"),
                        proptest::strategy::Just("b"),
                        proptest::strategy::Just("c"),
                    ],
                    1..4,
                ),
                0..=MAX_PATHS,
            ),
        ) {
            let alone: Vec<_> = paths.iter().map(|p| read(body.as_bytes(), p)).collect();
            let mut found = [None; MAX_PATHS];
            let each = read_each(body.as_bytes(), &paths, &mut found);
            match alone.iter().find_map(|r| r.as_ref().err()) {
                Some(e) => proptest::prop_assert_eq!(each, Err(e.clone())),
                None => {
                    proptest::prop_assert_eq!(each, Ok(()));
                    for (one, found) in alone.iter().zip(found) {
                        let one = one.as_ref().ok().copied().flatten();
                        proptest::prop_assert_eq!(format!("{one:?}"), format!("{found:?}"));
                    }
                }
            }
        }
    }

    #[test]
    fn more_paths_than_a_pass_follows_are_refused() {
        let paths = [["a"]; MAX_PATHS + 1];
        let mut found = [None; MAX_PATHS + 1];
        assert_eq!(
            read_each(b"{}", &paths, &mut found),
            Err(VerifyError::MalformedBody)
        );
    }

    #[test]
    fn members_are_found_along_the_path() {
        let body = br#" {"action":"create","data":{"id":"x","n":[1,{"a":null}]},
            "webhookTimestamp":1676056940508,"signature":{"timestamp":"1529006854",
            "token":"a8ce","signature":"d227"}} "#;
        assert_eq!(
            find(body, &["webhookTimestamp"]).unwrap(),
            Some(&b"1676056940508"[..])
        );
        assert_eq!(
            find(body, &["signature", "token"]).unwrap(),
            Some(&b"a8ce"[..])
        );
        assert_eq!(find(body, &["data", "id"]).unwrap(), Some(&b"x"[..]));
        let nested = b"{\"x\":[{\"y\":[1,{}]},[],{\"z\":[true,null,\"s\"]}],\"a\":2}";
        assert_eq!(find(nested, &["a"]).unwrap(), Some(&b"2"[..]));
        assert_eq!(find(body, &["missing"]).unwrap(), None);
        assert_eq!(find(body, &["action", "x"]).unwrap(), None);
        assert_eq!(find(body, &["signature", "missing"]).unwrap(), None);
    }

    #[test]
    fn malformed_or_ambiguous_bodies_are_refused() {
        for bad in [
            &b""[..],
            b"[]",
            b"{",
            b"{\"a\":1,}",
            b"{\"a\":01}",
            b"{\"a\":1.}",
            b"{\"a\":1e}",
            b"{\"a\":tru}",
            b"{\"a\":\"\\x\"}",
            b"{\"a\":\"\x01\"}",
            b"{\"a\":1} x",
            b"{\"a\":1,\"a\":2}",
            b"{\"\\u0061\":1}",
            b"{\"a\":{\"b\":1}}",
            b"{\"a\":\"x\\ny\"}",
            b"{\"a\":true}",
            // Containers off the path close in the order they opened, and hold what they must.
            b"{\"x\":[{\"y\":1]},\"a\":2}",
            b"{\"x\":{\"y\":[1}],\"a\":2}",
            b"{\"x\":[1,],\"a\":2}",
            b"{\"x\":{\"y\"},\"a\":2}",
            b"{\"x\":[1 2],\"a\":2}",
            b"{\"x\":[[1]]]}",
        ] {
            assert!(
                matches!(find(bad, &["a"]), Err(VerifyError::MalformedBody)),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        // Where a string is wanted, a number is refused too.
        assert_eq!(
            find_string(b"{\"a\":\"2\"}", &["a"]).unwrap(),
            Some(&b"2"[..])
        );
        assert_eq!(find_string(b"{\"b\":2}", &["a"]).unwrap(), None);
        for bad in [
            &b"{\"a\":2}"[..],
            b"{\"a\":\"\\u0032\"}",
            b"{\"a\":null}",
            b"[2]",
        ] {
            assert!(
                matches!(find_string(bad, &["a"]), Err(VerifyError::MalformedBody)),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        // Members off the path may repeat or hold escapes: only the path must be unambiguous.
        assert_eq!(
            find(b"{\"b\":1,\"b\":\"\\u0041\",\"a\":2}", &["a"]).unwrap(),
            Some(&b"2"[..])
        );
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = |n: usize| [b"{\"x\":".repeat(n), b"1".to_vec(), b"}".repeat(n)].concat();
        assert!(find(&deep(MAX_DEPTH), &["a"]).is_ok());
        assert!(matches!(
            find(&deep(MAX_DEPTH + 2), &["a"]),
            Err(VerifyError::MalformedBody)
        ));
        let arrays = [
            b"{\"x\":".to_vec(),
            b"[".repeat(10_000),
            b"]".repeat(10_000),
            b"}".to_vec(),
        ]
        .concat();
        assert!(matches!(
            find(&arrays, &["a"]),
            Err(VerifyError::MalformedBody)
        ));
        // Arrays and objects in turn, to the deepest level and one past it: the member `x` is
        // at level 1, so `MAX_DEPTH - 1` containers more reach the deepest level.
        let mixed = |n: usize| {
            let open: Vec<u8> = (0..n)
                .flat_map(|i| if i % 2 == 0 { &b"["[..] } else { b"{\"y\":" })
                .copied()
                .collect();
            let close: Vec<u8> = (0..n)
                .rev()
                .map(|i| if i % 2 == 0 { b']' } else { b'}' })
                .collect();
            [&b"{\"x\":"[..], &open, b"1", &close, b",\"a\":2}"].concat()
        };
        assert_eq!(
            find(&mixed(MAX_DEPTH - 1), &["a"]).unwrap(),
            Some(&b"2"[..])
        );
        assert!(matches!(
            find(&mixed(MAX_DEPTH), &["a"]),
            Err(VerifyError::MalformedBody)
        ));
    }
}

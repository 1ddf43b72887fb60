//! Independent models of what hookseal reads besides signature headers: timestamps in each unit,
//! members of a JSON body, a form body, a query parameter and the public URL a sender signs.
//! Written from the providers' documentation and the rules hookseal states in its docs, not from
//! its code: the JSON grammar is `serde_json`'s, the date arithmetic counts days differently
//! from hookseal's, and nothing here calls into hookseal.

use core::fmt;
use std::collections::BTreeSet;

use hookseal::TimestampReason;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;

/// Canonical decimal digits (no sign, no leading zero but `0` itself, fitting a `u64`), with the
/// error for the first fault in the order empty, not a digit, leading zero, too large.
pub(crate) fn decimal(text: &[u8]) -> Result<u64, TimestampReason> {
    if text.is_empty() {
        Err(TimestampReason::Empty)
    } else if !text.iter().all(u8::is_ascii_digit) {
        Err(TimestampReason::NotDigits)
    } else if text.len() > 1 && text.first() == Some(&b'0') {
        Err(TimestampReason::LeadingZero)
    } else {
        // All ASCII digits, so UTF-8; `str::parse` also accepts a `+` sign, excluded above.
        core::str::from_utf8(text)
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
            .ok_or(TimestampReason::TooLarge)
    }
}

/// Unix seconds of a timestamp written in milliseconds: the whole seconds.
pub(crate) fn millis(text: &[u8]) -> Result<u64, TimestampReason> {
    decimal(text).map(|ms| ms / 1000)
}

/// Days from 0000-01-01 (proleptic Gregorian, year 0 a leap year) to the first day of `year`:
/// 365 a year, and one more for each leap year before it.
fn days_before_year(year: i64) -> i64 {
    if year <= 0 {
        return 0;
    }
    365 * year + (year + 3) / 4 - (year + 99) / 100 + (year + 399) / 400
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

const MONTH_DAYS: [i64; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

fn month_len(year: i64, month: i64) -> i64 {
    let base = usize::try_from(month - 1)
        .ok()
        .and_then(|m| MONTH_DAYS.get(m))
        .copied()
        .unwrap_or(0);
    if month == 2 && is_leap(year) {
        base + 1
    } else {
        base
    }
}

/// Days from 1970-01-01 to the given date.
fn days_since_epoch(year: i64, month: i64, day: i64) -> i64 {
    let before_month: i64 = (1..month).map(|m| month_len(year, m)).sum();
    days_before_year(year) + before_month + day - 1 - days_before_year(1970)
}

/// An RFC 3339 date-time as hookseal documents it for Twitch: `YYYY-MM-DDTHH:MM:SS`, an
/// optional fraction of 1 to 9 digits, `Z` or `±HH:MM` (uppercase `T` and `Z`), naming a time
/// that exists and is not before 1970; whole seconds, the fraction dropped.
pub(crate) fn rfc3339(text: &[u8]) -> Result<u64, TimestampReason> {
    if text.is_empty() {
        return Err(TimestampReason::Empty);
    }
    let bad = TimestampReason::NotRfc3339;
    // Every byte checked against a template: `d` a digit, anything else itself.
    let fixed = b"dddd-dd-ddTdd:dd:dd";
    let head = text.get(..fixed.len()).ok_or(bad)?;
    for (&got, &want) in head.iter().zip(fixed.iter()) {
        let ok = if want == b'd' {
            got.is_ascii_digit()
        } else {
            got == want
        };
        if !ok {
            return Err(bad);
        }
    }
    let number = |from: usize, len: usize| -> i64 {
        text.iter()
            .skip(from)
            .take(len)
            .fold(0, |n, d| n * 10 + i64::from(d - b'0'))
    };
    let (year, month, day) = (number(0, 4), number(5, 2), number(8, 2));
    let (hour, minute, second) = (number(11, 2), number(14, 2), number(17, 2));
    let mut rest = text.get(fixed.len()..).unwrap_or_default();
    if let Some(after_dot) = rest.strip_prefix(b".") {
        let digits = after_dot.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 || digits > 9 {
            return Err(bad);
        }
        rest = after_dot.get(digits..).unwrap_or_default();
    }
    let offset_minutes = if rest == b"Z" {
        0
    } else if rest.len() == 6
        && (rest.first() == Some(&b'+') || rest.first() == Some(&b'-'))
        && rest.get(3) == Some(&b':')
        && [1, 2, 4, 5]
            .iter()
            .all(|&i| rest.get(i).is_some_and(u8::is_ascii_digit))
    {
        let digit = |i: usize| i64::from(rest.get(i).copied().unwrap_or(b'0') - b'0');
        let (h, m) = (digit(1) * 10 + digit(2), digit(4) * 10 + digit(5));
        if h > 23 || m > 59 {
            return Err(bad);
        }
        if rest.first() == Some(&b'-') {
            -(h * 60 + m)
        } else {
            h * 60 + m
        }
    } else {
        return Err(bad);
    };
    if !(1..=12).contains(&month)
        || !(1..=month_len(year, month)).contains(&day)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return Err(bad);
    }
    let secs = days_since_epoch(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second
        - offset_minutes * 60;
    u64::try_from(secs).map_err(|_| bad)
}

/// `secs` as `YYYY-MM-DDTHH:MM:SSZ`, or `None` past 9999-12-31T23:59:59Z.
pub(crate) fn rfc3339_text(secs: u64) -> Option<String> {
    let secs = i64::try_from(secs).ok()?;
    let mut days = secs / 86_400;
    let of_day = secs % 86_400;
    let mut year = 1970;
    loop {
        let len = if is_leap(year) { 366 } else { 365 };
        if days < len {
            break;
        }
        days -= len;
        year += 1;
        if year > 9999 {
            return None;
        }
    }
    let mut month = 1;
    while days >= month_len(year, month) {
        days -= month_len(year, month);
        month += 1;
    }
    Some(format!(
        "{year:04}-{month:02}-{:02}T{:02}:{:02}:{:02}Z",
        days + 1,
        of_day / 3600,
        of_day / 60 % 60,
        of_day % 60
    ))
}

/// What the member reader finds at a path.
pub(crate) type Member = Result<Option<Vec<u8>>, Malformed>;

/// The body is refused as a whole ([`hookseal::VerifyError::MalformedBody`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Malformed;

/// The deepest value hookseal's member reader accepts: the outermost object at depth 0.
const MAX_DEPTH: usize = 64;

/// A JSON body as hookseal's member reader sees it: refused outright, or a text the members are
/// looked up in. `None` from [`Json::new`] when the body is JSON but the model cannot say more
/// (it is not UTF-8, which `serde_json` needs to hand out raw values).
pub(crate) enum Json<'a> {
    Malformed,
    Object(&'a str),
}

impl<'a> Json<'a> {
    /// The body is one JSON object (RFC 8259, as `serde_json` reads it) whose values nest at
    /// most [`MAX_DEPTH`] deep.
    pub(crate) fn new(body: &'a [u8]) -> Option<Self> {
        let grammar = serde_json::from_slice::<IgnoredAny>(body).is_ok();
        let object = body.trim_ascii_start().first() == Some(&b'{');
        if !grammar || !object {
            return Some(Self::Malformed);
        }
        match deepest_value(body) {
            d if d > MAX_DEPTH => Some(Self::Malformed),
            _ => core::str::from_utf8(body)
                .ok()
                .map(|text| Self::Object(text.trim_start_matches([' ', '\t', '\n', '\r']))),
        }
    }

    /// The member at `path`, by hookseal's stated rules: along the path every object's member
    /// names are unescaped and the path's name appears once; a value off an object ends the
    /// path (absent); the member found is a number (as written) or a string without escapes
    /// (between its quotes).
    pub(crate) fn find(&self, path: &[&str]) -> Member {
        self.member(path, Want::Text)
    }

    /// As [`Json::find`], for a member that must be a string without escapes (AWS SNS's
    /// `SignatureVersion`): a number is refused.
    pub(crate) fn find_string(&self, path: &[&str]) -> Member {
        self.member(path, Want::String)
    }

    /// The string member at `path` with its escapes decoded, by `serde_json` (AWS SNS's signed
    /// members): anything else, or an escape that is no character (a lone surrogate), is
    /// refused.
    pub(crate) fn decoded_string(&self, path: &[&str]) -> Member {
        self.member(path, Want::Decoded)
    }

    /// Whether every path of `paths` reads without a refusal, whatever its member holds:
    /// hookseal reads all the members a scheme names in one pass over the body, when the first
    /// is needed, so one ambiguous path refuses the body before any member's value is looked at.
    pub(crate) fn unambiguous(&self, paths: &[&[&str]]) -> Result<(), Malformed> {
        paths
            .iter()
            .try_for_each(|path| self.member(path, Want::Any).map(|_| ()))
    }

    fn member(&self, path: &[&str], want: Want) -> Member {
        match self {
            Self::Malformed => Err(Malformed),
            Self::Object(text) => find_in(text, path, want),
        }
    }
}

/// What a member read must be.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Want {
    /// A number, or a string without escapes.
    Text,
    /// A string without escapes.
    String,
    /// A string, its escapes decoded.
    Decoded,
    /// Anything.
    Any,
}

fn find_in(text: &str, path: &[&str], want: Want) -> Member {
    let Some((first, rest)) = path.split_first() else {
        let raw = text.as_bytes();
        return match (raw.first(), want) {
            (Some(b'"'), Want::Decoded) => serde_json::from_str::<String>(text)
                .map(|decoded| Some(decoded.into_bytes()))
                .map_err(|_| Malformed),
            (Some(b'"'), Want::Text | Want::String) => {
                let inner = raw.get(1..raw.len() - 1).unwrap_or_default();
                if inner.contains(&b'\\') {
                    Err(Malformed)
                } else {
                    Ok(Some(inner.to_vec()))
                }
            }
            (Some(b'-' | b'0'..=b'9'), Want::Text) => Ok(Some(raw.to_vec())),
            (_, Want::Any) => Ok(Some(raw.to_vec())),
            _ => Err(Malformed),
        };
    };
    if !text.starts_with('{') {
        return Ok(None);
    }
    let Ok(Entries(entries)) = serde_json::from_str::<Entries<'_>>(text) else {
        panic!("serde_json reads an object it checked: {text:?}");
    };
    let mut found = None;
    for (key, value) in entries {
        if key.escaped {
            return Err(Malformed);
        }
        if key.bytes == first.as_bytes() {
            if found.is_some() {
                return Err(Malformed);
            }
            found = Some(value);
        }
    }
    // The whole body is read: a refusal anywhere outranks what was found.
    let mut result = Ok(None);
    if let Some(value) = found {
        result = find_in(value.get(), rest, want);
    }
    result
}

/// The deepest nesting at which a value (or member name) starts, outside strings: the
/// outermost value at 0. The body is known to be JSON.
fn deepest_value(body: &[u8]) -> usize {
    let mut open = 0_usize;
    let mut deepest = 0;
    let mut in_string = false;
    let mut escaped = false;
    let mut value_next = true;
    for &b in body {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b' ' | b'\t' | b'\n' | b'\r' => {}
            b'}' | b']' => {
                open -= 1;
                value_next = false;
            }
            b',' | b':' => value_next = true,
            _ => {
                if value_next {
                    deepest = deepest.max(open);
                }
                value_next = false;
                match b {
                    b'{' | b'[' => {
                        open += 1;
                        value_next = true;
                    }
                    b'"' => in_string = true,
                    _ => {}
                }
            }
        }
    }
    deepest
}

/// Whether `der` is a DER ECDSA signature as hookseal states it checks one before any key:
/// `30 len 02 len r 02 len s` with short-form lengths that account for every byte, each
/// integer 1 to 33 bytes, positive (top bit clear) and minimal (a leading zero only before a
/// byte with its top bit set).
pub(crate) fn ecdsa_der(der: &[u8]) -> bool {
    let integer = |at: usize| -> Option<usize> {
        if der.get(at) != Some(&0x02) {
            return None;
        }
        let len = usize::from(*der.get(at + 1)?);
        let value = der.get(at + 2..at + 2 + len)?;
        let minimal_positive = match value {
            [] => false,
            [0] => false,
            [0, second, ..] => second & 0x80 != 0,
            [first, ..] => first & 0x80 == 0,
        };
        (len <= 33 && minimal_positive).then_some(at + 2 + len)
    };
    if der.len() < 2 || der[0] != 0x30 || usize::from(der[1]) != der.len() - 2 || der[1] >= 0x80 {
        return false;
    }
    integer(2).and_then(integer) == Some(der.len())
}

/// A member name, decoded, and whether it was written with escapes.
struct Key {
    bytes: Vec<u8>,
    escaped: bool,
}

impl<'de> de::Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }
            // serde_json lends the input's bytes when the name has no escape, and hands out
            // decoded bytes when it has.
            fn visit_borrowed_bytes<E>(self, v: &'de [u8]) -> Result<Key, E> {
                Ok(Key {
                    bytes: v.to_vec(),
                    escaped: false,
                })
            }
            fn visit_bytes<E>(self, v: &[u8]) -> Result<Key, E> {
                Ok(Key {
                    bytes: v.to_vec(),
                    escaped: true,
                })
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key, E> {
                Ok(Key {
                    bytes: v.as_bytes().to_vec(),
                    escaped: false,
                })
            }
            fn visit_str<E>(self, v: &str) -> Result<Key, E> {
                Ok(Key {
                    bytes: v.as_bytes().to_vec(),
                    escaped: true,
                })
            }
        }
        d.deserialize_bytes(KeyVisitor)
    }
}

/// An object's members in order, each value as written.
struct Entries<'a>(Vec<(Key, &'a RawValue)>);

impl<'de: 'a, 'a> de::Deserialize<'de> for Entries<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct EntriesVisitor<'a>(core::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for EntriesVisitor<'a> {
            type Value = Entries<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Entries<'a>, M::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry::<Key, &'a RawValue>()? {
                    out.push(entry);
                }
                Ok(Entries(out))
            }
        }
        d.deserialize_map(EntriesVisitor(core::marker::PhantomData))
    }
}

/// A form's pairs, decoded, in signing order.
pub(crate) type FormPairs = Vec<(Vec<u8>, Vec<u8>)>;

/// The most parameters a form may have.
pub(crate) const MAX_FORM_PARAMS: usize = 1024;

/// A form body as Twilio signs it: `name=value` pairs split at `&` (empty ones skipped, a pair
/// without `=` has an empty value), `+` a space and `%XX` a byte (two hex digits, either case),
/// then each distinct pair once, sorted by name and then value. `Err` for a bad escape or more
/// than [`MAX_FORM_PARAMS`] pairs.
pub(crate) fn form(body: &[u8]) -> Result<FormPairs, Malformed> {
    let pairs: Vec<&[u8]> = body
        .split(|&b| b == b'&')
        .filter(|p| !p.is_empty())
        .collect();
    if pairs.len() > MAX_FORM_PARAMS {
        return Err(Malformed);
    }
    let mut sorted = BTreeSet::new();
    for pair in pairs {
        let (name, value) = match pair.iter().position(|&b| b == b'=') {
            Some(at) => (&pair[..at], &pair[at + 1..]),
            None => (pair, &[][..]),
        };
        sorted.insert((percent_decode(name)?, percent_decode(value)?));
    }
    Ok(sorted.into_iter().collect())
}

fn percent_decode(text: &[u8]) -> Result<Vec<u8>, Malformed> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while let Some(&b) = text.get(i) {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = text.get(i + 1..i + 3).ok_or(Malformed)?;
                let hex = core::str::from_utf8(hex).map_err(|_| Malformed)?;
                if !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
                    return Err(Malformed);
                }
                out.push(u8::from_str_radix(hex, 16).map_err(|_| Malformed)?);
                i += 2;
            }
            other => out.push(other),
        }
        i += 1;
    }
    Ok(out)
}

/// The value of query parameter `name` in `target` (after its first `?`), as written, when the
/// parameter appears exactly once.
pub(crate) fn query_param<'t>(target: &'t [u8], name: &[u8]) -> Option<&'t [u8]> {
    let query_at = target.iter().position(|&b| b == b'?')?;
    let query = target.get(query_at + 1..)?;
    let values: Vec<&[u8]> = query
        .split(|&b| b == b'&')
        .filter_map(|pair| match pair.iter().position(|&b| b == b'=') {
            Some(at) => {
                (pair.get(..at) == Some(name)).then(|| pair.get(at + 1..).unwrap_or_default())
            }
            None => (pair == name).then_some(&[][..]),
        })
        .collect();
    match values.as_slice() {
        [one] => Some(one),
        _ => None,
    }
}

/// The URLs a sender may have signed, up to the request's target, for a public URL the
/// verifier accepted (`scheme://authority[/prefix]`): as written without trailing `/`s, or
/// (Twilio) with the port, the scheme's default one when none is written, and without any.
pub(crate) fn url_bases(url: &str, port_variants: bool) -> Vec<String> {
    let (scheme, default_port, rest) = if let Some(rest) = url.strip_prefix("https://") {
        ("https://", "443", rest)
    } else if let Some(rest) = url.strip_prefix("http://") {
        ("http://", "80", rest)
    } else {
        panic!("a public URL that is not http(s) was accepted: {url:?}");
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = path.trim_end_matches('/');
    if !port_variants {
        return vec![format!("{scheme}{authority}{path}")];
    }
    // The port follows the last `:` after any IPv6 literal's closing bracket.
    let host_end = authority.rfind(']').map_or(0, |i| i + 1);
    let (host, port) = match authority[host_end..].find(':') {
        Some(at) => (&authority[..host_end + at], &authority[host_end + at + 1..]),
        None => (authority, default_port),
    };
    vec![
        format!("{scheme}{host}:{port}{path}"),
        format!("{scheme}{host}{path}"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_count_from_the_epoch() {
        assert_eq!(rfc3339(b"1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(rfc3339(b"2023-11-14T22:13:20Z"), Ok(1_700_000_000));
        assert_eq!(rfc3339(b"2021-02-19T23:47:00.8091512Z"), Ok(1_613_778_420));
        assert_eq!(rfc3339(b"2021-02-20T00:47:00+01:00"), Ok(1_613_778_420));
        assert_eq!(rfc3339(b"9999-12-31T23:59:59Z"), Ok(253_402_300_799));
        assert_eq!(rfc3339(b"2000-02-29T12:00:00Z"), Ok(951_825_600));
        assert_eq!(
            rfc3339(b"1900-02-29T00:00:00Z"),
            Err(TimestampReason::NotRfc3339)
        );
        for secs in [0, 1_700_000_000, 951_825_600, 253_402_300_799] {
            let text = rfc3339_text(secs).unwrap();
            assert_eq!(rfc3339(text.as_bytes()), Ok(secs), "{text}");
        }
        assert_eq!(rfc3339_text(1_700_000_000).unwrap(), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339_text(253_402_300_800), None);
    }

    #[test]
    fn members_follow_the_stated_rules() {
        let find = |body: &str, path: &[&str]| Json::new(body.as_bytes()).unwrap().find(path);
        let body = r#"{"a":1,"s":{"t":"x","n":-1.5e3},"\u0062":2}"#;
        assert_eq!(find(body, &["a"]), Err(Malformed));
        let body = r#"{"a":1,"s":{"t":"x","n":-1.5e3},"b":{"\u0062":2}}"#;
        assert_eq!(find(body, &["a"]), Ok(Some(b"1".to_vec())));
        assert_eq!(find(body, &["s", "t"]), Ok(Some(b"x".to_vec())));
        assert_eq!(find(body, &["s", "n"]), Ok(Some(b"-1.5e3".to_vec())));
        assert_eq!(find(body, &["a", "x"]), Ok(None));
        assert_eq!(find(body, &["b", "x"]), Err(Malformed));
        assert_eq!(find(body, &["s"]), Err(Malformed));
        assert_eq!(find(r#"{"a":1,"a":1}"#, &["a"]), Err(Malformed));
        assert_eq!(find(r#"[1]"#, &["a"]), Err(Malformed));
        assert_eq!(find(" \n{\"a\":1}\t", &["a"]), Ok(Some(b"1".to_vec())));
        assert_eq!(deepest_value(br#"{"a":[[],{"b":[1]}]}"#), 4);
        assert_eq!(deepest_value(br#"{}"#), 0);
    }

    #[test]
    fn forms_sort_once_each() {
        let pairs = form(b"b=2&a=%41+b&&a=%41+b&c").unwrap();
        assert_eq!(
            pairs,
            vec![
                (b"a".to_vec(), b"A b".to_vec()),
                (b"b".to_vec(), b"2".to_vec()),
                (b"c".to_vec(), b"".to_vec()),
            ]
        );
        assert_eq!(form(b"a=%4"), Err(Malformed));
        assert_eq!(
            query_param(b"/h?x=1&bodySHA256=ab", b"bodySHA256"),
            Some(&b"ab"[..])
        );
        assert_eq!(
            url_bases("https://[::1]:8443/p/", true),
            ["https://[::1]:8443/p", "https://[::1]/p"]
        );
    }
}

//! [`HeaderTable`]: the headers (and the members of a JSON body) a scheme reads on every
//! request, numbered when the scheme is built, and [`Found`]: their values in one request. The
//! headers are read in one call to the [`HeaderSource`] — one pass over the headers where the
//! source can make one, instead of a lookup (and, in an `http::HeaderMap`, a hash of the name)
//! per header; the members in one pass over the body, when the first of them is asked for.

use core::cell::Cell;

use crate::error::{ConfigError, HeaderKind, VerifyError};
use crate::headers::{HeaderName, HeaderSource, trim_ows};
use crate::json_field::{self, MAX_PATHS};
use alloc::boxed::Box;
use alloc::vec::Vec;

/// The most headers a scheme reads by name on every request: the signature, the timestamp
/// and the id headers with a second name each, the algorithm's and the certificate URL's.
pub(crate) const MAX_HEADERS: usize = 8;

/// The headers a scheme reads, each at its slot: its first names from slot 0 up, the second
/// names tried when a first is absent from the last slot down; and the paths of the body's
/// members it reads, each at its slot.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct HeaderTable {
    first: Vec<HeaderName>,
    second: Vec<HeaderName>,
    members: Vec<Box<[Box<str>]>>,
}

impl HeaderTable {
    /// The slot of `name`, a header's first name or (`second`) the one tried when the first is
    /// absent; given a new one if the table does not hold it yet.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidLimit`] past [`MAX_HEADERS`] names.
    pub(crate) fn slot(&mut self, name: &HeaderName, second: bool) -> Result<u8, ConfigError> {
        let full = self.first.len() + self.second.len() >= MAX_HEADERS;
        let list = if second {
            &mut self.second
        } else {
            &mut self.first
        };
        let at = match list.iter().position(|n| n == name) {
            Some(at) => at,
            None if !full => {
                list.push(name.clone());
                list.len() - 1
            }
            None => return Err(ConfigError::InvalidLimit),
        };
        let slot = if second { MAX_HEADERS - 1 - at } else { at };
        u8::try_from(slot).map_err(|_| ConfigError::InvalidLimit)
    }

    /// The slot of the body member at `path`; given a new one if the table does not hold it.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidLimit`] past [`MAX_PATHS`] paths.
    pub(crate) fn member_slot(&mut self, path: &[Box<str>]) -> Result<u8, ConfigError> {
        let at = match self.members.iter().position(|p| **p == *path) {
            Some(at) => at,
            None if self.members.len() < MAX_PATHS => {
                self.members.push(path.into());
                self.members.len() - 1
            }
            None => return Err(ConfigError::InvalidLimit),
        };
        u8::try_from(at).map_err(|_| ConfigError::InvalidLimit)
    }

    /// The path of names of the member at `slot`.
    pub(crate) fn member_path(&self, slot: u8) -> &[Box<str>] {
        self.members.get(usize::from(slot)).map_or(&[], |path| path)
    }

    /// The values of the table's headers in `headers`, and of its members in `body` once one is
    /// asked for: the second names are looked up only when a first one is absent.
    #[inline]
    pub(crate) fn find<'a, H: HeaderSource + ?Sized>(
        &'a self,
        headers: &'a H,
        body: &'a [u8],
    ) -> Found<'a> {
        let mut found = Found {
            values: [None; MAX_HEADERS],
            repeated: 0,
            paths: &self.members,
            body,
            members: Cell::new(Members::Unread),
        };
        if !self.first.is_empty() {
            headers.each_header_value(&self.first, |slot, value| found.add(slot, value));
        }
        let absent = (found.values.iter().take(self.first.len())).any(Option::is_none);
        if absent && !self.second.is_empty() {
            headers.each_header_value(&self.second, |at, value| {
                found.add(MAX_HEADERS - 1 - at, value);
            });
        }
        found
    }
}

/// The values of a [`HeaderTable`]'s headers in one request (the first of each, and which were
/// sent more than once), and of its members, read from the body when first asked for.
#[derive(Debug, Clone)]
pub(crate) struct Found<'a> {
    values: [Option<&'a [u8]>; MAX_HEADERS],
    /// Bit `i` is set when the header at slot `i` was sent more than once.
    repeated: u8,
    paths: &'a [Box<[Box<str>]>],
    body: &'a [u8],
    members: Cell<Members<'a>>,
}

/// The table's members in one request's body.
#[derive(Debug, Clone, Copy)]
enum Members<'a> {
    /// Not read yet: no member has been asked for.
    Unread,
    /// What each path found, at its slot.
    Read([Option<json_field::Found<'a>>; MAX_PATHS]),
    /// The body is not one JSON object, or a path is ambiguous in it.
    Malformed,
}

impl<'a> Found<'a> {
    fn add(&mut self, slot: usize, value: &'a [u8]) {
        match self.values.get_mut(slot) {
            Some(Some(_)) => self.repeated |= 1 << slot,
            Some(held) => *held = Some(value),
            None => {}
        }
    }

    /// The single value of the header at `slot`, trimmed, or `None` when it is absent.
    ///
    /// # Errors
    ///
    /// [`VerifyError::DuplicateHeader`] of `kind` when it was sent more than once.
    pub(crate) fn single(
        &self,
        slot: u8,
        kind: HeaderKind,
    ) -> Result<Option<&'a [u8]>, VerifyError> {
        if self.repeated & (1 << slot) != 0 {
            return Err(VerifyError::DuplicateHeader(kind));
        }
        Ok(self
            .values
            .get(usize::from(slot))
            .copied()
            .flatten()
            .map(trim_ows))
    }

    /// What the body holds at the member path of `slot`, or `None` when a member on it is
    /// absent. The first call reads the body, once for every path of the table.
    ///
    /// # Errors
    ///
    /// [`VerifyError::MalformedBody`] when the body is not one JSON object by
    /// [`json_field`]'s rules, or any of the table's paths is ambiguous in it.
    pub(crate) fn member(&self, slot: u8) -> Result<Option<json_field::Found<'a>>, VerifyError> {
        if let Members::Unread = self.members.get() {
            let mut found = [None; MAX_PATHS];
            self.members.set(
                match json_field::read_each(self.body, self.paths, &mut found) {
                    Ok(()) => Members::Read(found),
                    Err(_) => Members::Malformed,
                },
            );
        }
        match self.members.get() {
            Members::Read(found) => Ok(found.get(usize::from(slot)).copied().flatten()),
            Members::Unread | Members::Malformed => Err(VerifyError::MalformedBody),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(names: &[&str]) -> HeaderTable {
        let mut table = HeaderTable::default();
        for (i, name) in names.iter().enumerate() {
            let slot = table.slot(&HeaderName::new(name).unwrap(), false).unwrap();
            assert_eq!(usize::from(slot), i);
        }
        table
    }

    #[test]
    fn slots_are_shared_by_equal_names_and_bounded() {
        let mut t = table(&["a", "b"]);
        let name = |n: &str| HeaderName::new(n).unwrap();
        assert_eq!(t.slot(&name("A"), false), Ok(0));
        assert_eq!(t.slot(&name("c"), true), Ok(7));
        assert_eq!(t.slot(&name("d"), true), Ok(6));
        assert_eq!(t.slot(&name("C"), true), Ok(7));
        let mut full = table(&["a", "b", "c", "d", "e", "f", "g", "h"]);
        assert_eq!(full.slot(&name("i"), false), Err(ConfigError::InvalidLimit));
        assert_eq!(full.slot(&name("i"), true), Err(ConfigError::InvalidLimit));
        assert_eq!(full.slot(&name("h"), false), Ok(7));
    }

    /// Equal member paths share a slot; the members are read from the body when first asked
    /// for, all in that one pass, and a body that fails the pass fails every member.
    #[test]
    fn member_slots_are_shared_and_read_in_one_pass() {
        let path = |names: &[&str]| -> Vec<Box<str>> { names.iter().map(|&n| n.into()).collect() };
        let mut t = HeaderTable::default();
        assert_eq!(t.member_slot(&path(&["signature", "token"])), Ok(0));
        assert_eq!(t.member_slot(&path(&["timestamp"])), Ok(1));
        assert_eq!(t.member_slot(&path(&["signature", "token"])), Ok(0));
        let body = br#"{"timestamp":1,"signature":{"token":"a"}}"#;
        let found = t.find(&[("x", "y")], body);
        let text = |slot| json_field::text_of(found.member(slot).unwrap()).unwrap();
        assert_eq!(text(1), Some(&b"1"[..]));
        assert_eq!(text(0), Some(&b"a"[..]));
        let twice = br#"{"timestamp":1,"timestamp":2,"signature":{"token":"a"}}"#;
        let found = t.find(&[("x", "y")], twice);
        assert_eq!(found.member(0).err(), Some(VerifyError::MalformedBody));
        assert_eq!(found.member(1).err(), Some(VerifyError::MalformedBody));
        let mut full = HeaderTable::default();
        for name in ["a", "b", "c", "d", "e"] {
            full.member_slot(&path(&[name])).unwrap();
        }
        assert_eq!(
            full.member_slot(&path(&["f"])),
            Err(ConfigError::InvalidLimit)
        );
    }

    /// A second name is read when a first one is absent, and only then.
    #[test]
    fn second_names_only_when_a_first_is_absent() {
        let mut t = table(&["svix-id"]);
        let second = t
            .slot(&HeaderName::new("webhook-id").unwrap(), true)
            .unwrap();
        let both = [("svix-id", "a"), ("webhook-id", "b"), ("webhook-id", "c")];
        assert_eq!(
            t.find(&both, b"").single(0, HeaderKind::Id),
            Ok(Some(&b"a"[..]))
        );
        // Not looked up, so its repeat is not seen.
        assert_eq!(t.find(&both, b"").single(second, HeaderKind::Id), Ok(None));
        let only_second = [("webhook-id", "b")];
        assert_eq!(
            t.find(&only_second, b"").single(0, HeaderKind::Id),
            Ok(None)
        );
        assert_eq!(
            t.find(&only_second, b"").single(second, HeaderKind::Id),
            Ok(Some(&b"b"[..]))
        );
    }

    /// Every source finds the same values: present once (trimmed), absent, repeated under
    /// either case of the name.
    #[test]
    fn one_pass_finds_what_lookups_find() {
        let t = table(&["x-sig", "x-ts", "x-id", "x-none"]);
        let pairs = [
            ("X-Sig", " v1,abc "),
            ("host", "example.com"),
            ("x-ts", "1"),
            ("x-id", "a"),
            ("X-Id", "b"),
        ];
        let check = |found: Found<'_>| {
            assert_eq!(
                found.single(0, HeaderKind::Signature),
                Ok(Some(&b"v1,abc"[..]))
            );
            assert_eq!(found.single(1, HeaderKind::Timestamp), Ok(Some(&b"1"[..])));
            assert_eq!(
                found.single(2, HeaderKind::Id),
                Err(VerifyError::DuplicateHeader(HeaderKind::Id))
            );
            assert_eq!(found.single(3, HeaderKind::Id), Ok(None));
        };
        check(t.find(&pairs, b""));
        check(t.find(&pairs.to_vec(), b""));
        #[cfg(feature = "http")]
        {
            let mut map = http::HeaderMap::new();
            for (name, value) in pairs {
                let name = http::HeaderName::from_bytes(name.as_bytes()).unwrap();
                map.append(name, http::HeaderValue::from_static(value));
            }
            check(t.find(&map, b""));
            let request = http::Request::builder().body(()).unwrap();
            let (mut parts, ()) = request.into_parts();
            parts.headers = map;
            check(t.find(&parts, b""));
        }
    }
}

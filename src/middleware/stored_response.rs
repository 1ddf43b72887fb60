//! The stored form of a response the idempotency layer answers again: its status, the headers
//! chosen, and its body, in a small versioned binary record read back strictly.
//!
//! Version 1, all integers big-endian:
//!
//! ```text
//! version   u8    1
//! status    u16   200..=299 (only successes are stored)
//! count     u8    number of header lines, at most MAX_HEADERS
//! count × { name_len u8, name (a lowercase header name), value_len u16, value }
//! body_len  u32   then the body; nothing after it
//! ```
//!
//! A record that breaks any of this (another version, a status that is not 2xx, a header that
//! is not one, a length running past the end, bytes left over) is refused whole: the layer never
//! answers half a stored response.

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};

/// A response read back from its record: what the layer answers a completed key with.
#[derive(Debug)]
pub(crate) struct StoredResponse {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

/// A record the layer did not write, or wrote in a version it does not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UnreadableRecord;

/// The start of a response's record: everything before the body's length, or `None` when the
/// chosen headers do not fit the format (more than [`MAX_HEADERS`] lines, a name over 255 bytes
/// or a value over 65 535).
pub(crate) fn head(
    status: StatusCode,
    headers: &HeaderMap,
    names: &[HeaderName],
) -> Option<Vec<u8>> {
    let mut lines = 0_usize;
    let mut len = 4;
    for name in names {
        for value in headers.get_all(name) {
            lines += 1;
            len += 3 + name.as_str().len() + value.len();
        }
    }
    let count = u8::try_from(lines)
        .ok()
        .filter(|&n| usize::from(n) <= MAX_HEADERS)?;
    let mut record = Vec::with_capacity(len + 4);
    record.push(VERSION);
    record.extend_from_slice(&status.as_u16().to_be_bytes());
    record.push(count);
    for name in names {
        for value in headers.get_all(name) {
            let name_len = u8::try_from(name.as_str().len()).ok()?;
            let value_len = u16::try_from(value.len()).ok()?;
            record.push(name_len);
            record.extend_from_slice(name.as_str().as_bytes());
            record.extend_from_slice(&value_len.to_be_bytes());
            record.extend_from_slice(value.as_bytes());
        }
    }
    Some(record)
}

/// The room a body takes in a record besides its bytes: its length.
pub(crate) const BODY_OVERHEAD: usize = 4;

/// Completes the record started by [`head`] with `body`, or `None` for a body over 4 GiB.
pub(crate) fn finish(mut record: Vec<u8>, body: &[u8]) -> Option<Vec<u8>> {
    let len = u32::try_from(body.len()).ok()?;
    record.reserve_exact(BODY_OVERHEAD + body.len());
    record.extend_from_slice(&len.to_be_bytes());
    record.extend_from_slice(body);
    Some(record)
}

/// Reads a record back, strictly. The body shares the record's buffer.
pub(crate) fn decode(record: Vec<u8>) -> Result<StoredResponse, UnreadableRecord> {
    let record = Bytes::from(record);
    let mut reader = Reader { rest: &record };
    if reader.u8()? != VERSION {
        return Err(UnreadableRecord);
    }
    let status = StatusCode::from_u16(reader.u16()?).map_err(|_| UnreadableRecord)?;
    if !status.is_success() {
        return Err(UnreadableRecord);
    }
    let count = usize::from(reader.u8()?);
    if count > MAX_HEADERS {
        return Err(UnreadableRecord);
    }
    let mut headers = HeaderMap::with_capacity(count);
    for _ in 0..count {
        let name_len = usize::from(reader.u8()?);
        let written = reader.take(name_len)?;
        let name = HeaderName::from_bytes(written).map_err(|_| UnreadableRecord)?;
        // Written lowercase; any other spelling is not a record of ours.
        if name.as_str().as_bytes() != written {
            return Err(UnreadableRecord);
        }
        let value_len = usize::from(reader.u16()?);
        let value =
            HeaderValue::from_bytes(reader.take(value_len)?).map_err(|_| UnreadableRecord)?;
        headers.append(name, value);
    }
    let body_len = usize::try_from(reader.u32()?).map_err(|_| UnreadableRecord)?;
    let body_start = record.len() - reader.rest.len();
    reader.take(body_len)?;
    if !reader.rest.is_empty() {
        return Err(UnreadableRecord);
    }
    Ok(StoredResponse {
        status,
        headers,
        body: record.slice(body_start..body_start + body_len),
    })
}

/// Reads a record front to back; every read checks its length first.
struct Reader<'r> {
    rest: &'r [u8],
}

impl<'r> Reader<'r> {
    fn take(&mut self, n: usize) -> Result<&'r [u8], UnreadableRecord> {
        let (taken, rest) = self.rest.split_at_checked(n).ok_or(UnreadableRecord)?;
        self.rest = rest;
        Ok(taken)
    }

    fn u8(&mut self) -> Result<u8, UnreadableRecord> {
        let [b] = *self.array::<1>()?;
        Ok(b)
    }

    fn u16(&mut self) -> Result<u16, UnreadableRecord> {
        self.array::<2>().map(|b| u16::from_be_bytes(*b))
    }

    fn u32(&mut self) -> Result<u32, UnreadableRecord> {
        self.array::<4>().map(|b| u32::from_be_bytes(*b))
    }

    fn array<const N: usize>(&mut self) -> Result<&'r [u8; N], UnreadableRecord> {
        let (taken, rest) = self.rest.split_first_chunk::<N>().ok_or(UnreadableRecord)?;
        self.rest = rest;
        Ok(taken)
    }
}

/// The record format's version.
const VERSION: u8 = 1;

/// The most header lines a record keeps.
pub(crate) const MAX_HEADERS: usize = 32;

#[cfg(test)]
mod tests {
    use http::header::{CONTENT_TYPE, SET_COOKIE};

    use super::*;

    fn record(body: &[u8]) -> Vec<u8> {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.append(SET_COOKIE, HeaderValue::from_static("a=1"));
        headers.append(SET_COOKIE, HeaderValue::from_static("b=2"));
        headers.insert("x-not-chosen", HeaderValue::from_static("x"));
        let head = head(StatusCode::CREATED, &headers, &[CONTENT_TYPE, SET_COOKIE]).unwrap();
        finish(head, body).unwrap()
    }

    #[test]
    fn a_record_reads_back_as_written() {
        let stored = decode(record(b"{\"ok\":true}")).unwrap();
        assert_eq!(stored.status, StatusCode::CREATED);
        assert_eq!(stored.headers.len(), 3);
        assert_eq!(stored.headers[CONTENT_TYPE], "application/json");
        let cookies: Vec<_> = stored.headers.get_all(SET_COOKIE).iter().collect();
        assert_eq!(cookies, ["a=1", "b=2"]);
        assert_eq!(&stored.body[..], b"{\"ok\":true}");
        assert_eq!(decode(record(b"")).unwrap().body.len(), 0);
    }

    #[test]
    fn every_truncation_and_extension_is_refused() {
        let whole = record(b"body");
        for len in 0..whole.len() {
            assert_eq!(
                decode(whole[..len].to_vec()).unwrap_err(),
                UnreadableRecord,
                "{len}"
            );
        }
        let mut longer = whole.clone();
        longer.push(0);
        assert_eq!(decode(longer).unwrap_err(), UnreadableRecord);
    }

    #[test]
    fn what_the_layer_does_not_write_is_refused() {
        let whole = record(b"body");
        let changed = |at: usize, to: u8| {
            let mut r = whole.clone();
            r[at] = to;
            decode(r)
        };
        assert!(changed(0, 2).is_err(), "another version");
        assert!(changed(1, 0x01).is_err(), "status 457: not a success");
        assert!(changed(3, 33).is_err(), "more header lines than allowed");
        // The first name, `content-type`, starts at 5: uppercase is not how the layer writes it,
        // and a space is no header name at all.
        assert!(changed(5, b'C').is_err());
        assert!(changed(5, b' ').is_err());
        // A value may not hold a line feed.
        assert!(changed(5 + 12 + 2, b'\n').is_err());
        assert!(decode(Vec::new()).is_err());
    }

    #[test]
    fn headers_that_do_not_fit_are_not_written() {
        let mut headers = HeaderMap::new();
        for i in 0..=MAX_HEADERS {
            headers.append(
                SET_COOKIE,
                HeaderValue::from_str(&format!("c={i}")).unwrap(),
            );
        }
        assert!(head(StatusCode::OK, &headers, &[SET_COOKIE]).is_none());
        let long = HeaderValue::from_bytes(&vec![b'a'; 70_000]).unwrap();
        headers.insert(CONTENT_TYPE, long);
        assert!(head(StatusCode::OK, &headers, &[CONTENT_TYPE]).is_none());
    }
}

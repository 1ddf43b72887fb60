//! [`RawRequest`]: a captured HTTP/1.1 request, read from a file as received.

use std::io::Read as _;
use std::path::Path;

use crate::failure::Failure;

/// A captured request: its request line, its headers and its body's exact bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawRequest {
    pub(crate) method: String,
    /// The path and query, as received.
    pub(crate) target: String,
    /// The headers in order, names as written, values without surrounding spaces.
    pub(crate) headers: Vec<(String, Vec<u8>)>,
    pub(crate) body: Vec<u8>,
}

impl RawRequest {
    /// Reads the request in the file at `path`.
    ///
    /// # Errors
    ///
    /// [`Failure::Input`] when the file cannot be read, is larger than [`MAX_FILE_LEN`], or is
    /// not a request ([`RawRequest::parse`]).
    pub(crate) fn read(path: &Path) -> Result<Self, Failure> {
        let shown = path.display();
        let file = std::fs::File::open(path)
            .map_err(|e| Failure::input(format!("cannot open the request file {shown}: {e}")))?;
        let mut bytes = Vec::new();
        file.take(MAX_FILE_LEN as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Failure::input(format!("cannot read the request file {shown}: {e}")))?;
        if bytes.len() > MAX_FILE_LEN {
            return Err(Failure::input(format!(
                "the request file {shown} is larger than {} MiB",
                MAX_FILE_LEN >> 20
            )));
        }
        Self::parse(&bytes).map_err(|e| Failure::input(format!("the request file {shown}: {e}")))
    }

    /// Reads a request: `METHOD target HTTP/1.x`, header lines (ending in CRLF or LF), an empty
    /// line, then the body. With a `Content-Length`, the body is that many bytes; without, the
    /// rest of the input.
    ///
    /// # Errors
    ///
    /// What is wrong, in words: a malformed request line or header line, a folded header, more
    /// than [`MAX_HEADERS`] headers, a chunked body, a `Content-Length` that is invalid, given
    /// twice with different values, or longer than the body.
    pub(crate) fn parse(input: &[u8]) -> Result<Self, String> {
        let mut rest = input;
        let line = next_line(&mut rest).ok_or("no request line")?;
        let line = std::str::from_utf8(line).map_err(|_| "the request line is not text")?;
        let mut parts = line.split(' ');
        let (Some(method), Some(target), Some(version), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(format!("not a request line: {line:?}"));
        };
        if method.is_empty() || target.is_empty() || !version.starts_with("HTTP/1.") {
            return Err(format!("not an HTTP/1.x request line: {line:?}"));
        }
        let mut headers = Vec::new();
        loop {
            let line = next_line(&mut rest).ok_or("the headers do not end with an empty line")?;
            if line.is_empty() {
                break;
            }
            if headers.len() == MAX_HEADERS {
                return Err(format!("more than {MAX_HEADERS} headers"));
            }
            headers.push(header(line)?);
        }
        let body = body(&headers, rest)?;
        Ok(Self {
            method: method.to_owned(),
            target: target.to_owned(),
            headers,
            body,
        })
    }

    /// The values of header `name` (matched case-insensitively).
    pub(crate) fn header<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> {
        (self.headers.iter())
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }
}

/// The next line of `rest` without its line end (CRLF or LF), moving `rest` past it.
fn next_line<'a>(rest: &mut &'a [u8]) -> Option<&'a [u8]> {
    let end = rest.iter().position(|&b| b == b'\n')?;
    let (line, after) = rest.split_at(end);
    *rest = after.get(1..).unwrap_or_default();
    Some(line.strip_suffix(b"\r").unwrap_or(line))
}

/// One header line: `Name: value`.
fn header(line: &[u8]) -> Result<(String, Vec<u8>), String> {
    if line.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
        return Err("a folded header line (obsolete line folding is refused)".to_owned());
    }
    let colon = (line.iter().position(|&b| b == b':'))
        .ok_or_else(|| format!("not a header line: {:?}", String::from_utf8_lossy(line)))?;
    let (name, value) = line.split_at(colon);
    let token = |b: &u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(b);
    if name.is_empty() || !name.iter().all(token) {
        return Err(format!(
            "not a header name: {:?}",
            String::from_utf8_lossy(name)
        ));
    }
    let value = value.get(1..).unwrap_or_default();
    let value = value.trim_ascii();
    Ok((String::from_utf8_lossy(name).into_owned(), value.to_vec()))
}

/// The body: `Content-Length` bytes of `rest` when the length is given, all of it otherwise.
fn body(headers: &[(String, Vec<u8>)], rest: &[u8]) -> Result<Vec<u8>, String> {
    let named = |name: &'static str| {
        (headers.iter())
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    };
    if named("Transfer-Encoding").next().is_some() {
        return Err(
            "a Transfer-Encoding body (chunked) is not read: capture the decoded body with a \
             Content-Length"
                .to_owned(),
        );
    }
    let mut length: Option<usize> = None;
    for value in named("Content-Length") {
        let parsed = std::str::from_utf8(value)
            .ok()
            .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|v| v.parse::<usize>().ok())
            .ok_or("an invalid Content-Length")?;
        if length.is_some_and(|l| l != parsed) {
            return Err("two different Content-Length headers".to_owned());
        }
        length = Some(parsed);
    }
    match length {
        None => Ok(rest.to_vec()),
        Some(len) => rest.get(..len).map(<[u8]>::to_vec).ok_or_else(|| {
            format!(
                "the body is {} bytes, shorter than its Content-Length ({len})",
                rest.len()
            )
        }),
    }
}

/// The largest request file read.
const MAX_FILE_LEN: usize = 16 * 1024 * 1024;

/// The most header lines read.
const MAX_HEADERS: usize = 256;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_crlf_and_lf_lines_and_the_exact_body() {
        let crlf = RawRequest::parse(
            b"POST /h?a=1 HTTP/1.1\r\nX-A:  1 \r\nContent-Length: 4\r\n\r\n{}\r\nextra",
        )
        .unwrap();
        assert_eq!(
            (crlf.method.as_str(), crlf.target.as_str()),
            ("POST", "/h?a=1")
        );
        assert_eq!(crlf.header("x-a").next(), Some(&b"1"[..]));
        assert_eq!(crlf.body, b"{}\r\n");
        let lf = RawRequest::parse(b"POST / HTTP/1.1\nX-A: 1\n\n{}\n").unwrap();
        assert_eq!(lf.body, b"{}\n");
    }

    #[test]
    fn refuses_what_is_not_a_request() {
        for bad in [
            &b""[..],
            b"POST /\r\n\r\n",
            b"POST / HTTP/1.1\r\nno colon\r\n\r\n",
            b"POST / HTTP/1.1\r\nX-A: 1\r\n folded\r\n\r\n",
            b"POST / HTTP/1.1\r\nContent-Length: 9\r\n\r\n{}",
            b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
            b"POST / HTTP/1.1\r\nX-A: 1\r\n",
        ] {
            assert!(
                RawRequest::parse(bad).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}

//! The members the kit writes into a JSON body, for schemes that read a value from the body
//! (Linear's timestamp, Mailgun's signature object, AWS SNS's signed members): written at the
//! front of the body's object, nested objects for longer paths.

use crate::error::SignError;

/// A value the kit writes at a path of member names.
#[derive(Debug, Clone)]
pub(super) struct Member {
    pub(super) path: Box<[Box<str>]>,
    pub(super) value: Value,
}

/// A member's JSON value.
#[derive(Debug, Clone)]
pub(super) enum Value {
    /// A string, escaped as JSON needs.
    Text(String),
    /// A number, written as given (digits only).
    Number(String),
}

/// `body` with `members` written at the front of its object; `body` itself when there are none.
/// An empty body is taken as `{}`.
///
/// # Errors
///
/// [`SignError::InvalidBody`] when there are members to write and `body` is not one JSON object,
/// or already holds the top-level member of one of them (a member named twice is refused by
/// the verifier).
pub(super) fn write(body: &[u8], members: &[Member]) -> Result<Vec<u8>, SignError> {
    if members.is_empty() {
        return Ok(body.to_vec());
    }
    let body: &[u8] = if body.trim_ascii().is_empty() {
        b"{}"
    } else {
        body
    };
    for member in members {
        let top = member.path.first().map_or(&[][..], core::slice::from_ref);
        if crate::json_field::has(body, top).map_err(|_| SignError::InvalidBody)? {
            return Err(SignError::InvalidBody);
        }
    }
    // The body is one object: it opens with `{` after any whitespace.
    let open = body
        .iter()
        .position(|&b| b == b'{')
        .ok_or(SignError::InvalidBody)?;
    let (before, after) = body.split_at(open + 1);
    let mut written = String::new();
    write_members(members, 0, &mut written);
    let empty = after.trim_ascii_start().starts_with(b"}");
    let mut out = Vec::with_capacity(body.len() + written.len() + 1);
    out.extend_from_slice(before);
    out.extend_from_slice(written.as_bytes());
    if !empty {
        out.push(b',');
    }
    out.extend_from_slice(after);
    Ok(out)
}

/// Writes `members` (their paths from `depth` on) as the members of one object, grouping those
/// that share a name at `depth` into one nested object, in the order first seen.
fn write_members(members: &[Member], depth: usize, out: &mut String) {
    let mut done: Vec<&str> = Vec::new();
    for member in members {
        let Some(name) = member.path.get(depth) else {
            continue;
        };
        if done.contains(&&**name) {
            continue;
        }
        done.push(name);
        if !out.ends_with('{') && !out.is_empty() {
            out.push(',');
        }
        write_string(name, out);
        out.push(':');
        if member.path.len() == depth + 1 {
            match &member.value {
                Value::Text(text) => write_string(text, out),
                Value::Number(digits) => out.push_str(digits),
            }
        } else {
            let nested: Vec<Member> = members
                .iter()
                .filter(|m| m.path.len() > depth + 1 && m.path.get(depth) == Some(name))
                .cloned()
                .collect();
            out.push('{');
            write_members(&nested, depth + 1, out);
            out.push('}');
        }
    }
}

/// `text` as a JSON string.
fn write_string(text: &str, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(path: &[&str], value: Value) -> Member {
        Member {
            path: path.iter().map(|&n| n.into()).collect(),
            value,
        }
    }

    #[test]
    fn members_go_first_nested_by_path() {
        let members = [
            member(&["signature", "timestamp"], Value::Number("17".into())),
            member(&["signature", "token"], Value::Text("a\"b".into())),
            member(&["id"], Value::Text("x".into())),
        ];
        let body = write(br#" {"event-data": {"n": 1}}"#, &members).unwrap();
        assert_eq!(
            std::str::from_utf8(&body).unwrap(),
            r#" {"signature":{"timestamp":17,"token":"a\"b"},"id":"x","event-data": {"n": 1}}"#
        );
        assert_eq!(write(b"", &members[2..]).unwrap(), br#"{"id":"x"}"#);
        assert_eq!(write(b"{ }", &members[2..]).unwrap(), br#"{"id":"x" }"#);
        assert_eq!(write(b"[]", &members), Err(SignError::InvalidBody));
        assert_eq!(write(br#"{"id":1}"#, &members), Err(SignError::InvalidBody));
        assert_eq!(write(b"not json", &[]).unwrap(), b"not json");
    }
}

//! The bodies a signed body may have been before something re-serialized it: the same JSON
//! written compact, pretty, with Python's or PHP's habits, its keys sorted, its non-ASCII
//! escaped (or not); a trailing newline added or dropped; line ends changed. `explain` verifies
//! each against the signature.

use serde_json::Value;

/// One way the body may have been written when it was signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Variant {
    /// How it is written, in words: "written compact, keys sorted".
    pub(crate) description: String,
    pub(crate) body: Vec<u8>,
}

/// The variants of `body`, each different from it and from the others: at most
/// [`MAX_VARIANTS`], the JSON ones only for a body of at most [`MAX_JSON_LEN`] bytes that is
/// JSON.
pub(crate) fn variants(body: &[u8]) -> Vec<Variant> {
    let mut found: Vec<Variant> = Vec::new();
    let mut add = |description: String, candidate: Vec<u8>| {
        let new = candidate != body && found.iter().all(|v| v.body != candidate);
        if new && found.len() < MAX_VARIANTS {
            found.push(Variant {
                description,
                body: candidate,
            });
        }
    };
    for (description, candidate) in line_variants(body) {
        add(description.to_owned(), candidate);
    }
    let parsed = (body.len() <= MAX_JSON_LEN)
        .then(|| serde_json::from_slice::<Value>(body).ok())
        .flatten();
    if let Some(value) = parsed {
        for style in STYLES {
            for sorted in [false, true] {
                for ascii in [false, true] {
                    let mut text = String::new();
                    write(&value, style, sorted, ascii, 0, &mut text);
                    let mut description = style.name.to_owned();
                    if sorted {
                        description.push_str(", keys sorted");
                    }
                    if ascii {
                        description.push_str(", non-ASCII escaped as \\uXXXX");
                    }
                    add(description.clone(), text.clone().into_bytes());
                    text.push('\n');
                    add(description + ", with a trailing newline", text.into_bytes());
                }
            }
        }
    }
    found
}

/// The body with its line ends changed, or a trailing newline added or dropped.
fn line_variants(body: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    let mut out = Vec::new();
    let trimmed = body.trim_ascii_end();
    if trimmed.len() < body.len() {
        out.push(("without its trailing newline", trimmed.to_vec()));
    }
    out.push(("with a trailing newline", [body, b"\n"].concat()));
    out.push(("with a trailing CRLF", [body, b"\r\n"].concat()));
    if body.windows(2).any(|w| w == b"\r\n") {
        let mut lf = Vec::with_capacity(body.len());
        let mut bytes = body.iter().peekable();
        while let Some(&b) = bytes.next() {
            if !(b == b'\r' && bytes.peek() == Some(&&b'\n')) {
                lf.push(b);
            }
        }
        out.push(("with LF line ends (CRLF in the body received)", lf));
    }
    if body.contains(&b'\n') {
        let mut crlf = Vec::with_capacity(body.len() + body.len() / 8);
        let mut previous = 0_u8;
        for &b in body {
            if b == b'\n' && previous != b'\r' {
                crlf.push(b'\r');
            }
            crlf.push(b);
            previous = b;
        }
        out.push(("with CRLF line ends (LF in the body received)", crlf));
    }
    out
}

/// How a JSON writer lays a document out.
#[derive(Debug, Clone, Copy)]
struct Style {
    name: &'static str,
    /// One level of indentation, or `None` for one line.
    indent: Option<&'static str>,
    /// Between items on one line (`,` or `, `).
    item_separator: &'static str,
    /// Between a key and its value.
    key_separator: &'static str,
    /// Whether `/` is written `\/` (PHP's `json_encode`).
    escaped_slash: bool,
}

/// The layouts tried: those of JSON writers in common use.
const STYLES: [Style; 5] = [
    Style {
        name: "written compact (JSON.stringify, serde_json, json_encode)",
        indent: None,
        item_separator: ",",
        key_separator: ":",
        escaped_slash: false,
    },
    Style {
        name: "written with Python's json.dumps separators (\", \" and \": \")",
        indent: None,
        item_separator: ", ",
        key_separator: ": ",
        escaped_slash: false,
    },
    Style {
        name: "written compact with / escaped as \\/ (PHP's json_encode)",
        indent: None,
        item_separator: ",",
        key_separator: ":",
        escaped_slash: true,
    },
    Style {
        name: "pretty-printed with 2 spaces",
        indent: Some("  "),
        item_separator: ",",
        key_separator: ": ",
        escaped_slash: false,
    },
    Style {
        name: "pretty-printed with 4 spaces",
        indent: Some("    "),
        item_separator: ",",
        key_separator: ": ",
        escaped_slash: false,
    },
];

/// Appends `value` written in `style` (its keys sorted, its non-ASCII escaped as asked), at
/// nesting `depth`, to `out`. The depth is bounded by the parser's (128 levels).
fn write(value: &Value, style: Style, sorted: bool, ascii: bool, depth: usize, out: &mut String) {
    let newline = |out: &mut String, depth: usize| {
        if let Some(indent) = style.indent {
            out.push('\n');
            (0..depth).for_each(|_| out.push_str(indent));
        }
    };
    let separator = match style.indent {
        Some(_) => ",",
        None => style.item_separator,
    };
    match value {
        Value::Object(map) if !map.is_empty() => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            if sorted {
                members.sort_by(|a, b| a.0.cmp(b.0));
            }
            out.push('{');
            for (i, (key, member)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(separator);
                }
                newline(out, depth + 1);
                string(key, style.escaped_slash, ascii, out);
                out.push_str(style.key_separator);
                write(member, style, sorted, ascii, depth + 1, out);
            }
            newline(out, depth);
            out.push('}');
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(separator);
                }
                newline(out, depth + 1);
                write(item, style, sorted, ascii, depth + 1, out);
            }
            newline(out, depth);
            out.push(']');
        }
        Value::Object(_) => out.push_str("{}"),
        Value::Array(_) => out.push_str("[]"),
        Value::String(text) => string(text, style.escaped_slash, ascii, out),
        other => out.push_str(&other.to_string()),
    }
}

/// Appends `text` as a JSON string: `"` and `\` escaped, control characters as `\n`, `\t`, …
/// or `\u00XX`; `/` as `\/` and non-ASCII as `\uXXXX` (UTF-16, lower-case hex) when asked.
fn string(text: &str, escaped_slash: bool, ascii: bool, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '/' if escaped_slash => out.push_str("\\/"),
            c if u32::from(c) < 0x20 || (ascii && !c.is_ascii()) => {
                let mut units = [0_u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The most variants of one body.
const MAX_VARIANTS: usize = 64;

/// The largest body re-serialized as JSON.
const MAX_JSON_LEN: usize = 1024 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    fn bodies(body: &str) -> Vec<String> {
        (variants(body.as_bytes()).into_iter())
            .map(|v| String::from_utf8(v.body).unwrap())
            .collect()
    }

    #[test]
    fn json_is_rewritten_as_common_writers_write_it() {
        let all = bodies("{\"b\": [1, {}], \"a\": \"é/x\"}");
        for expected in [
            r#"{"b":[1,{}],"a":"é/x"}"#,
            r#"{"a":"é/x","b":[1,{}]}"#,
            r#"{"b":[1,{}],"a":"\u00e9/x"}"#,
            r#"{"b":[1,{}],"a":"\u00e9\/x"}"#,
            "{\n  \"b\": [\n    1,\n    {}\n  ],\n  \"a\": \"é/x\"\n}",
            "{\"b\":[1,{}],\"a\":\"é/x\"}\n",
        ] {
            assert!(all.iter().any(|b| b == expected), "{expected}: {all:#?}");
        }
        assert!(!all.iter().any(|b| b == "{\"b\": [1, {}], \"a\": \"é/x\"}"));
    }

    #[test]
    fn line_ends_and_trailing_newlines_change_both_ways() {
        let all = bodies("a\r\nb\n");
        for expected in ["a\r\nb", "a\nb\n", "a\r\nb\r\n", "a\r\nb\n\n"] {
            assert!(all.iter().any(|b| b == expected), "{expected:?}: {all:?}");
        }
    }
}

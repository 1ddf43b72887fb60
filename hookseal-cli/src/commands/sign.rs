//! `hookseal sign`: the headers to send with a body.

use serde_json::json;

use crate::args::SignCommand;
use crate::failure::Failure;
use crate::outgoing::{Outgoing, Signed};

/// The URL signed when `--url` does not give one.
const DEFAULT_URL: &str = hookseal::test_kit::SignedRequest::DEFAULT_URL;

/// Signs the body and prints the headers (with the body, where signing wrote values in it), and
/// a curl command with `--curl`.
///
/// # Errors
///
/// [`Failure::Input`] when the body cannot be signed (see [`Outgoing::read`]).
pub(crate) fn run(args: &SignCommand, json: bool) -> Result<(), Failure> {
    let outgoing = Outgoing::read(&args.sign, DEFAULT_URL)?;
    let signed = outgoing.sign(None)?;
    let curl = match &args.curl {
        Some(url) => Some(curl(&signed, url, args.sign.body.as_deref())?),
        None => None,
    };
    if json {
        let headers: Vec<_> = (signed.headers.iter())
            .map(|(name, value)| json!({ "name": name, "value": value }))
            .collect();
        let body = (signed.body_rewritten).then(|| String::from_utf8_lossy(&signed.body));
        super::print_json(&json!({
            "scheme": outgoing.scheme().name(),
            "method": signed.method,
            "url": signed.url,
            "headers": headers,
            "body": body,
            "curl": curl,
        }));
        return Ok(());
    }
    for (name, value) in &signed.headers {
        println!("{name}: {value}");
    }
    if signed.body_rewritten {
        eprintln!(
            "hookseal: {} carries signed values in the body; the body to send follows the \
             headers and a blank line",
            outgoing.scheme().name()
        );
        println!();
        println!("{}", String::from_utf8_lossy(&signed.body));
    }
    if let Some(curl) = curl {
        println!("{curl}");
    }
    Ok(())
}

/// A curl command that POSTs the signed request to `url`: the body from `file` when it was
/// read from there and sent unchanged, written in the command when it is text.
fn curl(signed: &Signed, url: &str, file: Option<&std::path::Path>) -> Result<String, Failure> {
    let mut command = format!("curl -sS -X {} {}", signed.method, quote(url));
    for (name, value) in &signed.headers {
        command.push_str(&format!(" -H {}", quote(&format!("{name}: {value}"))));
    }
    if let Some(json) = signed.implied_content_type() {
        command.push_str(&format!(" -H 'Content-Type: {json}'"));
    }
    match (file, std::str::from_utf8(&signed.body)) {
        (Some(path), _) if !signed.body_rewritten => {
            let path = path.display().to_string();
            command.push_str(&format!(" --data-binary {}", quote(&format!("@{path}"))));
        }
        (_, Ok(text)) if !text.contains('\0') => {
            command.push_str(&format!(" --data-raw {}", quote(text)));
        }
        _ => {
            return Err(Failure::input(
                "the body is not text: give it with --body FILE for --curl",
            ));
        }
    }
    Ok(command)
}

/// `text` quoted for a POSIX shell.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

//! What the tests share: running the binary, and writing captured requests.

use std::sync::atomic::{AtomicUsize, Ordering};

use assert_cmd::Command;
use serde_json::Value;

/// The time every request is signed at, and verified at.
pub(crate) const NOW: u64 = 1_700_000_000;

/// The variable tests hand the secret in.
pub(crate) const SECRET_VAR: &str = "HOOKSEAL_TEST_SECRET";

/// The binary under test.
pub(crate) fn hookseal() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hookseal"));
    command.env_remove(SECRET_VAR);
    command
}

/// Runs `args` with `secret` in [`SECRET_VAR`] and `stdin`; returns the exit code and the
/// JSON printed (the command is given `--json`).
pub(crate) fn run_json(args: &[&str], secret: &str, stdin: &[u8]) -> (i32, Value) {
    let output = hookseal()
        .args(args)
        .arg("--json")
        .env(SECRET_VAR, secret)
        .write_stdin(stdin)
        .output()
        .unwrap();
    let code = output.status.code().unwrap();
    let json = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?}: not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (code, json)
}

/// A new secret of `scheme` from `secret generate`: the secret, and the public key where it is
/// an Ed25519 signing key.
pub(crate) fn generate(scheme: &str) -> (String, Option<String>) {
    let (code, json) = run_json(&["secret", "generate", "--scheme", scheme], "", b"");
    assert_eq!(code, 0, "{scheme}: {json}");
    let public = json["public_key"].as_str().map(str::to_owned);
    (json["secret"].as_str().unwrap().to_owned(), public)
}

/// A raw HTTP/1.1 request, as a capture holds it: `url`'s path and query in the request line,
/// its host in `Host`, the headers, `Content-Length` and the body.
pub(crate) fn raw_request(
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Vec<u8> {
    let after_scheme = url.split_once("://").unwrap().1;
    let (host, target) = match after_scheme.find('/') {
        Some(at) => after_scheme.split_at(at),
        None => (after_scheme, "/"),
    };
    let mut raw = format!("{method} {target} HTTP/1.1\r\nHost: {host}\r\n");
    for (name, value) in headers {
        raw.push_str(&format!("{name}: {value}\r\n"));
    }
    raw.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut raw = raw.into_bytes();
    raw.extend_from_slice(body);
    raw
}

/// Writes `bytes` to a new file in the target's temporary directory, named after `name` and
/// unique to the call (tests run in parallel).
pub(crate) fn temp_file(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("hookseal-cli-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let unique = NEXT.fetch_add(1, Ordering::Relaxed);
    let path = dir.join(format!("{}-{unique}-{name}", std::process::id()));
    std::fs::write(&path, bytes).unwrap();
    path
}

/// `sign --json`'s headers as pairs.
pub(crate) fn headers(signed: &Value) -> Vec<(String, String)> {
    (signed["headers"].as_array().unwrap().iter())
        .map(|h| {
            (
                h["name"].as_str().unwrap().to_owned(),
                h["value"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

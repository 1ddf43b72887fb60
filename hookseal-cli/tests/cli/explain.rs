//! `explain` names each class of mistake, made here the way users make it: a body rewritten
//! after signing, a secret read in another format, another preset's layout, a clock off, a
//! URL changed by a proxy.

use hookseal::{Keyring, Scheme, Signer, Timestamp, dangerous};
use serde_json::Value;

use crate::common::{NOW, SECRET_VAR, headers, raw_request, run_json, temp_file};

const URL: &str = "https://example.com/webhook";

/// The headers `sign --json` prints for `body`, signed at [`NOW`] with `secret`.
fn sign(scheme: &str, secret: &str, body: &[u8], extra: &[&str]) -> Vec<(String, String)> {
    let at = NOW.to_string();
    let mut args = vec!["sign", "--scheme", scheme, "--secret-env", SECRET_VAR];
    args.extend(["--timestamp", &at, "--id", "evt_1"]);
    args.extend(extra);
    let (code, signed) = run_json(&args, secret, body);
    assert_eq!(code, 0, "{signed}");
    headers(&signed)
}

/// `explain --json` on `raw`, at `at`: the exit code and the JSON.
fn explain(scheme: &str, secret: &str, raw: &[u8], at: u64, extra: &[&str]) -> (i32, Value) {
    let file = temp_file(&format!("explain-{scheme}-{at}-{}.http", raw.len()), raw);
    let (file, at) = (file.to_str().unwrap().to_owned(), at.to_string());
    let mut args = vec!["explain", "--scheme", scheme, "--secret-env", SECRET_VAR];
    args.extend(["--request", &file, "--at", &at]);
    args.extend(extra);
    run_json(&args, secret, b"")
}

/// Asserts the explanation names `class`, with `words` in its detail.
fn assert_cause(explained: &(i32, Value), class: &str, words: &str) {
    let (code, json) = explained;
    assert_eq!(*code, 1, "{json}");
    assert_eq!(json["verified"], false, "{json}");
    assert_eq!(json["cause"]["class"], class, "{json}");
    let detail = json["cause"]["detail"].as_str().unwrap();
    assert!(detail.contains(words), "{words:?} not in {detail:?}");
}

const STRIPE_SECRET: &str = "whsec_0123456789abcdefghijklmnopqrstuv";

#[test]
fn a_request_that_verifies_has_nothing_to_explain() {
    let body = br#"{"id":"evt_1"}"#;
    let headers = sign("stripe", STRIPE_SECRET, body, &[]);
    let (code, json) = explain(
        "stripe",
        STRIPE_SECRET,
        &raw_request("POST", URL, &headers, body),
        NOW,
        &[],
    );
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["verified"], true);
    assert_eq!(json["cause"], Value::Null);
}

#[test]
fn a_body_re_serialized_after_signing_is_named_with_how_it_was_signed() {
    // (what the sender signed, what the receiver's middleware made of it, how explain says the
    // signed body was written)
    let cases: [(&str, &str, &str); 7] = [
        // Pretty-printed after signing compact.
        (
            r#"{"id":"evt_1","data":{"amount":1200}}"#,
            "{\n  \"id\": \"evt_1\",\n  \"data\": {\n    \"amount\": 1200\n  }\n}",
            "written compact",
        ),
        // Compacted after signing pretty.
        (
            "{\n  \"id\": \"evt_1\",\n  \"data\": [\n    1,\n    2\n  ]\n}",
            r#"{"id":"evt_1","data":[1,2]}"#,
            "pretty-printed with 2 spaces",
        ),
        // Keys reordered after signing sorted.
        (
            r#"{"amount":1200,"currency":"eur","id":"evt_1"}"#,
            r#"{"id":"evt_1","currency":"eur","amount":1200}"#,
            "keys sorted",
        ),
        // Non-ASCII unescaped after signing escaped.
        (
            r#"{"name":"Zo\u00eb \u2603"}"#,
            r#"{"name":"Zoë ☃"}"#,
            "non-ASCII escaped as \\uXXXX",
        ),
        // The trailing newline dropped.
        (
            "{\"id\":\"evt_1\"}\n",
            r#"{"id":"evt_1"}"#,
            "with a trailing newline",
        ),
        // CRLF turned into LF.
        (
            "line one\r\nline two\r\n",
            "line one\nline two\n",
            "with CRLF line ends",
        ),
        // LF turned into CRLF.
        (
            "line one\nline two",
            "line one\r\nline two",
            "with LF line ends",
        ),
    ];
    for (signed, received, words) in cases {
        let headers = sign("stripe", STRIPE_SECRET, signed.as_bytes(), &[]);
        let raw = raw_request("POST", URL, &headers, received.as_bytes());
        let explained = explain("stripe", STRIPE_SECRET, &raw, NOW, &[]);
        assert_cause(&explained, "body_reserialized", words);
        assert_eq!(explained.1["code"], "signature_mismatch");
    }
}

#[test]
fn a_secret_read_in_another_format_is_named() {
    let body: &[u8] = br#"{"id":"evt_1"}"#;
    let at = Timestamp::from_unix_secs(NOW);
    // The secret as the receiver holds it, and the key the sender signed with.
    let whsec = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let decoded = Scheme::standard_webhooks().parse_secret(whsec).unwrap();
    let text = |t: &str| dangerous::short_secret(t.as_bytes().to_vec()).unwrap();
    let cases = [
        // Standard Webhooks decodes whsec_ secrets; the sender used the text (prefix kept).
        (
            "standard-webhooks",
            whsec,
            text(whsec),
            "text used as the key, as written",
        ),
        // GitHub's secrets are text; the sender decoded the whsec_ secret.
        ("github", whsec, decoded, "decoded from base64 after whsec_"),
        // Stripe keeps the prefix in the key; the sender dropped it.
        (
            "stripe",
            STRIPE_SECRET,
            text(&STRIPE_SECRET["whsec_".len()..]),
            "text after whsec_ used as the key (prefix dropped)",
        ),
        // The receiver holds the text without its prefix; the sender kept it.
        (
            "github",
            "0123456789abcdefghijklmnopqrstuv",
            text("whsec_0123456789abcdefghijklmnopqrstuv"),
            "text with whsec_ in front used as the key (prefix kept)",
        ),
    ];
    for (name, held, sender_key, words) in cases {
        let scheme = Scheme::presets()
            .into_iter()
            .find(|s| s.name() == name)
            .unwrap();
        let signer = Signer::new(scheme, Keyring::single(sender_key));
        let headers: Vec<(String, String)> = (signer.sign_at(Some("evt_1"), body, at).unwrap())
            .iter()
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect();
        let raw = raw_request("POST", URL, &headers, body);
        assert_cause(&explain(name, held, &raw, NOW, &[]), "secret_format", words);
    }
}

#[test]
fn another_presets_layout_is_named() {
    // Slack and Zoom sign alike under different headers; Stripe and Mux under different names.
    for (signed_as, verified_as) in [("slack", "zoom"), ("stripe", "github")] {
        let body = br#"{"id":"evt_1"}"#;
        let headers = sign(signed_as, STRIPE_SECRET, body, &[]);
        let raw = raw_request("POST", URL, &headers, body);
        let explained = explain(verified_as, STRIPE_SECRET, &raw, NOW, &[]);
        assert_cause(
            &explained,
            "scheme_layout",
            &format!("verifies as {signed_as}"),
        );
        assert_eq!(explained.1["code"], "missing_header");
    }
}

#[test]
fn a_clock_skew_is_named_with_its_size_and_direction() {
    let body = br#"{"id":"evt_1"}"#;
    let headers = sign("stripe", STRIPE_SECRET, body, &[]);
    let raw = raw_request("POST", URL, &headers, body);
    let late = explain("stripe", STRIPE_SECRET, &raw, NOW + 1000, &[]);
    assert_cause(&late, "clock_skew", "1000 s old");
    assert_eq!(late.1["cause"]["skew_secs"], 1000);
    assert_eq!(late.1["code"], "timestamp_too_old");
    let early = explain("stripe", STRIPE_SECRET, &raw, NOW - 500, &[]);
    assert_cause(&early, "clock_skew", "500 s in the future");
    assert_eq!(early.1["cause"]["skew_secs"], -500);
    assert_eq!(early.1["code"], "timestamp_in_future");
    // A body rewritten as well: the body is the cause, and the skew is told besides.
    let raw = raw_request("POST", URL, &headers, b"{\n  \"id\": \"evt_1\"\n}");
    let both = explain("stripe", STRIPE_SECRET, &raw, NOW + 1000, &[]);
    assert_cause(
        &both,
        "body_reserialized",
        "Besides, the timestamp is 1000 s old",
    );
    assert_eq!(both.1["cause"]["skew_secs"], 1000);
}

#[test]
fn a_url_changed_by_a_proxy_is_named() {
    let secret = "square-signature-key-0123456789";
    let body = br#"{"event_id":"evt_1"}"#;
    // The sender signed the public URL; behind a proxy the server sees its own host and port,
    // with the public one in X-Forwarded-Host.
    let headers = sign(
        "square",
        secret,
        body,
        &["--url", "https://hooks.example.com/square"],
    );
    let mut proxied = headers.clone();
    proxied.push((
        "X-Forwarded-Host".to_owned(),
        "hooks.example.com".to_owned(),
    ));
    let raw = raw_request("POST", "http://10.0.0.7:8080/square", &proxied, body);
    let explained = explain("square", secret, &raw, NOW, &[]);
    assert_cause(&explained, "url_changed", "https://hooks.example.com;");
    // The sender signed http://; the verifier assumed https://.
    let headers = sign(
        "square",
        secret,
        body,
        &["--url", "http://hooks.example.com/square"],
    );
    let raw = raw_request("POST", "http://hooks.example.com/square", &headers, body);
    let explained = explain("square", secret, &raw, NOW, &[]);
    assert_cause(&explained, "url_changed", "http://hooks.example.com;");
    // The sender signed the default port explicitly.
    let headers = sign(
        "square",
        secret,
        body,
        &["--url", "https://hooks.example.com:443/square"],
    );
    let raw = raw_request("POST", "https://hooks.example.com/square", &headers, body);
    let explained = explain("square", secret, &raw, NOW, &[]);
    assert_cause(&explained, "url_changed", "https://hooks.example.com:443;");
}

//! Usage: help with examples for every command, usage and input errors exit 2, secrets only
//! from the environment or a file and never printed back.

use predicates::prelude::*;

use crate::common::{SECRET_VAR, hookseal, run_json, temp_file};

#[test]
fn every_command_has_help_with_examples() {
    for command in [
        &["--help"][..],
        &["secret", "generate", "--help"],
        &["sign", "--help"],
        &["send", "--help"],
        &["verify", "--help"],
        &["explain", "--help"],
    ] {
        hookseal()
            .args(command)
            .assert()
            .code(0)
            .stdout(predicate::str::contains("Examples:"));
    }
    // explain's help says why it never runs in a server.
    hookseal()
        .args(["explain", "--help"])
        .assert()
        .stdout(predicate::str::contains("never for a server"));
}

#[test]
fn usage_errors_exit_2() {
    // No such command, no secret source, two secret sources, an unknown scheme.
    hookseal().arg("frobnicate").assert().code(2);
    hookseal().args(["sign"]).write_stdin("{}").assert().code(2);
    hookseal()
        .args(["sign", "--secret-env", "A", "--secret-file", "/dev/null"])
        .assert()
        .code(2);
    let (code, json) = run_json(
        &["sign", "--scheme", "nope", "--secret-env", SECRET_VAR],
        "x",
        b"",
    );
    assert_eq!(code, 2);
    assert!(
        json["error"]
            .as_str()
            .unwrap()
            .contains("standard-webhooks, svix"),
        "{json}"
    );
    // An unset variable.
    hookseal()
        .args(["sign", "--secret-env", "HOOKSEAL_TEST_UNSET_VARIABLE"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "HOOKSEAL_TEST_UNSET_VARIABLE is not set",
        ));
}

#[test]
fn a_secret_cannot_be_given_as_an_argument() {
    for flag in ["--secret", "--key", "--secret-text"] {
        hookseal()
            .args(["sign", flag, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("unexpected argument"));
    }
}

#[test]
fn a_refused_secret_is_never_printed_back() {
    // Too short for Standard Webhooks, and not base64 for it: refused with what is wrong.
    for secret in [
        "whsec_c2hvcnQ=",
        "whsec_not-base64-at-all!!",
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    ] {
        let output = hookseal()
            .args(["sign", "--secret-env", SECRET_VAR])
            .env(SECRET_VAR, secret)
            .write_stdin("{}")
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2));
        let printed = [output.stdout, output.stderr].concat();
        let printed = String::from_utf8(printed).unwrap();
        assert!(
            printed.contains("the secret is not a signing key"),
            "{printed}"
        );
        assert!(!printed.contains(&secret["whsec_".len()..]), "{printed}");
    }
    // A secret file's secret, signed with, never appears in the output.
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let file = temp_file("secret.txt", format!("{secret}\n").as_bytes());
    hookseal()
        .args([
            "sign",
            "--id",
            "msg_1",
            "--secret-file",
            file.to_str().unwrap(),
        ])
        .write_stdin("{}")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("webhook-signature: v1,"))
        .stdout(predicate::str::contains("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").not());
}

#[test]
fn request_files_that_are_not_requests_or_too_large_exit_2() {
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let not_a_request = temp_file("not-a-request.http", b"hello\n");
    let too_large = temp_file("too-large.http", &vec![b'a'; 16 * 1024 * 1024 + 1]);
    let short_body = temp_file(
        "short-body.http",
        b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n{}",
    );
    for (file, words) in [
        (not_a_request, "not a request line"),
        (too_large, "larger than 16 MiB"),
        (short_body, "shorter than its Content-Length"),
    ] {
        let args = [
            "verify",
            "--secret-env",
            SECRET_VAR,
            "--request",
            file.to_str().unwrap(),
        ];
        let (code, json) = run_json(&args, secret, b"");
        assert_eq!(code, 2, "{json}");
        assert!(json["error"].as_str().unwrap().contains(words), "{json}");
    }
}

#[test]
fn a_signing_key_is_refused_where_a_public_key_belongs() {
    let (code, json) = run_json(&["secret", "generate", "--scheme", "discord"], "", b"");
    assert_eq!(code, 0);
    let signing = json["secret"].as_str().unwrap();
    assert!(
        signing.starts_with("whsk_") && json["public_key"].as_str().unwrap().starts_with("whpk_")
    );
    let file = temp_file(
        "any.http",
        b"POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}",
    );
    let args = [
        "verify",
        "--scheme",
        "discord",
        "--secret-env",
        SECRET_VAR,
        "--request",
        file.to_str().unwrap(),
    ];
    let (code, json) = run_json(&args, signing, b"");
    assert_eq!(code, 2, "{json}");
    assert!(
        json["error"]
            .as_str()
            .unwrap()
            .contains("verify with its public key"),
        "{json}"
    );
    assert!(
        !json.to_string().contains(&signing["whsk_".len()..]),
        "{json}"
    );
}

#[test]
fn secret_generate_prints_a_secret_each_scheme_reads() {
    use hookseal::Scheme;
    let (code, json) = run_json(&["secret", "generate"], "", b"");
    assert_eq!(code, 0);
    let secret = json["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"), "{secret}");
    assert!(Scheme::standard_webhooks().parse_secret(secret).is_ok());
    let (_, stripe) = run_json(&["secret", "generate", "--scheme", "stripe"], "", b"");
    let stripe = stripe["secret"].as_str().unwrap();
    assert!(stripe.starts_with("whsec_") && Scheme::stripe().parse_secret(stripe).is_ok());
    let (_, github) = run_json(&["secret", "generate", "--scheme", "github"], "", b"");
    let github = github["secret"].as_str().unwrap();
    assert_eq!(github.len(), 43);
    assert!(Scheme::github().parse_secret(github).is_ok());
    // Two runs, two secrets.
    let (_, again) = run_json(&["secret", "generate", "--scheme", "github"], "", b"");
    assert_ne!(again["secret"].as_str().unwrap(), github);
    let (code, json) = run_json(&["secret", "generate", "--scheme", "aws-sns"], "", b"");
    assert_eq!(code, 2, "{json}");
}

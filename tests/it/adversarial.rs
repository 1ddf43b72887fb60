//! A table of hostile inputs across the schemes, each with the exact answer it must get: sizes,
//! counts, timestamp spellings, encodings, bytes outside ASCII, whitespace, repeated and foreign
//! headers, and a signature given where a secret belongs.

use hookseal::{
    HeaderKind, Keyring, Scheme, Secret, SecretError, Signer, Timestamp, TimestampReason, Verifier,
    VerifyError,
};

use crate::common::NOW;

use HeaderKind::{Id, Signature, Timestamp as Ts};
use VerifyError::*;

const BODY: &[u8] = br#"{"id":"evt_1","type":"invoice.paid"}"#;

type Headers = Vec<(String, Vec<u8>)>;

fn keyring() -> Keyring {
    Keyring::single(Secret::from_bytes([7_u8; 32]).unwrap())
}

/// The headers a sender of `scheme` sends for `BODY` at `NOW`.
fn signed(scheme: &Scheme) -> Headers {
    Signer::new(scheme.clone(), keyring())
        .sign_at(Some("msg_1"), BODY, Timestamp::from_unix_secs(NOW))
        .unwrap()
        .iter()
        .map(|(n, v)| (n.to_owned(), v.as_bytes().to_vec()))
        .collect()
}

fn get(headers: &Headers, name: &str) -> String {
    let (_, v) = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .unwrap();
    String::from_utf8(v.clone()).unwrap()
}

/// `headers` with `name` set to `value` (added if absent).
fn set(mut headers: Headers, name: &str, value: impl Into<Vec<u8>>) -> Headers {
    headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    headers.push((name.to_owned(), value.into()));
    headers
}

fn without(mut headers: Headers, name: &str) -> Headers {
    headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    headers
}

fn twice(mut headers: Headers, name: &str) -> Headers {
    let copy = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .unwrap()
        .clone();
    headers.push(copy);
    headers
}

#[test]
#[allow(clippy::too_many_lines)]
fn every_hostile_input_gets_its_exact_answer() {
    let stripe = Scheme::stripe();
    let sw = Scheme::standard_webhooks();
    let github = Scheme::github();
    let slack = Scheme::slack();
    let shopify = Scheme::shopify();

    // Stripe's `t=<ts>,v1=<hex>` list carries the timestamp and hex cases.
    let st = signed(&stripe);
    let st_sig = get(&st, "Stripe-Signature");
    let st_tag = st_sig.split_once(",v1=").unwrap().1.to_owned();
    let sts = |v: &str| set(st.clone(), "Stripe-Signature", v);
    let stsb = |v: &[u8]| set(st.clone(), "Stripe-Signature", v);

    let w = signed(&sw);
    let w_sig = get(&w, "webhook-signature");
    let w_b64 = w_sig.strip_prefix("v1,").unwrap().to_owned();
    let ws = |v: &str| set(w.clone(), "webhook-signature", v);

    let g = signed(&github);
    let g_hex = get(&g, "X-Hub-Signature-256")
        .strip_prefix("sha256=")
        .unwrap()
        .to_owned();
    let gs = |v: &str| set(g.clone(), "X-Hub-Signature-256", v);

    let sl = signed(&slack);
    let sl_ts = |v: &str| set(sl.clone(), "X-Slack-Request-Timestamp", v);

    let sh = signed(&shopify);
    let sh_b64 = get(&sh, "X-Shopify-Hmac-Sha256");
    let shs = |v: &str| set(sh.clone(), "X-Shopify-Hmac-Sha256", v);

    let zeros64 = "0".repeat(64);
    let many: String = (0..10_000)
        .map(|_| format!("v1={zeros64}"))
        .collect::<Vec<_>>()
        .join(",");
    let nine: String = (0..9)
        .map(|_| format!("v1={zeros64}"))
        .collect::<Vec<_>>()
        .join(",");
    let zeros_b64 = "A".repeat(43) + "=";
    let many_b64: String = (0..10_000)
        .map(|_| format!("v1,{zeros_b64}"))
        .collect::<Vec<_>>()
        .join(" ");
    let nine_b64: String = (0..9)
        .map(|_| format!("v1,{zeros_b64}"))
        .collect::<Vec<_>>()
        .join(" ");
    let mib = "a".repeat(1 << 20);
    let bad_tail = {
        // The last base64 character carries two unused bits; set one of them.
        let mut b = w_b64.clone().into_bytes();
        let at = b.len() - 2;
        b[at] = match b[at] {
            b'A' => b'B',
            c if c.is_ascii_uppercase() && c != b'Z' => c + 1,
            _ => b'B',
        };
        String::from_utf8(b).unwrap()
    };

    let ok = Ok::<(), VerifyError>(());
    let cases: Vec<(&str, &Scheme, Headers, Result<(), VerifyError>)> = vec![
        // The valid requests, as the baseline every mutation departs from.
        ("stripe valid", &stripe, st.clone(), ok.clone()),
        ("standard webhooks valid", &sw, w.clone(), ok.clone()),
        ("github valid", &github, g.clone(), ok.clone()),
        ("slack valid", &slack, sl.clone(), ok.clone()),
        ("shopify valid", &shopify, sh.clone(), ok.clone()),
        // Presence, size, count.
        (
            "no headers at all",
            &stripe,
            Vec::new(),
            Err(MissingHeader(Signature)),
        ),
        (
            "empty signature header",
            &stripe,
            sts(""),
            Err(MalformedHeader(Signature)),
        ),
        (
            "only spaces",
            &stripe,
            sts("  \t "),
            Err(MalformedHeader(Signature)),
        ),
        (
            "1 MiB signature header",
            &stripe,
            sts(&mib),
            Err(HeaderTooLong(Signature)),
        ),
        (
            "10,000 signature entries",
            &stripe,
            sts(&format!("t={NOW},{many}")),
            Err(HeaderTooLong(Signature)),
        ),
        (
            "nine signatures, one over the cap",
            &stripe,
            sts(&format!("t={NOW},{nine}")),
            Err(TooManySignatures { max: 8 }),
        ),
        (
            "10,000 v1, entries",
            &sw,
            ws(&many_b64),
            Err(HeaderTooLong(Signature)),
        ),
        (
            "nine v1, entries, one over the cap",
            &sw,
            ws(&nine_b64),
            Err(TooManySignatures { max: 8 }),
        ),
        // An id is 1 to 255 visible ASCII characters; the length is checked before the characters.
        (
            "1 MiB id header",
            &sw,
            set(w.clone(), "webhook-id", mib.clone()),
            Err(InvalidId),
        ),
        (
            "repeated signature header",
            &stripe,
            twice(st.clone(), "Stripe-Signature"),
            Err(DuplicateHeader(Signature)),
        ),
        (
            "repeated id header",
            &sw,
            twice(w.clone(), "webhook-id"),
            Err(DuplicateHeader(Id)),
        ),
        // Timestamps.
        (
            "duplicate t=",
            &stripe,
            sts(&format!("t={NOW},t={NOW},v1={st_tag}")),
            Err(DuplicateTimestamp),
        ),
        (
            "t=+123",
            &stripe,
            sts(&format!("t=+{NOW},v1={st_tag}")),
            Err(InvalidTimestamp(TimestampReason::NotDigits)),
        ),
        (
            "t=0123",
            &stripe,
            sts(&format!("t=0{NOW},v1={st_tag}")),
            Err(InvalidTimestamp(TimestampReason::LeadingZero)),
        ),
        (
            "t=1e9",
            &stripe,
            sts(&format!("t=1e9,v1={st_tag}")),
            Err(InvalidTimestamp(TimestampReason::NotDigits)),
        ),
        (
            "t=-1",
            &stripe,
            sts(&format!("t=-1,v1={st_tag}")),
            Err(InvalidTimestamp(TimestampReason::NotDigits)),
        ),
        (
            "t= past u64::MAX",
            &stripe,
            sts(&format!("t=18446744073709551616,v1={st_tag}")),
            Err(InvalidTimestamp(TimestampReason::TooLarge)),
        ),
        // An empty value is a syntax error of the list, before any value is read.
        (
            "t= empty",
            &stripe,
            sts(&format!("t=,v1={st_tag}")),
            Err(MalformedHeader(Signature)),
        ),
        (
            "t= fractional",
            &stripe,
            sts(&format!("t={NOW}.5,v1={st_tag}")),
            Err(InvalidTimestamp(TimestampReason::NotDigits)),
        ),
        (
            "t= u64::MAX itself",
            &stripe,
            sts(&format!("t=18446744073709551615,v1={st_tag}")),
            Err(TimestampInFuture),
        ),
        (
            "no t=",
            &stripe,
            sts(&format!("v1={st_tag}")),
            Err(MissingTimestamp),
        ),
        (
            "stale t=",
            &stripe,
            sts(&format!("t={},v1={st_tag}", NOW - 301)),
            Err(TimestampTooOld),
        ),
        (
            "future t=",
            &stripe,
            sts(&format!("t={},v1={st_tag}", NOW + 301)),
            Err(TimestampInFuture),
        ),
        (
            "t= zero",
            &stripe,
            sts(&format!("t=0,v1={st_tag}")),
            Err(TimestampTooOld),
        ),
        // Encodings.
        (
            "bad hex",
            &stripe,
            sts(&format!("t={NOW},v1={}", "zz".repeat(32))),
            Err(MalformedSignature),
        ),
        (
            "uppercase hex",
            &stripe,
            sts(&format!("t={NOW},v1={}", st_tag.to_uppercase())),
            Err(MalformedSignature),
        ),
        (
            "hex one short",
            &stripe,
            sts(&format!("t={NOW},v1={}", &st_tag[..63])),
            Err(MalformedSignature),
        ),
        (
            "hex one long",
            &stripe,
            sts(&format!("t={NOW},v1={st_tag}0")),
            Err(MalformedSignature),
        ),
        (
            "empty v1=",
            &stripe,
            sts(&format!("t={NOW},v1=")),
            Err(MalformedHeader(Signature)),
        ),
        (
            "a right tag for other bytes",
            &stripe,
            sts(&format!("t={NOW},v1={zeros64}")),
            Err(NoMatchingSignature),
        ),
        (
            "only v0",
            &stripe,
            sts(&format!("t={NOW},v0={st_tag}")),
            Err(MissingSignature),
        ),
        (
            "base64 where hex belongs",
            &stripe,
            sts(&format!("t={NOW},v1={w_b64}")),
            Err(MalformedSignature),
        ),
        // Bytes outside ASCII.
        // Bytes outside visible ASCII fail the header before any value is decoded.
        (
            "NUL in the signature header",
            &stripe,
            stsb(format!("t={NOW},v1={st_tag}\0").as_bytes()),
            Err(MalformedHeader(Signature)),
        ),
        (
            "NUL before the header",
            &stripe,
            stsb(format!("\0t={NOW},v1={st_tag}").as_bytes()),
            Err(MalformedHeader(Signature)),
        ),
        (
            "non-ASCII in the signature header",
            &stripe,
            stsb(format!("t={NOW},v1={st_tag},x=\u{e9}").as_bytes()),
            Err(MalformedHeader(Signature)),
        ),
        (
            "invalid UTF-8 in the signature header",
            &stripe,
            stsb(&[b"t=1,v1=".as_slice(), &[0xff, 0xfe]].concat()),
            Err(MalformedHeader(Signature)),
        ),
        (
            "non-ASCII id",
            &sw,
            set(w.clone(), "webhook-id", "evt_\u{e9}"),
            Err(InvalidId),
        ),
        (
            "id with a space",
            &sw,
            set(w.clone(), "webhook-id", "evt 1"),
            Err(InvalidId),
        ),
        (
            "id with NUL",
            &sw,
            set(w.clone(), "webhook-id", b"evt\0".to_vec()),
            Err(InvalidId),
        ),
        // Whitespace.
        (
            "surrounding spaces and tabs are trimmed",
            &stripe,
            sts(&format!(" \t{st_sig}\t ")),
            ok.clone(),
        ),
        (
            "space after a comma",
            &stripe,
            sts(&format!("t={NOW}, v1={st_tag}")),
            Err(MalformedHeader(Signature)),
        ),
        (
            "space around =",
            &stripe,
            sts(&format!("t = {NOW},v1={st_tag}")),
            Err(MalformedHeader(Signature)),
        ),
        (
            "tab inside",
            &stripe,
            sts(&format!("t={NOW},\tv1={st_tag}")),
            Err(MalformedHeader(Signature)),
        ),
        (
            "newline inside",
            &stripe,
            sts(&format!("t={NOW},\nv1={st_tag}")),
            Err(MalformedHeader(Signature)),
        ),
        (
            "trailing comma",
            &stripe,
            sts(&format!("{st_sig},")),
            Err(MalformedHeader(Signature)),
        ),
        // Foreign headers and separators.
        (
            "Stripe's header sent to the default scheme",
            &sw,
            set(
                without(w.clone(), "webhook-signature"),
                "Stripe-Signature",
                st_sig.clone(),
            ),
            Err(MissingHeader(Signature)),
        ),
        (
            "the default scheme's header sent to Stripe",
            &stripe,
            set(Vec::new(), "webhook-signature", w_sig.clone()),
            Err(MissingHeader(Signature)),
        ),
        // Split on `,` only, the whole value is one `t=` entry, and not digits.
        (
            "Paddle's ; separator sent to Stripe",
            &stripe,
            sts(&format!("t={NOW};v1={st_tag}")),
            Err(InvalidTimestamp(TimestampReason::NotDigits)),
        ),
        (
            "Stripe entries in any order",
            &stripe,
            sts(&format!("v1={st_tag},t={NOW}")),
            ok.clone(),
        ),
        // Standard Webhooks: its three headers and base64.
        (
            "no webhook-id",
            &sw,
            without(w.clone(), "webhook-id"),
            Err(MissingHeader(Id)),
        ),
        (
            "no webhook-timestamp",
            &sw,
            without(w.clone(), "webhook-timestamp"),
            Err(MissingHeader(Ts)),
        ),
        (
            "repeated webhook-timestamp",
            &sw,
            twice(w.clone(), "webhook-timestamp"),
            Err(DuplicateHeader(Ts)),
        ),
        (
            "webhook-timestamp +",
            &sw,
            set(w.clone(), "webhook-timestamp", format!("+{NOW}")),
            Err(InvalidTimestamp(TimestampReason::NotDigits)),
        ),
        (
            "webhook-timestamp in milliseconds",
            &sw,
            set(w.clone(), "webhook-timestamp", format!("{NOW}000")),
            Err(TimestampInFuture),
        ),
        (
            "a changed webhook-id",
            &sw,
            set(w.clone(), "webhook-id", "msg_2"),
            Err(NoMatchingSignature),
        ),
        (
            "base64 without padding",
            &sw,
            ws(&format!("v1,{}", w_b64.trim_end_matches('='))),
            Err(MalformedSignature),
        ),
        (
            "base64 with extra padding",
            &sw,
            ws(&format!("v1,{w_b64}==")),
            Err(MalformedSignature),
        ),
        (
            "base64 with a bit past the end",
            &sw,
            ws(&format!("v1,{bad_tail}")),
            Err(MalformedSignature),
        ),
        (
            "URL-safe base64",
            &sw,
            ws(&format!(
                "v1,{}",
                w_b64.replace('+', "-").replace('/', "_") + "-"
            )),
            Err(MalformedSignature),
        ),
        (
            "base64 with a bad character",
            &sw,
            ws(&format!("v1,!{}", &w_b64[1..])),
            Err(MalformedSignature),
        ),
        (
            "hex where base64 belongs",
            &sw,
            ws(&format!("v1,{zeros64}")),
            Err(MalformedSignature),
        ),
        (
            "v1, with nothing",
            &sw,
            ws("v1,"),
            Err(MalformedHeader(Signature)),
        ),
        (
            "two spaces between entries",
            &sw,
            ws(&format!("v2,abc  {w_sig}")),
            Err(MalformedHeader(Signature)),
        ),
        (
            "only v2",
            &sw,
            ws(&format!("v2,{w_b64}")),
            Err(MissingSignature),
        ),
        // GitHub.
        (
            "sha256= with nothing",
            &github,
            gs("sha256="),
            Err(MalformedHeader(Signature)),
        ),
        (
            "sha1= in the SHA-256 header",
            &github,
            gs(&format!("sha1={}", &g_hex[..40])),
            Err(MissingSignature),
        ),
        (
            "uppercase hex for GitHub",
            &github,
            gs(&format!("sha256={}", g_hex.to_uppercase())),
            Err(MalformedSignature),
        ),
        (
            "bare hex for GitHub",
            &github,
            gs(&g_hex),
            Err(MalformedHeader(Signature)),
        ),
        (
            "no GitHub signature",
            &github,
            without(g.clone(), "X-Hub-Signature-256"),
            Err(MissingHeader(Signature)),
        ),
        // Slack's timestamp header.
        (
            "no Slack timestamp",
            &slack,
            without(sl.clone(), "X-Slack-Request-Timestamp"),
            Err(MissingHeader(Ts)),
        ),
        (
            "Slack timestamp 1e9",
            &slack,
            sl_ts("1e9"),
            Err(InvalidTimestamp(TimestampReason::NotDigits)),
        ),
        (
            "Slack timestamp fractional",
            &slack,
            sl_ts(&format!("{NOW}.1")),
            Err(InvalidTimestamp(TimestampReason::NotDigits)),
        ),
        (
            "repeated Slack timestamp",
            &slack,
            twice(sl.clone(), "X-Slack-Request-Timestamp"),
            Err(DuplicateHeader(Ts)),
        ),
        // Shopify's bare base64.
        (
            "Shopify empty",
            &shopify,
            shs(""),
            Err(MalformedHeader(Signature)),
        ),
        (
            "Shopify hex",
            &shopify,
            shs(&zeros64),
            Err(MalformedSignature),
        ),
        (
            "Shopify base64 with a space inside",
            &shopify,
            shs(&format!("{} {}", &sh_b64[..20], &sh_b64[20..])),
            Err(MalformedHeader(Signature)),
        ),
    ];
    assert!(cases.len() >= 60, "{} cases", cases.len());

    let mut wrong = Vec::new();
    for (name, scheme, headers, expected) in &cases {
        let verifier = Verifier::new((*scheme).clone(), keyring());
        let got = verifier
            .verify_at(headers, BODY, Timestamp::from_unix_secs(NOW))
            .map(|_| ());
        if &got != expected {
            wrong.push(format!("{name}: got {got:?}, expected {expected:?}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} wrong:\n{}",
        wrong.len(),
        cases.len(),
        wrong.join("\n")
    );
}

/// A signature, a signature header or a tag, given where a secret belongs, is refused as such.
#[test]
fn signatures_given_as_secrets_are_refused() {
    let cases: [(&str, &str, SecretError); 5] = [
        (
            "svix signature",
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
            SecretError::LooksLikeSignature,
        ),
        (
            "Stripe header",
            "t=1492774577,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd",
            SecretError::LooksLikeSignature,
        ),
        (
            "GitHub header",
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
            SecretError::LooksLikeSignature,
        ),
        (
            "signing key",
            "whsk_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            SecretError::WrongKeyKind {
                expected: "an HMAC secret",
            },
        ),
        (
            "public key",
            "whpk_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            SecretError::WrongKeyKind {
                expected: "an HMAC secret",
            },
        ),
    ];
    for (name, text, expected) in cases {
        assert_eq!(Secret::from_base64(text).unwrap_err(), expected, "{name}");
    }
}

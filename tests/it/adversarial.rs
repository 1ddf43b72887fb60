//! A table of hostile inputs across the schemes, each with the exact answer it must get: sizes,
//! counts, timestamp spellings, encodings, bytes outside ASCII, whitespace, repeated and foreign
//! headers, and a signature given where a secret belongs. Every preset gets them, adapted to
//! where it carries its signature, timestamp and id (a header, a parameter, a member of the JSON
//! body) and to what it signs besides the body: the method, the target and the public URL
//! (Twilio, Square, HubSpot), the form (Twilio), members of the body (Linear, Mailgun), the
//! headers the signature header lists (Hook0, Coinbase CDP).
//!
//! The presets whose providers sign with a private key (SendGrid, AWS SNS, PayPal, Google Pub/Sub)
//! get a second table, built from the providers' own deliveries: see
//! `every_hostile_delivery_gets_its_exact_answer`.

use hookseal::{
    HeaderKind, Keyring, RequestView, Scheme, Secret, SecretError, Signer, Timestamp,
    TimestampReason, Verifier, VerifyError,
};

use crate::common::NOW;

use HeaderKind::{Id, Listed, Signature, Timestamp as Ts};
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

    // Each case above sends its headers with `BODY`; the presets that sign the request line or
    // read the body get their cases from `preset_cases`, with their own requests.
    let mut cases: Vec<Case> = cases
        .into_iter()
        .map(|(name, scheme, headers, expected)| Case {
            name: name.to_owned(),
            scheme: scheme.clone(),
            request: Request::headers(headers),
            expected,
        })
        .collect();
    let before = cases.len();
    for preset in presets() {
        cases.extend(preset_cases(&preset));
    }
    let minimum = if cfg!(feature = "ed25519") {
        1180
    } else {
        1080
    };
    assert!(
        cases.len() - before >= minimum,
        "{} preset cases",
        cases.len() - before
    );

    let mut wrong = Vec::new();
    for case in &cases {
        let got = case.request.verify(&case.scheme);
        if got != case.expected {
            wrong.push(format!(
                "{}: got {got:?}, expected {:?}",
                case.name, case.expected
            ));
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

// The presets of the provider wave get the same hostile inputs, adapted to where each carries
// its signature, timestamp and id (a header, a parameter of the signature header, a member of
// the JSON body) and to what it signs besides the body (the method, the URL, the form).

/// The public URL the verifiers are given, and the request line senders sign for the schemes
/// that sign it (`PUBLIC_URL` + `TARGET`).
const PUBLIC_URL: &str = "https://example.com";
const METHOD: &str = "POST";
const TARGET: &str = "/hooks/in?account=7";
/// Twilio's body: a form.
const FORM: &str = "CallSid=CA1234567890ABCDE&From=%2B14158675309&Body=hello+world";
/// Mailgun's token.
const TOKEN: &str = "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0";
/// The Ed25519 signing key of the Discord and Telnyx senders (Svix's published test key).
#[cfg(feature = "ed25519")]
const WHSK: &str =
    "whsk_6Xb/dCcHpPea21PS1N9VY/NZW723CEc77N4rJCubMbfVKIDij2HKpMKkioLlX0dRqSKJp4AJ6p9lMicMFs6Kvg==";

/// One row of the table.
struct Case {
    name: String,
    scheme: Scheme,
    request: Request,
    expected: Result<(), VerifyError>,
}

/// A request as received: its request line (for the schemes that sign it), headers and body,
/// and the public URL its verifier is given.
#[derive(Clone)]
struct Request {
    line: Option<(String, String)>,
    headers: Headers,
    body: Vec<u8>,
    public_url: Option<String>,
}

impl Request {
    /// `headers` with `BODY`, and no request line.
    fn headers(headers: Headers) -> Self {
        Self {
            line: None,
            headers,
            body: BODY.to_vec(),
            public_url: Some(PUBLIC_URL.to_owned()),
        }
    }

    /// Verifies the request at `NOW`, with the key of `scheme`'s senders.
    fn verify(&self, scheme: &Scheme) -> Result<(), VerifyError> {
        let mut verifier = Verifier::new(scheme.clone(), verifying_keyring(scheme));
        if let Some(url) = &self.public_url {
            verifier = verifier.with_public_url(url).unwrap();
        }
        let now = Timestamp::from_unix_secs(NOW);
        match &self.line {
            Some((method, target)) => {
                let request = RequestView::new(method, target, &self.headers);
                verifier.verify_at(&request, &self.body, now).map(|_| ())
            }
            None => verifier
                .verify_at(&self.headers, &self.body, now)
                .map(|_| ()),
        }
    }

    fn header(mut self, name: &str, value: impl Into<Vec<u8>>) -> Self {
        self.headers = set(self.headers, name, value);
        self
    }

    fn without(mut self, name: &str) -> Self {
        self.headers = without(self.headers, name);
        self
    }

    fn twice(mut self, name: &str) -> Self {
        self.headers = twice(self.headers, name);
        self
    }

    fn no_headers(mut self) -> Self {
        self.headers.clear();
        self
    }

    fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// The body with the first `from` replaced by `to`.
    fn edit_body(self, from: &str, to: &str) -> Self {
        let body = String::from_utf8(self.body.clone()).unwrap();
        assert!(body.contains(from), "{from:?} not in {body:?}");
        self.body(body.replacen(from, to, 1))
    }

    fn line(mut self, method: &str, target: &str) -> Self {
        self.line = Some((method.to_owned(), target.to_owned()));
        self
    }

    fn no_line(mut self) -> Self {
        self.line = None;
        self
    }

    fn public_url(mut self, url: Option<&str>) -> Self {
        self.public_url = url.map(str::to_owned);
        self
    }
}

/// Where a preset carries its timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stamp {
    None,
    /// A header of its own.
    Header(&'static str),
    /// The `t=` parameter of the signature header.
    Param,
    /// A member of the JSON body.
    Member,
}

/// How a preset writes its timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Secs,
    Millis,
    Rfc3339,
}

/// The syntax of a preset's signature header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Syntax {
    /// `key=value` entries after `separator`, the tags under `signature` (`v1`), the
    /// timestamp (if any) under `timestamp` (`t`).
    Params {
        separator: &'static str,
        signature: &'static str,
        timestamp: &'static str,
    },
    /// `v1,<tag>` entries split by spaces.
    Versioned,
    /// One tag after this prefix (possibly none).
    Single(&'static str),
}

/// A preset as its provider documents it, written out here rather than read from the scheme,
/// so that each case states what the provider sends.
struct Preset {
    scheme: Scheme,
    /// The signature header; `None` for Mailgun, whose signature is a member of the body.
    signature: Option<&'static str>,
    syntax: Syntax,
    hex: bool,
    /// The signature's length in bytes: 32 (HMAC-SHA256), 20 (HMAC-SHA1), 64 (Ed25519).
    tag_len: usize,
    ts: Stamp,
    unit: Unit,
    /// The id header, and whether the id is signed.
    id: Option<(&'static str, bool)>,
    /// Whether the method and the URL are signed.
    signs_method: bool,
    signs_url: bool,
    /// The most signatures one request may carry.
    max_signatures: usize,
    /// Whether the signature header lists the headers signed (Hook0's `h=`); senders list the
    /// id header.
    lists_headers: bool,
}

fn presets() -> Vec<Preset> {
    let p = |scheme, signature, syntax, hex, tag_len, ts, unit, id| Preset {
        scheme,
        signature: Some(signature),
        syntax,
        hex,
        tag_len,
        ts,
        unit,
        id,
        signs_method: false,
        signs_url: false,
        max_signatures: 8,
        lists_headers: false,
    };
    let bare = Syntax::Single("");
    let secs = Unit::Secs;
    let params = |separator| Syntax::Params {
        separator,
        signature: "v1",
        timestamp: "t",
    };
    #[allow(unused_mut)]
    let mut all = vec![
        p(
            Scheme::svix(),
            "svix-signature",
            Syntax::Versioned,
            false,
            32,
            Stamp::Header("svix-timestamp"),
            secs,
            Some(("svix-id", true)),
        ),
        // Paddle's `ts=<secs>;h1=<hex>`.
        p(
            Scheme::paddle(),
            "Paddle-Signature",
            Syntax::Params {
                separator: ";",
                signature: "h1",
                timestamp: "ts",
            },
            true,
            32,
            Stamp::Param,
            secs,
            None,
        ),
        p(
            Scheme::zoom(),
            "x-zm-signature",
            Syntax::Single("v0="),
            true,
            32,
            Stamp::Header("x-zm-request-timestamp"),
            secs,
            None,
        ),
        p(
            Scheme::clerk(),
            "svix-signature",
            Syntax::Versioned,
            false,
            32,
            Stamp::Header("svix-timestamp"),
            secs,
            Some(("svix-id", true)),
        ),
        p(
            Scheme::resend(),
            "svix-signature",
            Syntax::Versioned,
            false,
            32,
            Stamp::Header("svix-timestamp"),
            secs,
            Some(("svix-id", true)),
        ),
        p(
            Scheme::twitch(),
            "Twitch-Eventsub-Message-Signature",
            Syntax::Single("sha256="),
            true,
            32,
            Stamp::Header("Twitch-Eventsub-Message-Timestamp"),
            Unit::Rfc3339,
            Some(("Twitch-Eventsub-Message-Id", true)),
        ),
        // WorkOS sends one signature, and its libraries read no more.
        Preset {
            max_signatures: 1,
            ..p(
                Scheme::workos(),
                "WorkOS-Signature",
                params(", "),
                true,
                32,
                Stamp::Param,
                Unit::Millis,
                None,
            )
        },
        p(
            Scheme::mux(),
            "Mux-Signature",
            params(","),
            true,
            32,
            Stamp::Param,
            secs,
            None,
        ),
        p(
            Scheme::pagerduty(),
            "X-PagerDuty-Signature",
            params(","),
            true,
            32,
            Stamp::None,
            secs,
            Some(("X-Webhook-Id", false)),
        ),
        p(
            Scheme::intercom(),
            "X-Hub-Signature",
            Syntax::Single("sha1="),
            true,
            20,
            Stamp::None,
            secs,
            None,
        ),
        p(
            Scheme::coinbase_commerce(),
            "X-CC-Webhook-Signature",
            bare,
            true,
            32,
            Stamp::None,
            secs,
            None,
        ),
        p(
            Scheme::razorpay(),
            "X-Razorpay-Signature",
            bare,
            true,
            32,
            Stamp::None,
            secs,
            Some(("X-Razorpay-Event-Id", false)),
        ),
        p(
            Scheme::dropbox(),
            "X-Dropbox-Signature",
            bare,
            true,
            32,
            Stamp::None,
            secs,
            None,
        ),
        p(
            Scheme::meta(),
            "X-Hub-Signature-256",
            Syntax::Single("sha256="),
            true,
            32,
            Stamp::None,
            secs,
            None,
        ),
        p(
            Scheme::linear(),
            "Linear-Signature",
            bare,
            true,
            32,
            Stamp::Member,
            Unit::Millis,
            Some(("Linear-Delivery", false)),
        ),
        Preset {
            signature: None,
            ..p(
                Scheme::mailgun(),
                "",
                bare,
                true,
                32,
                Stamp::Member,
                secs,
                None,
            )
        },
        Preset {
            signs_url: true,
            ..p(
                Scheme::twilio(),
                "X-Twilio-Signature",
                bare,
                false,
                20,
                Stamp::None,
                secs,
                None,
            )
        },
        Preset {
            signs_url: true,
            ..p(
                Scheme::square(),
                "x-square-hmacsha256-signature",
                bare,
                false,
                32,
                Stamp::None,
                secs,
                None,
            )
        },
        Preset {
            signs_method: true,
            signs_url: true,
            ..p(
                Scheme::hubspot(),
                "X-HubSpot-Signature-v3",
                bare,
                false,
                32,
                Stamp::Header("X-HubSpot-Request-Timestamp"),
                Unit::Millis,
                None,
            )
        },
    ];
    // Hook0's `t=<secs>,h=<names>,v1=<hex>`, under both names; the id is signed by being listed.
    for scheme in [Scheme::hook0(), Scheme::coinbase_cdp()] {
        all.push(Preset {
            lists_headers: true,
            ..p(
                scheme,
                "X-Hook0-Signature",
                params(","),
                true,
                32,
                Stamp::Param,
                secs,
                Some(("X-Event-Id", true)),
            )
        });
    }
    #[cfg(feature = "ed25519")]
    all.extend([
        p(
            Scheme::discord(),
            "X-Signature-Ed25519",
            bare,
            true,
            64,
            Stamp::Header("X-Signature-Timestamp"),
            secs,
            None,
        ),
        p(
            Scheme::telnyx(),
            "telnyx-signature-ed25519",
            bare,
            false,
            64,
            Stamp::Header("telnyx-timestamp"),
            secs,
            None,
        ),
    ]);
    all
}

fn is_ed25519_only(scheme: &Scheme) -> bool {
    matches!(scheme.name(), "discord" | "telnyx")
}

/// The keys the verifier of `scheme` holds: the HMAC key of every other case, or the public
/// key of `WHSK` for the schemes that sign with Ed25519 alone.
fn verifying_keyring(scheme: &Scheme) -> Keyring {
    #[cfg(feature = "ed25519")]
    if is_ed25519_only(scheme) {
        let sk = hookseal::Ed25519SigningKey::from_whsk(WHSK).unwrap();
        return Keyring::new(hookseal::Key::ed25519_public("sender", sk.public_key()).unwrap())
            .unwrap();
    }
    let _ = is_ed25519_only(scheme);
    keyring()
}

/// The keys the sender of `scheme` signs with.
fn signing_keyring(scheme: &Scheme) -> Keyring {
    #[cfg(feature = "ed25519")]
    if is_ed25519_only(scheme) {
        let sk = hookseal::Ed25519SigningKey::from_whsk(WHSK).unwrap();
        return Keyring::new(hookseal::Key::ed25519_signing("sender", sk).unwrap()).unwrap();
    }
    let _ = is_ed25519_only(scheme);
    keyring()
}

/// Linear's body with `webhookTimestamp` written as `ts` (JSON text).
fn linear_body(ts: &str) -> String {
    format!(r#"{{"id":"evt_1","type":"invoice.paid","webhookTimestamp":{ts}}}"#)
}

/// The hex HMAC-SHA256 of `timestamp‖token` under the tests' key, as Mailgun signs.
fn mailgun_signature(timestamp: &str, token: &str) -> String {
    use hmac::{KeyInit as _, Mac as _};
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&[7_u8; 32]).unwrap();
    mac.update(timestamp.as_bytes());
    mac.update(token.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Mailgun's body with these members of `signature` (each written inside quotes).
fn mailgun_body(timestamp: &str, token: &str, signature: &str) -> String {
    format!(
        r#"{{"signature":{{"timestamp":"{timestamp}","token":"{token}","signature":"{signature}"}},"event-data":{{"id":"evt_1","event":"delivered"}}}}"#
    )
}

/// `bytes` in the preset's encoding.
fn encode(hex: bool, bytes: &[u8]) -> String {
    use base64::Engine as _;
    if hex {
        hex::encode(bytes)
    } else {
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }
}

impl Preset {
    fn name(&self) -> &str {
        self.scheme.name()
    }

    /// `at` (seconds) written in the preset's unit.
    fn ts_text(&self, at: u64) -> String {
        match self.unit {
            Unit::Secs => at.to_string(),
            Unit::Millis => format!("{at}000"),
            Unit::Rfc3339 => {
                // The signer writes RFC 3339; read it back from a signed request.
                let sent = self.send(at);
                get(&sent.headers, self.ts_header())
            }
        }
    }

    fn ts_header(&self) -> &'static str {
        match self.ts {
            Stamp::Header(name) => name,
            _ => panic!("{} has no timestamp header", self.name()),
        }
    }

    /// The body a sender sends at `at`: Linear's carries the timestamp, Mailgun's the
    /// signature, Twilio's is a form.
    fn body(&self, at: u64) -> Vec<u8> {
        match self.name() {
            "linear" => linear_body(&format!("{at}000")).into_bytes(),
            "mailgun" => {
                let ts = at.to_string();
                mailgun_body(&ts, TOKEN, &mailgun_signature(&ts, TOKEN)).into_bytes()
            }
            "twilio" => FORM.as_bytes().to_vec(),
            _ => BODY.to_vec(),
        }
    }

    /// The request a sender sends at `at`.
    fn send(&self, at: u64) -> Request {
        self.send_body(self.body(at), at)
    }

    /// The request a sender sends with `body` at `at`, to `PUBLIC_URL` + `TARGET`.
    fn send_body(&self, body: Vec<u8>, at: u64) -> Request {
        self.send_to(&format!("{PUBLIC_URL}{TARGET}"), body, at)
    }

    /// The request a sender sends with `body` at `at` to `url`.
    fn send_to(&self, url: &str, body: Vec<u8>, at: u64) -> Request {
        let signer = Signer::new(self.scheme.clone(), signing_keyring(&self.scheme));
        let id = self.id.map(|_| "msg_1");
        let t = Timestamp::from_unix_secs(at);
        let signed = if self.signature.is_none() {
            // Mailgun: the crate verifies its deliveries but does not write them; the
            // signature is in `body`.
            assert_eq!(
                signer.sign_at(id, &body, t).unwrap_err(),
                hookseal::SignError::SignatureInBody
            );
            Vec::new()
        } else if self.signs_url {
            signer
                .sign_request_at(METHOD, url, id, &body, t)
                .unwrap()
                .iter()
                .map(|(n, v)| (n.to_owned(), v.as_bytes().to_vec()))
                .collect()
        } else {
            signer
                .sign_at(id, &body, t)
                .unwrap()
                .iter()
                .map(|(n, v)| (n.to_owned(), v.as_bytes().to_vec()))
                .collect()
        };
        let target = url.get(url.find("//").unwrap() + 2..).unwrap();
        let target = target
            .get(target.find('/').unwrap_or(target.len())..)
            .unwrap();
        Request {
            line: (self.signs_url || self.signs_method)
                .then(|| (METHOD.to_owned(), target.to_owned())),
            headers: signed,
            body,
            public_url: Some(PUBLIC_URL.to_owned()),
        }
    }

    /// The tag of the one signature `request` carries.
    fn tag_of(&self, request: &Request) -> String {
        let value = get(&request.headers, self.signature.unwrap());
        match self.syntax {
            Syntax::Params {
                separator,
                signature,
                ..
            } => value
                .split(separator)
                .find_map(|e| e.strip_prefix(&format!("{signature}=")))
                .unwrap()
                .to_owned(),
            Syntax::Versioned => value.strip_prefix("v1,").unwrap().to_owned(),
            Syntax::Single(prefix) => value.strip_prefix(prefix).unwrap().to_owned(),
        }
    }

    /// A signature header's value holding the one entry `tag`, after the timestamp parameter
    /// `ts` where the format carries one.
    fn signature_value(&self, ts: &str, tag: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        match self.syntax {
            Syntax::Params {
                separator,
                signature,
                timestamp,
            } => {
                if self.ts == Stamp::Param {
                    out.extend_from_slice(format!("{timestamp}={ts}{separator}").as_bytes());
                }
                if let Some(list) = self.list_entry() {
                    out.extend_from_slice(format!("{list}{separator}").as_bytes());
                }
                out.extend_from_slice(format!("{signature}=").as_bytes());
            }
            Syntax::Versioned => out.extend_from_slice(b"v1,"),
            Syntax::Single(prefix) => out.extend_from_slice(prefix.as_bytes()),
        }
        out.extend_from_slice(tag);
        out
    }

    /// `request` with its timestamp written as `text` (inside quotes for a member of the body);
    /// the signature is left as it was.
    fn with_ts(&self, request: &Request, text: &str) -> Request {
        match (self.ts, self.name()) {
            (Stamp::Header(name), _) => request.clone().header(name, text),
            (Stamp::Param, _) => {
                let tag = self.tag_of(request);
                let value = self.signature_value(text, tag.as_bytes());
                request.clone().header(self.signature.unwrap(), value)
            }
            (Stamp::Member, "linear") => request.clone().body(linear_body(&format!("\"{text}\""))),
            (Stamp::Member, "mailgun") => {
                let body = String::from_utf8(request.body.clone()).unwrap();
                let at = body.find(r#""timestamp":""#).unwrap() + 13;
                let end = at + body[at..].find('"').unwrap();
                request
                    .clone()
                    .body(format!("{}{text}{}", &body[..at], &body[end..]))
            }
            other => panic!("no timestamp in {other:?}"),
        }
    }

    /// The `h=` entry a sender of a scheme that lists headers writes: the id header alone.
    fn list_entry(&self) -> Option<String> {
        let (id, _) = self.id?;
        self.lists_headers
            .then(|| format!("h={}", id.to_ascii_lowercase()))
    }

    /// The time window on each side of now: the scheme's tolerance, or the default 300 s.
    fn window(&self) -> u64 {
        self.scheme.tolerance().map_or(300, |t| t.as_secs())
    }
}

/// The rows of one preset.
struct Rows<'p> {
    preset: &'p Preset,
    out: Vec<Case>,
}

impl Rows<'_> {
    fn add(&mut self, what: &str, request: Request, expected: Result<(), VerifyError>) {
        self.out.push(Case {
            name: format!("{}: {what}", self.preset.name()),
            scheme: self.preset.scheme.clone(),
            request,
            expected,
        });
    }
}

/// Every hostile input the table gives the first presets, adapted to `preset`, and those of
/// what it alone signs or reads.
fn preset_cases(preset: &Preset) -> Vec<Case> {
    let mut rows = Rows {
        preset,
        out: Vec::new(),
    };
    let valid = preset.send(NOW);
    rows.add("valid", valid.clone(), Ok(()));
    if preset.signature.is_some() {
        signature_header_cases(&mut rows, &valid);
    }
    if preset.id.is_some() {
        id_cases(&mut rows, &valid);
    }
    if preset.ts != Stamp::None {
        timestamp_cases(&mut rows, &valid);
    }
    body_cases(&mut rows, &valid);
    if preset.signs_url {
        request_line_cases(&mut rows, &valid);
    }
    match preset.name() {
        "twilio" => twilio_cases(&mut rows, &valid),
        "linear" => linear_cases(&mut rows, &valid),
        "mailgun" => mailgun_cases(&mut rows, &valid),
        "hook0" | "coinbase-cdp" => hook0_cases(&mut rows, &valid),
        "svix" | "clerk" | "resend" => {
            // Svix's headers each fall back to their `webhook-*` name.
            let fallback = ["svix-signature", "svix-timestamp", "svix-id"]
                .into_iter()
                .fold(valid.clone(), |r, name| {
                    let value = get(&r.headers, name);
                    let standard = name.replace("svix-", "webhook-");
                    r.without(name).header(&standard, value)
                });
            rows.add("every header under its webhook-* name", fallback, Ok(()));
        }
        _ => {}
    }
    if preset.tag_len == 64 {
        ed25519_cases(&mut rows, &valid);
    }
    rows.out
}

/// Presence, size and count of the signature header; the tag's encoding; bytes outside ASCII;
/// whitespace; foreign names.
fn signature_header_cases(rows: &mut Rows<'_>, valid: &Request) {
    let p = rows.preset;
    let header = p.signature.unwrap();
    let value = get(&valid.headers, header);
    let tag = p.tag_of(valid);
    let ts = p.ts_text(NOW);
    let sig = |v: &[u8]| valid.clone().header(header, v);
    let entry = |t: &str| sig(&p.signature_value(&ts, t.as_bytes()));
    let entry_bytes = |t: &[u8]| sig(&p.signature_value(&ts, t));
    let zeros = encode(p.hex, &vec![0; p.tag_len]);
    let other_encoding = encode(!p.hex, &vec![0; p.tag_len]);
    let malformed = Err(MalformedHeader(Signature));

    // Presence, size, count.
    rows.add(
        "no headers at all",
        valid.clone().no_headers(),
        Err(MissingHeader(Signature)),
    );
    rows.add(
        "no signature header",
        valid.clone().without(header),
        Err(MissingHeader(Signature)),
    );
    rows.add(
        "the signature under Stripe's header",
        valid
            .clone()
            .without(header)
            .header("Stripe-Signature", value.clone()),
        Err(MissingHeader(Signature)),
    );
    rows.add(
        "the signature header's name in capitals",
        valid
            .clone()
            .without(header)
            .header(&header.to_uppercase(), value.clone()),
        Ok(()),
    );
    rows.add("empty signature header", sig(b""), malformed.clone());
    rows.add("only spaces", sig(b"  \t "), malformed.clone());
    rows.add(
        "1 MiB signature header",
        sig(&vec![b'a'; 1 << 20]),
        Err(HeaderTooLong(Signature)),
    );
    rows.add(
        "repeated signature header",
        valid.clone().twice(header),
        Err(DuplicateHeader(Signature)),
    );
    if let Syntax::Params { .. } | Syntax::Versioned = p.syntax {
        let (label, separator) = match p.syntax {
            Syntax::Params {
                separator,
                signature,
                ..
            } => (format!("{signature}="), separator),
            _ => ("v1,".to_owned(), " "),
        };
        let label = label.as_str();
        let many = |n: usize| {
            let entries = vec![format!("{label}{zeros}"); n].join(separator);
            let tag_entry = p.signature_value(&ts, b"");
            let prefix = String::from_utf8(tag_entry).unwrap();
            let prefix = prefix.strip_suffix(label).unwrap().to_owned();
            sig(format!("{prefix}{entries}").as_bytes())
        };
        let cap = p.max_signatures;
        let over = Err(TooManySignatures { max: cap });
        let right = String::from_utf8(p.signature_value(&ts, tag.as_bytes())).unwrap();
        rows.add(
            &format!("{} signatures, one over the cap", cap + 1),
            many(cap + 1),
            over.clone(),
        );
        rows.add(
            "10,000 signatures",
            many(10_000),
            Err(HeaderTooLong(Signature)),
        );
        if cap > 1 {
            rows.add(
                &format!("{cap} signatures, the first right"),
                {
                    let entries = vec![format!("{label}{zeros}"); cap - 1].join(separator);
                    sig(format!("{right}{separator}{entries}").as_bytes())
                },
                Ok(()),
            );
        } else {
            // One signature at most: a second one is refused whichever is right, before any
            // is checked; entries of other versions do not count.
            rows.add(
                "the right signature, then a second",
                sig(format!("{right}{separator}{label}{zeros}").as_bytes()),
                over.clone(),
            );
            rows.add(
                "the right signature twice",
                sig(format!("{right}{separator}{label}{tag}").as_bytes()),
                over.clone(),
            );
            rows.add(
                "a second signature before the right one",
                {
                    let wrong =
                        String::from_utf8(p.signature_value(&ts, zeros.as_bytes())).unwrap();
                    sig(format!("{wrong}{separator}{label}{tag}").as_bytes())
                },
                over,
            );
            let v0 = label.replace('1', "0");
            rows.add(
                "the right signature and a v0 entry",
                sig(format!("{right}{separator}{v0}{zeros}").as_bytes()),
                Ok(()),
            );
        }
        let other_version = String::from_utf8(p.signature_value(&ts, tag.as_bytes()))
            .unwrap()
            .replace(label, &label.replace('1', "2"));
        rows.add(
            "the right tag under version 2",
            sig(other_version.as_bytes()),
            Err(MissingSignature),
        );
        if p.syntax == Syntax::Versioned {
            rows.add(
                "two spaces between entries",
                sig(format!("v2,abc  {value}").as_bytes()),
                malformed.clone(),
            );
        } else {
            rows.add(
                "trailing separator",
                sig(format!("{value}{}", separator.trim_end()).as_bytes()),
                malformed.clone(),
            );
        }
    }
    if let Syntax::Params {
        separator,
        signature,
        timestamp,
    } = p.syntax
    {
        let list = p.list_entry();
        if p.ts == Stamp::Param {
            let mut reversed = vec![format!("{signature}={tag}")];
            reversed.extend(list.clone());
            reversed.push(format!("{timestamp}={ts}"));
            rows.add(
                "entries in any order",
                sig(reversed.join(separator).as_bytes()),
                Ok(()),
            );
        }
        let other = if separator == ", " { "," } else { ", " };
        // A second entry: another signature, or another version's where one is the most.
        let second = if p.max_signatures > 1 {
            signature.to_owned()
        } else {
            signature.replace('1', "0")
        };
        let mut entries = vec![format!("{signature}={tag}"), format!("{second}={zeros}")];
        if let Some(list) = list {
            entries.insert(0, list);
        }
        if p.ts == Stamp::Param {
            entries.insert(0, format!("{timestamp}={ts}"));
        }
        rows.add(
            "entries split the way of the other params presets",
            sig(entries.join(other).as_bytes()),
            malformed.clone(),
        );
        rows.add(
            "entries split the preset's way",
            sig(entries.join(separator).as_bytes()),
            Ok(()),
        );
    }
    match p.syntax {
        Syntax::Single(prefix) if !prefix.is_empty() => {
            rows.add(
                "the tag without its prefix",
                sig(tag.as_bytes()),
                malformed.clone(),
            );
            let other = if prefix == "sha1=" {
                "sha256="
            } else {
                "sha1="
            };
            rows.add(
                "the tag under another prefix",
                sig(format!("{other}{tag}").as_bytes()),
                Err(MissingSignature),
            );
        }
        Syntax::Single(_) => {
            rows.add(
                "a prefixed tag",
                sig(format!("v1={tag}").as_bytes()),
                Err(MalformedSignature),
            );
        }
        _ => rows.add("empty tag", entry(""), malformed.clone()),
    }

    // Encodings.
    rows.add(
        "a right-length tag for other bytes",
        entry(&zeros),
        Err(NoMatchingSignature),
    );
    rows.add(
        "tag one short",
        entry(&tag[..tag.len() - 1]),
        Err(MalformedSignature),
    );
    let longer = if p.hex { "0" } else { "A" };
    rows.add(
        "tag one long",
        entry(&format!("{tag}{longer}")),
        Err(MalformedSignature),
    );
    rows.add(
        "the other encoding",
        entry(&other_encoding),
        Err(MalformedSignature),
    );
    if p.hex {
        assert_ne!(tag.to_uppercase(), tag);
        rows.add(
            "uppercase hex",
            entry(&tag.to_uppercase()),
            Err(MalformedSignature),
        );
    } else {
        assert!(tag.ends_with('='));
        rows.add(
            "base64 without padding",
            entry(tag.trim_end_matches('=')),
            Err(MalformedSignature),
        );
        rows.add(
            "base64 with extra padding",
            entry(&format!("{tag}==")),
            Err(MalformedSignature),
        );
        rows.add(
            "base64 with a bad character",
            entry(&format!("!{}", &tag[1..])),
            Err(MalformedSignature),
        );
        // The last character before the padding carries unused bits; set one.
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut bytes = tag.clone().into_bytes();
        let last = bytes.iter().rposition(|&b| b != b'=').unwrap();
        let index = ALPHABET.iter().position(|&c| c == bytes[last]).unwrap();
        assert_eq!(index & 1, 0);
        bytes[last] = ALPHABET[index | 1];
        rows.add(
            "base64 with a bit past the end",
            entry_bytes(&bytes),
            Err(MalformedSignature),
        );
    }

    // Bytes outside ASCII fail the header before any value is decoded.
    rows.add(
        "NUL after the tag",
        entry(&format!("{tag}\0")),
        malformed.clone(),
    );
    rows.add(
        "NUL before the header",
        sig(format!("\0{value}").as_bytes()),
        malformed.clone(),
    );
    rows.add(
        "non-ASCII after the tag",
        entry(&format!("{tag}\u{e9}")),
        malformed.clone(),
    );
    rows.add(
        "invalid UTF-8 as the tag",
        entry_bytes(&[0xff, 0xfe]),
        malformed.clone(),
    );

    // Whitespace.
    rows.add(
        "surrounding spaces and tabs are trimmed",
        sig(format!(" \t{value}\t ").as_bytes()),
        Ok(()),
    );
    // In a space-separated list, a space ends the entry, and what is left of the tag is too
    // short.
    let split_tag = if p.syntax == Syntax::Versioned {
        Err(MalformedSignature)
    } else {
        malformed.clone()
    };
    rows.add(
        "a space inside the tag",
        entry(&format!("{} {}", &tag[..10], &tag[10..])),
        split_tag,
    );
    rows.add(
        "a newline inside the tag",
        entry(&format!("{}\n{}", &tag[..10], &tag[10..])),
        malformed,
    );
}

/// The id header: absent, repeated, changed, oversized, not visible ASCII.
fn id_cases(rows: &mut Rows<'_>, valid: &Request) {
    let (header, signed) = rows.preset.id.unwrap();
    let id = |v: &[u8]| valid.clone().header(header, v);
    let if_signed = |e: VerifyError| if signed { Err(e) } else { Ok(()) };
    // Where the id is signed by being listed, it is read as a listed header first.
    let kind = if rows.preset.lists_headers {
        Listed
    } else {
        Id
    };
    rows.add(
        "no id header",
        valid.clone().without(header),
        if_signed(MissingHeader(kind)),
    );
    rows.add("a changed id", id(b"msg_2"), if_signed(NoMatchingSignature));
    rows.add(
        "repeated id header",
        valid.clone().twice(header),
        Err(DuplicateHeader(kind)),
    );
    rows.add("1 MiB id header", id(&vec![b'a'; 1 << 20]), Err(InvalidId));
    rows.add("empty id", id(b""), Err(InvalidId));
    rows.add("id with a space", id(b"msg 1"), Err(InvalidId));
    rows.add("id with NUL", id(b"msg\0"), Err(InvalidId));
    rows.add("non-ASCII id", id("msg_\u{e9}".as_bytes()), Err(InvalidId));
}

/// The timestamp, wherever the preset carries it: absent, repeated, each way of misspelling it
/// in its unit, outside the window by one second on either side (and inside by none), in the
/// wrong unit, and changed within the window (it is signed).
fn timestamp_cases(rows: &mut Rows<'_>, valid: &Request) {
    let p = rows.preset;
    let ts = |text: &str| p.with_ts(valid, text);
    let invalid = |r: TimestampReason| Err(InvalidTimestamp(r));
    match p.ts {
        Stamp::Header(name) => {
            rows.add(
                "no timestamp header",
                valid.clone().without(name),
                Err(MissingHeader(Ts)),
            );
            rows.add(
                "repeated timestamp header",
                valid.clone().twice(name),
                Err(DuplicateHeader(Ts)),
            );
            rows.add("empty timestamp", ts(""), invalid(TimestampReason::Empty));
        }
        Stamp::Param => {
            let tag = p.tag_of(valid);
            let sig = p.signature.unwrap();
            let stamp = p.ts_text(NOW);
            let Syntax::Params {
                separator,
                signature,
                timestamp: t,
            } = p.syntax
            else {
                unreachable!()
            };
            rows.add(
                &format!("no {t}="),
                valid.clone().header(sig, format!("{signature}={tag}")),
                Err(MissingTimestamp),
            );
            rows.add(
                &format!("{t}= twice"),
                valid.clone().header(
                    sig,
                    format!("{t}={stamp}{separator}{t}={stamp}{separator}{signature}={tag}"),
                ),
                Err(DuplicateTimestamp),
            );
            // An empty value is a syntax error of the list, before any value is read.
            rows.add(
                &format!("empty {t}="),
                ts(""),
                Err(MalformedHeader(Signature)),
            );
        }
        Stamp::Member => {
            let (absent, twice) = match p.name() {
                "linear" => (
                    r#"{"id":"evt_1","type":"invoice.paid"}"#.to_owned(),
                    linear_body(&format!("{NOW}000,\"webhookTimestamp\":{NOW}000")),
                ),
                _ => {
                    let sig = mailgun_signature(&NOW.to_string(), TOKEN);
                    (
                        format!(r#"{{"signature":{{"token":"{TOKEN}","signature":"{sig}"}}}}"#),
                        format!(
                            r#"{{"signature":{{"timestamp":"{NOW}","timestamp":"{NOW}","token":"{TOKEN}","signature":"{sig}"}}}}"#
                        ),
                    )
                }
            };
            // Signed as sent, so only the member decides.
            let absent = p.send_body(absent.into_bytes(), NOW);
            let twice = p.send_body(twice.into_bytes(), NOW);
            rows.add("no timestamp member", absent, Err(MissingField(Ts)));
            rows.add("the timestamp member twice", twice, Err(MalformedBody));
            rows.add("empty timestamp", ts(""), invalid(TimestampReason::Empty));
        }
        Stamp::None => unreachable!(),
    }

    // Misspellings.
    match p.unit {
        Unit::Secs | Unit::Millis => {
            let stamp = p.ts_text(NOW);
            rows.add(
                "+ before the timestamp",
                ts(&format!("+{stamp}")),
                invalid(TimestampReason::NotDigits),
            );
            rows.add(
                "a leading zero",
                ts(&format!("0{stamp}")),
                invalid(TimestampReason::LeadingZero),
            );
            rows.add("1e9", ts("1e9"), invalid(TimestampReason::NotDigits));
            rows.add("-1", ts("-1"), invalid(TimestampReason::NotDigits));
            rows.add(
                "a fraction",
                ts(&format!("{stamp}.5")),
                invalid(TimestampReason::NotDigits),
            );
            // Inside the signature header, a byte outside visible ASCII fails the header.
            let space = if p.ts == Stamp::Param {
                Err(MalformedHeader(Signature))
            } else {
                invalid(TimestampReason::NotDigits)
            };
            rows.add(
                "a space inside",
                ts(&format!("{} {}", &stamp[..4], &stamp[4..])),
                space,
            );
            rows.add(
                "past u64::MAX",
                ts("18446744073709551616"),
                invalid(TimestampReason::TooLarge),
            );
            rows.add(
                "u64::MAX itself",
                ts("18446744073709551615"),
                Err(TimestampInFuture),
            );
            rows.add("zero", ts("0"), Err(TimestampTooOld));
            rows.add(
                "RFC 3339 where digits belong",
                ts("2023-11-14T22:13:20Z"),
                invalid(TimestampReason::NotDigits),
            );
        }
        Unit::Rfc3339 => {
            let bad = invalid(TimestampReason::NotRfc3339);
            for (what, text) in [
                ("a lowercase t", "2023-11-14t22:13:20Z"),
                ("a lowercase z", "2023-11-14T22:13:20z"),
                ("a space for T", "2023-11-14 22:13:20Z"),
                ("no offset", "2023-11-14T22:13:20"),
                ("an empty fraction", "2023-11-14T22:13:20.Z"),
                ("ten fraction digits", "2023-11-14T22:13:20.1234567890Z"),
                ("no seconds", "2023-11-14T22:13Z"),
                ("an offset without a colon", "2023-11-14T23:13:20+0100"),
                ("an offset of 24 hours", "2023-11-14T22:13:20+24:00"),
                ("a leap second", "2023-11-14T22:13:60Z"),
                ("February 29 of a common year", "2023-02-29T00:00:00Z"),
                ("month 13", "2023-13-14T22:13:20Z"),
                ("before 1970", "1969-12-31T23:59:59Z"),
                ("Unix seconds", "1700000000"),
                ("a trailing space inside", "2023-11-14T22:13:20Z\u{a0}"),
            ] {
                rows.add(what, ts(text), bad.clone());
            }
            rows.add(
                "the year 9999",
                ts("9999-12-31T23:59:59Z"),
                Err(TimestampInFuture),
            );
            rows.add(
                "the epoch",
                ts("1970-01-01T00:00:00Z"),
                Err(TimestampTooOld),
            );
        }
    }

    // The window: signed afresh at each time.
    let w = p.window();
    rows.add("signed exactly a window ago", p.send(NOW - w), Ok(()));
    rows.add(
        "signed a window and a second ago",
        p.send(NOW - w - 1),
        Err(TimestampTooOld),
    );
    rows.add("signed exactly a window ahead", p.send(NOW + w), Ok(()));
    rows.add(
        "signed a window and a second ahead",
        p.send(NOW + w + 1),
        Err(TimestampInFuture),
    );

    // The wrong unit, and a change within the window, which the signature catches.
    match p.unit {
        Unit::Secs => {
            rows.add(
                "in milliseconds",
                ts(&format!("{NOW}000")),
                Err(TimestampInFuture),
            );
            rows.add(
                "a second earlier",
                ts(&(NOW - 1).to_string()),
                Err(NoMatchingSignature),
            );
        }
        Unit::Millis => {
            rows.add("in seconds", ts(&NOW.to_string()), Err(TimestampTooOld));
            rows.add(
                "a millisecond later",
                ts(&format!("{NOW}001")),
                Err(NoMatchingSignature),
            );
        }
        Unit::Rfc3339 => {
            rows.add(
                "a fraction added",
                ts("2023-11-14T22:13:20.5Z"),
                Err(NoMatchingSignature),
            );
            rows.add(
                "the same instant at another offset",
                ts("2023-11-14T23:13:20+01:00"),
                Err(NoMatchingSignature),
            );
        }
    }
}

/// The body: changed, emptied, lengthened. Mailgun signs no body: any body verifies as long as
/// its `signature` member does.
fn body_cases(rows: &mut Rows<'_>, valid: &Request) {
    let p = rows.preset;
    let changed = if p.scheme.signs_body() {
        Err(NoMatchingSignature)
    } else {
        Ok(())
    };
    match p.name() {
        "twilio" => {} // a form: see `twilio_cases`
        "mailgun" => {
            rows.add(
                "the event changed",
                valid.clone().edit_body("evt_1", "evt_2"),
                changed.clone(),
            );
            rows.add(
                "a byte appended",
                valid.clone().body([valid.body.as_slice(), b"\n"].concat()),
                changed,
            );
            rows.add("an empty body", valid.clone().body(""), Err(MalformedBody));
        }
        name => {
            rows.add(
                "the body changed",
                valid.clone().edit_body("evt_1", "evt_2"),
                changed.clone(),
            );
            rows.add(
                "a byte appended",
                valid.clone().body([valid.body.as_slice(), b"\n"].concat()),
                changed.clone(),
            );
            let empty = if name == "linear" {
                Err(MalformedBody)
            } else {
                changed
            };
            rows.add("an empty body", valid.clone().body(""), empty);
        }
    }
}

/// The request line and the public URL, for the schemes that sign the URL (and HubSpot the
/// method).
fn request_line_cases(rows: &mut Rows<'_>, valid: &Request) {
    let p = rows.preset;
    let method = if p.signs_method {
        Err(NoMatchingSignature)
    } else {
        Ok(())
    };
    let port_variants = p.name() == "twilio";
    rows.add(
        "headers without the request line",
        valid.clone().no_line(),
        Err(MissingRequestLine),
    );
    rows.add(
        "a verifier without a public URL",
        valid.clone().public_url(None),
        Err(MissingPublicUrl),
    );
    rows.add(
        "another path",
        valid.clone().line(METHOD, "/hooks/out?account=7"),
        Err(NoMatchingSignature),
    );
    rows.add(
        "another query",
        valid.clone().line(METHOD, "/hooks/in?account=8"),
        Err(NoMatchingSignature),
    );
    rows.add(
        "the query dropped",
        valid.clone().line(METHOD, "/hooks/in"),
        Err(NoMatchingSignature),
    );
    rows.add(
        "a query parameter added",
        valid.clone().line(METHOD, "/hooks/in?account=7&x=1"),
        Err(NoMatchingSignature),
    );
    rows.add(
        "a percent-escape decoded",
        valid.clone().line(METHOD, "/hooks/%69n?account=7"),
        Err(NoMatchingSignature),
    );
    rows.add(
        "another method",
        valid.clone().line("PUT", TARGET),
        method.clone(),
    );
    rows.add(
        "the method in lowercase",
        valid.clone().line("post", TARGET),
        method,
    );
    rows.add(
        "another host",
        valid.clone().public_url(Some("https://example.org")),
        Err(NoMatchingSignature),
    );
    rows.add(
        "http for https",
        valid.clone().public_url(Some("http://example.com")),
        Err(NoMatchingSignature),
    );
    rows.add(
        "the public URL with its default port",
        valid.clone().public_url(Some("https://example.com:443")),
        if port_variants {
            Ok(())
        } else {
            Err(NoMatchingSignature)
        },
    );
    rows.add(
        "a trailing / on the public URL",
        valid.clone().public_url(Some("https://example.com/")),
        Ok(()),
    );
    rows.add(
        "behind a proxy that strips /hooks",
        valid
            .clone()
            .public_url(Some("https://example.com/hooks"))
            .line(METHOD, "/in?account=7"),
        Ok(()),
    );
    let with_port = p.send_to(
        &format!("https://example.com:443{TARGET}"),
        valid.body.clone(),
        NOW,
    );
    rows.add(
        "signed with the default port, verified without",
        with_port,
        if port_variants {
            Ok(())
        } else {
            Err(NoMatchingSignature)
        },
    );
    if p.name() == "square" {
        // Square signs the URL and the body run together: the target's last byte can move into
        // the body (the provider's layout, documented on `Scheme::square`).
        let moved = valid
            .clone()
            .line(METHOD, "/hooks/in?account=")
            .body([b"7", BODY].concat());
        rows.add("the target's last byte moved into the body", moved, Ok(()));
    }
    if p.name() == "hubspot" {
        // The timestamp's first digit moved to the end of the body: the same signed bytes, and
        // a timestamp ten times smaller.
        let stamp = p.ts_text(NOW);
        let moved = valid
            .clone()
            .body([BODY, &stamp.as_bytes()[..1]].concat())
            .header("X-HubSpot-Request-Timestamp", &stamp[1..]);
        rows.add(
            "a digit moved from the timestamp into the body",
            moved,
            Err(TimestampTooOld),
        );
    }
}

/// Twilio's form: each parameter signed by name and value, sorted, once each; and the JSON body
/// bound by the URL's `bodySHA256`.
fn twilio_cases(rows: &mut Rows<'_>, valid: &Request) {
    let p = rows.preset;
    let edit = |from: &str, to: &str| valid.clone().edit_body(from, to);
    rows.add(
        "a parameter changed",
        edit("hello+world", "hello+there"),
        Err(NoMatchingSignature),
    );
    rows.add(
        "a parameter added",
        valid.clone().body(format!("{FORM}&Extra=1")),
        Err(NoMatchingSignature),
    );
    rows.add(
        "a parameter dropped",
        edit("&Body=hello+world", ""),
        Err(NoMatchingSignature),
    );
    rows.add(
        "a parameter renamed",
        edit("Body=", "body="),
        Err(NoMatchingSignature),
    );
    rows.add(
        "an empty body",
        valid.clone().body(""),
        Err(NoMatchingSignature),
    );
    rows.add(
        "the parameters reordered",
        valid
            .clone()
            .body("Body=hello+world&From=%2B14158675309&CallSid=CA1234567890ABCDE"),
        Ok(()),
    );
    rows.add(
        "a parameter sent twice",
        valid.clone().body(format!("{FORM}&Body=hello+world")),
        Ok(()),
    );
    rows.add("%20 for +", edit("hello+world", "hello%20world"), Ok(()));
    rows.add("escapes in lowercase", edit("%2B", "%2b"), Ok(()));
    rows.add(
        "empty pairs",
        valid.clone().body(format!("&&{FORM}&")),
        Ok(()),
    );
    rows.add(
        "a raw + where %2B was signed",
        edit("%2B", "+"),
        Err(NoMatchingSignature),
    );
    rows.add("a bad escape", edit("%2B", "%2G"), Err(MalformedBody));
    rows.add(
        "a cut escape",
        valid.clone().body(format!("{FORM}%2")),
        Err(MalformedBody),
    );
    let params = |n: usize| {
        (0..n)
            .map(|i| format!("p{i}=1"))
            .collect::<Vec<_>>()
            .join("&")
    };
    rows.add(
        "1024 parameters",
        p.send_body(params(1024).into_bytes(), NOW),
        Ok(()),
    );
    rows.add(
        "1025 parameters",
        valid.clone().body(params(1025)),
        Err(MalformedBody),
    );
    // The parameters run together unseparated, as Twilio signs them (documented on
    // `Scheme::twilio`).
    let signed = p.send_body(b"a=1b&c=2".to_vec(), NOW);
    rows.add(
        "a value's end moved into the next name",
        signed.body("a=1&bc=2"),
        Ok(()),
    );

    // A JSON body, bound by the hex SHA-256 in the query.
    let json = br#"{"sid":"SM1","status":"delivered"}"#;
    let digest = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(json));
    let target = format!("/hooks/in?bodySHA256={digest}");
    let bound = p.send_to(&format!("{PUBLIC_URL}{target}"), json.to_vec(), NOW);
    rows.add("a JSON body bound by bodySHA256", bound.clone(), Ok(()));
    rows.add(
        "the JSON body changed",
        bound.clone().body(r#"{"sid":"SM2","status":"delivered"}"#),
        Err(NoMatchingSignature),
    );
    rows.add(
        "bodySHA256 in uppercase",
        bound.clone().line(
            METHOD,
            &target
                .to_uppercase()
                .replace("/HOOKS/IN?BODYSHA256", "/hooks/in?bodySHA256"),
        ),
        Err(NoMatchingSignature),
    );
    rows.add(
        "bodySHA256 sent twice",
        bound
            .clone()
            .line(METHOD, &format!("{target}&bodySHA256={digest}")),
        Err(NoMatchingSignature),
    );
    rows.add(
        "bodySHA256 dropped",
        bound.line(METHOD, "/hooks/in"),
        Err(NoMatchingSignature),
    );
}

/// Linear's body: one JSON object whose `webhookTimestamp` is read, once, unescaped.
fn linear_cases(rows: &mut Rows<'_>, valid: &Request) {
    let p = rows.preset;
    let signed = |body: String| p.send_body(body.into_bytes(), NOW);
    let ts = format!("{NOW}000");
    for (what, body) in [
        ("not JSON", "webhookTimestamp=1".to_owned()),
        ("a JSON array", format!("[{}]", linear_body(&ts))),
        (
            "a trailing comma",
            format!(r#"{{"webhookTimestamp":{ts},}}"#),
        ),
        ("text after the object", format!("{} x", linear_body(&ts))),
        ("two objects", format!("{0}{0}", linear_body(&ts))),
        ("the member as an object", linear_body("{}")),
        ("the member null", linear_body("null")),
        ("the member true", linear_body("true")),
        (
            "the member's name escaped",
            format!(r#"{{"webhook\u0054imestamp":{ts}}}"#),
        ),
        (
            "the member's value escaped",
            linear_body(&format!("\"\\u0031{}\"", &ts[1..])),
        ),
        (
            "a number with a leading zero",
            linear_body(&format!("0{ts}")),
        ),
        (
            "nested 100 deep",
            format!(
                r#"{{"webhookTimestamp":{ts},"x":{}1{}}}"#,
                "[".repeat(100),
                "]".repeat(100)
            ),
        ),
    ] {
        // Signed as sent: the body itself is refused.
        rows.add(what, signed(body), Err(MalformedBody));
    }
    rows.add(
        "the member only nested",
        signed(format!(r#"{{"data":{{"webhookTimestamp":{ts}}}}}"#)),
        Err(MissingField(Ts)),
    );
    rows.add(
        "the member with an exponent",
        signed(linear_body("1.7e12")),
        Err(InvalidTimestamp(TimestampReason::NotDigits)),
    );
    rows.add(
        "the member as a string",
        signed(linear_body(&format!("\"{ts}\""))),
        Ok(()),
    );
    rows.add(
        "another member named twice",
        signed(format!(r#"{{"a":1,"a":2,"webhookTimestamp":{ts}}}"#)),
        Ok(()),
    );
    rows.add(
        "whitespace around",
        signed(format!(" \n{}\t", linear_body(&ts))),
        Ok(()),
    );
    rows.add(
        "the member's value changed",
        valid.clone().body(linear_body(&format!("{NOW}001"))),
        Err(NoMatchingSignature),
    );
}

/// Mailgun's `signature` object: the signature of `timestamp‖token`, each member read once,
/// unescaped.
fn mailgun_cases(rows: &mut Rows<'_>, valid: &Request) {
    let ts = NOW.to_string();
    let sig = mailgun_signature(&ts, TOKEN);
    let body = |ts: &str, token: &str, sig: &str| valid.clone().body(mailgun_body(ts, token, sig));
    rows.add(
        "a changed token",
        body(
            &ts,
            "b8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0",
            &sig,
        ),
        Err(NoMatchingSignature),
    );
    rows.add(
        "a second earlier",
        body(&(NOW - 1).to_string(), TOKEN, &sig),
        Err(NoMatchingSignature),
    );
    let other = mailgun_signature(&ts, "another");
    rows.add(
        "the signature of another token",
        body(&ts, TOKEN, &other),
        Err(NoMatchingSignature),
    );
    rows.add(
        "a right-length signature for other bytes",
        body(&ts, TOKEN, &"0".repeat(64)),
        Err(NoMatchingSignature),
    );
    rows.add(
        "the signature in uppercase",
        body(&ts, TOKEN, &sig.to_uppercase()),
        Err(MalformedSignature),
    );
    rows.add(
        "the signature one short",
        body(&ts, TOKEN, &sig[1..]),
        Err(MalformedSignature),
    );
    rows.add(
        "the signature in base64",
        body(&ts, TOKEN, &encode(false, &[0; 32])),
        Err(MalformedSignature),
    );
    rows.add(
        "an empty signature",
        body(&ts, TOKEN, ""),
        Err(MalformedHeader(Signature)),
    );
    rows.add(
        "a 2049-byte signature",
        body(&ts, TOKEN, &"0".repeat(2049)),
        Err(HeaderTooLong(Signature)),
    );
    rows.add(
        "the signature as a number",
        valid
            .clone()
            .edit_body(&format!("\"signature\":\"{sig}\""), "\"signature\":1234"),
        Err(MalformedSignature),
    );
    rows.add(
        "the signature escaped",
        valid
            .clone()
            .edit_body(&format!("\"{sig}\""), &format!("\"\\u0064{}\"", &sig[1..])),
        Err(MalformedBody),
    );
    rows.add(
        "a token with a space",
        body(&ts, "a b", &mailgun_signature(&ts, "a b")),
        Err(InvalidId),
    );
    rows.add(
        "an empty token",
        body(&ts, "", &mailgun_signature(&ts, "")),
        Err(InvalidId),
    );
    let long = "a".repeat(256);
    rows.add(
        "a 256-byte token",
        body(&ts, &long, &mailgun_signature(&ts, &long)),
        Err(InvalidId),
    );
    // The timestamp and the token run together: a digit moved from one to the other keeps the
    // signed bytes and makes the timestamp ten times smaller.
    let moved = format!("{}{TOKEN}", &ts[ts.len() - 1..]);
    rows.add(
        "a digit moved from the timestamp into the token",
        body(&ts[..ts.len() - 1], &moved, &sig),
        Err(TimestampTooOld),
    );
    rows.add(
        "no signature member",
        valid.clone().body(format!(
            r#"{{"signature":{{"timestamp":"{ts}","token":"{TOKEN}"}}}}"#
        )),
        Err(MissingField(Signature)),
    );
    rows.add(
        "no token",
        valid.clone().body(format!(
            r#"{{"signature":{{"timestamp":"{ts}","signature":"{sig}"}}}}"#
        )),
        Err(MissingField(Id)),
    );
    rows.add(
        "no signature object",
        valid.clone().body(r#"{"event-data":{}}"#),
        Err(MissingField(Signature)),
    );
    rows.add(
        "the signature in a header",
        valid
            .clone()
            .body(r#"{"event-data":{}}"#)
            .header("X-Mailgun-Signature", sig.clone()),
        Err(MissingField(Signature)),
    );
    let full = mailgun_body(&ts, TOKEN, &sig);
    let inner = &full[full.find("{\"timestamp").unwrap()..full.find("},\"event-data").unwrap() + 1];
    rows.add(
        "the signature object twice",
        valid
            .clone()
            .body(format!(r#"{{"signature":{inner},"signature":{inner}}}"#)),
        Err(MalformedBody),
    );
    rows.add(
        "the token twice",
        valid.clone().edit_body(
            &format!("\"token\":\"{TOKEN}\""),
            &format!("\"token\":\"{TOKEN}\",\"token\":\"{TOKEN}\""),
        ),
        Err(MalformedBody),
    );
    rows.add(
        "the signature member twice",
        valid.clone().edit_body(
            &format!("\"signature\":\"{sig}\""),
            &format!("\"signature\":\"{sig}\",\"signature\":\"{sig}\""),
        ),
        Err(MalformedBody),
    );
    rows.add(
        "another member named twice",
        valid.clone().edit_body(
            "\"event\":\"delivered\"",
            "\"event\":\"delivered\",\"event\":\"opened\"",
        ),
        Ok(()),
    );
    rows.add(
        "not JSON",
        valid.clone().body("signature=1"),
        Err(MalformedBody),
    );
}

/// The headers a Hook0 request of the table sends besides its signature, each of which it may
/// list.
const HOOK0_HEADERS: [(&str, &str); 3] = [
    ("X-Event-Id", "msg_1"),
    ("X-Event-Type", "invoice.paid"),
    ("Content-Type", "application/json"),
];

/// Hook0's tag, as its worker computes it: the hex HMAC-SHA256, under the tests' key, of
/// `t.names.values.body`, the values joined by `.`.
fn hook0_tag(ts: &str, names: &str, values: &[&str], body: &[u8]) -> String {
    use hmac::{KeyInit as _, Mac as _};
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&[7_u8; 32]).unwrap();
    mac.update(format!("{ts}.{names}.{}.", values.join(".")).as_bytes());
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// A request signed by hand at `at` listing `names` (split by single spaces), with `headers`
/// (each listed one's value read from there, found by name in any case) and `BODY`.
fn hook0_signed(names: &str, headers: &[(&str, &str)], at: u64) -> Request {
    let values: Vec<&str> = names
        .split(' ')
        .map(|name| {
            headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .unwrap()
                .1
                .trim()
        })
        .collect();
    let ts = at.to_string();
    let tag = hook0_tag(&ts, names, &values, BODY);
    let mut sent: Headers = headers
        .iter()
        .map(|(n, v)| ((*n).to_owned(), v.as_bytes().to_vec()))
        .collect();
    sent.push((
        "X-Hook0-Signature".to_owned(),
        format!("t={ts},h={names},v1={tag}").into_bytes(),
    ));
    Request::headers(sent)
}

/// Hook0's list of signed headers (`h=`): each listed value signed, in the list's order, the
/// list as sent; a list read once, of 1 to 16 names split by single spaces, each a token; every
/// listed header present once; `v1` checked and `v0` skipped.
#[allow(clippy::too_many_lines)]
fn hook0_cases(rows: &mut Rows<'_>, valid: &Request) {
    let p = rows.preset;
    let header = p.signature.unwrap();
    let ts = NOW.to_string();
    let tag = p.tag_of(valid);
    let malformed = Err(MalformedHeader(Signature));
    // The signer lists the id header alone, and signs as Hook0's worker does.
    assert_eq!(
        get(&valid.headers, header),
        format!(
            "t={ts},h=x-event-id,v1={}",
            hook0_tag(&ts, "x-event-id", &["msg_1"], BODY)
        )
    );
    let all = "x-event-id x-event-type content-type";
    let full = hook0_signed(all, &HOOK0_HEADERS, NOW);
    let full_tag = p.tag_of(&full);
    // `full`'s signature header with `h=` (and the tag) replaced.
    let listing = |names: &str, tag: &str| {
        full.clone()
            .header(header, format!("t={ts},h={names},v1={tag}"))
    };
    rows.add("three headers listed", full.clone(), Ok(()));
    rows.add(
        "three headers listed, signed a window ago",
        hook0_signed(all, &HOOK0_HEADERS, NOW - 300),
        Ok(()),
    );
    rows.add(
        "three headers listed, signed a window and a second ago",
        hook0_signed(all, &HOOK0_HEADERS, NOW - 301),
        Err(TimestampTooOld),
    );
    rows.add(
        "three headers listed, signed a window and a second ahead",
        hook0_signed(all, &HOOK0_HEADERS, NOW + 301),
        Err(TimestampInFuture),
    );

    // Each listed value is signed; unlisted headers are not.
    for (name, _) in HOOK0_HEADERS {
        rows.add(
            &format!("listed {name} changed"),
            full.clone().header(name, "other"),
            Err(NoMatchingSignature),
        );
        rows.add(
            &format!("listed {name} absent"),
            full.clone().without(name),
            Err(MissingHeader(Listed)),
        );
        rows.add(
            &format!("listed {name} sent twice"),
            full.clone().twice(name),
            Err(DuplicateHeader(Listed)),
        );
        rows.add(
            &format!("listed {name} emptied"),
            full.clone().header(name, ""),
            // The id header is also read as the id, which is never empty.
            Err(if name == "X-Event-Id" {
                InvalidId
            } else {
                NoMatchingSignature
            }),
        );
    }
    rows.add(
        "a listed value with spaces and tabs around",
        full.clone().header("X-Event-Type", " \tinvoice.paid\t "),
        Ok(()),
    );
    rows.add(
        "a listed header's name in capitals",
        full.clone()
            .without("X-Event-Type")
            .header("X-EVENT-TYPE", "invoice.paid"),
        Ok(()),
    );
    rows.add(
        "an unlisted header added",
        full.clone().header("X-Other", "1"),
        Ok(()),
    );
    let unlisted_id = hook0_signed("x-event-type", &HOOK0_HEADERS, NOW);
    rows.add("the id not listed", unlisted_id.clone(), Ok(()));
    rows.add(
        "the id not listed, changed",
        unlisted_id.clone().header("X-Event-Id", "msg_2"),
        Ok(()),
    );
    rows.add(
        "the id not listed, absent",
        unlisted_id.clone().without("X-Event-Id"),
        Ok(()),
    );
    rows.add(
        "the id not listed, invalid",
        unlisted_id.header("X-Event-Id", "msg 1"),
        Err(InvalidId),
    );

    // The list as sent is signed: its order, its names' case, each name in it.
    let swapped = "x-event-type x-event-id content-type";
    rows.add(
        "the list's order swapped",
        listing(swapped, &full_tag),
        Err(NoMatchingSignature),
    );
    rows.add(
        "the list's order swapped, signed so",
        hook0_signed(swapped, &HOOK0_HEADERS, NOW),
        Ok(()),
    );
    let fewer = "x-event-id content-type";
    rows.add(
        "a name dropped from the list",
        listing(fewer, &full_tag),
        Err(NoMatchingSignature),
    );
    rows.add(
        "a name dropped from the list, signed over the fewer headers",
        hook0_signed(fewer, &HOOK0_HEADERS, NOW),
        Ok(()),
    );
    rows.add(
        "every name dropped but the last, signed so",
        hook0_signed("content-type", &HOOK0_HEADERS, NOW),
        Ok(()),
    );
    rows.add(
        "a name added to the list",
        listing(&format!("{all} x-other"), &full_tag).header("X-Other", "1"),
        Err(NoMatchingSignature),
    );
    let capitals = "X-Event-Id X-Event-Type Content-Type";
    rows.add(
        "the list in capitals",
        listing(capitals, &full_tag),
        Err(NoMatchingSignature),
    );
    rows.add(
        "the list in capitals, signed so",
        hook0_signed(capitals, &HOOK0_HEADERS, NOW),
        Ok(()),
    );
    rows.add(
        "a name listed twice, signed so",
        hook0_signed("x-event-type x-event-type", &HOOK0_HEADERS, NOW),
        Ok(()),
    );
    // Sixteen names are the most; each is looked up before the seventeenth is refused.
    let many: Vec<(String, String)> = (1..=17)
        .map(|i| (format!("X-H{i}"), format!("v{i}")))
        .collect();
    let many_headers: Vec<(&str, &str)> =
        many.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let names = |n: usize| {
        many.iter()
            .take(n)
            .map(|(name, _)| name.to_ascii_lowercase())
            .collect::<Vec<_>>()
            .join(" ")
    };
    rows.add(
        "sixteen headers listed",
        hook0_signed(&names(16), &many_headers, NOW),
        Ok(()),
    );
    rows.add(
        "seventeen headers listed",
        hook0_signed(&names(17), &many_headers, NOW),
        malformed.clone(),
    );
    // The list's length is checked before any header is looked up.
    rows.add(
        "seventeen headers listed, the seventeenth absent",
        hook0_signed(&names(17), &many_headers, NOW).without("X-H17"),
        malformed.clone(),
    );
    rows.add(
        "seventeen headers listed, the first absent",
        hook0_signed(&names(17), &many_headers, NOW).without("X-H1"),
        malformed.clone(),
    );

    // The list's syntax.
    for (what, names) in [
        ("an empty list", ""),
        ("a space before the list", " x-event-id x-event-type"),
        ("a space after the list", "x-event-id x-event-type "),
        ("two spaces between names", "x-event-id  x-event-type"),
        ("a tab between names", "x-event-id\tx-event-type"),
        ("only a space", " "),
        ("a name with a colon", "x-event-id x:event-type"),
        ("a name with a parenthesis", "x-event-id x(event)"),
        ("a name with a slash", "x-event-id x/type"),
        ("a name outside ASCII", "x-event-id x-\u{e9}"),
        ("a NUL in a name", "x-event-id x-\0"),
    ] {
        rows.add(what, listing(names, &full_tag), malformed.clone());
    }
    // `,` ends the entry: what follows is an entry without `=`.
    rows.add(
        "names split by a comma",
        listing("x-event-id,x-event-type", &full_tag),
        malformed.clone(),
    );
    rows.add(
        "h= twice",
        full.clone()
            .header(header, format!("t={ts},h={all},h={all},v1={full_tag}")),
        malformed.clone(),
    );
    rows.add(
        "h= twice, the second other",
        full.clone()
            .header(header, format!("t={ts},h={all},h=x-event-id,v1={full_tag}")),
        malformed,
    );
    rows.add(
        "no h=",
        full.clone().header(header, format!("t={ts},v1={full_tag}")),
        Err(MissingSignature),
    );
    rows.add(
        "no h=, signed over t.body",
        {
            let v0 = {
                use hmac::{KeyInit as _, Mac as _};
                let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&[7_u8; 32]).unwrap();
                mac.update(format!("{ts}.").as_bytes());
                mac.update(BODY);
                hex::encode(mac.finalize().into_bytes())
            };
            full.clone().header(header, format!("t={ts},v1={v0}"))
        },
        Err(MissingSignature),
    );
    rows.add(
        "no t=, h= present",
        full.clone()
            .header(header, format!("h={all},v1={full_tag}")),
        Err(MissingTimestamp),
    );
    rows.add(
        "entries in Hook0's worker order",
        full.clone().header(
            header,
            format!("t={ts},v0={},h={all},v1={full_tag}", "0".repeat(64)),
        ),
        Ok(()),
    );

    // `v0` (over `t.body`) is skipped: never accepted, whether or not `h=` is sent.
    rows.add(
        "v1 dropped, v0 present",
        full.clone()
            .header(header, format!("t={ts},h={all},v0={full_tag}")),
        Err(MissingSignature),
    );
    rows.add(
        "v1 dropped, v0 present, no h=",
        full.clone().header(header, format!("t={ts},v0={full_tag}")),
        Err(MissingSignature),
    );
    rows.add(
        "a wrong v1 beside the right tag as v0",
        full.clone().header(
            header,
            format!("t={ts},h={all},v0={full_tag},v1={}", "0".repeat(64)),
        ),
        Err(NoMatchingSignature),
    );
    rows.add(
        "the single-header tag under the full list",
        listing(all, &tag),
        Err(NoMatchingSignature),
    );

    // The values run together with `.` between them, and the last one with the body, as Hook0
    // signs them: a `.` inside a value can take the place of the one between two values, or
    // between the last value and the body, and the signed bytes stay the same.
    let dotted = [("X-A", "1.2"), ("X-B", "3")];
    rows.add(
        "a value's end moved into the next listed value",
        hook0_signed("x-a x-b", &dotted, NOW)
            .header("X-A", "1")
            .header("X-B", "2.3"),
        Ok(()),
    );
    let (before, after) = std::str::from_utf8(BODY).unwrap().split_once('.').unwrap();
    rows.add(
        "the body's start moved into the last listed value",
        full.clone()
            .header("Content-Type", format!("application/json.{before}"))
            .body(after),
        Ok(()),
    );
}

/// Ed25519 alone (Discord, Telnyx): tags of other lengths, a signature whose `R` is of small
/// order, and Discord's timestamp run into its body.
#[cfg_attr(not(feature = "ed25519"), allow(dead_code))]
fn ed25519_cases(rows: &mut Rows<'_>, valid: &Request) {
    let p = rows.preset;
    let header = p.signature.unwrap();
    let sig = |bytes: &[u8]| valid.clone().header(header, encode(p.hex, bytes));
    rows.add("an HMAC-length tag", sig(&[0; 32]), Err(MalformedSignature));
    // R the identity point (a point of small order), S zero: refused without hashing the body.
    let mut small = [0_u8; 64];
    small[0] = 1;
    rows.add("R of small order", sig(&small), Err(NoMatchingSignature));
    if p.name() == "discord" {
        let stamp = p.ts_text(NOW);
        let moved = valid
            .clone()
            .header("X-Signature-Timestamp", &stamp[..stamp.len() - 1])
            .body([&stamp.as_bytes()[stamp.len() - 1..], BODY].concat());
        rows.add(
            "a digit moved from the timestamp into the body",
            moved,
            Err(TimestampTooOld),
        );
    }
}

/// Without feature `ed25519`, the presets that sign with Ed25519 alone take no key at all.
#[cfg(not(feature = "ed25519"))]
#[test]
fn ed25519_only_presets_need_the_feature() {
    let discord_key = "d5288ee28f61caa4c2a48a82e57f4751a92289a780a9fa965322730c16ce8abe";
    for scheme in [Scheme::discord(), Scheme::telnyx()] {
        assert_eq!(
            Verifier::from_secret(scheme.clone(), discord_key).unwrap_err(),
            SecretError::FeatureDisabled { feature: "ed25519" },
            "{}",
            scheme.name()
        );
        let verifier = Verifier::new(scheme, keyring());
        let headers = [
            ("X-Signature-Ed25519", "00"),
            ("telnyx-signature-ed25519", "00"),
        ];
        assert!(
            verifier
                .verify_at(&headers, BODY, Timestamp::from_unix_secs(NOW))
                .is_err()
        );
    }
}

// The presets whose senders sign with a private key: SendGrid (ECDSA P-256), AWS SNS and PayPal
// (RSA PKCS#1 v1.5, each request naming its certificate), Google Pub/Sub (an RS256 ID token in
// `Authorization: Bearer`). The crate verifies their deliveries but cannot make them, so
// `Preset`'s rows, which start from a request the crate signs, do not fit them. Their rows start
// from each provider's own deliveries in `tests/vectors/` (for Pub/Sub, tokens signed by an
// independent implementation, Google publishing none), verified at the time each was sent by a
// receiver that pins the provider's key (`Keyring::new`): the public key SendGrid shows, the
// certificates of AWS's and PayPal's SDK tests, the two keys of the Pub/Sub vectors' key set.
// Built without the feature that reads the key (`p256`, `x509`; `rsa` for Pub/Sub), the
// receiver holds an HMAC key instead, which verifies nothing of theirs: every row still runs,
// with the same answer wherever one comes before the keys, and `NoActiveKey` where a key would
// decide (`keyless`).

const SENDGRID_SIGNATURE: &str = "X-Twilio-Email-Event-Webhook-Signature";
const SENDGRID_TIMESTAMP: &str = "X-Twilio-Email-Event-Webhook-Timestamp";
const SENDGRID_VECTORS: &str = include_str!("../vectors/sendgrid/vectors.json");

/// The four notifications of AWS's PHP validator tests: `SignatureVersion` 1 and 2, without and
/// with a `Subject`.
const SNS_NOTIFICATIONS: [(&str, &str); 4] = [
    (
        "notification_sv1",
        include_str!("../vectors/aws_sns/notification_sv1.json"),
    ),
    (
        "notification_sv2",
        include_str!("../vectors/aws_sns/notification_sv2.json"),
    ),
    (
        "notification_sv1_subject",
        include_str!("../vectors/aws_sns/notification_sv1_subject.json"),
    ),
    (
        "notification_sv2_subject",
        include_str!("../vectors/aws_sns/notification_sv2_subject.json"),
    ),
];
/// SNS's window: an hour on each side, as SNS retries with the original timestamp.
const SNS_WINDOW: u64 = 3600;
const SNS_CERT: &[u8] = include_bytes!("../vectors/aws_sns/cert.pem");
#[cfg(feature = "x509")]
const SNS_PUBLIC_KEY: &str = include_str!("../vectors/aws_sns/public_key.pem");

const PAYPAL_VECTOR: &str = include_str!("../vectors/paypal/vector.json");
const PAYPAL_BODY: &[u8] = include_bytes!("../vectors/paypal/body.json");
const PAYPAL_CERT: &[u8] = include_bytes!("../vectors/paypal/cert.pem");

/// One delivery as its provider sent it, and the receiver that verifies it.
struct Delivery {
    /// The vector it is, for the rows' names.
    vector: String,
    scheme: Scheme,
    request: Request,
    /// When it was sent (its signed timestamp, in whole seconds): its rows are verified then.
    at: u64,
    /// The keys the receiver holds: the provider's, or an HMAC key when the build cannot read
    /// the provider's (`keyed` false).
    keyring: Keyring,
    keyed: bool,
    /// The receiver's verifier: `keyring`, and for PayPal the webhook's id.
    verifier: Verifier,
}

/// One row of the second table.
struct DeliveryCase {
    name: String,
    verifier: Verifier,
    request: Request,
    at: u64,
    expected: Result<(), VerifyError>,
}

/// The rows of one delivery.
struct DeliveryRows<'d> {
    delivery: &'d Delivery,
    out: Vec<DeliveryCase>,
}

impl DeliveryRows<'_> {
    /// `request`, verified by the delivery's receiver when the delivery was sent.
    fn add(&mut self, what: &str, request: Request, expected: Result<(), VerifyError>) {
        let d = self.delivery;
        self.add_with(what, d.verifier.clone(), request, d.at, expected);
    }

    /// The delivery itself, verified at `at`.
    fn add_at(&mut self, what: &str, at: u64, expected: Result<(), VerifyError>) {
        let d = self.delivery;
        self.add_with(what, d.verifier.clone(), d.request.clone(), at, expected);
    }

    /// `request`, verified by `verifier` at `at`; `expected` is the answer with the provider's
    /// key held.
    fn add_with(
        &mut self,
        what: &str,
        verifier: Verifier,
        request: Request,
        at: u64,
        expected: Result<(), VerifyError>,
    ) {
        let d = self.delivery;
        self.out.push(DeliveryCase {
            name: format!("{} {}: {what}", d.scheme.name(), d.vector),
            verifier,
            request,
            at,
            expected: if d.keyed { expected } else { keyless(expected) },
        });
    }

    fn valid(&self) -> Request {
        self.delivery.request.clone()
    }
}

/// What a receiver without the provider's key answers where `expected` is the answer with it:
/// the same up to the keys, and `NoActiveKey` where a key decides — including what a bearer
/// token is checked for once its signature is: its issuer, audience and service account, and
/// what the receiver needs to check them.
fn keyless(expected: Result<(), VerifyError>) -> Result<(), VerifyError> {
    match expected {
        Ok(())
        | Err(
            NoMatchingSignature
            | NoActiveKey
            | ClaimRefused {
                claim: "iss" | "aud" | "email" | "email_verified",
            }
            | MissingServiceAccount
            | MissingPublicUrl
            | MissingRequestLine,
        ) => Err(NoActiveKey),
        other => other,
    }
}

impl Request {
    /// Headers and a body, as a provider that signs neither the request line nor a URL sends
    /// them.
    fn delivered(headers: Headers, body: impl Into<Vec<u8>>) -> Self {
        Self {
            line: None,
            headers,
            body: body.into(),
            public_url: None,
        }
    }

    /// The body as text (every vector's body is UTF-8).
    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }

    /// The body with bit `bit` of byte `at` flipped.
    fn flip(self, at: usize, bit: u8) -> Self {
        let mut body = self.body.clone();
        body[at] ^= 1 << bit;
        self.body(body)
    }
}

/// The receivers' deliveries: SendGrid's single-event known answer, AWS SNS's four notifications,
/// PayPal's event and a Google Pub/Sub push.
fn deliveries() -> Vec<Delivery> {
    let mut all = vec![sendgrid_delivery(&sendgrid_vectors()[0])];
    for (vector, text) in SNS_NOTIFICATIONS {
        all.push(sns_delivery(vector, text));
    }
    all.push(paypal_delivery());
    all.push(pubsub_delivery());
    all
}

/// One of SendGrid's known answers: its key, signature, timestamp and payload.
struct SendGridVector {
    key: String,
    signature: String,
    timestamp: String,
    payload: &'static [u8],
    file: String,
}

fn sendgrid_vectors() -> Vec<SendGridVector> {
    let vectors: Vec<serde_json::Value> = serde_json::from_str(SENDGRID_VECTORS).unwrap();
    vectors
        .iter()
        .map(|v| {
            let field = |name: &str| v[name].as_str().unwrap().to_owned();
            let file = field("payload");
            let payload: &[u8] = match file.as_str() {
                "dropped_event.json" => include_bytes!("../vectors/sendgrid/dropped_event.json"),
                "multiple_events.json" => {
                    include_bytes!("../vectors/sendgrid/multiple_events.json")
                }
                "test_event.json" => include_bytes!("../vectors/sendgrid/test_event.json"),
                other => panic!("no payload {other}"),
            };
            SendGridVector {
                key: field("public_key"),
                signature: field("signature"),
                timestamp: field("timestamp"),
                payload,
                file,
            }
        })
        .collect()
}

/// The keys of a SendGrid receiver holding `public_key`, and whether they are that key.
#[cfg_attr(not(feature = "p256"), allow(unused_variables))]
fn sendgrid_keyring(public_key: &str) -> (Keyring, bool) {
    #[cfg(feature = "p256")]
    {
        let key = sendgrid_key("sendgrid", public_key);
        (Keyring::new(key).unwrap(), true)
    }
    #[cfg(not(feature = "p256"))]
    {
        (keyring(), false)
    }
}

#[cfg(feature = "p256")]
fn sendgrid_key(id: &str, public_key: &str) -> hookseal::Key {
    let key = hookseal::P256PublicKey::from_encoded(public_key).unwrap();
    hookseal::Key::p256_public(id, key).unwrap()
}

fn sendgrid_delivery(v: &SendGridVector) -> Delivery {
    let headers = vec![
        (
            SENDGRID_SIGNATURE.to_owned(),
            v.signature.clone().into_bytes(),
        ),
        (
            SENDGRID_TIMESTAMP.to_owned(),
            v.timestamp.clone().into_bytes(),
        ),
    ];
    let (keyring, keyed) = sendgrid_keyring(&v.key);
    Delivery {
        vector: v.file.trim_end_matches(".json").to_owned(),
        scheme: Scheme::sendgrid(),
        request: Request::delivered(headers, v.payload),
        at: v.timestamp.parse().unwrap(),
        verifier: Verifier::new(Scheme::sendgrid(), keyring.clone()),
        keyring,
        keyed,
    }
}

/// The keys of a receiver pinning the certificate `pem` (an HMAC key without feature `x509`).
#[cfg_attr(not(feature = "x509"), allow(unused_variables))]
fn certificate_keyring(id: &str, pem: &[u8]) -> (Keyring, bool) {
    #[cfg(feature = "x509")]
    {
        (Keyring::new(certificate_key(id, pem)).unwrap(), true)
    }
    #[cfg(not(feature = "x509"))]
    {
        (keyring(), false)
    }
}

#[cfg(feature = "x509")]
fn certificate(pem: &[u8]) -> hookseal::Certificate {
    hookseal::Certificate::from_pem(pem).unwrap()
}

#[cfg(feature = "x509")]
fn certificate_key(id: &str, pem: &[u8]) -> hookseal::Key {
    hookseal::Key::certificate(id, &certificate(pem)).unwrap()
}

/// The RSA key of the certificate `pem`, valid at all times.
#[cfg(feature = "x509")]
fn bare_key(id: &str, pem: &[u8]) -> hookseal::Key {
    match certificate(pem).public_key() {
        hookseal::CertificateKey::Rsa(key) => hookseal::Key::rsa_public(id, key.clone()).unwrap(),
        other => panic!("not an RSA certificate: {other:?}"),
    }
}

fn rfc3339_secs(text: &str) -> u64 {
    hookseal::TimestampFormat::Rfc3339
        .parse(text.as_bytes())
        .unwrap()
        .as_unix_secs()
}

fn sns_delivery(vector: &str, text: &str) -> Delivery {
    let (keyring, keyed) = certificate_keyring("sns.amazonaws.com", SNS_CERT);
    let timestamp = sns_value(text, "Timestamp").unwrap();
    Delivery {
        vector: vector.to_owned(),
        scheme: Scheme::aws_sns(),
        request: Request::delivered(Vec::new(), text),
        at: rfc3339_secs(timestamp.trim_matches('"')),
        verifier: Verifier::new(Scheme::aws_sns(), keyring.clone()),
        keyring,
        keyed,
    }
}

/// PayPal's test delivery: its headers, and the webhook id its verifier is given.
struct PayPalVector {
    headers: Headers,
    webhook_id: String,
    body_crc32: u32,
}

fn paypal_vector() -> PayPalVector {
    let v: serde_json::Value = serde_json::from_str(PAYPAL_VECTOR).unwrap();
    let field = |name: &str| v[name].as_str().unwrap().to_owned();
    let headers = [
        ("PAYPAL-TRANSMISSION-ID", "transmission_id"),
        ("PAYPAL-TRANSMISSION-TIME", "transmission_time"),
        ("PAYPAL-AUTH-ALGO", "auth_algo"),
        ("PAYPAL-TRANSMISSION-SIG", "transmission_sig"),
        ("PAYPAL-CERT-URL", "cert_url"),
    ]
    .map(|(header, name)| (header.to_owned(), field(name).into_bytes()));
    PayPalVector {
        headers: headers.to_vec(),
        webhook_id: field("webhook_id"),
        body_crc32: u32::try_from(v["body_crc32"].as_u64().unwrap()).unwrap(),
    }
}

fn paypal_delivery() -> Delivery {
    let v = paypal_vector();
    let (keyring, keyed) = certificate_keyring("paypal", PAYPAL_CERT);
    let request = Request::delivered(v.headers, PAYPAL_BODY);
    Delivery {
        vector: "PayPal-Java-SDK".to_owned(),
        scheme: Scheme::paypal(),
        at: rfc3339_secs(&get(&request.headers, "PAYPAL-TRANSMISSION-TIME")),
        request,
        verifier: Verifier::new(Scheme::paypal(), keyring.clone())
            .with_endpoint_id(&v.webhook_id)
            .unwrap(),
        keyring,
        keyed,
    }
}

/// Every delivery's rows, each answered exactly.
#[test]
fn every_hostile_delivery_gets_its_exact_answer() {
    let mut cases = Vec::new();
    let mut per_preset: Vec<(String, usize)> = Vec::new();
    for delivery in deliveries() {
        let rows = delivery_cases(&delivery);
        match per_preset
            .iter_mut()
            .find(|(n, _)| n == delivery.scheme.name())
        {
            Some((_, count)) => *count += rows.len(),
            None => per_preset.push((delivery.scheme.name().to_owned(), rows.len())),
        }
        cases.extend(rows);
    }
    // Fewer without the features that read the keys: the rows with keys of their own.
    for (preset, minimum) in [
        ("sendgrid", 55),
        ("aws-sns", 450),
        ("paypal", 70),
        ("google-pubsub", 160),
    ] {
        let count = per_preset.iter().find(|(n, _)| n == preset).unwrap().1;
        assert!(count >= minimum, "{preset}: {count} rows");
    }

    let mut wrong = Vec::new();
    for case in &cases {
        let at = Timestamp::from_unix_secs(case.at);
        let (headers, body) = (&case.request.headers, &case.request.body);
        let got = match &case.request.line {
            Some((method, target)) => {
                let request = RequestView::new(method, target, headers);
                case.verifier.verify_at(&request, body, at).map(|_| ())
            }
            None => case.verifier.verify_at(headers, body, at).map(|_| ()),
        };
        if got != case.expected {
            wrong.push(format!(
                "{}: got {got:?}, expected {:?}",
                case.name, case.expected
            ));
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

fn delivery_cases(delivery: &Delivery) -> Vec<DeliveryCase> {
    let mut rows = DeliveryRows {
        delivery,
        out: Vec::new(),
    };
    rows.add("the delivery as sent", rows.valid(), Ok(()));
    // The window, as each provider states it: SNS's hour, the hour a Google ID token lives,
    // the verifier's 300 s for the others.
    let window = match delivery.scheme.name() {
        "aws-sns" => SNS_WINDOW,
        "google-pubsub" => PUBSUB_WINDOW,
        _ => 300,
    };
    window_rows(&mut rows, window);
    let mut hmac = Verifier::new(delivery.scheme.clone(), keyring());
    if delivery.scheme.signs_endpoint_id() {
        hmac = hmac.with_endpoint_id(&paypal_vector().webhook_id).unwrap();
    }
    rows.add_with(
        "a receiver holding an HMAC key alone",
        hmac,
        rows.valid(),
        delivery.at,
        Err(NoActiveKey),
    );
    match delivery.scheme.name() {
        "sendgrid" => sendgrid_cases(&mut rows),
        "aws-sns" => sns_cases(&mut rows),
        "paypal" => paypal_cases(&mut rows),
        "google-pubsub" => pubsub_cases(&mut rows),
        other => panic!("no delivery rows for {other}"),
    }
    rows.out
}

/// The delivery verified exactly a window after it was sent and before, and a second further.
fn window_rows(rows: &mut DeliveryRows<'_>, window: u64) {
    let at = rows.delivery.at;
    rows.add_at(
        "verified exactly a window after it was sent",
        at + window,
        Ok(()),
    );
    rows.add_at(
        "verified a window and a second after it was sent",
        at + window + 1,
        Err(TimestampTooOld),
    );
    rows.add_at(
        "verified exactly a window before it was sent",
        at - window,
        Ok(()),
    );
    rows.add_at(
        "verified a window and a second before it was sent",
        at - window - 1,
        Err(TimestampInFuture),
    );
}

/// The signature's text and shape, wherever the delivery carries it (`with` puts a signature's
/// text there): every value here is visible ASCII, so each answer is the signature's own.
fn signature_rows(rows: &mut DeliveryRows<'_>, text: &str, with: &dyn Fn(&str) -> Request) {
    use base64::Engine as _;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE};
    let bytes = STANDARD.decode(text).unwrap();
    let b64 = |bytes: &[u8]| with(&STANDARD.encode(bytes));

    rows.add("the signature re-encoded", b64(&bytes), Ok(()));
    rows.add(
        "an empty signature",
        with(""),
        Err(MalformedHeader(Signature)),
    );
    rows.add(
        "base64 with a bad character",
        with(&format!("!{}", &text[1..])),
        Err(MalformedSignature),
    );
    assert!(text.ends_with('='));
    rows.add(
        "base64 without its padding",
        with(text.trim_end_matches('=')),
        Err(MalformedSignature),
    );
    rows.add(
        "base64 with extra padding",
        with(&format!("{text}==")),
        Err(MalformedSignature),
    );
    assert!(text.contains(['+', '/']));
    rows.add(
        "URL-safe base64",
        with(&URL_SAFE.encode(&bytes)),
        Err(MalformedSignature),
    );
    // The last character before the padding carries unused bits; set one.
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut past = text.as_bytes().to_vec();
    let last = past.iter().rposition(|&b| b != b'=').unwrap();
    let index = ALPHABET.iter().position(|&c| c == past[last]).unwrap();
    assert_eq!(index & 1, 0);
    past[last] = ALPHABET[index | 1];
    rows.add(
        "base64 with a bit past the end",
        with(core::str::from_utf8(&past).unwrap()),
        Err(MalformedSignature),
    );
    // Hex digits are base64 characters: 512 of them (an RSA-2048 signature in hex) decode to
    // 384 bytes, the length of an RSA-3072 signature, well-formed but not this key's.
    let in_hex = if bytes.len() == 256 {
        Err(NoMatchingSignature)
    } else {
        Err(MalformedSignature)
    };
    rows.add("the signature in hex", with(&hex::encode(&bytes)), in_hex);
    rows.add(
        "a prefixed signature",
        with(&format!("v1={text}")),
        Err(MalformedSignature),
    );
    for (at, what) in [
        (0, "its first byte"),
        (bytes.len() / 2, "a middle byte"),
        (bytes.len() - 1, "its last byte"),
    ] {
        let mut flipped = bytes.clone();
        flipped[at] ^= 0x01;
        // In DER a changed first byte is no longer a sequence.
        let expected = if at == 0 && bytes.len() < 256 {
            Err(MalformedSignature)
        } else {
            Err(NoMatchingSignature)
        };
        rows.add(
            &format!("a bit of the signature flipped in {what}"),
            b64(&flipped),
            expected,
        );
    }
    // The signature is capped like a header, at 2048 bytes.
    rows.add(
        "2048 bytes of base64 (1536 decoded)",
        with(&"A".repeat(2048)),
        Err(MalformedSignature),
    );
    rows.add(
        "2049 bytes of base64",
        with(&"A".repeat(2049)),
        Err(HeaderTooLong(Signature)),
    );
    rows.add(
        "1 MiB of base64",
        with(&"A".repeat(1 << 20)),
        Err(HeaderTooLong(Signature)),
    );
    if bytes.len() >= 256 {
        rsa_signature_rows(rows, &bytes, &b64);
    } else {
        ecdsa_signature_rows(rows, &bytes, &b64);
    }
}

/// An RSA signature is as long as the key's modulus: 256 to 512 bytes (2048 to 4096 bits) is
/// the shape checked before any key; the key then wants exactly its own length.
fn rsa_signature_rows(rows: &mut DeliveryRows<'_>, bytes: &[u8], b64: &dyn Fn(&[u8]) -> Request) {
    assert_eq!(bytes.len(), 256);
    rows.add(
        "the signature one byte short (255 bytes)",
        b64(&bytes[..255]),
        Err(MalformedSignature),
    );
    // 257 bytes is the length of a 2049-to-2056-bit key's signatures: well-formed, but not
    // this 2048-bit key's.
    rows.add(
        "the signature one byte long (257 bytes)",
        b64(&[bytes, &[0]].concat()),
        Err(NoMatchingSignature),
    );
    rows.add(
        "a zero byte before the signature (257 bytes)",
        b64(&[&[0], bytes].concat()),
        Err(NoMatchingSignature),
    );
    rows.add(
        "512 bytes, an RSA-4096 signature's length",
        b64(&[bytes, bytes].concat()),
        Err(NoMatchingSignature),
    );
    rows.add(
        "513 bytes, longer than any accepted key's",
        b64(&[bytes, bytes, &[0]].concat()),
        Err(MalformedSignature),
    );
    rows.add("256 zero bytes", b64(&[0; 256]), Err(NoMatchingSignature));
}

/// A DER ECDSA signature: `SEQUENCE { INTEGER r, INTEGER s }`, each integer minimal and
/// positive, checked before any key.
fn ecdsa_signature_rows(rows: &mut DeliveryRows<'_>, bytes: &[u8], b64: &dyn Fn(&[u8]) -> Request) {
    let (r, s) = der_integers(bytes);
    rows.add(
        "the DER one byte short",
        b64(&bytes[..bytes.len() - 1]),
        Err(MalformedSignature),
    );
    rows.add(
        "the DER with a byte after it",
        b64(&[bytes, &[0]].concat()),
        Err(MalformedSignature),
    );
    rows.add(
        "the DER's sequence length one more",
        b64(&[&[0x30, bytes[1] + 1], &bytes[2..], &[0]].concat()),
        Err(MalformedSignature),
    );
    rows.add(
        "the DER's length in the long form",
        b64(&[&[0x30, 0x81, bytes[1]], &bytes[2..]].concat()),
        Err(MalformedSignature),
    );
    rows.add(
        "r with a needless leading zero",
        b64(&der_signature(&[&[0], r.as_slice()].concat(), &s)),
        Err(MalformedSignature),
    );
    let fixed = [fixed_32(&r), fixed_32(&s)].concat();
    rows.add(
        "r and s as 64 fixed bytes (JWS ES256)",
        b64(&fixed),
        Err(MalformedSignature),
    );
    rows.add(
        "an empty sequence",
        b64(&[0x30, 0x00]),
        Err(MalformedSignature),
    );
    rows.add(
        "r and s swapped",
        b64(&der_signature(&s, &r)),
        Err(NoMatchingSignature),
    );
    rows.add(
        "r and s both 1",
        b64(&der_signature(&[1], &[1])),
        Err(NoMatchingSignature),
    );
    // ECDSA accepts (r, n − s) as well as (r, s); SendGrid's signatures have either.
    let negated = der_integer(&p256_negate(&fixed_32(&s)));
    rows.add(
        "s negated (n - s), the same signature's other half",
        b64(&der_signature(&r, &negated)),
        Ok(()),
    );
}

/// The two integers of a DER ECDSA signature, as written (their sign bytes included).
fn der_integers(der: &[u8]) -> (Vec<u8>, Vec<u8>) {
    assert_eq!((der[0], usize::from(der[1])), (0x30, der.len() - 2));
    let r_len = usize::from(der[3]);
    let s_at = 4 + r_len;
    let s_len = usize::from(der[s_at + 1]);
    assert_eq!(s_at + 2 + s_len, der.len());
    (der[4..s_at].to_vec(), der[s_at + 2..].to_vec())
}

fn der_signature(r: &[u8], s: &[u8]) -> Vec<u8> {
    let len = |v: &[u8]| u8::try_from(v.len()).unwrap();
    let mut out = vec![0x30, len(r) + len(s) + 4, 0x02, len(r)];
    out.extend(r);
    out.extend([0x02, len(s)]);
    out.extend(s);
    out
}

/// `value` (big-endian) as a minimal positive DER integer's content.
fn der_integer(value: &[u8]) -> Vec<u8> {
    let start = value
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(value.len() - 1);
    let value = &value[start..];
    if value[0] >= 0x80 {
        [&[0], value].concat()
    } else {
        value.to_vec()
    }
}

/// A DER integer's content as 32 big-endian bytes.
fn fixed_32(int: &[u8]) -> [u8; 32] {
    let int = int.strip_prefix(&[0]).unwrap_or(int);
    let mut out = [0; 32];
    out[32 - int.len()..].copy_from_slice(int);
    out
}

/// `n − s` for P-256's group order `n`.
fn p256_negate(s: &[u8; 32]) -> [u8; 32] {
    let n =
        hex::decode("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551").unwrap();
    let mut out = [0; 32];
    let mut borrow = 0_i16;
    for i in (0..32).rev() {
        let d = i16::from(n[i]) - i16::from(s[i]) - borrow;
        borrow = i16::from(d < 0);
        out[i] = u8::try_from(d.rem_euclid(256)).unwrap();
    }
    assert_eq!(borrow, 0);
    out
}

/// SendGrid: `timestamp‖body` signed with ECDSA P-256, the DER signature in base64.
fn sendgrid_cases(rows: &mut DeliveryRows<'_>) {
    let valid = rows.valid();
    let d = rows.delivery;
    let sig = get(&valid.headers, SENDGRID_SIGNATURE);
    let stamp = get(&valid.headers, SENDGRID_TIMESTAMP);
    let with_sig = |text: &str| valid.clone().header(SENDGRID_SIGNATURE, text);
    let ts = |text: &str| valid.clone().header(SENDGRID_TIMESTAMP, text);

    // The other known answers, each under its own key and under another's.
    let vectors = sendgrid_vectors();
    for (i, v) in vectors.iter().enumerate().skip(1) {
        let other = sendgrid_delivery(v);
        rows.add_with(
            &format!("known answer {} ({}) under its key", i + 1, v.file),
            other.verifier.clone(),
            other.request.clone(),
            other.at,
            Ok(()),
        );
        rows.add_with(
            &format!("known answer {} ({}) under this key", i + 1, v.file),
            d.verifier.clone(),
            other.request.clone(),
            other.at,
            Err(NoMatchingSignature),
        );
    }

    // The body: every signed byte counts, the SDKs' CRLF included.
    let last = valid.body.len() - 1;
    for (at, what) in [(0, "first"), (last / 2, "middle"), (last, "last")] {
        rows.add(
            &format!("a bit flipped in the body's {what} byte"),
            valid.clone().flip(at, 0),
            Err(NoMatchingSignature),
        );
    }
    assert!(valid.body.ends_with(b"\r\n"));
    rows.add(
        "the body without its final CRLF",
        valid.clone().body(&valid.body[..last - 1]),
        Err(NoMatchingSignature),
    );
    rows.add(
        "a byte appended to the body",
        valid.clone().body([valid.body.as_slice(), b" "].concat()),
        Err(NoMatchingSignature),
    );
    rows.add(
        "an empty body",
        valid.clone().body(""),
        Err(NoMatchingSignature),
    );

    // The timestamp: signed, parsed strictly, checked against the window.
    let later = (d.at + 1).to_string();
    rows.add("a second later", ts(&later), Err(NoMatchingSignature));
    rows.add(
        "a digit moved from the timestamp into the body",
        ts(&stamp[..stamp.len() - 1])
            .body([&stamp.as_bytes()[stamp.len() - 1..], &valid.body].concat()),
        Err(TimestampTooOld),
    );
    rows.add(
        "no timestamp header",
        valid.clone().without(SENDGRID_TIMESTAMP),
        Err(MissingHeader(Ts)),
    );
    rows.add(
        "the timestamp header twice",
        valid.clone().twice(SENDGRID_TIMESTAMP),
        Err(DuplicateHeader(Ts)),
    );
    for (what, text, reason) in [
        ("an empty timestamp", String::new(), TimestampReason::Empty),
        (
            "+ before the timestamp",
            format!("+{stamp}"),
            TimestampReason::NotDigits,
        ),
        (
            "a leading zero",
            format!("0{stamp}"),
            TimestampReason::LeadingZero,
        ),
        (
            "a fraction",
            format!("{stamp}.0"),
            TimestampReason::NotDigits,
        ),
        (
            "RFC 3339",
            "2020-09-14T19:41:42Z".to_owned(),
            TimestampReason::NotDigits,
        ),
    ] {
        rows.add(what, ts(&text), Err(InvalidTimestamp(reason)));
    }
    rows.add(
        "the timestamp in milliseconds",
        ts(&format!("{stamp}000")),
        Err(TimestampInFuture),
    );

    // The signature header.
    rows.add(
        "no headers at all",
        valid.clone().no_headers(),
        Err(MissingHeader(Signature)),
    );
    rows.add(
        "no signature header",
        valid.clone().without(SENDGRID_SIGNATURE),
        Err(MissingHeader(Signature)),
    );
    rows.add(
        "the signature header twice",
        valid.clone().twice(SENDGRID_SIGNATURE),
        Err(DuplicateHeader(Signature)),
    );
    rows.add(
        "the headers' names in capitals",
        valid
            .clone()
            .without(SENDGRID_SIGNATURE)
            .without(SENDGRID_TIMESTAMP)
            .header(&SENDGRID_SIGNATURE.to_uppercase(), sig.clone())
            .header(&SENDGRID_TIMESTAMP.to_uppercase(), stamp.clone()),
        Ok(()),
    );
    rows.add(
        "spaces and tabs around the signature",
        with_sig(&format!(" \t{sig}\t ")),
        Ok(()),
    );
    rows.add(
        "a space inside the signature",
        with_sig(&format!("{} {}", &sig[..10], &sig[10..])),
        Err(MalformedHeader(Signature)),
    );
    rows.add(
        "NUL after the signature",
        with_sig(&format!("{sig}\0")),
        Err(MalformedHeader(Signature)),
    );
    rows.add(
        "non-ASCII after the signature",
        with_sig(&format!("{sig}\u{e9}")),
        Err(MalformedHeader(Signature)),
    );
    signature_rows(rows, &sig, &with_sig);

    // Keys.
    #[cfg(feature = "p256")]
    {
        let ring = |keys: Vec<hookseal::Key>| Keyring::from_keys(keys).unwrap();
        let own = || sendgrid_key("sendgrid", &vectors[0].key);
        let other = || sendgrid_key("other", &vectors[1].key);
        let verifier = |keys| Verifier::new(Scheme::sendgrid(), ring(keys));
        rows.add_with(
            "another sender's key",
            verifier(vec![other()]),
            valid.clone(),
            d.at,
            Err(NoMatchingSignature),
        );
        rows.add_with(
            "another sender's key, then this one",
            verifier(vec![other(), own()]),
            valid.clone(),
            d.at,
            Ok(()),
        );
        let at = Timestamp::from_unix_secs(d.at);
        let before = Timestamp::from_unix_secs(d.at - 1);
        let after = Timestamp::from_unix_secs(d.at + 1);
        for (what, key, expected) in [
            (
                "the key valid until the second before",
                own().not_after(before),
                Err(NoActiveKey),
            ),
            (
                "the key valid from the second after",
                own().not_before(after),
                Err(NoActiveKey),
            ),
            (
                "the key valid until the very second",
                own().not_after(at),
                Ok(()),
            ),
            (
                "the key valid from the very second",
                own().not_before(at),
                Ok(()),
            ),
        ] {
            rows.add_with(what, verifier(vec![key]), valid.clone(), d.at, expected);
        }
        #[cfg(feature = "rsa")]
        {
            let rsa =
                hookseal::RsaPublicKey::from_pem(include_str!("../vectors/aws_sns/public_key.pem"))
                    .unwrap();
            rows.add_with(
                "an RSA key",
                verifier(vec![hookseal::Key::rsa_public("rsa", rsa).unwrap()]),
                valid.clone(),
                d.at,
                Err(NoActiveKey),
            );
        }
    }
}

/// The raw JSON text of member `name`'s value in an SNS vector, which holds one member a line.
fn sns_value(body: &str, name: &str) -> Option<String> {
    let key = format!("\n  \"{name}\": ");
    let start = body.find(&key)? + key.len();
    let end = start + body[start..].find('\n').unwrap();
    Some(body[start..end].trim_end_matches(',').to_owned())
}

/// `body` with member `name`'s value written as `raw` (JSON text).
fn sns_set(body: &str, name: &str, raw: &str) -> String {
    let key = format!("\n  \"{name}\": ");
    let start = body.find(&key).unwrap() + key.len();
    let old = sns_value(body, name).unwrap();
    format!("{}{raw}{}", &body[..start], &body[start + old.len()..])
}

/// `body` without member `name` (never the last one, which has no comma after it).
fn sns_without(body: &str, name: &str) -> String {
    let key = format!("\n  \"{name}\": ");
    let start = body.find(&key).unwrap();
    let end = start + 1 + body[start + 1..].find('\n').unwrap();
    assert!(body[..end].ends_with(','), "{name} is the last member");
    format!("{}{}", &body[..start], &body[end..])
}

/// `body` with member `name` written as `raw` first, before the others.
fn sns_with(body: &str, name: &str, raw: &str) -> String {
    let rest = body.strip_prefix('{').unwrap();
    format!("{{\n  \"{name}\": {raw},{rest}")
}

/// AWS SNS: the JSON body carries the signature, its version and the signed members.
#[allow(clippy::too_many_lines)]
fn sns_cases(rows: &mut DeliveryRows<'_>) {
    let valid = rows.valid();
    let d = rows.delivery;
    let text = valid.text();
    let body = |text: String| valid.clone().body(text);
    let set = |name: &str, raw: &str| body(sns_set(&text, name, raw));
    let without = |name: &str| body(sns_without(&text, name));
    let with = |name: &str, raw: &str| body(sns_with(&text, name, raw));
    let value = |name: &str| sns_value(&text, name).unwrap();
    let version = value("SignatureVersion");
    let has_subject = sns_value(&text, "Subject").is_some();
    let changed = Err(NoMatchingSignature);

    // A bit flipped: in a signed member, in an unsigned one, in the JSON around them.
    let flip_in = |needle: &str, offset: usize| {
        let at = text.find(needle).unwrap() + offset;
        valid.clone().flip(at, 0)
    };
    rows.add(
        "a bit flipped in Message (Hello vorld)",
        flip_in("\"Message\": \"Hello world\"", 18),
        changed.clone(),
    );
    rows.add(
        "a bit flipped in UnsubscribeURL, which is not signed",
        flip_in("Action=Unsubscribe", 7),
        Ok(()),
    );
    rows.add(
        "a bit flipped in the closing brace",
        valid.clone().flip(text.len() - 2, 0),
        Err(MalformedBody),
    );
    rows.add(
        "a bit flipped in a member's name (Message to Messagd)",
        flip_in("\"Message\":", 7),
        changed.clone(),
    );

    // Each of the eight signed members: changed, added where absent, removed where present.
    let message_id = value("MessageId");
    let last = if message_id.ends_with("a\"") {
        "b"
    } else {
        "a"
    };
    let other_id = format!("{}{last}\"", &message_id[..message_id.len() - 2]);
    let timestamp = value("Timestamp");
    let topic = value("TopicArn");
    rows.add(
        "Message changed",
        set("Message", "\"Hello World\""),
        changed.clone(),
    );
    rows.add(
        "MessageId changed",
        set("MessageId", &other_id),
        changed.clone(),
    );
    let mut bumped = timestamp.clone().into_bytes();
    let digit = bumped.len() - 3; // the fraction's last digit, before `Z"`
    bumped[digit] = if bumped[digit] == b'9' {
        b'8'
    } else {
        bumped[digit] + 1
    };
    rows.add(
        "Timestamp changed by a millisecond",
        set("Timestamp", core::str::from_utf8(&bumped).unwrap()),
        changed.clone(),
    );
    rows.add(
        "TopicArn changed",
        set("TopicArn", &topic.replace("us-east-2", "us-east-1")),
        changed.clone(),
    );
    rows.add(
        "Type changed to SubscriptionConfirmation",
        set("Type", "\"SubscriptionConfirmation\""),
        changed.clone(),
    );
    rows.add(
        "SubscribeURL added",
        with(
            "SubscribeURL",
            "\"https://sns.us-east-2.amazonaws.com/?Action=ConfirmSubscription\"",
        ),
        changed.clone(),
    );
    rows.add(
        "Token added",
        with("Token", "\"2336412f37\""),
        changed.clone(),
    );
    rows.add(
        "an empty Token added",
        with("Token", "\"\""),
        changed.clone(),
    );
    if has_subject {
        rows.add(
            "Subject changed",
            set("Subject", "\"Hello World\""),
            changed.clone(),
        );
        rows.add("Subject removed", without("Subject"), changed.clone());
        rows.add(
            "Subject written with an escape that decodes to the same text",
            set("Subject", "\"Hello\\u0020world\""),
            Ok(()),
        );
    } else {
        rows.add(
            "Subject added to a notification that had none",
            with("Subject", "\"Hello world\""),
            changed.clone(),
        );
        rows.add(
            "an empty Subject added",
            with("Subject", "\"\""),
            changed.clone(),
        );
    }
    rows.add("Message removed", without("Message"), changed.clone());
    rows.add("TopicArn removed", without("TopicArn"), changed.clone());
    rows.add("Type removed", without("Type"), changed.clone());
    rows.add(
        "MessageId removed",
        without("MessageId"),
        Err(MissingField(Id)),
    );
    rows.add(
        "Timestamp removed",
        without("Timestamp"),
        Err(MissingField(Ts)),
    );

    // Signed members are read with their escapes decoded: an escape that decodes to the same
    // text verifies, one that decodes to other text does not. The id and the timestamp are read
    // as sent, and refuse escapes.
    rows.add(
        "Message with an escape that decodes to the same text (Hello\\u0020world)",
        set("Message", "\"Hello\\u0020world\""),
        Ok(()),
    );
    rows.add(
        "Message with \\u0077 for the w",
        set("Message", "\"Hello \\u0077orld\""),
        Ok(()),
    );
    rows.add(
        "Message with a newline for the space (Hello\\nworld)",
        set("Message", "\"Hello\\nworld\""),
        changed.clone(),
    );
    rows.add(
        "Message with a decoded \\/ (Hello\\/world)",
        set("Message", "\"Hello\\/world\""),
        changed.clone(),
    );
    rows.add(
        "Message with a lone surrogate",
        set("Message", "\"Hello \\ud800world\""),
        Err(MalformedBody),
    );
    rows.add(
        "Message with a surrogate pair",
        set("Message", "\"Hello \\ud83d\\ude00\""),
        changed.clone(),
    );
    rows.add(
        "TopicArn with each : escaped",
        set("TopicArn", &topic.replace(':', "\\u003a")),
        Ok(()),
    );
    rows.add(
        "Type's N escaped",
        set("Type", "\"\\u004eotification\""),
        Ok(()),
    );
    rows.add(
        "MessageId's first character escaped",
        set(
            "MessageId",
            &format!("\"\\u00{:x}{}", message_id.as_bytes()[1], &message_id[2..]),
        ),
        Err(MalformedBody),
    );
    rows.add(
        "Timestamp's Z escaped",
        set("Timestamp", &timestamp.replace("Z\"", "\\u005a\"")),
        Err(MalformedBody),
    );
    rows.add(
        "Message's name escaped",
        body(text.replacen("\"Message\":", "\"\\u004dessage\":", 1)),
        Err(MalformedBody),
    );
    rows.add(
        "an unsigned member's name escaped",
        body(text.replacen("\"UnsubscribeURL\":", "\"\\u0055nsubscribeURL\":", 1)),
        Err(MalformedBody),
    );

    // Signed members must be strings, each named once.
    for (what, name, raw) in [
        ("Subject null", "Subject", "null"),
        ("Message a number", "Message", "1"),
        ("Message an object", "Message", "{}"),
        ("Message an array", "Message", "[\"Hello world\"]"),
        ("Token true", "Token", "true"),
    ] {
        let request = if sns_value(&text, name).is_some() {
            set(name, raw)
        } else {
            with(name, raw)
        };
        rows.add(what, request, Err(MalformedBody));
    }
    for name in [
        "Message",
        "MessageId",
        "Subject",
        "Timestamp",
        "TopicArn",
        "Type",
        "Signature",
        "SignatureVersion",
    ] {
        if let Some(raw) = sns_value(&text, name) {
            rows.add(
                &format!("{name} twice, the same"),
                with(name, &raw),
                Err(MalformedBody),
            );
        }
    }
    rows.add(
        "Message twice, another first",
        with("Message", "\"Hello World\""),
        Err(MalformedBody),
    );
    // Members the scheme reads no value from may repeat. Those it reads are read in one pass
    // over the body, so each must be there once even where its value is not needed (a pinned
    // key needs no certificate URL).
    rows.add(
        "UnsubscribeURL twice",
        with("UnsubscribeURL", &value("UnsubscribeURL")),
        Ok(()),
    );
    rows.add(
        "SigningCertURL twice",
        with("SigningCertURL", &value("SigningCertURL")),
        Err(MalformedBody),
    );
    rows.add(
        "an unknown member added",
        with(
            "MessageAttributes",
            "{\"a\":{\"Type\":\"String\",\"Value\":\"1\"}}",
        ),
        Ok(()),
    );
    for (what, raw) in [
        ("not JSON", "Type=Notification".to_owned()),
        ("a JSON array", format!("[{text}]")),
        ("an empty body", String::new()),
        ("two objects", format!("{text}{text}")),
        ("text after the object", format!("{text}x")),
        ("a trailing comma", text.replacen("\n}", ",\n}", 1)),
    ] {
        rows.add(what, body(raw), Err(MalformedBody));
    }
    rows.add(
        "whitespace around the object",
        body(format!("\r\n\t {text}\t\r\n ")),
        Ok(()),
    );
    // Folded into TopicArn, Type would sign the same text: only Message may hold a line
    // feed, so the signed text has one reading.
    rows.add(
        "Type folded into TopicArn (TopicArn\\nType\\nNotification)",
        body(sns_without(
            &sns_set(
                &text,
                "TopicArn",
                &format!("{}\\nType\\nNotification\"", topic.trim_end_matches('"')),
            ),
            "Type",
        )),
        Err(MalformedBody),
    );

    // SignatureVersion names the hash: SHA-1 for "1", SHA-256 for "2", nothing else.
    let other_version = if version == "\"1\"" { "\"2\"" } else { "\"1\"" };
    rows.add(
        &format!("this signature presented as version {other_version}"),
        set("SignatureVersion", other_version),
        changed.clone(),
    );
    for (what, raw) in [
        ("SignatureVersion 3", "\"3\""),
        ("SignatureVersion 0", "\"0\""),
        ("SignatureVersion empty", "\"\""),
        ("SignatureVersion with a leading zero", "\"02\""),
        ("SignatureVersion with a space", "\" 2\""),
        ("SignatureVersion SHA256withRSA", "\"SHA256withRSA\""),
    ] {
        rows.add(what, set("SignatureVersion", raw), Err(UnknownAlgorithm));
    }
    rows.add(
        &format!("SignatureVersion {} as a number", version.trim_matches('"')),
        set("SignatureVersion", version.trim_matches('"')),
        Err(MalformedBody),
    );
    rows.add(
        "SignatureVersion null",
        set("SignatureVersion", "null"),
        Err(MalformedBody),
    );
    rows.add(
        "SignatureVersion removed",
        without("SignatureVersion"),
        Err(MissingField(HeaderKind::Algorithm)),
    );
    let sig = value("Signature");
    let sig = sig.trim_matches('"');
    rows.add(
        "Signature removed",
        without("Signature"),
        Err(MissingField(Signature)),
    );
    rows.add(
        "Signature a number",
        set("Signature", "12345678"),
        Err(MalformedSignature),
    );
    rows.add(
        "Signature with \\/ for a /",
        set("Signature", &format!("\"{}\"", sig.replacen('/', "\\/", 1))),
        Err(MalformedBody),
    );
    rows.add(
        "a space inside Signature",
        set("Signature", &format!("\"{} {}\"", &sig[..10], &sig[10..])),
        Err(MalformedHeader(Signature)),
    );
    rows.add(
        "non-ASCII after Signature",
        set("Signature", &format!("\"{sig}\u{e9}\"")),
        Err(MalformedHeader(Signature)),
    );
    rows.add(
        "a raw NUL inside Signature (not JSON)",
        set("Signature", &format!("\"{sig}\0\"")),
        Err(MalformedBody),
    );
    let with_sig = |text: &str| set("Signature", &format!("\"{text}\""));
    signature_rows(rows, sig, &with_sig);

    // The signature of the other notification of the same version: another message.
    let (other_vector, other_text) = SNS_NOTIFICATIONS
        .into_iter()
        .find(|(name, t)| *name != d.vector && sns_value(t, "SignatureVersion").unwrap() == version)
        .unwrap();
    let other_sig = sns_value(other_text, "Signature").unwrap();
    rows.add(
        &format!("the signature of {other_vector}"),
        set("Signature", &other_sig),
        changed.clone(),
    );

    // The timestamp: RFC 3339, strictly.
    let stamp = timestamp.trim_matches('"');
    for (what, text) in [
        ("a lowercase t", stamp.replace('T', "t")),
        ("a lowercase z", stamp.replace('Z', "z")),
        ("no offset", stamp.replace('Z', "")),
        ("a space for T", stamp.replace('T', " ")),
        ("Unix seconds", d.at.to_string()),
        ("ten fraction digits", stamp.replace('Z', "0000000Z")),
        ("an empty fraction", format!("{}.Z", &stamp[..19])),
    ] {
        rows.add(
            &format!("Timestamp with {what}"),
            set("Timestamp", &format!("\"{text}\"")),
            Err(InvalidTimestamp(TimestampReason::NotRfc3339)),
        );
    }
    rows.add(
        "Timestamp a number",
        set("Timestamp", &d.at.to_string()),
        Err(InvalidTimestamp(TimestampReason::NotRfc3339)),
    );
    rows.add(
        "Timestamp empty",
        set("Timestamp", "\"\""),
        Err(InvalidTimestamp(TimestampReason::Empty)),
    );

    // The id: a delivery id, read as sent.
    rows.add("MessageId empty", set("MessageId", "\"\""), Err(InvalidId));
    rows.add(
        "MessageId with a space",
        set("MessageId", "\"792cda85 518f\""),
        Err(InvalidId),
    );
    rows.add(
        "MessageId of 256 characters",
        set("MessageId", &format!("\"{}\"", "a".repeat(256))),
        Err(InvalidId),
    );
    rows.add(
        "MessageId a number (then not a string to sign)",
        set("MessageId", "12345"),
        Err(MalformedBody),
    );

    // Headers are not read.
    rows.add(
        "a Signature header, the member removed",
        without("Signature").header("Signature", sig),
        Err(MissingField(Signature)),
    );
    rows.add(
        "unrelated headers",
        valid
            .clone()
            .header("x-amz-sns-message-type", "Notification"),
        Ok(()),
    );

    // Keys: the certificate's key is trusted between its dates.
    #[cfg(feature = "x509")]
    {
        let cert = certificate(SNS_CERT);
        let (from, until) = (
            cert.not_before().as_unix_secs(),
            cert.not_after().as_unix_secs(),
        );
        assert!(from < d.at && d.at < until);
        let pinned = &d.keyring;
        let late = |max_age: u64| {
            Verifier::new(Scheme::aws_sns(), pinned.clone())
                .with_max_age(std::time::Duration::from_secs(max_age))
        };
        let early = |skew: u64| {
            Verifier::new(Scheme::aws_sns(), pinned.clone())
                .with_max_future_skew(std::time::Duration::from_secs(skew))
        };
        rows.add_with(
            "verified at the certificate's notAfter (the window widened)",
            late(until - d.at),
            valid.clone(),
            until,
            Ok(()),
        );
        rows.add_with(
            "verified a second after the certificate's notAfter",
            late(until + 1 - d.at),
            valid.clone(),
            until + 1,
            Err(NoActiveKey),
        );
        rows.add_with(
            "verified at the certificate's notBefore (the window widened)",
            early(d.at - from),
            valid.clone(),
            from,
            Ok(()),
        );
        rows.add_with(
            "verified a second before the certificate's notBefore",
            early(d.at - from + 1),
            valid.clone(),
            from - 1,
            Err(NoActiveKey),
        );
        let key = || {
            let key = hookseal::RsaPublicKey::from_pem(SNS_PUBLIC_KEY).unwrap();
            hookseal::Key::rsa_public("sns-key", key).unwrap()
        };
        rows.add_with(
            "the certificate's key pinned bare, after the certificate's notAfter",
            Verifier::new(Scheme::aws_sns(), Keyring::new(key()).unwrap())
                .with_max_age(std::time::Duration::from_secs(until + 1 - d.at)),
            valid.clone(),
            until + 1,
            Ok(()),
        );
        let ring = |keys: Vec<hookseal::Key>| Keyring::from_keys(keys).unwrap();
        // PayPal's certificate expired in 2019: no key of it is valid in 2022.
        rows.add_with(
            "PayPal's certificate pinned",
            Verifier::new(
                Scheme::aws_sns(),
                ring(vec![certificate_key("paypal", PAYPAL_CERT)]),
            ),
            valid.clone(),
            d.at,
            Err(NoActiveKey),
        );
        rows.add_with(
            "PayPal's key pinned bare",
            Verifier::new(
                Scheme::aws_sns(),
                ring(vec![bare_key("paypal", PAYPAL_CERT)]),
            ),
            valid.clone(),
            d.at,
            Err(NoMatchingSignature),
        );
        rows.add_with(
            "PayPal's certificate, then this one",
            Verifier::new(
                Scheme::aws_sns(),
                ring(vec![
                    certificate_key("paypal", PAYPAL_CERT),
                    certificate_key("sns", SNS_CERT),
                ]),
            ),
            valid.clone(),
            d.at,
            Ok(()),
        );
        #[cfg(feature = "p256")]
        rows.add_with(
            "a P-256 key pinned",
            Verifier::new(
                Scheme::aws_sns(),
                ring(vec![sendgrid_key("p256", &sendgrid_vectors()[0].key)]),
            ),
            valid.clone(),
            d.at,
            Err(NoActiveKey),
        );
    }
}

/// The CRC-32 (ISO-HDLC, zlib's) of `bytes`.
fn crc32(bytes: &[u8]) -> u32 {
    let mut reg = !0_u32;
    for &b in bytes {
        reg ^= u32::from(b);
        for _ in 0..8 {
            reg = if reg & 1 == 1 {
                (reg >> 1) ^ 0xEDB8_8320
            } else {
                reg >> 1
            };
        }
    }
    !reg
}

/// Four bytes that, appended to `data`, make its CRC-32 `target`: the register is run back from
/// the one `target` ends with through 32 shifts, to the one the four bytes must be XORed into.
fn crc32_suffix(data: &[u8], target: u32) -> [u8; 4] {
    let mut reg = !target;
    for _ in 0..32 {
        reg = if reg & 0x8000_0000 != 0 {
            ((reg ^ 0xEDB8_8320) << 1) | 1
        } else {
            reg << 1
        };
    }
    (reg ^ !crc32(data)).to_le_bytes()
}

/// PayPal: `id|time|webhook_id|crc32(body)` signed with RSA-SHA256, named by its headers.
#[allow(clippy::too_many_lines)]
fn paypal_cases(rows: &mut DeliveryRows<'_>) {
    let valid = rows.valid();
    let d = rows.delivery;
    let vector = paypal_vector();
    let h = |name: &str, value: &str| valid.clone().header(name, value);
    let changed = Err(NoMatchingSignature);

    // The CRC-32 is signed as an unsigned decimal number: this body's is above 2^31, so the
    // delivery verifying at all shows it is not written as a signed one.
    let crc = crc32(&valid.body);
    assert_eq!(crc, vector.body_crc32);
    assert!(crc > i32::MAX.unsigned_abs(), "{crc}");

    // The body is signed through its CRC-32 alone.
    let last = valid.body.len() - 1;
    for (at, what) in [(0, "first"), (last / 2, "middle"), (last, "last")] {
        rows.add(
            &format!("a bit flipped in the body's {what} byte"),
            valid.clone().flip(at, 7),
            changed.clone(),
        );
    }
    rows.add(
        "a byte appended to the body",
        valid.clone().body([valid.body.as_slice(), b"\n"].concat()),
        changed.clone(),
    );
    rows.add("an empty body", valid.clone().body(""), changed.clone());
    let edited = valid
        .text()
        .replacen("BILLING.PLAN.CREATED", "BILLING.PLAN.DELETED", 1)
        .into_bytes();
    rows.add(
        "the event type changed",
        valid.clone().body(edited.clone()),
        changed.clone(),
    );
    // So another body with the same CRC-32 verifies: PayPal does not authenticate the body.
    let forged = [edited.as_slice(), &crc32_suffix(&edited, crc)].concat();
    assert_eq!(crc32(&forged), crc);
    rows.add(
        "the event type changed and four bytes restoring the CRC-32 appended",
        valid.clone().body(forged),
        Ok(()),
    );

    // The signed headers.
    let id = get(&valid.headers, "PAYPAL-TRANSMISSION-ID");
    let time = get(&valid.headers, "PAYPAL-TRANSMISSION-TIME");
    rows.add(
        "the transmission id changed",
        h("PAYPAL-TRANSMISSION-ID", &id.replace("6b62", "6b63")),
        changed.clone(),
    );
    rows.add(
        "the transmission time a second later",
        h("PAYPAL-TRANSMISSION-TIME", &time.replace("05Z", "06Z")),
        changed.clone(),
    );
    rows.add(
        "the same instant with a fraction",
        h("PAYPAL-TRANSMISSION-TIME", &time.replace('Z', ".000Z")),
        changed.clone(),
    );
    rows.add(
        "the same instant at offset +00:00",
        h("PAYPAL-TRANSMISSION-TIME", &time.replace('Z', "+00:00")),
        changed.clone(),
    );
    rows.add(
        "the certificate URL changed (not signed; a pinned key reads none)",
        h(
            "PAYPAL-CERT-URL",
            "https://api.paypal.com/v1/notifications/certs/CERT-360caa42",
        ),
        Ok(()),
    );
    rows.add(
        "no certificate URL (a pinned key reads none)",
        valid.clone().without("PAYPAL-CERT-URL"),
        Ok(()),
    );

    // The webhook id comes from the receiver's configuration.
    let scheme = Scheme::paypal();
    rows.add_with(
        "a receiver without the webhook id",
        Verifier::new(scheme.clone(), d.keyring.clone()),
        valid.clone(),
        d.at,
        Err(MissingEndpointId),
    );
    rows.add_with(
        "another webhook id",
        Verifier::new(scheme.clone(), d.keyring.clone())
            .with_endpoint_id("96605875FF6516634")
            .unwrap(),
        valid.clone(),
        d.at,
        changed.clone(),
    );
    rows.add_with(
        "the webhook id in lowercase",
        Verifier::new(scheme.clone(), d.keyring.clone())
            .with_endpoint_id(&vector.webhook_id.to_lowercase())
            .unwrap(),
        valid.clone(),
        d.at,
        changed.clone(),
    );

    // The algorithm: SHA256withRSA, exactly.
    for value in [
        "SHA1withRSA",
        "sha256withrsa",
        "SHA256withECDSA",
        "SHA512withRSA",
        "",
    ] {
        rows.add(
            &format!("PAYPAL-AUTH-ALGO {value:?}"),
            h("PAYPAL-AUTH-ALGO", value),
            Err(UnknownAlgorithm),
        );
    }
    rows.add(
        "no PAYPAL-AUTH-ALGO",
        valid.clone().without("PAYPAL-AUTH-ALGO"),
        Err(MissingHeader(HeaderKind::Algorithm)),
    );
    rows.add(
        "PAYPAL-AUTH-ALGO twice",
        valid.clone().twice("PAYPAL-AUTH-ALGO"),
        Err(DuplicateHeader(HeaderKind::Algorithm)),
    );
    rows.add(
        "spaces around PAYPAL-AUTH-ALGO",
        h("PAYPAL-AUTH-ALGO", " SHA256withRSA\t"),
        Ok(()),
    );

    // Each header absent, repeated; the headers' names in lowercase.
    for (header, kind) in [
        ("PAYPAL-TRANSMISSION-SIG", Signature),
        ("PAYPAL-TRANSMISSION-TIME", Ts),
        ("PAYPAL-TRANSMISSION-ID", Id),
    ] {
        rows.add(
            &format!("no {header}"),
            valid.clone().without(header),
            Err(MissingHeader(kind)),
        );
        rows.add(
            &format!("{header} twice"),
            valid.clone().twice(header),
            Err(DuplicateHeader(kind)),
        );
    }
    rows.add(
        "no headers at all",
        valid.clone().no_headers(),
        Err(MissingHeader(HeaderKind::Algorithm)),
    );
    let lower = valid
        .headers
        .iter()
        .map(|(n, v)| (n.to_lowercase(), v.clone()))
        .collect();
    rows.add(
        "the headers' names in lowercase",
        Request::delivered(lower, valid.body.clone()),
        Ok(()),
    );

    // The id: signed next to a `|`, so an id holding one is ambiguous.
    rows.add(
        "a | inside the transmission id",
        h("PAYPAL-TRANSMISSION-ID", &id.replace('-', "|")),
        Err(AmbiguousId),
    );
    for (what, value) in [
        ("an empty transmission id", String::new()),
        ("a space inside the transmission id", id.replace('-', " ")),
        ("a transmission id of 256 characters", "a".repeat(256)),
    ] {
        rows.add(what, h("PAYPAL-TRANSMISSION-ID", &value), Err(InvalidId));
    }

    // The time: RFC 3339, strictly.
    for (what, value) in [
        ("a lowercase t and z", time.to_lowercase()),
        ("no offset", time.replace('Z', "")),
        ("Unix seconds", d.at.to_string()),
        ("a date alone", time[..10].to_owned()),
    ] {
        rows.add(
            &format!("the transmission time with {what}"),
            h("PAYPAL-TRANSMISSION-TIME", &value),
            Err(InvalidTimestamp(TimestampReason::NotRfc3339)),
        );
    }
    rows.add(
        "an empty transmission time",
        h("PAYPAL-TRANSMISSION-TIME", ""),
        Err(InvalidTimestamp(TimestampReason::Empty)),
    );

    // The signature header.
    let sig = get(&valid.headers, "PAYPAL-TRANSMISSION-SIG");
    let with_sig = |text: &str| valid.clone().header("PAYPAL-TRANSMISSION-SIG", text);
    rows.add(
        "NUL after the signature",
        with_sig(&format!("{sig}\0")),
        Err(MalformedHeader(Signature)),
    );
    rows.add(
        "a space inside the signature",
        with_sig(&format!("{} {}", &sig[..10], &sig[10..])),
        Err(MalformedHeader(Signature)),
    );
    rows.add(
        "spaces and tabs around the signature",
        with_sig(&format!(" \t{sig} ")),
        Ok(()),
    );
    signature_rows(rows, &sig, &with_sig);
    let sns_sig = sns_value(SNS_NOTIFICATIONS[1].1, "Signature").unwrap();
    rows.add(
        "AWS SNS's SHA-256 signature",
        with_sig(sns_sig.trim_matches('"')),
        changed.clone(),
    );

    // Keys: the certificate's key is trusted between its dates.
    #[cfg(feature = "x509")]
    {
        let cert = certificate(PAYPAL_CERT);
        let (from, until) = (
            cert.not_before().as_unix_secs(),
            cert.not_after().as_unix_secs(),
        );
        assert!(from < d.at && d.at < until);
        let verifier = |keys: Vec<hookseal::Key>| {
            Verifier::new(Scheme::paypal(), Keyring::from_keys(keys).unwrap())
                .with_endpoint_id(&vector.webhook_id)
                .unwrap()
        };
        let pinned = || verifier(vec![certificate_key("paypal", PAYPAL_CERT)]);
        let seconds = std::time::Duration::from_secs;
        rows.add_with(
            "verified at the certificate's notAfter (the window widened)",
            pinned().with_max_age(seconds(until - d.at)),
            valid.clone(),
            until,
            Ok(()),
        );
        rows.add_with(
            "verified a second after the certificate's notAfter",
            pinned().with_max_age(seconds(until + 1 - d.at)),
            valid.clone(),
            until + 1,
            Err(NoActiveKey),
        );
        rows.add_with(
            "verified at the certificate's notBefore (the window widened)",
            pinned().with_max_future_skew(seconds(d.at - from)),
            valid.clone(),
            from,
            Ok(()),
        );
        rows.add_with(
            "verified a second before the certificate's notBefore",
            pinned().with_max_future_skew(seconds(d.at - from + 1)),
            valid.clone(),
            from - 1,
            Err(NoActiveKey),
        );
        // AWS SNS's certificate is valid from 2021: no key of it is valid in 2017.
        rows.add_with(
            "AWS SNS's certificate pinned",
            verifier(vec![certificate_key("sns", SNS_CERT)]),
            valid.clone(),
            d.at,
            Err(NoActiveKey),
        );
        rows.add_with(
            "AWS SNS's key pinned bare",
            verifier(vec![bare_key("sns", SNS_CERT)]),
            valid.clone(),
            d.at,
            changed.clone(),
        );
        #[cfg(feature = "p256")]
        rows.add_with(
            "a P-256 key pinned",
            verifier(vec![sendgrid_key("p256", &sendgrid_vectors()[0].key)]),
            valid.clone(),
            d.at,
            Err(NoActiveKey),
        );
        #[cfg(feature = "p256")]
        rows.add_with(
            "a P-256 key, then PayPal's certificate",
            verifier(vec![
                sendgrid_key("p256", &sendgrid_vectors()[0].key),
                certificate_key("paypal", PAYPAL_CERT),
            ]),
            valid.clone(),
            d.at,
            Ok(()),
        );
    }
}

/// Google Pub/Sub's push vectors (`tests/vectors/google_pubsub/README.md`): ID tokens made by
/// an independent implementation, each changing one thing of `valid`, and a push body.
const PUBSUB_TOKENS: &str = include_str!("../vectors/google_pubsub/tokens.json");
const PUBSUB_BODY: &[u8] = include_bytes!("../vectors/google_pubsub/body.json");
/// The keys of the vectors' key set, as PEM (`pem.py` writes them from `jwks.json`).
#[cfg(feature = "rsa")]
const PUBSUB_KEYS: [(&str, &str); 2] = [
    ("k1", include_str!("../vectors/google_pubsub/k1.pem")),
    ("k2", include_str!("../vectors/google_pubsub/k2.pem")),
];
/// The push endpoint the tokens name in `aud`: the receiver's public URL and the request's
/// target.
const PUBSUB_URL: &str = "https://hooks.example.com";
const PUBSUB_TARGET: &str = "/pubsub/push?token=abc";
/// A Google ID token lives an hour (`exp` = `iat` + 3600), and the preset's window is that hour
/// on each side.
const PUBSUB_WINDOW: u64 = 3600;

/// The Pub/Sub vectors: when the tokens were issued, the audience and service account they
/// name, and the tokens by name.
struct PubSubVectors {
    iat: u64,
    aud: String,
    email: String,
    tokens: Vec<(String, String)>,
}

fn pubsub_vectors() -> PubSubVectors {
    let v: serde_json::Value = serde_json::from_str(PUBSUB_TOKENS).unwrap();
    let text = |name: &str| v[name].as_str().unwrap().to_owned();
    PubSubVectors {
        iat: v["iat"].as_u64().unwrap(),
        aud: text("aud"),
        email: text("email"),
        tokens: (v["tokens"].as_object().unwrap().iter())
            .map(|(name, token)| (name.clone(), token.as_str().unwrap().to_owned()))
            .collect(),
    }
}

impl PubSubVectors {
    fn token(&self, name: &str) -> &str {
        let (_, token) = self.tokens.iter().find(|(n, _)| n == name).unwrap();
        token
    }
}

/// The key of the vectors' key set named `kid`, pinned under the id `id`.
#[cfg(feature = "rsa")]
fn pubsub_key(id: &str, kid: &str) -> hookseal::Key {
    let (_, pem) = PUBSUB_KEYS.iter().find(|(k, _)| *k == kid).unwrap();
    let key = hookseal::RsaPublicKey::from_pem(pem).unwrap();
    hookseal::Key::rsa_public(id, key).unwrap()
}

/// The keys of a Pub/Sub receiver pinning Google's (here the vectors') key set, each under its
/// `kid` (an HMAC key without feature `rsa`).
fn pubsub_keyring() -> (Keyring, bool) {
    #[cfg(feature = "rsa")]
    {
        let keys = PUBSUB_KEYS.map(|(kid, _)| pubsub_key(kid, kid));
        (Keyring::from_keys(keys).unwrap(), true)
    }
    #[cfg(not(feature = "rsa"))]
    {
        (keyring(), false)
    }
}

/// A Pub/Sub push: `valid`'s token, the body, posted to the endpoint its `aud` names, verified
/// at its `iat` by a receiver that knows its public URL and the subscription's service account.
fn pubsub_delivery() -> Delivery {
    let v = pubsub_vectors();
    let headers = vec![(
        "Authorization".to_owned(),
        format!("Bearer {}", v.token("valid")).into_bytes(),
    )];
    let mut request = Request::delivered(headers, PUBSUB_BODY);
    request.line = Some(("POST".to_owned(), PUBSUB_TARGET.to_owned()));
    assert_eq!(v.aud, format!("{PUBSUB_URL}{PUBSUB_TARGET}"));
    let (keyring, keyed) = pubsub_keyring();
    Delivery {
        vector: "valid".to_owned(),
        scheme: Scheme::google_pubsub(),
        request,
        at: v.iat,
        verifier: Verifier::new(Scheme::google_pubsub(), keyring.clone())
            .with_public_url(PUBSUB_URL)
            .unwrap()
            .with_service_account(&v.email)
            .unwrap(),
        keyring,
        keyed,
    }
}

/// Google Pub/Sub: `Authorization: Bearer <header>.<claims>.<signature>`, an RS256 ID token
/// whose `iat` and `exp` are checked before its signature and its issuer, audience and service
/// account after it; the body is not signed.
#[allow(clippy::too_many_lines)]
fn pubsub_cases(rows: &mut DeliveryRows<'_>) {
    use base64::Engine as _;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD as B64URL};

    let valid = rows.valid();
    let d = rows.delivery;
    let v = pubsub_vectors();
    let token = v.token("valid").to_owned();
    let auth = |value: &str| valid.clone().header("Authorization", value);
    let bearer = |token: &str| auth(&format!("Bearer {token}"));
    let segments: Vec<&str> = token.split('.').collect();
    let [head, claims, sig] = segments[..] else {
        panic!("a token of three segments");
    };
    let signature = B64URL.decode(sig).unwrap();
    let head_json = String::from_utf8(B64URL.decode(head).unwrap()).unwrap();
    let claims_json = String::from_utf8(B64URL.decode(claims).unwrap()).unwrap();
    let refused = |claim: &'static str| Err(ClaimRefused { claim });
    let malformed = Err(MalformedHeader(Signature));
    let changed = Err(NoMatchingSignature);

    // Every token of the vectors, each changing one thing of `valid`.
    for (name, token) in &v.tokens {
        let expected = match name.as_str() {
            "valid" | "valid_k2" | "issuer_without_scheme" => Ok(()),
            "other_issuer" => refused("iss"),
            "other_audience" => refused("aud"),
            "other_email" | "no_email" => refused("email"),
            "email_unverified" | "email_verified_string" => refused("email_verified"),
            // `unknown_kid` names a key the receiver does not hold; the other is signed by a
            // key outside the set.
            "unknown_kid" | "signed_by_another_key" => changed.clone(),
            "alg_hs256" | "alg_none" => Err(UnknownAlgorithm),
            other => panic!("no row for the token {other}"),
        };
        rows.add(&format!("the token {name}"), bearer(token), expected);
    }

    // The Authorization header.
    rows.add(
        "no Authorization header",
        valid.clone().without("Authorization"),
        Err(MissingHeader(Signature)),
    );
    rows.add(
        "no headers at all",
        valid.clone().no_headers(),
        Err(MissingHeader(Signature)),
    );
    rows.add(
        "Authorization twice",
        valid.clone().twice("Authorization"),
        Err(DuplicateHeader(Signature)),
    );
    rows.add(
        "the header's name in lowercase",
        valid
            .clone()
            .without("Authorization")
            .header("authorization", format!("Bearer {token}")),
        Ok(()),
    );
    rows.add(
        "spaces and tabs around the value",
        auth(&format!(" \tBearer {token}\t ")),
        Ok(()),
    );
    for (what, value) in [
        ("an empty value", String::new()),
        ("Bearer and nothing", "Bearer".to_owned()),
        ("the token without Bearer", token.clone()),
        ("bearer in lowercase", format!("bearer {token}")),
        ("BEARER in capitals", format!("BEARER {token}")),
        ("two spaces after Bearer", format!("Bearer  {token}")),
        ("a tab after Bearer", format!("Bearer\t{token}")),
        ("Basic instead of Bearer", format!("Basic {token}")),
        (
            "Bearer and the token twice",
            format!("Bearer {token} {token}"),
        ),
        ("two segments", format!("Bearer {head}.{claims}")),
        ("four segments", format!("Bearer {token}.{sig}")),
        ("a dot after the token", format!("Bearer {token}.")),
        ("a dot before the token", format!("Bearer .{token}")),
        ("an empty header segment", format!("Bearer .{claims}.{sig}")),
        ("an empty claims segment", format!("Bearer {head}..{sig}")),
        (
            "an empty signature segment",
            format!("Bearer {head}.{claims}."),
        ),
        (
            "the header padded",
            format!("Bearer {head}=.{claims}.{sig}"),
        ),
        (
            "the claims padded",
            format!("Bearer {head}.{claims}==.{sig}"),
        ),
        ("the signature padded", format!("Bearer {token}==")),
        (
            "the signature in standard base64",
            format!("Bearer {head}.{claims}.{}", STANDARD.encode(&signature)),
        ),
        (
            "the header and claims in standard base64, padded",
            format!(
                "Bearer {}.{}.{sig}",
                STANDARD.encode(&head_json),
                STANDARD.encode(&claims_json)
            ),
        ),
        ("NUL after the token", format!("Bearer {token}\0")),
        ("non-ASCII after the token", format!("Bearer {token}\u{e9}")),
        (
            "a space inside the token",
            format!("Bearer {} {}", &token[..20], &token[20..]),
        ),
        (
            "a base64url character too many in the header",
            format!("Bearer {head}A.{claims}.{sig}"),
        ),
    ] {
        rows.add(what, auth(&value), malformed.clone());
    }
    assert!(sig.contains('-') && sig.contains('_'));
    // Base64url without padding: the unused bits of a last character must be zero. The header's
    // 38 bytes are 51 characters, the last carrying 2 unused bits; set one. (The claims' 264
    // bytes are 352 characters: none unused.)
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let set_unused_bit = |segment: &str, unused: u32| {
        let mut bytes = segment.as_bytes().to_vec();
        let last = bytes.last_mut().unwrap();
        let index = ALPHABET.iter().position(|c| c == last).unwrap();
        assert_eq!(index % (1 << unused), 0);
        *last = ALPHABET[index | 1];
        String::from_utf8(bytes).unwrap()
    };
    assert_eq!((head.len(), claims.len() % 4), (51, 0));
    rows.add(
        "a bit set past the header's end",
        bearer(&format!("{}.{claims}.{sig}", set_unused_bit(head, 2))),
        malformed.clone(),
    );

    // The header and the claims re-encoded: each must be one JSON object; what is read of them
    // before the signature (`alg`, `kid`, `iat`, `exp`) must be there once and well-formed.
    let encoded = |header: &str, claims: &str| {
        bearer(&format!(
            "{}.{}.{sig}",
            B64URL.encode(header),
            B64URL.encode(claims)
        ))
    };
    let with_header = |header: &str| encoded(header, &claims_json);
    let with_claims = |claims: &str| encoded(&head_json, claims);
    assert_eq!(head_json, r#"{"alg":"RS256","kid":"k1","typ":"JWT"}"#);
    rows.add(
        "the header and claims re-encoded as they were",
        encoded(&head_json, &claims_json),
        Ok(()),
    );
    for (what, header, expected) in [
        ("an array", "[]", malformed.clone()),
        ("a string", r#""RS256""#, malformed.clone()),
        ("not JSON", "alg=RS256", malformed.clone()),
        (
            "an object with text after it",
            r#"{"alg":"RS256","kid":"k1"}x"#,
            malformed.clone(),
        ),
        ("an empty object", "{}", malformed.clone()),
        (
            "without alg",
            r#"{"kid":"k1","typ":"JWT"}"#,
            malformed.clone(),
        ),
        (
            "alg twice",
            r#"{"alg":"RS256","alg":"RS256","kid":"k1"}"#,
            malformed.clone(),
        ),
        ("alg null", r#"{"alg":null,"kid":"k1"}"#, malformed.clone()),
        (
            "alg escaped",
            r#"{"alg":"RS\u0032\u0035\u0036","kid":"k1"}"#,
            malformed.clone(),
        ),
        (
            "alg's name escaped",
            r#"{"\u0061lg":"RS256","kid":"k1"}"#,
            malformed.clone(),
        ),
        (
            "alg RS512",
            r#"{"alg":"RS512","kid":"k1"}"#,
            Err(UnknownAlgorithm),
        ),
        (
            "alg rs256",
            r#"{"alg":"rs256","kid":"k1"}"#,
            Err(UnknownAlgorithm),
        ),
        (
            "alg PS256",
            r#"{"alg":"PS256","kid":"k1"}"#,
            Err(UnknownAlgorithm),
        ),
        (
            "alg ES256",
            r#"{"alg":"ES256","kid":"k1"}"#,
            Err(UnknownAlgorithm),
        ),
        (
            "alg empty",
            r#"{"alg":"","kid":"k1"}"#,
            Err(UnknownAlgorithm),
        ),
        (
            "alg a number",
            r#"{"alg":256,"kid":"k1"}"#,
            Err(UnknownAlgorithm),
        ),
        (
            "kid twice",
            r#"{"alg":"RS256","kid":"k1","kid":"k1"}"#,
            malformed.clone(),
        ),
        (
            "kid null",
            r#"{"alg":"RS256","kid":null}"#,
            malformed.clone(),
        ),
        (
            "kid an object",
            r#"{"alg":"RS256","kid":{}}"#,
            malformed.clone(),
        ),
        // Well-formed, so the signature decides: it covers the header as sent.
        (
            "without kid (every key tried)",
            r#"{"alg":"RS256","typ":"JWT"}"#,
            changed.clone(),
        ),
        (
            "kid k2",
            r#"{"alg":"RS256","kid":"k2","typ":"JWT"}"#,
            changed.clone(),
        ),
        (
            "kid K1",
            r#"{"alg":"RS256","kid":"K1","typ":"JWT"}"#,
            changed.clone(),
        ),
        (
            "kid a number",
            r#"{"alg":"RS256","kid":1,"typ":"JWT"}"#,
            changed.clone(),
        ),
        (
            "without typ",
            r#"{"alg":"RS256","kid":"k1"}"#,
            changed.clone(),
        ),
        (
            "typ twice",
            r#"{"alg":"RS256","kid":"k1","typ":"JWT","typ":"JWT"}"#,
            changed.clone(),
        ),
        (
            "spaces between its members",
            r#"{"alg": "RS256", "kid": "k1", "typ": "JWT"}"#,
            changed.clone(),
        ),
    ] {
        rows.add(&format!("the header {what}"), with_header(header), expected);
    }

    let iat = v.iat.to_string();
    let exp = (v.iat + PUBSUB_WINDOW).to_string();
    assert!(claims_json.contains(&format!(r#""iat":{iat},"#)));
    assert!(claims_json.contains(&format!(r#""exp":{exp},"#)));
    let claim = |from: &str, to: &str| {
        assert!(claims_json.contains(from), "{from}");
        with_claims(&claims_json.replacen(from, to, 1))
    };
    let iat_is = |to: &str| claim(&format!(r#""iat":{iat}"#), &format!(r#""iat":{to}"#));
    let exp_is = |to: &str| claim(&format!(r#""exp":{exp}"#), &format!(r#""exp":{to}"#));
    let future = (v.iat + PUBSUB_WINDOW + 1).to_string();
    let past = (v.iat - 1).to_string();
    for (what, claims, expected) in [
        ("an array", with_claims("[]"), malformed.clone()),
        ("a number", with_claims("1"), malformed.clone()),
        ("not JSON", with_claims("iat=1"), malformed.clone()),
        (
            "cut short",
            with_claims(&claims_json[..claims_json.len() - 1]),
            malformed.clone(),
        ),
        (
            "with text after them",
            with_claims(&format!("{claims_json}x")),
            malformed.clone(),
        ),
        ("an empty object", with_claims("{}"), refused("iat")),
        (
            "without iat",
            claim(&format!(r#""iat":{iat},"#), ""),
            refused("iat"),
        ),
        (
            "without exp",
            claim(&format!(r#""exp":{exp},"#), ""),
            refused("exp"),
        ),
        (
            "iat with a fraction",
            iat_is(&format!("{iat}.0")),
            refused("iat"),
        ),
        ("iat negative", iat_is(&format!("-{iat}")), refused("iat")),
        ("iat in exponent form", iat_is("1.7e9"), refused("iat")),
        (
            "exp with a fraction",
            exp_is(&format!("{exp}.5")),
            refused("exp"),
        ),
        ("iat null", iat_is("null"), malformed.clone()),
        ("iat true", iat_is("true"), malformed.clone()),
        (
            "iat an array",
            iat_is(&format!("[{iat}]")),
            malformed.clone(),
        ),
        ("exp an object", exp_is("{}"), malformed.clone()),
        (
            "iat twice",
            claim(r#""iat":"#, &format!(r#""iat":{iat},"iat":"#)),
            malformed.clone(),
        ),
        (
            "exp twice",
            claim(r#""exp":"#, &format!(r#""exp":{exp},"exp":"#)),
            malformed.clone(),
        ),
        (
            "iat's name escaped",
            claim(r#""iat":"#, r#""\u0069at":"#),
            malformed.clone(),
        ),
        // Read before the signature: their times are checked first.
        (
            "iat beyond the window ahead",
            iat_is(&future),
            Err(TimestampInFuture),
        ),
        (
            "iat 0 (beyond the window behind)",
            iat_is("0"),
            Err(TimestampTooOld),
        ),
        (
            "exp a second before now",
            exp_is(&past),
            Err(TimestampTooOld),
        ),
        ("exp 0", exp_is("0"), Err(TimestampTooOld)),
        // Well-formed and in time: the signature decides.
        (
            "iat a second later",
            iat_is(&(v.iat + 1).to_string()),
            changed.clone(),
        ),
        (
            "exp a day later",
            exp_is(&(v.iat + 86_400).to_string()),
            changed.clone(),
        ),
        (
            "iat as a string",
            iat_is(&format!(r#""{iat}""#)),
            changed.clone(),
        ),
        (
            "the issuer changed",
            claim("https://accounts", "https://evil"),
            changed.clone(),
        ),
        (
            "the service account changed",
            claim("push@", "attacker@"),
            changed.clone(),
        ),
        (
            "email_verified false",
            claim(r#""email_verified":true"#, r#""email_verified":false"#),
            changed.clone(),
        ),
        // A claim read only after the signature, named twice: the signature decides first.
        (
            "sub twice",
            claim(r#""sub":"#, r#""sub":"x","sub":"#),
            changed.clone(),
        ),
        (
            "spaces between their members",
            with_claims(&claims_json.replace(",\"", ", \"")),
            changed.clone(),
        ),
        (
            "nested 65 deep in a member",
            claim(
                r#""azp":"#,
                &format!(r#""x":{}1{},"azp":"#, "[".repeat(64), "]".repeat(64)),
            ),
            malformed.clone(),
        ),
    ] {
        rows.add(&format!("the claims {what}"), claims, expected);
    }
    rows.add(
        "the header of valid_k2 with valid's claims and signature",
        bearer(&format!(
            "{}.{claims}.{sig}",
            v.token("valid_k2").split('.').next().unwrap()
        )),
        changed.clone(),
    );
    rows.add(
        "the claims of other_issuer with valid's header and signature",
        bearer(&format!(
            "{head}.{}.{sig}",
            v.token("other_issuer").split('.').nth(1).unwrap()
        )),
        changed.clone(),
    );

    // The signature: base64url of 256 to 512 bytes, checked before any key.
    let with_signature =
        |bytes: &[u8]| bearer(&format!("{head}.{claims}.{}", B64URL.encode(bytes)));
    assert_eq!(signature.len(), 256);
    for (at, what) in [(0, "first"), (128, "middle"), (255, "last")] {
        let mut flipped = signature.clone();
        flipped[at] ^= 0x01;
        rows.add(
            &format!("a bit flipped in the signature's {what} byte"),
            with_signature(&flipped),
            changed.clone(),
        );
    }
    rows.add(
        "the signature of valid_k2",
        with_signature(
            &B64URL
                .decode(v.token("valid_k2").split('.').nth(2).unwrap())
                .unwrap(),
        ),
        changed.clone(),
    );
    rows.add(
        "the signature one byte short (255 bytes)",
        with_signature(&signature[..255]),
        Err(MalformedSignature),
    );
    rows.add(
        "the signature one byte long (257 bytes)",
        with_signature(&[&signature[..], &[0]].concat()),
        changed.clone(),
    );
    rows.add(
        "512 bytes, an RSA-4096 signature's length",
        with_signature(&[&signature[..], &signature[..]].concat()),
        changed.clone(),
    );
    rows.add(
        "513 bytes, longer than any accepted key's",
        with_signature(&[&signature[..], &signature[..], &[0]].concat()),
        Err(MalformedSignature),
    );
    rows.add("256 zero bytes", with_signature(&[0; 256]), changed.clone());
    // Hex digits are base64url characters: 512 of them decode to 384 bytes.
    rows.add(
        "the signature in hex",
        bearer(&format!("{head}.{claims}.{}", hex::encode(&signature))),
        changed.clone(),
    );
    // 256 bytes are 342 characters, the last carrying 4 unused bits; set one.
    assert_eq!(sig.len(), 342);
    rows.add(
        "a bit set past the signature's end",
        bearer(&format!("{head}.{claims}.{}", set_unused_bit(sig, 4))),
        Err(MalformedSignature),
    );

    // The header's length: at most 4096 bytes.
    let fill = |len: usize| {
        let prefix = format!("Bearer {head}.{claims}.");
        auth(&format!("{prefix}{}", "A".repeat(len - prefix.len())))
    };
    rows.add(
        "a token of 4096 bytes, its signature too long",
        fill(4096),
        Err(MalformedSignature),
    );
    rows.add(
        "a token of 4097 bytes",
        fill(4097),
        Err(HeaderTooLong(Signature)),
    );
    rows.add(
        "4096 bytes of one segment",
        auth(&format!("Bearer {}", "A".repeat(4089))),
        malformed.clone(),
    );
    rows.add(
        "1 MiB",
        auth(&format!("Bearer {}", "A".repeat(1 << 20))),
        Err(HeaderTooLong(Signature)),
    );

    // The body is not signed; its `message.messageId` is the delivery's id, read as sent.
    rows.add(
        "the message's data changed",
        valid
            .clone()
            .edit_body("eyJvcmRlciI6MTd9", "eyJvcmRlciI6MTh9"),
        Ok(()),
    );
    rows.add(
        "another messageId",
        valid.clone().edit_body(
            "\"messageId\": \"2070443601311540\"",
            "\"messageId\": \"1\"",
        ),
        Ok(()),
    );
    rows.add(
        "no messageId",
        valid
            .clone()
            .edit_body("\"messageId\": \"2070443601311540\",", ""),
        Ok(()),
    );
    rows.add("an empty JSON object", valid.clone().body("{}"), Ok(()));
    rows.add(
        "messageId a number",
        valid.clone().edit_body(
            "\"messageId\": \"2070443601311540\"",
            "\"messageId\": 2070443601311540",
        ),
        Ok(()),
    );
    for (what, body, expected) in [
        ("an empty body", valid.clone().body(""), Err(MalformedBody)),
        (
            "a body that is not JSON",
            valid.clone().body("message"),
            Err(MalformedBody),
        ),
        (
            "messageId twice",
            valid
                .clone()
                .edit_body("\"messageId\": ", "\"messageId\": \"1\", \"messageId\": "),
            Err(MalformedBody),
        ),
        (
            "messageId escaped",
            valid
                .clone()
                .edit_body("\"2070443601311540\"", "\"2070443601311540\\n\""),
            Err(MalformedBody),
        ),
        (
            "a space inside messageId",
            valid
                .clone()
                .edit_body("\"2070443601311540\"", "\"2070443 601311540\""),
            Err(InvalidId),
        ),
        (
            "an empty messageId",
            valid
                .clone()
                .edit_body("\"messageId\": \"2070443601311540\"", "\"messageId\": \"\""),
            Err(InvalidId),
        ),
        (
            "a messageId of 256 characters",
            valid
                .clone()
                .edit_body("\"2070443601311540\"", &format!("\"{}\"", "7".repeat(256))),
            Err(InvalidId),
        ),
    ] {
        rows.add(what, body, expected);
    }
    // The token is read first.
    let expired = v.iat + PUBSUB_WINDOW + 1;
    rows.add_with(
        "a body that is not JSON, the token expired",
        d.verifier.clone(),
        valid.clone().body("message"),
        expired,
        Err(TimestampTooOld),
    );

    // The audience: the public URL and the request's target, as sent.
    let at_target = |method: &str, target: &str| valid.clone().line(method, target);
    for (what, request, expected) in [
        ("a GET", at_target("GET", PUBSUB_TARGET), Ok(())),
        (
            "another query",
            at_target("POST", "/pubsub/push?token=abd"),
            refused("aud"),
        ),
        (
            "no query",
            at_target("POST", "/pubsub/push"),
            refused("aud"),
        ),
        (
            "another parameter",
            at_target("POST", "/pubsub/push?token=abc&x=1"),
            refused("aud"),
        ),
        (
            "another path",
            at_target("POST", "/pubsub/Push?token=abc"),
            refused("aud"),
        ),
        (
            "no request line",
            valid.clone().no_line(),
            Err(MissingRequestLine),
        ),
    ] {
        rows.add(&format!("the request: {what}"), request, expected);
    }

    // What the receiver is told: its public URL or the audience, and the service account.
    let base = || Verifier::new(Scheme::google_pubsub(), d.keyring.clone());
    let account = |verifier: Verifier| verifier.with_service_account(&v.email).unwrap();
    let url = |u: &str| account(base().with_public_url(u).unwrap());
    let audience = |a: &str| account(base().with_audience(a).unwrap());
    let other_email = "attacker@evil-project.iam.gserviceaccount.com";
    let with = |rows: &mut DeliveryRows<'_>,
                what: &str,
                verifier: Verifier,
                request: &Request,
                expected| {
        rows.add_with(what, verifier, request.clone(), d.at, expected);
    };
    for (what, verifier, expected) in [
        (
            "the public URL with a slash after it",
            url(&format!("{PUBSUB_URL}/")),
            Ok(()),
        ),
        (
            "the public URL over http",
            url("http://hooks.example.com"),
            refused("aud"),
        ),
        (
            "the public URL with its port",
            url("https://hooks.example.com:443"),
            refused("aud"),
        ),
        (
            "the public URL's host in capitals",
            url("https://HOOKS.example.com"),
            refused("aud"),
        ),
        (
            "another public URL",
            url("https://example.com"),
            refused("aud"),
        ),
        ("the audience set", audience(&v.aud), Ok(())),
        (
            "another audience set",
            audience("https://hooks.example.com/other"),
            refused("aud"),
        ),
        (
            "the audience set without its query",
            audience("https://hooks.example.com/pubsub/push"),
            refused("aud"),
        ),
        (
            "the audience set and another public URL (the audience wins)",
            account(
                base()
                    .with_audience(&v.aud)
                    .unwrap()
                    .with_public_url("https://example.com")
                    .unwrap(),
            ),
            Ok(()),
        ),
        (
            "neither public URL nor audience",
            account(base()),
            Err(MissingPublicUrl),
        ),
        (
            "no service account",
            base().with_public_url(PUBSUB_URL).unwrap(),
            Err(MissingServiceAccount),
        ),
        (
            "the service account in capitals",
            base()
                .with_public_url(PUBSUB_URL)
                .unwrap()
                .with_service_account(&v.email.to_uppercase())
                .unwrap(),
            refused("email"),
        ),
        (
            "another service account",
            base()
                .with_public_url(PUBSUB_URL)
                .unwrap()
                .with_service_account(other_email)
                .unwrap(),
            refused("email"),
        ),
    ] {
        with(
            rows,
            &format!("a receiver with {what}"),
            verifier,
            &valid,
            expected,
        );
    }
    let behind_proxy = url(&format!("{PUBSUB_URL}/pubsub"));
    with(
        rows,
        "behind a proxy that strips /pubsub",
        behind_proxy,
        &valid.clone().line("POST", "/push?token=abc"),
        Ok(()),
    );
    with(
        rows,
        "the audience set, no request line",
        audience(&v.aud),
        &valid.clone().no_line(),
        Ok(()),
    );
    with(
        rows,
        "the audience set, the token of other_audience",
        audience("https://hooks.example.com/other"),
        &bearer(v.token("other_audience")),
        Ok(()),
    );
    with(
        rows,
        "the service account of other_email, its token",
        base()
            .with_public_url(PUBSUB_URL)
            .unwrap()
            .with_service_account(other_email)
            .unwrap(),
        &bearer(v.token("other_email")),
        Ok(()),
    );
    // The service account is asked for after the signature: an unsigned token learns nothing.
    let no_account = || base().with_public_url(PUBSUB_URL).unwrap();
    for (name, expected) in [
        ("signed_by_another_key", changed.clone()),
        ("other_issuer", Err(MissingServiceAccount)),
        ("alg_none", Err(UnknownAlgorithm)),
    ] {
        with(
            rows,
            &format!("no service account, the token {name}"),
            no_account(),
            &bearer(v.token(name)),
            expected,
        );
    }
    rows.add_with(
        "no service account, the token expired",
        no_account(),
        valid.clone(),
        expired,
        Err(TimestampTooOld),
    );

    // Keys: a token names its key by `kid`; only the key pinned under that id is tried.
    #[cfg(feature = "rsa")]
    {
        let ring = |keys: Vec<hookseal::Key>| Keyring::from_keys(keys).unwrap();
        let pinned = |keys| {
            account(
                Verifier::new(Scheme::google_pubsub(), ring(keys))
                    .with_public_url(PUBSUB_URL)
                    .unwrap(),
            )
        };
        let at = Timestamp::from_unix_secs(d.at);
        let before = Timestamp::from_unix_secs(d.at - 1);
        let after = Timestamp::from_unix_secs(d.at + 1);
        let unknown_kid = bearer(v.token("unknown_kid"));
        let valid_k2 = bearer(v.token("valid_k2"));
        for (what, keys, request, expected) in [
            ("k1 alone", vec![pubsub_key("k1", "k1")], &valid, Ok(())),
            (
                "k2 alone",
                vec![pubsub_key("k2", "k2")],
                &valid,
                changed.clone(),
            ),
            (
                "k1 alone, the token of valid_k2",
                vec![pubsub_key("k1", "k1")],
                &valid_k2,
                changed.clone(),
            ),
            (
                "k1's key pinned under another kid",
                vec![pubsub_key("google", "k1")],
                &valid,
                changed.clone(),
            ),
            (
                "k1's and k2's keys under each other's kid",
                vec![pubsub_key("k1", "k2"), pubsub_key("k2", "k1")],
                &valid,
                changed.clone(),
            ),
            (
                "k1's key pinned as k9, the token of unknown_kid",
                vec![pubsub_key("k9", "k1")],
                &unknown_kid,
                Ok(()),
            ),
            (
                "k1's key pinned as K1",
                vec![pubsub_key("K1", "k1")],
                &valid,
                changed.clone(),
            ),
            (
                "fifteen keys under other kids, then k1 (none of them tried)",
                (0..15)
                    .map(|i| pubsub_key(&format!("x{i}"), "k2"))
                    .chain([pubsub_key("k1", "k1")])
                    .collect(),
                &valid,
                Ok(()),
            ),
            (
                "k1 valid until the second before",
                vec![pubsub_key("k1", "k1").not_after(before)],
                &valid,
                Err(NoActiveKey),
            ),
            (
                "k1 valid from the second after",
                vec![pubsub_key("k1", "k1").not_before(after)],
                &valid,
                Err(NoActiveKey),
            ),
            (
                "k1 valid until the very second",
                vec![pubsub_key("k1", "k1").not_after(at)],
                &valid,
                Ok(()),
            ),
            (
                "k1 valid from the very second",
                vec![pubsub_key("k1", "k1").not_before(at)],
                &valid,
                Ok(()),
            ),
            (
                "k2 alone, expired (no key valid now is asked for a kid)",
                vec![pubsub_key("k2", "k2").not_after(before)],
                &valid,
                Err(NoActiveKey),
            ),
        ] {
            with(
                rows,
                &format!("pinned: {what}"),
                pinned(keys),
                request,
                expected,
            );
        }
        #[cfg(feature = "x509")]
        with(
            rows,
            "pinned: AWS SNS's RSA key as k1",
            pinned(vec![bare_key("k1", SNS_CERT)]),
            &valid,
            changed.clone(),
        );
        #[cfg(feature = "p256")]
        {
            with(
                rows,
                "pinned: a P-256 key as k1",
                pinned(vec![sendgrid_key("k1", &sendgrid_vectors()[0].key)]),
                &valid,
                Err(NoActiveKey),
            );
            with(
                rows,
                "pinned: a P-256 key, then k1",
                pinned(vec![
                    sendgrid_key("p256", &sendgrid_vectors()[0].key),
                    pubsub_key("k1", "k1"),
                ]),
                &valid,
                Ok(()),
            );
        }
    }
}

/// The presets the tables cover: every one. The first table's hand-written rows cover the five
/// in `old`; `presets()` the others the crate signs for; `deliveries()` those it cannot. Without
/// feature `ed25519`, Discord and Telnyx take no key at all
/// (`ed25519_only_presets_need_the_feature`).
#[test]
fn the_table_covers_every_preset() {
    let old = ["standard-webhooks", "stripe", "github", "slack", "shopify"];
    let mut covered: Vec<String> = presets().iter().map(|p| p.name().to_owned()).collect();
    covered.extend(old.map(str::to_owned));
    #[cfg(not(feature = "ed25519"))]
    covered.extend(["discord".to_owned(), "telnyx".to_owned()]);
    covered.extend(deliveries().iter().map(|d| d.scheme.name().to_owned()));
    covered.sort();
    covered.dedup();
    let mut all: Vec<String> = Scheme::presets()
        .iter()
        .map(|s| s.name().to_owned())
        .collect();
    all.sort();
    assert_eq!(covered, all);
}

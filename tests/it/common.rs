//! Shared fixtures.

use hookseal::{Key, Keyring, Scheme, Secret, Signer, Timestamp, Verifier};

/// The tests' clock: `ManualClock` with feature `test-util`, otherwise a clock fixed at one time
/// (enough for every test that never moves it; those that do need `test-util`).
#[cfg(feature = "test-util")]
pub(crate) use hookseal::ManualClock as TestClock;

/// A clock fixed at one time, for builds without `test-util`.
#[cfg(not(feature = "test-util"))]
#[derive(Debug, Clone)]
pub(crate) struct TestClock(Timestamp);

#[cfg(not(feature = "test-util"))]
impl TestClock {
    pub(crate) fn new(t: Timestamp) -> Self {
        Self(t)
    }
}

#[cfg(not(feature = "test-util"))]
impl hookseal::Clock for TestClock {
    fn now(&self) -> Option<Timestamp> {
        Some(self.0)
    }
}

/// A fixed "now" for clock-driven tests: 2023-11-14T22:13:20Z.
pub(crate) const NOW: u64 = 1_700_000_000;

pub(crate) fn secret(fill: u8) -> Secret {
    Secret::from_bytes([fill; 32]).unwrap()
}

pub(crate) fn key(id: &str, fill: u8) -> Key {
    Key::new(id, secret(fill)).unwrap()
}

pub(crate) fn ring(keys: Vec<Key>) -> Keyring {
    let mut keys = keys.into_iter();
    let mut ring = Keyring::new(keys.next().unwrap()).unwrap();
    for k in keys {
        ring = ring.with_key(k).unwrap();
    }
    ring
}

pub(crate) fn clock() -> TestClock {
    TestClock::new(Timestamp::from_unix_secs(NOW))
}

pub(crate) fn signer(keys: Vec<Key>, clock: &TestClock) -> Signer<TestClock> {
    Signer::new(Scheme::standard_webhooks(), ring(keys)).with_clock(clock.clone())
}

pub(crate) fn verifier(keys: Vec<Key>, clock: &TestClock) -> Verifier<TestClock> {
    Verifier::new(Scheme::standard_webhooks(), ring(keys)).with_clock(clock.clone())
}

/// Signs `body` at `ts` and returns the headers as owned pairs.
pub(crate) fn signed_pairs(
    signer: &Signer<TestClock>,
    id: Option<&str>,
    body: &[u8],
    ts: u64,
) -> Vec<(String, String)> {
    signer
        .sign_at(id, body, Timestamp::from_unix_secs(ts))
        .unwrap()
        .iter()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect()
}

/// The value of `name` in `pairs`.
pub(crate) fn value<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .unwrap()
}

/// `pairs` with `name`'s value replaced.
pub(crate) fn with_value(pairs: &[(String, String)], name: &str, v: &str) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, old)| {
            let new = if n.eq_ignore_ascii_case(name) { v } else { old };
            (n.clone(), new.to_owned())
        })
        .collect()
}

/// Every built-in scheme, the legacy SHA-1 one included.
pub(crate) fn all_schemes() -> Vec<Scheme> {
    let mut all = Scheme::presets();
    all.push(hookseal::dangerous::github_sha1());
    all
}

/// The schemes whose requests `Signer::sign_at` writes from any body with an HMAC key, and that
/// verify from headers and body alone: every scheme but those that read members of a JSON body
/// (Linear, Mailgun, AWS SNS), sign the request line (Twilio, Square, HubSpot) or sign with a
/// public key alone (Discord, Telnyx, SendGrid, PayPal, Google Pub/Sub). `providers.rs`,
/// `public_key.rs` and `adversarial.rs` cover those.
pub(crate) fn header_schemes() -> Vec<Scheme> {
    let mut schemes = all_schemes();
    schemes
        .retain(|s| !s.reads_body_members() && !s.signs_request_line() && signs_with_a_secret(s));
    assert_eq!(schemes.len(), all_schemes().len() - 11);
    schemes
}

/// Whether the scheme signs with a shared secret, so the crate's signer can sign for it.
pub(crate) fn signs_with_a_secret(scheme: &Scheme) -> bool {
    use hookseal::scheme::Algorithm;
    matches!(
        scheme.algorithm(),
        Algorithm::HmacSha256 | Algorithm::HmacSha1
    )
}

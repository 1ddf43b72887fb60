//! The delivery verified with the `standardwebhooks` crate, at a time given.
//!
//! Its `Webhook::verify` reads the system clock (`time::OffsetDateTime::now_utc`), which
//! wasm32-unknown-unknown does not have, and it has no form that takes the time. So this does
//! what `verify` does with the clock's reading replaced by `now`: the same 5-minute window on
//! both sides, `Webhook::sign` at the delivery's timestamp, and each `v1` signature of the header
//! compared with the result as `verify` compares them.

use standardwebhooks::Webhook;

use crate::Input;

/// The window `Webhook::verify` allows on either side of its clock.
const TOLERANCE_SECS: i64 = 5 * 60;

/// Whether `input` verifies as of `now`.
pub(crate) fn verify(input: &Input<'_>, now: u64) -> bool {
    check(input, now).is_some()
}

fn check(input: &Input<'_>, now: u64) -> Option<()> {
    let now = i64::try_from(now).ok()?;
    let webhook = Webhook::new(core::str::from_utf8(input.secret).ok()?).ok()?;
    let id = core::str::from_utf8(input.id).ok()?;
    let timestamp: i64 = core::str::from_utf8(input.timestamp).ok()?.parse().ok()?;
    if now.checked_sub(timestamp)? > TOLERANCE_SECS
        || timestamp > now.checked_add(TOLERANCE_SECS)?
    {
        return None;
    }
    let signed = webhook.sign(id, timestamp, input.body).ok()?;
    let (_, expected) = signed.split_once(',')?;
    core::str::from_utf8(input.signature)
        .ok()?
        .split(' ')
        .filter_map(|entry| entry.split_once(','))
        .any(|(version, signature)| version == "v1" && same(signature, expected))
        .then_some(())
}

/// Equal strings, compared without stopping at the first difference.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0, |acc, (x, y)| acc | (x ^ y))
            == 0
}

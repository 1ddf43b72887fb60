//! The delivery verified with hookseal, without `std`.

use hookseal::{Scheme, Timestamp, Verifier};

use crate::Input;

/// Whether `input` verifies as of `now`.
pub(crate) fn verify(input: &Input<'_>, now: u64) -> bool {
    let Ok(secret) = core::str::from_utf8(input.secret) else {
        return false;
    };
    let Ok(verifier) = Verifier::from_secret(Scheme::standard_webhooks(), secret) else {
        return false;
    };
    let headers = [
        ("webhook-id", input.id),
        ("webhook-timestamp", input.timestamp),
        ("webhook-signature", input.signature),
    ];
    verifier
        .verify_at(&headers, input.body, Timestamp::from_unix_secs(now))
        .is_ok()
}

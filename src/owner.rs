//! Owner tokens: the random value a store keeps with a claimed record (an idempotency lease, a
//! replay reservation) and compares before each change, so only the claim's holder can change
//! the record, and only while the claim lasts.

/// The length of an owner token, in bytes.
pub(crate) const OWNER_LEN: usize = 16;

/// A new owner token from the operating system's random number generator, or `None` when it
/// fails.
pub(crate) fn owner_token() -> Option<[u8; OWNER_LEN]> {
    let mut owner = [0_u8; OWNER_LEN];
    getrandom::fill(&mut owner).ok()?;
    Some(owner)
}

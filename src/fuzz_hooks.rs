//! The crate-private parsers the fuzz oracles in `fuzz/oracles` check directly, compiled only
//! with `--cfg fuzzing` (which `cargo fuzz` sets). Not an API: hidden from the docs, absent from
//! every ordinary build, and free to change in any release.

use alloc::vec::Vec;

use crate::scheme::parse::Presented;
use crate::{Scheme, Timestamp, TimestampReason, VerifyError};

/// What one signature header value was parsed into.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParsedSignatures {
    /// The HMAC tags taken, in order, each as the parser's full tag buffer (a SHA-1 tag fills
    /// its first 20 bytes).
    pub tags: Vec<Vec<u8>>,
    /// How many signatures of another kind (Ed25519) were taken.
    pub other_signatures: usize,
    /// The timestamp parameter taken, with the digits it was read from.
    pub timestamp: Option<(Timestamp, Vec<u8>)>,
}

/// Parses a signature header's value as `scheme` does when it verifies (after the header has
/// been read, trimmed and checked for length).
///
/// # Errors
///
/// The error verification would return for this value.
pub fn parse_signature_header(
    scheme: &Scheme,
    value: &[u8],
) -> Result<ParsedSignatures, VerifyError> {
    let mut presented = Presented::new(scheme.algorithm());
    scheme.parse_signatures(value, scheme.algorithm(), &mut presented)?;
    let other_signatures = presented.public_signatures().len();
    Ok(ParsedSignatures {
        tags: presented.tags().iter().map(|t| t.to_vec()).collect(),
        other_signatures,
        timestamp: presented.timestamp.map(|(t, d)| (t, d.to_vec())),
    })
}

/// Parses a timestamp header's value (or a timestamp parameter) as verification does.
///
/// # Errors
///
/// The [`TimestampReason`] naming the value's first fault.
pub fn parse_timestamp(digits: &[u8]) -> Result<Timestamp, TimestampReason> {
    crate::timestamp::TimestampFormat::UnixSecs.parse(digits)
}

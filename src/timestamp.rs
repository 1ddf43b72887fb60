//! [`Timestamp`], the time webhooks are stamped with, and its one strict parser: canonical
//! decimal Unix seconds. Also the digits a timestamp is written with, on the stack.

use core::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::TimestampReason;

/// A point in time as whole seconds since the Unix epoch, the unit webhook timestamps use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(u64);

impl Timestamp {
    /// The timestamp `secs` seconds after 1970-01-01T00:00:00Z.
    #[must_use]
    pub const fn from_unix_secs(secs: u64) -> Self {
        Self(secs)
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    #[must_use]
    pub const fn as_unix_secs(self) -> u64 {
        self.0
    }

    /// This timestamp moved `d` later, saturating at the largest value (sub-second parts are
    /// dropped).
    #[must_use]
    pub const fn saturating_add(self, d: Duration) -> Self {
        Self(self.0.saturating_add(d.as_secs()))
    }

    /// This timestamp moved `d` earlier, saturating at the epoch (sub-second parts are dropped).
    #[must_use]
    pub const fn saturating_sub(self, d: Duration) -> Self {
        Self(self.0.saturating_sub(d.as_secs()))
    }

    /// The time of `t`, or `None` for a time before the epoch.
    #[must_use]
    pub fn from_system_time(t: SystemTime) -> Option<Self> {
        t.duration_since(UNIX_EPOCH).ok().map(|d| Self(d.as_secs()))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// Parses a canonical unix timestamp: ASCII digits only, no sign, no leading zero (except `0`),
/// fitting in a `u64`.
///
/// Each value gets the error for its first fault in this order: empty, a byte that is not a
/// digit (anywhere, even past the point where the digits overflow), a leading zero, too large.
pub(crate) fn parse(digits: &[u8]) -> Result<Timestamp, TimestampReason> {
    if digits.is_empty() {
        return Err(TimestampReason::Empty);
    }
    // One pass: a non-digit returns at once; an overflow is only noted, since a non-digit
    // after it still decides the error.
    let mut value: Option<u64> = Some(0);
    for &b in digits {
        if !b.is_ascii_digit() {
            return Err(TimestampReason::NotDigits);
        }
        value = value
            .and_then(|v| v.checked_mul(10))
            .and_then(|v| v.checked_add(u64::from(b - b'0')));
    }
    if digits.len() > 1 && digits.first() == Some(&b'0') {
        return Err(TimestampReason::LeadingZero);
    }
    value
        .map(Timestamp::from_unix_secs)
        .ok_or(TimestampReason::TooLarge)
}

/// A timestamp's canonical decimal digits, on the stack.
pub(crate) struct Digits {
    buf: [u8; 20],
    start: usize,
}

impl Digits {
    pub(crate) fn new(t: Timestamp) -> Self {
        let mut buf = [b'0'; 20];
        let mut n = t.as_unix_secs();
        let mut start = buf.len();
        loop {
            start -= 1;
            // `n % 10` is a single digit, and a u64 has at most 20 digits, so `start` stays in
            // bounds.
            #[allow(clippy::cast_possible_truncation, clippy::indexing_slicing)]
            {
                buf[start] = b'0' + (n % 10) as u8;
            }
            n /= 10;
            if n == 0 {
                break;
            }
        }
        Self { buf, start }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.buf.get(self.start..).unwrap_or_default()
    }

    pub(crate) fn as_str(&self) -> &str {
        // Only ASCII digits are ever written.
        core::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn before_the_epoch_is_none() {
        let t = UNIX_EPOCH - Duration::from_secs(1);
        assert_eq!(Timestamp::from_system_time(t), None);
    }

    #[test]
    fn saturating_arithmetic() {
        let t = Timestamp::from_unix_secs(u64::MAX - 1);
        assert_eq!(
            t.saturating_add(Duration::from_secs(5)).as_unix_secs(),
            u64::MAX
        );
        let t = Timestamp::from_unix_secs(3);
        assert_eq!(t.saturating_sub(Duration::from_secs(5)).as_unix_secs(), 0);
    }

    #[test]
    fn timestamps_must_be_canonical() {
        assert_eq!(parse(b"0").unwrap().as_unix_secs(), 0);
        assert_eq!(parse(b"1492774577").unwrap().as_unix_secs(), 1_492_774_577);
        assert_eq!(
            parse(b"18446744073709551615").unwrap().as_unix_secs(),
            u64::MAX
        );
        let bad: [(&[u8], TimestampReason); 11] = [
            (b"", TimestampReason::Empty),
            (b"0123", TimestampReason::LeadingZero),
            (b"00", TimestampReason::LeadingZero),
            (b"+123", TimestampReason::NotDigits),
            (b"-1", TimestampReason::NotDigits),
            (b"1e9", TimestampReason::NotDigits),
            (b"1.5", TimestampReason::NotDigits),
            (b" 1", TimestampReason::NotDigits),
            (b"0x1", TimestampReason::NotDigits),
            (b"18446744073709551616", TimestampReason::TooLarge),
            (b"99999999999999999999999", TimestampReason::TooLarge),
        ];
        for (input, want) in bad {
            assert_eq!(parse(input).unwrap_err(), want, "{input:?}");
        }
    }

    #[test]
    fn digits_round_trip() {
        for n in [0, 9, 10, 1_492_774_577, u64::MAX] {
            let d = Digits::new(Timestamp::from_unix_secs(n));
            assert_eq!(d.as_str(), n.to_string());
            assert_eq!(parse(d.as_bytes()).unwrap().as_unix_secs(), n);
        }
    }
}

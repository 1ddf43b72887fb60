//! [`Timestamp`], the time webhooks are stamped with; [`TimestampFormat`], the ways providers
//! write it (Unix seconds, Unix milliseconds, RFC 3339), and the one strict parser for each; and
//! the text a timestamp is written with, on the stack.

use core::fmt;
use core::time::Duration;
#[cfg(feature = "std")]
use std::time::{SystemTime, UNIX_EPOCH};

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
    #[cfg(feature = "std")]
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

/// How a scheme writes its timestamps. Each is parsed strictly: one canonical spelling per
/// instant (up to the sub-second digits of RFC 3339, which the verifier ignores).
///
/// ```
/// use hookseal::{Timestamp, TimestampFormat};
///
/// let t = Timestamp::from_unix_secs(1_613_778_420);
/// assert_eq!(TimestampFormat::UnixSecs.parse(b"1613778420"), Ok(t));
/// assert_eq!(TimestampFormat::UnixMillis.parse(b"1613778420809"), Ok(t));
/// assert_eq!(TimestampFormat::Rfc3339.parse(b"2021-02-19T23:47:00.8091512Z"), Ok(t));
/// assert!(TimestampFormat::UnixSecs.parse(b"01613778420").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimestampFormat {
    /// Decimal seconds since the Unix epoch (Stripe, Standard Webhooks, Slack, …).
    UnixSecs,
    /// Decimal milliseconds since the Unix epoch (HubSpot, WorkOS, Linear); the verifier checks
    /// freshness in whole seconds.
    UnixMillis,
    /// An RFC 3339 date-time, `YYYY-MM-DDTHH:MM:SS`, an optional fraction of 1 to 9 digits, and
    /// `Z` or a `±HH:MM` offset (Twitch: `2021-02-19T23:47:00.8091512Z`). `T` and `Z` are
    /// uppercase; years have four digits, and the instant is not before 1970-01-01T00:00:00Z.
    Rfc3339,
}

impl TimestampFormat {
    /// Parses `text` written in this format.
    ///
    /// # Errors
    ///
    /// The [`TimestampReason`] for the first fault: for Unix times, empty, a byte that is not a
    /// digit, a leading zero, too large (in this order); for RFC 3339, empty or
    /// [`TimestampReason::NotRfc3339`].
    #[inline]
    pub fn parse(self, text: &[u8]) -> Result<Timestamp, TimestampReason> {
        match self {
            Self::UnixSecs => parse_decimal(text).map(Timestamp::from_unix_secs),
            Self::UnixMillis => parse_decimal(text).map(|ms| Timestamp::from_unix_secs(ms / 1000)),
            Self::Rfc3339 => parse_rfc3339(text),
        }
    }
}

/// Parses canonical decimal digits: ASCII digits only, no sign, no leading zero (except `0`),
/// fitting in a `u64`.
///
/// Each value gets the error for its first fault in this order: empty, a byte that is not a
/// digit (anywhere, even past the point where the digits overflow), a leading zero, too large.
fn parse_decimal(digits: &[u8]) -> Result<u64, TimestampReason> {
    if digits.is_empty() {
        return Err(TimestampReason::Empty);
    }
    // Up to 19 digits cannot overflow a `u64`: check them all, then fold without checks.
    if digits.len() <= 19 && digits.iter().all(u8::is_ascii_digit) {
        if digits.len() > 1 && digits.first() == Some(&b'0') {
            return Err(TimestampReason::LeadingZero);
        }
        return Ok(digits.iter().fold(0, |v, &b| v * 10 + u64::from(b - b'0')));
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
    value.ok_or(TimestampReason::TooLarge)
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.F{1,9}](Z|±HH:MM)` into whole seconds (the fraction is dropped).
fn parse_rfc3339(text: &[u8]) -> Result<Timestamp, TimestampReason> {
    if text.is_empty() {
        return Err(TimestampReason::Empty);
    }
    let bad = TimestampReason::NotRfc3339;
    let num = |at: usize, len: usize| -> Result<i64, TimestampReason> {
        let field = text.get(at..at + len).ok_or(bad)?;
        field.iter().try_fold(0_i64, |v, &b| {
            b.is_ascii_digit()
                .then(|| v * 10 + i64::from(b - b'0'))
                .ok_or(bad)
        })
    };
    let sep = |at: usize, want: u8| text.get(at).is_some_and(|&b| b == want);
    if !(sep(4, b'-') && sep(7, b'-') && sep(10, b'T') && sep(13, b':') && sep(16, b':')) {
        return Err(bad);
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    let mut at = 19;
    if sep(at, b'.') {
        let digits = text
            .get(at + 1..)
            .unwrap_or_default()
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if !(1..=9).contains(&digits) {
            return Err(bad);
        }
        at += 1 + digits;
    }
    let offset = match text.get(at..) {
        Some(b"Z") => 0,
        Some([sign @ (b'+' | b'-'), _, _, b':', _, _]) => {
            let (h, m) = (num(at + 1, 2)?, num(at + 4, 2)?);
            if h > 23 || m > 59 {
                return Err(bad);
            }
            let minutes = h * 60 + m;
            if *sign == b'-' { -minutes } else { minutes }
        }
        _ => return Err(bad),
    };
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return Err(bad);
    }
    let secs = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second
        - offset * 60;
    u64::try_from(secs)
        .map(Timestamp::from_unix_secs)
        .map_err(|_| bad)
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given proleptic Gregorian date (years 0 to 9999).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date of the day `days` after 1970-01-01 (the inverse of [`days_from_civil`]).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The latest instant RFC 3339 text can hold here: 9999-12-31T23:59:59Z.
const MAX_RFC3339_SECS: u64 = 253_402_300_799;

/// A timestamp written in a [`TimestampFormat`], on the stack: at most 20 digits of
/// milliseconds, or 20 bytes of RFC 3339.
pub(crate) struct TimestampText {
    buf: [u8; 24],
    start: usize,
    end: usize,
}

impl TimestampText {
    /// `t` written in `format`; `None` when the format cannot hold it (RFC 3339 after year 9999,
    /// milliseconds past `u64::MAX`).
    pub(crate) fn new(t: Timestamp, format: TimestampFormat) -> Option<Self> {
        let secs = t.as_unix_secs();
        match format {
            TimestampFormat::UnixSecs => Some(Self::decimal(secs)),
            TimestampFormat::UnixMillis => secs.checked_mul(1000).map(Self::decimal),
            TimestampFormat::Rfc3339 => {
                if secs > MAX_RFC3339_SECS {
                    return None;
                }
                let secs = i64::try_from(secs).ok()?;
                let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
                let of_day = secs.rem_euclid(86_400);
                let mut buf = [0_u8; 24];
                let fields = [
                    (year, 4, b'-'),
                    (month, 2, b'-'),
                    (day, 2, b'T'),
                    (of_day / 3600, 2, b':'),
                    (of_day / 60 % 60, 2, b':'),
                    (of_day % 60, 2, b'Z'),
                ];
                let mut at = 0;
                for (value, width, after) in fields {
                    let mut v = value;
                    for i in (0..width).rev() {
                        let digit = u8::try_from(v % 10).ok()?;
                        *buf.get_mut(at + i)? = b'0' + digit;
                        v /= 10;
                    }
                    *buf.get_mut(at + width)? = after;
                    at += width + 1;
                }
                Some(Self {
                    buf,
                    start: 0,
                    end: at,
                })
            }
        }
    }

    /// `n` in canonical decimal.
    fn decimal(mut n: u64) -> Self {
        let mut buf = [b'0'; 24];
        let end = 20;
        let mut start = end;
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
        Self { buf, start, end }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.buf.get(self.start..self.end).unwrap_or_default()
    }

    pub(crate) fn as_str(&self) -> &str {
        // Only ASCII is ever written.
        core::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "std")]
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

    fn parse(text: &[u8]) -> Result<Timestamp, TimestampReason> {
        TimestampFormat::UnixSecs.parse(text)
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
    fn text_round_trips_in_every_format() {
        for n in [0, 9, 10, 1_492_774_577, u64::MAX] {
            let d = TimestampText::new(Timestamp::from_unix_secs(n), TimestampFormat::UnixSecs)
                .unwrap();
            assert_eq!(d.as_str(), n.to_string());
            assert_eq!(parse(d.as_bytes()).unwrap().as_unix_secs(), n);
        }
        let ms = |n| TimestampText::new(Timestamp::from_unix_secs(n), TimestampFormat::UnixMillis);
        assert_eq!(ms(1_500_000).unwrap().as_str(), "1500000000");
        assert!(ms(u64::MAX / 999).is_none());
        // Every day from 1970 to 9999 round-trips (one instant per day), and the last second.
        for n in (0..=MAX_RFC3339_SECS)
            .step_by(86_399)
            .chain([MAX_RFC3339_SECS])
        {
            let t = Timestamp::from_unix_secs(n);
            let text = TimestampText::new(t, TimestampFormat::Rfc3339).unwrap();
            assert_eq!(
                TimestampFormat::Rfc3339.parse(text.as_bytes()),
                Ok(t),
                "{n}"
            );
        }
        let t = |n| TimestampText::new(Timestamp::from_unix_secs(n), TimestampFormat::Rfc3339);
        assert_eq!(t(0).unwrap().as_str(), "1970-01-01T00:00:00Z");
        assert_eq!(t(951_782_400).unwrap().as_str(), "2000-02-29T00:00:00Z");
        assert_eq!(
            t(MAX_RFC3339_SECS).unwrap().as_str(),
            "9999-12-31T23:59:59Z"
        );
        assert!(t(MAX_RFC3339_SECS + 1).is_none());
    }

    #[test]
    fn milliseconds_are_checked_in_whole_seconds() {
        let ms = TimestampFormat::UnixMillis;
        assert_eq!(ms.parse(b"15000000").unwrap().as_unix_secs(), 15_000);
        assert_eq!(ms.parse(b"999").unwrap().as_unix_secs(), 0);
        assert_eq!(ms.parse(b"0150").unwrap_err(), TimestampReason::LeadingZero);
        assert_eq!(ms.parse(b"1.5").unwrap_err(), TimestampReason::NotDigits);
    }

    #[test]
    fn rfc3339_is_strict() {
        let p = |s: &str| TimestampFormat::Rfc3339.parse(s.as_bytes());
        // Twitch's example, and the same instant in other spellings.
        let twitch = Timestamp::from_unix_secs(1_613_778_420);
        for ok in [
            "2021-02-19T23:47:00.8091512Z",
            "2021-02-19T23:47:00Z",
            "2021-02-19T23:47:00.123456789Z",
            "2021-02-20T00:47:00+01:00",
            "2021-02-19T18:47:00.5-05:00",
        ] {
            assert_eq!(p(ok), Ok(twitch), "{ok}");
        }
        assert_eq!(
            p("2000-02-29T12:00:00Z").unwrap().as_unix_secs(),
            951_825_600
        );
        assert_eq!(p("").unwrap_err(), TimestampReason::Empty);
        for bad in [
            "2021-02-19t23:47:00Z",
            "2021-02-19T23:47:00z",
            "2021-02-19 23:47:00Z",
            "2021-02-19T23:47:00",
            "2021-02-19T23:47:00.Z",
            "2021-02-19T23:47:00.1234567890Z",
            "2021-02-19T23:47Z",
            "2021-2-19T23:47:00Z",
            "+2021-02-19T23:47:00Z",
            "2021-02-19T23:47:00+0100",
            "2021-02-19T23:47:00+24:00",
            "2021-02-19T23:47:60Z",
            "2021-02-19T24:00:00Z",
            "2021-02-29T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "2021-13-01T00:00:00Z",
            "2021-04-31T00:00:00Z",
            "2021-00-10T00:00:00Z",
            "1969-12-31T23:59:59Z",
            "1970-01-01T00:30:00+01:00",
            "2021-02-19T23:47:00Z ",
            "2021-02-19T23:47:00ZZ",
            "２021-02-19T23:47:00Z",
        ] {
            assert_eq!(p(bad).unwrap_err(), TimestampReason::NotRfc3339, "{bad}");
        }
    }
}

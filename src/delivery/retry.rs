//! What happens after each attempt: done, retry later (exponential backoff with jitter,
//! honouring `Retry-After`, within a horizon), or give up.

use crate::error::ConfigError;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;

use crate::timestamp::Timestamp;

/// How much of each backoff ceiling is randomized.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Jitter {
    /// Uniform over `[0, ceiling]` ("full jitter"): senders that failed together spread out the
    /// most. The default.
    Full,
    /// Uniform over `[ceiling / 2, ceiling]`.
    Equal,
    /// Exactly the ceiling: a fixed schedule, for tests and for senders with a single endpoint.
    None,
}

/// Whether a status code is worth another attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StatusClass {
    /// `2xx`: delivered.
    Delivered,
    /// Try again later: `408`, `409`, `425`, `429` and every `5xx` by default. (`409` is what an
    /// idempotent receiver, hookseal's included, answers while an earlier attempt of the same
    /// event is still being processed; a fresh attempt is never a replay.)
    Retry,
    /// Trying again will not help: every other status by default, redirects included (a
    /// redirect is not followed, since its target never went through the endpoint policy).
    Final,
}

/// The result of one attempt, as the sender's HTTP client saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome<'a> {
    status: Option<u16>,
    retry_after: Option<&'a [u8]>,
}

impl<'a> Outcome<'a> {
    /// The endpoint answered with `status`.
    #[must_use]
    pub fn status(status: u16) -> Self {
        Self {
            status: Some(status),
            retry_after: None,
        }
    }

    /// No answer: the connection was refused or reset, the name did not resolve, TLS failed, or
    /// the request timed out. Always retried.
    #[must_use]
    pub fn no_response() -> Self {
        Self {
            status: None,
            retry_after: None,
        }
    }

    /// The value of the answer's `Retry-After` header: delay-seconds (`120`) or an HTTP date
    /// (`Wed, 21 Oct 2015 07:28:00 GMT`). A value that is neither is ignored.
    #[must_use]
    pub fn with_retry_after(mut self, value: &'a [u8]) -> Self {
        self.retry_after = Some(value);
        self
    }

    /// The status and `Retry-After` of an `http` response.
    #[cfg(feature = "http")]
    #[must_use]
    pub fn from_response<B>(response: &'a http::Response<B>) -> Self {
        let outcome = Self::status(response.status().as_u16());
        match response.headers().get(http::header::RETRY_AFTER) {
            Some(value) => outcome.with_retry_after(value.as_bytes()),
            None => outcome,
        }
    }

    /// The status code, `None` when there was no answer.
    #[must_use]
    pub fn status_code(&self) -> Option<u16> {
        self.status
    }
}

/// What to do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Next {
    /// The endpoint took the delivery (`2xx`).
    Delivered,
    /// Send again at `at` (never earlier), with the same event id and a fresh timestamp and
    /// signature.
    RetryAt {
        /// When to send the next attempt.
        at: Timestamp,
        /// Whether the endpoint's `Retry-After` set the time.
        from_retry_after: bool,
    },
    /// Stop: the delivery failed for good.
    GiveUp(GiveUp),
}

/// Why a delivery is given up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GiveUp {
    /// The endpoint answered with a status that is not retried (e.g. `400`, `401`, `404`, a
    /// redirect).
    FinalStatus(u16),
    /// The next attempt would fall after the horizon (by the schedule or by `Retry-After`).
    HorizonReached,
    /// The policy's maximum number of attempts was made.
    AttemptsExhausted,
}

impl fmt::Display for GiveUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::FinalStatus(s) => write!(f, "the endpoint answered {s}, which is not retried"),
            Self::HorizonReached => f.write_str("the retry horizon was reached"),
            Self::AttemptsExhausted => f.write_str("the maximum number of attempts was made"),
        }
    }
}

/// When to retry a failed delivery.
///
/// The *n*-th retry waits a random delay (see [`Jitter`]) below a ceiling: the steps (by
/// default 1 min, 5 min, 15 min, 1 h), then the last step multiplied by the growth factor (2)
/// for each further retry, never above `max_delay` (24 h). No attempt is scheduled after the
/// horizon (3 days after the first attempt), and at most `max_attempts` (20) are made.
///
/// An endpoint's `Retry-After` (on a retried status) moves the next attempt later, never
/// earlier; if it points past the horizon the delivery is given up. Statuses are classified by
/// [`RetryPolicy::classify`].
///
/// ```
/// use std::time::Duration;
/// use hookseal::delivery::{Jitter, Next, Outcome, RetryPolicy};
/// use hookseal::Timestamp;
///
/// let policy = RetryPolicy::new().with_jitter(Jitter::None);
/// let first = Timestamp::from_unix_secs(1_700_000_000);
///
/// // The first attempt got a 503: try again in a minute.
/// let next = policy.next_after(1, first, first, Outcome::status(503));
/// let minutes = |m: u64| Duration::from_secs(60 * m);
/// assert_eq!(next, Next::RetryAt { at: first.saturating_add(minutes(1)), from_retry_after: false });
///
/// // A 429 asking for two minutes gets them.
/// let now = first.saturating_add(minutes(1));
/// let next = policy.next_after(2, first, now, Outcome::status(429).with_retry_after(b"120"));
/// assert_eq!(next, Next::RetryAt { at: now.saturating_add(minutes(5)), from_retry_after: false });
///
/// // A 400 is final; a 2xx is delivered.
/// assert!(matches!(policy.next_after(3, first, now, Outcome::status(400)), Next::GiveUp(_)));
/// assert_eq!(policy.next_after(3, first, now, Outcome::status(204)), Next::Delivered);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    steps: Vec<u64>,
    growth: u64,
    max_delay: u64,
    horizon: u64,
    max_attempts: u32,
    jitter: Jitter,
    overrides: Vec<(u16, StatusClass)>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self::new()
    }
}

impl RetryPolicy {
    /// The longest horizon a policy accepts: 30 days.
    pub const MAX_HORIZON: Duration = Duration::from_secs(30 * 24 * 3600);

    /// The default policy: steps of 1 min, 5 min, 15 min and 1 h, then doubling up to 24 h,
    /// full jitter, a 3-day horizon, at most 20 attempts.
    #[must_use]
    pub fn new() -> Self {
        Self {
            steps: vec![60, 300, 900, 3600],
            growth: 2,
            max_delay: 24 * 3600,
            horizon: 3 * 24 * 3600,
            max_attempts: 20,
            jitter: Jitter::Full,
            overrides: Vec::new(),
        }
    }

    /// Sets the first ceilings, one per retry, in whole seconds (rounded up).
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidRetrySteps`] unless the steps are non-empty, non-zero and
    /// non-decreasing.
    pub fn with_steps(mut self, steps: &[Duration]) -> Result<Self, ConfigError> {
        let secs: Vec<u64> = steps.iter().map(|d| ceil_secs(*d)).collect();
        let ordered = secs.windows(2).all(|w| matches!(w, [a, b] if a <= b));
        if secs.is_empty() || secs.contains(&0) || !ordered {
            return Err(ConfigError::InvalidRetrySteps);
        }
        self.steps = secs;
        Ok(self)
    }

    /// Sets the factor each ceiling after the steps grows by (1 keeps the last step).
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidRetryGrowth`] for 0.
    pub fn with_growth(mut self, factor: u32) -> Result<Self, ConfigError> {
        if factor == 0 {
            return Err(ConfigError::InvalidRetryGrowth);
        }
        self.growth = u64::from(factor);
        Ok(self)
    }

    /// Caps every ceiling (the steps included) at `max_delay`, rounded up to whole seconds, and
    /// kept between 1 s and [`RetryPolicy::MAX_HORIZON`].
    #[must_use]
    pub fn with_max_delay(mut self, max_delay: Duration) -> Self {
        self.max_delay = ceil_secs(max_delay).clamp(1, Self::MAX_HORIZON.as_secs());
        self
    }

    /// Sets the horizon: no attempt is scheduled later than this after the first one.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidRetryHorizon`] for zero or more than [`RetryPolicy::MAX_HORIZON`].
    pub fn with_horizon(mut self, horizon: Duration) -> Result<Self, ConfigError> {
        if horizon.is_zero() || horizon > Self::MAX_HORIZON {
            return Err(ConfigError::InvalidRetryHorizon);
        }
        self.horizon = ceil_secs(horizon);
        Ok(self)
    }

    /// Sets the most attempts made, the first one included.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidRetryAttempts`] for 0.
    pub fn with_max_attempts(mut self, attempts: u32) -> Result<Self, ConfigError> {
        if attempts == 0 {
            return Err(ConfigError::InvalidRetryAttempts);
        }
        self.max_attempts = attempts;
        Ok(self)
    }

    /// Sets the jitter.
    #[must_use]
    pub fn with_jitter(mut self, jitter: Jitter) -> Self {
        self.jitter = jitter;
        self
    }

    /// Treats `status` as `class`, overriding the default classification (for instance, to
    /// retry `404` while an endpoint is being deployed).
    #[must_use]
    pub fn with_status(mut self, status: u16, class: StatusClass) -> Self {
        self.overrides.retain(|(s, _)| *s != status);
        self.overrides.push((status, class));
        self
    }

    /// The horizon.
    #[must_use]
    pub fn horizon(&self) -> Duration {
        Duration::from_secs(self.horizon)
    }

    /// The most attempts made, the first one included.
    #[must_use]
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// How a status is treated: `2xx` delivered; `408`, `409`, `425`, `429` and `5xx` retried;
    /// anything else final — unless overridden with [`RetryPolicy::with_status`].
    #[must_use]
    pub fn classify(&self, status: u16) -> StatusClass {
        if let Some((_, class)) = self.overrides.iter().find(|(s, _)| *s == status) {
            return *class;
        }
        match status {
            200..=299 => StatusClass::Delivered,
            408 | 409 | 425 | 429 | 500..=599 => StatusClass::Retry,
            _ => StatusClass::Final,
        }
    }

    /// The ceiling of the delay before retry `retry` (1 for the first retry, i.e. the second
    /// attempt). Non-decreasing in `retry`, and at most the maximum delay.
    #[must_use]
    pub fn ceiling(&self, retry: u32) -> Duration {
        Duration::from_secs(self.ceiling_secs(retry))
    }

    fn ceiling_secs(&self, retry: u32) -> u64 {
        let index = usize::try_from(retry.max(1) - 1).unwrap_or(usize::MAX);
        let last = self.steps.last().copied().unwrap_or(1);
        let secs = match self.steps.get(index) {
            Some(&step) => step,
            None => {
                let beyond = index.saturating_sub(self.steps.len() - 1);
                let mut secs = last;
                // With growth 1 the ceiling stays at the last step; otherwise it reaches the cap
                // (or saturates) within 64 doublings, however large `retry` is.
                if self.growth > 1 {
                    for _ in 0..beyond {
                        secs = secs.saturating_mul(self.growth);
                        if secs >= self.max_delay {
                            break;
                        }
                    }
                }
                secs
            }
        };
        secs.min(self.max_delay)
    }

    /// The delay before retry `retry`, from a uniformly random `random`: within
    /// `[0, ceiling]` for full jitter, `[ceiling / 2, ceiling]` for equal jitter, the ceiling
    /// without jitter.
    #[must_use]
    pub fn delay(&self, retry: u32, random: u64) -> Duration {
        let ceiling = self.ceiling_secs(retry);
        let (low, high) = match self.jitter {
            Jitter::Full => (0, ceiling),
            Jitter::Equal => (ceiling / 2, ceiling),
            Jitter::None => (ceiling, ceiling),
        };
        // `high - low + 1` cannot overflow: ceilings are at most the maximum delay, itself at
        // most 30 days.
        Duration::from_secs(low + random % (high - low + 1))
    }

    /// What to do after attempt number `attempt` (1 for the first), made for a delivery first
    /// attempted at `first_attempt`, which ended with `outcome` at `now`. Jitter is drawn from
    /// the operating system's random number generator.
    #[cfg(feature = "std")]
    #[must_use]
    pub fn next_after(
        &self,
        attempt: u32,
        first_attempt: Timestamp,
        now: Timestamp,
        outcome: Outcome<'_>,
    ) -> Next {
        use crate::RandomSource as _;

        let mut bytes = [0_u8; 8];
        // Without randomness the schedule falls back to the ceiling: still a valid schedule.
        let random = match crate::OsRandom.fill(&mut bytes) {
            Ok(()) => u64::from_le_bytes(bytes),
            Err(_) => u64::MAX,
        };
        self.next_with_random(attempt, first_attempt, now, outcome, random)
    }

    /// [`RetryPolicy::next_after`] with the jitter drawn from `random` (uniform over `u64`), for
    /// tests and simulations.
    #[must_use]
    pub fn next_with_random(
        &self,
        attempt: u32,
        first_attempt: Timestamp,
        now: Timestamp,
        outcome: Outcome<'_>,
        random: u64,
    ) -> Next {
        let retry_after = match outcome.status {
            Some(status) => match self.classify(status) {
                StatusClass::Delivered => return Next::Delivered,
                StatusClass::Final => return Next::GiveUp(GiveUp::FinalStatus(status)),
                StatusClass::Retry => outcome.retry_after.and_then(|v| retry_after_secs(v, now)),
            },
            None => None,
        };
        if attempt >= self.max_attempts {
            return Next::GiveUp(GiveUp::AttemptsExhausted);
        }
        let deadline = first_attempt.saturating_add(Duration::from_secs(self.horizon));
        if now >= deadline {
            return Next::GiveUp(GiveUp::HorizonReached);
        }
        let backoff = now.saturating_add(self.delay(attempt, random));
        let scheduled = backoff.min(deadline);
        match retry_after.map(|secs| now.saturating_add(Duration::from_secs(secs))) {
            Some(asked) if asked > deadline => Next::GiveUp(GiveUp::HorizonReached),
            Some(asked) if asked > scheduled => Next::RetryAt {
                at: asked,
                from_retry_after: true,
            },
            _ => Next::RetryAt {
                at: scheduled,
                from_retry_after: false,
            },
        }
    }
}

fn ceil_secs(d: Duration) -> u64 {
    d.as_secs().saturating_add(u64::from(d.subsec_nanos() > 0))
}

/// The longest `Retry-After` value read, in bytes.
const MAX_RETRY_AFTER_LEN: usize = 64;

/// Reads a `Retry-After` value as seconds from `now`: delay-seconds, or an IMF-fixdate (RFC 9110
/// §5.6.7) in the past (0) or future. `None` for anything else.
pub(crate) fn retry_after_secs(value: &[u8], now: Timestamp) -> Option<u64> {
    let value = crate::headers::trim_ows(value);
    if value.is_empty() || value.len() > MAX_RETRY_AFTER_LEN {
        return None;
    }
    if value.iter().all(u8::is_ascii_digit) {
        // A delay too large for a u64 is as good as infinite.
        return Some(value.iter().fold(0_u64, |n, &d| {
            n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
        }));
    }
    let at = parse_imf_fixdate(value)?;
    Some(at.saturating_sub(now.as_unix_secs()))
}

/// Parses `Sun, 06 Nov 1994 08:49:37 GMT` to unix seconds.
fn parse_imf_fixdate(v: &[u8]) -> Option<u64> {
    const DAYS: [&[u8]; 7] = [b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat", b"Sun"];
    const MONTHS: [&[u8]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    if v.len() != 29 {
        return None;
    }
    let field = |from: usize, to: usize| v.get(from..to);
    let number = |from: usize, to: usize| -> Option<u64> {
        let digits = field(from, to)?;
        digits.iter().try_fold(0_u64, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u64::from(d - b'0'))
        })
    };
    let weekday = DAYS.iter().position(|d| Some(*d) == field(0, 3))?;
    let punctuation = [(3, b','), (4, b' '), (7, b' '), (11, b' '), (16, b' ')];
    let colons = [(19, b':'), (22, b':'), (25, b' ')];
    if punctuation
        .iter()
        .chain(&colons)
        .any(|&(at, c)| v.get(at) != Some(&c))
        || field(26, 29) != Some(b"GMT")
    {
        return None;
    }
    let day = number(5, 7)?;
    let month = u64::try_from(MONTHS.iter().position(|m| Some(*m) == field(8, 11))? + 1).ok()?;
    let year = number(12, 16)?;
    let (hour, minute, second) = (number(17, 19)?, number(20, 22)?, number(23, 25)?);
    if year < 1970 || hour > 23 || minute > 59 || second > 60 || day == 0 {
        return None;
    }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let month_len = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if day > month_len {
        return None;
    }
    let days = days_from_civil(year, month, day);
    // 1970-01-01 was a Thursday (index 3 here).
    if usize::try_from((days + 3) % 7).ok()? != weekday {
        return None;
    }
    Some(days * 86_400 + hour * 3600 + minute * 60 + second)
}

/// Days from 1970-01-01 to a date on or after it (the civil-from-days algorithm, inverted).
fn days_from_civil(year: u64, month: u64, day: u64) -> u64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y / 400;
    let yoe = y % 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe).saturating_sub(719_468)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imf_fixdate_known_dates() {
        // RFC 9110's example, and the unix epoch.
        assert_eq!(
            parse_imf_fixdate(b"Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(parse_imf_fixdate(b"Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(
            parse_imf_fixdate(b"Tue, 29 Feb 2028 12:00:00 GMT"),
            Some(1_835_438_400)
        );
        // Wrong weekday, impossible date, obsolete formats, bad zone.
        assert_eq!(parse_imf_fixdate(b"Mon, 06 Nov 1994 08:49:37 GMT"), None);
        assert_eq!(parse_imf_fixdate(b"Thu, 29 Feb 2029 12:00:00 GMT"), None);
        assert_eq!(parse_imf_fixdate(b"Sunday, 06-Nov-94 08:49:37 GMT"), None);
        assert_eq!(parse_imf_fixdate(b"Sun Nov  6 08:49:37 1994"), None);
        assert_eq!(parse_imf_fixdate(b"Sun, 06 Nov 1994 08:49:37 UTC"), None);
        assert_eq!(parse_imf_fixdate(b"Sun, 06 Nov 1994 24:49:37 GMT"), None);
    }

    #[test]
    fn retry_after_forms() {
        let now = Timestamp::from_unix_secs(784_111_700);
        assert_eq!(retry_after_secs(b"120", now), Some(120));
        assert_eq!(retry_after_secs(b" 0 ", now), Some(0));
        assert_eq!(
            retry_after_secs(b"99999999999999999999999", now),
            Some(u64::MAX)
        );
        assert_eq!(
            retry_after_secs(b"Sun, 06 Nov 1994 08:49:37 GMT", now),
            Some(77)
        );
        assert_eq!(
            retry_after_secs(b"Thu, 01 Jan 1970 00:00:00 GMT", now),
            Some(0)
        );
        for bad in [&b""[..], b"-1", b"1.5", b"+3", b"soon", &[b'9'; 65]] {
            assert_eq!(retry_after_secs(bad, now), None, "{bad:?}");
        }
    }
}

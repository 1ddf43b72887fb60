//! Time: the [`Timestamp`] type, the [`Clock`] trait, [`SystemClock`] and (feature `test-util`)
//! [`ManualClock`].
//!
//! Every time-dependent decision in the crate reads an injected clock, never the wall clock
//! directly, so tests can drive the freshness window to its exact edges.

use core::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

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

/// A source of the current time.
///
/// Implementations must be cheap: the verifier reads the clock once per request.
pub trait Clock: fmt::Debug + Send + Sync {
    /// The current time, or `None` when it cannot be told (a system clock set before 1970).
    fn now(&self) -> Option<Timestamp>;
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now(&self) -> Option<Timestamp> {
        (**self).now()
    }
}

impl<C: Clock + ?Sized> Clock for std::sync::Arc<C> {
    fn now(&self) -> Option<Timestamp> {
        (**self).now()
    }
}

/// The operating system's wall clock. The default clock.
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct SystemClock;

impl SystemClock {
    /// The system clock.
    #[must_use]
    pub const fn new() -> Self {
        Self
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Option<Timestamp> {
        Timestamp::from_system_time(SystemTime::now())
    }
}

#[cfg(feature = "test-util")]
pub use manual::ManualClock;

#[cfg(feature = "test-util")]
mod manual {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::Duration;

    use super::{Clock, Timestamp};

    /// A clock that only moves when told to. Clones share the same time.
    ///
    /// ```
    /// use std::time::Duration;
    /// use hookseal::{Clock, ManualClock, Timestamp};
    ///
    /// let clock = ManualClock::new(Timestamp::from_unix_secs(1_700_000_000));
    /// let shared = clock.clone();
    /// clock.advance(Duration::from_secs(301));
    /// assert_eq!(shared.now(), Some(Timestamp::from_unix_secs(1_700_000_301)));
    /// ```
    #[derive(Debug, Clone)]
    pub struct ManualClock {
        secs: Arc<AtomicU64>,
    }

    impl ManualClock {
        /// A clock stopped at `start`.
        #[must_use]
        pub fn new(start: Timestamp) -> Self {
            Self {
                secs: Arc::new(AtomicU64::new(start.as_unix_secs())),
            }
        }

        /// Sets the time.
        pub fn set(&self, t: Timestamp) {
            self.secs.store(t.as_unix_secs(), Ordering::SeqCst);
        }

        /// Moves the time forward by `d` (whole seconds), saturating.
        pub fn advance(&self, d: Duration) {
            let step = d.as_secs();
            let _ = self
                .secs
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |s| {
                    Some(s.saturating_add(step))
                });
        }

        /// Moves the time back by `d` (whole seconds), saturating at the epoch.
        pub fn rewind(&self, d: Duration) {
            let step = d.as_secs();
            let _ = self
                .secs
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |s| {
                    Some(s.saturating_sub(step))
                });
        }
    }

    impl Clock for ManualClock {
        fn now(&self) -> Option<Timestamp> {
            Some(Timestamp::from_unix_secs(self.secs.load(Ordering::SeqCst)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_clock_is_after_2020() {
        let now = SystemClock::new().now().unwrap();
        assert!(now.as_unix_secs() > 1_577_836_800);
    }

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
}

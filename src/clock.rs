//! Time sources: the [`Clock`] trait, [`SystemClock`] and (feature `test-util`) [`ManualClock`].
//!
//! Every time-dependent decision in the crate reads an injected clock, never the wall clock
//! directly, so tests can drive the freshness window to its exact edges.
//!
//! A clock tells two times. [`Clock::now`] is the wall clock, which signatures are stamped with,
//! so the signature window is checked against it. [`Clock::monotonic`] only ever moves forward at
//! the rate time passes, whatever the wall clock is set to: the stores measure expiry with it, so
//! a wall clock stepped forward (an NTP correction, a VM resumed) never drops a live entry or
//! lease early, and one stepped back never keeps an entry longer than its TTL allows.
//!
//! Without `std` (and on `wasm32-unknown-unknown`, whose standard library has no clock) there
//! is no system clock to read: [`SystemClock`] answers `None`, so verifying and signing fail
//! with a typed error (`ClockUnavailable`) until a clock of the runtime's is set with
//! [`Verifier::with_clock`](crate::Verifier::with_clock) — on Cloudflare Workers, `Date.now()`.
//! Nothing panics for want of a clock.

use core::fmt;
use core::time::Duration;

use crate::timestamp::Timestamp;

/// A source of the current time.
///
/// Implementations must be cheap: the verifier reads the clock once per request.
pub trait Clock: fmt::Debug + Send + Sync {
    /// The current time, or `None` when it cannot be told (a system clock set before 1970).
    fn now(&self) -> Option<Timestamp>;

    /// The time elapsed since a fixed point of this clock's choosing, never going back and never
    /// stepped when the wall clock is set. Stores measure expiry with it.
    ///
    /// The default reads the operating system's monotonic clock (`std::time::Instant`), which
    /// is right for every clock that tells real time; a test clock overrides it to move by
    /// hand. Where there is no such clock (without `std`, or on `wasm32-unknown-unknown`) the
    /// default is [`now`](Self::now) in whole seconds (zero while it cannot be told), as a
    /// shared store's server measures expiry with its wall clock; override it with the
    /// runtime's monotonic time where there is one.
    fn monotonic(&self) -> Duration {
        os::monotonic()
            .unwrap_or_else(|| Duration::from_secs(self.now().map_or(0, Timestamp::as_unix_secs)))
    }
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now(&self) -> Option<Timestamp> {
        (**self).now()
    }

    fn monotonic(&self) -> Duration {
        (**self).monotonic()
    }
}

impl<C: Clock + ?Sized> Clock for alloc::sync::Arc<C> {
    fn now(&self) -> Option<Timestamp> {
        (**self).now()
    }

    fn monotonic(&self) -> Duration {
        (**self).monotonic()
    }
}

/// The operating system's clocks, read with `std` on a target whose standard library has them
/// (`wasm32-unknown-unknown`'s panics instead).
#[cfg(all(
    feature = "std",
    not(all(target_arch = "wasm32", target_os = "unknown"))
))]
mod os {
    use core::time::Duration;
    use std::sync::OnceLock;
    use std::time::{Instant, SystemTime};

    use crate::timestamp::Timestamp;

    pub(super) fn now() -> Option<Timestamp> {
        Timestamp::from_system_time(SystemTime::now())
    }

    pub(super) fn monotonic() -> Option<Duration> {
        static ORIGIN: OnceLock<Instant> = OnceLock::new();
        Some(ORIGIN.get_or_init(Instant::now).elapsed())
    }
}

/// No operating system clocks to read.
#[cfg(not(all(
    feature = "std",
    not(all(target_arch = "wasm32", target_os = "unknown"))
)))]
mod os {
    use core::time::Duration;

    use crate::timestamp::Timestamp;

    pub(super) fn now() -> Option<Timestamp> {
        None
    }

    pub(super) fn monotonic() -> Option<Duration> {
        None
    }
}

/// The operating system's wall clock. The default clock.
///
/// Without `std`, and on `wasm32-unknown-unknown`, there is no system clock:
/// [`now`](Clock::now) answers `None`, and verifying fails with
/// [`VerifyError::ClockUnavailable`](crate::VerifyError::ClockUnavailable) until a clock of the
/// runtime's is set with [`Verifier::with_clock`](crate::Verifier::with_clock).
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
        os::now()
    }
}

#[cfg(feature = "test-util")]
pub use manual::ManualClock;

#[cfg(feature = "test-util")]
mod manual {
    use alloc::sync::Arc;
    use core::sync::atomic::{AtomicU64, Ordering};
    use core::time::Duration;

    use super::{Clock, Timestamp};

    /// A clock that only moves when told to. Clones share the same time.
    ///
    /// [`advance`](Self::advance) moves both of its times, as time passing does;
    /// [`set`](Self::set) and [`rewind`](Self::rewind) move only the wall clock, as setting a
    /// system clock does, so tests can check that a wall-clock step leaves the stores' expiry
    /// alone.
    ///
    /// ```
    /// use std::time::Duration;
    /// use hookseal::{Clock, ManualClock, Timestamp};
    ///
    /// let clock = ManualClock::new(Timestamp::from_unix_secs(1_700_000_000));
    /// let shared = clock.clone();
    /// clock.advance(Duration::from_secs(301));
    /// assert_eq!(shared.now(), Some(Timestamp::from_unix_secs(1_700_000_301)));
    /// assert_eq!(shared.monotonic(), Duration::from_secs(301));
    /// clock.set(Timestamp::from_unix_secs(1_800_000_000));
    /// assert_eq!(shared.monotonic(), Duration::from_secs(301));
    /// ```
    #[derive(Debug, Clone)]
    pub struct ManualClock {
        secs: Arc<AtomicU64>,
        monotonic: Arc<AtomicU64>,
    }

    impl ManualClock {
        /// A clock stopped at `start`, its monotonic time at zero.
        #[must_use]
        pub fn new(start: Timestamp) -> Self {
            Self {
                secs: Arc::new(AtomicU64::new(start.as_unix_secs())),
                monotonic: Arc::new(AtomicU64::new(0)),
            }
        }

        /// Sets the wall clock (a step: the monotonic time does not move).
        pub fn set(&self, t: Timestamp) {
            self.secs.store(t.as_unix_secs(), Ordering::SeqCst);
        }

        /// Lets `d` pass (whole seconds): both the wall clock and the monotonic time move
        /// forward, saturating.
        pub fn advance(&self, d: Duration) {
            add(&self.secs, d.as_secs());
            add(&self.monotonic, d.as_secs());
        }

        /// Steps the wall clock back by `d` (whole seconds), saturating at the epoch; the
        /// monotonic time does not move.
        pub fn rewind(&self, d: Duration) {
            let step = d.as_secs();
            let _ = self
                .secs
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |s| {
                    Some(s.saturating_sub(step))
                });
        }
    }

    fn add(cell: &AtomicU64, step: u64) {
        let _ = cell.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |s| {
            Some(s.saturating_add(step))
        });
    }

    impl Clock for ManualClock {
        fn now(&self) -> Option<Timestamp> {
            Some(Timestamp::from_unix_secs(self.secs.load(Ordering::SeqCst)))
        }

        fn monotonic(&self) -> Duration {
            Duration::from_secs(self.monotonic.load(Ordering::SeqCst))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(all(
        feature = "std",
        not(all(target_arch = "wasm32", target_os = "unknown"))
    ))]
    #[test]
    fn system_clock_is_after_2020() {
        let now = SystemClock::new().now().unwrap();
        assert!(now.as_unix_secs() > 1_577_836_800);
        assert!(SystemClock.monotonic() <= SystemClock.monotonic());
    }

    /// Without `std` the system clock cannot be told, and the default monotonic time falls back
    /// to it, at zero; a clock of the caller's moves it.
    #[cfg(not(feature = "std"))]
    #[test]
    fn without_std_the_system_clock_is_unavailable_and_nothing_panics() {
        #[derive(Debug)]
        struct Fixed;
        impl Clock for Fixed {
            fn now(&self) -> Option<Timestamp> {
                Some(Timestamp::from_unix_secs(1_700_000_000))
            }
        }
        assert_eq!(SystemClock.now(), None);
        assert_eq!(SystemClock.monotonic(), Duration::ZERO);
        assert_eq!(Fixed.monotonic(), Duration::from_secs(1_700_000_000));
    }
}

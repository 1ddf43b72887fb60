//! The Workers runtime's clock.

use hookseal::{Clock, Timestamp};

/// The wall clock of the Workers runtime: `Date.now()`, in whole seconds.
///
/// Inside a request the runtime moves `Date.now()` only when the Worker does I/O (a defence
/// against timing attacks), which is as precise as a signature window needs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WorkersClock;

impl Clock for WorkersClock {
    fn now(&self) -> Option<Timestamp> {
        Some(Timestamp::from_unix_secs(
            worker::Date::now().as_millis() / 1000,
        ))
    }
}

//! The CPU time the calling thread has run, from Linux's `/proc/thread-self/schedstat` (in
//! nanoseconds), so that a bench can say what an operation costs in CPU time as well as in wall
//! time: on a shared machine other processes take turns on the cores, which stretches the wall
//! time but not the CPU time.

use std::time::Duration;

/// The CPU time this thread has run so far; `None` where the kernel does not say (not Linux).
pub(crate) fn thread_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// The CPU time this thread spends running `f`, with its result.
pub(crate) fn on_cpu<T>(f: impl FnOnce() -> T) -> (T, Option<Duration>) {
    let before = thread_cpu();
    let out = f();
    let spent = thread_cpu()
        .zip(before)
        .map(|(after, before)| after.saturating_sub(before));
    (out, spent)
}

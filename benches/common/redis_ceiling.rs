//! The Redis server's own pipelined ceiling, measured against the bench's server:
//! `redis-benchmark -t set -P 50 -c 1 -n <n> -q` (package `redis-tools`), the most `SET`s per
//! second one connection gets from that server with 50 commands in flight. The stores' figures
//! are divided by it, so that a ratio says how close a store comes to what the server itself
//! can do on this machine at this moment.
//!
//! Where `taskset` is there and the machine has two cores or more, the server runs on core 0 and
//! the clients (redis-benchmark, and the bench's own runtime) on core 1, so neither steals the
//! other's core.

use std::process::{Command, Stdio};

/// Whether the server and the clients can each be pinned to a core of their own here.
pub(crate) fn can_pin() -> bool {
    std::thread::available_parallelism().is_ok_and(|n| n.get() >= 2)
        && Command::new("taskset")
            .arg("-V")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
}

/// Pins every thread of process `pid` (and the threads it starts later) to `cores` (`"0"`,
/// `"0,1"`); says whether it worked.
pub(crate) fn pin(pid: u32, cores: &str) -> bool {
    Command::new("taskset")
        .args(["-a", "-p", "-c", cores, &pid.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Lets every thread of process `pid` run on any online core again.
pub(crate) fn unpin(pid: u32) -> bool {
    std::fs::read_to_string("/sys/devices/system/cpu/online")
        .is_ok_and(|online| pin(pid, online.trim()))
}

/// `SET`s per second that `redis-benchmark` gets from the server on `port`, 50 pipelined on one
/// connection, over `n` requests (on core 1 when `pinned`); `None` when redis-benchmark is
/// missing or says nothing readable.
pub(crate) fn sets_per_second(port: u16, n: u64, pinned: bool) -> Option<f64> {
    let mut command = if pinned {
        let mut c = Command::new("taskset");
        c.args(["-c", "1", "redis-benchmark"]);
        c
    } else {
        Command::new("redis-benchmark")
    };
    let output = command
        .args(["-h", "127.0.0.1", "-p", &port.to_string()])
        .args([
            "-t",
            "set",
            "-P",
            "50",
            "-c",
            "1",
            "-n",
            &n.to_string(),
            "-q",
        ])
        .stderr(Stdio::null())
        .output()
        .ok()?;
    // The last report reads `SET: 412371.12 requests per second, p50=…`; progress lines before
    // it are separated by carriage returns.
    let text = String::from_utf8_lossy(&output.stdout);
    text.split(['\r', '\n']).filter_map(rate).next_back()
}

/// The rate in a final report line, `SET: 412371.12 requests per second, p50=0.071 msec`.
fn rate(line: &str) -> Option<f64> {
    let (rate, rest) = line.trim().strip_prefix("SET: ")?.split_once(' ')?;
    if rest.starts_with("requests per second") {
        rate.parse().ok()
    } else {
        None
    }
}

//! The Redis server's own pipelined ceiling, measured against the bench's server:
//! `redis-benchmark -t set -P 50 -c 1 -n <n> -q` (package `redis-tools`), the most `SET`s per
//! second one connection gets from that server with 50 commands in flight. The stores' figures
//! are divided by it, so that a ratio says how close a store comes to what the server itself
//! can do on this machine at this moment.
//!
//! Where `taskset` is there and the machine has two cores or more, the server runs on core 0 and
//! the clients (redis-benchmark, and the bench's own runtime) on core 1, so neither steals the
//! other's core; `HOOKSEAL_BENCH_PIN=0` leaves every process unpinned (to compare with a build
//! that does not pin).

use std::process::{Command, Stdio};
use std::time::Duration;

use super::latency::Percentiles;
use super::spread::Spread;

/// Whether the server and the clients can each be pinned to a core of their own here.
pub(crate) fn can_pin() -> bool {
    std::env::var("HOOKSEAL_BENCH_PIN").map_or(true, |v| v != "0")
        && std::thread::available_parallelism().is_ok_and(|n| n.get() >= 2)
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
/// connection, over `n` requests (on core 1 when `pinned`): `-t set`, one key set again and
/// again, the issue's ceiling. `None` when redis-benchmark is missing or says nothing readable.
pub(crate) fn sets_per_second(port: u16, n: u64, pinned: bool) -> Option<f64> {
    benchmark(port, pinned, &["-t", "set", "-n", &n.to_string()])
}

/// `SET … NX PX` of fresh keys per second, the same way (`-r`, in database 15 so the bench's own
/// keys are left alone): what the server can do when every command adds a key with an expiry,
/// as every store check does. A floor for the stores, which add one such key per check.
pub(crate) fn fresh_sets_per_second(port: u16, n: u64, pinned: bool) -> Option<f64> {
    benchmark(
        port,
        pinned,
        &[
            "--dbnum",
            "15",
            "-r",
            "1000000000",
            "-n",
            &n.to_string(),
            "set",
            "hookseal:ceiling:__rand_int__",
            "p0123456789abcdef",
            "nx",
            "px",
            "600000",
        ],
    )
}

fn benchmark(port: u16, pinned: bool, args: &[&str]) -> Option<f64> {
    let mut command = if pinned {
        let mut c = Command::new("taskset");
        c.args(["-c", "1", "redis-benchmark"]);
        c
    } else {
        Command::new("redis-benchmark")
    };
    let output = command
        .args(["-h", "127.0.0.1", "-p", &port.to_string()])
        .args(["-P", "50", "-c", "1", "-q"])
        .args(args)
        .stderr(Stdio::null())
        .output()
        .ok()?;
    // The last report reads `SET: 412371.12 requests per second, p50=…` (or the command itself
    // before the colon); progress lines before it are separated by carriage returns.
    let text = String::from_utf8_lossy(&output.stdout);
    text.split(['\r', '\n']).filter_map(rate).next_back()
}

/// The rate in a final report line, `…: 412371.12 requests per second, p50=0.071 msec`.
fn rate(line: &str) -> Option<f64> {
    let (head, _) = line.split_once(" requests per second")?;
    head.rsplit(' ').next()?.parse().ok()
}

/// Runs `count` rounds of a store's 50-task checks (`round`, which runs `checks` checks and
/// returns their wall time and latencies), each right after the server's two ceilings, and
/// prints the spread of each figure and ratio under `name`. A check is two script calls, so
/// script calls per second ÷ `SET`s per second compares one command with one command; checks per
/// second ÷ fresh `SET NX PX`es per second compares one added key with one added key.
pub(crate) fn compare(
    name: &str,
    port: u16,
    pinned: bool,
    count: usize,
    checks: usize,
    mut round: impl FnMut(usize) -> (Duration, Option<Percentiles>),
) {
    if count == 0 {
        return;
    }
    let mut figures = <[Spread; 8]>::default();
    for i in 0..count {
        let (Some(sets), Some(fresh)) = (
            sets_per_second(port, 1_000_000, pinned),
            fresh_sets_per_second(port, 300_000, pinned),
        ) else {
            println!("{name}: redis-benchmark is not installed (redis-tools), no ceiling");
            return;
        };
        let (wall, latencies) = round(i);
        let rate = checks as f64 / wall.as_secs_f64();
        let [c, s, f, calls, per_set, per_fresh, p50, p99] = &mut figures;
        c.push(rate);
        s.push(sets);
        f.push(fresh);
        calls.push(2.0 * rate / sets);
        per_set.push(rate / sets);
        per_fresh.push(rate / fresh);
        if let Some(p) = latencies {
            p50.push(p.p50.as_secs_f64() * 1e6);
            p99.push(p.p99.as_secs_f64() * 1e6);
        }
    }
    let [c, s, f, calls, per_set, per_fresh, p50, p99] = &figures;
    println!(
        "{name} rounds ({count}, pinned: {pinned}): {} k checks/s; ceiling (redis-benchmark -t \
         set -P 50 -c 1) {} k SETs/s; fresh SET NX PX {} k/s; script calls ÷ SETs {}; checks ÷ \
         SETs {}; checks ÷ fresh SETs {}; p50 {} µs; p99 {} µs",
        c.show(1e3, 1),
        s.show(1e3, 1),
        f.show(1e3, 1),
        calls.show(1.0, 2),
        per_set.show(1.0, 2),
        per_fresh.show(1.0, 2),
        p50.show(1.0, 0),
        p99.show(1.0, 0),
    );
}

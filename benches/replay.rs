//! Replay-cache throughput: the in-memory cache on one and two threads over one million distinct
//! keys; Redis (a `redis-server` the bench starts on a free port) with one sequential task and
//! with 50 concurrent tasks sharing one multiplexed connection, with p50/p99 latencies; and a
//! Redis Cluster of three masters without replicas (started by the bench on loopback ports),
//! measured the same way through the cluster client.
//!
//! A check is what a receiver does per delivery: reserve the key, then commit it (two round
//! trips against Redis, a script each).
//!
//! Each store is also measured against a baseline in the same run, in interleaved rounds, with
//! the least and the most of the rounds printed (`… rounds:` lines):
//! - the memory cache against a bare sharded set of the same keys (64 locked hash tables, one
//!   insert per key), on wall time and on CPU time, and against its floor: per key, what a
//!   check cannot do without — a read of the clock the cache reads and a locked store of the
//!   key into a random slot of an array the size of the cache's keys (25.6 MB), then a second
//!   clock read and a locked read of the slot, nothing else. The precise clock's ordered
//!   time-stamp read waits for the unlock before it, and the unlock for the store's cache miss,
//!   so each key pays a whole memory latency;
//! - the Redis cache with 50 tasks against the server's own pipelined ceiling,
//!   `redis-benchmark -t set -P 50 -c 1` on the same server (server and clients each pinned to a
//!   core where `taskset` is there). A check is two script calls, a `SET` one command, so the
//!   ratio that compares like with like is script calls per second ÷ `SET`s per second; checks
//!   per second ÷ `SET`s per second is printed too.
//!
//! `cargo bench --features redis --bench replay`

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    clippy::indexing_slicing
)]

#[path = "../tests/replay/cluster.rs"]
#[allow(dead_code)]
mod cluster;
#[allow(dead_code)]
mod common;
#[path = "../tests/replay/server.rs"]
#[allow(dead_code)]
mod server;

use std::future::Future;
use std::hint::black_box;
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hashbrown::HashTable;
use hookseal::RedisOptions;
use hookseal::ReplayKey;
use hookseal::replay::{MemoryReplayCache, RedisReplayCache, ReplayCache, Reserve};
use hookseal::{Clock as _, SystemClock};

use common::cpu::on_cpu;
use common::latency::{Latencies, run_tasks};
use common::redis_ceiling;
use common::rounds::rounds;
use common::spread::Spread;

const KEYS: usize = 1_000_000;
const TTL: Duration = Duration::from_secs(600);
const LEASE: Duration = Duration::from_secs(60);
/// The floor's slots per shard: 64 shards of 16-byte slots, 25.6 MB in all, about what the
/// memory cache's keys take at a million.
const FLOOR_SLOTS: usize = 25_000;
/// The clock the memory cache reads by default.
const CLOCK: SystemClock = SystemClock::new();

/// One check of a fresh key: reserve, then commit.
async fn check<R: ReplayCache>(cache: &R, key: &ReplayKey) {
    match cache.reserve(key, LEASE).await.expect("reserve") {
        Reserve::Reserved(reservation) => cache.commit(&reservation, TTL).await.expect("commit"),
        other => panic!("a fresh key was {other:?}"),
    }
}

fn keys(n: usize, salt: &[u8]) -> Vec<ReplayKey> {
    (0..n as u64)
        .map(|i| ReplayKey::derive(salt, &i.to_le_bytes()))
        .collect()
}

/// The wall time and the CPU time (all threads) of one fill.
struct Spent {
    wall: Duration,
    cpu: Option<Duration>,
}

/// Runs `op` on every key of `keys` against a new store from `make`, split over `threads`
/// threads; the time of the operations alone.
fn fill<S: Sync>(
    keys: &[ReplayKey],
    threads: usize,
    make: impl FnOnce() -> S,
    op: impl Fn(&S, &ReplayKey) + Sync,
) -> Spent {
    let store = make();
    let barrier = Barrier::new(threads + 1);
    let chunk = keys.len().div_ceil(threads);
    std::thread::scope(|s| {
        let workers: Vec<_> = keys
            .chunks(chunk)
            .map(|part| {
                let (store, barrier, op) = (&store, &barrier, &op);
                s.spawn(move || {
                    barrier.wait();
                    on_cpu(|| {
                        for key in part {
                            op(store, key);
                        }
                    })
                    .1
                })
            })
            .collect();
        barrier.wait();
        let started = Instant::now();
        let cpu: Option<Duration> = workers
            .into_iter()
            .map(|worker| worker.join().expect("worker"))
            .sum();
        Spent {
            wall: started.elapsed(),
            cpu,
        }
    })
}

/// Reserves and commits every key of `keys` in a new memory cache.
fn cache_fill(keys: &[ReplayKey], threads: usize) -> Spent {
    fill(
        keys,
        threads,
        || MemoryReplayCache::new(KEYS, TTL).expect("cache"),
        |cache, key| pollster(check(cache, key)),
    )
}

/// The baseline: a bare sharded set (64 locked hash tables, a key's first bytes as its hash),
/// one insert-if-absent per key, no time, no reservation.
fn bare_fill(keys: &[ReplayKey], threads: usize) -> Spent {
    fill(
        keys,
        threads,
        || -> Vec<Mutex<HashTable<[u8; 16]>>> {
            (0..64).map(|_| Mutex::new(HashTable::new())).collect()
        },
        |set, key| {
            let bytes = *key.as_bytes();
            let hash = u64::from_le_bytes(bytes[..8].try_into().unwrap());
            let mut shard = set[(hash >> 32) as usize & 63].lock().unwrap();
            let fresh = shard.find(hash, |k| *k == bytes).is_none();
            assert!(fresh, "a fresh key was there");
            shard.insert_unique(hash, bytes, |k| {
                u64::from_le_bytes(k[..8].try_into().unwrap())
            });
        },
    )
}

/// The floor: per key, a clock read and a locked store of the key into a random slot of 25.6 MB,
/// then a clock read and a locked read of the slot (a reserve and a commit, doing nothing else),
/// reading the clock the cache reads.
fn floor_fill(keys: &[ReplayKey], threads: usize) -> Spent {
    fill(
        keys,
        threads,
        || -> Vec<Mutex<Vec<[u8; 16]>>> {
            (0..64)
                .map(|_| Mutex::new(vec![[0; 16]; FLOOR_SLOTS]))
                .collect()
        },
        |table, key| {
            let bytes = *key.as_bytes();
            let hash = u64::from_le_bytes(bytes[..8].try_into().unwrap());
            let shard = &table[(hash >> 32) as usize & 63];
            let slot = (hash as u32 as usize) % FLOOR_SLOTS;
            black_box(CLOCK.monotonic());
            shard.lock().unwrap()[slot] = bytes;
            black_box(CLOCK.monotonic());
            // Another thread's key may have taken the slot since: nothing to assert.
            black_box(shard.lock().unwrap()[slot] == bytes);
        },
    )
}

fn memory(c: &mut Criterion) {
    let keys = keys(KEYS, b"bench");
    let mut group = c.benchmark_group("replay/memory");
    group.sample_size(10);
    group.throughput(Throughput::Elements(KEYS as u64));
    for threads in [1, 2] {
        group.bench_function(format!("{threads}_thread_1M_bare_set"), |b| {
            b.iter_custom(|iters| (0..iters).map(|_| bare_fill(&keys, threads).wall).sum());
        });
        group.bench_function(format!("{threads}_thread_1M_fresh"), |b| {
            b.iter_custom(|iters| (0..iters).map(|_| cache_fill(&keys, threads).wall).sum());
        });
    }
    group.finish();

    // The cache and its baseline in turn, round after round.
    let count = rounds("replay/memory");
    for threads in [1, 2].into_iter().filter(|_| count > 0) {
        let (mut cache, mut bare, mut ratio, mut cpu, mut per_core) = Default::default();
        let (mut floor, mut floor_cpu, mut over_floor) = Default::default();
        for _ in 0..count {
            let b = bare_fill(&keys, threads);
            let f = floor_fill(&keys, threads);
            let m = cache_fill(&keys, threads);
            let rate = |wall: Duration| KEYS as f64 / wall.as_secs_f64();
            let per_key = |cpu: Option<Duration>| cpu.map(|c| c.as_nanos() as f64 / KEYS as f64);
            Spread::push(&mut cache, rate(m.wall));
            Spread::push(&mut bare, rate(b.wall));
            Spread::push(&mut floor, rate(f.wall));
            Spread::push(&mut ratio, rate(m.wall) / rate(b.wall));
            if let Some(ns) = per_key(m.cpu) {
                Spread::push(&mut cpu, ns);
                // What the threads would do with a core each to themselves.
                Spread::push(&mut per_core, threads as f64 * 1e9 / ns);
                if let Some(floor_ns) = per_key(f.cpu) {
                    Spread::push(&mut floor_cpu, floor_ns);
                    Spread::push(&mut over_floor, ns / floor_ns);
                }
            }
        }
        println!(
            "replay/memory/{threads}_thread rounds ({count}): {} M checks/s; bare set {} M \
             inserts/s; cache ÷ bare set {}; CPU per check {} ns; at that CPU time, a core a \
             thread: {} M checks/s; floor {} M checks/s, CPU per check {} ns; cache CPU ÷ floor \
             CPU {}",
            cache.show(1e6, 2),
            bare.show(1e6, 2),
            ratio.show(1.0, 2),
            cpu.show(1.0, 0),
            per_core.show(1e6, 2),
            floor.show(1e6, 2),
            floor_cpu.show(1.0, 0),
            over_floor.show(1.0, 2),
        );
    }
}

fn redis(c: &mut Criterion) {
    let Some(server) = server::RedisServer::start() else {
        return;
    };
    // The server on core 0, this bench (its runtime's worker) and redis-benchmark on core 1.
    let pinned = redis_ceiling::can_pin()
        && server.pid().is_some_and(|pid| redis_ceiling::pin(pid, "0"))
        && redis_ceiling::pin(std::process::id(), "1");
    let runtime = runtime();
    let cache = runtime
        .block_on(RedisReplayCache::connect(&server.url()))
        .expect("connect");
    checks(c, "replay/redis", &runtime, &cache);
    ceiling_rounds(&server, &runtime, &cache, pinned);
    if pinned {
        redis_ceiling::unpin(std::process::id());
    }
}

/// The same checks on a three-master cluster: every key goes to the master owning its slot.
fn redis_cluster(c: &mut Criterion) {
    let Some(cluster) = cluster::Cluster::start(cluster::Flavor::Redis, 0) else {
        return;
    };
    let runtime = runtime();
    let cache = runtime
        .block_on(RedisReplayCache::connect_cluster(
            cluster.urls(),
            &RedisOptions::new(),
        ))
        .expect("connect");
    checks(c, "replay/redis_cluster", &runtime, &cache);
}

/// One runtime worker: on a 2-core machine the other core is Redis's, and one worker avoids
/// waking tasks across threads.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime")
}

/// One sequential task, then 50 concurrent tasks, checking fresh keys; throughput from criterion,
/// latencies printed after each.
fn checks(
    c: &mut Criterion,
    name: &str,
    runtime: &tokio::runtime::Runtime,
    cache: &RedisReplayCache,
) {
    let latencies = Latencies::default();
    let mut group = c.benchmark_group(name);
    group.sample_size(10);
    for tasks in [1_usize, 50] {
        let per_task = if tasks == 1 { 2_000 } else { 1_000 };
        group.throughput(Throughput::Elements((tasks * per_task) as u64));
        let mut round = 0_u64;
        latencies.clear();
        group.bench_function(format!("{tasks}_tasks"), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    round += 1;
                    let salt = format!("{name}-{tasks}-{round}");
                    total +=
                        runtime.block_on(tasks_checking(cache, tasks, per_task, &salt, &latencies));
                }
                total
            });
        });
        latencies.report(&format!("{name}/{tasks}_tasks"));
    }
    group.finish();
}

/// 50 tasks checking 1000 fresh keys each, against the server's pipelined ceilings measured just
/// before, round after round.
fn ceiling_rounds(
    server: &server::RedisServer,
    runtime: &tokio::runtime::Runtime,
    cache: &RedisReplayCache,
    pinned: bool,
) {
    let (tasks, per_task) = (50, 1_000);
    let latencies = Latencies::default();
    redis_ceiling::compare(
        "replay/redis/50_tasks",
        server.port(),
        pinned,
        rounds("replay/redis/50_tasks"),
        tasks * per_task,
        |round| {
            let salt = format!("ceiling-{round}");
            let wall = runtime.block_on(tasks_checking(cache, tasks, per_task, &salt, &latencies));
            (wall, latencies.take())
        },
    );
}

/// `tasks` tasks, each checking `per_task` fresh keys in turn on the shared connection; the
/// wall time of the whole, with every check's latency recorded.
async fn tasks_checking(
    cache: &RedisReplayCache,
    tasks: usize,
    per_task: usize,
    salt: &str,
    latencies: &Latencies,
) -> Duration {
    let work: Vec<Vec<ReplayKey>> = (0..tasks)
        .map(|task| keys(per_task, format!("{salt}-{task}").as_bytes()))
        .collect();
    let cache = Arc::new(cache.clone());
    run_tasks(
        work,
        move |key| {
            let cache = Arc::clone(&cache);
            async move { check(&*cache, black_box(&key)).await }
        },
        latencies,
    )
    .await
}

/// Polls a future that is ready at once (the memory cache never waits).
fn pollster<F: Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match f.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(v) => v,
        std::task::Poll::Pending => unreachable!("the memory cache does not wait"),
    }
}

criterion_group!(benches, memory, redis, redis_cluster);
criterion_main!(benches);

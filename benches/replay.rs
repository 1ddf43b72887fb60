//! Replay-cache throughput: the in-memory cache on one and two threads over one million distinct
//! keys; Redis (a `redis-server` the bench starts on a free port) with one sequential task and
//! with 50 concurrent tasks sharing one multiplexed connection, with p50/p99 latencies; and a
//! Redis Cluster of three masters without replicas (started by the bench on loopback ports),
//! measured the same way through the cluster client.
//!
//! A check is what a receiver does per delivery: reserve the key, then commit it (two round
//! trips against Redis).
//!
//! `cargo bench --features redis --bench replay`

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::cast_possible_truncation,
    clippy::indexing_slicing
)]

#[path = "../tests/replay/cluster.rs"]
#[allow(dead_code)]
mod cluster;
#[path = "../tests/replay/server.rs"]
#[allow(dead_code)]
mod server;

use std::future::Future;
use std::hint::black_box;
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hookseal::RedisOptions;
use hookseal::ReplayKey;
use hookseal::replay::{MemoryReplayCache, RedisReplayCache, ReplayCache, Reserve};

const KEYS: usize = 1_000_000;
const TTL: Duration = Duration::from_secs(600);
const LEASE: Duration = Duration::from_secs(60);

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

/// Inserts every key of `keys` into a new cache, split over `threads` threads; the time of the
/// inserts alone.
fn fill(keys: &[ReplayKey], threads: usize) -> Duration {
    let cache = MemoryReplayCache::new(KEYS, TTL).expect("cache");
    let barrier = Barrier::new(threads + 1);
    let chunk = keys.len().div_ceil(threads);
    std::thread::scope(|s| {
        let workers: Vec<_> = keys
            .chunks(chunk)
            .map(|part| {
                let (cache, barrier) = (&cache, &barrier);
                s.spawn(move || {
                    barrier.wait();
                    for key in part {
                        pollster(check(cache, key));
                    }
                })
            })
            .collect();
        barrier.wait();
        let started = Instant::now();
        for worker in workers {
            worker.join().expect("worker");
        }
        started.elapsed()
    })
}

fn memory(c: &mut Criterion) {
    let keys = keys(KEYS, b"bench");
    let mut group = c.benchmark_group("replay/memory");
    group.sample_size(10);
    group.throughput(Throughput::Elements(KEYS as u64));
    for threads in [1, 2] {
        group.bench_function(format!("{threads}_thread_1M_fresh"), |b| {
            b.iter_custom(|iters| (0..iters).map(|_| fill(&keys, threads)).sum());
        });
    }
    group.finish();
}

fn redis(c: &mut Criterion) {
    let Some(server) = server::RedisServer::start() else {
        return;
    };
    let runtime = runtime();
    let cache = runtime
        .block_on(RedisReplayCache::connect(&server.url()))
        .expect("connect");
    checks(c, "replay/redis", &runtime, &cache);
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
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let mut group = c.benchmark_group(name);
    group.sample_size(10);
    for tasks in [1_usize, 50] {
        let per_task = if tasks == 1 { 2_000 } else { 1_000 };
        group.throughput(Throughput::Elements((tasks * per_task) as u64));
        let mut round = 0_u64;
        latencies.lock().unwrap().clear();
        group.bench_function(format!("{tasks}_tasks"), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    round += 1;
                    let salt = format!("{name}-{tasks}-{round}");
                    total += runtime.block_on(run_tasks(cache, tasks, per_task, &salt, &latencies));
                }
                total
            });
        });
        let mut all = std::mem::take(&mut *latencies.lock().unwrap());
        all.sort_unstable();
        if !all.is_empty() {
            let at = |q: f64| all[((all.len() - 1) as f64 * q) as usize];
            println!(
                "{name}/{tasks}_tasks latency over {} checks: p50 {:?}, p99 {:?}, p99.9 {:?}",
                all.len(),
                at(0.50),
                at(0.99),
                at(0.999)
            );
        }
    }
    group.finish();
}

/// `tasks` tasks, each checking `per_task` fresh keys in turn on the shared connection; the
/// wall time of the whole, with every check's latency recorded.
async fn run_tasks(
    cache: &RedisReplayCache,
    tasks: usize,
    per_task: usize,
    salt: &str,
    latencies: &Arc<Mutex<Vec<Duration>>>,
) -> Duration {
    let work: Vec<Vec<ReplayKey>> = (0..tasks)
        .map(|task| keys(per_task, format!("{salt}-{task}").as_bytes()))
        .collect();
    let started = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for keys in work {
        let cache = cache.clone();
        set.spawn(async move {
            let mut own = Vec::with_capacity(keys.len());
            for key in &keys {
                let at = Instant::now();
                check(&cache, black_box(key)).await;
                own.push(at.elapsed());
            }
            own
        });
    }
    let mut all = Vec::new();
    while let Some(own) = set.join_next().await {
        all.extend(own.expect("task"));
    }
    let elapsed = started.elapsed();
    latencies.lock().unwrap().extend(all);
    elapsed
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

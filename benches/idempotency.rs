//! Idempotency-store throughput, measured as `benches/replay.rs` measures the Redis replay cache:
//! one sequential task, and 50 concurrent tasks sharing the store, with p50/p99 latencies.
//! Against Redis (a `redis-server` the bench starts, persistence off, one multiplexed
//! connection) and Postgres (a cluster the bench creates and starts, four connections of the
//! store's own): once with Postgres's defaults (each commit flushed to disk) and once with
//! `synchronous_commit=off` (commits flushed in the background, as Redis without persistence
//! keeps nothing at all).
//!
//! A check is what a receiver does per delivery: begin a fresh key, then complete it with a
//! small result (two round trips, two transactions on Postgres).
//!
//! `cargo bench --features redis,postgres --bench idempotency`

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::cast_possible_truncation,
    clippy::indexing_slicing
)]

#[path = "../tests/idempotency/postgres_server.rs"]
#[allow(dead_code)]
mod postgres_server;
#[path = "../tests/replay/server.rs"]
#[allow(dead_code)]
mod server;

use std::hint::black_box;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hookseal::idempotency::{
    Begin, Fingerprint, IdempotencyKey, IdempotencyStore, PostgresIdempotencyStore,
    RedisIdempotencyStore, Scope, ScopedKey,
};

const LEASE: Duration = Duration::from_secs(60);
const RETENTION: Duration = Duration::from_secs(600);

/// One check of a fresh key: begin, then complete.
async fn check<S: IdempotencyStore>(store: &S, key: &ScopedKey, fingerprint: &Fingerprint) {
    match store.begin(key, fingerprint, LEASE).await.expect("begin") {
        Begin::Started(lease) => store
            .complete(&lease, b"200 ok", RETENTION)
            .await
            .expect("complete"),
        other => panic!("a fresh key was {other:?}"),
    }
}

fn keys(n: usize, salt: &str) -> Vec<ScopedKey> {
    let scope = Scope::new("bench").and(salt);
    (0..n)
        .map(|i| {
            IdempotencyKey::new(&format!("evt_{i}"))
                .unwrap()
                .scoped(&scope)
        })
        .collect()
}

fn runtime() -> tokio::runtime::Runtime {
    // One runtime worker: on a 2-core machine the other core is the server's.
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime")
}

fn redis(c: &mut Criterion) {
    let Some(server) = server::RedisServer::start() else {
        return;
    };
    let runtime = runtime();
    let store = runtime
        .block_on(RedisIdempotencyStore::connect(&server.url()))
        .expect("connect");
    measure(c, "idempotency/redis", &runtime, &Arc::new(store));
}

fn postgres(c: &mut Criterion) {
    for (name, settings) in [
        ("idempotency/postgres", &[][..]),
        (
            "idempotency/postgres_async_commit",
            &["synchronous_commit=off"][..],
        ),
    ] {
        let Some(server) = postgres_server::PostgresServer::start_with(settings) else {
            return;
        };
        let runtime = runtime();
        let store = runtime.block_on(async {
            let store = PostgresIdempotencyStore::connect(&server.config(), tokio_postgres::NoTls)
                .await
                .expect("connect");
            store.migrate().await.expect("migrate");
            store
        });
        measure(c, name, &runtime, &Arc::new(store));
    }
}

/// Checks with 1 and 50 tasks, printing the latencies' percentiles after each.
fn measure<S: IdempotencyStore + 'static>(
    c: &mut Criterion,
    name: &str,
    runtime: &tokio::runtime::Runtime,
    store: &Arc<S>,
) {
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let mut group = c.benchmark_group(name);
    group.sample_size(10);
    for tasks in [1_usize, 50] {
        let per_task = if tasks == 1 { 1_000 } else { 100 };
        group.throughput(Throughput::Elements((tasks * per_task) as u64));
        let mut round = 0_u64;
        latencies.lock().unwrap().clear();
        group.bench_function(format!("{tasks}_tasks"), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    round += 1;
                    let salt = format!("{tasks}-{round}");
                    total += runtime.block_on(run_tasks(store, tasks, per_task, &salt, &latencies));
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

/// `tasks` tasks, each checking `per_task` fresh keys in turn on the shared store; the wall time
/// of the whole, with every check's latency recorded.
async fn run_tasks<S: IdempotencyStore + 'static>(
    store: &Arc<S>,
    tasks: usize,
    per_task: usize,
    salt: &str,
    latencies: &Arc<Mutex<Vec<Duration>>>,
) -> Duration {
    let work: Vec<Vec<ScopedKey>> = (0..tasks)
        .map(|task| keys(per_task, &format!("{salt}-{task}")))
        .collect();
    let fingerprint = Fingerprint::of_body(b"{\"id\":\"evt\"}");
    let started = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for keys in work {
        let store = Arc::clone(store);
        set.spawn(async move {
            let mut own = Vec::with_capacity(keys.len());
            for key in &keys {
                let at = Instant::now();
                check(&*store, black_box(key), &fingerprint).await;
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

criterion_group!(benches, redis, postgres);
criterion_main!(benches);

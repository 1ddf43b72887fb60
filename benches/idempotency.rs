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
//! Redis with 50 tasks is also measured in interleaved rounds against the server's own
//! pipelined ceiling, `redis-benchmark -t set -P 50 -c 1` on the same server (server and
//! clients each pinned to a core where `taskset` is there); the least and the most of the rounds
//! are printed (`… rounds:` lines). A check is two script calls, a `SET` one command.
//!
//! `cargo bench --features redis,postgres --bench idempotency`

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    clippy::indexing_slicing
)]

#[allow(dead_code)]
mod common;
#[path = "../tests/idempotency/postgres_server.rs"]
#[allow(dead_code)]
mod postgres_server;
#[path = "../tests/replay/server.rs"]
#[allow(dead_code)]
mod server;

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hookseal::idempotency::{
    Begin, Fingerprint, IdempotencyKey, IdempotencyStore, PostgresIdempotencyStore,
    RedisIdempotencyStore, Scope, ScopedKey,
};

use common::latency::{Latencies, run_tasks};
use common::redis_ceiling;
use common::rounds::rounds;

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
    // The server on core 0, this bench (its runtime's worker) and redis-benchmark on core 1.
    let pinned = redis_ceiling::can_pin()
        && server.pid().is_some_and(|pid| redis_ceiling::pin(pid, "0"))
        && redis_ceiling::pin(std::process::id(), "1");
    let runtime = runtime();
    let store = Arc::new(
        runtime
            .block_on(RedisIdempotencyStore::connect(&server.url()))
            .expect("connect"),
    );
    measure(c, "idempotency/redis", &runtime, &store);
    ceiling_rounds(&server, &runtime, &store, pinned);
    if pinned {
        redis_ceiling::unpin(std::process::id());
    }
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
    let latencies = Latencies::default();
    let mut group = c.benchmark_group(name);
    group.sample_size(10);
    for tasks in [1_usize, 50] {
        let per_task = if tasks == 1 { 1_000 } else { 100 };
        group.throughput(Throughput::Elements((tasks * per_task) as u64));
        let mut round = 0_u64;
        latencies.clear();
        group.bench_function(format!("{tasks}_tasks"), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    round += 1;
                    let salt = format!("{tasks}-{round}");
                    total +=
                        runtime.block_on(tasks_checking(store, tasks, per_task, &salt, &latencies));
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
    store: &Arc<RedisIdempotencyStore>,
    pinned: bool,
) {
    let (tasks, per_task) = (50, 1_000);
    let latencies = Latencies::default();
    redis_ceiling::compare(
        "idempotency/redis/50_tasks",
        server.port(),
        pinned,
        rounds("idempotency/redis/50_tasks"),
        tasks * per_task,
        |round| {
            let salt = format!("ceiling-{round}");
            let wall = runtime.block_on(tasks_checking(store, tasks, per_task, &salt, &latencies));
            (wall, latencies.take())
        },
    );
}

/// `tasks` tasks, each checking `per_task` fresh keys in turn on the shared store; the wall time
/// of the whole, with every check's latency recorded.
async fn tasks_checking<S: IdempotencyStore + 'static>(
    store: &Arc<S>,
    tasks: usize,
    per_task: usize,
    salt: &str,
    latencies: &Latencies,
) -> Duration {
    let work: Vec<Vec<ScopedKey>> = (0..tasks)
        .map(|task| keys(per_task, &format!("{salt}-{task}")))
        .collect();
    let fingerprint = Fingerprint::of_body(b"{\"id\":\"evt\"}");
    let store = Arc::clone(store);
    run_tasks(
        work,
        move |key| {
            let store = Arc::clone(&store);
            async move { check(&*store, black_box(&key), &fingerprint).await }
        },
        latencies,
    )
    .await
}

criterion_group!(benches, redis, postgres);
criterion_main!(benches);

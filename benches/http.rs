//! End to end over real HTTP: an axum 0.8 server whose handler reads the body and answers 200,
//! bare and behind the crate's layers, loaded by a client written with hyper over keep-alive
//! HTTP/1.1 connections. Criterion cannot see a server's CPU, so this bench has its own harness.
//!
//! Variants (each request a fresh Stripe delivery, signed before timing):
//!
//! - `bare`: the handler alone;
//! - `verify`: behind `VerifyLayer` (Stripe, memory replay cache);
//! - `idempotent`: `verify` plus `IdempotencyLayer` (memory store, key
//!   `KeyFrom::delivery_id().or(KeyFrom::body_member(&["id"]))`: Stripe signs no id header, so
//!   the event's `"id"`);
//! - `no-cache`: `VerifyLayer` without a replay cache;
//! - `in-handler`: no layer, the handler reads the body and calls `Verifier::verify` itself (no
//!   replay cache): what `no-cache` does, without a layer, so the layers are also measured
//!   against it.
//!
//! Each measurement runs a fresh server process (this binary again, with `--server`), pinned to
//! core 0 with `taskset` when it is installed, while the load generator runs on core 1. Server
//! CPU is read from `/proc/<pid>/task/*/schedstat` at the start and end of the measured
//! interval. Rounds interleave the variants, so every ratio against `bare` is taken within one
//! round; the summary gives the min–max over rounds.
//!
//! `cargo bench --features tower --bench http -- [--rounds 5] [--secs 3] [--warmup 1]
//! [--connections 32] [--sizes 1024,65536] [--variants bare,verify,idempotent,no-cache]
//! [--quick] [--perf DIR]`
//!
//! `--baseline PATH` serves each variant also from another build of this bench (say, of the
//! crate before a change), right after this build's, so a change is measured within each round
//! (rows `<variant>@baseline`, each against that build's `bare`).
//!
//! `--quick` (one short round) checks the whole path in a few seconds. `--perf DIR` records the
//! server of each measurement of the first round with `perf record` into `DIR`
//! (`HOOKSEAL_BENCH_PERF_ARGS` replaces the default `-F 2999 -g`).

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss
)]

use std::hint::black_box;
use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::routing::post;
use bytes::{Buf as _, Bytes};
use http::header::{CONTENT_TYPE, HOST};
use http::{HeaderValue, Request, StatusCode};
use http_body_util::{BodyExt as _, Full};
use hyper_util::rt::TokioIo;
use tower::ServiceBuilder;

use hookseal::idempotency::{Fingerprint, MemoryIdempotencyStore, Scope};
use hookseal::middleware::{IdempotencyLayer, KeyFrom, VerifyLayer};
use hookseal::replay::MemoryReplayCache;
use hookseal::{Scheme, Signer, Timestamp, Verifier};

const SECRET: &str = "whsec_http_bench_0123456789abcdef0123456789";
const VARIANTS: [&str; 5] = ["bare", "verify", "idempotent", "no-cache", "in-handler"];
/// The suffix of a variant served by the `--baseline` build.
const BASELINE: &str = "@baseline";
/// Replay and idempotency entries each server can hold: more than one measurement sends.
const CAPACITY: usize = 4_000_000;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(at) = args.iter().position(|a| a == "--server") {
        let variant = args.get(at + 1).expect("--server VARIANT");
        serve(variant);
        return;
    }
    let options = Options::parse(&args);
    if options.in_process {
        in_process(&options);
    } else {
        drive(&options);
    }
}

// ---------------------------------------------------------------------------------------------
// The server.

async fn handler(body: Bytes) -> StatusCode {
    black_box(body.len());
    StatusCode::OK
}

fn app(variant: &str) -> Router {
    let routes = Router::new().route("/hook", post(handler));
    let verifier = || Verifier::from_secret(Scheme::stripe(), SECRET).expect("secret");
    match variant {
        "bare" => routes,
        "verify" => {
            let verifier = verifier();
            let cache = MemoryReplayCache::for_verifier(&verifier, CAPACITY).expect("cache");
            routes.route_layer(VerifyLayer::new(verifier).with_replay_cache(Arc::new(cache)))
        }
        "idempotent" => {
            let verifier = verifier();
            let cache = MemoryReplayCache::for_verifier(&verifier, CAPACITY).expect("cache");
            let store = MemoryIdempotencyStore::new(CAPACITY).expect("store");
            let key = KeyFrom::delivery_id().or(KeyFrom::body_member(&["id"]).expect("path"));
            routes.route_layer(
                ServiceBuilder::new()
                    .layer(VerifyLayer::new(verifier).with_replay_cache(Arc::new(cache)))
                    .layer(IdempotencyLayer::new(
                        Arc::new(store),
                        Scope::new("stripe"),
                        key,
                    )),
            )
        }
        "no-cache" => routes.route_layer(VerifyLayer::new(verifier())),
        "in-handler" => {
            let verifier = Arc::new(verifier());
            let verifying = move |request: axum::extract::Request| async move {
                let (parts, body) = request.into_parts();
                let Ok(body) = axum::body::to_bytes(body, usize::MAX).await else {
                    return StatusCode::BAD_REQUEST;
                };
                match verifier.verify(&parts.headers, &body) {
                    Ok(verified) => {
                        black_box(verified);
                        StatusCode::OK
                    }
                    Err(_) => StatusCode::BAD_REQUEST,
                }
            };
            Router::new().route("/hook", post(verifying))
        }
        other => panic!("unknown variant {other}"),
    }
}

/// Serves `variant` on a loopback port, printed on the first line of stdout, until killed.
fn serve(variant: &str) {
    let app = app(variant);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        println!("{}", listener.local_addr().expect("addr").port());
        let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
            let _ = tcp.set_nodelay(true);
        });
        axum::serve(listener, app).await.expect("serve");
    });
}

// ---------------------------------------------------------------------------------------------
// The driver: options, the signed pool, the rounds, the summary.

struct Options {
    rounds: usize,
    secs: f64,
    warmup: f64,
    connections: usize,
    sizes: Vec<usize>,
    variants: Vec<String>,
    perf: Option<PathBuf>,
    baseline: Option<PathBuf>,
    in_process: bool,
    requests: Option<usize>,
}

impl Options {
    fn parse(args: &[String]) -> Self {
        let mut o = Self {
            rounds: 5,
            secs: 3.0,
            warmup: 1.0,
            connections: 32,
            sizes: vec![1024, 64 * 1024],
            variants: VARIANTS.iter().map(|v| (*v).to_owned()).collect(),
            perf: None,
            baseline: None,
            in_process: false,
            requests: None,
        };
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            let mut value = || it.next().unwrap_or_else(|| panic!("{arg} needs a value"));
            match arg.as_str() {
                "--rounds" => o.rounds = value().parse().expect("--rounds N"),
                "--secs" => o.secs = value().parse().expect("--secs S"),
                "--warmup" => o.warmup = value().parse().expect("--warmup S"),
                "--connections" => o.connections = value().parse().expect("--connections N"),
                "--sizes" => {
                    o.sizes = value()
                        .split(',')
                        .map(|s| s.parse().expect("--sizes 1024,65536"))
                        .collect();
                }
                "--variants" => {
                    o.variants = value().split(',').map(str::to_owned).collect();
                    for v in &o.variants {
                        assert!(VARIANTS.contains(&v.as_str()), "unknown variant {v}");
                    }
                }
                "--quick" => {
                    o.rounds = 1;
                    o.secs = 0.5;
                    o.warmup = 0.2;
                }
                "--perf" => o.perf = Some(PathBuf::from(value())),
                "--baseline" => o.baseline = Some(PathBuf::from(value())),
                "--in-process" => o.in_process = true,
                "--requests" => o.requests = Some(value().parse().expect("--requests N")),
                // What cargo passes to every bench.
                "--bench" => {}
                other => panic!("unknown argument {other}"),
            }
        }
        assert!(o.rounds > 0 && o.secs > 0.0 && o.connections > 0);
        if o.baseline.is_some() {
            assert!(!o.in_process, "--baseline measures servers");
            // Each variant served by this build and, right after, by the baseline's.
            o.variants = (o.variants.iter())
                .flat_map(|v| [v.clone(), format!("{v}{BASELINE}")])
                .collect();
        }
        o
    }
}

/// One measurement: a variant at a body size in one round.
#[derive(Clone, Copy)]
struct Cell {
    rps: f64,
    cpu_us: f64,
    busy: f64,
    p50_us: f64,
    p99_us: f64,
}

fn drive(o: &Options) {
    let pinned = Command::new("taskset")
        .arg("-V")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if pinned {
        // The load generator (this thread, and every thread it starts from now) on core 1.
        let me = std::process::id().to_string();
        let ok = Command::new("taskset")
            .args(["-p", "-c", "1", &me])
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "taskset -p -c 1 failed");
        println!("server pinned to core 0, load generator to core 1 (taskset)");
    } else {
        println!("taskset not found: server and load generator NOT pinned");
    }
    println!(
        "{} rounds x {} variants x {} sizes; {} s measured after {} s warm-up; {} keep-alive \
         HTTP/1.1 connections",
        o.rounds,
        o.variants.len(),
        o.sizes.len(),
        o.secs,
        o.warmup,
        o.connections
    );
    if let Some(dir) = &o.perf {
        std::fs::create_dir_all(dir).expect("perf dir");
    }
    let mut pools: Vec<Pool> = o
        .sizes
        .iter()
        .map(|&size| Pool::new(size, o.secs + o.warmup))
        .collect();
    // results[size][variant][round], verify_at[size][round], body_work[size][round]
    let mut results = vec![vec![Vec::new(); o.variants.len()]; o.sizes.len()];
    let mut verify_at = vec![Vec::new(); o.sizes.len()];
    let mut body_work = vec![Vec::new(); o.sizes.len()];
    for round in 0..o.rounds {
        for (s, pool) in pools.iter_mut().enumerate() {
            for (v, variant) in o.variants.iter().enumerate() {
                let perf = o
                    .perf
                    .as_ref()
                    .filter(|_| round == 0)
                    .map(|dir| dir.join(format!("{variant}-{}.data", pool.size)));
                let cell = loop {
                    pool.refresh(o.secs + o.warmup);
                    match measure(o, variant, pool, perf.as_ref()) {
                        Some(cell) => break cell,
                        None => pool.grow(),
                    }
                };
                println!(
                    "round {} {:>6} B {:>10}: {:>8.0} req/s  server {:>6.2} us/req ({:>3.0}% of \
                     a core)  p50 {:>7.1} us  p99 {:>7.1} us",
                    round + 1,
                    pool.size,
                    variant,
                    cell.rps,
                    cell.cpu_us,
                    cell.busy * 100.0,
                    cell.p50_us,
                    cell.p99_us
                );
                results[s][v].push(cell);
            }
            let us = verify_at_us(pool, o.secs.min(1.0));
            println!(
                "round {} {:>6} B  verify_at: {us:.2} us (in process)",
                round + 1,
                pool.size
            );
            verify_at[s].push(us);
            body_work[s].push(body_work_us(pool, o.secs.min(1.0)));
        }
    }
    summary(o, &results, &verify_at, &body_work);
}

fn summary(
    o: &Options,
    results: &[Vec<Vec<Cell>>],
    verify_at: &[Vec<f64>],
    body_work: &[Vec<f64>],
) {
    // Each variant against the bare server of its own build.
    let bare_of = |variant: &str| {
        let bare = if variant.ends_with(BASELINE) {
            format!("bare{BASELINE}")
        } else {
            "bare".to_owned()
        };
        o.variants.iter().position(|v| *v == bare)
    };
    for (s, size) in o.sizes.iter().enumerate() {
        println!();
        println!(
            "{size} B: min-max over {} rounds; ratios and differences against `bare` within \
             each round",
            o.rounds
        );
        println!();
        println!(
            "| variant | req/s | x bare req/s | server CPU us/req | - bare us | p50 us | p99 us \
             | x bare p99 |"
        );
        println!("|---|---|---|---|---|---|---|---|");
        for (v, variant) in o.variants.iter().enumerate() {
            let cells = &results[s][v];
            let bare = bare_of(variant);
            let span = |f: fn(&Cell) -> f64| range(cells.iter().map(f));
            let against = |f: fn(&Cell) -> f64, op: fn(f64, f64) -> f64| match bare {
                Some(b) => range(
                    cells
                        .iter()
                        .zip(&results[s][b])
                        .map(|(c, b)| op(f(c), f(b))),
                ),
                None => (f64::NAN, f64::NAN),
            };
            let div = |a: f64, b: f64| a / b;
            let (r, c, p50, p99) = (
                span(|c| c.rps),
                span(|c| c.cpu_us),
                span(|c| c.p50_us),
                span(|c| c.p99_us),
            );
            let (rr, dc, rp) = (
                against(|c| c.rps, div),
                against(|c| c.cpu_us, |a, b| a - b),
                against(|c| c.p99_us, div),
            );
            println!(
                "| {variant} | {:.0}-{:.0} | {:.3}-{:.3} | {:.2}-{:.2} | {:+.2}-{:+.2} | \
                 {:.0}-{:.0} | {:.0}-{:.0} | {:.2}-{:.2} |",
                r.0, r.1, rr.0, rr.1, c.0, c.1, dc.0, dc.1, p50.0, p50.1, p99.0, p99.1, rp.0, rp.1
            );
        }
        let (lo, hi) = range(verify_at[s].iter().copied());
        println!();
        println!("`verify_at` of these deliveries, in process: {lo:.2}-{hi:.2} us");
        // What a layer that did nothing but `verify_at` would cost, from the same rounds: the
        // most requests/s it could keep against `bare` (a core's CPU shared by the same work
        // plus `verify_at`), and what each layer costs beyond `bare` plus `verify_at`.
        if let Some(b) = bare_of("bare") {
            let bare = &results[s][b];
            let ceiling = range(
                bare.iter()
                    .zip(&verify_at[s])
                    .map(|(b, v)| b.cpu_us / (b.cpu_us + v)),
            );
            println!(
                "a layer doing only `verify_at`: at most {:.3}-{:.3} x bare req/s (bare CPU / \
                 (bare CPU + verify_at), per round)",
                ceiling.0, ceiling.1
            );
            for (v, variant) in o.variants.iter().enumerate() {
                if variant == "bare" || variant.ends_with(BASELINE) {
                    continue;
                }
                let beyond = range(
                    results[s][v]
                        .iter()
                        .zip(bare)
                        .zip(&verify_at[s])
                        .map(|((c, b), v)| c.cpu_us - b.cpu_us - v),
                );
                println!(
                    "{variant}: server CPU beyond bare + verify_at {:+.2} to {:+.2} us per request",
                    beyond.0, beyond.1
                );
            }
        }
        // Each layer against the server that verifies in its handler, from the same rounds.
        if let Some(h) = o.variants.iter().position(|v| v == "in-handler") {
            for (v, variant) in o.variants.iter().enumerate() {
                if ["bare", "in-handler"].contains(&variant.as_str()) || variant.ends_with(BASELINE)
                {
                    continue;
                }
                let pairs = || results[s][v].iter().zip(&results[s][h]);
                let rps = range(pairs().map(|(c, h)| c.rps / h.rps));
                let cpu = range(pairs().map(|(c, h)| c.cpu_us - h.cpu_us));
                println!(
                    "{variant}: {:.3}-{:.3} x in-handler req/s, server CPU {:+.2} to {:+.2} us per \
                     request beyond it",
                    rps.0, rps.1, cpu.0, cpu.1
                );
            }
        }
        // `IdempotencyLayer` against the layer in front of it, and the two passes over the body
        // it cannot skip: reading the key from the JSON (which must check the whole object) and
        // the body's fingerprint.
        let position = |name: &str| o.variants.iter().position(|v| v == name);
        if let (Some(i), Some(v)) = (position("idempotent"), position("verify")) {
            let beyond = range(
                (results[s][i].iter())
                    .zip(&results[s][v])
                    .map(|(i, v)| i.cpu_us - v.cpu_us),
            );
            let (lo, hi) = range(body_work[s].iter().copied());
            println!(
                "idempotent: server CPU {:+.2} to {:+.2} us per request beyond verify; its body \
                 work by reference code, in process (serde_json's validating read of the body as \
                 `IgnoredAny`, and `Fingerprint::of_body`): {lo:.2}-{hi:.2} us",
                beyond.0, beyond.1
            );
        }
    }
}

/// The time `verify_at` takes on deliveries of `pool` (a few, verified over and over), in
/// microseconds: what the layer cannot avoid.
fn verify_at_us(pool: &Pool, secs: f64) -> f64 {
    let verifier = Verifier::from_secret(Scheme::stripe(), SECRET).expect("secret");
    let now = Timestamp::from_unix_secs(pool.timestamp);
    let deliveries: Vec<(http::HeaderMap, Vec<u8>)> = pool
        .entries
        .iter()
        .take(64)
        .map(|(prefix, signature)| {
            let mut headers = http::HeaderMap::new();
            headers.insert(HOST, HeaderValue::from_static("localhost"));
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            headers.insert("stripe-signature", signature.clone());
            let mut body = prefix.to_vec();
            body.extend_from_slice(&pool.tail);
            (headers, body)
        })
        .collect();
    let started = Instant::now();
    let mut n = 0_u64;
    while started.elapsed().as_secs_f64() < secs {
        for (headers, body) in &deliveries {
            black_box(verifier.verify_at(black_box(headers), black_box(body), now))
                .expect("verifies");
        }
        n += deliveries.len() as u64;
    }
    started.elapsed().as_secs_f64() * 1e6 / n as f64
}

/// The time, in microseconds, of the body work `IdempotencyLayer` cannot skip, each done by
/// reference code: a validating read of the JSON (serde_json's, ignoring every value; the
/// layer's own reader also finds the key and refuses a repeated one) and the body's fingerprint.
fn body_work_us(pool: &Pool, secs: f64) -> f64 {
    let bodies: Vec<Vec<u8>> = (pool.entries.iter().take(64))
        .map(|(prefix, _)| [&prefix[..], &pool.tail].concat())
        .collect();
    let started = Instant::now();
    let mut n = 0_u64;
    while started.elapsed().as_secs_f64() < secs {
        for body in &bodies {
            serde_json::from_slice::<serde::de::IgnoredAny>(black_box(body)).expect("JSON");
            black_box(Fingerprint::of_body(black_box(body)));
        }
        n += bodies.len() as u64;
    }
    started.elapsed().as_secs_f64() * 1e6 / n as f64
}

fn range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
        (lo.min(x), hi.max(x))
    })
}

// ---------------------------------------------------------------------------------------------
// The signed pool: distinct Stripe events, each signed once before timing.

/// Distinct deliveries of one body size, all signed at one timestamp: each body is a distinct
/// prefix (the event's id first, as Stripe writes it) and a shared tail, sent as two chunks.
struct Pool {
    size: usize,
    tail: Bytes,
    signed_at: Instant,
    timestamp: u64,
    entries: Arc<[(Bytes, HeaderValue)]>,
    next_id: u64,
}

impl Pool {
    /// A pool for `secs` of load (warm-up included) at the most requests per second one core
    /// serves at this size; it grows should a measurement use it up.
    fn new(size: usize, secs: f64) -> Self {
        let prefix_len = prefix(0).len();
        assert!(
            size >= prefix_len + TAIL_END.len(),
            "bodies of at least {} bytes",
            prefix_len + TAIL_END.len()
        );
        let tail = tail(size - prefix_len);
        let mut first = prefix(0).into_bytes();
        first.extend_from_slice(&tail);
        let event: serde_json::Value = serde_json::from_slice(&first).expect("a JSON body");
        assert_eq!(
            (first.len(), &event["id"]),
            (size, &serde_json::json!(prefix_id(0)))
        );
        let mut pool = Self {
            size,
            tail: Bytes::from(tail),
            signed_at: Instant::now(),
            timestamp: 0,
            entries: Arc::new([]),
            next_id: 0,
        };
        let per_sec = if size <= 4096 { 150_000.0 } else { 50_000.0 };
        pool.sign(((secs * per_sec) as usize).max(1000));
        pool
    }

    /// Signs `n` new deliveries, replacing the pool, at a timestamp a little ahead of now, so
    /// they stay within Stripe's window (300 s either way) for about eight minutes.
    fn sign(&mut self, n: usize) {
        let started = Instant::now();
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("time")
            .as_secs();
        self.timestamp = now + 200;
        self.signed_at = started;
        let first = self.next_id;
        self.next_id += n as u64;
        let signer = Signer::from_secret(Scheme::stripe(), SECRET).expect("secret");
        let (tail, timestamp) = (&self.tail, Timestamp::from_unix_secs(self.timestamp));
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        let per = n.div_ceil(threads);
        let entries: Arc<[_]> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads)
                .map(|t| {
                    let signer = &signer;
                    scope.spawn(move || {
                        let ids = first + (t * per) as u64..first + (n.min((t + 1) * per)) as u64;
                        let mut body = Vec::with_capacity(tail.len() + 64);
                        ids.map(|id| {
                            let prefix = prefix(id);
                            body.clear();
                            body.extend_from_slice(prefix.as_bytes());
                            body.extend_from_slice(tail);
                            let headers = signer.sign_at(None, &body, timestamp).expect("sign");
                            let (_, value) = headers.iter().next().expect("one header");
                            (
                                Bytes::from(prefix),
                                HeaderValue::from_str(value).expect("value"),
                            )
                        })
                        .collect::<Vec<_>>()
                    })
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|w| w.join().expect("signer"))
                .collect()
        });
        self.entries = entries;
        eprintln!(
            "signed {} deliveries of {} B in {:.1} s",
            n,
            self.size,
            started.elapsed().as_secs_f64()
        );
    }

    /// Signs again when the pool would leave Stripe's window within `secs` (and a margin).
    fn refresh(&mut self, secs: f64) {
        if self.signed_at.elapsed().as_secs_f64() + secs > 450.0 {
            self.sign(self.entries.len());
        }
    }

    fn grow(&mut self) {
        self.sign(self.entries.len() * 4);
    }
}

/// The event id of delivery `id`.
fn prefix_id(id: u64) -> String {
    format!("evt_{id:020}")
}

/// The distinct start of the body of delivery `id`: fixed width.
fn prefix(id: u64) -> String {
    format!(
        "{{\"id\":\"{}\",\"object\":\"event\",\"type\":\"invoice.paid\",\"data\":\
         {{\"object\":{{\"object\":\"invoice\",\"lines\":[",
        prefix_id(id)
    )
}

/// The rest of every body, `len` bytes: line items as an invoice lists them (short strings,
/// numbers, booleans, nested objects), then a note padding it to the length.
fn tail(len: usize) -> Vec<u8> {
    let mut tail = Vec::with_capacity(len);
    let mut n = 0;
    loop {
        let item = format!(
            "{{\"id\":\"il_{n:016}\",\"object\":\"line_item\",\"amount\":{},\"currency\":\"usd\",\
             \"description\":\"Seat licence, team plan (monthly)\",\"discountable\":true,\
             \"livemode\":false,\"metadata\":{{}},\"period\":{{\"end\":1700003600,\"start\":\
             1700000000}},\"proration\":false,\"quantity\":{},\"type\":\"subscription\"}}",
            1000 + n * 7,
            1 + n % 5
        );
        if tail.len() + usize::from(n > 0) + item.len() + TAIL_END.len() > len {
            break;
        }
        if n > 0 {
            tail.push(b',');
        }
        tail.extend_from_slice(item.as_bytes());
        n += 1;
    }
    let pad = len - tail.len() - TAIL_END.len();
    tail.extend_from_slice(b"],\"note\":\"");
    tail.resize(tail.len() + pad, b'x');
    tail.extend_from_slice(b"\"}}}");
    tail
}

/// How every body ends, after its line items.
const TAIL_END: &str = "],\"note\":\"\"}}}";

// ---------------------------------------------------------------------------------------------
// One measurement.

struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    /// `variant` served by the build `exe`.
    fn start(exe: &std::path::Path, variant: &str, pinned: bool) -> Self {
        let mut command = if pinned {
            let mut c = Command::new("taskset");
            c.args(["-c", "0"]).arg(exe);
            c
        } else {
            Command::new(exe)
        };
        let mut child = command
            .args(["--server", variant])
            .stdout(Stdio::piped())
            .stdin(Stdio::null())
            .spawn()
            .expect("server process");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("server's port");
        let port: u16 = line.trim().parse().expect("a port");
        Self {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
        }
    }

    /// The CPU time the server's threads have used so far.
    fn cpu(&self) -> Duration {
        let tasks = format!("/proc/{}/task", self.child.id());
        let mut total = 0_u64;
        for task in std::fs::read_dir(tasks).expect("/proc/<pid>/task") {
            let path = task.expect("task").path().join("schedstat");
            if let Ok(text) = std::fs::read_to_string(path) {
                total += text
                    .split_whitespace()
                    .next()
                    .and_then(|ns| ns.parse::<u64>().ok())
                    .unwrap_or(0);
            }
        }
        Duration::from_nanos(total)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the load generator's connections share.
struct Load {
    pool: Arc<[(Bytes, HeaderValue)]>,
    tail: Bytes,
    next: AtomicUsize,
    exhausted: AtomicBool,
    measure_from: Instant,
    until: Instant,
    host: HeaderValue,
}

/// Runs `variant` on a fresh server; `None` when the pool ran out before the end.
fn measure(o: &Options, variant: &str, pool: &Pool, perf: Option<&PathBuf>) -> Option<Cell> {
    let pinned = Command::new("taskset")
        .arg("-V")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let server = match variant.strip_suffix(BASELINE) {
        Some(variant) => {
            let exe = o.baseline.clone().expect("--baseline");
            Server::start(&exe, variant, pinned)
        }
        None => Server::start(&std::env::current_exe().expect("exe"), variant, pinned),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let start = Instant::now() + Duration::from_millis(20);
    let measure_from = start + Duration::from_secs_f64(o.warmup);
    let until = measure_from + Duration::from_secs_f64(o.secs);
    let load = Arc::new(Load {
        pool: Arc::clone(&pool.entries),
        tail: pool.tail.clone(),
        next: AtomicUsize::new(0),
        exhausted: AtomicBool::new(false),
        measure_from,
        until,
        host: HeaderValue::from_str(&server.addr.to_string()).expect("host"),
    });
    let (cpu, latencies) = runtime.block_on(async {
        let mut connections = Vec::new();
        for _ in 0..o.connections {
            connections.push(tokio::spawn(connection(server.addr, Arc::clone(&load))));
        }
        tokio::time::sleep_until(measure_from.into()).await;
        let cpu_from = server.cpu();
        let recorder = perf.map(|path| record(server.child.id(), path));
        tokio::time::sleep_until(until.into()).await;
        let cpu = server.cpu() - cpu_from;
        if let Some(mut recorder) = recorder {
            let _ = Command::new("kill")
                .args(["-INT", &recorder.id().to_string()])
                .status();
            let _ = recorder.wait();
        }
        let mut latencies = Vec::new();
        for c in connections {
            latencies.extend(c.await.expect("connection"));
        }
        (cpu, latencies)
    });
    drop(server);
    if load.exhausted.load(Ordering::Relaxed) {
        return None;
    }
    let mut latencies = latencies;
    latencies.sort_unstable();
    let n = latencies.len();
    assert!(n > 0, "no request completed");
    let quantile = |q: f64| latencies[((n as f64 * q) as usize).min(n - 1)] as f64 / 1000.0;
    Some(Cell {
        rps: n as f64 / o.secs,
        cpu_us: cpu.as_secs_f64() * 1e6 / n as f64,
        busy: cpu.as_secs_f64() / o.secs,
        p50_us: quantile(0.5),
        p99_us: quantile(0.99),
    })
}

/// `perf record` attached to the server for the measured interval.
fn record(pid: u32, path: &PathBuf) -> Child {
    let args = std::env::var("HOOKSEAL_BENCH_PERF_ARGS").unwrap_or_else(|_| "-F 2999 -g".into());
    Command::new("perf")
        .arg("record")
        .args(args.split_whitespace())
        .arg("-o")
        .arg(path)
        .args(["-p", &pid.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("perf record")
}

/// One keep-alive connection sending deliveries one after another until the end; the latencies
/// (in ns) of those sent and answered within the measured interval.
async fn connection(addr: SocketAddr, load: Arc<Load>) -> Vec<u64> {
    let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.set_nodelay(true).expect("nodelay");
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(conn);
    let mut latencies = Vec::with_capacity(1 << 16);
    loop {
        let sent = Instant::now();
        if sent >= load.until {
            break;
        }
        let i = load.next.fetch_add(1, Ordering::Relaxed);
        let Some((prefix, signature)) = load.pool.get(i) else {
            load.exhausted.store(true, Ordering::Relaxed);
            break;
        };
        let body = Full::new(prefix.clone().chain(load.tail.clone()));
        let request = Request::post("/hook")
            .header(HOST, load.host.clone())
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .header("stripe-signature", signature.clone())
            .body(body)
            .expect("request");
        sender.ready().await.expect("connection ready");
        let response = sender.send_request(request).await.expect("response");
        let status = response.status();
        let body = response.into_body().collect().await.expect("body");
        let answered = Instant::now();
        assert_eq!(status, StatusCode::OK, "{:?}", body.to_bytes());
        if sent >= load.measure_from && answered <= load.until {
            latencies.push((answered - sent).as_nanos() as u64);
        }
    }
    latencies
}

// ---------------------------------------------------------------------------------------------
// In process: the router called directly, one request after another, without the network, for
// the layers' own cost in nanoseconds (`--in-process`).

/// A request body of given chunks, as a server hands them over.
struct Chunks(std::collections::VecDeque<Bytes>);

impl http_body::Body for Chunks {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        std::task::Poll::Ready(self.0.pop_front().map(|b| Ok(http_body::Frame::data(b))))
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact(self.0.iter().map(|b| b.len() as u64).sum())
    }
}

/// The first `most` deliveries of `pool` as requests, as a server would hand it over: its body in one chunk
/// up to 16 KiB (slices of one buffer, as a server's read buffer), in two beyond.
fn requests(pool: &Pool, most: usize) -> Vec<Request<axum::body::Body>> {
    let entries = pool.entries.get(..most).unwrap_or(&pool.entries);
    let whole = (pool.size <= 16 * 1024).then(|| {
        let mut all = Vec::with_capacity(entries.len() * pool.size);
        for (prefix, _) in entries {
            all.extend_from_slice(prefix);
            all.extend_from_slice(&pool.tail);
        }
        Bytes::from(all)
    });
    entries
        .iter()
        .enumerate()
        .map(|(i, (prefix, signature))| {
            let chunks = match &whole {
                Some(all) => vec![all.slice(i * pool.size..(i + 1) * pool.size)],
                None => vec![prefix.clone(), pool.tail.clone()],
            };
            Request::post("/hook")
                .header(HOST, "localhost")
                .header(CONTENT_TYPE, "application/json")
                .header("stripe-signature", signature.clone())
                .body(axum::body::Body::new(Chunks(chunks.into())))
                .expect("request")
        })
        .collect()
}

/// The CPU time this thread has used: unlike the wall clock, it does not count the time other
/// processes sharing the core take.
fn thread_cpu() -> Duration {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").expect("schedstat");
    let ns = text
        .split_whitespace()
        .next()
        .and_then(|ns| ns.parse().ok());
    Duration::from_nanos(ns.expect("on-CPU time"))
}

fn in_process(o: &Options) {
    use tower::Service as _;
    println!(
        "in process: {} rounds x {} variants x {} sizes, {} s of CPU each, one request at a time",
        o.rounds,
        o.variants.len(),
        o.sizes.len(),
        o.secs
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut pools: Vec<Pool> = o
        .sizes
        .iter()
        .map(|&size| Pool::new(size, o.secs))
        .collect();
    let bare = o.variants.iter().position(|v| v == "bare");
    // ns[size][variant][round], verify_at[size][round]
    let mut ns = vec![vec![Vec::new(); o.variants.len()]; o.sizes.len()];
    let mut verify_at = vec![Vec::new(); o.sizes.len()];
    for _ in 0..o.rounds {
        for (s, pool) in pools.iter_mut().enumerate() {
            pool.refresh(o.secs * o.variants.len() as f64);
            for (v, variant) in o.variants.iter().enumerate() {
                // Batches of the whole pool, each on a fresh router (a fresh replay cache, which
                // admits every delivery once), until `secs` of calls are timed.
                let (mut n, mut elapsed) = (0_u64, Duration::ZERO);
                while elapsed.as_secs_f64() < o.secs && (o.requests.is_none() || n == 0) {
                    // As `axum::serve` does for each connection: handlers (and the layers on
                    // them) made into services once, not for each request.
                    let mut router = app(variant).with_state(());
                    let requests = requests(pool, o.requests.unwrap_or(usize::MAX));
                    elapsed += runtime.block_on(async {
                        let started = thread_cpu();
                        for request in requests {
                            let response = router.call(request).await.expect("infallible");
                            assert_eq!(response.status(), StatusCode::OK);
                            black_box(response.into_body().collect().await.expect("body"));
                            n += 1;
                        }
                        thread_cpu() - started
                    });
                }
                ns[s][v].push(elapsed.as_secs_f64() * 1e9 / n as f64);
            }
            verify_at[s].push(verify_at_us(pool, o.secs.min(1.0)) * 1e3);
        }
    }
    for (s, size) in o.sizes.iter().enumerate() {
        println!();
        for (v, variant) in o.variants.iter().enumerate() {
            let (lo, hi) = range(ns[s][v].iter().copied());
            let extra = bare.map(|b| range(ns[s][v].iter().zip(&ns[s][b]).map(|(x, b)| x - b)));
            let (elo, ehi) = extra.unwrap_or((f64::NAN, f64::NAN));
            // What the layer costs beyond `bare` plus `verify_at`, within each round.
            let beyond = bare.filter(|&b| b != v).map(|b| {
                range(
                    (ns[s][v].iter().zip(&ns[s][b]).zip(&verify_at[s]))
                        .map(|((x, b), v)| x - b - v),
                )
            });
            let (blo, bhi) = beyond.unwrap_or((f64::NAN, f64::NAN));
            println!(
                "{size:>6} B {variant:>10}: {lo:>8.0}-{hi:<8.0} ns/request, {elo:>7.0}-{ehi:<7.0} \
                 ns over bare, {blo:>+7.0} to {bhi:<+7.0} ns beyond bare + verify_at"
            );
        }
        let (lo, hi) = range(verify_at[s].iter().copied());
        println!("{size:>6} B  verify_at: {lo:.0}-{hi:.0} ns");
    }
}

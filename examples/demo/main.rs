//! The main job: starts a real webhook receiver on 127.0.0.1 (an ephemeral port), sends it real
//! HTTP requests — a valid delivery, a tampered body, a replay, a stale one, a rotated key, a
//! Stripe-format one, a duplicate event id, an oversized body — and prints a table of what the
//! receiver answered each. It exits non-zero if any answer is not the expected one.
//!
//! The receiver verifies with `VerifyLayer`, refuses replays with an in-memory replay cache, and
//! processes each event once with `IdempotencyLayer` and an in-memory idempotency store, keyed on
//! a signed id: the `webhook-id` of Standard Webhooks (the crate's default scheme), which the
//! signature covers, or the `"id"` in the signed body of a Stripe event. `--redis URL` switches
//! both stores to Redis.
//!
//! Run it with `cargo run --example demo --features tower,redis,axum,serde` (and `-- --redis
//! redis://127.0.0.1:6379/` for Redis).

mod app;
#[path = "../common/client.rs"]
mod client;

use std::process::ExitCode;
use std::sync::Arc;

use hookseal::idempotency::{
    DynIdempotencyStore, MemoryIdempotencyStore, RedisIdempotencyStore, Scope,
};
use hookseal::replay::{DynReplayCache, MemoryReplayCache, RedisReplayCache};
use hookseal::{Clock, Key, Keyring, Scheme, Secret, Signer, SystemClock, Verifier};

use app::{BoxError, Config, Receiver, Senders};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("demo failed: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), BoxError> {
    let redis = parse_args()?;

    // Last season's key and the current one; the receiver accepts both during the rotation.
    let old_key = Key::new("2026-05", Secret::generate()?.into_secret())?;
    let new_key = Key::new("2026-11", Secret::generate()?.into_secret())?;
    let stripe_secret = "whsec_demo_0123456789abcdef0123456789";
    let stripe_keys = || {
        Scheme::stripe()
            .parse_secret(stripe_secret)
            .map(Keyring::single)
    };

    // A replay cache covering the verifiers' window (both endpoints keep the default one), and
    // an idempotency store for event ids.
    let window = Verifier::new(Scheme::stripe(), stripe_keys()?);
    let (replay_cache, idempotency_store, backend): (
        Arc<dyn DynReplayCache>,
        Arc<dyn DynIdempotencyStore>,
        String,
    ) = match &redis {
        None => (
            Arc::new(MemoryReplayCache::for_verifier(&window, 100_000)?),
            Arc::new(MemoryIdempotencyStore::new(100_000)?),
            "in-memory replay cache and idempotency store".into(),
        ),
        Some(url) => (
            Arc::new(RedisReplayCache::connect(url).await?),
            Arc::new(RedisIdempotencyStore::connect(url).await?),
            format!("Redis at {url}"),
        ),
    };
    // A scope of its own for each run, so runs sharing a Redis never see each other's events.
    let started = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?;
    let run_id = format!("run:{}:{}", std::process::id(), started.as_nanos());
    let receiver = Receiver::start(Config {
        standard_webhooks_keys: Keyring::new(new_key.clone())?.with_key(old_key.clone())?,
        stripe_keys: stripe_keys()?,
        replay_cache,
        idempotency_store,
        scope: Scope::new("tenant:demo").and(&run_id),
    })
    .await?;
    let senders = Senders {
        old: Signer::new(Scheme::standard_webhooks(), Keyring::new(old_key.clone())?),
        rotated: Signer::new(
            Scheme::standard_webhooks(),
            Keyring::new(new_key)?.with_key(old_key)?,
        ),
        stripe: Signer::new(Scheme::stripe(), stripe_keys()?),
    };

    println!(
        "hookseal demo: a receiver on http://{} ({backend})\n",
        receiver.addr
    );
    let now = SystemClock::new()
        .now()
        .ok_or("the system clock is set before 1970")?;
    let cases = app::send_cases(&receiver, &senders, now).await?;

    println!("{:<36} {:>6}  answer", "case", "status");
    let mut wrong = Vec::new();
    for case in &cases {
        let mut answer = case.answer.body.clone();
        for name in ["idempotent-replayed", "retry-after"] {
            if let Some(value) = case.answer.headers.get(name).and_then(|v| v.to_str().ok()) {
                answer.push_str(&format!(" [{name}: {value}]"));
            }
        }
        println!("{:<36} {:>6}  {answer}", case.name, case.answer.status);
        if case.answer.status != case.expected {
            wrong.push(format!(
                "{}: {} (expected {})",
                case.name, case.answer.status, case.expected
            ));
        }
    }
    let runs = receiver.times_processed("evt_1001");
    println!("\nevt_1001 was processed {runs} time(s), though delivered twice");
    if runs != 1 {
        wrong.push(format!("evt_1001 processed {runs} times"));
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(format!("unexpected answers: {}", wrong.join("; ")).into())
    }
}

/// `--redis URL`, if given.
fn parse_args() -> Result<Option<String>, BoxError> {
    let mut args = std::env::args().skip(1);
    match (args.next().as_deref(), args.next(), args.next()) {
        (None, _, _) => Ok(None),
        (Some("--redis"), Some(url), None) => Ok(Some(url)),
        _ => Err("usage: demo [--redis redis://host:port/]".into()),
    }
}

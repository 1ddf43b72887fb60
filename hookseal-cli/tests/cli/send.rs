//! `send` against the demo's receiver (`examples/demo/app.rs`, started here on a loopback
//! port): the delivery is processed, its replay refused with 409, a retry of the event answered
//! from the first run.

use std::sync::Arc;

use hookseal::idempotency::{MemoryIdempotencyStore, Scope};
use hookseal::replay::MemoryReplayCache;
use hookseal::{Keyring, Scheme, Verifier};
use serde_json::Value;

use crate::app::{Config, Receiver, STANDARD_WEBHOOKS};
use crate::common::{SECRET_VAR, run_json};

/// The endpoint's secret (Standard Webhooks' documented example key).
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// The demo's receiver, with in-memory stores and [`SECRET`] for its Standard Webhooks
/// endpoint.
async fn receiver() -> Receiver {
    let scheme = Scheme::standard_webhooks();
    let keys = Keyring::single(scheme.parse_secret(SECRET).unwrap());
    let window = Verifier::new(scheme, keys.clone());
    let stripe = Scheme::stripe().parse_secret("whsec_demo_0123456789abcdef0123456789");
    Receiver::start(Config {
        standard_webhooks_keys: keys,
        stripe_keys: Keyring::single(stripe.unwrap()),
        replay_cache: Arc::new(MemoryReplayCache::for_verifier(&window, 1000).unwrap()),
        idempotency_store: Arc::new(MemoryIdempotencyStore::new(1000).unwrap()),
        scope: Scope::new("tenant:cli"),
    })
    .await
    .unwrap()
}

/// Runs `send --json` with `args` on a blocking thread (the receiver runs on this runtime).
async fn send(args: Vec<String>) -> (i32, Value) {
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run_json(&args, SECRET, br#"{"type":"invoice.paid","amount":4200}"#)
    })
    .await
    .unwrap()
}

fn args(extra: &[&str], url: &str) -> Vec<String> {
    let mut args = vec!["send", "--secret-env", SECRET_VAR];
    args.extend(extra);
    args.push(url);
    args.into_iter().map(str::to_owned).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replay_is_refused_with_409_by_the_demo_receiver() {
    let receiver = receiver().await;
    let url = format!("http://{}{STANDARD_WEBHOOKS}", receiver.addr);
    let (code, sent) = send(args(&["--id", "evt_cli_1", "--replay"], &url)).await;
    assert_eq!(code, 0, "{sent}");
    let answers = sent["answers"].as_array().unwrap();
    assert_eq!(answers.len(), 2, "{sent}");
    assert_eq!(answers[0]["replay"], false);
    assert_eq!(answers[0]["status"], 200, "{sent}");
    assert!(
        answers[0]["body"]
            .as_str()
            .unwrap()
            .contains("processed evt_cli_1")
    );
    assert_eq!(answers[1]["replay"], true);
    assert_eq!(answers[1]["status"], 409, "{sent}");
    assert_eq!(sent["refused"], false);
    assert_eq!(receiver.times_processed("evt_cli_1"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_attempts_are_signed_anew_and_processed_once() {
    let receiver = receiver().await;
    let url = format!("http://{}{STANDARD_WEBHOOKS}", receiver.addr);
    let (code, sent) = send(args(&["--id", "evt_cli_2", "--repeat", "2"], &url)).await;
    assert_eq!(code, 0, "{sent}");
    let answers = sent["answers"].as_array().unwrap();
    // Both attempts are accepted (the second is no replay: signed a second later), and the
    // second is answered from the first run.
    assert_eq!(answers.len(), 2, "{sent}");
    assert!(
        answers
            .iter()
            .all(|a| a["status"] == 200 && a["replay"] == false),
        "{sent}"
    );
    assert_eq!(answers[0]["body"], answers[1]["body"]);
    assert_eq!(answers[0]["headers"], serde_json::json!({}));
    assert_eq!(
        answers[1]["headers"]["idempotent-replayed"], "true",
        "{sent}"
    );
    assert_eq!(receiver.times_processed("evt_cli_2"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_delivery_exits_1_and_an_unreachable_receiver_2() {
    let receiver = receiver().await;
    let url = format!("http://{}{STANDARD_WEBHOOKS}", receiver.addr);
    // Signed a day ago: the receiver refuses it as stale.
    let (code, sent) = send(args(
        &["--id", "evt_cli_3", "--timestamp", "1700000000"],
        &url,
    ))
    .await;
    assert_eq!(code, 1, "{sent}");
    assert_eq!(sent["answers"][0]["status"], 400, "{sent}");
    assert_eq!(sent["refused"], true);
    drop(receiver);
    // Nothing listens on port 9 of the loopback (discard) here.
    let (code, sent) = send(args(&[], "http://127.0.0.1:9/webhooks")).await;
    assert_eq!(code, 2, "{sent}");
    assert!(
        sent["error"].as_str().unwrap().contains("cannot send"),
        "{sent}"
    );
}

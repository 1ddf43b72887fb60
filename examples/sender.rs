//! The sender's side, against the demo's receiver: signed deliveries through a retry and a key
//! rotation, over real HTTP on 127.0.0.1.
//!
//! 1. The endpoint URL goes through the endpoint policy: `http://127.0.0.1` is refused by the
//!    strict default and accepted by an explicit local-testing opt-in.
//! 2. The endpoint's first secret is generated; its text (`whsec_…`, as Standard Webhooks writes
//!    secrets) is handed to the receiver once, which reads it with the scheme's `parse_secret`.
//! 3. A delivery while the receiver is down gets no answer; the retry policy schedules the next
//!    attempt, which carries the same event id with a fresh timestamp and signature and is
//!    accepted once the receiver is back. The receiver processes each event once, keyed on the
//!    `webhook-id` header: the delivery's id, which the signature covers.
//! 4. The secret is rotated with an overlap: deliveries carry both signatures, so the receiver
//!    verifies them with the old secret, then (after it updates) with the new one; after the
//!    overlap only the new key signs.
//!
//! The retry steps and the overlap are seconds here, so the example runs in a few seconds; the
//! defaults are minutes and days. It exits non-zero if any answer is not the expected one, or if
//! any event was processed other than exactly once.
//!
//! Run it with `cargo run --features tower,axum,serde --example sender`.

#[path = "demo/app.rs"]
#[allow(dead_code)] // The demo's own cases are not sent here.
mod app;
#[path = "common/client.rs"]
mod client;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use hookseal::delivery::{
    AddressClass, Delivery, EndpointPolicy, EndpointSecrets, Host, Jitter, Next, Outcome,
    RetryPolicy,
};
use hookseal::idempotency::{DynIdempotencyStore, MemoryIdempotencyStore, Scope};
use hookseal::replay::{DynReplayCache, MemoryReplayCache};
use hookseal::{Clock, Key, Keyring, Scheme, Signer, SystemClock, Timestamp, Verifier};

use app::{Answer, BoxError, Config, Receiver};

const PATH: &str = app::STANDARD_WEBHOOKS;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sender example failed: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The receiver's side of the story: its stores outlive restarts, its keys change.
struct ReceiverSide {
    addr: SocketAddr,
    replay_cache: Arc<dyn DynReplayCache>,
    store: Arc<dyn DynIdempotencyStore>,
    running: Option<Receiver>,
    processed: Vec<String>,
}

impl ReceiverSide {
    async fn start(&mut self, keys: Keyring) -> Result<(), BoxError> {
        self.stop();
        let receiver = Receiver::start_on(
            Config {
                standard_webhooks_keys: keys.clone(),
                stripe_keys: keys,
                replay_cache: Arc::clone(&self.replay_cache),
                idempotency_store: Arc::clone(&self.store),
                scope: Scope::new("tenant:sender-example"),
            },
            self.addr,
        )
        .await?;
        self.running = Some(receiver);
        Ok(())
    }

    fn stop(&mut self) {
        if let Some(receiver) = self.running.take()
            && let Ok(list) = receiver.processed.lock()
        {
            self.processed.extend(list.iter().cloned());
        }
    }
}

async fn run() -> Result<(), BoxError> {
    let clock = SystemClock::new();
    let now = || clock.now().ok_or("the system clock is set before 1970");

    // A free loopback port for the receiver, nothing listening on it yet.
    let addr = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let url = format!("http://{addr}{PATH}");

    // 1. The endpoint policy.
    println!("endpoint {url}");
    match EndpointPolicy::new().check(&url) {
        Err(e) => println!("  strict policy:         refused ({e})"),
        Ok(_) => return Err("the strict policy accepted a plain-http loopback URL".into()),
    }
    if EndpointPolicy::new()
        .check("https://169.254.169.254/latest/meta-data/")
        .is_ok()
    {
        return Err("the strict policy accepted the metadata address".into());
    }
    let local = EndpointPolicy::new()
        .allow_http()
        .allow(AddressClass::Loopback);
    let endpoint = local.check(&url)?;
    let Host::Ip(ip) = endpoint.host() else {
        return Err("expected an address".into());
    };
    local.check_ip(*ip)?;
    println!(
        "  local-testing opt-in:  accepted ({ip}, port {})\n",
        endpoint.port()
    );
    let target = SocketAddr::new(*ip, endpoint.port());

    // 2. The endpoint's first secret: its text goes to the receiver once, and is never printed.
    let scheme = Scheme::standard_webhooks();
    let (secrets, first_text) = EndpointSecrets::generate("2026-05")?;
    let old_key = || -> Result<Key, BoxError> {
        Ok(Key::new(
            "2026-05",
            scheme.parse_secret(first_text.expose_secret())?,
        )?)
    };
    let mut receiver = ReceiverSide {
        addr: target,
        // Sized from a verifier with the receiver's (default) window.
        replay_cache: Arc::new(MemoryReplayCache::for_verifier(
            &Verifier::new(scheme.clone(), Keyring::new(old_key()?)?),
            10_000,
        )?),
        store: Arc::new(MemoryIdempotencyStore::new(10_000)?),
        running: None,
        processed: Vec::new(),
    };

    let policy = RetryPolicy::new()
        .with_steps(&[Duration::from_secs(1), Duration::from_secs(2)])?
        .with_jitter(Jitter::Full);
    let mut wrong = Vec::new();
    let mut events = Vec::new();
    println!(
        "{:<30} {:<30} {:>4} {:>6}  {:<20} receiver's answer",
        "step", "event id", "sigs", "status", "next"
    );

    // 3. A delivery while the receiver is down, retried until it is back.
    let signer = Signer::new(scheme.clone(), secrets.keyring().clone());
    let delivery = event("invoice.paid")?;
    events.push(delivery.id().to_owned());
    let first_attempt = now()?;
    let mut attempt = 1;
    loop {
        let sent = send(&delivery, &signer, target).await?;
        let next = policy.next_after(attempt, first_attempt, now()?, sent.outcome());
        let step = if attempt == 1 {
            "receiver down"
        } else {
            "retry, receiver back"
        };
        row(step, &delivery, &sent, &next);
        match (attempt, next) {
            (1, Next::RetryAt { at, .. }) => {
                sleep_until(&clock, at).await?;
                receiver.start(Keyring::new(old_key()?)?).await?;
            }
            (_, Next::Delivered) => break,
            (_, other) => {
                wrong.push(format!("attempt {attempt}: {other:?}"));
                break;
            }
        }
        attempt += 1;
    }
    if attempt != 2 {
        wrong.push(format!("delivered after {attempt} attempts, expected 2"));
    }

    // 4. Rotation with a 3-second overlap.
    let overlap = Duration::from_secs(3);
    let rotated_at = now()?;
    let (secrets, new_text) = secrets.rotate("2026-11", rotated_at, overlap)?;
    let signer = Signer::new(scheme.clone(), secrets.keyring().clone());
    let new_key = Key::new("2026-11", scheme.parse_secret(new_text.expose_secret())?)?;

    let d = event("invoice.updated")?;
    let sent = send(&d, &signer, target).await?;
    check(
        "overlap, receiver on old key",
        &d,
        &sent,
        2,
        "2026-05",
        &mut wrong,
    );
    events.push(d.id().to_owned());

    receiver.start(Keyring::new(new_key)?).await?;
    let d = event("invoice.finalized")?;
    let sent = send(&d, &signer, target).await?;
    check(
        "overlap, receiver updated",
        &d,
        &sent,
        2,
        "2026-11",
        &mut wrong,
    );
    events.push(d.id().to_owned());

    sleep_until(
        &clock,
        rotated_at.saturating_add(overlap + Duration::from_secs(1)),
    )
    .await?;
    let d = event("invoice.voided")?;
    let sent = send(&d, &signer, target).await?;
    check("after the overlap", &d, &sent, 1, "2026-11", &mut wrong);
    events.push(d.id().to_owned());
    let retired = secrets.prune(now()?);
    println!(
        "\nkeys after pruning: {:?}",
        retired
            .keyring()
            .keys()
            .map(|k| k.id().as_str())
            .collect::<Vec<_>>()
    );
    if retired.keyring().len() != 1 {
        wrong.push("the expired key was not pruned".into());
    }

    receiver.stop();
    for id in &events {
        let runs = receiver.processed.iter().filter(|p| *p == id).count();
        if runs != 1 {
            wrong.push(format!("{id} processed {runs} times"));
        }
    }
    println!(
        "each of the {} events was processed exactly once: {}",
        events.len(),
        wrong.is_empty()
    );
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(format!("unexpected outcomes: {}", wrong.join("; ")).into())
    }
}

/// A new event with a random id, sent as the signed `webhook-id` of every attempt (the
/// receiver deduplicates on it).
fn event(kind: &str) -> Result<Delivery, BoxError> {
    Ok(Delivery::new(
        format!(r#"{{"type":"{kind}"}}"#).into_bytes(),
    )?)
}

/// One attempt as sent: how many signatures it carried, and the answer (or the transport
/// error).
struct Sent {
    signatures: usize,
    answer: Result<Answer, BoxError>,
}

impl Sent {
    fn outcome(&self) -> Outcome<'_> {
        match &self.answer {
            Ok(answer) => Outcome::status(answer.status),
            Err(_) => Outcome::no_response(),
        }
    }
}

/// Signs a fresh attempt (new timestamp, new signatures, same id) and posts it.
async fn send(delivery: &Delivery, signer: &Signer, to: SocketAddr) -> Result<Sent, BoxError> {
    let signed = delivery.sign(signer)?;
    let signatures = signed
        .get("webhook-signature")
        .map_or(0, |v| v.split(' ').filter(|e| e.starts_with("v1,")).count());
    let headers: Vec<(String, String)> = signed
        .iter()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
    let answer = app::post(to, PATH, &headers, delivery.body()).await;
    Ok(Sent { signatures, answer })
}

fn row(step: &str, d: &Delivery, sent: &Sent, next: &Next) {
    let (status, body) = match &sent.answer {
        Ok(a) => (a.status.to_string(), a.body.clone()),
        Err(_) => ("none".into(), "connection refused".into()),
    };
    let next = match next {
        Next::Delivered => "delivered".to_owned(),
        Next::RetryAt { at, .. } => {
            let now = SystemClock::new().now().map_or(0, Timestamp::as_unix_secs);
            format!("retry in {} s", at.as_unix_secs().saturating_sub(now))
        }
        Next::GiveUp(why) => format!("give up: {why}"),
        other => format!("{other:?}"),
    };
    println!(
        "{step:<30} {:<30} {:>4} {status:>6}  {next:<20} {body}",
        d.id(),
        sent.signatures
    );
}

/// Records a delivered attempt, checking its signature count and the key the receiver
/// verified it with (the receiver's answer names it).
fn check(step: &str, d: &Delivery, sent: &Sent, sigs: usize, key: &str, wrong: &mut Vec<String>) {
    let now = SystemClock::new()
        .now()
        .unwrap_or(Timestamp::from_unix_secs(0));
    let next = RetryPolicy::new().next_after(1, now, now, sent.outcome());
    row(step, d, sent, &next);
    if next != Next::Delivered {
        wrong.push(format!("{step}: {next:?}"));
    }
    if sent.signatures != sigs {
        wrong.push(format!(
            "{step}: {} signatures, expected {sigs}",
            sent.signatures
        ));
    }
    let verified_with = format!("(key {key})");
    if !sent
        .answer
        .as_ref()
        .is_ok_and(|a| a.body.contains(&verified_with))
    {
        wrong.push(format!("{step}: not verified with key {key}"));
    }
}

async fn sleep_until(clock: &SystemClock, at: Timestamp) -> Result<(), BoxError> {
    let now = clock.now().ok_or("no clock")?;
    let secs = at.as_unix_secs().saturating_sub(now.as_unix_secs());
    // Timestamps are whole seconds: wait into the second after `at` begins.
    tokio::time::sleep(Duration::from_secs(secs) + Duration::from_millis(50)).await;
    Ok(())
}

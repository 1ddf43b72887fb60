//! Signs a webhook delivery and verifies it, then shows how the receiver answers the same delivery
//! replayed, a tampered body, a stale timestamp, a future timestamp and a key rotation: one line
//! per case, with the outcome and the HTTP status a receiver would send. The receiver checks each
//! verified delivery against an in-memory replay cache.
//!
//! Run it with `cargo run --example demo`.

use std::process::ExitCode;
use std::time::Duration;

use hookseal::replay::MemoryReplayCache;
use hookseal::{Clock, Key, Keyring, Scheme, Secret, SignedHeaders, Signer, SystemClock, Verifier};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("demo failed: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    // Two keys: last season's and the current one. Only the sender and receiver hold them.
    let old_key = Key::new("2026-05", Secret::generate()?.into_secret())?;
    let new_key = Key::new("2026-11", Secret::generate()?.into_secret())?;

    let scheme = Scheme::hookseal();
    // The sender still signs with the old key; the receiver accepts both during the rotation.
    let sender = Signer::new(scheme.clone(), Keyring::new(old_key.clone())?);
    let receiver = Verifier::new(
        scheme.clone(),
        Keyring::new(new_key.clone())?.with_key(old_key.clone())?,
    );
    // Later the sender signs with both keys, and the receiver retires the old one.
    let rotated_sender = Signer::new(
        scheme.clone(),
        Keyring::new(new_key.clone())?.with_key(old_key)?,
    );
    let retired_receiver = Verifier::new(scheme.clone(), Keyring::new(new_key)?);
    // Every verified delivery is remembered for as long as its signature would be accepted.
    let cache = MemoryReplayCache::new(100_000, receiver.replay_ttl())?;

    let now = SystemClock::new()
        .now()
        .ok_or("the system clock is set before 1970")?;
    let ten_minutes = Duration::from_secs(600);
    let body: &[u8] = br#"{"id":"evt_1001","type":"invoice.paid","amount":4200}"#;
    let tampered: &[u8] = br#"{"id":"evt_1001","type":"invoice.paid","amount":9900}"#;
    let next: &[u8] = br#"{"id":"evt_1002","type":"invoice.paid","amount":1700}"#;

    let signed = sender.sign(Some("evt_1001"), body)?;
    println!("hookseal demo: the default scheme, HMAC-SHA256 over `timestamp.body`\n");
    println!("a signed delivery carries:");
    for (name, value) in signed.iter() {
        println!("  {name}: {value}");
    }
    println!();

    let cases: [(&str, &Verifier, SignedHeaders, &[u8]); 7] = [
        ("valid delivery", &receiver, signed.clone(), body),
        (
            "replayed (the valid delivery again)",
            &receiver,
            signed.clone(),
            body,
        ),
        (
            "tampered body (amount changed)",
            &receiver,
            signed.clone(),
            tampered,
        ),
        (
            "stale timestamp (10 minutes old)",
            &receiver,
            sender.sign_at(Some("evt_1001"), body, now.saturating_sub(ten_minutes))?,
            body,
        ),
        (
            "future timestamp (10 minutes ahead)",
            &receiver,
            sender.sign_at(Some("evt_1001"), body, now.saturating_add(ten_minutes))?,
            body,
        ),
        (
            "rotated key (signed with new + old)",
            &retired_receiver,
            rotated_sender.sign(Some("evt_1002"), next)?,
            next,
        ),
        (
            "retired key (signed with old only)",
            &retired_receiver,
            signed,
            body,
        ),
    ];

    println!("{:<36} {:<44} status", "case", "outcome");
    for (name, verifier, headers, body) in cases {
        let pairs: Vec<(&str, &str)> = headers.iter().collect();
        let (outcome, status) = match verifier.verify_fresh_at(&pairs, body, now, &cache).await {
            Ok(v) => (
                format!(
                    "verified (key {}, id {})",
                    v.key_id(),
                    v.id().unwrap_or("-")
                ),
                200,
            ),
            Err(e) => (format!("rejected: {e}"), e.status_code()),
        };
        println!("{name:<36} {outcome:<44} {status}");
    }
    Ok(())
}

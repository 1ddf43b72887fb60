//! A receiver that processes Stripe-format events exactly once, although the sender retries,
//! sends duplicates concurrently, and a worker crashes mid-event.
//!
//! Each delivery is verified (`Stripe-Signature`), its event id (`evt_…`, from the signed body)
//! becomes the idempotency key, and the body its fingerprint. The work credits a customer's
//! balance; at the end the example checks every event was credited exactly once.
//!
//! Run it with `cargo run --example exactly_once`. It takes about three seconds, most of it
//! waiting for the crashed worker's lease to run out.

use std::collections::HashMap;
use std::future::Future;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hookseal::idempotency::{
    Fingerprint, Idempotency, IdempotencyKey, MemoryIdempotencyStore, Scope,
};
use hookseal::{Keyring, Scheme, Signer, Verifier};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("exactly_once failed: {e}");
            ExitCode::FAILURE
        }
    }
}

/// What the receiver answered: a status, the headers worth showing, and the body.
struct Answer {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: String,
}

struct Receiver {
    verifier: Verifier,
    idempotency: Idempotency<MemoryIdempotencyStore>,
    scope: Scope,
    /// The side effect: each customer's balance, and how many credits were applied.
    ledger: Mutex<HashMap<String, (i64, u32)>>,
}

impl Receiver {
    /// Handles one delivery; `work_time` is how long crediting takes this time.
    async fn handle(&self, headers: &[(&str, &str)], body: &[u8], work_time: Duration) -> Answer {
        let verified = match self.verifier.verify(headers, body) {
            Ok(v) => v,
            Err(e) => return answer(e.status_code(), &e.to_string()),
        };
        let Some(event) = Event::parse(verified.body()) else {
            return answer(400, "not a Stripe event");
        };
        let key = match IdempotencyKey::new(&event.id) {
            Ok(key) => key.scoped(&self.scope),
            Err(e) => return answer(e.status_code(), &e.to_string()),
        };
        let work = async {
            tokio::time::sleep(work_time).await;
            let mut ledger = self.ledger.lock().map_err(|_| "ledger poisoned")?;
            let entry = ledger.entry(event.customer.clone()).or_default();
            entry.0 += event.amount;
            entry.1 += 1;
            Ok::<_, &str>(format!("credited {} to {}", event.amount, event.customer).into_bytes())
        };
        let fingerprint = Fingerprint::of_verified(&verified);
        match self.idempotency.run(&key, &fingerprint, work).await {
            Ok(processed) => {
                let mut a = answer(200, &String::from_utf8_lossy(processed.output()));
                if let Some((name, value)) = processed.stored_header() {
                    a.headers.push((name, value.to_owned()));
                }
                a
            }
            Err(e) => {
                let mut a = answer(e.status_code(), &e.to_string());
                if let Some(after) = e.retry_after() {
                    a.headers.push(("Retry-After", after.as_secs().to_string()));
                }
                a
            }
        }
    }
}

/// The fields of a Stripe event the work needs.
struct Event {
    id: String,
    customer: String,
    amount: i64,
}

impl Event {
    fn parse(body: &[u8]) -> Option<Self> {
        let v: serde_json::Value = serde_json::from_slice(body).ok()?;
        let text = |path: &str| v.pointer(path)?.as_str().map(str::to_owned);
        Some(Self {
            id: text("/id")?,
            customer: text("/data/object/customer")?,
            amount: v.pointer("/data/object/amount_paid")?.as_i64()?,
        })
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    // The endpoint secret as Stripe shows it; sender and receiver share it.
    let secret = "whsec_exactly_once_example_0123456789";
    let keyring = || Scheme::stripe().parse_secret(secret).map(Keyring::single);
    let stripe = Signer::new(Scheme::stripe(), keyring()?);
    let lease = Duration::from_secs(2);
    let receiver = Arc::new(Receiver {
        verifier: Verifier::new(Scheme::stripe(), keyring()?),
        idempotency: Idempotency::new(MemoryIdempotencyStore::new(100_000)?).with_lease(lease)?,
        scope: Scope::new("acct_example").and("/webhooks/stripe"),
        ledger: Mutex::new(HashMap::new()),
    });
    let quick = Duration::from_millis(1);

    let event = |id: &str, customer: &str, amount: i64| {
        format!(
            r#"{{"id":"{id}","object":"event","type":"invoice.paid","data":{{"object":{{"customer":"{customer}","amount_paid":{amount}}}}}}}"#
        )
    };
    let evt_1 = event("evt_1", "cus_A", 2000);
    let evt_2 = event("evt_2", "cus_B", 500);
    let evt_3 = event("evt_3", "cus_C", 750);

    // Every attempt is signed anew, as Stripe does: same body, new timestamp and signature.
    let send = |body: &str| -> Result<Vec<(String, String)>, hookseal::SignError> {
        let signed = stripe.sign(None, body.as_bytes())?;
        Ok(signed
            .iter()
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect())
    };
    let deliver = |headers: Vec<(String, String)>, body: String, work_time: Duration| {
        let receiver = Arc::clone(&receiver);
        async move {
            let headers: Vec<(&str, &str)> = headers
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect();
            receiver.handle(&headers, body.as_bytes(), work_time).await
        }
    };

    println!("hookseal exactly_once: Stripe events, processed once per event id\n");
    let mut rows: Vec<(&str, Answer)> = Vec::new();

    // 1. The first delivery of evt_1 is processed.
    let a = deliver(send(&evt_1)?, evt_1.clone(), quick).await;
    rows.push(("evt_1, first delivery", a));

    // 2. Stripe retries evt_1 (say our 200 was lost): new signature, same event.
    let a = deliver(send(&evt_1)?, evt_1.clone(), quick).await;
    rows.push(("evt_1, retried", a));

    // 3. evt_3 arrives twice at once; the second finds it in progress.
    let first = tokio::spawn(deliver(
        send(&evt_3)?,
        evt_3.clone(),
        Duration::from_secs(1),
    ));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let second = deliver(send(&evt_3)?, evt_3.clone(), quick).await;
    rows.push(("evt_3, duplicate while running", second));
    rows.push(("evt_3, first of the two", first.await?));

    // 4. A worker takes evt_2 and crashes mid-work: the process dies, nothing is released.
    let crashing = Box::pin(deliver(
        send(&evt_2)?,
        evt_2.clone(),
        Duration::from_secs(3600),
    ));
    crash_after(crashing, Duration::from_millis(50)).await;
    let a = deliver(send(&evt_2)?, evt_2.clone(), quick).await;
    let wait = a
        .headers
        .iter()
        .find(|(n, _)| *n == "Retry-After")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(lease.as_secs() + 1);
    rows.push(("evt_2, retry after a crash", a));
    tokio::time::sleep(Duration::from_secs(wait)).await;
    let a = deliver(send(&evt_2)?, evt_2.clone(), quick).await;
    rows.push(("evt_2, retry after Retry-After", a));

    // 5. evt_1 again, validly signed but with another payload: the key was reused.
    let altered = event("evt_1", "cus_A", 9999);
    let a = deliver(send(&altered)?, altered.clone(), quick).await;
    rows.push(("evt_1 id, different payload", a));

    // 6. A forged body never reaches the idempotency layer.
    let a = deliver(send(&evt_1)?, evt_1.replace("2000", "200000"), quick).await;
    rows.push(("evt_1, tampered in transit", a));

    println!("{:<32} {:>6}  {:<30} body", "case", "status", "headers");
    for (case, a) in &rows {
        let headers: Vec<String> = a.headers.iter().map(|(n, v)| format!("{n}: {v}")).collect();
        println!(
            "{case:<32} {:>6}  {:<30} {}",
            a.status,
            headers.join(", "),
            a.body
        );
    }

    let ledger = receiver.ledger.lock().map_err(|_| "ledger poisoned")?;
    println!("\nledger (balance, credits applied):");
    let mut customers: Vec<_> = ledger.iter().collect();
    customers.sort();
    for (customer, (balance, credits)) in &customers {
        println!("  {customer}: {balance} ({credits} credit)");
    }
    let expected = [("cus_A", 2000), ("cus_B", 500), ("cus_C", 750)];
    let statuses: Vec<u16> = rows.iter().map(|(_, a)| a.status).collect();
    let once = expected
        .iter()
        .all(|(c, amount)| ledger.get(*c) == Some(&(*amount, 1)))
        && ledger.len() == expected.len();
    if !once || statuses != [200, 200, 409, 200, 409, 200, 422, 401] {
        return Err(format!("unexpected outcome: statuses {statuses:?}, ledger {ledger:?}").into());
    }
    println!("\nevery event credited exactly once");
    Ok(())
}

/// Runs `work` for `after`, then abandons it without running any destructor: as if the process
/// had been killed. Its lease is neither completed nor released.
async fn crash_after<F: Future>(work: std::pin::Pin<Box<F>>, after: Duration) {
    let mut work = work;
    let _ = tokio::time::timeout(after, work.as_mut()).await;
    std::mem::forget(work);
}

fn answer(status: u16, body: &str) -> Answer {
    Answer {
        status,
        headers: Vec::new(),
        body: body.to_owned(),
    }
}

//! Exactly once with Postgres: each delivery's idempotency record is written in the same
//! transaction as its effect (the inbox pattern), so a worker that dies between the effect and
//! the commit leaves nothing behind, and its retry credits the account once.
//!
//! The example creates and starts its own Postgres cluster in a temporary directory (Debian's
//! `postgresql` package, or `HOOKSEAL_POSTGRES_BIN`), and deletes it at the end. Without
//! Postgres it says so and exits. It checks its own outcome: every event credited exactly once.
//!
//! `cargo run --example postgres_inbox --features postgres`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "../tests/idempotency/postgres_server.rs"]
mod postgres_server;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use hookseal::idempotency::{
    Begin, Fingerprint, IdempotencyKey, PostgresIdempotencyStore, Scope, StoreError,
};
use tokio_postgres::{Client, Config, NoTls};

const LEASE: Duration = Duration::from_secs(60);
const RETENTION: Duration = Duration::from_secs(72 * 3600);

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    let Some(server) = postgres_server::PostgresServer::start() else {
        return ExitCode::SUCCESS;
    };
    match run(&server.config()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("postgres_inbox failed: {e}");
            ExitCode::FAILURE
        }
    }
}

/// What the receiver answered a delivery.
#[derive(Debug, PartialEq)]
enum Answer {
    /// 200, the work done now.
    Done(String),
    /// 200, the stored answer of the delivery that did the work.
    Replayed(String),
    /// 409: another worker has it.
    Busy,
    /// 422: the event id came with another payload.
    Mismatch,
}

/// Handles one delivery of `event` crediting `amount` to `account`: the claim, the credit and
/// the record in one transaction.
async fn deliver(
    store: &PostgresIdempotencyStore,
    client: &mut Client,
    event: &str,
    account: i32,
    amount: i64,
) -> Result<Answer, Box<dyn std::error::Error + Send + Sync>> {
    let body = format!(r#"{{"id":"{event}","account":{account},"amount":{amount}}}"#);
    let key = IdempotencyKey::new(event)?.scoped(&Scope::new("payments"));
    let fingerprint = Fingerprint::of_body(body.as_bytes());

    let tx = client.transaction().await?;
    Ok(
        match store.begin_in(&tx, &key, &fingerprint, LEASE).await? {
            Begin::Started(lease) => {
                tx.execute(
                    "INSERT INTO ledger (event, account, amount) VALUES ($1, $2, $3)",
                    &[&event, &account, &amount],
                )
                .await?;
                let answer = format!("credited {amount} to account {account}");
                store
                    .complete_in(&tx, &lease, answer.as_bytes(), RETENTION)
                    .await?;
                tx.commit().await?;
                Answer::Done(answer)
            }
            Begin::Completed(stored) => Answer::Replayed(String::from_utf8(stored)?),
            Begin::InProgress { .. } => Answer::Busy,
            Begin::Mismatch => Answer::Mismatch,
        },
    )
}

async fn connect(config: &Config) -> Result<Client, tokio_postgres::Error> {
    let (client, connection) = config.connect(NoTls).await?;
    tokio::spawn(connection);
    Ok(client)
}

async fn run(config: &Config) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let store = PostgresIdempotencyStore::connect(config, NoTls).await?;
    store.migrate().await?;
    let mut app = connect(config).await?;
    app.batch_execute(
        "CREATE TABLE ledger (event text NOT NULL, account int NOT NULL, amount bigint NOT NULL)",
    )
    .await?;

    // A delivery, and the sender's retry of it.
    let first = deliver(&store, &mut app, "evt_1", 7, 100).await?;
    println!("evt_1: {first:?}");
    let retry = deliver(&store, &mut app, "evt_1", 7, 100).await?;
    println!("evt_1 again: {retry:?}");
    assert_eq!(retry, Answer::Replayed("credited 100 to account 7".into()));
    // The same event id with another payload.
    assert_eq!(
        deliver(&store, &mut app, "evt_1", 7, 999).await?,
        Answer::Mismatch
    );

    // A worker claims evt_2, credits the account, and dies before it commits: its connection
    // is cut, as when its process or machine dies.
    let mut worker = connect(config).await?;
    let pid: i32 = worker
        .query_one("SELECT pg_backend_pid()", &[])
        .await?
        .get(0);
    let tx = worker.transaction().await?;
    let key = IdempotencyKey::new("evt_2")?.scoped(&Scope::new("payments"));
    let body = r#"{"id":"evt_2","account":8,"amount":250}"#;
    let Begin::Started(lease) = store
        .begin_in(&tx, &key, &Fingerprint::of_body(body.as_bytes()), LEASE)
        .await?
    else {
        return Err("evt_2 was not free".into());
    };
    tx.execute(
        "INSERT INTO ledger (event, account, amount) VALUES ('evt_2', 8, 250)",
        &[],
    )
    .await?;
    app.execute("SELECT pg_terminate_backend($1, 5000)", &[&pid])
        .await?;
    let lost = store.complete_in(&tx, &lease, b"never", RETENTION).await;
    assert!(matches!(lost, Err(StoreError::Unavailable(_))));
    println!("evt_2: the worker died between the credit and the commit");
    drop(tx);
    drop(worker);

    // The sender retries at once: nothing of the dead worker's remains, so the retry runs.
    let retry = deliver(&store, &mut app, "evt_2", 8, 250).await?;
    println!("evt_2 retried: {retry:?}");
    assert_eq!(retry, Answer::Done("credited 250 to account 8".into()));

    // Eight copies of evt_3 at once, each on its own connection and in its own transaction:
    // one credits, the others wait for its transaction and get its answer.
    let store = Arc::new(store);
    let mut copies = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (store, config) = (Arc::clone(&store), config.clone());
        copies.spawn(async move {
            let mut client = connect(&config).await?;
            deliver(&store, &mut client, "evt_3", 9, 40).await
        });
    }
    let (mut done, mut replayed) = (0, 0);
    while let Some(answer) = copies.join_next().await {
        match answer?? {
            Answer::Done(_) => done += 1,
            Answer::Replayed(_) => replayed += 1,
            other => return Err(format!("evt_3: {other:?}").into()),
        }
    }
    println!("evt_3, eight copies at once: {done} credited, {replayed} answered from the record");
    assert_eq!((done, replayed), (1, 7));

    // Every event credited exactly once.
    let rows = app
        .query(
            "SELECT event, count(*), sum(amount)::bigint FROM ledger GROUP BY event ORDER BY event",
            &[],
        )
        .await?;
    let ledger: Vec<(String, i64, i64)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    println!("ledger: {ledger:?}");
    let expected = [("evt_1", 1, 100), ("evt_2", 1, 250), ("evt_3", 1, 40)];
    let expected: Vec<(String, i64, i64)> = expected
        .iter()
        .map(|&(e, n, a)| (e.to_owned(), n, a))
        .collect();
    if ledger != expected {
        return Err(format!("ledger {ledger:?}, expected {expected:?}").into());
    }

    // Expired records are deleted in batches by a periodic task; none have expired yet.
    assert_eq!(store.purge_expired(1000).await?, 0);
    println!("every event credited exactly once");
    Ok(())
}

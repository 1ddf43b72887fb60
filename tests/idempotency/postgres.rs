//! The conformance suite on [`PostgresIdempotencyStore`], against a real Postgres, plus what only
//! it does: claims in the caller's transaction (committed, rolled back, and a worker killed
//! between its effect and its commit), purging in batches, and a restart mid-stream.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use hookseal::idempotency::{
    Begin, Idempotency, IdempotencyError, IdempotencyStore, PostgresIdempotencyStore, Processed,
    ScopedKey, StoreError,
};
use tokio_postgres::{Client, NoTls};

use crate::postgres_server::PostgresServer;
use crate::suite::{self, fp, unique_key};

async fn setup() -> Option<(PostgresServer, PostgresIdempotencyStore)> {
    let server = PostgresServer::start()?;
    let store = PostgresIdempotencyStore::connect(&server.config(), NoTls)
        .await
        .unwrap();
    store.migrate().await.unwrap();
    Some((server, store))
}

/// A connection of the test's own, as the application's.
async fn client(server: &PostgresServer) -> Client {
    let (client, connection) = server.config().connect(NoTls).await.unwrap();
    tokio::spawn(connection);
    client
}

/// Real time: leases of 600 ms; rows end to the microsecond on the database's clock.
fn clock() -> suite::Clock {
    suite::Clock {
        advance: Box::new(|d| Box::pin(tokio::time::sleep(d))),
        lease: Duration::from_millis(600),
        slack: Duration::from_millis(100),
    }
}

const LONG: Duration = Duration::from_secs(3600);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exactly_one_of_256_concurrent_begins_starts() {
    let Some((server, store)) = setup().await else {
        return;
    };
    // Two stores, as two receivers would have: eight connections in all.
    let other = PostgresIdempotencyStore::connect(&server.config(), NoTls)
        .await
        .unwrap();
    suite::one_started(vec![Arc::new(store), Arc::new(other)], 256, 100).await;
}

#[tokio::test]
async fn a_crashed_worker_blocks_only_until_its_lease_expires() {
    let Some((_server, store)) = setup().await else {
        return;
    };
    suite::a_crashed_worker_blocks_only_until_its_lease_expires(&store, &clock()).await;
}

#[tokio::test]
async fn a_stale_owner_cannot_change_the_record() {
    let Some((_server, store)) = setup().await else {
        return;
    };
    suite::a_stale_owner_cannot_change_the_record(&store, &clock()).await;
}

#[tokio::test]
async fn a_reused_key_is_a_mismatch() {
    let Some((_server, store)) = setup().await else {
        return;
    };
    suite::a_reused_key_is_a_mismatch(&store).await;
}

#[tokio::test]
async fn results_come_back_byte_identical() {
    let Some((_server, store)) = setup().await else {
        return;
    };
    suite::results_come_back_byte_identical(&store).await;
}

#[tokio::test]
async fn retention_expiry_frees_the_key() {
    let Some((_server, store)) = setup().await else {
        return;
    };
    suite::retention_expiry_frees_the_key(&store, &clock()).await;
}

#[tokio::test]
async fn a_released_key_runs_again() {
    let Some((_server, store)) = setup().await else {
        return;
    };
    suite::a_released_key_runs_again(&store).await;
}

#[tokio::test]
async fn scopes_keep_keys_apart() {
    let Some((_server, store)) = setup().await else {
        return;
    };
    suite::scopes_keep_keys_apart(&store).await;
}

#[tokio::test]
async fn bad_arguments_are_refused() {
    let Some((_server, store)) = setup().await else {
        return;
    };
    let store = store.with_max_result_len(1000).unwrap();
    suite::bad_arguments_are_refused(&store, 1000).await;
}

#[tokio::test]
async fn run_stores_successes_and_releases_failures() {
    let Some((_server, store)) = setup().await else {
        return;
    };
    suite::run_stores_successes_and_releases_failures(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_runs_do_the_work_once() {
    let Some((_server, store)) = setup().await else {
        return;
    };
    suite::concurrent_runs_do_the_work_once(Arc::new(store), 64).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn panics_and_dropped_futures_release_the_key() {
    let Some((_server, store)) = setup().await else {
        return;
    };
    // The lease is a minute: only the detached release can free the key within two seconds.
    suite::panics_and_dropped_futures_release_the_key(Arc::new(store), async |store, key, f| {
        let deadline = Instant::now() + Duration::from_secs(2);
        loop {
            match store.begin(key, f, Duration::from_secs(60)).await.unwrap() {
                Begin::Started(_) => break,
                Begin::InProgress { .. } if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                other => panic!("not released: {other:?}"),
            }
        }
    })
    .await;
}

/// The effect the tests' work writes: one row per event, in the application's own table.
async fn effects_table(client: &Client) {
    client
        .batch_execute("CREATE TABLE IF NOT EXISTS effects (event text NOT NULL, amount int)")
        .await
        .unwrap();
}

async fn effects(client: &Client, event: &str) -> i64 {
    client
        .query_one("SELECT count(*) FROM effects WHERE event = $1", &[&event])
        .await
        .unwrap()
        .get(0)
}

async fn records(client: &Client, key: &ScopedKey) -> i64 {
    let key: &[u8] = key.as_bytes();
    client
        .query_one(
            "SELECT count(*) FROM hookseal_idempotency WHERE key = $1",
            &[&key],
        )
        .await
        .unwrap()
        .get(0)
}

/// A delivery handled the inbox way on `client`: claim, effect, record, commit. Returns what
/// `begin_in` answered (the lease consumed when it started).
async fn handle(
    store: &PostgresIdempotencyStore,
    client: &mut Client,
    key: &ScopedKey,
    event: &str,
) -> Begin {
    let tx = client.transaction().await.unwrap();
    let begin = store.begin_in(&tx, key, &fp(event), LONG).await.unwrap();
    if let Begin::Started(lease) = &begin {
        tx.execute(
            "INSERT INTO effects (event, amount) VALUES ($1, 100)",
            &[&event],
        )
        .await
        .unwrap();
        store
            .complete_in(&tx, lease, b"credited", LONG)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    begin
}

/// A worker claims an event in its transaction and writes the effect, then dies before it
/// commits (its backend is terminated, as when the worker's process or machine dies): the
/// effect and the claim are gone together, so the retry starts at once (no lease to wait out)
/// and runs once; the retry after it gets the stored result; the effect exists exactly once.
#[tokio::test]
async fn a_worker_killed_between_effect_and_commit_loses_nothing_and_repeats_nothing() {
    let Some((server, store)) = setup().await else {
        return;
    };
    let admin = client(&server).await;
    effects_table(&admin).await;
    let key = unique_key("killed");
    let event = "evt_killed";

    let mut worker = client(&server).await;
    let pid: i32 = worker
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .unwrap()
        .get(0);
    let tx = worker.transaction().await.unwrap();
    let Begin::Started(lease) = store.begin_in(&tx, &key, &fp(event), LONG).await.unwrap() else {
        panic!("a free key was not started");
    };
    tx.execute(
        "INSERT INTO effects (event, amount) VALUES ($1, 100)",
        &[&event],
    )
    .await
    .unwrap();
    // Meanwhile the claim is invisible to others, and its key waits for the worker.
    assert_eq!(records(&admin, &key).await, 0);
    assert_eq!(effects(&admin, event).await, 0);

    let killed: bool = admin
        .query_one("SELECT pg_terminate_backend($1, 5000)", &[&pid])
        .await
        .unwrap()
        .get(0);
    assert!(killed);
    // The dead worker's transaction can record nothing more.
    let err = store
        .complete_in(&tx, &lease, b"credited", LONG)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err}");
    assert!(tx.commit().await.is_err());
    drop(worker);

    assert_eq!(records(&admin, &key).await, 0, "the claim rolled back");
    assert_eq!(effects(&admin, event).await, 0, "the effect rolled back");

    // The sender's retry runs at once, and commits.
    let mut retry = client(&server).await;
    assert!(matches!(
        handle(&store, &mut retry, &key, event).await,
        Begin::Started(_)
    ));
    // The next retry, in a transaction or not, gets the stored result and does nothing.
    assert!(matches!(
        handle(&store, &mut retry, &key, event).await,
        Begin::Completed(result) if result == b"credited"
    ));
    assert!(matches!(
        store.begin(&key, &fp(event), LONG).await.unwrap(),
        Begin::Completed(result) if result == b"credited"
    ));
    assert_eq!(
        effects(&admin, event).await,
        1,
        "the effect exists exactly once"
    );

    // A worker that fails before it commits (its transaction dropped, so rolled back) frees
    // the key as well.
    let key = unique_key("dropped");
    let tx = retry.transaction().await.unwrap();
    assert!(matches!(
        store
            .begin_in(&tx, &key, &fp("evt_dropped"), LONG)
            .await
            .unwrap(),
        Begin::Started(_)
    ));
    drop(tx);
    assert!(matches!(
        handle(&store, &mut retry, &key, "evt_dropped").await,
        Begin::Started(_)
    ));
    assert_eq!(effects(&admin, "evt_dropped").await, 1);
}

/// A claim in an open transaction holds its key: a second claim waits for that transaction,
/// then answers what it left — the result if it committed, the key if it rolled back. The
/// store's own connections wait half a second and answer in progress.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_claim_waits_for_the_first_transaction() {
    let Some((server, store)) = setup().await else {
        return;
    };
    let store = Arc::new(store);
    let f = fp("wait");
    for commit in [true, false] {
        let key = unique_key("wait");
        let mut first = client(&server).await;
        let tx = first.transaction().await.unwrap();
        let Begin::Started(lease) = store.begin_in(&tx, &key, &f, LONG).await.unwrap() else {
            panic!("not started");
        };

        // Outside any transaction, the store's own connection waits out its lock timeout.
        let asked = Instant::now();
        match store.begin(&key, &f, LONG).await.unwrap() {
            Begin::InProgress { retry_after } => assert_eq!(retry_after, Duration::from_secs(1)),
            other => panic!("{other:?}"),
        }
        assert!(
            asked.elapsed() >= Duration::from_millis(400),
            "{:?}",
            asked.elapsed()
        );

        let second = {
            let (store, server_config) = (Arc::clone(&store), server.config());
            tokio::spawn(async move {
                let (mut client, connection) = server_config.connect(NoTls).await.unwrap();
                tokio::spawn(connection);
                let tx = client.transaction().await.unwrap();
                let begin = store.begin_in(&tx, &key, &f, LONG).await.unwrap();
                if let Begin::Started(lease) = &begin {
                    store
                        .complete_in(&tx, lease, b"second", LONG)
                        .await
                        .unwrap();
                }
                tx.commit().await.unwrap();
                begin
            })
        };
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(!second.is_finished(), "the second claim did not wait");

        if commit {
            store
                .complete_in(&tx, &lease, b"first", LONG)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            assert!(matches!(
                second.await.unwrap(),
                Begin::Completed(result) if result == b"first"
            ));
        } else {
            tx.rollback().await.unwrap();
            assert!(matches!(second.await.unwrap(), Begin::Started(_)));
            assert!(matches!(
                store.begin(&key, &f, LONG).await.unwrap(),
                Begin::Completed(result) if result == b"second"
            ));
        }
    }
}

/// In a transaction: a release frees the key for the next claim once committed; a completion
/// rolled back records nothing; a mismatch is a mismatch.
#[tokio::test]
async fn transactional_release_rollback_and_mismatch() {
    let Some((server, store)) = setup().await else {
        return;
    };
    let mut app = client(&server).await;
    let key = unique_key("tx");
    let f = fp("tx");

    let tx = app.transaction().await.unwrap();
    let Begin::Started(lease) = store.begin_in(&tx, &key, &f, LONG).await.unwrap() else {
        panic!("not started");
    };
    assert!(matches!(
        store.begin_in(&tx, &key, &fp("other"), LONG).await.unwrap(),
        Begin::Mismatch
    ));
    assert!(matches!(
        store.begin_in(&tx, &key, &f, LONG).await.unwrap(),
        Begin::InProgress { .. }
    ));
    store.release_in(&tx, &lease).await.unwrap();
    let err = store.release_in(&tx, &lease).await.unwrap_err();
    assert!(matches!(err, StoreError::LeaseLost), "{err}");
    tx.commit().await.unwrap();

    let tx = app.transaction().await.unwrap();
    let Begin::Started(lease) = store.begin_in(&tx, &key, &f, LONG).await.unwrap() else {
        panic!("a released key was not started");
    };
    store
        .complete_in(&tx, &lease, b"undone", LONG)
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    let Begin::Started(lease) = store.begin(&key, &f, LONG).await.unwrap() else {
        panic!("a rolled-back completion was kept");
    };
    // The lease from the rolled-back transaction holds nothing.
    store.complete(&lease, b"kept", LONG).await.unwrap();
    assert!(matches!(
        store.begin(&key, &f, LONG).await.unwrap(),
        Begin::Completed(result) if result == b"kept"
    ));
}

/// Expired rows count as absent at once, and are deleted in batches of at most the size asked,
/// oldest first; unexpired rows and rows another transaction holds stay.
#[tokio::test]
async fn purge_deletes_expired_rows_in_bounded_batches() {
    let Some((server, store)) = setup().await else {
        return;
    };
    let admin = client(&server).await;
    let short = Duration::from_millis(200);
    let f = fp("purge");
    // 15 completed with a short retention, 10 in progress with a short lease, 5 kept.
    for i in 0..30 {
        let key = unique_key("purge");
        let ttl = if i < 25 { short } else { LONG };
        let Begin::Started(lease) = store.begin(&key, &f, ttl).await.unwrap() else {
            panic!("not started");
        };
        if !(15..25).contains(&i) {
            store.complete(&lease, b"r", ttl).await.unwrap();
        }
    }
    tokio::time::sleep(short + Duration::from_millis(50)).await;

    // One expired row is held by an open transaction (a claim waiting to take it over).
    let mut holder = client(&server).await;
    let tx = holder.transaction().await.unwrap();
    tx.execute(
        "SELECT 1 FROM hookseal_idempotency WHERE expires_at <= now() LIMIT 1 FOR UPDATE",
        &[],
    )
    .await
    .unwrap();

    let count = async || -> i64 {
        admin
            .query_one("SELECT count(*) FROM hookseal_idempotency", &[])
            .await
            .unwrap()
            .get(0)
    };
    assert_eq!(count().await, 30);
    assert_eq!(store.purge_expired(10).await.unwrap(), 10);
    assert_eq!(store.purge_expired(10).await.unwrap(), 10);
    assert_eq!(store.purge_expired(10).await.unwrap(), 4);
    assert_eq!(store.purge_expired(10).await.unwrap(), 0);
    assert_eq!(count().await, 6);
    tx.rollback().await.unwrap();
    assert_eq!(store.purge_expired(10).await.unwrap(), 1);
    assert_eq!(count().await, 5);
    assert_eq!(store.purge_expired(0).await.unwrap(), 0);
}

/// Postgres stops mid-stream: every call fails closed, promptly, as 503, and the helper runs no
/// work; once it is back, the same store serves again without being rebuilt.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_mid_stream_fails_closed_then_recovers() {
    let Some((mut server, store)) = setup().await else {
        return;
    };
    let idem = Arc::new(Idempotency::new(store.clone()));
    let f = fp("restart");
    let key = unique_key("held");
    let Begin::Started(held) = store.begin(&key, &f, LONG).await.unwrap() else {
        panic!("not started");
    };

    // A stream of deliveries runs throughout, each a fresh key.
    let runs = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stream = {
        let (idem, runs, stop) = (Arc::clone(&idem), Arc::clone(&runs), Arc::clone(&stop));
        tokio::spawn(async move {
            let (mut fresh, mut refused) = (0, 0);
            while !stop.load(Ordering::Relaxed) {
                let work = async {
                    runs.fetch_add(1, Ordering::SeqCst);
                    Ok::<_, std::io::Error>(b"ok".to_vec())
                };
                match idem.run(&unique_key("stream"), &fp("stream"), work).await {
                    Ok(Processed::Fresh(_)) => fresh += 1,
                    Err(IdempotencyError::Store(StoreError::Unavailable(_))) => refused += 1,
                    // The store failed between the work and its record.
                    Err(IdempotencyError::Unrecorded { .. }) => fresh += 1,
                    other => panic!("{other:?}"),
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            (fresh, refused)
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;

    server.stop();
    let down = Instant::now();
    for _ in 0..3 {
        let started = Instant::now();
        let err = store
            .begin(&unique_key("down"), &f, LONG)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Unavailable(_)), "{err}");
        assert_eq!(
            (err.status_code(), err.retry_after(), err.code()),
            (503, Some(Duration::from_secs(5)), "store_unavailable")
        );
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );
    }
    let err = store.complete(&held, b"x", LONG).await.unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err}");
    let runs_before = runs.load(Ordering::SeqCst);
    let err = idem
        .run(&unique_key("down"), &f, async {
            unreachable!() as Result<Vec<u8>, std::io::Error>
        })
        .await
        .unwrap_err();
    assert!(
        matches!(err, IdempotencyError::Store(StoreError::Unavailable(_))),
        "{err}"
    );
    assert_eq!(err.status_code(), 503);
    tokio::time::sleep(Duration::from_millis(300)).await;
    // No work ran while the store was down (one may have begun just before).
    assert!(runs.load(Ordering::SeqCst) <= runs_before + 1);
    assert!(down.elapsed() < Duration::from_secs(10));

    server.restart();
    let deadline = Instant::now() + Duration::from_secs(15);
    let after = unique_key("after");
    loop {
        match store.begin(&after, &f, LONG).await {
            Ok(begin) => {
                assert!(matches!(begin, Begin::Started(_)), "{begin:?}");
                break;
            }
            Err(e) => {
                assert!(Instant::now() < deadline, "no recovery: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    assert!(matches!(
        store.begin(&after, &f, LONG).await.unwrap(),
        Begin::InProgress { .. }
    ));
    // The lease taken before the outage still holds its key (the record survived the restart).
    store
        .complete(&held, b"after the restart", LONG)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    let (fresh, refused) = stream.await.unwrap();
    assert!(refused > 0, "the stream never saw the outage");
    assert!(fresh > 0);
    // Every connection of the store works again.
    for _ in 0..store.connections() * 2 {
        assert!(matches!(
            store.begin(&unique_key("every"), &f, LONG).await.unwrap(),
            Begin::Started(_)
        ));
    }
}

/// The migration applies twice without harm, by `migrate` or by hand in a transaction (as a
/// migration tool would); without it, calls fail closed and say the table is missing.
#[tokio::test]
async fn the_migration_applies_twice_and_without_it_calls_fail_closed() {
    let Some(server) = PostgresServer::start() else {
        return;
    };
    let store = PostgresIdempotencyStore::connect(&server.config(), NoTls)
        .await
        .unwrap();
    assert_eq!(store.kind(), "postgres");
    let err = store
        .begin(&unique_key("no-table"), &fp("x"), LONG)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err}");
    let source = std::error::Error::source(&err).unwrap().to_string();
    assert!(source.contains("42P01"), "{source}");
    assert!(source.contains("hookseal_idempotency"), "{source}");

    let mut app = client(&server).await;
    let tx = app.transaction().await.unwrap();
    tx.batch_execute(PostgresIdempotencyStore::MIGRATION)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    store.migrate().await.unwrap();
    store.migrate().await.unwrap();
    suite::a_released_key_runs_again(&store).await;
}

/// A row the store cannot read (written by another program, past the table's checks) is a
/// typed error that fails closed, never a panic, and its message quotes nothing of the row.
#[tokio::test]
async fn an_unreadable_row_fails_closed() {
    let Some((server, store)) = setup().await else {
        return;
    };
    let admin = client(&server).await;
    admin
        .batch_execute(
            "ALTER TABLE hookseal_idempotency DROP CONSTRAINT hookseal_idempotency_state_check",
        )
        .await
        .unwrap();
    let key = unique_key("unreadable");
    let f = fp("unreadable");
    let (k, fb): (&[u8], &[u8]) = (key.as_bytes(), f.as_bytes());
    admin
        .execute(
            "INSERT INTO hookseal_idempotency VALUES ($1, $2, $3, 7, now() + interval '1 hour', NULL)",
            &[&k, &fb, &&[0_u8; 16][..]],
        )
        .await
        .unwrap();
    let err = store.begin(&key, &f, LONG).await.unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err}");
    assert_eq!(
        std::error::Error::source(&err).unwrap().to_string(),
        "unreadable idempotency record"
    );
    assert_eq!(err.status_code(), 503);
}

#[tokio::test]
async fn an_unreachable_database_is_an_error_at_connect_and_configuration_is_checked() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut config = tokio_postgres::Config::new();
    config.host("127.0.0.1").port(port).user("hookseal");
    let err = PostgresIdempotencyStore::connect(&config, NoTls)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err}");
    assert_eq!(err.status_code(), 503);

    let Some((_server, store)) = setup().await else {
        return;
    };
    assert_eq!((store.connections(), store.max_result_len()), (4, 65536));
    assert!(store.clone().with_connections(0).is_err());
    assert!(store.clone().with_connections(65).is_err());
    assert!(store.clone().with_max_result_len(0).is_err());
    assert!(
        store
            .clone()
            .with_max_result_len(512 * 1024 * 1024 + 1)
            .is_err()
    );
    let one = store.with_connections(1).unwrap();
    assert_eq!(one.connections(), 1);
    suite::a_released_key_runs_again(&one).await;
    assert!(format!("{one:?}").starts_with("PostgresIdempotencyStore"));
}

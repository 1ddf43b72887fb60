//! The conformance suite on [`RedisIdempotencyStore`], against a real `redis-server`, plus its
//! round trips, expiries and an outage.

use std::sync::Arc;
use std::time::{Duration, Instant};

use hookseal::idempotency::{
    Begin, Idempotency, IdempotencyError, IdempotencyStore, RedisIdempotencyStore, StoreError,
};

use crate::server::RedisServer;
use crate::suite::{self, fp, unique_key};

async fn setup() -> Option<(RedisServer, RedisIdempotencyStore)> {
    let server = RedisServer::start()?;
    let store = RedisIdempotencyStore::connect(&server.url()).await.unwrap();
    Some((server, store))
}

/// Real time: leases of 600 ms, and Redis expires keys within a few milliseconds of their TTL.
fn clock() -> suite::Clock {
    suite::Clock {
        advance: Box::new(|d| Box::pin(tokio::time::sleep(d))),
        lease: Duration::from_millis(600),
        slack: Duration::from_millis(100),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exactly_one_of_256_concurrent_begins_starts() {
    let Some((server, store)) = setup().await else {
        return;
    };
    // Two connections, as two receivers would have.
    let other = RedisIdempotencyStore::connect(&server.url()).await.unwrap();
    suite::one_started(vec![Arc::new(store), Arc::new(other)], 256, 200).await;
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

#[tokio::test]
async fn prefixes_keep_receivers_apart() {
    let Some((_server, store)) = setup().await else {
        return;
    };
    let other = store.clone().with_prefix("other:");
    assert_eq!(other.prefix(), b"other:");
    let key = unique_key("prefix");
    let f = fp("prefix");
    let long = Duration::from_secs(60);
    assert!(matches!(
        store.begin(&key, &f, long).await.unwrap(),
        Begin::Started(_)
    ));
    assert!(matches!(
        other.begin(&key, &f, long).await.unwrap(),
        Begin::Started(_)
    ));
}

/// Each transition is one command, `EVALSHA`; and every record carries an expiry: the lease while
/// in progress, the retention once completed.
#[tokio::test]
async fn one_round_trip_per_transition_and_every_record_expires() {
    let Some((server, store)) = setup().await else {
        return;
    };
    let client = redis::Client::open(server.url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let before = server.calls("evalsha").await;
    let loads = server.calls("script|load").await;
    assert!(loads >= 3, "the scripts are loaded when connecting");
    let (lease, retention) = (Duration::from_secs(60), Duration::from_secs(3600));
    let f = fp("round trips");
    let keys: Vec<_> = (0..20).map(|_| unique_key("round-trip")).collect();
    for (i, key) in keys.iter().enumerate() {
        let Begin::Started(held) = store.begin(key, &f, lease).await.unwrap() else {
            panic!("not started");
        };
        assert!(matches!(
            store.begin(key, &f, lease).await.unwrap(),
            Begin::InProgress { .. }
        ));
        if i % 2 == 0 {
            store.complete(&held, b"done", retention).await.unwrap();
            assert!(matches!(
                store.begin(key, &f, lease).await.unwrap(),
                Begin::Completed(_)
            ));
        } else {
            store.release(&held).await.unwrap();
            let Begin::Started(_) = store.begin(key, &f, lease).await.unwrap() else {
                panic!("not started after release");
            };
        }
    }
    // Four transitions per key.
    assert_eq!(server.calls("evalsha").await - before, 4 * 20);
    assert_eq!(server.calls("eval").await, 0);
    assert_eq!(server.calls("script|load").await, loads);

    let stored: Vec<Vec<u8>> = redis::cmd("KEYS")
        .arg("hookseal:idem:*")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(stored.len(), 20);
    for key in stored {
        let pttl: i64 = redis::cmd("PTTL")
            .arg(&key)
            .query_async(&mut conn)
            .await
            .unwrap();
        let value: Vec<u8> = redis::cmd("GET")
            .arg(&key)
            .query_async(&mut conn)
            .await
            .unwrap();
        match value.first() {
            Some(b'c') => assert!((3_590_000..=3_600_000).contains(&pttl), "{pttl}"),
            Some(b'p') => assert!((50_000..=60_000).contains(&pttl), "{pttl}"),
            other => panic!("record state {other:?}"),
        }
    }
}

/// The server stops: every call fails closed, promptly, as 503; once it is back (having lost
/// its scripts), the same store works again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_fails_closed_and_the_store_recovers() {
    let Some((mut server, store)) = setup().await else {
        return;
    };
    let f = fp("outage");
    let long = Duration::from_secs(60);
    let key = unique_key("outage");
    let Begin::Started(held) = store.begin(&key, &f, long).await.unwrap() else {
        panic!("not started");
    };
    server.stop();
    let started = Instant::now();
    let err = store
        .begin(&unique_key("down"), &f, long)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err}");
    assert_eq!(
        (err.status_code(), err.retry_after()),
        (503, Some(Duration::from_secs(5)))
    );
    let err = store.complete(&held, b"x", long).await.unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );

    // The helper refuses to run work it cannot protect.
    let idem = Idempotency::new(store.clone());
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

    server.restart();
    let deadline = Instant::now() + Duration::from_secs(15);
    let after = unique_key("after");
    loop {
        match store.begin(&after, &f, long).await {
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
        store.begin(&after, &f, long).await.unwrap(),
        Begin::InProgress { .. }
    ));
}

#[tokio::test]
async fn an_unreachable_server_is_an_error_at_connect() {
    let err = RedisIdempotencyStore::connect(&crate::server::unreachable_url())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err}");
    assert!(RedisIdempotencyStore::connect("not a url").await.is_err());
}

/// A server that evicts keys under memory pressure is refused at connect (a completed record
/// evicted would run its work again), unless the caller opts in; one that forbids `CONFIG` is
/// accepted, its policy unknown.
#[tokio::test]
async fn an_evicting_server_is_refused_at_connect() {
    use hookseal::RedisOptions;

    let Some(server) = RedisServer::start_with(&["--maxmemory-policy", "volatile-lru"]) else {
        return;
    };
    let err = RedisIdempotencyStore::connect(&server.url())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::EvictingStore { policy } if &**policy == "volatile-lru"),
        "{err}"
    );
    assert_eq!(err.status_code(), 500);
    let options = RedisOptions::new().allow_eviction();
    let store = RedisIdempotencyStore::connect_with(&server.url(), &options)
        .await
        .unwrap();
    suite::a_released_key_runs_again(&store).await;

    let Some(server) = RedisServer::start_with(&["--rename-command", "CONFIG", ""]) else {
        return;
    };
    let store = RedisIdempotencyStore::connect(&server.url()).await.unwrap();
    suite::a_released_key_runs_again(&store).await;
}

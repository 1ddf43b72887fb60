//! The conformance suite on [`RedisIdempotencyStore`] against a real three-master Redis Cluster
//! (and a Valkey cluster where `valkey-server` is installed), and a master killed mid-stream.
//!
//! The suite's cases run at once against one cluster, each on its own keys, which spread over
//! every master. The races are fewer rounds than on one node: the machine runs three servers
//! and the client on two cores.

use std::sync::Arc;
use std::time::{Duration, Instant};

use hookseal::RedisOptions;
use hookseal::idempotency::{
    Begin, Fingerprint, IdempotencyStore, RedisIdempotencyStore, ScopedKey, StoreError,
};

use crate::cluster::{Cluster, Flavor};
use crate::suite::{self, fp, unique_key};

/// Real time, as on one node.
fn clock() -> suite::Clock {
    suite::Clock {
        advance: Box::new(|d| Box::pin(tokio::time::sleep(d))),
        lease: Duration::from_millis(600),
        slack: Duration::from_millis(100),
    }
}

async fn connect(cluster: &Cluster) -> RedisIdempotencyStore {
    RedisIdempotencyStore::connect_cluster(cluster.urls(), &RedisOptions::new())
        .await
        .unwrap()
}

/// The key a record is stored under, as `redis-cli` shows it.
fn stored_key(key: &ScopedKey) -> String {
    format!("hookseal:idem:{}", hex::encode(key.as_bytes()))
}

const LONG: Duration = Duration::from_secs(3600);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_suite_passes_on_a_redis_cluster() {
    the_suite_passes_on_a_cluster(Flavor::Redis).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_suite_passes_on_a_valkey_cluster() {
    the_suite_passes_on_a_cluster(Flavor::Valkey).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_master_killed_mid_stream_fails_closed_then_recovers() {
    a_master_killed_mid_stream_fails_closed_then_recovers(Flavor::Redis).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_valkey_master_killed_mid_stream_fails_closed_then_recovers() {
    a_master_killed_mid_stream_fails_closed_then_recovers(Flavor::Valkey).await;
}

/// Waits (two seconds at most) until `key` is free again: a detached release has landed.
async fn released(store: &RedisIdempotencyStore, key: &ScopedKey, f: &Fingerprint) {
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
}

async fn the_suite_passes_on_a_cluster(flavor: Flavor) {
    let Some(cluster) = Cluster::start(flavor, 0) else {
        return;
    };
    let store = connect(&cluster).await;
    // Another connection, as another receiver would have.
    let other = connect(&cluster).await;
    let small = store.clone().with_max_result_len(1000).unwrap();
    let clock = clock();
    tokio::join!(
        suite::one_started(vec![Arc::new(store.clone()), Arc::new(other)], 256, 60),
        suite::a_crashed_worker_blocks_only_until_its_lease_expires(&store, &clock),
        suite::a_stale_owner_cannot_change_the_record(&store, &clock),
        suite::a_reused_key_is_a_mismatch(&store),
        suite::results_come_back_byte_identical(&store),
        suite::retention_expiry_frees_the_key(&store, &clock),
        suite::a_released_key_runs_again(&store),
        suite::scopes_keep_keys_apart(&store),
        suite::bad_arguments_are_refused(&small, 1000),
        suite::run_stores_successes_and_releases_failures(store.clone()),
        suite::concurrent_runs_do_the_work_once(Arc::new(store.clone()), 64),
        suite::panics_and_dropped_futures_release_the_key(Arc::new(store.clone()), released),
    );
    assert_eq!(cluster.calls("eval"), 0);

    // Records spread over every master, each under the prefix and the key in hex, with its
    // expiry.
    let f = fp("spread");
    let keys: Vec<ScopedKey> = (0..300).map(|_| unique_key("spread")).collect();
    let before_first = Instant::now();
    for key in &keys {
        let Begin::Started(lease) = store.begin(key, &f, LONG).await.unwrap() else {
            panic!("not started");
        };
        store.complete(&lease, b"done", LONG).await.unwrap();
    }
    let mut owners: Vec<u16> = keys
        .iter()
        .map(|k| cluster.master_of(stored_key(k).as_bytes()))
        .collect();
    owners.sort_unstable();
    owners.dedup();
    assert_eq!(owners, {
        let mut masters = cluster.masters();
        masters.sort_unstable();
        masters
    });
    let owner = cluster.master_of(stored_key(&keys[0]).as_bytes());
    let pttl: u64 = cluster
        .cli(owner, &["PTTL", &stored_key(&keys[0])])
        .trim()
        .parse()
        .unwrap();
    // The full TTL, less at most the time since just before the first record was written (600
    // `redis-cli` runs above, slow on a loaded machine).
    let since = u64::try_from(before_first.elapsed().as_millis()).unwrap();
    let full = u64::try_from(LONG.as_millis()).unwrap();
    assert!(
        pttl <= full && pttl + since + 1 >= full,
        "{pttl} ms left, {since} ms since"
    );

    // `SCRIPT FLUSH` on every node mid-stream: every call still succeeds, the scripts loaded
    // again where they were lost.
    let loads = cluster.calls("script|load");
    for i in 0..200 {
        if i == 50 {
            cluster.on_every_node(&["SCRIPT", "FLUSH"]);
        }
        let key = unique_key("flushed");
        let Begin::Started(lease) = store.begin(&key, &f, LONG).await.unwrap() else {
            panic!("not started");
        };
        store.complete(&lease, b"done", LONG).await.unwrap();
        assert!(matches!(
            store.begin(&key, &f, LONG).await.unwrap(),
            Begin::Completed(result) if result == b"done"
        ));
    }
    assert!(
        cluster.calls("script|load") > loads,
        "no script was loaded again"
    );
}

/// A master is killed while calls stream in: calls on its slots fail closed (503), never a wrong
/// answer; once its replica is promoted they succeed again. Records completed (and replicated)
/// before the kill are still completed after it: no delivery runs twice.
async fn a_master_killed_mid_stream_fails_closed_then_recovers(flavor: Flavor) {
    let Some(mut cluster) = Cluster::start(flavor, 1) else {
        return;
    };
    let store = Arc::new(connect(&cluster).await);
    let f = fp("failover");
    let before: Vec<ScopedKey> = (0..300).map(|_| unique_key("before-kill")).collect();
    for key in &before {
        let Begin::Started(lease) = store.begin(key, &f, LONG).await.unwrap() else {
            panic!("not started");
        };
        store.complete(&lease, b"paid", LONG).await.unwrap();
    }
    cluster.wait_for_replicas(Duration::from_secs(5));

    // The eviction check reads every node the cluster lists, replicas included.
    cluster.wait_until_replicas_listed(Duration::from_secs(10));
    let replica = cluster.replicas()[0];
    cluster.cli(
        replica,
        &["CONFIG", "SET", "maxmemory-policy", "volatile-lru"],
    );
    let err = RedisIdempotencyStore::connect_cluster(cluster.urls(), &RedisOptions::new())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::EvictingStore { policy } if &**policy == "volatile-lru"),
        "{err}"
    );
    cluster.cli(
        replica,
        &["CONFIG", "SET", "maxmemory-policy", "noeviction"],
    );

    let victim = cluster.master_of(stored_key(&before[0]).as_bytes());
    let on_victim: Vec<ScopedKey> = before
        .iter()
        .filter(|k| cluster.master_of(stored_key(k).as_bytes()) == victim)
        .copied()
        .collect();
    assert!(on_victim.len() > 50, "{}", on_victim.len());

    let stream = {
        let store = Arc::clone(&store);
        tokio::spawn(async move {
            let f = fp("failover");
            let (mut failed, mut succeeded_after_failure) = (0_u32, 0_u32);
            let deadline = Instant::now() + Duration::from_secs(30);
            for i in 0.. {
                assert!(Instant::now() < deadline, "no recovery in 30 s");
                let old = &on_victim[i % on_victim.len()];
                match store.begin(old, &f, LONG).await {
                    Ok(Begin::Completed(result)) => {
                        assert_eq!(result, b"paid");
                        if failed > 0 {
                            succeeded_after_failure += 1;
                        }
                    }
                    Ok(other) => panic!("a record completed before the kill was {other:?}"),
                    Err(e) => {
                        assert!(matches!(e, StoreError::Unavailable(_)), "{e}");
                        assert_eq!((e.status_code(), e.code()), (503, "store_unavailable"));
                        failed += 1;
                    }
                }
                match store.begin(&unique_key("during"), &f, LONG).await {
                    Ok(Begin::Started(lease)) => {
                        if let Err(e) = store.complete(&lease, b"x", LONG).await {
                            assert!(matches!(e, StoreError::Unavailable(_)), "{e}");
                        }
                    }
                    // A reply lost to the outage after the server acted is in progress later.
                    Ok(Begin::InProgress { .. }) => {}
                    Ok(other) => panic!("a fresh key was {other:?}"),
                    Err(e) => assert!(matches!(e, StoreError::Unavailable(_)), "{e}"),
                }
                if succeeded_after_failure >= 50 {
                    return failed;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            unreachable!()
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    cluster.kill(victim);
    let failed = stream.await.unwrap();
    assert!(failed > 0, "no call met the dead master");

    cluster.wait_until_ok(Duration::from_secs(20));
    assert!(!cluster.masters().contains(&victim));
    for key in &before {
        assert!(matches!(
            store.begin(key, &f, LONG).await.unwrap(),
            Begin::Completed(result) if result == b"paid"
        ));
    }
    let key = unique_key("after");
    assert!(matches!(
        store.begin(&key, &f, LONG).await.unwrap(),
        Begin::Started(_)
    ));
}

//! The conformance suite on [`RedisReplayCache`] against a real three-master Redis Cluster (and a
//! Valkey cluster where `valkey-server` is installed), and a master killed mid-stream.
//!
//! The suite's cases run at once against one cluster, each on its own keys, which spread over
//! every master.

use std::sync::Arc;
use std::time::{Duration, Instant};

use hookseal::replay::{FreshError, RedisReplayCache, ReplayCache, Reserve, StoreError};
use hookseal::{RedisOptions, ReplayKey, Timestamp};

use crate::cluster::{Cluster, Flavor};
use crate::suite::{self, LONG, reserve, state, unique_key};

/// The longest TTL the cache writes.
const MAX_TTL: Duration = Duration::from_secs(400 * 24 * 3600);

/// Real time, as on one node.
fn time() -> suite::Time {
    suite::Time {
        advance: Box::new(|d| Box::pin(tokio::time::sleep(d))),
        lease: Duration::from_millis(400),
        ttl: Duration::from_millis(600),
        slack: Duration::from_millis(150),
    }
}

async fn connect(cluster: &Cluster) -> RedisReplayCache {
    RedisReplayCache::connect_cluster(cluster.urls(), &RedisOptions::new())
        .await
        .unwrap()
}

/// The key a replay key is stored under, as `redis-cli` shows it.
fn stored_key(key: &ReplayKey) -> String {
    format!("hookseal:replay:{}", hex::encode(key.as_bytes()))
}

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

async fn the_suite_passes_on_a_cluster(flavor: Flavor) {
    let Some(cluster) = Cluster::start(flavor, 0) else {
        return;
    };
    let cache = connect(&cluster).await;
    // Another connection, as another receiver would have.
    let other = connect(&cluster).await;
    let evalsha = cluster.calls("evalsha");
    let now = Timestamp::from_unix_secs(1_700_000_000);
    let time = time();
    tokio::join!(
        suite::reserved_in_progress_then_replayed(&cache),
        suite::a_released_key_runs_again(&cache),
        suite::a_dead_workers_lease_ends(&cache, &time),
        suite::a_late_worker_changes_nothing(&cache, &time),
        suite::a_committed_key_expires_after_its_ttl(&cache, &time),
        suite::bad_ttls_are_refused(&cache, MAX_TTL),
        suite::a_dropped_pending_releases(&cache, Duration::from_millis(200)),
        suite::edited_captures_are_still_replays(&cache, now),
        suite::one_winner(vec![Arc::new(cache.clone()), Arc::new(other)], 256, 100),
        suite::distinct_keys_are_fresh(Arc::new(cache.clone()), 30_000, 64),
    );
    // The scripts were loaded at connect and run by hash: no script was sent in full.
    assert!(cluster.calls("evalsha") - evalsha > 30_000);
    assert_eq!(cluster.calls("eval"), 0);

    // The keys spread over every master, each readable as the prefix and the key in hex.
    let masters = cluster.masters();
    assert_eq!(masters.len(), 3);
    for &master in &masters {
        let keys: u64 = cluster.cli(master, &["DBSIZE"]).trim().parse().unwrap();
        assert!(keys > 5_000, "{master} holds {keys} keys");
    }
    let key = unique_key("readable");
    let reservation = reserve(&cache, &key, LONG).await;
    cache.commit(&reservation, LONG).await.unwrap();
    let owner = cluster.master_of(stored_key(&key).as_bytes());
    assert_eq!(cluster.cli(owner, &["GET", &stored_key(&key)]).trim(), "c");
    let pttl: u64 = cluster
        .cli(owner, &["PTTL", &stored_key(&key)])
        .trim()
        .parse()
        .unwrap();
    assert!((590_000..=600_000).contains(&pttl), "{pttl}");

    scripts_lost_mid_stream_are_sent_again(&cluster, &cache).await;
    a_full_master_fails_closed_for_its_keys_only(&cluster, &cache).await;
}

/// `SCRIPT FLUSH` on every node mid-stream (as a restart or a failover to a fresh node would):
/// every call still succeeds, the cache sending the script in full where it was lost.
async fn scripts_lost_mid_stream_are_sent_again(cluster: &Cluster, cache: &RedisReplayCache) {
    let loads = cluster.calls("script|load");
    for i in 0..300 {
        if i == 100 {
            cluster.on_every_node(&["SCRIPT", "FLUSH"]);
        }
        let key = unique_key("flushed");
        let reservation = reserve(cache, &key, LONG).await;
        cache.commit(&reservation, LONG).await.unwrap();
        assert_eq!(state(cache, &key).await, "replayed");
    }
    assert!(
        cluster.calls("script|load") > loads,
        "no script was loaded again"
    );
}

/// A cluster's capacity is each master's `maxmemory`. With `noeviction` a full master refuses
/// writes: the keys in its slots fail closed (503), the other masters' keys work on, and no key
/// is ever answered as seen when it was not.
async fn a_full_master_fails_closed_for_its_keys_only(cluster: &Cluster, cache: &RedisReplayCache) {
    let full = cluster.masters()[0];
    // Far below what it already holds: every new key there is refused.
    assert!(
        cluster
            .cli(full, &["CONFIG", "SET", "maxmemory", "1mb"])
            .starts_with("OK")
    );
    let (mut refused, mut reserved_elsewhere) = (0, 0);
    for _ in 0..300 {
        let key = unique_key("full");
        let on_full = cluster.master_of(stored_key(&key).as_bytes()) == full;
        match cache.reserve(&key, LONG).await {
            Ok(Reserve::Reserved(r)) => {
                assert!(!on_full, "a full master took a key");
                cache.commit(&r, LONG).await.unwrap();
                reserved_elsewhere += 1;
            }
            Ok(other) => panic!("a fresh key was {other:?}"),
            Err(e) => {
                assert!(on_full, "a master with room refused: {e}");
                assert!(matches!(e, StoreError::Unavailable(_)), "{e}");
                assert_eq!(FreshError::Store(e).status_code(), 503);
                refused += 1;
            }
        }
    }
    assert!(
        refused > 50 && reserved_elsewhere > 100,
        "{refused} {reserved_elsewhere}"
    );
    cluster.cli(full, &["CONFIG", "SET", "maxmemory", "0"]);
}

/// A master is killed while calls stream in: calls on its slots fail closed (503), never a wrong
/// answer; once its replica is promoted they succeed again. Keys committed (and replicated)
/// before the kill are still replays after it: the failover accepts none of them again.
async fn a_master_killed_mid_stream_fails_closed_then_recovers(flavor: Flavor) {
    let Some(mut cluster) = Cluster::start(flavor, 1) else {
        return;
    };
    let cache = Arc::new(connect(&cluster).await);
    let before: Vec<ReplayKey> = (0..300).map(|_| unique_key("before-kill")).collect();
    for key in &before {
        let reservation = reserve(&*cache, key, LONG).await;
        cache.commit(&reservation, LONG).await.unwrap();
    }
    cluster.wait_for_replicas(Duration::from_secs(5));

    // The eviction check reads every node the cluster lists, replicas included (one may be
    // promoted).
    cluster.wait_until_replicas_listed(Duration::from_secs(10));
    let replica = cluster.replicas()[0];
    cluster.cli(
        replica,
        &["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"],
    );
    let err = RedisReplayCache::connect_cluster(cluster.urls(), &RedisOptions::new())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::EvictingStore { policy } if &**policy == "allkeys-lru"),
        "{err}"
    );
    cluster.cli(
        replica,
        &["CONFIG", "SET", "maxmemory-policy", "noeviction"],
    );

    let victim = cluster.master_of(stored_key(&before[0]).as_bytes());
    let on_victim: Vec<ReplayKey> = before
        .iter()
        .filter(|k| cluster.master_of(stored_key(k).as_bytes()) == victim)
        .copied()
        .collect();
    assert!(on_victim.len() > 50, "{}", on_victim.len());

    // A stream of calls: a fresh key, then one reserved before the kill, over and over.
    let stream = {
        let cache = Arc::clone(&cache);
        let on_victim = on_victim.clone();
        tokio::spawn(async move {
            let (mut failed, mut succeeded_after_failure) = (0_u32, 0_u32);
            let deadline = Instant::now() + Duration::from_secs(30);
            for i in 0.. {
                assert!(Instant::now() < deadline, "no recovery in 30 s");
                let old = &on_victim[i % on_victim.len()];
                match cache.reserve(old, LONG).await {
                    Ok(Reserve::Replayed) => {
                        if failed > 0 {
                            succeeded_after_failure += 1;
                        }
                    }
                    Ok(other) => panic!("a key committed before the kill was {other:?}"),
                    Err(e) => {
                        assert!(matches!(e, StoreError::Unavailable(_)), "{e}");
                        assert_eq!(FreshError::Store(e).status_code(), 503);
                        failed += 1;
                    }
                }
                match cache.reserve(&unique_key("during"), LONG).await {
                    Ok(Reserve::Reserved(r)) => {
                        // The commit may meet the outage too; it fails closed then.
                        if let Err(e) = cache.commit(&r, LONG).await {
                            assert!(matches!(e, StoreError::Unavailable(_)), "{e}");
                        }
                    }
                    // A reply lost to the outage after the server acted is in progress later.
                    Ok(Reserve::InProgress { .. }) => {}
                    Ok(Reserve::Replayed) => panic!("a fresh key was a replay"),
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

    // The replica took over, and holds every key committed before the kill.
    cluster.wait_until_ok(Duration::from_secs(20));
    assert!(!cluster.masters().contains(&victim));
    for key in &before {
        assert_eq!(state(&*cache, key).await, "replayed");
    }
    let key = unique_key("after");
    let reservation = reserve(&*cache, &key, LONG).await;
    cache.commit(&reservation, LONG).await.unwrap();
    assert_eq!(state(&*cache, &key).await, "replayed");
}

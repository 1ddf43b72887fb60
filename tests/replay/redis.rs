//! The conformance suite on [`RedisReplayCache`], against a real `redis-server`, plus its round
//! trips, its eviction-policy check and an outage.

use std::sync::Arc;
use std::time::{Duration, Instant};

use hookseal::dangerous::FailOpen;
use hookseal::replay::{FreshError, RedisReplayCache, ReplayCache, Reserve, StoreError};
use hookseal::{RedisOptions, Timestamp};

use crate::server::RedisServer;
use crate::suite::{self, LONG, reserve, state, unique_key};

async fn setup() -> Option<(RedisServer, RedisReplayCache)> {
    let server = RedisServer::start()?;
    let cache = RedisReplayCache::connect(&server.url()).await.unwrap();
    Some((server, cache))
}

/// Real time: leases and TTLs of a few hundred milliseconds; Redis expires keys within a few
/// milliseconds of their TTL.
fn time() -> suite::Time {
    suite::Time {
        advance: Box::new(|d| Box::pin(tokio::time::sleep(d))),
        lease: Duration::from_millis(400),
        ttl: Duration::from_millis(600),
        slack: Duration::from_millis(150),
    }
}

/// The longest TTL the cache writes.
const MAX_TTL: Duration = Duration::from_secs(400 * 24 * 3600);

#[tokio::test]
async fn reserved_in_progress_then_replayed() {
    let Some((_server, cache)) = setup().await else {
        return;
    };
    suite::reserved_in_progress_then_replayed(&cache).await;
}

#[tokio::test]
async fn a_released_key_runs_again() {
    let Some((_server, cache)) = setup().await else {
        return;
    };
    suite::a_released_key_runs_again(&cache).await;
}

#[tokio::test]
async fn a_dead_workers_lease_ends() {
    let Some((_server, cache)) = setup().await else {
        return;
    };
    suite::a_dead_workers_lease_ends(&cache, &time()).await;
}

#[tokio::test]
async fn a_late_worker_changes_nothing() {
    let Some((_server, cache)) = setup().await else {
        return;
    };
    suite::a_late_worker_changes_nothing(&cache, &time()).await;
}

#[tokio::test]
async fn a_committed_key_expires_after_its_ttl() {
    let Some((_server, cache)) = setup().await else {
        return;
    };
    suite::a_committed_key_expires_after_its_ttl(&cache, &time()).await;
}

#[tokio::test]
async fn bad_ttls_are_refused() {
    let Some((_server, cache)) = setup().await else {
        return;
    };
    suite::bad_ttls_are_refused(&cache, MAX_TTL).await;
}

/// A TTL the store would not honour is refused before any call: with the server gone, the answer
/// is still the TTL's error, not an outage.
#[tokio::test]
async fn bad_ttls_are_refused_before_any_call() {
    let Some((mut server, cache)) = setup().await else {
        return;
    };
    let key = unique_key("ttl-offline");
    let reservation = reserve(&cache, &key, LONG).await;
    let sets = server.calls("evalsha").await;
    server.stop();
    for lease in [
        Duration::ZERO,
        Duration::from_micros(999),
        MAX_TTL + Duration::from_secs(1),
    ] {
        let err = cache.reserve(&key, lease).await.unwrap_err();
        assert!(
            matches!(err, StoreError::InvalidTtl { max } if max == MAX_TTL),
            "{err}"
        );
        let err = cache.commit(&reservation, lease).await.unwrap_err();
        assert!(
            matches!(err, StoreError::InvalidTtl { max } if max == MAX_TTL),
            "{err}"
        );
    }
    server.restart();
    // The restarted server saw none of them (its counters start again from zero).
    assert!(sets > 0);
    assert_eq!(server.calls("evalsha").await, 0);
}

#[tokio::test]
async fn a_dropped_pending_releases_from_a_task() {
    let Some((_server, cache)) = setup().await else {
        return;
    };
    suite::a_dropped_pending_releases(&cache, Duration::from_millis(200)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exactly_one_of_256_concurrent_reservations_over_1000_rounds() {
    let Some((server, cache)) = setup().await else {
        return;
    };
    // Two connections, as two receivers would have.
    let other = RedisReplayCache::connect(&server.url()).await.unwrap();
    suite::one_winner(vec![Arc::new(cache), Arc::new(other)], 256, 1000).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_thousand_distinct_keys_are_fresh() {
    let Some((_server, cache)) = setup().await else {
        return;
    };
    suite::distinct_keys_are_fresh(Arc::new(cache), 100_000, 64).await;
}

#[tokio::test]
async fn edited_captures_are_still_replays() {
    let Some((_server, cache)) = setup().await else {
        return;
    };
    let now = Timestamp::from_unix_secs(1_700_000_000);
    suite::edited_captures_are_still_replays(&cache, now).await;
}

#[tokio::test]
async fn prefixes_keep_receivers_apart() {
    let Some((_server, cache)) = setup().await else {
        return;
    };
    let other = cache.clone().with_prefix("other:");
    let key = unique_key("prefix");
    let reservation = reserve(&cache, &key, LONG).await;
    cache.commit(&reservation, LONG).await.unwrap();
    assert_eq!(state(&other, &key).await, "reserved");
    assert_eq!(state(&cache, &key).await, "replayed");
    // A reservation made under one prefix settles nothing under another.
    let theirs = reserve(&other, &key, LONG).await;
    assert!(matches!(
        cache.release(&theirs).await.unwrap_err(),
        StoreError::LeaseLost
    ));
    assert_eq!(other.prefix(), b"other:");
}

/// The server stops mid-stream: every step fails closed (promptly, as errors), and once it is
/// back the same cache object works again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_fails_closed_and_the_cache_recovers() {
    let Some((mut server, cache)) = setup().await else {
        return;
    };
    let before = unique_key("before");
    let held = reserve(&cache, &before, LONG).await;

    server.stop();
    for _ in 0..5 {
        let started = Instant::now();
        let err = cache
            .reserve(&unique_key("outage"), LONG)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Unavailable(_)), "{err}");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "a step hung for {:?}",
            started.elapsed()
        );
        let fresh = FreshError::Store(err);
        assert_eq!(fresh.status_code(), 503);
        assert_eq!(fresh.retry_after(), Some(Duration::from_secs(5)));
    }
    let err = cache.commit(&held, LONG).await.unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err}");
    // Fail-open is a named choice, and counted.
    let open = FailOpen::new(cache.clone());
    let key = unique_key("fail-open");
    let granted = reserve(&open, &key, LONG).await;
    assert_eq!(open.opened(), 1);
    open.commit(&granted, LONG).await.unwrap();

    server.restart();
    let deadline = Instant::now() + Duration::from_secs(15);
    let after = unique_key("after");
    let reservation = loop {
        match cache.reserve(&after, LONG).await {
            Ok(Reserve::Reserved(reservation)) => break reservation,
            Ok(other) => panic!("a fresh key was {other:?}"),
            Err(e) => {
                assert!(Instant::now() < deadline, "no recovery: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    cache.commit(&reservation, LONG).await.unwrap();
    assert_eq!(state(&cache, &after).await, "replayed");
    assert_eq!(state(&open, &after).await, "replayed");
    assert_eq!(open.opened(), 1);
}

#[tokio::test]
async fn an_unreachable_server_is_an_error_at_connect() {
    let err = RedisReplayCache::connect(&crate::server::unreachable_url())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err}");
    let err = RedisReplayCache::connect("not a url").await.unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err}");
}

/// A server that evicts keys under memory pressure is refused at connect, unless the caller opts
/// in; one that forbids `CONFIG` (as managed services do) is accepted, its policy unknown.
#[tokio::test]
async fn an_evicting_server_is_refused_at_connect() {
    for policy in ["allkeys-lru", "volatile-ttl", "allkeys-random"] {
        let Some(server) = RedisServer::start_with(&["--maxmemory-policy", policy]) else {
            return;
        };
        let err = RedisReplayCache::connect(&server.url()).await.unwrap_err();
        assert!(
            matches!(&err, StoreError::EvictingStore { policy: p } if &**p == policy),
            "{err}"
        );
        assert_eq!(err.status_code(), 500);
        let options = RedisOptions::new().allow_eviction();
        let cache = RedisReplayCache::connect_with(&server.url(), &options)
            .await
            .unwrap();
        suite::reserved_in_progress_then_replayed(&cache).await;
    }
    let Some(server) = RedisServer::start_with(&["--rename-command", "CONFIG", ""]) else {
        return;
    };
    let cache = RedisReplayCache::connect(&server.url()).await.unwrap();
    suite::reserved_in_progress_then_replayed(&cache).await;
}

/// Each step is one round trip: a reservation, a commit and a release one `EVALSHA` each. Every
/// key carries its TTL.
#[tokio::test]
async fn one_round_trip_per_step() {
    let Some((server, cache)) = setup().await else {
        return;
    };
    let url = server.url();
    let before = server.calls("evalsha").await;
    let keys: Vec<_> = (0..50).map(|_| unique_key("round-trip")).collect();
    for key in &keys {
        let first = reserve(&cache, key, LONG).await;
        cache.release(&first).await.unwrap();
        let second = reserve(&cache, key, LONG).await;
        cache.commit(&second, LONG).await.unwrap();
        assert!(matches!(
            cache.reserve(key, LONG).await.unwrap(),
            Reserve::Replayed
        ));
    }
    assert_eq!(server.calls("evalsha").await - before, 50 * 5);
    // No script was sent in full, nor loaded again: the scripts were loaded once, at connect.
    assert_eq!(server.calls("eval").await, 0);
    assert_eq!(server.calls("script|load").await, 3);
    let client = redis::Client::open(url.as_str()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    // The key in `redis-cli`: the prefix, then the replay key in hex.
    let redis_key = format!("hookseal:replay:{}", hex::encode(keys[0].as_bytes()));
    let pttl: i64 = redis::cmd("PTTL")
        .arg(&redis_key)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!((590_000..=600_000).contains(&pttl), "{pttl}");
    // A reservation carries its lease.
    let held = unique_key("round-trip-held");
    let _reservation = reserve(&cache, &held, Duration::from_secs(30)).await;
    let redis_key = format!("hookseal:replay:{}", hex::encode(held.as_bytes()));
    let pttl: i64 = redis::cmd("PTTL")
        .arg(&redis_key)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!((29_000..=30_000).contains(&pttl), "{pttl}");
}

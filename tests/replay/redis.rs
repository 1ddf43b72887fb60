//! The conformance suite on [`RedisReplayCache`], against a real `redis-server`, plus an outage.

use std::sync::Arc;
use std::time::{Duration, Instant};

use hookseal::Timestamp;
use hookseal::replay::{FailOpen, FreshError, Outcome, RedisReplayCache, ReplayCache, ReplayError};

use crate::server::RedisServer;
use crate::suite;

const TTL: Duration = Duration::from_secs(600);

async fn setup() -> Option<(RedisServer, RedisReplayCache)> {
    let server = RedisServer::start()?;
    let cache = RedisReplayCache::connect(&server.url()).await.unwrap();
    Some((server, cache))
}

#[tokio::test]
async fn fresh_then_replayed() {
    let Some((_server, cache)) = setup().await else {
        return;
    };
    suite::fresh_then_replayed(&cache, TTL).await;
}

#[tokio::test]
async fn expiry_with_a_short_real_ttl() {
    let Some((_server, cache)) = setup().await else {
        return;
    };
    let ttl = Duration::from_millis(300);
    suite::expiry(
        &cache,
        ttl,
        async || tokio::time::sleep(Duration::from_millis(100)).await,
        async || tokio::time::sleep(Duration::from_millis(400)).await,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exactly_one_winner_of_256_over_1000_rounds() {
    let Some((_server, cache)) = setup().await else {
        return;
    };
    suite::one_winner(Arc::new(cache), 256, 1000, TTL).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_thousand_distinct_keys_are_fresh() {
    let Some((_server, cache)) = setup().await else {
        return;
    };
    suite::distinct_keys_are_fresh(Arc::new(cache), 100_000, 64, TTL).await;
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
    let key = suite::unique_key("prefix");
    assert_eq!(
        cache.insert_if_absent(&key, TTL).await.unwrap(),
        Outcome::Fresh
    );
    assert_eq!(
        other.insert_if_absent(&key, TTL).await.unwrap(),
        Outcome::Fresh
    );
    assert_eq!(
        other.insert_if_absent(&key, TTL).await.unwrap(),
        Outcome::Replayed
    );
    assert_eq!(other.prefix(), b"other:");
}

/// The server stops mid-stream: checks fail closed (promptly, as errors), and once it is back the
/// same cache object works again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_fails_closed_and_the_cache_recovers() {
    let Some((mut server, cache)) = setup().await else {
        return;
    };
    let before = suite::unique_key("before");
    assert_eq!(
        cache.insert_if_absent(&before, TTL).await.unwrap(),
        Outcome::Fresh
    );

    server.stop();
    for _ in 0..5 {
        let started = Instant::now();
        let err = cache
            .insert_if_absent(&suite::unique_key("outage"), TTL)
            .await
            .unwrap_err();
        assert!(matches!(err, ReplayError::Unavailable(_)), "{err}");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "a check hung for {:?}",
            started.elapsed()
        );
        let fresh = FreshError::Store(err);
        assert_eq!(fresh.status_code(), 503);
        assert_eq!(fresh.retry_after(), Some(Duration::from_secs(5)));
    }
    // Fail-open is a named choice, and counted.
    let open = FailOpen::new(cache.clone());
    let key = suite::unique_key("fail-open");
    assert_eq!(
        open.insert_if_absent(&key, TTL).await.unwrap(),
        Outcome::Fresh
    );
    assert_eq!(open.opened(), 1);

    server.restart();
    let deadline = Instant::now() + Duration::from_secs(15);
    let after = suite::unique_key("after");
    loop {
        match cache.insert_if_absent(&after, TTL).await {
            Ok(outcome) => {
                assert_eq!(outcome, Outcome::Fresh);
                break;
            }
            Err(e) => {
                assert!(Instant::now() < deadline, "no recovery: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    assert_eq!(
        cache.insert_if_absent(&after, TTL).await.unwrap(),
        Outcome::Replayed
    );
    assert_eq!(
        open.insert_if_absent(&after, TTL).await.unwrap(),
        Outcome::Replayed
    );
    assert_eq!(open.opened(), 1);
}

#[tokio::test]
async fn an_unreachable_server_is_an_error_at_connect() {
    let err = RedisReplayCache::connect(&crate::server::unreachable_url())
        .await
        .unwrap_err();
    assert!(matches!(err, ReplayError::Unavailable(_)), "{err}");
    let err = RedisReplayCache::connect("not a url").await.unwrap_err();
    assert!(matches!(err, ReplayError::Unavailable(_)), "{err}");
}

/// One check is one command, `SET … NX PX`, whether the key is fresh or replayed.
#[tokio::test]
async fn one_round_trip_per_check() {
    let Some((server, cache)) = setup().await else {
        return;
    };
    let url = server.url();
    let before = server.calls("set").await;
    let keys: Vec<_> = (0..50).map(|_| suite::unique_key("round-trip")).collect();
    for key in &keys {
        assert_eq!(
            cache.insert_if_absent(key, TTL).await.unwrap(),
            Outcome::Fresh
        );
        assert_eq!(
            cache.insert_if_absent(key, TTL).await.unwrap(),
            Outcome::Replayed
        );
    }
    assert_eq!(server.calls("set").await - before, 100);
    for other in [
        "get", "setnx", "expire", "pexpire", "exists", "eval", "evalsha",
    ] {
        assert_eq!(server.calls(other).await, 0, "{other}");
    }
    // The key carries its TTL: no key is ever left without one.
    let client = redis::Client::open(url.as_str()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let mut redis_key = b"hookseal:replay:".to_vec();
    redis_key.extend_from_slice(keys[0].as_bytes());
    let pttl: i64 = redis::cmd("PTTL")
        .arg(redis_key)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!((590_000..=600_000).contains(&pttl), "{pttl}");
}

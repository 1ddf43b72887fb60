//! The conformance suite on [`MemoryReplayCache`], plus its capacity rules.

use std::sync::Arc;
use std::time::Duration;

use hookseal::replay::{MemoryReplayCache, Outcome, ReplayCache, ReplayError};
use hookseal::{ManualClock, Timestamp};

use crate::suite;

const NOW: u64 = 1_700_000_000;
const MAX_TTL: Duration = Duration::from_secs(600);

fn cache(capacity: usize) -> (MemoryReplayCache<ManualClock>, ManualClock) {
    let clock = ManualClock::new(Timestamp::from_unix_secs(NOW));
    let cache = MemoryReplayCache::new(capacity, MAX_TTL)
        .unwrap()
        .with_clock(clock.clone());
    (cache, clock)
}

#[tokio::test]
async fn fresh_then_replayed() {
    let (cache, _) = cache(1000);
    suite::fresh_then_replayed(&cache, MAX_TTL).await;
}

#[tokio::test]
async fn expiry_follows_the_clock() {
    // A short TTL is kept at least that long, and at most one bucket (max TTL / 8) longer.
    let (cache, clock) = cache(1000);
    let ttl = Duration::from_secs(60);
    suite::expiry(
        &cache,
        ttl,
        async || clock.advance(ttl),
        async || clock.advance(MAX_TTL / 8 + Duration::from_secs(1)),
    )
    .await;
    // The longest TTL likewise.
    suite::expiry(
        &cache,
        MAX_TTL,
        async || clock.advance(MAX_TTL),
        async || clock.advance(MAX_TTL / 8 + Duration::from_secs(1)),
    )
    .await;
    // Only the key each round re-inserted after expiry, last round's, is still held.
    assert_eq!(cache.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn exactly_one_winner_of_256_over_1000_rounds() {
    let (cache, _) = cache(1_000_000);
    suite::one_winner(Arc::new(cache), 256, 1000, MAX_TTL).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_thousand_distinct_keys_are_fresh() {
    let (cache, _) = cache(100_000);
    let cache = Arc::new(cache);
    suite::distinct_keys_are_fresh(Arc::clone(&cache), 100_000, 8, MAX_TTL).await;
    assert_eq!(cache.len(), 100_000);
    assert_eq!(cache.refused(), 0);
}

#[tokio::test]
async fn edited_captures_are_still_replays() {
    // Sized from the verifier's replay TTL, as receivers should.
    let ttl = hookseal::Verifier::new(
        hookseal::Scheme::standard_webhooks(),
        hookseal::Keyring::single(hookseal::Secret::from_bytes([1; 32]).unwrap()),
    )
    .replay_ttl();
    assert_eq!(ttl, Duration::from_secs(601));
    let cache = MemoryReplayCache::new(1000, ttl)
        .unwrap()
        .with_clock(ManualClock::new(Timestamp::from_unix_secs(NOW)));
    suite::edited_captures_are_still_replays(&cache, Timestamp::from_unix_secs(NOW)).await;
}

#[tokio::test]
async fn a_full_cache_refuses_new_keys_and_keeps_the_old_ones() {
    const CAP: usize = 1000;
    let (cache, clock) = cache(CAP);
    let ttl = Duration::from_secs(300);
    let keys: Vec<_> = (0..CAP).map(|_| suite::unique_key("full")).collect();
    for key in &keys {
        assert_eq!(
            cache.insert_if_absent(key, ttl).await.unwrap(),
            Outcome::Fresh
        );
    }
    assert_eq!(cache.len(), CAP);
    for i in 0..10 {
        let err = cache
            .insert_if_absent(&suite::unique_key("over"), ttl)
            .await
            .unwrap_err();
        assert!(
            matches!(err, ReplayError::CapacityExceeded { capacity: CAP }),
            "{err}"
        );
        assert_eq!(cache.refused(), i + 1);
    }
    // Every stored key is still a replay, up to the end of its TTL.
    clock.advance(ttl);
    for key in &keys {
        assert_eq!(
            cache.insert_if_absent(key, ttl).await.unwrap(),
            Outcome::Replayed
        );
    }
    assert_eq!(cache.len(), CAP);
    // Once they expire, the room is free again, in every shard.
    clock.advance(MAX_TTL / 8 + Duration::from_secs(1));
    assert_eq!(cache.len(), 0);
    let late = suite::unique_key("late");
    assert_eq!(
        cache.insert_if_absent(&late, ttl).await.unwrap(),
        Outcome::Fresh
    );
    assert_eq!(cache.len(), 1);
}

#[tokio::test]
async fn a_clock_that_goes_back_never_shortens_a_ttl() {
    let (cache, clock) = cache(1000);
    let key = suite::unique_key("rewind");
    assert_eq!(
        cache.insert_if_absent(&key, MAX_TTL).await.unwrap(),
        Outcome::Fresh
    );
    clock.rewind(Duration::from_secs(3600));
    let other = suite::unique_key("rewind-other");
    assert_eq!(
        cache
            .insert_if_absent(&other, Duration::from_secs(1))
            .await
            .unwrap(),
        Outcome::Fresh
    );
    clock.advance(Duration::from_secs(3600) + MAX_TTL);
    assert_eq!(
        cache.insert_if_absent(&key, MAX_TTL).await.unwrap(),
        Outcome::Replayed
    );
}

#[tokio::test]
async fn ttl_and_configuration_limits() {
    let (cache, _) = cache(10);
    let err = cache
        .insert_if_absent(
            &suite::unique_key("ttl"),
            MAX_TTL + Duration::from_millis(1),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, ReplayError::TtlTooLong { max } if max == MAX_TTL),
        "{err}"
    );
    for (cap, ttl) in [
        (0, MAX_TTL),
        (1, Duration::from_millis(999)),
        (1, Duration::from_secs(401 * 24 * 3600)),
    ] {
        assert_eq!(
            MemoryReplayCache::new(cap, ttl).unwrap_err(),
            hookseal::ConfigError::InvalidLimit
        );
    }
}

#[tokio::test]
async fn usable_behind_dyn() {
    use hookseal::replay::DynReplayCache;
    let (cache, _) = cache(10);
    let shared: Arc<dyn DynReplayCache> = Arc::new(cache);
    suite::fresh_then_replayed(&shared, MAX_TTL).await;
    suite::fresh_then_replayed(&*shared, MAX_TTL).await;
}

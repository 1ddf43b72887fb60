//! The conformance suite on [`MemoryReplayCache`], plus its capacity and clock rules.

use std::sync::Arc;
use std::time::Duration;

use hookseal::replay::{MemoryReplayCache, ReplayCache, Reserve, StoreError};
use hookseal::{Keyring, ManualClock, Scheme, Secret, Timestamp, Verifier};

use crate::suite::{self, LONG, reserve, state, unique_key};

const NOW: u64 = 1_700_000_000;
const MAX_TTL: Duration = Duration::from_secs(600);

fn cache(capacity: usize) -> (MemoryReplayCache<ManualClock>, ManualClock) {
    let clock = ManualClock::new(Timestamp::from_unix_secs(NOW));
    let cache = MemoryReplayCache::new(capacity, MAX_TTL)
        .unwrap()
        .with_clock(clock.clone());
    (cache, clock)
}

/// Time moves by the manual clock. A hold ends at most a second late; a committed key expires at
/// most one bucket (the maximum TTL / 8) late.
fn time(clock: &ManualClock) -> suite::Time {
    let clock = clock.clone();
    suite::Time {
        advance: Box::new(move |d| {
            clock.advance(d);
            Box::pin(async {})
        }),
        lease: Duration::from_secs(5),
        ttl: Duration::from_secs(60),
        slack: MAX_TTL / 8 + Duration::from_secs(1),
    }
}

#[tokio::test]
async fn reserved_in_progress_then_replayed() {
    let (cache, _) = cache(1000);
    suite::reserved_in_progress_then_replayed(&cache).await;
}

#[tokio::test]
async fn a_released_key_runs_again() {
    let (cache, _) = cache(1000);
    suite::a_released_key_runs_again(&cache).await;
}

#[tokio::test]
async fn a_dead_workers_lease_ends() {
    let (cache, clock) = cache(1000);
    suite::a_dead_workers_lease_ends(&cache, &time(&clock)).await;
}

#[tokio::test]
async fn a_late_worker_changes_nothing() {
    let (cache, clock) = cache(1000);
    suite::a_late_worker_changes_nothing(&cache, &time(&clock)).await;
}

#[tokio::test]
async fn a_committed_key_expires_after_its_ttl() {
    let (cache, clock) = cache(1000);
    suite::a_committed_key_expires_after_its_ttl(&cache, &time(&clock)).await;
}

#[tokio::test]
async fn bad_ttls_are_refused() {
    let (cache, _) = cache(1000);
    suite::bad_ttls_are_refused(&cache, MAX_TTL).await;
}

#[tokio::test]
async fn a_dropped_pending_releases_at_once() {
    let (cache, _) = cache(1000);
    suite::a_dropped_pending_releases(&cache, Duration::ZERO).await;
}

#[tokio::test]
async fn a_lease_is_held_to_the_second_and_no_longer_than_one_more() {
    let (cache, clock) = cache(1000);
    let key = unique_key("lease-edge");
    let _held = reserve(&cache, &key, Duration::from_secs(10)).await;
    clock.advance(Duration::from_secs(10));
    match cache.reserve(&key, LONG).await.unwrap() {
        Reserve::InProgress { retry_after } => assert_eq!(retry_after, Duration::from_secs(1)),
        other => panic!("a lease ended early: {other:?}"),
    }
    clock.advance(Duration::from_secs(1));
    assert_eq!(state(&cache, &key).await, "reserved");
}

#[tokio::test]
async fn expiry_follows_the_clock() {
    // A short TTL is kept at least that long, and at most one bucket (max TTL / 8) longer; the
    // longest TTL likewise.
    let (cache, clock) = cache(1000);
    for ttl in [Duration::from_secs(60), MAX_TTL] {
        let key = unique_key("expiry");
        let reservation = reserve(&cache, &key, LONG).await;
        cache.commit(&reservation, ttl).await.unwrap();
        clock.advance(ttl);
        assert_eq!(
            state(&cache, &key).await,
            "replayed",
            "forgotten before {ttl:?}"
        );
        clock.advance(MAX_TTL / 8 + Duration::from_secs(1));
        assert_eq!(state(&cache, &key).await, "reserved", "kept past {ttl:?}");
    }
    assert_eq!(cache.len(), 0);
}

/// Expiry runs on the monotonic clock: a wall clock stepped forward by a day (or back) neither
/// drops a committed key nor ends a lease.
#[tokio::test]
async fn a_wall_clock_step_changes_no_expiry() {
    let (cache, clock) = cache(1000);
    let committed = unique_key("step-committed");
    let reservation = reserve(&cache, &committed, LONG).await;
    cache.commit(&reservation, MAX_TTL).await.unwrap();
    let held = unique_key("step-held");
    let lease = reserve(&cache, &held, Duration::from_secs(30)).await;

    clock.set(Timestamp::from_unix_secs(NOW + 24 * 3600));
    assert_eq!(state(&cache, &committed).await, "replayed");
    assert_eq!(state(&cache, &held).await, "in progress");
    clock.rewind(Duration::from_secs(48 * 3600));
    assert_eq!(state(&cache, &committed).await, "replayed");
    assert_eq!(state(&cache, &held).await, "in progress");
    assert_eq!(cache.len(), 2);
    // The lease still commits: it has not ended.
    cache.commit(&lease, MAX_TTL).await.unwrap();

    // Time passing, not the wall clock, ends them.
    clock.advance(MAX_TTL + MAX_TTL / 8 + Duration::from_secs(1));
    assert_eq!(cache.len(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn exactly_one_of_256_concurrent_reservations_over_1000_rounds() {
    let (cache, _) = cache(1_000_000);
    suite::one_winner(vec![Arc::new(cache)], 256, 1000).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_thousand_distinct_keys_are_fresh() {
    let (cache, _) = cache(100_000);
    let cache = Arc::new(cache);
    suite::distinct_keys_are_fresh(Arc::clone(&cache), 100_000, 8).await;
    assert_eq!(cache.len(), 100_000);
    assert_eq!(cache.refused(), 0);
}

#[tokio::test]
async fn edited_captures_are_still_replays() {
    let verifier = Verifier::new(
        Scheme::standard_webhooks(),
        Keyring::single(Secret::from_bytes([1; 32]).unwrap()),
    );
    // Sized from the verifier, as receivers should: its window and one second.
    let cache = MemoryReplayCache::for_verifier(&verifier, 1000)
        .unwrap()
        .with_clock(ManualClock::new(Timestamp::from_unix_secs(NOW)));
    assert_eq!(cache.max_ttl(), Duration::from_secs(601));
    suite::edited_captures_are_still_replays(&cache, Timestamp::from_unix_secs(NOW)).await;
}

/// A cache sized by `for_verifier` takes the verifier's replay TTL, with a timestamp (its window
/// and a second) and without one (its retention); `new` with the window alone would refuse it.
#[tokio::test]
async fn for_verifier_takes_the_verifiers_ttl() {
    let key = || Keyring::single(Secret::from_bytes([1; 32]).unwrap());
    for verifier in [
        Verifier::new(Scheme::standard_webhooks(), key()),
        Verifier::new(Scheme::github(), key()),
        Verifier::new(Scheme::stripe(), key()).with_max_age(Duration::from_secs(60)),
    ] {
        let ttl = verifier.replay_ttl();
        let cache = MemoryReplayCache::for_verifier(&verifier, 10).unwrap();
        assert_eq!(cache.max_ttl(), ttl);
        let key = unique_key("for-verifier");
        let reservation = reserve(&cache, &key, LONG).await;
        cache.commit(&reservation, ttl).await.unwrap();

        let short = MemoryReplayCache::new(10, ttl - Duration::from_secs(1)).unwrap();
        let reservation = reserve(&short, &key, LONG).await;
        assert!(matches!(
            short.commit(&reservation, ttl).await.unwrap_err(),
            StoreError::InvalidTtl { .. }
        ));
    }
}

#[tokio::test]
async fn a_full_cache_refuses_new_keys_and_keeps_the_old_ones() {
    const CAP: usize = 1000;
    let (cache, clock) = cache(CAP);
    let ttl = Duration::from_secs(300);
    // Half committed, half held: both count.
    let keys: Vec<_> = (0..CAP).map(|_| unique_key("full")).collect();
    let mut held = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        let reservation = reserve(&cache, key, ttl).await;
        if i % 2 == 0 {
            cache.commit(&reservation, ttl).await.unwrap();
        } else {
            held.push(reservation);
        }
    }
    assert_eq!(cache.len(), CAP);
    for i in 0..10 {
        let err = cache.reserve(&unique_key("over"), LONG).await.unwrap_err();
        assert!(
            matches!(err, StoreError::CapacityExceeded { capacity: CAP }),
            "{err}"
        );
        assert_eq!(err.status_code(), 503);
        assert_eq!(cache.refused(), i + 1);
    }
    // Every stored key is still answered, up to the end of its TTL or lease.
    clock.advance(ttl);
    for (i, key) in keys.iter().enumerate() {
        let expected = if i % 2 == 0 {
            "replayed"
        } else {
            "in progress"
        };
        assert_eq!(state(&cache, key).await, expected);
    }
    assert_eq!(cache.len(), CAP);
    // A release makes room at once.
    cache.release(&held.pop().unwrap()).await.unwrap();
    assert_eq!(cache.len(), CAP - 1);
    assert_eq!(state(&cache, &unique_key("room")).await, "reserved");
    // Once they expire, the room is free again, in every shard.
    clock.advance(MAX_TTL / 8 + Duration::from_secs(1));
    assert_eq!(cache.len(), 0);
    let late = unique_key("late");
    let _ = reserve(&cache, &late, LONG).await;
    assert_eq!(cache.len(), 1);
}

#[test]
fn configuration_limits() {
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
    suite::reserved_in_progress_then_replayed(&shared).await;
    suite::reserved_in_progress_then_replayed(&*shared).await;
    suite::a_dropped_pending_releases(&*shared, Duration::ZERO).await;
}

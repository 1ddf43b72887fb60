//! The conformance suite on [`MemoryIdempotencyStore`], plus its capacity rules.

use std::sync::Arc;
use std::time::Duration;

use hookseal::idempotency::{Begin, IdempotencyStore, MemoryIdempotencyStore, StoreError};
use hookseal::{ManualClock, Timestamp};

use crate::suite::{self, fp, unique_key};

const NOW: u64 = 1_700_000_000;

fn store(capacity: usize) -> (MemoryIdempotencyStore<ManualClock>, ManualClock) {
    let clock = ManualClock::new(Timestamp::from_unix_secs(NOW));
    let store = MemoryIdempotencyStore::new(capacity)
        .unwrap()
        .with_clock(clock.clone());
    (store, clock)
}

/// Time moves by the manual clock; the store rounds every deadline up by at most a second.
fn clock(manual: &ManualClock) -> suite::Clock {
    let manual = manual.clone();
    suite::Clock {
        advance: Box::new(move |d| {
            manual.advance(d);
            Box::pin(async {})
        }),
        lease: Duration::from_secs(30),
        slack: Duration::from_secs(1),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn exactly_one_of_256_concurrent_begins_starts() {
    let (store, _) = store(1_000_000);
    suite::one_started(vec![Arc::new(store)], 256, 500).await;
}

#[tokio::test]
async fn a_crashed_worker_blocks_only_until_its_lease_expires() {
    let (store, manual) = store(1000);
    suite::a_crashed_worker_blocks_only_until_its_lease_expires(&store, &clock(&manual)).await;
}

#[tokio::test]
async fn a_lease_is_held_to_the_second_and_no_longer_than_one_more() {
    let (store, manual) = store(1000);
    let key = unique_key("edge");
    let f = fp("edge");
    let lease = Duration::from_secs(30);
    assert!(matches!(
        store.begin(&key, &f, lease).await.unwrap(),
        Begin::Started(_)
    ));
    manual.advance(lease);
    match store.begin(&key, &f, lease).await.unwrap() {
        Begin::InProgress { retry_after } => assert_eq!(retry_after, Duration::from_secs(1)),
        other => panic!("{other:?}"),
    }
    manual.advance(Duration::from_secs(1));
    assert!(matches!(
        store.begin(&key, &f, lease).await.unwrap(),
        Begin::Started(_)
    ));
}

#[tokio::test]
async fn a_stale_owner_cannot_change_the_record() {
    let (store, manual) = store(1000);
    suite::a_stale_owner_cannot_change_the_record(&store, &clock(&manual)).await;
}

#[tokio::test]
async fn a_reused_key_is_a_mismatch() {
    let (store, _) = store(1000);
    suite::a_reused_key_is_a_mismatch(&store).await;
}

#[tokio::test]
async fn results_come_back_byte_identical() {
    let (store, _) = store(1000);
    suite::results_come_back_byte_identical(&store).await;
}

#[tokio::test]
async fn retention_expiry_frees_the_key() {
    let (store, manual) = store(1000);
    suite::retention_expiry_frees_the_key(&store, &clock(&manual)).await;
}

#[tokio::test]
async fn a_released_key_runs_again() {
    let (store, _) = store(1000);
    suite::a_released_key_runs_again(&store).await;
}

#[tokio::test]
async fn scopes_keep_keys_apart() {
    let (store, _) = store(1000);
    suite::scopes_keep_keys_apart(&store).await;
}

#[tokio::test]
async fn bad_arguments_are_refused() {
    let (store, _) = store(1000);
    let store = store.with_max_result_len(1000).unwrap();
    suite::bad_arguments_are_refused(&store, 1000).await;
}

#[tokio::test]
async fn run_stores_successes_and_releases_failures() {
    let (store, _) = store(1000);
    suite::run_stores_successes_and_releases_failures(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_runs_do_the_work_once() {
    let (store, _) = store(1000);
    suite::concurrent_runs_do_the_work_once(Arc::new(store), 64).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn panics_and_dropped_futures_release_the_key() {
    // The clock never moves: only a release can free the key.
    let (store, _) = store(1000);
    suite::panics_and_dropped_futures_release_the_key(Arc::new(store), async |store, key, f| {
        let begin = store.begin(key, f, Duration::from_secs(60)).await.unwrap();
        assert!(matches!(begin, Begin::Started(_)), "{begin:?}");
    })
    .await;
}

/// Full of unexpired records, the store refuses new keys (503) but still answers for every key
/// it holds; once records expire, there is room again.
#[tokio::test]
async fn a_full_store_refuses_new_keys_and_forgets_nothing() {
    let (store, manual) = store(100);
    let f = fp("full");
    let keys: Vec<_> = (0..100).map(|_| unique_key("full")).collect();
    let mut leases = Vec::new();
    for key in &keys {
        match store.begin(key, &f, Duration::from_secs(60)).await.unwrap() {
            Begin::Started(lease) => leases.push(lease),
            other => panic!("{other:?}"),
        }
    }
    // Half complete with a long retention; the other half stay in progress.
    for lease in &leases[..50] {
        store
            .complete(lease, b"kept", Duration::from_secs(3600))
            .await
            .unwrap();
    }
    assert_eq!(store.len(), 100);
    let err = store
        .begin(&unique_key("one-more"), &f, Duration::from_secs(60))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::CapacityExceeded { capacity: 100 }),
        "{err}"
    );
    assert_eq!(
        (err.status_code(), err.retry_after()),
        (503, Some(Duration::from_secs(5)))
    );
    for key in &keys[..50] {
        assert!(matches!(
            store.begin(key, &f, Duration::from_secs(60)).await.unwrap(),
            Begin::Completed(_)
        ));
    }
    for key in &keys[50..] {
        assert!(matches!(
            store.begin(key, &f, Duration::from_secs(60)).await.unwrap(),
            Begin::InProgress { .. }
        ));
    }
    // The leases run out: their room is reused; the completed records stay.
    manual.advance(Duration::from_secs(62));
    for _ in 0..50 {
        let begin = store
            .begin(&unique_key("after"), &f, Duration::from_secs(60))
            .await
            .unwrap();
        assert!(matches!(begin, Begin::Started(_)));
    }
    assert_eq!(store.len(), 100);
    for key in &keys[..50] {
        assert!(matches!(
            store.begin(key, &f, Duration::from_secs(60)).await.unwrap(),
            Begin::Completed(_)
        ));
    }
}

#[test]
fn configuration_is_checked() {
    assert!(MemoryIdempotencyStore::new(0).is_err());
    assert!(
        MemoryIdempotencyStore::new(1)
            .unwrap()
            .with_max_result_len(0)
            .is_err()
    );
    let store = MemoryIdempotencyStore::new(5).unwrap();
    assert_eq!(
        (store.capacity(), store.max_result_len(), store.is_empty()),
        (5, 65536, true)
    );
}

/// Leases and retention run on the monotonic clock: a wall clock stepped forward by a day (or
/// back) neither frees a held key nor forgets a completed one.
#[tokio::test]
async fn a_wall_clock_step_changes_no_expiry() {
    let (store, manual) = store(1000);
    let held = unique_key("step-held");
    let done = unique_key("step-done");
    let f = fp("step");
    let lease = Duration::from_secs(30);
    let Begin::Started(_holder) = store.begin(&held, &f, lease).await.unwrap() else {
        panic!("a free key was not started");
    };
    let Begin::Started(completer) = store.begin(&done, &f, lease).await.unwrap() else {
        panic!("a free key was not started");
    };
    store
        .complete(&completer, b"result", Duration::from_secs(3600))
        .await
        .unwrap();

    manual.set(Timestamp::from_unix_secs(NOW + 24 * 3600));
    assert!(matches!(
        store.begin(&held, &f, lease).await.unwrap(),
        Begin::InProgress { .. }
    ));
    assert!(matches!(
        store.begin(&done, &f, lease).await.unwrap(),
        Begin::Completed(result) if result == b"result"
    ));
    manual.rewind(Duration::from_secs(48 * 3600));
    assert!(matches!(
        store.begin(&held, &f, lease).await.unwrap(),
        Begin::InProgress { .. }
    ));
    assert_eq!(store.len(), 2);

    // Time passing, not the wall clock, ends them.
    manual.advance(Duration::from_secs(3602));
    assert_eq!(store.len(), 0);
}

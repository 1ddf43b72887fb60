//! The checks every [`ReplayCache`] must pass, generic over the backend. Time is moved by the
//! backend's own means (a `ManualClock`, or real sleeps against Redis) through [`Time`].

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use hookseal::replay::{FreshError, ReplayCache, Reservation, Reserve, StoreError};
use hookseal::{Key, Keyring, ReplayKey, Scheme, Signer, Timestamp, Verifier};
use tokio::sync::Barrier;
use tokio::task::JoinSet;

/// Moves a backend's time forward by at least the duration.
type Advance = Box<dyn Fn(Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// How a backend's time is moved, and the lease and TTL its tests use.
pub(crate) struct Time {
    /// Moves time forward by at least the duration.
    pub(crate) advance: Advance,
    /// A short lease, for the tests that let one end.
    pub(crate) lease: Duration,
    /// A short TTL, for the tests that let a committed key expire.
    pub(crate) ttl: Duration,
    /// How much longer than a lease or TTL a backend may keep a key (its rounding).
    pub(crate) slack: Duration,
}

impl Time {
    async fn advance(&self, d: Duration) {
        (self.advance)(d).await;
    }

    /// Past the end of a hold made now for `d`.
    async fn pass(&self, d: Duration) {
        self.advance(d + self.slack).await;
    }
}

/// A key no other test uses.
pub(crate) fn unique_key(label: &str) -> ReplayKey {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let nonce = format!(
        "{label}/{}/{n}/{:?}",
        std::process::id(),
        std::time::Instant::now()
    );
    ReplayKey::derive(b"conformance", nonce.as_bytes())
}

/// A long lease and TTL, for the tests where nothing expires.
pub(crate) const LONG: Duration = Duration::from_secs(600);

/// Reserves `key`, which must be free.
pub(crate) async fn reserve<R: ReplayCache + ?Sized>(
    cache: &R,
    key: &ReplayKey,
    lease: Duration,
) -> Reservation {
    match cache.reserve(key, lease).await.unwrap() {
        Reserve::Reserved(reservation) => reservation,
        other => panic!("expected Reserved, got {other:?}"),
    }
}

/// What `reserve` answers, as a word: `reserved`, `in progress` or `replayed`.
pub(crate) async fn state<R: ReplayCache + ?Sized>(cache: &R, key: &ReplayKey) -> &'static str {
    match cache.reserve(key, LONG).await.unwrap() {
        Reserve::Reserved(reservation) => {
            // Leave the key as it was: free.
            cache.release(&reservation).await.unwrap();
            "reserved"
        }
        Reserve::InProgress { .. } => "in progress",
        Reserve::Replayed => "replayed",
    }
}

/// Reserved, then in progress while held, then replayed once committed; other keys unaffected.
pub(crate) async fn reserved_in_progress_then_replayed<R: ReplayCache + ?Sized>(cache: &R) {
    let key = unique_key("lifecycle");
    let reservation = reserve(cache, &key, LONG).await;
    assert_eq!(reservation.key(), &key);
    for _ in 0..3 {
        match cache.reserve(&key, LONG).await.unwrap() {
            Reserve::InProgress { retry_after } => assert!(
                (Duration::from_secs(1)..=LONG + Duration::from_secs(1)).contains(&retry_after),
                "{retry_after:?}"
            ),
            other => panic!("a held key answered {other:?}"),
        }
    }
    cache.commit(&reservation, LONG).await.unwrap();
    for _ in 0..3 {
        assert!(matches!(
            cache.reserve(&key, LONG).await.unwrap(),
            Reserve::Replayed
        ));
    }
    assert_eq!(
        state(cache, &unique_key("lifecycle-other")).await,
        "reserved"
    );
}

/// A released key is free at once, so the sender's retry runs; a second release of the same
/// reservation is refused.
pub(crate) async fn a_released_key_runs_again<R: ReplayCache + ?Sized>(cache: &R) {
    let key = unique_key("release");
    let first = reserve(cache, &key, LONG).await;
    cache.release(&first).await.unwrap();
    assert!(matches!(
        cache.release(&first).await.unwrap_err(),
        StoreError::LeaseLost
    ));
    assert!(matches!(
        cache.commit(&first, LONG).await.unwrap_err(),
        StoreError::LeaseLost
    ));
    let retry = reserve(cache, &key, LONG).await;
    cache.commit(&retry, LONG).await.unwrap();
    assert_eq!(state(cache, &key).await, "replayed");
}

/// A worker that dies holding a key blocks it only until its lease ends.
pub(crate) async fn a_dead_workers_lease_ends<R: ReplayCache + ?Sized>(cache: &R, time: &Time) {
    let key = unique_key("dead");
    let _dead = reserve(cache, &key, time.lease).await;
    assert_eq!(state(cache, &key).await, "in progress");
    time.pass(time.lease).await;
    let next = reserve(cache, &key, LONG).await;
    cache.commit(&next, LONG).await.unwrap();
    assert_eq!(state(cache, &key).await, "replayed");
}

/// A reservation whose lease ended can change nothing: not the next holder's reservation, not
/// its commit.
pub(crate) async fn a_late_worker_changes_nothing<R: ReplayCache + ?Sized>(cache: &R, time: &Time) {
    let key = unique_key("late");
    let late = reserve(cache, &key, time.lease).await;
    time.pass(time.lease).await;
    let current = reserve(cache, &key, LONG).await;
    assert!(matches!(
        cache.commit(&late, LONG).await.unwrap_err(),
        StoreError::LeaseLost
    ));
    assert!(matches!(
        cache.release(&late).await.unwrap_err(),
        StoreError::LeaseLost
    ));
    assert_eq!(state(cache, &key).await, "in progress");
    cache.commit(&current, LONG).await.unwrap();
    // Once committed, the late worker can neither release nor commit it either.
    assert!(matches!(
        cache.release(&late).await.unwrap_err(),
        StoreError::LeaseLost
    ));
    assert!(matches!(
        cache.release(&current).await.unwrap_err(),
        StoreError::LeaseLost
    ));
    assert_eq!(state(cache, &key).await, "replayed");
}

/// A committed key is a replay until its TTL has passed, and free after.
pub(crate) async fn a_committed_key_expires_after_its_ttl<R: ReplayCache + ?Sized>(
    cache: &R,
    time: &Time,
) {
    let key = unique_key("expiry");
    let reservation = reserve(cache, &key, LONG).await;
    cache.commit(&reservation, time.ttl).await.unwrap();
    time.advance(time.ttl / 2).await;
    assert_eq!(
        state(cache, &key).await,
        "replayed",
        "forgotten before its TTL"
    );
    time.pass(time.ttl).await;
    assert_eq!(
        state(cache, &key).await,
        "reserved",
        "remembered after its TTL"
    );
}

/// Leases and TTLs a store cannot keep are refused, with nothing stored.
pub(crate) async fn bad_ttls_are_refused<R: ReplayCache + ?Sized>(cache: &R, max_ttl: Duration) {
    let key = unique_key("ttl");
    for lease in [Duration::ZERO, Duration::from_secs(401 * 24 * 3600)] {
        let err = cache.reserve(&key, lease).await.unwrap_err();
        assert!(matches!(err, StoreError::InvalidTtl { .. }), "{err}");
        assert_eq!(err.status_code(), 500);
    }
    let reservation = reserve(cache, &key, LONG).await;
    for ttl in [Duration::ZERO, max_ttl + Duration::from_millis(1)] {
        let err = cache.commit(&reservation, ttl).await.unwrap_err();
        assert!(
            matches!(err, StoreError::InvalidTtl { max } if max == max_ttl),
            "{err}"
        );
    }
    // The refused commits changed nothing: the reservation still holds the key.
    assert_eq!(state(cache, &key).await, "in progress");
    cache.commit(&reservation, LONG.min(max_ttl)).await.unwrap();
}

/// `tasks` concurrent reservations of one key, over `rounds` rounds, spread over several
/// handles on one store: exactly one is reserved each round, the others see it in progress.
pub(crate) async fn one_winner<R: ReplayCache + 'static>(
    caches: Vec<Arc<R>>,
    tasks: usize,
    rounds: usize,
) {
    for round in 0..rounds {
        let key = unique_key("race");
        let barrier = Arc::new(Barrier::new(tasks));
        let mut set = JoinSet::new();
        for task in 0..tasks {
            let cache = Arc::clone(&caches[task % caches.len()]);
            let barrier = Arc::clone(&barrier);
            set.spawn(async move {
                barrier.wait().await;
                match cache.reserve(&key, LONG).await.unwrap() {
                    Reserve::Reserved(_) => 1,
                    Reserve::InProgress { .. } => 0,
                    Reserve::Replayed => panic!("replayed before any commit"),
                }
            });
        }
        let mut reserved = 0;
        while let Some(won) = set.join_next().await {
            reserved += won.unwrap();
        }
        assert_eq!(reserved, 1, "round {round}: {reserved} reserved of {tasks}");
    }
}

/// `n` distinct keys, `parallel` at a time, each reserved and committed: none is found taken.
pub(crate) async fn distinct_keys_are_fresh<R: ReplayCache + 'static>(
    cache: Arc<R>,
    n: usize,
    parallel: usize,
) {
    let prefix = unique_key("distinct");
    let mut set = JoinSet::new();
    for worker in 0..parallel {
        let cache = Arc::clone(&cache);
        set.spawn(async move {
            let mut taken = 0;
            for i in (worker..n).step_by(parallel) {
                let key = ReplayKey::derive(prefix.as_bytes(), &(i as u64).to_le_bytes());
                match cache.reserve(&key, LONG).await.unwrap() {
                    Reserve::Reserved(r) => cache.commit(&r, LONG).await.unwrap(),
                    _ => taken += 1,
                }
            }
            taken
        });
    }
    let mut taken = 0;
    while let Some(t) = set.join_next().await {
        taken += t.unwrap();
    }
    assert_eq!(taken, 0, "false replays among {n} distinct keys");
}

/// A dropped `Pending` (a handler that panicked, a request cancelled) frees its key; `wait` lets
/// a backend that releases from a spawned task finish.
pub(crate) async fn a_dropped_pending_releases<R: ReplayCache + ?Sized>(cache: &R, wait: Duration) {
    let (signer, verifier) = pair();
    let now = Timestamp::from_unix_secs(1_700_000_000);
    let body = format!("{{\"nonce\":\"{:?}\"}}", unique_key("dropped"));
    let signed = signer
        .sign_at(Some("msg_dropped"), body.as_bytes(), now)
        .unwrap();
    let headers: Vec<(&str, &str)> = signed.iter().collect();
    let (verified, pending) = verifier
        .verify_fresh_at(&headers, body.as_bytes(), now, cache)
        .await
        .unwrap();
    let key = verified.replay_key();
    assert_eq!(state(cache, &key).await, "in progress");
    drop(pending);
    tokio::time::sleep(wait).await;
    assert_eq!(state(cache, &key).await, "reserved");
}

/// The signer and verifier of the suite's requests: Standard Webhooks, two keys.
fn pair() -> (Signer, Verifier) {
    let ring = || {
        Keyring::new(Key::new("a", hookseal::Secret::from_bytes([1; 32]).unwrap()).unwrap())
            .unwrap()
            .with_key(Key::new("b", hookseal::Secret::from_bytes([2; 32]).unwrap()).unwrap())
            .unwrap()
    };
    (
        Signer::new(Scheme::standard_webhooks(), ring()),
        Verifier::new(Scheme::standard_webhooks(), ring()),
    )
}

/// A captured request sent again is a replay once handled (and in progress before), however its
/// unsigned parts are edited: one of two signatures dropped, the signatures reordered, decoys
/// added, an unknown version.
pub(crate) async fn edited_captures_are_still_replays<R: ReplayCache + ?Sized>(
    cache: &R,
    now: Timestamp,
) {
    let (signer, verifier) = pair();
    let body = format!(
        "{{\"event\":\"paid\",\"nonce\":\"{:?}\"}}",
        unique_key("capture")
    );
    let body = body.as_bytes();
    let signed = signer.sign_at(Some("msg_1"), body, now).unwrap();
    let id = signed.get("webhook-id").unwrap().to_owned();
    let ts = signed.get("webhook-timestamp").unwrap().to_owned();
    let header = signed.get("webhook-signature").unwrap().to_owned();
    let (v1a, v1b) = header.split_once(' ').unwrap();
    let decoy = format!("v1,{}", "A".repeat(43) + "=");

    let original = [
        ("webhook-id", id.as_str()),
        ("webhook-timestamp", ts.as_str()),
        ("webhook-signature", header.as_str()),
    ];
    let (_, pending) = match verifier.verify_fresh_at(&original, body, now, cache).await {
        Ok(accepted) => accepted,
        Err(e) => panic!("the original was refused: {e}"),
    };

    let signatures = [
        v1a.to_owned(),
        v1b.to_owned(),
        format!("{v1b} {v1a}"),
        format!("{decoy} {v1b} {decoy}"),
        format!("{v1a} v2,abc"),
    ];
    let edited = |signature: &str| {
        vec![
            ("webhook-id", id.clone()),
            ("webhook-timestamp", ts.clone()),
            ("webhook-signature", signature.to_owned()),
        ]
    };
    for signature in &signatures {
        let err = verifier
            .verify_fresh_at(&edited(signature), body, now, cache)
            .await
            .unwrap_err();
        assert!(
            matches!(err, FreshError::InProgress { .. }),
            "{signature}: {err}"
        );
        assert_eq!(err.status_code(), 409);
        assert!(err.retry_after().is_some());
    }
    pending.commit().await.unwrap();
    for signature in &signatures {
        let err = verifier
            .verify_fresh_at(&edited(signature), body, now, cache)
            .await
            .unwrap_err();
        assert!(matches!(err, FreshError::Replayed), "{signature}: {err}");
        assert_eq!(err.status_code(), 409);
        assert_eq!(err.retry_after(), None);
    }
}

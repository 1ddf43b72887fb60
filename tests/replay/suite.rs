//! The checks every [`ReplayCache`] must pass, generic over the backend.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use hookseal::replay::{FreshError, Outcome, ReplayCache};
use hookseal::{Key, Keyring, ReplayKey, Scheme, Secret, Signer, Timestamp, Verifier};
use tokio::sync::Barrier;
use tokio::task::JoinSet;

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

/// Fresh the first time, replayed every time after; other keys unaffected.
pub(crate) async fn fresh_then_replayed<R: ReplayCache + ?Sized>(cache: &R, ttl: Duration) {
    let key = unique_key("fresh");
    assert_eq!(
        cache.insert_if_absent(&key, ttl).await.unwrap(),
        Outcome::Fresh
    );
    for _ in 0..3 {
        assert_eq!(
            cache.insert_if_absent(&key, ttl).await.unwrap(),
            Outcome::Replayed
        );
    }
    let other = unique_key("fresh-other");
    assert_eq!(
        cache.insert_if_absent(&other, ttl).await.unwrap(),
        Outcome::Fresh
    );
}

/// A key is remembered until `before_expiry` has passed, and forgotten once `after_expiry` has.
pub(crate) async fn expiry<R, F1, F2>(cache: &R, ttl: Duration, before_expiry: F1, after_expiry: F2)
where
    R: ReplayCache,
    F1: AsyncFnOnce(),
    F2: AsyncFnOnce(),
{
    let key = unique_key("expiry");
    assert_eq!(
        cache.insert_if_absent(&key, ttl).await.unwrap(),
        Outcome::Fresh
    );
    before_expiry().await;
    assert_eq!(
        cache.insert_if_absent(&key, ttl).await.unwrap(),
        Outcome::Replayed,
        "forgotten before its TTL"
    );
    after_expiry().await;
    assert_eq!(
        cache.insert_if_absent(&key, ttl).await.unwrap(),
        Outcome::Fresh,
        "remembered after its TTL"
    );
}

/// `tasks` concurrent inserts of one key, over `rounds` rounds: exactly one `Fresh` each round.
pub(crate) async fn one_winner<R: ReplayCache + 'static>(
    cache: Arc<R>,
    tasks: usize,
    rounds: usize,
    ttl: Duration,
) {
    for round in 0..rounds {
        let key = unique_key("race");
        let barrier = Arc::new(Barrier::new(tasks));
        let mut set = JoinSet::new();
        for _ in 0..tasks {
            let (cache, barrier) = (Arc::clone(&cache), Arc::clone(&barrier));
            set.spawn(async move {
                barrier.wait().await;
                cache.insert_if_absent(&key, ttl).await.unwrap()
            });
        }
        let mut fresh = 0;
        while let Some(outcome) = set.join_next().await {
            if outcome.unwrap() == Outcome::Fresh {
                fresh += 1;
            }
        }
        assert_eq!(fresh, 1, "round {round}: {fresh} winners of {tasks}");
    }
}

/// `n` distinct keys, `parallel` at a time: every one is `Fresh`.
pub(crate) async fn distinct_keys_are_fresh<R: ReplayCache + 'static>(
    cache: Arc<R>,
    n: usize,
    parallel: usize,
    ttl: Duration,
) {
    let prefix = unique_key("distinct");
    let mut set = JoinSet::new();
    for worker in 0..parallel {
        let cache = Arc::clone(&cache);
        set.spawn(async move {
            let mut replayed = 0;
            for i in (worker..n).step_by(parallel) {
                let key = ReplayKey::derive(prefix.as_bytes(), &(i as u64).to_le_bytes());
                if cache.insert_if_absent(&key, ttl).await.unwrap() == Outcome::Replayed {
                    replayed += 1;
                }
            }
            replayed
        });
    }
    let mut replayed = 0;
    while let Some(r) = set.join_next().await {
        replayed += r.unwrap();
    }
    assert_eq!(replayed, 0, "false replays among {n} distinct keys");
}

/// A captured request sent again is `Replayed`, however its unsigned parts are edited: one of
/// two signatures dropped, the signatures reordered, decoys or unknown versions added, the
/// headers reordered or recased. An edited id is not a replay but a forgery: the default scheme
/// signs its id, so the request is refused before the cache is consulted.
pub(crate) async fn edited_captures_are_still_replays<R: ReplayCache + ?Sized>(
    cache: &R,
    now: Timestamp,
) {
    let ring = || {
        Keyring::new(Key::new("a", Secret::from_bytes([1; 32]).unwrap()).unwrap())
            .unwrap()
            .with_key(Key::new("b", Secret::from_bytes([2; 32]).unwrap()).unwrap())
            .unwrap()
    };
    let signer = Signer::new(Scheme::standard_webhooks(), ring());
    let verifier = Verifier::new(Scheme::standard_webhooks(), ring());
    let nonce = unique_key("capture");
    let body = format!("{{\"event\":\"paid\",\"nonce\":\"{:?}\"}}", nonce);
    let body = body.as_bytes();
    let signed = signer.sign_at(Some("evt_1"), body, now).unwrap();
    let header = signed.get("webhook-signature").unwrap().to_owned();
    let ts = signed.get("webhook-timestamp").unwrap().to_owned();
    let parts: Vec<&str> = header.split(' ').collect();
    let (v1a, v1b) = (parts[0], parts[1]);
    let decoy = format!("v1,{}=", "A".repeat(43));

    let original = [
        ("webhook-signature", header.as_str()),
        ("webhook-timestamp", ts.as_str()),
        ("webhook-id", "evt_1"),
    ];
    if let Err(e) = verifier.verify_fresh_at(&original, body, now, cache).await {
        panic!("the original was refused: {e}");
    }

    let with_signature = |value: String| {
        vec![
            ("webhook-signature", value),
            ("webhook-timestamp", ts.clone()),
            ("webhook-id", "evt_1".to_owned()),
        ]
    };
    let variants: Vec<Vec<(&str, String)>> = vec![
        with_signature(header.clone()),
        vec![
            ("webhook-id", "evt_1".into()),
            ("webhook-timestamp", ts.clone()),
            ("webhook-signature", header.clone()),
        ],
        vec![
            ("WEBHOOK-SIGNATURE", header.clone()),
            ("Webhook-Timestamp", ts.clone()),
            ("Webhook-Id", "evt_1".into()),
        ],
        with_signature(v1a.to_owned()),
        with_signature(v1b.to_owned()),
        with_signature(format!("{v1b} {v1a}")),
        with_signature(format!("{decoy} {v1b} {decoy}")),
        with_signature(format!("{v1a} v0,abc v2,xyz note,1")),
    ];
    for headers in &variants {
        let err = verifier
            .verify_fresh_at(headers, body, now, cache)
            .await
            .unwrap_err();
        assert!(matches!(err, FreshError::Replayed), "{headers:?}: {err}");
        assert_eq!(err.status_code(), 409);
    }

    let other_id = [
        ("webhook-signature", header.as_str()),
        ("webhook-timestamp", ts.as_str()),
        ("webhook-id", "evt_2"),
    ];
    let err = verifier
        .verify_fresh_at(&other_id, body, now, cache)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            FreshError::Rejected(hookseal::VerifyError::NoMatchingSignature)
        ),
        "{err}"
    );
    assert_eq!(err.status_code(), 401);
}

//! The checks every [`IdempotencyStore`] must pass, generic over the backend. Time is moved by
//! the backend's own means (a `ManualClock`, or real sleeps against Redis) through [`Clock`].

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use hookseal::idempotency::{
    Begin, Fingerprint, Idempotency, IdempotencyError, IdempotencyKey, IdempotencyStore, Lease,
    Processed, Scope, ScopedKey, StoreError,
};
use tokio::sync::Barrier;
use tokio::task::JoinSet;

/// Moves a backend's time forward by at least the duration.
type Advance = Box<dyn Fn(Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// How a backend's time is moved, and the lease and retention its tests use.
pub(crate) struct Clock {
    /// Moves time forward by at least the duration.
    pub(crate) advance: Advance,
    /// A short lease for the tests that let one expire.
    pub(crate) lease: Duration,
    /// How much longer than a TTL a backend may keep a record (its rounding).
    pub(crate) slack: Duration,
}

impl Clock {
    async fn advance(&self, d: Duration) {
        (self.advance)(d).await;
    }

    /// Past the end of a record made now with `ttl`.
    async fn pass(&self, ttl: Duration) {
        self.advance(ttl + self.slack).await;
    }
}

/// A key no other test uses.
pub(crate) fn unique_key(label: &str) -> ScopedKey {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let key = format!("{label}-{}-{n}", std::process::id());
    let nonce = format!("{:?}", std::time::Instant::now());
    IdempotencyKey::new(&key)
        .unwrap()
        .scoped(&Scope::new("conformance").and(&nonce))
}

pub(crate) fn fp(body: &str) -> Fingerprint {
    Fingerprint::of_body(body.as_bytes())
}

const LONG: Duration = Duration::from_secs(3600);

async fn start<S: IdempotencyStore + ?Sized>(store: &S, key: &ScopedKey, f: &Fingerprint) -> Lease {
    match store.begin(key, f, LONG).await.unwrap() {
        Begin::Started(lease) => lease,
        other => panic!("expected Started, got {other:?}"),
    }
}

async fn completed<S: IdempotencyStore + ?Sized>(
    store: &S,
    key: &ScopedKey,
    f: &Fingerprint,
) -> Vec<u8> {
    match store.begin(key, f, LONG).await.unwrap() {
        Begin::Completed(result) => result,
        other => panic!("expected Completed, got {other:?}"),
    }
}

fn assert_in_progress(begin: Begin, lease: Duration, slack: Duration) {
    match begin {
        Begin::InProgress { retry_after } => {
            assert!(retry_after >= Duration::from_secs(1), "{retry_after:?}");
            assert!(
                retry_after <= lease + slack + Duration::from_secs(1),
                "{retry_after:?}"
            );
        }
        other => panic!("expected InProgress, got {other:?}"),
    }
}

/// `tasks` concurrent `begin`s of one free key, over `rounds` rounds, spread over `stores`
/// (separate connections or handles to one store): exactly one `Started` each round, and every
/// other call `InProgress`.
pub(crate) async fn one_started<S: IdempotencyStore + 'static>(
    stores: Vec<Arc<S>>,
    tasks: usize,
    rounds: usize,
) {
    let f = fp("race");
    for round in 0..rounds {
        let key = unique_key("race");
        let barrier = Arc::new(Barrier::new(tasks));
        let mut set = JoinSet::new();
        for task in 0..tasks {
            let store = Arc::clone(&stores[task % stores.len()]);
            let barrier = Arc::clone(&barrier);
            set.spawn(async move {
                barrier.wait().await;
                store.begin(&key, &f, LONG).await.unwrap()
            });
        }
        let (mut started, mut in_progress) = (0, 0);
        while let Some(begin) = set.join_next().await {
            match begin.unwrap() {
                Begin::Started(_) => started += 1,
                Begin::InProgress { .. } => in_progress += 1,
                other => panic!("round {round}: {other:?}"),
            }
        }
        assert_eq!(started, 1, "round {round}: {started} started of {tasks}");
        assert_eq!(in_progress, tasks - 1);
    }
}

/// A worker takes a key and dies (its lease is neither completed nor released): retries are
/// refused as in progress until the lease expires, and then one runs.
pub(crate) async fn a_crashed_worker_blocks_only_until_its_lease_expires<S: IdempotencyStore>(
    store: &S,
    clock: &Clock,
) {
    let key = unique_key("crash");
    let f = fp("crash");
    let crashed = store.begin(&key, &f, clock.lease).await.unwrap();
    assert!(matches!(crashed, Begin::Started(_)));
    drop(crashed); // The worker is gone; nothing releases the key.

    assert_in_progress(
        store.begin(&key, &f, clock.lease).await.unwrap(),
        clock.lease,
        clock.slack,
    );
    clock.advance(clock.lease / 2).await;
    assert_in_progress(
        store.begin(&key, &f, clock.lease).await.unwrap(),
        clock.lease,
        clock.slack,
    );

    clock.pass(clock.lease / 2).await;
    let retry = start(store, &key, &f).await;
    store
        .complete(&retry, b"done by the retry", LONG)
        .await
        .unwrap();
    assert_eq!(completed(store, &key, &f).await, b"done by the retry");
}

/// After a takeover, the first holder can neither complete nor release; the new holder can.
/// A holder whose lease expired with no takeover cannot complete either.
pub(crate) async fn a_stale_owner_cannot_change_the_record<S: IdempotencyStore>(
    store: &S,
    clock: &Clock,
) {
    let key = unique_key("stale");
    let f = fp("stale");
    let Begin::Started(stale) = store.begin(&key, &f, clock.lease).await.unwrap() else {
        panic!("not started");
    };
    clock.pass(clock.lease).await;
    let Begin::Started(current) = store.begin(&key, &f, clock.lease).await.unwrap() else {
        panic!("no takeover after the lease");
    };

    let err = store.complete(&stale, b"stale", LONG).await.unwrap_err();
    assert!(matches!(err, StoreError::LeaseLost), "{err}");
    let err = store.release(&stale).await.unwrap_err();
    assert!(matches!(err, StoreError::LeaseLost), "{err}");
    assert_in_progress(
        store.begin(&key, &f, clock.lease).await.unwrap(),
        clock.lease,
        clock.slack,
    );

    store.complete(&current, b"current", LONG).await.unwrap();
    assert_eq!(completed(store, &key, &f).await, b"current");
    // Once completed, no one changes it: not the stale holder, not the holder again.
    for lease in [&stale, &current] {
        let err = store.complete(lease, b"again", LONG).await.unwrap_err();
        assert!(matches!(err, StoreError::LeaseLost), "{err}");
        let err = store.release(lease).await.unwrap_err();
        assert!(matches!(err, StoreError::LeaseLost), "{err}");
    }
    assert_eq!(completed(store, &key, &f).await, b"current");

    // A lease that ran out with no one else around is lost as well.
    let key = unique_key("expired");
    let Begin::Started(expired) = store.begin(&key, &f, clock.lease).await.unwrap() else {
        panic!("not started");
    };
    clock.pass(clock.lease).await;
    let err = store.complete(&expired, b"late", LONG).await.unwrap_err();
    assert!(matches!(err, StoreError::LeaseLost), "{err}");
    let _ = start(store, &key, &f).await;
}

/// A key used with another fingerprint is a mismatch while in progress and once completed; the
/// original fingerprint still gets the result.
pub(crate) async fn a_reused_key_is_a_mismatch<S: IdempotencyStore>(store: &S) {
    let key = unique_key("mismatch");
    let (original, other) = (fp(r#"{"amount":100}"#), fp(r#"{"amount":900}"#));
    let lease = start(store, &key, &original).await;
    assert!(matches!(
        store.begin(&key, &other, LONG).await.unwrap(),
        Begin::Mismatch
    ));
    store.complete(&lease, b"charged 100", LONG).await.unwrap();
    assert!(matches!(
        store.begin(&key, &other, LONG).await.unwrap(),
        Begin::Mismatch
    ));
    assert_eq!(completed(store, &key, &original).await, b"charged 100");
}

/// Results come back byte for byte: empty, every byte value, NULs, bytes that look like the
/// store's own markers, and a 64 KiB result.
pub(crate) async fn results_come_back_byte_identical<S: IdempotencyStore>(store: &S) {
    let every_byte: Vec<u8> = (0..=255).collect();
    let mut large = vec![0_u8; 64 * 1024];
    let mut x: u32 = 0x9e37_79b9;
    for b in &mut large {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        *b = x.to_le_bytes()[0];
    }
    let results: Vec<Vec<u8>> = vec![
        Vec::new(),
        every_byte,
        b"\0\0\0".to_vec(),
        b"p\xff\xfe".to_vec(),
        b"c".to_vec(),
        "\u{1F600} caf\u{e9} \r\n".as_bytes().to_vec(),
        large,
    ];
    for result in results {
        let key = unique_key("bytes");
        let f = fp("bytes");
        let lease = start(store, &key, &f).await;
        store.complete(&lease, &result, LONG).await.unwrap();
        assert_eq!(completed(store, &key, &f).await, result);
    }
}

/// A completed key is kept for its retention, then forgotten: the next request starts afresh,
/// with any fingerprint.
pub(crate) async fn retention_expiry_frees_the_key<S: IdempotencyStore>(store: &S, clock: &Clock) {
    let key = unique_key("retention");
    let f = fp("retention");
    let retention = clock.lease;
    let lease = start(store, &key, &f).await;
    store.complete(&lease, b"kept", retention).await.unwrap();
    clock.advance(retention / 2).await;
    assert_eq!(completed(store, &key, &f).await, b"kept");
    clock.pass(retention / 2).await;
    let lease = start(store, &key, &fp("another payload")).await;
    store.release(&lease).await.unwrap();
}

/// A released key is free at once, for the sender's retry.
pub(crate) async fn a_released_key_runs_again<S: IdempotencyStore>(store: &S) {
    let key = unique_key("release");
    let f = fp("release");
    let first = start(store, &key, &f).await;
    store.release(&first).await.unwrap();
    let second = start(store, &key, &f).await;
    store.complete(&second, b"second", LONG).await.unwrap();
    assert_eq!(completed(store, &key, &f).await, b"second");
}

/// Scopes keep equal keys apart.
pub(crate) async fn scopes_keep_keys_apart<S: IdempotencyStore>(store: &S) {
    let key = IdempotencyKey::new("evt_shared").unwrap();
    let nonce = format!("{:?}", std::time::Instant::now());
    let a = key.scoped(&Scope::new("tenant-a").and(&nonce));
    let b = key.scoped(&Scope::new("tenant-b").and(&nonce));
    let (fa, fb) = (fp("a"), fp("b"));
    let lease = start(store, &a, &fa).await;
    store.complete(&lease, b"a", LONG).await.unwrap();
    let lease = start(store, &b, &fb).await;
    store.complete(&lease, b"b", LONG).await.unwrap();
    assert_eq!(completed(store, &a, &fa).await, b"a");
    assert_eq!(completed(store, &b, &fb).await, b"b");
}

/// Bad arguments are typed errors that change nothing.
pub(crate) async fn bad_arguments_are_refused<S: IdempotencyStore>(store: &S, max_result: usize) {
    let key = unique_key("limits");
    let f = fp("limits");
    for ttl in [Duration::ZERO, Duration::from_secs(401 * 24 * 3600)] {
        let err = store.begin(&key, &f, ttl).await.unwrap_err();
        assert!(matches!(err, StoreError::InvalidTtl { .. }), "{err}");
        assert_eq!(err.status_code(), 500);
    }
    let lease = start(store, &key, &f).await;
    let err = store
        .complete(&lease, &vec![0; max_result + 1], LONG)
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::ResultTooLarge { max } if max == max_result),
        "{err}"
    );
    let err = store
        .complete(&lease, b"x", Duration::ZERO)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::InvalidTtl { .. }), "{err}");
    // The key is still held by the lease, which can still complete it.
    assert!(matches!(
        store.begin(&key, &f, LONG).await.unwrap(),
        Begin::InProgress { .. }
    ));
    store
        .complete(&lease, &vec![7; max_result], LONG)
        .await
        .unwrap();
    assert_eq!(completed(store, &key, &f).await, vec![7; max_result]);
}

/// [`Idempotency::run`]: success is stored and replayed, failure is released and retried, a
/// failure policy stores what it says is final.
pub(crate) async fn run_stores_successes_and_releases_failures<S: IdempotencyStore>(store: S) {
    let idem = Idempotency::new(store);
    let runs = AtomicUsize::new(0);
    let work = |output: &'static [u8]| {
        let runs = &runs;
        async move {
            runs.fetch_add(1, Ordering::SeqCst);
            Ok::<_, std::io::Error>(output.to_vec())
        }
    };
    let key = unique_key("run");
    let f = fp("run");
    assert_eq!(
        idem.run(&key, &f, work(b"ok")).await.unwrap(),
        Processed::Fresh(b"ok".to_vec())
    );
    let replay = idem.run(&key, &f, work(b"not again")).await.unwrap();
    assert_eq!(replay, Processed::Stored(b"ok".to_vec()));
    assert_eq!(
        replay.stored_header(),
        Some(("Idempotent-Replayed", "true"))
    );
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    let err = idem.run(&key, &fp("other"), work(b"x")).await.unwrap_err();
    assert!(matches!(err, IdempotencyError::Mismatch));
    assert_eq!((err.status_code(), err.retry_after()), (422, None));

    // A failure releases the key: the retry runs.
    let key = unique_key("run-fail");
    let err = idem
        .run(&key, &f, async {
            Err::<Vec<u8>, _>(std::io::Error::other("db down"))
        })
        .await
        .unwrap_err();
    assert!(matches!(err, IdempotencyError::Failed(_)));
    assert_eq!(err.status_code(), 500);
    let retry = idem.run(&key, &f, work(b"retried")).await.unwrap();
    assert_eq!(retry, Processed::Fresh(b"retried".to_vec()));

    // A failure the policy calls final is stored and replayed.
    let key = unique_key("run-final");
    let err = idem
        .run_storing_failures(
            &key,
            &f,
            async { Err::<Vec<u8>, _>(std::io::Error::other("bad payload")) },
            |e| Some(format!("rejected: {e}").into_bytes()),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, IdempotencyError::Failed(_)));
    let before = runs.load(Ordering::SeqCst);
    let replay = idem.run(&key, &f, work(b"x")).await.unwrap();
    assert_eq!(replay, Processed::Stored(b"rejected: bad payload".to_vec()));
    assert_eq!(runs.load(Ordering::SeqCst), before);

    // A policy that declines releases.
    let key = unique_key("run-declined");
    let _ = idem
        .run_storing_failures(
            &key,
            &f,
            async { Err::<Vec<u8>, _>(std::io::Error::other("timeout")) },
            |_| None,
        )
        .await
        .unwrap_err();
    assert!(!idem.run(&key, &f, work(b"y")).await.unwrap().is_stored());
}

/// `tasks` concurrent [`Idempotency::run`]s of one key: the work runs exactly once; every other
/// call is told it is in progress or gets the stored output.
pub(crate) async fn concurrent_runs_do_the_work_once<S: IdempotencyStore + 'static>(
    store: Arc<S>,
    tasks: usize,
) {
    let idem = Arc::new(Idempotency::new(store));
    let runs = Arc::new(AtomicUsize::new(0));
    let key = unique_key("run-race");
    let barrier = Arc::new(Barrier::new(tasks));
    let mut set = JoinSet::new();
    for _ in 0..tasks {
        let (idem, runs, barrier) = (Arc::clone(&idem), Arc::clone(&runs), Arc::clone(&barrier));
        set.spawn(async move {
            barrier.wait().await;
            idem.run(&key, &fp("race"), async {
                runs.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(20)).await;
                Ok::<_, std::io::Error>(b"once".to_vec())
            })
            .await
        });
    }
    let (mut fresh, mut busy) = (0, 0);
    while let Some(r) = set.join_next().await {
        match r.unwrap() {
            Ok(Processed::Fresh(out)) => {
                assert_eq!(out, b"once");
                fresh += 1;
            }
            Ok(Processed::Stored(out)) => assert_eq!(out, b"once"),
            Err(e @ IdempotencyError::InProgress { .. }) => {
                assert_eq!(e.status_code(), 409);
                assert!(e.retry_after().is_some_and(|d| d >= Duration::from_secs(1)));
                busy += 1;
            }
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!((fresh, runs.load(Ordering::SeqCst)), (1, 1));
    assert!(busy > 0, "no call overlapped the work");
}

/// Work that panics, or whose future is dropped, frees its key well before the lease would
/// expire; `released` waits for the store to show it (a detached release may take a moment).
pub(crate) async fn panics_and_dropped_futures_release_the_key<S, F>(store: Arc<S>, released: F)
where
    S: IdempotencyStore + 'static,
    F: AsyncFn(&S, &ScopedKey, &Fingerprint),
{
    let idem = Arc::new(Idempotency::new(Arc::clone(&store)));
    let f = fp("abandoned");

    // The work panics.
    let key = unique_key("panic");
    let task = {
        let idem = Arc::clone(&idem);
        tokio::spawn(async move {
            idem.run(&key, &fp("abandoned"), async {
                panic!("the handler panicked");
                #[allow(unreachable_code)]
                Ok::<Vec<u8>, std::io::Error>(Vec::new())
            })
            .await
        })
    };
    assert!(task.await.unwrap_err().is_panic());
    released(&store, &key, &f).await;

    // The future is dropped mid-work (a client hung up, a timeout fired).
    let key = unique_key("dropped");
    let never = idem.run(&key, &f, async {
        std::future::pending::<()>().await;
        Ok::<Vec<u8>, std::io::Error>(Vec::new())
    });
    let timed_out = tokio::time::timeout(Duration::from_millis(50), never).await;
    assert!(timed_out.is_err());
    released(&store, &key, &f).await;
}

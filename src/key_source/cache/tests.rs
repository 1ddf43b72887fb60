//! The cache's promises: one fetch per URL at a time, no caller left waiting when the fetching
//! one goes away, TTL, capacity, the limit of fetches at once, failures remembered, documents
//! bounded, refreshes rate-limited.

use core::sync::atomic::{AtomicUsize, Ordering};

use tokio::task::JoinSet;
use tokio::time::timeout;

use super::*;
use crate::key_source::{AllowList, FetchError};

/// What [`Scripted`] does on a call.
enum Action {
    Body(Vec<u8>),
    Fail,
    Hang,
    Panic,
}

/// A fetcher that counts its calls, sleeps `delay`, then does what `script` says for the call
/// (numbered from 0) and URL.
#[derive(Clone)]
struct Scripted {
    calls: Arc<AtomicUsize>,
    delay: Duration,
    script: fn(usize, &str) -> Action,
}

impl Scripted {
    fn new(script: fn(usize, &str) -> Action) -> Self {
        Self {
            calls: Arc::new(AtomicUsize::new(0)),
            delay: Duration::ZERO,
            script,
        }
    }

    fn with_delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    /// Waits (in real time, at most 5 s) until `n` calls have begun.
    async fn until_calls(&self, n: usize) {
        for _ in 0..5000 {
            if self.calls() >= n {
                return;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        panic!("{} calls, expected {n}", self.calls());
    }
}

impl KeyFetcher for Scripted {
    async fn fetch(&self, url: &KeyUrl) -> Result<Vec<u8>, FetchError> {
        let call = self.calls.fetch_add(1, Ordering::SeqCst);
        if !self.delay.is_zero() {
            tokio::time::sleep(self.delay).await;
        }
        match (self.script)(call, url.as_str()) {
            Action::Body(body) => Ok(body),
            Action::Fail => Err(FetchError::new("connection refused")),
            Action::Hang => std::future::pending().await,
            Action::Panic => panic!("the fetcher panicked"),
        }
    }
}

/// The document every URL serves: its own URL.
fn echo(_: usize, url: &str) -> Action {
    Action::Body(url.as_bytes().to_vec())
}

fn url(path: &str) -> KeyUrl {
    AllowList::prefix("https://keys.example.com")
        .unwrap()
        .check(format!("https://keys.example.com/{path}").as_bytes())
        .unwrap()
}

/// The parser of these tests: a document is UTF-8 text.
fn text(doc: &[u8]) -> Result<String, VerifyError> {
    String::from_utf8(doc.to_vec()).map_err(|_| VerifyError::InvalidFetchedKey)
}

/// Bounds a wait that would hang if the cache left a caller waiting.
async fn within<F: Future>(future: F) -> F::Output {
    timeout(Duration::from_secs(5), future)
        .await
        .expect("a caller was left waiting")
}

#[test]
fn the_cache_and_its_futures_are_send_and_sync() {
    fn send_sync<T: Send + Sync + Clone>() {}
    fn send<T: Send>(_: &T) {}
    send_sync::<KeyCache>();
    let cache = KeyCache::new(Scripted::new(echo));
    let url = url("a");
    send(&cache.load(&url, text));
    send(&cache.refresh(&url, Duration::from_secs(1), text));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_loads_of_one_url_fetch_once() {
    let fetcher = Scripted::new(echo).with_delay(Duration::from_millis(50));
    let cache = KeyCache::new(fetcher.clone());
    let mut tasks = JoinSet::new();
    for _ in 0..100 {
        let cache = cache.clone();
        tasks.spawn(async move { cache.load(&url("a.pem"), text).await });
    }
    let docs: Vec<Arc<String>> = within(tasks.join_all())
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(fetcher.calls(), 1);
    assert_eq!(docs.len(), 100);
    assert_eq!(*docs[0], "https://keys.example.com/a.pem");
    assert!(docs.iter().all(|doc| Arc::ptr_eq(doc, &docs[0])));
    // Cached now: neither path fetches.
    assert!(Arc::ptr_eq(
        &cache.cached::<String>(&url("a.pem")).unwrap(),
        &docs[0]
    ));
    assert!(Arc::ptr_eq(
        &cache.load(&url("a.pem"), text).await.unwrap(),
        &docs[0]
    ));
    assert_eq!(fetcher.calls(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_fetch_lets_a_waiter_fetch() {
    // The first call never ends; the second answers.
    let fetcher = Scripted::new(|call, url| match call {
        0 => Action::Hang,
        _ => echo(call, url),
    });
    let cache = KeyCache::new(fetcher.clone());
    let leader = tokio::spawn({
        let cache = cache.clone();
        async move { cache.load(&url("a"), text).await }
    });
    fetcher.until_calls(1).await;
    let waiter = tokio::spawn({
        let cache = cache.clone();
        async move { cache.load(&url("a"), text).await }
    });
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert!(!waiter.is_finished(), "the waiter waits for the fetch");
    assert_eq!(fetcher.calls(), 1);

    leader.abort();
    assert!(leader.await.unwrap_err().is_cancelled());
    let doc = within(waiter).await.unwrap().unwrap();
    assert_eq!(*doc, "https://keys.example.com/a");
    assert_eq!(fetcher.calls(), 2);
    assert_eq!(
        format!("{cache:?}"),
        "KeyCache { entries: 1, fetching: 0, capacity: 32, ttl: 3600s, max_fetches: 4 }"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_fetcher_lets_a_waiter_fetch() {
    let fetcher = Scripted::new(|call, url| match call {
        0 => Action::Panic,
        _ => echo(call, url),
    })
    .with_delay(Duration::from_millis(50));
    let cache = KeyCache::new(fetcher.clone());
    let leader = tokio::spawn({
        let cache = cache.clone();
        async move { cache.load(&url("a"), text).await }
    });
    fetcher.until_calls(1).await;
    let waiter = tokio::spawn({
        let cache = cache.clone();
        async move { cache.load(&url("a"), text).await }
    });
    assert!(within(leader).await.unwrap_err().is_panic());
    assert!(within(waiter).await.unwrap().is_ok());
    assert_eq!(fetcher.calls(), 2);
}

#[tokio::test]
async fn a_zero_ttl_fetches_every_time_but_still_once_at_a_time() {
    let fetcher = Scripted::new(echo).with_delay(Duration::from_millis(20));
    let cache = KeyCache::new(fetcher.clone()).with_ttl(Duration::ZERO);
    let mut tasks = JoinSet::new();
    for _ in 0..10 {
        let cache = cache.clone();
        tasks.spawn(async move { cache.load(&url("a"), text).await });
    }
    let docs = within(tasks.join_all()).await;
    assert!(docs.iter().all(Result::is_ok));
    assert_eq!(fetcher.calls(), 1);
    assert!(cache.cached::<String>(&url("a")).is_none());
    cache.load(&url("a"), text).await.unwrap();
    assert_eq!(fetcher.calls(), 2);
}

#[tokio::test]
async fn the_least_recently_used_url_is_dropped_when_full() {
    let fetcher = Scripted::new(echo);
    let cache = KeyCache::new(fetcher.clone()).with_capacity(2).unwrap();
    cache.load(&url("a"), text).await.unwrap();
    cache.load(&url("b"), text).await.unwrap();
    // `a` used again, so `b` is the least recently used.
    assert!(cache.cached::<String>(&url("a")).is_some());
    cache.load(&url("c"), text).await.unwrap();
    assert_eq!(fetcher.calls(), 3);
    assert!(cache.cached::<String>(&url("a")).is_some());
    assert!(cache.cached::<String>(&url("b")).is_none());
    assert!(cache.cached::<String>(&url("c")).is_some());
    assert!(format!("{cache:?}").contains("entries: 2"));
    cache.load(&url("b"), text).await.unwrap();
    assert_eq!(fetcher.calls(), 4);
}

#[tokio::test]
async fn failures_are_dropped_before_documents() {
    let fetcher = Scripted::new(|call, url| {
        if url.contains("down") {
            Action::Fail
        } else {
            echo(call, url)
        }
    });
    let cache = KeyCache::new(fetcher.clone()).with_capacity(2).unwrap();
    cache.load(&url("a"), text).await.unwrap();
    assert_eq!(
        cache.load(&url("down"), text).await,
        Err(VerifyError::KeyUnavailable)
    );
    // `a` is the least recently used, but it holds a document and `down` a failure.
    cache.load(&url("b"), text).await.unwrap();
    assert!(cache.cached::<String>(&url("a")).is_some());
    assert!(cache.cached::<String>(&url("b")).is_some());
    assert_eq!(fetcher.calls(), 3);
    cache.load(&url("a"), text).await.unwrap();
    assert_eq!(fetcher.calls(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn beyond_the_fetch_limit_new_urls_are_refused_at_once() {
    let fetcher = Scripted::new(|call, url| {
        if url.contains("slow") {
            Action::Hang
        } else {
            echo(call, url)
        }
    });
    let cache = KeyCache::new(fetcher.clone()).with_max_fetches(2).unwrap();
    let mut slow = JoinSet::new();
    for path in ["slow/1", "slow/2"] {
        let cache = cache.clone();
        slow.spawn(async move { cache.load(&url(path), text).await });
    }
    fetcher.until_calls(2).await;

    // A third URL: refused without waiting and without a fetch.
    let refused = timeout(Duration::from_secs(1), cache.load(&url("other"), text)).await;
    assert_eq!(refused.unwrap(), Err(VerifyError::KeyUnavailable));
    assert_eq!(fetcher.calls(), 2);
    // A URL being fetched: its callers wait for that fetch rather than being refused.
    let waits = timeout(Duration::from_millis(50), cache.load(&url("slow/1"), text)).await;
    assert!(waits.is_err(), "a caller of a URL being fetched waits");
    assert_eq!(fetcher.calls(), 2);

    // Refusal is not failure: once the fetches end, nothing is remembered against the URL.
    slow.abort_all();
    while slow.join_next().await.is_some() {}
    assert_eq!(
        cache.load(&url("other"), text).await.unwrap().as_str(),
        "https://keys.example.com/other"
    );
}

#[tokio::test]
async fn documents_are_bounded() {
    fn of_len(_: usize, url: &str) -> Action {
        let len = url.rsplit('/').next().unwrap().parse().unwrap();
        Action::Body(vec![b'a'; len])
    }
    fn len(doc: &[u8]) -> Result<usize, VerifyError> {
        Ok(doc.len())
    }
    let cache = KeyCache::new(Scripted::new(of_len));
    let max = KeyCache::MAX_DOCUMENT_LEN;
    assert_eq!(*cache.load(&url(&max.to_string()), len).await.unwrap(), max);
    assert_eq!(
        cache.load(&url(&(max + 1).to_string()), len).await,
        Err(VerifyError::KeyUnavailable)
    );
}

#[tokio::test]
async fn a_url_holds_one_type_of_document() {
    fn len(doc: &[u8]) -> Result<usize, VerifyError> {
        Ok(doc.len())
    }
    let fetcher = Scripted::new(echo);
    let cache = KeyCache::new(fetcher.clone());
    cache.load(&url("a"), text).await.unwrap();
    assert!(cache.cached::<usize>(&url("a")).is_none());
    assert_eq!(*cache.load(&url("a"), len).await.unwrap(), 26);
    assert_eq!(fetcher.calls(), 2);
    assert!(cache.cached::<String>(&url("a")).is_none());
}

#[tokio::test]
async fn debug_shows_no_document() {
    let cache = KeyCache::new(Scripted::new(echo));
    cache
        .load(&url("secret-looking-document"), text)
        .await
        .unwrap();
    let debug = format!("{cache:?}");
    assert!(!debug.contains("secret-looking"), "{debug}");
    assert!(debug.contains("entries: 1"), "{debug}");
}

#[test]
fn limits_of_zero_are_refused() {
    let cache = || KeyCache::new(Scripted::new(echo));
    assert_eq!(
        cache().with_capacity(0).unwrap_err(),
        ConfigError::InvalidLimit
    );
    assert_eq!(
        cache().with_max_fetches(0).unwrap_err(),
        ConfigError::InvalidLimit
    );
}

#[cfg(feature = "test-util")]
mod timed {
    use super::*;
    use crate::clock::ManualClock;
    use crate::timestamp::Timestamp;

    fn clock() -> ManualClock {
        ManualClock::new(Timestamp::from_unix_secs(1_700_000_000))
    }

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[tokio::test]
    async fn documents_expire_after_the_ttl() {
        let clock = clock();
        let fetcher = Scripted::new(echo);
        let cache = KeyCache::new(fetcher.clone()).with_clock(clock.clone());
        let first = cache.load(&url("a"), text).await.unwrap();
        clock.advance(secs(3599));
        assert!(cache.cached::<String>(&url("a")).is_some());
        let again = cache.load(&url("a"), text).await.unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        assert_eq!(fetcher.calls(), 1);

        clock.advance(secs(1));
        assert!(cache.cached::<String>(&url("a")).is_none());
        let fetched = cache.load(&url("a"), text).await.unwrap();
        assert!(!Arc::ptr_eq(&first, &fetched));
        assert_eq!(fetcher.calls(), 2);
    }

    #[tokio::test]
    async fn the_ttl_is_set_by_the_user_and_read_on_the_monotonic_clock() {
        let clock = clock();
        let fetcher = Scripted::new(echo);
        let cache = KeyCache::new(fetcher.clone())
            .with_ttl(secs(60))
            .with_clock(clock.clone());
        cache.load(&url("a"), text).await.unwrap();
        // A wall-clock step moves nothing.
        clock.set(Timestamp::from_unix_secs(1_900_000_000));
        assert!(cache.cached::<String>(&url("a")).is_some());
        clock.advance(secs(60));
        assert!(cache.cached::<String>(&url("a")).is_none());
    }

    #[tokio::test]
    async fn a_failed_fetch_is_remembered_for_ten_seconds() {
        let clock = clock();
        let fetcher = Scripted::new(|call, url| match call {
            0 => Action::Fail,
            _ => echo(call, url),
        });
        let cache = KeyCache::new(fetcher.clone()).with_clock(clock.clone());
        let down = Err(VerifyError::KeyUnavailable);
        assert_eq!(cache.load(&url("a"), text).await, down);
        assert_eq!(cache.load(&url("a"), text).await, down);
        clock.advance(secs(9));
        assert_eq!(cache.load(&url("a"), text).await, down);
        assert_eq!(fetcher.calls(), 1);
        assert!(cache.cached::<String>(&url("a")).is_none());

        clock.advance(secs(1));
        assert!(cache.load(&url("a"), text).await.is_ok());
        assert_eq!(fetcher.calls(), 2);
    }

    #[tokio::test]
    async fn a_document_that_does_not_parse_is_remembered_for_ten_seconds() {
        let clock = clock();
        let fetcher = Scripted::new(|call, url| match call {
            0 => Action::Body(vec![0xff]),
            _ => echo(call, url),
        });
        let cache = KeyCache::new(fetcher.clone()).with_clock(clock.clone());
        let invalid = Err(VerifyError::InvalidFetchedKey);
        assert_eq!(cache.load(&url("a"), text).await, invalid);
        clock.advance(secs(9));
        assert_eq!(cache.load(&url("a"), text).await, invalid);
        assert_eq!(fetcher.calls(), 1);
        clock.advance(secs(1));
        assert!(cache.load(&url("a"), text).await.is_ok());
        assert_eq!(fetcher.calls(), 2);
    }

    #[tokio::test]
    async fn refresh_fetches_at_most_once_per_min_age() {
        let clock = clock();
        let fetcher = Scripted::new(echo);
        let cache = KeyCache::new(fetcher.clone()).with_clock(clock.clone());
        let min_age = secs(60);
        let first = cache.load(&url("jwks"), text).await.unwrap();
        // Just fetched: the document is the answer.
        let same = cache.refresh(&url("jwks"), min_age, text).await.unwrap();
        assert!(Arc::ptr_eq(&first, &same));
        assert_eq!(fetcher.calls(), 1);

        clock.advance(secs(60));
        let second = cache.refresh(&url("jwks"), min_age, text).await.unwrap();
        assert!(!Arc::ptr_eq(&first, &second));
        assert_eq!(fetcher.calls(), 2);
        // `load` and `cached` see the new document.
        let loaded = cache.load(&url("jwks"), text).await.unwrap();
        assert!(Arc::ptr_eq(&second, &loaded));

        clock.advance(secs(59));
        cache.refresh(&url("jwks"), min_age, text).await.unwrap();
        assert_eq!(fetcher.calls(), 2);
        clock.advance(secs(1));
        cache.refresh(&url("jwks"), min_age, text).await.unwrap();
        assert_eq!(fetcher.calls(), 3);
    }

    #[tokio::test]
    async fn a_failed_refresh_keeps_the_document_and_the_rate_limit() {
        let clock = clock();
        let fetcher = Scripted::new(|call, url| match call {
            0 => echo(call, url),
            _ => Action::Fail,
        });
        let cache = KeyCache::new(fetcher.clone()).with_clock(clock.clone());
        let min_age = secs(60);
        let first = cache.load(&url("jwks"), text).await.unwrap();
        clock.advance(secs(60));
        assert_eq!(
            cache.refresh(&url("jwks"), min_age, text).await,
            Err(VerifyError::KeyUnavailable)
        );
        assert_eq!(fetcher.calls(), 2);
        // The document fetched before is still within its TTL.
        let loaded = cache.load(&url("jwks"), text).await.unwrap();
        assert!(Arc::ptr_eq(&first, &loaded));
        // Once the failure is forgotten, the refresh is still rate-limited: the document is
        // the answer until `min_age` after the failed fetch began.
        clock.advance(secs(11));
        let answer = cache.refresh(&url("jwks"), min_age, text).await.unwrap();
        assert!(Arc::ptr_eq(&first, &answer));
        assert_eq!(fetcher.calls(), 2);
        clock.advance(secs(49));
        assert_eq!(
            cache.refresh(&url("jwks"), min_age, text).await,
            Err(VerifyError::KeyUnavailable)
        );
        assert_eq!(fetcher.calls(), 3);
    }
}

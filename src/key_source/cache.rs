//! [`KeyCache`]: key documents fetched through the receiver's [`KeyFetcher`], parsed once and
//! kept for a while, one fetch per URL at a time, on no async runtime of its own.

use core::any::Any;
use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use core::time::Duration;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::allow_list::KeyUrl;
use super::fetcher::{DynFetcher, KeyFetcher};
use crate::clock::{Clock, SystemClock};
use crate::error::{ConfigError, VerifyError};

/// The documents that hold senders' keys (certificates, key sets), fetched through your
/// [`KeyFetcher`] from URLs an [`AllowList`](crate::AllowList) accepted, parsed, and kept.
///
/// - **Bounded**: it keeps at most [`with_capacity`](Self::with_capacity) URLs (32 by
///   default); when full it drops first the URLs that hold no fresh document (failures,
///   expired documents), then the least recently used.
/// - **Kept for a TTL** ([`with_ttl`](Self::with_ttl), 1 hour by default), measured on the
///   monotonic time of its [`Clock`], then fetched again.
/// - **One fetch per URL at a time**: requests that need the same URL while it is being fetched
///   wait for that fetch and share its result. If the request that fetches goes away (its
///   future dropped, a panic), a waiting one fetches instead; none waits forever.
/// - **At most a few fetches at once** ([`with_max_fetches`](Self::with_max_fetches), 4 by
///   default): beyond that, a request naming yet another URL is refused at once with
///   [`VerifyError::KeyUnavailable`], so requests naming many allowed URLs cannot make the
///   receiver fetch without bound.
/// - **Failures are remembered** for [`FAILURE_TTL`](Self::FAILURE_TTL) (10 s): a failed
///   fetch ([`VerifyError::KeyUnavailable`]), a document longer than
///   [`MAX_DOCUMENT_LEN`](Self::MAX_DOCUMENT_LEN) (the same), a document that is not the
///   provider's keys ([`VerifyError::InvalidFetchedKey`]). Meanwhile requests for that URL get
///   the same error without a fetch.
///
/// It needs no async runtime: it runs on whichever runs the requests. Clones share the cache.
///
/// ```
/// use std::time::Duration;
/// use hookseal::{FetchError, KeyCache, KeyFetcher, KeyUrl};
///
/// struct Offline;
///
/// impl KeyFetcher for Offline {
///     async fn fetch(&self, _url: &KeyUrl) -> Result<Vec<u8>, FetchError> {
///         Err(FetchError::new("no network here"))
///     }
/// }
///
/// let cache = KeyCache::new(Offline)
///     .with_ttl(Duration::from_secs(15 * 60))
///     .with_capacity(8)?
///     .with_max_fetches(2)?;
/// assert_eq!(
///     format!("{cache:?}"),
///     "KeyCache { entries: 0, fetching: 0, capacity: 8, ttl: 900s, max_fetches: 2 }"
/// );
/// # Ok::<(), hookseal::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct KeyCache {
    inner: Arc<Inner>,
}

impl KeyCache {
    /// The longest document accepted, in bytes: 64 KiB, far above a certificate chain or a key
    /// set. A longer one is refused ([`VerifyError::KeyUnavailable`]); fetchers should stop
    /// reading past it.
    pub const MAX_DOCUMENT_LEN: usize = 64 * 1024;

    /// How long a failed fetch, or a document that did not parse, is remembered: 10 s. A
    /// request needing that URL meanwhile gets the same error without a fetch.
    pub const FAILURE_TTL: Duration = Duration::from_secs(10);

    /// A cache that fetches through `fetcher`: 32 URLs, a TTL of 1 hour, at most 4 fetches at
    /// once, on the [`SystemClock`].
    #[must_use]
    pub fn new(fetcher: impl KeyFetcher) -> Self {
        Self {
            inner: Arc::new(Inner {
                fetcher: Arc::new(fetcher),
                clock: Arc::new(SystemClock::new()),
                settings: Settings {
                    capacity: DEFAULT_CAPACITY,
                    ttl: DEFAULT_TTL,
                    max_fetches: DEFAULT_MAX_FETCHES,
                },
                state: Mutex::default(),
            }),
        }
    }

    /// Keeps at most `urls` URLs. Defaults to 32.
    ///
    /// URLs being fetched are never dropped, so while more of them are fetched than there is
    /// room, the cache holds up to `urls` plus [`with_max_fetches`](Self::with_max_fetches).
    ///
    /// Set the cache up before cloning it or using it: each `with_*` returns a cache of its
    /// own, empty.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidLimit`] for 0.
    pub fn with_capacity(self, urls: usize) -> Result<Self, ConfigError> {
        if urls == 0 {
            return Err(ConfigError::InvalidLimit);
        }
        Ok(self.rebuilt(|settings, _| settings.capacity = urls))
    }

    /// Keeps a document for `ttl` after it was fetched, then fetches it again. Defaults to 1
    /// hour. Zero keeps none: every request fetches (one fetch per URL at a time still).
    ///
    /// Set the cache up before cloning it or using it: each `with_*` returns a cache of its
    /// own, empty.
    #[must_use]
    pub fn with_ttl(self, ttl: Duration) -> Self {
        self.rebuilt(|settings, _| settings.ttl = ttl)
    }

    /// Fetches at most `fetches` different URLs at once; a request needing another URL
    /// meanwhile is refused with [`VerifyError::KeyUnavailable`]. Defaults to 4.
    ///
    /// Set the cache up before cloning it or using it: each `with_*` returns a cache of its
    /// own, empty.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidLimit`] for 0.
    pub fn with_max_fetches(self, fetches: usize) -> Result<Self, ConfigError> {
        if fetches == 0 {
            return Err(ConfigError::InvalidLimit);
        }
        Ok(self.rebuilt(|settings, _| settings.max_fetches = fetches))
    }

    /// Measures ages on `clock`'s [`monotonic`](Clock::monotonic) time. Defaults to the
    /// [`SystemClock`].
    ///
    /// Set the cache up before cloning it or using it: each `with_*` returns a cache of its
    /// own, empty.
    #[must_use]
    pub fn with_clock(self, clock: impl Clock + 'static) -> Self {
        self.rebuilt(|_, old| *old = Arc::new(clock))
    }

    /// The parsed document cached for `url`, if it is there, younger than the TTL, and of type
    /// `T`. Synchronous; never fetches.
    pub(crate) fn cached<T: Send + Sync + 'static>(&self, url: &KeyUrl) -> Option<Arc<T>> {
        self.inner.cached(url.as_str())
    }

    /// The document cached for `url`, or else fetched, parsed with `parse` and cached.
    ///
    /// One fetch per URL at a time: callers that need the URL while it is fetched wait for
    /// that fetch and share its result. A URL holds a document of one type: loading it as
    /// another fetches it again and replaces it. `parse` returns
    /// [`VerifyError::InvalidFetchedKey`] for a document that is not the provider's keys; its
    /// error is remembered as a failed fetch's is.
    ///
    /// # Errors
    ///
    /// [`VerifyError::KeyUnavailable`] when the fetch failed, the document was too long, a
    /// fetch of `url` failed less than [`FAILURE_TTL`](Self::FAILURE_TTL) ago, or too many
    /// other URLs are being fetched; `parse`'s error for a document it refused (now or less
    /// than [`FAILURE_TTL`](Self::FAILURE_TTL) ago).
    pub(crate) async fn load<T: Send + Sync + 'static>(
        &self,
        url: &KeyUrl,
        parse: fn(&[u8]) -> Result<T, VerifyError>,
    ) -> Result<Arc<T>, VerifyError> {
        self.get(url, Want::Load, parse).await
    }

    /// As [`load`](Self::load), but fetches again when the cached document is `min_age` old or
    /// older: for a key set that lacks the key id a request names, as when the provider
    /// has rotated its keys. A URL is fetched this way at most once per `min_age`; in between,
    /// the cached document is the answer.
    ///
    /// # Errors
    ///
    /// As [`load`](Self::load).
    pub(crate) async fn refresh<T: Send + Sync + 'static>(
        &self,
        url: &KeyUrl,
        min_age: Duration,
        parse: fn(&[u8]) -> Result<T, VerifyError>,
    ) -> Result<Arc<T>, VerifyError> {
        self.get(url, Want::Refresh { min_age }, parse).await
    }

    /// The answer for `url`: cached, from the fetch under way, or from a fetch of its own.
    async fn get<T: Send + Sync + 'static>(
        &self,
        url: &KeyUrl,
        want: Want,
        parse: fn(&[u8]) -> Result<T, VerifyError>,
    ) -> Result<Arc<T>, VerifyError> {
        let inner = &*self.inner;
        let mut waited_for = None;
        // Each turn answers, or waits for a fetch to end (and then its result answers, unless
        // it was dropped), or fetches: no turn repeats without a fetch having ended.
        loop {
            match inner.step::<T>(url.as_str(), want, waited_for) {
                Step::Done(answer) => return answer,
                Step::Wait { fetch, waiter } => {
                    Wait {
                        inner,
                        url: url.as_str(),
                        fetch,
                        waiter,
                    }
                    .await;
                    waited_for = Some(fetch);
                }
                Step::Fetch(id) => {
                    // Released when dropped (the caller went away, `parse` panicked), so
                    // the waiters wake and one of them fetches.
                    let slot = FetchSlot {
                        inner,
                        url: url.as_str(),
                        id,
                        ended: false,
                    };
                    let answer = match inner.fetcher.fetch_boxed(url).await {
                        Ok(body) if body.len() <= Self::MAX_DOCUMENT_LEN => {
                            parse(&body).map(Arc::new)
                        }
                        Ok(_) | Err(_) => Err(VerifyError::KeyUnavailable),
                    };
                    slot.finish(
                        answer
                            .clone()
                            .map(|doc| -> Arc<dyn Any + Send + Sync> { doc }),
                    );
                    return answer;
                }
            }
        }
    }

    /// A cache with the same fetcher, its settings and clock changed by `change`, and nothing
    /// in it.
    fn rebuilt(self, change: impl FnOnce(&mut Settings, &mut Arc<dyn Clock>)) -> Self {
        let mut settings = self.inner.settings;
        let mut clock = Arc::clone(&self.inner.clock);
        change(&mut settings, &mut clock);
        Self {
            inner: Arc::new(Inner {
                fetcher: Arc::clone(&self.inner.fetcher),
                clock,
                settings,
                state: Mutex::default(),
            }),
        }
    }
}

impl fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (entries, fetching) = {
            let state = self.inner.lock();
            (state.slots.len(), state.fetching)
        };
        let Settings {
            capacity,
            ttl,
            max_fetches,
        } = self.inner.settings;
        f.debug_struct("KeyCache")
            .field("entries", &entries)
            .field("fetching", &fetching)
            .field("capacity", &capacity)
            .field("ttl", &ttl)
            .field("max_fetches", &max_fetches)
            .finish()
    }
}

/// What a caller asks of the cache.
#[derive(Debug, Clone, Copy)]
enum Want {
    /// A document younger than the TTL.
    Load,
    /// A document younger than `min_age`, fetched at most once per `min_age`.
    Refresh { min_age: Duration },
}

/// What a caller does next.
enum Step<T> {
    /// Answers.
    Done(Result<Arc<T>, VerifyError>),
    /// Waits for fetch `fetch` to end, as waiter `waiter`.
    Wait { fetch: u64, waiter: u64 },
    /// Fetches, as fetch `id` (the URL's slot is claimed).
    Fetch(u64),
}

/// The cache shared by the clones of a [`KeyCache`].
struct Inner {
    fetcher: Arc<dyn DynFetcher>,
    clock: Arc<dyn Clock>,
    settings: Settings,
    /// Held for a few map operations at a time, never across an `await` and never while user
    /// code runs (wakers are woken after it is released).
    state: Mutex<State>,
}

#[derive(Debug, Clone, Copy)]
struct Settings {
    capacity: usize,
    ttl: Duration,
    max_fetches: usize,
}

/// The URLs, and the fetches under way.
#[derive(Default)]
struct State {
    slots: HashMap<Box<str>, Slot>,
    /// How many slots have a fetch under way.
    fetching: usize,
    /// The last id given to a fetch or a waiter, and the last use of a slot (a counter that
    /// only grows, so it orders uses).
    last_id: u64,
}

/// What is known of one URL.
struct Slot {
    /// The last document fetched and parsed.
    ready: Option<Ready>,
    /// The last failure, if it came after the last document.
    failed: Option<Failed>,
    /// The fetch under way.
    fetch: Option<InFlight>,
    /// When the last fetch began, on the monotonic clock.
    last_fetch: Duration,
    /// The last use, in [`State::last_id`] ticks.
    last_used: u64,
}

struct Ready {
    doc: Arc<dyn Any + Send + Sync>,
    /// When it was fetched, on the monotonic clock.
    at: Duration,
    /// The fetch that got it.
    fetch: u64,
}

struct Failed {
    error: VerifyError,
    /// When the fetch failed, on the monotonic clock.
    at: Duration,
    /// The fetch that failed.
    fetch: u64,
}

struct InFlight {
    id: u64,
    /// The callers waiting for it, by waiter id.
    waiters: Vec<(u64, Waker)>,
}

impl Inner {
    /// The state, even if a thread panicked while holding it: no code run under the lock
    /// leaves it half-changed.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn cached<T: Send + Sync + 'static>(&self, url: &str) -> Option<Arc<T>> {
        let now = self.clock.monotonic();
        let mut state = self.lock();
        let tick = state.tick();
        let slot = state.slots.get_mut(url)?;
        slot.last_used = tick;
        slot.fresh(now, self.settings.ttl)
    }

    /// Decides, under the lock, what a caller of `url` does next. `waited_for` is the fetch
    /// it last waited for, whose result answers it whatever its age.
    fn step<T: Send + Sync + 'static>(
        &self,
        url: &str,
        want: Want,
        waited_for: Option<u64>,
    ) -> Step<T> {
        let now = self.clock.monotonic();
        let Settings {
            capacity,
            ttl,
            max_fetches,
        } = self.settings;
        let mut guard = self.lock();
        let state = &mut *guard;
        let tick = state.tick();
        if let Some(slot) = state.slots.get_mut(url) {
            slot.last_used = tick;
            if let Some(answer) = waited_for.and_then(|id| slot.result_of::<T>(id)) {
                return Step::Done(answer);
            }
            let fresh = slot.fresh::<T>(now, ttl);
            let wants_fetch = match (&fresh, want) {
                (None, _) => true,
                (Some(_), Want::Load) => false,
                (Some(_), Want::Refresh { min_age }) => {
                    let since_fetch = now.saturating_sub(slot.last_fetch);
                    slot.ready
                        .as_ref()
                        .is_some_and(|ready| now.saturating_sub(ready.at) >= min_age)
                        && since_fetch >= min_age
                }
            };
            if let (Some(doc), false) = (&fresh, wants_fetch) {
                return Step::Done(Ok(Arc::clone(doc)));
            }
            if let Some(failed) = &slot.failed
                && now.saturating_sub(failed.at) < KeyCache::FAILURE_TTL
            {
                return Step::Done(Err(failed.error.clone()));
            }
            if let Some(fetch) = &slot.fetch {
                return Step::Wait {
                    fetch: fetch.id,
                    waiter: tick,
                };
            }
        }
        if state.fetching >= max_fetches {
            return Step::Done(Err(VerifyError::KeyUnavailable));
        }
        if !state.slots.contains_key(url) {
            state.evict_over(capacity.saturating_sub(1), None, now, ttl);
            state.slots.insert(
                url.into(),
                Slot {
                    ready: None,
                    failed: None,
                    fetch: None,
                    last_fetch: now,
                    last_used: tick,
                },
            );
        }
        let id = state.tick();
        let Some(slot) = state.slots.get_mut(url) else {
            return Step::Done(Err(VerifyError::KeyUnavailable));
        };
        slot.fetch = Some(InFlight {
            id,
            waiters: Vec::new(),
        });
        slot.last_fetch = now;
        state.fetching = state.fetching.saturating_add(1);
        Step::Fetch(id)
    }

    /// Ends fetch `id` of `url`, storing its `answer` if it has one, and returns the wakers of
    /// the callers that waited for it.
    fn end_fetch(
        &self,
        url: &str,
        id: u64,
        answer: Option<Result<Arc<dyn Any + Send + Sync>, VerifyError>>,
    ) -> Vec<(u64, Waker)> {
        let now = self.clock.monotonic();
        let Settings { capacity, ttl, .. } = self.settings;
        let mut guard = self.lock();
        let state = &mut *guard;
        let Some(slot) = state.slots.get_mut(url) else {
            return Vec::new();
        };
        let Some(fetch) = slot.fetch.take_if(|fetch| fetch.id == id) else {
            return Vec::new();
        };
        match answer {
            Some(Ok(doc)) => {
                slot.ready = Some(Ready {
                    doc,
                    at: now,
                    fetch: id,
                });
                slot.failed = None;
            }
            Some(Err(error)) => {
                slot.failed = Some(Failed {
                    error,
                    at: now,
                    fetch: id,
                });
            }
            None => {}
        }
        state.fetching = state.fetching.saturating_sub(1);
        state.evict_over(capacity, Some(url), now, ttl);
        fetch.waiters
    }
}

impl State {
    /// A new id, later than every one before.
    fn tick(&mut self) -> u64 {
        self.last_id = self.last_id.wrapping_add(1);
        self.last_id
    }

    /// Drops slots until at most `limit` are left: first those without a fresh document, then
    /// the least recently used. Slots with a fetch under way, and `keep`, stay (so the count
    /// may stay above `limit` while they are many).
    fn evict_over(&mut self, limit: usize, keep: Option<&str>, now: Duration, ttl: Duration) {
        while self.slots.len() > limit {
            let victim = self
                .slots
                .iter()
                .filter(|(url, slot)| slot.fetch.is_none() && Some(&***url) != keep)
                .min_by_key(|(_, slot)| {
                    let fresh = slot
                        .ready
                        .as_ref()
                        .is_some_and(|ready| now.saturating_sub(ready.at) < ttl);
                    (fresh, slot.last_used)
                })
                .map(|(url, _)| url.clone());
            match victim {
                Some(url) => {
                    self.slots.remove(&url);
                }
                None => break,
            }
        }
    }
}

impl Slot {
    /// The document, if younger than `ttl` and of type `T`.
    fn fresh<T: Send + Sync + 'static>(&self, now: Duration, ttl: Duration) -> Option<Arc<T>> {
        let ready = self.ready.as_ref()?;
        if now.saturating_sub(ready.at) >= ttl {
            return None;
        }
        Arc::clone(&ready.doc).downcast::<T>().ok()
    }

    /// The result fetch `id` stored, if it is still here (and, for a document, of type `T`).
    fn result_of<T: Send + Sync + 'static>(&self, id: u64) -> Option<Result<Arc<T>, VerifyError>> {
        if let Some(ready) = self.ready.as_ref().filter(|ready| ready.fetch == id) {
            return Arc::clone(&ready.doc).downcast::<T>().ok().map(Ok);
        }
        self.failed
            .as_ref()
            .filter(|failed| failed.fetch == id)
            .map(|failed| Err(failed.error.clone()))
    }
}

/// A fetch under way, as its caller holds it: ended with [`FetchSlot::finish`], or released
/// when dropped, waking the callers that wait for it either way.
struct FetchSlot<'a> {
    inner: &'a Inner,
    url: &'a str,
    id: u64,
    ended: bool,
}

impl FetchSlot<'_> {
    fn finish(mut self, answer: Result<Arc<dyn Any + Send + Sync>, VerifyError>) {
        let wakers = self.inner.end_fetch(self.url, self.id, Some(answer));
        self.ended = true;
        wake(wakers);
    }
}

impl Drop for FetchSlot<'_> {
    fn drop(&mut self) {
        if !self.ended {
            wake(self.inner.end_fetch(self.url, self.id, None));
        }
    }
}

fn wake(waiters: Vec<(u64, Waker)>) {
    for (_, waker) in waiters {
        waker.wake();
    }
}

/// Waits until fetch `fetch` of `url` has ended (or was released).
struct Wait<'a> {
    inner: &'a Inner,
    url: &'a str,
    fetch: u64,
    waiter: u64,
}

impl Future for Wait<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = self.inner.lock();
        let in_flight = state
            .slots
            .get_mut(self.url)
            .and_then(|slot| slot.fetch.as_mut())
            .filter(|fetch| fetch.id == self.fetch);
        let Some(fetch) = in_flight else {
            return Poll::Ready(());
        };
        match fetch.waiters.iter_mut().find(|(id, _)| *id == self.waiter) {
            Some((_, waker)) => waker.clone_from(cx.waker()),
            None => fetch.waiters.push((self.waiter, cx.waker().clone())),
        }
        Poll::Pending
    }
}

impl Drop for Wait<'_> {
    fn drop(&mut self) {
        let mut state = self.inner.lock();
        if let Some(fetch) = state
            .slots
            .get_mut(self.url)
            .and_then(|slot| slot.fetch.as_mut())
            .filter(|fetch| fetch.id == self.fetch)
        {
            fetch.waiters.retain(|(id, _)| *id != self.waiter);
        }
    }
}

const DEFAULT_CAPACITY: usize = 32;
const DEFAULT_TTL: Duration = Duration::from_secs(60 * 60);
const DEFAULT_MAX_FETCHES: usize = 4;

#[cfg(test)]
mod tests;

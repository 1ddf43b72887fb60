//! [`Idempotency`]: runs a piece of async work once per key.

use alloc::vec::Vec;
use core::future::Future;
use core::time::Duration;

use super::{Begin, Fingerprint, IdempotencyStore, Lease, MAX_TTL, ScopedKey, StoreError};
use crate::error::{ConfigError, IdempotencyError};
use crate::observe;

/// The response header marking a result replayed from an earlier request, as Stripe sends it:
/// `Idempotent-Replayed: true`.
pub const REPLAYED_HEADER: &str = "Idempotent-Replayed";

/// Runs the user's async work at most once per key, over an [`IdempotencyStore`].
///
/// - The key is free: the work runs. Success completes the key with its output, which later
///   requests get back ([`Processed::Stored`]). Failure releases the key, so the sender's
///   retry runs the work again — unless a policy says the failure is final and stores it
///   ([`Idempotency::run_storing_failures`]).
/// - The key is held by a running request: [`IdempotencyError::InProgress`] (409, with
///   `Retry-After`). Completed: the stored output. Used for another payload:
///   [`IdempotencyError::Mismatch`] (422).
/// - The work panics or its future is dropped (a client hung up, a timeout fired): the key is
///   released as well as the store can without waiting, and in any case frees itself when the
///   lease expires. It is never blocked for longer.
///
/// ```
/// # futures_lite_block_on(async {
/// use hookseal::idempotency::{
///     Fingerprint, Idempotency, IdempotencyError, IdempotencyKey, MemoryIdempotencyStore,
///     Processed, Scope,
/// };
///
/// let idempotency = Idempotency::new(MemoryIdempotencyStore::new(10_000)?);
/// let scope = Scope::new("stripe");
/// let key = IdempotencyKey::new("evt_1")?.scoped(&scope);
/// let body = br#"{"id":"evt_1","type":"invoice.paid"}"#;
/// let fp = Fingerprint::of_body(body);
///
/// let first = idempotency
///     .run(&key, &fp, async { Ok::<_, std::io::Error>(b"credited".to_vec()) })
///     .await?;
/// assert_eq!(first, Processed::Fresh(b"credited".to_vec()));
///
/// // A retry of the same event gets the stored output; the work does not run again.
/// let retry = idempotency
///     .run(&key, &fp, async { unreachable!("ran twice") as Result<Vec<u8>, std::io::Error> })
///     .await?;
/// assert_eq!(retry.output(), b"credited");
/// assert_eq!(retry.stored_header(), Some(("Idempotent-Replayed", "true")));
///
/// // The same key with another body is refused.
/// let other = Fingerprint::of_body(b"{}");
/// let err = idempotency
///     .run(&key, &other, async { Ok::<_, std::io::Error>(Vec::new()) })
///     .await
///     .unwrap_err();
/// assert!(matches!(err, IdempotencyError::Mismatch));
/// assert_eq!(err.status_code(), 422);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// # fn futures_lite_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     // The memory store answers at once, so polling once suffices.
/// #     let mut f = std::pin::pin!(f);
/// #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
/// #     match f.as_mut().poll(&mut cx) { std::task::Poll::Ready(v) => v, _ => unreachable!() }
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Idempotency<S> {
    store: S,
    lease: Duration,
    retention: Duration,
}

/// What [`Idempotency::run`] produced: the work's output, fresh or replayed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::exhaustive_enums)] // The work either ran now or ran before.
pub enum Processed {
    /// The work ran now, and its output was recorded.
    Fresh(Vec<u8>),
    /// The work ran before; this is its stored output, byte for byte (answered with
    /// `Idempotent-Replayed: true`, the header's name on the wire).
    Stored(Vec<u8>),
}

impl<S: IdempotencyStore> Idempotency<S> {
    /// Runs work over `store`, with a 60-second lease and 72-hour retention.
    #[must_use]
    pub fn new(store: S) -> Self {
        Self {
            store,
            lease: DEFAULT_LEASE,
            retention: DEFAULT_RETENTION,
        }
    }

    /// Holds a key for `lease` while its work runs: how long a key stays blocked after a worker
    /// dies. Make it longer than the work can take.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidLimit`] for under one second or over 400 days.
    pub fn with_lease(mut self, lease: Duration) -> Result<Self, ConfigError> {
        self.lease = check_window(lease)?;
        Ok(self)
    }

    /// Keeps completed keys and their output for `retention`: at least as long as senders retry
    /// (Stripe: three days).
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidLimit`] for under one second or over 400 days.
    pub fn with_retention(mut self, retention: Duration) -> Result<Self, ConfigError> {
        self.retention = check_window(retention)?;
        Ok(self)
    }

    /// The lease.
    #[must_use]
    pub fn lease(&self) -> Duration {
        self.lease
    }

    /// The retention.
    #[must_use]
    pub fn retention(&self) -> Duration {
        self.retention
    }

    /// The store.
    #[must_use]
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Runs `work` unless `key` is running or completed, storing its output on success and
    /// releasing the key on failure.
    ///
    /// # Errors
    ///
    /// [`IdempotencyError::InProgress`], [`IdempotencyError::Mismatch`] and
    /// [`IdempotencyError::Store`] without running the work; [`IdempotencyError::Failed`] when
    /// it ran and failed; [`IdempotencyError::Unrecorded`] when it ran and succeeded but the
    /// output could not be stored.
    pub async fn run<W, E>(
        &self,
        key: &ScopedKey,
        fingerprint: &Fingerprint,
        work: W,
    ) -> Result<Processed, IdempotencyError<E>>
    where
        W: Future<Output = Result<Vec<u8>, E>>,
    {
        self.run_storing_failures(key, fingerprint, work, |_| None)
            .await
    }

    /// [`Idempotency::run`], where `policy` decides which failures are final: for those it
    /// returns the bytes to store, and later requests get them back as
    /// [`Processed::Stored`] instead of running the work again. Failures it returns `None`
    /// for release the key.
    ///
    /// Store what retrying cannot change (a payload the receiver will never accept); release
    /// what it may (a database timeout). Encode in the bytes whether they tell of a success or
    /// a failure.
    ///
    /// # Errors
    ///
    /// As [`Idempotency::run`]; a stored failure is still returned as
    /// [`IdempotencyError::Failed`] the first time.
    pub async fn run_storing_failures<W, E, P>(
        &self,
        key: &ScopedKey,
        fingerprint: &Fingerprint,
        work: W,
        policy: P,
    ) -> Result<Processed, IdempotencyError<E>>
    where
        W: Future<Output = Result<Vec<u8>, E>>,
        P: FnOnce(&E) -> Option<Vec<u8>>,
    {
        let store = self.store.kind();
        let begin = self.store.begin(key, fingerprint, self.lease);
        let lease = match observe::store_operation(store, "begin", begun, begin).await {
            Ok(Begin::Started(lease)) => lease,
            Ok(Begin::InProgress { retry_after }) => {
                return Err(IdempotencyError::InProgress { retry_after });
            }
            Ok(Begin::Completed(output)) => return Ok(Processed::Stored(output)),
            Ok(Begin::Mismatch) => return Err(IdempotencyError::Mismatch),
            Err(e) => return Err(IdempotencyError::Store(e)),
        };
        // From here until the store has answered, dropping this future (or a panic in `work`)
        // releases the key through the guard.
        let guard = LeaseGuard {
            store: &self.store,
            lease: Some(lease),
        };
        let outcome = work.await;
        let lease = guard.lease();
        let result = match outcome {
            Ok(output) => match self.complete(lease, &output).await {
                Ok(()) => Ok(Processed::Fresh(output)),
                Err(source) => Err(IdempotencyError::Unrecorded { output, source }),
            },
            Err(error) => {
                let recorded = match policy(&error) {
                    Some(stored) => self.complete(lease, &stored).await,
                    None => Err(StoreError::LeaseLost),
                };
                if recorded.is_err() {
                    // A key that cannot be released frees itself when its lease expires.
                    let release = self.store.release(lease);
                    let _ = observe::store_operation(store, "release", ok, release).await;
                }
                Err(IdempotencyError::Failed(error))
            }
        };
        guard.disarm();
        result
    }

    /// Completes the leased key with `result`, kept for the retention.
    async fn complete(&self, lease: &Lease, result: &[u8]) -> Result<(), StoreError> {
        let complete = self.store.complete(lease, result, self.retention);
        observe::store_operation(self.store.kind(), "complete", ok, complete).await
    }
}

impl Processed {
    /// The output, fresh or replayed.
    #[must_use]
    pub fn output(&self) -> &[u8] {
        match self {
            Self::Fresh(output) | Self::Stored(output) => output,
        }
    }

    /// The output, owned.
    #[must_use]
    pub fn into_output(self) -> Vec<u8> {
        match self {
            Self::Fresh(output) | Self::Stored(output) => output,
        }
    }

    /// Whether the output was stored by an earlier request.
    #[must_use]
    pub fn is_stored(&self) -> bool {
        matches!(self, Self::Stored(_))
    }

    /// The header to add to the response: `Idempotent-Replayed: true` for a stored output,
    /// nothing for a fresh one.
    #[must_use]
    pub fn stored_header(&self) -> Option<(&'static str, &'static str)> {
        self.is_stored().then_some((REPLAYED_HEADER, "true"))
    }
}

/// Releases its lease when dropped armed: when the work panicked or the future was dropped.
struct LeaseGuard<'s, S: IdempotencyStore + ?Sized> {
    store: &'s S,
    lease: Option<Lease>,
}

impl<S: IdempotencyStore + ?Sized> LeaseGuard<'_, S> {
    fn lease(&self) -> &Lease {
        self.lease
            .as_ref()
            .unwrap_or_else(|| unreachable!("the lease is taken only by `disarm` and `drop`"))
    }

    fn disarm(mut self) {
        self.lease = None;
    }
}

impl<S: IdempotencyStore + ?Sized> Drop for LeaseGuard<'_, S> {
    fn drop(&mut self) {
        if let Some(lease) = self.lease.take() {
            self.store.release_detached(lease);
            observe::detached_release(self.store.kind());
        }
    }
}

/// The outcome a `begin`'s answer is recorded as.
pub(super) fn begun(answer: &Begin) -> &'static str {
    match answer {
        Begin::Started(_) => "started",
        Begin::InProgress { .. } => "in_progress",
        Begin::Completed(_) => "completed",
        Begin::Mismatch => "mismatch",
    }
}

/// The outcome a `complete` or `release` is recorded as.
pub(super) fn ok(_: &()) -> &'static str {
    "ok"
}

fn check_window(d: Duration) -> Result<Duration, ConfigError> {
    if d < Duration::from_secs(1) || d > MAX_TTL {
        Err(ConfigError::InvalidLimit)
    } else {
        Ok(d)
    }
}

const DEFAULT_LEASE: Duration = Duration::from_secs(60);
const DEFAULT_RETENTION: Duration = Duration::from_secs(72 * 3600);

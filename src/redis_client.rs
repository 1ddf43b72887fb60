//! What the crate's Redis stores share: their options, how a TTL and a key are written, and the
//! fenced scripts' calls.

use std::future::Future;
use std::time::Duration;

use redis::{RedisError, Script};

use crate::error::StoreError;
use crate::redis_connection::RedisConnection;

/// How the crate's Redis stores connect ([`RedisReplayCache`](crate::replay::RedisReplayCache)
/// and [`RedisIdempotencyStore`](crate::idempotency::RedisIdempotencyStore), feature `redis`):
/// whether an evicting server is accepted, and how long a connection attempt and a call may take.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::Duration;
///
/// use hookseal::RedisOptions;
/// use hookseal::replay::RedisReplayCache;
///
/// // A cache on a Redis that evicts under memory pressure, accepted knowingly, and calls that
/// // may take up to 250 ms before they fail closed.
/// let options = RedisOptions::new()
///     .allow_eviction()
///     .response_timeout(Duration::from_millis(250));
/// let cache = RedisReplayCache::connect_with("redis://127.0.0.1:6379/", &options).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RedisOptions {
    allow_eviction: bool,
    connection_timeout: Duration,
    response_timeout: Duration,
}

impl Default for RedisOptions {
    fn default() -> Self {
        Self {
            allow_eviction: false,
            connection_timeout: DEFAULT_TIMEOUT,
            response_timeout: DEFAULT_TIMEOUT,
        }
    }
}

impl RedisOptions {
    /// The defaults: refuse a Redis whose `maxmemory-policy` may evict the stores' keys, and
    /// wait at most one second for a connection and one second for a call.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Connects even when the server's `maxmemory-policy` is not `noeviction`.
    ///
    /// Under an evicting policy Redis drops unexpired keys when memory runs short: replayed
    /// requests are then taken as new, and a completed idempotency record as never seen, so the
    /// work runs again. By default connecting refuses such a server; opt in only where the keys
    /// are known to fit (or a lost key is acceptable).
    #[must_use]
    pub fn allow_eviction(mut self) -> Self {
        self.allow_eviction = true;
        self
    }

    /// How long one connection attempt may take (to the node, or to each node of a cluster);
    /// one second by default.
    #[must_use]
    pub fn connection_timeout(mut self, timeout: Duration) -> Self {
        self.connection_timeout = timeout;
        self
    }

    /// How long a call may wait for its answer before it fails closed
    /// ([`StoreError::Unavailable`], answered 503); one second by default. On a cluster it
    /// bounds the whole call, redirections and retries included, so a master that died answers
    /// 503 promptly until its replica takes over.
    ///
    /// A reply that comes too late is an error even though the server may have acted on the
    /// call: a reservation made that way is held until its lease ends.
    #[must_use]
    pub fn response_timeout(mut self, timeout: Duration) -> Self {
        self.response_timeout = timeout;
        self
    }

    pub(crate) fn allows_eviction(&self) -> bool {
        self.allow_eviction
    }

    pub(crate) fn connection_timeout_value(&self) -> Duration {
        self.connection_timeout
    }

    pub(crate) fn response_timeout_value(&self) -> Duration {
        self.response_timeout
    }
}

/// Runs one of the fenced scripts on `key`: `owner` first, then `args`. Answers `Ok` when the
/// script changed the record (it replies 1), and [`StoreError::LeaseLost`] when it found it held
/// by another owner or gone (0).
pub(crate) async fn fenced(
    connection: &RedisConnection,
    script: &Script,
    key: Vec<u8>,
    owner: &[u8],
    args: &[&[u8]],
) -> Result<(), StoreError> {
    let mut all = Vec::with_capacity(args.len() + 1);
    all.push(owner);
    all.extend_from_slice(args);
    let changed: i64 = connection.invoke(script, key, &all).await?;
    if changed == 1 {
        Ok(())
    } else {
        Err(StoreError::LeaseLost)
    }
}

/// How long until a key held for `pttl_ms` more milliseconds (a `PTTL` reply) is free: whole
/// seconds, rounded up, at least one.
pub(crate) fn retry_after(pttl_ms: i64) -> Duration {
    Duration::from_secs(u64::try_from(pttl_ms).unwrap_or(0).div_ceil(1000))
        .max(Duration::from_secs(1))
}

/// A Redis failure, as the store error that fails closed.
pub(crate) fn unavailable(e: RedisError) -> StoreError {
    StoreError::Unavailable(Box::new(e))
}

/// Runs `release` on the current Tokio runtime, if there is one, without waiting for it; with
/// none, the claim ends by itself when its lease does.
pub(crate) fn detach(release: impl Future<Output = ()> + Send + 'static) {
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        drop(runtime.spawn(release));
    }
}

/// `ttl` in milliseconds for `PX`, rounded up and at least one: a key is never kept for less
/// than its TTL.
pub(crate) fn millis(ttl: Duration) -> u64 {
    let ms = ttl.as_nanos().div_ceil(1_000_000).max(1);
    u64::try_from(ms).unwrap_or(u64::MAX)
}

/// `prefix` followed by a key's bytes in lowercase hex, so stored keys read plainly in
/// `redis-cli` (`hookseal:replay:3f9a…`). Hex has no `{`, so a key's hash slot on a cluster is
/// the whole key's unless the prefix holds a hash tag.
pub(crate) fn key(prefix: &[u8], key: &[u8]) -> Vec<u8> {
    let mut hex = String::with_capacity(key.len() * 2);
    crate::encoding::push_lower_hex(key, &mut hex);
    let mut redis_key = Vec::with_capacity(prefix.len() + hex.len());
    redis_key.extend_from_slice(prefix);
    redis_key.extend_from_slice(hex.as_bytes());
    redis_key
}

/// The connection and call timeouts' default.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);

//! The Redis connection the crate's Redis stores share: how it connects, how long it waits, the
//! eviction-policy check, how a TTL is written, and the fenced scripts' calls.

use std::future::Future;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{ErrorKind, RedisError, Script};

use crate::error::StoreError;

/// How the crate's Redis stores connect ([`RedisReplayCache`](crate::replay::RedisReplayCache)
/// and [`RedisIdempotencyStore`](crate::idempotency::RedisIdempotencyStore), feature `redis`).
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use hookseal::RedisOptions;
/// use hookseal::replay::RedisReplayCache;
///
/// // A cache on a Redis that evicts under memory pressure, accepted knowingly.
/// let options = RedisOptions::new().allow_eviction();
/// let cache = RedisReplayCache::connect_with("redis://127.0.0.1:6379/", &options).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct RedisOptions {
    allow_eviction: bool,
}

impl RedisOptions {
    /// The defaults: refuse a Redis whose `maxmemory-policy` may evict the stores' keys.
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
}

/// Connects to `url`, with every command and connection attempt bounded to one second, so an
/// outage turns into errors promptly rather than requests that hang, and reconnection in the
/// background after Redis restarts. Then reads `maxmemory-policy` and refuses any policy but
/// `noeviction` unless `options` allow eviction; where the server forbids `CONFIG` (managed
/// Redis services often do), the policy cannot be known, and connecting goes on. Last, loads
/// `scripts`, so the first calls need no second try (the `redis` crate loads a script again by
/// itself when a restarted or failed-over server has lost it).
pub(crate) async fn connect(
    url: &str,
    options: &RedisOptions,
    scripts: &[&Script],
) -> Result<ConnectionManager, StoreError> {
    let client = redis::Client::open(url).map_err(unavailable)?;
    let config = ConnectionManagerConfig::new()
        .set_connection_timeout(Some(TIMEOUT))
        .set_response_timeout(Some(TIMEOUT))
        .set_number_of_retries(RECONNECT_RETRIES)
        .set_max_delay(Duration::from_millis(500));
    let mut connection = ConnectionManager::new_with_config(client, config)
        .await
        .map_err(unavailable)?;
    if !options.allow_eviction {
        let reply: Result<Vec<String>, RedisError> = redis::cmd("CONFIG")
            .arg("GET")
            .arg("maxmemory-policy")
            .query_async(&mut connection)
            .await;
        match reply {
            Ok(pair) => {
                if let [_, policy] = pair.as_slice()
                    && policy != "noeviction"
                {
                    return Err(StoreError::EvictingStore {
                        policy: policy.as_str().into(),
                    });
                }
            }
            // The server answered with an error: `CONFIG` is forbidden or renamed here.
            Err(e) if matches!(e.kind(), ErrorKind::Server(_) | ErrorKind::Extension) => {}
            Err(e) => return Err(unavailable(e)),
        }
    }
    for script in scripts {
        script
            .load_async(&mut connection)
            .await
            .map_err(unavailable)?;
    }
    Ok(connection)
}

/// Runs one of the fenced scripts on `key`: `owner` first, then `args`. Answers `Ok` when the
/// script changed the record (it replies 1), and [`StoreError::LeaseLost`] when it found it held
/// by another owner or gone (0).
pub(crate) async fn fenced(
    connection: &ConnectionManager,
    script: &Script,
    key: Vec<u8>,
    owner: &[u8],
    args: &[&[u8]],
) -> Result<(), StoreError> {
    let mut invocation = script.key(key);
    invocation.arg(owner);
    for arg in args {
        invocation.arg(*arg);
    }
    let changed: i64 = invocation
        .invoke_async(&mut connection.clone())
        .await
        .map_err(unavailable)?;
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

/// `prefix` followed by a key's bytes.
pub(crate) fn key(prefix: &[u8], key: &[u8]) -> Vec<u8> {
    let mut redis_key = Vec::with_capacity(prefix.len() + key.len());
    redis_key.extend_from_slice(prefix);
    redis_key.extend_from_slice(key);
    redis_key
}

const TIMEOUT: Duration = Duration::from_secs(1);
const RECONNECT_RETRIES: usize = 2;

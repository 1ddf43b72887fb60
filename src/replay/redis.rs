//! [`RedisReplayCache`]: a replay cache shared by every receiver that talks to one Redis.

use core::fmt;
use std::time::Duration;

use redis::aio::ConnectionManager;

use super::{Outcome, ReplayCache, ReplayError};
use crate::verify::ReplayKey;

/// A replay cache in Redis (feature `redis`), for a fleet of receivers.
///
/// - **One round trip, atomic:** `SET <prefix><key> 1 NX PX <ttl ms>`. The key and its expiry are
///   set together, so a crash can never leave a key without a TTL (as `SETNX` then `EXPIRE`
///   would).
/// - **Fails closed:** an unreachable server, a timeout or an error reply is
///   [`ReplayError::Unavailable`] (answer 503), never "not seen".
/// - **Recovers by itself:** the connection manager reconnects in the background after Redis
///   restarts or the connection drops; the cache need not be rebuilt.
/// - Keys are the 16 raw bytes of the [`ReplayKey`] after a prefix (`hookseal:replay:` by
///   default), about 130 bytes of Redis memory each.
///
/// Redis replication is asynchronous: a failover can lose keys acknowledged just before it, which
/// lets those requests be replayed once. Run Redis with `maxmemory-policy noeviction` (the
/// default) — under an eviction policy Redis may drop unexpired keys, which is a replay hole;
/// `noeviction` turns memory pressure into errors, which fail closed.
///
/// ```no_run
/// # async fn run() -> Result<(), hookseal::replay::ReplayError> {
/// use hookseal::replay::RedisReplayCache;
///
/// let cache = RedisReplayCache::connect("redis://127.0.0.1:6379/").await?
///     .with_prefix("payments:replay:");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisReplayCache {
    connection: ConnectionManager,
    prefix: Box<[u8]>,
}

impl RedisReplayCache {
    /// Connects to the Redis at `url` (`redis://host:port/db`, or `rediss://` for TLS when the
    /// `redis` crate's TLS features are enabled).
    ///
    /// Each command waits at most one second for an answer and each connection attempt at most
    /// one second, so an outage turns into errors promptly rather than requests that hang.
    ///
    /// # Errors
    ///
    /// [`ReplayError::Unavailable`] when the URL is invalid or the first connection fails.
    pub async fn connect(url: &str) -> Result<Self, ReplayError> {
        let connection = crate::redis_client::connect(url)
            .await
            .map_err(unavailable)?;
        Ok(Self {
            connection,
            prefix: DEFAULT_PREFIX.as_bytes().into(),
        })
    }

    /// Puts `prefix` before every key, to keep several receivers' keys apart in one Redis.
    /// Defaults to `hookseal:replay:`.
    #[must_use]
    pub fn with_prefix(mut self, prefix: &str) -> Self {
        self.prefix = prefix.as_bytes().into();
        self
    }

    /// The key prefix.
    #[must_use]
    pub fn prefix(&self) -> &[u8] {
        &self.prefix
    }
}

impl ReplayCache for RedisReplayCache {
    async fn insert_if_absent(
        &self,
        key: &ReplayKey,
        ttl: Duration,
    ) -> Result<Outcome, ReplayError> {
        let redis_key = crate::redis_client::key(&self.prefix, key.as_bytes());
        let ms = crate::redis_client::millis(ttl);
        let mut connection = self.connection.clone();
        let reply: Option<String> = redis::cmd("SET")
            .arg(redis_key)
            .arg(1)
            .arg("NX")
            .arg("PX")
            .arg(ms)
            .query_async(&mut connection)
            .await
            .map_err(unavailable)?;
        Ok(match reply {
            Some(_) => Outcome::Fresh,
            None => Outcome::Replayed,
        })
    }
}

impl fmt::Debug for RedisReplayCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisReplayCache")
            .field("prefix", &String::from_utf8_lossy(&self.prefix))
            .finish_non_exhaustive()
    }
}

fn unavailable(e: redis::RedisError) -> ReplayError {
    ReplayError::Unavailable(Box::new(e))
}

const DEFAULT_PREFIX: &str = "hookseal:replay:";

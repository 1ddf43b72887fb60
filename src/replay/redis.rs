//! [`RedisReplayCache`]: a replay cache shared by every receiver that talks to one Redis, or
//! one Redis Cluster.

use core::fmt;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use redis::{Script, Value};

use super::{MAX_TTL, ReplayCache, Reservation, Reserve, StoreError, check_ttl};
use crate::owner::Owners;
use crate::redis_client::{self, Concat, RedisOptions};
use crate::redis_connection::RedisConnection;
use crate::replay::ReplayKey;

/// A replay cache in Redis (feature `redis`), for a fleet of receivers: one node
/// ([`connect`](Self::connect)), a Redis Cluster ([`connect_cluster`](Self::connect_cluster)), or
/// a connection you hold ([`from_connection`](Self::from_connection)); Valkey alike.
///
/// - **One round trip per step, atomic:** a Lua script each to reserve, commit and release,
///   sent as one `EVALSHA` with the key and two short arguments, replying with an integer. A
///   reservation is `SET <prefix><key> p<owner> NX PX <lease>` (a fresh key's whole script); a
///   commit replaces it with a committed marker and the TTL, only if it still holds the owner
///   token; a release deletes it on the same condition. Every key is written with its expiry, so
///   a crash never leaves one without a TTL.
/// - **TTLs are checked before any call:** zero or over 400 days is [`StoreError::InvalidTtl`],
///   as for the memory cache.
/// - **Refuses an evicting server:** connecting reads `maxmemory-policy` and refuses anything but
///   `noeviction` ([`StoreError::EvictingStore`]) unless
///   [`RedisOptions::allow_eviction`] says otherwise — an evicted key is a replay hole.
/// - **Fails closed:** an unreachable server, a timeout or an error reply is
///   [`StoreError::Unavailable`] (answer 503), never "not seen".
/// - **Recovers by itself:** the connection manager reconnects in the background after Redis
///   restarts or the connection drops, and the cluster client finds a promoted replica; a
///   server that lost the scripts (a restart, a failover, `SCRIPT FLUSH`) is sent them again.
/// - **One key per call,** so on a cluster each call runs on the master owning the key's slot,
///   and the keys spread over every master. Keys are the prefix (`hookseal:replay:` by default)
///   then the [`ReplayKey`]'s 16 bytes in hex, readable in `redis-cli`, about 150 bytes of Redis
///   memory each. Keep `{` out of the prefix: a hash tag there would put every key on one master.
///
/// Redis replication is asynchronous, and the cache does not wait for replicas (that would be a
/// second round trip per step, and Redis would still not promise the write survives): a master
/// that dies within moments of acknowledging a key may lose it to a failover, which lets that
/// one request be replayed once. Keys written before that are kept by the promoted replica.
///
/// ```no_run
/// # async fn run() -> Result<(), hookseal::replay::StoreError> {
/// use hookseal::replay::RedisReplayCache;
///
/// let cache = RedisReplayCache::connect("redis://127.0.0.1:6379/").await?
///     .with_prefix("payments:replay:");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisReplayCache {
    connection: RedisConnection,
    prefix: Arc<[u8]>,
    owners: Arc<Owners>,
}

impl RedisReplayCache {
    /// Connects to the Redis at `url` (`redis://host:port/db`, or `rediss://` for TLS when you
    /// enable a TLS feature of the `redis` crate, such as `tokio-rustls-comp`), with the default
    /// [`RedisOptions`].
    ///
    /// Each command waits at most one second for an answer and each connection attempt at most
    /// one second, so an outage turns into errors promptly rather than requests that hang.
    ///
    /// # Errors
    ///
    /// [`StoreError::Unavailable`] when the URL is invalid or the first connection fails;
    /// [`StoreError::EvictingStore`] when the server may evict keys.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with(url, &RedisOptions::new()).await
    }

    /// [`RedisReplayCache::connect`] with `options`.
    ///
    /// # Errors
    ///
    /// As [`RedisReplayCache::connect`].
    pub async fn connect_with(url: &str, options: &RedisOptions) -> Result<Self, StoreError> {
        Self::with_connection(RedisConnection::connect(url, options, &scripts()).await?)
    }

    /// Connects to a Redis Cluster through `urls`, any of its nodes (the cluster client finds
    /// the others), with `options`. Each call is one script on one key, run by the master that
    /// owns the key's slot; the client follows `MOVED` and `ASK` and finds a promoted replica by
    /// itself. The eviction-policy check reads every node the cluster lists, replicas included;
    /// the scripts are loaded on every node.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), hookseal::replay::StoreError> {
    /// use std::time::Duration;
    ///
    /// use hookseal::RedisOptions;
    /// use hookseal::replay::RedisReplayCache;
    ///
    /// let options = RedisOptions::new().response_timeout(Duration::from_millis(500));
    /// let nodes = ["redis://10.0.0.1:6379/", "redis://10.0.0.2:6379/"];
    /// let store = RedisReplayCache::connect_cluster(nodes, &options).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`RedisReplayCache::connect`], for any node.
    pub async fn connect_cluster<I, S>(urls: I, options: &RedisOptions) -> Result<Self, StoreError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Self::with_connection(RedisConnection::connect_cluster(urls, options, &scripts()).await?)
    }

    /// Uses a connection you already hold — a single node's `ConnectionManager` or a cluster's
    /// `ClusterConnection`, as a [`RedisConnection`] — with the timeouts and reconnection you
    /// gave it; only `options`' eviction check applies. Reads the eviction policy and loads the
    /// scripts, as connecting does.
    ///
    /// # Errors
    ///
    /// [`StoreError::Unavailable`] when the scripts cannot be loaded;
    /// [`StoreError::EvictingStore`] when a node may evict keys.
    pub async fn from_connection(
        connection: impl Into<RedisConnection>,
        options: &RedisOptions,
    ) -> Result<Self, StoreError> {
        Self::with_connection(connection.into().prepare(options, &scripts()).await?)
    }

    fn with_connection(connection: RedisConnection) -> Result<Self, StoreError> {
        Ok(Self {
            connection,
            prefix: DEFAULT_PREFIX.as_bytes().into(),
            owners: Arc::new(Owners::random().ok_or(StoreError::RandomUnavailable)?),
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

    /// Commits (`Some(ttl)`) or releases (`None`) `reservation`: the script checks the key
    /// still holds the reservation's value.
    async fn settle(
        &self,
        reservation: &Reservation,
        ttl: Option<Duration>,
    ) -> Result<(), StoreError> {
        let hex = redis_client::hex(reservation.key().as_bytes());
        let key = redis_client::key(&self.prefix, &hex);
        let held = Concat([b"p", reservation.owner()]);
        let (script, cmd) = match ttl {
            Some(ttl) => {
                let mut cmd = redis_client::evalsha(&COMMIT, key, 2, 40);
                cmd.arg(held).arg(redis_client::millis(ttl));
                (&*COMMIT, cmd)
            }
            None => {
                let mut cmd = redis_client::evalsha(&RELEASE, key, 1, 20);
                cmd.arg(held);
                (&*RELEASE, cmd)
            }
        };
        redis_client::fenced(&self.connection, script, &cmd).await
    }
}

impl ReplayCache for RedisReplayCache {
    async fn reserve(&self, key: &ReplayKey, lease: Duration) -> Result<Reserve, StoreError> {
        check_ttl(lease, MAX_TTL)?;
        let reservation = Reservation {
            key: *key,
            owner: self.owners.next(),
        };
        let hex = redis_client::hex(key.as_bytes());
        let mut cmd = redis_client::evalsha(&RESERVE, redis_client::key(&self.prefix, &hex), 2, 40);
        cmd.arg(Concat([b"p", reservation.owner()]))
            .arg(redis_client::millis(lease));
        match self.connection.run(&RESERVE, &cmd).await? {
            Value::Int(0) => Ok(Reserve::Reserved(reservation)),
            Value::Int(-1) => Ok(Reserve::Replayed),
            Value::Int(ms) if ms > 0 => Ok(Reserve::InProgress {
                retry_after: redis_client::retry_after(ms),
            }),
            _ => Err(redis_client::unexpected()),
        }
    }

    async fn commit(&self, reservation: &Reservation, ttl: Duration) -> Result<(), StoreError> {
        check_ttl(ttl, MAX_TTL)?;
        self.settle(reservation, Some(ttl)).await
    }

    async fn release(&self, reservation: &Reservation) -> Result<(), StoreError> {
        self.settle(reservation, None).await
    }

    /// Sends the release from a task on the current Tokio runtime, if there is one; otherwise
    /// the reservation ends with its lease.
    fn release_detached(&self, reservation: Reservation) {
        let cache = self.clone();
        redis_client::detach(async move {
            // A reservation already lost has nothing to release.
            let _ = cache.release(&reservation).await;
        });
    }

    fn kind(&self) -> &'static str {
        "redis"
    }
}

impl fmt::Debug for RedisReplayCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisReplayCache")
            .field("prefix", &String::from_utf8_lossy(&self.prefix))
            .finish_non_exhaustive()
    }
}

/// KEYS[1] the key; ARGV[1] the reservation's value (`p` and the owner token), ARGV[2] the lease
/// in ms. Replies 0 reserved, -1 committed (a replay), or the holder's remaining lease in ms (at
/// least 1): in progress. The fresh key's path is one `SET`.
static RESERVE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 0 end
local v = redis.call('GET', KEYS[1])
if v and string.byte(v) == 112 then return math.max(redis.call('PTTL', KEYS[1]), 1) end
return -1
",
    )
});

/// KEYS[1] the key; ARGV[1] the reservation's value, ARGV[2] the TTL in ms. Replies 1 when the
/// key held the reservation and is now committed, 0 (and changes nothing) otherwise.
static COMMIT: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], 'c', 'PX', ARGV[2])
return 1
",
    )
});

/// KEYS[1] the key; ARGV[1] the reservation's value. Replies 1 when the key held the
/// reservation and is now deleted, 0 (and changes nothing) otherwise.
static RELEASE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])
",
    )
});

/// Every script the cache runs, loaded when it connects.
fn scripts() -> [&'static Script; 3] {
    [&RESERVE, &COMMIT, &RELEASE]
}

const DEFAULT_PREFIX: &str = "hookseal:replay:";

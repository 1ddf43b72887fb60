//! [`RedisIdempotencyStore`]: idempotency records shared by every receiver that talks to one
//! Redis, or one Redis Cluster.

use core::fmt;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use redis::{Script, Value};

use super::{
    Begin, DEFAULT_MAX_RESULT_LEN, Fingerprint, IdempotencyStore, Lease, ScopedKey, StoreError,
    check_completion, check_ttl,
};
use crate::error::ConfigError;
use crate::owner::Owners;
use crate::redis_client::{self, Concat, RedisOptions};
use crate::redis_connection::RedisConnection;

/// Idempotency records in Redis (feature `redis`), for a fleet of receivers: one node
/// ([`connect`](Self::connect)), a Redis Cluster ([`connect_cluster`](Self::connect_cluster)), or
/// a connection you hold ([`from_connection`](Self::from_connection)); Valkey alike.
///
/// - **One key per record**, a string: a state byte, the 32-byte fingerprint, then the owner
///   token (in progress) or the stored result (completed). The key is the prefix
///   (`hookseal:idem:` by default) then the scoped key's 16 bytes in hex, readable in
///   `redis-cli`. One key per call means one hash slot, so on a cluster each call runs on the
///   master owning it; keep `{` out of the prefix, or a hash tag there puts every record on one
///   master.
/// - **One Lua script per transition, one round trip each** (`EVALSHA` with the key and short
///   arguments, replying with an integer or the stored result; the scripts are loaded when
///   connecting, and again by themselves after a server restart). Each script reads and writes
///   the record atomically: a fresh key's begin is one `SET … NX PX`, and completing or
///   releasing compares the whole record the lease wrote (state, fingerprint, owner token)
///   before changing it, and writes it with `SET … PX`, so no record ever exists without an
///   expiry: the lease while in progress, the retention once completed.
/// - **Fails closed:** an unreachable server, a timeout or an error reply is
///   [`StoreError::Unavailable`] (answer 503).
///
/// Connecting reads the server's `maxmemory-policy` and refuses anything but `noeviction`
/// ([`StoreError::EvictingStore`]) unless [`RedisOptions::allow_eviction`] says otherwise: an
/// eviction policy may drop a completed record early, and the work would then run again.
/// Replication is asynchronous and the store does not wait for replicas: a master that dies
/// within moments of acknowledging a record may lose it to a failover, and that delivery's work
/// may then run again. Where a repeated effect costs money, keep the record in the same database
/// transaction as the effect.
///
/// ```no_run
/// # async fn run() -> Result<(), hookseal::idempotency::StoreError> {
/// use hookseal::idempotency::{Idempotency, RedisIdempotencyStore};
///
/// let store = RedisIdempotencyStore::connect("redis://127.0.0.1:6379/").await?
///     .with_prefix("payments:idem:");
/// let idempotency = Idempotency::new(store);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisIdempotencyStore {
    connection: RedisConnection,
    prefix: Arc<[u8]>,
    max_result_len: usize,
    owners: Arc<Owners>,
}

impl RedisIdempotencyStore {
    /// Connects to the Redis at `url` (`redis://host:port/db`, or `rediss://` for TLS when you
    /// enable a TLS feature of the `redis` crate) with the default [`RedisOptions`] and loads
    /// the scripts. Commands and connection attempts wait at most one second each.
    ///
    /// # Errors
    ///
    /// [`StoreError::Unavailable`] when the URL is invalid, the first connection fails or the
    /// scripts cannot be loaded; [`StoreError::EvictingStore`] when the server may evict
    /// records.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with(url, &RedisOptions::new()).await
    }

    /// [`RedisIdempotencyStore::connect`] with `options`.
    ///
    /// # Errors
    ///
    /// As [`RedisIdempotencyStore::connect`].
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
    /// # async fn run() -> Result<(), hookseal::idempotency::StoreError> {
    /// use std::time::Duration;
    ///
    /// use hookseal::RedisOptions;
    /// use hookseal::idempotency::RedisIdempotencyStore;
    ///
    /// let options = RedisOptions::new().response_timeout(Duration::from_millis(500));
    /// let nodes = ["redis://10.0.0.1:6379/", "redis://10.0.0.2:6379/"];
    /// let store = RedisIdempotencyStore::connect_cluster(nodes, &options).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`RedisIdempotencyStore::connect`], for any node.
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
            max_result_len: DEFAULT_MAX_RESULT_LEN,
            owners: Arc::new(Owners::random().ok_or(StoreError::RandomUnavailable)?),
        })
    }

    /// Puts `prefix` before every key, to keep several receivers' records apart in one Redis.
    /// Defaults to `hookseal:idem:`.
    #[must_use]
    pub fn with_prefix(mut self, prefix: &str) -> Self {
        self.prefix = prefix.as_bytes().into();
        self
    }

    /// Keeps results of at most `max` bytes (64 KiB by default); larger ones are refused with
    /// [`StoreError::ResultTooLarge`] before anything is sent.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidLimit`] for 0 or over 512 MiB (Redis's largest string).
    pub fn with_max_result_len(mut self, max: usize) -> Result<Self, ConfigError> {
        if max == 0 || max > MAX_STRING - RECORD_HEAD {
            return Err(ConfigError::InvalidLimit);
        }
        self.max_result_len = max;
        Ok(self)
    }

    /// The key prefix.
    #[must_use]
    pub fn prefix(&self) -> &[u8] {
        &self.prefix
    }

    /// The largest result kept, in bytes.
    #[must_use]
    pub fn max_result_len(&self) -> usize {
        self.max_result_len
    }

    async fn begin_now(
        &self,
        key: &ScopedKey,
        fingerprint: &Fingerprint,
        lease: Duration,
    ) -> Result<Begin, StoreError> {
        check_ttl(lease)?;
        let claim = Lease {
            key: *key,
            owner: self.owners.next(),
            fingerprint: Some(*fingerprint.as_bytes()),
        };
        let hex = redis_client::hex(key.as_bytes());
        let mut cmd = redis_client::evalsha(&BEGIN, redis_client::key(&self.prefix, &hex), 3, 110);
        cmd.arg(fingerprint.as_bytes())
            .arg(Concat([b"p", fingerprint.as_bytes(), claim.owner()]))
            .arg(redis_client::millis(lease));
        match self.connection.run(&BEGIN, &cmd).await? {
            Value::Int(0) => Ok(Begin::Started(claim)),
            Value::Int(-1) => Ok(Begin::Mismatch),
            Value::Int(ms) if ms > 0 => Ok(Begin::InProgress {
                retry_after: redis_client::retry_after(ms),
            }),
            Value::BulkString(result) => Ok(Begin::Completed(result)),
            _ => Err(redis_client::unexpected()),
        }
    }

    /// Completes (`Some((result, retention))`) or releases (`None`) the record `lease` holds:
    /// the script compares the whole record with the one `lease` wrote, and writes the completed
    /// one whole, so it handles no string itself.
    async fn transition(
        &self,
        lease: &Lease,
        completion: Option<(&[u8], Duration)>,
    ) -> Result<(), StoreError> {
        // A lease this store did not make holds no record here.
        let Some(fingerprint) = &lease.fingerprint else {
            return Err(StoreError::LeaseLost);
        };
        let hex = redis_client::hex(lease.key().as_bytes());
        let key = redis_client::key(&self.prefix, &hex);
        let held = Concat([b"p", fingerprint, lease.owner()]);
        let (script, cmd) = match completion {
            Some((result, retention)) => {
                let mut cmd = redis_client::evalsha(&COMPLETE, key, 3, 100 + result.len());
                cmd.arg(held)
                    .arg(Concat([b"c", fingerprint, result]))
                    .arg(redis_client::millis(retention));
                (&*COMPLETE, cmd)
            }
            None => {
                let mut cmd = redis_client::evalsha(&RELEASE, key, 1, 60);
                cmd.arg(held);
                (&*RELEASE, cmd)
            }
        };
        redis_client::fenced(&self.connection, script, &cmd).await
    }
}

impl IdempotencyStore for RedisIdempotencyStore {
    async fn begin(
        &self,
        key: &ScopedKey,
        fingerprint: &Fingerprint,
        lease: Duration,
    ) -> Result<Begin, StoreError> {
        self.begin_now(key, fingerprint, lease).await
    }

    async fn complete(
        &self,
        lease: &Lease,
        result: &[u8],
        retention: Duration,
    ) -> Result<(), StoreError> {
        check_completion(result, self.max_result_len, retention)?;
        self.transition(lease, Some((result, retention))).await
    }

    async fn release(&self, lease: &Lease) -> Result<(), StoreError> {
        self.transition(lease, None).await
    }

    /// Sends the release from a task on the current Tokio runtime, if there is one; otherwise
    /// the lease expires by itself.
    fn release_detached(&self, lease: Lease) {
        let store = self.clone();
        redis_client::detach(async move {
            // A lease already lost has nothing to release.
            let _ = store.release(&lease).await;
        });
    }

    fn kind(&self) -> &'static str {
        "redis"
    }
}

impl fmt::Debug for RedisIdempotencyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisIdempotencyStore")
            .field("prefix", &String::from_utf8_lossy(&self.prefix))
            .field("max_result_len", &self.max_result_len)
            .finish_non_exhaustive()
    }
}

/// KEYS[1] the record; ARGV[1] the fingerprint, ARGV[2] the new record (`p`, the fingerprint and
/// the owner token), ARGV[3] the lease in ms. Replies 0 started, -1 mismatch, the holder's
/// remaining lease in ms (at least 1) in progress, or the stored result (a string) completed.
/// The fingerprint is compared before the state, so a different payload is a mismatch whether
/// or not the key completed. A fresh key's path is one `SET`.
static BEGIN: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('SET', KEYS[1], ARGV[2], 'NX', 'PX', ARGV[3]) then return 0 end
local v = redis.call('GET', KEYS[1])
if not v or string.sub(v, 2, 33) ~= ARGV[1] then return -1 end
if string.byte(v) == 112 then return math.max(redis.call('PTTL', KEYS[1]), 1) end
return string.sub(v, 34)
",
    )
});

/// KEYS[1] the record; ARGV[1] the record the lease wrote, ARGV[2] the completed record (`c`,
/// the fingerprint and the result), ARGV[3] the retention in ms. Replies 1 when the lease still
/// held the record and it is now completed, 0 (and changes nothing) otherwise.
static COMPLETE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
",
    )
});

/// KEYS[1] the record; ARGV[1] the record the lease wrote. Replies 1 when the lease still held
/// the record and it is now deleted, 0 (and changes nothing) otherwise.
static RELEASE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])
",
    )
});

/// Every script the store runs, loaded when it connects.
fn scripts() -> [&'static Script; 3] {
    [&BEGIN, &COMPLETE, &RELEASE]
}

const DEFAULT_PREFIX: &str = "hookseal:idem:";
/// The state byte and fingerprint before a record's owner or result.
const RECORD_HEAD: usize = 1 + Fingerprint::LEN;
/// Redis's largest string.
const MAX_STRING: usize = 512 * 1024 * 1024;

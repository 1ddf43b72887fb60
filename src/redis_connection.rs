//! [`RedisConnection`]: the one connection the crate's Redis stores talk through, to a single
//! node or to a Redis Cluster, and the one way they call it: a script on one key.

use core::fmt;
use std::collections::HashMap;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::cluster::ClusterClient;
use redis::cluster_async::ClusterConnection;
use redis::cluster_routing::{MultipleNodeRoutingInfo, RoutingInfo};
use redis::{Cmd, ErrorKind, FromRedisValue, RedisError, Script, ServerErrorKind, Value};

use crate::error::StoreError;
use crate::redis_client::{RedisOptions, unavailable};

/// A connection to Redis (or Valkey) that the crate's Redis stores can use: one node, through
/// the `redis` crate's [`ConnectionManager`], or a Redis Cluster, through its
/// [`ClusterConnection`] (feature `redis`).
///
/// Built from a connection you already hold, with `From` (or `.into()`), and handed to
/// [`RedisReplayCache::from_connection`](crate::replay::RedisReplayCache::from_connection) or
/// [`RedisIdempotencyStore::from_connection`](crate::idempotency::RedisIdempotencyStore::from_connection);
/// the stores' `connect` and `connect_cluster` build one from URLs. Cloning it is cheap and
/// shares the connection.
///
/// On a cluster each store call is one script on one key, so it runs on the master that owns
/// the key's hash slot; the cluster client follows `MOVED` and `ASK` redirections and refreshes
/// its map of the slots after a failover by itself.
///
/// **TLS** comes from the `redis` crate, which hookseal builds without it: enable one of its
/// TLS features in your own manifest (`redis = { version = "1.8", features =
/// ["tokio-rustls-comp"] }`, or `tokio-native-tls-comp`) and give `rediss://` URLs, for one node
/// or for every node of a cluster.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use hookseal::{RedisConnection, RedisOptions};
/// use hookseal::replay::RedisReplayCache;
///
/// // A cluster connection the application already uses for its own data.
/// let client = redis::cluster::ClusterClient::new(vec!["redis://10.0.0.1:6379/"])?;
/// let connection = client.get_async_connection().await?;
/// let cache =
///     RedisReplayCache::from_connection(connection.clone(), &RedisOptions::new()).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisConnection(Backend);

#[derive(Clone)]
enum Backend {
    Node(ConnectionManager),
    Cluster(ClusterConnection),
}

impl From<ConnectionManager> for RedisConnection {
    fn from(connection: ConnectionManager) -> Self {
        Self(Backend::Node(connection))
    }
}

impl From<ClusterConnection> for RedisConnection {
    fn from(connection: ClusterConnection) -> Self {
        Self(Backend::Cluster(connection))
    }
}

impl fmt::Debug for RedisConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.0 {
            Backend::Node(_) => "node",
            Backend::Cluster(_) => "cluster",
        };
        f.debug_tuple("RedisConnection").field(&kind).finish()
    }
}

impl RedisConnection {
    /// Connects to the one node at `url`, with `options`' timeouts and reconnection in the
    /// background after Redis restarts, then [`prepare`](Self::prepare)s it.
    pub(crate) async fn connect(
        url: &str,
        options: &RedisOptions,
        scripts: &[&Script],
    ) -> Result<Self, StoreError> {
        let client = redis::Client::open(url).map_err(unavailable)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(options.connection_timeout_value()))
            .set_response_timeout(Some(options.response_timeout_value()))
            .set_number_of_retries(RECONNECT_RETRIES)
            .set_max_delay(RECONNECT_MAX_DELAY);
        let connection = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(unavailable)?;
        Self::from(connection).prepare(options, scripts).await
    }

    /// Connects to the cluster that `urls` (any of its nodes) belong to, with `options`'
    /// timeouts: each attempt on a node, and each call as a whole (redirections and retries
    /// included), then [`prepare`](Self::prepare)s it.
    pub(crate) async fn connect_cluster<I, S>(
        urls: I,
        options: &RedisOptions,
        scripts: &[&Script],
    ) -> Result<Self, StoreError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let urls: Vec<String> = urls.into_iter().map(|u| u.as_ref().to_owned()).collect();
        let client = ClusterClient::builder(urls)
            .connection_timeout(options.connection_timeout_value())
            .response_timeout(options.response_timeout_value())
            .build()
            .map_err(unavailable)?;
        let connection = client.get_async_connection().await.map_err(unavailable)?;
        Self::from(connection).prepare(options, scripts).await
    }

    /// Reads `maxmemory-policy` — on a cluster from every node the client knows: every master,
    /// and every replica the cluster lists (`CLUSTER SLOTS` lists one once it holds replicated
    /// data), since a replica may be promoted — and refuses any policy but `noeviction` unless `options` allow
    /// eviction; a node that forbids `CONFIG` (managed Redis services often do) cannot tell, and
    /// connecting goes on. Then loads `scripts` (on every node of a cluster), so the first calls
    /// need no second try.
    pub(crate) async fn prepare(
        mut self,
        options: &RedisOptions,
        scripts: &[&Script],
    ) -> Result<Self, StoreError> {
        if !options.allows_eviction() {
            self.check_eviction_policy().await?;
        }
        for script in scripts {
            match &mut self.0 {
                Backend::Node(c) => script.load_async(c).await,
                Backend::Cluster(c) => script.load_async(c).await,
            }
            .map_err(unavailable)?;
        }
        Ok(self)
    }

    async fn check_eviction_policy(&mut self) -> Result<(), StoreError> {
        let mut get = redis::cmd("CONFIG");
        get.arg("GET").arg("maxmemory-policy");
        let replies = match &mut self.0 {
            Backend::Node(c) => vec![get.query_async::<Value>(c).await],
            Backend::Cluster(c) => {
                let every_node = RoutingInfo::MultiNode((MultipleNodeRoutingInfo::AllNodes, None));
                // One reply per node, keyed by its address.
                match c
                    .route_command(get, every_node)
                    .await
                    .map_err(unavailable)?
                {
                    Value::Map(per_node) => per_node.into_iter().map(|(_, v)| Ok(v)).collect(),
                    other => vec![Ok(other)],
                }
            }
        };
        for reply in replies {
            if let Some(policy) = eviction_policy(reply)?
                && policy != "noeviction"
            {
                return Err(StoreError::EvictingStore {
                    policy: policy.into(),
                });
            }
        }
        Ok(())
    }

    /// Sends `cmd`, an `EVALSHA` of `script` on one key
    /// ([`evalsha`](crate::redis_client::evalsha)), and returns the script's reply; when the
    /// server has lost the script (after a restart, a failover or `SCRIPT FLUSH`), loads it
    /// and sends `cmd` once more. On a cluster the key alone picks the node.
    ///
    /// On one node the command goes straight to the connection manager, with no boxed future
    /// and no conversion of the reply beyond the server's errors.
    pub(crate) async fn run(&self, script: &Script, cmd: &Cmd) -> Result<Value, StoreError> {
        match self.send(cmd).await {
            Err(e) if e.kind() == ErrorKind::Server(ServerErrorKind::NoScript) => {
                match &self.0 {
                    Backend::Node(c) => script.load_async(&mut c.clone()).await,
                    Backend::Cluster(c) => script.load_async(&mut c.clone()).await,
                }
                .map_err(unavailable)?;
                self.send(cmd).await.map_err(unavailable)
            }
            reply => reply.map_err(unavailable),
        }
    }

    async fn send(&self, cmd: &Cmd) -> Result<Value, RedisError> {
        match &self.0 {
            Backend::Node(c) => c.clone().send_packed_command(cmd).await?.extract_error(),
            Backend::Cluster(c) => cmd.query_async(&mut c.clone()).await,
        }
    }
}

/// The policy in one node's reply to `CONFIG GET maxmemory-policy`; `None` when the node
/// refused the command (forbidden or renamed) or named no policy.
fn eviction_policy(reply: Result<Value, RedisError>) -> Result<Option<String>, StoreError> {
    let value = match reply {
        Ok(Value::ServerError(_)) => return Ok(None),
        Ok(value) => value,
        // The server answered with an error: `CONFIG` is forbidden or renamed here.
        Err(e) if matches!(e.kind(), ErrorKind::Server(_) | ErrorKind::Extension) => {
            return Ok(None);
        }
        Err(e) => return Err(unavailable(e)),
    };
    // RESP2 answers a flat array of name and value, RESP3 a map.
    let pairs: HashMap<String, String> = match value {
        Value::Array(items) => {
            let flat: Vec<String> = FromRedisValue::from_redis_value(Value::Array(items))
                .map_err(|e| StoreError::Unavailable(Box::new(e)))?;
            flat.chunks_exact(2)
                .filter_map(|pair| match pair {
                    [name, value] => Some((name.clone(), value.clone())),
                    _ => None,
                })
                .collect()
        }
        other => FromRedisValue::from_redis_value(other)
            .map_err(|e| StoreError::Unavailable(Box::new(e)))?,
    };
    Ok(pairs.get("maxmemory-policy").cloned())
}

const RECONNECT_RETRIES: usize = 2;
const RECONNECT_MAX_DELAY: std::time::Duration = std::time::Duration::from_millis(500);

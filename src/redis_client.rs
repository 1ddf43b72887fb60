//! The Redis connection the crate's Redis stores share: how it connects, how long it waits, and
//! how a TTL is written.

use std::time::Duration;

use redis::RedisError;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

/// Connects to `url`, with every command and connection attempt bounded to one second, so an
/// outage turns into errors promptly rather than requests that hang, and reconnection in the
/// background after Redis restarts.
pub(crate) async fn connect(url: &str) -> Result<ConnectionManager, RedisError> {
    let client = redis::Client::open(url)?;
    let config = ConnectionManagerConfig::new()
        .set_connection_timeout(Some(TIMEOUT))
        .set_response_timeout(Some(TIMEOUT))
        .set_number_of_retries(RECONNECT_RETRIES)
        .set_max_delay(Duration::from_millis(500));
    ConnectionManager::new_with_config(client, config).await
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

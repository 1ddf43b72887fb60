//! What the crate's Redis stores share: their options, how a TTL and a key are written, and the
//! fenced scripts' calls.

use std::future::Future;
use std::io::Write as _;
use std::time::Duration;

use redis::{Cmd, RedisError, RedisWrite, Script, ToRedisArgs, Value};

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

/// Runs one of the fenced scripts: `cmd`, an [`evalsha`] of `script` whose first argument is
/// the owner's value. Answers `Ok` when the script changed the record (it replies 1), and
/// [`StoreError::LeaseLost`] when it found it held by another owner or gone (0).
pub(crate) async fn fenced(
    connection: &RedisConnection,
    script: &Script,
    cmd: &Cmd,
) -> Result<(), StoreError> {
    match connection.run(script, cmd).await? {
        Value::Int(1) => Ok(()),
        Value::Int(_) => Err(StoreError::LeaseLost),
        _ => Err(unexpected()),
    }
}

/// An `EVALSHA` of `script` on the one key `key`, with room for `args` more arguments of about
/// `bytes` bytes in all (added by the caller).
pub(crate) fn evalsha(script: &Script, key: impl ToRedisArgs, args: usize, bytes: usize) -> Cmd {
    let mut cmd = Cmd::with_capacity(4 + args, 64 + KEY_ROOM + bytes);
    cmd.arg("EVALSHA").arg(script.get_hash()).arg(1).arg(key);
    cmd
}

/// One argument made of several byte strings, written straight into the command: a tagged value
/// (`p` and an owner token), or a key (the prefix and the hex digits).
#[derive(Clone, Copy)]
pub(crate) struct Concat<'a, const N: usize>(pub(crate) [&'a [u8]; N]);

impl<const N: usize> ToRedisArgs for Concat<'_, N> {
    fn write_redis_args<W>(&self, out: &mut W)
    where
        W: ?Sized + RedisWrite,
    {
        let mut arg = out.writer_for_next_arg();
        for part in self.0 {
            // Writing into the command's own buffer cannot fail.
            let _ = arg.write_all(part);
        }
    }
}

/// A key's 16 bytes in lowercase hex, as [`key`] writes them after the prefix.
pub(crate) fn hex(key: &[u8; 16]) -> [u8; 32] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0; 32];
    for (pair, b) in out.chunks_exact_mut(2).zip(key) {
        if let [high, low] = pair {
            *high = DIGITS.get(usize::from(b >> 4)).copied().unwrap_or_default();
            *low = DIGITS
                .get(usize::from(b & 0xf))
                .copied()
                .unwrap_or_default();
        }
    }
    out
}

/// `prefix` followed by `hex`, a key's bytes in lowercase hex ([`hex`]), so stored keys read
/// plainly in `redis-cli` (`hookseal:replay:3f9a…`). Hex has no `{`, so a key's hash slot on a
/// cluster is the whole key's unless the prefix holds a hash tag.
pub(crate) fn key<'a>(prefix: &'a [u8], hex: &'a [u8; 32]) -> Concat<'a, 2> {
    Concat([prefix, hex])
}

/// The error for a reply no script of the crate's gives.
pub(crate) fn unexpected() -> StoreError {
    StoreError::Unavailable("unexpected reply from a store script".into())
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

/// The connection and call timeouts' default.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);
/// Room for a key of a usual prefix in a command's buffer.
const KEY_ROOM: usize = 64;

//! [`PostgresIdempotencyStore`]: idempotency records in Postgres, written in the caller's own
//! transaction where the work's effects are written.

mod connections;
mod failure;
mod statements;

use core::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio_postgres::tls::{MakeTlsConnect, TlsConnect};
use tokio_postgres::{Client, Config, Socket, Transaction};

use self::connections::{ANSWER_TIMEOUT, Connections};
use self::failure::Failure;
use super::run::{begun, ok};
use super::{
    Begin, DEFAULT_MAX_RESULT_LEN, Fingerprint, IdempotencyStore, Lease, ScopedKey, StoreError,
    check_completion, check_ttl,
};
use crate::error::ConfigError;
use crate::observe;

/// Idempotency records in Postgres (feature `postgres`): for a fleet of receivers, and for work
/// whose effects are written to the same database, exactly once even when a worker dies.
///
/// # Exactly once, in your transaction
///
/// [`begin_in`](Self::begin_in) claims the key inside a transaction you hold, your work writes
/// its effects in that transaction, [`complete_in`](Self::complete_in) records the result there,
/// and you commit. The record and the effects then commit together or not at all (the *inbox*
/// pattern): a worker that dies before the commit leaves neither, so the sender's retry runs the
/// work once more, and a committed delivery is never run again.
///
/// While your transaction is open, its claim holds the key's row: another `begin_in` of the same
/// key (or a [`begin`](IdempotencyStore::begin)) waits for it. If your transaction commits, the
/// waiting call answers [`Begin::Completed`] with your result; if it rolls back, the waiting call
/// claims the key ([`Begin::Started`]). Bound the wait in your own transactions with
/// `SET LOCAL lock_timeout = '1s'`: a call that waits longer fails with
/// [`StoreError::Unavailable`] (answer 503), as does any failed statement — your transaction is
/// then aborted: roll it back. Use the default isolation level, `READ COMMITTED`; under
/// `REPEATABLE READ` or `SERIALIZABLE`, a key claimed by a transaction that committed after
/// yours began fails with a serialization error (`40001`, also [`StoreError::Unavailable`]).
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use hookseal::idempotency::{
///     Begin, Fingerprint, IdempotencyKey, PostgresIdempotencyStore, Scope,
/// };
/// use std::time::Duration;
/// use tokio_postgres::NoTls;
///
/// let config: tokio_postgres::Config = "host=127.0.0.1 user=app dbname=app".parse()?;
/// let store = PostgresIdempotencyStore::connect(&config, NoTls).await?;
/// store.migrate().await?;
///
/// // Your own connection (or one from your pool), where the work's effects are written.
/// let (mut client, connection) = config.connect(NoTls).await?;
/// tokio::spawn(connection);
///
/// let body = br#"{"id":"evt_1","type":"invoice.paid","amount":100}"#;
/// let key = IdempotencyKey::new("evt_1")?.scoped(&Scope::new("stripe"));
/// let fingerprint = Fingerprint::of_body(body);
///
/// let tx = client.transaction().await?;
/// match store.begin_in(&tx, &key, &fingerprint, Duration::from_secs(60)).await? {
///     Begin::Started(lease) => {
///         // The effect, in the same transaction as the record.
///         tx.execute("UPDATE accounts SET balance = balance + 100 WHERE id = 7", &[]).await?;
///         store
///             .complete_in(&tx, &lease, b"credited", Duration::from_secs(72 * 3600))
///             .await?;
///         tx.commit().await?; // The effect and the record, together.
///     }
///     Begin::Completed(result) => assert_eq!(result, b"credited"), // Done before: answer it.
///     Begin::InProgress { .. } => { /* 409, with Retry-After */ }
///     Begin::Mismatch => { /* 422 */ }
/// }
/// # Ok(()) }
/// ```
///
/// # As an `IdempotencyStore`
///
/// The [`IdempotencyStore`] methods (and so [`Idempotency::run`](super::Idempotency::run)) run
/// on the store's own connections, each statement a transaction of its own: the same state
/// machine as the Redis store, with the same limits (a worker that dies after its effects but
/// before `complete` leaves them to be done again).
///
/// - **One statement per transition, one round trip each**, atomic: a claim is an `INSERT … ON
///   CONFLICT DO UPDATE` that takes over only an expired row; `complete` and `release` change
///   the row only for the lease's owner token, while the lease lasts.
/// - **Time is the database's** (`statement_timestamp()`), so receivers whose clocks disagree
///   still agree on when a lease or a record ends. A row past its end counts as absent.
/// - **Connections:** the store opens its own (4 by default, [`with_connections`]), each shared
///   by the calls that draw it, when first needed, and opens a connection again once it has
///   broken: after a database restart the store recovers by itself. It sets each session's
///   `lock_timeout` to 0.5 s (a key held that long by another transaction is answered
///   [`Begin::InProgress`]) and `statement_timeout` to 2 s.
/// - **Fails closed:** an unreachable database, a timeout or a refused statement is
///   [`StoreError::Unavailable`] (answer 503); its source names the failure (a server's SQLSTATE
///   and message, never a row's contents), and a row the store cannot read is one too.
///
/// # TLS
///
/// Pass a TLS connector from `postgres-native-tls` or `tokio-postgres-rustls` as `tls` (the
/// crate builds in none); `tokio_postgres::NoTls` suits a database on loopback or a Unix socket.
///
/// # Schema
///
/// One table, `hookseal_idempotency`, created by [`PostgresIdempotencyStore::MIGRATION`]:
/// [`migrate`](Self::migrate) applies it, or apply the same SQL with your own migration tool.
/// The table lives in the first schema of the connection's `search_path` (set it in the
/// connection's options to use another schema).
///
/// # Expired rows
///
/// Rows are not deleted when they expire; [`purge_expired`](Self::purge_expired) deletes them
/// in bounded batches. Call it from a periodic task.
///
/// [`with_connections`]: Self::with_connections
#[derive(Clone)]
pub struct PostgresIdempotencyStore {
    connections: Arc<Connections>,
    max_result_len: usize,
}

impl PostgresIdempotencyStore {
    /// The SQL that creates the store's table and its index, for your own migration tool (or
    /// [`migrate`](Self::migrate)). It creates nothing that exists already.
    ///
    /// ```
    /// use hookseal::idempotency::PostgresIdempotencyStore;
    ///
    /// assert!(PostgresIdempotencyStore::MIGRATION.contains("CREATE TABLE IF NOT EXISTS hookseal_idempotency"));
    /// ```
    pub const MIGRATION: &'static str =
        include_str!("../../../migrations/postgres/0001_idempotency.sql");

    /// Connects to the database `config` names through `tls`, and opens the first of the
    /// store's connections. Opening a connection waits at most one second.
    ///
    /// # Errors
    ///
    /// [`StoreError::Unavailable`] when the first connection cannot be opened.
    pub async fn connect<T>(config: &Config, tls: T) -> Result<Self, StoreError>
    where
        T: MakeTlsConnect<Socket> + Clone + Send + Sync + 'static,
        T::Stream: Send + 'static,
        T::TlsConnect: Send,
        <T::TlsConnect as TlsConnect<Socket>>::Future: Send,
    {
        let connections = Connections::new(config.clone(), tls, DEFAULT_CONNECTIONS);
        connections.draw().await?;
        Ok(Self {
            connections: Arc::new(connections),
            max_result_len: DEFAULT_MAX_RESULT_LEN,
        })
    }

    /// Uses `n` connections of its own. Defaults to 4: more let more statements run at once
    /// (and commit together), and keep calls moving while a connection waits on a held key.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidLimit`] for 0 or more than 64.
    pub fn with_connections(mut self, n: usize) -> Result<Self, ConfigError> {
        if n == 0 || n > MAX_CONNECTIONS {
            return Err(ConfigError::InvalidLimit);
        }
        self.connections = Arc::new(self.connections.resized(n));
        Ok(self)
    }

    /// Keeps results of at most `max` bytes (64 KiB by default); larger ones are refused with
    /// [`StoreError::ResultTooLarge`] before anything is sent.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidLimit`] for 0 or over 512 MiB.
    pub fn with_max_result_len(mut self, max: usize) -> Result<Self, ConfigError> {
        if max == 0 || max > MAX_RESULT_LEN {
            return Err(ConfigError::InvalidLimit);
        }
        self.max_result_len = max;
        Ok(self)
    }

    /// The largest result kept, in bytes.
    #[must_use]
    pub fn max_result_len(&self) -> usize {
        self.max_result_len
    }

    /// How many connections of its own the store uses.
    #[must_use]
    pub fn connections(&self) -> usize {
        self.connections.size()
    }

    /// Applies [`MIGRATION`](Self::MIGRATION) in one transaction, under an advisory lock, so
    /// receivers starting together apply it once. Applying it again changes nothing.
    ///
    /// # Errors
    ///
    /// [`StoreError::Unavailable`] when the database cannot be reached or refuses it (the
    /// source says why, such as a missing privilege).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let sql = [statements::MIGRATE_PRELUDE, Self::MIGRATION].concat();
        self.on_own_connection(async |client| {
            client
                .batch_execute(&sql)
                .await
                .map_err(Failure::from_driver)
        })
        .await
        .map_err(StoreError::from)
    }

    /// [`begin`](IdempotencyStore::begin) inside `transaction`: the claim is written there, and
    /// committed or rolled back with it. Complete the key with
    /// [`complete_in`](Self::complete_in) in the same transaction, then commit. While the
    /// transaction is open, other claims of the key wait for it (see the [type's
    /// docs](Self#exactly-once-in-your-transaction)).
    ///
    /// # Errors
    ///
    /// As [`begin`](IdempotencyStore::begin). After an error other than
    /// [`StoreError::InvalidTtl`] or [`StoreError::RandomUnavailable`] (refused before anything
    /// is sent), the transaction is aborted: roll it back.
    pub async fn begin_in(
        &self,
        transaction: &Transaction<'_>,
        key: &ScopedKey,
        fingerprint: &Fingerprint,
        lease: Duration,
    ) -> Result<Begin, StoreError> {
        let begin = self.begin_on(transaction.client(), key, fingerprint, lease);
        observe::store_operation(self.kind(), "begin", begun, begin).await
    }

    /// [`complete`](IdempotencyStore::complete) inside `transaction`: the result is recorded
    /// there, and kept only if the transaction commits.
    ///
    /// # Errors
    ///
    /// As [`complete`](IdempotencyStore::complete). After [`StoreError::LeaseLost`] or
    /// [`StoreError::Unavailable`], roll the transaction back: its effects must not commit
    /// without the record.
    pub async fn complete_in(
        &self,
        transaction: &Transaction<'_>,
        lease: &Lease,
        result: &[u8],
        retention: Duration,
    ) -> Result<(), StoreError> {
        let complete = self.complete_on(transaction.client(), lease, result, retention);
        observe::store_operation(self.kind(), "complete", ok, complete).await
    }

    /// [`release`](IdempotencyStore::release) inside `transaction`. Rolling the transaction
    /// back frees a key claimed in it just as well.
    ///
    /// # Errors
    ///
    /// As [`release`](IdempotencyStore::release).
    pub async fn release_in(
        &self,
        transaction: &Transaction<'_>,
        lease: &Lease,
    ) -> Result<(), StoreError> {
        let release = Self::release_on(transaction.client(), lease);
        observe::store_operation(self.kind(), "release", ok, release).await
    }

    /// Deletes at most `batch` expired rows (oldest first, skipping rows another transaction
    /// holds), and says how many it deleted. Expired rows already count as absent; this only
    /// reclaims their space. Keep batches small (a thousand rows takes milliseconds): a call
    /// runs on the store's own connections, whose statements stop after two seconds.
    ///
    /// Call it from a periodic task, again at once while it deletes a whole batch:
    ///
    /// ```no_run
    /// # async fn run(store: hookseal::idempotency::PostgresIdempotencyStore) {
    /// let mut every_minute = tokio::time::interval(std::time::Duration::from_secs(60));
    /// loop {
    ///     every_minute.tick().await;
    ///     while let Ok(1000) = store.purge_expired(1000).await {}
    /// }
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`StoreError::Unavailable`] when the database cannot be reached or refuses it.
    pub async fn purge_expired(&self, batch: u32) -> Result<u64, StoreError> {
        self.on_own_connection(async |client| statements::purge(client, batch).await)
            .await
            .map_err(StoreError::from)
    }

    async fn begin_on(
        &self,
        client: &Client,
        key: &ScopedKey,
        fingerprint: &Fingerprint,
        lease: Duration,
    ) -> Result<Begin, StoreError> {
        check_ttl(lease)?;
        let claim = Lease::generate(*key)?;
        Ok(statements::begin(client, claim, fingerprint, lease).await?)
    }

    async fn complete_on(
        &self,
        client: &Client,
        lease: &Lease,
        result: &[u8],
        retention: Duration,
    ) -> Result<(), StoreError> {
        check_completion(result, self.max_result_len, retention)?;
        fenced(statements::complete(client, lease, result, retention).await)
    }

    async fn release_on(client: &Client, lease: &Lease) -> Result<(), StoreError> {
        fenced(statements::release(client, lease).await)
    }

    /// Runs `call` on one of the store's own connections, within [`ANSWER_TIMEOUT`]; a
    /// connection that failed is dropped, to be opened again by a later call.
    async fn on_own_connection<T>(
        &self,
        call: impl AsyncFnOnce(&Client) -> Result<T, Failure>,
    ) -> Result<T, Failure> {
        let drawn = self.connections.draw().await?;
        let result = tokio::time::timeout(ANSWER_TIMEOUT, call(&drawn.client))
            .await
            .unwrap_or(Err(Failure::Timeout(ANSWER_TIMEOUT)));
        if let Err(failure) = &result
            && !failure.connection_sound()
        {
            self.connections.forget(&drawn);
        }
        result
    }
}

impl IdempotencyStore for PostgresIdempotencyStore {
    async fn begin(
        &self,
        key: &ScopedKey,
        fingerprint: &Fingerprint,
        lease: Duration,
    ) -> Result<Begin, StoreError> {
        check_ttl(lease)?;
        let claim = Lease::generate(*key)?;
        let answer = self
            .on_own_connection(async |client| {
                statements::begin(client, claim, fingerprint, lease).await
            })
            .await;
        match answer {
            Ok(begin) => Ok(begin),
            // Another transaction has held the key's row for the whole `lock_timeout`.
            Err(failure) if failure.is_lock_timeout() => Ok(Begin::InProgress {
                retry_after: Duration::from_secs(1),
            }),
            Err(failure) => Err(failure.into()),
        }
    }

    async fn complete(
        &self,
        lease: &Lease,
        result: &[u8],
        retention: Duration,
    ) -> Result<(), StoreError> {
        check_completion(result, self.max_result_len, retention)?;
        let changed = self
            .on_own_connection(async |client| {
                statements::complete(client, lease, result, retention).await
            })
            .await;
        fenced(changed)
    }

    async fn release(&self, lease: &Lease) -> Result<(), StoreError> {
        let changed = self
            .on_own_connection(async |client| statements::release(client, lease).await)
            .await;
        fenced(changed)
    }

    /// Sends the release from a task on the current Tokio runtime, if there is one; otherwise
    /// the lease expires by itself.
    fn release_detached(&self, lease: Lease) {
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let store = self.clone();
            drop(runtime.spawn(async move {
                // A lease already lost has nothing to release.
                let _ = store.release(&lease).await;
            }));
        }
    }

    fn kind(&self) -> &'static str {
        "postgres"
    }
}

impl fmt::Debug for PostgresIdempotencyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresIdempotencyStore")
            .field("connections", &self.connections.size())
            .field("max_result_len", &self.max_result_len)
            .finish_non_exhaustive()
    }
}

/// A fenced statement's answer: `Ok` when it changed the row, [`StoreError::LeaseLost`] when the
/// lease no longer held it.
fn fenced(changed: Result<bool, Failure>) -> Result<(), StoreError> {
    match changed {
        Ok(true) => Ok(()),
        Ok(false) => Err(StoreError::LeaseLost),
        Err(failure) => Err(failure.into()),
    }
}

/// The store's own connections by default.
const DEFAULT_CONNECTIONS: usize = 4;
/// The most connections of its own a store opens.
const MAX_CONNECTIONS: usize = 64;
/// The largest result a store may be set to keep.
const MAX_RESULT_LEN: usize = 512 * 1024 * 1024;

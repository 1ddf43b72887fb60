//! The store's statements: one per transition, each atomic on its own, all timed by the
//! database's clock (`statement_timestamp()`), and sent with their parameter types so each is
//! one round trip.

use std::time::Duration;

use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{Client, Row};

use super::failure::Failure;
use crate::idempotency::{Begin, Fingerprint, Lease};

/// Claims a key: inserts it in progress, or takes over a row that has expired (its lease or
/// its retention is over). Otherwise the row is left as it was (rewritten with its own values,
/// which also waits for and then locks it). Replies whether the caller's owner token now holds
/// the key, whether the fingerprint is the row's, the state, the milliseconds left, and the
/// result when the fingerprint matches.
///
/// Another transaction's uncommitted claim of the key makes this wait until it ends: committed,
/// the row is read as that transaction left it; rolled back, the key is claimed here.
const BEGIN: &str = "\
INSERT INTO hookseal_idempotency AS r (key, fingerprint, owner, state, expires_at, result)
VALUES ($1, $2, $3, 0, statement_timestamp() + $4 * interval '1 microsecond', NULL)
ON CONFLICT (key) DO UPDATE SET
    fingerprint = CASE WHEN r.expires_at <= statement_timestamp()
        THEN excluded.fingerprint ELSE r.fingerprint END,
    owner = CASE WHEN r.expires_at <= statement_timestamp() THEN excluded.owner ELSE r.owner END,
    state = CASE WHEN r.expires_at <= statement_timestamp() THEN 0 ELSE r.state END,
    expires_at = CASE WHEN r.expires_at <= statement_timestamp()
        THEN excluded.expires_at ELSE r.expires_at END,
    result = CASE WHEN r.expires_at <= statement_timestamp() THEN NULL ELSE r.result END
RETURNING r.owner = $3, r.fingerprint = $2, r.state,
    ceil(extract(epoch FROM r.expires_at - statement_timestamp()) * 1000)::int8,
    CASE WHEN r.fingerprint = $2 THEN r.result END";

/// Completes a key held by the owner token whose lease has not ended, keeping the result for the
/// retention.
const COMPLETE: &str = "\
UPDATE hookseal_idempotency
SET state = 1, result = $3, expires_at = statement_timestamp() + $4 * interval '1 microsecond'
WHERE key = $1 AND owner = $2 AND state = 0 AND expires_at > statement_timestamp()";

/// Deletes a key held by the owner token whose lease has not ended.
const RELEASE: &str = "\
DELETE FROM hookseal_idempotency
WHERE key = $1 AND owner = $2 AND state = 0 AND expires_at > statement_timestamp()";

/// Deletes at most `$1` expired rows, oldest first, skipping rows another transaction holds.
const PURGE: &str = "\
DELETE FROM hookseal_idempotency
WHERE key IN (
    SELECT key FROM hookseal_idempotency
    WHERE expires_at <= statement_timestamp()
    ORDER BY expires_at
    LIMIT $1
    FOR UPDATE SKIP LOCKED
) AND expires_at <= statement_timestamp()";

/// The migration, run as one implicit transaction (a simple query of several statements) after
/// taking a transaction-scoped advisory lock, so receivers starting together apply it once.
pub(super) const MIGRATE_PRELUDE: &str =
    "SET LOCAL statement_timeout = 0; SELECT pg_advisory_xact_lock(7011046180519243617);";

/// [`BEGIN`] for `claim`: what the row says, with `claim` returned inside [`Begin::Started`].
pub(super) async fn begin(
    client: &Client,
    claim: Lease,
    fingerprint: &Fingerprint,
    lease: Duration,
) -> Result<Begin, Failure> {
    let key: &[u8] = claim.key().as_bytes();
    let fingerprint: &[u8] = fingerprint.as_bytes();
    let owner: &[u8] = claim.owner();
    let micros = micros(lease);
    let rows = client
        .query_typed(
            BEGIN,
            &[
                (&key, Type::BYTEA),
                (&fingerprint, Type::BYTEA),
                (&owner, Type::BYTEA),
                (&micros, Type::INT8),
            ],
        )
        .await
        .map_err(Failure::from_driver)?;
    let [row] = rows.as_slice() else {
        return Err(Failure::Unreadable);
    };
    let answer = BeginRow::read(row)?;
    Ok(match (answer.started, answer.same, answer.state) {
        (true, _, 0) => Begin::Started(claim),
        (false, false, _) => Begin::Mismatch,
        (false, true, 0) => Begin::InProgress {
            retry_after: retry_after(answer.remaining_ms),
        },
        (false, true, 1) => Begin::Completed(answer.result.ok_or(Failure::Unreadable)?),
        _ => return Err(Failure::Unreadable),
    })
}

/// [`COMPLETE`]: whether the lease still held the key (and so completed it).
pub(super) async fn complete(
    client: &Client,
    lease: &Lease,
    result: &[u8],
    retention: Duration,
) -> Result<bool, Failure> {
    let micros = micros(retention);
    fenced(
        client,
        COMPLETE,
        lease,
        &[(&result, Type::BYTEA), (&micros, Type::INT8)],
    )
    .await
}

/// [`RELEASE`]: whether the lease still held the key (and so freed it).
pub(super) async fn release(client: &Client, lease: &Lease) -> Result<bool, Failure> {
    fenced(client, RELEASE, lease, &[]).await
}

/// [`PURGE`]: how many rows were deleted.
pub(super) async fn purge(client: &Client, batch: u32) -> Result<u64, Failure> {
    let limit = i64::from(batch);
    client
        .execute_typed(PURGE, &[(&limit, Type::INT8)])
        .await
        .map_err(Failure::from_driver)
}

/// Runs a statement whose first parameters are the lease's key and owner token, then `rest`;
/// whether it changed a row.
async fn fenced(
    client: &Client,
    statement: &str,
    lease: &Lease,
    rest: &[(&(dyn ToSql + Sync), Type)],
) -> Result<bool, Failure> {
    let key: &[u8] = lease.key().as_bytes();
    let owner: &[u8] = lease.owner();
    let mut params: Vec<(&(dyn ToSql + Sync), Type)> =
        vec![(&key, Type::BYTEA), (&owner, Type::BYTEA)];
    params.extend(rest.iter().map(|(value, ty)| (*value, ty.clone())));
    let changed = client
        .execute_typed(statement, &params)
        .await
        .map_err(Failure::from_driver)?;
    Ok(changed == 1)
}

/// The row [`BEGIN`] returns.
struct BeginRow {
    /// The caller's owner token holds the key.
    started: bool,
    /// The row's fingerprint is the caller's.
    same: bool,
    /// 0 in progress, 1 completed.
    state: i16,
    /// Milliseconds until the row ends.
    remaining_ms: i64,
    /// The stored result, when completed under the caller's fingerprint.
    result: Option<Vec<u8>>,
}

impl BeginRow {
    /// Reads the columns, or fails with [`Failure::Unreadable`] for a row of another shape.
    fn read(row: &Row) -> Result<Self, Failure> {
        let unreadable = |_| Failure::Unreadable;
        Ok(Self {
            started: row.try_get(0).map_err(unreadable)?,
            same: row.try_get(1).map_err(unreadable)?,
            state: row.try_get(2).map_err(unreadable)?,
            remaining_ms: row.try_get(3).map_err(unreadable)?,
            result: row.try_get(4).map_err(unreadable)?,
        })
    }
}

/// A lease or retention in microseconds, rounded up: a row is never kept for less than asked.
/// Callers have checked it is at most 400 days, far within range.
fn micros(ttl: Duration) -> i64 {
    i64::try_from(ttl.as_nanos().div_ceil(1000)).unwrap_or(i64::MAX)
}

/// How long until a key held for `ms` more milliseconds is free: whole seconds, rounded up, at
/// least one.
fn retry_after(ms: i64) -> Duration {
    Duration::from_secs(u64::try_from(ms).unwrap_or(0).div_ceil(1000)).max(Duration::from_secs(1))
}

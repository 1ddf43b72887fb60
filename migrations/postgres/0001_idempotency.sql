-- hookseal: the table of PostgresIdempotencyStore (feature `postgres`), one row per idempotency
-- key. `PostgresIdempotencyStore::migrate` applies this file in one transaction; to apply it
-- with your own migration tool instead, copy it as it is (it creates nothing that exists already,
-- so applying it twice is harmless). The table lives in the first schema of the connection's
-- `search_path`.
--
-- key          the scoped key (16 bytes)
-- fingerprint  the request's fingerprint (32 bytes): another payload under the key is a mismatch
-- owner        the owner token of the lease that claimed the key (16 bytes)
-- state        0 in progress (held by `owner` until `expires_at`), 1 completed
-- expires_at   the end of the lease (in progress) or of the retention (completed), on the
--              database's clock; a row past it counts as absent, and `purge_expired` deletes it
-- result       the stored result, once completed

CREATE TABLE IF NOT EXISTS hookseal_idempotency (
    key         bytea       NOT NULL PRIMARY KEY CHECK (octet_length(key) = 16),
    fingerprint bytea       NOT NULL CHECK (octet_length(fingerprint) = 32),
    owner       bytea       NOT NULL CHECK (octet_length(owner) = 16),
    state       smallint    NOT NULL CHECK (state IN (0, 1)),
    expires_at  timestamptz NOT NULL,
    result      bytea       CHECK ((state = 1) = (result IS NOT NULL))
);

CREATE INDEX IF NOT EXISTS hookseal_idempotency_expires_at
    ON hookseal_idempotency (expires_at);

//! The idempotency-store conformance suite, run against every backend: the in-memory store
//! (time driven by a `ManualClock`), Redis (a real `redis-server` the tests start themselves),
//! a real Redis Cluster and Valkey cluster they start likewise, and Postgres (a real cluster the
//! tests create and start themselves).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

#[cfg(feature = "redis")]
#[path = "../replay/cluster.rs"]
mod cluster;
mod memory;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "postgres")]
mod postgres_server;
#[cfg(feature = "redis")]
mod redis;
#[cfg(feature = "redis")]
mod redis_cluster;
#[cfg(feature = "redis")]
#[path = "../replay/server.rs"]
mod server;
mod suite;

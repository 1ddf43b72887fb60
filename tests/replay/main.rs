//! The replay-cache conformance suite, run against every backend: the in-memory cache (time
//! driven by a `ManualClock`), Redis (a real `redis-server` the tests start themselves), and a
//! real Redis Cluster and Valkey cluster they start likewise.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

#[cfg(feature = "redis")]
mod cluster;
mod memory;
#[cfg(feature = "redis")]
mod redis;
#[cfg(feature = "redis")]
mod redis_cluster;
#[cfg(feature = "redis")]
mod server;
mod suite;

//! The idempotency-store conformance suite, run against every backend: the in-memory store
//! (time driven by a `ManualClock`) and Redis (a real `redis-server` the tests start
//! themselves).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

mod memory;
#[cfg(feature = "redis")]
mod redis;
#[cfg(feature = "redis")]
#[path = "../replay/server.rs"]
mod server;
mod suite;

//! End to end: the demo's receiver (axum with `VerifyLayer`, a replay cache and an idempotency
//! store) on a real loopback port, driven by a real HTTP client, with the in-memory backends and
//! with Redis (a real `redis-server` the tests start); and the same behaviour from the actix-web
//! middleware (feature `actix`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[cfg(feature = "actix")]
mod actix;
// The demo's receiver takes its handler's arguments through axum's extractors.
#[cfg(all(feature = "axum", feature = "serde"))]
#[path = "../../examples/demo/app.rs"]
mod app;
#[cfg(all(feature = "axum", feature = "serde"))]
mod axum;
#[cfg(all(feature = "axum", feature = "serde"))]
mod cases;
mod chunks;
#[path = "../../examples/common/client.rs"]
mod client;
#[cfg(feature = "x509")]
mod fetched;
mod handshakes;
mod idempotency_layer;
mod redelivery;
mod refusals;
mod request_line;
#[cfg(feature = "redis")]
#[path = "../replay/server.rs"]
#[allow(dead_code)] // Not every helper of the shared harness is needed here.
mod server;
mod streamed;
#[cfg(feature = "serde")]
mod typed;

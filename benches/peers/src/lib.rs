//! Nothing but the `peers` benchmark: see `benches/peers.rs`.

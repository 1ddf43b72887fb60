//! The `hookseal` binary, run as a user runs it: every command, its output (text and `--json`)
//! and its exit code.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

// The demo's receiver, which `send` is tested against, and the client it brings along.
#[path = "../../../examples/demo/app.rs"]
#[allow(dead_code)] // The demo's own cases are not sent here.
mod app;
#[path = "../../../examples/common/client.rs"]
#[allow(dead_code)]
mod client;
mod common;
mod explain;
mod round_trip;
mod send;
mod usage;

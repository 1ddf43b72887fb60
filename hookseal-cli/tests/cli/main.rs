//! The `hookseal` binary, run as a user runs it: every command, its output (text and `--json`)
//! and its exit code.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;
mod explain;
mod round_trip;
mod send;
mod usage;

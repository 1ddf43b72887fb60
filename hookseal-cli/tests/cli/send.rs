//! `send`.

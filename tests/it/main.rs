//! Integration tests, one binary with a module per concern.

mod common;
mod headers;
mod known_answers;
mod proptests;
mod redaction;
mod replay_key;
mod rotation;
mod window;

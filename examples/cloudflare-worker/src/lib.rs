//! A Cloudflare Worker that receives Standard Webhooks deliveries and verifies them with
//! hookseal, built without its `std` feature (the `worker` crate itself uses `std`).
//!
//! - [`receive`]: the verification, a plain function of the secret, the headers, the raw body
//!   and a clock, tested on the host (`cargo test`).
//! - `workers_clock`: the time, read from the Workers runtime (`Date.now()`); hookseal's
//!   `SystemClock` cannot tell it there.
//! - `fetch`: the Worker's `fetch` handler, which answers 204 to a verified delivery and the
//!   error's status and code otherwise. Built for `wasm32` only.
//!
//! See README.md for deploying it and sending it a signed request.

#[cfg(target_arch = "wasm32")]
mod fetch;
pub mod receive;
#[cfg(target_arch = "wasm32")]
mod workers_clock;

//! One exported function that verifies a Standard Webhooks delivery, over hookseal or over the
//! `standardwebhooks` crate (one feature of `hookseal`, `standardwebhooks` and
//! `standardwebhooks-verify`), for measuring what verification adds to a `.wasm`.
//!
//! Every input is given at run time, so nothing is folded into constants: the host asks for a
//! buffer ([`input`]), writes the fields into the module's memory (see [`Input`]) and calls
//! [`verify`] with the current time.

mod input;
#[cfg(feature = "hookseal")]
mod with_hookseal;
#[cfg(feature = "standardwebhooks")]
mod with_standardwebhooks;
#[cfg(feature = "standardwebhooks-verify")]
mod with_standardwebhooks_verify;

// Two at once fail too: `variant` is then defined twice.
#[cfg(not(any(
    feature = "hookseal",
    feature = "standardwebhooks",
    feature = "standardwebhooks-verify"
)))]
compile_error!(
    "build with one of the features hookseal, standardwebhooks, standardwebhooks-verify"
);

#[cfg(feature = "hookseal")]
use with_hookseal as variant;
#[cfg(feature = "standardwebhooks")]
use with_standardwebhooks as variant;
#[cfg(feature = "standardwebhooks-verify")]
use with_standardwebhooks_verify as variant;

use std::sync::{Mutex, PoisonError};

pub use input::Input;

/// The bytes the host writes before calling [`verify`].
static BUFFER: Mutex<Vec<u8>> = Mutex::new(Vec::new());

/// A buffer of `len` zero bytes for the host to write the input into; valid until the next call.
#[expect(
    unsafe_code,
    reason = "exported under its own name for the host to call"
)]
#[unsafe(no_mangle)]
pub extern "C" fn input(len: usize) -> *mut u8 {
    let mut buffer = BUFFER.lock().unwrap_or_else(PoisonError::into_inner);
    buffer.clear();
    buffer.resize(len, 0);
    buffer.as_mut_ptr()
}

/// Verifies the delivery in the buffer as of `now` (Unix seconds): 0 when it verifies, 1 when
/// it is refused, 2 when the buffer does not hold an [`Input`].
#[expect(
    unsafe_code,
    reason = "exported under its own name for the host to call"
)]
#[unsafe(no_mangle)]
pub extern "C" fn verify(now: u64) -> u32 {
    let buffer = BUFFER.lock().unwrap_or_else(PoisonError::into_inner);
    match Input::parse(&buffer) {
        Some(input) if variant::verify(&input, now) => 0,
        Some(_) => 1,
        None => 2,
    }
}

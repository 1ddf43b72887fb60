#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hookseal::fuzzing::idempotency_key(data));

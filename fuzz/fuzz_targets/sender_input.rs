#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hookseal::fuzzing::sender_input(data));

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hookseal_fuzz_oracles::timestamp_format(data));

#![no_main]
//! Any text as an address a proxy wrote (source.address, an X-Forwarded-For
//! entry, a client-address header), read by the engine and by `std::net`:
//! they must agree, but for the documented refusals (src/engine/differential.rs).

use libfuzzer_sys::fuzz_target;
use proxy_allowlist::engine::differential::compare_address;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        for entry in text.split(',') {
            if let Err(disagreement) = compare_address(entry) {
                panic!("{disagreement}");
            }
        }
    }
});

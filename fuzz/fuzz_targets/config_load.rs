#![no_main]
//! Any bytes as a plugin configuration: never a panic, and a policy that
//! loads judges a request without one.

use libfuzzer_sys::fuzz_target;
use proxy_allowlist::engine::load_policy;
use proxy_allowlist_fuzz::{judge, FuzzRequest};

fuzz_target!(|data: &[u8]| {
    if let Ok(loaded) = load_policy(data) {
        judge(&loaded.policy, || {
            FuzzRequest::default()
                .with("origin", b"https://app.example.com")
                .with("source.address", b"10.1.2.3:4000")
        });
    }
});

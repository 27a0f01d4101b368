#![no_main]
//! Any bytes as Origin, Referer or Host: the calling-site parsers.

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use proxy_allowlist::engine::Policy;
use proxy_allowlist_fuzz::{judge, policy, FuzzRequest};

fn policies() -> &'static [(Policy, &'static str)] {
    static POLICIES: OnceLock<Vec<(Policy, &'static str)>> = OnceLock::new();
    POLICIES.get_or_init(|| {
        let lists = r#""domains": {"mode": "listed", "allowed": [{"domain": "app.example.com"}, {"domain": "*.example.org"},
            {"domain": "https://secure.example.com:8443"}, {"domain": "127.0.0.5"}, {"domain": "[2001:db8::1]"}]}"#;
        [("origin", "origin"), ("referer", "referer"), ("authority", ":authority")]
            .iter()
            .map(|(source, header)| (policy(&format!(r#"{{{lists}, "domain_sources": ["{source}"]}}"#)), *header))
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    for (policy, header) in policies() {
        judge(policy, || {
            FuzzRequest::default()
                .with(header, data)
                .with(":scheme", b"https")
        });
    }
});

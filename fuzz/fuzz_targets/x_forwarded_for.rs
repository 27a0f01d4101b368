#![no_main]
//! Any bytes as X-Forwarded-For from a trusted peer, and as a single-address
//! header.

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use proxy_allowlist::engine::Policy;
use proxy_allowlist_fuzz::{judge, policy, FuzzRequest};

fn policies() -> &'static [Policy; 2] {
    static POLICIES: OnceLock<[Policy; 2]> = OnceLock::new();
    POLICIES.get_or_init(|| {
        let ips = r#""source_ips": {"mode": "listed", "allowed": [{"ip": "198.51.100.0/24"}, {"ip": "2001:db8::/32"}]}"#;
        [
            policy(&format!(r#"{{{ips}, "client_ip": {{"from": "x_forwarded_for", "trusted_proxies": ["10.0.0.0/8", "fd00::/8"]}}}}"#)),
            policy(&format!(r#"{{{ips}, "client_ip": {{"from": "header", "header": "x-real-ip", "trusted_proxies": ["10.0.0.0/8"]}}}}"#)),
        ]
    })
}

fuzz_target!(|data: &[u8]| {
    let [xff, header] = policies();
    judge(xff, || {
        FuzzRequest::default()
            .with("x-forwarded-for", data)
            .with("source.address", b"10.0.0.2:5000")
    });
    judge(header, || {
        FuzzRequest::default()
            .with("x-real-ip", data)
            .with("source.address", b"10.0.0.2:5000")
    });
});

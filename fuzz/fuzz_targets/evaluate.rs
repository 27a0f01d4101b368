#![no_main]
//! A whole evaluation: the input is split at NUL bytes into the peer address
//! and each header a decision can read, under policies of every shape.

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use proxy_allowlist::engine::Policy;
use proxy_allowlist_fuzz::{judge, policy, FuzzRequest};

const FIELDS: [&str; 8] = [
    "source.address",
    "origin",
    "referer",
    ":authority",
    ":scheme",
    "x-forwarded-for",
    "x-real-ip",
    "content-type",
];

fn policies() -> &'static [Policy] {
    static POLICIES: OnceLock<Vec<Policy>> = OnceLock::new();
    POLICIES.get_or_init(|| {
        let domains = r#""domains": {"mode": "listed", "allowed": [{"domain": "app.example.com"}, {"domain": "*.example.org"}]}"#;
        let ips = r#""source_ips": {"mode": "listed", "allowed": [{"ip": "198.51.100.0/24"}, {"ip": "::1"}]}"#;
        [
            format!("{{{domains}, {ips}}}"),
            format!(r#"{{{domains}, {ips}, "condition": "or", "domain_sources": ["referer", "authority", "origin"]}}"#),
            format!(r#"{{{domains}, {ips}, "client_ip": {{"from": "x_forwarded_for", "trusted_proxies": ["10.0.0.0/8"]}}, "cors": {{"expose_denials": true}}}}"#),
            format!(r#"{{{domains}, {ips}, "client_ip": {{"from": "header", "header": "x-real-ip", "trusted_proxies": ["10.0.0.0/8"]}}, "deny_status": 404}}"#),
            format!(r#"{{"domains": {{"mode": "listed", "dry_run": true, "allowed": [{{"domain": "a.com"}}]}}, {ips}}}"#),
        ]
        .iter()
        .map(|json| policy(json))
        .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let parts: Vec<&[u8]> = data.split(|b| *b == 0).collect();
    let make = || {
        FIELDS
            .iter()
            .zip(&parts)
            .fold(FuzzRequest::default(), |request, (name, value)| {
                request.with(name, value)
            })
    };
    for policy in policies() {
        judge(policy, make);
    }
});

//! Native micro-benchmarks of the engine: evaluation on the allow and deny
//! paths with 25 and 10,000 entries per list, and loading a configuration
//! of 10,000 + 10,000 entries. `cargo bench` prints the numbers.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use proxy_allowlist::engine::{load_policy, Fetched, HostRead, Policy, RequestValues};

/// The values Envoy would hand over for one request.
struct BenchRequest {
    origin: &'static str,
    source: &'static str,
}

impl RequestValues for BenchRequest {
    fn read(&mut self, read: HostRead<'_>) -> Fetched {
        match read {
            HostRead::Header("origin") => Fetched::Present(self.origin.as_bytes().to_vec()),
            HostRead::SourceAddress => Fetched::Present(self.source.as_bytes().to_vec()),
            _ => Fetched::Absent,
        }
    }
}

/// `size` domains and `size` CIDR blocks; the allowed values are the last entries.
fn config(size: usize, condition: &str) -> String {
    let domains: Vec<String> = (0..size)
        .map(|i| format!(r#"{{"domain": "app{i}.example.com"}}"#))
        .collect();
    let ips: Vec<String> = (0..size - 1)
        .map(|i| format!(r#"{{"ip": "10.{}.{}.0/24"}}"#, i / 256 % 256, i % 256))
        .chain([r#"{"ip": "203.0.113.0/24"}"#.to_string()])
        .collect();
    format!(
        r#"{{"max_entries": {}, "condition": "{condition}",
            "domains": {{"mode": "listed", "allowed": [{}]}},
            "source_ips": {{"mode": "listed", "allowed": [{}]}}}}"#,
        size.max(25),
        domains.join(","),
        ips.join(",")
    )
}

fn policy(size: usize, condition: &str) -> Policy {
    load_policy(config(size, condition).as_bytes())
        .unwrap()
        .policy
}

fn evaluation(c: &mut Criterion) {
    for size in [25, 10_000] {
        let and = policy(size, "and");
        let allowed_origin: &'static str =
            Box::leak(format!("https://app{}.example.com", size - 1).into_boxed_str());
        let cases = [
            ("allow", allowed_origin, "203.0.113.77:41000"),
            (
                "deny domain",
                "https://evil.example.net",
                "203.0.113.77:41000",
            ),
            ("deny both", "https://evil.example.net", "198.18.0.1:41000"),
        ];
        for (name, origin, source) in cases {
            c.bench_function(
                &format!("evaluate and, {size}+{size} entries, {name}"),
                |b| b.iter(|| black_box(&and).evaluate(&mut BenchRequest { origin, source })),
            );
        }
    }
}

fn loading(c: &mut Criterion) {
    let text = config(10_000, "and");
    c.bench_function("load 10000+10000 entries (parse, validate, compile)", |b| {
        b.iter(|| load_policy(black_box(text.as_bytes())).unwrap())
    });
}

criterion_group!(benches, evaluation, loading);
criterion_main!(benches);

//! Native micro-benchmarks of the engine (`cargo bench --bench engine`):
//! evaluation on the allow and deny paths with 25 and 10,000 entries per
//! list, and with the decision record; a lookup that misses in 10,000 entries of each prefix length (IPv6
//! /32 /48 /56 /64 /128, IPv4 /16 /24 /32); the hashers a table of such
//! entries could use; and loading 10,000 + 10,000 entries.

use std::hash::BuildHasher;
use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use criterion::{criterion_group, criterion_main, Criterion};
use proxy_allowlist::engine::{load_policy, Fetched, HostRead, Policy, RequestValues};

/// The values Envoy would hand over for one request.
struct BenchRequest {
    origin: &'static str,
    source: String,
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

fn policy(text: &str) -> Policy {
    load_policy(text.as_bytes()).unwrap().policy
}

fn evaluation(c: &mut Criterion) {
    for size in [25, 10_000] {
        let and = policy(&config(size, "and"));
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
        c.bench_function(
            &format!("evaluate and record, {size}+{size} entries, allow"),
            |b| {
                b.iter(|| {
                    let decision = black_box(&and).evaluate(&mut BenchRequest {
                        origin: allowed_origin,
                        source: "203.0.113.77:41000".to_string(),
                    });
                    decision.record(&and)
                })
            },
        );
        for (name, origin, source) in cases {
            c.bench_function(
                &format!("evaluate and, {size}+{size} entries, {name}"),
                |b| {
                    b.iter(|| {
                        black_box(&and).evaluate(&mut BenchRequest {
                            origin,
                            source: source.to_string(),
                        })
                    })
                },
            );
        }
    }
}

/// 10,000 blocks of one prefix length, and an address in none of them.
fn blocks(v6: bool, len: u8) -> (Vec<String>, IpAddr) {
    let entries = (1..=10_000u128)
        .map(|i| match v6 {
            true => Ipv6Addr::from(i << (128 - u32::from(len))).to_string(),
            false => Ipv4Addr::from((i as u32) << (32 - u32::from(len))).to_string(),
        })
        .map(|addr| format!("{addr}/{len}"))
        .collect();
    let miss = match v6 {
        true => IpAddr::V6(Ipv6Addr::from(0xffff_u128 << 112)),
        false => IpAddr::V4(Ipv4Addr::new(255, 255, 255, 254)),
    };
    (entries, miss)
}

const SHAPES: [(&str, bool, u8); 8] = [
    ("IPv6 /32", true, 32),
    ("IPv6 /48", true, 48),
    ("IPv6 /56", true, 56),
    ("IPv6 /64", true, 64),
    ("IPv6 /128", true, 128),
    ("IPv4 /16", false, 16),
    ("IPv4 /24", false, 24),
    ("IPv4 /32", false, 32),
];

fn address_misses(c: &mut Criterion) {
    for (name, v6, len) in SHAPES {
        let (entries, miss) = blocks(v6, len);
        let allowed: Vec<String> = entries
            .iter()
            .map(|e| format!(r#"{{"ip": "{e}"}}"#))
            .collect();
        let p = policy(&format!(
            r#"{{"max_entries": 10000, "source_ips": {{"mode": "listed", "allowed": [{}]}}}}"#,
            allowed.join(",")
        ));
        let source = match miss {
            IpAddr::V6(v6) => format!("[{v6}]:1"),
            IpAddr::V4(v4) => format!("{v4}:1"),
        };
        c.bench_function(&format!("evaluate, 10,000 {name} entries, a miss"), |b| {
            b.iter(|| {
                black_box(&p).evaluate(&mut BenchRequest {
                    origin: "",
                    source: source.clone(),
                })
            })
        });
    }
}

/// The key the IP table hashes: (project, prefix length, network).
type Key = (u32, u8, u128);

fn miss_with<S: BuildHasher + Clone>(c: &mut Criterion, hasher: &str, state: S) {
    for (name, v6, len) in [SHAPES[1], SHAPES[6]] {
        let (entries, miss) = blocks(v6, len);
        let mut table: hashbrown::HashMap<Key, u32, S> =
            hashbrown::HashMap::with_hasher(state.clone());
        for (i, entry) in entries.iter().enumerate() {
            let net: ipnet::IpNet = entry.parse().unwrap();
            let network = match net.network() {
                IpAddr::V4(v4) => u128::from(u32::from(v4)),
                IpAddr::V6(v6) => u128::from(v6),
            };
            table.insert((0, len, network), i as u32);
        }
        let probe = match miss {
            IpAddr::V4(v4) => u128::from(u32::from(v4)),
            IpAddr::V6(v6) => u128::from(v6),
        };
        c.bench_function(
            &format!("hasher {hasher}, 10,000 {name} blocks, a miss"),
            |b| b.iter(|| black_box(&table).get(&black_box((0, len, probe))).copied()),
        );
    }
}

fn hashers(c: &mut Criterion) {
    miss_with(
        c,
        "foldhash (chosen)",
        foldhash::fast::FixedState::default(),
    );
    miss_with(c, "rustc-hash 2", rustc_hash::FxBuildHasher);
    miss_with(c, "ahash", ahash::RandomState::with_seeds(1, 2, 3, 4));
    miss_with(c, "std SipHash", std::hash::RandomState::new());
}

fn loading(c: &mut Criterion) {
    let text = config(10_000, "and");
    c.bench_function("load 10000+10000 entries (parse, validate, compile)", |b| {
        b.iter(|| load_policy(black_box(text.as_bytes())).unwrap())
    });
}

criterion_group!(benches, evaluation, address_misses, hashers, loading);
criterion_main!(benches);

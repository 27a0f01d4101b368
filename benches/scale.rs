//! Many projects, natively: for configurations of 1, 1,000, 10,000 and
//! 100,000 projects of 3 domains and 3 source IPs each, the configuration's
//! size, the time to load it, the memory the loaded policy holds (counted by
//! the allocator), and the time to judge one request. `cargo bench --bench
//! scale` prints a table; `make bench` runs it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use proxy_allowlist::engine::{load_policy, SimulatedRequest};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator and only counts sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(live, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// `count` projects `p0`..: three domains, three /32 addresses, condition `or`.
pub fn projects_config(count: usize) -> String {
    let mut policies = Vec::with_capacity(count);
    for i in 0..count {
        policies.push(format!(
            r#""p{i}": {{"domains": {{"mode": "listed", "allowed": [{{"name": "Web", "domain": "app{i}.example.com"}}, {{"domain": "*.p{i}.example.org"}}, {{"domain": "https://admin{i}.example.com"}}]}},
              "source_ips": {{"mode": "listed", "allowed": [{{"name": "Office", "ip": "10.{}.{}.1"}}, {{"ip": "10.{}.{}.0/28"}}, {{"ip": "2001:db8:{:x}:{:x}::/64"}}]}}, "condition": "or"}}"#,
            i / 256 % 256,
            i % 256,
            i / 256 % 256,
            i % 256,
            i >> 16,
            i & 0xffff
        ));
    }
    format!(
        r#"{{"projects": {{"from": {{"header": "x-project-id"}}, "policies": {{{}}}}}}}"#,
        policies.join(",")
    )
}

fn request(project: usize) -> SimulatedRequest {
    let mut request = SimulatedRequest::default()
        .with_line("x-project-id", format!("p{project}"))
        .with_line("origin", format!("https://admin{project}.example.com"));
    request.set_source_address("192.0.2.1:4000");
    request
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    println!("| projects | entries | configuration | load (median of 3) | policy memory | per entry | peak while loading | judge one request |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    for count in [1, 1_000, 10_000, 100_000] {
        let config = projects_config(count);
        let mut loads = Vec::new();
        let mut held = 0;
        let mut peak = 0;
        for _ in 0..3 {
            let before = LIVE.load(Ordering::Relaxed);
            PEAK.store(before, Ordering::Relaxed);
            let started = Instant::now();
            let loaded = load_policy(config.as_bytes()).expect("the synthetic configuration loads");
            loads.push(started.elapsed());
            held = LIVE.load(Ordering::Relaxed) - before;
            peak = PEAK.load(Ordering::Relaxed) - before;
            drop(black_box(loaded));
        }
        let policy = load_policy(config.as_bytes()).expect("loads").policy;
        let rounds = 200_000;
        let started = Instant::now();
        for n in 0..rounds {
            let project = (n * 7919) % count;
            black_box(policy.evaluate(&mut request(project)));
        }
        let per_request = started.elapsed() / rounds as u32;
        let entries = count * 6;
        println!(
            "| {count} | {entries} | {:.1} MB | {:.1} ms | {:.1} MB | {} B | {:.1} MB | {:.2} µs |",
            config.len() as f64 / 1e6,
            median(loads).as_secs_f64() * 1e3,
            held as f64 / 1e6,
            held / entries,
            peak as f64 / 1e6,
            per_request.as_secs_f64() * 1e6,
        );
    }
    println!(
        "\n(judge one request includes building the simulated request: the same for every row)"
    );
}

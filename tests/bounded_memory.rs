//! Judging requests keeps no memory: after any number of requests, even
//! with very long header values, the heap is back where it was. Counted
//! with an allocator that tallies live bytes, not measured by time.

#![cfg(not(target_arch = "wasm32"))]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use proxy_allowlist::engine::{load_policy, SimulatedRequest};

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: forwards to the system allocator and only counts sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::SeqCst);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::SeqCst);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

struct Hostile {
    origin: Vec<u8>,
    referer: Vec<u8>,
    xff: Vec<u8>,
}

impl Hostile {
    fn request(&self) -> SimulatedRequest {
        let mut request = SimulatedRequest::default()
            .with_line("origin", &self.origin)
            .with_line("referer", &self.referer)
            .with_line("x-forwarded-for", &self.xff)
            .with_line("content-type", "application/grpc");
        request.set_source_address("10.0.0.2:4000");
        request
    }
}

#[test]
fn the_heap_does_not_grow_across_requests() {
    let policy = load_policy(
        br#"{"domains": {"mode": "listed", "allowed": [{"domain": "*.example.org"}]},
             "source_ips": {"mode": "listed", "allowed": [{"ip": "198.51.100.0/24"}]},
             "client_ip": {"from": "x_forwarded_for", "trusted_proxies": ["10.0.0.0/8"]},
             "domain_sources": ["referer", "origin"], "cors": {"expose_denials": true}}"#,
    )
    .unwrap()
    .policy;
    let inputs = [
        Hostile {
            origin: format!("https://{}example.org", "a.".repeat(120)).into_bytes(),
            referer: format!("https://a.example.org/{}", "x,".repeat(30_000)).into_bytes(),
            xff: format!("198.51.100.7{}", ", 10.0.0.1".repeat(5_000)).into_bytes(),
        },
        Hostile {
            origin: vec![b'\xff'; 60_000],
            referer: vec![b','; 60_000],
            xff: b"unknown, ".repeat(6_000),
        },
    ];
    let judge = || {
        for input in &inputs {
            let mut request = input.request();
            let decision = policy.evaluate(&mut request);
            if let Some(reason) = decision.denied {
                drop(policy.local_reply(reason, &mut request));
            }
            drop(decision.record(&policy));
            drop(request);
        }
    };
    judge();
    let before = LIVE.load(Ordering::SeqCst);
    for _ in 0..100 {
        judge();
    }
    assert_eq!(
        LIVE.load(Ordering::SeqCst),
        before,
        "live heap bytes changed"
    );
}

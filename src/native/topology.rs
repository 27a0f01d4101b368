//! The watch for a proxy the configuration does not account for
//! (`engine::TopologyWatch`), in the native build. The Wasm build has one
//! per worker (each worker has its own VM); here each configuration has a
//! few, and each worker thread keeps to one of them, so requests on
//! different workers never contend for one lock. A request that finds its
//! watch busy is left out of the tally and the sample. The clock is seconds
//! since the configuration loaded, and the walks are weighed on the first
//! request of each second, where the Wasm build has a tick.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use log::warn;

use crate::engine::{Decision, Policy, RequestValues, TopologyWatch};

/// How many watches a configuration has: more than Envoy has workers on
/// most machines; threads beyond share them.
const WATCHES: usize = 16;

pub struct Watch {
    started: Instant,
    states: [Padded; WATCHES],
}

/// A watch on a cache line of its own, so workers do not share one.
#[repr(align(128))]
#[derive(Default)]
struct Padded(Mutex<State>);

/// The watch the calling thread keeps to.
fn thread_slot() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static SLOT: usize = NEXT.fetch_add(1, Ordering::Relaxed) % WATCHES;
    }
    SLOT.with(|slot| *slot)
}

#[derive(Default)]
struct State {
    topology: TopologyWatch,
    /// The second the walks were last weighed in.
    weighed: u64,
}

impl Watch {
    pub fn new() -> Watch {
        Watch {
            started: Instant::now(),
            states: Default::default(),
        }
    }

    /// After a judged request: logs what the watch has to say, and whether
    /// the request counts as `client_address_looks_like_proxy`.
    pub fn after_request(
        &self,
        policy: &Policy,
        decision: &Decision,
        request: &mut impl RequestValues,
    ) -> bool {
        let Some(Padded(watch)) = self.states.get(thread_slot()) else {
            return false;
        };
        let Ok(mut state) = watch.try_lock() else {
            return false;
        };
        let now = self.started.elapsed().as_secs();
        let noticed = state.topology.after_request(policy, decision, request, now);
        let weighed = (now > state.weighed).then(|| {
            state.weighed = now;
            state.topology.walks_report(now)
        });
        drop(state);
        for diagnosis in noticed.warning.into_iter().chain(weighed.flatten()) {
            warn!("proxy-allowlist: {diagnosis}");
        }
        noticed.looks_like_proxy
    }
}

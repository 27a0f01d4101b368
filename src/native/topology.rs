//! The watch for a proxy the configuration does not account for
//! (`engine::TopologyWatch`), in the native build. One per configuration,
//! shared by every worker: a request that finds it busy is left out of the
//! tally and the sample. Its clock is seconds since the configuration
//! loaded, and the walks are weighed on the first request of each second,
//! where the Wasm build has a tick.

use std::sync::Mutex;
use std::time::Instant;

use log::warn;

use crate::engine::{Decision, Policy, RequestValues, TopologyWatch};

pub struct Watch {
    started: Instant,
    state: Mutex<State>,
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
            state: Mutex::default(),
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
        let Ok(mut state) = self.state.try_lock() else {
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

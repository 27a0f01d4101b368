//! A filter configuration (one per `filter_config`, shared by every worker)
//! and a route's own policy (`typed_per_filter_config`): loaded, checked and
//! logged as the Wasm build does, or refused.

use std::sync::atomic::AtomicBool;

use crate::engine::{load_policy, stat_prefix, Counter, Policy};
use crate::load_log::{log_loaded, log_rejected};

use super::abi::{ConfigHandle, CounterId};
use super::topology::Watch;

pub struct FilterConfig {
    pub policy: Policy,
    pub counters: Counters,
    /// The filter-state key of the decision record: `wasm.<filter name>`,
    /// the key the Wasm build's records have, so that one access-log format
    /// (`%FILTER_STATE(wasm.proxy_allowlist:PLAIN)%`) serves both builds.
    pub state_key: String,
    pub watch: Watch,
    /// Whether a request on a route whose policy cannot be read was logged.
    pub unreadable_route_logged: AtomicBool,
}

impl FilterConfig {
    /// Loads `filter_config`; `None` makes Envoy refuse it (at start-up
    /// Envoy exits, and `envoy --mode validate` fails).
    pub fn new(
        envoy: &mut ConfigHandle<'_>,
        filter_name: &str,
        config: &[u8],
    ) -> Option<FilterConfig> {
        let counters = Counters::define(envoy, filter_name);
        match load_policy(config) {
            Ok(loaded) => {
                log_loaded(&loaded, "");
                counters.count_now(envoy, Counter::PoliciesLoaded);
                Some(FilterConfig {
                    policy: loaded.policy,
                    counters,
                    state_key: format!("wasm.{filter_name}"),
                    watch: Watch::new(),
                    unreadable_route_logged: AtomicBool::new(false),
                })
            }
            Err(errors) => {
                log_rejected(&errors);
                counters.count_now(envoy, Counter::PoliciesRejected);
                None
            }
        }
    }
}

/// What the request's route says about the policy that judges it.
pub enum RoutePolicy<'a> {
    /// Nothing: the filter's policy judges.
    None,
    /// Its own policy, which judges in place of the filter's.
    Own(&'a RouteConfig),
    /// A policy another module made: the route's `dynamic_module_config`
    /// names another file (a copy, or another version) than the filter's.
    /// Envoy hands it over all the same, and this module cannot read it.
    Unreadable,
}

/// A route's own policy: it judges the route's requests in place of the
/// filter's; counters and the filter-state key stay the filter's.
pub struct RouteConfig {
    pub policy: Policy,
}

impl RouteConfig {
    /// Loads a route's `filter_config`; `None` makes Envoy refuse the route
    /// configuration.
    pub fn new(filter_name: &str, config: &[u8]) -> Option<RouteConfig> {
        match load_policy(config) {
            Ok(loaded) => {
                log_loaded(&loaded, &format!(", for a route of filter {filter_name}"));
                Some(RouteConfig {
                    policy: loaded.policy,
                })
            }
            Err(errors) => {
                log_rejected(&errors);
                None
            }
        }
    }
}

/// The filter's counters in Envoy's stats, each one defined for the
/// configuration: `dynamicmodulescustom.proxy_allowlist.<filter name>.<counter>`
/// (the module's metrics namespace, then the Wasm build's names). A request
/// adds to them directly: a native call is cheap, and nothing is lost when
/// the configuration goes.
pub struct Counters {
    ids: [Option<CounterId>; Counter::ALL.len()],
    /// Native only: requests refused because their route's policy could
    /// not be read (`route_policy_unreadable`).
    pub route_policy_unreadable: Option<CounterId>,
}

impl Counters {
    /// A counter Envoy refuses is skipped: metrics never stop the filter.
    fn define(envoy: &mut ConfigHandle<'_>, filter_name: &str) -> Counters {
        Counters {
            ids: Counter::ALL.map(|counter| envoy.define_counter(&counter.stat_name(filter_name))),
            route_policy_unreadable: envoy.define_counter(&format!(
                "{}route_policy_unreadable",
                stat_prefix(filter_name)
            )),
        }
    }

    /// Envoy's id for `counter`, if Envoy defined it.
    pub fn id(&self, counter: Counter) -> Option<CounterId> {
        self.ids.get(counter.index()).copied().flatten()
    }

    fn count_now(&self, envoy: &mut ConfigHandle<'_>, counter: Counter) {
        if let Some(id) = self.id(counter) {
            envoy.increment_counter(id, 1);
        }
    }
}

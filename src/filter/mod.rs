//! The thin proxy-wasm layer: it hands request values to the engine and
//! sends the engine's answer. No rule lives here.

mod host_abi;
mod http_context;
mod metrics;
mod root_context;

use proxy_wasm::traits::RootContext;
use proxy_wasm::types::LogLevel;

use std::cell::{Cell, RefCell};

use crate::engine::{Policy, TopologyWatch};
use metrics::Metrics;
use root_context::AllowlistRootContext;

/// What a request needs from its plugin configuration.
pub struct Shared {
    pub policy: Policy,
    pub metrics: Metrics,
    /// The filter-state key decisions are written to (the plugin's name).
    pub state_key: String,
    /// Signs of a proxy in front that `client_ip` does not account for.
    pub watch: RefCell<TopologyWatch>,
    /// Seconds since the policy loaded, counted by the tick.
    pub clock: Cell<u64>,
}

proxy_wasm::main! {{
    // Envoy's own log level decides what is printed.
    proxy_wasm::set_log_level(LogLevel::Trace);
    proxy_wasm::set_root_context(|_| -> Box<dyn RootContext> { Box::new(AllowlistRootContext::default()) });
}}

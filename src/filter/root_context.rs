//! One root context per plugin configuration: it loads the policy once and
//! shares it, read-only, with that configuration's requests, with the
//! counters they add to.

use std::cell::Cell;
use std::rc::Rc;

use log::{error, warn};
use proxy_wasm::traits::{Context, HttpContext, RootContext};
use proxy_wasm::types::{ContextType, LogLevel};

use super::host_abi;
use super::http_context::AllowlistHttpContext;
use super::metrics::{Metrics, FLUSH_PERIOD_MS};
use super::Shared;
use crate::engine::{load_policy, Counter, Fetched};
use crate::load_log::{log_loaded, log_rejected};

#[derive(Default)]
pub struct AllowlistRootContext {
    shared: Option<Rc<Shared>>,
}

impl Context for AllowlistRootContext {}

impl RootContext for AllowlistRootContext {
    /// Returning false makes Envoy refuse the configuration (and keep the
    /// previous one, for an update).
    fn on_configure(&mut self, plugin_configuration_size: usize) -> bool {
        follow_envoy_log_level();
        let plugin = match host_abi::property(b"plugin_name") {
            Fetched::Present(name) => String::from_utf8_lossy(&name).into_owned(),
            Fetched::Absent | Fetched::Unavailable => "proxy_allowlist".to_string(),
        };
        let metrics = Metrics::define(&plugin);
        let config = match host_abi::plugin_configuration(plugin_configuration_size) {
            Fetched::Present(bytes) => bytes,
            Fetched::Absent => Vec::new(),
            Fetched::Unavailable => {
                error!("proxy-allowlist: configuration rejected: the host did not hand over the plugin configuration");
                metrics.count_now(Counter::PoliciesRejected);
                return false;
            }
        };
        let loading = load_policy(&config);
        // The configuration's bytes are not needed any more.
        drop(config);
        match loading {
            Ok(loaded) => {
                let memory = core::arch::wasm32::memory_size(0) / 16;
                log_loaded(&loaded, &format!(", Wasm memory {memory} MiB"));
                metrics.count_now(Counter::PoliciesLoaded);
                if !host_abi::set_tick_period_milliseconds(FLUSH_PERIOD_MS) {
                    warn!("proxy-allowlist: no timer from the host; counters will not reach Envoy's stats");
                }
                self.shared = Some(Rc::new(Shared {
                    policy: loaded.policy,
                    metrics,
                    state_key: plugin,
                    watch: Default::default(),
                    clock: Cell::new(0),
                }));
                true
            }
            Err(errors) => {
                log_rejected(&errors);
                metrics.count_now(Counter::PoliciesRejected);
                false
            }
        }
    }

    fn on_tick(&mut self) {
        if let Some(shared) = &self.shared {
            shared.metrics.flush();
            let now = shared.clock.get().saturating_add(1);
            shared.clock.set(now);
            let report = shared
                .watch
                .try_borrow_mut()
                .ok()
                .and_then(|mut w| w.walks_report(now));
            if let Some(diagnosis) = report {
                warn!("proxy-allowlist: {diagnosis}");
            }
        }
    }

    fn create_http_context(&self, _context_id: u32) -> Option<Box<dyn HttpContext>> {
        Some(Box::new(AllowlistHttpContext::new(self.shared.clone())))
    }

    fn get_type(&self) -> Option<ContextType> {
        Some(ContextType::HttpContext)
    }
}

/// Debug lines (dry-run denials) cost a host call each: make them only when
/// Envoy would print them.
fn follow_envoy_log_level() {
    let level = match host_abi::log_level() {
        Some(0) => LogLevel::Trace,
        Some(1) => LogLevel::Debug,
        Some(2) | None => LogLevel::Info,
        Some(3) => LogLevel::Warn,
        Some(4) => LogLevel::Error,
        Some(_) => LogLevel::Critical,
    };
    proxy_wasm::set_log_level(level);
}

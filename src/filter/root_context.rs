//! One root context per plugin configuration: it loads the policy once and
//! shares it, read-only, with that configuration's requests.

use std::rc::Rc;

use log::{error, info, warn};
use proxy_wasm::traits::{Context, HttpContext, RootContext};
use proxy_wasm::types::ContextType;

use super::host_abi;
use super::http_context::AllowlistRequest;
use crate::engine::{load_policy, Fetched, Policy};

#[derive(Default)]
pub struct AllowlistRoot {
    policy: Option<Rc<Policy>>,
}

impl Context for AllowlistRoot {}

impl RootContext for AllowlistRoot {
    /// Returning false makes Envoy refuse the configuration.
    fn on_configure(&mut self, plugin_configuration_size: usize) -> bool {
        let config = match host_abi::plugin_configuration(plugin_configuration_size) {
            Fetched::Present(bytes) => bytes,
            Fetched::Absent => Vec::new(),
            Fetched::Unavailable => {
                error!("proxy-allowlist: configuration rejected: the host did not hand over the plugin configuration");
                return false;
            }
        };
        match load_policy(&config) {
            Ok(loaded) => {
                for warning in &loaded.warnings {
                    warn!("proxy-allowlist: {warning}");
                }
                info!("proxy-allowlist: policy loaded: {}", loaded.policy);
                self.policy = Some(Rc::new(loaded.policy));
                true
            }
            Err(errors) => {
                let listed: Vec<String> = errors.iter().map(ToString::to_string).collect();
                error!(
                    "proxy-allowlist: configuration rejected, {} error(s): {}",
                    listed.len(),
                    listed.join("; ")
                );
                false
            }
        }
    }

    fn create_http_context(&self, _context_id: u32) -> Option<Box<dyn HttpContext>> {
        Some(Box::new(AllowlistRequest::new(self.policy.clone())))
    }

    fn get_type(&self) -> Option<ContextType> {
        Some(ContextType::HttpContext)
    }
}

//! The thin proxy-wasm layer: it hands request values to the engine and
//! sends the engine's answer. No rule lives here.

mod host_abi;
mod http_context;
mod metrics;
mod root_context;

use proxy_wasm::traits::RootContext;
use proxy_wasm::types::LogLevel;

use root_context::AllowlistRoot;

proxy_wasm::main! {{
    // Envoy's own log level decides what is printed.
    proxy_wasm::set_log_level(LogLevel::Trace);
    proxy_wasm::set_root_context(|_| -> Box<dyn RootContext> { Box::new(AllowlistRoot::default()) });
}}

//! A Proxy-Wasm filter that does nothing: the floor every Wasm filter pays,
//! measured by `make bench` next to proxy-allowlist.

use proxy_wasm::traits::{Context, HttpContext};
use proxy_wasm::types::LogLevel;

struct Noop;

impl Context for Noop {}
impl HttpContext for Noop {}

proxy_wasm::main! {{
    proxy_wasm::set_log_level(LogLevel::Warn);
    proxy_wasm::set_http_context(|_, _| -> Box<dyn HttpContext> { Box::new(Noop) });
}}

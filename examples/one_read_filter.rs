//! A Proxy-Wasm filter that reads one request header and continues: what a
//! single host call that returns data costs, measured by `make bench`.

use proxy_wasm::traits::{Context, HttpContext};
use proxy_wasm::types::{Action, LogLevel};

struct OneRead;

impl Context for OneRead {}

impl HttpContext for OneRead {
    fn on_http_request_headers(&mut self, _num_headers: usize, _end_of_stream: bool) -> Action {
        // Use the value, so the read cannot be optimised away.
        match self.get_http_request_header("origin") {
            Some(origin) if origin.is_empty() => Action::Pause,
            _ => Action::Continue,
        }
    }
}

proxy_wasm::main! {{
    proxy_wasm::set_log_level(LogLevel::Warn);
    proxy_wasm::set_http_context(|_, _| -> Box<dyn HttpContext> { Box::new(OneRead) });
}}

//! A Proxy-Wasm filter that makes one kind of host call per request and
//! nothing else, named by its plugin configuration: what each call costs
//! above the no-op floor, measured by `make bench`.
//!
//! header, every_line, source_address, header_pairs, set_property,
//! local_reply_bare, local_reply_json (content-type and the JSON body),
//! local_reply_full (and cache-control), tick (a one-second tick, no call).

use proxy_wasm::traits::{Context, HttpContext, RootContext};
use proxy_wasm::types::{Action, ContextType, LogLevel};

#[derive(Clone, Copy, Default)]
enum Call {
    #[default]
    Nothing,
    Header,
    EveryLine,
    SourceAddress,
    HeaderPairs,
    SetProperty,
    LocalReplyBare,
    LocalReplyJson,
    LocalReplyFull,
}

#[derive(Default)]
struct Root {
    call: Call,
}

impl Context for Root {}

impl RootContext for Root {
    fn on_configure(&mut self, _size: usize) -> bool {
        let config = self.get_plugin_configuration().unwrap_or_default();
        self.call = match config.as_slice() {
            b"header" => Call::Header,
            b"every_line" => Call::EveryLine,
            b"source_address" => Call::SourceAddress,
            b"header_pairs" => Call::HeaderPairs,
            b"set_property" => Call::SetProperty,
            b"local_reply_bare" => Call::LocalReplyBare,
            b"local_reply_json" => Call::LocalReplyJson,
            b"local_reply_full" => Call::LocalReplyFull,
            b"tick" => {
                self.set_tick_period(std::time::Duration::from_secs(1));
                Call::Nothing
            }
            _ => Call::Nothing,
        };
        true
    }

    fn on_tick(&mut self) {}

    fn create_http_context(&self, _id: u32) -> Option<Box<dyn HttpContext>> {
        Some(Box::new(Request { call: self.call }))
    }

    fn get_type(&self) -> Option<ContextType> {
        Some(ContextType::HttpContext)
    }
}

const BODY: &[u8] = br#"{"code":"PERMISSION_DENIED","message":"Permission denied. Check your security settings and ensure your domain is allowlisted."}"#;

struct Request {
    call: Call,
}

impl Context for Request {}

impl HttpContext for Request {
    fn on_http_request_headers(&mut self, _headers: usize, _end: bool) -> Action {
        // Each answer is used, so that no call can be optimised away.
        let used = match self.call {
            Call::Nothing => true,
            Call::Header => self.get_http_request_header("origin").is_some(),
            Call::EveryLine => self
                .get_property(vec!["request", "headers", "origin"])
                .is_some(),
            Call::SourceAddress => self.get_property(vec!["source", "address"]).is_some(),
            Call::HeaderPairs => !self.get_http_request_headers().is_empty(),
            Call::SetProperty => {
                self.set_property(vec!["host_call"], Some(b"allow domain_entry=\"Web app\""));
                true
            }
            Call::LocalReplyBare => {
                self.send_http_response(403, vec![], None);
                return Action::Pause;
            }
            Call::LocalReplyJson => {
                let headers = vec![("content-type", "application/json")];
                self.send_http_response(403, headers, Some(BODY));
                return Action::Pause;
            }
            Call::LocalReplyFull => {
                let headers = vec![
                    ("content-type", "application/json"),
                    ("cache-control", "no-store"),
                ];
                self.send_http_response(403, headers, Some(BODY));
                return Action::Pause;
            }
        };
        if used {
            Action::Continue
        } else {
            Action::Pause
        }
    }
}

proxy_wasm::main! {{
    proxy_wasm::set_log_level(LogLevel::Warn);
    proxy_wasm::set_root_context(|_| -> Box<dyn RootContext> { Box::new(Root::default()) });
}}

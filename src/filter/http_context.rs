//! One context per request: fetch what the policy asks for, continue or deny.

use std::rc::Rc;

use log::error;
use proxy_wasm::traits::{Context, HttpContext};
use proxy_wasm::types::Action;

use super::host_abi;
use crate::engine::{Attribute, DenyReason, Fetched, Policy, Request, DENY_HEADERS, DENY_STATUS};

/// `source.address`, as a Proxy-Wasm property path: segments separated by NUL.
const SOURCE_ADDRESS_PATH: &[u8] = b"source\0address";

pub struct AllowlistRequest {
    policy: Option<Rc<Policy>>,
}

impl AllowlistRequest {
    pub fn new(policy: Option<Rc<Policy>>) -> Self {
        AllowlistRequest { policy }
    }
}

/// The live request, read through the host one value at a time.
struct HostRequest;

impl Request for HostRequest {
    fn fetch(&mut self, attribute: Attribute) -> Fetched {
        match attribute.header_name() {
            Some(name) => host_abi::request_header(name),
            None => host_abi::property(SOURCE_ADDRESS_PATH),
        }
    }
}

impl Context for AllowlistRequest {}

impl HttpContext for AllowlistRequest {
    fn on_http_request_headers(&mut self, _num_headers: usize, _end_of_stream: bool) -> Action {
        let Some(policy) = &self.policy else {
            // Envoy refuses a configuration that did not load, so this is not
            // expected; if it happens anyway, fail closed.
            send(503, "proxy_allowlist_no_policy", UNCONFIGURED_BODY);
            return Action::Pause;
        };
        match policy.evaluate(&mut HostRequest).denied {
            None => Action::Continue,
            Some(reason) => {
                send(DENY_STATUS, details(reason), &reason.body());
                Action::Pause
            }
        }
    }
}

const UNCONFIGURED_BODY: &str =
    r#"{"code":"UNAVAILABLE","message":"The allowlist policy is not loaded."}"#;

/// Response code details, as `%RESPONSE_CODE_DETAILS%` prints them.
fn details(reason: DenyReason) -> &'static str {
    match reason {
        DenyReason::Domain => "proxy_allowlist_denied_domain",
        DenyReason::SourceIp => "proxy_allowlist_denied_source_ip",
        DenyReason::DomainAndSourceIp | DenyReason::DomainOrSourceIp => {
            "proxy_allowlist_denied_both"
        }
    }
}

fn send(status: u16, details: &str, body: &str) {
    if !host_abi::send_local_response(status, details, &DENY_HEADERS, body.as_bytes()) {
        // The request stays paused: without a reply it never reaches the upstream.
        error!("proxy-allowlist: the host refused the local reply ({details})");
    }
}

//! One context per request: fetch what the policy asks for, record the
//! decision, then continue or answer.

use std::rc::Rc;

use log::{debug, error, warn};
use proxy_wasm::traits::{Context, HttpContext};
use proxy_wasm::types::Action;

use super::host_abi;
use super::Shared;
use crate::engine::{Answer, Counter, Decision, Fetched, HostRead, RequestValues};

/// `source.address`, as a Proxy-Wasm property path: segments separated by NUL.
const SOURCE_ADDRESS_PATH: &[u8] = b"source\0address";

pub struct AllowlistHttpContext {
    shared: Option<Rc<Shared>>,
}

impl AllowlistHttpContext {
    pub fn new(shared: Option<Rc<Shared>>) -> Self {
        AllowlistHttpContext { shared }
    }
}

/// The live request's values, read through Proxy-Wasm host calls one at a time.
struct HostCallValues;

impl RequestValues for HostCallValues {
    fn read(&mut self, read: HostRead<'_>) -> Fetched {
        match read {
            HostRead::Header(name) => host_abi::request_header(name),
            // Envoy's `request.headers` attribute joins every line of a
            // header; a plain header read would return only the first.
            HostRead::EveryLine(name) => {
                host_abi::property(format!("request\0headers\0{name}").as_bytes())
            }
            HostRead::SourceAddress => host_abi::property(SOURCE_ADDRESS_PATH),
            // A string comes as its bytes, a number as its 8 bytes and a
            // boolean as one, with no kind: a number whose 8 bytes spell a
            // project id would be read as that id (the README says so).
            HostRead::Metadata { namespace, key } => host_abi::property(
                format!("metadata\0filter_metadata\0{namespace}\0{key}").as_bytes(),
            ),
        }
    }
}

impl Context for AllowlistHttpContext {}

impl HttpContext for AllowlistHttpContext {
    fn on_http_request_headers(&mut self, _num_headers: usize, _end_of_stream: bool) -> Action {
        let Some(shared) = &self.shared else {
            // Envoy refuses a configuration that did not load, so this is not
            // expected; if it happens anyway, fail closed.
            send(503, "proxy_allowlist_no_policy", &[], UNCONFIGURED_BODY);
            return Action::Pause;
        };
        let (decision, answer) = shared.policy.answer(&mut HostCallValues);
        for counter in decision.counters() {
            shared.metrics.add(counter);
        }
        watch_topology(shared, &decision);
        match answer {
            Answer::Continue => Action::Continue,
            Answer::Record {
                record,
                dry_run_denied,
            } => {
                host_abi::set_property(&shared.state_key, record.as_bytes());
                if dry_run_denied {
                    debug!("proxy-allowlist: dry run, would deny: {record}");
                }
                Action::Continue
            }
            Answer::Reply { reply, details } => {
                send(reply.status, &details, &reply.headers, reply.body);
                Action::Pause
            }
        }
    }
}

/// Tallies and samples requests for signs of an unaccounted proxy in front.
fn watch_topology(shared: &Shared, decision: &Decision) {
    let Ok(mut watch) = shared.watch.try_borrow_mut() else {
        return;
    };
    let noticed = watch.after_request(
        &shared.policy,
        decision,
        &mut HostCallValues,
        shared.clock.get(),
    );
    if noticed.looks_like_proxy {
        shared.metrics.add(Counter::ClientAddressLooksLikeProxy);
    }
    if let Some(diagnosis) = noticed.warning {
        warn!("proxy-allowlist: {diagnosis}");
    }
}

const UNCONFIGURED_BODY: &str =
    r#"{"code":"UNAVAILABLE","message":"The allowlist policy is not loaded."}"#;

fn send(status: u16, details: &str, headers: &[(&str, String)], body: &str) {
    // gRPC status -1: Envoy derives it from the HTTP status for gRPC callers.
    if !host_abi::send_local_response(status, details, headers, body.as_bytes(), -1) {
        // The request stays paused: without a reply it never reaches the upstream.
        error!("proxy-allowlist: the host refused the local reply ({details})");
    }
}

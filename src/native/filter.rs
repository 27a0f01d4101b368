//! One request: the policy (the route's own, or the filter's) reads what it
//! needs through Envoy's callbacks, the topology watch looks at it, then the
//! decision is counted and recorded, and the request goes on or is
//! answered, as in the Wasm build.

use log::debug;

use super::abi::FilterHandle;
use super::config::FilterConfig;
use super::grpc::grpc_status;
use crate::engine::{Answer, Counter, Fetched, HostRead, RequestValues};

/// Whether the request goes on to the next filter.
pub enum Iteration {
    Continue,
    Stop,
}

/// The request's values, read one at a time, each as the Wasm build reads it.
struct StreamValues<'a, 'hook>(&'a FilterHandle<'hook>);

impl RequestValues for StreamValues<'_, '_> {
    fn read(&mut self, read: HostRead<'_>) -> Fetched {
        let value = match read {
            HostRead::Header(name) => self.0.request_header(name).map(<[u8]>::to_vec),
            // Joined with `,`, as Envoy's `request.headers` attribute hands
            // them to the Wasm build.
            HostRead::EveryLine(name) => {
                let lines = self.0.request_header_lines(name);
                (!lines.is_empty()).then(|| lines.join(&b','))
            }
            HostRead::SourceAddress => self.0.source_address().map(<[u8]>::to_vec),
            // A value of another kind, as no bytes at all (which no project
            // id is): the Wasm build gets bytes no project id has.
            HostRead::Metadata { namespace, key } => match self.0.metadata_string(namespace, key) {
                Some(value) => Some(value.to_vec()),
                None => self.0.metadata_has_key(namespace, key).then(Vec::new),
            },
        };
        value.map_or(Fetched::Absent, Fetched::Present)
    }
}

pub fn on_request_headers(config: &FilterConfig, envoy: &mut FilterHandle<'_>) -> Iteration {
    let (decision, answer, looks_like_proxy) = {
        let policy = envoy
            .route_config()
            .map_or(&config.policy, |route| &route.policy);
        let mut values = StreamValues(envoy);
        let (decision, answer) = policy.answer(&mut values);
        let looks_like_proxy = config.watch.after_request(policy, &decision, &mut values);
        (decision, answer, looks_like_proxy)
    };
    let proxy = looks_like_proxy.then_some(Counter::ClientAddressLooksLikeProxy);
    for counter in decision.counters().chain(proxy) {
        if let Some(id) = config.counters.id(counter) {
            envoy.increment_counter(id, 1);
        }
    }
    match answer {
        Answer::Continue => Iteration::Continue,
        Answer::Record {
            record,
            dry_run_denied,
        } => {
            envoy.set_filter_state(&config.state_key, record.as_bytes());
            if dry_run_denied {
                debug!("proxy-allowlist: dry run, would deny: {record}");
            }
            Iteration::Continue
        }
        Answer::Reply { mut reply, details } => {
            if let Some(status) = grpc_status(envoy.request_header("content-type"), reply.status) {
                reply.headers.push(("grpc-status", status.to_string()));
            }
            envoy.send_response(reply.status, &reply.headers, reply.body, &details);
            Iteration::Stop
        }
    }
}

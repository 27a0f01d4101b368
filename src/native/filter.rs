//! One request: the policy (the route's own, or the filter's) reads what it
//! needs through Envoy's callbacks, the topology watch looks at it, then the
//! decision is counted and recorded, and the request goes on or is
//! answered, as in the Wasm build.

use std::sync::atomic::Ordering;

use log::{debug, error};

use super::abi::FilterHandle;
use super::config::{FilterConfig, RoutePolicy};
use super::grpc::grpc_status;
use crate::engine::{Answer, Counter, Fetched, HostRead, LocalReply, RequestValues};

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
            // id is: malformed). The Wasm build cannot tell the kinds apart.
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
        let policy = match envoy.route_policy() {
            RoutePolicy::None => &config.policy,
            RoutePolicy::Own(route) => &route.policy,
            RoutePolicy::Unreadable => return refuse_unreadable_route(config, envoy),
        };
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
        Answer::Reply { reply, details } => send_reply(envoy, reply, &details),
    }
}

/// Answers the request; a gRPC caller gets the `grpc-status` Envoy would
/// have derived from `status`.
fn send_reply(envoy: &mut FilterHandle<'_>, mut reply: LocalReply, details: &str) -> Iteration {
    if let Some(grpc) = grpc_status(envoy.request_header("content-type"), reply.status) {
        reply.headers.push(("grpc-status", grpc.to_string()));
    }
    envoy.send_response(reply.status, &reply.headers, reply.body, details);
    Iteration::Stop
}

/// The answer when the route's own policy cannot be read: the route meant
/// to be judged by it, and the filter's policy may be looser, so the
/// request is refused as if the filter were down (503), never judged by
/// the wrong policy.
fn refuse_unreadable_route(config: &FilterConfig, envoy: &mut FilterHandle<'_>) -> Iteration {
    if !config.unreadable_route_logged.swap(true, Ordering::Relaxed) {
        error!(
            "proxy-allowlist: a route's policy for this filter was loaded by another copy of the \
             module (its dynamic_module_config names another file): the route's requests get 503 \
             until the route names the same file as the filter"
        );
    }
    if let Some(id) = config.counters.route_policy_unreadable {
        envoy.increment_counter(id, 1);
    }
    let reply = config
        .policy
        .unjudgeable_reply("proxy_allowlist_route_policy_unreadable");
    let details = reply.details;
    send_reply(envoy, reply, details)
}

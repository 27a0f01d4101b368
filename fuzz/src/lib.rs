//! Shared by the fuzz targets: a request made of fuzzer bytes, and policies
//! that exercise every parser.

use proxy_allowlist::engine::{load_policy, Fetched, HostRead, Policy, RequestValues};

/// Request values by header name (`source.address` for the peer).
#[derive(Default)]
pub struct FuzzRequest {
    pub values: Vec<(&'static str, Vec<u8>)>,
}

impl FuzzRequest {
    pub fn with(mut self, name: &'static str, value: &[u8]) -> Self {
        self.values.push((name, value.to_vec()));
        self
    }
}

impl RequestValues for FuzzRequest {
    fn read(&mut self, read: HostRead<'_>) -> Fetched {
        let name = match read {
            HostRead::Header(name) | HostRead::EveryLine(name) => name,
            HostRead::SourceAddress => "source.address",
            HostRead::Metadata { key, .. } => key,
        };
        self.values
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(Fetched::Absent, |(_, v)| Fetched::Present(v.clone()))
    }
}

pub fn policy(json: &str) -> Policy {
    match load_policy(json.as_bytes()) {
        Ok(loaded) => loaded.policy,
        Err(errors) => panic!("a fuzz policy must load: {errors:?}"),
    }
}

/// Judges a request twice and checks the engine is deterministic, then
/// builds everything the filter would from the decision.
pub fn judge(policy: &Policy, make: impl Fn() -> FuzzRequest) {
    let first = policy.evaluate(&mut make());
    let second = policy.evaluate(&mut make());
    assert_eq!(first, second, "the same request judged twice differently");
    let _ = first.record(policy);
    let _ = first.counters().count();
    if let Some(reason) = first.denied {
        let _ = policy.local_reply(reason, &mut make());
    }
}

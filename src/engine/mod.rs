//! The policy engine: configuration, validation, parsing of request values,
//! matching, decision and error body. Plain Rust with no proxy-wasm types,
//! so it is tested natively and on `wasm32-wasip1` alike.

#![forbid(unsafe_code)]

mod answer;
mod calling_site;
mod client_ip;
pub mod config;
mod counters;
mod decision;
mod decision_record;
mod deny_response;
mod diagnosis;
#[cfg(any(all(test, not(target_arch = "wasm32")), feature = "differential"))]
pub mod differential;
mod domain_table;
pub mod grammar;
mod hashing;
mod ip_table;
mod policy;
mod projects;
mod quoted;
mod request;
mod simulated_request;

pub use answer::Answer;
pub use calling_site::{CallingSite, DomainSource, SiteReading, Unusable};
pub use client_ip::{AddressProblem, ClientIp, HowFound};
pub use config::{load_policy, FieldError, LoadedPolicy, DEFAULT_MAX_ENTRIES, MAX_MAX_ENTRIES};
pub use counters::{stat_prefix, Counter};
pub use decision::{Decision, DenyReason, DomainCheck, IpCheck, ProjectOutcome};
pub use deny_response::LocalReply;
pub use diagnosis::{Diagnosis, TopologyWatch, SAMPLE_EVERY};
pub use grammar::scheme::Scheme;
pub use policy::{
    Condition, EntrySpan, ListedEntry, Policy, ProjectRules, ProjectScope, RecordDecisions,
};
pub use projects::{ProjectProblem, ProjectSource, UnknownProject};
pub use request::{Attribute, Fetched, HostRead, RequestValues};
pub use simulated_request::SimulatedRequest;

#[cfg(test)]
mod client_ip_tests;
#[cfg(test)]
mod corpus_tests;
#[cfg(test)]
mod decision_tests;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod differential_tests;
#[cfg(test)]
mod operations_tests;
#[cfg(test)]
mod projects_tests;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod property_tests;
#[cfg(test)]
mod test_support;

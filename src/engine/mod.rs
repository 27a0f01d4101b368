//! The policy engine: configuration, validation, parsing of request values,
//! matching, decision and error body. Plain Rust with no proxy-wasm types,
//! so it is tested natively and on `wasm32-wasip1` alike.

mod authority;
mod calling_site;
mod client_address;
mod client_ip;
mod counters;
mod decision;
mod decision_record;
mod deny_response;
mod domain_entry;
mod domain_set;
mod fast_hash;
mod host;
mod ip_entry;
mod ip_set;
mod ipv4_forms;
mod json_fields;
mod policy;
mod policy_loader;
mod quoted;
mod request;
mod simulated_request;

pub use authority::Scheme;
pub use calling_site::{CallingSite, DomainSource, Unusable};
pub use client_address::AddressProblem;
pub use client_ip::{ClientIp, HowFound};
pub use counters::Counter;
pub use decision::{Decision, DenyReason, DomainCheck, IpCheck, SiteReading};
pub use deny_response::LocalReply;
pub use json_fields::FieldError;
pub use policy::{Condition, ListedEntry, Policy, RecordDecisions};
pub use policy_loader::{load_policy, LoadedPolicy, DEFAULT_MAX_ENTRIES, MAX_MAX_ENTRIES};
pub use request::{Attribute, Fetched, HostRead, RequestValues};
pub use simulated_request::SimulatedRequest;

#[cfg(test)]
mod client_ip_tests;
#[cfg(test)]
mod corpus_tests;
#[cfg(test)]
mod decision_tests;
#[cfg(test)]
mod operations_tests;
#[cfg(test)]
mod policy_loader_tests;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod property_tests;
#[cfg(test)]
mod test_support;

//! The text grammars the engine reads, one module each: what a header value,
//! a proxy-written address or an allowlist entry may look like, and what it
//! means.

pub mod address;
pub mod authority;
pub mod domain_entry;
pub mod host;
pub mod host_port;
pub mod ip_entry;
pub mod ipv4_forms;
pub mod ows;
pub mod port;
pub mod scheme;

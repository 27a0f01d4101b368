//! The native build: the same engine as an Envoy 1.40 dynamic module
//! (`target/release/libproxy_allowlist.so`, ABI `v0.2.0`), for plain Envoy
//! deployments that want the lowest cost. It fetches request values and
//! sends replies; no rule lives here. Every `unsafe` block and every
//! declaration of Envoy's ABI is in `abi.rs`.

#![deny(unsafe_code)]

mod abi;
mod config;
mod filter;
mod grpc;
mod logger;
mod topology;

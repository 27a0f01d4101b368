//! proxy-allowlist: a per-project Domain allowlist and Source IP allowlist
//! for Envoy and Istio, as a Proxy-Wasm HTTP filter and as a native Envoy
//! dynamic module.
//!
//! [`engine`] holds every rule and knows nothing of either proxy interface;
//! `filter` (built for `wasm32` only) and `native` (built on Linux, where
//! the library's `cdylib` is the Envoy module) fetch request values from
//! Envoy and send the replies.

// A panic traps the Wasm VM and turns every later request on the worker
// into a 503, and aborts the whole of Envoy in the native build: production
// code must not be able to panic.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod engine;

#[cfg(target_arch = "wasm32")]
mod filter;

// Exported hooks that an executable linking the library (the CLI, the
// tests) never references, so its linker drops them with the Envoy
// callbacks they would need.
#[cfg(target_os = "linux")]
mod native;

#[cfg(any(target_arch = "wasm32", target_os = "linux"))]
mod load_log;

//! proxy-allowlist: a per-project Domain allowlist and Source IP allowlist
//! for Envoy and Istio, as a Proxy-Wasm HTTP filter.
//!
//! [`engine`] holds every rule and knows nothing of proxy-wasm; `filter`
//! (built for `wasm32` only) fetches request values from the host and sends
//! the replies.

// A panic traps the VM and turns every later request on the worker into a
// 503: production code must not be able to panic.
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

#[cfg(target_arch = "wasm32")]
mod load_log;

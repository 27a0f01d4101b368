#![no_main]
//! Any bytes as Origin, Referer or :authority, read by the engine and by the
//! `url` crate (the WHATWG URL Standard): a usable calling site must be the
//! same scheme, host and port for both, and every refusal of what `url`
//! accepts must be a documented one (src/engine/differential.rs).

use libfuzzer_sys::fuzz_target;
use proxy_allowlist::engine::differential::{compare_calling_site, SiteHeader};

fuzz_target!(|data: &[u8]| {
    for header in [
        SiteHeader::Origin,
        SiteHeader::Referer,
        SiteHeader::Authority,
    ] {
        if let Err(disagreement) = compare_calling_site(data, header) {
            panic!("{header:?}: {disagreement}");
        }
    }
});

//! The hash maps of the compiled policy. Their keys come from the
//! configuration, never from requests, so hash flooding is not a concern,
//! and a fixed-seed hasher needs no randomness from the host.
//!
//! foldhash was chosen by `cargo bench --bench engine`, module size and the
//! spread test in `ip_table.rs`: a miss in 10,000 blocks costs 2.4 ns
//! (rustc-hash 2: 2.2, ahash: 3.6 to 5.0, std's SipHash: 21), and it mixes
//! every bit of a key into the low bits that pick a bucket. IPv6 prefixes
//! differ only in high bits and IPv4 /24 networks only in their upper 24:
//! the hand-written FxHash this replaced put every /48 in one bucket, and
//! rustc-hash 2 fills 1,060 of 16,384 buckets with 10,000 /24 networks,
//! where foldhash fills about 7,500. rustc-hash would make the module 3 KB
//! smaller.

use foldhash::fast::FixedState;

pub type FastMap<K, V> = hashbrown::HashMap<K, V, FixedState>;

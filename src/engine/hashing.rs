//! The hash maps of the compiled policy. Their keys come from the
//! configuration, never from requests, so hash flooding is not a concern,
//! and a fixed-seed hasher needs no randomness from the host. foldhash
//! mixes every bit of a key into the bucket index (IPv6 prefixes differ
//! only in their high bits; a hasher that did not mix would put them all in
//! one bucket).

use foldhash::fast::FixedState;

pub type FastMap<K, V> = hashbrown::HashMap<K, V, FixedState>;

//! The Source IP allowlist compiled for lookup: one hash per prefix length in
//! use, probed longest first. A lookup costs at most one probe per distinct
//! prefix length (33 for IPv4, 129 for IPv6), whatever the number of entries.

use std::net::IpAddr;

use ipnet::IpNet;

use super::fast_hash::FastMap;

/// One table per prefix length, longest first. IPv4 keys are stored widened
/// to `u128`, so both families share the code.
type Tables = Vec<(u8, FastMap<u128, usize>)>;

#[derive(Debug, Default)]
pub struct IpSet {
    v4: Tables,
    v6: Tables,
}

impl IpSet {
    /// Adds entry number `index`. Returns the index of an earlier identical
    /// entry, if there is one (the new one then changes nothing).
    pub fn insert(&mut self, net: &IpNet, index: usize) -> Option<usize> {
        match net {
            IpNet::V4(v4) => insert_into(
                &mut self.v4,
                v4.prefix_len(),
                u32::from(v4.network()).into(),
                index,
            ),
            IpNet::V6(v6) => insert_into(
                &mut self.v6,
                v6.prefix_len(),
                u128::from(v6.network()),
                index,
            ),
        }
    }

    /// The index of the most specific entry that contains `addr`.
    pub fn find(&self, addr: IpAddr) -> Option<usize> {
        match addr {
            IpAddr::V4(v4) => find_in(&self.v4, u32::from(v4).into(), 32),
            IpAddr::V6(v6) => find_in(&self.v6, u128::from(v6), 128),
        }
    }
}

fn insert_into(tables: &mut Tables, len: u8, key: u128, index: usize) -> Option<usize> {
    let position = match tables.iter().position(|(l, _)| *l == len) {
        Some(position) => position,
        None => {
            tables.push((len, FastMap::default()));
            tables.sort_by_key(|(l, _)| std::cmp::Reverse(*l));
            tables.iter().position(|(l, _)| *l == len)?
        }
    };
    let (_, table) = tables.get_mut(position)?;
    match table.get(&key) {
        Some(existing) => Some(*existing),
        None => {
            table.insert(key, index);
            None
        }
    }
}

fn find_in(tables: &Tables, addr: u128, width: u32) -> Option<usize> {
    tables.iter().find_map(|(len, table)| {
        // Clear the host bits: the bits below the prefix, of an address `width` bits wide.
        let host_bits = width - u32::from(*len);
        let network = addr
            .checked_shr(host_bits)
            .unwrap_or(0)
            .checked_shl(host_bits)
            .unwrap_or(0);
        table.get(&network).copied()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::grammar::ip_entry::parse_ip_entry;

    fn set(entries: &[&str]) -> IpSet {
        let mut set = IpSet::default();
        for (index, text) in entries.iter().enumerate() {
            set.insert(&parse_ip_entry(text).unwrap(), index);
        }
        set
    }

    fn find(set: &IpSet, addr: &str) -> Option<usize> {
        set.find(addr.parse().unwrap())
    }

    #[test]
    fn blocks_and_single_addresses() {
        let s = set(&["203.0.113.0/24", "2001:db8::7", "10.0.0.0/8", "10.1.2.3"]);
        assert_eq!(find(&s, "203.0.113.0"), Some(0));
        assert_eq!(find(&s, "203.0.113.255"), Some(0));
        assert_eq!(find(&s, "203.0.114.0"), None);
        assert_eq!(find(&s, "2001:db8::7"), Some(1));
        assert_eq!(find(&s, "2001:db8::8"), None);
        assert_eq!(
            find(&s, "10.1.2.3"),
            Some(3),
            "the most specific entry wins"
        );
        assert_eq!(find(&s, "10.200.0.1"), Some(2));
        assert_eq!(find(&s, "11.0.0.0"), None);
    }

    #[test]
    fn zero_length_prefixes_match_their_family_only() {
        let s = set(&["0.0.0.0/0"]);
        assert_eq!(find(&s, "198.51.100.1"), Some(0));
        assert_eq!(find(&s, "::1"), None);
        let s = set(&["::/0"]);
        assert_eq!(find(&s, "::1"), Some(0));
        assert_eq!(find(&s, "127.0.0.1"), None);
    }

    #[test]
    fn duplicates_are_reported() {
        let mut s = IpSet::default();
        assert_eq!(s.insert(&parse_ip_entry("10.0.0.0/8").unwrap(), 0), None);
        assert_eq!(s.insert(&parse_ip_entry("10.0.0.0/8").unwrap(), 1), Some(0));
        assert_eq!(s.insert(&parse_ip_entry("10.0.0.0/9").unwrap(), 2), None);
    }
}

//! Every project's Source IP allowlist compiled into one hash map of
//! blocks, keyed by (project, prefix length, network). A lookup probes once
//! per prefix length the project uses (at most 33 for IPv4, 129 for IPv6),
//! longest first, whatever the number of entries and projects (larger
//! tables only miss the CPU caches more).

use std::net::IpAddr;

use ipnet::IpNet;

use super::hashing::FastMap;

/// One block: IPv6 prefix lengths are stored shifted past IPv4's, so the
/// two families never share a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Block {
    project: u32,
    length: u8,
    network: u128,
}

const IPV6_LENGTHS: u8 = 64;

impl Block {
    fn of(project: u32, addr: IpAddr, prefix: u8) -> Block {
        match addr {
            IpAddr::V4(v4) => Block {
                project,
                length: prefix,
                network: u128::from(u32::from(v4) & mask32(prefix)),
            },
            IpAddr::V6(v6) => Block {
                project,
                length: IPV6_LENGTHS + prefix,
                network: u128::from(v6) & mask128(prefix),
            },
        }
    }
}

fn mask32(prefix: u8) -> u32 {
    u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0)
}

fn mask128(prefix: u8) -> u128 {
    u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0)
}

/// The prefix lengths a list uses, one bit each, so a lookup probes only
/// those, longest first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PrefixLengths {
    v4: u64,
    /// Bits 0..=128 across three words.
    v6: [u64; 3],
}

impl PrefixLengths {
    pub fn add(&mut self, net: &IpNet) {
        let len = net.prefix_len();
        match net {
            IpNet::V4(_) => self.v4 |= 1 << len,
            IpNet::V6(_) => {
                if let Some(word) = self.v6.get_mut(usize::from(len / 64)) {
                    *word |= 1 << (len % 64);
                }
            }
        }
    }

    /// The lengths in use for `addr`'s family, longest first.
    fn longest_first(&self, addr: IpAddr) -> impl Iterator<Item = u8> + '_ {
        let (words, count): (&[u64], u8) = match addr {
            IpAddr::V4(_) => (std::slice::from_ref(&self.v4), 1),
            IpAddr::V6(_) => (&self.v6, 3),
        };
        (0..count).rev().flat_map(move |w| {
            let mut bits = words.get(usize::from(w)).copied().unwrap_or(0);
            std::iter::from_fn(move || {
                if bits == 0 {
                    return None;
                }
                let top = 63 - bits.leading_zeros();
                bits &= !(1u64 << top);
                u8::try_from(top).ok().map(|bit| w * 64 + bit)
            })
        })
    }
}

#[derive(Debug, Default)]
pub struct IpTable {
    blocks: FastMap<Block, u32>,
}

impl IpTable {
    /// Adds entry number `index` of `project`. Returns the index of an
    /// earlier identical block of that project, if there is one (the new one
    /// then changes nothing).
    pub fn insert(&mut self, project: u32, net: &IpNet, index: u32) -> Option<u32> {
        let block = Block::of(project, net.network(), net.prefix_len());
        match self.blocks.get(&block) {
            Some(existing) => Some(*existing),
            None => {
                self.blocks.insert(block, index);
                None
            }
        }
    }

    /// The index of the most specific entry of `project` that contains `addr`.
    pub fn find(&self, project: u32, lengths: &PrefixLengths, addr: IpAddr) -> Option<u32> {
        lengths
            .longest_first(addr)
            .find_map(|prefix| self.blocks.get(&Block::of(project, addr, prefix)))
            .copied()
    }
}

/// A set of blocks on its own (the trusted proxies): one table, one list of
/// prefix lengths.
#[derive(Debug, Default)]
pub struct AddressSet {
    table: IpTable,
    lengths: PrefixLengths,
}

impl AddressSet {
    pub fn insert(&mut self, net: &IpNet, index: u32) -> Option<u32> {
        self.lengths.add(net);
        self.table.insert(0, net, index)
    }

    pub fn contains(&self, addr: IpAddr) -> bool {
        self.table.find(0, &self.lengths, addr).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::grammar::ip_entry::parse_ip_entry;

    fn table(entries: &[&str]) -> (IpTable, PrefixLengths) {
        let mut table = IpTable::default();
        let mut lengths = PrefixLengths::default();
        for (index, text) in entries.iter().enumerate() {
            let net = parse_ip_entry(text).unwrap();
            lengths.add(&net);
            table.insert(0, &net, index as u32);
        }
        (table, lengths)
    }

    fn find((table, lengths): &(IpTable, PrefixLengths), addr: &str) -> Option<u32> {
        table.find(0, lengths, addr.parse().unwrap())
    }

    #[test]
    fn blocks_and_single_addresses() {
        let t = table(&["203.0.113.0/24", "2001:db8::7", "10.0.0.0/8", "10.1.2.3"]);
        assert_eq!(find(&t, "203.0.113.0"), Some(0));
        assert_eq!(find(&t, "203.0.113.255"), Some(0));
        assert_eq!(find(&t, "203.0.114.0"), None);
        assert_eq!(find(&t, "2001:db8::7"), Some(1));
        assert_eq!(find(&t, "2001:db8::8"), None);
        assert_eq!(
            find(&t, "10.1.2.3"),
            Some(3),
            "the most specific entry wins"
        );
        assert_eq!(find(&t, "10.200.0.1"), Some(2));
        assert_eq!(find(&t, "11.0.0.0"), None);
    }

    #[test]
    fn zero_length_prefixes_match_their_family_only() {
        let t = table(&["0.0.0.0/0"]);
        assert_eq!(find(&t, "198.51.100.1"), Some(0));
        assert_eq!(find(&t, "::1"), None);
        let t = table(&["::/0"]);
        assert_eq!(find(&t, "::1"), Some(0));
        assert_eq!(find(&t, "127.0.0.1"), None);
    }

    #[test]
    fn the_families_never_share_a_block() {
        // 0.0.0.0/24 and ::/24 both have network 0 and length 24.
        let t = table(&["0.0.0.0/24"]);
        assert_eq!(find(&t, "::1"), None);
        let t = table(&["::/24"]);
        assert_eq!(find(&t, "0.0.0.1"), None);
    }

    #[test]
    fn every_ipv6_length_is_probed() {
        for len in [32, 48, 63, 64, 65, 127, 128] {
            let t = table(&[&format!("2001:db8::/{len}")]);
            assert_eq!(find(&t, "2001:db8::"), Some(0), "/{len}");
            assert_eq!(find(&t, "2001:db9::"), None, "/{len}");
        }
        let t = table(&["8000::/1", "::1/128"]);
        assert_eq!(find(&t, "8000::5"), Some(0));
        assert_eq!(find(&t, "::1"), Some(1));
    }

    /// The bucket a block lands in comes from the low bits of its hash: they
    /// must differ for blocks that differ only in high bits (IPv6 prefixes
    /// of /48 and shorter), or every lookup walks one long chain.
    #[test]
    fn blocks_of_every_length_spread_over_the_buckets() {
        use std::hash::BuildHasher;
        let hasher = foldhash::fast::FixedState::default();
        let v6 = |len: u8, i: u128| (IpAddr::V6((i << (128 - u32::from(len))).into()), len);
        let v4 = |len: u8, i: u128| {
            (
                IpAddr::V4(((i as u32) << (32 - u32::from(len))).into()),
                len,
            )
        };
        type Shape<'a> = (&'a str, &'a dyn Fn(u128) -> (IpAddr, u8));
        let shapes: [Shape; 8] = [
            ("IPv6 /32", &|i| v6(32, i)),
            ("IPv6 /48", &|i| v6(48, i)),
            ("IPv6 /56", &|i| v6(56, i)),
            ("IPv6 /64", &|i| v6(64, i)),
            ("IPv6 /128", &|i| v6(128, i)),
            ("IPv4 /16", &|i| v4(16, i)),
            ("IPv4 /24", &|i| v4(24, i)),
            ("IPv4 /32", &|i| v4(32, i)),
        ];
        for (name, block) in shapes {
            let buckets: std::collections::HashSet<u64> = (0..10_000u128)
                .map(|i| {
                    let (addr, len) = block(i);
                    hasher.hash_one(Block::of(7, addr, len)) & 0x3fff
                })
                .collect();
            // 10,000 keys over 16,384 buckets fill about 7,500 of them at random.
            assert!(buckets.len() > 6_000, "{name}: {} buckets", buckets.len());
        }
    }

    #[test]
    fn duplicates_are_reported_per_project() {
        let mut t = IpTable::default();
        let net = |text: &str| parse_ip_entry(text).unwrap();
        assert_eq!(t.insert(0, &net("10.0.0.0/8"), 0), None);
        assert_eq!(t.insert(0, &net("10.0.0.0/8"), 1), Some(0));
        assert_eq!(t.insert(0, &net("10.0.0.0/9"), 2), None);
        assert_eq!(t.insert(1, &net("10.0.0.0/8"), 3), None);
    }

    #[test]
    fn projects_never_see_each_others_blocks() {
        let mut t = IpTable::default();
        let mut lengths = PrefixLengths::default();
        let net = parse_ip_entry("198.51.100.0/24").unwrap();
        lengths.add(&net);
        t.insert(3, &net, 0);
        let addr = "198.51.100.7".parse().unwrap();
        assert_eq!(t.find(3, &lengths, addr), Some(0));
        assert_eq!(t.find(4, &lengths, addr), None);
    }
}

//! How much of an address family a set of blocks covers: `0.0.0.0/1` and
//! `128.0.0.0/1` are `0.0.0.0/0` in two pieces, and 33 blocks can cover all
//! of IPv4 but one address.

use ipnet::IpNet;

/// Each family the blocks cover at least half of: ("IPv4" or "IPv6", the
/// share covered, from 0.5 to 1).
pub fn large_coverage(nets: &[IpNet]) -> Vec<(&'static str, f64)> {
    let mut shares = [("IPv4", 0.0), ("IPv6", 0.0)];
    for net in IpNet::aggregate(&nets.to_vec()) {
        let slot = usize::from(!net.addr().is_ipv4());
        if let Some((_, share)) = shares.get_mut(slot) {
            *share += 0.5f64.powi(i32::from(net.prefix_len()));
        }
    }
    shares
        .into_iter()
        .filter(|(_, share)| *share >= 0.5)
        .collect()
}

/// "every IPv4 address (as "0.0.0.0/0" would)", or "73% of all IPv6 addresses".
pub fn describe(family: &str, share: f64) -> String {
    if share >= 1.0 {
        let whole = if family == "IPv4" {
            "0.0.0.0/0"
        } else {
            "::/0"
        };
        format!("every {family} address (as \"{whole}\" would)")
    } else {
        format!("{:.0}% of all {family} addresses", (share * 100.0).floor())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nets(texts: &[&str]) -> Vec<IpNet> {
        texts.iter().map(|t| t.parse().unwrap()).collect()
    }

    #[test]
    fn halves_and_near_wholes_are_found() {
        assert_eq!(
            large_coverage(&nets(&["0.0.0.0/1", "128.0.0.0/1"])),
            [("IPv4", 1.0)]
        );
        assert_eq!(large_coverage(&nets(&["0.0.0.0/1"])), [("IPv4", 0.5)]);
        assert_eq!(large_coverage(&nets(&["0.0.0.0/2", "10.0.0.0/8"])), []);
        let all_but_one: Vec<IpNet> = (1..=32)
            .map(|len| {
                let network = u32::MAX.checked_shl(33 - len).unwrap_or(0) & u32::MAX << (32 - len);
                IpNet::new(std::net::Ipv4Addr::from(network).into(), len as u8)
                    .unwrap()
                    .trunc()
            })
            .collect();
        let found = large_coverage(&all_but_one);
        assert_eq!(found.len(), 1);
        assert!(found[0].1 > 0.99 && found[0].1 < 1.0);
        assert_eq!(describe("IPv4", found[0].1), "99% of all IPv4 addresses");
        assert_eq!(
            large_coverage(&nets(&["::/1", "8000::/1", "10.0.0.0/8"])),
            [("IPv6", 1.0)]
        );
    }
}

//! How much of an address family a set of blocks covers: `0.0.0.0/1` and
//! `128.0.0.0/1` are `0.0.0.0/0` in two pieces, and 33 blocks can cover all
//! of IPv4 but one address.

use ipnet::IpNet;

/// A whole family, in the units shares are counted in: 2^-64 of a family
/// (a block narrower than /64 rounds to nothing, far below any share worth
/// reporting). Integers, so no float formatting reaches the module.
const WHOLE: u128 = 1 << 64;

fn share(prefix: u8) -> u128 {
    1u128 << 64u32.saturating_sub(u32::from(prefix))
}

/// Each family the blocks cover at least half of: ("IPv4" or "IPv6", the
/// share covered, from `WHOLE / 2` to `WHOLE`).
pub fn large_coverage(nets: &[IpNet]) -> Vec<(&'static str, u128)> {
    let mut shares = [("IPv4", 0u128), ("IPv6", 0u128)];
    for net in IpNet::aggregate(&nets.to_vec()) {
        let slot = usize::from(!net.addr().is_ipv4());
        if let Some((_, total)) = shares.get_mut(slot) {
            *total += share(net.prefix_len());
        }
    }
    shares
        .into_iter()
        .filter(|(_, total)| *total >= WHOLE / 2)
        .collect()
}

/// "every IPv4 address (as "0.0.0.0/0" would)", or "73% of all IPv6 addresses".
pub fn describe(family: &str, share: u128) -> String {
    if share >= WHOLE {
        let whole = if family == "IPv4" {
            "0.0.0.0/0"
        } else {
            "::/0"
        };
        format!("every {family} address (as \"{whole}\" would)")
    } else {
        let percent = u64::try_from(share * 100 / WHOLE).unwrap_or(100);
        format!("{percent}% of all {family} addresses")
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
        let halves = nets(&["0.0.0.0/1", "128.0.0.0/1"]);
        assert_eq!(large_coverage(&halves), [("IPv4", WHOLE)]);
        assert_eq!(large_coverage(&nets(&["0.0.0.0/1"])), [("IPv4", WHOLE / 2)]);
        assert_eq!(large_coverage(&nets(&["0.0.0.0/2", "10.0.0.0/8"])), []);
        // One block of each length from /1 to /32, nearly all of IPv4.
        let all_but_one: Vec<IpNet> = (1..=32u8)
            .map(|len| {
                let start = u32::MAX << (33 - u32::from(len)).min(31) << u32::from(len == 1);
                let net = IpNet::new(std::net::Ipv4Addr::from(start).into(), len).unwrap();
                net.trunc()
            })
            .collect();
        let found = large_coverage(&all_but_one);
        assert_eq!(found.len(), 1);
        assert!(found[0].1 > WHOLE / 100 * 99 && found[0].1 < WHOLE);
        assert_eq!(describe("IPv4", found[0].1), "99% of all IPv4 addresses");
        let v6 = nets(&["::/1", "8000::/1", "10.0.0.0/8"]);
        assert_eq!(large_coverage(&v6), [("IPv6", WHOLE)]);
    }
}

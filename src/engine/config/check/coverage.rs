//! Whether a set of blocks covers a whole address family: `0.0.0.0/1` and
//! `128.0.0.0/1` are `0.0.0.0/0` in two pieces.

use ipnet::IpNet;

/// "IPv4" or "IPv6", when `nets` together cover that whole family.
pub fn covered_family(nets: &[IpNet]) -> Option<&'static str> {
    IpNet::aggregate(&nets.to_vec())
        .iter()
        .find(|net| net.prefix_len() == 0)
        .map(|net| if net.addr().is_ipv4() { "IPv4" } else { "IPv6" })
}

/// The block that is the whole family.
pub fn whole_family(family: &str) -> &'static str {
    if family == "IPv4" {
        "0.0.0.0/0"
    } else {
        "::/0"
    }
}

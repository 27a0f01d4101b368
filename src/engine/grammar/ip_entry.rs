//! One entry of the Source IP allowlist: one canonical IPv4 or IPv6 address,
//! or a CIDR block without host bits.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use super::ipv4_forms::parse_ipv4_loose;
use crate::engine::quoted::Quoted;

/// Parses an entry, or says what is wrong with it and what was probably meant.
pub fn parse_ip_entry(text: &str) -> Result<IpNet, String> {
    let quoted = Quoted(text);
    if text.is_empty() {
        return Err("is empty; write an address such as \"203.0.113.7\" or a block such as \"203.0.113.0/24\"".into());
    }
    if text.chars().any(char::is_whitespace) {
        return Err(format!(
            "{quoted} contains whitespace; did you mean {}?",
            Quoted(&text.split_whitespace().collect::<String>())
        ));
    }
    refuse_other_notations(text)?;
    let (addr_text, prefix_text) = match text.split_once('/') {
        Some((addr, prefix)) => (addr, Some(prefix)),
        None => (text, None),
    };
    let addr = parse_address(text, addr_text)?;
    let max = match addr {
        IpAddr::V4(_) => 32,
        IpAddr::V6(_) => 128,
    };
    let prefix = match prefix_text {
        None => max,
        Some(prefix) => parse_prefix(text, addr_text, prefix, max)?,
    };
    let net = IpNet::new(addr, prefix).map_err(|_| format!("{quoted} has an invalid prefix"))?;
    if net.trunc().addr() != addr {
        return Err(format!(
            "{quoted} has host bits set; did you mean \"{}\"?",
            net.trunc()
        ));
    }
    refuse_ipv4_mapped(text, net)?;
    Ok(net)
}

/// Brackets, zone ids, ports, ranges and globs: what people write from habit.
fn refuse_other_notations(text: &str) -> Result<(), String> {
    let quoted = Quoted(text);
    if text.contains(['[', ']']) {
        let inner = text.trim_start_matches('[');
        let inner = inner.split_once(']').map_or(inner, |(inner, _)| inner);
        return Err(format!(
            "{quoted} has brackets; an entry is the bare address or block, did you mean \"{inner}\"?"
        ));
    }
    if let Some((addr, zone)) = text.split_once('%') {
        return Err(format!(
            "{quoted} has a zone id (\"%{zone}\"), which is only meaningful on one host; did you mean \"{addr}\"?"
        ));
    }
    if text.contains('-') {
        return Err(format!(
            "{quoted} looks like a range; ranges are not supported, list CIDR blocks such as \"10.0.0.0/24\""
        ));
    }
    if text
        .split(['.', ':', '/'])
        .any(|part| part == "*" || part == "x")
    {
        return Err(format!(
            "{quoted} looks like a wildcard pattern; write a CIDR block{}",
            glob_suggestion(text)
                .map(|s| format!(", did you mean \"{s}\"?"))
                .unwrap_or_default()
        ));
    }
    if let Some((addr, port)) = text.split_once(':') {
        if addr.contains('.') && !port.contains(':') {
            return Err(format!(
                "{quoted} has a port; an entry is an address or CIDR block, did you mean \"{addr}\"?"
            ));
        }
    }
    Ok(())
}

/// `10.1.*.*` becomes `10.1.0.0/16`.
fn glob_suggestion(text: &str) -> Option<String> {
    let parts: Vec<&str> = text.split('.').collect();
    if parts.len() != 4 {
        return None;
    }
    let fixed = parts
        .iter()
        .take_while(|p| **p != "*" && **p != "x")
        .count();
    if parts.iter().skip(fixed).any(|p| *p != "*" && *p != "x") {
        return None;
    }
    let mut octets = [0u8; 4];
    for (octet, part) in octets.iter_mut().zip(parts.iter().take(fixed)) {
        *octet = part.parse().ok()?;
    }
    Some(format!("{}/{}", Ipv4Addr::from(octets), fixed * 8))
}

fn parse_address(text: &str, addr: &str) -> Result<IpAddr, String> {
    let quoted = Quoted(text);
    if let Ok(v4) = addr.parse::<Ipv4Addr>() {
        return Ok(IpAddr::V4(v4));
    }
    if let Ok(v6) = addr.parse::<Ipv6Addr>() {
        return Ok(IpAddr::V6(v6));
    }
    match parse_ipv4_loose(addr) {
        Some(meant) => Err(format!(
            "{quoted}: \"{addr}\" is not a canonical IPv4 address (dotted decimal, no leading zeros); did you mean \"{meant}\"?"
        )),
        None => Err(format!(
            "{quoted} is not an IP address or CIDR block, like \"203.0.113.7\", \"203.0.113.0/24\" or \"2001:db8::/32\""
        )),
    }
}

fn parse_prefix(text: &str, addr: &str, prefix: &str, max: u8) -> Result<u8, String> {
    let quoted = Quoted(text);
    if let Ok(mask) = prefix.parse::<Ipv4Addr>() {
        let bits = u32::from(mask);
        let len = bits.leading_ones();
        return Err(if bits.checked_shl(len).unwrap_or(0) == 0 {
            format!(
                "{quoted} uses a netmask; write the prefix length, did you mean \"{addr}/{len}\"?"
            )
        } else {
            format!("{quoted} has \"{prefix}\" after '/', which is neither a prefix length nor a contiguous netmask")
        });
    }
    let canonical = !prefix.is_empty()
        && prefix.bytes().all(|b| b.is_ascii_digit())
        && (prefix == "0" || !prefix.starts_with('0'));
    let len: u8 = match prefix.parse() {
        Ok(len) if canonical => len,
        _ => {
            return Err(format!(
                "{quoted}: the prefix length \"{prefix}\" is not a number from 0 to {max}"
            ))
        }
    };
    if len > max {
        return Err(format!(
            "{quoted}: the prefix /{len} is too long; an {} prefix is at most /{max}",
            if max == 32 { "IPv4" } else { "IPv6" }
        ));
    }
    Ok(len)
}

/// Client addresses `::ffff:a.b.c.d` are compared as IPv4, so an entry must be IPv4 too.
fn refuse_ipv4_mapped(text: &str, net: IpNet) -> Result<(), String> {
    let quoted = Quoted(text);
    if let IpNet::V6(v6) = net {
        if let (Some(v4), true) = (v6.addr().to_ipv4_mapped(), v6.prefix_len() >= 96) {
            let as_v4 =
                Ipv4Net::new(v4, v6.prefix_len() - 96).map_or_else(|_| v4.to_string(), shorten);
            return Err(format!(
                "{quoted} is an IPv4-mapped IPv6 address, and clients are compared as IPv4; did you mean \"{as_v4}\"?"
            ));
        }
    }
    Ok(())
}

/// A /32 is written as a bare address.
fn shorten(net: Ipv4Net) -> String {
    if net.prefix_len() == 32 {
        net.addr().to_string()
    } else {
        net.to_string()
    }
}

/// The entry as it reads best: a bare address for a single host.
pub fn display_net(net: &IpNet) -> String {
    match net {
        IpNet::V4(v4) => shorten(*v4),
        IpNet::V6(v6) if v6.prefix_len() == 128 => v6.addr().to_string(),
        IpNet::V6(v6) => Ipv6Net::to_string(v6),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_blocks() {
        assert_eq!(
            display_net(&parse_ip_entry("203.0.113.0/24").unwrap()),
            "203.0.113.0/24"
        );
        assert_eq!(
            display_net(&parse_ip_entry("2001:db8::7").unwrap()),
            "2001:db8::7"
        );
        assert_eq!(
            display_net(&parse_ip_entry("2001:DB8::/32").unwrap()),
            "2001:db8::/32"
        );
        assert_eq!(
            display_net(&parse_ip_entry("10.0.0.1").unwrap()),
            "10.0.0.1"
        );
        assert_eq!(parse_ip_entry("0.0.0.0/0").unwrap().prefix_len(), 0);
        assert_eq!(parse_ip_entry("::/64").unwrap().prefix_len(), 64);
    }

    #[test]
    fn refuses_and_suggests() {
        let cases = [
            ("", "is empty"),
            ("10.0.0.1/8", "host bits set; did you mean \"10.0.0.0/8\"?"),
            ("10.0.0.0/33", "at most /32"),
            ("2001:db8::/129", "at most /128"),
            ("10.0.0.0/08", "prefix length \"08\""),
            ("10.0.0.0/", "prefix length \"\""),
            ("fe80::1%eth0", "zone id"),
            ("[2001:db8::1]", "did you mean \"2001:db8::1\"?"),
            ("[2001:db8::1]:443", "did you mean \"2001:db8::1\"?"),
            (
                "10.0.0.1:8080",
                "has a port; an entry is an address or CIDR block, did you mean \"10.0.0.1\"?",
            ),
            ("10.0.0.1-10.0.0.9", "ranges are not supported"),
            ("10.0.*.*", "did you mean \"10.0.0.0/16\"?"),
            ("10.0.0.x", "did you mean \"10.0.0.0/24\"?"),
            ("10.0.0.0/255.0.0.0", "did you mean \"10.0.0.0/8\"?"),
            ("10.0.0.0/255.0.255.0", "contiguous netmask"),
            ("010.0.0.1", "did you mean \"8.0.0.1\"?"),
            ("0x7f.1", "did you mean \"127.0.0.1\"?"),
            ("2130706433", "did you mean \"127.0.0.1\"?"),
            ("127.1", "did you mean \"127.0.0.1\"?"),
            ("::ffff:1.2.3.4", "did you mean \"1.2.3.4\"?"),
            ("::ffff:10.0.0.0/104", "did you mean \"10.0.0.0/8\"?"),
            ("example.com", "is not an IP address"),
            (" 10.0.0.1", "did you mean \"10.0.0.1\"?"),
        ];
        for (text, expected) in cases {
            let message = parse_ip_entry(text).unwrap_err();
            assert!(
                message.contains(expected),
                "{text:?} gave {message:?}, expected {expected:?}"
            );
        }
    }
}

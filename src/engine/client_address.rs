//! The client address as Envoy reports it in `source.address`:
//! `ip:port` or `[v6]:port`.

use std::fmt;
use std::net::{IpAddr, Ipv6Addr};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddressProblem {
    Missing,
    HostUnavailable,
    Malformed(String),
}

impl fmt::Display for AddressProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing => write!(f, "the proxy gave no client address"),
            Self::HostUnavailable => write!(f, "the proxy could not read the client address"),
            Self::Malformed(text) => write!(f, "{text:?} is not an IP address with a port"),
        }
    }
}

/// Parses `ip:port` / `[v6]:port` (a bare address is accepted too). An
/// IPv4-mapped IPv6 address is returned as IPv4; no other embedding is undone.
pub fn parse_source_address(raw: &[u8]) -> Result<IpAddr, AddressProblem> {
    let malformed = || AddressProblem::Malformed(String::from_utf8_lossy(raw).into_owned());
    let text = std::str::from_utf8(raw).map_err(|_| malformed())?;
    let addr = if let Some(rest) = text.strip_prefix('[') {
        let (inner, port) = rest.split_once(']').ok_or_else(malformed)?;
        if !(port.is_empty() || is_port(port.strip_prefix(':').unwrap_or("x"))) {
            return Err(malformed());
        }
        IpAddr::V6(inner.parse::<Ipv6Addr>().map_err(|_| malformed())?)
    } else if let Ok(addr) = text.parse::<IpAddr>() {
        addr
    } else {
        let (host, port) = text.rsplit_once(':').ok_or_else(malformed)?;
        if !is_port(port) {
            return Err(malformed());
        }
        IpAddr::V4(host.parse().map_err(|_| malformed())?)
    };
    Ok(unmap(addr))
}

fn is_port(text: &str) -> bool {
    !text.is_empty() && text.len() <= 5 && text.bytes().all(|b| b.is_ascii_digit())
}

/// `::ffff:a.b.c.d` is an IPv4 client on a dual-stack socket.
pub fn unmap(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(addr, IpAddr::V4),
        IpAddr::V4(_) => addr,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<String, AddressProblem> {
        parse_source_address(text.as_bytes()).map(|addr| addr.to_string())
    }

    #[test]
    fn envoy_forms() {
        assert_eq!(parse("127.0.0.2:53412").unwrap(), "127.0.0.2");
        assert_eq!(parse("10.0.0.1:0").unwrap(), "10.0.0.1");
        assert_eq!(parse("[::1]:8080").unwrap(), "::1");
        assert_eq!(parse("[2001:db8::7]:0").unwrap(), "2001:db8::7");
        assert_eq!(parse("198.51.100.4").unwrap(), "198.51.100.4");
    }

    #[test]
    fn only_ipv4_mapped_addresses_are_unmapped() {
        assert_eq!(parse("[::ffff:203.0.113.9]:443").unwrap(), "203.0.113.9");
        assert_eq!(
            parse("[64:ff9b::cb00:7109]:443").unwrap(),
            "64:ff9b::cb00:7109"
        );
        assert_eq!(parse("[2002:cb00:7109::1]:1").unwrap(), "2002:cb00:7109::1");
        assert_eq!(parse("[::203.0.113.9]:1").unwrap(), "::cb00:7109");
    }

    #[test]
    fn malformed_addresses() {
        for text in [
            "",
            "[fe80::1%eth0]:80",
            "[::1]80",
            "[::1]:",
            "010.0.0.1:80",
            "127.1:80",
            "localhost:80",
            "/var/run/envoy.sock",
            "1.2.3.4:123456",
        ] {
            assert!(parse(text).is_err(), "{text:?}");
        }
        assert!(parse_source_address(b"1.2.3.4:\xff").is_err());
    }
}

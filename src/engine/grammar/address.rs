//! An IP address with an optional port, as Envoy writes `source.address`
//! (`ip:port`, `[v6]:port`) and proxies write X-Forwarded-For entries and
//! client-address headers (`a.b.c.d`, `a.b.c.d:port`, `v6`, `[v6]`,
//! `[v6]:port`). Only canonical addresses are read: `std::net`'s parsers
//! refuse legacy IPv4 spellings and zone ids.

use std::net::{IpAddr, Ipv6Addr};

use super::host_port::{split_host_port, SplitError};
use super::ows::trim_ows_str;
use super::port::parse_socket_port;

/// The address (IPv4-mapped IPv6 as IPv4) and the port if one is written,
/// after trimming surrounding whitespace.
pub fn parse_address_and_port(text: &str) -> Option<(IpAddr, Option<u16>)> {
    let text = trim_ows_str(text);
    let (addr, port) = match split_host_port(text) {
        Ok((host, port)) => {
            let addr = match host.strip_prefix('[') {
                Some(inner) => IpAddr::V6(inner.strip_suffix(']')?.parse().ok()?),
                None => IpAddr::V4(host.parse().ok()?),
            };
            let port = match port {
                Some(port) => Some(parse_socket_port(port)?),
                None => None,
            };
            (addr, port)
        }
        // Several colons and no brackets: a bare IPv6 address, without a port.
        Err(SplitError::SeveralColons) => (IpAddr::V6(text.parse::<Ipv6Addr>().ok()?), None),
        Err(_) => return None,
    };
    Some((unmap(addr), port))
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

    fn parse(text: &str) -> Option<(String, Option<u16>)> {
        parse_address_and_port(text).map(|(addr, port)| (addr.to_string(), port))
    }

    #[test]
    fn envoy_forms() {
        assert_eq!(
            parse("127.0.0.2:53412"),
            Some(("127.0.0.2".into(), Some(53412)))
        );
        assert_eq!(parse("10.0.0.1:0"), Some(("10.0.0.1".into(), Some(0))));
        assert_eq!(parse("[::1]:8080"), Some(("::1".into(), Some(8080))));
        assert_eq!(
            parse("[2001:db8::7]:0"),
            Some(("2001:db8::7".into(), Some(0)))
        );
    }

    #[test]
    fn proxy_written_forms() {
        assert_eq!(parse(" 203.0.113.9 "), Some(("203.0.113.9".into(), None)));
        assert_eq!(
            parse("203.0.113.9:8080"),
            Some(("203.0.113.9".into(), Some(8080)))
        );
        assert_eq!(parse("2001:db8::1"), Some(("2001:db8::1".into(), None)));
        assert_eq!(parse("[2001:db8::1]"), Some(("2001:db8::1".into(), None)));
        assert_eq!(
            parse("[2001:db8::1]:443"),
            Some(("2001:db8::1".into(), Some(443)))
        );
        assert_eq!(parse("::ffff:10.1.2.3"), Some(("10.1.2.3".into(), None)));
    }

    #[test]
    fn malformed_addresses() {
        for bad in [
            "unknown",
            "example.com",
            "localhost:80",
            "",
            "0x7f.1",
            "010.0.0.1",
            "010.0.0.1:80",
            "127.1",
            "127.1:80",
            "fe80::1%eth0",
            "[fe80::1%eth0]:80",
            "[::1]x",
            "[::1]80",
            "[::1]:",
            "[1.2.3.4]",
            "_hidden",
            "1.2.3.4:",
            "1.2.3.4:99999",
            "1.2.3.4:123456",
            "/var/run/envoy.sock",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn only_ipv4_mapped_addresses_are_unmapped() {
        let addr = |text: &str| parse(text).unwrap().0;
        assert_eq!(addr("[::ffff:203.0.113.9]:443"), "203.0.113.9");
        assert_eq!(addr("[64:ff9b::cb00:7109]:443"), "64:ff9b::cb00:7109");
        assert_eq!(addr("[2002:cb00:7109::1]:1"), "2002:cb00:7109::1");
        assert_eq!(addr("[::203.0.113.9]:1"), "::cb00:7109");
    }
}

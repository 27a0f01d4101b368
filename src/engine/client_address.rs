//! The client address as Envoy reports it in `source.address`:
//! `ip:port` or `[v6]:port`.

use std::fmt;
use std::net::{IpAddr, Ipv6Addr};

use super::quoted::Quoted;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddressProblem {
    Missing,
    HostUnavailable,
    Malformed(String),
    /// `source.address` with port 0: Envoy took it from `X-Forwarded-For`, so
    /// it is not the TCP peer that `trusted_proxies` is about.
    PeerFromHeader(String),
    /// A trusted peer sent no client header.
    HeaderMissing(String),
    /// A candidate entry that is not one plain address; nothing left of it is trusted.
    BadEntry {
        header: String,
        entry: String,
    },
    SeveralValues(String),
}

impl fmt::Display for AddressProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing => write!(f, "the proxy gave no client address"),
            Self::HostUnavailable => write!(f, "the proxy could not read the client address"),
            Self::Malformed(text) => write!(f, "{} is not an IP address with a port", Quoted(text)),
            Self::PeerFromHeader(text) => write!(
                f,
                "source.address {} has port 0, so Envoy derived it from X-Forwarded-For; \
                 with client_ip.from other than source_address, Envoy must report the TCP peer \
                 (use_remote_address: true, no xff_num_trusted_hops)",
                Quoted(text)
            ),
            Self::HeaderMissing(header) => write!(f, "the trusted proxy sent no {header} header"),
            Self::BadEntry { header, entry } => write!(
                f,
                "the {header} entry {} is not a plain IP address, so no address left of it can be trusted",
                Quoted(entry)
            ),
            Self::SeveralValues(header) => write!(f, "the {header} header holds several values"),
        }
    }
}

/// An address as Envoy reports it and proxies write it: `a.b.c.d`,
/// `a.b.c.d:port`, `v6`, `[v6]` or `[v6]:port`, after trimming whitespace.
/// Returns the address (IPv4-mapped IPv6 as IPv4) and the port if written.
pub fn parse_address_and_port(text: &str) -> Option<(IpAddr, Option<u16>)> {
    let text = text.trim_matches([' ', '\t']);
    let (addr, port) = if let Some(rest) = text.strip_prefix('[') {
        let (inner, after) = rest.split_once(']')?;
        let port = match after {
            "" => None,
            _ => Some(parse_port(after.strip_prefix(':')?)?),
        };
        (IpAddr::V6(inner.parse::<Ipv6Addr>().ok()?), port)
    } else {
        match text.split_once(':') {
            // One colon: IPv4 with a port, the common case (Envoy's source.address).
            Some((host, port)) if !port.contains(':') => {
                (IpAddr::V4(host.parse().ok()?), Some(parse_port(port)?))
            }
            // Several colons: a bare IPv6 address.
            Some(_) => (IpAddr::V6(text.parse::<Ipv6Addr>().ok()?), None),
            None => (IpAddr::V4(text.parse().ok()?), None),
        }
    };
    Some((unmap(addr), port))
}

fn parse_port(text: &str) -> Option<u16> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Parses Envoy's `source.address`.
pub fn parse_source_address(raw: &[u8]) -> Result<(IpAddr, Option<u16>), AddressProblem> {
    std::str::from_utf8(raw)
        .ok()
        .and_then(parse_address_and_port)
        .ok_or_else(|| AddressProblem::Malformed(String::from_utf8_lossy(raw).into_owned()))
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
        parse_source_address(text.as_bytes()).map(|(addr, _)| addr.to_string())
    }

    #[test]
    fn envoy_forms() {
        assert_eq!(parse("127.0.0.2:53412").unwrap(), "127.0.0.2");
        assert_eq!(parse("10.0.0.1:0").unwrap(), "10.0.0.1");
        assert_eq!(parse("[::1]:8080").unwrap(), "::1");
        assert_eq!(parse("[2001:db8::7]:0").unwrap(), "2001:db8::7");
        assert_eq!(parse("198.51.100.4").unwrap(), "198.51.100.4");
        assert_eq!(
            parse_source_address(b"10.0.0.1:0").unwrap(),
            ("10.0.0.1".parse().unwrap(), Some(0))
        );
    }

    #[test]
    fn proxy_written_forms() {
        let parse =
            |text: &str| parse_address_and_port(text).map(|(addr, port)| (addr.to_string(), port));
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
        for bad in [
            "unknown",
            "example.com",
            "",
            "0x7f.1",
            "010.0.0.1",
            "127.1",
            "fe80::1%eth0",
            "[::1]x",
            "_hidden",
            "1.2.3.4:",
            "1.2.3.4:99999",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
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

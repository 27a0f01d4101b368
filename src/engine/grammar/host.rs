//! The host grammar shared by domain entries and calling sites: a DNS name,
//! a dotted-quad IPv4 address or a bracketed IPv6 address, reduced to one
//! canonical text so that equal hosts compare equal.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::ipv4_forms::parse_ipv4_loose;
use crate::engine::quoted::Quoted;

const MAX_NAME_LEN: usize = 253;
const MAX_LABEL_LEN: usize = 63;

/// A host in canonical form: lowercase, no trailing dot, IPv6 in brackets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Host {
    pub text: String,
    pub kind: HostKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostKind {
    Name,
    Ipv4,
    Ipv6,
}

impl Host {
    /// How many dot-separated labels a name has (1 for an address).
    pub fn label_count(&self) -> usize {
        match self.kind {
            HostKind::Name => self.text.split('.').count(),
            HostKind::Ipv4 | HostKind::Ipv6 => 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostError {
    Empty,
    NonAscii,
    InvalidChar(char),
    EmptyLabel,
    LabelTooLong(String),
    NameTooLong(usize),
    HyphenAtEdge(String),
    NonCanonicalIpv4(Option<Ipv4Addr>),
    BadIpv6(String),
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => write!(f, "the host is empty"),
            Self::NonAscii => write!(
                f,
                "the host has non-ASCII characters; write an internationalized name in its ASCII (xn--) form"
            ),
            Self::InvalidChar(c) => write!(
                f,
                "the host has the character {}, which no host name may contain",
                Quoted(c.encode_utf8(&mut [0; 4]))
            ),
            Self::EmptyLabel => write!(f, "the host has an empty label (\"..\", or a leading or second trailing dot)"),
            Self::LabelTooLong(label) => write!(
                f,
                "the label \"{label}\" is {} characters long; a label has at most {MAX_LABEL_LEN}",
                label.len()
            ),
            Self::NameTooLong(len) => {
                write!(f, "the host is {len} characters long; a name has at most {MAX_NAME_LEN}")
            }
            Self::HyphenAtEdge(label) => {
                write!(f, "the label \"{label}\" starts or ends with '-', which no host name may do")
            }
            Self::NonCanonicalIpv4(Some(addr)) => write!(
                f,
                "the host is not a canonical IPv4 address (browsers read it as {addr}); did you mean \"{addr}\"?"
            ),
            Self::NonCanonicalIpv4(None) => write!(
                f,
                "the host ends in a numeric label, so browsers read it as an IPv4 address, but it is not one"
            ),
            Self::BadIpv6(inner) => write!(f, "\"[{inner}]\" is not an IPv6 address (zone ids are not allowed)"),
        }
    }
}

/// Parses a host as it appears in a URL authority: `name`, `a.b.c.d` or `[v6]`.
pub fn parse_host(text: &str) -> Result<Host, HostError> {
    if text.as_bytes().first() == Some(&b'[') {
        let inner = text.get(1..).and_then(|t| t.strip_suffix(']'));
        let inner = inner.ok_or(HostError::InvalidChar('['))?;
        let addr: Ipv6Addr = inner
            .parse()
            .map_err(|_| HostError::BadIpv6(inner.to_string()))?;
        return Ok(Host {
            text: format!("[{addr}]"),
            kind: HostKind::Ipv6,
        });
    }
    if text.is_empty() {
        return Err(HostError::Empty);
    }
    if !text.is_ascii() {
        return Err(HostError::NonAscii);
    }
    // One trailing dot names the same host (an absolute DNS name).
    let name = match text.as_bytes().last() {
        Some(b'.') => text.get(..text.len() - 1).unwrap_or_default(),
        _ => text,
    };
    if name.is_empty() {
        return Err(HostError::EmptyLabel);
    }
    if name.len() > MAX_NAME_LEN {
        return Err(HostError::NameTooLong(name.len()));
    }
    // One pass (this runs on every request): check each label and build the
    // lowercase form.
    let mut lower = Vec::with_capacity(name.len());
    let mut label_start = 0;
    for (index, byte) in name.bytes().enumerate() {
        if byte == b'.' {
            check_label(name.get(label_start..index).unwrap_or_default())?;
            label_start = index + 1;
        }
        lower.push(byte.to_ascii_lowercase());
    }
    let last_label = name.get(label_start..).unwrap_or_default();
    check_label(last_label)?;
    // As in the WHATWG URL parser: a numeric last label makes the host an IPv4
    // address, and only the canonical dotted quad is accepted.
    if is_numeric_label(last_label) {
        return match name.parse::<Ipv4Addr>() {
            Ok(addr) => Ok(Host {
                text: addr.to_string(),
                kind: HostKind::Ipv4,
            }),
            Err(_) => Err(HostError::NonCanonicalIpv4(parse_ipv4_loose(name))),
        };
    }
    Ok(Host {
        text: String::from_utf8(lower).map_err(|_| HostError::NonAscii)?,
        kind: HostKind::Name,
    })
}

// Byte patterns rather than `str` ones: in the size-optimized module a
// `str` prefix test calls `memcmp`, and this runs for every label of every
// calling site.
fn check_label(label: &str) -> Result<(), HostError> {
    let bytes = label.as_bytes();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return Err(HostError::EmptyLabel);
    };
    if let Some(&byte) = bytes
        .iter()
        .find(|b| !(b.is_ascii_alphanumeric() || **b == b'-' || **b == b'_'))
    {
        return Err(HostError::InvalidChar(char::from(byte)));
    }
    if bytes.len() > MAX_LABEL_LEN {
        return Err(HostError::LabelTooLong(label.to_string()));
    }
    if first == b'-' || last == b'-' {
        return Err(HostError::HyphenAtEdge(label.to_string()));
    }
    Ok(())
}

/// Digits only, or `0x` followed by hex digits: the labels WHATWG reads as numbers.
fn is_numeric_label(label: &str) -> bool {
    match label.as_bytes() {
        [b'0', b'x' | b'X', hex @ ..] => hex.iter().all(u8::is_ascii_hexdigit),
        digits => !digits.is_empty() && digits.iter().all(u8::is_ascii_digit),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical(text: &str) -> String {
        parse_host(text).unwrap().text
    }

    #[test]
    fn names_are_lowercased_and_lose_one_trailing_dot() {
        assert_eq!(canonical("App.Example.COM."), "app.example.com");
        assert_eq!(parse_host("a.com..").unwrap_err(), HostError::EmptyLabel);
        assert_eq!(parse_host(".").unwrap_err(), HostError::EmptyLabel);
    }

    #[test]
    fn addresses_are_canonical() {
        assert_eq!(parse_host("127.0.0.1").unwrap().kind, HostKind::Ipv4);
        assert_eq!(canonical("127.0.0.1."), "127.0.0.1");
        assert_eq!(canonical("[2001:DB8:0::7]"), "[2001:db8::7]");
        assert_eq!(parse_host("[::1]").unwrap().kind, HostKind::Ipv6);
    }

    #[test]
    fn non_canonical_ipv4_forms_are_refused_with_their_meaning() {
        let localhost = Some(Ipv4Addr::new(127, 0, 0, 1));
        for text in ["0x7f.1", "127.1", "2130706433", "0177.0.0.1", "127.0.0.01"] {
            assert_eq!(
                parse_host(text).unwrap_err(),
                HostError::NonCanonicalIpv4(localhost),
                "{text}"
            );
        }
        assert_eq!(
            parse_host("1.2.3.4.5").unwrap_err(),
            HostError::NonCanonicalIpv4(None)
        );
        // A numeric label that is not the last one is an ordinary name.
        assert_eq!(canonical("123.example.com"), "123.example.com");
        assert_eq!(canonical("0x10.example.com"), "0x10.example.com");
    }

    #[test]
    fn bad_names_are_refused() {
        assert_eq!(parse_host("").unwrap_err(), HostError::Empty);
        assert_eq!(parse_host("exämple.com").unwrap_err(), HostError::NonAscii);
        assert_eq!(
            parse_host("a b.com").unwrap_err(),
            HostError::InvalidChar(' ')
        );
        assert_eq!(
            parse_host("a%2e.com").unwrap_err(),
            HostError::InvalidChar('%')
        );
        assert_eq!(
            parse_host("*.com").unwrap_err(),
            HostError::InvalidChar('*')
        );
        assert!(matches!(
            parse_host("-a.com"),
            Err(HostError::HyphenAtEdge(_))
        ));
        assert!(matches!(
            parse_host("a-.com"),
            Err(HostError::HyphenAtEdge(_))
        ));
        let long_label = "a".repeat(64);
        assert!(matches!(
            parse_host(&format!("{long_label}.com")),
            Err(HostError::LabelTooLong(_))
        ));
        let long_name = vec!["a".repeat(63); 4].join(".");
        assert_eq!(
            parse_host(&long_name).unwrap_err(),
            HostError::NameTooLong(255)
        );
        assert!(matches!(
            parse_host("[fe80::1%eth0]"),
            Err(HostError::BadIpv6(_))
        ));
        assert_eq!(parse_host("[::1"), Err(HostError::InvalidChar('[')));
    }

    #[test]
    fn label_count_counts_name_labels() {
        assert_eq!(parse_host("com").unwrap().label_count(), 1);
        assert_eq!(parse_host("example.com.").unwrap().label_count(), 2);
        assert_eq!(parse_host("10.0.0.1").unwrap().label_count(), 1);
    }
}

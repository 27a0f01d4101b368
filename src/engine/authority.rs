//! `host[:port]` and `scheme://` pieces shared by domain entries and calling
//! sites, so that both sides of a comparison read them the same way.

use std::fmt;

use super::host::{parse_host, Host, HostError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    Http,
    Https,
}

impl Scheme {
    /// `http` or `https`, in any letter case.
    pub fn parse(text: &str) -> Option<Scheme> {
        if text.eq_ignore_ascii_case("http") {
            Some(Scheme::Http)
        } else if text.eq_ignore_ascii_case("https") {
            Some(Scheme::Https)
        } else {
            None
        }
    }

    pub fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorityError {
    Userinfo,
    UnbracketedIpv6,
    AfterIpv6(String),
    BadPort(String),
    Host(HostError),
}

impl fmt::Display for AuthorityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Userinfo => write!(f, "it has userinfo (\"user@\"), which no origin has"),
            Self::UnbracketedIpv6 => {
                write!(f, "an IPv6 address must be in brackets, like [2001:db8::1]")
            }
            Self::AfterIpv6(rest) => write!(f, "\"{rest}\" follows the IPv6 address"),
            Self::BadPort(port) if port.is_empty() => write!(f, "the port after ':' is empty"),
            Self::BadPort(port) => write!(
                f,
                "the port \"{port}\" is not a number from 1 to 65535 written without leading zeros"
            ),
            Self::Host(error) => error.fmt(f),
        }
    }
}

impl From<HostError> for AuthorityError {
    fn from(error: HostError) -> Self {
        AuthorityError::Host(error)
    }
}

/// Splits `host[:port]` into its host text and optional port text.
pub fn split_host_port(authority: &str) -> Result<(&str, Option<&str>), AuthorityError> {
    if authority.contains('@') {
        return Err(AuthorityError::Userinfo);
    }
    if authority.starts_with('[') {
        let close = authority
            .find(']')
            .ok_or(AuthorityError::Host(HostError::InvalidChar('[')))?;
        let (host, rest) = authority.split_at(close + 1);
        return match rest.strip_prefix(':') {
            Some(port) => Ok((host, Some(port))),
            None if rest.is_empty() => Ok((host, None)),
            None => Err(AuthorityError::AfterIpv6(rest.to_string())),
        };
    }
    match authority.split_once(':') {
        None => Ok((authority, None)),
        Some((_, port)) if port.contains(':') => Err(AuthorityError::UnbracketedIpv6),
        Some((host, port)) => Ok((host, Some(port))),
    }
}

/// A TCP port as URLs write it: 1-65535, digits only, no leading zeros.
pub fn parse_port(text: &str) -> Result<u16, AuthorityError> {
    let bad = || AuthorityError::BadPort(text.to_string());
    if text.is_empty() || text.starts_with('0') || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    text.parse::<u16>().map_err(|_| bad())
}

/// Parses `host[:port]` completely.
pub fn parse_authority(authority: &str) -> Result<(Host, Option<u16>), AuthorityError> {
    let (host, port) = split_host_port(authority)?;
    let host = parse_host(host)?;
    let port = port.map(parse_port).transpose()?;
    Ok((host, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_names_and_bracketed_addresses() {
        assert_eq!(split_host_port("a.com"), Ok(("a.com", None)));
        assert_eq!(split_host_port("a.com:8443"), Ok(("a.com", Some("8443"))));
        assert_eq!(split_host_port("[::1]:80"), Ok(("[::1]", Some("80"))));
        assert_eq!(split_host_port("[::1]"), Ok(("[::1]", None)));
        assert_eq!(split_host_port("a.com:"), Ok(("a.com", Some(""))));
    }

    #[test]
    fn refuses_ambiguous_authorities() {
        assert_eq!(split_host_port("user@a.com"), Err(AuthorityError::Userinfo));
        assert_eq!(split_host_port("::1"), Err(AuthorityError::UnbracketedIpv6));
        assert_eq!(
            split_host_port("[::1]x"),
            Err(AuthorityError::AfterIpv6("x".into()))
        );
    }

    #[test]
    fn ports_are_canonical_numbers_in_range() {
        assert_eq!(parse_port("443"), Ok(443));
        assert_eq!(parse_port("65535"), Ok(65535));
        for bad in ["", "0", "0443", "65536", "8o", "+80", "99999999999"] {
            assert!(parse_port(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn schemes_ignore_case() {
        assert_eq!(Scheme::parse("HTTPS"), Some(Scheme::Https));
        assert_eq!(Scheme::parse("ftp"), None);
        assert_eq!(Scheme::Https.default_port(), 443);
    }
}

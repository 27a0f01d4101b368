//! A URL authority, `host[:port]`, as calling sites and domain entries write
//! it, so that both sides of a comparison read it the same way.

use std::fmt;

use super::host::{parse_host, Host, HostError};
use super::host_port::{split_host_port, SplitError};
use super::port::parse_url_port;

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
pub fn split_authority(authority: &str) -> Result<(&str, Option<&str>), AuthorityError> {
    if authority.contains('@') {
        return Err(AuthorityError::Userinfo);
    }
    split_host_port(authority).map_err(|error| match error {
        SplitError::UnclosedBracket => AuthorityError::Host(HostError::InvalidChar('[')),
        SplitError::AfterBracket(rest) => AuthorityError::AfterIpv6(rest),
        SplitError::SeveralColons => AuthorityError::UnbracketedIpv6,
    })
}

/// A port as a URL writes it.
pub fn parse_port(text: &str) -> Result<u16, AuthorityError> {
    parse_url_port(text).ok_or_else(|| AuthorityError::BadPort(text.to_string()))
}

/// Parses `host[:port]` completely.
pub fn parse_authority(authority: &str) -> Result<(Host, Option<u16>), AuthorityError> {
    let (host, port) = split_authority(authority)?;
    let host = parse_host(host)?;
    let port = port.map(parse_port).transpose()?;
    Ok((host, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_ambiguous_authorities() {
        assert_eq!(split_authority("user@a.com"), Err(AuthorityError::Userinfo));
        assert_eq!(split_authority("::1"), Err(AuthorityError::UnbracketedIpv6));
        assert_eq!(
            split_authority("[::1]x"),
            Err(AuthorityError::AfterIpv6("x".into()))
        );
        assert_eq!(
            parse_authority("a.com:0443"),
            Err(AuthorityError::BadPort("0443".into()))
        );
    }

    #[test]
    fn reads_host_and_port() {
        let (host, port) = parse_authority("[::1]:8443").unwrap();
        assert_eq!((host.text.as_str(), port), ("[::1]", Some(8443)));
        let (host, port) = parse_authority("API.example.com.").unwrap();
        assert_eq!((host.text.as_str(), port), ("api.example.com", None));
    }
}

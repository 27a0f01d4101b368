//! The calling site of a request, read from `Origin`, `Referer` or
//! `:authority`. Anything a browser would not send, or that two URL parsers
//! could read differently, makes the value unusable rather than guessed at.

use std::fmt;

use super::grammar::authority::{parse_authority, AuthorityError};
use super::grammar::host::Host;
use super::grammar::ows::trim_ows;
use super::grammar::scheme::{is_scheme_token, split_scheme, Scheme};
use super::request::{Attribute, Fetched, RequestValues};

/// Where a calling site was read from, in the order `domain_sources` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum DomainSource {
    Origin,
    Referer,
    Authority,
}

impl DomainSource {
    pub fn as_str(self) -> &'static str {
        match self {
            DomainSource::Origin => "origin",
            DomainSource::Referer => "referer",
            DomainSource::Authority => "authority",
        }
    }
}

/// A usable calling site: scheme, canonical host and effective port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallingSite {
    pub scheme: Scheme,
    pub host: Host,
    pub port: u16,
}

impl fmt::Display for CallingSite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}", self.scheme.as_str(), self.host.text)?;
        if self.port != self.scheme.default_port() {
            write!(f, ":{}", self.port)?;
        }
        Ok(())
    }
}

/// Why a present value cannot name a calling site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unusable {
    Empty,
    Null,
    SeveralValues,
    NonAscii,
    Whitespace,
    Control,
    Backslash,
    NotAbsolute,
    Scheme(String),
    PathInOrigin,
    FragmentInReferer,
    Authority(AuthorityError),
    HostUnavailable,
}

impl Unusable {
    /// A short word for access-log records and counters.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::Null => "null",
            Self::SeveralValues => "several_values",
            Self::NonAscii => "non_ascii",
            Self::Whitespace => "whitespace",
            Self::Control => "control",
            Self::Backslash => "backslash",
            Self::NotAbsolute => "not_absolute",
            Self::Scheme(_) => "scheme",
            Self::PathInOrigin => "path_in_origin",
            Self::FragmentInReferer => "fragment_in_referer",
            Self::Authority(AuthorityError::Userinfo) => "userinfo",
            Self::Authority(AuthorityError::BadPort(_)) => "bad_port",
            Self::Authority(_) => "bad_host",
            Self::HostUnavailable => "unavailable",
        }
    }
}

impl fmt::Display for Unusable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => write!(f, "the value is empty"),
            Self::Null => write!(f, "the value is \"null\" (an opaque origin: sandboxed page, file:, data: or a redirect)"),
            Self::SeveralValues => write!(f, "it holds several values (the header was sent more than once, or with a comma)"),
            Self::NonAscii => write!(f, "it has non-ASCII bytes"),
            Self::Whitespace => write!(f, "it has whitespace inside"),
            Self::Control => write!(f, "it has control characters"),
            Self::Backslash => write!(f, "it has a backslash, which URL parsers read differently"),
            Self::NotAbsolute => write!(f, "it is not an absolute scheme://host URL"),
            Self::Scheme(scheme) => write!(f, "the scheme \"{scheme}\" is not http or https"),
            Self::PathInOrigin => write!(f, "an Origin is scheme://host[:port] with no path, query or fragment"),
            Self::FragmentInReferer => write!(f, "a Referer never has a fragment (Envoy itself drops such a Referer)"),
            Self::Authority(error) => error.fmt(f),
            Self::HostUnavailable => write!(f, "the proxy could not read the value"),
        }
    }
}

impl From<AuthorityError> for Unusable {
    fn from(error: AuthorityError) -> Self {
        Unusable::Authority(error)
    }
}

/// `Origin`: exactly one serialized origin, `scheme://host[:port]`.
pub fn parse_origin(raw: &[u8]) -> Result<CallingSite, Unusable> {
    let value = clean_value(raw)?;
    if value == "null" {
        return Err(Unusable::Null);
    }
    if value.contains(',') {
        return Err(Unusable::SeveralValues);
    }
    let (scheme, rest) = split_http_scheme(value)?;
    if rest.bytes().any(|b| matches!(b, b'/' | b'?' | b'#')) {
        return Err(Unusable::PathInOrigin);
    }
    site(scheme, rest)
}

/// `Referer`: an absolute http(s) URL; its path, query and fragment are ignored.
pub fn parse_referer(raw: &[u8]) -> Result<CallingSite, Unusable> {
    let value = clean_value(raw)?;
    if holds_several_urls(value) {
        return Err(Unusable::SeveralValues);
    }
    if value.contains('#') {
        return Err(Unusable::FragmentInReferer);
    }
    let (scheme, rest) = split_http_scheme(value)?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    site(scheme, authority)
}

/// `:authority` with the request's `:scheme`.
pub fn parse_request_authority(raw: &[u8], scheme: &[u8]) -> Result<CallingSite, Unusable> {
    let value = clean_value(raw)?;
    let scheme_text = clean_value(scheme)?;
    let scheme = Scheme::parse(scheme_text).ok_or_else(|| Unusable::Scheme(scheme_text.into()))?;
    if value.contains(['/', '?', '#']) {
        return Err(Unusable::NotAbsolute);
    }
    site(scheme, value)
}

/// Checks the bytes every source shares and trims surrounding whitespace.
fn clean_value(raw: &[u8]) -> Result<&str, Unusable> {
    let value = trim_ows(raw);
    if value.is_empty() {
        return Err(Unusable::Empty);
    }
    // One pass over the bytes: this runs on every request.
    for &byte in value {
        match byte {
            b' ' | b'\t' => return Err(Unusable::Whitespace),
            b'\\' => return Err(Unusable::Backslash),
            0x80.. => return Err(Unusable::NonAscii),
            _ if byte.is_ascii_control() => return Err(Unusable::Control),
            _ => {}
        }
    }
    // All ASCII, so this cannot fail.
    std::str::from_utf8(value).map_err(|_| Unusable::NonAscii)
}

/// Several `Referer` lines reach the filter joined with `,`: a comma followed
/// by `scheme://` starts a second URL. (A comma alone may be part of a path.)
fn holds_several_urls(value: &str) -> bool {
    value.split(',').skip(1).any(|after| {
        split_scheme(after.trim_start_matches([' ', '\t']))
            .is_some_and(|(scheme, _)| is_scheme_token(scheme))
    })
}

/// `scheme://rest` with an http or https scheme.
fn split_http_scheme(value: &str) -> Result<(Scheme, &str), Unusable> {
    let (scheme_text, rest) = split_scheme(value).ok_or(Unusable::NotAbsolute)?;
    let scheme = Scheme::parse(scheme_text).ok_or_else(|| Unusable::Scheme(scheme_text.into()))?;
    Ok((scheme, rest))
}

fn site(scheme: Scheme, authority: &str) -> Result<CallingSite, Unusable> {
    let (host, port) = parse_authority(authority)?;
    Ok(CallingSite {
        scheme,
        host,
        port: port.unwrap_or(scheme.default_port()),
    })
}

/// What the calling site turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SiteReading {
    /// None of `domain_sources` is on the request.
    Missing,
    Unusable {
        source: DomainSource,
        reason: Unusable,
    },
    Usable {
        source: DomainSource,
        site: CallingSite,
    },
}

/// Reads the calling site: the first of `sources` present on the request
/// decides alone, usable or not.
pub fn read_calling_site(
    sources: &[DomainSource],
    request: &mut impl RequestValues,
) -> SiteReading {
    for &source in sources {
        let attribute = match source {
            DomainSource::Origin => Attribute::Origin,
            DomainSource::Referer => Attribute::Referer,
            DomainSource::Authority => Attribute::Authority,
        };
        let raw = match request.fetch(attribute) {
            Fetched::Absent => continue,
            Fetched::Unavailable => {
                return SiteReading::Unusable {
                    source,
                    reason: Unusable::HostUnavailable,
                }
            }
            Fetched::Present(raw) => raw,
        };
        let parsed = match source {
            DomainSource::Origin => parse_origin(&raw),
            DomainSource::Referer => parse_referer(&raw),
            DomainSource::Authority => match request.fetch(Attribute::Scheme) {
                Fetched::Present(scheme) => parse_request_authority(&raw, &scheme),
                Fetched::Absent | Fetched::Unavailable => Err(Unusable::HostUnavailable),
            },
        };
        return match parsed {
            Ok(site) => SiteReading::Usable { source, site },
            Err(reason) => SiteReading::Unusable { source, reason },
        };
    }
    SiteReading::Missing
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::grammar::host::HostError;

    fn origin(text: &str) -> Result<String, Unusable> {
        parse_origin(text.as_bytes()).map(|site| site.to_string())
    }

    fn referer(text: &str) -> Result<String, Unusable> {
        parse_referer(text.as_bytes()).map(|site| site.to_string())
    }

    #[test]
    fn origins_are_normalised() {
        assert_eq!(
            origin("https://app.example.com").unwrap(),
            "https://app.example.com"
        );
        assert_eq!(
            origin(" HTTPS://App.Example.com.:443\t").unwrap(),
            "https://app.example.com"
        );
        assert_eq!(
            origin("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(origin("http://[0::1]").unwrap(), "http://[::1]");
    }

    #[test]
    fn unusable_origins() {
        let cases = [
            ("", Unusable::Empty),
            ("  ", Unusable::Empty),
            ("null", Unusable::Null),
            ("https://a.com,https://b.com", Unusable::SeveralValues),
            ("https://a.com/", Unusable::PathInOrigin),
            ("https://a.com?x", Unusable::PathInOrigin),
            ("https://a.com#x", Unusable::PathInOrigin),
            ("https://a.com\\@b.com", Unusable::Backslash),
            ("https://a .com", Unusable::Whitespace),
            ("https://a\u{1}.com", Unusable::Control),
            ("https://exämple.com", Unusable::NonAscii),
            ("a.com", Unusable::NotAbsolute),
            ("ftp://a.com", Unusable::Scheme("ftp".into())),
            (
                "chrome-extension://abc",
                Unusable::Scheme("chrome-extension".into()),
            ),
            (
                "https://user@a.com",
                Unusable::Authority(AuthorityError::Userinfo),
            ),
            (
                "https://a.com:0",
                Unusable::Authority(AuthorityError::BadPort("0".into())),
            ),
            (
                "http://0x7f.1",
                Unusable::Authority(AuthorityError::Host(HostError::NonCanonicalIpv4(Some(
                    std::net::Ipv4Addr::LOCALHOST,
                )))),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(origin(text), Err(expected), "{text:?}");
        }
        assert_eq!(parse_origin(b"https://a.com\xff"), Err(Unusable::NonAscii));
    }

    #[test]
    fn referers_keep_only_scheme_host_and_port() {
        assert_eq!(
            referer("https://app.example.com/page?q=1").unwrap(),
            "https://app.example.com"
        );
        assert_eq!(
            referer("https://app.example.com/page#top"),
            Err(Unusable::FragmentInReferer)
        );
        assert_eq!(referer("http://a.com:8080?x").unwrap(), "http://a.com:8080");
        assert_eq!(referer("https://a.com/x,y").unwrap(), "https://a.com");
        assert_eq!(referer("https://a.com/x,y/z://w").unwrap(), "https://a.com");
        assert_eq!(
            referer("https://a.com/,https://b.com/"),
            Err(Unusable::SeveralValues)
        );
        assert_eq!(
            referer("https://a.com/,HTTP://b.com/"),
            Err(Unusable::SeveralValues)
        );
    }

    #[test]
    fn unusable_referers() {
        assert_eq!(
            referer("https://evil.com\\@good.com/"),
            Err(Unusable::Backslash)
        );
        assert_eq!(
            referer("https://good.com@evil.com/"),
            Err(Unusable::Authority(AuthorityError::Userinfo))
        );
        assert_eq!(referer("/relative/path"), Err(Unusable::NotAbsolute));
        assert_eq!(referer("about:blank"), Err(Unusable::NotAbsolute));
        assert!(referer("https:///path").is_err());
    }

    #[test]
    fn authority_takes_the_request_scheme() {
        let site = parse_request_authority(b"API.example.com:8443", b"https").unwrap();
        assert_eq!(site.to_string(), "https://api.example.com:8443");
        assert_eq!(
            parse_request_authority(b"a.com", b"ftp"),
            Err(Unusable::Scheme("ftp".into()))
        );
        assert_eq!(
            parse_request_authority(b"a.com/x", b"http"),
            Err(Unusable::NotAbsolute)
        );
    }
}

//! The engine's readings compared with independent implementations: the
//! `url` crate (the WHATWG URL Standard that browsers follow) for calling
//! sites, and `std::net` for addresses. Used by the property tests
//! (`make test`) and the fuzz targets (`make fuzz`); never built into the
//! filter.
//!
//! Each function returns `Err` with the disagreement. Where the engine
//! refuses a value that the other parser accepts, the refusal must be one
//! the README documents, and the input must show why (a backslash, a port
//! with a leading zero, a legacy IPv4 spelling that `url` reads as the same
//! address the engine names...).

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use url::Url;

use super::calling_site::{
    parse_origin, parse_referer, parse_request_authority, CallingSite, Unusable,
};
use super::grammar::address::{parse_address_and_port, unmap};
use super::grammar::authority::AuthorityError;
use super::grammar::host::HostError;
use super::grammar::ows::trim_ows_str;

/// Which header a calling site comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SiteHeader {
    Origin,
    Referer,
    /// `:authority` with `:scheme: https`.
    Authority,
}

/// Compares the engine's reading of one header value with `url`'s.
pub fn compare_calling_site(raw: &[u8], header: SiteHeader) -> Result<(), String> {
    let engine = match header {
        SiteHeader::Origin => parse_origin(raw),
        SiteHeader::Referer => parse_referer(raw),
        SiteHeader::Authority => parse_request_authority(raw, b"https"),
    };
    let Ok(text) = std::str::from_utf8(raw) else {
        // Not UTF-8, so not ASCII: the engine must refuse it (for this or
        // for an earlier bad byte).
        return match engine {
            Err(_) => Ok(()),
            Ok(site) => Err(format!("non-UTF-8 bytes {raw:?} read as {site}")),
        };
    };
    let url_text = match header {
        SiteHeader::Authority => format!("https://{}/", trim_ows_str(text)),
        _ => text.to_string(),
    };
    let url = Url::parse(&url_text);
    match (engine, url) {
        (Ok(site), Ok(url)) => same_site(&site, &url, header).map_err(|what| {
            format!("{text:?}: the engine reads {site}, url differs in {what} ({url})")
        }),
        // The engine compares internationalized names in their ASCII form as
        // written and does not check IDNA: url refuses an xn-- label that is
        // not valid Punycode or decodes to what IDNA disallows. No browser
        // sends such a host, and no registry hands one out (documented).
        (Ok(site), Err(url::ParseError::IdnaError)) if has_xn_label(&site.host.text) => Ok(()),
        (Ok(site), Err(error)) => Err(format!(
            "{text:?}: the engine reads {site}, url refuses it ({error})"
        )),
        (Err(reason), Ok(url)) if matches!(url.scheme(), "http" | "https") => {
            let trimmed = trim_ows_str(text);
            let authority = match header {
                SiteHeader::Authority => trimmed,
                _ => trimmed.split_once("://").map_or("", |(_, rest)| {
                    rest.split(['/', '?', '#']).next().unwrap_or_default()
                }),
            };
            if refusal_is_explained(&reason, text, authority, &url) {
                Ok(())
            } else {
                Err(format!(
                    "{text:?}: the engine refuses it ({reason}), url reads {url} and nothing in the input explains the refusal"
                ))
            }
        }
        // url refuses it too, or reads it as another scheme: both refuse.
        (Err(_), _) => Ok(()),
    }
}

fn has_xn_label(host: &str) -> bool {
    host.split('.').any(|label| label.starts_with("xn--"))
}

/// Where `url` disagrees with the engine's reading, if anywhere.
fn same_site(site: &CallingSite, url: &Url, header: SiteHeader) -> Result<(), &'static str> {
    if url.scheme() != site.scheme.as_str() {
        return Err("the scheme");
    }
    // The engine names a host with one trailing dot without it (the same
    // DNS name); url keeps the dot. IPv6 hosts are compared as addresses:
    // url writes ::ffff:7f00:1 where Rust writes ::ffff:127.0.0.1.
    let same_host = match (url.host(), site.host.text.as_str()) {
        (Some(url::Host::Ipv6(theirs)), ours) => {
            ours.strip_prefix('[')
                .and_then(|inner| inner.strip_suffix(']'))
                .and_then(|inner| inner.parse::<Ipv6Addr>().ok())
                == Some(theirs)
        }
        (_, ours) => {
            let host = url.host_str().unwrap_or_default();
            host.strip_suffix('.').unwrap_or(host) == ours
        }
    };
    if !same_host {
        return Err("the host");
    }
    if url.port_or_known_default() != Some(site.port) {
        return Err("the port");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("userinfo");
    }
    let bare = url.path() == "/" && url.query().is_none() && url.fragment().is_none();
    if header != SiteHeader::Referer && !bare {
        return Err("the path");
    }
    Ok(())
}

/// Whether the input shows why the engine refused what `url` accepted:
/// every such refusal is a documented one.
fn refusal_is_explained(reason: &Unusable, text: &str, authority: &str, url: &Url) -> bool {
    let trimmed = trim_ows_str(text);
    let after_scheme = trimmed.split_once("://").map_or("", |(_, rest)| rest);
    match reason {
        Unusable::Empty => trimmed.is_empty(),
        Unusable::Null => trimmed == "null",
        Unusable::SeveralValues => trimmed.contains(','),
        Unusable::NonAscii => !text.is_ascii(),
        Unusable::Whitespace => trimmed.contains([' ', '\t']),
        Unusable::Control => text.chars().any(|c| c.is_ascii_control()),
        Unusable::Backslash => text.contains('\\'),
        // url also reads "https:a.com" and "https:/a.com"; an Origin or
        // Referer is always written with "://", and an :authority has no
        // path, query or fragment.
        Unusable::NotAbsolute => {
            !trimmed.contains("://") || (authority == trimmed && trimmed.contains(['/', '?', '#']))
        }
        Unusable::Scheme(scheme) => {
            !matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https")
        }
        Unusable::PathInOrigin => after_scheme.contains(['/', '?', '#']),
        Unusable::FragmentInReferer => trimmed.contains('#'),
        Unusable::HostUnavailable => false,
        Unusable::Authority(error) => authority_refusal_is_explained(error, authority, url),
    }
}

fn authority_refusal_is_explained(error: &AuthorityError, authority: &str, url: &Url) -> bool {
    match error {
        AuthorityError::Userinfo => authority.contains('@'),
        AuthorityError::UnbracketedIpv6 => authority.matches(':').count() > 1,
        AuthorityError::AfterIpv6(_) => authority.contains(']'),
        // url takes an empty port as none, and leading zeros and port 0 as numbers.
        AuthorityError::BadPort(port) => {
            port.is_empty() || port.starts_with('0') || port.parse::<u16>().is_err()
        }
        AuthorityError::Host(error) => host_refusal_is_explained(error, authority, url),
    }
}

fn host_refusal_is_explained(error: &HostError, authority: &str, url: &Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    match error {
        HostError::Empty => authority.is_empty() || authority.starts_with(':'),
        HostError::NonAscii => !authority.is_ascii(),
        // '%' (percent-encoding url decodes), '*', and others no host name has.
        HostError::InvalidChar(c) => authority.contains(*c),
        HostError::EmptyLabel => {
            let name = host.strip_suffix('.').unwrap_or(host);
            name.is_empty() || name.starts_with('.') || name.contains("..") || name.ends_with('.')
        }
        HostError::LabelTooLong(label) => label.len() > 63,
        HostError::NameTooLong(length) => *length > 253,
        HostError::HyphenAtEdge(label) => label.starts_with('-') || label.ends_with('-'),
        // A legacy spelling: url must read it as the very address the engine names.
        HostError::NonCanonicalIpv4(Some(meant)) => url.host() == Some(url::Host::Ipv4(*meant)),
        HostError::NonCanonicalIpv4(None) => false,
        HostError::BadIpv6(inner) => inner.contains('%'),
    }
}

/// Compares the engine's reading of an address as proxies write it
/// (`source.address`, X-Forwarded-For entries, client-address headers) with
/// `std::net`'s.
pub fn compare_address(text: &str) -> Result<(), String> {
    let engine = parse_address_and_port(text);
    let std = std_reading(trim_ows_str(text));
    match (engine, std) {
        (Some(ours), Some((addr, port))) if ours == (unmap(addr), port) => Ok(()),
        (None, None) => Ok(()),
        // A zone id only means something on one host: documented refusal.
        (None, Some(_)) if text.contains('%') => Ok(()),
        (ours, theirs) => Err(format!(
            "{text:?}: the engine reads {ours:?}, std::net reads {theirs:?}"
        )),
    }
}

/// `std::net`'s reading: an address, an address with a port, or a
/// bracketed IPv6 address without one (which proxies write and std has no
/// parser for).
fn std_reading(text: &str) -> Option<(IpAddr, Option<u16>)> {
    if let Ok(addr) = text.parse::<IpAddr>() {
        return Some((addr, None));
    }
    if let Ok(socket) = text.parse::<SocketAddr>() {
        return Some((socket.ip(), Some(socket.port())));
    }
    let inner = text.strip_prefix('[')?.strip_suffix(']')?;
    inner
        .parse::<Ipv6Addr>()
        .ok()
        .map(|v6| (IpAddr::V6(v6), None))
}

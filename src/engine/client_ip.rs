//! Finding the client address: Envoy's `source.address`, or an address
//! header honoured only when the peer that sent it is a trusted proxy.

use std::fmt;
use std::net::IpAddr;

use super::grammar::address::parse_address_and_port;
use super::ip_table::AddressSet;
use super::quoted::Quoted;
use super::request::{Attribute, Fetched, RequestValues};

const X_FORWARDED_FOR: &str = "X-Forwarded-For";

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

impl AddressProblem {
    /// A short word for access-log records.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::HostUnavailable => "unavailable",
            Self::Malformed(_) => "malformed",
            Self::PeerFromHeader(_) => "peer_from_header",
            Self::HeaderMissing(_) => "header_missing",
            Self::BadEntry { .. } => "bad_entry",
            Self::SeveralValues(_) => "several_values",
        }
    }
}

impl fmt::Display for AddressProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing => write!(f, "the proxy gave no client address"),
            Self::HostUnavailable => write!(f, "the proxy could not read the client address"),
            Self::Malformed(text) => write!(f, "{} is not an IP address with a port", Quoted(text)),
            Self::PeerFromHeader(text) => write!(
                f,
                "source.address {} has port 0, which Envoy reports for an address it derived from \
                 X-Forwarded-For (or a PROXY protocol line with port 0), not for the TCP peer that \
                 trusted_proxies is about; with client_ip.from other than source_address, Envoy \
                 must report the TCP peer (use_remote_address: true, no xff_num_trusted_hops)",
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

/// Parses Envoy's `source.address`.
pub fn parse_source_address(raw: &[u8]) -> Result<(IpAddr, Option<u16>), AddressProblem> {
    std::str::from_utf8(raw)
        .ok()
        .and_then(parse_address_and_port)
        .ok_or_else(|| AddressProblem::Malformed(String::from_utf8_lossy(raw).into_owned()))
}

/// Where the client address comes from (`client_ip.from`).
#[derive(Debug, Default)]
pub enum ClientIpSource {
    /// Envoy's downstream remote address.
    #[default]
    SourceAddress,
    /// `X-Forwarded-For`, walked from the right past trusted proxies.
    XForwardedFor { trusted: AddressSet },
    /// A single-address header a trusted edge writes (lowercase name).
    Header { name: String, trusted: AddressSet },
}

/// How the address was found, for the CLI and logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HowFound {
    SourceAddress,
    /// The peer is not a trusted proxy: it is the client, its header is ignored.
    UntrustedPeer,
    /// Walked `X-Forwarded-For` from the right past `skipped` trusted entries.
    ForwardedFor {
        skipped: usize,
    },
    /// Every entry was a trusted proxy; the left-most is the client.
    AllTrusted {
        entries: usize,
    },
    /// Read from the trusted edge's header.
    Header,
}

impl fmt::Display for HowFound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SourceAddress => write!(f, "source.address: Envoy's downstream remote address"),
            Self::UntrustedPeer => write!(
                f,
                "the peer is not in trusted_proxies, so it is the client and its address header is ignored"
            ),
            Self::ForwardedFor { skipped } => write!(
                f,
                "walked X-Forwarded-For from the right past {skipped} trusted hop(s) to the first untrusted address"
            ),
            Self::AllTrusted { entries } => write!(
                f,
                "all {entries} X-Forwarded-For entries (and the peer) are trusted proxies, so the left-most is the client"
            ),
            Self::Header => write!(f, "read from client_ip.header, sent by a trusted proxy"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientIp {
    pub address: Result<IpAddr, AddressProblem>,
    /// `None` when no address could be found at all.
    pub how: Option<HowFound>,
}

impl ClientIpSource {
    /// `source_address`, `x_forwarded_for` or `header <name>`, for the load log.
    pub fn describe(&self) -> String {
        match self {
            ClientIpSource::SourceAddress => "source_address".into(),
            ClientIpSource::XForwardedFor { .. } => "x_forwarded_for".into(),
            ClientIpSource::Header { name, .. } => format!("header {name}"),
        }
    }

    pub fn resolve(&self, request: &mut impl RequestValues) -> ClientIp {
        let peer = match request.fetch(Attribute::SourceAddress) {
            Fetched::Present(raw) => parse_source_address(&raw),
            Fetched::Absent => Err(AddressProblem::Missing),
            Fetched::Unavailable => Err(AddressProblem::HostUnavailable),
        };
        let (peer, port) = match peer {
            Ok(found) => found,
            Err(problem) => return unknown(problem),
        };
        let trusted = match self {
            ClientIpSource::SourceAddress => return found(peer, HowFound::SourceAddress),
            ClientIpSource::XForwardedFor { trusted } | ClientIpSource::Header { trusted, .. } => {
                trusted
            }
        };
        if port == Some(0) {
            return unknown(AddressProblem::PeerFromHeader(format!("{peer}:0")));
        }
        if !trusted.contains(peer) {
            return found(peer, HowFound::UntrustedPeer);
        }
        match self {
            ClientIpSource::Header { name, .. } => from_single_header(request, name),
            _ => match request.fetch(Attribute::XForwardedFor) {
                Fetched::Present(raw) => walk_forwarded_for(&raw, peer, trusted),
                // Nothing was forwarded: the trusted peer is the whole chain.
                Fetched::Absent => found(peer, HowFound::AllTrusted { entries: 0 }),
                Fetched::Unavailable => unknown(AddressProblem::HostUnavailable),
            },
        }
    }
}

fn found(address: IpAddr, how: HowFound) -> ClientIp {
    ClientIp {
        address: Ok(address),
        how: Some(how),
    }
}

fn unknown(problem: AddressProblem) -> ClientIp {
    ClientIp {
        address: Err(problem),
        how: None,
    }
}

/// From the right: skip trusted proxies; the first other address is the
/// client. A malformed candidate stops the walk: what is left of it was
/// written by someone we cannot vouch for. The (trusted) peer is the chain's
/// right end, so when every entry is trusted the left-most one is the client.
fn walk_forwarded_for(raw: &[u8], peer: IpAddr, trusted: &AddressSet) -> ClientIp {
    let text = String::from_utf8_lossy(raw);
    let mut skipped = 0;
    let mut leftmost = peer;
    for entry in text.rsplit(',') {
        let Some((addr, _)) = parse_address_and_port(entry) else {
            return unknown(AddressProblem::BadEntry {
                header: X_FORWARDED_FOR.to_string(),
                entry: entry.trim().to_string(),
            });
        };
        if !trusted.contains(addr) {
            return found(addr, HowFound::ForwardedFor { skipped });
        }
        skipped += 1;
        leftmost = addr;
    }
    found(leftmost, HowFound::AllTrusted { entries: skipped })
}

fn from_single_header(request: &mut impl RequestValues, name: &str) -> ClientIp {
    let header = || name.to_string();
    let raw = match request.fetch(Attribute::ClientIpHeader(name)) {
        Fetched::Present(raw) => raw,
        Fetched::Absent => return unknown(AddressProblem::HeaderMissing(header())),
        Fetched::Unavailable => return unknown(AddressProblem::HostUnavailable),
    };
    let text = String::from_utf8_lossy(&raw);
    if text.contains(',') {
        return unknown(AddressProblem::SeveralValues(header()));
    }
    match parse_address_and_port(&text) {
        Some((addr, _)) => found(addr, HowFound::Header),
        None => unknown(AddressProblem::BadEntry {
            header: header(),
            entry: text.trim().to_string(),
        }),
    }
}

//! What the engine asks of a request. The proxy-wasm glue answers from the
//! host, the CLI from its arguments; the engine asks only for what a
//! decision needs, so each value costs at most one host call.

/// The request values a decision can depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attribute<'a> {
    Origin,
    Referer,
    Authority,
    Scheme,
    ContentType,
    XForwardedFor,
    /// A single-address header a trusted edge writes (`client_ip.header`), lowercase.
    ClientIpHeader(&'a str),
    /// Envoy's `source.address`: `ip:port` or `[v6]:port`.
    SourceAddress,
}

impl<'a> Attribute<'a> {
    /// The request header that carries it, as Envoy names it.
    pub fn header_name(self) -> Option<&'a str> {
        match self {
            Attribute::Origin => Some("origin"),
            Attribute::Referer => Some("referer"),
            Attribute::Authority => Some(":authority"),
            Attribute::Scheme => Some(":scheme"),
            Attribute::ContentType => Some("content-type"),
            Attribute::XForwardedFor => Some("x-forwarded-for"),
            Attribute::ClientIpHeader(name) => Some(name),
            Attribute::SourceAddress => None,
        }
    }
}

/// The answer to one fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    Present(Vec<u8>),
    Absent,
    /// The host failed to answer; the value is treated as unusable, never as absent.
    Unavailable,
}

pub trait Request {
    fn fetch(&mut self, attribute: Attribute<'_>) -> Fetched;
}

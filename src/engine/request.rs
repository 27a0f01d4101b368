//! What the engine asks of a request. The proxy-wasm glue answers from the
//! host, the CLI from its arguments; the engine asks only for what a
//! decision needs, so each value costs at most one host call.

/// The request values a decision can depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attribute {
    Origin,
    Referer,
    Authority,
    Scheme,
    /// Envoy's `source.address`: `ip:port` or `[v6]:port`.
    SourceAddress,
}

impl Attribute {
    /// The request header that carries it, as Envoy names it.
    pub fn header_name(self) -> Option<&'static str> {
        match self {
            Attribute::Origin => Some("origin"),
            Attribute::Referer => Some("referer"),
            Attribute::Authority => Some(":authority"),
            Attribute::Scheme => Some(":scheme"),
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
    fn fetch(&mut self, attribute: Attribute) -> Fetched;
}

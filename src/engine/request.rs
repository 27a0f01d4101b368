//! What the engine asks of a request, and how the proxy must read each value.
//! The proxy-wasm glue answers from the host, the CLI and the tests from a
//! simulated request; the engine asks only for what a decision needs, so each
//! value costs at most one host call.

/// The request values a decision can depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attribute<'a> {
    Origin,
    Referer,
    Authority,
    Scheme,
    XForwardedFor,
    /// A single-address header a trusted edge writes (`client_ip.header`), lowercase.
    ClientIpHeader(&'a str),
    /// The header an earlier filter writes the project id into (`projects.from.header`), lowercase.
    ProjectHeader(&'a str),
    /// A string in the request's dynamic metadata, `filter_metadata[namespace][key]`.
    Metadata {
        namespace: &'a str,
        key: &'a str,
    },
    /// Envoy's `source.address`: `ip:port` or `[v6]:port`.
    SourceAddress,
}

/// How the proxy reads a value: the read decides what a repeated header
/// looks like, so the engine chooses it, not the glue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostRead<'a> {
    /// The header as Envoy's header map hands it over
    /// (`proxy_get_header_map_value`): Envoy joins the lines of the headers it
    /// keeps in fixed slots (Origin, Referer, `:authority`, X-Forwarded-For)
    /// with `,`, but of any other header it returns only the
    /// **first** line. Only for headers Envoy joins.
    Header(&'a str),
    /// Every line of a header, joined with `,` (Envoy's
    /// `request.headers.<name>` property): for headers where a second line
    /// must be seen, such as a client-address header.
    EveryLine(&'a str),
    /// `source.address`.
    SourceAddress,
    /// A string in the request's dynamic metadata (Envoy's
    /// `metadata.filter_metadata.<namespace>.<key>`).
    Metadata { namespace: &'a str, key: &'a str },
}

impl<'a> Attribute<'a> {
    /// The read that hands this value over with every line a client sent.
    pub fn host_read(self) -> HostRead<'a> {
        match self {
            Attribute::Origin => HostRead::Header("origin"),
            Attribute::Referer => HostRead::Header("referer"),
            Attribute::Authority => HostRead::Header(":authority"),
            Attribute::Scheme => HostRead::Header(":scheme"),
            Attribute::XForwardedFor => HostRead::Header("x-forwarded-for"),
            Attribute::ClientIpHeader(name) | Attribute::ProjectHeader(name) => {
                HostRead::EveryLine(name)
            }
            Attribute::Metadata { namespace, key } => HostRead::Metadata { namespace, key },
            Attribute::SourceAddress => HostRead::SourceAddress,
        }
    }
}

/// The answer to one read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    Present(Vec<u8>),
    Absent,
    /// The host failed to answer; the value is treated as unusable, never as absent.
    Unavailable,
}

/// A request as the engine sees it: values read one at a time.
pub trait RequestValues {
    fn read(&mut self, read: HostRead<'_>) -> Fetched;

    fn fetch(&mut self, attribute: Attribute<'_>) -> Fetched {
        self.read(attribute.host_read())
    }
}

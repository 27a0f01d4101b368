//! A request as Envoy hands its values to the filter, built from the header
//! lines a client sends. The CLI's `check` and the tests judge requests
//! through it, so that they see what the filter really sees: a model that
//! joined every repeated header would hide a filter that reads only the
//! first line of one.

use super::grammar::ows::trim_ows;
use super::request::{Fetched, HostRead, RequestValues};

/// The request headers Envoy keeps in fixed slots: their repeated lines are
/// joined with `,` (empty lines are dropped) in the header map itself, so
/// even a plain header read hands over every line.
const JOINED_BY_ENVOY: &[&str] = &[
    ":authority",
    ":scheme",
    "origin",
    "referer",
    "x-forwarded-for",
];

#[derive(Debug, Clone)]
pub struct SimulatedRequest {
    /// Lowercase names, values without surrounding whitespace, in the order sent.
    lines: Vec<(String, Vec<u8>)>,
    source_address: Option<Vec<u8>>,
    /// Dynamic metadata: (namespace, key, value as Envoy hands it over).
    metadata: Vec<(String, String, Vec<u8>)>,
}

impl Default for SimulatedRequest {
    fn default() -> Self {
        SimulatedRequest {
            // Envoy sets :scheme on every request; a plain listener says http.
            lines: vec![(":scheme".into(), b"http".to_vec())],
            source_address: None,
            metadata: Vec::new(),
        }
    }
}

impl SimulatedRequest {
    /// One header line as a client sends it over HTTP/1.1 (whose codec trims
    /// the whitespace around a value; HTTP/2 keeps it). `Host` becomes
    /// `:authority`, as Envoy does for HTTP/1; `:scheme` replaces the default.
    pub fn add_line(&mut self, name: &str, value: impl AsRef<[u8]>) {
        let name = match name.trim().to_ascii_lowercase().as_str() {
            "host" => ":authority".to_string(),
            other => other.to_string(),
        };
        let value = trim_ows(value.as_ref()).to_vec();
        if name == ":scheme" {
            self.lines.retain(|(existing, _)| *existing != name);
        }
        self.lines.push((name, value));
    }

    pub fn with_line(mut self, name: &str, value: impl AsRef<[u8]>) -> Self {
        self.add_line(name, value);
        self
    }

    /// Envoy's `source.address`: `ip:port` or `[v6]:port`.
    pub fn set_source_address(&mut self, address: impl AsRef<[u8]>) {
        self.source_address = Some(address.as_ref().to_vec());
    }

    /// A value an earlier filter wrote to the request's dynamic metadata
    /// (a string's bytes; Envoy hands a number over as its 8 bytes).
    pub fn set_metadata(&mut self, namespace: &str, key: &str, value: impl AsRef<[u8]>) {
        self.metadata
            .retain(|(ns, k, _)| !(ns == namespace && k == key));
        self.metadata
            .push((namespace.into(), key.into(), value.as_ref().to_vec()));
    }

    fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.lines
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }

    fn joined(&self, name: &str, skip_empty: bool) -> Option<Vec<u8>> {
        let mut values = self.values(name).peekable();
        values.peek()?;
        let kept: Vec<&[u8]> = values.filter(|v| !skip_empty || !v.is_empty()).collect();
        Some(kept.join(&b","[..]))
    }
}

impl RequestValues for SimulatedRequest {
    fn read(&mut self, read: HostRead<'_>) -> Fetched {
        let value = match read {
            // Envoy removes a Referer it finds invalid before filters run.
            HostRead::Header("referer") => self
                .joined("referer", true)
                .filter(|referer| envoy_keeps_referer(referer)),
            HostRead::Header(name) if JOINED_BY_ENVOY.contains(&name) => self.joined(name, true),
            // Any other header: the first line only.
            HostRead::Header(name) => self.values(name).next().map(<[u8]>::to_vec),
            // The attribute reports a header whose lines are all empty as absent.
            HostRead::EveryLine(name) => self.joined(name, false).filter(|v| !v.is_empty()),
            HostRead::SourceAddress => self.source_address.clone(),
            HostRead::Metadata { namespace, key } => self
                .metadata
                .iter()
                .find(|(ns, k, _)| ns == namespace && k == key)
                .map(|(_, _, value)| value.clone()),
        };
        value.map_or(Fetched::Absent, Fetched::Present)
    }
}

/// Whether Envoy keeps a Referer (`Http::Utility::isValidRefererValue`): an
/// absolute URL with a host and without a fragment or userinfo, or a
/// relative reference of URI characters with no ':' before its first '/'.
/// Anything else Envoy removes before the filter runs, and the next of
/// `domain_sources` decides. Checked against real Envoy by the corpus.
fn envoy_keeps_referer(value: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(value) else {
        return false;
    };
    match text.split_once("://") {
        Some((scheme, rest)) if is_absolute_url(scheme, rest) => {
            let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
            !text.contains('#') && !authority.contains('@')
        }
        _ => is_relative_reference(text),
    }
}

/// `scheme://host...` as Envoy's URL parser takes it: a letter scheme, a
/// host (bracketed IPv6 closed), a numeric port, printable ASCII throughout.
fn is_absolute_url(scheme: &str, rest: &str) -> bool {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = match host_port.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((inner, after)) => (inner, after.strip_prefix(':')),
            None => return false,
        },
        None => match host_port.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        },
    };
    !scheme.is_empty()
        && scheme.bytes().all(|b| b.is_ascii_alphabetic())
        && !host.is_empty()
        && port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && rest.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
}

/// RFC 3986 query characters, with no ':' in the first path segment.
fn is_relative_reference(text: &str) -> bool {
    let before_slash = text.split('/').next().unwrap_or_default();
    !before_slash.contains(':')
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?%".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(request: &mut SimulatedRequest, read: HostRead<'_>) -> Option<String> {
        match request.read(read) {
            Fetched::Present(bytes) => Some(String::from_utf8(bytes).unwrap()),
            _ => None,
        }
    }

    #[test]
    fn envoy_joins_only_the_headers_it_keeps_in_fixed_slots() {
        let mut r = SimulatedRequest::default()
            .with_line("Origin", "https://a.com")
            .with_line("origin", " https://b.com ")
            .with_line("X-Real-IP", "203.0.113.9")
            .with_line("X-Real-IP", "198.51.100.66");
        assert_eq!(
            read(&mut r, HostRead::Header("origin")).unwrap(),
            "https://a.com,https://b.com"
        );
        assert_eq!(
            read(&mut r, HostRead::Header("x-real-ip")).unwrap(),
            "203.0.113.9",
            "a plain read of another header sees the first line only"
        );
        assert_eq!(
            read(&mut r, HostRead::EveryLine("x-real-ip")).unwrap(),
            "203.0.113.9,198.51.100.66"
        );
        assert_eq!(read(&mut r, HostRead::Header("referer")), None);
        let mut empty = SimulatedRequest::default().with_line("x-real-ip", " ");
        assert_eq!(read(&mut empty, HostRead::Header("x-real-ip")).unwrap(), "");
        assert_eq!(read(&mut empty, HostRead::EveryLine("x-real-ip")), None);
        assert_eq!(read(&mut r, HostRead::Header(":scheme")).unwrap(), "http");
    }

    #[test]
    fn host_is_the_authority_and_pseudo_headers_replace() {
        let mut r = SimulatedRequest::default()
            .with_line("Host", "api.example.com")
            .with_line(":scheme", "https");
        assert_eq!(
            read(&mut r, HostRead::Header(":authority")).unwrap(),
            "api.example.com"
        );
        assert_eq!(read(&mut r, HostRead::Header(":scheme")).unwrap(), "https");
        let mut two_hosts = SimulatedRequest::default()
            .with_line("Host", "evil.example")
            .with_line("Host", "api.example.com");
        assert_eq!(
            read(&mut two_hosts, HostRead::Header(":authority")).unwrap(),
            "evil.example,api.example.com"
        );
    }

    #[test]
    fn envoy_removes_the_referers_it_finds_invalid() {
        for kept in [
            "https://app.example.com/page?q=1",
            "ftp://files.example.com/",
            "http://[::1]:8080/",
            "/relative/path",
            "page.html?x=1",
            "",
        ] {
            assert!(envoy_keeps_referer(kept.as_bytes()), "{kept}");
        }
        for removed in [
            "https://user@evil.example.net/",
            "https://app.example.com/#top",
            "about:blank",
            "javascript:alert(1)",
            "https:evil.example.net",
            "https://evil.example.net/ x",
            "https://[::1/",
            "https://evil.example.net\\@app.example.com/",
        ] {
            assert!(!envoy_keeps_referer(removed.as_bytes()), "{removed}");
        }
    }
}

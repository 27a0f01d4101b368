//! Which project a request belongs to, for a configuration with `projects`:
//! read from a header an earlier filter wrote, from the request's dynamic
//! metadata, or from its host (`<project>.<suffix>`).

use std::fmt;

use smol_str::SmolStr;

use super::grammar::authority::parse_authority;
use super::grammar::host::HostKind;
use super::grammar::ows::trim_ows;
use super::hashing::FastMap;
use super::quoted::Quoted;
use super::request::{Attribute, Fetched, RequestValues};

/// The most characters a project id may have.
pub const MAX_PROJECT_ID: usize = 128;

/// 1-128 characters from `A-Z a-z 0-9 . _ : -`.
pub fn is_project_id(text: &str) -> bool {
    (1..=MAX_PROJECT_ID).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

/// Where a request's project id comes from (`projects.from`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProjectSource {
    /// A request header (lowercase), written by an earlier filter.
    Header(String),
    /// `filter_metadata[namespace][key]` of the request's dynamic metadata.
    Metadata { namespace: String, key: String },
    /// The single host label in front of this suffix (lowercase, no trailing dot).
    SubdomainOf(String),
}

impl ProjectSource {
    pub fn describe(&self) -> String {
        match self {
            ProjectSource::Header(name) => format!("header {name}"),
            ProjectSource::Metadata { namespace, key } => {
                format!("metadata {} {}", Quoted(namespace), Quoted(key))
            }
            ProjectSource::SubdomainOf(suffix) => format!("subdomain of {suffix}"),
        }
    }
}

/// What happens to a request whose project is unknown (`projects.unknown`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum UnknownProject {
    Deny,
    Allow,
}

/// Why a request's project is unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProjectProblem {
    /// No header, metadata or host to read it from.
    Missing,
    HostUnavailable,
    /// The header was sent more than once.
    SeveralValues,
    /// Not a project id at all.
    Malformed,
    /// A well-formed id that is not in `projects.policies`.
    NotListed(String),
    /// A host that is not one label in front of the suffix.
    NotASubdomain,
}

impl ProjectProblem {
    /// A short word for access logs and counters.
    pub fn as_str(&self) -> &'static str {
        match self {
            ProjectProblem::Missing => "missing",
            ProjectProblem::HostUnavailable => "unavailable",
            ProjectProblem::SeveralValues => "several_values",
            ProjectProblem::Malformed => "malformed",
            ProjectProblem::NotListed(_) => "not_listed",
            ProjectProblem::NotASubdomain => "not_a_subdomain",
        }
    }
}

impl fmt::Display for ProjectProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing => write!(f, "the request carries no project"),
            Self::HostUnavailable => write!(f, "the proxy could not read the project"),
            Self::SeveralValues => write!(f, "the project header was sent more than once"),
            Self::Malformed => write!(
                f,
                "the value is not a project id (1-{MAX_PROJECT_ID} characters from A-Z a-z 0-9 . _ : -)"
            ),
            Self::NotListed(id) => write!(f, "the project {} is not in projects.policies", Quoted(id)),
            Self::NotASubdomain => write!(f, "the host is not one label in front of the subdomain_of suffix"),
        }
    }
}

/// The projects of a configuration and how a request names its own.
#[derive(Debug)]
pub struct ProjectDirectory {
    pub source: ProjectSource,
    pub unknown: UnknownProject,
    /// Ids of up to 23 bytes are kept in the table itself.
    ids: FastMap<SmolStr, u32>,
}

impl ProjectDirectory {
    pub fn new(source: ProjectSource, unknown: UnknownProject) -> Self {
        ProjectDirectory {
            source,
            unknown,
            ids: FastMap::default(),
        }
    }

    pub fn add(&mut self, id: &str, index: u32) {
        self.ids.insert(SmolStr::new(id), index);
    }

    pub fn index_of(&self, id: &str) -> Option<u32> {
        self.ids.get(id).copied()
    }

    /// The request's project: its index, or why it is unknown.
    pub fn find(&self, request: &mut impl RequestValues) -> Result<u32, ProjectProblem> {
        let id = match &self.source {
            ProjectSource::Header(name) => read_id(request, Attribute::ProjectHeader(name), true)?,
            ProjectSource::Metadata { namespace, key } => {
                read_id(request, Attribute::Metadata { namespace, key }, false)?
            }
            ProjectSource::SubdomainOf(suffix) => subdomain_label(request, suffix)?,
        };
        self.index_of(&id).ok_or(ProjectProblem::NotListed(id))
    }
}

/// A project id from a header (every line; several make it unknown) or
/// from metadata (exactly as written).
fn read_id(
    request: &mut impl RequestValues,
    attribute: Attribute<'_>,
    header: bool,
) -> Result<String, ProjectProblem> {
    let raw = match request.fetch(attribute) {
        Fetched::Present(raw) => raw,
        Fetched::Absent => return Err(ProjectProblem::Missing),
        Fetched::Unavailable => return Err(ProjectProblem::HostUnavailable),
    };
    let value = if header { trim_ows(&raw) } else { &raw };
    if header && value.contains(&b',') {
        return Err(ProjectProblem::SeveralValues);
    }
    match std::str::from_utf8(value) {
        Ok(id) if is_project_id(id) => Ok(id.to_string()),
        _ => Err(ProjectProblem::Malformed),
    }
}

/// The one label in front of `suffix` in the request's host, lowercase;
/// the port and one trailing dot are ignored.
fn subdomain_label(
    request: &mut impl RequestValues,
    suffix: &str,
) -> Result<String, ProjectProblem> {
    let raw = match request.fetch(Attribute::Authority) {
        Fetched::Present(raw) => raw,
        Fetched::Absent => return Err(ProjectProblem::Missing),
        Fetched::Unavailable => return Err(ProjectProblem::HostUnavailable),
    };
    let text = std::str::from_utf8(trim_ows(&raw)).map_err(|_| ProjectProblem::NotASubdomain)?;
    let (host, _port) = parse_authority(text).map_err(|_| ProjectProblem::NotASubdomain)?;
    if host.kind != HostKind::Name {
        return Err(ProjectProblem::NotASubdomain);
    }
    let label = host
        .text
        .strip_suffix(suffix)
        .and_then(|front| front.strip_suffix('.'))
        .filter(|label| !label.is_empty() && !label.contains('.'))
        .ok_or(ProjectProblem::NotASubdomain)?;
    Ok(label.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::simulated_request::SimulatedRequest;

    fn directory(source: ProjectSource) -> ProjectDirectory {
        let mut directory = ProjectDirectory::new(source, UnknownProject::Deny);
        directory.add("checkout-web", 0);
        directory.add("partner-sync", 1);
        directory
    }

    fn find(directory: &ProjectDirectory, lines: &[(&str, &str)]) -> Result<u32, ProjectProblem> {
        let mut request = SimulatedRequest::default();
        for (name, value) in lines {
            request.add_line(name, value);
        }
        directory.find(&mut request)
    }

    #[test]
    fn ids_are_short_and_plain() {
        for id in ["a", "checkout-web", "team:app.v2_x", &"a".repeat(128)] {
            assert!(is_project_id(id), "{id}");
        }
        for id in ["", "a b", "a,b", "a/b", "é", &"a".repeat(129), "a\0"] {
            assert!(!is_project_id(id), "{id:?}");
        }
    }

    #[test]
    fn from_a_header_every_line_counts() {
        let d = directory(ProjectSource::Header("x-project-id".into()));
        assert_eq!(find(&d, &[("X-Project-Id", " partner-sync ")]), Ok(1));
        assert_eq!(find(&d, &[]), Err(ProjectProblem::Missing));
        assert_eq!(
            find(
                &d,
                &[
                    ("x-project-id", "checkout-web"),
                    ("x-project-id", "partner-sync")
                ]
            ),
            Err(ProjectProblem::SeveralValues)
        );
        assert_eq!(
            find(&d, &[("x-project-id", "nope")]),
            Err(ProjectProblem::NotListed("nope".into()))
        );
        assert_eq!(
            find(&d, &[("x-project-id", "a b")]),
            Err(ProjectProblem::Malformed)
        );
        assert_eq!(
            find(&d, &[("x-project-id", "Checkout-Web")]),
            Err(ProjectProblem::NotListed("Checkout-Web".into())),
            "ids are exact"
        );
    }

    #[test]
    fn from_metadata_exactly_as_written() {
        let d = directory(ProjectSource::Metadata {
            namespace: "example.auth".into(),
            key: "project".into(),
        });
        let mut request = SimulatedRequest::default();
        request.set_metadata("example.auth", "project", "checkout-web");
        assert_eq!(d.find(&mut request), Ok(0));
        let mut other = SimulatedRequest::default();
        other.set_metadata("example.auth", "tenant", "checkout-web");
        assert_eq!(d.find(&mut other), Err(ProjectProblem::Missing));
        let mut number = SimulatedRequest::default();
        // Envoy hands a number over as its 8 bytes.
        number.set_metadata("example.auth", "project", [0, 0, 0, 0, 0, 0, 20, 64]);
        assert_eq!(d.find(&mut number), Err(ProjectProblem::Malformed));
    }

    #[test]
    fn from_the_host_one_label_in_front_of_the_suffix() {
        let d = directory(ProjectSource::SubdomainOf("api.example.com".into()));
        let host = |h: &str| find(&d, &[("Host", h)]);
        assert_eq!(host("checkout-web.api.example.com"), Ok(0));
        assert_eq!(host("PARTNER-SYNC.Api.Example.com.:8443"), Ok(1));
        assert_eq!(
            host("a.checkout-web.api.example.com"),
            Err(ProjectProblem::NotASubdomain)
        );
        assert_eq!(host("api.example.com"), Err(ProjectProblem::NotASubdomain));
        assert_eq!(
            host("checkout-web.api.example.com.evil.net"),
            Err(ProjectProblem::NotASubdomain)
        );
        assert_eq!(
            host("checkout-webapi.example.com"),
            Err(ProjectProblem::NotASubdomain)
        );
        assert_eq!(host("[::1]"), Err(ProjectProblem::NotASubdomain));
        assert_eq!(
            host("other.api.example.com"),
            Err(ProjectProblem::NotListed("other".into()))
        );
    }
}

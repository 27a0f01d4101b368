//! A loaded policy: each project's rules (one project for a configuration
//! without `projects`), every project's entries compiled into shared lookup
//! tables, and the settings all projects share.

use std::fmt;

use smol_str::SmolStr;

use super::calling_site::DomainSource;
use super::client_ip::ClientIpSource;
use super::config::count;
use super::domain_table::DomainTable;
use super::ip_table::{IpTable, PrefixLengths};
use super::projects::{ProjectDirectory, UnknownProject};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    And,
    Or,
}

impl Condition {
    pub fn as_str(self) -> &'static str {
        match self {
            Condition::And => "and",
            Condition::Or => "or",
        }
    }
}

/// An allowlist entry as the user wrote it, for reports and logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedEntry {
    // Inline up to 23 bytes: a decision record reads the entry's label
    // without another trip to memory (it counts with many projects).
    pub name: Option<SmolStr>,
    pub value: SmolStr,
}

impl ListedEntry {
    pub fn new(name: Option<&str>, value: &str) -> Self {
        ListedEntry {
            name: name.map(SmolStr::new),
            value: SmolStr::new(value),
        }
    }

    /// How records and logs name it: its `name`, or the entry itself.
    pub fn label(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.value)
    }
}

/// A project's entries: a run of the policy's entry list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntrySpan {
    pub first: u32,
    pub count: u32,
}

/// A Domain allowlist in mode `listed`.
#[derive(Debug)]
pub struct DomainRules {
    pub entries: EntrySpan,
    /// Whether any entry is a wildcard (else the wildcard table is skipped).
    pub wildcards: bool,
    /// Observed, not enforced: failures are counted and logged only.
    pub dry_run: bool,
}

/// A Source IP allowlist in mode `listed`.
#[derive(Debug)]
pub struct IpRules {
    pub entries: EntrySpan,
    pub lengths: PrefixLengths,
    pub dry_run: bool,
}

/// Lists in mode `all` that a dry run observes: their value is read and
/// recorded for the access log (what `proxy-allowlist suggest` proposes
/// entries from), and judges nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Observed {
    pub site: bool,
    pub client: bool,
}

/// One project's Security settings. A list in mode `listed` is `Some`;
/// mode `all` is `None`.
#[derive(Debug)]
pub struct ProjectRules {
    /// The project id; empty for a configuration without `projects`.
    pub id: SmolStr,
    pub domains: Option<DomainRules>,
    pub source_ips: Option<IpRules>,
    pub condition: Condition,
    pub observed: Observed,
}

impl ProjectRules {
    pub fn enforces_anything(&self) -> bool {
        self.domains.is_some() || self.source_ips.is_some()
    }
}

/// One project, or many and how a request names its own.
#[derive(Debug)]
pub enum ProjectScope {
    Single,
    Directory(ProjectDirectory),
}

/// Which decisions are written to the request's filter state for access logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum RecordDecisions {
    All,
    /// Denials and dry-run denials only: one host call less per allowed request.
    Denied,
}

#[derive(Debug)]
pub struct Policy {
    pub scope: ProjectScope,
    /// Every project's rules; the only one at index 0 without `projects`.
    pub projects: Vec<ProjectRules>,
    pub domain_table: DomainTable,
    pub ip_table: IpTable,
    /// Every project's entries as written, in the order of their spans.
    pub domain_entries: Vec<ListedEntry>,
    pub ip_entries: Vec<ListedEntry>,
    pub domain_sources: Vec<DomainSource>,
    pub client_ip: ClientIpSource,
    /// Every list observed, none enforced.
    pub dry_run: bool,
    /// 403, or 404 for APIs that must not reveal they exist.
    pub deny_status: u16,
    /// Let the calling page read a denial: `Access-Control-Allow-Origin` on the 403.
    pub cors_expose_denials: bool,
    pub record_decisions: RecordDecisions,
}

impl Policy {
    pub fn enforces_anything(&self) -> bool {
        let unknown_denied = matches!(
            &self.scope,
            ProjectScope::Directory(directory) if directory.unknown == UnknownProject::Deny
        );
        unknown_denied || self.projects.iter().any(ProjectRules::enforces_anything)
    }

    /// The rules of the project with this id (`""` without `projects`).
    pub fn project(&self, id: &str) -> Option<&ProjectRules> {
        match &self.scope {
            ProjectScope::Single => self.projects.first().filter(|_| id.is_empty()),
            ProjectScope::Directory(directory) => {
                let index = directory.index_of(id)?;
                self.projects.get(usize::try_from(index).ok()?)
            }
        }
    }

    /// The rules that judged a request, when its project is known.
    pub fn rules_of(&self, project: &super::decision::ProjectOutcome) -> Option<&ProjectRules> {
        match project {
            super::decision::ProjectOutcome::Single => self.projects.first(),
            super::decision::ProjectOutcome::Known(index) => {
                self.projects.get(usize::try_from(*index).ok()?)
            }
            super::decision::ProjectOutcome::Unknown(_) => None,
        }
    }

    /// Domain entry `index` (of the whole policy), as a decision reports it.
    pub fn domain_entry(&self, index: u32) -> Option<&ListedEntry> {
        self.domain_entries.get(usize::try_from(index).ok()?)
    }

    /// Source IP entry `index` (of the whole policy), as a decision reports it.
    pub fn source_ip_entry(&self, index: u32) -> Option<&ListedEntry> {
        self.ip_entries.get(usize::try_from(index).ok()?)
    }

    fn shared_settings(&self) -> String {
        let sources: Vec<&str> = self.domain_sources.iter().map(|s| s.as_str()).collect();
        format!(
            "domain_sources: {}, client_ip: {}, deny_status: {}",
            sources.join(","),
            self.client_ip.describe(),
            self.deny_status
        )
    }
}

impl ProjectRules {
    /// `domains: listed (2 entries), source_ips: all, condition: and`.
    pub fn summary(&self, policy_dry_run: bool) -> String {
        let describe = |list: Option<(EntrySpan, bool)>| match list {
            Some((span, dry_run)) => format!(
                "listed ({}{})",
                count(span.count as usize, "entry", "entries"),
                if dry_run || policy_dry_run {
                    ", dry run"
                } else {
                    ""
                }
            ),
            None => "all".to_string(),
        };
        format!(
            "domains: {}, source_ips: {}, condition: {}",
            describe(self.domains.as_ref().map(|l| (l.entries, l.dry_run))),
            describe(self.source_ips.as_ref().map(|l| (l.entries, l.dry_run))),
            self.condition.as_str(),
        )
    }
}

/// One line that says what a policy enforces, for the load log.
impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.scope, self.projects.first()) {
            (ProjectScope::Single, Some(project)) => write!(
                f,
                "{}, {}",
                project.summary(self.dry_run),
                self.shared_settings()
            ),
            (ProjectScope::Single, None) => write!(f, "no rules, {}", self.shared_settings()),
            (ProjectScope::Directory(directory), _) => {
                let listed = |has: fn(&ProjectRules) -> bool| {
                    self.projects.iter().filter(|p| has(p)).count()
                };
                write!(
                    f,
                    "{} from {}, unknown: {}; {} with listed domains ({}), {} with listed source IPs ({}); {}",
                    count(self.projects.len(), "project", "projects"),
                    directory.source.describe(),
                    match directory.unknown {
                        UnknownProject::Deny => "deny",
                        UnknownProject::Allow => "allow",
                    },
                    listed(|p| p.domains.is_some()),
                    count(self.domain_entries.len(), "entry", "entries"),
                    listed(|p| p.source_ips.is_some()),
                    count(self.ip_entries.len(), "entry", "entries"),
                    self.shared_settings()
                )
            }
        }
    }
}

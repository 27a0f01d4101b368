//! A loaded policy: the two allowlists compiled for lookup, the condition
//! that combines them and where the calling site is read from.

use std::fmt;

use super::calling_site::DomainSource;
use super::client_ip::ClientIpSource;
use super::config::count;
use super::domain_set::DomainSet;
use super::ip_set::IpSet;

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
    pub name: Option<String>,
    pub value: String,
}

impl ListedEntry {
    pub fn new(name: Option<&str>, value: &str) -> Self {
        ListedEntry {
            name: name.map(str::to_string),
            value: value.to_string(),
        }
    }
}

#[derive(Debug)]
pub struct DomainList {
    pub entries: Vec<ListedEntry>,
    pub set: DomainSet,
    /// Observed, not enforced: failures are counted and logged only.
    pub dry_run: bool,
}

#[derive(Debug)]
pub struct IpList {
    pub entries: Vec<ListedEntry>,
    pub set: IpSet,
    pub dry_run: bool,
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

/// A list in mode `listed` is `Some`; mode `all` is `None`.
#[derive(Debug)]
pub struct Policy {
    pub domains: Option<DomainList>,
    pub source_ips: Option<IpList>,
    pub condition: Condition,
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

impl Default for Policy {
    /// Allow everything, as the product does before a list is enabled.
    fn default() -> Self {
        Policy {
            domains: None,
            source_ips: None,
            condition: Condition::And,
            domain_sources: vec![DomainSource::Origin, DomainSource::Referer],
            client_ip: ClientIpSource::SourceAddress,
            dry_run: false,
            deny_status: 403,
            cors_expose_denials: false,
            record_decisions: RecordDecisions::All,
        }
    }
}

impl Policy {
    pub fn enforces_anything(&self) -> bool {
        self.domains.is_some() || self.source_ips.is_some()
    }

    /// Entry `index` of the Domain allowlist, as a decision reports it.
    pub fn domain_entry(&self, index: usize) -> Option<&ListedEntry> {
        self.domains.as_ref()?.entries.get(index)
    }

    /// Entry `index` of the Source IP allowlist, as a decision reports it.
    pub fn source_ip_entry(&self, index: usize) -> Option<&ListedEntry> {
        self.source_ips.as_ref()?.entries.get(index)
    }
}

/// One line that says what a policy enforces, for the load log.
impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let describe = |list: Option<(&Vec<ListedEntry>, bool)>| match list {
            Some((entries, dry_run)) => format!(
                "listed ({}{})",
                count(entries.len(), "entry", "entries"),
                if dry_run || self.dry_run {
                    ", dry run"
                } else {
                    ""
                }
            ),
            None => "all".to_string(),
        };
        let sources: Vec<&str> = self.domain_sources.iter().map(|s| s.as_str()).collect();
        write!(
            f,
            "domains: {}, source_ips: {}, condition: {}, domain_sources: {}, client_ip: {}, deny_status: {}",
            describe(self.domains.as_ref().map(|l| (&l.entries, l.dry_run))),
            describe(self.source_ips.as_ref().map(|l| (&l.entries, l.dry_run))),
            self.condition.as_str(),
            sources.join(","),
            self.client_ip.describe(),
            self.deny_status
        )
    }
}

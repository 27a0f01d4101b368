//! A loaded policy: the two allowlists compiled for lookup, the condition
//! that combines them and where the calling site is read from.

use std::fmt;

use super::calling_site::DomainSource;
use super::client_ip::ClientIpSource;
use super::domain_set::DomainSet;
use super::ip_set::IpSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

#[derive(Debug)]
pub struct DomainList {
    pub entries: Vec<ListedEntry>,
    pub set: DomainSet,
}

#[derive(Debug)]
pub struct IpList {
    pub entries: Vec<ListedEntry>,
    pub set: IpSet,
}

/// A list in mode `listed` is `Some`; mode `all` is `None`.
#[derive(Debug)]
pub struct Policy {
    pub domains: Option<DomainList>,
    pub source_ips: Option<IpList>,
    pub condition: Condition,
    pub domain_sources: Vec<DomainSource>,
    pub client_ip: ClientIpSource,
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
        let describe = |entries: Option<&Vec<ListedEntry>>| match entries {
            Some(entries) => format!("listed ({})", count(entries.len(), "entry", "entries")),
            None => "all".to_string(),
        };
        let sources: Vec<&str> = self.domain_sources.iter().map(|s| s.as_str()).collect();
        write!(
            f,
            "domains: {}, source_ips: {}, condition: {}, domain_sources: {}, client_ip: {}",
            describe(self.domains.as_ref().map(|l| &l.entries)),
            describe(self.source_ips.as_ref().map(|l| &l.entries)),
            self.condition.as_str(),
            sources.join(","),
            self.client_ip.describe()
        )
    }
}

/// `1 entry`, `2 entries`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

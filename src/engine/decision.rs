//! Judging one request against a policy.

use super::calling_site::{read_calling_site, DomainSource, SiteReading};
use super::client_ip::{ClientIp, ClientIpSource};
use super::policy::{Condition, DomainList, IpList, Policy};
use super::request::RequestValues;

/// Which check failed, and so which message the 403 carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DenyReason {
    Domain,
    SourceIp,
    /// Both failed under `and`.
    DomainAndSourceIp,
    /// Both failed under `or`.
    DomainOrSourceIp,
}

impl DenyReason {
    pub fn as_str(self) -> &'static str {
        match self {
            DenyReason::Domain => "domain",
            DenyReason::SourceIp => "source_ip",
            DenyReason::DomainAndSourceIp | DenyReason::DomainOrSourceIp => "both",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainCheck {
    pub site: SiteReading,
    /// Index into the Domain allowlist of the entry that allowed the site.
    pub matched: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpCheck {
    pub client: ClientIp,
    /// Index into the Source IP allowlist of the entry that allowed the client.
    pub matched: Option<usize>,
}

/// The verdict and the checks behind it. A check is `None` when its list
/// is in mode `all`, or when `or` did not need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The enforced denial.
    pub denied: Option<DenyReason>,
    /// A denial that dry run kept from being enforced; the request continues.
    pub dry_run_denied: Option<DenyReason>,
    pub domain: Option<DomainCheck>,
    pub source_ip: Option<IpCheck>,
}

impl Decision {
    pub fn allowed(&self) -> bool {
        self.denied.is_none()
    }
}

impl Policy {
    /// Judges a request. The source IP is checked first: it is one value,
    /// and under `or` a match makes the calling site unnecessary (unless the
    /// IP list is only observed while the domain list is enforced).
    pub fn evaluate(&self, request: &mut impl RequestValues) -> Decision {
        let ip_enforced = !self.dry_run && self.source_ips.as_ref().is_some_and(|l| !l.dry_run);
        let domain_enforced = !self.dry_run && self.domains.as_ref().is_some_and(|l| !l.dry_run);
        let source_ip = self
            .source_ips
            .as_ref()
            .map(|list| check_source_ip(list, &self.client_ip, request));
        let ip_ok = source_ip.as_ref().map(|check| check.matched.is_some());
        let domain_needed = !(self.condition == Condition::Or
            && ip_ok == Some(true)
            && (ip_enforced || !domain_enforced));
        let domain = match &self.domains {
            Some(list) if domain_needed => Some(check_domain(list, &self.domain_sources, request)),
            _ => None,
        };
        let domain_ok = domain.as_ref().map(|check| check.matched.is_some());
        let denied = verdict(
            domain_ok.filter(|_| domain_enforced),
            ip_ok.filter(|_| ip_enforced),
            self.condition,
        );
        let observed = verdict(domain_ok, ip_ok, self.condition);
        Decision {
            denied,
            dry_run_denied: if denied.is_none() { observed } else { None },
            domain,
            source_ip,
        }
    }
}

/// Combines the two checks; `None` is a list that does not take part.
fn verdict(
    domain_ok: Option<bool>,
    ip_ok: Option<bool>,
    condition: Condition,
) -> Option<DenyReason> {
    match (domain_ok, ip_ok, condition) {
        (Some(false), Some(false), Condition::And) => Some(DenyReason::DomainAndSourceIp),
        (Some(false), Some(false), Condition::Or) => Some(DenyReason::DomainOrSourceIp),
        (Some(false), Some(true) | None, Condition::And) | (Some(false), None, Condition::Or) => {
            Some(DenyReason::Domain)
        }
        (Some(true) | None, Some(false), Condition::And) | (None, Some(false), Condition::Or) => {
            Some(DenyReason::SourceIp)
        }
        _ => None,
    }
}

fn check_source_ip(
    list: &IpList,
    source: &ClientIpSource,
    request: &mut impl RequestValues,
) -> IpCheck {
    let client = source.resolve(request);
    let matched = client
        .address
        .as_ref()
        .ok()
        .and_then(|addr| list.set.find(*addr));
    IpCheck { client, matched }
}

fn check_domain(
    list: &DomainList,
    sources: &[DomainSource],
    request: &mut impl RequestValues,
) -> DomainCheck {
    let site = read_calling_site(sources, request);
    let matched = match &site {
        SiteReading::Usable { site, .. } => list.set.find(site),
        _ => None,
    };
    DomainCheck { site, matched }
}

//! Judging one request against a policy: find its project, then apply that
//! project's rules.

use super::calling_site::{read_calling_site, SiteReading};
use super::client_ip::ClientIp;
use super::policy::{Condition, DomainRules, IpRules, Policy, ProjectRules, ProjectScope};
use super::projects::{ProjectProblem, UnknownProject};
use super::request::RequestValues;

/// Which check failed, and so which message the 403 carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DenyReason {
    Domain,
    /// The address failed; under `and` this ends the judging, so the reply
    /// (and a dry run predicting it) names the address even when the calling
    /// site would have failed too.
    SourceIp,
    /// Both failed under `or`.
    DomainOrSourceIp,
    /// The request's project could not be determined (`projects.unknown: deny`).
    UnknownProject,
}

impl DenyReason {
    pub fn as_str(self) -> &'static str {
        match self {
            DenyReason::Domain => "domain",
            DenyReason::SourceIp => "source_ip",
            DenyReason::DomainOrSourceIp => "both",
            DenyReason::UnknownProject => "unknown_project",
        }
    }
}

/// Whose rules judged the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProjectOutcome {
    /// A configuration without `projects`.
    Single,
    /// The project at this index of the policy.
    Known(u32),
    Unknown(ProjectProblem),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainCheck {
    pub site: SiteReading,
    /// The policy's index of the entry that allowed the site.
    pub matched: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpCheck {
    pub client: ClientIp,
    /// The policy's index of the entry that allowed the client.
    pub matched: Option<u32>,
}

/// The verdict and the checks behind it. A check is `None` when its list
/// is in mode `all` (and no dry run observes it), when the other list
/// already decided, or when the project is unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub project: ProjectOutcome,
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
    /// Judges a request: finds its project (when there are several), then
    /// applies that project's rules.
    pub fn evaluate(&self, request: &mut impl RequestValues) -> Decision {
        let (outcome, index) = match &self.scope {
            ProjectScope::Single => (ProjectOutcome::Single, 0),
            ProjectScope::Directory(directory) => match directory.find(request) {
                Ok(index) => (ProjectOutcome::Known(index), index),
                Err(problem) => return self.unknown_project(directory.unknown, problem),
            },
        };
        match self.projects.get(index as usize) {
            Some(rules) => self.apply(rules, outcome, request),
            // Not expected: every index the directory hands out has rules.
            None => self.unknown_project(UnknownProject::Deny, ProjectProblem::Missing),
        }
    }

    fn unknown_project(&self, unknown: UnknownProject, problem: ProjectProblem) -> Decision {
        let deny = (unknown == UnknownProject::Deny).then_some(DenyReason::UnknownProject);
        Decision {
            project: ProjectOutcome::Unknown(problem),
            denied: deny.filter(|_| !self.dry_run),
            dry_run_denied: deny.filter(|_| self.dry_run),
            domain: None,
            source_ip: None,
        }
    }

    /// One project's rules. The source IP is checked first: it is one value,
    /// and under `or` a match makes the calling site unnecessary (unless the
    /// IP list is only observed while the domain list is enforced).
    fn apply(
        &self,
        rules: &ProjectRules,
        project: ProjectOutcome,
        request: &mut impl RequestValues,
    ) -> Decision {
        let index = match project {
            ProjectOutcome::Known(index) => index,
            _ => 0,
        };
        let ip_enforced = !self.dry_run && rules.source_ips.as_ref().is_some_and(|l| !l.dry_run);
        let domain_enforced = !self.dry_run && rules.domains.as_ref().is_some_and(|l| !l.dry_run);
        let source_ip = match &rules.source_ips {
            Some(list) => Some(self.check_source_ip(index, list, request)),
            None if rules.observed.client => Some(IpCheck {
                client: self.client_ip.resolve(request),
                matched: None,
            }),
            None => None,
        };
        // An observed list in mode `all` judges nothing.
        let ip_ok = (rules.source_ips.as_ref())
            .and(source_ip.as_ref())
            .map(|check| check.matched.is_some());
        // The calling site is not read when the address already decided:
        // under `or` an enforced match allows (as does any match while the
        // domain list is only observed); under `and` an enforced mismatch
        // denies, and the reply names the list that failed. A flood of
        // denied callers costs one host call less each.
        let domain_needed = match rules.condition {
            Condition::Or => !(ip_ok == Some(true) && (ip_enforced || !domain_enforced)),
            Condition::And => !(ip_ok == Some(false) && ip_enforced),
        };
        let domain = match &rules.domains {
            Some(list) if domain_needed => Some(self.check_domain(index, list, request)),
            None if rules.observed.site => Some(DomainCheck {
                site: read_calling_site(&self.domain_sources, request),
                matched: None,
            }),
            _ => None,
        };
        let domain_ok = (rules.domains.as_ref())
            .and(domain.as_ref())
            .map(|check| check.matched.is_some());
        let denied = verdict(
            domain_ok.filter(|_| domain_enforced),
            ip_ok.filter(|_| ip_enforced),
            rules.condition,
        );
        let observed = verdict(domain_ok, ip_ok, rules.condition);
        Decision {
            project,
            denied,
            dry_run_denied: if denied.is_none() { observed } else { None },
            domain,
            source_ip,
        }
    }

    fn check_source_ip(
        &self,
        project: u32,
        list: &IpRules,
        request: &mut impl RequestValues,
    ) -> IpCheck {
        let client = self.client_ip.resolve(request);
        let matched = client
            .address
            .as_ref()
            .ok()
            .and_then(|addr| self.ip_table.find(project, &list.lengths, *addr));
        IpCheck { client, matched }
    }

    fn check_domain(
        &self,
        project: u32,
        list: &DomainRules,
        request: &mut impl RequestValues,
    ) -> DomainCheck {
        let site = read_calling_site(&self.domain_sources, request);
        let matched = match &site {
            SiteReading::Usable { site, .. } => {
                self.domain_table.find(project, site, list.wildcards)
            }
            _ => None,
        };
        DomainCheck { site, matched }
    }
}

/// Combines the two checks; `None` is a list that does not take part.
fn verdict(
    domain_ok: Option<bool>,
    ip_ok: Option<bool>,
    condition: Condition,
) -> Option<DenyReason> {
    match (domain_ok, ip_ok, condition) {
        (_, Some(false), Condition::And) | (None, Some(false), Condition::Or) => {
            Some(DenyReason::SourceIp)
        }
        (Some(false), Some(false), Condition::Or) => Some(DenyReason::DomainOrSourceIp),
        (Some(false), Some(true) | None, Condition::And) | (Some(false), None, Condition::Or) => {
            Some(DenyReason::Domain)
        }
        _ => None,
    }
}

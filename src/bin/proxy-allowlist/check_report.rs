//! The JSON that `check` prints: the decision and everything behind it.

use std::collections::BTreeMap;

use serde::Serialize;

use proxy_allowlist::engine::{
    Decision, Diagnosis, EntrySpan, ListedEntry, LocalReply, Policy, ProjectOutcome, ProjectScope,
    SiteReading,
};

#[derive(Serialize)]
pub struct CheckReport<'a> {
    /// allow, deny, or dry_run_deny (denied by an observed list: the request continues).
    decision: &'static str,
    reason: Option<&'static str>,
    /// The line the filter writes for access logs.
    record: String,
    /// Whose rules judged the request (configurations with `projects`).
    #[serde(skip_serializing_if = "Option::is_none")]
    project: Option<ProjectReport>,
    /// How each list judged: allowed, denied, not enforced (mode all) or
    /// not needed (`or` was already satisfied).
    checks: Checks,
    calling_site: Option<SiteReport>,
    client_ip: Option<AddressReport>,
    matched: Matched<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    headers: Option<BTreeMap<&'static str, String>>,
    /// JSON when the body is JSON, else the text (empty for deny_status 404).
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<serde_json::Value>,
    /// Envoy's response code details, as the access log shows them.
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<String>,
    /// A sign that the client address is a proxy's, as the filter warns.
    #[serde(skip_serializing_if = "Option::is_none")]
    diagnosis: Option<String>,
}

#[derive(Serialize)]
struct ProjectReport {
    /// Where the id was read: `header x-project-id`, `subdomain of api.example.com`...
    from: String,
    id: Option<String>,
    /// Why the project is unknown.
    problem: Option<String>,
}

#[derive(Serialize)]
struct Checks {
    domain: &'static str,
    source_ip: &'static str,
}

#[derive(Serialize)]
struct SiteReport {
    /// The header the calling site was read from; null when none was present.
    source: Option<&'static str>,
    site: Option<String>,
    problem: Option<String>,
}

#[derive(Serialize)]
struct AddressReport {
    address: Option<String>,
    /// Why this address: which source, how many trusted hops were walked.
    how: Option<String>,
    problem: Option<String>,
}

#[derive(Serialize)]
struct Matched<'a> {
    domain: Option<EntryReport<'a>>,
    source_ip: Option<EntryReport<'a>>,
}

#[derive(Serialize)]
struct EntryReport<'a> {
    /// Its position in the project's list.
    index: u32,
    name: Option<&'a str>,
    entry: &'a str,
}

impl<'a> CheckReport<'a> {
    pub fn new(policy: &'a Policy, decision: &Decision, reply: Option<&LocalReply>) -> Self {
        let domain_match = decision.domain.as_ref().and_then(|c| c.matched);
        let ip_match = decision.source_ip.as_ref().and_then(|c| c.matched);
        let rules = policy.rules_of(&decision.project);
        let domain_span = rules.and_then(|r| r.domains.as_ref()).map(|l| l.entries);
        let ip_span = rules.and_then(|r| r.source_ips.as_ref()).map(|l| l.entries);
        CheckReport {
            decision: match (decision.denied, decision.dry_run_denied) {
                (Some(_), _) => "deny",
                (None, Some(_)) => "dry_run_deny",
                (None, None) => "allow",
            },
            reason: decision
                .denied
                .or(decision.dry_run_denied)
                .map(|r| r.as_str()),
            record: decision.record(policy),
            project: project_report(policy, &decision.project),
            checks: Checks {
                domain: outcome(
                    rules.map(|r| r.domains.is_some()),
                    decision.domain.as_ref().map(|c| c.matched.is_some()),
                ),
                source_ip: outcome(
                    rules.map(|r| r.source_ips.is_some()),
                    decision.source_ip.as_ref().map(|c| c.matched.is_some()),
                ),
            },
            calling_site: decision
                .domain
                .as_ref()
                .map(|check| site_report(&check.site)),
            client_ip: decision.source_ip.as_ref().map(|check| AddressReport {
                address: check.client.address.as_ref().ok().map(ToString::to_string),
                how: check.client.how.map(|how| how.to_string()),
                problem: check
                    .client
                    .address
                    .as_ref()
                    .err()
                    .map(|problem| format!("the client address is unknown: {problem}")),
            }),
            matched: Matched {
                domain: domain_match
                    .and_then(|i| entry_report(i, domain_span, policy.domain_entry(i))),
                source_ip: ip_match
                    .and_then(|i| entry_report(i, ip_span, policy.source_ip_entry(i))),
            },
            status: reply.map(|r| r.status),
            headers: reply.map(|r| r.headers.iter().cloned().collect()),
            body: reply.map(|r| {
                serde_json::from_str(r.body)
                    .unwrap_or_else(|_| serde_json::Value::String(r.body.to_string()))
            }),
            details: reply.map(|r| r.details_with_record(&decision.record(policy))),
            diagnosis: None,
        }
    }

    pub fn with_diagnosis(self, diagnosis: Option<Diagnosis>) -> Self {
        CheckReport {
            diagnosis: diagnosis.map(|d| d.to_string()),
            ..self
        }
    }
}

/// `enforced` is `None` when no project's rules applied.
fn outcome(enforced: Option<bool>, matched: Option<bool>) -> &'static str {
    match (enforced, matched) {
        (None, _) => "not judged: the project is unknown",
        (Some(false), _) => "not enforced",
        (Some(true), None) => "not needed",
        (Some(true), Some(true)) => "allowed",
        (Some(true), Some(false)) => "denied",
    }
}

fn project_report(policy: &Policy, project: &ProjectOutcome) -> Option<ProjectReport> {
    let ProjectScope::Directory(directory) = &policy.scope else {
        return None;
    };
    let from = directory.source.describe();
    Some(match project {
        ProjectOutcome::Single => return None,
        ProjectOutcome::Known(_) => ProjectReport {
            from,
            id: policy.rules_of(project).map(|rules| rules.id.to_string()),
            problem: None,
        },
        ProjectOutcome::Unknown(problem) => ProjectReport {
            from,
            id: None,
            problem: Some(format!("the project is unknown: {problem}")),
        },
    })
}

fn site_report(reading: &SiteReading) -> SiteReport {
    match reading {
        SiteReading::Missing => SiteReport {
            source: None,
            site: None,
            problem: Some("none of the domain_sources headers is on the request".into()),
        },
        SiteReading::Unusable { source, reason } => SiteReport {
            source: Some(source.as_str()),
            site: None,
            problem: Some(format!(
                "the {} value is unusable: {reason}",
                source.as_str()
            )),
        },
        SiteReading::Usable { source, site } => SiteReport {
            source: Some(source.as_str()),
            site: Some(site.to_string()),
            problem: None,
        },
    }
}

fn entry_report(
    index: u32,
    span: Option<EntrySpan>,
    entry: Option<&ListedEntry>,
) -> Option<EntryReport<'_>> {
    entry.map(|entry| EntryReport {
        index: index.saturating_sub(span.map_or(0, |s| s.first)),
        name: entry.name.as_deref(),
        entry: &entry.value,
    })
}

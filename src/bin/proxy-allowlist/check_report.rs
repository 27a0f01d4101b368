//! The JSON that `check` prints: the decision and everything behind it.

use std::collections::BTreeMap;

use serde::Serialize;

use proxy_allowlist::engine::{
    Decision, ListedEntry, Policy, SiteReading, DENY_HEADERS, DENY_STATUS,
};

#[derive(Serialize)]
pub struct CheckReport<'a> {
    decision: &'static str,
    reason: Option<&'static str>,
    /// How each list judged: allowed, denied, not enforced (mode all) or
    /// not needed (`or` was already satisfied).
    checks: Checks,
    calling_site: Option<SiteReport>,
    client_ip: Option<AddressReport>,
    matched: Matched<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    headers: Option<BTreeMap<&'static str, &'static str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<serde_json::Value>,
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
    index: usize,
    name: Option<&'a str>,
    entry: &'a str,
}

impl<'a> CheckReport<'a> {
    pub fn new(policy: &'a Policy, decision: &Decision) -> Self {
        let domain_match = decision.domain.as_ref().and_then(|c| c.matched);
        let ip_match = decision.source_ip.as_ref().and_then(|c| c.matched);
        CheckReport {
            decision: if decision.allowed() { "allow" } else { "deny" },
            reason: decision.denied.map(|r| r.as_str()),
            checks: Checks {
                domain: outcome(
                    policy.domain_entry(0).is_some(),
                    decision.domain.as_ref().map(|c| c.matched.is_some()),
                ),
                source_ip: outcome(
                    policy.source_ip_entry(0).is_some(),
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
                domain: domain_match.and_then(|i| entry_report(i, policy.domain_entry(i))),
                source_ip: ip_match.and_then(|i| entry_report(i, policy.source_ip_entry(i))),
            },
            status: decision.denied.map(|_| DENY_STATUS),
            headers: decision
                .denied
                .map(|_| DENY_HEADERS.iter().copied().collect()),
            body: decision
                .denied
                .and_then(|r| serde_json::from_str(&r.body()).ok()),
        }
    }
}

fn outcome(enforced: bool, matched: Option<bool>) -> &'static str {
    match (enforced, matched) {
        (false, _) => "not enforced",
        (true, None) => "not needed",
        (true, Some(true)) => "allowed",
        (true, Some(false)) => "denied",
    }
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

fn entry_report(index: usize, entry: Option<&ListedEntry>) -> Option<EntryReport<'_>> {
    entry.map(|entry| EntryReport {
        index,
        name: entry.name.as_deref(),
        entry: &entry.value,
    })
}

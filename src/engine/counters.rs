//! The filter's counters: fixed names, so cardinality stays bounded (no
//! per-origin or per-address names), and which of them a decision counts.

use super::calling_site::SiteReading;
use super::decision::{Decision, DenyReason, ProjectOutcome};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counter {
    Allowed,
    DeniedDomain,
    DeniedSourceIp,
    DeniedBoth,
    DryRunDeniedDomain,
    DryRunDeniedSourceIp,
    DryRunDeniedBoth,
    DeniedUnknownProject,
    DryRunDeniedUnknownProject,
    ProjectUnknown,
    CallingSiteUnusable,
    ClientAddressUnknown,
    /// A sampled request judged by `source_address` came through a proxy.
    ClientAddressLooksLikeProxy,
    PoliciesLoaded,
    PoliciesRejected,
}

impl Counter {
    pub const ALL: [Counter; 15] = [
        Counter::Allowed,
        Counter::DeniedDomain,
        Counter::DeniedSourceIp,
        Counter::DeniedBoth,
        Counter::DryRunDeniedDomain,
        Counter::DryRunDeniedSourceIp,
        Counter::DryRunDeniedBoth,
        Counter::DeniedUnknownProject,
        Counter::DryRunDeniedUnknownProject,
        Counter::ProjectUnknown,
        Counter::CallingSiteUnusable,
        Counter::ClientAddressUnknown,
        Counter::ClientAddressLooksLikeProxy,
        Counter::PoliciesLoaded,
        Counter::PoliciesRejected,
    ];

    /// The name after `proxy_allowlist.<plugin name>.`.
    pub fn name(self) -> &'static str {
        match self {
            Counter::Allowed => "allowed",
            Counter::DeniedDomain => "denied.domain",
            Counter::DeniedSourceIp => "denied.source_ip",
            Counter::DeniedBoth => "denied.both",
            Counter::DryRunDeniedDomain => "dry_run_denied.domain",
            Counter::DryRunDeniedSourceIp => "dry_run_denied.source_ip",
            Counter::DryRunDeniedBoth => "dry_run_denied.both",
            Counter::DeniedUnknownProject => "denied.unknown_project",
            Counter::DryRunDeniedUnknownProject => "dry_run_denied.unknown_project",
            Counter::ProjectUnknown => "project_unknown",
            Counter::CallingSiteUnusable => "calling_site_unusable",
            Counter::ClientAddressUnknown => "client_address_unknown",
            Counter::ClientAddressLooksLikeProxy => "client_address_looks_like_proxy",
            Counter::PoliciesLoaded => "policies_loaded",
            Counter::PoliciesRejected => "policies_rejected",
        }
    }

    /// Its position in [`Counter::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The full stat name; Envoy adds its own `wasmcustom.` prefix.
    pub fn stat_name(self, plugin: &str) -> String {
        format!("{}{}", stat_prefix(plugin), self.name())
    }
}

/// What every stat name of a plugin (or native filter) starts with:
/// `proxy_allowlist.<plugin>.`, the name made safe for stats.
pub fn stat_prefix(plugin: &str) -> String {
    let plugin: String = plugin
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("proxy_allowlist.{plugin}.")
}

impl Decision {
    /// The counters this decision adds one to.
    pub fn counters(&self) -> impl Iterator<Item = Counter> {
        let verdict = match (self.denied, self.dry_run_denied) {
            (Some(reason), _) => denied(reason),
            (None, Some(reason)) => dry_run_denied(reason),
            (None, None) => Counter::Allowed,
        };
        let unusable_site = matches!(
            self.domain.as_ref().map(|c| &c.site),
            Some(SiteReading::Unusable { .. })
        );
        let unknown_client = self
            .source_ip
            .as_ref()
            .is_some_and(|c| c.client.address.is_err());
        let unknown_project = matches!(self.project, ProjectOutcome::Unknown(_));
        [
            Some(verdict),
            unknown_project.then_some(Counter::ProjectUnknown),
            unusable_site.then_some(Counter::CallingSiteUnusable),
            unknown_client.then_some(Counter::ClientAddressUnknown),
        ]
        .into_iter()
        .flatten()
    }
}

fn denied(reason: DenyReason) -> Counter {
    match reason {
        DenyReason::Domain => Counter::DeniedDomain,
        DenyReason::SourceIp => Counter::DeniedSourceIp,
        DenyReason::DomainOrSourceIp => Counter::DeniedBoth,
        DenyReason::UnknownProject => Counter::DeniedUnknownProject,
    }
}

fn dry_run_denied(reason: DenyReason) -> Counter {
    match reason {
        DenyReason::Domain => Counter::DryRunDeniedDomain,
        DenyReason::SourceIp => Counter::DryRunDeniedSourceIp,
        DenyReason::DomainOrSourceIp => Counter::DryRunDeniedBoth,
        DenyReason::UnknownProject => Counter::DryRunDeniedUnknownProject,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_follow_all() {
        for (position, counter) in Counter::ALL.iter().enumerate() {
            assert_eq!(counter.index(), position);
        }
    }

    #[test]
    fn stat_names_carry_the_plugin_name_safely() {
        assert_eq!(
            Counter::DeniedBoth.stat_name("edge allowlist.v2"),
            "proxy_allowlist.edge_allowlist_v2.denied.both"
        );
    }
}

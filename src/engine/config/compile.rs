//! Compiling a checked configuration into the lookup tables a request
//! consults, once, at load: every project's entries go into two shared
//! tables keyed by project, so a lookup makes the same probes for one
//! project or a hundred thousand (larger tables only miss the CPU caches
//! more: see BENCHMARKS.md).

use smol_str::SmolStr;

use super::check::{
    project_path, CheckedClientIp, CheckedList, CheckedProject, CheckedScope, CheckedSettings,
};
use super::path::{field, index};
use super::report::Report;
use crate::engine::client_ip::ClientIpSource;
use crate::engine::domain_table::DomainTable;
use crate::engine::grammar::domain_entry::DomainEntry;
use crate::engine::ip_table::{AddressSet, IpTable, PrefixLengths};
use crate::engine::policy::{
    DomainRules, EntrySpan, IpRules, ListedEntry, Observed, Policy, ProjectRules, ProjectScope,
};
use crate::engine::projects::ProjectDirectory;

/// A policy with the shared settings and no project yet.
pub fn start(checked: &CheckedSettings) -> Policy {
    Policy {
        scope: match &checked.scope {
            CheckedScope::Single => ProjectScope::Single,
            CheckedScope::Directory { source, unknown } => {
                ProjectScope::Directory(ProjectDirectory::new(source.clone(), *unknown))
            }
        },
        projects: Vec::new(),
        domain_table: DomainTable::default(),
        ip_table: IpTable::default(),
        domain_entries: Vec::new(),
        ip_entries: Vec::new(),
        domain_sources: checked.domain_sources.clone(),
        client_ip: match &checked.client_ip {
            CheckedClientIp::SourceAddress => ClientIpSource::SourceAddress,
            CheckedClientIp::XForwardedFor { trusted } => ClientIpSource::XForwardedFor {
                trusted: address_set(trusted),
            },
            CheckedClientIp::Header { name, trusted } => ClientIpSource::Header {
                name: name.clone(),
                trusted: address_set(trusted),
            },
        },
        dry_run: checked.dry_run,
        deny_status: checked.deny_status,
        cors_expose_denials: checked.cors_expose_denials,
        record_decisions: checked.record_decisions,
    }
}

/// Adds one project: its rules, and its entries to the shared tables.
pub fn add_project(policy: &mut Policy, project: CheckedProject, report: &mut Report) {
    let index = u32::try_from(policy.projects.len()).unwrap_or(u32::MAX);
    let CheckedProject {
        id,
        domains,
        source_ips,
        condition,
        observed,
    } = project;
    let domains = domains.map(|list| {
        let wildcards = list
            .items
            .iter()
            .any(|(_, entry): &(_, DomainEntry)| entry.wildcard);
        let (entries, dry_run) = add_entries(list, &mut policy.domain_entries, |entry, i| {
            policy.domain_table.insert(index, entry, i)
        })
        .report(&id, "domains", report);
        DomainRules {
            entries,
            wildcards,
            dry_run,
        }
    });
    let source_ips = source_ips.map(|list| {
        let mut lengths = PrefixLengths::default();
        let (entries, dry_run) = add_entries(list, &mut policy.ip_entries, |net, i| {
            lengths.add(net);
            policy.ip_table.insert(index, net, i)
        })
        .report(&id, "source_ips", report);
        IpRules {
            entries,
            lengths,
            dry_run,
        }
    });
    if let ProjectScope::Directory(directory) = &mut policy.scope {
        directory.add(&id, index);
    }
    // A global dry run observes every list in mode `all` too.
    let observed = Observed {
        site: domains.is_none() && (observed.site || policy.dry_run),
        client: source_ips.is_none() && (observed.client || policy.dry_run),
    };
    policy.projects.push(ProjectRules {
        id: SmolStr::new(id),
        domains,
        source_ips,
        condition,
        observed,
    });
}

/// A list's entries, added to the policy's entry list and to a table.
struct Added {
    span: EntrySpan,
    dry_run: bool,
    /// (position in the list, position of the earlier identical entry).
    repeats: Vec<(u32, u32)>,
    values: Vec<SmolStr>,
}

fn add_entries<T>(
    list: CheckedList<T>,
    entries: &mut Vec<ListedEntry>,
    mut insert: impl FnMut(&T, u32) -> Option<u32>,
) -> Added {
    let first = u32::try_from(entries.len()).unwrap_or(u32::MAX);
    let mut repeats = Vec::new();
    let mut values = Vec::new();
    for (position, (entry, parsed)) in (0u32..).zip(list.items) {
        if let Some(earlier) = insert(&parsed, first + position) {
            repeats.push((position, earlier - first));
            values.push(entry.value.clone());
        }
        entries.push(entry);
    }
    let count = u32::try_from(entries.len()).unwrap_or(u32::MAX) - first;
    Added {
        span: EntrySpan { first, count },
        dry_run: list.dry_run,
        repeats,
        values,
    }
}

impl Added {
    /// Warns about entries that repeat an earlier one; the span and dry run.
    fn report(self, project: &str, key: &str, report: &mut Report) -> (EntrySpan, bool) {
        for ((position, earlier), value) in self.repeats.iter().zip(&self.values) {
            report.warn(
                &index(
                    &field(&field(&project_path(project), key), "allowed"),
                    *position as usize,
                ),
                format!("\"{value}\" repeats allowed[{earlier}] and changes nothing"),
            );
        }
        (self.span, self.dry_run)
    }
}

fn address_set(nets: &[ipnet::IpNet]) -> AddressSet {
    let mut set = AddressSet::default();
    for (i, net) in (0u32..).zip(nets) {
        set.insert(net, i);
    }
    set
}

//! Compiling a checked configuration into the lookup tables a request
//! consults, once, at load.

use super::check::{Checked, CheckedClientIp, CheckedList};
use super::path::index;
use super::report::Report;
use crate::engine::client_ip::ClientIpSource;
use crate::engine::domain_set::DomainSet;
use crate::engine::ip_set::IpSet;
use crate::engine::policy::{DomainList, IpList, ListedEntry, Policy};

pub fn compile(checked: Checked, report: &mut Report) -> Policy {
    Policy {
        domains: checked.domains.map(|list| {
            let (set, entries, dry_run) = build(list, "domains", report, DomainSet::insert);
            DomainList {
                set,
                entries,
                dry_run,
            }
        }),
        source_ips: checked.source_ips.map(|list| {
            let (set, entries, dry_run) = build(list, "source_ips", report, IpSet::insert);
            IpList {
                set,
                entries,
                dry_run,
            }
        }),
        condition: checked.condition,
        domain_sources: checked.domain_sources,
        client_ip: match checked.client_ip {
            CheckedClientIp::SourceAddress => ClientIpSource::SourceAddress,
            CheckedClientIp::XForwardedFor { trusted } => ClientIpSource::XForwardedFor {
                trusted: ip_set(&trusted),
            },
            CheckedClientIp::Header { name, trusted } => ClientIpSource::Header {
                name,
                trusted: ip_set(&trusted),
            },
        },
        dry_run: checked.dry_run,
        deny_status: checked.deny_status,
        cors_expose_denials: checked.cors_expose_denials,
        record_decisions: checked.record_decisions,
    }
}

/// Builds a lookup set, warning about entries that repeat an earlier one.
fn build<T, S: Default>(
    list: CheckedList<T>,
    key: &str,
    report: &mut Report,
    insert: fn(&mut S, &T, usize) -> Option<usize>,
) -> (S, Vec<ListedEntry>, bool) {
    let mut set = S::default();
    let mut entries = Vec::with_capacity(list.items.len());
    for (i, (entry, parsed)) in list.items.into_iter().enumerate() {
        if let Some(first) = insert(&mut set, &parsed, i) {
            report.warn(
                &index(&format!("{key}.allowed"), i),
                format!(
                    "\"{}\" repeats allowed[{first}] and changes nothing",
                    entry.value
                ),
            );
        }
        entries.push(entry);
    }
    (set, entries, list.dry_run)
}

fn ip_set(nets: &[ipnet::IpNet]) -> IpSet {
    let mut set = IpSet::default();
    for (i, net) in nets.iter().enumerate() {
        set.insert(net, i);
    }
    set
}

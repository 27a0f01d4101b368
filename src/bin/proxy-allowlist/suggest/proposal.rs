//! From what was seen to the entries to propose: only values seen at least
//! `--min-requests` times, at most `max_entries` per list, never an entry
//! that allows everyone. No wildcard stands over a public suffix; networks
//! are at most a group wide (/16 or /32 at the widest, see `args.rs`), and
//! `max_entries` of them cannot add up to half an address family.

use std::collections::BTreeMap;

use ipnet::IpNet;

use proxy_allowlist::engine::config::suffix_covered_by_wildcard;
use proxy_allowlist::engine::grammar::domain_entry::parse_domain_entry;

use super::frequent::{earliest, latest, Seen};
use super::observed::{smallest_network, Observed, Span};

/// An entry to propose, and what it stands for.
#[derive(Debug, Clone)]
pub struct Proposed {
    pub name: String,
    pub value: String,
    pub seen: Seen<()>,
    /// The values it covers (a wildcard's sites), when not just itself.
    pub covers: Vec<String>,
}

/// A value seen but not proposed: once the lists are enforced, its
/// requests are denied.
#[derive(Debug, Clone)]
pub struct HeldBack {
    pub value: String,
    pub count: u64,
    pub why: String,
}

#[derive(Debug, Default)]
pub struct ProjectProposal {
    pub id: String,
    pub sites: Vec<Proposed>,
    pub networks: Vec<Proposed>,
    pub held_back: Vec<HeldBack>,
    pub notes: Vec<String>,
}

#[derive(Clone, Copy)]
pub struct Limits {
    pub min_requests: u64,
    pub max_entries: usize,
}

/// A project's entries in the policy in force: not proposed again, and
/// counted toward `max_entries`.
#[derive(Debug, Default)]
pub struct Existing {
    pub domains: Vec<String>,
    pub ips: Vec<String>,
}

/// One proposal per project seen, in the order first seen.
pub fn propose(
    observed: Observed,
    limits: &Limits,
    existing: &dyn Fn(&str) -> Existing,
) -> Vec<ProjectProposal> {
    let mut proposals: Vec<ProjectProposal> = observed
        .project_ids
        .iter()
        .map(|id| ProjectProposal {
            id: id.clone(),
            ..Default::default()
        })
        .collect();
    let mut sites: BTreeMap<u32, Vec<(String, Seen<()>)>> = BTreeMap::new();
    for ((project, site), seen) in observed.sites.into_values() {
        sites.entry(project).or_default().push((site, seen));
    }
    let mut networks: BTreeMap<u32, Vec<(IpNet, Seen<Span>)>> = BTreeMap::new();
    for ((project, network), seen) in observed.networks.into_values() {
        networks.entry(project).or_default().push((network, seen));
    }
    for (index, proposal) in proposals.iter_mut().enumerate() {
        let index = u32::try_from(index).unwrap_or(u32::MAX);
        let existing = existing(&proposal.id);
        let room = |listed: &[String]| Limits {
            max_entries: limits.max_entries.saturating_sub(listed.len()),
            ..*limits
        };
        let sites = sites.remove(&index).unwrap_or_default();
        let sites = sites
            .into_iter()
            .filter(|(site, _)| !existing.domains.contains(site));
        propose_sites(proposal, sites.collect(), &room(&existing.domains));
        let networks = networks.remove(&index).unwrap_or_default();
        propose_networks(proposal, networks, &room(&existing.ips), &existing.ips);
    }
    proposals
}

fn propose_sites(proposal: &mut ProjectProposal, seen: Vec<(String, Seen<()>)>, limits: &Limits) {
    let mut candidates = Vec::new();
    for (site, seen) in seen {
        if seen.count < limits.min_requests {
            proposal
                .held_back
                .push(below_minimum(site, seen.count, limits));
            continue;
        }
        match parse_domain_entry(&site) {
            // The filter records concrete sites; a wildcard is no caller.
            Ok(entry) if entry.wildcard => proposal.held_back.push(HeldBack {
                value: site,
                count: seen.count,
                why: "not a calling site the filter records".into(),
            }),
            Ok(entry) => candidates.push(Proposed {
                name: entry.host.text.clone(),
                value: site,
                seen,
                covers: Vec::new(),
            }),
            Err(problem) => proposal.held_back.push(HeldBack {
                value: site,
                count: seen.count,
                why: format!("not a valid entry: {problem}"),
            }),
        }
    }
    if candidates.len() > limits.max_entries {
        let before = candidates.len();
        candidates = collapse_into_wildcards(candidates, limits.max_entries);
        if candidates.len() < before {
            proposal.notes.push(format!(
                "{before} calling sites do not fit in max_entries ({} left): the largest groups of sites sharing a parent domain were merged into a wildcard each, which allows any scheme, port and subdomain depth (never over a public suffix); review them, or raise max_entries (--max-entries) to list each site",
                limits.max_entries
            ));
        }
    }
    proposal.sites = keep_the_most_seen(candidates, limits, &mut proposal.held_back);
}

fn propose_networks(
    proposal: &mut ProjectProposal,
    seen: Vec<(IpNet, Seen<Span>)>,
    limits: &Limits,
    listed: &[String],
) {
    let mut candidates = Vec::new();
    for (group, seen) in seen {
        let network = smallest_network(group, seen.extra);
        if listed.contains(&network.to_string()) {
            continue;
        }
        if seen.count < limits.min_requests {
            proposal
                .held_back
                .push(below_minimum(network.to_string(), seen.count, limits));
            continue;
        }
        candidates.push(Proposed {
            name: network.to_string(),
            value: network.to_string(),
            seen: Seen {
                count: seen.count,
                first: seen.first,
                last: seen.last,
                extra: (),
            },
            covers: Vec::new(),
        });
    }
    proposal.networks = keep_the_most_seen(candidates, limits, &mut proposal.held_back);
}

fn below_minimum(value: String, count: u64, limits: &Limits) -> HeldBack {
    HeldBack {
        value,
        count,
        why: format!(
            "seen {count} time(s), fewer than --min-requests {}",
            limits.min_requests
        ),
    }
}

/// The `max_entries` most seen; the rest are held back.
fn keep_the_most_seen(
    mut candidates: Vec<Proposed>,
    limits: &Limits,
    held_back: &mut Vec<HeldBack>,
) -> Vec<Proposed> {
    candidates.sort_by(|a, b| b.seen.count.cmp(&a.seen.count).then(a.value.cmp(&b.value)));
    let total = candidates.len();
    if total > limits.max_entries {
        for p in candidates.split_off(limits.max_entries) {
            held_back.push(HeldBack {
                value: p.value,
                count: p.seen.count,
                why: format!(
                    "over max_entries ({}): {total} entries would be needed; raise max_entries (--max-entries {total}) to list it",
                    limits.max_entries
                ),
            });
        }
    }
    candidates
}

/// Sites under one parent domain become `*.parent` (when at least two
/// share it and the wildcard covers no public suffix), the largest groups
/// first, until `room` entries hold them or no group is left.
fn collapse_into_wildcards(candidates: Vec<Proposed>, room: usize) -> Vec<Proposed> {
    let mut by_parent: BTreeMap<String, Vec<Proposed>> = BTreeMap::new();
    let mut kept = Vec::new();
    for candidate in candidates {
        match wildcard_parent(&candidate.name) {
            Some(parent) => by_parent.entry(parent).or_default().push(candidate),
            None => kept.push(candidate),
        }
    }
    let mut groups: Vec<(String, Vec<Proposed>)> = by_parent.into_iter().collect();
    groups.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
    let mut count: usize = kept.len() + groups.iter().map(|(_, g)| g.len()).sum::<usize>();
    for (parent, group) in groups {
        if group.len() < 2 || count <= room {
            kept.extend(group);
            continue;
        }
        count -= group.len() - 1;
        let mut seen = Seen {
            count: 0,
            first: None,
            last: None,
            extra: (),
        };
        for p in &group {
            seen.count += p.seen.count;
            seen.first = earliest(seen.first, p.seen.first);
            seen.last = latest(seen.last, p.seen.last);
        }
        kept.push(Proposed {
            name: format!("*.{parent}"),
            value: format!("*.{parent}"),
            seen,
            covers: group.into_iter().map(|p| p.value).collect(),
        });
    }
    kept
}

/// The parent of a host name a wildcard may stand over: at least two labels
/// (`*.com` is refused anyway), and no public suffix at or under it.
fn wildcard_parent(host: &str) -> Option<String> {
    let (_, parent) = host.split_once('.')?;
    let is_name = !host.starts_with('[') && host.parse::<std::net::Ipv4Addr>().is_err();
    (is_name && parent.contains('.') && suffix_covered_by_wildcard(parent).is_none())
        .then(|| parent.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proposed(value: &str, count: u64) -> Proposed {
        Proposed {
            name: parse_domain_entry(value).unwrap().host.text,
            value: value.into(),
            seen: Seen {
                count,
                first: None,
                last: None,
                extra: (),
            },
            covers: Vec::new(),
        }
    }

    #[test]
    fn wildcards_never_stand_over_a_public_suffix() {
        let merged = collapse_into_wildcards(
            vec![
                proposed("https://a.shop.example.com", 5),
                proposed("https://b.shop.example.com", 7),
                proposed("https://alice.github.io", 9),
                proposed("https://bob.github.io", 9),
                proposed("https://x.co.uk", 1),
                proposed("https://y.co.uk", 1),
            ],
            1,
        );
        let values: Vec<&str> = merged.iter().map(|p| p.value.as_str()).collect();
        assert!(values.contains(&"*.shop.example.com"), "{values:?}");
        assert!(
            values.contains(&"https://alice.github.io")
                && values.contains(&"https://bob.github.io")
        );
        assert!(values.contains(&"https://x.co.uk") && values.contains(&"https://y.co.uk"));
        let wildcard = merged
            .iter()
            .find(|p| p.value == "*.shop.example.com")
            .unwrap();
        assert_eq!(wildcard.seen.count, 12);
    }

    #[test]
    fn the_most_seen_are_kept_and_the_rest_held_back() {
        let limits = Limits {
            min_requests: 1,
            max_entries: 2,
        };
        let mut held = Vec::new();
        let kept = keep_the_most_seen(
            vec![
                proposed("https://a.example", 1),
                proposed("https://b.example", 9),
                proposed("https://c.example", 5),
            ],
            &limits,
            &mut held,
        );
        let kept: Vec<&str> = kept.iter().map(|p| p.value.as_str()).collect();
        assert_eq!(kept, ["https://b.example", "https://c.example"]);
        assert_eq!(held.len(), 1);
        assert!(held[0].why.contains("--max-entries 3"));
    }

    #[test]
    fn the_widest_networks_allowed_cannot_add_up_to_half_a_family() {
        use proxy_allowlist::engine::MAX_MAX_ENTRIES;
        let widest_v4 = 1u128 << (32 - 16);
        let widest_v6 = 1u128 << (128 - 32);
        assert!(MAX_MAX_ENTRIES as u128 * widest_v4 < 1u128 << 31);
        assert!(MAX_MAX_ENTRIES as u128 * widest_v6 < 1u128 << 127);
    }

    #[test]
    fn only_as_many_groups_merge_as_needed() {
        let sites = vec![
            proposed("https://a.one.example", 1),
            proposed("https://b.one.example", 1),
            proposed("https://c.one.example", 1),
            proposed("https://a.two.example", 1),
            proposed("https://b.two.example", 1),
        ];
        let merged = collapse_into_wildcards(sites, 3);
        let mut values: Vec<&str> = merged.iter().map(|p| p.value.as_str()).collect();
        values.sort();
        assert_eq!(
            values,
            [
                "*.one.example",
                "https://a.two.example",
                "https://b.two.example"
            ]
        );
    }
}

//! One project's two lists (the top-level ones without `projects`): modes,
//! limits, entries parsed with their grammars, and warnings for entries that
//! allow more than they seem to.

use ipnet::IpNet;

use super::super::model::{DomainItem, IpItem, ListConfig, ListItem, Mode};
use super::super::path::{field, index};
use super::super::public_suffix::suffix_covered_by_wildcard;
use super::super::report::{count, Report};
use super::coverage::{describe, large_coverage};
use super::MAX_MAX_ENTRIES;
use crate::engine::grammar::domain_entry::{parse_domain_entry, DomainEntry};
use crate::engine::grammar::ip_entry::{display_net, parse_ip_entry};
use crate::engine::policy::{Condition, ListedEntry, Observed};

/// A project's settings as written, wherever they stand.
pub struct ProjectConfig<'c> {
    pub domains: Option<&'c ListConfig<DomainItem>>,
    pub source_ips: Option<&'c ListConfig<IpItem>>,
    pub condition: Option<Condition>,
}

/// One project that passed its checks, with its entries parsed.
pub struct CheckedProject {
    /// Empty without `projects`.
    pub id: String,
    pub domains: Option<CheckedList<DomainEntry>>,
    pub source_ips: Option<CheckedList<IpNet>>,
    pub condition: Condition,
    /// Lists in mode `all` with their own `dry_run`.
    pub observed: Observed,
}

/// A list in mode `listed`: each entry as written and as parsed.
pub struct CheckedList<T> {
    pub items: Vec<(ListedEntry, T)>,
    pub dry_run: bool,
}

/// Where a project's settings stand: `` at the top level (id ``), else
/// `projects.policies["id"]`. Rendered only when something is reported.
pub fn project_path(id: &str) -> String {
    if id.is_empty() {
        String::new()
    } else {
        field("projects.policies", id)
    }
}

/// How a list's entries are written and read.
struct ListGrammar<'a, T> {
    project: &'a str,
    /// `domains` or `source_ips`.
    key: &'static str,
    /// `domain` or `ip`.
    entry_key: &'static str,
    parse: fn(&str) -> Result<T, String>,
}

impl<T> ListGrammar<'_, T> {
    /// `domains`, `projects.policies["id"].source_ips`.
    fn path(&self) -> String {
        field(&project_path(self.project), self.key)
    }
}

pub fn check_project(
    id: &str,
    config: ProjectConfig<'_>,
    max_entries: usize,
    report: &mut Report,
) -> CheckedProject {
    let domains = config.domains.and_then(|list| {
        let grammar = ListGrammar {
            project: id,
            key: "domains",
            entry_key: "domain",
            parse: parse_domain_entry,
        };
        let list = check_list(list, &grammar, max_entries, report)?;
        warn_about_public_suffixes(&grammar, &list.items, report);
        Some(list)
    });
    let source_ips = config.source_ips.and_then(|list| {
        let grammar = ListGrammar {
            project: id,
            key: "source_ips",
            entry_key: "ip",
            parse: parse_ip_entry,
        };
        let list = check_list(list, &grammar, max_entries, report)?;
        warn_about_everything_blocks(&grammar, &list.items, report);
        Some(list)
    });
    if config.condition.is_some() && domains.is_some() != source_ips.is_some() {
        report.warn(
            &field(&project_path(id), "condition"),
            "applies only when both lists are in mode \"listed\"; the one listed list decides alone",
        );
    }
    CheckedProject {
        id: id.to_string(),
        observed: Observed {
            site: domains.is_none() && config.domains.is_some_and(|l| l.dry_run == Some(true)),
            client: source_ips.is_none()
                && config.source_ips.is_some_and(|l| l.dry_run == Some(true)),
        },
        domains,
        source_ips,
        condition: config.condition.unwrap_or(Condition::And),
    }
}

/// The parsed entries of a list in mode `listed`; `None` for mode `all`. A
/// bad entry is reported at its path and left out.
fn check_list<E: ListItem, T>(
    list: &ListConfig<E>,
    grammar: &ListGrammar<T>,
    max_entries: usize,
    report: &mut Report,
) -> Option<CheckedList<T>> {
    let ListGrammar {
        entry_key, parse, ..
    } = grammar;
    let path = || grammar.path();
    let dry_run = list.dry_run.unwrap_or(false);
    let items = list.allowed.as_deref().unwrap_or_default();
    let allowed_path = || field(&path(), "allowed");
    let listed = match list.mode {
        // A mode that could not be read is reported; check the entries too,
        // so every error shows at once.
        _ if report.failed_at(|| field(&path(), "mode")) => true,
        Some(mode) => mode == Mode::Listed,
        // Entries without a mode would silently allow everything (the
        // default mode is "all"): the user surely meant to list them.
        None if !items.is_empty() => {
            report.error(
                &field(&path(), "mode"),
                format!(
                    "is required next to entries (without it the list would allow every {entry_key}); write \"mode\": \"listed\" to allow only these entries, or \"mode\": \"all\" and no entries"
                ),
            );
            true
        }
        None => false,
    };
    if !listed {
        if !items.is_empty() {
            report.warn(
                &allowed_path(),
                format!(
                    "mode is \"all\", so {} ignored and every value is allowed",
                    count(items.len(), "entry is", "entries are")
                ),
            );
        }
        return None;
    }
    if items.is_empty() && !report.failed_at(allowed_path) {
        report.error(
            &allowed_path(),
            format!("mode \"listed\" needs at least one entry; add one, or set \"mode\": \"all\" to allow every {entry_key}"),
        );
    }
    if items.len() > max_entries {
        report.error(
            &allowed_path(),
            format!(
                "has {} entries; the limit is {max_entries} (max_entries, which may be raised up to {MAX_MAX_ENTRIES})",
                items.len()
            ),
        );
    }
    let mut parsed = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        // Paths are only formatted for an entry that has something to
        // report: loading thousands of entries must stay fast.
        let entry_path = || index(&allowed_path(), i);
        match item.value() {
            Some(value) => match parse(value) {
                Ok(entry) => parsed.push((ListedEntry::new(item.name(), value), entry)),
                Err(message) => report.error(&field(&entry_path(), entry_key), message),
            },
            None => {
                if !report.failed_at(entry_path) {
                    report.error(&field(&entry_path(), entry_key), "is required");
                }
            }
        }
    }
    Some(CheckedList {
        items: parsed,
        dry_run,
    })
}

fn warn_about_public_suffixes<T>(
    grammar: &ListGrammar<'_, T>,
    items: &[(ListedEntry, DomainEntry)],
    report: &mut Report,
) {
    for (i, (written, entry)) in items.iter().enumerate() {
        let covered = match entry.wildcard {
            true => suffix_covered_by_wildcard(&entry.host.text),
            false => None,
        };
        let Some(suffix) = covered else {
            continue;
        };
        let message = if suffix == entry.host.text {
            format!(
                "\"{}\" matches every site under \"{suffix}\", a public suffix (Public Suffix List) where anyone can register a name; list your own names under it, like \"app.{suffix}\"",
                written.value
            )
        } else {
            format!(
                "\"{}\" matches every site under the public suffix \"{suffix}\" (Public Suffix List), where anyone can register a name; list your own names instead",
                written.value
            )
        };
        report.warn(
            &field(&index(&field(&grammar.path(), "allowed"), i), "domain"),
            message,
        );
    }
}

fn warn_about_everything_blocks<T>(
    grammar: &ListGrammar<'_, T>,
    items: &[(ListedEntry, IpNet)],
    report: &mut Report,
) {
    let allowed = || field(&grammar.path(), "allowed");
    let mut whole = false;
    for (i, (_, net)) in items.iter().enumerate() {
        if net.prefix_len() == 0 {
            whole = true;
            report.warn(
                &index(&allowed(), i),
                format!(
                    "\"{}\" allows every {} address",
                    display_net(net),
                    if net.addr().is_ipv4() { "IPv4" } else { "IPv6" }
                ),
            );
        }
    }
    let nets: Vec<IpNet> = items.iter().map(|(_, net)| *net).collect();
    for (family, share) in large_coverage(&nets).into_iter().filter(|_| !whole) {
        report.warn(
            &allowed(),
            format!("together allow {}", describe(family, share)),
        );
    }
}

//! Checking a configuration as read: limits, required fields, settings that
//! only make sense together, entry grammars, and warnings for settings that
//! do less than they seem to. The result holds parsed entries, ready to be
//! compiled.

use ipnet::IpNet;

use super::model::{ClientIpConfig, ClientIpFrom, Config, ListConfig, ListItem, Mode};
use super::path::{field, index};
use super::public_suffix::is_public_suffix;
use super::report::{count, Report};
use crate::engine::calling_site::DomainSource;
use crate::engine::grammar::domain_entry::{parse_domain_entry, DomainEntry};
use crate::engine::grammar::ip_entry::{display_net, parse_ip_entry};
use crate::engine::policy::{Condition, ListedEntry, Policy, RecordDecisions};

/// The product's per-list limit.
pub const DEFAULT_MAX_ENTRIES: usize = 25;
/// The most a self-hosted user may raise `max_entries` to.
pub const MAX_MAX_ENTRIES: usize = 10_000;

const NOTHING_ENFORCED: &str =
    "nothing is enforced: both lists are in mode \"all\", so every request is allowed";

/// A configuration that passed its checks, with its entries parsed.
pub struct Checked {
    pub domains: Option<CheckedList<DomainEntry>>,
    pub source_ips: Option<CheckedList<IpNet>>,
    pub condition: Condition,
    pub domain_sources: Vec<DomainSource>,
    pub client_ip: CheckedClientIp,
    pub dry_run: bool,
    pub deny_status: u16,
    pub cors_expose_denials: bool,
    pub record_decisions: RecordDecisions,
}

/// A list in mode `listed`: each entry as written and as parsed.
pub struct CheckedList<T> {
    pub items: Vec<(ListedEntry, T)>,
    pub dry_run: bool,
}

pub enum CheckedClientIp {
    SourceAddress,
    XForwardedFor { trusted: Vec<IpNet> },
    Header { name: String, trusted: Vec<IpNet> },
}

pub fn check(config: &Config, report: &mut Report) -> Checked {
    let max_entries = check_max_entries(config.max_entries, report);
    let domains = config.domains.as_ref().and_then(|list| {
        let grammar = ListGrammar {
            key: "domains",
            entry_key: "domain",
            parse: parse_domain_entry,
        };
        let list = check_list(list, &grammar, max_entries, report)?;
        warn_about_public_suffixes(&list.items, report);
        Some(list)
    });
    let source_ips = config.source_ips.as_ref().and_then(|list| {
        let grammar = ListGrammar {
            key: "source_ips",
            entry_key: "ip",
            parse: parse_ip_entry,
        };
        let list = check_list(list, &grammar, max_entries, report)?;
        warn_about_everything_blocks(&list.items, report);
        Some(list)
    });
    Checked {
        domains,
        source_ips,
        condition: config.condition.unwrap_or(Condition::And),
        domain_sources: check_domain_sources(config.domain_sources.as_deref(), report),
        client_ip: config
            .client_ip
            .as_ref()
            .map_or(CheckedClientIp::SourceAddress, |c| {
                check_client_ip(c, report)
            }),
        dry_run: config.dry_run.unwrap_or(false),
        deny_status: check_deny_status(config.deny_status, report),
        cors_expose_denials: config
            .cors
            .as_ref()
            .and_then(|cors| cors.expose_denials)
            .unwrap_or(false),
        record_decisions: config.record_decisions.unwrap_or(RecordDecisions::All),
    }
}

/// Warnings about the policy as a whole: settings that change nothing.
pub fn warn_about_the_whole(config: &Config, policy: &Policy, report: &mut Report) {
    if config.client_ip.is_some() && policy.source_ips.is_none() {
        report.warn(
            "client_ip",
            "has no effect while source_ips is in mode \"all\"",
        );
    }
    if !policy.enforces_anything() {
        report.warn("configuration", NOTHING_ENFORCED);
    } else if config.condition.is_some()
        && (policy.domains.is_none() || policy.source_ips.is_none())
    {
        report.warn(
            "condition",
            "applies only when both lists are in mode \"listed\"; the one listed list decides alone",
        );
    }
}

fn check_max_entries(max_entries: Option<u64>, report: &mut Report) -> usize {
    let Some(n) = max_entries else {
        return DEFAULT_MAX_ENTRIES;
    };
    match usize::try_from(n) {
        Ok(n) if (1..=MAX_MAX_ENTRIES).contains(&n) => n,
        _ => {
            if !report.has_error_at("max_entries") {
                report.error(
                    "max_entries",
                    format!("must be a whole number from 1 to {MAX_MAX_ENTRIES}, found {n}"),
                );
            }
            DEFAULT_MAX_ENTRIES
        }
    }
}

/// How a list's entries are written and read.
struct ListGrammar<T> {
    /// `domains` or `source_ips`.
    key: &'static str,
    /// `domain` or `ip`.
    entry_key: &'static str,
    parse: fn(&str) -> Result<T, String>,
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
        key,
        entry_key,
        parse,
    } = grammar;
    let dry_run = list.dry_run.unwrap_or(false);
    let items = list.allowed.as_deref().unwrap_or_default();
    let allowed_path = field(key, "allowed");
    let listed = match list.mode {
        // A mode that could not be read is reported; check the entries too,
        // so every error shows at once.
        _ if report.has_error_at(&field(key, "mode")) => true,
        Some(mode) => mode == Mode::Listed,
        // Entries without a mode would silently allow everything (the
        // default mode is "all"): the user surely meant to list them.
        None if !items.is_empty() => {
            report.error(
                &field(key, "mode"),
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
                &allowed_path,
                format!(
                    "mode is \"all\", so {} ignored and every value is allowed",
                    count(items.len(), "entry is", "entries are")
                ),
            );
        }
        if dry_run {
            report.warn(&field(key, "dry_run"), "has no effect in mode \"all\"");
        }
        return None;
    }
    if items.is_empty() && !report.has_error_at(&allowed_path) {
        report.error(
            &allowed_path,
            format!("mode \"listed\" needs at least one entry; add one, or set \"mode\": \"all\" to allow every {entry_key}"),
        );
    }
    if items.len() > max_entries {
        report.error(
            &allowed_path,
            format!(
                "has {} entries; the limit is {max_entries} (max_entries, which may be raised up to {MAX_MAX_ENTRIES})",
                items.len()
            ),
        );
    }
    let mut parsed = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        // Paths are only formatted for an entry that has something to
        // report: loading 10,000 entries must stay fast.
        let entry_path = || index(&allowed_path, i);
        match item.value() {
            Some(value) => match parse(value) {
                Ok(entry) => parsed.push((ListedEntry::new(item.name(), value), entry)),
                Err(message) => report.error(&field(&entry_path(), entry_key), message),
            },
            None => {
                if !report.has_error_at(&entry_path()) {
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

fn warn_about_public_suffixes(items: &[(ListedEntry, DomainEntry)], report: &mut Report) {
    for (i, (written, entry)) in items.iter().enumerate() {
        if entry.wildcard && is_public_suffix(&entry.host.text) {
            report.warn(
                &field(&index("domains.allowed", i), "domain"),
                format!(
                    "\"{}\" matches every site under \"{}\", a public suffix (Public Suffix List) where anyone can register a name; list your own names under it, like \"app.{}\"",
                    written.value, entry.host.text, entry.host.text
                ),
            );
        }
    }
}

fn warn_about_everything_blocks(items: &[(ListedEntry, IpNet)], report: &mut Report) {
    let mut whole = false;
    for (i, (_, net)) in items.iter().enumerate() {
        if net.prefix_len() == 0 {
            whole = true;
            report.warn(
                &index("source_ips.allowed", i),
                format!(
                    "\"{}\" allows every {} address",
                    display_net(net),
                    if net.addr().is_ipv4() { "IPv4" } else { "IPv6" }
                ),
            );
        }
    }
    let nets: Vec<IpNet> = items.iter().map(|(_, net)| *net).collect();
    if let (false, Some(family)) = (whole, covered_family(&nets)) {
        report.warn(
            "source_ips.allowed",
            format!(
                "together allow every {family} address, as \"{}\" would",
                whole_family(family)
            ),
        );
    }
}

fn check_domain_sources(
    sources: Option<&[DomainSource]>,
    report: &mut Report,
) -> Vec<DomainSource> {
    let Some(sources) = sources else {
        return Policy::default().domain_sources;
    };
    if sources.is_empty() && !report.has_error_at("domain_sources") {
        report.error(
            "domain_sources",
            "needs at least one of \"origin\", \"referer\", \"authority\" (omit it for the default [\"origin\", \"referer\"])",
        );
    }
    let mut unique = Vec::with_capacity(sources.len());
    for (i, source) in sources.iter().enumerate() {
        let path = index("domain_sources", i);
        if report.has_error_at(&path) {
            continue;
        }
        if unique.contains(source) {
            report.error(&path, format!("\"{}\" is listed twice", source.as_str()));
        } else {
            unique.push(*source);
        }
    }
    // The browser headers listed before "authority", if any.
    let authority_at = unique.iter().position(|s| *s == DomainSource::Authority);
    if let Some(browser) = authority_at.and_then(|at| unique.get(..at)?.first()) {
        report.warn(
            "domain_sources",
            format!(
                "\"authority\" after \"{}\": a cross-site request that sends no Origin or Referer (a plain <img> or <script> GET) is judged by the API's own host, and passes whenever that host is listed; see the README on when \"authority\" is safe",
                browser.as_str()
            ),
        );
    }
    if let Some(after) = authority_at.and_then(|at| unique.get(at + 1..)?.first()) {
        report.warn(
            "domain_sources",
            format!(
                "\"{}\" after \"authority\" is never read: every request has an :authority",
                after.as_str()
            ),
        );
    }
    unique
}

fn check_client_ip(config: &ClientIpConfig, report: &mut Report) -> CheckedClientIp {
    const PATH: &str = "client_ip";
    let misplaced = |report: &mut Report, key: &str, present: bool, needs: &str| {
        if present {
            report.error(&field(PATH, key), format!("applies only with {needs}"));
        }
    };
    match config.from {
        _ if report.has_error_at("client_ip.from") => CheckedClientIp::SourceAddress,
        Some(ClientIpFrom::XForwardedFor) => {
            misplaced(
                report,
                "header",
                config.header.is_some(),
                "\"from\": \"header\"",
            );
            CheckedClientIp::XForwardedFor {
                trusted: check_trusted_proxies(config.trusted_proxies.as_deref(), report),
            }
        }
        Some(ClientIpFrom::Header) => CheckedClientIp::Header {
            name: check_header_name(config.header.as_deref(), report),
            trusted: check_trusted_proxies(config.trusted_proxies.as_deref(), report),
        },
        Some(ClientIpFrom::SourceAddress) | None => {
            misplaced(
                report,
                "trusted_proxies",
                config.trusted_proxies.is_some(),
                "\"from\": \"x_forwarded_for\" or \"header\"",
            );
            misplaced(
                report,
                "header",
                config.header.is_some(),
                "\"from\": \"header\"",
            );
            CheckedClientIp::SourceAddress
        }
    }
}

fn check_trusted_proxies(items: Option<&[String]>, report: &mut Report) -> Vec<IpNet> {
    const PATH: &str = "client_ip.trusted_proxies";
    let Some(items) = items else {
        report.error(
            PATH,
            "is required: the CIDR blocks of the proxies whose address header is honoured",
        );
        return Vec::new();
    };
    if items.is_empty() && !report.has_error_at(PATH) {
        report.error(PATH, "needs at least one CIDR block of your own proxies");
    }
    if items.len() > MAX_MAX_ENTRIES {
        report.error(
            PATH,
            format!("has {} entries; at most {MAX_MAX_ENTRIES}", items.len()),
        );
    }
    let mut trusted = Vec::with_capacity(items.len());
    for (i, text) in items.iter().enumerate() {
        let path = index(PATH, i);
        if report.has_error_at(&path) {
            continue;
        }
        match parse_ip_entry(text) {
            Ok(net) if net.prefix_len() == 0 => report.error(
                &path,
                format!("\"{text}\" trusts every address, which lets any client write its own address; list only your proxies"),
            ),
            Ok(net) => trusted.push(net),
            Err(message) => report.error(&path, message),
        }
    }
    if let Some(family) = covered_family(&trusted) {
        report.error(
            PATH,
            format!("together trusts every {family} address (as \"{}\" would), which lets any client write its own address; list only your proxies", whole_family(family)),
        );
    }
    trusted
}

/// The address family a set of blocks covers whole, if any: `0.0.0.0/1`
/// and `128.0.0.0/1` are `0.0.0.0/0` in two pieces.
fn covered_family(nets: &[IpNet]) -> Option<&'static str> {
    IpNet::aggregate(&nets.to_vec())
        .iter()
        .find(|net| net.prefix_len() == 0)
        .map(|net| if net.addr().is_ipv4() { "IPv4" } else { "IPv6" })
}

fn whole_family(family: &str) -> &'static str {
    if family == "IPv4" {
        "0.0.0.0/0"
    } else {
        "::/0"
    }
}

fn check_header_name(name: Option<&str>, report: &mut Report) -> String {
    const PATH: &str = "client_ip.header";
    let Some(name) = name else {
        report.error(
            PATH,
            "is required with \"from\": \"header\", for example \"cf-connecting-ip\"",
        );
        return String::new();
    };
    if report.has_error_at(PATH) {
        return String::new();
    }
    let lower = name.to_ascii_lowercase();
    let valid = !lower.is_empty()
        && lower
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !valid {
        report.error(PATH, format!("\"{name}\" is not a header name"));
    } else if lower == "x-forwarded-for" {
        report.error(
            PATH,
            "X-Forwarded-For is a list; use \"from\": \"x_forwarded_for\", which walks it past trusted proxies",
        );
    } else if lower == "forwarded" {
        report.error(
            PATH,
            "the RFC 7239 Forwarded header is not supported; use a single-address header or X-Forwarded-For",
        );
    }
    lower
}

fn check_deny_status(status: Option<u64>, report: &mut Report) -> u16 {
    match status {
        None | Some(403) => 403,
        Some(404) => 404,
        Some(other) => {
            if !report.has_error_at("deny_status") {
                report.error(
                    "deny_status",
                    format!("must be 403 (the default) or 404 (to hide that the API exists), found {other}"),
                );
            }
            403
        }
    }
}

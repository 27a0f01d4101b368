//! What `suggest` tells the reviewer next to the proposal: per project,
//! what was seen with counts and first/last times, what would be denied
//! once enforced, and `check` lines to try the proposal.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde_json::Value;

use super::frequent::Seen;
use super::observed::ProjectTotals;
use super::policy_json::Applied;
use super::proposal::{ProjectProposal, Proposed};
use super::time::format_time;

/// Held-back values listed one by one, per project; the rest are counted.
const MOST_LISTED: usize = 20;

pub fn project_section(
    proposal: &ProjectProposal,
    totals: &ProjectTotals,
    applied: &Applied,
    undercount: u64,
) -> String {
    let mut out = String::new();
    let name = if proposal.id.is_empty() {
        "the policy".to_string()
    } else {
        format!("project {:?}", proposal.id)
    };
    let _ = writeln!(
        out,
        "{name}: {} request(s) recorded{}",
        totals.requests,
        times(totals.first, totals.last)
    );
    if totals.denied > 0 {
        let _ = writeln!(
            out,
            "  denied by the lists enforced at the time: {} request(s), nothing proposed from them (let a caller in by hand if it belongs)",
            totals.denied
        );
    }
    if totals.own_host > 0 {
        let _ = writeln!(
            out,
            "  calling site taken from the request's own Host (domain_sources \"authority\"): {} request(s), counted as callers without a calling site (listing the API's own host would allow every request without Origin or Referer)",
            totals.own_host
        );
    }
    if totals.implausible_sites > 0 {
        let _ = writeln!(
            out,
            "  sites longer than any the filter records: {} request(s), not proposed",
            totals.implausible_sites
        );
    }
    if totals.site_allowed + totals.client_allowed > 0 {
        let _ = writeln!(
            out,
            "  already allowed by an entry: {} by calling site, {} by client address",
            totals.site_allowed, totals.client_allowed
        );
    }
    entries(&mut out, "calling sites (domains)", &proposal.sites);
    entries(
        &mut out,
        "networks of callers without a usable calling site (source_ips)",
        &proposal.networks,
    );
    let unusable: u64 = totals.unusable_sites.values().sum();
    if unusable > 0 {
        let _ = writeln!(
            out,
            "  requests with no usable calling site: {unusable} ({}): server-to-server callers send none (\"missing\"), and need the Source IP allowlist, as the product advises; callers that sent an unusable one (such as \"null\") are counted here, and their networks not proposed",
            breakdown(&totals.unusable_sites)
        );
    }
    if !applied.switched.is_empty() {
        let _ = writeln!(
            out,
            "  switched to \"listed\" in dry run: {}",
            applied.switched.join(", ")
        );
    }
    if applied.condition_or {
        let _ = writeln!(out, "  condition set to \"or\": browsers pass by their calling site, servers by their address");
    }
    for list in &applied.grown_enforced {
        let _ = writeln!(
            out,
            "  {list} is enforced today: the entries proposed for it allow their callers as soon as the proposal is applied"
        );
    }
    if applied.and_kept {
        let _ = writeln!(
            out,
            "  condition stays \"and\": a caller must match both lists, so one without a usable calling site (a server) is denied by the domain list; the condition is yours to change"
        );
    }
    for note in &proposal.notes {
        let _ = writeln!(out, "  note: {note}");
    }
    if undercount > 0 {
        let _ = writeln!(
            out,
            "  note: the log held more distinct values than are kept in memory; counts may be up to {undercount} below the truth (never above)"
        );
    }
    would_deny(&mut out, proposal, totals);
    out
}

fn entries(out: &mut String, title: &str, proposed: &[Proposed]) {
    if proposed.is_empty() {
        return;
    }
    let _ = writeln!(out, "  proposed {title}:");
    for p in proposed {
        let _ = writeln!(
            out,
            "    {:<40} {:>9} request(s){}",
            p.value,
            p.seen.count,
            seen_times(&p.seen)
        );
        if !p.covers.is_empty() {
            let _ = writeln!(out, "      (covers {})", p.covers.join(", "));
        }
    }
}

fn would_deny(out: &mut String, proposal: &ProjectProposal, totals: &ProjectTotals) {
    let unknown: u64 = totals.unknown_clients.values().sum();
    if proposal.held_back.is_empty() && unknown == 0 {
        return;
    }
    let _ = writeln!(
        out,
        "  seen but not proposed: denied once the lists are enforced:"
    );
    let mut held = proposal.held_back.iter().collect::<Vec<_>>();
    held.sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
    for h in held.iter().take(MOST_LISTED) {
        let _ = writeln!(out, "    {:<40} {}", h.value, h.why);
    }
    if held.len() > MOST_LISTED {
        let rest: u64 = held.iter().skip(MOST_LISTED).map(|h| h.count).sum();
        let _ = writeln!(
            out,
            "    ... and {} more value(s), {rest} request(s)",
            held.len() - MOST_LISTED
        );
    }
    if unknown > 0 {
        let _ = writeln!(
            out,
            "    {unknown} request(s) with no known client address ({})",
            breakdown(&totals.unknown_clients)
        );
    }
}

/// `check` lines that try the proposal on the most seen values.
pub fn check_lines(policy: &Value, proposal: &ProjectProposal) -> Vec<String> {
    let project = project_arguments(policy, &proposal.id);
    let mut lines = Vec::new();
    if let Some(site) = proposal.sites.iter().find(|p| p.covers.is_empty()) {
        lines.push(format!(
            "proxy-allowlist check proposal.json{project} -H 'Origin: {}'",
            site.value
        ));
    }
    if let Some(network) = proposal.networks.first() {
        let address = network.value.split('/').next().unwrap_or_default();
        let source = if address.contains(':') {
            format!("[{address}]:41000")
        } else {
            format!("{address}:41000")
        };
        lines.push(format!(
            "proxy-allowlist check proposal.json{project} --source {source}"
        ));
    }
    lines
}

/// How `check` names the project, from `projects.from`.
fn project_arguments(policy: &Value, id: &str) -> String {
    let Some(from) = policy.get("projects").and_then(|p| p.get("from")) else {
        return String::new();
    };
    if let Some(header) = from.get("header").and_then(Value::as_str) {
        return format!(" -H '{header}: {id}'");
    }
    if let Some(base) = from.get("subdomain_of").and_then(Value::as_str) {
        return format!(" -H 'Host: {id}.{base}'");
    }
    let metadata = from.get("metadata");
    let text = |key: &str| metadata.and_then(|m| m.get(key)).and_then(Value::as_str);
    match (text("namespace"), text("key")) {
        (Some(namespace), Some(key)) => format!(" --metadata {namespace} {key} {id}"),
        _ => String::new(),
    }
}

pub fn breakdown(counts: &BTreeMap<String, u64>) -> String {
    counts
        .iter()
        .map(|(why, count)| format!("{why} {count}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn seen_times<T>(seen: &Seen<T>) -> String {
    times(seen.first, seen.last)
}

fn times(first: Option<i64>, last: Option<i64>) -> String {
    match (first, last) {
        (Some(first), Some(last)) => {
            format!(", first {} last {}", format_time(first), format_time(last))
        }
        _ => String::new(),
    }
}

//! Checking a configuration as read: limits, required fields, settings that
//! only make sense together, entry grammars, and warnings for settings that
//! do less than they seem to. The result holds parsed entries, ready to be
//! compiled. `lists` checks one project's lists (the top-level ones without
//! `projects`), `projects` the projects, `client_ip` the client address.

mod client_ip;
mod coverage;
mod lists;
mod projects;

pub use client_ip::CheckedClientIp;
pub use lists::{project_path, CheckedList, CheckedProject};

use super::model::Config;
use super::path::index;
use super::report::Report;
use crate::engine::calling_site::DomainSource;
use crate::engine::policy::{Policy, RecordDecisions};
use crate::engine::projects::{ProjectSource, UnknownProject};
use lists::{check_project, ProjectConfig};

/// The product's per-list limit.
pub const DEFAULT_MAX_ENTRIES: usize = 25;
/// The most a self-hosted user may raise `max_entries` to.
pub const MAX_MAX_ENTRIES: usize = 10_000;

/// Where the calling site is read from unless `domain_sources` says.
pub const DEFAULT_DOMAIN_SOURCES: [DomainSource; 2] = [DomainSource::Origin, DomainSource::Referer];

const NOTHING_ENFORCED: &str =
    "nothing is enforced: both lists are in mode \"all\", so every request is allowed";

/// What every project shares, checked.
pub struct CheckedSettings {
    pub scope: CheckedScope,
    pub max_entries: usize,
    pub domain_sources: Vec<DomainSource>,
    pub client_ip: CheckedClientIp,
    pub dry_run: bool,
    pub deny_status: u16,
    pub cors_expose_denials: bool,
    pub record_decisions: RecordDecisions,
}

pub enum CheckedScope {
    Single,
    Directory {
        source: ProjectSource,
        unknown: UnknownProject,
    },
}

/// Everything but the projects' lists.
pub fn check_settings(config: &Config, report: &mut Report) -> CheckedSettings {
    let max_entries = check_max_entries(config.max_entries, report);
    let scope = match &config.projects {
        None => CheckedScope::Single,
        Some(projects) => {
            let (source, unknown) = projects::check_scope(config, projects, report);
            CheckedScope::Directory { source, unknown }
        }
    };
    CheckedSettings {
        scope,
        max_entries,
        domain_sources: check_domain_sources(config.domain_sources.as_deref(), report),
        client_ip: config
            .client_ip
            .as_ref()
            .map_or(CheckedClientIp::SourceAddress, |c| {
                client_ip::check_client_ip(c, report)
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

/// Checks each project (the one of the top level without `projects`) and
/// hands it to `take`, one at a time, freeing its configuration as it goes:
/// the checked projects and their configurations are never all held at
/// once, which for 100,000 projects halves what loading needs at its peak.
pub fn check_projects(
    config: Config,
    settings: &CheckedSettings,
    report: &mut Report,
    mut take: impl FnMut(CheckedProject, &mut Report),
) {
    let max_entries = settings.max_entries;
    match config.projects {
        None => {
            let lists = ProjectConfig {
                domains: config.domains.as_ref(),
                source_ips: config.source_ips.as_ref(),
                condition: config.condition,
            };
            let project = check_project("", lists, max_entries, report);
            take(project, report);
        }
        Some(projects) => {
            let host_labels = matches!(
                &settings.scope,
                CheckedScope::Directory {
                    source: ProjectSource::SubdomainOf(_),
                    ..
                }
            );
            projects::check_each(projects, max_entries, host_labels, report, take)
        }
    }
}

/// Warnings about the policy as a whole: settings that change nothing.
pub fn warn_about_the_whole(client_ip_set: bool, policy: &Policy, report: &mut Report) {
    if client_ip_set && policy.projects.iter().all(|p| p.source_ips.is_none()) {
        report.warn(
            "client_ip",
            "has no effect while source_ips is in mode \"all\"",
        );
    }
    if !policy.enforces_anything() {
        report.warn("configuration", NOTHING_ENFORCED);
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

fn check_domain_sources(
    sources: Option<&[DomainSource]>,
    report: &mut Report,
) -> Vec<DomainSource> {
    let Some(sources) = sources else {
        return DEFAULT_DOMAIN_SOURCES.to_vec();
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

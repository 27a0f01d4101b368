//! `projects`: where a request's project comes from, what happens when it
//! is unknown, and each project's settings, checked like the top-level
//! lists of a single-project configuration.

use super::super::model::{Config, ProjectFromConfig, ProjectsConfig};
use super::super::path::field;
use super::super::report::Report;
use super::client_ip::check_header_name;
use super::lists::{check_project, project_path, CheckedProject, ProjectConfig};
use crate::engine::grammar::host::{parse_host, HostKind};
use crate::engine::projects::{is_project_id, ProjectSource, UnknownProject, MAX_PROJECT_ID};

const PATH: &str = "projects";

/// Where a request's project comes from and what happens when it is
/// unknown; refuses lists at the top level, which would apply to none.
pub fn check_scope(
    config: &Config,
    projects: &ProjectsConfig,
    report: &mut Report,
) -> (ProjectSource, UnknownProject) {
    refuse_top_level_lists(config, report);
    let source = check_source(projects.from.as_ref(), report);
    let unknown = projects.unknown.unwrap_or(UnknownProject::Deny);
    if projects.policies.as_ref().is_some_and(|p| p.is_empty()) {
        report.warn(
            &field(PATH, "policies"),
            format!(
                "lists no project, so every request's project is unknown and every request is {}",
                if unknown == UnknownProject::Deny {
                    "denied"
                } else {
                    "allowed"
                }
            ),
        );
    }
    (source, unknown)
}

/// Each project, checked and handed to `take` as its configuration is freed.
pub fn check_each(
    projects: ProjectsConfig,
    max_entries: usize,
    host_labels: bool,
    report: &mut Report,
    mut take: impl FnMut(CheckedProject, &mut Report),
) {
    let Some(policies) = projects.policies else {
        report.error(
            &field(PATH, "policies"),
            "is required: project id -> that project's domains, source_ips and condition",
        );
        return;
    };
    for (id, policy) in policies {
        check_id(&id, host_labels, report);
        let lists = ProjectConfig {
            domains: policy.domains.as_ref(),
            source_ips: policy.source_ips.as_ref(),
            condition: policy.condition,
        };
        let project = check_project(&id, lists, max_entries, report);
        take(project, report);
    }
}

/// Each project has its own lists: top-level ones would apply to none.
fn refuse_top_level_lists(config: &Config, report: &mut Report) {
    let present = [
        ("domains", config.domains.is_some()),
        ("source_ips", config.source_ips.is_some()),
        ("condition", config.condition.is_some()),
    ];
    for (key, _) in present.iter().filter(|(_, present)| *present) {
        report.error(
            key,
            format!("cannot stand next to \"projects\": each project has its own; move it into projects.policies.<id>.{key}"),
        );
    }
}

fn check_source(from: Option<&ProjectFromConfig>, report: &mut Report) -> ProjectSource {
    let path = field(PATH, "from");
    let fallback = ProjectSource::Header(String::new());
    let Some(from) = from else {
        report.error(&path, "is required: {\"header\": NAME}, {\"metadata\": {\"namespace\": NS, \"key\": KEY}} or {\"subdomain_of\": SUFFIX}");
        return fallback;
    };
    let named = [
        from.header.is_some(),
        from.metadata.is_some(),
        from.subdomain_of.is_some(),
    ];
    let count = named.iter().filter(|n| **n).count();
    if count != 1 {
        if !report.has_error_at(&path) {
            report.error(&path, format!("names {count} sources; give exactly one of \"header\", \"metadata\", \"subdomain_of\""));
        }
        return fallback;
    }
    if let Some(name) = &from.header {
        return ProjectSource::Header(check_header_name(name, &field(&path, "header"), report));
    }
    if let Some(metadata) = &from.metadata {
        let metadata_path = field(&path, "metadata");
        let mut part = |value: &Option<String>, key: &str| match value.as_deref() {
            Some(text) if !text.is_empty() => text.to_string(),
            _ => {
                let part_path = field(&metadata_path, key);
                if !report.has_error_at(&part_path) && !report.has_error_at(&metadata_path) {
                    report.error(&part_path, "is required and must not be empty");
                }
                String::new()
            }
        };
        let namespace = part(&metadata.namespace, "namespace");
        let key = part(&metadata.key, "key");
        return ProjectSource::Metadata { namespace, key };
    }
    let suffix_path = field(&path, "subdomain_of");
    let suffix = from.subdomain_of.as_deref().unwrap_or_default();
    match parse_host(suffix) {
        Ok(host) if host.kind == HostKind::Name => ProjectSource::SubdomainOf(host.text),
        Ok(_) => {
            report.error(
                &suffix_path,
                format!(
                    "\"{suffix}\" is an address; projects need a domain, like \"api.example.com\""
                ),
            );
            fallback
        }
        Err(error) => {
            if !report.has_error_at(&suffix_path) {
                report.error(
                    &suffix_path,
                    format!("\"{suffix}\" is not a domain: {error}"),
                );
            }
            fallback
        }
    }
}

/// A project id is plain text; with `subdomain_of` it must be a host label,
/// or no request could ever name it.
fn check_id(id: &str, host_labels: bool, report: &mut Report) {
    if !is_project_id(id) {
        report.error(
            &project_path(id),
            format!("is not a project id: use 1 to {MAX_PROJECT_ID} characters from A-Z a-z 0-9 . _ : -"),
        );
    } else if host_labels && !is_host_label(id) {
        report.error(
            &project_path(id),
            "with subdomain_of, a project id is one host label (lowercase letters, digits and inner hyphens, at most 63): no host could name this project",
        );
    }
}

fn is_host_label(id: &str) -> bool {
    (1..=63).contains(&id.len())
        && !id.starts_with('-')
        && !id.ends_with('-')
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

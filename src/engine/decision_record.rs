//! A decision as one short line for access logs (Envoy filter state, shown
//! with `%FILTER_STATE(wasm.proxy_allowlist:PLAIN)%`).

use std::fmt::Write;

use super::decision::{Decision, ProjectOutcome};
use super::policy::{ListedEntry, Policy};
use super::projects::ProjectProblem;
use super::quoted::Quoted;

impl Decision {
    /// `allow`, `deny` or `dry_run_deny`, then `reason=` for a denial, the
    /// project (or why it is unknown) and the matched entries (their `name`,
    /// or the entry itself when unnamed):
    /// `deny reason=domain project="checkout-web" source_ip_entry="Office"`.
    pub fn record(&self, policy: &Policy) -> String {
        let mut line = String::with_capacity(64);
        match (self.denied, self.dry_run_denied) {
            (Some(reason), _) => {
                line.push_str("deny reason=");
                line.push_str(reason.as_str());
            }
            (None, Some(reason)) => {
                line.push_str("dry_run_deny reason=");
                line.push_str(reason.as_str());
            }
            (None, None) => line.push_str("allow"),
        }
        match &self.project {
            ProjectOutcome::Single => {}
            ProjectOutcome::Known(index) => {
                let id = policy.projects.get(*index as usize).map_or("", |p| &p.id);
                let _ = write!(line, " project={}", Quoted(id));
            }
            ProjectOutcome::Unknown(problem) => {
                let _ = write!(line, " project_unknown={}", problem.as_str());
                if let ProjectProblem::NotListed(id) = problem {
                    let _ = write!(line, " project={}", Quoted(id));
                }
            }
        }
        let domain = self.domain.as_ref().and_then(|c| c.matched);
        let source_ip = self.source_ip.as_ref().and_then(|c| c.matched);
        push_entry(
            &mut line,
            "domain_entry",
            domain.and_then(|i| policy.domain_entry(i)),
        );
        push_entry(
            &mut line,
            "source_ip_entry",
            source_ip.and_then(|i| policy.source_ip_entry(i)),
        );
        line
    }
}

fn push_entry(line: &mut String, key: &str, entry: Option<&ListedEntry>) {
    if let Some(entry) = entry {
        // Written straight into the line: no second string per request.
        let _ = write!(line, " {key}={}", Quoted(entry.label()));
    }
}

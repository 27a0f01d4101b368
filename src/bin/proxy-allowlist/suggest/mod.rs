//! `proxy-allowlist suggest`: from access logs written in dry run to a
//! proposed policy. It reads the JSON lines the shipped Envoy configurations
//! write, counts who called each project in bounded memory and one pass,
//! and prints configuration JSON that `validate` accepts (standard output)
//! and what it saw and would deny (standard error). The proposal is for
//! review: it keeps or switches on dry run, and never allows everyone.

mod frequent;
mod log_line;
mod observed;
mod policy_json;
mod proposal;
mod report;
pub mod time;

use std::fs::File;
use std::io::{self, BufReader};

use serde_json::{json, Value};

use proxy_allowlist::engine::{load_policy, DEFAULT_MAX_ENTRIES, MAX_MAX_ENTRIES};

use log_line::{for_each_line, read_line, Skipped};
pub use observed::Grouping;
use observed::Observed;
use proposal::{propose, Limits};
use time::Millis;

pub struct Options {
    pub logs: Vec<String>,
    pub project: Option<String>,
    pub min_requests: u64,
    pub since: Option<Millis>,
    pub until: Option<Millis>,
    pub grouping: Grouping,
    pub max_entries: Option<usize>,
}

pub const DEFAULT_MIN_REQUESTS: u64 = 10;

/// The proposal and the report; an error message when nothing can be proposed.
pub struct Suggestion {
    pub policy: Value,
    pub report: String,
}

/// `policy` is the configuration in force (JSON), if given.
pub fn suggest(options: &Options, policy: Option<Value>) -> Result<Suggestion, String> {
    let mut observed = Observed::new(options.grouping, options.project.clone());
    for path in &options.logs {
        read_log(path, options, &mut observed).map_err(|e| format!("cannot read {path}: {e}"))?;
    }
    let mut report = summary(&observed);
    if observed.project_ids.is_empty() {
        return Err(format!(
            "{report}nothing to propose: no decision records{} (is the access log in the shipped JSON format, dry_run on so that lists in mode \"all\" are observed, and record_decisions \"all\"?)",
            if options.project.is_some() { " for that project" } else { "" }
        ));
    }
    let names_projects = observed.project_ids.iter().any(|id| !id.is_empty());
    let mut policy = match policy {
        Some(policy)
            if names_projects && options.project.is_none() && policy.get("projects").is_none() =>
        {
            return Err(format!("{report}the log names projects, and the policy has none: pass the policy that was in force when the log was written, or --project ID for one project"));
        }
        Some(policy) => policy,
        None if names_projects && options.project.is_none() => {
            return Err(format!("{report}the log names projects: pass --policy FILE (the configuration in force), so that the proposal keeps how projects are found and every other setting; or --project ID for one project's settings alone"));
        }
        None => json!({"dry_run": true}),
    };
    let max_entries = options.max_entries.unwrap_or_else(|| {
        policy
            .get("max_entries")
            .and_then(Value::as_u64)
            .map_or(DEFAULT_MAX_ENTRIES, |n| {
                usize::try_from(n).unwrap_or(MAX_MAX_ENTRIES)
            })
    });
    if let (Some(_), Some(object)) = (options.max_entries, policy.as_object_mut()) {
        object.insert("max_entries".into(), json!(max_entries));
    }
    let limits = Limits {
        min_requests: options.min_requests,
        max_entries,
    };
    let (site_undercount, network_undercount) =
        (observed.sites.undercount(), observed.networks.undercount());
    let totals = std::mem::take(&mut observed.totals);
    let mut checks = Vec::new();
    let in_force = policy.clone();
    let existing = |id: &str| policy_json::existing(&in_force, id);
    for (proposal, totals) in propose(observed, &limits, &existing).iter().zip(&totals) {
        let Some(applied) = policy_json::apply(&mut policy, proposal) else {
            report.push_str(&format!(
                "project {:?}: in the log but not in the policy; left out\n",
                proposal.id
            ));
            continue;
        };
        report.push_str(&report::project_section(
            proposal,
            totals,
            &applied,
            site_undercount.max(network_undercount),
        ));
        checks.extend(report::check_lines(&policy, proposal));
    }
    // The proposal must load as it is; a refusal here is a bug to report.
    let text = serde_json::to_string(&policy).map_err(|e| e.to_string())?;
    if let Err(errors) = load_policy(text.as_bytes()) {
        let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
        return Err(format!(
            "{report}the proposal does not load: {}",
            errors.join("; ")
        ));
    }
    report.push_str("try it:\n  proxy-allowlist validate proposal.json\n");
    for line in checks {
        report.push_str(&format!("  {line}\n"));
    }
    Ok(Suggestion { policy, report })
}

fn read_log(path: &str, options: &Options, observed: &mut Observed) -> io::Result<()> {
    let input: Box<dyn io::Read> = if path == "-" {
        Box::new(io::stdin())
    } else {
        Box::new(File::open(path)?)
    };
    for_each_line(BufReader::with_capacity(1 << 16, input), |line| {
        observed.lines += 1;
        let Some(line) = line else {
            observed.skip(Skipped::TooLong);
            return;
        };
        match read_line(line) {
            Ok((time, record)) if within(time, options) => observed.add(time, record),
            Ok(_) => observed.skip(Skipped::OutsideTimes),
            Err(why) => observed.skip(why),
        }
    })
}

fn within(time: Option<Millis>, options: &Options) -> bool {
    if options.since.is_none() && options.until.is_none() {
        return true;
    }
    time.is_some_and(|t| {
        options.since.is_none_or(|s| t >= s) && options.until.is_none_or(|u| t < u)
    })
}

fn summary(observed: &Observed) -> String {
    let mut out = format!("read {} line(s)", observed.lines);
    let skipped: u64 = observed.skipped.values().sum();
    if skipped > 0 {
        let reasons: Vec<String> = observed
            .skipped
            .iter()
            .map(|(why, count)| format!("{count} {}", why.describe()))
            .collect();
        out.push_str(&format!("; skipped {skipped}: {}", reasons.join(", ")));
    }
    out.push('\n');
    let unknown: u64 = observed.unknown_projects.values().sum();
    if unknown > 0 {
        out.push_str(&format!(
            "{unknown} request(s) with an unknown project ({}): not proposed; a project is added to projects.policies by hand\n",
            report::breakdown(&observed.unknown_projects)
        ));
    }
    if observed.other_projects > 0 {
        out.push_str(&format!(
            "{} request(s) of other projects left out (--project)\n",
            observed.other_projects
        ));
    }
    out
}

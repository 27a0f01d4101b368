//! `proxy-allowlist`: check a policy before it is rolled out, with the very
//! engine the filter runs, and propose one from access logs.
//!
//!   proxy-allowlist validate POLICY [--filter NAME] [--project ID]
//!   proxy-allowlist check POLICY [--filter NAME] [-H 'Name: value']... [--source ADDR:PORT]
//!                         [--metadata NAMESPACE KEY VALUE]
//!   proxy-allowlist suggest ACCESS_LOG... [--policy POLICY] [--project ID] [--min-requests N] ...
//!   proxy-allowlist schema

#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod args;
mod check_report;
mod deployed_config;
mod suggest;

use std::io::Read;
use std::process::ExitCode;

use proxy_allowlist::engine::{load_policy, LoadedPolicy};

use args::{Command, PolicySource};

const USAGE: &str = "usage:
  proxy-allowlist validate POLICY [--filter NAME] [--project ID]
  proxy-allowlist check POLICY [--filter NAME] [-H 'Name: value']... [--source ADDR:PORT]
                        [--metadata NAMESPACE KEY VALUE]
  proxy-allowlist suggest ACCESS_LOG... [--policy POLICY [--filter NAME]] [--project ID]
                        [--min-requests N] [--since TIME] [--until TIME] [--group 24,64]
                        [--max-entries N]
  proxy-allowlist schema

POLICY is the filter's configuration ('-' reads standard input): a JSON
  policy, or a file that holds one: an Envoy bootstrap (YAML or JSON) with the
  Wasm or dynamic-module filter, an ECDS resource file, or an Istio WasmPlugin.
  --filter NAME      the filter to read, in a file with several
validate: exit 0 when the policy loads (warnings on stderr), 2 with every error;
  prints the number of projects and entries, or with --project one project's lists.
schema: prints the configuration's JSON Schema (schema/proxy-allowlist.schema.json).
check: judges one request as the filter would and prints the decision as JSON;
  exit 0 allow (or a dry-run denial), 1 deny, 2 invalid policy or usage.
  -H 'Name: value'   a request header line; repeat a name to send several lines.
                     The filter sees them as Envoy hands them over: Origin,
                     Referer, Host and X-Forwarded-For lines joined with ',';
                     every line of a client_ip header. Host sets :authority
  --source ADDR:PORT the client address Envoy would report (source.address)
  --metadata NAMESPACE KEY VALUE
                     a string an earlier filter wrote to the request's dynamic
                     metadata (projects.from.metadata)
suggest: reads access logs in the shipped JSON format (written in dry run, so
  that lists in mode \"all\" are observed) and prints a proposed policy as
  JSON on stdout, what was seen and what it would deny on stderr.
  --policy POLICY    the configuration in force: the proposal keeps its other
                     settings (needed when the log names projects)
  --project ID       propose for this project only
  --min-requests N   propose only values seen at least N times (default 10)
  --since/--until T  only requests from T (inclusive) to T (exclusive);
                     2026-11-28 or 2026-11-28T20:00:00Z
  --group V4,V6      group client addresses into networks of these prefix
                     lengths at most (default 24,64)
  --max-entries N    entries per list (default: the policy's max_entries, 25)
  exit 0 with a proposal, 2 when there is nothing to propose or on errors.";

const EXIT_DENY: u8 = 1;
const EXIT_INVALID: u8 = 2;

fn main() -> ExitCode {
    let command = match args::parse(std::env::args().skip(1)) {
        Ok(command) => command,
        Err(message) => {
            eprintln!("proxy-allowlist: {message}\n\n{USAGE}");
            return ExitCode::from(EXIT_INVALID);
        }
    };
    match command {
        Command::Help => {
            write_out(&format!("{USAGE}\n"));
            ExitCode::SUCCESS
        }
        Command::Schema => {
            write_out(&proxy_allowlist::engine::config::json_schema());
            ExitCode::SUCCESS
        }
        Command::Validate { policy, project } => match (load(&policy), project) {
            (
                Some(Loaded {
                    name,
                    policy: loaded,
                    ..
                }),
                None,
            ) => {
                write_out(&format!("{name}: OK: {}\n", loaded.policy));
                ExitCode::SUCCESS
            }
            (
                Some(Loaded {
                    name,
                    policy: loaded,
                    ..
                }),
                Some(id),
            ) => match loaded.policy.project(&id) {
                Some(rules) => {
                    write_out(&format!(
                        "{name}: OK: project {id:?}: {}\n",
                        rules.summary(loaded.policy.dry_run)
                    ));
                    ExitCode::SUCCESS
                }
                None => {
                    eprintln!("proxy-allowlist: {name}: no project {id:?} in projects.policies");
                    ExitCode::from(EXIT_INVALID)
                }
            },
            (None, _) => ExitCode::from(EXIT_INVALID),
        },
        Command::Check { policy, request } => {
            let Some(Loaded { policy: loaded, .. }) = load(&policy) else {
                return ExitCode::from(EXIT_INVALID);
            };
            let mut request = request;
            let decision = loaded.policy.evaluate(&mut request);
            let reply = decision
                .denied
                .map(|reason| loaded.policy.local_reply(reason, &mut request));
            let diagnosis = loaded.policy.diagnose(&decision, &mut request);
            let report = check_report::CheckReport::new(&loaded.policy, &decision, reply.as_ref())
                .with_diagnosis(diagnosis);
            match serde_json::to_string_pretty(&report) {
                Ok(json) => write_out(&format!("{json}\n")),
                Err(error) => {
                    eprintln!("proxy-allowlist: cannot print the report: {error}");
                    return ExitCode::from(EXIT_INVALID);
                }
            }
            if decision.allowed() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(EXIT_DENY)
            }
        }
        Command::Suggest { options, policy } => run_suggest(&options, policy.as_ref()),
    }
}

fn run_suggest(options: &suggest::Options, policy: Option<&PolicySource>) -> ExitCode {
    let in_force = match policy.map(load) {
        None => None,
        Some(None) => return ExitCode::from(EXIT_INVALID),
        Some(Some(loaded)) => match serde_json::from_slice(&loaded.json) {
            Ok(json) => Some(json),
            Err(error) => {
                eprintln!("proxy-allowlist: {}: {error}", loaded.name);
                return ExitCode::from(EXIT_INVALID);
            }
        },
    };
    match suggest::suggest(options, in_force) {
        Ok(suggestion) => match serde_json::to_string_pretty(&suggestion.policy) {
            Ok(json) => {
                write_out(&format!("{json}\n"));
                eprint!("{}", suggestion.report);
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("proxy-allowlist: cannot print the proposal: {error}");
                ExitCode::from(EXIT_INVALID)
            }
        },
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(EXIT_INVALID)
        }
    }
}

/// A policy read from its file.
struct Loaded {
    /// For messages: the file, and the filter in it.
    name: String,
    policy: LoadedPolicy,
    /// The plugin configuration itself.
    json: Vec<u8>,
}

/// Reads and loads a policy, printing warnings, or every error.
fn load(source: &PolicySource) -> Option<Loaded> {
    let path = &source.path;
    let bytes = match read(path) {
        Ok(bytes) => bytes,
        Err(error) => {
            eprintln!("proxy-allowlist: cannot read {path}: {error}");
            return None;
        }
    };
    let found = match deployed_config::find_policy(&bytes, source.filter.as_deref()) {
        Ok(found) => found,
        Err(message) => {
            eprintln!("proxy-allowlist: {path}: {message}");
            return None;
        }
    };
    let name = match &found.filter {
        Some(filter) => format!("{path} (filter {filter:?})"),
        None => path.clone(),
    };
    if !found.problems.is_empty() {
        for problem in &found.problems {
            eprintln!("error: {name}: {problem}");
        }
        eprintln!("{name}: requests could bypass the filter; fix the deployment settings above");
        return None;
    }
    match load_policy(&found.bytes) {
        Ok(loaded) => {
            for warning in &loaded.warnings {
                eprintln!("warning: {warning}");
            }
            Some(Loaded {
                name,
                policy: loaded,
                json: found.bytes,
            })
        }
        Err(errors) => {
            for error in &errors {
                eprintln!("error: {error}");
            }
            eprintln!(
                "{name}: {} error(s); the filter would refuse this configuration",
                errors.len()
            );
            None
        }
    }
}

/// Writes to standard output. A reader that went away (`| head`) ends the
/// output, not the program with a panic.
fn write_out(text: &str) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

fn read(path: &str) -> std::io::Result<Vec<u8>> {
    if path == "-" {
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes)?;
        Ok(bytes)
    } else {
        std::fs::read(path)
    }
}

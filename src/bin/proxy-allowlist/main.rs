//! `proxy-allowlist`: check a policy before it is rolled out, with the very
//! engine the filter runs.
//!
//!   proxy-allowlist validate POLICY [--filter NAME] [--project ID]
//!   proxy-allowlist check POLICY [--filter NAME] [-H 'Name: value']... [--source ADDR:PORT]
//!                         [--metadata NAMESPACE KEY VALUE]
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

use std::io::Read;
use std::process::ExitCode;

use proxy_allowlist::engine::{load_policy, LoadedPolicy};

use args::{Command, PolicySource};

const USAGE: &str = "usage:
  proxy-allowlist validate POLICY [--filter NAME] [--project ID]
  proxy-allowlist check POLICY [--filter NAME] [-H 'Name: value']... [--source ADDR:PORT]
                        [--metadata NAMESPACE KEY VALUE]
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
                     metadata (projects.from.metadata)";

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
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Command::Schema => {
            print!("{}", proxy_allowlist::engine::config::json_schema());
            ExitCode::SUCCESS
        }
        Command::Validate { policy, project } => match (load(&policy), project) {
            (Some((name, loaded)), None) => {
                println!("{name}: OK: {}", loaded.policy);
                ExitCode::SUCCESS
            }
            (Some((name, loaded)), Some(id)) => match loaded.policy.project(&id) {
                Some(rules) => {
                    println!(
                        "{name}: OK: project {id:?}: {}",
                        rules.summary(loaded.policy.dry_run)
                    );
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
            let Some((_, loaded)) = load(&policy) else {
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
                Ok(json) => println!("{json}"),
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
    }
}

/// Reads and loads a policy, printing warnings, or every error. Returns
/// the policy's name for messages (the file, and the filter in it).
fn load(source: &PolicySource) -> Option<(String, LoadedPolicy)> {
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
            Some((name, loaded))
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

fn read(path: &str) -> std::io::Result<Vec<u8>> {
    if path == "-" {
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes)?;
        Ok(bytes)
    } else {
        std::fs::read(path)
    }
}

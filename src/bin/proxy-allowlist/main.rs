//! `proxy-allowlist`: check a policy before it is rolled out, with the very
//! engine the filter runs.
//!
//!   proxy-allowlist validate POLICY.json
//!   proxy-allowlist check POLICY.json [-H 'Name: value']... [--source ADDR:PORT]

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

use std::io::Read;
use std::process::ExitCode;

use proxy_allowlist::engine::{load_policy, LoadedPolicy};

use args::Command;

const USAGE: &str = "usage:
  proxy-allowlist validate POLICY.json
  proxy-allowlist check POLICY.json [-H 'Name: value']... [--source ADDR:PORT]

POLICY.json is the filter's plugin configuration ('-' reads standard input).
validate: exit 0 when the policy loads (warnings on stderr), 2 with every error.
check: judges one request as the filter would and prints the decision as JSON;
  exit 0 allow (or a dry-run denial), 1 deny, 2 invalid policy or usage.
  -H 'Name: value'   a request header line; repeat a name to send several lines.
                     The filter sees them as Envoy hands them over: Origin,
                     Referer, Host and X-Forwarded-For lines joined with ',';
                     every line of a client_ip header. Host sets :authority
  --source ADDR:PORT the client address Envoy would report (source.address)";

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
        Command::Validate { policy } => match load(&policy) {
            Some(loaded) => {
                println!("{policy}: OK: {}", loaded.policy);
                ExitCode::SUCCESS
            }
            None => ExitCode::from(EXIT_INVALID),
        },
        Command::Check { policy, request } => {
            let Some(loaded) = load(&policy) else {
                return ExitCode::from(EXIT_INVALID);
            };
            let mut request = request;
            let decision = loaded.policy.evaluate(&mut request);
            let reply = decision
                .denied
                .map(|reason| loaded.policy.local_reply(reason, &mut request));
            let report = check_report::CheckReport::new(&loaded.policy, &decision, reply.as_ref());
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

/// Reads and loads a policy, printing warnings, or every error.
fn load(path: &str) -> Option<LoadedPolicy> {
    let bytes = match read(path) {
        Ok(bytes) => bytes,
        Err(error) => {
            eprintln!("proxy-allowlist: cannot read {path}: {error}");
            return None;
        }
    };
    match load_policy(&bytes) {
        Ok(loaded) => {
            for warning in &loaded.warnings {
                eprintln!("warning: {warning}");
            }
            Some(loaded)
        }
        Err(errors) => {
            for error in &errors {
                eprintln!("error: {error}");
            }
            eprintln!(
                "{path}: {} error(s); the filter would refuse this configuration",
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

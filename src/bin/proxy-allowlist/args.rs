//! Command-line arguments.

use proxy_allowlist::engine::{SimulatedRequest, MAX_MAX_ENTRIES};

use crate::suggest::time::parse_time;
use crate::suggest::{Grouping, Options, DEFAULT_MIN_REQUESTS};

/// Where the policy comes from: a file (`-` for standard input) and, in a
/// file with several filters, which one.
pub struct PolicySource {
    pub path: String,
    pub filter: Option<String>,
}

pub enum Command {
    Help,
    Schema,
    Validate {
        policy: PolicySource,
        /// Print this project's summary.
        project: Option<String>,
    },
    Check {
        policy: PolicySource,
        request: SimulatedRequest,
    },
    Suggest {
        options: Options,
        /// The configuration in force, whose other settings the proposal keeps.
        policy: Option<PolicySource>,
    },
}

pub fn parse(mut args: impl Iterator<Item = String>) -> Result<Command, String> {
    let command = args.next().ok_or("missing command")?;
    match command.as_str() {
        "-h" | "--help" | "help" => Ok(Command::Help),
        "schema" => match args.next() {
            Some(extra) => Err(format!("unexpected argument {extra:?}")),
            None => Ok(Command::Schema),
        },
        "validate" => {
            let mut policy = policy_source(args.next(), "validate")?;
            let mut project = None;
            while let Some(arg) = args.next() {
                if policy_option(&arg, &mut args, &mut policy)? {
                    continue;
                }
                match arg.as_str() {
                    "--project" => {
                        project = Some(args.next().ok_or("--project needs a project id")?);
                    }
                    other => return Err(format!("unexpected argument {other:?}")),
                }
            }
            Ok(Command::Validate { policy, project })
        }
        "check" => {
            let mut policy = policy_source(args.next(), "check")?;
            let mut request = SimulatedRequest::default();
            while let Some(arg) = args.next() {
                if policy_option(&arg, &mut args, &mut policy)? {
                    continue;
                }
                match arg.as_str() {
                    "-H" | "--header" => {
                        let header = args.next().ok_or("-H needs 'Name: value'")?;
                        let (name, value) = split_header(&header)?;
                        request.add_line(name, value);
                    }
                    "--source" => {
                        let source = args.next().ok_or("--source needs ADDR:PORT")?;
                        request.set_source_address(source);
                    }
                    // Three arguments: namespaces have dots, so no separator
                    // inside one argument could be read only one way.
                    "--metadata" => {
                        let usage = "--metadata needs NAMESPACE KEY VALUE";
                        let namespace = args.next().ok_or(usage)?;
                        let key = args.next().ok_or(usage)?;
                        let value = args.next().ok_or(usage)?;
                        request.set_metadata(&namespace, &key, value);
                    }
                    other => return Err(format!("unexpected argument {other:?}")),
                }
            }
            Ok(Command::Check { policy, request })
        }
        "suggest" => suggest(args),
        other => Err(format!("unknown command {other:?}")),
    }
}

fn suggest(mut args: impl Iterator<Item = String>) -> Result<Command, String> {
    let mut options = Options {
        logs: Vec::new(),
        project: None,
        min_requests: DEFAULT_MIN_REQUESTS,
        since: None,
        until: None,
        grouping: Grouping { v4: 24, v6: 64 },
        max_entries: None,
    };
    let mut policy: Option<PolicySource> = None;
    while let Some(arg) = args.next() {
        let mut value = |what: &str| args.next().ok_or(format!("{arg} needs {what}"));
        match arg.as_str() {
            "--policy" => policy = Some(policy_source(Some(value("a policy file")?), "--policy")?),
            "--filter" => {
                let filter = value("the filter's name")?;
                let policy = policy
                    .as_mut()
                    .ok_or("--filter comes after --policy FILE")?;
                policy.filter = Some(filter);
            }
            "--project" => options.project = Some(value("a project id")?),
            "--min-requests" => {
                options.min_requests = value("a number")?
                    .parse()
                    .map_err(|_| "--min-requests needs a whole number, such as 10")?;
            }
            "--max-entries" => {
                let usage = format!(
                    "--max-entries needs a whole number from 1 to {MAX_MAX_ENTRIES}, such as 50"
                );
                let max: usize = value("a number")?.parse().map_err(|_| usage.clone())?;
                if !(1..=MAX_MAX_ENTRIES).contains(&max) {
                    return Err(usage);
                }
                options.max_entries = Some(max);
            }
            "--since" | "--until" => {
                let text = value("a time such as 2026-11-28 or 2026-11-28T20:00:00Z")?;
                let time = parse_time(&text).ok_or(format!(
                    "{arg} {text:?} is not a time: write 2026-11-28 (midnight UTC) or 2026-11-28T20:00:00Z"
                ))?;
                if arg == "--since" {
                    options.since = Some(time);
                } else {
                    options.until = Some(time);
                }
            }
            "--group" => options.grouping = grouping(&value("IPV4_LENGTH,IPV6_LENGTH")?)?,
            flag if flag.starts_with("--") => return Err(format!("unexpected argument {flag:?}")),
            _ => options.logs.push(arg),
        }
    }
    if options.logs.is_empty() {
        return Err("suggest needs at least one access log ('-' reads standard input)".into());
    }
    Ok(Command::Suggest { options, policy })
}

/// `24,64`: the prefix lengths client addresses are grouped by. Wide groups
/// would propose networks that hold far more callers than were seen.
fn grouping(text: &str) -> Result<Grouping, String> {
    let usage = || {
        format!("--group {text:?}: write IPV4_LENGTH,IPV6_LENGTH, from 16 to 32 and from 32 to 128, such as 24,64")
    };
    let (v4, v6) = text.split_once(',').ok_or_else(usage)?;
    let (v4, v6): (u8, u8) = (
        v4.trim().parse().map_err(|_| usage())?,
        v6.trim().parse().map_err(|_| usage())?,
    );
    if !(16..=32).contains(&v4) || !(32..=128).contains(&v6) {
        return Err(usage());
    }
    Ok(Grouping { v4, v6 })
}

fn policy_source(path: Option<String>, command: &str) -> Result<PolicySource, String> {
    let path = path.ok_or_else(|| format!("{command} needs a policy file"))?;
    Ok(PolicySource { path, filter: None })
}

/// Options about the policy itself; true when `arg` was one.
fn policy_option(
    arg: &str,
    args: &mut impl Iterator<Item = String>,
    policy: &mut PolicySource,
) -> Result<bool, String> {
    match arg {
        "--filter" => {
            policy.filter = Some(args.next().ok_or("--filter needs the filter's name")?);
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// `Name: value`; a leading ':' belongs to the name (`:scheme: https`).
fn split_header(header: &str) -> Result<(&str, &str), String> {
    let split_at = header
        .char_indices()
        .skip(1)
        .find(|(_, c)| *c == ':')
        .map(|(i, _)| i)
        .ok_or_else(|| format!("header {header:?} is not 'Name: value'"))?;
    let (name, value) = header.split_at(split_at);
    Ok((name, value.get(1..).unwrap_or_default()))
}

//! Command-line arguments.

use proxy_allowlist::engine::SimulatedRequest;

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
        other => Err(format!("unknown command {other:?}")),
    }
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

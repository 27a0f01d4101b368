//! Command-line arguments.

use proxy_allowlist::engine::SimulatedRequest;

pub enum Command {
    Help,
    Validate {
        policy: String,
    },
    Check {
        policy: String,
        request: SimulatedRequest,
    },
}

pub fn parse(mut args: impl Iterator<Item = String>) -> Result<Command, String> {
    let command = args.next().ok_or("missing command")?;
    match command.as_str() {
        "-h" | "--help" | "help" => Ok(Command::Help),
        "validate" => {
            let policy = args.next().ok_or("validate needs a policy file")?;
            match args.next() {
                Some(extra) => Err(format!("unexpected argument {extra:?}")),
                None => Ok(Command::Validate { policy }),
            }
        }
        "check" => {
            let policy = args.next().ok_or("check needs a policy file")?;
            let mut request = SimulatedRequest::default();
            while let Some(arg) = args.next() {
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
                    other => return Err(format!("unexpected argument {other:?}")),
                }
            }
            Ok(Command::Check { policy, request })
        }
        other => Err(format!("unknown command {other:?}")),
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

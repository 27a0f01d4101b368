//! Command-line arguments.

use crate::cli_request::CliRequest;

pub enum Command {
    Help,
    Validate { policy: String },
    Check { policy: String, request: CliRequest },
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
            let mut request = CliRequest::default();
            while let Some(arg) = args.next() {
                match arg.as_str() {
                    "-H" | "--header" => {
                        let header = args.next().ok_or("-H needs 'Name: value'")?;
                        request.add_header(&header)?;
                    }
                    "--source" => {
                        let source = args.next().ok_or("--source needs ADDR:PORT")?;
                        request.set_source(source);
                    }
                    other => return Err(format!("unexpected argument {other:?}")),
                }
            }
            Ok(Command::Check { policy, request })
        }
        other => Err(format!("unknown command {other:?}")),
    }
}

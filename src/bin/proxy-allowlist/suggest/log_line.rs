//! One line of the access log the shipped Envoy configurations write: a JSON
//! object whose `allowlist` holds the filter's decision record for a request
//! it let through, and whose `details` carry it after the reason for a
//! denial (`proxy_allowlist_denied_domain:{...}`).

use std::borrow::Cow;
use std::io::{self, BufRead};

use serde::Deserialize;

use super::time::{parse_time, Millis};

/// Longer lines are no access-log lines of ours; they are skipped, and never
/// held whole in memory.
pub const MAX_LINE: usize = 64 * 1024;

#[derive(Deserialize)]
struct Line<'a> {
    #[serde(borrow, default)]
    time: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    details: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    allowlist: Option<Cow<'a, str>>,
}

/// The parts of a decision record `suggest` reads.
#[derive(Debug, Default, Deserialize)]
pub struct Record {
    /// `allow`, `deny` (by an enforced list) or `dry_run_deny`.
    pub decision: String,
    pub project: Option<String>,
    pub project_unknown: Option<String>,
    pub site: Option<String>,
    /// `origin`, `referer` or `authority`.
    pub site_source: Option<String>,
    pub site_unusable: Option<String>,
    pub client: Option<String>,
    pub client_unknown: Option<String>,
    pub domain_entry: Option<String>,
    pub source_ip_entry: Option<String>,
}

/// Why a line taught nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Skipped {
    /// Not a JSON object: another program's output, or Envoy's own log.
    NotJson,
    /// A request the filter did not record (another route, a 401 before it,
    /// or `record_decisions: denied`).
    NoRecord,
    /// Over `MAX_LINE` bytes.
    TooLong,
    /// Outside `--since`/`--until`, or without a readable time when one was asked for.
    OutsideTimes,
}

impl Skipped {
    pub fn describe(self) -> &'static str {
        match self {
            Skipped::NotJson => "not a JSON object",
            Skipped::NoRecord => "no decision record (not judged by the filter, or not recorded)",
            Skipped::TooLong => "longer than 64 KiB",
            Skipped::OutsideTimes => "outside --since/--until",
        }
    }
}

/// The record in one line, and when the request started.
pub fn read_line(line: &str) -> Result<(Option<Millis>, Record), Skipped> {
    let line: Line<'_> = serde_json::from_str(line).map_err(|_| Skipped::NotJson)?;
    let time = line.time.as_deref().and_then(parse_time);
    let in_state = line.allowlist.as_deref().filter(|s| *s != "-");
    let in_details = line.details.as_deref().and_then(|details| {
        let (reason, record) = details.split_once(':')?;
        reason.starts_with("proxy_allowlist_").then_some(record)
    });
    let text = in_state.or(in_details).ok_or(Skipped::NoRecord)?;
    let record: Record = serde_json::from_str(text).map_err(|_| Skipped::NoRecord)?;
    Ok((time, record))
}

/// Reads `input` a line at a time, never holding more than `MAX_LINE` bytes
/// of one; a longer line is handed over as `None`.
pub fn for_each_line(
    mut input: impl BufRead,
    mut each: impl FnMut(Option<&str>),
) -> io::Result<()> {
    let mut line = Vec::with_capacity(1024);
    loop {
        line.clear();
        let mut too_long = false;
        loop {
            let buffer = input.fill_buf()?;
            if buffer.is_empty() {
                break;
            }
            let (taken, ended) = match buffer.iter().position(|b| *b == b'\n') {
                Some(at) => (at + 1, true),
                None => (buffer.len(), false),
            };
            if !too_long {
                let chunk = buffer.get(..taken).unwrap_or_default();
                if line.len() + chunk.len() > MAX_LINE + 1 {
                    too_long = true;
                    line.clear();
                } else {
                    line.extend_from_slice(chunk);
                }
            }
            input.consume(taken);
            if ended {
                break;
            }
        }
        if line.is_empty() && !too_long {
            return Ok(());
        }
        if too_long {
            each(None);
        } else {
            let text = String::from_utf8_lossy(&line);
            each(Some(text.trim_end_matches(['\n', '\r'])));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_come_from_filter_state_or_details() {
        let allowed = r#"{"time":"2026-11-28T20:41:07.311Z","status":200,"details":"via_upstream","allowlist":"{\"decision\":\"allow\",\"site\":\"https://app.example.com\"}"}"#;
        let (time, record) = read_line(allowed).unwrap();
        assert!(time.is_some());
        assert_eq!(record.site.as_deref(), Some("https://app.example.com"));
        let denied = r#"{"status":403,"details":"proxy_allowlist_denied_domain:{\"decision\":\"deny\",\"client\":\"198.51.100.7\"}","allowlist":null}"#;
        let (time, record) = read_line(denied).unwrap();
        assert_eq!((time, record.decision.as_str()), (None, "deny"));
        assert_eq!(record.client.as_deref(), Some("198.51.100.7"));
        let unjudged = r#"{"status":401,"details":"api_key_auth_unauthorized","allowlist":null}"#;
        assert_eq!(read_line(unjudged).unwrap_err(), Skipped::NoRecord);
        let forged = r#"{"details":"via_upstream:{\"decision\":\"allow\"}","allowlist":null}"#;
        assert_eq!(read_line(forged).unwrap_err(), Skipped::NoRecord);
        assert_eq!(read_line("[info] starting").unwrap_err(), Skipped::NotJson);
    }

    #[test]
    fn long_lines_are_skipped_without_being_held() {
        let mut input = b"{\"a\":1}\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', MAX_LINE * 3));
        input.extend(b"\nlast");
        let mut seen = Vec::new();
        for_each_line(io::BufReader::with_capacity(100, &input[..]), |line| {
            seen.push(line.map(str::to_string));
        })
        .unwrap();
        assert_eq!(
            seen,
            [
                Some("{\"a\":1}".to_string()),
                None,
                Some("last".to_string())
            ]
        );
    }
}

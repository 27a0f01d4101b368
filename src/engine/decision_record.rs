//! A decision as one compact JSON object for access logs: what the filter
//! saw (the project, the calling site, the client address, or why each was
//! unusable) and what it decided, with the dry-run part. The filter writes
//! it to filter state for requests it lets through
//! (`%FILTER_STATE(wasm.proxy_allowlist:PLAIN)%`) and into the response code
//! details of a denial (`%RESPONSE_CODE_DETAILS%`); `proxy-allowlist
//! suggest` reads it back. It holds no space (Envoy turns spaces in response
//! code details into `_`): strings escape theirs as `\u0020`.

use std::fmt::Write;

use super::calling_site::SiteReading;
use super::decision::{Decision, ProjectOutcome};
use super::policy::{ListedEntry, Policy};
use super::projects::ProjectProblem;

impl Decision {
    /// `{"decision":"deny","reason":"domain","project":"checkout-web",
    /// "site":"https://evil.example.net","site_source":"origin",
    /// "client":"198.51.100.7","source_ip_entry":"Office"}`.
    pub fn record(&self, policy: &Policy) -> String {
        let mut record = Record(String::with_capacity(128));
        let (decision, reason) = match (self.denied, self.dry_run_denied) {
            (Some(reason), _) => ("deny", Some(reason)),
            (None, Some(reason)) => ("dry_run_deny", Some(reason)),
            (None, None) => ("allow", None),
        };
        record.field("decision", decision);
        if let Some(reason) = reason {
            record.field("reason", reason.as_str());
        }
        match &self.project {
            ProjectOutcome::Single => {}
            ProjectOutcome::Known(index) => {
                let id = policy.projects.get(*index as usize).map_or("", |p| &p.id);
                record.field("project", id);
            }
            ProjectOutcome::Unknown(problem) => {
                record.field("project_unknown", problem.as_str());
                if let ProjectProblem::NotListed(id) = problem {
                    record.field("project", id);
                }
            }
        }
        if let Some(check) = &self.domain {
            match &check.site {
                SiteReading::Missing => record.field("site_unusable", "missing"),
                SiteReading::Unusable { source, reason } => {
                    record.field("site_source", source.as_str());
                    record.field("site_unusable", reason.code());
                }
                SiteReading::Usable { source, site } => {
                    record.field("site", &site.to_string());
                    record.field("site_source", source.as_str());
                }
            }
        }
        if let Some(check) = &self.source_ip {
            match &check.client.address {
                Ok(address) => record.field("client", &address.to_string()),
                Err(problem) => record.field("client_unknown", problem.code()),
            }
        }
        record.entry(
            "domain_entry",
            self.domain
                .as_ref()
                .and_then(|c| c.matched)
                .and_then(|i| policy.domain_entry(i)),
        );
        record.entry(
            "source_ip_entry",
            self.source_ip
                .as_ref()
                .and_then(|c| c.matched)
                .and_then(|i| policy.source_ip_entry(i)),
        );
        record.0.push('}');
        record.0
    }
}

/// A JSON object being written, without a single space.
struct Record(String);

impl Record {
    fn field(&mut self, key: &str, value: &str) {
        self.0.push(if self.0.is_empty() { '{' } else { ',' });
        self.0.push('"');
        self.0.push_str(key);
        self.0.push_str("\":\"");
        for c in value.chars() {
            match c {
                '"' => self.0.push_str("\\\""),
                '\\' => self.0.push_str("\\\\"),
                '!'..='~' => self.0.push(c),
                // Spaces, controls and anything beyond ASCII, as UTF-16 escapes.
                _ => {
                    let mut units = [0u16; 2];
                    for unit in c.encode_utf16(&mut units) {
                        let _ = write!(self.0, "\\u{unit:04x}");
                    }
                }
            }
        }
        self.0.push('"');
    }

    /// A matched entry, by its `name` or, unnamed, the entry itself.
    fn entry(&mut self, key: &str, entry: Option<&ListedEntry>) {
        if let Some(entry) = entry {
            self.field(key, entry.label());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_and_spaces_never_appear() {
        let mut record = Record(String::new());
        record.field("name", "Web app \"a\\b\" é\u{1F600}\n");
        record.0.push('}');
        assert_eq!(
            record.0,
            r#"{"name":"Web\u0020app\u0020\"a\\b\"\u0020\u00e9\ud83d\ude00\u000a"}"#
        );
        let parsed: serde_json::Value = serde_json::from_str(&record.0).unwrap();
        assert_eq!(parsed["name"], "Web app \"a\\b\" é\u{1F600}\n");
    }
}

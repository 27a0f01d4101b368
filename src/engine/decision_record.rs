//! A decision as one compact JSON object for access logs: what the filter
//! saw (the project, the calling site, the client address, or why each was
//! unusable) and what it decided, with the dry-run part. The filter writes
//! it to filter state for requests it lets through
//! (`%FILTER_STATE(wasm.proxy_allowlist:PLAIN)%`) and into the response code
//! details of a denial (`%RESPONSE_CODE_DETAILS%`); `proxy-allowlist
//! suggest` reads it back. It holds no space (Envoy turns spaces in response
//! code details into `_`): strings escape theirs as `\u0020`.

use std::fmt::Write;

use std::net::IpAddr;

use super::calling_site::{CallingSite, SiteReading};
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
                    record.site(site);
                    record.field("site_source", source.as_str());
                }
            }
        }
        if let Some(check) = &self.source_ip {
            match &check.client.address {
                Ok(address) => record.address("client", *address),
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

/// A JSON object being written, without a single space. Written straight
/// into one string, without `fmt` for the common values: the record is
/// built on every recorded request.
struct Record(String);

impl Record {
    fn field(&mut self, key: &str, value: &str) {
        self.key(key);
        self.escaped(value);
        self.0.push('"');
    }

    /// `,"key":"` (or `{"key":"` first).
    fn key(&mut self, key: &str) {
        self.0
            .push_str(if self.0.is_empty() { "{\"" } else { ",\"" });
        self.0.push_str(key);
        self.0.push_str("\":\"");
    }

    /// A JSON string's contents: printable ASCII is copied in runs; quotes
    /// and backslashes are escaped; spaces, controls and anything beyond
    /// ASCII become UTF-16 escapes.
    fn escaped(&mut self, value: &str) {
        let plain = |b: u8| matches!(b, b'!'..=b'~') && b != b'"' && b != b'\\';
        let mut rest = value;
        while let Some(at) = rest.bytes().position(|b| !plain(b)) {
            // Every byte before `at` is ASCII, so `at` starts a character.
            // (Neither `else` can happen; leaving the rest out keeps the JSON whole.)
            let Some((run, tail)) = rest.split_at_checked(at) else {
                return;
            };
            self.0.push_str(run);
            let mut chars = tail.chars();
            let Some(c) = chars.next() else {
                return;
            };
            match c {
                '"' => self.0.push_str("\\\""),
                '\\' => self.0.push_str("\\\\"),
                _ => {
                    let mut units = [0u16; 2];
                    for unit in c.encode_utf16(&mut units) {
                        let _ = write!(self.0, "\\u{unit:04x}");
                    }
                }
            }
            rest = chars.as_str();
        }
        self.0.push_str(rest);
    }

    fn site(&mut self, site: &CallingSite) {
        self.key("site");
        self.0.push_str(site.scheme.as_str());
        self.0.push_str("://");
        self.escaped(&site.host.text);
        if site.port != site.scheme.default_port() {
            self.0.push(':');
            push_decimal(&mut self.0, site.port);
        }
        self.0.push('"');
    }

    fn address(&mut self, key: &str, address: IpAddr) {
        self.key(key);
        match address {
            IpAddr::V4(v4) => {
                for (i, octet) in v4.octets().into_iter().enumerate() {
                    if i > 0 {
                        self.0.push('.');
                    }
                    push_decimal(&mut self.0, u16::from(octet));
                }
            }
            // Rarer, and its shortest form takes care: `fmt` writes it.
            IpAddr::V6(v6) => {
                let _ = write!(self.0, "{v6}");
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

fn push_decimal(out: &mut String, n: u16) {
    let mut digits = [0u8; 5];
    let mut at = digits.len();
    let mut n = n;
    loop {
        at -= 1;
        if let Some(digit) = digits.get_mut(at) {
            *digit = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &digit in digits.get(at..).unwrap_or_default() {
        out.push(char::from(digit));
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

    #[test]
    fn decimals_and_addresses_are_written_as_std_writes_them() {
        for n in 0..=u16::MAX {
            let mut out = String::new();
            push_decimal(&mut out, n);
            assert_eq!(out, n.to_string());
        }
        for address in [
            "0.0.0.0",
            "198.51.100.7",
            "255.255.255.255",
            "::1",
            "2001:db8::ffff:1",
            "::ffff:10.0.0.1",
        ] {
            let address: IpAddr = address.parse().unwrap();
            let mut record = Record(String::new());
            record.address("client", address);
            assert_eq!(record.0, format!(r#"{{"client":"{address}""#));
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #[test]
        fn any_value_round_trips_through_the_record_without_a_space(value in ".*") {
            let mut record = Record(String::new());
            record.field("v", &value);
            record.0.push('}');
            proptest::prop_assert!(record.0.bytes().all(|b| b.is_ascii_graphic()), "{}", record.0);
            let parsed: serde_json::Value = serde_json::from_str(&record.0).unwrap();
            proptest::prop_assert_eq!(parsed["v"].as_str(), Some(value.as_str()));
        }
    }
}

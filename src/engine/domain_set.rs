//! The Domain allowlist compiled for lookup: a hash of exact hosts and a hash
//! of wildcard suffixes, so a request costs one probe per label of its host,
//! whatever the length of the list.

use super::calling_site::CallingSite;
use super::fast_hash::FastMap;
use super::grammar::domain_entry::DomainEntry;
use super::grammar::host::HostKind;
use super::grammar::scheme::Scheme;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Rule {
    scheme: Option<Scheme>,
    port: Option<u16>,
    entry: usize,
}

impl Rule {
    fn accepts(&self, site: &CallingSite) -> bool {
        self.scheme.is_none_or(|scheme| scheme == site.scheme)
            && self.port.is_none_or(|port| port == site.port)
    }

    fn same_constraints(&self, other: &Rule) -> bool {
        self.scheme == other.scheme && self.port == other.port
    }
}

#[derive(Debug, Default)]
pub struct DomainSet {
    exact: FastMap<String, Vec<Rule>>,
    /// Keyed by the suffix after `*.`: `*.example.com` is stored as `example.com`.
    wildcard: FastMap<String, Vec<Rule>>,
}

impl DomainSet {
    /// Adds entry number `index`. Returns the index of an earlier identical
    /// entry, if there is one (the new one then changes nothing).
    pub fn insert(&mut self, entry: &DomainEntry, index: usize) -> Option<usize> {
        let map = if entry.wildcard {
            &mut self.wildcard
        } else {
            &mut self.exact
        };
        let rules = map.entry(entry.host.text.clone()).or_default();
        let rule = Rule {
            scheme: entry.scheme,
            port: entry.port,
            entry: index,
        };
        if let Some(existing) = rules.iter().find(|r| r.same_constraints(&rule)) {
            return Some(existing.entry);
        }
        rules.push(rule);
        None
    }

    /// The index of an entry that allows `site`: an exact host first, then the
    /// closest wildcard. A wildcard never matches its own apex.
    pub fn find(&self, site: &CallingSite) -> Option<usize> {
        let host = site.host.text.as_str();
        if let Some(found) = first_accepting(self.exact.get(host), site) {
            return Some(found);
        }
        if site.host.kind != HostKind::Name || self.wildcard.is_empty() {
            return None;
        }
        let mut rest = host;
        while let Some((_, parent)) = rest.split_once('.') {
            if let Some(found) = first_accepting(self.wildcard.get(parent), site) {
                return Some(found);
            }
            rest = parent;
        }
        None
    }
}

fn first_accepting(rules: Option<&Vec<Rule>>, site: &CallingSite) -> Option<usize> {
    rules?
        .iter()
        .find(|rule| rule.accepts(site))
        .map(|rule| rule.entry)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::calling_site::parse_origin;
    use crate::engine::grammar::domain_entry::parse_domain_entry;

    fn set(entries: &[&str]) -> DomainSet {
        let mut set = DomainSet::default();
        for (index, text) in entries.iter().enumerate() {
            set.insert(&parse_domain_entry(text).unwrap(), index);
        }
        set
    }

    fn find(set: &DomainSet, origin: &str) -> Option<usize> {
        set.find(&parse_origin(origin.as_bytes()).unwrap())
    }

    #[test]
    fn exact_hosts_match_any_scheme_and_port() {
        let s = set(&["app.example.com"]);
        assert_eq!(find(&s, "https://app.example.com"), Some(0));
        assert_eq!(find(&s, "http://APP.example.com.:8080"), Some(0));
        assert_eq!(find(&s, "https://example.com"), None);
        assert_eq!(find(&s, "https://x.app.example.com"), None);
        assert_eq!(find(&s, "https://app.example.com.evil.net"), None);
        assert_eq!(find(&s, "https://evilapp.example.com"), None);
    }

    #[test]
    fn ports_and_schemes_constrain() {
        let s = set(&[
            "app.example.com:8443",
            "https://secure.example.com",
            "http://plain.example.com:8080",
        ]);
        assert_eq!(find(&s, "https://app.example.com:8443"), Some(0));
        assert_eq!(find(&s, "http://app.example.com:8443"), Some(0));
        assert_eq!(find(&s, "https://app.example.com"), None);
        assert_eq!(find(&s, "https://secure.example.com"), Some(1));
        assert_eq!(find(&s, "https://secure.example.com:443"), Some(1));
        assert_eq!(find(&s, "http://secure.example.com"), None);
        assert_eq!(find(&s, "https://secure.example.com:8443"), None);
        assert_eq!(find(&s, "http://plain.example.com:8080"), Some(2));
        assert_eq!(find(&s, "https://plain.example.com:8080"), None);
    }

    #[test]
    fn wildcards_match_subdomains_at_any_depth_but_not_the_apex() {
        let s = set(&["*.example.org"]);
        assert_eq!(find(&s, "https://a.example.org"), Some(0));
        assert_eq!(find(&s, "https://a.b.example.org"), Some(0));
        assert_eq!(find(&s, "https://example.org"), None);
        assert_eq!(find(&s, "https://badexample.org"), None);
        assert_eq!(find(&s, "https://example.org.evil.net"), None);
        assert_eq!(find(&s, "https://a.example.org.evil.net"), None);
    }

    #[test]
    fn addresses_match_exactly() {
        let s = set(&["127.0.0.1", "[::1]:8080"]);
        assert_eq!(find(&s, "http://127.0.0.1:3000"), Some(0));
        assert_eq!(find(&s, "http://127.0.0.2"), None);
        assert_eq!(find(&s, "http://[0:0::1]:8080"), Some(1));
        assert_eq!(find(&s, "http://[::1]"), None);
    }

    #[test]
    fn duplicates_are_reported() {
        let mut s = DomainSet::default();
        assert_eq!(s.insert(&parse_domain_entry("a.com").unwrap(), 0), None);
        assert_eq!(s.insert(&parse_domain_entry("A.com.").unwrap(), 1), Some(0));
        assert_eq!(s.insert(&parse_domain_entry("a.com:80").unwrap(), 2), None);
        assert_eq!(s.insert(&parse_domain_entry("*.a.com").unwrap(), 3), None);
    }
}

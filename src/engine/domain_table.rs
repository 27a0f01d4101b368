//! Every project's Domain allowlist compiled into two hash maps, keyed by
//! (project, host): exact hosts, and wildcard suffixes. A request makes one
//! probe per label of its host, whatever the length of the lists and the
//! number of projects.

use std::hash::{Hash, Hasher};

use hashbrown::Equivalent;
use smol_str::SmolStr;

use super::calling_site::CallingSite;
use super::grammar::domain_entry::DomainEntry;
use super::grammar::host::HostKind;
use super::grammar::scheme::Scheme;
use super::hashing::FastMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Rule {
    scheme: Option<Scheme>,
    port: Option<u16>,
    entry: u32,
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

/// The rules for one host: nearly always one, kept inline (no allocation).
#[derive(Debug)]
struct Rules {
    first: Rule,
    more: Vec<Rule>,
}

impl Rules {
    fn iter(&self) -> impl Iterator<Item = &Rule> {
        std::iter::once(&self.first).chain(&self.more)
    }
}

/// `(project, host)`, owned in the table; a host of up to 23 bytes is kept
/// in the key itself, so a probe compares it without another memory access.
type HostKey = (u32, SmolStr);

/// `(project, host)` borrowed from a request: looked up without allocating.
#[derive(Clone, Copy)]
struct HostRef<'a>(u32, &'a str);

impl Hash for HostRef<'_> {
    /// Hashes exactly as a `HostKey` does (a tuple hashes its fields in order).
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash(state);
        self.1.hash(state);
    }
}

impl Equivalent<HostKey> for HostRef<'_> {
    fn equivalent(&self, key: &HostKey) -> bool {
        self.0 == key.0 && self.1 == key.1.as_str()
    }
}

#[derive(Debug, Default)]
pub struct DomainTable {
    exact: FastMap<HostKey, Rules>,
    /// Keyed by the suffix after `*.`: `*.example.com` is stored as `example.com`.
    wildcard: FastMap<HostKey, Rules>,
}

impl DomainTable {
    /// Adds entry number `index` of `project`. Returns the index of an
    /// earlier identical entry of that project, if there is one (the new one
    /// then changes nothing).
    pub fn insert(&mut self, project: u32, entry: &DomainEntry, index: u32) -> Option<u32> {
        let map = if entry.wildcard {
            &mut self.wildcard
        } else {
            &mut self.exact
        };
        let rule = Rule {
            scheme: entry.scheme,
            port: entry.port,
            entry: index,
        };
        match map.get_mut(&HostRef(project, &entry.host.text)) {
            Some(rules) => {
                if let Some(existing) = rules.iter().find(|r| r.same_constraints(&rule)) {
                    return Some(existing.entry);
                }
                rules.more.push(rule);
            }
            None => {
                map.insert(
                    (project, SmolStr::new(&entry.host.text)),
                    Rules {
                        first: rule,
                        more: Vec::new(),
                    },
                );
            }
        }
        None
    }

    /// The index of an entry of `project` that allows `site`: an exact host
    /// first, then the closest wildcard (when the project has any). A
    /// wildcard never matches its own apex.
    pub fn find(&self, project: u32, site: &CallingSite, wildcards: bool) -> Option<u32> {
        let host = site.host.text.as_str();
        if let Some(found) = first_accepting(self.exact.get(&HostRef(project, host)), site) {
            return Some(found);
        }
        if site.host.kind != HostKind::Name || !wildcards {
            return None;
        }
        let mut rest = host;
        while let Some((_, parent)) = rest.split_once('.') {
            let rules = self.wildcard.get(&HostRef(project, parent));
            if let Some(found) = first_accepting(rules, site) {
                return Some(found);
            }
            rest = parent;
        }
        None
    }
}

fn first_accepting(rules: Option<&Rules>, site: &CallingSite) -> Option<u32> {
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

    fn table(entries: &[&str]) -> DomainTable {
        let mut table = DomainTable::default();
        for (index, text) in entries.iter().enumerate() {
            table.insert(0, &parse_domain_entry(text).unwrap(), index as u32);
        }
        table
    }

    fn find(table: &DomainTable, origin: &str) -> Option<u32> {
        table.find(0, &parse_origin(origin.as_bytes()).unwrap(), true)
    }

    #[test]
    fn exact_hosts_match_any_scheme_and_port() {
        let t = table(&["app.example.com"]);
        assert_eq!(find(&t, "https://app.example.com"), Some(0));
        assert_eq!(find(&t, "http://APP.example.com.:8080"), Some(0));
        assert_eq!(find(&t, "https://example.com"), None);
        assert_eq!(find(&t, "https://x.app.example.com"), None);
        assert_eq!(find(&t, "https://app.example.com.evil.net"), None);
        assert_eq!(find(&t, "https://evilapp.example.com"), None);
    }

    #[test]
    fn ports_and_schemes_constrain() {
        let t = table(&[
            "app.example.com:8443",
            "https://secure.example.com",
            "http://plain.example.com:8080",
        ]);
        assert_eq!(find(&t, "https://app.example.com:8443"), Some(0));
        assert_eq!(find(&t, "http://app.example.com:8443"), Some(0));
        assert_eq!(find(&t, "https://app.example.com"), None);
        assert_eq!(find(&t, "https://secure.example.com"), Some(1));
        assert_eq!(find(&t, "https://secure.example.com:443"), Some(1));
        assert_eq!(find(&t, "http://secure.example.com"), None);
        assert_eq!(find(&t, "https://secure.example.com:8443"), None);
        assert_eq!(find(&t, "http://plain.example.com:8080"), Some(2));
        assert_eq!(find(&t, "https://plain.example.com:8080"), None);
    }

    #[test]
    fn wildcards_match_subdomains_at_any_depth_but_not_the_apex() {
        let t = table(&["*.example.org"]);
        assert_eq!(find(&t, "https://a.example.org"), Some(0));
        assert_eq!(find(&t, "https://a.b.example.org"), Some(0));
        assert_eq!(find(&t, "https://example.org"), None);
        assert_eq!(find(&t, "https://badexample.org"), None);
        assert_eq!(find(&t, "https://example.org.evil.net"), None);
        assert_eq!(find(&t, "https://a.example.org.evil.net"), None);
    }

    #[test]
    fn addresses_match_exactly() {
        let t = table(&["127.0.0.1", "[::1]:8080"]);
        assert_eq!(find(&t, "http://127.0.0.1:3000"), Some(0));
        assert_eq!(find(&t, "http://127.0.0.2"), None);
        assert_eq!(find(&t, "http://[0:0::1]:8080"), Some(1));
        assert_eq!(find(&t, "http://[::1]"), None);
    }

    #[test]
    fn duplicates_are_reported() {
        let mut t = DomainTable::default();
        let entry = |text: &str| parse_domain_entry(text).unwrap();
        assert_eq!(t.insert(0, &entry("a.com"), 0), None);
        assert_eq!(t.insert(0, &entry("A.com."), 1), Some(0));
        assert_eq!(t.insert(0, &entry("a.com:80"), 2), None);
        assert_eq!(t.insert(0, &entry("a.com:80"), 3), Some(2));
        assert_eq!(t.insert(0, &entry("*.a.com"), 4), None);
        assert_eq!(
            t.insert(1, &entry("a.com"), 5),
            None,
            "another project's entry"
        );
    }

    #[test]
    fn projects_never_see_each_others_entries() {
        let mut t = DomainTable::default();
        t.insert(7, &parse_domain_entry("shop.example.com").unwrap(), 0);
        t.insert(8, &parse_domain_entry("*.partner.example").unwrap(), 1);
        let site = |origin: &str| parse_origin(origin.as_bytes()).unwrap();
        assert_eq!(t.find(7, &site("https://shop.example.com"), true), Some(0));
        assert_eq!(t.find(8, &site("https://shop.example.com"), true), None);
        assert_eq!(t.find(8, &site("https://a.partner.example"), true), Some(1));
        assert_eq!(t.find(7, &site("https://a.partner.example"), true), None);
        assert_eq!(
            t.find(8, &site("https://a.partner.example"), false),
            None,
            "a project without wildcards skips them"
        );
    }
}

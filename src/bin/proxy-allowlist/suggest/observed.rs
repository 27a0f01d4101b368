//! What the access log showed, per project, in bounded memory: the calling
//! sites no entry allowed, the networks of callers only the Source IP list
//! can let through, and counts of everything else.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;

use ipnet::IpNet;

use super::frequent::{earliest, latest, Frequent};
use super::log_line::{Record, Skipped};
use super::time::Millis;

/// At most this many distinct (project, site) and (project, network) values
/// are kept each: a few tens of MB, whatever the log holds.
const KEPT_VALUES: usize = 100_000;

/// `scheme://` + a host of at most 253 characters + `:port`: a longer site
/// is none the filter writes, and is not kept.
const LONGEST_SITE: usize = 8 + 253 + 6;

/// How client addresses are grouped into networks.
#[derive(Debug, Clone, Copy)]
pub struct Grouping {
    pub v4: u8,
    pub v6: u8,
}

/// The lowest and highest address seen in one network.
#[derive(Debug, Default, Clone, Copy)]
pub struct Span {
    pub low: Option<IpAddr>,
    pub high: Option<IpAddr>,
}

/// One project's counts.
#[derive(Debug, Default)]
pub struct ProjectTotals {
    pub requests: u64,
    pub first: Option<Millis>,
    pub last: Option<Millis>,
    /// Requests with a calling site an entry already allows.
    pub site_allowed: u64,
    /// Requests with a client address an entry already allows.
    pub client_allowed: u64,
    /// Requests with no usable calling site, by why (`missing`, `null`...).
    pub unusable_sites: BTreeMap<String, u64>,
    /// Requests whose client address was unknown, by why.
    pub unknown_clients: BTreeMap<String, u64>,
    /// Requests denied by a list enforced at the time.
    pub denied: u64,
    /// Requests whose calling site was the request's own Host (`authority`).
    pub own_host: u64,
    /// Requests whose site is no calling site the filter writes (too long).
    pub implausible_sites: u64,
}

pub struct Observed {
    grouping: Grouping,
    only_project: Option<String>,
    /// Projects in the order first seen; records name only listed projects
    /// (an unknown one is counted apart), so this is bounded by the policy.
    pub project_ids: Vec<String>,
    index: HashMap<String, u32>,
    pub totals: Vec<ProjectTotals>,
    pub sites: Frequent<(u32, String), ()>,
    pub networks: Frequent<(u32, IpNet), Span>,
    /// Requests whose project was unknown, by why.
    pub unknown_projects: BTreeMap<String, u64>,
    pub skipped: BTreeMap<Skipped, u64>,
    pub other_projects: u64,
    pub lines: u64,
}

impl Observed {
    pub fn new(grouping: Grouping, only_project: Option<String>) -> Self {
        Observed {
            grouping,
            only_project,
            project_ids: Vec::new(),
            index: HashMap::new(),
            totals: Vec::new(),
            sites: Frequent::new(KEPT_VALUES),
            networks: Frequent::new(KEPT_VALUES),
            unknown_projects: BTreeMap::new(),
            skipped: BTreeMap::new(),
            other_projects: 0,
            lines: 0,
        }
    }

    pub fn skip(&mut self, why: Skipped) {
        *self.skipped.entry(why).or_default() += 1;
    }

    pub fn add(&mut self, time: Option<Millis>, record: Record) {
        if let Some(problem) = record.project_unknown {
            *self.unknown_projects.entry(problem).or_default() += 1;
            return;
        }
        let id = record.project.clone().unwrap_or_default();
        if self.only_project.as_ref().is_some_and(|only| *only != id) {
            self.other_projects += 1;
            return;
        }
        let project = self.project_index(id);
        let Some(totals) = self.totals.get_mut(project as usize) else {
            return;
        };
        totals.requests += 1;
        totals.first = earliest(totals.first, time);
        totals.last = latest(totals.last, time);
        // Denied by a list enforced today: a caller to keep out, or one to
        // let in by hand; never a value to propose.
        if record.decision == "deny" {
            totals.denied += 1;
            return;
        }
        if let Some(problem) = &record.client_unknown {
            *totals.unknown_clients.entry(problem.clone()).or_default() += 1;
        }
        if let Some(problem) = &record.site_unusable {
            *totals.unusable_sites.entry(problem.clone()).or_default() += 1;
        }
        if record.source_ip_entry.is_some() {
            totals.client_allowed += 1;
        }
        // The request's own Host names the API, not the caller: proposing it
        // would allow every request that sends no Origin or Referer.
        let own_host = record.site_source.as_deref() == Some("authority");
        if own_host {
            totals.own_host += 1;
        }
        match (
            record.site.as_ref().filter(|_| !own_host),
            &record.domain_entry,
        ) {
            (Some(_), Some(_)) => totals.site_allowed += 1,
            (Some(site), None) if site.len() <= LONGEST_SITE => {
                self.sites.add((project, site.clone()), time, |_| {});
            }
            (Some(_), None) => totals.implausible_sites += 1,
            // A caller that sent no calling site at all (or whose site no
            // list read) is a server: only the Source IP list can let it
            // through. One that sent an unusable site (`null`, several
            // values) is a browser-like caller, or a forger: not proposed.
            (None, _) if record.source_ip_entry.is_none() && sent_no_site(&record) => {
                let address = record
                    .client
                    .as_deref()
                    .and_then(|c| c.parse::<IpAddr>().ok())
                    .map(|a| a.to_canonical());
                if let Some(address) = address {
                    let network = group(address, self.grouping);
                    self.networks.add((project, network), time, |span| {
                        span.low = Some(span.low.map_or(address, |low| low.min(address)));
                        span.high = Some(span.high.map_or(address, |high| high.max(address)));
                    });
                }
            }
            (None, _) => {}
        }
    }

    fn project_index(&mut self, id: String) -> u32 {
        if let Some(index) = self.index.get(&id) {
            return *index;
        }
        let index = u32::try_from(self.project_ids.len()).unwrap_or(u32::MAX);
        self.project_ids.push(id.clone());
        self.index.insert(id, index);
        self.totals.push(ProjectTotals::default());
        index
    }
}

fn sent_no_site(record: &Record) -> bool {
    record
        .site_unusable
        .as_deref()
        .is_none_or(|why| why == "missing")
}

/// The group network an address falls in.
fn group(address: IpAddr, grouping: Grouping) -> IpNet {
    let length = match address {
        IpAddr::V4(_) => grouping.v4,
        IpAddr::V6(_) => grouping.v6,
    };
    IpNet::new(address, length).map_or_else(|_| IpNet::from(address), |net| net.trunc())
}

/// The smallest network holding every address of a span, never wider than
/// its group.
pub fn smallest_network(group: IpNet, span: Span) -> IpNet {
    let (Some(low), Some(high)) = (span.low, span.high) else {
        return group;
    };
    let common = match (low, high) {
        (IpAddr::V4(low), IpAddr::V4(high)) => (u32::from(low) ^ u32::from(high)).leading_zeros(),
        (IpAddr::V6(low), IpAddr::V6(high)) => (u128::from(low) ^ u128::from(high)).leading_zeros(),
        _ => return group,
    };
    let length = u8::try_from(common)
        .unwrap_or(u8::MAX)
        .max(group.prefix_len());
    IpNet::new(low, length).map_or(group, |net| net.trunc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(low: &str, high: &str) -> Span {
        Span {
            low: Some(low.parse().unwrap()),
            high: Some(high.parse().unwrap()),
        }
    }

    #[test]
    fn the_smallest_network_that_holds_the_addresses_seen() {
        let g: IpNet = "198.51.100.0/24".parse().unwrap();
        assert_eq!(
            smallest_network(g, span("198.51.100.7", "198.51.100.7")).to_string(),
            "198.51.100.7/32"
        );
        assert_eq!(
            smallest_network(g, span("198.51.100.7", "198.51.100.9")).to_string(),
            "198.51.100.0/28"
        );
        assert_eq!(
            smallest_network(g, span("198.51.100.1", "198.51.100.254")).to_string(),
            "198.51.100.0/24"
        );
        let g6: IpNet = "2001:db8:1:2::/64".parse().unwrap();
        assert_eq!(
            smallest_network(g6, span("2001:db8:1:2::10", "2001:db8:1:2::1f")).to_string(),
            "2001:db8:1:2::10/124"
        );
    }

    #[test]
    fn addresses_are_grouped() {
        let grouping = Grouping { v4: 24, v6: 64 };
        assert_eq!(
            group("198.51.100.7".parse().unwrap(), grouping).to_string(),
            "198.51.100.0/24"
        );
        assert_eq!(
            group("2001:db8::7".parse().unwrap(), grouping).to_string(),
            "2001:db8::/64"
        );
    }
}

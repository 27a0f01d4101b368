//! Signs that the filter judges a proxy's address instead of the caller's:
//! the most common mistake with an IP allowlist. Behind a load balancer that
//! Envoy does not know about, every request "comes from" the balancer, and
//! the list either blocks everyone or, once someone adds that address,
//! allows everyone.

use std::fmt;
use std::net::IpAddr;

use super::client_ip::{parse_source_address, ClientIpSource, HowFound};
use super::decision::Decision;
use super::grammar::address::parse_address_and_port;
use super::policy::Policy;
use super::request::{Attribute, Fetched, RequestValues};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Diagnosis {
    /// `client_ip` is `source_address`, the peer is an internal address and
    /// the request carries X-Forwarded-For: a proxy stands in front.
    PeerLooksLikeProxy { peer: IpAddr },
    /// `client_ip` walks X-Forwarded-For (or trusts a header), and the walk
    /// ended on an internal address no `trusted_proxies` entry holds, or the
    /// peer is such an address and forwards for someone.
    UntrustedInternalHop { address: IpAddr },
}

impl fmt::Display for Diagnosis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PeerLooksLikeProxy { peer } => write!(
                f,
                "the client address {peer} is {} and the request carries X-Forwarded-For: a proxy or load balancer probably stands in front of Envoy, and client_ip \"source_address\" judges its address instead of the caller's. Set client_ip to {{\"from\": \"x_forwarded_for\", \"trusted_proxies\": [\"{}\"]}} (the proxies' addresses), or make Envoy itself see the caller (PROXY protocol, or xff_num_trusted_hops)",
                internal_kind(*peer),
                network_of(*peer),
            ),
            Self::UntrustedInternalHop { address } => write!(
                f,
                "the client address {address} is {} that client_ip.trusted_proxies does not hold: a proxy is probably missing from trusted_proxies (add \"{}\" if that proxy is yours), or every caller is judged by a proxy's address",
                internal_kind(*address),
                network_of(*address),
            ),
        }
    }
}

impl Policy {
    /// The diagnosis for one judged request. It reads `source.address` and
    /// X-Forwarded-For as it needs them, so the filter asks only for a
    /// sample of requests.
    pub fn diagnose(
        &self,
        decision: &Decision,
        request: &mut impl RequestValues,
    ) -> Option<Diagnosis> {
        if !matches!(self.client_ip, ClientIpSource::SourceAddress) {
            let client = &decision.source_ip.as_ref()?.client;
            let address = *client.address.as_ref().ok()?;
            return match client.how? {
                HowFound::ForwardedFor { .. } => self.walk_diagnosis(decision),
                // An untrusted peer is the client; it is a proxy only if it
                // forwards for someone (a direct internal caller is none).
                HowFound::UntrustedPeer
                    if is_internal(address) && forwarded_past(address, request) =>
                {
                    Some(Diagnosis::UntrustedInternalHop { address })
                }
                _ => None,
            };
        }
        let (peer, port) = match request.fetch(Attribute::SourceAddress) {
            Fetched::Present(raw) => parse_source_address(&raw).ok()?,
            Fetched::Absent | Fetched::Unavailable => return None,
        };
        // Port 0: Envoy resolved the client from X-Forwarded-For itself
        // (`xff_num_trusted_hops`), so this is the caller, not a proxy.
        if port == Some(0) {
            return None;
        }
        (is_internal(peer) && forwarded_past(peer, request))
            .then_some(Diagnosis::PeerLooksLikeProxy { peer })
    }

    /// Where a walk of X-Forwarded-For ended, from the decision alone (no
    /// read): what the filter tallies on every request.
    pub fn walk_diagnosis(&self, decision: &Decision) -> Option<Diagnosis> {
        if matches!(self.client_ip, ClientIpSource::SourceAddress) {
            return None;
        }
        let client = &decision.source_ip.as_ref()?.client;
        let address = *client.address.as_ref().ok()?;
        let walked = matches!(client.how?, HowFound::ForwardedFor { .. });
        (walked && is_internal(address)).then_some(Diagnosis::UntrustedInternalHop { address })
    }
}

/// Whether the request's X-Forwarded-For names someone before `peer`.
fn forwarded_past(peer: IpAddr, request: &mut impl RequestValues) -> bool {
    match request.fetch(Attribute::XForwardedFor) {
        Fetched::Present(value) => forwarded_by_someone_else(&value, peer),
        Fetched::Absent | Fetched::Unavailable => false,
    }
}

/// Whether X-Forwarded-For names someone before the peer. Envoy itself
/// appends the peer (`use_remote_address: true`), or, for a loopback peer,
/// its own address: that right-most entry says nothing.
fn forwarded_by_someone_else(value: &[u8], peer: IpAddr) -> bool {
    let text = String::from_utf8_lossy(value);
    let mut entries = text.rsplit(',').map(str::trim).filter(|e| !e.is_empty());
    let appended_by_envoy = |entry: &str| {
        peer.is_loopback() || parse_address_and_port(entry).is_some_and(|(a, _)| a == peer)
    };
    match entries.next() {
        Some(last) if appended_by_envoy(last) => entries.next().is_some(),
        Some(_) => true,
        None => false,
    }
}

/// Private, shared (carrier-grade NAT), loopback, link-local or unique-local:
/// where proxies and load balancers live, not the public callers an
/// allowlist names.
pub fn is_internal(address: IpAddr) -> bool {
    internal_kind_of(address).is_some()
}

fn internal_kind(address: IpAddr) -> &'static str {
    internal_kind_of(address).unwrap_or("an address")
}

fn internal_kind_of(address: IpAddr) -> Option<&'static str> {
    match address.to_canonical() {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            if v4.is_loopback() {
                Some("a loopback address")
            } else if v4.is_private() {
                Some("a private address")
            } else if a == 100 && (64..128).contains(&b) {
                Some("a shared (carrier-grade NAT) address")
            } else if v4.is_link_local() {
                Some("a link-local address")
            } else {
                None
            }
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            if v6.is_loopback() {
                Some("a loopback address")
            } else if first & 0xfe00 == 0xfc00 {
                Some("a unique-local address")
            } else if first & 0xffc0 == 0xfe80 {
                Some("a link-local address")
            } else {
                None
            }
        }
    }
}

/// The address as a one-address network, for the suggested setting.
fn network_of(address: IpAddr) -> String {
    match address.to_canonical() {
        IpAddr::V4(v4) => format!("{v4}/32"),
        IpAddr::V6(v6) => format!("{v6}/128"),
    }
}

/// How often the filter diagnoses a request it judged with `source_address`
/// (the diagnosis costs it two reads).
pub const SAMPLE_EVERY: u32 = 1000;
/// At most one warning per this many seconds.
pub const WARN_EVERY_SECONDS: u64 = 60;
/// Walks tallied before "most of them" means something.
const FEWEST_WALKS: u32 = 20;

/// What the filter remembers between requests to diagnose without a host
/// call on most of them: a sampling count, a tally of walks, and when it
/// last warned. Time is in the glue's ticks (seconds). One per Wasm VM (per
/// worker), so each worker warns at most once a minute; the native build
/// keeps one per configuration.
#[derive(Debug, Default)]
pub struct TopologyWatch {
    requests: u32,
    walks: u32,
    internal_walks: u32,
    last_internal: Option<IpAddr>,
    last_warning: Option<u64>,
}

/// What one request showed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Noticed {
    /// Count `client_address_looks_like_proxy`.
    pub looks_like_proxy: bool,
    /// Log this, now.
    pub warning: Option<Diagnosis>,
}

impl TopologyWatch {
    /// After each judged request: tallies its walk (no read) and, for one
    /// request in `SAMPLE_EVERY`, diagnoses it (two reads at most).
    pub fn after_request(
        &mut self,
        policy: &Policy,
        decision: &Decision,
        request: &mut impl RequestValues,
        now: u64,
    ) -> Noticed {
        self.tally(policy, decision);
        if !self.sample() {
            return Noticed::default();
        }
        match policy.diagnose(decision, request) {
            Some(diagnosis) => Noticed {
                looks_like_proxy: true,
                warning: self.warn_now(now).then_some(diagnosis),
            },
            None => Noticed::default(),
        }
    }

    /// Whether this request is the one in `SAMPLE_EVERY` to diagnose.
    fn sample(&mut self) -> bool {
        self.requests = self.requests.wrapping_add(1);
        self.requests.is_multiple_of(SAMPLE_EVERY)
    }

    /// Tallies one judged request's walk.
    fn tally(&mut self, policy: &Policy, decision: &Decision) {
        if decision.source_ip.is_none() || matches!(policy.client_ip, ClientIpSource::SourceAddress)
        {
            return;
        }
        self.walks = self.walks.saturating_add(1);
        if let Some(Diagnosis::UntrustedInternalHop { address }) = policy.walk_diagnosis(decision) {
            self.internal_walks = self.internal_walks.saturating_add(1);
            self.last_internal = Some(address);
        }
    }

    /// Once a second: when most walks since the last report ended on an
    /// untrusted internal address, that diagnosis (once per
    /// `WARN_EVERY_SECONDS`, when warning is due).
    pub fn walks_report(&mut self, now: u64) -> Option<Diagnosis> {
        if self.walks < FEWEST_WALKS || !self.warning_due(now) {
            return None;
        }
        let most = self.internal_walks.saturating_mul(2) > self.walks;
        let address = self.last_internal;
        self.walks = 0;
        self.internal_walks = 0;
        self.last_internal = None;
        let address = address.filter(|_| most)?;
        self.last_warning = Some(now);
        Some(Diagnosis::UntrustedInternalHop { address })
    }

    /// Whether a warning may be logged now; if so, it counts as logged.
    fn warn_now(&mut self, now: u64) -> bool {
        let due = self.warning_due(now);
        if due {
            self.last_warning = Some(now);
        }
        due
    }

    fn warning_due(&self, now: u64) -> bool {
        self.last_warning
            .is_none_or(|last| now.saturating_sub(last) >= WARN_EVERY_SECONDS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::load_policy;
    use crate::engine::test_support::RecordingRequest;

    fn policy(client_ip: &str) -> Policy {
        let json = format!(
            r#"{{"source_ips": {{"mode": "listed", "allowed": [{{"ip": "198.51.100.0/24"}}]}}, "client_ip": {client_ip}}}"#
        );
        load_policy(json.as_bytes()).unwrap().policy
    }

    fn diagnose(policy: &Policy, mut request: RecordingRequest) -> Option<Diagnosis> {
        let decision = policy.evaluate(&mut request);
        policy.diagnose(&decision, &mut request)
    }

    #[test]
    fn internal_addresses() {
        for internal in [
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "100.64.0.1",
            "100.127.255.255",
            "127.0.0.1",
            "169.254.1.1",
            "::1",
            "fd00::1",
            "fc00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
        ] {
            assert!(is_internal(internal.parse().unwrap()), "{internal}");
        }
        for public in [
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "198.51.100.7",
            "2001:db8::1",
            "fec0::1",
        ] {
            assert!(!is_internal(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn a_source_address_behind_a_proxy() {
        let p = policy(r#"{"from": "source_address"}"#);
        let behind = || RecordingRequest::default().from("10.0.0.5:41000");
        assert_eq!(
            diagnose(&p, behind().forwarded_for("198.51.100.7")),
            Some(Diagnosis::PeerLooksLikeProxy {
                peer: "10.0.0.5".parse().unwrap()
            })
        );
        assert_eq!(diagnose(&p, behind()), None, "no X-Forwarded-For");
        assert_eq!(
            diagnose(&p, behind().forwarded_for("10.0.0.5")),
            None,
            "only the peer, as Envoy appends it"
        );
        assert!(diagnose(&p, behind().forwarded_for("198.51.100.7,10.0.0.5")).is_some());
        let local = || RecordingRequest::default().from("127.0.0.1:41000");
        assert_eq!(
            diagnose(&p, local().forwarded_for("192.0.2.2")),
            None,
            "for a loopback peer Envoy appends its own address"
        );
        assert!(diagnose(&p, local().forwarded_for("198.51.100.7,192.0.2.2")).is_some());
        assert_eq!(
            diagnose(
                &p,
                RecordingRequest::default()
                    .from("203.0.113.9:1")
                    .forwarded_for("10.0.0.1")
            ),
            None,
            "a public peer is the caller"
        );
        let message = diagnose(&p, behind().forwarded_for("198.51.100.7"))
            .unwrap()
            .to_string();
        assert!(
            message.contains("10.0.0.5 is a private address"),
            "{message}"
        );
        assert!(
            message.contains(r#""trusted_proxies": ["10.0.0.5/32"]"#),
            "{message}"
        );
    }

    #[test]
    fn the_source_address_is_read_when_the_decision_did_not() {
        let p = load_policy(br#"{}"#).unwrap().policy;
        let mut request = RecordingRequest::default()
            .from("127.0.0.1:5000")
            .forwarded_for("198.51.100.7,192.0.2.2");
        let decision = p.evaluate(&mut request);
        assert!(request.asked.is_empty());
        assert!(p.diagnose(&decision, &mut request).is_some());
        assert_eq!(request.asked, ["source.address", "x-forwarded-for"]);
    }

    #[test]
    fn a_walk_that_ends_on_an_untrusted_internal_hop() {
        let p = policy(r#"{"from": "x_forwarded_for", "trusted_proxies": ["127.0.0.1"]}"#);
        let via = |xff: &str| {
            RecordingRequest::default()
                .from("127.0.0.1:1")
                .forwarded_for(xff)
        };
        let hop = |a: &str| {
            Some(Diagnosis::UntrustedInternalHop {
                address: a.parse().unwrap(),
            })
        };
        assert_eq!(diagnose(&p, via("198.51.100.7, 10.1.2.3")), hop("10.1.2.3"));
        assert_eq!(diagnose(&p, via("10.1.2.3, 198.51.100.7")), None);
        assert_eq!(
            diagnose(
                &p,
                RecordingRequest::default()
                    .from("192.168.0.9:1")
                    .forwarded_for("198.51.100.7")
            ),
            hop("192.168.0.9"),
            "the balancer itself is not trusted"
        );
        let message = diagnose(&p, via("10.1.2.3")).unwrap().to_string();
        assert!(
            message.contains("missing from trusted_proxies"),
            "{message}"
        );
        assert!(message.contains(r#""10.1.2.3/32""#), "{message}");
    }

    #[test]
    fn one_request_in_a_thousand_is_diagnosed_and_one_warning_a_minute_logged() {
        let p = policy(r#"{"from": "source_address"}"#);
        let mut watch = TopologyWatch::default();
        let mut reads = 0;
        let mut noticed = Vec::new();
        for i in 0..3000u64 {
            let mut request = RecordingRequest::default()
                .from("10.0.0.5:41000")
                .forwarded_for("198.51.100.7");
            let decision = p.evaluate(&mut request);
            let before = request.asked.len();
            let seen = watch.after_request(&p, &decision, &mut request, i / 50);
            reads += request.asked.len() - before;
            if seen.looks_like_proxy {
                noticed.push((i, seen.warning.is_some()));
            }
        }
        // Requests 999, 1999 and 2999, at seconds 19, 39 and 59: one warning.
        assert_eq!(noticed, [(999, true), (1999, false), (2999, false)]);
        assert_eq!(
            reads, 6,
            "source.address and X-Forwarded-For, for the sampled requests only"
        );
    }

    #[test]
    fn most_walks_on_internal_hops_warn_once_a_minute() {
        let p = policy(r#"{"from": "x_forwarded_for", "trusted_proxies": ["127.0.0.1"]}"#);
        let judge = |xff: &str| {
            p.evaluate(
                &mut RecordingRequest::default()
                    .from("127.0.0.1:1")
                    .forwarded_for(xff),
            )
        };
        let (internal, public) = (judge("10.1.2.3"), judge("198.51.100.7"));
        let mut watch = TopologyWatch::default();
        for _ in 0..19 {
            watch.tally(&p, &internal);
        }
        assert_eq!(watch.walks_report(0), None, "too few walks to say");
        watch.tally(&p, &internal);
        let hop = Some(Diagnosis::UntrustedInternalHop {
            address: "10.1.2.3".parse().unwrap(),
        });
        assert_eq!(watch.walks_report(1), hop);
        for _ in 0..40 {
            watch.tally(&p, &internal);
        }
        assert_eq!(watch.walks_report(30), None, "one warning a minute");
        assert_eq!(watch.walks_report(61), hop);
        for _ in 0..20 {
            watch.tally(&p, &internal);
            watch.tally(&p, &public);
        }
        assert_eq!(watch.walks_report(200), None, "half is not most");
    }

    #[test]
    fn a_client_envoy_resolved_itself_is_no_proxy() {
        // xff_num_trusted_hops: source.address is the caller, with port 0.
        let p = policy(r#"{"from": "source_address"}"#);
        let resolved = RecordingRequest::default()
            .from("10.1.2.3:0")
            .forwarded_for("10.1.2.3,10.0.0.5");
        assert_eq!(diagnose(&p, resolved), None);
    }

    #[test]
    fn a_direct_internal_caller_is_no_missing_proxy() {
        let p = policy(r#"{"from": "x_forwarded_for", "trusted_proxies": ["127.0.0.1"]}"#);
        let direct = || RecordingRequest::default().from("10.2.3.4:5555");
        assert_eq!(diagnose(&p, direct()), None, "no X-Forwarded-For");
        assert_eq!(
            diagnose(&p, direct().forwarded_for("10.2.3.4")),
            None,
            "only itself"
        );
        assert_eq!(
            diagnose(&p, direct().forwarded_for("198.51.100.7,10.2.3.4")),
            Some(Diagnosis::UntrustedInternalHop {
                address: "10.2.3.4".parse().unwrap()
            }),
            "it forwards for someone: a proxy missing from trusted_proxies"
        );
        let direct_walk = p.evaluate(&mut direct());
        assert_eq!(
            p.walk_diagnosis(&direct_walk),
            None,
            "not tallied as a walk"
        );
    }
}

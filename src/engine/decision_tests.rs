//! Decisions of whole policies on whole requests.

use super::test_support::RecordingRequest;
use super::*;

fn policy(json: &str) -> Policy {
    load_policy(json.as_bytes()).unwrap().policy
}

const BOTH: &str = r#"{
    "domains": {"mode": "listed", "allowed": [
        {"name": "Web app", "domain": "app.example.com"}, {"domain": "*.example.org"}]},
    "source_ips": {"mode": "listed", "allowed": [
        {"name": "Office", "ip": "203.0.113.0/24"}, {"ip": "2001:db8::7"}]}
}"#;

fn both(condition: &str) -> Policy {
    policy(&BOTH.replacen('{', &format!("{{\"condition\": \"{condition}\","), 1))
}

fn denied(policy: &Policy, mut request: RecordingRequest) -> Option<DenyReason> {
    policy.evaluate(&mut request).denied
}

const GOOD_SITE: &str = "https://app.example.com";
const BAD_SITE: &str = "https://evil.example.net";
const GOOD_IP: &str = "203.0.113.9:4242";
const BAD_IP: &str = "198.51.100.1:4242";

#[test]
fn and_needs_both() {
    let p = both("and");
    let r = || RecordingRequest::default();
    assert_eq!(denied(&p, r().origin(GOOD_SITE).from(GOOD_IP)), None);
    assert_eq!(
        denied(&p, r().origin(BAD_SITE).from(GOOD_IP)),
        Some(DenyReason::Domain)
    );
    assert_eq!(
        denied(&p, r().origin(GOOD_SITE).from(BAD_IP)),
        Some(DenyReason::SourceIp)
    );
    // The address decides first: a denied address ends the judging, and
    // the reply names the list that failed without reading the site.
    let mut both_bad = r().origin(BAD_SITE).from(BAD_IP);
    assert_eq!(p.evaluate(&mut both_bad).denied, Some(DenyReason::SourceIp));
    assert_eq!(both_bad.asked, ["source.address"]);
    assert_eq!(
        denied(&p, r().from(GOOD_IP)),
        Some(DenyReason::Domain),
        "no calling site"
    );
}

#[test]
fn or_needs_either() {
    let p = both("or");
    let r = || RecordingRequest::default();
    assert_eq!(denied(&p, r().origin(GOOD_SITE).from(GOOD_IP)), None);
    assert_eq!(denied(&p, r().origin(BAD_SITE).from(GOOD_IP)), None);
    assert_eq!(denied(&p, r().origin(GOOD_SITE).from(BAD_IP)), None);
    assert_eq!(denied(&p, r().from(GOOD_IP)), None);
    assert_eq!(
        denied(&p, r().origin(BAD_SITE).from(BAD_IP)),
        Some(DenyReason::DomainOrSourceIp)
    );
    assert_eq!(
        denied(&p, r().from(BAD_IP)),
        Some(DenyReason::DomainOrSourceIp)
    );
}

#[test]
fn the_default_allows_everything_and_reads_nothing() {
    for json in [
        "{}",
        r#"{"domains": {"mode": "all"}, "source_ips": {"mode": "all"}}"#,
    ] {
        let p = policy(json);
        let mut request = RecordingRequest::default().origin(BAD_SITE).from(BAD_IP);
        assert!(p.evaluate(&mut request).allowed(), "{json}");
        assert!(request.asked.is_empty(), "{json}");
    }
}

#[test]
fn one_listed_list_decides_alone_and_the_condition_is_moot() {
    for condition in ["and", "or"] {
        let domains_only = policy(&format!(
            r#"{{"condition": "{condition}", "domains": {{"mode": "listed", "allowed": [{{"domain": "app.example.com"}}]}}}}"#
        ));
        let mut request = RecordingRequest::default().origin(GOOD_SITE).from(BAD_IP);
        assert_eq!(domains_only.evaluate(&mut request).denied, None);
        assert_eq!(request.asked, ["origin"], "the address is not read");
        assert_eq!(
            denied(&domains_only, RecordingRequest::default().origin(BAD_SITE)),
            Some(DenyReason::Domain)
        );

        let ips_only = policy(&format!(
            r#"{{"condition": "{condition}", "source_ips": {{"mode": "listed", "allowed": [{{"ip": "203.0.113.0/24"}}]}}}}"#
        ));
        let mut request = RecordingRequest::default().origin(BAD_SITE).from(GOOD_IP);
        assert_eq!(ips_only.evaluate(&mut request).denied, None);
        assert_eq!(request.asked, ["source.address"], "no header is read");
        assert_eq!(
            denied(&ips_only, RecordingRequest::default().from(BAD_IP)),
            Some(DenyReason::SourceIp)
        );
    }
}

#[test]
fn or_stops_at_a_matching_address() {
    let p = both("or");
    let mut request = RecordingRequest::default().origin(BAD_SITE).from(GOOD_IP);
    let decision = p.evaluate(&mut request);
    assert!(decision.allowed());
    assert_eq!(request.asked, ["source.address"]);
    assert_eq!(decision.domain, None);
    assert_eq!(decision.source_ip.unwrap().matched, Some(0));
}

#[test]
fn the_first_present_source_decides_even_when_unusable() {
    let p = both("and");
    let r = || RecordingRequest::default().from(GOOD_IP);
    assert_eq!(
        denied(
            &p,
            r().with(Attribute::Referer, "https://app.example.com/page")
        ),
        None
    );
    assert_eq!(
        denied(
            &p,
            r().origin("null")
                .with(Attribute::Referer, "https://app.example.com/page")
        ),
        Some(DenyReason::Domain),
        "Origin: null is not skipped in favour of Referer"
    );
    assert_eq!(
        denied(
            &p,
            r().origin("https://app.example.com/")
                .with(Attribute::Referer, "https://app.example.com/")
        ),
        Some(DenyReason::Domain)
    );
    let decision = p.evaluate(&mut r().origin("null"));
    assert_eq!(
        decision.domain.unwrap().site,
        SiteReading::Unusable {
            source: DomainSource::Origin,
            reason: Unusable::Null
        }
    );
}

#[test]
fn duplicate_origin_headers_are_unusable() {
    let p = both("and");
    let joined = format!("{GOOD_SITE},{GOOD_SITE}");
    assert_eq!(
        denied(
            &p,
            RecordingRequest::default().origin(&joined).from(GOOD_IP)
        ),
        Some(DenyReason::Domain)
    );
}

#[test]
fn authority_source_uses_the_request_scheme() {
    let p = policy(
        r#"{"domain_sources": ["authority"], "domains": {"mode": "listed", "allowed": [{"domain": "https://api.example.com"}]}}"#,
    );
    let r = |scheme: &str| {
        RecordingRequest::default()
            .with(Attribute::Authority, "api.example.com")
            .with(Attribute::Scheme, scheme)
            .origin(BAD_SITE)
    };
    assert_eq!(denied(&p, r("https")), None);
    assert_eq!(denied(&p, r("http")), Some(DenyReason::Domain));
}

#[test]
fn host_failures_fail_closed() {
    let p = both("and");
    let mut request = RecordingRequest::default()
        .from(GOOD_IP)
        .failing(Attribute::Origin)
        .with(Attribute::Referer, GOOD_SITE);
    assert_eq!(p.evaluate(&mut request).denied, Some(DenyReason::Domain));

    let mut request = RecordingRequest::default()
        .origin(GOOD_SITE)
        .failing(Attribute::SourceAddress);
    let decision = p.evaluate(&mut request);
    assert_eq!(decision.denied, Some(DenyReason::SourceIp));
    assert_eq!(
        decision.source_ip.unwrap().client.address,
        Err(AddressProblem::HostUnavailable)
    );
}

#[test]
fn client_addresses() {
    let p = both("and");
    let r = |addr: &str| RecordingRequest::default().origin(GOOD_SITE).from(addr);
    assert_eq!(denied(&p, r("[2001:db8::7]:443")), None);
    assert_eq!(
        denied(&p, r("[::ffff:203.0.113.200]:443")),
        None,
        "IPv4-mapped is IPv4"
    );
    assert_eq!(
        denied(&p, r("203.0.113.9:0")),
        None,
        "port 0 from X-Forwarded-For"
    );
    assert_eq!(
        denied(&p, r("[64:ff9b::cb00:7109]:443")),
        Some(DenyReason::SourceIp),
        "NAT64 is not unmapped"
    );
    assert_eq!(
        denied(&p, r("[fe80::1%eth0]:1")),
        Some(DenyReason::SourceIp)
    );
    assert_eq!(
        denied(&p, RecordingRequest::default().origin(GOOD_SITE)),
        Some(DenyReason::SourceIp)
    );
}

#[test]
fn matched_entries_are_reported() {
    let p = both("and");
    let decision = p.evaluate(
        &mut RecordingRequest::default()
            .origin("https://a.b.example.org")
            .from("[2001:db8::7]:1"),
    );
    assert!(decision.allowed());
    assert_eq!(decision.domain.unwrap().matched, Some(1));
    assert_eq!(decision.source_ip.unwrap().matched, Some(1));
}

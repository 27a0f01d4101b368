//! The client address behind proxies: which address is chosen, and why.

use std::net::IpAddr;

use super::test_support::{load_errors, RecordingRequest};
use super::*;

const TRUSTED: &str = r#"["10.0.0.0/8", "2001:db8:ffff::/48"]"#;

fn policy_from(client_ip: &str) -> Policy {
    let json = format!(
        r#"{{"client_ip": {client_ip}, "source_ips": {{"mode": "listed", "allowed": [{{"name": "Partner", "ip": "198.51.100.0/24"}}]}}}}"#
    );
    load_policy(json.as_bytes()).unwrap().policy
}

fn xff_policy() -> Policy {
    policy_from(&format!(
        r#"{{"from": "x_forwarded_for", "trusted_proxies": {TRUSTED}}}"#
    ))
}

/// The chosen address and how it was found, or the problem.
fn resolve(
    policy: &Policy,
    mut request: RecordingRequest,
) -> Result<(IpAddr, HowFound), AddressProblem> {
    let client = policy.evaluate(&mut request).source_ip.unwrap().client;
    client.address.map(|addr| (addr, client.how.unwrap()))
}

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

#[test]
fn the_default_is_envoys_address_and_ignores_the_header() {
    let p = policy_from(r#"{"from": "source_address"}"#);
    let r = RecordingRequest::default()
        .from("10.1.1.1:5000")
        .forwarded_for("198.51.100.7");
    assert_eq!(
        resolve(&p, r),
        Ok((ip("10.1.1.1"), HowFound::SourceAddress))
    );
}

#[test]
fn an_untrusted_peer_is_the_client_and_its_header_is_ignored() {
    let p = xff_policy();
    let mut r = RecordingRequest::default()
        .from("203.0.113.5:5000")
        .forwarded_for("198.51.100.7");
    let decision = p.evaluate(&mut r);
    assert_eq!(
        decision.source_ip.unwrap().client.how,
        Some(HowFound::UntrustedPeer)
    );
    assert_eq!(decision.denied, Some(DenyReason::SourceIp));
    assert_eq!(r.asked, ["source.address"], "the header is not even read");
}

#[test]
fn walks_from_the_right_past_trusted_proxies() {
    let p = xff_policy();
    let r = |xff: &str| {
        RecordingRequest::default()
            .from("10.0.0.2:5000")
            .forwarded_for(xff)
    };
    assert_eq!(
        resolve(&p, r("198.51.100.7")),
        Ok((ip("198.51.100.7"), HowFound::ForwardedFor { skipped: 0 }))
    );
    assert_eq!(
        resolve(&p, r("198.51.100.7, 10.0.0.9,10.3.3.3")),
        Ok((ip("198.51.100.7"), HowFound::ForwardedFor { skipped: 2 }))
    );
    // A client-written left-most entry is never reached past an untrusted one.
    assert_eq!(
        resolve(&p, r("198.51.100.7, 203.0.113.66, 10.0.0.9")),
        Ok((ip("203.0.113.66"), HowFound::ForwardedFor { skipped: 1 }))
    );
}

#[test]
fn several_header_lines_arrive_joined_and_are_all_walked() {
    let p = xff_policy();
    let r = RecordingRequest::default()
        .from("10.0.0.2:1")
        .forwarded_for("1.1.1.1,203.0.113.66,10.0.0.9");
    assert_eq!(
        resolve(&p, r),
        Ok((ip("203.0.113.66"), HowFound::ForwardedFor { skipped: 1 }))
    );
}

#[test]
fn when_every_entry_is_trusted_the_left_most_is_the_client() {
    let p = xff_policy();
    let r = RecordingRequest::default()
        .from("10.0.0.2:1")
        .forwarded_for("10.9.9.9, 10.0.0.9");
    assert_eq!(
        resolve(&p, r),
        Ok((ip("10.9.9.9"), HowFound::AllTrusted { entries: 2 }))
    );
    let r = RecordingRequest::default().from("10.0.0.2:1");
    assert_eq!(
        resolve(&p, r),
        Ok((ip("10.0.0.2"), HowFound::AllTrusted { entries: 0 })),
        "no header: the trusted peer itself"
    );
}

#[test]
fn proxy_written_forms_are_read() {
    let p = xff_policy();
    let r = |xff: &str| {
        RecordingRequest::default()
            .from("[2001:db8:ffff::1]:443")
            .forwarded_for(xff)
    };
    assert_eq!(
        resolve(&p, r("[2001:db8::5]:4711")).unwrap().0,
        ip("2001:db8::5")
    );
    assert_eq!(
        resolve(&p, r("198.51.100.7:4711")).unwrap().0,
        ip("198.51.100.7")
    );
    assert_eq!(
        resolve(&p, r(" ::ffff:198.51.100.7 ")).unwrap().0,
        ip("198.51.100.7")
    );
    assert_eq!(
        resolve(&p, r("198.51.100.7, [2001:db8:ffff::9]"))
            .unwrap()
            .0,
        ip("198.51.100.7")
    );
    let p = policy_from(r#"{"from": "x_forwarded_for", "trusted_proxies": ["10.0.0.0/8"]}"#);
    let r = RecordingRequest::default()
        .from("[::ffff:10.0.0.2]:1")
        .forwarded_for("198.51.100.7");
    assert_eq!(
        resolve(&p, r).unwrap().0,
        ip("198.51.100.7"),
        "a mapped peer is trusted as IPv4"
    );
}

#[test]
fn a_malformed_candidate_makes_the_client_unknown() {
    let p = xff_policy();
    for bad in [
        "unknown",
        "proxy.example.com",
        "fe80::1%eth0",
        "0x7f.1",
        "010.0.0.1",
        "",
        "_hidden",
    ] {
        let xff = format!("198.51.100.7, {bad}, 10.0.0.9");
        let r = RecordingRequest::default()
            .from("10.0.0.2:1")
            .forwarded_for(&xff);
        assert_eq!(
            resolve(&p, r),
            Err(AddressProblem::BadEntry {
                header: "X-Forwarded-For".into(),
                entry: bad.into()
            }),
            "{bad:?}: never skip past it to an address further left"
        );
    }
    let r = RecordingRequest::default()
        .from("10.0.0.2:1")
        .forwarded_for("198.51.100.7,");
    assert!(resolve(&p, r).is_err(), "an empty right-most entry");
}

#[test]
fn a_peer_derived_from_the_header_is_refused() {
    let p = xff_policy();
    let r = RecordingRequest::default()
        .from("10.0.0.2:0")
        .forwarded_for("198.51.100.7");
    assert!(matches!(
        resolve(&p, r),
        Err(AddressProblem::PeerFromHeader(_))
    ));
}

#[test]
fn a_single_address_header_from_a_trusted_edge() {
    let p = policy_from(
        r#"{"from": "header", "header": "CF-Connecting-IP", "trusted_proxies": ["10.0.0.0/8"]}"#,
    );
    let r = |peer: &str| {
        RecordingRequest::default().from(peer).with(
            Attribute::ClientIpHeader("cf-connecting-ip"),
            "198.51.100.7",
        )
    };
    assert_eq!(
        resolve(&p, r("10.0.0.2:1")),
        Ok((ip("198.51.100.7"), HowFound::Header))
    );
    assert_eq!(
        resolve(&p, r("203.0.113.1:1")),
        Ok((ip("203.0.113.1"), HowFound::UntrustedPeer))
    );
    let missing = RecordingRequest::default().from("10.0.0.2:1");
    assert_eq!(
        resolve(&p, missing),
        Err(AddressProblem::HeaderMissing("cf-connecting-ip".into()))
    );
    let several = RecordingRequest::default().from("10.0.0.2:1").with(
        Attribute::ClientIpHeader("cf-connecting-ip"),
        "1.1.1.1, 198.51.100.7",
    );
    assert_eq!(
        resolve(&p, several),
        Err(AddressProblem::SeveralValues("cf-connecting-ip".into()))
    );
    // Two lines: the second, appended by an edge, must be seen too.
    let header = Attribute::ClientIpHeader("cf-connecting-ip");
    let two_lines = r("10.0.0.2:1").with(header, "203.0.113.1");
    assert_eq!(
        resolve(&p, two_lines),
        Err(AddressProblem::SeveralValues("cf-connecting-ip".into()))
    );
}

#[test]
fn an_unknown_client_fails_the_ip_check_even_under_or() {
    let json = format!(
        r#"{{"condition": "or", "client_ip": {{"from": "x_forwarded_for", "trusted_proxies": {TRUSTED}}},
            "domains": {{"mode": "listed", "allowed": [{{"domain": "app.example.com"}}]}},
            "source_ips": {{"mode": "listed", "allowed": [{{"ip": "0.0.0.0/0"}}]}}}}"#
    );
    let p = load_policy(json.as_bytes()).unwrap().policy;
    let mut r = RecordingRequest::default()
        .from("10.0.0.2:1")
        .forwarded_for("unknown")
        .origin("https://evil.example.net");
    assert_eq!(
        p.evaluate(&mut r).denied,
        Some(DenyReason::DomainOrSourceIp)
    );
}

#[test]
fn configuration_errors() {
    let errors = |client_ip: &str| load_errors(&format!(r#"{{"client_ip": {client_ip}}}"#));
    assert_eq!(
        errors(r#"{"from": "xff"}"#),
        ["client_ip.from: \"xff\" is not allowed; use one of \"source_address\", \"x_forwarded_for\", \"header\""]
    );
    assert_eq!(
        errors(r#"{"from": "x_forwarded_for"}"#),
        ["client_ip.trusted_proxies: is required: the CIDR blocks of the proxies whose address header is honoured"]
    );
    assert_eq!(
        errors(r#"{"from": "x_forwarded_for", "trusted_proxies": []}"#),
        ["client_ip.trusted_proxies: needs at least one CIDR block of your own proxies"]
    );
    let everyone = errors(
        r#"{"from": "x_forwarded_for", "trusted_proxies": ["0.0.0.0/0", "::/0", "10.0.0.1/8"]}"#,
    );
    assert!(
        everyone[0].starts_with("client_ip.trusted_proxies[0]: \"0.0.0.0/0\" trusts every address")
    );
    assert!(everyone[1].starts_with("client_ip.trusted_proxies[1]: \"::/0\" trusts every address"));
    assert!(everyone[2].contains("did you mean \"10.0.0.0/8\"?"));
    assert_eq!(
        errors(r#"{"trusted_proxies": ["10.0.0.0/8"]}"#),
        ["client_ip.trusted_proxies: applies only with \"from\": \"x_forwarded_for\" or \"header\""]
    );
    assert_eq!(
        errors(r#"{"from": "header", "trusted_proxies": ["10.0.0.0/8"]}"#),
        ["client_ip.header: is required with \"from\": \"header\", for example \"cf-connecting-ip\""]
    );
    assert!(errors(
        r#"{"from": "header", "header": "X-Forwarded-For", "trusted_proxies": ["10.0.0.0/8"]}"#
    )[0]
    .contains("use \"from\": \"x_forwarded_for\""));
    assert_eq!(
        errors(r#"{"from": "header", "header": "bad header", "trusted_proxies": ["10.0.0.0/8"]}"#),
        ["client_ip.header: \"bad header\" is not a header name"]
    );
    assert_eq!(
        errors(r#"{"from": "x_forwarded_for", "trusted": ["10.0.0.0/8"]}"#)[0],
        "client_ip.trusted: unknown key; the known keys are \"from\", \"trusted_proxies\", \"header\""
    );
}

#[test]
fn client_ip_without_a_listed_ip_list_warns() {
    let loaded = load_policy(
        br#"{"client_ip": {"from": "x_forwarded_for", "trusted_proxies": ["10.0.0.0/8"]}}"#,
    )
    .unwrap();
    assert!(loaded
        .warnings
        .contains(&"client_ip: has no effect while source_ips is in mode \"all\"".to_string()));
}

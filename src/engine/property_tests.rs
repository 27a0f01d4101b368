//! Properties that must hold for every input, checked with generated inputs.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use proptest::prelude::*;

use super::test_support::RecordingRequest;
use super::*;

fn policy(json: &str) -> Policy {
    load_policy(json.as_bytes()).unwrap().policy
}

fn policies() -> Vec<Policy> {
    [
        r#"{"domains": {"mode": "listed", "allowed": [{"domain": "app.example.com"}, {"domain": "*.example.org"}, {"domain": "https://[::1]:8443"}]},
            "source_ips": {"mode": "listed", "allowed": [{"ip": "10.0.0.0/8"}, {"ip": "2001:db8::/32"}]}, "condition": "or",
            "domain_sources": ["origin", "referer", "authority"], "cors": {"expose_denials": true}}"#,
        r#"{"source_ips": {"mode": "listed", "allowed": [{"ip": "198.51.100.0/24"}]},
            "client_ip": {"from": "x_forwarded_for", "trusted_proxies": ["10.0.0.0/8"]}}"#,
        r#"{"source_ips": {"mode": "listed", "allowed": [{"ip": "198.51.100.0/24"}]},
            "client_ip": {"from": "header", "header": "x-real-ip", "trusted_proxies": ["10.0.0.0/8"]}, "dry_run": true}"#,
    ]
    .iter()
    .map(|json| policy(json))
    .collect()
}

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..64),
        "[ -~]{0,64}".prop_map(String::into_bytes),
        "(https?://)?[a-zA-Z0-9.:@\\[\\]%/?#,\\\\ -]{0,48}".prop_map(String::into_bytes),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn the_engine_never_panics_on_request_values(
        origin in bytes(), referer in bytes(), host in bytes(), xff in bytes(),
        real_ip in bytes(), source in bytes(),
    ) {
        for p in policies() {
            let make = || {
                let mut r = RecordingRequest::default();
                for (attribute, value) in [
                    (Attribute::Origin, &origin), (Attribute::Referer, &referer), (Attribute::Authority, &host),
                    (Attribute::XForwardedFor, &xff), (Attribute::ClientIpHeader("x-real-ip"), &real_ip),
                    (Attribute::SourceAddress, &source),
                ] {
                    r = r.with(attribute, value);
                }
                r.with(Attribute::Scheme, "https")
            };
            let decision = p.evaluate(&mut make());
            let _ = decision.record(&p);
            let _ = decision.counters().count();
            if let Some(reason) = decision.denied {
                let _ = p.local_reply(reason, &mut make());
            }
        }
    }

    #[test]
    fn loading_never_panics_on_any_bytes(config in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = load_policy(&config);
    }

    #[test]
    fn loading_never_panics_on_any_entry(domain in "\\PC{0,40}", ip in "\\PC{0,40}", mode in "(all|listed|\\PC{0,6})") {
        let json = serde_json::json!({
            "domains": {"mode": mode, "allowed": [{"domain": domain}]},
            "source_ips": {"mode": "listed", "allowed": [{"ip": ip}]},
            "client_ip": {"from": "x_forwarded_for", "trusted_proxies": [ip]},
        });
        let _ = load_policy(json.to_string().as_bytes());
    }

    #[test]
    fn host_letter_case_and_a_trailing_dot_never_change_a_decision(
        labels in proptest::collection::vec("[a-z0-9]{1,8}", 1..4),
        base in prop_oneof![Just("example.org"), Just("app.example.com"), Just("example.com")],
        flips in proptest::collection::vec(any::<bool>(), 64),
        dot in any::<bool>(),
    ) {
        let p = policy(r#"{"domains": {"mode": "listed", "allowed": [{"domain": "app.example.com"}, {"domain": "*.example.org"}]}}"#);
        let host = format!("{}.{base}", labels.join("."));
        let variant: String = host
            .chars()
            .zip(flips.iter().cycle())
            .map(|(c, flip)| if *flip { c.to_ascii_uppercase() } else { c })
            .collect::<String>() + if dot { "." } else { "" };
        let judge = |h: &str| p.evaluate(&mut RecordingRequest::default().origin(&format!("https://{h}"))).allowed();
        prop_assert_eq!(judge(&host), judge(&variant));
        prop_assert_eq!(judge(base), judge(&base.to_ascii_uppercase()));
    }

    #[test]
    fn an_ipv4_address_matches_a_block_exactly_when_the_arithmetic_says_so(
        network in any::<u32>(), len in 0u8..=32, addr in any::<u32>(), near in any::<bool>(),
    ) {
        let mask = if len == 0 { 0 } else { u32::MAX << (32 - u32::from(len)) };
        let network = network & mask;
        // Half the addresses are drawn near the block, where mistakes hide.
        let addr = if near { network ^ (addr & 0x1ff) } else { addr };
        let entry = format!("{}/{len}", Ipv4Addr::from(network));
        let p = policy(&format!(r#"{{"source_ips": {{"mode": "listed", "allowed": [{{"ip": "{entry}"}}]}}}}"#));
        let allowed = p.evaluate(&mut RecordingRequest::default().from(&format!("{}:1", Ipv4Addr::from(addr)))).allowed();
        prop_assert_eq!(allowed, addr & mask == network, "{} in {}", Ipv4Addr::from(addr), entry);
    }

    #[test]
    fn an_ipv6_address_matches_a_block_exactly_when_the_arithmetic_says_so(
        network in any::<u128>(), len in 0u8..=128, addr in any::<u128>(), near in any::<bool>(),
    ) {
        let mask = if len == 0 { 0 } else { u128::MAX << (128 - u32::from(len)) };
        let network = network & mask;
        let addr = if near { network ^ (addr & 0x1ff) } else { addr };
        let v6 = Ipv6Addr::from(addr);
        // A client in ::ffff:0:0/96 is compared as IPv4; keep to plain IPv6 here.
        prop_assume!(v6.to_ipv4_mapped().is_none() && Ipv6Addr::from(network).to_ipv4_mapped().is_none());
        let entry = format!("{}/{len}", Ipv6Addr::from(network));
        let p = policy(&format!(r#"{{"source_ips": {{"mode": "listed", "allowed": [{{"ip": "{entry}"}}]}}}}"#));
        let found = p.evaluate(&mut RecordingRequest::default().from(&format!("[{v6}]:1"))).source_ip.unwrap().client.address;
        prop_assert_eq!(found, Ok(IpAddr::V6(v6)));
        let allowed = p.evaluate(&mut RecordingRequest::default().from(&format!("[{v6}]:1"))).allowed();
        prop_assert_eq!(allowed, addr & mask == network, "{} in {}", v6, entry);
    }

    #[test]
    fn a_wildcard_matches_exactly_the_hosts_with_labels_in_front(
        base in proptest::collection::vec("[a-z][a-z0-9]{0,6}", 2..4),
        front in proptest::collection::vec("[a-z0-9]{1,6}", 0..3),
        glue in prop_oneof![Just("."), Just(""), Just("-"), Just("x")],
        tail in prop_oneof![Just(""), Just(".evil.net"), Just("x")],
    ) {
        let base = base.join(".");
        let p = policy(&format!(r#"{{"domains": {{"mode": "listed", "allowed": [{{"domain": "*.{base}"}}]}}}}"#));
        let host = if front.is_empty() { format!("{base}{tail}") } else { format!("{}{glue}{base}{tail}", front.join(".")) };
        let expected = !front.is_empty() && glue == "." && tail.is_empty();
        let allowed = p.evaluate(&mut RecordingRequest::default().origin(&format!("https://{host}"))).allowed();
        prop_assert_eq!(allowed, expected, "{} against *.{}", host, base);
    }
}

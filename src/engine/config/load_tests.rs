//! Loading configurations: defaults, warnings, and every error at once.

use crate::engine::test_support::load_errors as errors;
use crate::engine::*;

fn warnings(json: &str) -> Vec<String> {
    load_policy(json.as_bytes()).unwrap().warnings
}

#[test]
fn the_example_configuration_loads() {
    let loaded = load_policy(
        br#"{
        "domains": {"mode": "listed", "allowed": [
            {"name": "Web app", "domain": "app.example.com"}, {"domain": "*.example.org"}]},
        "source_ips": {"mode": "listed", "allowed": [
            {"name": "Office", "ip": "203.0.113.0/24"}, {"ip": "2001:db8::7"}]},
        "condition": "and",
        "domain_sources": ["origin", "referer"],
        "max_entries": 25
    }"#,
    )
    .unwrap();
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    assert_eq!(
        loaded.policy.to_string(),
        "domains: listed (2 entries), source_ips: listed (2 entries), condition: and, domain_sources: origin,referer, client_ip: source_address, deny_status: 403"
    );
    assert_eq!(
        loaded.policy.domain_entries[0],
        ListedEntry {
            name: Some("Web app".into()),
            value: "app.example.com".into()
        }
    );
}

#[test]
fn an_explicit_empty_object_allows_all_with_a_warning() {
    let loaded = load_policy(b"{}").unwrap();
    assert!(!loaded.policy.enforces_anything());
    assert_eq!(
        loaded.warnings,
        ["configuration: nothing is enforced: both lists are in mode \"all\", so every request is allowed"]
    );
}

#[test]
fn no_configuration_at_all_is_refused() {
    // In Istio a forgotten or dropped pluginConfig arrives as nothing.
    for empty in ["", "  \n\t"] {
        let found = errors(empty);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].starts_with("configuration: is empty, so the filter would enforce nothing"),
            "{found:?}"
        );
        assert!(found[0].contains("pluginConfig"), "{found:?}");
    }
}

#[test]
fn entries_without_a_mode_are_refused() {
    assert_eq!(
        errors(r#"{"domains": {"allowed": [{"domain": "app.example.com"}]}}"#),
        ["domains.mode: is required next to entries (without it the list would allow every domain); write \"mode\": \"listed\" to allow only these entries, or \"mode\": \"all\" and no entries"]
    );
    assert_eq!(
        errors(r#"{"source_ips": {"allowed": [{"ip": "10.0.0.0/8"}, {"ip": "bad"}]}}"#),
        [
            "source_ips.mode: is required next to entries (without it the list would allow every ip); write \"mode\": \"listed\" to allow only these entries, or \"mode\": \"all\" and no entries",
            "source_ips.allowed[1].ip: \"bad\" is not an IP address or CIDR block, like \"203.0.113.7\", \"203.0.113.0/24\" or \"2001:db8::/32\"",
        ]
    );
    // Without entries, an omitted mode is the product's default: allow all.
    assert!(load_policy(br#"{"domains": {"allowed": []}, "source_ips": {}}"#).is_ok());
}

#[test]
fn duplicate_keys_anywhere_are_refused() {
    assert_eq!(
        errors(
            r#"{"source_ips": {"mode": "listed", "allowed": [{"ip": "10.0.0.0/8"}]}, "source_ips": {"mode": "all"}}"#
        ),
        ["source_ips: is given twice in the same object; only one would count, so neither is trusted: keep one"]
    );
    assert_eq!(
        errors(r#"{"domains": {"mode": "listed", "allowed": [{"domain": "a.com", "domain": "b.com"}]}}"#),
        ["domains.allowed[0].domain: is given twice in the same object; only one would count, so neither is trusted: keep one"]
    );
}

#[test]
fn trusted_proxies_that_cover_a_whole_family_in_pieces_are_refused() {
    let client_ip = |trusted: &str| {
        format!(
            r#"{{"source_ips": {{"mode": "listed", "allowed": [{{"ip": "198.51.100.0/24"}}]}},
                "client_ip": {{"from": "x_forwarded_for", "trusted_proxies": {trusted}}}}}"#
        )
    };
    assert_eq!(
        errors(&client_ip(r#"["0.0.0.0/1", "128.0.0.0/1"]"#)),
        ["client_ip.trusted_proxies: together trusts every IPv4 address (as \"0.0.0.0/0\" would), which lets almost any client write its own address; list only your proxies"]
    );
    let quarters = r#"["::/2", "4000::/2", "8000::/2", "c000::/2", "10.0.0.0/8"]"#;
    assert!(errors(&client_ip(quarters))[0].contains("together trusts every IPv6 address"));
    assert_eq!(
        errors(&client_ip(r#"["0.0.0.0/1", "10.0.0.0/8"]"#)),
        ["client_ip.trusted_proxies: together trusts 50% of all IPv4 addresses, which lets almost any client write its own address; list only your proxies"]
    );
    let wide = load_policy(client_ip(r#"["0.0.0.0/7", "10.0.0.0/8"]"#).as_bytes()).unwrap();
    assert_eq!(
        wide.warnings,
        ["client_ip.trusted_proxies[0]: \"0.0.0.0/7\" trusts 2^25 addresses; list only your proxies' own blocks"]
    );
}

#[test]
fn allowlist_blocks_that_cover_a_whole_family_warn_like_a_slash_zero() {
    let found = warnings(
        r#"{"source_ips": {"mode": "listed", "allowed": [{"ip": "0.0.0.0/1"}, {"ip": "128.0.0.0/1"}]}}"#,
    );
    assert_eq!(
        found,
        ["source_ips.allowed: together allow every IPv4 address (as \"0.0.0.0/0\" would)"]
    );
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn wildcards_over_public_suffixes_warn() {
    let found = warnings(
        r#"{"domains": {"mode": "listed", "allowed": [{"domain": "*.github.io"}, {"domain": "https://*.co.uk"}, {"domain": "*.app.github.io"}, {"domain": "*.example.com"}]}}"#,
    );
    assert_eq!(
        found,
        [
            "domains.allowed[0].domain: \"*.github.io\" matches every site under \"github.io\", a public suffix (Public Suffix List) where anyone can register a name; list your own names under it, like \"app.github.io\"",
            "domains.allowed[1].domain: \"https://*.co.uk\" matches every site under \"co.uk\", a public suffix (Public Suffix List) where anyone can register a name; list your own names under it, like \"app.co.uk\"",
        ]
    );
}

#[test]
fn authority_after_a_browser_header_warns() {
    let with_sources = |sources: &str| {
        format!(
            r#"{{"domain_sources": {sources}, "domains": {{"mode": "listed", "allowed": [{{"domain": "api.example.com"}}]}}}}"#
        )
    };
    let found = warnings(&with_sources(r#"["origin", "authority"]"#));
    assert_eq!(found.len(), 1);
    assert!(
        found[0].starts_with("domain_sources: \"authority\" after \"origin\": a cross-site request that sends no Origin"),
        "{found:?}"
    );
    assert!(warnings(&with_sources(r#"["authority"]"#)).is_empty());
    assert_eq!(
        warnings(&with_sources(r#"["authority", "origin"]"#)),
        ["domain_sources: \"origin\" after \"authority\" is never read: every request has an :authority"]
    );
}

#[test]
fn every_error_is_reported_with_its_path() {
    let found = errors(
        r#"{
        "domain": {},
        "domains": {"mode": "listed", "allowed": [
            {"domain": "https://a.com/path"}, {"name": 3, "domain": "*.com"}, {"host": "b.com"}, "c.com"]},
        "source_ips": {"mode": "Listed", "allowed": [
            {"ip": "10.0.0.1/8"}, {"ip": "10.0.0.0/8"}, {"ip": "fe80::1%eth0"}]},
        "condition": "xor",
        "domain_sources": ["origin", "referrer", "origin", 7],
        "max_entries": 0
    }"#,
    );
    // What cannot be read comes first (unknown keys, wrong types), then what
    // is read but wrong: the shared settings, then the lists.
    let expected = [
        "domain: unknown key; did you mean \"domains\"?",
        "domains.allowed[1].name: must be a string, found a number",
        "domains.allowed[2].host: unknown key; the known keys are \"name\", \"domain\"",
        "domains.allowed[3]: must be an object, found a string",
        "source_ips.mode: \"Listed\" is not allowed; did you mean \"listed\"?",
        "condition: \"xor\" is not allowed; did you mean \"or\"?",
        "domain_sources[1]: \"referrer\" is not a source; did you mean \"referer\"?",
        "domain_sources[3]: must be a string, found a number",
        "max_entries: must be a whole number from 1 to 10000, found 0",
        "domain_sources[2]: \"origin\" is listed twice",
        "domains.allowed[0].domain: \"https://a.com/path\" has a path; an entry is [scheme://]host[:port], did you mean \"https://a.com\"?",
        "domains.allowed[1].domain: \"*.com\" would allow every domain under the top-level domain \".com\"; list the domains you mean, like \"*.example.com\"",
        "domains.allowed[2].domain: is required",
        "source_ips.allowed[0].ip: \"10.0.0.1/8\" has host bits set; did you mean \"10.0.0.0/8\"?",
        "source_ips.allowed[2].ip: \"fe80::1%eth0\" has a zone id (\"%eth0\"), which is only meaningful on one host; did you mean \"fe80::1\"?",
    ];
    assert_eq!(found, expected);
}

#[test]
fn listed_needs_entries_within_the_limit() {
    assert_eq!(
        errors(r#"{"domains": {"mode": "listed"}}"#),
        ["domains.allowed: mode \"listed\" needs at least one entry; add one, or set \"mode\": \"all\" to allow every domain"]
    );
    assert_eq!(
        errors(r#"{"source_ips": {"mode": "listed", "allowed": []}}"#),
        ["source_ips.allowed: mode \"listed\" needs at least one entry; add one, or set \"mode\": \"all\" to allow every ip"]
    );
    let entries = |n: usize| {
        (0..n)
            .map(|i| format!(r#"{{"ip": "10.0.{}.{}"}}"#, i / 256, i % 256))
            .collect::<Vec<_>>()
            .join(",")
    };
    let list = |n: usize, max: &str| {
        format!(
            r#"{{{max}"source_ips": {{"mode": "listed", "allowed": [{}]}}}}"#,
            entries(n)
        )
    };
    assert!(load_policy(list(25, "").as_bytes()).is_ok());
    assert_eq!(
        errors(&list(26, "")),
        ["source_ips.allowed: has 26 entries; the limit is 25 (max_entries, which may be raised up to 10000)"]
    );
    assert!(load_policy(list(10_000, r#""max_entries": 10000,"#).as_bytes()).is_ok());
    assert_eq!(
        errors(&list(1, r#""max_entries": 10001,"#)),
        ["max_entries: must be a whole number from 1 to 10000, found 10001"]
    );
}

#[test]
fn mode_all_ignores_entries_with_a_warning() {
    let found = warnings(r#"{"domains": {"mode": "all", "allowed": [{"domain": "a.com"}]}}"#);
    assert_eq!(
        found,
        [
            "domains.allowed: mode is \"all\", so 1 entry is ignored and every value is allowed",
            "configuration: nothing is enforced: both lists are in mode \"all\", so every request is allowed",
        ]
    );
}

#[test]
fn warnings_for_moot_settings_and_repeats() {
    let found = warnings(
        r#"{"condition": "or", "source_ips": {"mode": "listed", "allowed": [{"ip": "10.0.0.0/8"}, {"ip": "10.0.0.0/8"}, {"ip": "::/0"}]}}"#,
    );
    assert_eq!(
        found,
        [
            "source_ips.allowed[2]: \"::/0\" allows every IPv6 address",
            "condition: applies only when both lists are in mode \"listed\"; the one listed list decides alone",
            "source_ips.allowed[1]: \"10.0.0.0/8\" repeats allowed[0] and changes nothing",
        ]
    );
}

#[test]
fn json_errors_explain_the_envoy_encoding() {
    let found = errors("\n\u{8}binary");
    assert_eq!(found.len(), 1);
    assert!(
        found[0].starts_with("configuration: is not valid JSON"),
        "{found:?}"
    );
    assert!(
        found[0].contains("google.protobuf.StringValue"),
        "{found:?}"
    );
    assert_eq!(
        errors("[]"),
        ["configuration: must be an object, found an array"]
    );
    assert!(!errors("{\"domains\": ").is_empty());
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn the_published_schema_is_up_to_date() {
    let published = include_str!("../../../schema/proxy-allowlist.schema.json");
    assert!(
        config::json_schema() == published,
        "schema/proxy-allowlist.schema.json is out of date: run `make schema`"
    );
}

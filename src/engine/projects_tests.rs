//! Many projects in one configuration: each request is judged by its own
//! project's rules, an unknown project by `projects.unknown`, and every
//! configuration mistake is named with the project's path.

use super::test_support::{load_errors, RecordingRequest};
use super::*;

/// The configuration of the many-projects issue, exactly.
const PROJECTS: &str = r#"{
  "projects": {
    "from": {"header": "x-project-id"},
    "unknown": "deny",
    "policies": {
      "checkout-web": {
        "domains": {"mode": "listed", "allowed": [{"name": "Shop", "domain": "shop.example.com"}]},
        "source_ips": {"mode": "all"}
      },
      "partner-sync": {
        "domains": {"mode": "all"},
        "source_ips": {"mode": "listed", "allowed": [{"name": "Partner DC", "ip": "198.51.100.0/24"}]},
        "condition": "and"
      }
    }
  },
  "domain_sources": ["origin", "referer"],
  "client_ip": {"from": "source_address"}
}"#;

fn policy(json: &str) -> Policy {
    load_policy(json.as_bytes()).unwrap().policy
}

fn project(id: &str) -> RecordingRequest {
    RecordingRequest::default().with(Attribute::ProjectHeader("x-project-id"), id)
}

fn judge(policy: &Policy, request: &mut RecordingRequest) -> (Option<DenyReason>, String) {
    let decision = policy.evaluate(request);
    (decision.denied, decision.record(policy))
}

#[test]
fn each_project_is_judged_by_its_own_rules() {
    let p = policy(PROJECTS);
    let shop = "https://shop.example.com";
    let partner = "198.51.100.7:4000";
    assert_eq!(
        judge(
            &p,
            &mut project("checkout-web").origin(shop).from("203.0.113.1:1")
        ),
        (
            None,
            r#"{"decision":"allow","project":"checkout-web","site":"https://shop.example.com","site_source":"origin","domain_entry":"Shop"}"#.into()
        )
    );
    assert_eq!(
        judge(
            &p,
            &mut project("checkout-web")
                .origin("https://evil.example.net")
                .from(partner)
        )
        .0,
        Some(DenyReason::Domain)
    );
    assert_eq!(
        judge(
            &p,
            &mut project("partner-sync")
                .origin("https://evil.example.net")
                .from(partner)
        ),
        (
            None,
            r#"{"decision":"allow","project":"partner-sync","client":"198.51.100.7","source_ip_entry":"Partner\u0020DC"}"#.into()
        )
    );
    assert_eq!(
        judge(
            &p,
            &mut project("partner-sync").origin(shop).from("203.0.113.1:1")
        )
        .0,
        Some(DenyReason::SourceIp),
        "the shop's origin is checkout-web's entry, not partner-sync's"
    );
}

#[test]
fn an_unknown_project_is_denied_with_its_own_reason() {
    let p = policy(PROJECTS);
    let cases = [
        (RecordingRequest::default(), "missing"),
        (project("nope"), "not_listed"),
        (project("a b"), "malformed"),
        (
            project("checkout-web").with(Attribute::ProjectHeader("x-project-id"), "partner-sync"),
            "several_values",
        ),
        (
            RecordingRequest::default().failing(Attribute::ProjectHeader("x-project-id")),
            "unavailable",
        ),
    ];
    for (request, problem) in cases {
        let mut request = request.origin("https://shop.example.com");
        let decision = p.evaluate(&mut request);
        assert_eq!(
            decision.denied,
            Some(DenyReason::UnknownProject),
            "{problem}"
        );
        assert!(decision.record(&p).starts_with(&format!(
            r#"{{"decision":"deny","reason":"unknown_project","project_unknown":"{problem}""#
        )));
        assert!(decision.counters().any(|c| c == Counter::ProjectUnknown));
        assert!(decision
            .counters()
            .any(|c| c == Counter::DeniedUnknownProject));
        assert_eq!(request.asked, ["x-project-id"], "nothing else is read");
    }
    let reply = p.local_reply(DenyReason::UnknownProject, &mut RecordingRequest::default());
    assert_eq!(reply.status, 403);
    assert_eq!(reply.details, "proxy_allowlist_unknown_project");
    assert_eq!(
        reply.body,
        r#"{"code":"PERMISSION_DENIED","message":"Permission denied. The project could not be determined from the request."}"#
    );
}

#[test]
fn unknown_allow_lets_unknown_projects_through_and_counts_them() {
    let p = policy(&PROJECTS.replace(r#""unknown": "deny""#, r#""unknown": "allow""#));
    let decision = p.evaluate(&mut project("nope"));
    assert!(decision.allowed());
    assert_eq!(decision.dry_run_denied, None);
    assert_eq!(
        decision.counters().collect::<Vec<_>>(),
        [Counter::Allowed, Counter::ProjectUnknown]
    );
    let dry = policy(&PROJECTS.replace(
        r#""domain_sources""#,
        r#""dry_run": true, "domain_sources""#,
    ));
    let decision = dry.evaluate(&mut project("nope"));
    assert_eq!(
        (decision.denied, decision.dry_run_denied),
        (None, Some(DenyReason::UnknownProject)),
        "dry run observes an unknown-project denial too"
    );
}

#[test]
fn projects_from_metadata_and_from_the_host() {
    let metadata = policy(&PROJECTS.replace(
        r#"{"header": "x-project-id"}"#,
        r#"{"metadata": {"namespace": "envoy.filters.http.ext_authz", "key": "project"}}"#,
    ));
    let attribute = Attribute::Metadata {
        namespace: "envoy.filters.http.ext_authz",
        key: "project",
    };
    let mut request = RecordingRequest::default()
        .with(attribute, "partner-sync")
        .from("198.51.100.9:1");
    assert!(metadata.evaluate(&mut request).allowed());
    let mut forged = RecordingRequest::default()
        .with(Attribute::ProjectHeader("x-project-id"), "partner-sync")
        .from("198.51.100.9:1");
    assert_eq!(
        metadata.evaluate(&mut forged).denied,
        Some(DenyReason::UnknownProject),
        "a header is not metadata"
    );

    let host = policy(&PROJECTS.replace(
        r#"{"header": "x-project-id"}"#,
        r#"{"subdomain_of": "API.example.com."}"#,
    ));
    let on = |h: &str| {
        host.evaluate(
            &mut RecordingRequest::default()
                .with(Attribute::Authority, h)
                .from("198.51.100.9:1"),
        )
    };
    assert!(on("partner-sync.api.example.com:443").allowed());
    assert_eq!(
        on("checkout-web.api.example.com").denied,
        Some(DenyReason::Domain)
    );
    assert_eq!(
        on("x.partner-sync.api.example.com").denied,
        Some(DenyReason::UnknownProject)
    );
    assert_eq!(
        on("api.example.com").denied,
        Some(DenyReason::UnknownProject)
    );
}

#[test]
fn one_configuration_or_the_other() {
    let found = load_errors(&PROJECTS.replacen(
        r#""projects""#,
        r#""condition": "or", "domains": {"mode": "all"}, "projects""#,
        1,
    ));
    assert_eq!(
        found,
        [
            "domains: cannot stand next to \"projects\": each project has its own; move it into projects.policies.<id>.domains",
            "condition: cannot stand next to \"projects\": each project has its own; move it into projects.policies.<id>.condition",
        ]
    );
}

#[test]
fn errors_carry_the_whole_path() {
    let found = load_errors(
        r#"{"max_entries": 1, "projects": {"from": {"header": "x-project-id", "subdomain_of": "a.com"}, "unknown": "maybe",
            "policies": {
              "checkout-web": {"domains": {"mode": "listed", "allowed": [{"domain": "https://shop.example.com/cart"}]},
                               "source_ips": {"allowed": [{"ip": "10.0.0.0/8"}]}},
              "two": {"domains": {"mode": "listed", "allowed": [{"domain": "a.com"}, {"domain": "b.com"}]}},
              "bad id!": {},
              "partner_sync": {"conditon": "or"}
            }}}"#,
    );
    assert_eq!(
        found,
        [
            "projects.unknown: \"maybe\" is not allowed; use one of \"deny\", \"allow\"",
            "projects.policies.partner_sync.conditon: unknown key; did you mean \"condition\"?",
            "projects.from: names 2 sources; give exactly one of \"header\", \"metadata\", \"subdomain_of\"",
            "projects.policies[\"bad id!\"]: is not a project id: use 1 to 128 characters from A-Z a-z 0-9 . _ : -",
            "projects.policies[\"checkout-web\"].domains.allowed[0].domain: \"https://shop.example.com/cart\" has a path; an entry is [scheme://]host[:port], did you mean \"https://shop.example.com\"?",
            "projects.policies[\"checkout-web\"].source_ips.mode: is required next to entries (without it the list would allow every ip); write \"mode\": \"listed\" to allow only these entries, or \"mode\": \"all\" and no entries",
            "projects.policies.two.domains.allowed: has 2 entries; the limit is 1 (max_entries, which may be raised up to 10000)",
        ]
    );
}

#[test]
fn the_source_must_be_named_and_usable() {
    let with_from =
        |from: &str| format!(r#"{{"projects": {{"from": {from}, "policies": {{"a": {{}}}}}}}}"#);
    assert_eq!(
        load_errors(r#"{"projects": {"policies": {}}}"#),
        ["projects.from: is required: {\"header\": NAME}, {\"metadata\": {\"namespace\": NS, \"key\": KEY}} or {\"subdomain_of\": SUFFIX}"]
    );
    assert_eq!(
        load_errors(&with_from("{}")),
        ["projects.from: names 0 sources; give exactly one of \"header\", \"metadata\", \"subdomain_of\""]
    );
    assert_eq!(
        load_errors(&with_from(r#"{"metadata": {"namespace": "ns"}}"#)),
        ["projects.from.metadata.key: is required and must not be empty"]
    );
    assert_eq!(
        load_errors(&with_from(r#"{"subdomain_of": "10.0.0.1"}"#)),
        ["projects.from.subdomain_of: \"10.0.0.1\" is an address; projects need a domain, like \"api.example.com\""]
    );
    assert_eq!(
        load_errors(r#"{"projects": {"from": {"subdomain_of": "api.example.com"}, "policies": {"Shop": {}, "team.a": {}, "ok-1": {}}}}"#),
        [
            "projects.policies.Shop: with subdomain_of, a project id is one host label (lowercase letters, digits and inner hyphens, at most 63): no host could name this project",
            "projects.policies[\"team.a\"]: with subdomain_of, a project id is one host label (lowercase letters, digits and inner hyphens, at most 63): no host could name this project",
        ]
    );
    assert_eq!(
        load_errors(&with_from(r#"{"header": "x project"}"#)),
        ["projects.from.header: \"x project\" is not a header name"]
    );
}

#[test]
fn validate_summarises_and_warns_per_project() {
    let loaded = load_policy(PROJECTS.as_bytes()).unwrap();
    assert_eq!(
        loaded.policy.to_string(),
        "2 projects from header x-project-id, unknown: deny; 1 with listed domains (1 entry), 1 with listed source IPs (1 entry); domain_sources: origin,referer, client_ip: source_address, deny_status: 403"
    );
    assert_eq!(
        loaded
            .policy
            .project("partner-sync")
            .unwrap()
            .summary(false),
        "domains: all, source_ips: listed (1 entry), condition: and"
    );
    assert!(loaded.policy.project("nope").is_none());
    assert_eq!(
        loaded.warnings,
        ["projects.policies[\"partner-sync\"].condition: applies only when both lists are in mode \"listed\"; the one listed list decides alone"]
    );
    let empty =
        load_policy(br#"{"projects": {"from": {"header": "x-p"}, "policies": {}}}"#).unwrap();
    assert_eq!(
        empty.warnings,
        ["projects.policies: lists no project, so every request's project is unknown and every request is denied"]
    );
}

#[test]
fn many_projects_keep_their_entries_apart() {
    let mut policies = Vec::new();
    for i in 0..2000 {
        policies.push(format!(
            r#""p{i}": {{"domains": {{"mode": "listed", "allowed": [{{"domain": "app{i}.example.com"}}, {{"domain": "*.p{i}.example.org"}}]}},
                       "source_ips": {{"mode": "listed", "allowed": [{{"ip": "10.{}.{}.0/24"}}]}}, "condition": "or"}}"#,
            i / 256,
            i % 256
        ));
    }
    let json = format!(
        r#"{{"projects": {{"from": {{"header": "x-project-id"}}, "policies": {{{}}}}}}}"#,
        policies.join(",")
    );
    let p = policy(&json);
    for i in [0, 777, 1999] {
        let mut own = project(&format!("p{i}"))
            .origin(&format!("https://a.p{i}.example.org"))
            .from("192.0.2.1:1");
        assert!(p.evaluate(&mut own).allowed(), "p{i}");
        let mut other = project(&format!("p{i}"))
            .origin(&format!("https://app{}.example.com", i + 1))
            .from("192.0.2.1:1");
        assert_eq!(
            p.evaluate(&mut other).denied,
            Some(DenyReason::DomainOrSourceIp),
            "p{i}"
        );
        let address = format!("10.{}.{}.9:1", i / 256, i % 256);
        assert!(p
            .evaluate(&mut project(&format!("p{i}")).from(&address))
            .allowed());
        assert!(!p
            .evaluate(&mut project(&format!("p{}", (i + 1) % 2000)).from(&address))
            .allowed());
    }
}

//! Dry run, the reply's forms (gRPC, CORS, 404), counters and access-log records.

use super::test_support::{load_errors, RecordingRequest};
use super::*;

const LISTS: &str = r#""domains": {"mode": "listed", DOMAIN_DRY "allowed": [{"name": "Web app", "domain": "app.example.com"}]},
    "source_ips": {"mode": "listed", IP_DRY "allowed": [{"name": "Office", "ip": "203.0.113.0/24"}]}"#;

fn policy(condition: &str, domain_dry: bool, ip_dry: bool, extra: &str) -> Policy {
    let lists = LISTS
        .replace(
            "DOMAIN_DRY",
            if domain_dry {
                r#""dry_run": true,"#
            } else {
                ""
            },
        )
        .replace("IP_DRY", if ip_dry { r#""dry_run": true,"# } else { "" });
    let json = format!(r#"{{"condition": "{condition}", {lists} {extra}}}"#);
    load_policy(json.as_bytes()).unwrap().policy
}

fn request(origin_ok: bool, ip_ok: bool) -> RecordingRequest {
    RecordingRequest::default()
        .origin(if origin_ok {
            "https://app.example.com"
        } else {
            "https://evil.example.net"
        })
        .from(if ip_ok {
            "203.0.113.9:1"
        } else {
            "198.51.100.1:1"
        })
}

fn judge(
    policy: &Policy,
    origin_ok: bool,
    ip_ok: bool,
) -> (Option<DenyReason>, Option<DenyReason>) {
    let decision = policy.evaluate(&mut request(origin_ok, ip_ok));
    (decision.denied, decision.dry_run_denied)
}

#[test]
fn global_dry_run_enforces_nothing_and_observes_everything() {
    let p = policy("and", false, false, r#", "dry_run": true"#);
    assert_eq!(judge(&p, true, true), (None, None));
    assert_eq!(judge(&p, false, true), (None, Some(DenyReason::Domain)));
    assert_eq!(
        judge(&p, false, false),
        (None, Some(DenyReason::SourceIp)),
        "under `and` the address decides first, as it will once enforced"
    );
}

#[test]
fn enforce_the_ip_list_while_observing_the_domain_list() {
    let p = policy("and", true, false, "");
    assert_eq!(judge(&p, true, true), (None, None));
    assert_eq!(judge(&p, false, true), (None, Some(DenyReason::Domain)));
    assert_eq!(judge(&p, true, false), (Some(DenyReason::SourceIp), None));
    assert_eq!(
        judge(&p, false, false),
        (Some(DenyReason::SourceIp), None),
        "the enforced reason names only the enforced list"
    );
}

#[test]
fn under_or_an_observed_list_cannot_allow() {
    let p = policy("or", true, false, "");
    assert_eq!(
        judge(&p, true, false),
        (Some(DenyReason::SourceIp), None),
        "a listed domain is only observed"
    );
    assert_eq!(judge(&p, false, true), (None, None));
    let p = policy("or", false, true, "");
    assert_eq!(
        judge(&p, false, true),
        (Some(DenyReason::Domain), None),
        "a listed IP is only observed"
    );
    assert_eq!(judge(&p, true, false), (None, None));
    let mut r = request(true, true);
    p.evaluate(&mut r);
    assert_eq!(
        r.asked,
        ["source.address", "origin"],
        "the domain is read: it decides"
    );
}

fn reply(policy: &Policy, request: RecordingRequest) -> LocalReply {
    let mut request = request;
    let reason = policy.evaluate(&mut request).denied.unwrap();
    policy.local_reply(reason, &mut request)
}

#[test]
fn the_default_reply_is_the_products_403() {
    let p = policy("and", false, false, "");
    let r = reply(&p, request(false, true));
    assert_eq!(r.status, 403);
    assert_eq!(r.details, "proxy_allowlist_denied_domain");
    assert_eq!(
        r.headers,
        [
            ("content-type", "application/json".to_string()),
            ("cache-control", "no-store".to_string())
        ]
    );
    assert_eq!(r.body, DenyReason::Domain.body());
}

#[test]
fn cors_exposes_denials_to_well_formed_origins_only() {
    let p = policy("and", false, false, r#", "cors": {"expose_denials": true}"#);
    let r = reply(&p, request(false, true));
    assert!(r.headers.contains(&(
        "access-control-allow-origin",
        "https://evil.example.net".to_string()
    )));
    assert!(r.headers.contains(&("vary", "Origin".to_string())));
    let r = reply(
        &p,
        RecordingRequest::default()
            .origin("null")
            .from("203.0.113.9:1"),
    );
    assert!(!r
        .headers
        .iter()
        .any(|(name, _)| *name == "access-control-allow-origin"));
    let p = policy("and", false, false, "");
    let r = reply(&p, request(false, true));
    assert!(
        !r.headers
            .iter()
            .any(|(name, _)| *name == "access-control-allow-origin"),
        "opt-in"
    );
}

#[test]
fn deny_status_404_hides_the_api() {
    let p = policy("and", false, false, r#", "deny_status": 404"#);
    let r = reply(&p, request(false, false));
    assert_eq!((r.status, r.body), (404, ""));
    assert!(!r.headers.iter().any(|(name, _)| *name == "content-type"));
}

#[test]
fn counters_and_records() {
    let p = policy("and", true, false, "");
    let decision = p.evaluate(&mut request(true, true));
    assert_eq!(decision.counters().collect::<Vec<_>>(), [Counter::Allowed]);
    assert_eq!(
        decision.record(&p),
        r#"{"decision":"allow","site":"https://app.example.com","site_source":"origin","client":"203.0.113.9","domain_entry":"Web\u0020app","source_ip_entry":"Office"}"#
    );

    let decision = p.evaluate(
        &mut RecordingRequest::default()
            .origin("null")
            .from("203.0.113.9:1"),
    );
    assert_eq!(
        decision.counters().collect::<Vec<_>>(),
        [Counter::DryRunDeniedDomain, Counter::CallingSiteUnusable]
    );
    assert_eq!(
        decision.record(&p),
        r#"{"decision":"dry_run_deny","reason":"domain","site_source":"origin","site_unusable":"null","client":"203.0.113.9","source_ip_entry":"Office"}"#
    );

    let decision = p.evaluate(&mut RecordingRequest::default().origin("https://app.example.com"));
    assert_eq!(
        decision.counters().collect::<Vec<_>>(),
        [Counter::DeniedSourceIp, Counter::ClientAddressUnknown]
    );
    assert_eq!(
        decision.record(&p),
        // Under `and`, the failed address decides: the site is not read.
        r#"{"decision":"deny","reason":"source_ip","client_unknown":"missing"}"#
    );
}

#[test]
fn operation_settings_are_validated() {
    let errors = load_errors;
    assert_eq!(
        errors(r#"{"deny_status": 401}"#),
        ["deny_status: must be 403 (the default) or 404 (to hide that the API exists), found 401"]
    );
    assert_eq!(
        errors(r#"{"dry_run": "yes"}"#),
        ["dry_run: must be true or false, found a string"]
    );
    assert_eq!(
        errors(r#"{"cors": {"expose_denial": true}}"#),
        ["cors.expose_denial: unknown key; did you mean \"expose_denials\"?"]
    );
    assert_eq!(
        errors(
            r#"{"domains": {"mode": "listed", "dry_run": 1, "allowed": [{"domain": "a.com"}]}}"#
        ),
        ["domains.dry_run: must be true or false, found a number"]
    );
    assert_eq!(
        errors(r#"{"record_decisions": "none"}"#),
        ["record_decisions: \"none\" is not allowed; use one of \"all\", \"denied\""]
    );
}

fn record_of(json: &str, request: &mut RecordingRequest) -> String {
    let p = load_policy(json.as_bytes()).unwrap().policy;
    p.evaluate(request).record(&p)
}

#[test]
fn a_dry_run_observes_lists_in_mode_all_and_judges_nothing() {
    let seen = r#"{"decision":"allow","site":"https://app.example.com","site_source":"origin","client":"198.51.100.1"}"#;
    for json in [
        r#"{"dry_run": true}"#,
        r#"{"domains": {"mode": "all", "dry_run": true}, "source_ips": {"mode": "all", "dry_run": true}}"#,
    ] {
        let mut r = request(true, false);
        assert_eq!(record_of(json, &mut r), seen, "{json}");
        assert_eq!(r.asked, ["source.address", "origin"]);
        let mut r = RecordingRequest::default().origin("null");
        assert_eq!(
            record_of(json, &mut r),
            r#"{"decision":"allow","site_source":"origin","site_unusable":"null","client_unknown":"missing"}"#
        );
    }
    // Observing one list leaves the other unread.
    let mut r = request(true, false);
    assert_eq!(
        record_of(
            r#"{"source_ips": {"mode": "all", "dry_run": true}}"#,
            &mut r
        ),
        r#"{"decision":"allow","client":"198.51.100.1"}"#
    );
    assert_eq!(r.asked, ["source.address"]);
    // Without a dry run, mode "all" reads nothing.
    let mut r = request(true, false);
    assert_eq!(record_of("{}", &mut r), r#"{"decision":"allow"}"#);
    assert!(r.asked.is_empty());
}

#[test]
fn an_observed_list_beside_an_enforced_one_never_allows_or_denies() {
    let json = r#"{"domains": {"mode": "all", "dry_run": true},
        "source_ips": {"mode": "listed", "allowed": [{"ip": "203.0.113.0/24"}]}}"#;
    let p = load_policy(json.as_bytes()).unwrap().policy;
    let decision = p.evaluate(&mut request(true, false));
    assert_eq!(decision.denied, Some(DenyReason::SourceIp));
    assert_eq!(decision.dry_run_denied, None);
    let decision = p.evaluate(&mut request(false, true));
    assert_eq!((decision.denied, decision.dry_run_denied), (None, None));
}

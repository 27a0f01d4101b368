"""Running it in production: dry run, counters, decisions in access logs,
deny_status, and what the filter logs."""

import urllib.request

from harness import counters, decision_record, log_entries, request, wait_for

LISTS = {
    "domains": {"mode": "listed", "allowed": [{"name": "Web app", "domain": "app.example.com"}]},
    "source_ips": {"mode": "listed", "allowed": [{"name": "This host", "ip": "127.0.0.1"}]},
}
GOOD = ("Origin", "https://app.example.com")
EVIL = ("Origin", "https://evil.example.net")
# Where Prometheus finds each build's counters.
PROMETHEUS = {"wasm": "proxy_allowlist_proxy_allowlist_", "native": "envoy_dynamicmodulescustom_proxy_allowlist_proxy_allowlist_"}


def counters_reach(envoy, expected):
    """Waits until every expected counter has its value (the Wasm build
    flushes them once a second)."""

    def reached():
        found = counters(envoy.admin_port, envoy.build)
        return found if all(found.get(name) == value for name, value in expected.items()) else None

    return wait_for(reached, what=f"counters {expected}")


def test_global_dry_run_lets_denials_through_and_counts_them(start_envoy):
    envoy = start_envoy({**LISTS, "dry_run": True})
    assert request(envoy.port, [EVIL], source="127.0.0.2").status == 200
    assert request(envoy.port, [EVIL]).status == 200
    assert request(envoy.port, [GOOD]).status == 200
    # Under "and" the failed address is the reason, as it will be once enforced.
    counters_reach(
        envoy,
        {"dry_run_denied.source_ip": 1, "dry_run_denied.both": 0, "dry_run_denied.domain": 1, "allowed": 1, "denied.domain": 0},
    )


def test_enforce_the_ip_list_while_observing_the_domain_list(start_envoy):
    envoy = start_envoy({**LISTS, "domains": {**LISTS["domains"], "dry_run": True}})
    assert request(envoy.port, [EVIL]).status == 200
    denied = request(envoy.port, [EVIL], source="127.0.0.2")
    assert denied.status == 403
    assert "source IP is allowlisted" in denied.json()["message"]
    counters_reach(envoy, {"dry_run_denied.domain": 1, "denied.source_ip": 1})


def test_counters_by_reason_in_stats_and_prometheus(start_envoy):
    envoy = start_envoy(LISTS)
    request(envoy.port, [GOOD])
    request(envoy.port, [GOOD])
    request(envoy.port, [EVIL])
    request(envoy.port, [GOOD], source="127.0.0.2")
    # Under "and" a denied address ends the judging: the site is not read.
    request(envoy.port, [("Origin", "null")], source="127.0.0.2")
    request(envoy.port, [("Origin", "null")])
    found = counters_reach(
        envoy,
        {"allowed": 2, "denied.domain": 2, "denied.source_ip": 2, "denied.both": 0, "calling_site_unusable": 1},
    )
    assert found["policies_loaded"] >= 1
    assert found["policies_rejected"] == 0
    with urllib.request.urlopen(f"http://127.0.0.1:{envoy.admin_port}/stats/prometheus", timeout=5) as answer:
        prometheus = answer.read().decode()
    # Envoy drops the wasmcustom. prefix for Prometheus, and adds envoy_ to a dynamic module's.
    assert f"{PROMETHEUS[envoy.build]}denied_source_ip{{}} 2" in prometheus.splitlines()


def logged(log, count):
    """The first `count` access-log entries, once Envoy has written them."""
    return wait_for(lambda: len(log_entries(log)) >= count and log_entries(log)[:count], what=f"{count} log lines")


def test_decisions_and_details_reach_the_access_log(start_envoy, tmp_path):
    log = tmp_path / "access.log"
    envoy = start_envoy(LISTS, access_log=log)
    request(envoy.port, [GOOD])
    request(envoy.port, [EVIL])
    request(envoy.port, [GOOD], source="127.0.0.2")
    entries = logged(log, 3)
    site = {"site_source": "origin"}
    assert [(e["status"], e["details"].partition(":")[0], decision_record(e)) for e in entries] == [
        (200, "via_upstream", {"decision": "allow", "site": "https://app.example.com", **site, "client": "127.0.0.1", "domain_entry": "Web app", "source_ip_entry": "This host"}),
        (403, "proxy_allowlist_denied_domain", {"decision": "deny", "reason": "domain", "site": "https://evil.example.net", **site, "client": "127.0.0.1", "source_ip_entry": "This host"}),
        # Under "and" the address decided: the site was not read.
        (403, "proxy_allowlist_denied_source_ip", {"decision": "deny", "reason": "source_ip", "client": "127.0.0.2"}),
    ]
    # A denial's record travels in the response code details, with no space
    # for Envoy to turn into "_"; no filter state is written for it.
    assert entries[1]["allowlist"] is None
    assert " " not in entries[1]["details"]


def test_dry_run_denials_are_recorded(start_envoy, tmp_path):
    log = tmp_path / "access.log"
    envoy = start_envoy({**LISTS, "dry_run": True}, access_log=log)
    request(envoy.port, [EVIL])
    (entry,) = logged(log, 1)
    assert (entry["status"], entry["details"]) == (200, "via_upstream")
    assert decision_record(entry) == {
        "decision": "dry_run_deny",
        "reason": "domain",
        "site": "https://evil.example.net",
        "site_source": "origin",
        "client": "127.0.0.1",
        "source_ip_entry": "This host",
    }


def test_record_decisions_denied_leaves_allowed_requests_unrecorded(start_envoy, tmp_path):
    log = tmp_path / "access.log"
    envoy = start_envoy({**LISTS, "record_decisions": "denied"}, access_log=log)
    request(envoy.port, [GOOD])
    request(envoy.port, [EVIL])
    allowed, denied = logged(log, 2)
    assert decision_record(allowed) is None
    assert decision_record(denied)["reason"] == "domain"


def test_deny_status_404_hides_the_api(start_envoy):
    envoy = start_envoy({**LISTS, "deny_status": 404})
    response = request(envoy.port, [EVIL])
    assert response.status == 404
    assert response.body == b""
    assert "PERMISSION_DENIED" not in str(response.headers)


def test_one_summary_line_per_load_and_nothing_per_request(start_envoy):
    envoy = start_envoy({**LISTS, "condition": "or", "domains": {**LISTS["domains"], "dry_run": True}})
    before = envoy.log()
    assert (
        "policy loaded: domains: listed (1 entry, dry run), source_ips: listed (1 entry), condition: or, "
        "domain_sources: origin,referer, client_ip: source_address, deny_status: 403, dry_run: false, 0 warning(s)"
    ) in before
    for _ in range(5):
        request(envoy.port, [EVIL], source="127.0.0.2")
        request(envoy.port, [EVIL])
    counters_reach(envoy, {"denied.source_ip": 5})
    assert envoy.log() == before, "requests log nothing at info level"

"""Running it in production: dry run, counters, decisions in access logs,
deny_status, and what the filter logs."""

import urllib.request

from harness import request, stats, wait_for

LISTS = {
    "domains": {"mode": "listed", "allowed": [{"name": "Web app", "domain": "app.example.com"}]},
    "source_ips": {"mode": "listed", "allowed": [{"name": "This host", "ip": "127.0.0.1"}]},
}
GOOD = ("Origin", "https://app.example.com")
EVIL = ("Origin", "https://evil.example.net")
PREFIX = "wasmcustom.proxy_allowlist.proxy_allowlist."


def counters_reach(envoy, expected):
    """Waits until every expected counter has its value (they are flushed once a second)."""

    def reached():
        found = stats(envoy.admin_port)
        return found if all(found.get(PREFIX + name) == value for name, value in expected.items()) else None

    return wait_for(reached, what=f"counters {expected}")


def test_global_dry_run_lets_denials_through_and_counts_them(start_envoy):
    envoy = start_envoy({**LISTS, "dry_run": True})
    assert request(envoy.port, [EVIL], source="127.0.0.2").status == 200
    assert request(envoy.port, [EVIL]).status == 200
    assert request(envoy.port, [GOOD]).status == 200
    counters_reach(envoy, {"dry_run_denied.both": 1, "dry_run_denied.domain": 1, "allowed": 1, "denied.domain": 0})


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
    request(envoy.port, [("Origin", "null")], source="127.0.0.2")
    found = counters_reach(
        envoy,
        {"allowed": 2, "denied.domain": 1, "denied.source_ip": 1, "denied.both": 1, "calling_site_unusable": 1},
    )
    assert found[PREFIX + "policies_loaded"] >= 1
    assert found[PREFIX + "policies_rejected"] == 0
    with urllib.request.urlopen(f"http://127.0.0.1:{envoy.admin_port}/stats/prometheus", timeout=5) as answer:
        prometheus = answer.read().decode()
    # Envoy drops the wasmcustom. prefix for Prometheus.
    assert "proxy_allowlist_proxy_allowlist_denied_both{} 1" in prometheus.splitlines()


def test_decisions_and_details_reach_the_access_log(start_envoy, tmp_path):
    log = tmp_path / "access.log"
    envoy = start_envoy(LISTS, access_log=log)
    request(envoy.port, [GOOD])
    request(envoy.port, [EVIL])
    request(envoy.port, [GOOD], source="127.0.0.2")
    lines = wait_for(lambda: len(log.read_text().splitlines()) == 3 and log.read_text().splitlines(), what="3 lines")
    assert lines == [
        '200 via_upstream [allow domain_entry="Web app" source_ip_entry="This host"]',
        '403 proxy_allowlist_denied_domain [deny reason=domain source_ip_entry="This host"]',
        '403 proxy_allowlist_denied_source_ip [deny reason=source_ip domain_entry="Web app"]',
    ]


def test_dry_run_denials_are_recorded(start_envoy, tmp_path):
    log = tmp_path / "access.log"
    envoy = start_envoy({**LISTS, "dry_run": True}, access_log=log)
    request(envoy.port, [EVIL])
    line = wait_for(lambda: log.read_text().strip(), what="a line")
    assert line == '200 via_upstream [dry_run_deny reason=domain source_ip_entry="This host"]'


def test_record_decisions_denied_leaves_allowed_requests_unrecorded(start_envoy, tmp_path):
    log = tmp_path / "access.log"
    envoy = start_envoy({**LISTS, "record_decisions": "denied"}, access_log=log)
    request(envoy.port, [GOOD])
    request(envoy.port, [EVIL])
    lines = wait_for(lambda: len(log.read_text().splitlines()) == 2 and log.read_text().splitlines(), what="2 lines")
    assert lines[0] == "200 via_upstream [-]"
    assert lines[1].startswith("403 proxy_allowlist_denied_domain [deny reason=domain")


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

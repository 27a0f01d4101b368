"""The README's "Turning a list on", step by step, against real Envoy: run in
dry run with the lists still in mode "all", ship the access log, run
`suggest`, validate the proposal, switch the lists to "listed" in dry run,
read the would-deny counters, enforce. It ends with no request denied that
was seen during the dry run at least --min-requests times.

Callers are named with PROXY protocol lines, so they have public addresses."""

import json

import pytest

from harness import counters as filter_counters
from harness import decision_record, log_entries, publish, request, run_cli, wait_for

MIN_REQUESTS = 5
# policies_loaded once two policies are in: the Wasm build counts a load in
# each VM (the worker's and the main thread's), the native build once.
TWO_LOADS = {"wasm": 4, "native": 2}

# (Origin or None, client address, how many requests): the traffic of a day.
BROWSERS = [("https://app.example.com", f"192.0.2.{n}", 1) for n in range(1, 31)] + [
    ("https://www.example.com", f"203.0.113.{n}", 1) for n in range(1, 16)
]
SERVERS = [(None, "198.51.100.7", 20), (None, "198.51.100.9", 20), (None, "2001:db8:1:2::10", 15)]
# Seen fewer than MIN_REQUESTS times each: never proposed.
FORGED = [(f"https://evil{n}.example.net", "192.0.2.200", 1) for n in range(5)] + [
    ("null", "203.0.113.66", 3),
    (None, "192.0.2.201", 2),
]
SEEN_ENOUGH = BROWSERS + SERVERS


def send(port, traffic):
    """Every request of `traffic`; their statuses, in order."""
    statuses = []
    for origin, client, count in traffic:
        headers = [("Origin", origin)] if origin else []
        statuses += [request(port, headers, client=client).status for _ in range(count)]
    return statuses


def counters(envoy, expected):
    def reached():
        found = filter_counters(envoy.admin_port, envoy.build)
        return all(found.get(name) == value for name, value in expected.items()) and found

    return wait_for(reached, what=f"counters {expected}")


@pytest.fixture
def dry_run_envoy(start_envoy, build, tmp_path):
    resource = tmp_path / "proxy_allowlist.json"
    log = tmp_path / "access.log"
    # Step 1: dry run, with both lists still in mode "all".
    current = {"dry_run": True}
    publish(resource, current, build)
    envoy = start_envoy(None, ecds_path=resource, access_log=log, proxy_protocol=True, direct_response=True)
    return envoy, resource, log, current


def test_the_seven_steps(dry_run_envoy, tmp_path):
    envoy, resource, log, current = dry_run_envoy
    traffic = SEEN_ENOUGH + FORGED
    total = sum(count for _, _, count in traffic)
    assert set(send(envoy.port, traffic)) == {200}
    # Step 2: the access log holds what the filter saw, request by request.
    entries = wait_for(lambda: len(log_entries(log)) == total and log_entries(log), what="the access log")
    records = [decision_record(e) for e in entries]
    assert {r["decision"] for r in records} == {"allow"}
    assert {"site": "https://app.example.com", "site_source": "origin", "client": "192.0.2.1"}.items() <= records[0].items()

    # Step 3: suggest.
    policy_file = tmp_path / "current.json"
    policy_file.write_text(json.dumps(current))
    code, proposal_text, report = run_cli(
        "suggest", str(log), "--policy", str(policy_file), "--min-requests", str(MIN_REQUESTS)
    )
    assert code == 0, report
    proposal = json.loads(proposal_text)
    assert proposal["dry_run"] is True, "the proposal keeps the dry run"
    assert proposal["condition"] == "or"
    assert sorted(e["domain"] for e in proposal["domains"]["allowed"]) == [
        "https://app.example.com",
        "https://www.example.com",
    ]
    assert sorted(e["ip"] for e in proposal["source_ips"]["allowed"]) == [
        "198.51.100.0/28",
        "2001:db8:1:2::10/128",
    ]
    for forged in ("https://evil0.example.net", "192.0.2.201/32"):
        assert forged in report and "fewer than --min-requests 5" in report
    assert "null 3" in report

    # Step 4: review and validate.
    proposal_file = tmp_path / "proposal.json"
    proposal_file.write_text(proposal_text)
    code, out, err = run_cli("validate", str(proposal_file))
    assert code == 0 and err == "", err
    # (the report's check lines work as printed)
    assert run_cli("check", str(proposal_file), "-H", "Origin: https://app.example.com")[0] == 0

    # Step 5: the lists go "listed", still in dry run, for a day.
    publish(resource, proposal, envoy.build)
    loads = TWO_LOADS[envoy.build]
    wait_for(lambda: filter_counters(envoy.admin_port, envoy.build).get("policies_loaded", 0) >= loads, what="the proposal")
    assert set(send(envoy.port, traffic)) == {200}

    # Step 6: only the values never proposed would have been denied.
    forged = sum(count for _, _, count in FORGED)
    counters(envoy, {"dry_run_denied.both": forged, "dry_run_denied.domain": 0, "dry_run_denied.source_ip": 0})

    # Step 7: enforce.
    enforced = {key: value for key, value in proposal.items() if key != "dry_run"}
    publish(resource, enforced, envoy.build)
    wait_for(lambda: request(envoy.port, client="192.0.2.201").status == 403, what="enforcement")
    assert set(send(envoy.port, SEEN_ENOUGH)) == {200}, "nobody seen often enough is denied"
    assert set(send(envoy.port, FORGED)) == {403}

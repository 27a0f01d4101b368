"""Many projects behind one filter, in real Envoy: the project comes from a
header an earlier filter wrote (Envoy's api_key_auth), from dynamic
metadata, or from the host; an unknown project is denied or allowed as
configured."""

import json
import subprocess
import sys

import pytest

from harness import ECHO, ROOT, Envoy, counters, decision_record, free_port, log_entries, request, run_cli, wait_for, wait_for_port

SHOP = ("Origin", "https://shop.example.com")
EVIL = ("Origin", "https://evil.example.net")

POLICIES = {
    "checkout-web": {
        "domains": {"mode": "listed", "allowed": [{"name": "Shop", "domain": "shop.example.com"}]},
        "source_ips": {"mode": "all"},
    },
    "partner-sync": {
        "domains": {"mode": "all"},
        "source_ips": {"mode": "listed", "allowed": [{"name": "Partner DC", "ip": "127.0.0.7"}]},
    },
}

UNKNOWN = "Permission denied. The project could not be determined from the request."


def projects(source, unknown="deny"):
    return {"projects": {"from": source, "unknown": unknown, "policies": POLICIES}}


def reached(response):
    return response.status == 200 and response.json()["upstream"] == "reached"


def denied(response, message_part):
    return response.status == 403 and message_part in response.json()["message"]


@pytest.fixture(scope="module")
def shipped(upstream):
    """envoy/envoy-projects.yaml as shipped, on free ports."""
    port, admin_port = free_port(), free_port()
    text = (ROOT / "envoy/envoy-projects.yaml").read_text()
    for old, new in [("10000", port), ("10001", upstream.port), ("9901", admin_port)]:
        assert text.count(f"port_value: {old}") == 1, old
        text = text.replace(f"port_value: {old}", f"port_value: {new}")
    envoy = Envoy(text)
    envoy.start(admin_port)
    envoy.port, envoy.admin_port = port, admin_port
    yield envoy
    envoy.stop()


CHECKOUT_KEY = ("x-api-key", "checkout-web-demo-key")
PARTNER_KEY = ("x-api-key", "partner-sync-demo-key")


def test_each_api_key_gets_its_own_projects_decision(shipped):
    assert reached(request(shipped.port, [CHECKOUT_KEY, SHOP], source="127.0.0.2"))
    assert denied(request(shipped.port, [CHECKOUT_KEY, EVIL]), "domain is allowlisted")
    assert reached(request(shipped.port, [PARTNER_KEY, EVIL], source="127.0.0.1"))
    assert denied(request(shipped.port, [PARTNER_KEY, SHOP], source="127.0.0.2"), "source IP is allowlisted")


def test_a_forged_project_header_next_to_a_valid_key_cannot_pick_another_project(shipped):
    # The partner's rules would allow 127.0.0.1 from any origin; the key is
    # checkout-web's, whose rules deny this origin.
    forged = [CHECKOUT_KEY, ("X-Project-Id", "partner-sync"), EVIL]
    assert denied(request(shipped.port, forged, source="127.0.0.1"), "domain is allowlisted")
    # What Envoy did with the forged header: api_key_auth replaced every line
    # with the key's client, and removed the key itself.
    echoed = request(shipped.port, [CHECKOUT_KEY, ("X-Project-Id", "partner-sync"), ("x-project-id", "x"), SHOP])
    assert reached(echoed)
    seen = echoed.json()["headers"]
    assert seen["x-project-id"] == "checkout-web"
    assert "x-api-key" not in seen


def test_a_request_without_a_valid_key_is_refused_before_the_filter(shipped):
    cases = {"/no-key": [SHOP], "/wrong-key": [("x-api-key", "wrong"), SHOP], "/only-project": [("x-project-id", "checkout-web"), SHOP]}
    for path, headers in cases.items():
        assert request(shipped.port, headers, path=path).status == 401
    assert reached(request(shipped.port, [CHECKOUT_KEY, SHOP], path="/with-key"))
    # The access log shows what the filter recorded: nothing for the 401s.
    entries = wait_for(lambda: any(e["path"] == "/with-key" for e in shipped.log_entries()) and shipped.log_entries(), what="the access log")
    for path in cases:
        (entry,) = [e for e in entries if e["path"] == path]
        assert entry["status"] == 401 and decision_record(entry) is None, entry
    (entry,) = [e for e in entries if e["path"] == "/with-key"]
    assert decision_record(entry) == {
        "decision": "allow",
        "project": "checkout-web",
        "site": "https://shop.example.com",
        "site_source": "origin",
        "domain_entry": "Shop",
    }


def test_the_readme_curl_lines(shipped):
    """The README's curl lines for envoy/envoy-projects.yaml, run with curl."""
    base = f"http://127.0.0.1:{shipped.port}/"

    def curl(*args):
        out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", *args, base], capture_output=True, text=True)
        return out.stdout

    assert curl("-H", "x-api-key: checkout-web-demo-key", "-H", "Origin: https://shop.example.com") == "200"
    assert curl("-H", "x-api-key: checkout-web-demo-key", "-H", "Origin: https://evil.example.net") == "403"
    assert curl("-H", "x-api-key: partner-sync-demo-key") == "200"
    assert curl("--interface", "127.0.0.2", "-H", "x-api-key: partner-sync-demo-key") == "403"
    assert curl("-H", "x-api-key: checkout-web-demo-key", "-H", "x-project-id: partner-sync", "-H", "Origin: https://evil.example.net") == "403"
    assert curl() == "401"


def test_projects_from_the_host(start_envoy):
    envoy = start_envoy(projects({"subdomain_of": "api.example.com"}))
    host = lambda h: ("Host", h)  # noqa: E731
    assert reached(request(envoy.port, [host("checkout-web.api.example.com"), SHOP]))
    assert denied(request(envoy.port, [host("Checkout-Web.API.example.com.:10000"), EVIL]), "domain is allowlisted")
    assert reached(request(envoy.port, [host("partner-sync.api.example.com"), EVIL], source="127.0.0.7"))
    assert denied(request(envoy.port, [host("partner-sync.api.example.com"), SHOP], source="127.0.0.2"), "source IP")
    for unknown in ["other.api.example.com", "api.example.com", "x.checkout-web.api.example.com", "checkout-web.example.com"]:
        assert denied(request(envoy.port, [host(unknown), SHOP], source="127.0.0.7"), UNKNOWN), unknown


HEADER_TO_METADATA = """          - name: envoy.filters.http.header_to_metadata
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.header_to_metadata.v3.Config
              request_rules:
              - header: x-tenant
                on_header_present: {metadata_namespace: example.auth, key: project, type: STRING}
                remove: true
              - header: x-tenant-number
                on_header_present: {metadata_namespace: example.auth, key: project, type: NUMBER}
                remove: true
"""


def test_projects_from_metadata_an_earlier_filter_wrote(start_envoy, tmp_path):
    source = {"metadata": {"namespace": "example.auth", "key": "project"}}
    log = tmp_path / "access.log"
    envoy = start_envoy(projects(source), filters_before=HEADER_TO_METADATA, access_log=log)
    assert reached(request(envoy.port, [("x-tenant", "checkout-web"), SHOP]))
    assert denied(request(envoy.port, [("x-tenant", "checkout-web"), EVIL]), "domain is allowlisted")
    assert reached(request(envoy.port, [("x-tenant", "partner-sync"), EVIL], source="127.0.0.7"))
    assert denied(request(envoy.port, [SHOP], path="/none"), UNKNOWN), "no metadata"
    assert denied(request(envoy.port, [("x-tenant", "nope"), SHOP]), UNKNOWN), "not listed"
    assert denied(request(envoy.port, [("x-tenant-number", "42"), SHOP], path="/number"), UNKNOWN), "not a string"
    # Why the project is unknown, as the access log tells it.
    entries = wait_for(lambda: len(log_entries(log)) == 6 and log_entries(log), what="6 log lines")
    unknown = {e["path"]: decision_record(e)["project_unknown"] for e in entries if e["path"] in ("/none", "/number")}
    assert unknown == {"/none": "missing", "/number": "malformed"}


def test_an_unknown_project_under_deny_and_under_allow(start_envoy):
    deny = start_envoy(projects({"header": "x-project-id"}, "deny"))
    allow = start_envoy(projects({"header": "x-project-id"}, "allow"))
    for headers in ([SHOP], [("x-project-id", "nope"), SHOP], [("x-project-id", "checkout-web"), ("x-project-id", "checkout-web"), SHOP]):
        response = request(deny.port, headers)
        assert denied(response, UNKNOWN), headers
        assert response.json()["code"] == "PERMISSION_DENIED"
        assert reached(request(allow.port, headers)), headers
    assert denied(request(allow.port, [("x-project-id", "checkout-web"), EVIL]), "domain is allowlisted")
    found = wait_for(lambda: (c := counters(deny.admin_port, deny.build)).get("denied.unknown_project") == 3 and c, what="counters")
    assert found["project_unknown"] == 3
    found = wait_for(lambda: (c := counters(allow.admin_port, allow.build)).get("project_unknown") == 3 and c, what="counters")
    assert found.get("denied.unknown_project", 0) == 0


def test_the_cli_finds_the_project_the_same_way(tmp_path):
    policy = tmp_path / "projects.json"
    policy.write_text(json.dumps(projects({"metadata": {"namespace": "envoy.filters.http.ext_authz", "key": "project"}})))
    code, out, _ = run_cli("check", str(policy), "--metadata", "envoy.filters.http.ext_authz", "project", "checkout-web", "-H", "Origin: https://shop.example.com", "--source", "10.0.0.1:1")
    assert code == 0
    assert json.loads(out)["project"] == {"from": 'metadata "envoy.filters.http.ext_authz" "project"', "id": "checkout-web", "problem": None}
    code, out, _ = run_cli("check", str(ROOT / "envoy/envoy-projects.yaml"), "-H", "x-project-id: partner-sync", "-H", "x-project-id: partner-sync", "--source", "127.0.0.1:1")
    assert code == 1
    assert json.loads(out)["reason"] == "unknown_project"
    code, out, _ = run_cli("validate", str(ROOT / "envoy/envoy-projects.yaml"), "--project", "checkout-web")
    assert code == 0
    assert out.strip().endswith('project "checkout-web": domains: listed (1 entry), source_ips: all, condition: and')

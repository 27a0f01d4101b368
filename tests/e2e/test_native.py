"""What only the native build has: the guard that it runs in the Envoy
build it was written for, and routes that carry their own policy. (Both
builds pass every other end-to-end test.)"""

import json
import shutil
import subprocess

import pytest

from harness import ENVOY, NATIVE, ROOT, Envoy, counters, decision_record, envoy_yaml, free_port, log_entries, request, wait_for

# The dynamic-module ABI the module declares (src/native/abi.rs) and the
# Envoy release that has it.
ABI_VERSION = "v0.2.0"
ENVOY_RELEASE = "1.40.0"

SHOP = ("Origin", "https://shop.example.com")
EVIL = ("Origin", "https://evil.example.net")
LISTENER_POLICY = {"domains": {"mode": "listed", "allowed": [{"name": "Shop", "domain": "shop.example.com"}]}}
# The partner route lets one address in, from any site.
PARTNER_POLICY = {"source_ips": {"mode": "listed", "allowed": [{"name": "Partner", "ip": "127.0.0.7"}]}}
DOMAIN = "Permission denied. Check your security settings and ensure your domain is allowlisted."
SOURCE_IP = "Permission denied. Check your security settings and ensure your source IP is allowlisted."


def test_the_module_runs_only_in_the_envoy_it_was_built_for():
    """A module built for one ABI corrupts memory in another, and Envoy only
    warns about a version it does not know: refuse to test any other."""
    version = subprocess.run([ENVOY, "--version"], capture_output=True, text=True).stdout
    assert f"/{ENVOY_RELEASE}/" in version, version
    result = subprocess.run(
        [ENVOY, "--mode", "validate", "-c", "envoy/envoy-native.yaml", "--log-level", "info"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    assert f"Dynamic module ABI version {ABI_VERSION} matched" in log, log
    assert "deprecated" not in log.lower(), log


def per_route(policy, module=NATIVE):
    """A route's own configuration of the native filter."""
    return {
        "@type": "type.googleapis.com/envoy.extensions.filters.http.dynamic_modules.v3.DynamicModuleFilterPerRoute",
        "dynamic_module_config": {"module": {"local": {"filename": str(module)}}},
        "filter_name": "proxy_allowlist",
        "filter_config": {"@type": "type.googleapis.com/google.protobuf.StringValue", "value": json.dumps(policy)},
    }


def partner_route(policy, module=NATIVE):
    route = {
        "match": {"prefix": "/partner"},
        "route": {"cluster": "upstream"},
        "typed_per_filter_config": {"proxy_allowlist": per_route(policy, module)},
    }
    return "\n              - " + json.dumps(route)


@pytest.fixture(scope="module")
def routed(launch, upstream, tmp_path_factory):
    log = tmp_path_factory.mktemp("routed") / "access.log"
    envoy = launch(
        lambda port, admin: envoy_yaml(
            LISTENER_POLICY, port, admin, upstream.port, build="native", routes=partner_route(PARTNER_POLICY), access_log=log
        )
    )
    envoy.access_log = log
    return envoy


def reached(response):
    return response.status == 200 and response.json()["upstream"] == "reached"


def denied(response, message):
    return response.status == 403 and response.json()["message"] == message


def test_a_route_with_its_own_policy_is_judged_by_it_alone(routed):
    # The listener's policy: the shop's site, from anywhere.
    assert reached(request(routed.port, [SHOP], source="127.0.0.2"))
    assert denied(request(routed.port, [EVIL], source="127.0.0.7"), DOMAIN)
    # The partner route's own: the partner's address, from any site.
    assert reached(request(routed.port, [EVIL], source="127.0.0.7", path="/partner/sync"))
    assert denied(request(routed.port, [SHOP], source="127.0.0.2", path="/partner/sync"), SOURCE_IP)


def test_a_routes_decisions_are_counted_and_recorded_as_the_filters(routed):
    before = counters(routed.admin_port, "native")
    request(routed.port, [EVIL], source="127.0.0.7", path="/partner/record")
    request(routed.port, [SHOP], source="127.0.0.9", path="/partner/record")
    after = counters(routed.admin_port, "native")
    assert after["allowed"] - before["allowed"] == 1
    assert after["denied.source_ip"] - before["denied.source_ip"] == 1

    def entries():
        found = [e for e in log_entries(routed.access_log) if e["path"] == "/partner/record"]
        return len(found) == 2 and found

    allowed, refused = wait_for(entries, what="2 log lines")
    assert decision_record(allowed) == {"decision": "allow", "client": "127.0.0.7", "source_ip_entry": "Partner"}
    assert decision_record(refused) == {"decision": "deny", "reason": "source_ip", "client": "127.0.0.9"}


def test_envoy_refuses_a_route_whose_policy_is_invalid(upstream):
    bad = {"source_ips": {"mode": "listed", "allowed": [{"ip": "10.0.0.1/8"}]}}
    config = envoy_yaml(LISTENER_POLICY, free_port(), free_port(), upstream.port, build="native", routes=partner_route(bad))
    envoy = Envoy(config)
    try:
        code, log = envoy.validate()
        assert code != 0, log
        assert 'configuration rejected, 1 error(s): source_ips.allowed[0].ip: "10.0.0.1/8" has host bits set' in log
    finally:
        envoy.stop()


def test_a_route_whose_policy_another_copy_of_the_module_loaded_is_refused(launch, upstream, tmp_path):
    """Envoy loads a route naming another file (an upgrade half rolled out)
    as another module and hands its policy to this one, which cannot read
    it: the route's requests get 503, never the filter's looser policy."""
    copy = tmp_path / "v2" / "libproxy_allowlist.so"
    copy.parent.mkdir()
    shutil.copy(NATIVE, copy)
    log = tmp_path / "access.log"
    envoy = launch(
        lambda port, admin: envoy_yaml(
            LISTENER_POLICY, port, admin, upstream.port, build="native", routes=partner_route(PARTNER_POLICY, copy), access_log=log
        )
    )
    # The filter's policy would let this in; the route's would not.
    refused = request(envoy.port, [SHOP], source="127.0.0.2", path="/partner/sync")
    assert refused.status == 503, refused.body
    assert refused.json()["code"] == "UNAVAILABLE"
    assert reached(request(envoy.port, [SHOP], source="127.0.0.2"))
    entries = wait_for(lambda: [e for e in log_entries(log) if e["path"] == "/partner/sync"])
    assert entries[0]["details"] == "proxy_allowlist_route_policy_unreadable"
    assert "names the same file as the filter" in envoy.log()
    assert counters(envoy.admin_port, "native")["route_policy_unreadable"] == 1


def test_an_api_hidden_behind_404_says_nothing_of_an_unreadable_route_policy(launch, upstream, tmp_path):
    copy = tmp_path / "libproxy_allowlist.so"
    shutil.copy(NATIVE, copy)
    hidden = {**LISTENER_POLICY, "deny_status": 404}
    envoy = launch(
        lambda port, admin: envoy_yaml(
            hidden, port, admin, upstream.port, build="native", routes=partner_route(PARTNER_POLICY, copy)
        )
    )
    refused = request(envoy.port, [SHOP], source="127.0.0.2", path="/partner/sync")
    assert (refused.status, refused.body) == (503, b"")

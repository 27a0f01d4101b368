"""What we ship works as shipped: envoy/envoy.yaml serves the README's curl
lines, the Istio pluginConfig loads, and the compose file and Dockerfile point
at the real module."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from harness import (
    ECHO,
    ROOT,
    WASM,
    Envoy,
    decision_record,
    envoy_yaml,
    free_port,
    request,
    run_cli,
    shipped_log_format,
    wait_for,
    wait_for_port,
)

sys.path.insert(0, str(ROOT / "tools"))
import strip_exports  # noqa: E402

SHIPPED = ROOT / "envoy/envoy.yaml"
WASM_RELATIVE = "target/wasm32-wasip1/release/proxy_allowlist.wasm"


@pytest.mark.parametrize("config", ["envoy.yaml", "envoy-live-policy.yaml", "envoy-native.yaml"])
def test_shipped_configurations_serve_the_readme_examples(config):
    port, admin_port, upstream_port = free_port(), free_port(), free_port()
    text = (ROOT / "envoy" / config).read_text()
    for old, new in [("10000", port), ("10001", upstream_port), ("9901", admin_port)]:
        assert text.count(f"port_value: {old}") == 1, old
        text = text.replace(f"port_value: {old}", f"port_value: {new}")
    echo = subprocess.Popen([sys.executable, str(ECHO), "--port", str(upstream_port)])
    envoy = Envoy(text)
    try:
        wait_for_port("127.0.0.1", upstream_port)
        envoy.start(admin_port)
        allowed = request(port, [("Origin", "https://app.example.com")])
        assert allowed.status == 200 and allowed.json()["upstream"] == "reached"
        denied_domain = request(port, [("Origin", "https://evil.example.net")])
        assert denied_domain.status == 403
        assert "domain is allowlisted" in denied_domain.json()["message"]
        denied_ip = request(port, [("Origin", "https://app.example.com")], source="127.0.0.2")
        assert denied_ip.status == 403
        assert "source IP is allowlisted" in denied_ip.json()["message"]
        # Its access log is JSON lines carrying the filter's records.
        entries = wait_for(lambda: len(envoy.log_entries()) >= 3 and envoy.log_entries(), what="3 log lines")
        assert [decision_record(e)["decision"] for e in entries] == ["allow", "deny", "deny"]
        assert [decision_record(e).get("reason") for e in entries] == [None, "domain", "source_ip"]
    finally:
        envoy.stop()
        echo.terminate()
        echo.wait()


def test_every_shipped_envoy_configuration_logs_the_same_json_lines():
    """`suggest` reads one format: each shipped configuration writes it."""
    formats = {}
    for path in sorted((ROOT / "envoy").glob("envoy*.yaml")):
        config = yaml.safe_load(path.read_text())
        for listener in config["static_resources"]["listeners"]:
            for manager in listener["filter_chains"][0]["filters"]:
                for log in manager["typed_config"].get("access_log", []):
                    formats[path.name] = log["typed_config"]["log_format"]["json_format"]
    assert set(formats) >= {"envoy.yaml", "envoy-projects.yaml", "envoy-live-policy.yaml", "envoy-native.yaml"}
    for name, log_format in formats.items():
        assert log_format == shipped_log_format(), name


def shipped_filter_config():
    config = yaml.safe_load(SHIPPED.read_text())
    manager = config["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"]
    return manager, manager["http_filters"][0]["typed_config"]["config"]


def test_shipped_configuration_is_fail_closed_and_uses_the_peer_address():
    manager, wasm = shipped_filter_config()
    assert manager["use_remote_address"] is True
    assert wasm["failure_policy"] in ("FAIL_CLOSED", "FAIL_RELOAD")
    assert wasm["configuration"]["@type"] == "type.googleapis.com/google.protobuf.StringValue"
    assert wasm["vm_config"]["code"]["local"]["filename"] == WASM_RELATIVE
    code, out, err = run_cli("validate", "-", stdin=wasm["configuration"]["value"])
    assert code == 0, err
    assert err == "", "the shipped policy raises no warning"


ISTIO = {
    "wasmplugin.yaml": "policy loaded: domains: listed (2 entries), source_ips: listed (2 entries), condition: or",
    "wasmplugin-projects.yaml": "policy loaded: 2 projects from subdomain of api.example.com, unknown: deny",
}


def istio_plugin_config(name):
    plugin = yaml.safe_load((ROOT / "istio" / name).read_text())
    assert plugin["kind"] == "WasmPlugin"
    assert plugin["spec"]["failStrategy"] == "FAIL_CLOSE"
    assert plugin["spec"]["phase"] == "AUTHN"
    return plugin["spec"]["pluginConfig"]


@pytest.mark.parametrize("name", ISTIO)
def test_istio_plugin_config_passes_validation(name):
    code, out, err = run_cli("validate", str(ROOT / "istio" / name))
    assert code == 0, err
    assert ISTIO[name].removeprefix("policy loaded: ") in out


@pytest.mark.parametrize("name", ISTIO)
def test_istio_plugin_config_loads_in_envoy(name):
    envoy = Envoy(envoy_yaml(istio_plugin_config(name), free_port(), free_port(), free_port()))
    try:
        code, log = envoy.validate()
        assert code == 0, log
        assert ISTIO[name] in log
    finally:
        envoy.stop()


def test_compose_runs_the_same_envoy_yaml_with_the_built_module():
    compose = yaml.safe_load((ROOT / "envoy/docker-compose.yaml").read_text())
    envoy = compose["services"]["envoy"]
    assert envoy["image"] == "envoyproxy/envoy:v1.40.0"
    assert f"../{WASM_RELATIVE}:{envoy['working_dir']}/{WASM_RELATIVE}:ro" in envoy["volumes"]
    assert f"./envoy.yaml:{envoy['working_dir']}/envoy/envoy.yaml:ro" in envoy["volumes"]
    assert "/app/envoy/envoy.yaml" in envoy["command"]
    version = subprocess.run([sys.executable.replace("python", "envoy"), "--version"], capture_output=True, text=True)
    assert "/1.40.0/" in version.stdout, "compose pins the Envoy version the tests run"


def test_dockerfile_is_one_layer_holding_plugin_wasm():
    lines = [
        line.strip()
        for line in (ROOT / "Dockerfile").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines == ["FROM scratch", f"COPY {WASM_RELATIVE} ./plugin.wasm"]
    assert Path(ROOT / WASM_RELATIVE).exists()


def used_callbacks():
    makefile = (ROOT / "Makefile").read_text()
    return set(re.search(r"^USED_CALLBACKS := (.*)$", makefile, re.M).group(1).split(","))


def test_the_module_exports_only_the_callbacks_the_filter_implements():
    exported = strip_exports.export_names(WASM.read_bytes())
    assert {name for name in exported if name.startswith("proxy_on_")} == used_callbacks()


def test_stripping_refuses_a_result_that_is_not_a_valid_module():
    original = (ROOT / "target/wasm32-wasip1/release/deps/proxy_allowlist.wasm").read_bytes()
    stripped, removed = strip_exports.strip(original, used_callbacks())
    strip_exports.check(original, stripped, removed, used_callbacks())
    with pytest.raises(SystemExit, match="not a valid module"):
        strip_exports.check(original, stripped[:-64], removed, used_callbacks())
    with pytest.raises(SystemExit, match="not exported"):
        strip_exports.check(original, stripped, removed, used_callbacks() | {"proxy_on_log"})

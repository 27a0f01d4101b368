"""The published JSON Schema (schema/proxy-allowlist.schema.json) against
what we ship and the bypass corpus: every configuration we ship, and every
one the filter accepts, must be valid for an editor too; structural
mistakes must be flagged by the editor as well. (That the file matches the
types it is generated from is checked by `cargo test`.)"""

import json
import re
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from harness import ROOT, run_cli

SCHEMA = json.loads((ROOT / "schema/proxy-allowlist.schema.json").read_text())
VALIDATOR = Draft202012Validator(SCHEMA)
STRING_VALUE = "type.googleapis.com/google.protobuf.StringValue"
FILTER_TYPES = {
    "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm": ("config", "configuration"),
    "type.googleapis.com/envoy.extensions.filters.http.dynamic_modules.v3.DynamicModuleFilter": (None, "filter_config"),
}


def embedded_policies(node):
    """Every policy a filter configuration in an Envoy or Istio document holds."""
    if isinstance(node, dict):
        kind = node.get("@type")
        if kind in FILTER_TYPES:
            inner, field = FILTER_TYPES[kind]
            holder = node.get(inner, {}) if inner else node
            if field in holder:
                assert holder[field]["@type"] == STRING_VALUE
                yield json.loads(holder[field]["value"])
            return
        if node.get("kind") == "WasmPlugin":
            yield node["spec"]["pluginConfig"]
            return
        for child in node.values():
            yield from embedded_policies(child)
    elif isinstance(node, list):
        for child in node:
            yield from embedded_policies(child)


def shipped_files():
    files = sorted((ROOT / "envoy").glob("*.yaml")) + sorted((ROOT / "istio").glob("*.yaml"))
    files += sorted((ROOT / "envoy/live-policy").glob("*.json")) + sorted((ROOT / "policies").glob("*.json"))
    return [f for f in files if f.name != "docker-compose.yaml"]


def policies_in(path):
    if path.parent.name == "policies":
        return [json.loads(path.read_text())]
    documents = list(yaml.safe_load_all(path.read_text()))
    return [policy for document in documents for policy in embedded_policies(document)]


def readme_policies():
    """The README's ```json policy blocks."""
    text = (ROOT / "README.md").read_text()
    return [json.loads(block) for block in re.findall(r"```json policy\n(.*?)```", text, re.S)]


def errors(policy):
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(policy)]


def test_the_schema_is_a_valid_json_schema():
    Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("path", shipped_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_shipped_configurations_are_valid(path):
    code, out, err = run_cli("validate", str(path))
    if code != 0 and "through ECDS" in err:
        return  # the bootstrap names its ECDS file, which is checked on its own
    assert code == 0, err
    policies = policies_in(path)
    assert policies, f"no policy found in {path}"
    for policy in policies:
        assert errors(policy) == []


def test_readme_policies_are_valid():
    policies = readme_policies()
    assert policies
    for policy in policies:
        assert errors(policy) == []
        code, _, err = run_cli("validate", "-", stdin=json.dumps(policy))
        assert code == 0, err


def test_the_schema_accepts_every_configuration_the_filter_accepts():
    corpus = json.loads((ROOT / "tests/corpus/configs.json").read_text())
    requests = json.loads((ROOT / "tests/corpus/requests.json").read_text())
    accepted = [c["config"] for c in corpus["cases"] if c["expect"] == "ok" and "config" in c] + list(requests["policies"].values())
    for config in accepted:
        assert errors(config) == [], json.dumps(config)


# Refusals only the filter can make: they depend on max_entries or on more
# than one field's values.
ONLY_THE_FILTER = ("the limit is",)


def test_the_schema_flags_structural_mistakes():
    corpus = json.loads((ROOT / "tests/corpus/configs.json").read_text())
    structural = [
        c for c in corpus["cases"]
        if c["expect"] == "error" and "config" in c and c["class"] in ("structure", "client-ip", "operations", "fail-open", "projects")
        and not any(marker in c["error"] for marker in ONLY_THE_FILTER)
    ]
    # Entry grammars (a path in a domain, host bits in a CIDR) are the
    # filter's to judge; everything else about the shape the schema sees.
    grammar = ("trusts every address", "host bits", "x_forwarded_for", "together trusts", "no host could name")
    missed = [c["why"] for c in structural if not errors(c["config"]) and not any(g in c["error"] for g in grammar)]
    assert not missed, missed


def test_istio_files_validate_through_the_wasmplugin_schema():
    wrapper = json.loads((ROOT / "schema/istio-wasmplugin.schema.json").read_text())
    registry = Registry().with_resource("proxy-allowlist.schema.json", Resource.from_contents(SCHEMA))
    validator = Draft202012Validator(wrapper, registry=registry)
    for path in sorted((ROOT / "istio").glob("*.yaml")):
        first_line = path.read_text().splitlines()[0]
        assert first_line == "# yaml-language-server: $schema=../schema/istio-wasmplugin.schema.json", path
        for document in yaml.safe_load_all(path.read_text()):
            assert list(validator.iter_errors(document)) == [], path
    broken = {"apiVersion": "extensions.istio.io/v1alpha1", "kind": "WasmPlugin", "spec": {"pluginConfig": {"domain": {}}}}
    assert list(validator.iter_errors(broken)), "an unknown key inside pluginConfig is flagged"

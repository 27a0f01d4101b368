"""The bypass corpus (tests/corpus/) through the CLI and real Envoy, with
each build of the filter. The engine runs the same cases natively and on
wasm32-wasip1 (src/engine/corpus_tests.rs); the five paths must agree."""

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from harness import ROOT, Envoy, envoy_yaml, free_port, request, run_cli

REQUESTS = json.loads((ROOT / "tests/corpus/requests.json").read_text())
CONFIGS = json.loads((ROOT / "tests/corpus/configs.json").read_text())


def cli_args(case):
    args = []
    for name, value in case["headers"]:
        args += ["-H", f"{name}: {value}"]
    peer = case["peer"]
    return args + ["--source", f"[{peer}]:40000" if ":" in peer else f"{peer}:40000"]


def test_request_cases_through_the_cli(tmp_path):
    wrong = []
    for index, case in enumerate(REQUESTS["cases"]):
        policy = tmp_path / f"{case['policy']}.json"
        policy.write_text(json.dumps(REQUESTS["policies"][case["policy"]]))
        code, out, err = run_cli("check", str(policy), *cli_args(case))
        got = {0: "allow", 1: "deny"}.get(code, f"exit {code}: {err}")
        if got != case["expect"]:
            wrong.append(f"case {index} ({case['why']}): {got}")
    assert not wrong, "\n".join(wrong)


@pytest.fixture(scope="module")
def envoys(launch, upstream, build):
    """One Envoy per corpus policy. The filter must see X-Forwarded-For as
    the client sent it, so Envoy does not append the peer here."""
    return {
        name: launch(
            lambda port, admin, policy=policy: envoy_yaml(
                policy, port, admin, upstream.port, skip_xff_append=True, build=build
            )
        )
        for name, policy in REQUESTS["policies"].items()
    }


def test_request_cases_through_real_envoy(envoys):
    wrong = []
    rejected_by_envoy = []
    for index, case in enumerate(REQUESTS["cases"]):
        peer = case["peer"]
        response = request(
            envoys[case["policy"]].port,
            [tuple(pair) for pair in case["headers"]],
            source=peer,
            target="::1" if ":" in peer else "127.0.0.1",
        )
        if response.status == 200:
            got = "allow" if response.json().get("upstream") == "reached" else "answered by something else"
        elif response.status == 403 and response.json()["code"] == "PERMISSION_DENIED":
            got = "deny"
        elif response.status == 400:
            # Envoy's own HTTP codec refused the request: it reached no upstream.
            got = "deny"
            rejected_by_envoy.append(index)
        else:
            got = f"status {response.status}"
        if got != case["expect"]:
            wrong.append(f"case {index} ({case['why']}): {got}")
    assert not wrong, "\n".join(wrong)
    assert len(rejected_by_envoy) < 10, f"most denials must be the filter's own: {rejected_by_envoy}"


def envoy_validate(config, build):
    envoy = Envoy(envoy_yaml(config, free_port(), free_port(), free_port(), build=build))
    try:
        return envoy.validate()
    finally:
        envoy.stop()


def config_text(case):
    """The configuration's exact text: `raw` holds what JSON values cannot
    (duplicate keys, nothing at all)."""
    return case["raw"] if "raw" in case else json.dumps(case["config"])


def test_configuration_cases_through_validate_and_envoy(build):
    cases = CONFIGS["cases"]
    with ThreadPoolExecutor(max_workers=4) as pool:
        envoy_results = list(pool.map(lambda case: envoy_validate(config_text(case), build), cases))
    wrong = []
    for index, (case, (envoy_code, envoy_log)) in enumerate(zip(cases, envoy_results)):
        cli_code, _, cli_err = run_cli("validate", "-", stdin=config_text(case))
        if case["expect"] == "ok":
            if cli_code != 0 or envoy_code != 0:
                wrong.append(f"case {index} ({case['why']}): refused: cli {cli_code} {cli_err} envoy {envoy_code}")
        else:
            expected = case["error"]
            if cli_code != 2 or expected not in cli_err:
                wrong.append(f"case {index} ({case['why']}): cli {cli_code}: {cli_err}")
            if envoy_code == 0 or "configuration rejected" not in envoy_log:
                wrong.append(f"case {index} ({case['why']}): envoy accepted it")
            elif expected not in envoy_log:
                wrong.append(f"case {index} ({case['why']}): envoy did not log {expected!r}")
    assert not wrong, "\n".join(wrong)

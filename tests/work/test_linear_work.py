"""Very long Origin, Referer and X-Forwarded-For values (up to Envoy's 60 KiB
header limit, an X-Forwarded-For of thousands of entries) are judged in
linear time. Work is counted, not timed: valgrind counts the instructions the
CLI executes to judge one request, and growing the input 8 times must grow
the work about 8 times (quadratic work would grow it 64 times)."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from harness import CLI  # noqa: E402

POLICY = {
    "domains": {"mode": "listed", "allowed": [{"domain": "*.example.org"}]},
    "source_ips": {"mode": "listed", "allowed": [{"ip": "198.51.100.0/24"}]},
    "client_ip": {"from": "x_forwarded_for", "trusted_proxies": ["10.0.0.0/8"]},
    "domain_sources": ["referer", "origin"],
}

# Each builds headers whose size grows with n (n <= 6,000 stays within 60 KiB).
INPUTS = {
    "x-forwarded-for walked through n trusted hops": lambda n: [
        ("Referer", "https://a.example.org/"),
        ("X-Forwarded-For", "198.51.100.7" + ", 10.0.0.1" * n),
    ],
    "x-forwarded-for of n malformed entries": lambda n: [
        ("Referer", "https://a.example.org/"),
        ("X-Forwarded-For", "unknown, " * n + "10.0.0.1"),
    ],
    "referer with a long path and n commas": lambda n: [
        ("Referer", "https://a.example.org/" + "x," * n),
        ("X-Forwarded-For", "198.51.100.7"),
    ],
    "origin of n values": lambda n: [
        ("Origin", ",".join(["https://a.example.org"] * (n // 4 + 1))),
        ("X-Forwarded-For", "198.51.100.7"),
    ],
    "n separate x-forwarded-for lines": lambda n: [("Referer", "https://a.example.org/")]
    + [("X-Forwarded-For", "10.0.0.1")] * (n // 10 + 1),
}


def instructions(policy_path, headers):
    args = ["check", str(policy_path), "--source", "10.0.0.2:4000"]
    for name, value in headers:
        args += ["-H", f"{name}: {value}"]
    result = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", str(CLI), *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode in (0, 1), result.stderr
    return int(re.search(r"Collected : (\d+)", result.stderr).group(1))


@pytest.mark.parametrize("name", INPUTS)
def test_work_grows_linearly_with_the_input(name, tmp_path):
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(POLICY))
    build = INPUTS[name]
    base = instructions(policy, build(0))
    small = instructions(policy, build(750)) - base
    large = instructions(policy, build(6000)) - base
    ratio = large / small
    print(f"{name}: {small} -> {large} instructions beyond the empty case, x{ratio:.1f} for 8x the input")
    assert ratio < 12, f"work grew {ratio:.1f}x for 8x the input"

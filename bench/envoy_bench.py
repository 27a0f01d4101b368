"""`make bench`: what proxy-allowlist costs inside Envoy, next to Envoy's
native RBAC filter, a Lua filter and a Wasm filter that does nothing.

One Envoy per variant (--concurrency 1, the same direct_response route,
loopback only). Each variant is measured in interleaved rounds (A B C ... A B
C ...) and the median is reported, because these machines are shared and
noisy. Envoy's CPU time per request is read from /proc/<pid>/stat (user +
system) across the requests one wrk run completes; throughput and p99 come
from wrk at a fixed concurrency.

The client address is given to every variant the same way: Envoy runs with
use_remote_address: false and wrk sends X-Forwarded-For, so one load client
on 127.0.0.1 can be an allowed or a denied address.
"""

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests/e2e"))
from harness import ENVOY, Envoy, free_port  # noqa: E402

sys.path.insert(0, str(ROOT / "tools"))
from strip_exports import strip  # noqa: E402

MODULE = ROOT / "target/wasm32-wasip1/release/proxy_allowlist.wasm"
# Cargo's own output, before `make wasm` removed the unused callback exports.
MODULE_ALL_EXPORTS = ROOT / "target/wasm32-wasip1/release/deps/proxy_allowlist.wasm"
NOOP = ROOT / "target/wasm32-wasip1/release/examples/noop_filter.wasm"
NOOP_STRIPPED = ROOT / "target/wasm32-wasip1/release/examples/noop_filter_stripped.wasm"
ONE_READ = ROOT / "target/wasm32-wasip1/release/examples/one_read_filter.wasm"
ONE_READ_STRIPPED = ROOT / "target/wasm32-wasip1/release/examples/one_read_filter_stripped.wasm"

# Envoy's worker on one core, the load client on the other.
ENVOY_CPU, WRK_CPU = "0", "1"

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "2"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))

ALLOWED_IP = "203.0.113.77"
DENIED_IP = "198.18.0.1"


def policy(size):
    """`size` domains and `size` CIDR blocks; the allowed values are the last
    entries, so a linear scan pays for the whole list."""
    domains = [f"app{i}.example.com" for i in range(size)]
    cidrs = [f"10.{i // 256 % 256}.{i % 256}.0/24" for i in range(size - 1)] + ["203.0.113.0/24"]
    return domains, cidrs


def allowed_origin(size):
    return f"https://app{size - 1}.example.com"


DENIED_ORIGIN = "https://evil.example.net"


def ours(size, condition, module=MODULE, **settings):
    domains, cidrs = policy(size)
    config = {
        **settings,
        "domains": {"mode": "listed", "allowed": [{"domain": d} for d in domains]},
        "source_ips": {"mode": "listed", "allowed": [{"ip": c} for c in cidrs]},
        "condition": condition,
        "max_entries": max(size, 25),
    }
    return wasm_filter(module, json.dumps(config))


def wasm_filter(module, configuration=None):
    wasm = {
        "name": "bench",
        "root_id": "bench",
        "failure_policy": "FAIL_CLOSED",
        "vm_config": {"vm_id": "bench", "runtime": "envoy.wasm.runtime.v8", "code": {"local": {"filename": str(module)}}},
    }
    if configuration is not None:
        wasm["configuration"] = {"@type": "type.googleapis.com/google.protobuf.StringValue", "value": configuration}
    return {
        "name": "envoy.filters.http.wasm",
        "typed_config": {"@type": "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm", "config": wasm},
    }


def rbac(size, condition):
    domains, cidrs = policy(size)
    ips = {
        "or_ids": {
            "ids": [
                {"remote_ip": {"address_prefix": c.split("/")[0], "prefix_len": int(c.split("/")[1])}} for c in cidrs
            ]
        }
    }
    origins = {
        "or_ids": {
            "ids": [{"header": {"name": "origin", "string_match": {"exact": f"https://{d}"}}} for d in domains]
        }
    }
    combined = {"and_ids" if condition == "and" else "or_ids": {"ids": [ips, origins]}}
    return {
        "name": "envoy.filters.http.rbac",
        "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC",
            "rules": {
                "action": "ALLOW",
                "policies": {"allowlist": {"permissions": [{"any": True}], "principals": [combined]}},
            },
        },
    }


LUA = """
local domains = {%(domains)s}
local nets = {%(nets)s}
local body = '{"code":"PERMISSION_DENIED","message":"Permission denied."}'

local function ip_allowed(address)
  local a, b, c, d = string.match(address, "^(%%d+)%%.(%%d+)%%.(%%d+)%%.(%%d+):")
  if not a then return false end
  local n = ((tonumber(a) * 256 + tonumber(b)) * 256 + tonumber(c)) * 256 + tonumber(d)
  for _, net in ipairs(nets) do
    if n >= net[1] and n < net[1] + net[2] then return true end
  end
  return false
end

function envoy_on_request(handle)
  local origin = handle:headers():get("origin")
  local domain_ok = origin ~= nil and domains[string.lower(origin)] == true
  local ip_ok = ip_allowed(handle:streamInfo():downstreamRemoteAddress())
  local ok
  if "%(condition)s" == "and" then ok = domain_ok and ip_ok else ok = domain_ok or ip_ok end
  if not ok then
    handle:respond({[":status"] = "403", ["content-type"] = "application/json"}, body)
  end
end
"""


def lua(size, condition):
    domains, cidrs = policy(size)
    nets = []
    for c in cidrs:
        addr, length = c.split("/")
        a, b, cc, d = (int(x) for x in addr.split("."))
        nets.append(f"{{{((a * 256 + b) * 256 + cc) * 256 + d}, {2 ** (32 - int(length))}}}")
    code = LUA % {
        "domains": ", ".join(f'["https://{d}"] = true' for d in domains),
        "nets": ", ".join(nets),
        "condition": condition,
    }
    return {
        "name": "envoy.filters.http.lua",
        "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua",
            "default_source_code": {"inline_string": code},
        },
    }


def envoy_config(port, admin_port, filters):
    router = {
        "name": "envoy.filters.http.router",
        "typed_config": {"@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"},
    }
    manager = {
        "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
        "stat_prefix": "bench",
        "use_remote_address": False,
        "route_config": {
            "virtual_hosts": [
                {
                    "name": "bench",
                    "domains": ["*"],
                    "routes": [
                        {"match": {"prefix": "/"}, "direct_response": {"status": 200, "body": {"inline_string": "ok"}}}
                    ],
                }
            ]
        },
        "http_filters": [*filters, router],
    }
    return json.dumps(
        {
            "admin": {"address": {"socket_address": {"address": "127.0.0.1", "port_value": admin_port}}},
            "static_resources": {
                "listeners": [
                    {
                        "name": "bench",
                        "address": {"socket_address": {"address": "127.0.0.1", "port_value": port}},
                        "filter_chains": [
                            {
                                "filters": [
                                    {"name": "envoy.filters.network.http_connection_manager", "typed_config": manager}
                                ]
                            }
                        ],
                    }
                ]
            },
        }
    )


class PinnedEnvoy(Envoy):
    def command(self, *extra):
        return ["taskset", "-c", ENVOY_CPU, *super().command(*extra)]


@dataclass
class Variant:
    name: str
    filters: list
    origin: str
    client: str
    status: int
    compare_to: str = ""
    cpu: list = field(default_factory=list)
    rps: list = field(default_factory=list)
    p99: list = field(default_factory=list)
    envoy: PinnedEnvoy = None
    port: int = 0


def variants():
    a25, a10k = allowed_origin(25), allowed_origin(10_000)
    v = [
        Variant("no filter", [], a25, ALLOWED_IP, 200),
        Variant("no-op Wasm filter, SDK exports (the floor)", [wasm_filter(NOOP)], a25, ALLOWED_IP, 200, "RBAC 25+25 and"),
        Variant(
            "no-op Wasm filter, unused callbacks removed",
            [wasm_filter(NOOP_STRIPPED)],
            a25,
            ALLOWED_IP,
            200,
            "RBAC 25+25 and",
        ),
        Variant(
            "Wasm filter that only reads one header, unused callbacks removed",
            [wasm_filter(ONE_READ_STRIPPED)],
            a25,
            ALLOWED_IP,
            200,
            "RBAC 25+25 and",
        ),
        Variant("RBAC 25+25 and", [rbac(25, "and")], a25, ALLOWED_IP, 200),
        Variant("RBAC 25+25 and, deny", [rbac(25, "and")], DENIED_ORIGIN, ALLOWED_IP, 403),
        Variant("RBAC 25+25 or", [rbac(25, "or")], DENIED_ORIGIN, ALLOWED_IP, 200),
        Variant("RBAC 25+25 or, deny", [rbac(25, "or")], DENIED_ORIGIN, DENIED_IP, 403),
        Variant("Lua 25+25 and", [lua(25, "and")], a25, ALLOWED_IP, 200, "RBAC 25+25 and"),
        Variant("proxy-allowlist 25+25 and", [ours(25, "and")], a25, ALLOWED_IP, 200, "RBAC 25+25 and"),
        Variant(
            "proxy-allowlist 25+25 and, record_decisions denied",
            [ours(25, "and", record_decisions="denied")],
            a25,
            ALLOWED_IP,
            200,
            "RBAC 25+25 and",
        ),
        Variant(
            "proxy-allowlist 25+25 and, SDK exports kept",
            [ours(25, "and", MODULE_ALL_EXPORTS)],
            a25,
            ALLOWED_IP,
            200,
            "RBAC 25+25 and",
        ),
        Variant("proxy-allowlist 25+25 and, deny", [ours(25, "and")], DENIED_ORIGIN, ALLOWED_IP, 403, "RBAC 25+25 and, deny"),
        Variant("proxy-allowlist 25+25 or", [ours(25, "or")], DENIED_ORIGIN, ALLOWED_IP, 200, "RBAC 25+25 or"),
        Variant("proxy-allowlist 25+25 or, deny", [ours(25, "or")], DENIED_ORIGIN, DENIED_IP, 403, "RBAC 25+25 or, deny"),
        Variant("RBAC 10k+10k and", [rbac(10_000, "and")], a10k, ALLOWED_IP, 200),
        Variant("proxy-allowlist 10k+10k and", [ours(10_000, "and")], a10k, ALLOWED_IP, 200, "RBAC 10k+10k and"),
        Variant(
            "proxy-allowlist 10k+10k and, record_decisions denied",
            [ours(10_000, "and", record_decisions="denied")],
            a10k,
            ALLOWED_IP,
            200,
            "RBAC 10k+10k and",
        ),
    ]
    return v


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def probe(variant):
    request = urllib.request.Request(
        f"http://127.0.0.1:{variant.port}/",
        headers={"Origin": variant.origin, "X-Forwarded-For": variant.client},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def run_wrk(variant):
    pid = variant.envoy.process.pid
    before = cpu_seconds(pid)
    out = subprocess.run(
        [
            "taskset",
            "-c",
            WRK_CPU,
            "wrk",
            "-t1",
            f"-c{CONNECTIONS}",
            f"-d{SECONDS}s",
            "--latency",
            "-H",
            f"Origin: {variant.origin}",
            "-H",
            f"X-Forwarded-For: {variant.client}",
            f"http://127.0.0.1:{variant.port}/",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    used = cpu_seconds(pid) - before
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    p99_ms = float(p99.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    unexpected = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if variant.status == 200 and unexpected:
        raise RuntimeError(f"{variant.name}: {unexpected.group(1)} unexpected answers")
    return used / requests * 1e6, rps, p99_ms


def machine():
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    envoy_version = subprocess.run([ENVOY, "--version"], capture_output=True, text=True).stdout.strip().split()[-1]
    return (
        f"{os.cpu_count()} cores ({model}), Linux {platform.release()}, Envoy {envoy_version} "
        f"(--concurrency 1, pinned to CPU {ENVOY_CPU}), wrk -t1 -c{CONNECTIONS} (pinned to CPU {WRK_CPU}), "
        f"{ROUNDS} rounds of {SECONDS} s per variant after a warm-up run"
    )


def table(all_variants):
    by_name = {v.name: v for v in all_variants}
    base = statistics.median(by_name["no filter"].cpu)
    rows = [
        "| variant | Envoy CPU µs/request (median) | best round | tax µs | tax ÷ RBAC tax (same policy) | requests/s | p99 ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for v in all_variants:
        cpu = statistics.median(v.cpu)
        tax = cpu - base
        ratio = ""
        if v.compare_to:
            rbac_tax = statistics.median(by_name[v.compare_to].cpu) - base
            ratio = f"{tax / rbac_tax:.2f}x ({v.compare_to})" if rbac_tax > 0 else "n/a"
        tax_text = "" if v.name == "no filter" else f"{tax:.2f}"
        rows.append(
            f"| {v.name} | {cpu:.2f} | {min(v.cpu):.2f} | {tax_text} | {ratio} | {statistics.median(v.rps):,.0f} "
            f"| {statistics.median(v.p99):.3f} |"
        )
    return "\n".join(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--strip-callbacks", required=True, help="the callbacks `make wasm` keeps exported")
    args = parser.parse_args()
    keep = set(args.strip_callbacks.split(","))
    for module, stripped_path in [(NOOP, NOOP_STRIPPED), (ONE_READ, ONE_READ_STRIPPED)]:
        stripped, _ = strip(module.read_bytes(), keep)
        stripped_path.write_bytes(stripped)
    all_variants = variants()
    try:
        for variant in all_variants:
            variant.port, admin_port = free_port(), free_port()
            variant.envoy = PinnedEnvoy(envoy_config(variant.port, admin_port, variant.filters))
            variant.envoy.start(admin_port)
            status = probe(variant)
            if status != variant.status:
                raise RuntimeError(f"{variant.name}: expected {variant.status}, got {status}")
        # Warm up: V8 compiles hot Wasm functions again, in the background,
        # after their first calls; that cost belongs to start-up, not to requests.
        for variant in all_variants:
            run_wrk(variant)
        for round_number in range(ROUNDS):
            for variant in all_variants:
                cpu, rps, p99 = run_wrk(variant)
                variant.cpu.append(cpu)
                variant.rps.append(rps)
                variant.p99.append(p99)
            print(f"round {round_number + 1}/{ROUNDS} done", file=sys.stderr)
    finally:
        for variant in all_variants:
            if variant.envoy:
                variant.envoy.stop()
    result = table(all_variants)
    print(result)
    size = MODULE.stat().st_size
    (ROOT / "BENCHMARKS.md").write_text(
        "# Benchmarks\n\n"
        f"Written by `make bench` on {time.strftime('%Y-%m-%d')}: {machine()}. "
        "Medians over interleaved rounds (the best round is shown too: interference from other tenants only "
        "adds time). *Tax* is Envoy CPU per request above the same route with no "
        "filter; the ratio compares it with Envoy's native RBAC filter holding the equivalent policy "
        "(25 CIDRs + 25 origins, or 10,000 + 10,000; the allowed values last in each list). "
        "The client address comes from X-Forwarded-For (use_remote_address: false) for every variant alike.\n\n"
        f"{result}\n\n"
        f"Release module: {size:,} bytes.\n"
    )


if __name__ == "__main__":
    main()

"""`make bench`: what proxy-allowlist costs inside Envoy, as a Wasm module
and as a native dynamic module, next to Envoy's native RBAC filter holding
the same policy, a Lua filter, a Wasm filter that does nothing (the floor
every Proxy-Wasm filter pays) and Wasm filters that make one kind of host
call each (what each call costs above the floor).

One Envoy per variant (--concurrency 1, the same direct_response route,
loopback only). Variants are measured in interleaved rounds (A B C ... A B
C ...) and the median is reported, because these machines are shared and
noisy: compare variants within one run, as ratios. Envoy's CPU time per
request is read from /proc/<pid>/stat (user + system) across the requests
one wrk run completes; throughput and p99 come from wrk.

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
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests/e2e"))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tools"))
from harness import ENVOY, Envoy, free_port  # noqa: E402
from report import write_section  # noqa: E402
from strip_exports import strip  # noqa: E402

MODULE = ROOT / "target/wasm32-wasip1/release/proxy_allowlist.wasm"
# Cargo's own output, before `make wasm` removed the unused callback exports.
MODULE_ALL_EXPORTS = ROOT / "target/wasm32-wasip1/release/deps/proxy_allowlist.wasm"
EXAMPLES = ROOT / "target/wasm32-wasip1/release/examples"
NOOP = EXAMPLES / "noop_filter.wasm"
NOOP_STRIPPED = EXAMPLES / "noop_filter_stripped.wasm"
HOST_CALL = EXAMPLES / "host_call_filter_stripped.wasm"
# The same module built for speed (`cargo build --profile release-speed`),
# stripped like the release one.
MODULE_OPT3_BUILT = ROOT / "target/wasm32-wasip1/release-speed/proxy_allowlist.wasm"
MODULE_OPT3 = ROOT / "target/wasm32-wasip1/release-speed/proxy_allowlist_stripped.wasm"
# The native build (`make native`), for Envoy 1.40 only.
NATIVE = ROOT / "target/release/libproxy_allowlist.so"

# Envoy's worker on one core, the load client on the other.
ENVOY_CPU, WRK_CPU = "0", "1"

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "2"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
PROJECTS = int(os.environ.get("BENCH_PROJECTS", "100000"))

ALLOWED_IP, DENIED_IP = "203.0.113.77", "198.18.0.1"
ALLOWED_IP6, DENIED_IP6 = "2001:db8:ffff::77", "2001:db8:eeee::1"
DENIED_ORIGIN = "https://evil.example.net"
FLOOR = "no-op Wasm filter, unused callbacks removed (the floor)"


def policy(size, v6=False):
    """`size` domains and `size` CIDR blocks; the allowed values are the last
    entries, so a linear scan pays for the whole list."""
    domains = [f"app{i}.example.com" for i in range(size)]
    if v6:
        cidrs = [f"2001:db8:{i:x}::/48" for i in range(size - 1)] + ["2001:db8:ffff::/48"]
    else:
        cidrs = [f"10.{i // 256 % 256}.{i % 256}.0/24" for i in range(size - 1)] + ["203.0.113.0/24"]
    return domains, cidrs


def allowed_origin(size):
    return f"https://app{size - 1}.example.com"


def ours(size, condition, module=MODULE, v6=False, **settings):
    domains, cidrs = policy(size, v6)
    config = {
        **settings,
        "domains": {"mode": "listed", "allowed": [{"domain": d} for d in domains]},
        "source_ips": {"mode": "listed", "allowed": [{"ip": c} for c in cidrs]},
        "condition": condition,
        "max_entries": max(size, 25),
    }
    return filter_for(module, json.dumps(config))


def project(i):
    return {
        "domains": {"mode": "listed", "allowed": [
            {"name": "Web", "domain": f"app{i}.example.com"}, {"domain": f"*.p{i}.example.org"},
            {"domain": f"https://admin{i}.example.com"}]},
        "source_ips": {"mode": "listed", "allowed": [
            {"name": "Office", "ip": f"10.{i // 256 % 256}.{i % 256}.1"}, {"ip": "203.0.113.0/24"},
            {"ip": f"2001:db8:{i >> 16:x}:{i & 0xFFFF:x}::/64"}]},
        "condition": "and",
    }


def ours_projects(count, module=MODULE):
    policies = {f"p{i}": project(i) for i in range(count)}
    return filter_for(module, json.dumps({"projects": {"from": {"header": "x-project-id"}, "policies": policies}}))


def filter_for(module, configuration):
    """Our filter from `module`: the Wasm filter, or the native one."""
    return native_filter(configuration) if module == NATIVE else wasm_filter(module, configuration)


def native_filter(configuration):
    return {
        "name": "proxy_allowlist",
        "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.filters.http.dynamic_modules.v3.DynamicModuleFilter",
            "dynamic_module_config": {"module": {"local": {"filename": str(NATIVE)}}},
            "filter_name": "bench",
            "filter_config": {"@type": "type.googleapis.com/google.protobuf.StringValue", "value": configuration},
        },
    }


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


def rbac(size, condition, v6=False):
    domains, cidrs = policy(size, v6)
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


# wrk asks about a different project on every request: p0 .. p(n-1).
PROJECT_SCRIPT = """
local n = %(count)d
request = function()
  local p = math.random(0, n - 1)
  return wrk.format(nil, nil, {["x-project-id"] = "p" .. p,
    ["Origin"] = "https://admin" .. p .. ".example.com", ["X-Forwarded-For"] = "%(client)s"})
end
"""


@dataclass
class Variant:
    name: str
    filters: list
    origin: str
    client: str
    status: int
    # The variant whose tax this one is compared with (RBAC on the same
    # policy, or another variant of ours).
    compare_to: str = ""
    projects: int = 0
    # How many of the projects the requests ask about, at random (0: all).
    asked: int = 0
    cpu: list = field(default_factory=list)
    rps: list = field(default_factory=list)
    p99: list = field(default_factory=list)
    envoy: PinnedEnvoy = None
    port: int = 0
    script: str = ""


def host_call(name, call):
    return Variant(f"host call: {name}", [wasm_filter(HOST_CALL, call)], allowed_origin(25), ALLOWED_IP,
                   403 if call.startswith("local_reply") else 200)


def variants():
    a25, a10k = allowed_origin(25), allowed_origin(10_000)
    r = "RBAC 25+25 and"
    return [
        Variant("no filter", [], a25, ALLOWED_IP, 200),
        Variant("no-op Wasm filter, SDK exports", [wasm_filter(NOOP)], a25, ALLOWED_IP, 200, r),
        Variant(FLOOR, [wasm_filter(NOOP_STRIPPED)], a25, ALLOWED_IP, 200, r),
        host_call("read one header (Origin)", "header"),
        host_call("read every line of a header (request.headers property)", "every_line"),
        host_call("read source.address", "source_address"),
        host_call("read all headers (header map pairs)", "header_pairs"),
        host_call("set_property (filter state)", "set_property"),
        host_call("local reply, bare 403", "local_reply_bare"),
        host_call("local reply, 403 with content-type and JSON body", "local_reply_json"),
        host_call("local reply, 403 with content-type, cache-control and JSON body", "local_reply_full"),
        host_call("a one-second tick, nothing per request", "tick"),
        Variant(r, [rbac(25, "and")], a25, ALLOWED_IP, 200),
        Variant("RBAC 25+25 and, denied by domain", [rbac(25, "and")], DENIED_ORIGIN, ALLOWED_IP, 403),
        Variant("RBAC 25+25 and, denied by IP", [rbac(25, "and")], a25, DENIED_IP, 403),
        Variant("RBAC 25+25 or", [rbac(25, "or")], DENIED_ORIGIN, ALLOWED_IP, 200),
        Variant("RBAC 25+25 or, denied", [rbac(25, "or")], DENIED_ORIGIN, DENIED_IP, 403),
        Variant("RBAC 25+25 and, IPv6", [rbac(25, "and", v6=True)], a25, ALLOWED_IP6, 200),
        Variant("Lua 25+25 and", [lua(25, "and")], a25, ALLOWED_IP, 200, r),
        Variant("proxy-allowlist 25+25 and", [ours(25, "and")], a25, ALLOWED_IP, 200, r),
        Variant("proxy-allowlist 25+25 and, record_decisions denied", [ours(25, "and", record_decisions="denied")],
                a25, ALLOWED_IP, 200, r),
        Variant("proxy-allowlist 25+25 and, opt-level 3", [ours(25, "and", MODULE_OPT3)], a25, ALLOWED_IP, 200,
                "proxy-allowlist 25+25 and"),
        Variant("proxy-allowlist 25+25 and, SDK exports kept", [ours(25, "and", MODULE_ALL_EXPORTS)], a25, ALLOWED_IP,
                200, r),
        Variant("proxy-allowlist 25+25 and, denied by domain", [ours(25, "and")], DENIED_ORIGIN, ALLOWED_IP, 403,
                "RBAC 25+25 and, denied by domain"),
        Variant("proxy-allowlist 25+25 and, denied by IP", [ours(25, "and")], a25, DENIED_IP, 403,
                "RBAC 25+25 and, denied by IP"),
        Variant("proxy-allowlist 25+25 or", [ours(25, "or")], DENIED_ORIGIN, ALLOWED_IP, 200, "RBAC 25+25 or"),
        Variant("proxy-allowlist 25+25 or, denied", [ours(25, "or")], DENIED_ORIGIN, DENIED_IP, 403,
                "RBAC 25+25 or, denied"),
        Variant("proxy-allowlist 25+25 and, IPv6", [ours(25, "and", v6=True)], a25, ALLOWED_IP6, 200,
                "RBAC 25+25 and, IPv6"),
        Variant("RBAC 10k+10k and", [rbac(10_000, "and")], a10k, ALLOWED_IP, 200),
        Variant("proxy-allowlist 10k+10k and", [ours(10_000, "and")], a10k, ALLOWED_IP, 200, "RBAC 10k+10k and"),
        Variant("proxy-allowlist 10k+10k and, record_decisions denied",
                [ours(10_000, "and", record_decisions="denied")], a10k, ALLOWED_IP, 200, "RBAC 10k+10k and"),
        Variant("proxy-allowlist, 1 project of 3+3", [ours_projects(1)], "", ALLOWED_IP, 200, r, projects=1),
        Variant(f"proxy-allowlist, {PROJECTS:,} projects of 3+3", [ours_projects(PROJECTS)], "", ALLOWED_IP, 200,
                "proxy-allowlist, 1 project of 3+3", projects=PROJECTS),
        Variant(f"proxy-allowlist, {PROJECTS:,} projects of 3+3, always the same one", [ours_projects(PROJECTS)], "",
                ALLOWED_IP, 200, "proxy-allowlist, 1 project of 3+3", projects=PROJECTS, asked=1),
        # The native build (a dynamic module), against RBAC on the same policy.
        Variant("proxy-allowlist native 25+25 and", [ours(25, "and", NATIVE)], a25, ALLOWED_IP, 200, r),
        Variant("proxy-allowlist native 25+25 and, record_decisions denied",
                [ours(25, "and", NATIVE, record_decisions="denied")], a25, ALLOWED_IP, 200, r),
        Variant("proxy-allowlist native 25+25 and, denied by domain", [ours(25, "and", NATIVE)], DENIED_ORIGIN,
                ALLOWED_IP, 403, "RBAC 25+25 and, denied by domain"),
        Variant("proxy-allowlist native 25+25 and, denied by IP", [ours(25, "and", NATIVE)], a25, DENIED_IP, 403,
                "RBAC 25+25 and, denied by IP"),
        Variant("proxy-allowlist native 10k+10k and", [ours(10_000, "and", NATIVE)], a10k, ALLOWED_IP, 200,
                "RBAC 10k+10k and"),
        Variant("proxy-allowlist native, 1 project of 3+3", [ours_projects(1, NATIVE)], "", ALLOWED_IP, 200, r,
                projects=1),
        Variant(f"proxy-allowlist native, {PROJECTS:,} projects of 3+3", [ours_projects(PROJECTS, NATIVE)], "",
                ALLOWED_IP, 200, "proxy-allowlist native, 1 project of 3+3", projects=PROJECTS),
        Variant(f"proxy-allowlist native, {PROJECTS:,} projects of 3+3, always the same one",
                [ours_projects(PROJECTS, NATIVE)], "", ALLOWED_IP, 200, "proxy-allowlist native, 1 project of 3+3",
                projects=PROJECTS, asked=1),
    ]


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def probe(variant):
    headers = {"X-Forwarded-For": variant.client}
    if variant.projects:
        headers.update({"x-project-id": "p0", "Origin": "https://admin0.example.com"})
    else:
        headers["Origin"] = variant.origin
    command = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    return int(subprocess.run([*command, f"http://127.0.0.1:{variant.port}/"], capture_output=True, text=True).stdout)


def run_wrk(variant):
    pid = variant.envoy.process.pid
    before = cpu_seconds(pid)
    request = ["-s", variant.script] if variant.script else [
        "-H", f"Origin: {variant.origin}", "-H", f"X-Forwarded-For: {variant.client}"]
    out = subprocess.run(
        ["taskset", "-c", WRK_CPU, "wrk", "-t1", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", *request,
         f"http://127.0.0.1:{variant.port}/"],
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
    tax = {v.name: statistics.median(v.cpu) - base for v in all_variants}
    floor = tax[FLOOR]
    rows = [
        "| variant | Envoy CPU µs/request (median) | best round | tax µs | ÷ floor tax | ÷ compared tax (which) | requests/s | p99 ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for v in all_variants:
        cpu = statistics.median(v.cpu)
        own = tax[v.name]
        versus = ""
        if v.compare_to:
            other = tax[v.compare_to]
            versus = f"{own / other:.2f}x ({v.compare_to})" if other > 0 else "n/a"
        over_floor = f"{own / floor:.2f}x" if v.name != "no filter" and floor > 0 else ""
        tax_text = "" if v.name == "no filter" else f"{own:.2f}"
        rows.append(
            f"| {v.name} | {cpu:.2f} | {min(v.cpu):.2f} | {tax_text} | {over_floor} | {versus} | "
            f"{statistics.median(v.rps):,.0f} | {statistics.median(v.p99):.3f} |"
        )
    prices = ["| host call (one per request) | µs above the floor |", "|---|---:|"]
    for v in all_variants:
        if v.name.startswith("host call: "):
            prices.append(f"| {v.name.removeprefix('host call: ')} | {tax[v.name] - floor:.2f} |")
    return "\n".join(rows), "\n".join(prices)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--strip-callbacks", required=True, help="the callbacks `make wasm` keeps exported")
    parser.add_argument("--only", help="run only the variants whose names match this regular expression (with "
                        "the no-filter and floor variants), print the table and leave BENCHMARKS.md alone")
    args = parser.parse_args()
    keep = set(args.strip_callbacks.split(","))
    for module, stripped_path in [(NOOP, NOOP_STRIPPED), (EXAMPLES / "host_call_filter.wasm", HOST_CALL),
                                  (MODULE_OPT3_BUILT, MODULE_OPT3)]:
        stripped, _ = strip(module.read_bytes(), keep)
        stripped_path.write_bytes(stripped)
    all_variants = variants()
    if args.only:
        wanted = {v.name for v in all_variants if re.search(args.only, v.name)} | {"no filter", FLOOR}
        wanted |= {v.compare_to for v in all_variants if v.name in wanted}
        all_variants = [v for v in all_variants if v.name in wanted]
    scripts = tempfile.TemporaryDirectory(prefix="proxy-allowlist-bench-")
    try:
        for variant in all_variants:
            if variant.projects:
                asked = variant.asked or variant.projects
                variant.script = str(Path(scripts.name) / f"projects-{asked}.lua")
                Path(variant.script).write_text(PROJECT_SCRIPT % {"count": asked, "client": ALLOWED_IP})
            variant.port, admin_port = free_port(), free_port()
            variant.envoy = PinnedEnvoy(envoy_config(variant.port, admin_port, variant.filters))
            variant.envoy.start(admin_port, timeout=300)
            status = probe(variant)
            if status != variant.status:
                raise RuntimeError(f"{variant.name}: expected {variant.status}, got {status}")
            print(f"started: {variant.name}", file=sys.stderr)
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
        scripts.cleanup()
    result, prices = table(all_variants)
    print(result)
    print(prices)
    if args.only:
        return
    size = MODULE.stat().st_size
    write_section(
        "envoy",
        "## In Envoy (`bench/envoy_bench.py`)\n\n"
        f"Written by `make bench` on {time.strftime('%Y-%m-%d')}: {machine()}. "
        "Medians over interleaved rounds (the best round is shown too: interference from other tenants only "
        "adds time). *Tax* is Envoy CPU per request above the same route with no filter. "
        "*÷ floor* compares it with the no-op Proxy-Wasm filter (the cost of being a Wasm filter at all); "
        "*÷ compared* with the variant named: Envoy's native RBAC filter holding the equivalent policy "
        "(the allowed values last in each list), or another of ours. *native* variants run the native "
        "build (a dynamic module) instead of the Wasm module. "
        "The client address comes from X-Forwarded-For (use_remote_address: false) for every variant alike; "
        f"the projects variants ask about a random project of the {PROJECTS:,} on every request.\n\n"
        f"{result}\n\n"
        "What one host call costs above the floor (a filter that makes only that call):\n\n"
        f"{prices}\n\n"
        f"Release module: {size:,} bytes; built with opt-level 3: {MODULE_OPT3.stat().st_size:,} bytes; "
        f"native module: {NATIVE.stat().st_size:,} bytes.\n",
    )


if __name__ == "__main__":
    main()

"""Many projects in real Envoy (part of `make bench`): for configurations of
1,000, 10,000 and 100,000 projects of 3 domains and 3 source IPs each
(the shape `benches/scale.rs` loads natively):

- the configuration's size, and how many projects fit in an Istio
  WasmPlugin (a Kubernetes object: about 1.5 MiB) and in one xDS message
  (gRPC's default limit: 4 MiB);
- the time from the ECDS file swap to the new policy serving, and the Wasm
  memory each VM holds afterwards (the filter logs it at load);
- a one-project change in the largest configuration under continuous
  load: failed requests, other projects' decisions, time to effect.

The per-request tax at 1 and 100,000 projects is measured with the other
variants by bench/envoy_bench.py. Writes its section of BENCHMARKS.md.
"""

import json
import os
import re
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests/e2e"))
sys.path.insert(0, str(ROOT / "bench"))
from harness import Envoy, Upstream, ecds_resource, envoy_yaml, free_port, request, wait_for  # noqa: E402
from report import write_section  # noqa: E402

SIZES = [int(n) for n in os.environ.get("SCALE_PROJECTS", "1000,10000,100000").split(",")]
ISTIO_LIMIT = 1.5 * 1024 * 1024
XDS_LIMIT = 4 * 1024 * 1024


def project(i, origin_host=None):
    """Project p{i}: the same shape as benches/scale.rs."""
    return {
        "domains": {
            "mode": "listed",
            "allowed": [
                {"name": "Web", "domain": origin_host or f"app{i}.example.com"},
                {"domain": f"*.p{i}.example.org"},
                {"domain": f"https://admin{i}.example.com"},
            ],
        },
        "source_ips": {
            "mode": "listed",
            "allowed": [
                {"name": "Office", "ip": f"10.{i // 256 % 256}.{i % 256}.1"},
                {"ip": f"10.{i // 256 % 256}.{i % 256}.0/28"},
                {"ip": f"2001:db8:{i >> 16:x}:{i & 0xFFFF:x}::/64"},
            ],
        },
        "condition": "or",
    }


def projects_config(count, changed=None):
    """`count` projects; `changed` moves project p{changed}'s web domain."""
    policies = {f"p{i}": project(i, f"moved{i}.example.com" if i == changed else None) for i in range(count)}
    return {"projects": {"from": {"header": "x-project-id"}, "policies": policies}}


def publish(path, config):
    temporary = path.with_suffix(".tmp")
    temporary.write_text(ecds_resource(config))
    os.replace(temporary, path)


def status(port, i, origin):
    return request(port, [("x-project-id", f"p{i}"), ("Origin", origin)]).status


def memory_lines(envoy):
    return re.findall(r"policy loaded: (\d+) projects.*Wasm memory (\d+) MiB", envoy.log())


def measure_load(envoy, resource, count):
    """Publishes `count` projects; returns seconds until the last project's
    origin is allowed, and the Wasm memory each VM reported."""
    before = len(memory_lines(envoy))
    started = time.monotonic()
    publish(resource, projects_config(count))
    wait_for(lambda: status(envoy.port, count - 1, f"https://app{count - 1}.example.com") == 200, timeout=600, what="the new policy")
    seconds = time.monotonic() - started
    # Every VM (main thread and worker) logs its load.
    def both_vms():
        lines = memory_lines(envoy)
        return lines[before:] if len(lines) >= before + 2 else None

    lines = wait_for(both_vms, timeout=120, what="both VMs")
    return seconds, [int(mib) for n, mib in lines if int(n) == count]


def change_under_load(envoy, resource, count):
    """Changes project p7 while threads keep asking about p7 and others."""
    results, running = [], [True]
    watched = [0, count // 2, count - 1]

    def run(i, origin):
        while running[0]:
            started = time.monotonic()
            try:
                code = status(envoy.port, i, origin)
            except OSError as error:
                code = repr(error)
            results.append((started, time.monotonic(), i, origin, code))

    threads = [threading.Thread(target=run, args=(i, f"https://app{i}.example.com")) for i in watched]
    threads.append(threading.Thread(target=run, args=(7, "https://moved7.example.com")))
    for thread in threads:
        thread.start()
    time.sleep(2)
    published = time.monotonic()
    publish(resource, projects_config(count, changed=7))
    wait_for(lambda: status(envoy.port, 7, "https://moved7.example.com") == 200, timeout=600, what="the change")
    effect = time.monotonic() - published
    time.sleep(2)
    running[0] = False
    for thread in threads:
        thread.join()
    failed = [r for r in results if r[4] not in (200, 403)]
    others_changed = [r for r in results if r[2] != 7 and r[4] != 200]
    return len(results), len(failed), len(others_changed), effect


def main():
    upstream = Upstream()
    workdir = Path(os.environ.get("TMPDIR", "/tmp")) / f"proxy-allowlist-scale-{os.getpid()}"
    workdir.mkdir(parents=True, exist_ok=True)
    resource = workdir / "proxy_allowlist.json"
    publish(resource, projects_config(1))
    port, admin_port = free_port(), free_port()
    envoy = Envoy(envoy_yaml(None, port, admin_port, upstream.port, ecds_path=resource))
    envoy.port = port
    rows = []
    change = None
    try:
        envoy.start(admin_port)
        for count in SIZES:
            size = len(json.dumps(projects_config(count)))
            seconds, memory = measure_load(envoy, resource, count)
            rows.append((count, size, seconds, memory))
            print(f"{count} projects: {size / 1e6:.1f} MB, serving after {seconds:.1f} s, Wasm memory {memory} MiB", file=sys.stderr)
        largest = SIZES[-1]
        change = (largest, *change_under_load(envoy, resource, largest))
    finally:
        envoy.stop()
        upstream.stop()
    per_project = rows[-1][1] / rows[-1][0]
    lines = [
        "| projects | entries | configuration | from the ECDS file swap to serving | Wasm memory per VM | per entry |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for count, size, seconds, memory in rows:
        mib = max(memory) if memory else 0
        lines.append(
            f"| {count:,} | {count * 6:,} | {size / 1e6:.1f} MB | {seconds:.1f} s | {mib} MiB | {mib * 1048576 // (count * 6):,} B |"
        )
    total, failed, others, effect = change[1:]
    text = "\n".join(lines) + (
        f"\n\nThese projects take {per_project:.0f} bytes each in the configuration, so about "
        f"{int(ISTIO_LIMIT // per_project):,} fit in one Istio WasmPlugin (a Kubernetes object: about 1.5 MiB) and "
        f"{int(XDS_LIMIT // per_project):,} in one xDS message at gRPC's default 4 MiB limit; a project with no "
        f"entries (`\"id\": {{}}`) takes about {len(json.dumps({'p12345': {}})) + 2} bytes. "
        f"Wasm memory grows to what loading needed at its peak and is not returned.\n\n"
        f"One project changed in the {change[0]:,}-project configuration under continuous load: {total:,} requests "
        f"during the change, {failed} failed, {others} answers about other projects changed, and the change took "
        f"effect {effect:.1f} s after the file swap."
    )
    print(text)
    write_section("scale", "## Many projects in Envoy (`bench/scale_bench.py`)\n\n" + text)


if __name__ == "__main__":
    main()

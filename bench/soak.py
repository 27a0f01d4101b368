"""`make soak`: at least a million requests through real Envoy, mixing
allowed, denied and hostile inputs at high concurrency, then checks:

- zero 5xx, and every answer the expected one for its input;
- zero Wasm VM failures or reloads in Envoy's stats;
- Envoy's resident memory flat after warm-up.

The inputs are the bypass corpus (tests/corpus/requests.json, one Envoy per
corpus policy, each case sent from its peer address) plus very long hostile
values. Requests go over keep-alive connections from several processes.
"""

import asyncio
import json
import multiprocessing
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests/e2e"))
from harness import Envoy, envoy_yaml, free_port, stats  # noqa: E402

TOTAL = int(os.environ.get("SOAK_REQUESTS", "1000000"))
CONNECTIONS = int(os.environ.get("SOAK_CONNECTIONS", "64"))
PROCESSES = 2
CORPUS = json.loads((ROOT / "tests/corpus/requests.json").read_text())


def hostile_cases():
    """Long values near Envoy's header limit, with known answers."""
    long_xff = ", ".join(["127.0.0.11"] * 3000)
    return [
        ("xff", [["X-Forwarded-For", f"127.0.0.4, {long_xff}"]], "127.0.0.10", "deny", "3000 trusted hops, then unlisted"),
        ("xff", [["X-Forwarded-For", f"127.0.0.3, {long_xff}"]], "127.0.0.10", "allow", "3000 trusted hops, then listed"),
        ("xff", [["X-Forwarded-For", "unknown, " * 4000 + "127.0.0.3"]], "127.0.0.10", "allow", "garbage left of the client"),
        ("domains_only", [["Origin", "https://" + "a." * 20000 + "example.org"]], "127.0.0.2", "deny", "40 KB host"),
        ("domains_only", [["Origin", ",".join(["https://app.example.com"] * 2000)]], "127.0.0.2", "deny", "2000 values"),
        ("domains_only", [["Referer", "https://a.example.org/" + "x," * 20000]], "127.0.0.2", "allow", "40 KB referer"),
        ("domains_only", [["Origin", "https://app.example.com"]] * 200, "127.0.0.2", "deny", "200 Origin lines"),
        ("and", [["Origin", "https://\u0430pp.example.com" * 500]], "127.0.0.1", "deny", "long non-ASCII origin"),
    ]


def all_cases():
    cases = [(c["policy"], c["headers"], c["peer"], c["expect"]) for c in CORPUS["cases"]]
    cases += [(policy, headers, peer, expect) for policy, headers, peer, expect, _ in hostile_cases()]
    return cases


def encode(headers, port):
    lines = ["GET /soak HTTP/1.1"]
    if not any(name.lower() == "host" for name, _ in headers):
        lines.append(f"Host: 127.0.0.1:{port}")
    lines += [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")


async def connection(work, ports, budget, tally):
    """One keep-alive connection per (policy, peer) group, cycling its cases."""
    (policy, peer), cases = work
    port = ports[policy]
    target = "::1" if ":" in peer else "127.0.0.1"
    payloads = [(encode(headers, port), expect) for headers, expect in cases]
    reader = writer = None
    i = 0
    while budget[0] > 0:
        budget[0] -= 1
        payload, expect = payloads[i % len(payloads)]
        i += 1
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(target, port, local_addr=(peer, 0))
            writer.write(payload)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            close = False
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
                if name.strip().lower() == b"connection" and value.strip().lower() == b"close":
                    close = True
            body = await reader.readexactly(length)
        except (OSError, asyncio.IncompleteReadError) as error:
            tally["errors"].append(repr(error)[:200])
            writer = None
            continue
        # 403 is the filter; 400 and 431 are Envoy refusing the request itself.
        got = "allow" if status == 200 and b"reached" in body else "deny" if status in (400, 403, 431) else f"status {status}"
        tally["total"] += 1
        if status >= 500:
            tally["5xx"] += 1
        if got != expect:
            tally["wrong"].append(f"{policy} from {peer}: expected {expect}, got {got}")
        if close:
            writer.close()
            writer = None


def client_process(groups, ports, count, queue):
    tally = {"total": 0, "5xx": 0, "wrong": [], "errors": []}
    budget = [count]

    async def main():
        await asyncio.gather(*(connection(work, ports, budget, tally) for work in groups))

    asyncio.run(main())
    tally["wrong"] = tally["wrong"][:20]
    tally["errors"] = tally["errors"][:20]
    queue.put(tally)


def rss_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def vm_health(admin_port):
    found = stats(admin_port, "wasm")
    return {name: value for name, value in found.items() if "reload" in name or "fail" in name or name.endswith(".created")}


def main():
    envoys = {}
    try:
        for name, policy in CORPUS["policies"].items():
            port, admin = free_port(), free_port()
            envoy = Envoy(envoy_yaml(policy, port, admin, 0, skip_xff_append=True, direct_response=True))
            envoy.start(admin)
            envoys[name] = (envoy, port, admin)
        ports = {name: port for name, (_, port, _) in envoys.items()}
        groups = {}
        for policy, headers, peer, expect in all_cases():
            groups.setdefault((policy, peer), []).append((headers, expect))
        work = list(groups.items())
        # Spread the connections over the groups, at least one each.
        per_group = max(1, CONNECTIONS // len(work))
        connections = [item for item in work for _ in range(per_group)]
        health_before = {name: vm_health(admin) for name, (_, _, admin) in envoys.items()}

        def run(count):
            queue = multiprocessing.Queue()
            share = [connections[i::PROCESSES] for i in range(PROCESSES)]
            procs = [
                multiprocessing.Process(target=client_process, args=(share[i], ports, count // PROCESSES, queue))
                for i in range(PROCESSES)
            ]
            for proc in procs:
                proc.start()
            tallies = [queue.get() for _ in procs]
            for proc in procs:
                proc.join()
            return tallies

        started = time.monotonic()
        warmup = TOTAL // 5
        tallies = run(warmup)
        rss_warm = {name: rss_kib(envoy.process.pid) for name, (envoy, _, _) in envoys.items()}
        tallies += run(TOTAL - warmup)
        elapsed = time.monotonic() - started
        rss_end = {name: rss_kib(envoy.process.pid) for name, (envoy, _, _) in envoys.items()}
        health_after = {name: vm_health(admin) for name, (_, _, admin) in envoys.items()}
        envoy_5xx = sum(
            stats(admin, "http.api.downstream_rq_5xx").get("http.api.downstream_rq_5xx", 0)
            for _, _, admin in envoys.values()
        )
    finally:
        for envoy, _, _ in envoys.values():
            envoy.stop()

    total = sum(t["total"] for t in tallies)
    answered_5xx = sum(t["5xx"] for t in tallies)
    wrong = [w for t in tallies for w in t["wrong"]]
    errors = [e for t in tallies for e in t["errors"]]
    warm, end = sum(rss_warm.values()), sum(rss_end.values())
    print(f"requests answered: {total:,} in {elapsed:.0f} s ({total / elapsed:,.0f}/s), {len(all_cases())} distinct inputs")
    print(f"5xx answers: {answered_5xx}; Envoy downstream_rq_5xx: {envoy_5xx}; wrong answers: {len(wrong)}; connection errors: {len(errors)}")
    totals = lambda health: {k: sum(h.get(k, 0) for h in health.values()) for k in sorted({k for h in health.values() for k in h})}
    print(f"Wasm VM stats, all Envoys, before: {json.dumps(totals(health_before))}")
    print(f"Wasm VM stats, all Envoys, after:  {json.dumps(totals(health_after))}")
    print(f"resident memory of the {len(envoys)} Envoys: {warm:,} KiB after warm-up, {end:,} KiB at the end ({end - warm:+,} KiB)")
    for name in rss_end:
        print(f"  {name}: {rss_warm[name]:,} -> {rss_end[name]:,} KiB")
    problems = []
    if total < TOTAL:
        problems.append(f"only {total} of {TOTAL} requests answered")
    if answered_5xx or envoy_5xx:
        problems.append("5xx answers")
    if wrong:
        problems.append("wrong answers: " + "; ".join(wrong[:5]))
    if errors:
        problems.append("connection errors: " + "; ".join(errors[:5]))
    if health_before != health_after:
        problems.append("Wasm VM stats changed (a VM failed, reloaded or was created)")
    if end - warm > max(0.1 * warm, 10_240):
        problems.append("resident memory grew after warm-up")
    if problems:
        print("SOAK FAILED: " + " | ".join(problems))
        sys.exit(1)
    print("soak passed")


if __name__ == "__main__":
    main()

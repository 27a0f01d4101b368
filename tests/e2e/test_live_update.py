"""A policy change delivered through xDS (an ECDS resource on disk that Envoy
watches) takes effect without a restart, under continuous load: no request
fails, none is judged by a half-applied policy, and an invalid update is
refused while the previous policy keeps serving."""

import threading
import time

from harness import counters, publish, request, stats, wait_for

A, B = "https://a.example.com", "https://b.example.com"
X, Y = "127.0.0.2", "127.0.0.3"


def policy(domain, ip):
    return {
        "domains": {"mode": "listed", "allowed": [{"domain": domain.split("//")[1]}]},
        "source_ips": {"mode": "listed", "allowed": [{"ip": ip}]},
        "condition": "and",
    }


OLD, NEW = policy(A, X), policy(B, Y)


def allowed_by(p, origin, source):
    return origin.split("//")[1] == p["domains"]["allowed"][0]["domain"] and source == p["source_ips"]["allowed"][0]["ip"]


class Load:
    """Requests in a loop from two addresses with two origins, recording
    every answer until stopped."""

    def __init__(self, port):
        self.port = port
        self.results = []
        self.errors = []
        self.running = True
        self.threads = [threading.Thread(target=self.run, args=(source,)) for source in (X, Y)]
        for thread in self.threads:
            thread.start()

    def run(self, source):
        n = 0
        while self.running:
            origin = (A, B)[n % 2]
            n += 1
            try:
                started = time.monotonic()
                status = request(self.port, [("Origin", origin)], source=source).status
                self.results.append((started, time.monotonic(), origin, source, status))
            except OSError as error:
                self.errors.append(repr(error))

    def stop(self):
        self.running = False
        for thread in self.threads:
            thread.join()


def test_live_update_under_load(start_envoy, build, tmp_path):
    resource = tmp_path / "proxy_allowlist.json"
    publish(resource, OLD, build)
    envoy = start_envoy(None, ecds_path=resource)
    assert request(envoy.port, [("Origin", A)], source=X).status == 200

    load = Load(envoy.port)
    try:
        time.sleep(1.0)
        publish(resource, NEW, build)
        wait_for(lambda: request(envoy.port, [("Origin", B)], source=Y).status == 200, what="the new policy")
        time.sleep(1.0)
        bad = {**NEW, "source_ips": {"mode": "listed", "allowed": [{"ip": "10.0.0.1/8"}]}}
        publish(resource, bad, build)
        prefix = "extension_config_discovery.http_filter.proxy_allowlist."
        wait_for(lambda: stats(envoy.admin_port, prefix).get(prefix + "config_fail", 0) >= 1, what="the refusal")
        time.sleep(1.0)
    finally:
        load.stop()

    assert load.errors == []
    assert len(load.results) > 100, "the load kept running"
    assert all(status in (200, 403) for *_, status in load.results), "no request failed"
    for _, _, origin, source, status in load.results:
        as_old = 200 if allowed_by(OLD, origin, source) else 403
        as_new = 200 if allowed_by(NEW, origin, source) else 403
        assert status in (as_old, as_new), f"{origin} from {source} got {status}: judged by a half-applied policy"
    # Once a request was judged by the new policy, no request started later
    # is judged by the old one.
    switched = min(end for _, end, *answer in load.results if answer == [B, Y, 200])
    assert not [r for r in load.results if r[0] > switched and list(r[2:]) == [A, X, 200]]

    # The refused update changed nothing, and was logged with its field and counted.
    assert request(envoy.port, [("Origin", B)], source=Y).status == 200
    assert request(envoy.port, [("Origin", A)], source=X).status == 403
    assert 'source_ips.allowed[0].ip: "10.0.0.1/8" has host bits set' in envoy.log()
    wait_for(lambda: counters(envoy.admin_port, build).get("policies_rejected", 0) >= 1, what="the rejected-policy counter")


def many_projects(changing_domain, count=2000, broken=None):
    """`count` projects of three domains and three addresses each; project
    "changing" allows `changing_domain`; `broken` names a project given an
    invalid entry."""
    policies = {}
    for i in range(count):
        policies[f"p{i}"] = {
            "domains": {"mode": "listed", "allowed": [{"domain": f"app{i}-{n}.example.com"} for n in range(3)]},
            "source_ips": {"mode": "listed", "allowed": [{"ip": f"10.{i // 256}.{i % 256}.{n}"} for n in range(3)]},
            "condition": "or",
        }
    policies["stable"] = {"domains": {"mode": "listed", "allowed": [{"domain": "a.example.com"}]}}
    policies["changing"] = {"domains": {"mode": "listed", "allowed": [{"domain": changing_domain}]}}
    if broken:
        policies[broken]["source_ips"]["allowed"][0]["ip"] = "10.0.0.1/8"
    return {"projects": {"from": {"header": "x-project-id"}, "policies": policies}}


def test_one_project_changes_under_load_and_the_others_stay_put(start_envoy, build, tmp_path):
    resource = tmp_path / "proxy_allowlist.json"
    publish(resource, many_projects("a.example.com"), build)
    envoy = start_envoy(None, ecds_path=resource)
    results, running = [], [True]

    def run(project, origin):
        while running[0]:
            started = time.monotonic()
            status = request(envoy.port, [("x-project-id", project), ("Origin", origin)]).status
            results.append((started, time.monotonic(), project, origin, status))

    threads = [
        threading.Thread(target=run, args=args)
        for args in [("stable", A), ("stable", B), ("changing", A), ("changing", B), ("p1999", "https://app1999-2.example.com")]
    ]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1.0)
        publish(resource, many_projects("b.example.com"), build)
        wait_for(lambda: request(envoy.port, [("x-project-id", "changing"), ("Origin", B)]).status == 200, what="the change")
        time.sleep(0.5)
        publish(resource, many_projects("a.example.com", broken="p7"), build)
        prefix = "extension_config_discovery.http_filter.proxy_allowlist."
        wait_for(lambda: stats(envoy.admin_port, prefix).get(prefix + "config_fail", 0) >= 1, what="the refusal")
        time.sleep(0.5)
    finally:
        running[0] = False
        for thread in threads:
            thread.join()

    assert len(results) > 100
    assert {status for *_, status in results} <= {200, 403}, "no request failed"
    expected_stable = {(A, 200), (B, 403), ("https://app1999-2.example.com", 200)}
    for _, _, project, origin, status in results:
        if project in ("stable", "p1999"):
            assert (origin, status) in expected_stable, f"{project} {origin}: {status}"
    changing = [(started, ended, origin, status) for started, ended, project, origin, status in results if project == "changing"]
    # Once one request was judged by the change, none started later is judged without it.
    switched = min(ended for _, ended, origin, status in changing if (origin, status) == (B, 200))
    assert all(status == 403 for started, _, origin, status in changing if origin == A and started > switched)
    # The update with one broken project was refused whole: the change stays.
    assert request(envoy.port, [("x-project-id", "changing"), ("Origin", B)]).status == 200
    assert 'projects.policies.p7.source_ips.allowed[0].ip: "10.0.0.1/8" has host bits set' in envoy.log()

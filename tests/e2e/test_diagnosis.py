"""The filter notices when it judges a proxy's address: a front Envoy plays
the load balancer, in real Envoy processes chained on loopback.

    client -> load balancer Envoy (appends the caller to X-Forwarded-For,
    connects onwards from 127.0.0.10) -> Envoy with the filter
"""

import json
import socket
import time

from harness import counters, load_balancer_yaml, proxy_line, run_cli, wait_for


LB_ADDRESS = "127.0.0.10"
SECOND_LB = "127.0.0.11"
LISTED = {"mode": "listed", "allowed": [{"ip": "203.0.113.0/24"}]}


def send(port, count, client=None):
    """`count` requests on one keep-alive connection; with `client`, the
    connection starts with a PROXY protocol line naming that caller."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        if client:
            sock.sendall(proxy_line(client, port))
        replies = sock.makefile("rb")
        for _ in range(count):
            sock.sendall(b"GET / HTTP/1.1\r\nHost: api\r\n\r\n")
            length = 0
            while (line := replies.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            replies.read(length)


def warnings(envoy, text):
    return [line for line in envoy.log().splitlines() if "proxy-allowlist:" in line and text in line]


def test_source_address_behind_a_load_balancer_is_counted_and_warned_once(start_envoy, launch):
    # Dry run: the list only observes, so every request reaches the counters.
    envoy = start_envoy({"source_ips": LISTED, "dry_run": True}, direct_response=True)
    # Direct callers are not a sign of anything (Envoy appends their address
    # to X-Forwarded-For, or its own for a loopback caller).
    send(envoy.port, 2000)
    lb = launch(lambda port, admin: load_balancer_yaml(port, admin, envoy.port, LB_ADDRESS))
    send(lb.port, 2000)
    # One request in 1,000 is diagnosed: the 1,000th through the balancer
    # was request 3,000 of the worker's, the 2,000th request 4,000.
    time.sleep(1.5)  # counters reach Envoy once a second
    assert counters(envoy.admin_port, envoy.build).get("client_address_looks_like_proxy") == 2
    lines = wait_for(lambda: warnings(envoy, "X-Forwarded-For"), what="the warning")
    assert len(lines) == 1, "one warning a minute, not one per sampled request"
    assert f"{LB_ADDRESS} is a loopback address" in lines[0]
    assert f'"trusted_proxies": ["{LB_ADDRESS}/32"]' in lines[0]


def test_a_walk_ending_on_an_untrusted_proxy_is_warned(start_envoy, launch):
    """Two balancers, and trusted_proxies holds only the one in front."""
    envoy = start_envoy(
        {"source_ips": LISTED, "client_ip": {"from": "x_forwarded_for", "trusted_proxies": [f"{LB_ADDRESS}/32"]}},
        direct_response=True,
    )
    inner = launch(lambda port, admin: load_balancer_yaml(port, admin, envoy.port, LB_ADDRESS, proxy_protocol=True))
    # Public callers behind the trusted balancer: the walk ends on them.
    send(inner.port, 30, client="198.51.100.7")
    time.sleep(2.5)  # two ticks, when the filter weighs its walks
    assert warnings(envoy, "trusted_proxies") == []
    outer = launch(lambda port, admin: load_balancer_yaml(port, admin, inner.port, SECOND_LB, proxy_protocol=True))
    send(outer.port, 30, client="198.51.100.7")

    def warned():
        # The native build weighs the walks on the first request of a second.
        send(outer.port, 1, client="198.51.100.7")
        return warnings(envoy, "missing from trusted_proxies")

    lines = wait_for(warned, what="the warning")
    assert f"{SECOND_LB} is a loopback address" in lines[0]
    assert f'"{SECOND_LB}/32"' in lines[0]


def test_check_prints_the_same_diagnosis(tmp_path):
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"source_ips": LISTED}))
    code, out, _ = run_cli("check", str(policy), "--source", "10.0.0.5:41000", "-H", "X-Forwarded-For: 198.51.100.7")
    assert code == 1
    diagnosis = json.loads(out)["diagnosis"]
    assert "10.0.0.5 is a private address" in diagnosis and "x_forwarded_for" in diagnosis
    code, out, _ = run_cli("check", str(policy), "--source", "203.0.113.9:41000", "-H", "X-Forwarded-For: 10.0.0.1")
    assert code == 0 and "diagnosis" not in json.loads(out)


def test_callers_that_are_no_proxy_are_left_alone(start_envoy, launch):
    """Review findings: an internal caller Envoy itself resolved behind a
    balancer (set-up A: port 0), and internal callers calling directly under
    x_forwarded_for, are the callers, not proxies."""
    resolved = start_envoy({"source_ips": LISTED, "dry_run": True}, direct_response=True, xff_num_trusted_hops=1)
    lb = launch(lambda port, admin: load_balancer_yaml(port, admin, resolved.port, LB_ADDRESS, proxy_protocol=True))
    send(lb.port, 1000, client="10.1.2.3")
    walked = start_envoy(
        {"source_ips": LISTED, "dry_run": True, "client_ip": {"from": "x_forwarded_for", "trusted_proxies": [f"{LB_ADDRESS}/32"]}},
        direct_response=True,
        proxy_protocol=True,
    )
    send(walked.port, 1000, client="10.2.3.4")
    time.sleep(2.5)  # counters reach Envoy, and the walks are weighed, once a second
    for envoy in (resolved, walked):
        assert counters(envoy.admin_port, envoy.build).get("client_address_looks_like_proxy") == 0
        assert warnings(envoy, "trusted_proxies") == [], "both warnings name the setting"

"""The client address behind a load balancer, with real Envoy processes
chained on loopback:

    client (127.0.0.x or ::1) -> load balancer Envoy (appends the caller to
    X-Forwarded-For, connects onwards from 127.0.0.10) -> Envoy with the filter
"""

import pytest

from harness import load_balancer_yaml, request

LB_ADDRESS = "127.0.0.10"
SOURCE_IP = "Permission denied. Check your security settings and ensure your source IP is allowlisted."

ALLOWED = {"mode": "listed", "allowed": [{"name": "Customer", "ip": "127.0.0.3"}, {"ip": "2001:db8::7"}]}
XFF_POLICY = {
    "source_ips": ALLOWED,
    "client_ip": {"from": "x_forwarded_for", "trusted_proxies": [f"{LB_ADDRESS}/32"]},
}


def chain(launch, backend):
    lb = launch(lambda port, admin: load_balancer_yaml(port, admin, backend.port, LB_ADDRESS))
    return lb


@pytest.fixture(scope="module")
def backend(start_envoy):
    return start_envoy(XFF_POLICY)


@pytest.fixture(scope="module")
def lb(launch, backend):
    return chain(launch, backend)


def allowed(response):
    return response.status == 200 and response.json()["upstream"] == "reached"


def denied(response):
    return response.status == 403 and response.json()["message"] == SOURCE_IP


def test_the_caller_behind_the_load_balancer_is_the_client(lb, backend):
    reached = request(lb.port, source="127.0.0.3")
    assert allowed(reached)
    # What the filter walked: the caller, then the load balancer (appended by
    # the filter's own Envoy).
    assert reached.json()["headers"]["x-forwarded-for"] == f"127.0.0.3,{LB_ADDRESS}"
    assert denied(request(lb.port, source="127.0.0.4"))


def test_a_spoofed_left_most_entry_is_not_trusted(lb):
    assert denied(request(lb.port, [("X-Forwarded-For", "127.0.0.3")], source="127.0.0.4"))
    assert denied(request(lb.port, [("X-Forwarded-For", "127.0.0.3, 127.0.0.3")], source="127.0.0.4"))


def test_several_header_lines_are_walked_whole(lb):
    lines = [("X-Forwarded-For", "127.0.0.3"), ("X-Forwarded-For", "127.0.0.3")]
    assert denied(request(lb.port, lines, source="127.0.0.4"))
    assert allowed(request(lb.port, [("X-Forwarded-For", "192.0.2.1"), ("X-Forwarded-For", "192.0.2.2")], source="127.0.0.3"))


def test_an_ipv6_client_behind_an_ipv4_proxy(backend):
    # The trusted IPv4 proxy forwards an IPv6 caller, written as proxies write it.
    for entry in ["2001:db8::7", "[2001:db8::7]", "[2001:db8::7]:4711", "2001:DB8:0::7"]:
        assert allowed(request(backend.port, [("X-Forwarded-For", entry)], source=LB_ADDRESS)), entry
    assert denied(request(backend.port, [("X-Forwarded-For", "2001:db8::8")], source=LB_ADDRESS))
    assert denied(request(backend.port, [("X-Forwarded-For", "[2001:db8::7%eth0]")], source=LB_ADDRESS))


def test_a_direct_caller_without_the_header_is_its_own_client(backend):
    assert allowed(request(backend.port, source="127.0.0.3"))
    assert denied(request(backend.port, source="127.0.0.4"))


def test_an_untrusted_peer_cannot_forge_the_header(backend):
    assert denied(request(backend.port, [("X-Forwarded-For", "127.0.0.3")], source="127.0.0.4"))


def test_a_malformed_right_most_entry_makes_the_client_unknown(backend):
    # Sent from the trusted proxy's own address, so the header is honoured.
    assert allowed(request(backend.port, [("X-Forwarded-For", "127.0.0.3")], source=LB_ADDRESS))
    for bad in ["unknown", "0x7f.0.0.3", "127.000.0.3", "fe80::1%eth0", "proxy.internal"]:
        response = request(backend.port, [("X-Forwarded-For", f"127.0.0.3, {bad}")], source=LB_ADDRESS)
        assert denied(response), bad


def test_a_single_address_header_from_a_trusted_edge(start_envoy):
    policy = {
        "source_ips": ALLOWED,
        "client_ip": {"from": "header", "header": "x-real-ip", "trusted_proxies": [f"{LB_ADDRESS}/32"]},
    }
    envoy = start_envoy(policy)
    assert allowed(request(envoy.port, [("X-Real-IP", "127.0.0.3")], source=LB_ADDRESS))
    assert denied(request(envoy.port, [("X-Real-IP", "127.0.0.4")], source=LB_ADDRESS))
    assert denied(request(envoy.port, [], source=LB_ADDRESS)), "a trusted edge that sent no header"
    assert denied(request(envoy.port, [("X-Real-IP", "127.0.0.3")], source="127.0.0.4")), "untrusted peer"


def test_every_line_of_the_address_header_is_seen(start_envoy, launch):
    policy = {
        "source_ips": ALLOWED,
        "client_ip": {"from": "header", "header": "x-real-ip", "trusted_proxies": [f"{LB_ADDRESS}/32"]},
    }
    envoy = start_envoy(policy)
    # Envoy's plain header read hands a Wasm filter only the first line of
    # X-Real-IP; the filter must see both and refuse to choose.
    two_lines = [("X-Real-IP", "127.0.0.3"), ("X-Real-IP", "198.51.100.66")]
    assert denied(request(envoy.port, two_lines, source=LB_ADDRESS))
    assert denied(request(envoy.port, [("X-Real-IP", "127.0.0.3"), ("x-real-ip", "127.0.0.3")], source=LB_ADDRESS))
    # An edge that appends its line after the caller's: the caller cannot
    # choose its own address by sending the header first.
    edge = launch(lambda port, admin: load_balancer_yaml(port, admin, envoy.port, LB_ADDRESS, add_real_ip=True))
    assert allowed(request(edge.port, source="127.0.0.3"))
    assert denied(request(edge.port, source="127.0.0.4"))
    assert denied(request(edge.port, [("X-Real-IP", "127.0.0.3")], source="127.0.0.4"))


def test_envoy_side_resolution_with_trusted_hops_in_the_default_mode(launch, start_envoy):
    backend = start_envoy({"source_ips": ALLOWED}, xff_num_trusted_hops=1)
    lb = chain(launch, backend)
    assert allowed(request(lb.port, source="127.0.0.3"))
    assert denied(request(lb.port, source="127.0.0.4"))
    assert denied(request(lb.port, [("X-Forwarded-For", "127.0.0.3")], source="127.0.0.4"))


def test_mixing_both_set_ups_fails_closed(launch, start_envoy):
    # Envoy already resolved the client (port 0); trusting the header again
    # would count the same hops twice.
    backend = start_envoy(XFF_POLICY, xff_num_trusted_hops=1)
    lb = chain(launch, backend)
    assert denied(request(lb.port, source="127.0.0.3"))

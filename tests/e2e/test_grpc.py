"""gRPC callers get a gRPC answer: PERMISSION_DENIED with the JSON error as
its message (UNIMPLEMENTED for `deny_status: 404`), checked with a real gRPC
client through Envoy to a real gRPC server. Envoy converts the Wasm build's
reply itself; the native build names the status, which Envoy 1.40 would
otherwise send as OK."""

import json
from concurrent import futures

import grpc
import pytest

from harness import envoy_yaml

METHOD = "/allowlist.test.Echo/Say"
DOMAIN = "Permission denied. Check your security settings and ensure your domain is allowlisted."


@pytest.fixture(scope="module")
def grpc_upstream():
    def say(request, context):
        return b"echo:" + request

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    handler = grpc.method_handlers_generic_handler(
        "allowlist.test.Echo", {"Say": grpc.unary_unary_rpc_method_handler(say)}
    )
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield port
    server.stop(grace=None)


POLICY = {"domains": {"mode": "listed", "allowed": [{"domain": "app.example.com"}]}}


def open_channel(launch, grpc_upstream, build, policy):
    envoy = launch(lambda port, admin: envoy_yaml(policy, port, admin, grpc_upstream, upstream_http2=True, build=build))
    return grpc.insecure_channel(f"127.0.0.1:{envoy.port}")


@pytest.fixture(scope="module")
def channel(launch, grpc_upstream, build):
    with open_channel(launch, grpc_upstream, build, POLICY) as channel:
        yield channel


@pytest.fixture(scope="module")
def hidden_channel(launch, grpc_upstream, build):
    with open_channel(launch, grpc_upstream, build, {**POLICY, "deny_status": 404}) as channel:
        yield channel


def call(channel, origin):
    say = channel.unary_unary(METHOD)
    return say(b"hello", metadata=[("origin", origin)], timeout=10)


def test_an_allowed_call_reaches_the_service(channel):
    assert call(channel, "https://app.example.com") == b"echo:hello"


def test_a_denied_call_gets_permission_denied_and_the_json_error(channel):
    with pytest.raises(grpc.RpcError) as denied:
        call(channel, "https://evil.example.net")
    assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert json.loads(denied.value.details()) == {"code": "PERMISSION_DENIED", "message": DOMAIN}


def test_a_hidden_api_answers_a_denied_call_as_a_missing_method(hidden_channel):
    with pytest.raises(grpc.RpcError) as denied:
        call(hidden_channel, "https://evil.example.net")
    assert denied.value.code() == grpc.StatusCode.UNIMPLEMENTED
    assert call(hidden_channel, "https://app.example.com") == b"echo:hello"

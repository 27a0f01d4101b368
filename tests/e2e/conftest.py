import pytest

from harness import Envoy, Upstream, envoy_yaml, free_port


@pytest.fixture(scope="session")
def upstream():
    server = Upstream()
    yield server
    server.stop()


class RunningEnvoy:
    def __init__(self, envoy, port):
        self.envoy = envoy
        self.port = port

    def log(self):
        return self.envoy.log()


@pytest.fixture(scope="module")
def start_envoy(upstream):
    """Starts Envoy with a plugin configuration; every one is stopped after the module."""
    started = []

    def start(plugin_config, **options):
        port, admin_port = free_port(), free_port()
        envoy = Envoy(envoy_yaml(plugin_config, port, admin_port, upstream.port, **options))
        started.append(envoy)
        envoy.start(admin_port)
        return RunningEnvoy(envoy, port)

    yield start
    for envoy in started:
        envoy.stop()

import pytest

from harness import BUILDS, Envoy, Upstream, envoy_yaml, free_port


@pytest.fixture(scope="session")
def upstream():
    server = Upstream()
    yield server
    server.stop()


@pytest.fixture(scope="module", params=BUILDS)
def build(request):
    """Each test that starts the filter runs once with each build of it."""
    return request.param


class RunningEnvoy:
    # The build of the filter it runs, when `start_envoy` started it.
    build = None

    def __init__(self, envoy, port, admin_port):
        self.envoy = envoy
        self.port = port
        self.admin_port = admin_port

    def log(self):
        return self.envoy.log()


@pytest.fixture(scope="module")
def launch():
    """Starts Envoy from `build(port, admin_port)` -> YAML; every one started
    is stopped after the module."""
    started = []

    def start(build):
        port, admin_port = free_port(), free_port()
        envoy = Envoy(build(port, admin_port))
        started.append(envoy)
        envoy.start(admin_port)
        return RunningEnvoy(envoy, port, admin_port)

    yield start
    for envoy in started:
        envoy.stop()


@pytest.fixture(scope="module")
def start_envoy(launch, upstream, build):
    """Starts Envoy with the filter (of each build) and a plugin
    configuration, in front of the echo API."""

    def start(plugin_config, **options):
        running = launch(lambda port, admin: envoy_yaml(plugin_config, port, admin, upstream.port, build=build, **options))
        running.build = build
        return running

    return start

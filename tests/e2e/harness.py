"""Real Envoy processes and real HTTP on loopback, for the end-to-end tests."""

import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
ENVOY = str(VENV_BIN / "envoy")
WASM = ROOT / "target/wasm32-wasip1/release/proxy_allowlist.wasm"
NATIVE = ROOT / "target/release/libproxy_allowlist.so"
# The two builds of the filter: the Proxy-Wasm module and the native Envoy module.
BUILDS = ("wasm", "native")
CLI = ROOT / "target/release/proxy-allowlist"
ECHO = ROOT / "tools/echo_upstream.py"


# Listener ports come from below the kernel's ephemeral range (32768-60999
# on Linux): a port taken from inside it could be handed to one of the
# thousands of outgoing connections the load tests open before Envoy binds it.
PORTS = range(20000, 32000)
_handed_out = set()


def free_port():
    """A port free on both 127.0.0.1 and ::1, never handed out before."""
    for _ in range(200):
        port = random.choice(PORTS)
        if port in _handed_out:
            continue
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s4, socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s6:
                s4.bind(("127.0.0.1", port))
                s6.bind(("::1", port))
        except OSError:
            continue
        _handed_out.add(port)
        return port
    raise RuntimeError("no free port")


def wait_for_port(host, port, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {host}:{port}")


class Upstream:
    """The echo API that allowed requests reach."""

    def __init__(self):
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, str(ECHO), "--port", str(self.port)],
        )
        wait_for_port("127.0.0.1", self.port)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


# The filter's type in Envoy, for each build.
FILTER_TYPES = {
    "wasm": "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm",
    "native": "type.googleapis.com/envoy.extensions.filters.http.dynamic_modules.v3.DynamicModuleFilter",
}


def filter_config(plugin_config, build="wasm", plugin_name="proxy_allowlist", module=None):
    """The filter's `typed_config` for `build` (with `module` instead of the
    built one); `plugin_config` None leaves its configuration out."""
    if plugin_config is not None:
        text = plugin_config if isinstance(plugin_config, str) else json.dumps(plugin_config)
        configuration = {"@type": "type.googleapis.com/google.protobuf.StringValue", "value": text}
    if build == "native":
        native = {
            "@type": FILTER_TYPES["native"],
            "dynamic_module_config": {"module": {"local": {"filename": str(module or NATIVE)}}},
            "filter_name": plugin_name,
        }
        if plugin_config is not None:
            native["filter_config"] = configuration
        return native
    wasm = {
        "name": plugin_name,
        "root_id": "proxy_allowlist",
        "failure_policy": "FAIL_CLOSED",
        "vm_config": {
            "vm_id": "proxy_allowlist",
            "runtime": "envoy.wasm.runtime.v8",
            "code": {"local": {"filename": str(module or WASM)}},
        },
    }
    if plugin_config is not None:
        wasm["configuration"] = configuration
    return {"@type": FILTER_TYPES["wasm"], "config": wasm}


def filter_yaml(plugin_config, indent, plugin_name="proxy_allowlist", build="wasm"):
    """The filter entry, as a list item of http_filters (JSON is YAML)."""
    name = "proxy_allowlist" if build == "native" else "envoy.filters.http.wasm"
    entry = {"name": name, "typed_config": filter_config(plugin_config, build, plugin_name)}
    return " " * indent + "- " + json.dumps(entry)


def shipped_log_format():
    """The JSON access-log format envoy/envoy.yaml ships: the tests log
    exactly what a user's Envoy logs."""
    import yaml

    config = yaml.safe_load((ROOT / "envoy/envoy.yaml").read_text())
    (listener,) = config["static_resources"]["listeners"]
    (manager,) = listener["filter_chains"][0]["filters"]
    (log,) = manager["typed_config"]["access_log"]
    return log["typed_config"]["log_format"]["json_format"]


def log_entries(path):
    """The access log's JSON lines, as dictionaries."""
    return [json.loads(line) for line in Path(path).read_text().splitlines()]


def decision_record(entry):
    """The filter's decision record in one access-log entry: filter state for
    a request it let through, the response code details after the reason for
    a denial; None when the filter recorded nothing."""
    if entry.get("allowlist") not in (None, "-"):
        return json.loads(entry["allowlist"])
    reason, _, record = (entry.get("details") or "").partition(":")
    if reason.startswith("proxy_allowlist_") and record:
        return json.loads(record)
    return None


def ecds_resource(plugin_config, module=None, build="wasm"):
    """The filter as an ECDS resource file (a DiscoveryResponse) that Envoy watches."""
    resource = {
        "@type": "type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig",
        "name": "proxy_allowlist",
        "typed_config": filter_config(plugin_config, build, module=module),
    }
    return json.dumps({"resources": [resource]}, indent=1)


def publish(path, plugin_config, build="wasm"):
    """Replaces the ECDS resource file atomically, as a control plane would."""
    temporary = path.with_suffix(".tmp")
    temporary.write_text(ecds_resource(plugin_config, build=build))
    os.replace(temporary, path)


def ecds_filter_yaml(resource_path, indent, build="wasm"):
    """The filter slot, filled from `resource_path` and refilled when it changes."""
    lines = [
        "- name: proxy_allowlist",
        "  config_discovery:",
        "    config_source:",
        "      resource_api_version: V3",
        "      path_config_source:",
        f"        path: {json.dumps(str(resource_path))}",
        f"        watched_directory: {{path: {json.dumps(str(Path(resource_path).parent))}}}",
        f'    type_urls: ["{FILTER_TYPES[build]}"]',
    ]
    pad = " " * indent
    return "\n".join(pad + line for line in lines)


# Envoy answers allowed requests itself, as fast as it can (load tests).
DIRECT_RESPONSE = 'direct_response: {status: 200, body: {inline_string: "{\\"upstream\\": \\"reached\\"}"}}'

# gRPC upstreams speak HTTP/2.
HTTP2_UPSTREAM = """
    typed_extension_protocol_options:
      envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
        "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
        explicit_http_config: {http2_protocol_options: {}}"""


def access_log_yaml(path):
    if path is None:
        return ""
    return f"""
          access_log:
          - name: envoy.access_loggers.file
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
              path: {json.dumps(str(path))}
              log_format: {{json_format: {json.dumps(shipped_log_format())}}}"""


# Lets a test connection say which client it stands for, with a PROXY
# protocol v1 line, as a load balancer in front would; connections without
# one are taken as they are.
PROXY_PROTOCOL = """
    listener_filters:
    - name: envoy.filters.listener.proxy_protocol
      typed_config:
        "@type": type.googleapis.com/envoy.extensions.filters.listener.proxy_protocol.v3.ProxyProtocol
        allow_requests_without_proxy_protocol: true"""


def listener_head(name, port, admin_port, proxy_protocol=False):
    """Envoy's admin and one HTTP listener on 127.0.0.1 and ::1, up to the
    connection manager's settings (which the caller continues)."""
    return f"""
node: {{id: proxy-allowlist-test, cluster: proxy-allowlist}}
admin:
  address: {{socket_address: {{address: 127.0.0.1, port_value: {admin_port}}}}}
static_resources:
  listeners:
  - name: {name}
    address: {{socket_address: {{address: 127.0.0.1, port_value: {port}}}}}
    additional_addresses:
    - address: {{socket_address: {{address: "::1", port_value: {port}}}}}{PROXY_PROTOCOL if proxy_protocol else ""}
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: {name}"""


def envoy_yaml(
    plugin_config,
    port,
    admin_port,
    upstream_port,
    use_remote_address=True,
    xff_num_trusted_hops=0,
    access_log=None,
    ecds_path=None,
    upstream_http2=False,
    skip_xff_append=False,
    direct_response=False,
    filters_before="",
    proxy_protocol=False,
    build="wasm",
    routes="",
):
    """One listener on 127.0.0.1 and ::1, the filter of `build`, then the
    echo upstream. With `ecds_path`, the filter comes from that ECDS resource
    file instead; `filters_before` is YAML for HTTP filters that run before
    it (indented as list items under http_filters); `routes` is YAML for
    routes before the catch-all one (indented as list items under routes)."""
    if ecds_path:
        the_filter = ecds_filter_yaml(ecds_path, 10, build)
    else:
        the_filter = filter_yaml(plugin_config, 10, build=build)
    if filters_before:
        the_filter = filters_before.rstrip("\n") + "\n" + the_filter
    return f"""{listener_head("api", port, admin_port, proxy_protocol)}
          use_remote_address: {str(use_remote_address).lower()}
          xff_num_trusted_hops: {xff_num_trusted_hops}
          skip_xff_append: {str(skip_xff_append).lower()}{access_log_yaml(access_log)}
          route_config:
            virtual_hosts:
            - name: api
              domains: ["*"]
              routes:{routes}
              - match: {{prefix: "/"}}
                {DIRECT_RESPONSE if direct_response else "route: {cluster: upstream}"}
          http_filters:
{the_filter}
          - name: envoy.filters.http.router
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
  clusters:
  - name: upstream
    type: STATIC
    connect_timeout: 1s{HTTP2_UPSTREAM if upstream_http2 else ""}
    load_assignment:
      cluster_name: upstream
      endpoints:
      - lb_endpoints:
        - endpoint:
            address: {{socket_address: {{address: 127.0.0.1, port_value: {upstream_port}}}}}
"""


def load_balancer_yaml(port, admin_port, backend_port, bind_address, add_real_ip=False, proxy_protocol=False):
    """A front Envoy playing the load balancer: it appends the caller's
    address to X-Forwarded-For and connects onwards from `bind_address`.
    With `add_real_ip` it also adds the caller as an `X-Real-IP` line, the
    way `request_headers_to_add` does by default: after any line the caller
    sent itself."""
    real_ip = """
            request_headers_to_add:
            - header: {key: x-real-ip, value: "%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%"}""" if add_real_ip else ""
    return f"""{listener_head("edge", port, admin_port, proxy_protocol)}
          use_remote_address: true
          route_config:{real_ip}
            virtual_hosts:
            - name: edge
              domains: ["*"]
              routes:
              - match: {{prefix: "/"}}
                route: {{cluster: backend}}
          http_filters:
          - name: envoy.filters.http.router
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
  clusters:
  - name: backend
    type: STATIC
    connect_timeout: 1s
    upstream_bind_config:
      source_address: {{address: {bind_address}, port_value: 0}}
    load_assignment:
      cluster_name: backend
      endpoints:
      - lb_endpoints:
        - endpoint:
            address: {{socket_address: {{address: 127.0.0.1, port_value: {backend_port}}}}}
"""


# Where each build's counters are in Envoy's stats, before `<filter name>.<counter>`.
COUNTERS = {"wasm": "wasmcustom.proxy_allowlist.", "native": "dynamicmodulescustom.proxy_allowlist."}


def counters(admin_port, build, plugin_name="proxy_allowlist"):
    """The filter's counters, as {counter name: value}."""
    prefix = f"{COUNTERS[build]}{plugin_name}."
    return {name.removeprefix(prefix): value for name, value in stats(admin_port, prefix).items()}


def stats(admin_port, prefix=COUNTERS["wasm"]):
    """Envoy's counters whose names start with `prefix`, as {name: value}."""
    with urllib.request.urlopen(f"http://127.0.0.1:{admin_port}/stats?filter=^{prefix}", timeout=5) as answer:
        lines = answer.read().decode().splitlines()
    pairs = (line.split(": ", 1) for line in lines if ": " in line)
    return {name: int(value) for name, value in pairs if value.isdigit()}


def wait_for(condition, timeout=10.0, what="a condition"):
    """Polls until `condition()` is truthy (counters reach Envoy once a second)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise TimeoutError(f"timed out waiting for {what}")


class Envoy:
    """An Envoy process; `start()` waits until it serves, `stop()` always ends it."""

    def __init__(self, config_text, ports=()):
        self.dir = tempfile.TemporaryDirectory(prefix="proxy-allowlist-e2e-")
        self.config_path = Path(self.dir.name) / "envoy.yaml"
        self.config_path.write_text(config_text)
        self.log_path = Path(self.dir.name) / "envoy.log"
        self.ports = ports
        self.process = None

    def command(self, *extra):
        return [
            ENVOY,
            "-c",
            str(self.config_path),
            "--concurrency",
            "1",
            "--disable-hot-restart",
            "--log-level",
            "warn",
            "--component-log-level",
            "wasm:info,dynamic_modules:info",
            # Access-log files get their lines within 0.1 s, not Envoy's 10 s.
            "--file-flush-interval-msec",
            "100",
            *extra,
        ]

    def start(self, admin_port, timeout=30):
        log = open(self.log_path, "wb")
        self.process = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"envoy exited with {self.process.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{admin_port}/ready", timeout=1) as answer:
                    if answer.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        raise TimeoutError(f"envoy did not become ready:\n{self.log()}")

    def run_to_exit(self, timeout=30):
        """Starts Envoy expecting it to refuse its configuration; returns (code, log)."""
        result = subprocess.run(self.command(), capture_output=True, timeout=timeout, cwd=ROOT)
        return result.returncode, (result.stdout + result.stderr).decode(errors="replace")

    def validate(self):
        result = subprocess.run(
            [ENVOY, "--mode", "validate", "-c", str(self.config_path), "--log-level", "info"],
            capture_output=True,
            timeout=60,
            cwd=ROOT,
        )
        return result.returncode, (result.stdout + result.stderr).decode(errors="replace")

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_entries(self):
        """The JSON access-log lines a shipped configuration writes to stdout,
        among Envoy's own log lines."""
        return [json.loads(line) for line in self.log().splitlines() if line.startswith("{")]

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.dir.cleanup()


@dataclass
class Response:
    status: int
    headers: list = field(default_factory=list)
    body: bytes = b""

    def header(self, name):
        values = [v for n, v in self.headers if n.lower() == name.lower()]
        return values[0] if len(values) == 1 else values or None

    def json(self):
        return json.loads(self.body)


def proxy_line(client, port):
    """The PROXY protocol v1 line a load balancer sends first, naming the
    caller `client` (IPv4 or IPv6) to a listener with `proxy_protocol`."""
    family = "TCP6" if ":" in client else "TCP4"
    local = "::1" if ":" in client else "127.0.0.1"
    return f"PROXY {family} {client} {local} 5555 {port}\r\n".encode()


def request(port, headers=(), source="127.0.0.1", target="127.0.0.1", path="/", method="GET", client=None):
    """One HTTP/1.1 request over a fresh connection from `source`, written byte
    for byte, so repeated and odd headers reach Envoy exactly as given. With
    `client`, the connection first names that caller in a PROXY line."""
    family = socket.AF_INET6 if ":" in target else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.settimeout(10)
        sock.bind((source, 0))
        sock.connect((target, port))
        if client:
            sock.sendall(proxy_line(client, port))
        host = f"[{target}]" if family == socket.AF_INET6 else target
        lines = [f"{method} {path} HTTP/1.1", "Connection: close"]
        if not any(name.lower() == "host" for name, _ in headers):
            lines.append(f"Host: {host}:{port}")
        lines += [f"{name}: {value}" for name, value in headers]
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("utf-8"))
        data = b""
        while b"\r\n\r\n" not in data and (chunk := sock.recv(65536)):
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        parsed = [tuple(part.strip() for part in line.split(":", 1)) for line in header_lines]
        # Read exactly the body and hang up, as clients do: waiting for
        # Envoy to close would wait out its delayed-close timeout.
        length = next((int(v) for n, v in parsed if n.lower() == "content-length"), None)
        while (length is None or len(body) < length) and (chunk := sock.recv(65536)):
            body += chunk
    return Response(int(status_line.split()[1]), parsed, body)


def run_cli(*args, stdin=None):
    result = subprocess.run([str(CLI), *args], capture_output=True, input=stdin, timeout=30, text=True)
    return result.returncode, result.stdout, result.stderr

"""Browsers, in headless Chromium: a page served on another loopback port
calls the API with fetch(). Without `cors.expose_denials` the page sees an
opaque network failure; with it, the page can read the 403 and its JSON.
CORS preflights are judged like any other request."""

import json
import subprocess
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from harness import counters, free_port, wait_for

POLICY = {"domains": {"mode": "listed", "allowed": [{"domain": "app.example.com"}]}}

PAGE = """<!doctype html><html><body>waiting<script>
async function probe(url, init) {
  try {
    const answer = await fetch(url, init);
    return {status: answer.status, body: await answer.text()};
  } catch (error) {
    return {error: String(error)};
  }
}
(async () => {
  const results = {
    plain: await probe("http://127.0.0.1:PLAIN/items"),
    exposed: await probe("http://127.0.0.1:EXPOSED/items"),
    preflighted: await probe("http://127.0.0.1:EXPOSED/items", {headers: {"X-Api-Key": "k"}}),
  };
  document.body.textContent = JSON.stringify(results);
})();
</script></body></html>"""


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def page_server(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), partial(Quiet, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], tmp_path
    server.shutdown()


def run_page(url, profile):
    result = subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--virtual-time-budget=10000",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    body = result.stdout.split("<body>", 1)[-1].split("</body>", 1)[0]
    return json.loads(body)


def test_what_a_page_can_read_of_a_denial(start_envoy, page_server, tmp_path):
    plain = start_envoy(POLICY)
    exposed = start_envoy({**POLICY, "cors": {"expose_denials": True}})
    port, root = page_server
    (root / "page.html").write_text(PAGE.replace("PLAIN", str(plain.port)).replace("EXPOSED", str(exposed.port)))

    results = run_page(f"http://127.0.0.1:{port}/page.html", tmp_path / "profile")

    # Without the option: the browser hides the answer from the page.
    assert results["plain"] == {"error": "TypeError: Failed to fetch"}
    # With it: the page reads the status and the product's JSON error.
    assert results["exposed"]["status"] == 403
    assert json.loads(results["exposed"]["body"]) == {
        "code": "PERMISSION_DENIED",
        "message": "Permission denied. Check your security settings and ensure your domain is allowlisted.",
    }
    # A preflighted call: the OPTIONS preflight itself is judged and denied,
    # so the browser never sends the call.
    assert results["preflighted"] == {"error": "TypeError: Failed to fetch"}
    wait_for(
        lambda: counters(exposed.admin_port, exposed.build).get("denied.domain") == 2,
        what="the preflight counted as a denial",
    )

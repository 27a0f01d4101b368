"""The filter inside real Envoy: real connections from several loopback
addresses, the exact 403, AND and OR, and refused configurations."""

import pytest

from harness import Envoy, envoy_yaml, free_port, request

DOMAIN = "Permission denied. Check your security settings and ensure your domain is allowlisted."
SOURCE_IP = "Permission denied. Check your security settings and ensure your source IP is allowlisted."
BOTH_OR = "Permission denied. Check your security settings and ensure your domain or source IP is allowlisted."

# 127.0.0.1, 127.0.1.0/24 and ::1 are allowed; 127.0.0.2 and 127.0.2.1 are not.
POLICY = {
    "domains": {
        "mode": "listed",
        "allowed": [
            {"name": "Web app", "domain": "app.example.com"},
            {"domain": "*.example.org"},
            {"domain": "https://secure.example.com"},
        ],
    },
    "source_ips": {
        "mode": "listed",
        "allowed": [
            {"name": "This host", "ip": "127.0.0.1"},
            {"name": "Office", "ip": "127.0.1.0/24"},
            {"ip": "::1"},
        ],
    },
}

GOOD = ("Origin", "https://app.example.com")
EVIL = ("Origin", "https://evil.example.net")


def with_condition(condition):
    return {**POLICY, "condition": condition}


@pytest.fixture(scope="module")
def and_envoy(start_envoy):
    return start_envoy(with_condition("and"))


@pytest.fixture(scope="module")
def or_envoy(start_envoy):
    return start_envoy(with_condition("or"))


def assert_denied(response, message):
    assert response.status == 403, response
    assert response.header("content-type") == "application/json"
    assert response.header("cache-control") == "no-store"
    assert response.json() == {"code": "PERMISSION_DENIED", "message": message}


def assert_reached_upstream(response):
    assert response.status == 200, response
    assert response.json()["upstream"] == "reached"
    return response.json()


def test_listed_origin_from_listed_address_reaches_the_upstream_untouched(and_envoy):
    echoed = assert_reached_upstream(
        request(and_envoy.port, [GOOD, ("X-Custom", "kept")], path="/v1/items?page=2")
    )
    assert echoed["path"] == "/v1/items?page=2"
    assert echoed["headers"]["origin"] == "https://app.example.com"
    assert echoed["headers"]["x-custom"] == "kept"


def test_the_403_is_exact(and_envoy):
    response = request(and_envoy.port, [EVIL])
    assert_denied(response, DOMAIN)
    assert response.body == (
        b'{"code":"PERMISSION_DENIED","message":"Permission denied. Check your security settings '
        b'and ensure your domain is allowlisted."}'
    )
    assert int(response.header("content-length")) == len(response.body)


@pytest.mark.parametrize(
    "origin, allowed",
    [
        ("https://app.example.com", True),
        ("http://APP.Example.com.:8080", True),
        ("https://a.b.example.org", True),
        ("https://example.org", False),
        ("https://secure.example.com", True),
        ("http://secure.example.com", False),
        ("https://app.example.com.evil.net", False),
        ("https://badexample.org", False),
        ("null", False),
        ("https://app.example.com/", False),
        ("https://user@app.example.com", False),
    ],
)
def test_origins(and_envoy, origin, allowed):
    response = request(and_envoy.port, [("Origin", origin)])
    if allowed:
        assert_reached_upstream(response)
    else:
        assert_denied(response, DOMAIN)


def test_referer_decides_when_there_is_no_origin(and_envoy):
    assert_reached_upstream(request(and_envoy.port, [("Referer", "https://app.example.com/page?q=1")]))
    assert_denied(request(and_envoy.port, [("Referer", "https://evil.example.net/app.example.com")]), DOMAIN)


def test_an_unusable_origin_is_not_skipped_for_the_referer(and_envoy):
    response = request(and_envoy.port, [("Origin", "null"), ("Referer", "https://app.example.com/")])
    assert_denied(response, DOMAIN)


def test_no_calling_site_fails_the_domain_check(and_envoy):
    assert_denied(request(and_envoy.port, []), DOMAIN)


def test_duplicate_origin_headers_are_denied(and_envoy):
    response = request(and_envoy.port, [GOOD, GOOD])
    assert_denied(response, DOMAIN)


@pytest.mark.parametrize(
    "source, target, allowed",
    [
        ("127.0.0.1", "127.0.0.1", True),
        ("127.0.1.77", "127.0.0.1", True),
        ("::1", "::1", True),
        ("127.0.0.2", "127.0.0.1", False),
        ("127.0.2.1", "127.0.0.1", False),
    ],
)
def test_source_addresses(and_envoy, source, target, allowed):
    response = request(and_envoy.port, [GOOD], source=source, target=target)
    if allowed:
        assert_reached_upstream(response)
    else:
        assert_denied(response, SOURCE_IP)


def test_a_forged_x_forwarded_for_does_not_change_the_address(and_envoy):
    response = request(and_envoy.port, [GOOD, ("X-Forwarded-For", "127.0.0.1")], source="127.0.0.2")
    assert_denied(response, SOURCE_IP)


def test_and_with_both_failing_names_the_address_checked_first(and_envoy):
    # The address decides first under "and"; the site is then not read.
    assert_denied(request(and_envoy.port, [EVIL], source="127.0.0.2"), SOURCE_IP)


@pytest.mark.parametrize(
    "origin, source, allowed",
    [
        (GOOD, "127.0.0.1", True),
        (EVIL, "127.0.0.1", True),
        (GOOD, "127.0.0.2", True),
        (EVIL, "127.0.0.2", False),
        (None, "127.0.0.2", False),
    ],
)
def test_or_needs_either(or_envoy, origin, source, allowed):
    response = request(or_envoy.port, [origin] if origin else [], source=source)
    if allowed:
        assert_reached_upstream(response)
    else:
        assert_denied(response, BOTH_OR)


def test_an_explicit_empty_object_allows_everything_and_warns(start_envoy):
    envoy = start_envoy("{}")
    assert_reached_upstream(request(envoy.port, [EVIL], source="127.0.0.2"))
    assert_reached_upstream(request(envoy.port, [("Origin", "null")], source="127.0.0.3"))
    assert "nothing is enforced" in envoy.log()


@pytest.mark.parametrize("plugin_config", [None, "", " \n "], ids=["no configuration", "empty", "whitespace"])
def test_no_configuration_is_refused_not_allow_all(upstream, build, plugin_config):
    # What a WasmPlugin without pluginConfig (or one dropped on the way) sends.
    envoy = Envoy(envoy_yaml(plugin_config, free_port(), free_port(), upstream.port, build=build))
    try:
        code, log = envoy.run_to_exit()
        assert code != 0
        assert "configuration rejected, 1 error(s): configuration: is empty" in log, log
    finally:
        envoy.stop()


def test_a_single_listed_list_decides_alone(start_envoy):
    envoy = start_envoy({"source_ips": POLICY["source_ips"], "condition": "and"})
    assert_reached_upstream(request(envoy.port, [EVIL]))
    assert_denied(request(envoy.port, [GOOD], source="127.0.0.2"), SOURCE_IP)


def test_envoy_refuses_an_invalid_configuration_and_names_the_field(upstream, build):
    config = {
        "source_ips": {"mode": "listed", "allowed": [{"ip": "10.0.0.1/8"}]},
        "domains": {"mode": "listed", "allowed": [{"domain": "*.com"}]},
    }
    envoy = Envoy(envoy_yaml(config, free_port(), free_port(), upstream.port, build=build))
    try:
        code, log = envoy.run_to_exit()
        assert code != 0
        assert "configuration rejected, 2 error(s)" in log, log
        assert 'source_ips.allowed[0].ip: "10.0.0.1/8" has host bits set; did you mean "10.0.0.0/8"?' in log
        assert 'domains.allowed[0].domain: "*.com" would allow every domain' in log
        validate_code, validate_log = envoy.validate()
        assert validate_code != 0
        assert "source_ips.allowed[0].ip" in validate_log
    finally:
        envoy.stop()


def test_envoy_logs_the_authority_warning(start_envoy):
    envoy = start_envoy({"domain_sources": ["origin", "authority"], "domains": POLICY["domains"]})
    assert 'domain_sources: "authority" after "origin"' in envoy.log()

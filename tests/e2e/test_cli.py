"""The proxy-allowlist command: validate and check, on the filter's engine."""

import json

from harness import ROOT, run_cli

POLICY = json.dumps(
    {
        "domains": {"mode": "listed", "allowed": [{"name": "Web app", "domain": "app.example.com"}]},
        "source_ips": {"mode": "listed", "allowed": [{"name": "Office", "ip": "203.0.113.0/24"}]},
        "condition": "and",
    }
)


def check(*args, policy=POLICY):
    code, out, err = run_cli("check", "-", *args, stdin=policy)
    return code, (json.loads(out) if out else None), err


def test_validate_accepts_and_summarises(tmp_path):
    path = tmp_path / "policy.json"
    path.write_text(POLICY)
    code, out, err = run_cli("validate", str(path))
    assert code == 0
    assert out.strip().endswith("OK: domains: listed (1 entry), source_ips: listed (1 entry), condition: and, domain_sources: origin,referer, client_ip: source_address, deny_status: 403")
    assert err == ""


def test_validate_prints_warnings_on_stderr():
    code, out, err = run_cli("validate", "-", stdin="{}")
    assert code == 0
    assert "warning: configuration: nothing is enforced" in err


def test_validate_reports_every_error():
    bad = {"domains": {"mode": "listed", "allowed": [{"domain": "https://a.com/x"}, {"domain": "*"}]}, "conditon": "or"}
    code, out, err = run_cli("validate", "-", stdin=json.dumps(bad))
    assert code == 2
    assert 'error: conditon: unknown key; did you mean "condition"?' in err
    assert 'error: domains.allowed[0].domain: "https://a.com/x" has a path' in err
    assert 'error: domains.allowed[1].domain: "*" would allow every domain; set "mode": "all" instead' in err
    assert "3 error(s)" in err


def test_check_allows_and_names_the_matched_entries():
    code, report, _ = check("-H", "Origin: https://app.example.com", "--source", "203.0.113.9:5555")
    assert code == 0
    assert report["decision"] == "allow"
    assert report["calling_site"] == {"source": "origin", "site": "https://app.example.com", "problem": None}
    assert report["client_ip"] == {
        "address": "203.0.113.9",
        "how": "source.address: Envoy's downstream remote address",
        "problem": None,
    }
    assert report["matched"]["domain"] == {"index": 0, "name": "Web app", "entry": "app.example.com"}
    assert report["matched"]["source_ip"] == {"index": 0, "name": "Office", "entry": "203.0.113.0/24"}
    assert "status" not in report


def test_check_denies_with_the_filters_answer():
    code, report, _ = check("-H", "Origin: https://evil.example.net", "--source", "[::ffff:203.0.113.9]:1")
    assert code == 1
    assert report["decision"] == "deny"
    assert report["reason"] == "domain"
    assert report["client_ip"]["address"] == "203.0.113.9"
    assert report["status"] == 403
    assert report["headers"] == {"content-type": "application/json", "cache-control": "no-store"}
    assert report["body"] == {
        "code": "PERMISSION_DENIED",
        "message": "Permission denied. Check your security settings and ensure your domain is allowlisted.",
    }


def test_check_joins_repeated_headers_like_envoy():
    code, report, _ = check(
        "-H", "Origin: https://app.example.com", "-H", "origin: https://app.example.com", "--source", "203.0.113.9:1"
    )
    assert code == 1
    assert "several values" in report["calling_site"]["problem"]


def test_check_reads_host_as_authority():
    policy = json.dumps(
        {"domain_sources": ["authority"], "domains": {"mode": "listed", "allowed": [{"domain": "https://api.example.com"}]}}
    )
    code, report, _ = check("-H", "Host: API.example.com", "-H", ":scheme: https", policy=policy)
    assert code == 0
    assert report["calling_site"]["site"] == "https://api.example.com"
    code, report, _ = check("-H", "Host: api.example.com", policy=policy)
    assert code == 1, "the default :scheme is http"


def test_check_without_a_source_reports_the_address_unknown():
    code, report, _ = check("-H", "Origin: https://app.example.com")
    assert code == 1
    assert report["reason"] == "source_ip"
    assert "unknown" in report["client_ip"]["problem"]


def test_check_refuses_an_invalid_policy_and_bad_usage():
    code, report, err = check(policy='{"domains": {"mode": "listd"}}')
    assert code == 2 and report is None
    assert 'domains.mode: "listd" is not allowed; did you mean "listed"?' in err
    code, out, err = run_cli("check", "-", "-H", "no colon", stdin=POLICY)
    assert code == 2 and "Name: value" in err
    code, out, err = run_cli("frobnicate")
    assert code == 2 and "usage:" in err


XFF_POLICY = json.dumps(
    {
        "source_ips": {"mode": "listed", "allowed": [{"name": "Partner", "ip": "198.51.100.0/24"}]},
        "client_ip": {"from": "x_forwarded_for", "trusted_proxies": ["10.0.0.0/8"]},
    }
)


def test_check_explains_the_client_address_it_chose():
    code, report, _ = check("-H", "X-Forwarded-For: 203.0.113.1, 198.51.100.7, 10.0.0.9", "--source", "10.0.0.2:5000", policy=XFF_POLICY)
    assert code == 0
    assert report["client_ip"]["address"] == "198.51.100.7"
    assert "past 1 trusted hop(s)" in report["client_ip"]["how"]

    code, report, _ = check("-H", "X-Forwarded-For: 198.51.100.7", "--source", "203.0.113.5:5000", policy=XFF_POLICY)
    assert code == 1
    assert report["client_ip"]["address"] == "203.0.113.5"
    assert "not in trusted_proxies" in report["client_ip"]["how"]

    code, report, _ = check("-H", "X-Forwarded-For: 198.51.100.7, unknown", "--source", "10.0.0.2:5000", policy=XFF_POLICY)
    assert code == 1
    assert report["client_ip"]["address"] is None
    assert 'the X-Forwarded-For entry "unknown" is not a plain IP address' in report["client_ip"]["problem"]


def test_check_joins_several_forwarded_for_lines():
    code, report, _ = check(
        "-H", "X-Forwarded-For: 198.51.100.7", "-H", "X-Forwarded-For: 203.0.113.1", "--source", "10.0.0.2:1", policy=XFF_POLICY
    )
    assert code == 1
    assert report["client_ip"]["address"] == "203.0.113.1"


def test_check_sees_every_line_of_a_client_address_header():
    policy = json.dumps(
        {
            "source_ips": {"mode": "listed", "allowed": [{"ip": "203.0.113.9"}]},
            "client_ip": {"from": "header", "header": "x-real-ip", "trusted_proxies": ["10.0.0.0/8"]},
        }
    )
    code, report, _ = check("-H", "X-Real-IP: 203.0.113.9", "--source", "10.0.0.2:1", policy=policy)
    assert code == 0
    code, report, _ = check(
        "-H", "X-Real-IP: 203.0.113.9", "-H", "X-Real-IP: 198.51.100.66", "--source", "10.0.0.2:1", policy=policy
    )
    assert code == 1
    assert "holds several values" in report["client_ip"]["problem"]


def test_validate_warns_about_wildcards_over_public_suffixes_and_authority():
    policy = {
        "domain_sources": ["origin", "authority"],
        "domains": {"mode": "listed", "allowed": [{"domain": "*.vercel.app"}, {"domain": "*.shop.example.com"}]},
    }
    code, out, err = run_cli("validate", "-", stdin=json.dumps(policy))
    assert code == 0
    assert 'warning: domains.allowed[0].domain: "*.vercel.app" matches every site under "vercel.app", a public suffix' in err
    assert "shop.example.com" not in err
    assert 'warning: domain_sources: "authority" after "origin"' in err


def test_validate_refuses_what_would_silently_allow_everything():
    for text, expected in [
        ("", "configuration: is empty"),
        ('{"domains": {"allowed": [{"domain": "app.example.com"}]}}', "domains.mode: is required next to entries"),
        ('{"dry_run": false, "dry_run": true}', "dry_run: is given twice"),
    ]:
        code, _, err = run_cli("validate", "-", stdin=text)
        assert code == 2, text
        assert f"error: {expected}" in err, err


def test_validate_refuses_deployments_that_bypass_the_filter(tmp_path):
    shipped = (ROOT / "envoy/envoy.yaml").read_text()
    assert "failure_policy: FAIL_CLOSED" in shipped
    fail_open = tmp_path / "envoy.yaml"
    fail_open.write_text(shipped.replace("failure_policy: FAIL_CLOSED", "failure_policy: FAIL_OPEN"))
    code, _, err = run_cli("validate", str(fail_open))
    assert code == 2
    assert "failure_policy: FAIL_OPEN lets every request through" in err
    istio = (ROOT / "istio/wasmplugin.yaml").read_text()
    client_only = tmp_path / "plugin.yaml"
    client_only.write_text(istio.replace("failStrategy: FAIL_CLOSE", "failStrategy: FAIL_OPEN\n  match: [{mode: CLIENT}]"))
    code, _, err = run_cli("validate", str(client_only))
    assert code == 2
    assert "failStrategy: FAIL_OPEN" in err and "match mode CLIENT" in err


def test_validate_refuses_files_envoy_would_read_otherwise(tmp_path):
    shipped = (ROOT / "envoy/envoy.yaml").read_text()
    cases = {
        "two documents": (shipped + "\n---\nadmin: {}\n", "reads only the first"),
        "a tag": (shipped.replace("name: proxy_allowlist\n", "name: !ignore proxy_allowlist\n", 1), "YAML tag (!ignore)"),
        "a duplicate key": (shipped.replace("root_id: proxy_allowlist\n", "root_id: proxy_allowlist\n                root_id: x\n", 1), "duplicate entry"),
    }
    for name, (text, expected) in cases.items():
        path = tmp_path / "envoy.yaml"
        path.write_text(text)
        code, _, err = run_cli("validate", str(path))
        assert code == 2, name
        assert expected in err, (name, err)


def test_an_empty_istio_plugin_config_is_what_istio_sends_nothing_for(tmp_path):
    plugin = tmp_path / "plugin.yaml"
    text = (ROOT / "istio/wasmplugin.yaml").read_text()
    plugin.write_text(text[: text.index("  pluginConfig:")] + "  pluginConfig: {}\n")
    code, _, err = run_cli("validate", str(plugin))
    assert code == 2
    assert "configuration: is empty" in err

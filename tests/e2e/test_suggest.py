"""`proxy-allowlist suggest` on access logs in the shipped JSON format
(`test_turning_a_list_on.py` runs it on a log real Envoy wrote): projects,
time windows, limits, wildcards that never cover a public suffix, and a
million lines in bounded memory."""

import json
import subprocess

from harness import CLI, run_cli

PROJECTS_POLICY = {
    "dry_run": True,
    "projects": {
        "from": {"header": "x-project-id"},
        "policies": {"shop": {}, "partner": {"domains": {"mode": "listed", "allowed": [{"domain": "old.example.com"}]}}},
    },
}


def line(record, time="2026-11-28T12:00:00.000Z", denied=None):
    """One access-log line as envoy/envoy.yaml writes it."""
    text = json.dumps(record, separators=(",", ":"))
    entry = {"time": time, "client": "192.0.2.1:5555", "method": "GET", "path": "/", "status": 200}
    if denied:
        entry.update(status=403, details=f"{denied}:{text}", allowlist=None)
    else:
        entry.update(details="via_upstream", allowlist=text)
    return json.dumps(entry)


def write_log(path, lines):
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def suggest(*args):
    code, out, err = run_cli("suggest", *args)
    return code, (json.loads(out) if code == 0 else None), err


def browser(site, project=None, **extra):
    return {"decision": "allow", "site": site, "site_source": "origin", "client": "192.0.2.9", **({"project": project} if project else {}), **extra}


def server(client, project=None):
    return {"decision": "allow", "site_unusable": "missing", "client": client, **({"project": project} if project else {})}


def test_projects_need_the_policy_in_force_and_keep_its_settings(tmp_path):
    lines = [line(browser("https://shop.example.com", "shop"))] * 3
    # partner's domain list is listed (in the global dry run): its server caller would be denied.
    lines += [line({**server("198.51.100.7", "partner"), "decision": "dry_run_deny", "reason": "domain"})] * 3
    lines += [line(browser("https://new.example.com", "partner"))] * 3
    lines += [line({"decision": "deny", "reason": "unknown_project", "project_unknown": "not_listed", "project": "x"})] * 4
    log = write_log(tmp_path / "access.log", lines)
    code, _, err = suggest(log, "--min-requests", "3")
    assert code == 2 and "--policy" in err
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(PROJECTS_POLICY))
    code, proposal, err = suggest(log, "--min-requests", "3", "--policy", str(policy))
    assert code == 0, err
    assert proposal["projects"]["from"] == {"header": "x-project-id"}
    shop, partner = proposal["projects"]["policies"]["shop"], proposal["projects"]["policies"]["partner"]
    assert shop == {"domains": {"mode": "listed", "allowed": [{"name": "shop.example.com", "domain": "https://shop.example.com"}]}}
    # A listed list grows; the switched one stays in the global dry run; the
    # condition stays "and" over a list that was already listed.
    assert [e["domain"] for e in partner["domains"]["allowed"]] == ["old.example.com", "https://new.example.com"]
    assert partner["source_ips"] == {"mode": "listed", "allowed": [{"name": "198.51.100.7/32", "ip": "198.51.100.7/32"}]}
    assert "condition" not in partner
    assert 'condition stays "and"' in err
    assert "4 request(s) with an unknown project (not_listed 4)" in err
    assert "proxy-allowlist check proposal.json -H 'x-project-id: shop' -H 'Origin: https://shop.example.com'" in err
    (tmp_path / "proposal.json").write_text(json.dumps(proposal))
    assert run_cli("validate", str(tmp_path / "proposal.json"))[0] == 0
    # One project alone, as a standalone policy.
    code, alone, err = suggest(log, "--min-requests", "3", "--project", "shop")
    assert code == 0, err
    assert alone == {"dry_run": True, **shop}
    assert "6 request(s) of other projects left out" in err


def test_nothing_is_proposed_from_enforced_denials_or_the_apis_own_host(tmp_path):
    denied = {**browser("https://attacker.example"), "decision": "deny", "reason": "domain"}
    own_host = {**browser("https://api.example.com"), "site_source": "authority", "client": "198.51.100.7"}
    log = write_log(
        tmp_path / "access.log",
        [line(denied, denied="proxy_allowlist_denied_domain")] * 5 + [line(own_host)] * 5 + [line(browser("https://app.example.com"))] * 5,
    )
    code, proposal, err = suggest(log, "--min-requests", "5")
    assert code == 0, err
    assert [e["domain"] for e in proposal["domains"]["allowed"]] == ["https://app.example.com"]
    # The Host-only callers are servers: their address is proposed instead.
    assert [e["ip"] for e in proposal["source_ips"]["allowed"]] == ["198.51.100.7/32"]
    assert "denied by the lists enforced at the time: 5 request(s)" in err
    assert "request's own Host" in err


def test_an_enforced_ip_list_is_never_turned_into_an_origin_list(tmp_path):
    """Review finding: with source_ips enforced and domains observed, the
    proposal must keep "and"; "or" would let a forged Origin in from anywhere."""
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"condition": "and", "domains": {"mode": "all", "dry_run": True},
                                  "source_ips": {"mode": "listed", "allowed": [{"name": "Office", "ip": "198.51.100.0/24"}]}}))
    office = {**browser("https://app.example.com"), "client": "198.51.100.7", "source_ip_entry": "Office"}
    log = write_log(tmp_path / "access.log", [line(office)] * 20)
    code, proposal, err = suggest(log, "--policy", str(policy))
    assert code == 0, err
    assert proposal["condition"] == "and"
    (tmp_path / "proposal.json").write_text(json.dumps(proposal))
    enforced = {**proposal, "domains": {k: v for k, v in proposal["domains"].items() if k != "dry_run"}}
    (tmp_path / "enforced.json").write_text(json.dumps(enforced))
    forged = run_cli("check", str(tmp_path / "enforced.json"), "--source", "203.0.113.66:1234", "-H", "Origin: https://app.example.com")
    assert forged[0] == 1, forged


def test_existing_entries_count_toward_max_entries_and_are_not_proposed_again(tmp_path):
    listed = [{"domain": f"https://old{n}.example.com"} for n in range(20)]
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"dry_run": True, "domains": {"mode": "listed", "allowed": listed}}))
    sites = [f"https://app.new{n}.example" for n in range(10)] + ["https://old0.example.com"]
    log = write_log(tmp_path / "access.log", [line(browser(site)) for site in sites for _ in range(10)])
    code, proposal, err = suggest(log, "--policy", str(policy))
    assert code == 0, err
    domains = [e["domain"] for e in proposal["domains"]["allowed"]]
    assert len(domains) == 25 and domains.count("https://old0.example.com") == 1
    assert "over max_entries (5)" in err


def test_time_windows_and_counts_with_first_and_last_seen(tmp_path):
    times = ["2026-11-27T23:59:59.000Z", "2026-11-28T00:00:00.000Z", "2026-11-28T10:00:00.500Z", "2026-11-29T00:00:00.000Z"]
    log = write_log(tmp_path / "access.log", [line(browser("https://app.example.com"), time=t) for t in times])
    code, proposal, err = suggest(log, "--min-requests", "2", "--since", "2026-11-28", "--until", "2026-11-29")
    assert code == 0, err
    assert [e["domain"] for e in proposal["domains"]["allowed"]] == ["https://app.example.com"]
    assert "2 request(s), first 2026-11-28T00:00:00Z last 2026-11-28T10:00:00Z" in err
    assert "skipped 2: 2 outside --since/--until" in err
    code, _, err = suggest(log, "--since", "yesterday")
    assert code == 2 and "is not a time" in err
    code, _, err = suggest(log, "--group", "8,64")
    assert code == 2 and "from 16 to 32" in err


def test_max_entries_wildcards_and_public_suffixes(tmp_path):
    sites = [f"https://s{n}.shop.example.com" for n in range(20)] + [f"https://user{n}.github.io" for n in range(10)]
    log = write_log(tmp_path / "access.log", [line(browser(site)) for site in sites for _ in range(2)])
    code, proposal, err = suggest(log, "--min-requests", "2")
    assert code == 0, err
    domains = [e["domain"] for e in proposal["domains"]["allowed"]]
    # Over the 25-entry default: the shop's sites become one wildcard; the
    # github.io names never do (*.github.io would let anyone in).
    assert "*.shop.example.com" in domains and not any("*.github.io" in d for d in domains)
    assert len(domains) == 11
    assert "merged into a wildcard each, which allows any scheme, port and subdomain depth (never over a public suffix)" in err
    more = [f"https://user{n}.github.io" for n in range(10, 40)]
    log = write_log(tmp_path / "more.log", [line(browser(site)) for site in sites + more for _ in range(2)])
    code, proposal, err = suggest(log, "--min-requests", "2")
    assert code == 0, err
    assert len(proposal["domains"]["allowed"]) == 25
    assert "over max_entries (25): 41 entries would be needed; raise max_entries (--max-entries 41)" in err
    code, proposal, err = suggest(log, "--min-requests", "2", "--max-entries", "41")
    assert code == 0 and proposal["max_entries"] == 41 and len(proposal["domains"]["allowed"]) == 41


def test_nothing_to_propose_says_why(tmp_path):
    log = write_log(tmp_path / "access.log", ["[info] envoy started", json.dumps({"status": 401, "details": "api_key_auth_unauthorized", "allowlist": None})])
    code, _, err = suggest(log)
    assert code == 2
    assert "skipped 2: 1 not a JSON object, 1 no decision record" in err and "dry_run on" in err


def test_a_million_lines_in_bounded_memory(tmp_path):
    """Every third request forges a new Origin from a new address: the worst
    case for memory. The whole run fits in 128 MiB of address space
    (`ulimit -v`); it needs about 66 MB of memory (peak RSS) here."""
    log = tmp_path / "access.log"
    with open(log, "w") as out:
        app = line(browser("https://app.example.com"))
        for i in range(1_000_000):
            if i % 3 == 0:
                out.write(line(browser(f"https://forged{i}.example.net", client=f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}")))
            elif i % 3 == 1:
                out.write(line(server(f"{1 + (i >> 16) % 200}.{i >> 8 & 255}.{i & 255}.7")))
            else:
                out.write(app)
            out.write("\n")
    run = subprocess.run(
        ["bash", "-c", f'ulimit -v {128 * 1024} && exec "$0" suggest "$1"', str(CLI), str(log)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    proposal = json.loads(run.stdout)
    assert [e["domain"] for e in proposal["domains"]["allowed"]] == ["https://app.example.com"]
    assert "read 1000000 line(s)" in run.stderr


def test_values_the_filter_never_records_are_not_proposed(tmp_path):
    """A hand-made or damaged log: a wildcard as a site, an IPv4-mapped
    client address, a site far longer than any host."""
    lines = [line(browser("*.github.io"))] * 5 + [line(server("::ffff:198.51.100.7"))] * 5
    lines += [line(browser("https://" + "a" * 300 + ".example"))] * 5
    log = write_log(tmp_path / "access.log", lines)
    code, proposal, err = suggest(log, "--min-requests", "5")
    assert code == 0, err
    assert "domains" not in proposal
    assert [e["ip"] for e in proposal["source_ips"]["allowed"]] == ["198.51.100.7/32"]
    assert "not a calling site the filter records" in err
    assert "sites longer than any the filter records: 5 request(s)" in err

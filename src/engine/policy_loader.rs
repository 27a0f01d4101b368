//! Turning the plugin configuration (JSON) into a compiled [`Policy`], once,
//! with every error named by its field path.

use ipnet::IpNet;
use serde_json::{Map, Value};

use super::calling_site::DomainSource;
use super::client_ip::ClientIpSource;
use super::domain_entry::parse_domain_entry;
use super::domain_set::DomainSet;
use super::ip_entry::{display_net, parse_ip_entry};
use super::ip_set::IpSet;
use super::json_fields::{closest, join, kind, FieldError, Report};
use super::policy::{count, Condition, DomainList, IpList, ListedEntry, Policy, RecordDecisions};

/// The product's per-list limit.
pub const DEFAULT_MAX_ENTRIES: usize = 25;
/// The most a self-hosted user may raise `max_entries` to.
pub const MAX_MAX_ENTRIES: usize = 10_000;

const TOP_KEYS: &[&str] = &[
    "domains",
    "source_ips",
    "condition",
    "domain_sources",
    "max_entries",
    "client_ip",
    "dry_run",
    "deny_status",
    "cors",
    "record_decisions",
];
const SOURCE_NAMES: &[&str] = &["origin", "referer", "authority"];

const NOTHING_ENFORCED: &str =
    "nothing is enforced: both lists are in mode \"all\", so every request is allowed";

/// A policy ready to serve, with the warnings its configuration raised.
#[derive(Debug)]
pub struct LoadedPolicy {
    pub policy: Policy,
    pub warnings: Vec<String>,
}

/// Reads a configuration. Empty input (no configuration) allows everything.
pub fn load_policy(config: &[u8]) -> Result<LoadedPolicy, Vec<FieldError>> {
    if config.iter().all(u8::is_ascii_whitespace) {
        return Ok(LoadedPolicy {
            policy: Policy::default(),
            warnings: vec![format!("configuration: empty; {NOTHING_ENFORCED}")],
        });
    }
    let value: Value =
        serde_json::from_slice(config).map_err(|error| vec![json_syntax_error(config, &error)])?;
    let mut report = Report::default();
    let policy = read_policy(&value, &mut report);
    match policy {
        Some(policy) if report.errors.is_empty() => Ok(LoadedPolicy {
            policy,
            warnings: report.warnings,
        }),
        _ => Err(report.errors),
    }
}

fn json_syntax_error(config: &[u8], error: &serde_json::Error) -> FieldError {
    let mut message = format!("is not valid JSON ({error})");
    if config.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        message.push_str(
            "; pass the configuration as a google.protobuf.StringValue holding JSON (a google.protobuf.Struct arrives as binary protobuf)",
        );
    }
    FieldError {
        path: String::new(),
        message,
    }
}

fn read_policy(value: &Value, report: &mut Report) -> Option<Policy> {
    let root = report.object(value, "", TOP_KEYS)?;
    let max_entries = read_max_entries(root, report);
    let domains = read_list(
        root,
        "domains",
        "domain",
        max_entries,
        report,
        parse_domain_entry,
    )
    .map(|list| DomainList {
        set: compile(&list.items, "domains", report, DomainSet::insert),
        entries: list.items.into_iter().map(|(entry, _)| entry).collect(),
        dry_run: list.dry_run,
    });
    let source_ips = read_list(
        root,
        "source_ips",
        "ip",
        max_entries,
        report,
        parse_ip_entry,
    )
    .map(|list| {
        warn_about_everything_blocks(&list.items, report);
        IpList {
            set: compile(&list.items, "source_ips", report, IpSet::insert),
            entries: list.items.into_iter().map(|(entry, _)| entry).collect(),
            dry_run: list.dry_run,
        }
    });
    let condition = match report.choice(root, "", "condition", &["and", "or"]) {
        Some("or") => Condition::Or,
        _ => Condition::And,
    };
    let domain_sources = read_domain_sources(root, report);
    let client_ip = read_client_ip(root, report);
    let policy = Policy {
        domains,
        source_ips,
        condition,
        domain_sources,
        client_ip,
        dry_run: report.boolean(root, "", "dry_run").unwrap_or(false),
        deny_status: read_deny_status(root, report),
        cors_expose_denials: read_cors(root, report),
        record_decisions: match report.choice(root, "", "record_decisions", &["all", "denied"]) {
            Some("denied") => RecordDecisions::Denied,
            _ => RecordDecisions::All,
        },
    };
    if root.contains_key("client_ip") && policy.source_ips.is_none() {
        report.warn(
            "client_ip",
            "has no effect while source_ips is in mode \"all\"",
        );
    }
    if !policy.enforces_anything() {
        report.warn("configuration", NOTHING_ENFORCED);
    } else if root.contains_key("condition")
        && (policy.domains.is_none() || policy.source_ips.is_none())
    {
        report.warn(
            "condition",
            "applies only when both lists are in mode \"listed\"; the one listed list decides alone",
        );
    }
    Some(policy)
}

fn read_max_entries(root: &Map<String, Value>, report: &mut Report) -> usize {
    let Some(value) = root.get("max_entries") else {
        return DEFAULT_MAX_ENTRIES;
    };
    match value.as_u64().and_then(|n| usize::try_from(n).ok()) {
        Some(n) if (1..=MAX_MAX_ENTRIES).contains(&n) => n,
        _ => {
            report.error(
                "max_entries",
                format!(
                    "must be a whole number from 1 to {MAX_MAX_ENTRIES}, found {}",
                    describe_number(value)
                ),
            );
            DEFAULT_MAX_ENTRIES
        }
    }
}

/// A list in mode `listed`, as read.
struct ListRead<T> {
    items: Vec<(ListedEntry, T)>,
    dry_run: bool,
}

/// Reads `domains` or `source_ips`. Returns `None` for mode `all`.
fn read_list<T>(
    root: &Map<String, Value>,
    key: &str,
    entry_key: &str,
    max_entries: usize,
    report: &mut Report,
    parse: fn(&str) -> Result<T, String>,
) -> Option<ListRead<T>> {
    let list = report.object(root.get(key)?, key, &["mode", "allowed", "dry_run"])?;
    let dry_run = report.boolean(list, key, "dry_run").unwrap_or(false);
    let listed = match report.choice(list, key, "mode", &["all", "listed"]) {
        Some(mode) => mode == "listed",
        // A bad mode is reported; check the entries too, so every error shows at once.
        None => list.contains_key("mode"),
    };
    let items = report.array(list, key, "allowed");
    let allowed_path = join(key, "allowed");
    if !listed {
        if let Some(n) = items.map(Vec::len).filter(|n| *n > 0) {
            report.warn(
                &allowed_path,
                format!(
                    "mode is \"all\", so {} ignored and every value is allowed",
                    count(n, "entry is", "entries are")
                ),
            );
        }
        if dry_run {
            report.warn(&join(key, "dry_run"), "has no effect in mode \"all\"");
        }
        return None;
    }
    let items = items.map(Vec::as_slice).unwrap_or_default();
    if items.is_empty() {
        report.error(
            &allowed_path,
            format!("mode \"listed\" needs at least one entry; add one, or set \"mode\": \"all\" to allow every {entry_key}"),
        );
    }
    if items.len() > max_entries {
        report.error(
            &allowed_path,
            format!(
                "has {} entries; the limit is {max_entries} (max_entries, which may be raised up to {MAX_MAX_ENTRIES})",
                items.len()
            ),
        );
    }
    let entries = items
        .iter()
        .enumerate()
        .filter_map(|(index, item)| {
            read_entry(item, &allowed_path, index, entry_key, report, parse)
        })
        .collect();
    Some(ListRead {
        items: entries,
        dry_run,
    })
}

fn read_entry<T>(
    item: &Value,
    list_path: &str,
    index: usize,
    entry_key: &str,
    report: &mut Report,
    parse: fn(&str) -> Result<T, String>,
) -> Option<(ListedEntry, T)> {
    let path = || format!("{list_path}[{index}]");
    // Paths are only formatted for an entry that has something to report:
    // loading 10,000 entries must stay fast.
    let (name, text) = match plain_entry(item, entry_key) {
        Some(found) => found,
        None => diagnose_entry(item, &path(), entry_key, report)?,
    };
    match parse(text) {
        Ok(parsed) => Some((
            ListedEntry {
                name: name.map(str::to_string),
                value: text.to_string(),
            },
            parsed,
        )),
        Err(message) => {
            report.error(&join(&path(), entry_key), message);
            None
        }
    }
}

/// `{"name"?: string, entry_key: string}` and nothing else: (name, value).
fn plain_entry<'a>(item: &'a Value, entry_key: &str) -> Option<(Option<&'a str>, &'a str)> {
    let fields = item.as_object()?;
    let text = fields.get(entry_key)?.as_str()?;
    match fields.get("name") {
        None if fields.len() == 1 => Some((None, text)),
        Some(Value::String(name)) if fields.len() == 2 => Some((Some(name), text)),
        _ => None,
    }
}

/// Reports what is wrong with an entry; returns its parts if its value can
/// still be checked.
fn diagnose_entry<'a>(
    item: &'a Value,
    path: &str,
    entry_key: &str,
    report: &mut Report,
) -> Option<(Option<&'a str>, &'a str)> {
    let fields = report.object(item, path, &["name", entry_key])?;
    let name = report.string(fields, path, "name");
    let text = report.string(fields, path, entry_key);
    if !fields.contains_key(entry_key) {
        report.error(&join(path, entry_key), "is required");
    }
    Some((name, text?))
}

/// Builds a lookup set, warning about entries that repeat an earlier one.
fn compile<T, S: Default>(
    items: &[(ListedEntry, T)],
    key: &str,
    report: &mut Report,
    insert: fn(&mut S, &T, usize) -> Option<usize>,
) -> S {
    let mut set = S::default();
    for (index, (entry, parsed)) in items.iter().enumerate() {
        if let Some(first) = insert(&mut set, parsed, index) {
            report.warn(
                &format!("{key}.allowed[{index}]"),
                format!(
                    "\"{}\" repeats allowed[{first}] and changes nothing",
                    entry.value
                ),
            );
        }
    }
    set
}

fn warn_about_everything_blocks(items: &[(ListedEntry, IpNet)], report: &mut Report) {
    for (index, (_, net)) in items.iter().enumerate() {
        if net.prefix_len() == 0 {
            report.warn(
                &format!("source_ips.allowed[{index}]"),
                format!(
                    "\"{}\" allows every {} address",
                    display_net(net),
                    if net.addr().is_ipv4() { "IPv4" } else { "IPv6" }
                ),
            );
        }
    }
}

fn read_domain_sources(root: &Map<String, Value>, report: &mut Report) -> Vec<DomainSource> {
    let Some(items) = report.array(root, "", "domain_sources") else {
        return Policy::default().domain_sources;
    };
    if items.is_empty() {
        report.error(
            "domain_sources",
            "needs at least one of \"origin\", \"referer\", \"authority\" (omit it for the default [\"origin\", \"referer\"])",
        );
    }
    let mut sources = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let path = format!("domain_sources[{index}]");
        let Some(text) = item.as_str() else {
            report.error(&path, format!("must be a string, found {}", kind(item)));
            continue;
        };
        match DomainSource::parse(text) {
            Some(source) if sources.contains(&source) => {
                report.error(&path, format!("\"{text}\" is listed twice"))
            }
            Some(source) => sources.push(source),
            None => {
                let hint = closest(text, SOURCE_NAMES)
                    .map(|s| format!("did you mean \"{s}\"?"))
                    .unwrap_or_else(|| "use \"origin\", \"referer\" or \"authority\"".into());
                report.error(&path, format!("\"{text}\" is not a source; {hint}"));
            }
        }
    }
    sources
}

fn read_client_ip(root: &Map<String, Value>, report: &mut Report) -> ClientIpSource {
    const PATH: &str = "client_ip";
    let Some(map) = root
        .get(PATH)
        .and_then(|value| report.object(value, PATH, &["from", "trusted_proxies", "header"]))
    else {
        return ClientIpSource::SourceAddress;
    };
    let from = report.choice(
        map,
        PATH,
        "from",
        &["source_address", "x_forwarded_for", "header"],
    );
    let misplaced = |report: &mut Report, key: &str, needs: &str| {
        if map.contains_key(key) {
            report.error(&join(PATH, key), format!("applies only with {needs}"));
        }
    };
    match from {
        Some("x_forwarded_for") => {
            misplaced(report, "header", "\"from\": \"header\"");
            ClientIpSource::XForwardedFor {
                trusted: read_trusted_proxies(map, report),
            }
        }
        Some("header") => ClientIpSource::Header {
            name: read_header_name(map, report),
            trusted: read_trusted_proxies(map, report),
        },
        _ => {
            if from.is_none() && map.contains_key("from") {
                return ClientIpSource::SourceAddress;
            }
            misplaced(
                report,
                "trusted_proxies",
                "\"from\": \"x_forwarded_for\" or \"header\"",
            );
            misplaced(report, "header", "\"from\": \"header\"");
            ClientIpSource::SourceAddress
        }
    }
}

fn read_trusted_proxies(map: &Map<String, Value>, report: &mut Report) -> IpSet {
    const PATH: &str = "client_ip.trusted_proxies";
    let mut trusted = IpSet::default();
    let Some(items) = report.array(map, "client_ip", "trusted_proxies") else {
        if !map.contains_key("trusted_proxies") {
            report.error(
                PATH,
                "is required: the CIDR blocks of the proxies whose address header is honoured",
            );
        }
        return trusted;
    };
    if items.is_empty() {
        report.error(PATH, "needs at least one CIDR block of your own proxies");
    }
    if items.len() > MAX_MAX_ENTRIES {
        report.error(
            PATH,
            format!("has {} entries; at most {MAX_MAX_ENTRIES}", items.len()),
        );
    }
    for (index, item) in items.iter().enumerate() {
        let path = format!("{PATH}[{index}]");
        let Some(text) = item.as_str() else {
            report.error(&path, format!("must be a string, found {}", kind(item)));
            continue;
        };
        match parse_ip_entry(text) {
            Ok(net) if net.prefix_len() == 0 => report.error(
                &path,
                format!("\"{text}\" trusts every address, which lets any client write its own address; list only your proxies"),
            ),
            Ok(net) => {
                trusted.insert(&net, index);
            }
            Err(message) => report.error(&path, message),
        }
    }
    trusted
}

fn read_header_name(map: &Map<String, Value>, report: &mut Report) -> String {
    const PATH: &str = "client_ip.header";
    let Some(name) = report.string(map, "client_ip", "header") else {
        if !map.contains_key("header") {
            report.error(
                PATH,
                "is required with \"from\": \"header\", for example \"cf-connecting-ip\"",
            );
        }
        return String::new();
    };
    let lower = name.to_ascii_lowercase();
    let valid = !lower.is_empty()
        && lower
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !valid {
        report.error(PATH, format!("\"{name}\" is not a header name"));
    } else if lower == "x-forwarded-for" {
        report.error(
            PATH,
            "X-Forwarded-For is a list; use \"from\": \"x_forwarded_for\", which walks it past trusted proxies",
        );
    } else if lower == "forwarded" {
        report.error(
            PATH,
            "the RFC 7239 Forwarded header is not supported; use a single-address header or X-Forwarded-For",
        );
    }
    lower
}

/// A number as written, or the kind of a non-number (no JSON serializer needed).
fn describe_number(value: &Value) -> String {
    match (value.as_i64(), value.as_f64()) {
        (Some(n), _) => n.to_string(),
        (None, Some(_)) => "a fraction or a number out of range".into(),
        _ => kind(value).into(),
    }
}

fn read_deny_status(root: &Map<String, Value>, report: &mut Report) -> u16 {
    match root.get("deny_status") {
        None => 403,
        Some(value) => match value.as_u64() {
            Some(403) => 403,
            Some(404) => 404,
            _ => {
                report.error(
                    "deny_status",
                    format!(
                        "must be 403 (the default) or 404 (to hide that the API exists), found {}",
                        describe_number(value)
                    ),
                );
                403
            }
        },
    }
}

fn read_cors(root: &Map<String, Value>, report: &mut Report) -> bool {
    root.get("cors")
        .and_then(|value| report.object(value, "cors", &["expose_denials"]))
        .and_then(|cors| report.boolean(cors, "cors", "expose_denials"))
        .unwrap_or(false)
}

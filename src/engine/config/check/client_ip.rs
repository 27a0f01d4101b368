//! `client_ip`: where the client address comes from, and which proxies'
//! address headers are believed.

use ipnet::IpNet;

use super::super::model::{ClientIpConfig, ClientIpFrom};
use super::super::path::{field, index};
use super::super::report::Report;
use super::coverage::{describe, large_coverage};
use super::MAX_MAX_ENTRIES;
use crate::engine::grammar::ip_entry::parse_ip_entry;

pub enum CheckedClientIp {
    SourceAddress,
    XForwardedFor { trusted: Vec<IpNet> },
    Header { name: String, trusted: Vec<IpNet> },
}

const PATH: &str = "client_ip";

pub fn check_client_ip(config: &ClientIpConfig, report: &mut Report) -> CheckedClientIp {
    let misplaced = |report: &mut Report, key: &str, present: bool, needs: &str| {
        if present {
            report.error(&field(PATH, key), format!("applies only with {needs}"));
        }
    };
    match config.from {
        _ if report.has_error_at("client_ip.from") => CheckedClientIp::SourceAddress,
        Some(ClientIpFrom::XForwardedFor) => {
            misplaced(
                report,
                "header",
                config.header.is_some(),
                "\"from\": \"header\"",
            );
            CheckedClientIp::XForwardedFor {
                trusted: check_trusted_proxies(config.trusted_proxies.as_deref(), report),
            }
        }
        Some(ClientIpFrom::Header) => CheckedClientIp::Header {
            name: check_address_header(config.header.as_deref(), report),
            trusted: check_trusted_proxies(config.trusted_proxies.as_deref(), report),
        },
        Some(ClientIpFrom::SourceAddress) | None => {
            misplaced(
                report,
                "trusted_proxies",
                config.trusted_proxies.is_some(),
                "\"from\": \"x_forwarded_for\" or \"header\"",
            );
            misplaced(
                report,
                "header",
                config.header.is_some(),
                "\"from\": \"header\"",
            );
            CheckedClientIp::SourceAddress
        }
    }
}

fn check_trusted_proxies(items: Option<&[String]>, report: &mut Report) -> Vec<IpNet> {
    let path = field(PATH, "trusted_proxies");
    let Some(items) = items else {
        report.error(
            &path,
            "is required: the CIDR blocks of the proxies whose address header is honoured",
        );
        return Vec::new();
    };
    if items.is_empty() && !report.has_error_at(&path) {
        report.error(&path, "needs at least one CIDR block of your own proxies");
    }
    if items.len() > MAX_MAX_ENTRIES {
        report.error(
            &path,
            format!("has {} entries; at most {MAX_MAX_ENTRIES}", items.len()),
        );
    }
    let mut trusted = Vec::with_capacity(items.len());
    for (i, text) in items.iter().enumerate() {
        let entry_path = || index(&path, i);
        if report.failed_at(entry_path) {
            continue;
        }
        match parse_ip_entry(text) {
            Ok(net) if net.prefix_len() == 0 => report.error(
                &entry_path(),
                format!("\"{text}\" trusts every address, which lets any client write its own address; list only your proxies"),
            ),
            Ok(net) => trusted.push(net),
            Err(message) => report.error(&entry_path(), message),
        }
    }
    for (family, share) in large_coverage(&trusted) {
        report.error(
            &path,
            format!("together trusts {}, which lets almost any client write its own address; list only your proxies", describe(family, share)),
        );
    }
    for (i, net) in trusted.iter().enumerate() {
        if net.prefix_len() < 8 {
            report.warn(
                &index(&path, i),
                format!(
                    "\"{net}\" trusts {} addresses; list only your proxies' own blocks",
                    describe_size(net)
                ),
            );
        }
    }
    trusted
}

/// The single-address header's name, lowercase.
fn check_address_header(name: Option<&str>, report: &mut Report) -> String {
    let path = field(PATH, "header");
    let Some(name) = name else {
        report.error(
            &path,
            "is required with \"from\": \"header\", for example \"cf-connecting-ip\"",
        );
        return String::new();
    };
    let lower = check_header_name(name, &path, report);
    if lower == "x-forwarded-for" {
        report.error(
            &path,
            "X-Forwarded-For is a list; use \"from\": \"x_forwarded_for\", which walks it past trusted proxies",
        );
    } else if lower == "forwarded" {
        report.error(
            &path,
            "the RFC 7239 Forwarded header is not supported; use a single-address header or X-Forwarded-For",
        );
    }
    lower
}

/// A request header's name (letters, digits, `-`, `_`), lowercase as Envoy
/// keeps it.
pub fn check_header_name(name: &str, path: &str, report: &mut Report) -> String {
    if report.has_error_at(path) {
        return String::new();
    }
    let lower = name.to_ascii_lowercase();
    let valid = !lower.is_empty()
        && lower
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !valid {
        report.error(path, format!("\"{name}\" is not a header name"));
    }
    lower
}

/// "2^31", the number of addresses in a block, for a warning.
fn describe_size(net: &IpNet) -> String {
    let bits = match net {
        IpNet::V4(_) => 32,
        IpNet::V6(_) => 128,
    } - u32::from(net.prefix_len());
    format!("2^{bits}")
}

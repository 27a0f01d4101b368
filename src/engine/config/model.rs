//! The configuration as users write it: the JSON the filter reads, and the
//! source of the published JSON Schema (`schema/proxy-allowlist.schema.json`,
//! whose descriptions are these doc comments). Reading fills these types
//! without judging values; `check` says what is wrong or missing, so every
//! field is optional here and `#[schemars(required)]` tells editors what the
//! checks require.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::engine::calling_site::DomainSource;
use crate::engine::policy::{Condition, RecordDecisions};
use crate::engine::projects::UnknownProject;

/// The filter's configuration: the Envoy Wasm filter's `configuration` (a
/// `google.protobuf.StringValue` holding this JSON) or Istio's
/// `WasmPlugin.spec.pluginConfig`.
#[derive(Debug, Default, PartialEq, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    schemars(
        title = "proxy-allowlist configuration",
        extend(
            "if" = {"required": ["projects"]},
            "then" = {"not": {"anyOf": [
                {"required": ["domains"]}, {"required": ["source_ips"]}, {"required": ["condition"]}
            ]}}
        )
    )
)]
pub struct Config {
    /// The Domain allowlist: which calling sites (browser origins) may call the API.
    pub domains: Option<ListConfig<DomainItem>>,
    /// The Source IP allowlist: which client addresses may call the API.
    pub source_ips: Option<ListConfig<IpItem>>,
    /// How the two lists combine when both are in mode "listed": "and" (the default) or "or".
    pub condition: Option<Condition>,
    /// Where the calling site is read from, in order; the first present decides alone.
    /// Default ["origin", "referer"].
    #[cfg_attr(
        not(target_arch = "wasm32"),
        schemars(length(min = 1), extend("uniqueItems" = true))
    )]
    pub domain_sources: Option<Vec<DomainSource>>,
    /// The most entries each list may hold: 25 (the product's limit) unless raised, up to 10000.
    #[cfg_attr(not(target_arch = "wasm32"), schemars(range(min = 1, max = 10000)))]
    pub max_entries: Option<u64>,
    /// Where the client address comes from. Default {"from": "source_address"}.
    pub client_ip: Option<ClientIpConfig>,
    /// Observe every list instead of enforcing it: denials are counted and logged only.
    pub dry_run: Option<bool>,
    /// The status of a denial: 403 (the default, with the JSON error) or 404 (empty body).
    #[cfg_attr(not(target_arch = "wasm32"), schemars(extend("enum" = [403, 404])))]
    pub deny_status: Option<u64>,
    /// Browser-facing options for denials.
    pub cors: Option<CorsConfig>,
    /// Which decisions are written to filter state for access logs: "all" (the default) or "denied".
    pub record_decisions: Option<RecordDecisions>,
    /// Many projects in one filter, each with its own domains, source_ips and
    /// condition (which then may not stand at the top level).
    pub projects: Option<ProjectsConfig>,
}

/// Many projects behind one filter, and how a request names its own.
#[derive(Debug, PartialEq, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ProjectsConfig {
    /// Where a request's project id comes from: exactly one of header, metadata, subdomain_of.
    #[cfg_attr(not(target_arch = "wasm32"), schemars(required))]
    pub from: Option<ProjectFromConfig>,
    /// A request whose project is missing, unusable or not listed: "deny" (the default) or "allow".
    pub unknown: Option<UnknownProject>,
    /// Project id -> that project's Security settings.
    #[cfg_attr(
        not(target_arch = "wasm32"),
        schemars(required, extend("propertyNames" = {"pattern": "^[A-Za-z0-9._:-]{1,128}$"}))
    )]
    pub policies: Option<BTreeMap<String, ProjectPolicyConfig>>,
}

/// Where a request's project id comes from: exactly one key.
#[derive(Debug, PartialEq, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    schemars(extend("minProperties" = 1, "maxProperties" = 1))
)]
pub struct ProjectFromConfig {
    /// A request header an earlier filter writes after authenticating the caller
    /// (api_key_auth forwarding.header, jwt_authn claim_to_headers, ext_authz).
    #[cfg_attr(
        not(target_arch = "wasm32"),
        schemars(regex(pattern = r"^[A-Za-z0-9_-]+$"))
    )]
    pub header: Option<String>,
    /// A string in the request's dynamic metadata, written by an earlier filter.
    pub metadata: Option<MetadataKeyConfig>,
    /// Each project has its own host name, `<project>.<this suffix>`.
    pub subdomain_of: Option<String>,
}

/// `filter_metadata[namespace][key]` of the request's dynamic metadata.
#[derive(Debug, PartialEq, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct MetadataKeyConfig {
    /// The filter's metadata namespace, e.g. "envoy.filters.http.ext_authz".
    #[cfg_attr(not(target_arch = "wasm32"), schemars(required, length(min = 1)))]
    pub namespace: Option<String>,
    #[cfg_attr(not(target_arch = "wasm32"), schemars(required, length(min = 1)))]
    pub key: Option<String>,
}

/// One project's Security settings.
#[derive(Debug, PartialEq, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ProjectPolicyConfig {
    /// The project's Domain allowlist.
    pub domains: Option<ListConfig<DomainItem>>,
    /// The project's Source IP allowlist.
    pub source_ips: Option<ListConfig<IpItem>>,
    /// How the project's two lists combine when both are in mode "listed".
    pub condition: Option<Condition>,
}

/// A list's switch: "all" allows every value, "listed" only the entries in `allowed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    All,
    Listed,
}

/// One allowlist: its mode, its entries and whether it is only observed.
#[derive(Debug, PartialEq, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    schemars(
        rename = "{E}List",
        extend("allOf" = [
            {
                "if": {"properties": {"mode": {"const": "listed"}}, "required": ["mode"]},
                "then": {"properties": {"allowed": {"minItems": 1}}, "required": ["allowed"]}
            },
            {
                "if": {"not": {"required": ["mode"]}},
                "then": {"properties": {"allowed": {"maxItems": 0}}}
            }
        ])
    )
)]
pub struct ListConfig<E> {
    /// "all" or "listed". Required next to entries.
    pub mode: Option<Mode>,
    /// The entries (mode "listed": at least one, at most max_entries).
    pub allowed: Option<Vec<E>>,
    /// Observe this list instead of enforcing it.
    pub dry_run: Option<bool>,
}

/// An entry of the Domain allowlist.
#[derive(Debug, PartialEq, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DomainItem {
    /// A description, shown in logs and access-log records.
    pub name: Option<String>,
    /// `[http(s)://][*.]host[:port]`, e.g. "app.example.com", "*.example.org",
    /// "https://app.example.com:8443".
    #[cfg_attr(not(target_arch = "wasm32"), schemars(required))]
    pub domain: Option<String>,
}

/// An entry of the Source IP allowlist.
#[derive(Debug, PartialEq, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct IpItem {
    /// A description, shown in logs and access-log records.
    pub name: Option<String>,
    /// One canonical IPv4 or IPv6 address or CIDR block, e.g. "203.0.113.0/24", "2001:db8::7".
    #[cfg_attr(not(target_arch = "wasm32"), schemars(required))]
    pub ip: Option<String>,
}

/// Where the client address comes from.
#[derive(Debug, PartialEq, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    schemars(extend("allOf" = [
        {
            "if": {"properties": {"from": {"enum": ["x_forwarded_for", "header"]}}, "required": ["from"]},
            "then": {"required": ["trusted_proxies"], "properties": {"trusted_proxies": {"minItems": 1}}},
            "else": {"not": {"required": ["trusted_proxies"]}}
        },
        {
            "if": {"properties": {"from": {"const": "header"}}, "required": ["from"]},
            "then": {"required": ["header"]},
            "else": {"not": {"required": ["header"]}}
        }
    ]))
)]
pub struct ClientIpConfig {
    /// "source_address" (Envoy's downstream address, the default), "x_forwarded_for"
    /// (walked from the right past trusted_proxies) or "header" (a single-address header).
    pub from: Option<ClientIpFrom>,
    /// CIDR blocks of your own proxies, whose address header is believed
    /// (required with "x_forwarded_for" and "header").
    pub trusted_proxies: Option<Vec<String>>,
    /// The single-address header a trusted edge writes, e.g. "cf-connecting-ip" (with "header").
    #[cfg_attr(
        not(target_arch = "wasm32"),
        schemars(regex(pattern = r"^[A-Za-z0-9_-]+$"))
    )]
    pub header: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ClientIpFrom {
    SourceAddress,
    XForwardedFor,
    Header,
}

#[derive(Debug, PartialEq, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CorsConfig {
    /// Let the calling page read a denial: `Access-Control-Allow-Origin` on the 403.
    pub expose_denials: Option<bool>,
}

/// What entries of both lists share: a description and a value.
pub trait ListItem {
    fn name(&self) -> Option<&str>;
    fn value(&self) -> Option<&str>;
}

impl ListItem for DomainItem {
    fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    fn value(&self) -> Option<&str> {
        self.domain.as_deref()
    }
}

impl ListItem for IpItem {
    fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    fn value(&self) -> Option<&str> {
        self.ip.as_deref()
    }
}

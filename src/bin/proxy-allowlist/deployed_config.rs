//! Finding the policy in the files users deploy: a plain policy (JSON), an
//! Envoy bootstrap (YAML or JSON) with the Wasm filter or the native
//! dynamic-module filter (and routes' own policies for it), an ECDS
//! resource file, or an Istio `WasmPlugin`.
//! Where Envoy or Istio would read a file differently from a plain walk
//! (several YAML documents, YAML tags, duplicate keys, two ECDS resources),
//! the file is refused rather than guessed at; settings that would let
//! requests bypass the filter are reported as problems.

use serde_json::Value;

/// Type names, whatever the type URL's prefix (Envoy takes any).
const WASM_FILTER: &str = "envoy.extensions.filters.http.wasm.v3.Wasm";
const NATIVE_FILTER: &str = "envoy.extensions.filters.http.dynamic_modules.v3.DynamicModuleFilter";
const NATIVE_ROUTE_FILTER: &str =
    "envoy.extensions.filters.http.dynamic_modules.v3.DynamicModuleFilterPerRoute";
/// A route's wrapper around a filter's route configuration, which can also
/// turn the filter off for the route (`disabled: true`).
const ROUTE_FILTER_CONFIG: &str = "envoy.config.route.v3.FilterConfig";
const STRING_VALUE: &str = "google.protobuf.StringValue";
const TYPED_STRUCTS: [&str; 2] = ["xds.type.v3.TypedStruct", "udpa.type.v1.TypedStruct"];

/// The configuration of one filter found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundPolicy {
    /// The filter's name (`config.name`, `filter_name`, the WasmPlugin's name,
    /// `route:<name or match>` for a route's own policy), or `None` for a
    /// plain policy file.
    pub filter: Option<String>,
    /// The policy's bytes, as the filter would receive them.
    pub bytes: Vec<u8>,
    /// Deployment settings that would let requests bypass the filter.
    pub problems: Vec<String>,
}

/// The policy in `bytes`: the file itself when it is a plain policy, else the
/// one filter in it (or the one named `filter`).
pub fn find_policy(bytes: &[u8], filter: Option<&str>) -> Result<FoundPolicy, String> {
    let Some(documents) = deployment_documents(bytes)? else {
        return match filter {
            Some(name) => Err(format!(
                "--filter {name:?}: this file is a plain policy, not an Envoy or Istio configuration"
            )),
            None => Ok(FoundPolicy {
                filter: None,
                bytes: bytes.to_vec(),
                problems: Vec::new(),
            }),
        };
    };
    let mut walk = Walk::default();
    for document in &documents {
        check_ecds_resources(document)?;
        collect(document, &mut walk)?;
    }
    let found = walk.found_with_route_problems();
    let names = || {
        found
            .iter()
            .map(|f| format!("{:?}", f.filter.as_deref().unwrap_or_default()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match filter {
        Some(name) => {
            let mut matching = found.iter().filter(|f| f.filter.as_deref() == Some(name));
            match (matching.next(), matching.next()) {
                (Some(one), None) => Ok(one.clone()),
                (Some(_), Some(_)) => Err(format!("several proxy-allowlist filters are named {name:?}")),
                (None, _) if found.is_empty() => Err("no proxy-allowlist filter in this file".into()),
                (None, _) => Err(format!("no filter named {name:?}; the file has {}", names())),
            }
        }
        None => match found.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(match discovered_paths(&documents).as_slice() {
                [] => "no Wasm, dynamic-module or WasmPlugin filter configuration in this file (if it is a policy, its top-level keys are not a policy's)".into(),
                paths => format!(
                    "the filter configuration is not in this file: Envoy fetches it through ECDS from {}; validate that file",
                    paths.join(", ")
                ),
            }),
            _ => Err(format!(
                "the file has several filters ({}); choose one with --filter NAME",
                names()
            )),
        },
    }
}

/// The documents of a deployment file, or `None` for a plain policy (a JSON
/// object that is neither an Envoy nor an Istio configuration).
fn deployment_documents(bytes: &[u8]) -> Result<Option<Vec<Value>>, String> {
    // A byte order mark is not JSON; it only must not hide the file's kind.
    let unmarked = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    if let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(unmarked) {
        let deployment = ["resources", "static_resources", "apiVersion", "@type"]
            .iter()
            .any(|key| object.contains_key(*key));
        return Ok(deployment.then(|| vec![Value::Object(object)]));
    }
    let text = std::str::from_utf8(unmarked)
        .map_err(|_| "the file is neither JSON nor YAML text".to_string())?;
    if !looks_like_yaml_configuration(text) {
        // Not JSON either: let the policy loader say what is wrong with it.
        return Ok(None);
    }
    let mut documents = Vec::new();
    for document in serde_norway::Deserializer::from_str(text) {
        let yaml: serde_norway::Value = serde::Deserialize::deserialize(document)
            .map_err(|error| format!("the file is not valid YAML: {error}"))?;
        refuse_tags(&yaml)?;
        let json = serde_json::to_value(&yaml)
            .map_err(|error| format!("the file's YAML does not map to JSON: {error}"))?;
        documents.push(json);
    }
    let istio = |d: &Value| d.get("kind").and_then(Value::as_str) == Some("WasmPlugin");
    if documents.len() > 1 && !documents.iter().all(istio) {
        return Err(format!(
            "the file has {} YAML documents, and Envoy reads only the first of a bootstrap; keep one",
            documents.len()
        ));
    }
    Ok(Some(documents))
}

/// Envoy skips keys tagged `!ignore`; other tools read tags their own way.
fn refuse_tags(value: &serde_norway::Value) -> Result<(), String> {
    use serde_norway::Value as Yaml;
    match value {
        Yaml::Tagged(tagged) => Err(format!(
            "the file has a YAML tag ({}), which Envoy and other tools read differently; remove it",
            tagged.tag
        )),
        Yaml::Sequence(items) => items.iter().try_for_each(refuse_tags),
        Yaml::Mapping(map) => map
            .iter()
            .try_for_each(|(key, value)| refuse_tags(key).and_then(|()| refuse_tags(value))),
        _ => Ok(()),
    }
}

/// YAML starts with a key or a document marker; a policy is a JSON object.
fn looks_like_yaml_configuration(text: &str) -> bool {
    let first = text
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty() && !line.starts_with('#'));
    first.is_some_and(|line| !line.starts_with('{') && !line.starts_with('['))
}

/// Envoy takes exactly one resource from an ECDS file.
fn check_ecds_resources(document: &Value) -> Result<(), String> {
    match document.get("resources").and_then(Value::as_array) {
        Some(resources) if resources.len() != 1 => Err(format!(
            "Envoy takes exactly one resource from an ECDS file, and this one has {}",
            resources.len()
        )),
        _ => Ok(()),
    }
}

/// The type name of an `@type` or `type_url`: what follows the last `/`.
fn type_name(value: Option<&Value>) -> Option<&str> {
    let url = value?.as_str()?;
    Some(url.rsplit('/').next().unwrap_or(url))
}

/// What walking the documents finds.
#[derive(Default)]
struct Walk {
    found: Vec<FoundPolicy>,
    /// For each of `found`, its name in `http_filters`, the key a route's
    /// `typed_per_filter_config` uses for it (when the file shows it).
    listed_as: Vec<Option<String>>,
    /// Every name in an `http_filters` list.
    http_filters: Vec<String>,
    /// Routes' own policies: their index in `found`, and their key.
    route_keys: Vec<(usize, String)>,
    /// Routes that turn a filter off: its key, and the route.
    disabled: Vec<(String, String)>,
}

impl Walk {
    fn push(&mut self, policy: FoundPolicy) {
        self.found.push(policy);
        self.listed_as.push(None);
    }

    /// The policies, with the problems only the whole file shows: a route
    /// that turns a filter off, and a route policy under a key no filter
    /// has (Envoy ignores it: the filter's own policy judges the route).
    fn found_with_route_problems(mut self) -> Vec<FoundPolicy> {
        for (key, place) in &self.disabled {
            for (policy, name) in self.found.iter_mut().zip(&self.listed_as) {
                if name.as_deref() == Some(key.as_str()) {
                    policy.problems.push(format!(
                        "route {place} turns this filter off (FilterConfig disabled: true): its requests bypass the allowlist; remove it"
                    ));
                }
            }
        }
        if !self.http_filters.is_empty() {
            for (index, key) in &self.route_keys {
                if !self.http_filters.contains(key) {
                    let names = self.http_filters.join(", ");
                    if let Some(policy) = self.found.get_mut(*index) {
                        policy.problems.push(format!(
                            "typed_per_filter_config key {key:?} is no filter's name in http_filters ({names}): Envoy ignores this policy, and the filter's own judges the route; use the filter's name"
                        ));
                    }
                }
            }
        }
        self.found
    }
}

/// Every filter configuration under `value`.
fn collect(value: &Value, walk: &mut Walk) -> Result<(), String> {
    match value {
        Value::Object(object) => {
            if let Some(Value::Array(filters)) = object.get("http_filters") {
                let names = filters.iter().filter_map(|f| f.get("name")?.as_str());
                walk.http_filters.extend(names.map(str::to_string));
            }
            if let (Some(Value::String(name)), Some(config)) =
                (object.get("name"), object.get("typed_config"))
            {
                // An http_filters entry: what it holds is listed under its name.
                let first = walk.found.len();
                collect(config, walk)?;
                for listed in walk.listed_as.iter_mut().skip(first) {
                    listed.get_or_insert_with(|| name.clone());
                }
                return object
                    .iter()
                    .filter(|(key, _)| *key != "typed_config")
                    .try_for_each(|(_, child)| collect(child, walk));
            }
            let kind = type_name(object.get("@type"));
            if kind.is_some_and(|k| TYPED_STRUCTS.contains(&k)) {
                // A filter written as a TypedStruct: its value is the filter.
                let inner = type_name(object.get("type_url"));
                if let (Some(inner), Some(Value::Object(fields))) = (inner, object.get("value")) {
                    let mut filter = fields.clone();
                    filter.insert("@type".into(), Value::String(inner.into()));
                    return collect(&Value::Object(filter), walk);
                }
            }
            if kind == Some(WASM_FILTER) {
                let config = object.get("config");
                walk.push(FoundPolicy {
                    filter: config
                        .and_then(|c| c.get("name"))
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    bytes: string_value(
                        config.and_then(|c| c.get("configuration")),
                        "configuration",
                    )?,
                    problems: wasm_problems(config),
                });
                return Ok(());
            }
            if kind == Some(NATIVE_FILTER) {
                walk.push(FoundPolicy {
                    filter: object
                        .get("filter_name")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    bytes: string_value(object.get("filter_config"), "filter_config")?,
                    problems: Vec::new(),
                });
                return Ok(());
            }
            collect_route_policies(object, walk)?;
            if object.get("kind").and_then(Value::as_str) == Some("WasmPlugin") {
                let spec = object.get("spec");
                walk.push(FoundPolicy {
                    filter: object
                        .get("metadata")
                        .and_then(|m| m.get("name"))
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    bytes: plugin_config(spec.and_then(|s| s.get("pluginConfig"))),
                    problems: istio_problems(spec),
                });
                return Ok(());
            }
            object.values().try_for_each(|child| collect(child, walk))
        }
        Value::Array(items) => items.iter().try_for_each(|child| collect(child, walk)),
        _ => Ok(()),
    }
}

/// The native filter's policies that a route (or a virtual host) carries
/// for itself, named `route:` and the route's name, or its match, and the
/// filters a route turns off.
fn collect_route_policies(
    object: &serde_json::Map<String, Value>,
    walk: &mut Walk,
) -> Result<(), String> {
    let Some(Value::Object(per_filter)) = object.get("typed_per_filter_config") else {
        return Ok(());
    };
    let matched = object
        .get("match")
        .and_then(|m| m.get("prefix").or(m.get("path")));
    let place = object
        .get("name")
        .or(matched)
        .and_then(Value::as_str)
        .unwrap_or("");
    for (key, config) in per_filter {
        let mut config = config;
        if type_name(config.get("@type")) == Some(ROUTE_FILTER_CONFIG) {
            if config.get("disabled").and_then(Value::as_bool) == Some(true) {
                walk.disabled.push((key.clone(), place.to_string()));
            }
            match config.get("config") {
                Some(inner) => config = inner,
                None => continue,
            }
        }
        if type_name(config.get("@type")) == Some(NATIVE_ROUTE_FILTER) {
            walk.route_keys.push((walk.found.len(), key.clone()));
            walk.push(FoundPolicy {
                filter: Some(format!("route:{place}")),
                bytes: string_value(config.get("filter_config"), "filter_config")?,
                problems: Vec::new(),
            });
        }
    }
    Ok(())
}

/// Istio hands pluginConfig to the filter as JSON, and nothing at all when
/// it is missing or has no field (`{}` included).
fn plugin_config(config: Option<&Value>) -> Vec<u8> {
    match config {
        Some(Value::Object(fields)) if fields.is_empty() => Vec::new(),
        Some(config) => config.to_string().into_bytes(),
        None => Vec::new(),
    }
}

/// Settings of an Envoy Wasm filter that let requests through when the
/// module cannot run.
fn wasm_problems(config: Option<&Value>) -> Vec<String> {
    let mut problems = Vec::new();
    let setting = |key: &str| config.and_then(|c| c.get(key));
    if setting("failure_policy").and_then(Value::as_str) == Some("FAIL_OPEN") {
        problems.push("failure_policy: FAIL_OPEN lets every request through whenever the module cannot run; use FAIL_CLOSED (or FAIL_RELOAD)".to_string());
    }
    if setting("fail_open").and_then(Value::as_bool) == Some(true) {
        problems.push("fail_open: true lets every request through whenever the module cannot run; remove it and set failure_policy: FAIL_CLOSED".to_string());
    }
    problems
}

/// Settings of an Istio WasmPlugin that let requests bypass the filter.
fn istio_problems(spec: Option<&Value>) -> Vec<String> {
    let mut problems = Vec::new();
    let setting = |key: &str| spec.and_then(|s| s.get(key));
    if setting("failStrategy").and_then(Value::as_str) == Some("FAIL_OPEN") {
        problems.push("failStrategy: FAIL_OPEN lets every request through whenever the module cannot be fetched or run; use FAIL_CLOSE".to_string());
    }
    if setting("type").and_then(Value::as_str) == Some("NETWORK") {
        problems.push("type: NETWORK makes Istio install it as a network filter, where no HTTP request reaches it; use HTTP (the default)".to_string());
    }
    let client_only = setting("match")
        .and_then(Value::as_array)
        .is_some_and(|rules| {
            rules
                .iter()
                .any(|rule| rule.get("mode").and_then(Value::as_str) == Some("CLIENT"))
        });
    if client_only {
        problems.push("match mode CLIENT applies it only to outbound traffic, so the requests a gateway or a server receives bypass it; use SERVER or CLIENT_AND_SERVER".to_string());
    }
    problems
}

/// The files a bootstrap's ECDS `path_config_source`s name.
fn discovered_paths(documents: &[Value]) -> Vec<String> {
    fn walk(value: &Value, paths: &mut Vec<String>) {
        match value {
            Value::Object(object) => {
                if let Some(path) = object
                    .get("path_config_source")
                    .and_then(|source| source.get("path"))
                    .and_then(Value::as_str)
                {
                    paths.push(path.to_string());
                }
                object.values().for_each(|child| walk(child, paths));
            }
            Value::Array(items) => items.iter().for_each(|child| walk(child, paths)),
            _ => {}
        }
    }
    let mut paths = Vec::new();
    documents
        .iter()
        .for_each(|document| walk(document, &mut paths));
    paths
}

/// The JSON a `google.protobuf.StringValue` holds; nothing when it is absent.
fn string_value(value: Option<&Value>, field: &str) -> Result<Vec<u8>, String> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    let kind = type_name(value.get("@type"));
    match (kind, value.get("value")) {
        (Some(STRING_VALUE), Some(Value::String(json))) => Ok(json.clone().into_bytes()),
        (Some(STRING_VALUE), None) => Ok(Vec::new()),
        (Some(STRING_VALUE), Some(other)) => Err(format!(
            "the filter's {field} is a StringValue whose value is not a string but {}: quote the JSON policy as a YAML string (value: |, then the JSON)",
            if other.is_object() { "a mapping" } else { "a number or other scalar" }
        )),
        (kind, _) => Err(format!(
            "the filter's {field} is {}, not a google.protobuf.StringValue holding JSON (a google.protobuf.Struct reaches the filter as binary protobuf)",
            kind.map_or("untyped".to_string(), |k| format!("a {k}"))
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENVOY: &str = r#"
static_resources:
  listeners:
  - filter_chains:
    - filters:
      - typed_config:
          http_filters:
          - name: envoy.filters.http.wasm
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm
              config:
                name: edge
                configuration:
                  "@type": type.googleapis.com/google.protobuf.StringValue
                  value: '{"dry_run": true}'
          - name: envoy.filters.http.wasm
            typed_config:
              "@type": example.com/envoy.extensions.filters.http.wasm.v3.Wasm
              config:
                name: internal
                failure_policy: FAIL_OPEN
"#;

    /// A native filter named `edge` in http_filters, and routes that carry a
    /// policy for it wrapped in a FilterConfig, under a key no filter has,
    /// or that turn it off.
    const ROUTES: &str = r#"{"static_resources": {"listeners": [{"filter_chains": [{"filters": [{
      "name": "envoy.filters.network.http_connection_manager",
      "typed_config": {"http_filters": [{"name": "edge", "typed_config": {
        "@type": "type.googleapis.com/envoy.extensions.filters.http.dynamic_modules.v3.DynamicModuleFilter",
        "filter_name": "proxy_allowlist",
        "filter_config": {"@type": "type.googleapis.com/google.protobuf.StringValue", "value": "{}"}}}],
      "route_config": {"virtual_hosts": [{"routes": [
        {"match": {"prefix": "/wrapped"}, "typed_per_filter_config": {"edge": {
          "@type": "type.googleapis.com/envoy.config.route.v3.FilterConfig",
          "config": {"@type": "type.googleapis.com/envoy.extensions.filters.http.dynamic_modules.v3.DynamicModuleFilterPerRoute",
            "filter_config": {"@type": "type.googleapis.com/google.protobuf.StringValue", "value": "{\"dry_run\": true}"}}}}},
        {"match": {"prefix": "/wrong-key"}, "typed_per_filter_config": {"proxy_allowlist": {
          "@type": "type.googleapis.com/envoy.extensions.filters.http.dynamic_modules.v3.DynamicModuleFilterPerRoute",
          "filter_config": {"@type": "type.googleapis.com/google.protobuf.StringValue", "value": "{}"}}}},
        {"match": {"prefix": "/off"}, "typed_per_filter_config": {"edge": {
          "@type": "type.googleapis.com/envoy.config.route.v3.FilterConfig", "disabled": true}}}
      ]}]}}}]}]}]}}"#;

    #[test]
    fn a_route_policy_in_a_filter_config_wrapper_is_found() {
        let wrapped = find_policy(ROUTES.as_bytes(), Some("route:/wrapped")).unwrap();
        assert_eq!(wrapped.bytes, br#"{"dry_run": true}"#);
        assert!(wrapped.problems.is_empty(), "{:?}", wrapped.problems);
    }

    #[test]
    fn a_route_policy_under_a_key_no_filter_has_is_a_problem() {
        let ignored = find_policy(ROUTES.as_bytes(), Some("route:/wrong-key")).unwrap();
        assert_eq!(ignored.problems.len(), 1, "{:?}", ignored.problems);
        assert!(ignored.problems[0]
            .contains(r#"key "proxy_allowlist" is no filter's name in http_filters (edge)"#));
    }

    #[test]
    fn a_route_that_turns_the_filter_off_is_a_problem_of_the_filter() {
        let filter = find_policy(ROUTES.as_bytes(), Some("proxy_allowlist")).unwrap();
        assert_eq!(filter.problems.len(), 1, "{:?}", filter.problems);
        assert!(filter.problems[0].starts_with("route /off turns this filter off"));
    }

    #[test]
    fn a_plain_policy_is_itself() {
        let found = find_policy(br#"{"domains": {"mode": "all"}}"#, None).unwrap();
        assert_eq!(found.filter, None);
        assert_eq!(found.bytes, br#"{"domains": {"mode": "all"}}"#);
    }

    #[test]
    fn envoy_filters_are_found_whatever_the_type_url_prefix() {
        let error = find_policy(ENVOY.as_bytes(), None).unwrap_err();
        assert!(error.contains("\"edge\", \"internal\""), "{error}");
        let edge = find_policy(ENVOY.as_bytes(), Some("edge")).unwrap();
        assert_eq!(edge.bytes, br#"{"dry_run": true}"#);
        assert!(edge.problems.is_empty());
        let internal = find_policy(ENVOY.as_bytes(), Some("internal")).unwrap();
        assert!(internal.bytes.is_empty(), "no configuration at all");
        assert!(internal.problems[0].starts_with("failure_policy: FAIL_OPEN"));
        assert!(find_policy(ENVOY.as_bytes(), Some("other")).is_err());
    }

    #[test]
    fn a_routes_own_policy_is_found_by_its_route() {
        let envoy = r#"{"static_resources": {"filters": [
            {"@type": "type.googleapis.com/envoy.extensions.filters.http.dynamic_modules.v3.DynamicModuleFilter",
             "filter_name": "edge", "filter_config": {"@type": "type.googleapis.com/google.protobuf.StringValue", "value": "{}"}}],
          "routes": [{"match": {"prefix": "/partner"}, "typed_per_filter_config": {"edge": {
            "@type": "type.googleapis.com/envoy.extensions.filters.http.dynamic_modules.v3.DynamicModuleFilterPerRoute",
            "filter_name": "edge", "filter_config": {"@type": "type.googleapis.com/google.protobuf.StringValue",
            "value": "{\"dry_run\": true}"}}}}]}}"#;
        let error = find_policy(envoy.as_bytes(), None).unwrap_err();
        assert!(error.contains("\"edge\", \"route:/partner\""), "{error}");
        let route = find_policy(envoy.as_bytes(), Some("route:/partner")).unwrap();
        assert_eq!(route.bytes, br#"{"dry_run": true}"#);
    }

    #[test]
    fn a_typed_struct_filter_is_unwrapped() {
        let envoy = r#"{"static_resources": {"x": {"@type": "type.googleapis.com/xds.type.v3.TypedStruct",
            "type_url": "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm",
            "value": {"config": {"name": "a", "configuration": {"@type": "type.googleapis.com/google.protobuf.StringValue", "value": "{}"}}}}}}"#;
        let found = find_policy(envoy.as_bytes(), None).unwrap();
        assert_eq!(
            (found.filter.as_deref(), found.bytes.as_slice()),
            (Some("a"), &b"{}"[..])
        );
    }

    #[test]
    fn files_envoy_would_read_otherwise_are_refused() {
        let two_documents = format!("{ENVOY}---\nstatic_resources: {{}}\n");
        assert!(find_policy(two_documents.as_bytes(), None)
            .unwrap_err()
            .contains("reads only the first"));
        let tagged = "static_resources:\n  a: !ignore 1\n";
        assert!(find_policy(tagged.as_bytes(), None)
            .unwrap_err()
            .contains("YAML tag (!ignore)"));
        let duplicate = "static_resources: {}\nstatic_resources: {}\n";
        assert!(find_policy(duplicate.as_bytes(), None)
            .unwrap_err()
            .contains("duplicate entry"));
        let two_resources = r#"{"resources": [{}, {}]}"#;
        assert!(find_policy(two_resources.as_bytes(), None)
            .unwrap_err()
            .contains("exactly one resource"));
    }

    #[test]
    fn an_istio_plugin_config_becomes_json_and_an_empty_one_nothing() {
        let plugin = "apiVersion: extensions.istio.io/v1alpha1\nkind: WasmPlugin\nmetadata: {name: allow}\nspec:\n  pluginConfig:\n    dry_run: true\n";
        let found = find_policy(plugin.as_bytes(), None).unwrap();
        assert_eq!(found.filter.as_deref(), Some("allow"));
        assert_eq!(found.bytes, br#"{"dry_run":true}"#);
        let empty = plugin
            .replace("    dry_run: true\n", "    {}\n")
            .replace("pluginConfig:\n", "pluginConfig:");
        assert!(find_policy(empty.as_bytes(), None)
            .unwrap()
            .bytes
            .is_empty());
        let open = plugin.replace(
            "spec:\n",
            "spec:\n  failStrategy: FAIL_OPEN\n  match: [{mode: CLIENT}]\n",
        );
        let problems = find_policy(open.as_bytes(), None).unwrap().problems;
        assert_eq!(problems.len(), 2, "{problems:?}");
    }

    #[test]
    fn configurations_that_are_not_json_strings_are_explained() {
        let envoy = |configuration: &str| {
            format!(
                r#"{{"static_resources": {{"x": {{"@type": "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm",
                "config": {{"name": "a", "configuration": {configuration}}}}}}}}}"#
            )
        };
        let structured =
            envoy(r#"{"@type": "type.googleapis.com/google.protobuf.Struct", "value": {}}"#);
        assert!(find_policy(structured.as_bytes(), None)
            .unwrap_err()
            .contains("binary protobuf"));
        let mapping = envoy(
            r#"{"@type": "type.googleapis.com/google.protobuf.StringValue", "value": {"dry_run": true}}"#,
        );
        assert!(find_policy(mapping.as_bytes(), None)
            .unwrap_err()
            .contains("quote the JSON policy"));
    }
}

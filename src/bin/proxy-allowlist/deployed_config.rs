//! Finding the policy in the files users deploy: a plain policy (JSON), an
//! Envoy bootstrap (YAML or JSON) with the Wasm filter or the native
//! dynamic-module filter, an ECDS resource file, or an Istio `WasmPlugin`.

use serde_json::Value;

const WASM_FILTER: &str = "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm";
const NATIVE_FILTER: &str =
    "type.googleapis.com/envoy.extensions.filters.http.dynamic_modules.v3.DynamicModuleFilter";
const STRING_VALUE: &str = "type.googleapis.com/google.protobuf.StringValue";

/// The configuration of one filter found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundPolicy {
    /// The filter's name (`config.name`, `filter_name`, the WasmPlugin's name),
    /// or `None` for a plain policy file.
    pub filter: Option<String>,
    /// The policy's bytes, as the filter would receive them.
    pub bytes: Vec<u8>,
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
            }),
        };
    };
    let mut found = Vec::new();
    for document in &documents {
        collect(document, &mut found)?;
    }
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
                [] => "no Wasm, dynamic-module or WasmPlugin filter configuration in this file".into(),
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
    if let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(bytes) {
        let deployment = ["resources", "static_resources", "apiVersion", "@type"]
            .iter()
            .any(|key| object.contains_key(*key));
        return Ok(deployment.then(|| vec![Value::Object(object)]));
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|_| "the file is neither JSON nor YAML text".to_string())?;
    if !looks_like_yaml_configuration(text) {
        // Not JSON either: let the policy loader say what is wrong with it.
        return Ok(None);
    }
    let mut documents = Vec::new();
    for document in serde_norway::Deserializer::from_str(text) {
        let value = serde::Deserialize::deserialize(document)
            .map_err(|error| format!("the file is not valid YAML: {error}"))?;
        documents.push(value);
    }
    Ok(Some(documents))
}

/// YAML starts with a key or a document marker; a policy is a JSON object.
fn looks_like_yaml_configuration(text: &str) -> bool {
    let first = text
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty() && !line.starts_with('#'));
    first.is_some_and(|line| !line.starts_with('{') && !line.starts_with('['))
}

/// Every filter configuration under `value`.
fn collect(value: &Value, found: &mut Vec<FoundPolicy>) -> Result<(), String> {
    match value {
        Value::Object(object) => {
            let kind = object.get("@type").and_then(Value::as_str);
            if kind == Some(WASM_FILTER) {
                let config = object.get("config");
                found.push(FoundPolicy {
                    filter: config
                        .and_then(|c| c.get("name"))
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    bytes: string_value(
                        config.and_then(|c| c.get("configuration")),
                        "configuration",
                    )?,
                });
                return Ok(());
            }
            if kind == Some(NATIVE_FILTER) {
                found.push(FoundPolicy {
                    filter: object
                        .get("filter_name")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    bytes: string_value(object.get("filter_config"), "filter_config")?,
                });
                return Ok(());
            }
            if object.get("kind").and_then(Value::as_str) == Some("WasmPlugin") {
                let spec = object.get("spec");
                found.push(FoundPolicy {
                    filter: object
                        .get("metadata")
                        .and_then(|m| m.get("name"))
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    // Istio hands pluginConfig to the filter as JSON.
                    bytes: spec
                        .and_then(|s| s.get("pluginConfig"))
                        .map(|config| config.to_string().into_bytes())
                        .unwrap_or_default(),
                });
                return Ok(());
            }
            object.values().try_for_each(|child| collect(child, found))
        }
        Value::Array(items) => items.iter().try_for_each(|child| collect(child, found)),
        _ => Ok(()),
    }
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
    match (value.get("@type").and_then(Value::as_str), value.get("value")) {
        (Some(STRING_VALUE), Some(Value::String(json))) => Ok(json.clone().into_bytes()),
        (Some(STRING_VALUE), None) => Ok(Vec::new()),
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
              "@type": type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm
              config:
                name: internal
"#;

    #[test]
    fn a_plain_policy_is_itself() {
        let found = find_policy(br#"{"domains": {"mode": "all"}}"#, None).unwrap();
        assert_eq!(found.filter, None);
        assert_eq!(found.bytes, br#"{"domains": {"mode": "all"}}"#);
    }

    #[test]
    fn envoy_filters_are_found_and_chosen_by_name() {
        let error = find_policy(ENVOY.as_bytes(), None).unwrap_err();
        assert!(error.contains("\"edge\", \"internal\""), "{error}");
        let edge = find_policy(ENVOY.as_bytes(), Some("edge")).unwrap();
        assert_eq!(edge.bytes, br#"{"dry_run": true}"#);
        let internal = find_policy(ENVOY.as_bytes(), Some("internal")).unwrap();
        assert!(internal.bytes.is_empty(), "no configuration at all");
        assert!(find_policy(ENVOY.as_bytes(), Some("other")).is_err());
    }

    #[test]
    fn an_istio_plugin_config_becomes_json() {
        let plugin = "apiVersion: extensions.istio.io/v1alpha1\nkind: WasmPlugin\nmetadata: {name: allow}\nspec:\n  pluginConfig:\n    dry_run: true\n";
        let found = find_policy(plugin.as_bytes(), None).unwrap();
        assert_eq!(found.filter.as_deref(), Some("allow"));
        assert_eq!(found.bytes, br#"{"dry_run":true}"#);
    }

    #[test]
    fn a_struct_configuration_is_explained() {
        let envoy = r#"{"static_resources": {"x": {"@type": "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm",
            "config": {"name": "a", "configuration": {"@type": "type.googleapis.com/google.protobuf.Struct", "value": {}}}}}}"#;
        let error = find_policy(envoy.as_bytes(), None).unwrap_err();
        assert!(error.contains("binary protobuf"), "{error}");
    }
}

//! Loading the filter's configuration, once per configuration: JSON (with
//! duplicate keys refused), read into typed structs, checked, and compiled
//! into a [`Policy`]. Every error is reported at once, each at its field's
//! path with what was probably meant.

mod check;
mod compile;
mod json_value;
pub mod model;
mod path;
mod public_suffix;
mod reader;
mod report;

pub use check::{DEFAULT_MAX_ENTRIES, MAX_MAX_ENTRIES};
pub use public_suffix::suffix_covered_by_wildcard;
pub use report::{count, FieldError};

use super::policy::Policy;
use report::Report;

/// A policy ready to serve, with the warnings its configuration raised.
#[derive(Debug)]
pub struct LoadedPolicy {
    pub policy: Policy,
    pub warnings: Vec<String>,
}

/// Loads a configuration.
pub fn load_policy(bytes: &[u8]) -> Result<LoadedPolicy, Vec<FieldError>> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        // A forgotten or dropped configuration must not mean "allow all".
        return Err(vec![FieldError {
            path: String::new(),
            message: "is empty, so the filter would enforce nothing; in Istio, a WasmPlugin whose pluginConfig is missing (or was dropped on the way) arrives like this. Write the policy, or {} to allow every request on purpose".into(),
        }]);
    }
    let mut report = Report::default();
    let Some(document) = json_value::parse_json(bytes, &mut report) else {
        return Err(report.errors);
    };
    let config: model::Config = reader::read(&document, &mut report);
    // The document borrows from the bytes and is a few times their size:
    // free it before the checks build their own structures.
    drop(document);
    let settings = check::check_settings(&config, &mut report);
    let client_ip_set = config.client_ip.is_some();
    let mut policy = compile::start(&settings);
    check::check_projects(config, &settings, &mut report, |project, report| {
        compile::add_project(&mut policy, project, report)
    });
    if !report.errors.is_empty() {
        return Err(report.errors);
    }
    check::warn_about_the_whole(client_ip_set, &policy, &mut report);
    Ok(LoadedPolicy {
        policy,
        warnings: report.warnings,
    })
}

#[cfg(test)]
mod load_tests;

/// The JSON Schema of the configuration, as published in
/// `schema/proxy-allowlist.schema.json`.
#[cfg(not(target_arch = "wasm32"))]
pub fn json_schema() -> String {
    let mut schema = schemars::generate::SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<model::Config>();
    without_null(&mut schema);
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}

/// An optional field is absent or holds its type: the filter refuses
/// `null`, so the schema must not offer it.
#[cfg(not(target_arch = "wasm32"))]
fn without_null(schema: &mut schemars::Schema) {
    use serde_json::Value;
    schemars::transform::transform_subschemas(&mut without_null, schema);
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    if let Some(Value::Array(types)) = object.get_mut("type") {
        types.retain(|t| t != "null");
        if let [only] = types.as_slice() {
            let only = only.clone();
            object.insert("type".into(), only);
        }
    }
    let null = serde_json::json!({"type": "null"});
    if let Some(Value::Array(choices)) = object.get("anyOf") {
        if let [Value::Object(kept), other] = choices.as_slice() {
            if *other == null {
                let kept = kept.clone();
                object.remove("anyOf");
                object.extend(kept);
            }
        }
    }
}

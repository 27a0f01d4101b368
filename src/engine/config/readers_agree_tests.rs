//! The strict reader (every flawless configuration) and the reader that
//! reports every error must agree: whatever the strict one reads, the other
//! reads the same, without a word; whatever it refuses, the other reports.

use proptest::prelude::*;
use serde_json::{json, Value};

use super::compare_readers;

fn assert_agree(text: &str) {
    if let Err(disagreement) = compare_readers(text.as_bytes()) {
        panic!("{disagreement}");
    }
}

#[test]
fn on_every_corpus_configuration() {
    let configs: Value =
        serde_json::from_str(include_str!("../../../tests/corpus/configs.json")).unwrap();
    for case in configs["cases"].as_array().unwrap() {
        match case.get("raw") {
            Some(raw) => assert_agree(raw.as_str().unwrap()),
            None => assert_agree(&case["config"].to_string()),
        }
    }
    let requests: Value =
        serde_json::from_str(include_str!("../../../tests/corpus/requests.json")).unwrap();
    for policy in requests["policies"].as_object().unwrap().values() {
        assert_agree(&policy.to_string());
    }
}

/// A value of any JSON type, small.
fn any_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-3i64..30000).prop_map(|n| json!(n)),
        Just(json!(25.0)),
        "[a-z.*:/0-9]{0,12}".prop_map(Value::String),
        Just(json!([])),
        Just(json!({})),
    ]
}

fn list() -> impl Strategy<Value = Value> {
    (
        proptest::option::of(prop_oneof![
            Just(json!("listed")),
            Just(json!("all")),
            any_value()
        ]),
        proptest::option::of(proptest::collection::vec(
            prop_oneof![
                Just(json!({"domain": "a.com"})),
                Just(json!({"ip": "10.0.0.0/8", "name": "x"})),
                Just(json!({"name": null})),
                any_value(),
            ],
            0..3,
        )),
        proptest::option::of(any_value()),
    )
        .prop_map(|(mode, allowed, dry_run)| {
            let mut list = serde_json::Map::new();
            if let Some(mode) = mode {
                list.insert("mode".into(), mode);
            }
            if let Some(allowed) = allowed {
                list.insert("allowed".into(), Value::Array(allowed));
            }
            if let Some(dry_run) = dry_run {
                list.insert("dry_run".into(), dry_run);
            }
            Value::Object(list)
        })
}

fn config() -> impl Strategy<Value = String> {
    let keys = proptest::collection::vec(
        prop_oneof![
            list().prop_map(|v| ("domains", v)),
            list().prop_map(|v| ("source_ips", v)),
            prop_oneof![Just(json!("or")), any_value()].prop_map(|v| ("condition", v)),
            any_value().prop_map(|v| ("max_entries", v)),
            any_value().prop_map(|v| ("dry_run", v)),
            any_value().prop_map(|v| ("deny_status", v)),
            list().prop_map(|v| (
                "projects",
                json!({"from": {"header": "x-p"}, "policies": {"a": {"domains": v}}})
            )),
            any_value().prop_map(|v| ("projects", json!({"from": v, "policies": {}}))),
            any_value().prop_map(|v| (
                "client_ip",
                json!({"from": "x_forwarded_for", "trusted_proxies": [v]})
            )),
            any_value().prop_map(|v| ("unknown_key", v)),
        ],
        0..5,
    );
    // Written by hand, so that a key may appear twice.
    keys.prop_map(|pairs| {
        let body: Vec<String> = pairs.iter().map(|(k, v)| format!("\"{k}\": {v}")).collect();
        format!("{{{}}}", body.join(", "))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn on_generated_configurations(text in config()) {
        assert_agree(&text);
    }
}

//! The bypass corpus (tests/corpus/) through the engine. The same cases run
//! through the CLI and real Envoy in tests/e2e/test_corpus.py; this file runs
//! natively and compiled to wasm32-wasip1.

use serde_json::Value;

use super::*;

const REQUESTS: &str = include_str!("../../tests/corpus/requests.json");
const CONFIGS: &str = include_str!("../../tests/corpus/configs.json");

/// The request as the client sent it, line by line, from its peer address;
/// the simulated request hands it over the way Envoy does.
fn request_for(case: &Value) -> SimulatedRequest {
    let peer = case["peer"].as_str().unwrap();
    let mut request = SimulatedRequest::default();
    request.set_source_address(if peer.contains(':') {
        format!("[{peer}]:40000")
    } else {
        format!("{peer}:40000")
    });
    for pair in case["headers"].as_array().unwrap() {
        request.add_line(pair[0].as_str().unwrap(), pair[1].as_str().unwrap());
    }
    request
}

#[test]
fn every_request_case_gets_its_expected_decision() {
    let corpus: Value = serde_json::from_str(REQUESTS).unwrap();
    let cases = corpus["cases"].as_array().unwrap();
    assert!(cases.len() >= 200);
    let mut wrong = Vec::new();
    for (index, case) in cases.iter().enumerate() {
        let policy_json = corpus["policies"][case["policy"].as_str().unwrap()].to_string();
        let policy = load_policy(policy_json.as_bytes()).unwrap().policy;
        let decision = policy.evaluate(&mut request_for(case));
        let got = if decision.allowed() { "allow" } else { "deny" };
        if got != case["expect"] {
            wrong.push(format!("case {index} ({}): got {got}: {case}", case["why"]));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn every_configuration_case_is_accepted_or_refused_as_expected() {
    let corpus: Value = serde_json::from_str(CONFIGS).unwrap();
    let cases = corpus["cases"].as_array().unwrap();
    assert!(cases.len() >= 80);
    let mut wrong = Vec::new();
    for (index, case) in cases.iter().enumerate() {
        let text = match case.get("raw") {
            Some(raw) => raw.as_str().unwrap().to_string(),
            None => case["config"].to_string(),
        };
        let loaded = load_policy(text.as_bytes());
        let outcome = match (&loaded, case["expect"].as_str().unwrap()) {
            (Ok(_), "ok") => Ok(()),
            (Err(errors), "error") => {
                let expected = case["error"].as_str().unwrap();
                if errors.iter().any(|e| e.to_string().contains(expected)) {
                    Ok(())
                } else {
                    Err(format!("errors {errors:?} do not mention {expected:?}"))
                }
            }
            (Ok(_), _) => Err("accepted".to_string()),
            (Err(errors), _) => Err(format!("refused: {errors:?}")),
        };
        if let Err(problem) = outcome {
            wrong.push(format!("case {index} ({}): {problem}", case["why"]));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

//! Reading the configuration's JSON while collecting every error with the
//! path of the field it concerns, instead of stopping at the first.

use std::fmt;

use serde_json::{Map, Value};

/// One thing wrong with the configuration, at one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub path: String,
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() {
            "configuration"
        } else {
            &self.path
        };
        write!(f, "{path}: {}", self.message)
    }
}

/// Errors and warnings gathered while reading.
#[derive(Debug, Default)]
pub struct Report {
    pub errors: Vec<FieldError>,
    pub warnings: Vec<String>,
}

impl Report {
    pub fn error(&mut self, path: &str, message: impl Into<String>) {
        self.errors.push(FieldError {
            path: path.to_string(),
            message: message.into(),
        });
    }

    pub fn warn(&mut self, path: &str, message: impl fmt::Display) {
        self.warnings.push(format!("{path}: {message}"));
    }

    /// The value as an object whose keys are all in `known`; unknown keys are errors.
    pub fn object<'a>(
        &mut self,
        value: &'a Value,
        path: &str,
        known: &[&str],
    ) -> Option<&'a Map<String, Value>> {
        let Some(map) = value.as_object() else {
            self.error(path, format!("must be an object, found {}", kind(value)));
            return None;
        };
        for key in map.keys().filter(|key| !known.contains(&key.as_str())) {
            let hint = closest(key, known)
                .map(|k| format!("did you mean \"{k}\"?"))
                .unwrap_or_else(|| format!("the known keys are {}", quoted_list(known)));
            self.error(&join(path, key), format!("unknown key; {hint}"));
        }
        Some(map)
    }

    /// An optional string field.
    pub fn string<'a>(
        &mut self,
        map: &'a Map<String, Value>,
        path: &str,
        key: &str,
    ) -> Option<&'a str> {
        let value = map.get(key)?;
        let text = value.as_str();
        if text.is_none() {
            self.error(
                &join(path, key),
                format!("must be a string, found {}", kind(value)),
            );
        }
        text
    }

    /// An optional string field that must be one of `choices`.
    pub fn choice<'a>(
        &mut self,
        map: &Map<String, Value>,
        path: &str,
        key: &str,
        choices: &[&'a str],
    ) -> Option<&'a str> {
        let text = self.string(map, path, key)?;
        let found = choices.iter().find(|c| **c == text).copied();
        if found.is_none() {
            let hint = closest(text, choices)
                .map(|c| format!("did you mean \"{c}\"?"))
                .unwrap_or_else(|| format!("use one of {}", quoted_list(choices)));
            self.error(
                &join(path, key),
                format!("\"{text}\" is not allowed; {hint}"),
            );
        }
        found
    }

    /// An optional boolean field.
    pub fn boolean(&mut self, map: &Map<String, Value>, path: &str, key: &str) -> Option<bool> {
        let value = map.get(key)?;
        let flag = value.as_bool();
        if flag.is_none() {
            self.error(
                &join(path, key),
                format!("must be true or false, found {}", kind(value)),
            );
        }
        flag
    }

    /// An optional array field.
    pub fn array<'a>(
        &mut self,
        map: &'a Map<String, Value>,
        path: &str,
        key: &str,
    ) -> Option<&'a Vec<Value>> {
        let value = map.get(key)?;
        let items = value.as_array();
        if items.is_none() {
            self.error(
                &join(path, key),
                format!("must be an array, found {}", kind(value)),
            );
        }
        items
    }
}

/// `parent.key`, or `key` at the top level.
pub fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

pub fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn quoted_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("\"{i}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The known word a typo most likely meant: same letters in another case, or
/// at most two edits away.
pub fn closest<'a>(typo: &str, known: &[&'a str]) -> Option<&'a str> {
    let lower = typo.to_ascii_lowercase().replace('-', "_");
    known
        .iter()
        .map(|k| (edit_distance(&lower, k), *k))
        .filter(|(distance, _)| *distance <= 2)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous.get(j).copied().unwrap_or(0) + usize::from(ca != *cb);
            let delete = previous.get(j + 1).copied().unwrap_or(0) + 1;
            let insert = current.get(j).copied().unwrap_or(0) + 1;
            current.push(substitute.min(delete).min(insert));
        }
        previous = current;
    }
    previous.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn typos_find_their_key() {
        let known = ["domains", "source_ips", "condition"];
        assert_eq!(closest("domain", &known), Some("domains"));
        assert_eq!(closest("source-ips", &known), Some("source_ips"));
        assert_eq!(closest("Condition", &known), Some("condition"));
        assert_eq!(closest("whatever", &known), None);
    }

    #[test]
    fn unknown_keys_and_wrong_types_are_all_reported() {
        let mut report = Report::default();
        let value = json!({"mode": 1, "allowd": [], "other": true});
        let map = report
            .object(&value, "domains", &["mode", "allowed"])
            .unwrap();
        report.string(map, "domains", "mode");
        let messages: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "domains.allowd: unknown key; did you mean \"allowed\"?",
                "domains.other: unknown key; the known keys are \"mode\", \"allowed\"",
                "domains.mode: must be a string, found a number",
            ]
        );
    }

    #[test]
    fn choices_suggest_the_intended_word() {
        let mut report = Report::default();
        let value = json!({"condition": "AND"});
        let map = value.as_object().unwrap();
        assert_eq!(report.choice(map, "", "condition", &["and", "or"]), None);
        assert_eq!(
            report.errors[0].to_string(),
            "condition: \"AND\" is not allowed; did you mean \"and\"?"
        );
    }
}

//! The configuration's bytes as a JSON document. serde_json keeps the last
//! of two equal keys, so `{"source_ips": {"mode": "listed", ...},
//! "source_ips": {"mode": "all"}}` would silently enforce nothing: every
//! duplicate key is an error here, at its path.

use std::cell::RefCell;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use super::path::Path;
use super::report::{FieldError, Report};

/// The document, or `None` when the bytes are not JSON (reported).
pub fn parse_json(bytes: &[u8], report: &mut Report) -> Option<Value> {
    let duplicates = RefCell::new(Vec::new());
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let parsed = Node {
        path: Path::Root,
        duplicates: &duplicates,
    }
    .deserialize(&mut deserializer)
    .and_then(|value| deserializer.end().map(|()| value));
    match parsed {
        Ok(value) => {
            report.errors.extend(duplicates.into_inner());
            Some(value)
        }
        Err(error) => {
            report.errors.push(syntax_error(bytes, &error));
            None
        }
    }
}

fn syntax_error(bytes: &[u8], error: &serde_json::Error) -> FieldError {
    let mut message = format!("is not valid JSON ({error})");
    if bytes.starts_with("\u{feff}".as_bytes()) {
        message.push_str("; it starts with a byte order mark (U+FEFF): save the file without it");
    } else if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        message.push_str(
            "; pass the configuration as a google.protobuf.StringValue holding JSON (a google.protobuf.Struct arrives as binary protobuf)",
        );
    }
    FieldError {
        path: String::new(),
        message,
    }
}

/// Builds one JSON value, noting duplicate keys instead of overwriting.
struct Node<'a> {
    path: Path<'a>,
    duplicates: &'a RefCell<Vec<FieldError>>,
}

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        Ok(Number::from_f64(value).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_string()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Node {
            path: Path::Index(&self.path, items.len()),
            duplicates: self.duplicates,
        })? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(Node {
                path: Path::Field(&self.path, &key),
                duplicates: self.duplicates,
            })?;
            if object.contains_key(&key) {
                self.duplicates.borrow_mut().push(FieldError {
                    path: Path::Field(&self.path, &key).render(),
                    message: "is given twice in the same object; only one would count, so neither is trusted: keep one".into(),
                });
            } else {
                object.insert(key, value);
            }
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(json: &str) -> Vec<String> {
        let mut report = Report::default();
        parse_json(json.as_bytes(), &mut report);
        report.errors.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn every_duplicate_key_is_named_by_its_path() {
        assert_eq!(
            errors(r#"{"a": {"b": [{"c": 1, "c": 2}]}, "d": 1, "d": {}, "a": 3}"#),
            [
                "a.b[0].c: is given twice in the same object; only one would count, so neither is trusted: keep one",
                "d: is given twice in the same object; only one would count, so neither is trusted: keep one",
                "a: is given twice in the same object; only one would count, so neither is trusted: keep one",
            ]
        );
        assert!(errors(r#"{"a": 1, "b": {"a": 1}}"#).is_empty());
    }

    #[test]
    fn trailing_bytes_and_bad_syntax_are_refused() {
        assert!(errors("{} {}")[0].contains("is not valid JSON"));
        assert!(errors("{\"a\": ")[0].contains("is not valid JSON"));
    }
}

//! The configuration's bytes as a JSON document: a compact tree that borrows
//! its strings from the bytes (a configuration of 100,000 projects is tens
//! of megabytes, and a Wasm VM's memory never shrinks once grown), with
//! objects kept in their written order. serde_json keeps the last of two
//! equal keys, so `{"source_ips": {"mode": "listed", ...}, "source_ips":
//! {"mode": "all"}}` would silently enforce nothing: every duplicate key is
//! an error here, at its path.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::path::Path;
use super::report::{FieldError, Report};

/// One JSON value. Strings without escapes borrow from the document.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonValue<'a> {
    Null,
    Bool(bool),
    Number(JsonNumber),
    String(Cow<'a, str>),
    /// Boxed slices: no spare capacity once built.
    Array(Box<[JsonValue<'a>]>),
    /// In written order; a key given twice is reported when parsing.
    Object(Box<[(Cow<'a, str>, JsonValue<'a>)]>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum JsonNumber {
    Unsigned(u64),
    Negative(i64),
    Float(f64),
}

/// The document, or `None` when the bytes are not JSON (reported).
pub fn parse_json<'a>(bytes: &'a [u8], report: &mut Report) -> Option<JsonValue<'a>> {
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

/// Builds one JSON value, noting duplicate keys.
struct Node<'p> {
    path: Path<'p>,
    duplicates: &'p RefCell<Vec<FieldError>>,
}

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = JsonValue<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_> {
    type Value = JsonValue<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Self::Value, E> {
        Ok(JsonValue::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Self::Value, E> {
        Ok(JsonValue::Number(match u64::try_from(value) {
            Ok(unsigned) => JsonNumber::Unsigned(unsigned),
            Err(_) => JsonNumber::Negative(value),
        }))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Self::Value, E> {
        Ok(JsonValue::Number(JsonNumber::Unsigned(value)))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Self::Value, E> {
        Ok(JsonValue::Number(JsonNumber::Float(value)))
    }

    fn visit_borrowed_str<E>(self, value: &'de str) -> Result<Self::Value, E> {
        Ok(JsonValue::String(Cow::Borrowed(value)))
    }

    fn visit_str<E>(self, value: &str) -> Result<Self::Value, E> {
        Ok(JsonValue::String(Cow::Owned(value.to_string())))
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(JsonValue::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Node {
            path: Path::Index(&self.path, items.len()),
            duplicates: self.duplicates,
        })? {
            items.push(item);
        }
        Ok(JsonValue::Array(items.into_boxed_slice()))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries: Vec<(Cow<'de, str>, JsonValue<'de>)> = Vec::new();
        while let Some(key) = map.next_key_seed(Key)? {
            let value = map.next_value_seed(Node {
                path: Path::Field(&self.path, &key),
                duplicates: self.duplicates,
            })?;
            entries.push((key, value));
        }
        self.report_duplicates(&entries);
        Ok(JsonValue::Object(entries.into_boxed_slice()))
    }
}

impl Node<'_> {
    /// Every key given again after its first time, in written order.
    fn report_duplicates(&self, entries: &[(Cow<'_, str>, JsonValue<'_>)]) {
        let mut order: Vec<usize> = (0..entries.len()).collect();
        order.sort_by(|a, b| {
            let key = |i: &usize| entries.get(*i).map(|(k, _)| k);
            key(a).cmp(&key(b)).then(a.cmp(b))
        });
        let mut repeated: Vec<usize> = order
            .windows(2)
            .filter_map(|pair| match pair {
                [first, second]
                    if entries.get(*first).map(|e| &e.0) == entries.get(*second).map(|e| &e.0) =>
                {
                    Some(*second)
                }
                _ => None,
            })
            .collect();
        repeated.sort_unstable();
        for i in repeated {
            if let Some((key, _)) = entries.get(i) {
                self.duplicates.borrow_mut().push(FieldError {
                    path: Path::Field(&self.path, key).render(),
                    message: "is given twice in the same object; only one would count, so neither is trusted: keep one".into(),
                });
            }
        }
    }
}

/// An object's key, borrowed from the document when it has no escapes.
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_borrowed_str<E>(self, value: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(value))
    }

    fn visit_str<E>(self, value: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(value.to_string()))
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
        assert_eq!(
            errors(r#"{"\u006dode": 1, "mode": 2}"#).len(),
            1,
            "escapes decode first"
        );
    }

    #[test]
    fn strings_borrow_from_the_document_unless_escaped() {
        let mut report = Report::default();
        let value = parse_json(br#"{"plain": "a", "escaped": "\u0062"}"#, &mut report).unwrap();
        let JsonValue::Object(entries) = value else {
            panic!("an object");
        };
        assert!(matches!(
            &entries[0].1,
            JsonValue::String(Cow::Borrowed("a"))
        ));
        assert!(matches!(&entries[1].1, JsonValue::String(Cow::Owned(b)) if b == "b"));
    }

    #[test]
    fn trailing_bytes_and_bad_syntax_are_refused() {
        assert!(errors("{} {}")[0].contains("is not valid JSON"));
        assert!(errors("{\"a\": ")[0].contains("is not valid JSON"));
    }
}

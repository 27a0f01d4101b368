//! Reading a JSON document into the typed configuration with serde, without
//! stopping at the first mistake. A serde deserializer over the document
//! that, where a value has the wrong type or a key is unknown, reports it
//! at its path and hands the type a stand-in (false, 0, "", empty) so that
//! reading goes on and every mistake is reported at once. The stand-ins
//! never serve: a configuration with any error is refused.

use std::cell::RefCell;
use std::fmt;

use serde::de::value::{BorrowedStrDeserializer, StrDeserializer};
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor,
};

use super::json_value::{JsonNumber, JsonValue as Value};

use super::path::Path;
use super::report::{closest, quoted_list, FieldError, Report};

/// Reads `value` into `T`; every problem goes to `report`.
pub fn read<T: DeserializeOwned + Default>(value: &Value<'_>, report: &mut Report) -> T {
    let found = RefCell::new(Vec::new());
    let result = T::deserialize(ValueReader {
        value,
        path: &Path::Root,
        found: &found,
    });
    report.errors.extend(found.into_inner());
    result.unwrap_or_else(|error| {
        // Only a type's own visitor can fail (the reader never does); the
        // configuration types have none that can.
        report.error("", error.0);
        T::default()
    })
}

/// An error a type's own visitor raised.
#[derive(Debug)]
pub struct ReadError(String);

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ReadError {}

impl de::Error for ReadError {
    fn custom<T: fmt::Display>(message: T) -> Self {
        ReadError(message.to_string())
    }
}

type Found = RefCell<Vec<FieldError>>;

/// One value of the document, at its path.
struct ValueReader<'a, 'de> {
    value: &'de Value<'de>,
    path: &'a Path<'a>,
    found: &'a Found,
}

/// What a JSON value is, for "found ..." in messages.
pub fn kind(value: &Value<'_>) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl<'a, 'de> ValueReader<'a, 'de> {
    fn report(&self, message: String) {
        self.found.borrow_mut().push(FieldError {
            path: self.path.render(),
            message,
        });
    }

    /// Reports that the value is not `expected`.
    fn mismatch(&self, expected: &str) {
        self.report(format!("must be {expected}, found {}", kind(self.value)));
    }

    fn child(&self, value: &'de Value<'de>, path: &'a Path<'a>) -> ValueReader<'a, 'de> {
        ValueReader {
            value,
            path,
            found: self.found,
        }
    }
}

impl<'de> de::Deserializer<'de> for ValueReader<'_, 'de> {
    type Error = ReadError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match self.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(JsonNumber::Unsigned(u)) => visitor.visit_u64(*u),
            Value::Number(JsonNumber::Negative(i)) => visitor.visit_i64(*i),
            Value::Number(JsonNumber::Float(f)) => visitor.visit_f64(*f),
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Array(items) => visitor.visit_seq(Items::new(items, self.path, self.found)),
            Value::Object(map) => visitor.visit_map(Entries::all(map, self.path, self.found)),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match self.value {
            Value::Bool(b) => visitor.visit_bool(*b),
            _ => {
                self.mismatch("true or false");
                visitor.visit_bool(false)
            }
        }
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match self.value {
            Value::Number(JsonNumber::Unsigned(n)) => visitor.visit_u64(*n),
            _ => {
                let found = match self.value {
                    Value::Number(JsonNumber::Negative(negative)) => negative.to_string(),
                    Value::Number(JsonNumber::Float(f)) if f.fract() == 0.0 && f.abs() < 1e15 => {
                        // Written with a fraction or an exponent (25.0, 2.5e1).
                        format!("{}: write it without a fraction or exponent", *f as i64)
                    }
                    Value::Number(_) => "a fraction or a number out of range".into(),
                    other => kind(other).into(),
                };
                self.report(format!("must be a whole number, found {found}"));
                visitor.visit_u64(0)
            }
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match self.value {
            Value::String(s) => visitor.visit_borrowed_str(s),
            _ => {
                self.mismatch("a string");
                visitor.visit_str("")
            }
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        self.deserialize_str(visitor)
    }

    /// `null` is not "absent": an optional field that is present must hold
    /// its type (an absent one never reaches the reader).
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        visitor.visit_some(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match self.value {
            Value::Array(items) => visitor.visit_seq(Items::new(items, self.path, self.found)),
            _ => {
                self.mismatch("an array");
                visitor.visit_seq(Items::new(&[], self.path, self.found))
            }
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match self.value {
            Value::Object(map) => visitor.visit_map(Entries::all(map, self.path, self.found)),
            _ => {
                self.mismatch("an object");
                visitor.visit_map(Entries::none(self.path, self.found))
            }
        }
    }

    /// An object with known keys: each unknown key is reported with the key
    /// it probably meant, and the known ones are read in declaration order.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ReadError> {
        let Value::Object(map) = self.value else {
            self.mismatch("an object");
            return visitor.visit_map(Entries::none(self.path, self.found));
        };
        for key in map
            .iter()
            .map(|(key, _)| key)
            .filter(|key| !fields.contains(&key.as_ref()))
        {
            let hint = closest(key, fields)
                .map(|k| format!("did you mean \"{k}\"?"))
                .unwrap_or_else(|| format!("the known keys are {}", quoted_list(fields)));
            self.child(self.value, &Path::Field(self.path, key))
                .report(format!("unknown key; {hint}"));
        }
        visitor.visit_map(Entries::known(map, fields, self.path, self.found))
    }

    /// A string naming one of `variants`; anything else is reported with
    /// the word probably meant.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ReadError> {
        let stand_in = variants.first().copied().unwrap_or_default();
        let Value::String(text) = self.value else {
            self.mismatch("a string");
            return visitor.visit_enum(StrDeserializer::<ReadError>::new(stand_in));
        };
        if variants.contains(&text.as_ref()) {
            return visitor.visit_enum(BorrowedStrDeserializer::<ReadError>::new(text.as_ref()));
        }
        let hint = closest(text.as_ref(), variants)
            .map(|v| format!("did you mean \"{v}\"?"))
            .unwrap_or_else(|| format!("use one of {}", quoted_list(variants)));
        let what = match name {
            "DomainSource" => "a source",
            _ => "allowed",
        };
        self.report(format!("\"{text}\" is not {what}; {hint}"));
        visitor.visit_enum(StrDeserializer::<ReadError>::new(stand_in))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ReadError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i32 i64 i128 u8 u16 u32 u128 f32 f64 char bytes byte_buf
        unit unit_struct tuple tuple_struct identifier
    }
}

/// The items of an array, each at its index.
struct Items<'a, 'de> {
    items: std::slice::Iter<'de, Value<'de>>,
    index: usize,
    path: &'a Path<'a>,
    found: &'a Found,
}

impl<'a, 'de> Items<'a, 'de> {
    fn new(items: &'de [Value<'de>], path: &'a Path<'a>, found: &'a Found) -> Self {
        Items {
            items: items.iter(),
            index: 0,
            path,
            found,
        }
    }
}

impl<'de> SeqAccess<'de> for Items<'_, 'de> {
    type Error = ReadError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, ReadError> {
        let Some(value) = self.items.next() else {
            return Ok(None);
        };
        let path = Path::Index(self.path, self.index);
        self.index += 1;
        seed.deserialize(ValueReader {
            value,
            path: &path,
            found: self.found,
        })
        .map(Some)
    }
}

/// The entries of an object: all of them (a map), or only the known keys
/// of a struct, in the struct's order.
struct Entries<'a, 'de> {
    entries: Vec<&'de (std::borrow::Cow<'de, str>, Value<'de>)>,
    next: usize,
    path: &'a Path<'a>,
    found: &'a Found,
}

type Object<'de> = [(std::borrow::Cow<'de, str>, Value<'de>)];

impl<'a, 'de> Entries<'a, 'de> {
    fn all(map: &'de Object<'de>, path: &'a Path<'a>, found: &'a Found) -> Self {
        Entries {
            entries: map.iter().collect(),
            next: 0,
            path,
            found,
        }
    }

    fn known(
        map: &'de Object<'de>,
        fields: &'static [&'static str],
        path: &'a Path<'a>,
        found: &'a Found,
    ) -> Self {
        Entries {
            entries: fields
                .iter()
                .filter_map(|field| map.iter().find(|(key, _)| key == field))
                .collect(),
            next: 0,
            path,
            found,
        }
    }

    fn none(path: &'a Path<'a>, found: &'a Found) -> Self {
        Entries {
            entries: Vec::new(),
            next: 0,
            path,
            found,
        }
    }

    fn current(&self) -> Option<&'de (std::borrow::Cow<'de, str>, Value<'de>)> {
        self.entries.get(self.next).copied()
    }
}

impl<'de> MapAccess<'de> for Entries<'_, 'de> {
    type Error = ReadError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, ReadError> {
        match self.current() {
            Some((key, _)) => seed
                .deserialize(BorrowedStrDeserializer::<ReadError>::new(key.as_ref()))
                .map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, ReadError> {
        let (key, value) = self
            .current()
            .ok_or_else(|| <ReadError as de::Error>::custom("a value without its key"))?;
        self.next += 1;
        let path = Path::Field(self.path, key);
        seed.deserialize(ValueReader {
            value,
            path: &path,
            found: self.found,
        })
    }
}

impl<'de> IntoDeserializer<'de, ReadError> for ValueReader<'_, 'de> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::config::json_value::parse_json;
    use crate::engine::config::model::{Config, ListConfig, Mode};
    use serde_json::json;

    fn read_config(value: serde_json::Value) -> (Config, Vec<String>) {
        let mut report = Report::default();
        let text = value.to_string();
        let value = parse_json(text.as_bytes(), &mut report).unwrap();
        let config: Config = read(&value, &mut report);
        (
            config,
            report.errors.iter().map(ToString::to_string).collect(),
        )
    }

    #[test]
    fn unknown_keys_and_wrong_types_are_all_reported() {
        let (_, errors) = read_config(json!({"domains": {"mode": 1, "allowd": [], "other": true}}));
        assert_eq!(
            errors,
            [
                "domains.allowd: unknown key; did you mean \"allowed\"?",
                "domains.other: unknown key; the known keys are \"mode\", \"allowed\", \"dry_run\"",
                "domains.mode: must be a string, found a number",
            ]
        );
    }

    #[test]
    fn choices_suggest_the_intended_word() {
        let (_, errors) = read_config(json!({"condition": "AND", "domain_sources": ["referrer"]}));
        assert_eq!(
            errors,
            [
                "condition: \"AND\" is not allowed; did you mean \"and\"?",
                "domain_sources[0]: \"referrer\" is not a source; did you mean \"referer\"?",
            ]
        );
    }

    #[test]
    fn reading_goes_on_past_a_mistake() {
        let (config, errors) = read_config(json!({
            "dry_run": "yes",
            "source_ips": {"mode": "listed", "allowed": [{"ip": 7}, {"name": null, "ip": "10.0.0.0/8"}, "x"]},
            "max_entries": -3,
        }));
        assert_eq!(
            errors,
            [
                "source_ips.allowed[0].ip: must be a string, found a number",
                "source_ips.allowed[1].name: must be a string, found null",
                "source_ips.allowed[2]: must be an object, found a string",
                "max_entries: must be a whole number, found -3",
                "dry_run: must be true or false, found a string",
            ]
        );
        let ListConfig { mode, allowed, .. } = config.source_ips.unwrap();
        assert_eq!(mode, Some(Mode::Listed));
        assert_eq!(allowed.unwrap()[1].ip.as_deref(), Some("10.0.0.0/8"));
    }
}

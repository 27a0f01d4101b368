//! A request described on the command line, presented to the engine the way
//! Envoy presents a live one.

use proxy_allowlist::engine::{Attribute, Fetched, Request};

pub struct CliRequest {
    /// Lowercase names; repeated headers already joined with ','.
    headers: Vec<(String, String)>,
    source: Option<String>,
}

impl Default for CliRequest {
    fn default() -> Self {
        CliRequest {
            // Envoy sets :scheme on every request; a plain listener says http.
            headers: vec![(":scheme".into(), "http".into())],
            source: None,
        }
    }
}

impl CliRequest {
    /// `Name: value`; `Host` becomes `:authority`, as Envoy does for HTTP/1.
    pub fn add_header(&mut self, header: &str) -> Result<(), String> {
        // Skip a leading ':' so pseudo-headers such as ':scheme: https' split right.
        let split_at = header
            .char_indices()
            .skip(1)
            .find(|(_, c)| *c == ':')
            .map(|(i, _)| i)
            .ok_or_else(|| format!("header {header:?} is not 'Name: value'"))?;
        let (name, value) = header.split_at(split_at);
        let name = match name.trim().to_ascii_lowercase().as_str() {
            "host" => ":authority".to_string(),
            other => other.to_string(),
        };
        let value = value.get(1..).unwrap_or_default().trim().to_string();
        match self.headers.iter_mut().find(|(n, _)| *n == name) {
            // Pseudo-headers are single; a new one replaces the default.
            Some((_, existing)) if name.starts_with(':') => *existing = value,
            Some((_, existing)) => {
                existing.push(',');
                existing.push_str(&value);
            }
            None => self.headers.push((name, value)),
        }
        Ok(())
    }

    pub fn set_source(&mut self, source: String) {
        self.source = Some(source);
    }
}

impl Request for CliRequest {
    fn fetch(&mut self, attribute: Attribute) -> Fetched {
        let value = match attribute.header_name() {
            Some(name) => self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v),
            None => self.source.as_ref(),
        };
        value.map_or(Fetched::Absent, |v| Fetched::Present(v.as_bytes().to_vec()))
    }
}

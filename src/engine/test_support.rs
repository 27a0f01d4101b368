//! Test support: a request made of given values, which records what the
//! engine asked for (so tests can prove what a decision did not read), and
//! the errors of a configuration as text.

use super::policy_loader::load_policy;
use super::request::{Attribute, Fetched, Request};

/// Every error of a configuration that must be refused, as users see them.
pub fn load_errors(json: &str) -> Vec<String> {
    match load_policy(json.as_bytes()) {
        Ok(_) => panic!("accepted: {json}"),
        Err(errors) => errors.iter().map(ToString::to_string).collect(),
    }
}

#[derive(Default)]
pub struct FakeRequest {
    values: Vec<(String, Fetched)>,
    /// Header names, or `source.address`, in the order they were fetched.
    pub asked: Vec<String>,
}

fn key(attribute: Attribute<'_>) -> String {
    attribute
        .header_name()
        .unwrap_or("source.address")
        .to_string()
}

impl FakeRequest {
    pub fn with(self, attribute: Attribute<'_>, value: &str) -> Self {
        self.fetched(attribute, Fetched::Present(value.as_bytes().to_vec()))
    }

    pub fn fetched(mut self, attribute: Attribute<'_>, fetched: Fetched) -> Self {
        self.values.push((key(attribute), fetched));
        self
    }

    pub fn origin(self, value: &str) -> Self {
        self.with(Attribute::Origin, value)
    }

    pub fn from(self, address: &str) -> Self {
        self.with(Attribute::SourceAddress, address)
    }

    pub fn forwarded_for(self, value: &str) -> Self {
        self.with(Attribute::XForwardedFor, value)
    }
}

impl Request for FakeRequest {
    fn fetch(&mut self, attribute: Attribute<'_>) -> Fetched {
        let key = key(attribute);
        let found = self.values.iter().find(|(k, _)| *k == key);
        let value = found.map_or(Fetched::Absent, |(_, v)| v.clone());
        self.asked.push(key);
        value
    }
}

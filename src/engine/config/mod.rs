//! Loading the filter's configuration, once per configuration: JSON (with
//! duplicate keys refused), read into typed structs, checked, and compiled
//! into a [`Policy`]. Every error is reported at once, each at its field's
//! path with what was probably meant.

mod check;
mod compile;
mod json_value;
pub mod model;
mod path;
mod reader;
mod report;

pub use check::{DEFAULT_MAX_ENTRIES, MAX_MAX_ENTRIES};
pub use report::{count, FieldError};

use super::policy::Policy;
use check::NOTHING_ENFORCED;
use report::Report;

/// A policy ready to serve, with the warnings its configuration raised.
#[derive(Debug)]
pub struct LoadedPolicy {
    pub policy: Policy,
    pub warnings: Vec<String>,
}

/// Loads a configuration. Empty input (no configuration) allows everything.
pub fn load_policy(bytes: &[u8]) -> Result<LoadedPolicy, Vec<FieldError>> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(LoadedPolicy {
            policy: Policy::default(),
            warnings: vec![format!("configuration: empty; {NOTHING_ENFORCED}")],
        });
    }
    let mut report = Report::default();
    let Some(value) = json_value::parse_json(bytes, &mut report) else {
        return Err(report.errors);
    };
    let config: model::Config = reader::read(&value, &mut report);
    let checked = check::check(&config, &mut report);
    if !report.errors.is_empty() {
        return Err(report.errors);
    }
    let policy = compile::compile(checked, &mut report);
    check::warn_about_the_whole(&config, &policy, &mut report);
    Ok(LoadedPolicy {
        policy,
        warnings: report.warnings,
    })
}

#[cfg(test)]
mod load_tests;

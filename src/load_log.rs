//! What the filter logs about a configuration it loads or refuses, in both
//! builds alike (each routes the `log` crate to Envoy's log): every warning,
//! one summary line, or every error in one line.

use log::{error, info, warn};

use crate::engine::{FieldError, LoadedPolicy};

/// Errors and warnings logged one by one at most; a configuration of many
/// projects can have thousands.
const MOST_LOGGED: usize = 50;

/// Logs a loaded configuration; `build_note` ends the summary line
/// (", Wasm memory 2 MiB").
pub fn log_loaded(loaded: &LoadedPolicy, build_note: &str) {
    for warning in loaded.warnings.iter().take(MOST_LOGGED) {
        warn!("proxy-allowlist: {warning}");
    }
    if let Some(more) = loaded
        .warnings
        .len()
        .checked_sub(MOST_LOGGED)
        .filter(|n| *n > 0)
    {
        warn!("proxy-allowlist: ... and {more} more warning(s); `proxy-allowlist validate` lists them all");
    }
    info!(
        "proxy-allowlist: policy loaded: {}, dry_run: {}, {} warning(s){build_note}",
        loaded.policy,
        loaded.policy.dry_run,
        loaded.warnings.len(),
    );
}

/// Logs a refused configuration, with its errors.
pub fn log_rejected(errors: &[FieldError]) {
    let mut listed: Vec<String> = errors
        .iter()
        .take(MOST_LOGGED)
        .map(ToString::to_string)
        .collect();
    if errors.len() > MOST_LOGGED {
        listed.push(format!(
            "... and {} more; `proxy-allowlist validate` lists them all",
            errors.len() - MOST_LOGGED
        ));
    }
    error!(
        "proxy-allowlist: configuration rejected, {} error(s): {}",
        errors.len(),
        listed.join("; ")
    );
}

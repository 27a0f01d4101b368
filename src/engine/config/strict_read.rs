//! The common case, read fast: a configuration without a single mistake
//! goes straight from its bytes into the typed configuration, without the
//! JSON document the error-collecting reader walks. For 100,000 projects
//! that document is many times the size of the policy it describes, and a
//! Wasm VM's memory never shrinks once grown. Anything this cannot read (a
//! mistake, a duplicate key, a `null`) is read again by the reader that
//! reports every error at its path.

use super::model::Config;

/// The configuration, or `None` when it has anything to report.
pub fn read_strictly(bytes: &[u8]) -> Result<Config, String> {
    if has_null(bytes) {
        // serde's Option takes `null` for "absent"; the configuration refuses it.
        return Err("a null value".into());
    }
    // serde reports a struct's duplicate field, ProjectPolicies a duplicate
    // project, deny_unknown_fields an unknown key.
    serde_json::from_slice(bytes).map_err(|error| error.to_string())
}

/// Whether a `null` stands anywhere outside a string. Outside strings, a
/// JSON document has no other `n`.
fn has_null(bytes: &[u8]) -> bool {
    let mut in_string = false;
    let mut escaped = false;
    for &byte in bytes {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
        } else if byte == b'"' {
            in_string = true;
        } else if byte == b'n' {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nulls_outside_strings_are_found() {
        assert!(has_null(br#"{"dry_run": null}"#));
        assert!(has_null(br#"[1,null]"#));
        assert!(!has_null(br#"{"name": "null \"n\" \\", "mode": "listed"}"#));
        assert!(has_null(br#"{"name": "a\\", "x": null}"#));
    }

    #[test]
    fn only_a_flawless_configuration_reads_strictly() {
        assert!(read_strictly(
            br#"{"domains": {"mode": "listed", "allowed": [{"domain": "a.com"}]}}"#
        )
        .is_ok());
        for flawed in [
            r#"{"domains": {"mode": "listed", "mode": "all"}}"#,
            r#"{"projects": {"from": {"header": "x"}, "policies": {"a": {}, "a": {}}}}"#,
            r#"{"domain": {}}"#,
            r#"{"dry_run": null}"#,
            r#"{"max_entries": 25.0}"#,
            r#"{"max_entries": -1}"#,
            r#"{"condition": "AND"}"#,
        ] {
            assert!(read_strictly(flawed.as_bytes()).is_err(), "{flawed}");
        }
    }
}

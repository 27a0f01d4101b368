//! Wildcards over a public suffix: `*.github.io`, `*.vercel.app`, `*.co.uk`
//! let anyone who can register a name under the suffix call the API. Told
//! from the Public Suffix List (the `psl` crate) in native builds, which
//! run the CLI's `validate` and `check`. The list would make the Wasm module
//! about 930 KB instead of 270 KB, so the filter itself does not carry it.

/// Whether `host` (a wildcard entry's base, `github.io` for `*.github.io`)
/// is itself a public suffix.
#[cfg(not(target_arch = "wasm32"))]
pub fn is_public_suffix(host: &str) -> bool {
    psl::suffix(host.as_bytes()).is_some_and(|suffix| {
        suffix.is_known() && suffix.as_bytes().eq_ignore_ascii_case(host.as_bytes())
    })
}

#[cfg(target_arch = "wasm32")]
pub fn is_public_suffix(_host: &str) -> bool {
    false
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn suffixes_anyone_can_register_under() {
        for suffix in [
            "github.io",
            "vercel.app",
            "co.uk",
            "s3.amazonaws.com",
            "com",
        ] {
            assert!(is_public_suffix(suffix), "{suffix}");
        }
        for name in [
            "example.com",
            "app.github.io",
            "example.co.uk",
            "corp.internal",
        ] {
            assert!(!is_public_suffix(name), "{name}");
        }
    }
}

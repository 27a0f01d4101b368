//! What loading a configuration found: every error, each at the path of the
//! field it concerns, and the warnings; with the suggestions errors make.

use std::fmt;

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

/// Errors and warnings gathered while loading.
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

    /// Whether an error was reported at exactly `path`: a field that was
    /// present but unreadable, whose stand-in value must not raise more.
    pub fn has_error_at(&self, path: &str) -> bool {
        self.errors.iter().any(|error| error.path == path)
    }

    /// [`Report::has_error_at`], formatting the path only when there are
    /// errors at all (most loads have none, and many thousands of lists).
    pub fn failed_at(&self, path: impl FnOnce() -> String) -> bool {
        !self.errors.is_empty() && self.has_error_at(&path())
    }
}

/// `"a", "b", "c"`.
pub fn quoted_list(items: &[&str]) -> String {
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

/// `1 entry`, `2 entries`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_their_key() {
        let known = ["domains", "source_ips", "condition"];
        assert_eq!(closest("domain", &known), Some("domains"));
        assert_eq!(closest("source-ips", &known), Some("source_ips"));
        assert_eq!(closest("Condition", &known), Some("condition"));
        assert_eq!(closest("whatever", &known), None);
    }
}

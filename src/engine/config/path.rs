//! Paths to configuration fields as errors name them:
//! `domains.allowed[0].domain`, `projects.policies["checkout-web"].condition`.

use std::fmt;

/// `parent.key`, or `parent["key"]` when the key is not a plain name (a
/// project id with a hyphen, say), or `key` at the top.
pub fn field(parent: &str, key: &str) -> String {
    let mut path = parent.to_string();
    push_field(&mut path, key);
    path
}

/// `parent[index]`.
pub fn index(parent: &str, index: usize) -> String {
    format!("{parent}[{index}]")
}

fn push_field(path: &mut String, key: &str) {
    let plain = key
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if plain {
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(key);
    } else {
        path.push_str(&format!("[{}]", super::super::quoted::Quoted(key)));
    }
}

/// A path built while walking a document, rendered only when something is
/// reported there (loading thousands of entries must not format thousands
/// of paths).
#[derive(Clone, Copy)]
pub enum Path<'a> {
    Root,
    Field(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl Path<'_> {
    pub fn render(&self) -> String {
        match self {
            Path::Root => String::new(),
            Path::Field(parent, key) => field(&parent.render(), key),
            Path::Index(parent, i) => index(&parent.render(), *i),
        }
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_plain_keys_with_dots_and_others_in_brackets() {
        let root = Path::Root;
        let projects = Path::Field(&root, "projects");
        let policies = Path::Field(&projects, "policies");
        let project = Path::Field(&policies, "checkout-web");
        let allowed = Path::Field(&project, "allowed");
        assert_eq!(
            Path::Index(&allowed, 0).render(),
            "projects.policies[\"checkout-web\"].allowed[0]"
        );
        assert_eq!(field("", "domains"), "domains");
        assert_eq!(
            field("projects.policies", "partner_sync"),
            "projects.policies.partner_sync"
        );
        assert_eq!(field("", "a\"b"), "[\"a\\\"b\"]");
    }
}

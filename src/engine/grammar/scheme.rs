//! `scheme://`: the two schemes an allowlist speaks of, and where a URL's
//! scheme ends.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    Http,
    Https,
}

impl Scheme {
    /// `http` or `https`, in any letter case.
    pub fn parse(text: &str) -> Option<Scheme> {
        if text.eq_ignore_ascii_case("http") {
            Some(Scheme::Http)
        } else if text.eq_ignore_ascii_case("https") {
            Some(Scheme::Https)
        } else {
            None
        }
    }

    pub fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }
}

/// `scheme://rest` split at the first `://`: (scheme text, rest). The
/// scheme text is whatever precedes it; callers judge it.
pub fn split_scheme(text: &str) -> Option<(&str, &str)> {
    text.split_once("://")
}

/// A URL scheme as RFC 3986 writes it: a letter, then letters, digits, `+`, `-`, `.`.
pub fn is_scheme_token(text: &str) -> bool {
    let mut bytes = text.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_ignore_case() {
        assert_eq!(Scheme::parse("HTTPS"), Some(Scheme::Https));
        assert_eq!(Scheme::parse("ftp"), None);
        assert_eq!(Scheme::Https.default_port(), 443);
    }

    #[test]
    fn splits_at_the_first_separator() {
        assert_eq!(
            split_scheme("https://a.com/x://y"),
            Some(("https", "a.com/x://y"))
        );
        assert_eq!(split_scheme("about:blank"), None);
        assert!(is_scheme_token("chrome-extension"));
        assert!(!is_scheme_token("1http"));
        assert!(!is_scheme_token(""));
    }
}

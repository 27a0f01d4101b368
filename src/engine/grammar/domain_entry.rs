//! One entry of the Domain allowlist: `[scheme://][*.]host[:port]`.

use super::authority::{parse_port, split_authority, AuthorityError};
use super::host::{parse_host, Host, HostKind};
use super::scheme::{split_scheme, Scheme};
use crate::engine::quoted::Quoted;

/// A parsed domain entry. `scheme` and `port` are constraints; `None` accepts any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainEntry {
    pub wildcard: bool,
    pub host: Host,
    pub scheme: Option<Scheme>,
    pub port: Option<u16>,
}

/// Parses an entry, or says what is wrong with it and what was probably meant.
pub fn parse_domain_entry(text: &str) -> Result<DomainEntry, String> {
    let quoted = Quoted(text);
    if text.is_empty() {
        return Err("is empty; write a domain such as \"app.example.com\"".into());
    }
    if text.chars().any(char::is_whitespace) {
        return Err(format!(
            "{quoted} contains whitespace; did you mean {}?",
            Quoted(&text.split_whitespace().collect::<String>())
        ));
    }
    if !text.is_ascii() {
        return Err(format!(
            "{quoted} has non-ASCII characters; write an internationalized name in its ASCII (xn--) form"
        ));
    }
    if text.chars().any(|c| c.is_ascii_control()) {
        return Err(format!("{quoted} has control characters"));
    }
    let (scheme, rest) = match split_scheme(text) {
        Some((scheme_text, rest)) => {
            let scheme = Scheme::parse(scheme_text).ok_or_else(|| {
                format!(
                    "{quoted} has the scheme \"{scheme_text}\"; only http:// and https:// may be written, or no scheme for both"
                )
            })?;
            (Some(scheme), rest)
        }
        None => (None, text),
    };
    check_no_url_parts(text, scheme, rest)?;
    let (host_text, port_text) = split_authority(rest).map_err(|e| describe(text, &e))?;
    let port = port_text
        .map(parse_port)
        .transpose()
        .map_err(|e| describe(text, &e))?;
    let (wildcard, host_text) = split_wildcard(text, host_text)?;
    let host = parse_host(host_text).map_err(|e| describe(text, &AuthorityError::Host(e)))?;
    if wildcard && host.kind != HostKind::Name {
        return Err(format!(
            "{quoted}: a wildcard cannot stand before an IP address"
        ));
    }
    if wildcard && host.label_count() < 2 {
        return Err(format!(
            "{quoted} would allow every domain under the top-level domain \".{}\"; list the domains you mean, like \"*.example.{}\"",
            host.text, host.text
        ));
    }
    Ok(DomainEntry {
        wildcard,
        host,
        port: port.or(scheme.map(Scheme::default_port)),
        scheme,
    })
}

/// Paths, queries, fragments, userinfo and backslashes have no place in an entry.
fn check_no_url_parts(text: &str, scheme: Option<Scheme>, rest: &str) -> Result<(), String> {
    let quoted = Quoted(text);
    let prefix = scheme
        .map(|s| format!("{}://", s.as_str()))
        .unwrap_or_default();
    if rest.is_empty() || text.starts_with("//") || (scheme.is_none() && text.contains(":/")) {
        return Err(format!(
            "{quoted} is not [scheme://]host[:port], like \"https://app.example.com\""
        ));
    }
    if let Some((_, without)) = rest.rsplit_once('@') {
        return Err(format!(
            "{quoted} has userinfo (\"...@\"); did you mean \"{prefix}{without}\"?"
        ));
    }
    if rest.contains('\\') {
        return Err(format!(
            "{quoted} has a backslash; write only [scheme://]host[:port]"
        ));
    }
    for (mark, what) in [('/', "a path"), ('?', "a query"), ('#', "a fragment")] {
        if let Some((before, _)) = rest.split_once(mark) {
            return Err(format!(
                "{quoted} has {what}; an entry is [scheme://]host[:port], did you mean \"{prefix}{before}\"?"
            ));
        }
    }
    Ok(())
}

/// Accepts one whole leading `*.` label and nothing else.
fn split_wildcard<'a>(text: &str, host: &'a str) -> Result<(bool, &'a str), String> {
    let quoted = Quoted(text);
    if host == "*" {
        return Err(format!(
            "{quoted} would allow every domain; set \"mode\": \"all\" instead"
        ));
    }
    let (wildcard, rest) = match host.strip_prefix("*.") {
        Some(rest) => (true, rest),
        None => (false, host),
    };
    if rest.contains('*') {
        return Err(format!(
            "{quoted}: a wildcard may only be a whole leading label, like \"*.example.com\""
        ));
    }
    Ok((wildcard, rest))
}

fn describe(text: &str, error: &AuthorityError) -> String {
    let quoted = Quoted(text);
    format!("{quoted}: {error}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(text: &str) -> DomainEntry {
        parse_domain_entry(text).unwrap()
    }

    fn error(text: &str) -> String {
        parse_domain_entry(text).unwrap_err()
    }

    #[test]
    fn forms_and_their_constraints() {
        let plain = entry("App.Example.com.");
        assert_eq!(
            (
                plain.host.text.as_str(),
                plain.scheme,
                plain.port,
                plain.wildcard
            ),
            ("app.example.com", None, None, false)
        );
        let with_port = entry("app.example.com:8443");
        assert_eq!((with_port.scheme, with_port.port), (None, Some(8443)));
        let https = entry("https://app.example.com");
        assert_eq!((https.scheme, https.port), (Some(Scheme::Https), Some(443)));
        assert_eq!(entry("https://app.example.com:443"), https);
        let wildcard = entry("*.example.org");
        assert!(wildcard.wildcard);
        assert_eq!(wildcard.host.text, "example.org");
        assert_eq!(entry("http://[::1]:8080").host.text, "[::1]");
        assert_eq!(entry("127.0.0.1").host.text, "127.0.0.1");
    }

    #[test]
    fn refuses_what_is_not_an_entry_and_says_what_was_meant() {
        let cases = [
            ("", "is empty"),
            (" a.com", "did you mean \"a.com\"?"),
            ("https://a.com/", "did you mean \"https://a.com\"?"),
            ("a.com/path", "has a path"),
            ("a.com?q", "has a query"),
            ("a.com#f", "has a fragment"),
            ("user@a.com", "did you mean \"a.com\"?"),
            ("ftp://a.com", "scheme \"ftp\""),
            ("*", "set \"mode\": \"all\""),
            ("*.com", "top-level domain"),
            ("a.*.com", "whole leading label"),
            ("*a.com", "whole leading label"),
            ("**.a.com", "whole leading label"),
            ("a.com:0", "port \"0\""),
            ("a.com:65536", "port \"65536\""),
            ("a.com:http", "port \"http\""),
            ("a..com", "empty label"),
            ("-a.com", "starts or ends with '-'"),
            ("exämple.com", "xn--"),
            ("0x7f.1", "did you mean \"127.0.0.1\"?"),
            ("127.1", "did you mean \"127.0.0.1\"?"),
            ("2130706433", "did you mean \"127.0.0.1\"?"),
            ("010.0.0.1", "did you mean \"8.0.0.1\"?"),
            ("::1", "brackets"),
            ("*.10.0.0.1", "cannot stand before an IP address"),
            ("https://", "is not [scheme://]host[:port]"),
            ("//a.com", "is not [scheme://]host[:port]"),
            ("a.com\\b", "backslash"),
        ];
        for (text, expected) in cases {
            let message = error(text);
            assert!(
                message.contains(expected),
                "{text:?} gave {message:?}, expected {expected:?}"
            );
        }
        let long = format!("{}.com", "a".repeat(64));
        assert!(error(&long).contains("at most 63"));
    }
}

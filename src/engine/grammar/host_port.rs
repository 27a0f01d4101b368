//! `host[:port]` with a bracketed IPv6 host: where the host ends and the
//! port begins, for URL authorities and proxy-written addresses alike.

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SplitError {
    /// `[` without its `]`.
    UnclosedBracket,
    /// Something other than `:port` follows `]`.
    AfterBracket(String),
    /// Several colons without brackets: a bare IPv6 address, or garbage.
    SeveralColons,
}

/// Splits `host[:port]` into the host as written (with its brackets) and
/// the port text, if a `:` introduces one.
pub fn split_host_port(text: &str) -> Result<(&str, Option<&str>), SplitError> {
    if text.as_bytes().first() == Some(&b'[') {
        let close = text.find(']').ok_or(SplitError::UnclosedBracket)?;
        let (host, rest) = text.split_at(close + 1);
        return match rest.strip_prefix(':') {
            Some(port) => Ok((host, Some(port))),
            None if rest.is_empty() => Ok((host, None)),
            None => Err(SplitError::AfterBracket(rest.to_string())),
        };
    }
    match text.split_once(':') {
        None => Ok((text, None)),
        Some((_, port)) if port.contains(':') => Err(SplitError::SeveralColons),
        Some((host, port)) => Ok((host, Some(port))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_names_and_bracketed_addresses() {
        assert_eq!(split_host_port("a.com"), Ok(("a.com", None)));
        assert_eq!(split_host_port("a.com:8443"), Ok(("a.com", Some("8443"))));
        assert_eq!(split_host_port("[::1]:80"), Ok(("[::1]", Some("80"))));
        assert_eq!(split_host_port("[::1]"), Ok(("[::1]", None)));
        assert_eq!(split_host_port("a.com:"), Ok(("a.com", Some(""))));
    }

    #[test]
    fn refuses_what_has_no_single_reading() {
        assert_eq!(split_host_port("::1"), Err(SplitError::SeveralColons));
        assert_eq!(split_host_port("[::1"), Err(SplitError::UnclosedBracket));
        assert_eq!(
            split_host_port("[::1]x"),
            Err(SplitError::AfterBracket("x".into()))
        );
    }
}

//! Optional whitespace (RFC 9110 `OWS`: spaces and tabs) around a header
//! value or a list element.

/// Without the spaces and tabs around `value`.
pub fn trim_ows(mut value: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = value {
        value = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = value {
        value = rest;
    }
    value
}

/// [`trim_ows`] for text.
pub fn trim_ows_str(value: &str) -> &str {
    value.trim_matches([' ', '\t'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_spaces_and_tabs_go() {
        assert_eq!(trim_ows(b" \ta b\t "), b"a b");
        assert_eq!(trim_ows(b"\r\na\n"), b"\r\na\n");
        assert_eq!(trim_ows_str("\t 1.2.3.4 "), "1.2.3.4");
        assert_eq!(trim_ows(b"   "), b"");
    }
}

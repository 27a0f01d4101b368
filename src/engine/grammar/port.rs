//! Ports, in the two forms the filter reads them.

/// A port in a URL or an allowlist entry: 1-65535, digits only, no leading
/// zeros. `None` for anything else.
pub fn parse_url_port(text: &str) -> Option<u16> {
    if text.starts_with('0') {
        return None;
    }
    parse_socket_port(text).filter(|port| *port != 0)
}

/// A socket's port as a proxy writes it (`source.address`, X-Forwarded-For
/// entries): decimal digits, 0-65535. Envoy writes port 0 for an address it
/// took from X-Forwarded-For.
pub fn parse_socket_port(text: &str) -> Option<u16> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_ports_are_canonical_numbers_in_range() {
        assert_eq!(parse_url_port("443"), Some(443));
        assert_eq!(parse_url_port("65535"), Some(65535));
        for bad in ["", "0", "0443", "65536", "8o", "+80", "99999999999"] {
            assert_eq!(parse_url_port(bad), None, "{bad}");
        }
    }

    #[test]
    fn socket_ports_include_zero() {
        assert_eq!(parse_socket_port("0"), Some(0));
        assert_eq!(parse_socket_port("53412"), Some(53412));
        for bad in ["", "-1", "65536", "8o", " 80"] {
            assert_eq!(parse_socket_port(bad), None, "{bad}");
        }
    }
}

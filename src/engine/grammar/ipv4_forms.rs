//! The legacy IPv4 spellings (`inet_aton` and the WHATWG URL parser accept
//! them): hex, octal, integer and shorthand forms. We never accept them as
//! input; we only work out what they mean so an error can say so.

use std::net::Ipv4Addr;

/// The address a legacy IPv4 spelling stands for, if it is one.
pub fn parse_ipv4_loose(text: &str) -> Option<Ipv4Addr> {
    let text = text.strip_suffix('.').unwrap_or(text);
    let parts: Vec<&str> = text.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let numbers: Vec<u64> = parts
        .iter()
        .map(|part| parse_number(part))
        .collect::<Option<_>>()?;
    let (last, leading) = numbers.split_last()?;
    if leading.iter().any(|n| *n > 255) {
        return None;
    }
    let last_bits = 8 * (4 - leading.len() as u32);
    if *last >= 1u64 << last_bits {
        return None;
    }
    let value = leading
        .iter()
        .fold(0u64, |acc, n| (acc << 8) | n)
        .checked_shl(last_bits)?
        | last;
    u32::try_from(value).ok().map(Ipv4Addr::from)
}

/// One part as WHATWG reads it: `0x` hex, a leading `0` octal, else
/// decimal; any number of leading zeros. `None` when it is not a number, or
/// too large for any part of an address.
fn parse_number(part: &str) -> Option<u64> {
    let (digits, radix) = match part.strip_prefix("0x").or_else(|| part.strip_prefix("0X")) {
        Some(hex) => (hex, 16),
        None if part.len() > 1 && part.starts_with('0') => (part, 8),
        None if part.is_empty() => return None,
        None => (part, 10),
    };
    let significant = digits.trim_start_matches('0');
    if !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    if significant.is_empty() {
        return Some(0);
    }
    // More than 12 significant digits is beyond 2^32 in every radix.
    if significant.len() > 12 {
        return None;
    }
    u64::from_str_radix(significant, radix).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_spellings_of_localhost() {
        let localhost = Some(Ipv4Addr::new(127, 0, 0, 1));
        for text in [
            "0x7f.1",
            "127.1",
            "2130706433",
            "0177.0.0.1",
            "0x7F000001",
            "127.0.1",
            "127.0.0.1.",
            "0000000000177.0.0.1",
            "0x00000000000000000000007f.1",
        ] {
            assert_eq!(parse_ipv4_loose(text), localhost, "{text}");
        }
    }

    #[test]
    fn not_addresses() {
        for text in [
            "1.2.3.4.5",
            "256.1.1.1",
            "1.2.3.256",
            "4294967296",
            "09.1.1.1",
            "a.b",
            "",
        ] {
            assert_eq!(parse_ipv4_loose(text), None, "{text}");
        }
    }
}

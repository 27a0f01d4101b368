//! Quoting a value inside a message. Values from requests are written by
//! clients, so anything but printable ASCII is escaped before it reaches a
//! log line or a report.

use std::fmt;

pub struct Quoted<'a>(pub &'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"")?;
        for c in self.0.chars() {
            match c {
                '"' => f.write_str("\\\"")?,
                '\\' => f.write_str("\\\\")?,
                ' '..='~' => fmt::Write::write_char(f, c)?,
                _ => write!(f, "\\u{{{:x}}}", u32::from(c))?,
            }
        }
        f.write_str("\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_all_but_printable_ascii() {
        assert_eq!(Quoted("a.com").to_string(), "\"a.com\"");
        assert_eq!(Quoted("a\"b\\c").to_string(), "\"a\\\"b\\\\c\"");
        assert_eq!(
            Quoted("x\ny\u{202e}é").to_string(),
            "\"x\\u{a}y\\u{202e}\\u{e9}\""
        );
    }
}

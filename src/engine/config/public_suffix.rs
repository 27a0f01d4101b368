//! Wildcards over public suffixes: `*.github.io`, `*.vercel.app`, `*.co.uk`
//! let anyone who can register a name under the suffix call the API, and so
//! do `*.kawasaki.jp` (every name under it is a suffix) and `*.amazonaws.com`
//! (which holds `s3.amazonaws.com`). Told from the Public Suffix List
//! (`data/public_suffix_list.dat`, as packaged in the `psl` crate: that
//! crate answers whether a name is a suffix, not which suffixes lie under
//! one) in native builds, which run the CLI's `validate` and `check`. The
//! list would make the Wasm module about 930 KB instead of 330 KB, so the
//! filter itself does not carry it.

/// The public suffix a wildcard over `base` (`base` = `github.io` for
/// `*.github.io`) would cover: `base` itself, or one found under it.
#[cfg(not(target_arch = "wasm32"))]
pub fn suffix_covered_by_wildcard(base: &str) -> Option<String> {
    let list = list();
    if list.is_suffix(base) {
        return Some(base.to_string());
    }
    // A wildcard rule `*.base` makes every name under base a suffix.
    if list.wildcards.contains(base) {
        return Some(format!("*.{base}"));
    }
    list.under.get(base).cloned()
}

#[cfg(target_arch = "wasm32")]
pub fn suffix_covered_by_wildcard(_base: &str) -> Option<String> {
    None
}

/// Fixed-seed tables: the CLI does the same work on every run, so the
/// linear-work tests (which count instructions) see no noise from here.
#[cfg(not(target_arch = "wasm32"))]
type Set = hashbrown::HashSet<String, foldhash::fast::FixedState>;

#[cfg(not(target_arch = "wasm32"))]
struct List {
    /// Rules naming one suffix, in ASCII (`xn--`) form.
    exact: Set,
    /// `*.rule`: every name one label under `rule` is a suffix.
    wildcards: Set,
    /// `!rule`: not a suffix, despite a wildcard.
    exceptions: Set,
    /// A name -> the shortest rule below it (`amazonaws.com` ->
    /// `s3.amazonaws.com`), so that a wildcard is judged in one lookup.
    under: hashbrown::HashMap<String, String, foldhash::fast::FixedState>,
}

#[cfg(not(target_arch = "wasm32"))]
impl List {
    fn is_suffix(&self, name: &str) -> bool {
        if self.exceptions.contains(name) {
            return false;
        }
        let parent = name.split_once('.').map(|(_, parent)| parent);
        self.exact.contains(name) || parent.is_some_and(|p| self.wildcards.contains(p))
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn list() -> &'static List {
    static LIST: std::sync::OnceLock<List> = std::sync::OnceLock::new();
    LIST.get_or_init(|| {
        let mut list = List {
            exact: Default::default(),
            wildcards: Default::default(),
            exceptions: Default::default(),
            under: Default::default(),
        };
        let text = include_str!("../../../data/public_suffix_list.dat");
        for rule in text.lines().map(str::trim) {
            if rule.is_empty() || rule.starts_with("//") {
                continue;
            }
            let ascii = rule
                .split('.')
                .map(to_ascii_label)
                .collect::<Vec<_>>()
                .join(".");
            if let Some(exception) = ascii.strip_prefix('!') {
                list.exceptions.insert(exception.to_string());
                continue;
            }
            let mut parent = ascii.as_str();
            while let Some((_, above)) = parent.split_once('.') {
                let shortest = list
                    .under
                    .entry(above.to_string())
                    .or_insert_with(|| ascii.clone());
                if (ascii.len(), &ascii) < (shortest.len(), &*shortest) {
                    shortest.clone_from(&ascii);
                }
                parent = above;
            }
            match ascii.strip_prefix("*.") {
                Some(base) => list.wildcards.insert(base.to_string()),
                None => list.exact.insert(ascii),
            };
        }
        list
    })
}

/// A label in the form hosts are compared in: ASCII as is, anything else
/// as `xn--` Punycode (RFC 3492).
#[cfg(not(target_arch = "wasm32"))]
fn to_ascii_label(label: &str) -> String {
    if label.is_ascii() {
        return label.to_ascii_lowercase();
    }
    format!("xn--{}", punycode(label))
}

#[cfg(not(target_arch = "wasm32"))]
fn punycode(input: &str) -> String {
    const BASE: u32 = 36;
    // Punycode digits: 0-25 are a-z, 26-35 are 0-9.
    let digit = |d: u32| match d {
        0..=25 => char::from(b'a' + d as u8),
        _ => char::from(b'0' + (d - 26) as u8),
    };
    let adapt = |mut delta: u32, points: u32, first: bool| {
        delta /= if first { 700 } else { 2 };
        delta += delta / points;
        let mut k = 0;
        while delta > ((BASE - 1) * 26) / 2 {
            delta /= BASE - 1;
            k += BASE;
        }
        k + (BASE * delta) / (delta + 38)
    };
    let code_points: Vec<u32> = input.chars().map(u32::from).collect();
    let mut output: String = input.chars().filter(char::is_ascii).collect();
    let basic = output.len() as u32;
    if basic > 0 {
        output.push('-');
    }
    let (mut n, mut delta, mut bias, mut handled) = (128u32, 0u32, 72u32, basic);
    while (handled as usize) < code_points.len() {
        let next = code_points
            .iter()
            .copied()
            .filter(|&c| c >= n)
            .min()
            .unwrap_or(n);
        delta += (next - n) * (handled + 1);
        n = next;
        for &c in &code_points {
            if c < n {
                delta += 1;
            }
            if c == n {
                let mut q = delta;
                let mut k = BASE;
                loop {
                    let t = k.saturating_sub(bias).clamp(1, 26);
                    if q < t {
                        break;
                    }
                    output.push(digit(t + (q - t) % (BASE - t)));
                    q = (q - t) / (BASE - t);
                    k += BASE;
                }
                output.push(digit(q));
                bias = adapt(delta, handled + 1, handled == basic);
                delta = 0;
                handled += 1;
            }
        }
        delta += 1;
        n += 1;
    }
    output
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn wildcards_that_cover_a_public_suffix() {
        let cases = [
            ("github.io", Some("github.io")),
            ("vercel.app", Some("vercel.app")),
            ("co.uk", Some("co.uk")),
            ("kawasaki.jp", Some("*.kawasaki.jp")),
            ("compute.amazonaws.com", Some("*.compute.amazonaws.com")),
            ("core.windows.net", Some("web.core.windows.net")),
            ("example.com", None),
            ("app.github.io", None),
            ("example.co.uk", None),
            ("corp.internal", None),
        ];
        for (base, expected) in cases {
            assert_eq!(
                suffix_covered_by_wildcard(base).as_deref(),
                expected,
                "{base}"
            );
        }
        assert!(suffix_covered_by_wildcard("amazonaws.com").is_some());
        assert!(
            !list().is_suffix("city.kawasaki.jp"),
            "an exception to a wildcard"
        );
    }

    #[test]
    fn internationalized_rules_are_compared_in_ascii() {
        assert_eq!(punycode("bücher"), "bcher-kva");
        assert_eq!(punycode("公司"), "55qx5d");
        assert_eq!(to_ascii_label("網絡"), "xn--od0alg");
        assert_eq!(
            suffix_covered_by_wildcard("xn--55qx5d.cn").as_deref(),
            Some("xn--55qx5d.cn")
        );
    }

    #[test]
    fn the_list_answers_as_the_psl_crate_does() {
        for name in [
            "github.io",
            "app.github.io",
            "co.uk",
            "example.co.uk",
            "s3.amazonaws.com",
            "x.kawasaki.jp",
            "city.kawasaki.jp",
            "com",
            "example.com",
            "web.core.windows.net",
            "xn--55qx5d.cn",
        ] {
            let theirs = psl::suffix(name.as_bytes())
                .is_some_and(|s| s.is_known() && s.as_bytes() == name.as_bytes());
            assert_eq!(list().is_suffix(name), theirs, "{name}");
        }
    }
}

//! The differential oracles (`differential.rs`) over generated inputs: the
//! engine against the `url` crate for calling sites and against `std::net`
//! for addresses. Inputs are built from the pieces where parsers disagree:
//! letter case, dots, ports, userinfo, brackets, legacy IPv4 spellings,
//! percent-encoding, backslashes, whitespace and non-ASCII characters.

use proptest::prelude::*;

use super::differential::{compare_address, compare_calling_site, SiteHeader};

fn one_of(items: &'static [&'static str]) -> impl Strategy<Value = String> {
    proptest::sample::select(items).prop_map(str::to_string)
}

fn scheme() -> impl Strategy<Value = String> {
    one_of(&[
        "https://",
        "http://",
        "HTTPS://",
        "HtTp://",
        "ftp://",
        "https:",
        "https:/",
        "https:\\\\",
        "//",
        "",
    ])
}

fn userinfo() -> impl Strategy<Value = String> {
    prop_oneof![8 => Just(String::new()), 1 => one_of(&["user@", "a:b@", "@", "good.com@"])]
}

fn label() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => "[a-z][a-z0-9]{0,7}",
        1 => "[A-Za-z0-9_-]{1,8}",
        1 => "[0-9]{1,4}",
        1 => "0x[0-9a-fA-F]{1,4}",
        1 => Just("a".repeat(64)),
        1 => one_of(&["xn--bcher-kva", "%2e", "b\u{e4}r", "a\u{3002}b", "*", ""]),
    ]
}

fn host() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (proptest::collection::vec(label(), 1..4), one_of(&["", ".", ".."]))
            .prop_map(|(labels, dot)| labels.join(".") + &dot),
        2 => (any::<[u8; 4]>()).prop_map(|o| format!("{}.{}.{}.{}", o[0], o[1], o[2], o[3])),
        2 => one_of(&[
            "0x7f.1", "127.1", "2130706433", "0177.0.0.1", "127.0.0.01", "0x7F000001", "1.2.3.4.5",
            "127.0.0.1.", "256.1.1.1", "09.1.1.1", "0.0.0.0", "1.2.3",
        ]),
        2 => one_of(&[
            "[::1]", "[0:0::1]", "[2001:DB8::7]", "[::ffff:127.0.0.1]", "[fe80::1%eth0]", "[fe80::1%25eth0]",
            "[::1", "::1", "[1.2.3.4]", "[v1.x]",
        ]),
    ]
}

fn port() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just(String::new()),
        2 => (1u32..70000).prop_map(|p| format!(":{p}")),
        1 => one_of(&[":", ":0", ":0443", ":080", ":8o", ":+80", ":443:443"]),
    ]
}

fn tail() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just(String::new()),
        1 => one_of(&["/", "/path?q=1", "?x", "#f", "/a#b", "\\x", "/x,https://b.com/", ",https://b.com", " ", "\t"]),
    ]
}

fn whitespace() -> impl Strategy<Value = String> {
    prop_oneof![6 => Just(String::new()), 1 => one_of(&[" ", "\t", "  \t", "\n", "\u{b}"])]
}

fn site_text() -> impl Strategy<Value = String> {
    (
        whitespace(),
        scheme(),
        userinfo(),
        host(),
        port(),
        tail(),
        whitespace(),
    )
        .prop_map(|(a, s, u, h, p, t, b)| format!("{a}{s}{u}{h}{p}{t}{b}"))
}

fn address_text() -> impl Strategy<Value = String> {
    let v4 = prop_oneof![
        3 => any::<[u8; 4]>().prop_map(|o| format!("{}.{}.{}.{}", o[0], o[1], o[2], o[3])),
        1 => one_of(&["0x7f.1", "127.1", "010.0.0.1", "1.2.3.04", "1.2.3", "1.2.3.4.5", "256.0.0.1", "1e1.0.0.1"]),
    ];
    let v6 = prop_oneof![
        3 => any::<[u16; 8]>().prop_map(|s| std::net::Ipv6Addr::from(s).to_string()),
        1 => one_of(&["::", "::1", "::ffff:10.1.2.3", "::ffff:a01:203", "64:ff9b::1.2.3.4", "fe80::1%eth0", "fe80::1%2", "1::2::3", "2001:DB8::7", ":::1"]),
    ];
    let port = prop_oneof![
        3 => (0u32..70000).prop_map(|p| p.to_string()),
        1 => one_of(&["", "0080", "00", "-1", "8o", "65535", "65536"]),
    ];
    let whitespace = || one_of(&["", "", "", " ", "\t"]);
    prop_oneof![
        2 => (whitespace(), v4.clone(), whitespace()).prop_map(|(a, x, b)| format!("{a}{x}{b}")),
        2 => (v4, port.clone()).prop_map(|(x, p)| format!("{x}:{p}")),
        2 => v6.clone(),
        2 => v6.clone().prop_map(|x| format!("[{x}]")),
        2 => (v6, port).prop_map(|(x, p)| format!("[{x}]:{p}")),
        1 => "[ -~]{0,24}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn calling_sites_agree_with_the_url_standard(text in site_text()) {
        for header in [SiteHeader::Origin, SiteHeader::Referer] {
            if let Err(disagreement) = compare_calling_site(text.as_bytes(), header) {
                prop_assert!(false, "{:?}: {}", header, disagreement);
            }
        }
    }

    #[test]
    fn request_authorities_agree_with_the_url_standard(host in host(), port in port()) {
        let text = format!("{host}{port}");
        if let Err(disagreement) = compare_calling_site(text.as_bytes(), SiteHeader::Authority) {
            prop_assert!(false, "{}", disagreement);
        }
    }

    #[test]
    fn arbitrary_header_bytes_agree_with_the_url_standard(raw in proptest::collection::vec(any::<u8>(), 0..48)) {
        for header in [SiteHeader::Origin, SiteHeader::Referer, SiteHeader::Authority] {
            if let Err(disagreement) = compare_calling_site(&raw, header) {
                prop_assert!(false, "{:?}: {}", header, disagreement);
            }
        }
    }

    #[test]
    fn addresses_agree_with_std_net(text in address_text()) {
        if let Err(disagreement) = compare_address(&text) {
            prop_assert!(false, "{}", disagreement);
        }
    }
}

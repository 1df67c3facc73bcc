use super::*;

/// (input, expected base URL or error, whether a notice is expected)
fn cases() -> Vec<(&'static str, Result<&'static str, UrlError>, bool)> {
    vec![
        ("https://acme.gainsightcloud.com", Ok("https://acme.gainsightcloud.com"), false),
        ("https://acme.gainsightcloud.com/", Ok("https://acme.gainsightcloud.com"), false),
        ("  https://acme.gainsightcloud.com  ", Ok("https://acme.gainsightcloud.com"), true),
        ("acme", Ok("https://acme.gainsightcloud.com"), true),
        ("Acme", Ok("https://acme.gainsightcloud.com"), true),
        ("acme.gainsightcloud.com", Ok("https://acme.gainsightcloud.com"), true),
        ("https://acme.gainsightcloud.com/v2/accounts", Ok("https://acme.gainsightcloud.com"), true),
        (
            "https://acme.gainsightcloud.com/v1/data/objects/query/Company",
            Ok("https://acme.gainsightcloud.com"),
            true,
        ),
        ("https://acme.us2.gainsightcloud.com", Ok("https://acme.us2.gainsightcloud.com"), false),
        ("https://acme.eu.gainsightcloud.com", Ok("https://acme.eu.gainsightcloud.com"), false),
        ("https://your-company.gainsight.com", Ok("https://your-company.gainsight.com"), false),
        ("https://cs.acme-corp.example", Ok("https://cs.acme-corp.example"), false),
        ("HTTPS://ACME.GAINSIGHTCLOUD.COM", Ok("https://acme.gainsightcloud.com"), false),
        ("https://acme.gainsightcloud.com:8443", Ok("https://acme.gainsightcloud.com:8443"), false),
        ("https://bücher.example", Ok("https://xn--bcher-kva.example"), false),
        ("http://127.0.0.1:8080", Ok("http://127.0.0.1:8080"), false),
        ("http://localhost:3000", Ok("http://localhost:3000"), false),
        ("http://[::1]:3000", Ok("http://[::1]:3000"), false),
        ("http://127.0.0.1:8080/v1/", Ok("http://127.0.0.1:8080"), true),
        ("http://acme.gainsightcloud.com", Err(UrlError::InsecureScheme), false),
        ("http://10.0.0.5", Err(UrlError::InsecureScheme), false),
        ("ftp://acme.gainsightcloud.com", Err(UrlError::UnsupportedScheme("ftp".into())), false),
        ("https://user:pw@acme.gainsightcloud.com", Err(UrlError::UserInfo), false),
        ("https://user@acme.gainsightcloud.com", Err(UrlError::UserInfo), false),
        ("https://acme.gainsightcloud.com/?x=1", Err(UrlError::Query), false),
        ("https://acme.gainsightcloud.com/#top", Err(UrlError::Fragment), false),
        ("", Err(UrlError::Empty), false),
        ("    ", Err(UrlError::Empty), false),
        ("my instance", Err(UrlError::NotAUrl("my instance".into())), false),
        ("https://", Err(UrlError::NotAUrl("https://".into())), false),
        ("https://exa mple.com", Err(UrlError::NotAUrl("https://exa mple.com".into())), false),
        ("https://[zz]", Err(UrlError::NotAUrl("https://[zz]".into())), false),
    ]
}

#[test]
fn normalization_table() {
    let all = cases();
    assert!(all.len() >= 30, "the issue asks for at least 30 cases");
    for (input, expected, notice) in all {
        let got = normalize_instance_url(input);
        match (&got, &expected) {
            (Ok(u), Ok(want)) => {
                assert_eq!(u.as_str(), *want, "input {input:?}");
                assert_eq!(!u.notices.is_empty(), notice, "notices for {input:?}: {:?}", u.notices);
            }
            (Err(e), Err(want)) => assert_eq!(e, want, "input {input:?}"),
            _ => panic!("input {input:?}: got {got:?}, expected {expected:?}"),
        }
    }
}

/// Hostile and mistaken inputs: each refused with a plain error, or normalised to what was meant,
/// never "expanded" into a tenant address.
fn hostile_cases() -> Vec<(String, Result<&'static str, UrlError>, bool)> {
    let s = |t: &str| t.to_string();
    let long_label = format!("https://{}.example", "a".repeat(64));
    let ten_thousand = "a".repeat(10_000);
    vec![
        // Not host names: refused, not turned into https://notaurl!!.gainsightcloud.com.
        (s("notaurl!!"), Err(UrlError::BadHost(s("notaurl!!"))), false),
        (s("acme_corp"), Err(UrlError::BadHost(s("acme_corp"))), false),
        (s("acme-"), Err(UrlError::BadHost(s("acme-"))), false),
        (s("-acme"), Err(UrlError::BadHost(s("-acme"))), false),
        (s("-x.com"), Err(UrlError::BadHost(s("-x.com"))), false),
        (s("a..b"), Err(UrlError::BadHost(s("a..b"))), false),
        (s("https://a..b"), Err(UrlError::BadHost(s("a..b"))), false),
        (s("https://acme!.gainsightcloud.com"), Err(UrlError::BadHost(s("acme!.gainsightcloud.com"))), false),
        (long_label.clone(), Err(UrlError::BadHost(shown(&long_label["https://".len()..]))), false),
        (s("exa mple.com"), Err(UrlError::NotAUrl(s("exa mple.com"))), false),
        (
            s("https://evil.example\\@acme.gainsightcloud.com"),
            Err(UrlError::NotAUrl(s("https://evil.example\\@acme.gainsightcloud.com"))),
            false,
        ),
        // Numbers that the URL standard would read as an IP address nobody wrote.
        (s("https://127.1"), Err(UrlError::BadHost(s("https://127.1"))), false),
        (s("http://0x7f.0.0.1"), Err(UrlError::BadHost(s("http://0x7f.0.0.1"))), false),
        (s("https://1.2.3.4"), Ok("https://1.2.3.4"), false),
        // Valid names, with what an admin pastes around them.
        (s("acme-corp"), Ok("https://acme-corp.gainsightcloud.com"), true),
        (s("https://acme.gainsightcloud.com."), Ok("https://acme.gainsightcloud.com"), true),
        (s("acme.gainsightcloud.com:443"), Ok("https://acme.gainsightcloud.com"), true),
        (
            s("https://acme.gainsightcloud.com:99999"),
            Err(UrlError::NotAUrl(s("https://acme.gainsightcloud.com:99999"))),
            false,
        ),
        (s("https://acme.gainsightcloud.com/v1/../../etc"), Ok("https://acme.gainsightcloud.com"), true),
        (s("https://user:pw@acme.gainsightcloud.com/x"), Err(UrlError::UserInfo), false),
        (s("https://acme.gainsightcloud.com@evil.example"), Err(UrlError::UserInfo), false),
        // IPv6 and IDN.
        (s("https://[2001:db8::1]:8443"), Ok("https://[2001:db8::1]:8443"), false),
        (s("http://[2001:db8::1]"), Err(UrlError::InsecureScheme), false),
        (s("https://münchen.example/"), Ok("https://xn--mnchen-3ya.example"), false),
        // A tenant name is ASCII: a Unicode word is not expanded.
        (s("münchen"), Err(UrlError::BadHost(s("münchen"))), false),
        // Other schemes.
        (s("javascript:alert(1)"), Err(UrlError::UnsupportedScheme(s("javascript"))), false),
        (s("JavaScript:alert(document.cookie)"), Err(UrlError::UnsupportedScheme(s("javascript"))), false),
        (s("file:///etc/passwd"), Err(UrlError::UnsupportedScheme(s("file"))), false),
        (s("data:text/html,<script>x</script>"), Err(UrlError::UnsupportedScheme(s("data"))), false),
        (s("localhost:3000"), Ok("https://localhost:3000"), true),
        // Whitespace and control characters.
        (s("\tacme\n"), Ok("https://acme.gainsightcloud.com"), true),
        (s("acme\n.gainsightcloud.com"), Err(UrlError::ControlCharacters), false),
        (s("https://acme.gainsightcloud.com\0"), Err(UrlError::ControlCharacters), false),
        (s("acme\u{7}"), Err(UrlError::ControlCharacters), false),
        (s("https://acme\u{1b}[2J.example"), Err(UrlError::ControlCharacters), false),
        (s("https://moc.\u{202e}acme.example"), Err(UrlError::ControlCharacters), false),
        (s("https://ac\u{200b}me.example"), Err(UrlError::ControlCharacters), false),
        // Very long input: refused by length, and never echoed whole.
        (ten_thousand.clone(), Err(UrlError::TooLong(10_000)), false),
        (format!("https://{ten_thousand}.com"), Err(UrlError::TooLong(10_012)), false),
    ]
}

#[test]
fn hostile_and_mistaken_inputs() {
    for (input, expected, notice) in hostile_cases() {
        let got = normalize_instance_url(&input);
        match (&got, &expected) {
            (Ok(u), Ok(want)) => {
                assert_eq!(u.as_str(), *want, "input {input:?}");
                assert_eq!(!u.notices.is_empty(), notice, "notices for {input:?}: {:?}", u.notices);
            }
            (Err(e), Err(want)) => assert_eq!(e, want, "input {input:?}"),
            _ => panic!("input {input:?}: got {got:?}, expected {expected:?}"),
        }
        if let Err(e) = &got {
            let message = e.to_string();
            assert!(message.chars().count() < 200, "a short message for {input:?}: {message}");
            assert!(!message.chars().any(char::is_control), "no control characters: {message:?}");
        }
    }
}

#[test]
fn a_refused_host_is_an_invalid_input_error_with_a_plain_message() {
    let e = crate::error::Error::from(normalize_instance_url("notaurl!!").expect_err("refused"));
    assert_eq!(e.kind, crate::error::ErrorKind::InvalidInput);
    assert!(e.message.contains("\"notaurl!!\" is not a valid server name"), "{}", e.message);
    assert!(!e.message.contains("gainsightcloud.com\""), "not expanded: {}", e.message);
}

#[test]
fn domain_and_join() {
    let u = normalize_instance_url("http://127.0.0.1:4100").expect("loopback");
    assert_eq!(u.domain(), "127.0.0.1:4100");
    assert!(u.is_loopback());
    assert_eq!(
        u.join("/v1/data/objects/query/Company").as_str(),
        "http://127.0.0.1:4100/v1/data/objects/query/Company"
    );
}

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

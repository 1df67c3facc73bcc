use super::*;

fn reply(status: u16, body: &str) -> RawReply {
    RawReply {
        status,
        content_type: Some("application/json".into()),
        location: None,
        retry_after: None,
        body: body.as_bytes().to_vec(),
    }
}

fn kind(r: RawReply) -> ErrorKind {
    classify_cs(&r, "acme.gainsightcloud.com").expect_err("an error").kind
}

#[test]
fn every_documented_failure_has_its_kind() {
    let env =
        |code: &str| format!(r#"{{"result":false,"errorCode":"{code}","errorDesc":"x","requestId":"r1"}}"#);
    assert_eq!(kind(reply(401, &env("GS_APIG_2401"))), ErrorKind::InvalidKey);
    assert_eq!(kind(reply(400, &env("GSOBJ_1024"))), ErrorKind::InvalidKey);
    assert_eq!(kind(reply(200, &env("GS_APIG_2402"))), ErrorKind::IpNotAllowed);
    assert_eq!(kind(reply(404, &env("GS_APIG_1000"))), ErrorKind::WrongInstance);
    assert_eq!(kind(reply(429, "")), ErrorKind::RateLimited);
    assert_eq!(kind(reply(200, &env("GS_APIG_2404"))), ErrorKind::RateLimited);
    assert_eq!(kind(reply(500, "oops")), ErrorKind::ServerError);
    assert_eq!(kind(reply(400, &env("GSOBJ_1003"))), ErrorKind::ServerError);
    assert_eq!(kind(reply(400, &env("GSOBJ_1002"))), ErrorKind::Rejected);
    assert_eq!(kind(reply(200, "{not json")), ErrorKind::BadResponse);
    assert_eq!(kind(reply(200, r#"{"hello":"world"}"#)), ErrorKind::WrongInstance);
    let mut html = reply(200, "<!doctype html><html></html>");
    html.content_type = Some("text/html".into());
    assert_eq!(kind(html), ErrorKind::WrongInstance, "an HTML page is an error whatever the status");
    let mut redirect = reply(302, "");
    redirect.location = Some("https://login.example.com/".into());
    assert_eq!(kind(redirect), ErrorKind::WrongInstance);
}

#[test]
fn errors_keep_status_code_and_request_id() {
    let e = classify_cs(
        &reply(
            401,
            r#"{"result":false,"errorCode":"GS_APIG_2401","errorDesc":"Unauthorized","requestId":"abc"}"#,
        ),
        "h",
    )
    .expect_err("401");
    assert_eq!(
        (e.status, e.error_code.as_deref(), e.request_id.as_deref()),
        (Some(401), Some("GS_APIG_2401"), Some("abc"))
    );
}

#[test]
fn both_row_shapes_and_both_empty_styles() {
    let a = classify_cs(&reply(200, r#"{"result":true,"data":{"records":[{"Gsid":"1"}]}}"#), "h")
        .expect("records");
    assert_eq!(a.records().len(), 1);
    let b = classify_cs(&reply(200, r#"{"result":true,"data":[{"Gsid":"1"},{"Gsid":"2"}]}"#), "h")
        .expect("bare list");
    assert_eq!(b.records().len(), 2);
    let c = classify_cs(
        &reply(
            400,
            r#"{"result":false,"errorCode":"GSOBJ_1011","errorDesc":"No entity matches the given criteria"}"#,
        ),
        "h",
    )
    .expect("GSOBJ_1011 is an empty page");
    assert!(c.records().is_empty());
    let d =
        classify_cs(&reply(200, r#"{"result":false,"errorDesc":"No data found for given criteria"}"#), "h")
            .expect("No data found is an empty page");
    assert!(d.records().is_empty());
    // Taken out of the reply (the pager's way), each shape gives the same rows.
    let (a_rows, b_rows) = (a.records().to_vec(), b.records().to_vec());
    assert_eq!(a.into_records(), a_rows);
    assert_eq!(b.into_records(), b_rows);
    assert!(c.into_records().is_empty() && d.into_records().is_empty());
}

#[test]
fn error_codes_win_over_the_status_and_bodies_without_json_are_judged_by_status() {
    let env =
        |code: &str| format!(r#"{{"result":false,"errorCode":"{code}","errorDesc":"x","requestId":"r1"}}"#);
    assert_eq!(kind(reply(401, &env("GS_APIG_2402"))), ErrorKind::IpNotAllowed, "allow-list, not the key");
    assert_eq!(kind(reply(403, &env("GS_APIG_2402"))), ErrorKind::IpNotAllowed);
    assert_eq!(kind(reply(401, &env("GS_APIG_2404"))), ErrorKind::RateLimited);
    assert_eq!(kind(reply(403, &env("GS_APIG_2401"))), ErrorKind::InvalidKey);

    let plain = |status: u16, body: &str| {
        let mut r = reply(status, body);
        r.content_type = Some("text/plain".into());
        kind(r)
    };
    assert_eq!(plain(401, "Unauthorized"), ErrorKind::InvalidKey);
    assert_eq!(plain(401, ""), ErrorKind::InvalidKey);
    assert_eq!(plain(403, "Forbidden"), ErrorKind::Forbidden);
    assert_eq!(plain(502, "Bad Gateway"), ErrorKind::ServerError);
    assert_eq!(plain(200, "OK"), ErrorKind::BadResponse);

    let html = |status: u16| {
        let mut r = reply(status, "<html><body><h1>Bad Gateway</h1></body></html>");
        r.content_type = Some("text/html".into());
        kind(r)
    };
    for status in [500, 502, 503, 504] {
        assert_eq!(html(status), ErrorKind::ServerError, "a gateway's HTML {status} is transient");
    }
    assert_eq!(html(429), ErrorKind::RateLimited);
    for status in [200, 401, 404] {
        assert_eq!(html(status), ErrorKind::WrongInstance, "an HTML {status} means the wrong address");
    }
}

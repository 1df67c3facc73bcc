//! Accounts at org scale against a real database file seeded with 20,005 accounts whose every
//! count is known by construction: pages with the true total, filters that combine, sorting,
//! search, and facet counts under the current filter.

use chrono::{Days, Local};
use outpost::Outpost;
use outpost::db::account_page::{AccountFilter, AccountPageQuery, Facet, FacetFilter};
use outpost::error::ErrorKind;
use rusqlite::params;
use std::collections::HashSet;

const N: i64 = 20_000;
const BANDS: [&str; 3] = ["Poor", "Average", "Good"];
const INDUSTRIES: [&str; 5] = ["Retail", "Health", "Finance", "Energy", "Media"];
const STAGES: [&str; 4] = ["Onboarding", "Adopting", "Renewing", "Expanding"];
const REGIONS: [&str; 3] = ["EMEA", "AMER", "APAC"];

fn band_of(score: i64) -> &'static str {
    BANDS[if score < 50 {
        0
    } else if score < 75 {
        1
    } else {
        2
    }]
}

/// Prod: accounts 1..=20,000. Account i scores i % 100; its CSM is "CSM {i % 8}" (none when 0);
/// industry, stage and region cycle; it renews in i % 400 days; every tenth has an overdue open
/// CTA, every tenth + 5 an open CTA due later, every tenth + 3 a closed overdue one; i % 4 == 1 is
/// linked to PX. Sandbox: 5 accounts in "Good" with no score, CSM, industry or renewal.
fn seed(dir: &std::path::Path) -> Outpost {
    let app = Outpost::open(dir).expect("open");
    let mut db = rusqlite::Connection::open(dir.join("outpost.db")).expect("db");
    let today = Local::now().date_naive();
    let day = |d: i64| {
        if d >= 0 { today + Days::new(d as u64) } else { today - Days::new((-d) as u64) }
            .format("%Y-%m-%d")
            .to_string()
    };
    let tx = db.transaction().expect("tx");
    for (id, name) in [("prod", "Prod"), ("sandbox", "Sandbox")] {
        tx.execute(
            "INSERT INTO connections (id, kind, name, instance_url, auth_mode, connected_by, connected_on)
             VALUES (?1, 'cs', ?2, 'https://x.gainsightcloud.com', 'access_key', 'test', '2026-01-01')",
            params![id, name],
        )
        .expect("connection");
    }
    tx.execute("INSERT INTO field_mappings VALUES ('prod', 'company', 'Region__gc', 'Region', 'STRING')", [])
        .expect("mapping");
    {
        let mut company = tx
            .prepare(
                "INSERT INTO companies (connection_id, gsid, name, industry, renewal_date, stage, csm_name, score,
                 score_label, custom) VALUES ('prod', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .expect("prepare");
        let mut cta = tx
            .prepare(
                "INSERT INTO ctas (connection_id, gsid, company_gsid, name, due_date, is_closed)
                 VALUES ('prod', ?1, ?2, 'Follow up', ?3, ?4)",
            )
            .expect("prepare");
        for i in 1..=N {
            let gsid = format!("G{i:05}");
            let score = i % 100;
            let csm = (i % 8 != 0).then(|| format!("CSM {}", i % 8));
            let custom = format!("{{\"Region__gc\":\"{}\"}}", REGIONS[(i % 3) as usize]);
            company
                .execute(params![
                    gsid,
                    format!("Account {i:05}"),
                    INDUSTRIES[(i % 5) as usize],
                    day(i % 400),
                    STAGES[(i % 4) as usize],
                    csm,
                    score as f64,
                    band_of(score),
                    custom
                ])
                .expect("company");
            match i % 10 {
                0 => cta.execute(params![format!("T{i}"), gsid, day(-1), 0]).expect("cta"),
                5 => cta.execute(params![format!("T{i}"), gsid, day(10), 0]).expect("cta"),
                3 => cta.execute(params![format!("T{i}"), gsid, day(-5), 1]).expect("cta"),
                _ => 0,
            };
            if i % 4 == 1 {
                tx.execute(
                    "INSERT INTO px_accounts (connection_id, id, name, gs_id, digest) VALUES ('prod', ?1, ?2, ?1, '')",
                    params![gsid, format!("PX {i}")],
                )
                .expect("px");
            }
        }
        for i in 1..=5 {
            tx.execute(
                "INSERT INTO companies (connection_id, gsid, name, score_label) VALUES ('sandbox', ?1, ?2, 'Good')",
                params![format!("S{i}"), format!("Sandbox {i}")],
            )
            .expect("sandbox");
        }
    }
    tx.commit().expect("commit");
    app
}

fn f(facet: &str, value: &str) -> FacetFilter {
    FacetFilter { facet: facet.into(), value: value.into() }
}

fn filter(filters: &[FacetFilter]) -> AccountFilter {
    AccountFilter { search: None, filters: filters.to_vec() }
}

fn query(filter: AccountFilter, sort: &str, offset: i64, limit: i64) -> AccountPageQuery {
    AccountPageQuery { filter, sort: Some(sort.into()), offset, limit }
}

fn matching(app: &Outpost, filters: &[FacetFilter]) -> i64 {
    app.account_page(&query(filter(filters), "health", 0, 1)).expect("page").matching
}

fn counts(facets: &[Facet], facet: &str) -> Vec<(String, i64)> {
    let found = facets.iter().find(|x| x.facet == facet).unwrap_or_else(|| panic!("no {facet} facet"));
    found.values.iter().map(|v| (v.label.clone(), v.count)).collect()
}

fn pairs(list: &[(&str, i64)]) -> Vec<(String, i64)> {
    list.iter().map(|(a, n)| (a.to_string(), *n)).collect()
}

#[test]
fn every_account_has_a_page_and_the_true_total() {
    let dir = tempfile::tempdir().expect("dir");
    let app = seed(dir.path());
    let first = app.account_page(&query(AccountFilter::default(), "health", 0, 200)).expect("page");
    assert_eq!(
        (first.total, first.matching, first.rows.len()),
        (N + 5, N + 5, 200),
        "no cap below the true count"
    );

    // Paging by offset reaches every account exactly once, in score order, unscored last.
    let mut seen = HashSet::new();
    let mut last = -1.0;
    for offset in (0..N + 5).step_by(1000) {
        let page = app.account_page(&query(AccountFilter::default(), "health", offset, 1000)).expect("page");
        for row in &page.rows {
            assert!(
                seen.insert((row.connection_id.clone(), row.company.gsid.clone())),
                "{} twice",
                row.company.gsid
            );
            match row.company.score {
                Some(s) => {
                    assert!(s >= last, "ascending health: {s} after {last}");
                    last = s;
                }
                None => last = f64::INFINITY,
            }
        }
    }
    assert_eq!(seen.len() as i64, N + 5, "the last page ends with the last account");

    let last_by_name =
        app.account_page(&query(filter(&[f("connection", "prod")]), "name", N - 1, 50)).expect("page");
    let names: Vec<&str> = last_by_name.rows.iter().map(|r| r.company.name.as_str()).collect();
    assert_eq!(names, ["Account 20000"], "the 20,000th account by name is the last one");
    let desc = app.account_page(&query(AccountFilter::default(), "-name", 0, 2)).expect("page");
    assert_eq!(desc.rows[0].company.name, "Sandbox 5", "descending by name");

    let row = app.account_page(&query(filter(&[f("connection", "prod")]), "name", 9, 1)).expect("page");
    let a = &row.rows[0];
    assert_eq!(
        (a.company.name.as_str(), a.open_ctas, a.overdue_ctas),
        ("Account 00010", 1, 1),
        "CTA counts per row"
    );
}

#[test]
fn filters_combine_and_search_runs_in_sqlite() {
    let dir = tempfile::tempdir().expect("dir");
    let app = seed(dir.path());
    assert_eq!(matching(&app, &[f("band", "Poor")]), 10_000, "scores 0–49 of every hundred");
    assert_eq!(matching(&app, &[f("band", "poor")]), 10_000, "bands match case-insensitively");
    assert_eq!(matching(&app, &[f("band", "Poor"), f("band", "Good")]), 15_005, "values of one facet widen");
    assert_eq!(matching(&app, &[f("band", "Poor"), f("industry", "Retail")]), 2_000, "facets narrow");
    assert_eq!(matching(&app, &[f("band", "Poor"), f("overdue", "yes")]), 1_000, "tens below 50");
    assert_eq!(matching(&app, &[f("renewal", "30")]), 1_550, "31 renewal days of every 400");
    assert_eq!(matching(&app, &[f("renewal", "30"), f("renewal", "180")]), 9_050, "the widest window");
    assert_eq!(matching(&app, &[f("px", "linked")]), 5_000);
    assert_eq!(matching(&app, &[f("px", "unlinked"), f("connection", "sandbox")]), 5);
    assert_eq!(matching(&app, &[f("csm", "")]), 2_505, "an empty value is \"not set\"");
    assert_eq!(
        matching(&app, &[f("custom:Region__gc", "EMEA"), f("stage", "Renewing")]),
        1_667,
        "i ≡ 6 mod 12"
    );

    let search = |s: &str| {
        let q = AccountPageQuery {
            filter: AccountFilter { search: Some(s.into()), filters: vec![] },
            sort: Some("name".into()),
            offset: 0,
            limit: 100,
        };
        app.account_page(&q).expect("search")
    };
    let found = search("account 1999");
    assert_eq!(
        (found.matching, found.total),
        (10, N + 5),
        "19990–19999, any case; the total stays the cache's"
    );
    let last = search("20000");
    assert_eq!(last.rows.iter().map(|r| r.company.name.as_str()).collect::<Vec<_>>(), ["Account 20000"]);
    assert_eq!(search("%").matching, 0, "LIKE wildcards are text");
    assert_eq!(search("csm 3").matching, 2_500, "search reaches the CSM");

    let bad =
        app.account_page(&query(filter(&[f("colour", "red")]), "health", 0, 10)).expect_err("unknown facet");
    assert_eq!(bad.kind, ErrorKind::InvalidInput);
    let bad = app.account_page(&query(AccountFilter::default(), "mood", 0, 10)).expect_err("unknown sort");
    assert_eq!(bad.kind, ErrorKind::InvalidInput);
}

#[test]
fn facets_count_the_current_filter() {
    let dir = tempfile::tempdir().expect("dir");
    let app = seed(dir.path());
    let all = app.account_facets(&AccountFilter::default()).expect("facets");
    assert_eq!(
        counts(&all, "band"),
        pairs(&[("Poor", 10_000), ("Good", 5_005), ("Average", 5_000)]),
        "most common first"
    );
    let csm = all.iter().find(|x| x.facet == "csm").expect("csm");
    assert_eq!((csm.distinct, csm.values[0].label.as_str(), csm.values[0].count), (8, "(not set)", 2_505));
    assert!(csm.values[1..].iter().all(|v| v.count == 2_500), "{:?}", csm.values);
    assert_eq!(
        counts(&all, "renewal"),
        pairs(&[("Within 30 days", 1_550), ("Within 90 days", 4_550), ("Within 180 days", 9_050)])
    );
    assert_eq!(counts(&all, "overdue"), pairs(&[("Has overdue CTAs", 2_000), ("None overdue", 18_005)]));
    assert_eq!(counts(&all, "px"), pairs(&[("Linked to PX", 5_000), ("Not linked", 15_005)]));
    assert_eq!(
        counts(&all, "connection"),
        pairs(&[("Prod", 20_000), ("Sandbox", 5)]),
        "by name, several connections"
    );
    assert_eq!(
        counts(&all, "custom:Region__gc"),
        pairs(&[("AMER", 6_667), ("APAC", 6_667), ("EMEA", 6_666), ("(not set)", 5)]),
        "a mapped field is a facet, labelled as mapped"
    );
    assert_eq!(all.iter().find(|x| x.facet == "custom:Region__gc").map(|x| x.label.as_str()), Some("Region"));

    // Under a filter: other facets count within it; a facet's own choice does not hide its siblings.
    let retail = app.account_facets(&filter(&[f("industry", "Retail"), f("band", "Poor")])).expect("facets");
    assert_eq!(counts(&retail, "band"), pairs(&[("Poor", 2_000), ("Average", 1_000), ("Good", 1_000)]));
    assert_eq!(
        counts(&retail, "industry"),
        pairs(&[
            ("Energy", 2_000),
            ("Finance", 2_000),
            ("Health", 2_000),
            ("Media", 2_000),
            ("Retail", 2_000)
        ]),
        "Poor accounts per industry, the chosen industry's siblings included"
    );
    assert_eq!(counts(&retail, "overdue"), pairs(&[("Has overdue CTAs", 1_000), ("None overdue", 1_000)]));
    assert!(
        !retail.iter().any(|x| x.facet == "connection"),
        "one connection left in the filter: no connection facet"
    );
}

/// Every count a facet shows is the number of accounts clicking it lists, under any filter and
/// search: a chosen facet's own choice left out, every other one kept.
#[test]
fn each_facet_count_is_what_clicking_it_lists() {
    let dir = tempfile::tempdir().expect("dir");
    let app = seed(dir.path());
    let cases = [
        AccountFilter::default(),
        filter(&[f("band", "Poor")]),
        filter(&[f("industry", "Retail"), f("band", "Poor"), f("band", "Good")]),
        AccountFilter { search: Some("account 1".into()), filters: vec![f("overdue", "yes")] },
        filter(&[f("px", "linked"), f("custom:Region__gc", "emea"), f("renewal", "90")]),
        filter(&[f("connection", "sandbox")]),
        filter(&[f("overdue", "no"), f("px", "unlinked"), f("csm", "")]),
    ];
    let mut checked = 0;
    for case in &cases {
        for facet in app.account_facets(case).expect("facets") {
            let others: Vec<FacetFilter> =
                case.filters.iter().filter(|x| x.facet != facet.facet).cloned().collect();
            for v in &facet.values {
                let mut filters = others.clone();
                filters.push(f(&facet.facet, &v.value));
                let q = query(AccountFilter { search: case.search.clone(), filters }, "health", 0, 1);
                let listed = app.account_page(&q).expect("page").matching;
                assert_eq!(v.count, listed, "{} = {:?} under {case:?}", facet.facet, v.value);
                checked += 1;
            }
        }
    }
    assert!(checked > 150, "values checked: {checked}");
}

#[test]
fn an_accounts_history_is_split_by_measure() {
    let dir = tempfile::tempdir().expect("dir");
    let app = seed(dir.path());
    let db = rusqlite::Connection::open(dir.path().join("outpost.db")).expect("db");
    for (gsid, name, overall) in [("M0", "Overall", 1), ("M1", "Adoption", 0), ("M2", "Support", 0)] {
        db.execute(
            "INSERT INTO measures (connection_id, gsid, name, is_overall) VALUES ('prod', ?1, ?2, ?3)",
            params![gsid, name, overall],
        )
        .expect("measure");
    }
    let weeks = [("2026-11-02", "M0", 40.0), ("2026-11-09", "M0", 45.0), ("2026-11-16", "M0", 50.0)];
    let others = [("2026-11-09", "M1", 70.0), ("2026-11-16", "M1", 72.0), ("2026-11-16", "M2", 20.0)];
    for (i, (week, measure, score)) in weeks.iter().chain(others.iter()).enumerate() {
        db.execute(
            "INSERT INTO score_history (connection_id, gsid, company_gsid, measure_gsid, week, score)
             VALUES ('prod', ?1, 'G00001', ?2, ?3, ?4)",
            params![format!("H{i}"), measure, week, score],
        )
        .expect("history");
    }
    let a = app.account("G00001").expect("account");
    let overall: Vec<(&str, Option<f64>)> = a.history.iter().map(|p| (p.week.as_str(), p.score)).collect();
    assert_eq!(
        overall,
        [("2026-11-02", Some(40.0)), ("2026-11-09", Some(45.0)), ("2026-11-16", Some(50.0))],
        "the overall line holds the overall measure's weeks only"
    );
    let lines: Vec<(&str, Vec<f64>)> = a
        .measure_history
        .iter()
        .map(|m| (m.measure.as_str(), m.points.iter().filter_map(|p| p.score).collect()))
        .collect();
    assert_eq!(
        lines,
        [("Adoption", vec![70.0, 72.0]), ("Support", vec![20.0])],
        "one line per other measure"
    );
    assert!(app.account("G00002").expect("account").measure_history.is_empty(), "no history, no lines");
}

/// Every count a CTA facet shows is the number of CTAs clicking it lists, under any filter and
/// search (the same rule as the accounts' facets).
#[test]
fn each_cta_facet_count_is_what_clicking_it_lists() {
    use outpost::db::cta_page::CtaPageQuery;
    let dir = tempfile::tempdir().expect("dir");
    let app = seed(dir.path());
    let db = rusqlite::Connection::open(dir.path().join("outpost.db")).expect("db");
    db.execute_batch(
        "UPDATE ctas SET type = CASE rowid % 4 WHEN 0 THEN 'Risk' WHEN 1 THEN 'Renewal' WHEN 2 THEN 'risk' END,
            priority = CASE rowid % 3 WHEN 0 THEN 'High' WHEN 1 THEN 'Low' END,
            status = CASE rowid % 5 WHEN 0 THEN 'New' ELSE 'Work In Progress' END,
            owner_name = 'Owner ' || (rowid % 7);
         INSERT INTO ctas (connection_id, gsid, company_gsid, name, type, due_date, is_closed)
            VALUES ('sandbox', 'T10', 'S1', 'Risk review', 'Risk', '2000-01-01', 0);",
    )
    .expect("vary the CTAs");
    let q = |filters: &[FacetFilter], search: Option<&str>| CtaPageQuery {
        search: search.map(str::to_string),
        filters: filters.to_vec(),
        offset: 0,
        limit: 1,
    };
    let cases = [
        q(&[], None),
        q(&[f("state", "open")], None),
        q(&[f("state", "overdue"), f("type", "risk")], None),
        q(&[f("state", "closed"), f("state", "overdue")], Some("account 0001")),
        q(&[f("priority", "High"), f("owner", "Owner 3"), f("status", "")], None),
        q(&[f("connection", "sandbox")], Some("review")),
    ];
    let mut checked = 0;
    for case in &cases {
        for facet in app.cta_facets(case).expect("facets") {
            let mut filters: Vec<FacetFilter> =
                case.filters.iter().filter(|x| x.facet != facet.facet).cloned().collect();
            for v in &facet.values {
                filters.push(f(&facet.facet, &v.value));
                let listed = app.cta_page(&q(&filters, case.search.as_deref())).expect("page").matching;
                assert_eq!(v.count, listed, "{} = {:?} under {case:?}", facet.facet, v.value);
                filters.pop();
                checked += 1;
            }
        }
    }
    assert!(checked > 80, "values checked: {checked}");
}

#[test]
fn ctas_org_wide_overdue_first_keyed_by_connection() {
    use outpost::db::cta_page::CtaPageQuery;
    let dir = tempfile::tempdir().expect("dir");
    let app = seed(dir.path());
    let db = rusqlite::Connection::open(dir.path().join("outpost.db")).expect("db");
    // The same CTA id under a second connection to the same org.
    db.execute(
        "INSERT INTO ctas (connection_id, gsid, company_gsid, name, type, due_date) VALUES ('sandbox', 'T10', 'S1', 'Risk review', 'Risk', '2999-01-01')",
        [],
    )
    .expect("cta");
    let q = |filters: &[FacetFilter], search: Option<&str>, offset: i64, limit: i64| CtaPageQuery {
        search: search.map(str::to_string),
        filters: filters.to_vec(),
        offset,
        limit,
    };
    let open = [f("state", "open")];
    let first = app.cta_page(&q(&open, None, 0, 100)).expect("page");
    assert_eq!((first.total, first.matching), (6_001, 4_001), "all CTAs, and the open ones");
    let edge = app.cta_page(&q(&open, None, 1_999, 2)).expect("page");
    let overdue: Vec<bool> = edge.rows.iter().map(|r| r.overdue).collect();
    assert_eq!(overdue, [true, false], "the 2,000 overdue CTAs come first");
    assert_eq!(app.cta_page(&q(&[f("state", "overdue")], None, 0, 1)).expect("page").matching, 2_000);
    assert_eq!(
        app.cta_page(&q(&[], Some("account 00010"), 0, 10)).expect("page").matching,
        1,
        "by account name"
    );

    let mut keys = HashSet::new();
    let mut ids = HashSet::new();
    for offset in (0..6_001).step_by(1000) {
        for r in app.cta_page(&q(&[], None, offset, 1000)).expect("page").rows {
            ids.insert(r.cta.gsid.clone());
            assert!(keys.insert((r.connection_id, r.cta.gsid)), "each CTA once");
        }
    }
    assert_eq!(
        (keys.len(), ids.len()),
        (6_001, 6_000),
        "two connections share an id; the key tells them apart"
    );

    let facets = app.cta_facets(&q(&open, None, 0, 1)).expect("facets");
    assert_eq!(counts(&facets, "state"), pairs(&[("Open", 4_001), ("Overdue", 2_000), ("Closed", 2_000)]));
    assert_eq!(counts(&facets, "type"), pairs(&[("(not set)", 4_000), ("Risk", 1)]), "open CTAs by type");
    assert_eq!(counts(&facets, "connection"), pairs(&[("Prod", 4_000), ("Sandbox", 1)]));
    let bad = app.cta_page(&q(&[f("state", "someday")], None, 0, 1)).expect_err("bad state");
    assert_eq!(bad.kind, ErrorKind::InvalidInput);
}

fn today() -> String {
    Local::now().format("%Y-%m-%d").to_string()
}

/// The accounts list the app answers from memory is the list SQL alone answers: the same rows in
/// the same order, the same counts and the same facets, for every kind of filter, sorts and
/// offsets (a custom field that is not mapped is left to SQL).
#[test]
fn the_in_memory_list_answers_as_sql_does() {
    use outpost::db::account_index::AccountIndex;
    use outpost::db::account_page::{facets, facets_sql, page, page_sql};
    let dir = tempfile::tempdir().expect("dir");
    let app = seed(dir.path());
    let db = rusqlite::Connection::open(dir.path().join("outpost.db")).expect("db");
    let mem = rusqlite::Connection::open(dir.path().join("outpost.db")).expect("db");
    let index = AccountIndex::default();
    let today = today();
    let search = |s: &str, filters: &[FacetFilter]| AccountFilter {
        search: Some(s.into()),
        filters: filters.to_vec(),
    };
    let cases = [
        AccountFilter::default(),
        filter(&[f("band", "Poor")]),
        filter(&[f("band", "poor"), f("band", "GOOD"), f("industry", "Retail")]),
        filter(&[f("band", "")]),
        filter(&[f("csm", ""), f("stage", "adopting")]),
        filter(&[f("connection", "sandbox"), f("connection", "prod")]),
        filter(&[f("connection", "sandbox")]),
        filter(&[f("renewal", "30")]),
        filter(&[f("renewal", "7"), f("renewal", "180"), f("overdue", "yes")]),
        filter(&[f("overdue", "yes"), f("overdue", "no")]),
        filter(&[f("overdue", "no"), f("px", "unlinked")]),
        filter(&[f("px", "linked"), f("custom:Region__gc", "emea"), f("renewal", "90")]),
        filter(&[f("custom:Region__gc", "")]),
        filter(&[f("custom:Region__gc", "AMER"), f("custom:Region__gc", "apac")]),
        filter(&[f("custom:Unmapped__gc", "x")]),
        search("account 1", &[f("overdue", "yes")]),
        search("ACCOUNT 0001", &[]),
        search("csm 3", &[f("band", "Good")]),
        search("  retail ", &[]),
        search("%", &[]),
        search("_ccount", &[]),
        search("sandbox", &[f("band", "Good")]),
        search("ünïcode", &[]),
    ];
    let mut checked = 0;
    for (i, case) in cases.iter().enumerate() {
        let want = facets_sql(&db, case, &today).expect("sql facets");
        assert_eq!(facets(&mem, &index, case, &today).expect("facets"), want, "facets under {case:?}");
        assert_eq!(app.account_facets(case).expect("app facets"), want, "the app's facets under {case:?}");
        let sorts: &[&str] = if i == 0 {
            &[
                "health",
                "-health",
                "name",
                "-name",
                "arr",
                "renewal",
                "-renewal",
                "csm",
                "-csm",
                "stage",
                "industry",
                "ctas",
                "-ctas",
                "custom:Region__gc",
                "-custom:Region__gc",
                "custom:Unmapped__gc",
            ]
        } else {
            &["health", "-name", "ctas"]
        };
        for sort in sorts {
            for offset in [0, 1_990, 19_950] {
                let q = query(case.clone(), sort, offset, 60);
                let got = page(&mem, &index, &q, &today).expect("page");
                assert_eq!(got, page_sql(&db, &q, &today).expect("sql page"), "{q:?}");
                checked += got.rows.len();
            }
        }
        assert_eq!(
            app.account_page(&query(case.clone(), "health", 0, 60)).expect("app page"),
            page_sql(&db, &query(case.clone(), "health", 0, 60), &today).expect("sql")
        );
    }
    assert!(checked > 3_000, "rows compared: {checked}");
    assert_eq!(index.built(), 1, "one snapshot: nothing changed");
    assert!(index.answered() > 150, "answered from memory: {}", index.answered());
}

/// The list kept in memory follows every change: a commit by another connection (a sync, the
/// CLI), a write through the same connection (the app's own, a new mapping), and the day changing
/// (overdue CTAs and renewal windows are relative to today).
#[test]
fn the_in_memory_list_follows_every_change() {
    use outpost::db::account_index::AccountIndex;
    use outpost::db::account_page::{facets, facets_sql, page, page_sql};
    use outpost::db::settings::FieldMapping;
    let dir = tempfile::tempdir().expect("dir");
    let app = seed(dir.path());
    let db = rusqlite::Connection::open(dir.path().join("outpost.db")).expect("db");
    let mem = rusqlite::Connection::open(dir.path().join("outpost.db")).expect("db");
    let index = AccountIndex::default();
    let today = today();
    let poor = filter(&[f("band", "Poor")]);
    // Asked twice: a changed database is answered by SQL once, then from a new snapshot.
    let twice = |q: &AccountPageQuery| {
        let sql = page(&mem, &index, q, &today).expect("page");
        let kept = page(&mem, &index, q, &today).expect("page");
        assert_eq!(sql, kept, "{q:?}");
        kept
    };
    let q = query(poor.clone(), "-name", 0, 1);
    assert_eq!(twice(&q).matching, 10_000);
    assert_eq!(index.built(), 1);

    // Another connection's commits.
    db.execute("UPDATE companies SET score_label = 'Poor' WHERE gsid IN ('G00099', 'G00098')", [])
        .expect("update");
    db.execute("DELETE FROM companies WHERE gsid = 'G00001'", []).expect("delete");
    db.execute(
        "INSERT INTO companies (connection_id, gsid, name, score_label) VALUES ('prod', 'NEW', 'Zebra New', 'Poor')",
        [],
    )
    .expect("insert");
    let p = twice(&q);
    assert_eq!((p.total, p.matching), (20_005, 10_002), "an update, a delete and an insert are seen");
    assert_eq!(p.rows[0].company.name, "Zebra New", "the new account is sorted in");
    assert_eq!(index.built(), 2);
    assert_eq!(app.account_page(&q).expect("app page").matching, 10_002, "the app sees them too");

    // A write through the index's own connection.
    mem.execute("UPDATE companies SET score_label = 'Good' WHERE gsid = 'NEW'", []).expect("own update");
    let p = twice(&q);
    assert_eq!(p.matching, 10_001, "a write by the same connection is seen");
    assert_ne!(p.rows[0].company.name, "Zebra New");
    assert_eq!(index.built(), 3);

    // The app's own: a new mapped field is a new facet.
    let has_tier = |app: &Outpost| {
        app.account_facets(&AccountFilter::default())
            .expect("facets")
            .iter()
            .any(|x| x.facet == "custom:Tier__gc")
    };
    assert!(!has_tier(&app) && !has_tier(&app));
    let mut fields = vec![FieldMapping {
        object: "company".into(),
        field_name: "Region__gc".into(),
        label: "Region".into(),
        data_type: "STRING".into(),
    }];
    fields.push(FieldMapping { field_name: "Tier__gc".into(), label: "Tier".into(), ..fields[0].clone() });
    app.set_field_mappings("Prod", "company", &fields).expect("map");
    assert!(has_tier(&app) && has_tier(&app), "a mapping saved through the app is seen");

    // Today is part of what is kept: the same index asked on other days answers for those days.
    let overdue = filter(&[f("overdue", "yes")]);
    let mut seen = Vec::new();
    for day in ["2000-01-01", &today, "2999-01-01", "2000-01-01"] {
        let q = query(overdue.clone(), "health", 0, 20);
        for _ in 0..2 {
            let rows = page(&mem, &index, &q, day).expect("page");
            assert_eq!(rows, page_sql(&db, &q, day).expect("sql page"), "page on {day}");
        }
        let got = facets(&mem, &index, &overdue, day).expect("facets");
        assert_eq!(got, facets_sql(&db, &overdue, day).expect("sql facets"), "facets on {day}");
        seen.push(page(&mem, &index, &q, day).expect("page").matching);
    }
    assert_eq!(index.built(), 7, "a snapshot a day");
    assert_eq!(seen[0], 0, "nothing is overdue in 2000");
    assert!(seen[1] > 0 && seen[2] > seen[1], "more is overdue as days pass: {seen:?}");
    assert_eq!(seen[3], 0, "and going back is seen too");
}

/// The CTA list the app answers from memory is the one SQL alone answers: the same rows in the
/// same order and the same counts, under every kind of filter and search and at any offset (a
/// value spelled two ways may be shown in either spelling).
#[test]
fn the_in_memory_cta_list_answers_as_sql_does() {
    use outpost::db::cta_index::CtaIndex;
    use outpost::db::cta_page::{CtaPageQuery, facets, facets_sql, page, page_sql};
    let dir = tempfile::tempdir().expect("dir");
    let app = seed(dir.path());
    let db = rusqlite::Connection::open(dir.path().join("outpost.db")).expect("db");
    let mem = rusqlite::Connection::open(dir.path().join("outpost.db")).expect("db");
    db.execute_batch(
        "UPDATE ctas SET type = CASE rowid % 4 WHEN 0 THEN 'Risk' WHEN 1 THEN 'Renewal' WHEN 2 THEN 'risk' END,
            priority = CASE rowid % 3 WHEN 0 THEN 'High' WHEN 1 THEN 'Low' END,
            status = CASE rowid % 5 WHEN 0 THEN 'New' ELSE 'Work In Progress' END,
            owner_name = CASE WHEN rowid % 11 = 0 THEN NULL ELSE 'Owner ' || (rowid % 7) END,
            due_date = CASE WHEN rowid % 13 = 0 THEN NULL ELSE due_date END;
         INSERT INTO ctas (connection_id, gsid, company_gsid, name, type, due_date, is_closed)
            VALUES ('sandbox', 'T10', 'S1', 'Risk review', 'Risk', '2000-01-01', 0),
                   ('sandbox', 'T11', 'NOPE', 'Orphan follow up', 'Risk', NULL, 0);",
    )
    .expect("vary the CTAs");
    let index = CtaIndex::default();
    let today = today();
    let q = |filters: &[FacetFilter], search: Option<&str>| CtaPageQuery {
        search: search.map(str::to_string),
        filters: filters.to_vec(),
        offset: 0,
        limit: 50,
    };
    let folded = |facets: Vec<Facet>| -> Vec<(String, Vec<(String, i64)>, i64)> {
        facets
            .into_iter()
            .map(|x| {
                (
                    x.facet,
                    x.values.into_iter().map(|v| (v.value.to_lowercase(), v.count)).collect(),
                    x.distinct,
                )
            })
            .collect()
    };
    let cases = [
        q(&[], None),
        q(&[f("state", "open")], None),
        q(&[f("state", "overdue"), f("type", "risk")], None),
        q(&[f("state", "closed"), f("state", "overdue")], Some("account 0001")),
        q(&[f("priority", "High"), f("owner", "Owner 3"), f("status", "")], None),
        q(&[f("owner", ""), f("type", "RENEWAL"), f("type", "")], None),
        q(&[f("connection", "sandbox")], Some("review")),
        q(&[f("connection", "prod"), f("connection", "sandbox")], Some("FOLLOW")),
        q(&[], Some("orphan")),
        q(&[], Some("Sandbox 1")),
        q(&[f("state", "open")], Some("%")),
    ];
    let mut checked = 0;
    for case in &cases {
        let want = facets_sql(&db, case, &today).expect("sql facets");
        assert_eq!(
            folded(facets(&mem, &index, case, &today).expect("facets")),
            folded(want.clone()),
            "{case:?}"
        );
        assert_eq!(folded(app.cta_facets(case).expect("app facets")), folded(want), "the app's, {case:?}");
        for offset in [0, 1_990, 5_990] {
            let q = CtaPageQuery { offset, ..case.clone() };
            let got = page(&mem, &index, &q, &today).expect("page");
            assert_eq!(got, page_sql(&db, &q, &today).expect("sql page"), "{q:?}");
            checked += got.rows.len();
        }
    }
    assert!(checked > 400, "rows compared: {checked}");
    assert_eq!(index.built(), 1, "one snapshot: nothing changed");
    assert!(index.answered() >= 40, "answered from memory: {}", index.answered());

    // A change is seen (through SQL first, then a new snapshot).
    db.execute("UPDATE ctas SET is_closed = 1 WHERE gsid = 'T10'", []).expect("close one");
    let overdue = q(&[f("state", "overdue")], None);
    for _ in 0..2 {
        assert_eq!(
            page(&mem, &index, &overdue, &today).expect("page"),
            page_sql(&db, &overdue, &today).expect("sql page")
        );
    }
    assert_eq!(index.built(), 2);
}

//! Offline queries on a synced cache, through the functions the desktop app's commands call: p50
//! and p99 over repeated runs.

use crate::figures::Report;
use outpost::db::account_page::{AccountFilter, AccountPageQuery, FacetFilter};
use outpost::db::changes::ChangeQuery;
use outpost::db::cta_page::CtaPageQuery;
use std::path::Path;
use std::time::Instant;

/// Milliseconds of each of `n` calls of `f`.
fn timed(n: usize, mut f: impl FnMut(usize)) -> Vec<f64> {
    (0..n)
        .map(|i| {
            let t = Instant::now();
            f(i);
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect()
}

fn pct(samples: &[f64], p: usize) -> f64 {
    let mut s = samples.to_vec();
    s.sort_by(f64::total_cmp);
    s[(s.len() * p / 100).min(s.len() - 1)]
}

/// Adds a p99 figure (its samples are the per-round p99s) and notes the p50.
fn figure(r: &mut Report, name: &'static str, what: &str, rounds: &[Vec<f64>], target: &str) {
    let all: Vec<f64> = rounds.iter().flatten().copied().collect();
    r.note(format!(
        "{what}: p50 {:.2} ms, p99 {:.2} ms over {} queries",
        pct(&all, 50),
        pct(&all, 99),
        all.len()
    ));
    if !name.is_empty() {
        r.add(name, what, "ms", rounds.iter().map(|s| pct(s, 99)).collect(), "—", target);
    }
}

pub fn queries(dir: &Path, r: &mut Report) {
    let app = outpost::Outpost::open(dir).expect("open");
    let db = rusqlite::Connection::open(dir.join("outpost.db")).expect("db");
    let names: Vec<(String, String)> = db
        .prepare("SELECT gsid, name FROM companies ORDER BY name LIMIT 50 OFFSET 1000")
        .and_then(|mut s| s.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?.collect())
        .expect("names");
    let band: String = db
        .query_row(
            "SELECT score_label FROM companies WHERE score_label IS NOT NULL GROUP BY score_label ORDER BY COUNT(*) DESC LIMIT 1",
            [],
            |row| row.get(0),
        )
        .expect("a band");
    let rounds = 3;
    let page = |filter: AccountFilter| AccountPageQuery {
        filter,
        sort: Some("health".into()),
        offset: 0,
        limit: 200,
    };
    let facet = AccountFilter {
        search: None,
        filters: vec![FacetFilter { facet: "band".into(), value: band.clone() }],
    };

    // What a change to the cache costs the next queries: a new app (as after a sync) answers its
    // first query by SQL, and takes the lists' snapshots on the second.
    {
        let fresh = outpost::Outpost::open(dir).expect("open");
        let all = page(AccountFilter::default());
        let ctas = CtaPageQuery { search: None, filters: vec![], offset: 0, limit: 200 };
        let [by_sql, snapshot, after] = [(); 3].map(|_| {
            let t = Instant::now();
            fresh.account_page(&all).expect("page");
            t.elapsed().as_secs_f64() * 1e3
        });
        r.note(format!(
            "accounts list after a change: first page by SQL {by_sql:.1} ms, with the snapshot taken {snapshot:.1} ms, then {after:.2} ms"
        ));
        let [by_sql, snapshot, after] = [(); 3].map(|_| {
            let t = Instant::now();
            fresh.cta_page(&ctas).expect("ctas");
            t.elapsed().as_secs_f64() * 1e3
        });
        r.note(format!(
            "CTA list after a change: first page by SQL {by_sql:.1} ms, with the snapshot taken {snapshot:.1} ms, then {after:.2} ms"
        ));
    }

    let list: Vec<Vec<f64>> = (0..rounds)
        .map(|_| {
            timed(40, |_| {
                app.account_page(&page(facet.clone())).expect("page");
                app.account_facets(&facet).expect("facets");
            })
        })
        .collect();
    figure(
        r,
        "accounts_list_p99_ms",
        &format!("accounts list, band = {band}, lowest health first: rows + facet counts"),
        &list,
        "≤ 10",
    );

    // Typing an account's name a letter at a time: each keystroke's rows and facet counts.
    let keystrokes: Vec<String> = names
        .iter()
        .take(10)
        .flat_map(|(_, n)| {
            (1..=n.chars().count().min(12)).map(|k| n.chars().take(k).collect::<String>()).collect::<Vec<_>>()
        })
        .collect();
    let search: Vec<Vec<f64>> = (0..rounds)
        .map(|_| {
            timed(keystrokes.len(), |i| {
                let f = AccountFilter { search: Some(keystrokes[i].clone()), filters: vec![] };
                app.account_page(&page(f.clone())).expect("page");
                app.account_facets(&f).expect("facets");
            })
        })
        .collect();
    figure(r, "search_p99_ms", "search as you type: a keystroke's rows + facet counts", &search, "≤ 10");

    let detail: Vec<Vec<f64>> = (0..rounds)
        .map(|_| {
            timed(names.len(), |i| {
                app.account(&names[i].0).expect("account");
            })
        })
        .collect();
    figure(r, "account_detail_p99_ms", "account page: scores, history, CTAs, usage", &detail, "≤ 20");

    let overdue = CtaPageQuery {
        search: None,
        filters: vec![FacetFilter { facet: "state".into(), value: "overdue".into() }],
        offset: 0,
        limit: 200,
    };
    let ctas: Vec<Vec<f64>> = (0..rounds)
        .map(|_| {
            timed(15, |_| {
                app.cta_page(&overdue).expect("ctas");
                app.cta_facets(&overdue).expect("facets");
            })
        })
        .collect();
    figure(r, "", "org-wide overdue CTAs: rows + facet counts", &ctas, "");
    let rows_only = timed(15, |_| {
        app.cta_page(&overdue).expect("ctas");
    });
    figure(r, "", "org-wide overdue CTAs: the rows alone", &[rows_only], "");

    let changes: Vec<Vec<f64>> = (0..rounds)
        .map(|_| {
            timed(20, |_| {
                let q = ChangeQuery { since_run: None, connection_id: None, kinds: vec![], limit: 500 };
                app.change_list(&q).expect("changes");
            })
        })
        .collect();
    figure(r, "", "What changed since the last sync", &changes, "");
}

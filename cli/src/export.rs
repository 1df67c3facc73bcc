//! `outpost export accounts|ctas --out FILE.csv`.

use outpost::Outpost;
use outpost::db::browse::{AccountQuery, CtaQuery};
use outpost::error::{Error, ErrorKind, Result};
use std::io::Write;
use std::path::Path;

/// Quotes a CSV field when needed, and defuses spreadsheet formulas from Gainsight text.
fn field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) && s.parse::<f64>().is_err() {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

pub fn write(app: &Outpost, what: &str, path: &Path) -> Result<usize> {
    let mut lines: Vec<Vec<String>> = Vec::new();
    if what == "accounts" {
        lines.push(
            [
                "gsid",
                "name",
                "health",
                "band",
                "arr",
                "renewal_date",
                "csm",
                "industry",
                "open_ctas",
                "overdue_ctas",
            ]
            .map(String::from)
            .to_vec(),
        );
        let q = AccountQuery { sort: Some("name".into()), ..Default::default() };
        for a in app.all_accounts(&q)? {
            let c = &a.company;
            lines.push(vec![
                c.gsid.clone(),
                c.name.clone(),
                opt(&c.score),
                opt(&c.score_label),
                opt(&c.arr),
                opt(&c.renewal_date),
                opt(&c.csm_name),
                opt(&c.industry),
                a.open_ctas.to_string(),
                a.overdue_ctas.to_string(),
            ]);
        }
    } else {
        lines.push(
            ["gsid", "company", "name", "type", "status", "priority", "owner", "due_date", "closed"]
                .map(String::from)
                .to_vec(),
        );
        for t in app.ctas(&CtaQuery::default())? {
            let c = &t.cta;
            lines.push(vec![
                c.gsid.clone(),
                opt(&t.company_name),
                c.name.clone(),
                opt(&c.r#type),
                opt(&c.status),
                opt(&c.priority),
                opt(&c.owner_name),
                opt(&c.due_date),
                c.is_closed.to_string(),
            ]);
        }
    }
    let io = |e: std::io::Error| {
        Error::new(ErrorKind::InvalidInput, format!("Could not write {}: {e}.", path.display()))
    };
    let mut f = std::io::BufWriter::new(outpost::private::create(path).map_err(io)?);
    for l in &lines {
        writeln!(f, "{}", l.iter().map(|s| field(s)).collect::<Vec<_>>().join(",")).map_err(io)?;
    }
    f.flush().map_err(io)?;
    Ok(lines.len() - 1)
}

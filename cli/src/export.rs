//! `outpost export accounts|ctas --out FILE.csv`: the core's export, with the column keys as the
//! header row (stable for scripts).

use outpost::Outpost;
use outpost::error::Result;
use outpost::export::{AccountExport, CtaExport, Headers};
use std::path::Path;

pub fn write(app: &Outpost, what: &str, path: &Path) -> Result<usize> {
    let n = if what == "accounts" {
        let e = AccountExport { sort: Some("name".into()), ..Default::default() };
        app.export_accounts(&e, path, Headers::Keys)?
    } else {
        app.export_ctas(&CtaExport::default(), path, Headers::Keys)?
    };
    Ok(n as usize)
}

//! What taking one CS call from the shared budget costs (`budget.sqlite`, one transaction per call):
//! `cargo run --example budget_cost [DIR]`. Prints the median and the 99th percentile.

use outpost::budget::{BudgetStore, Take, now_ms};
use std::time::{Duration, Instant};

fn main() {
    let dir = std::env::args().nth(1).map(std::path::PathBuf::from).unwrap_or_else(std::env::temp_dir);
    let path = dir.join(format!("budget-cost-{}.sqlite", std::process::id()));
    let store = BudgetStore::open(&path).expect("open the budget file");
    let mut took = Vec::new();
    for _ in 0..2000 {
        let start = Instant::now();
        let t = store.take("cost.example", 1_000_000, Duration::from_secs(60), 1_000_000, now_ms());
        took.push(start.elapsed());
        assert_eq!(t.expect("take"), Take::Granted);
    }
    took.sort();
    println!(
        "{} calls taken: median {:?}, p99 {:?}, max {:?}",
        took.len(),
        took[took.len() / 2],
        took[took.len() * 99 / 100],
        took[took.len() - 1]
    );
    for side in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{side}", path.display()));
    }
}

//! The figures a run collects: each a median of its samples with their range, a baseline when it
//! has one, printed as a table, written to `BENCHMARKS.md`, and ended with `name: value` lines.

use std::fmt::Write as _;

pub struct Figure {
    pub name: &'static str,
    pub what: String,
    pub samples: Vec<f64>,
    pub unit: &'static str,
    /// What it is measured against, in words, and the target it is judged by.
    pub baseline: String,
    pub target: String,
}

impl Figure {
    pub fn median(&self) -> f64 {
        median(&self.samples)
    }
}

pub fn median(samples: &[f64]) -> f64 {
    let mut s = samples.to_vec();
    s.sort_by(f64::total_cmp);
    match s.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => s[n / 2],
        n => (s[n / 2 - 1] + s[n / 2]) / 2.0,
    }
}

pub fn range(samples: &[f64]) -> (f64, f64) {
    let min = samples.iter().copied().fold(f64::INFINITY, f64::min);
    let max = samples.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (min, max)
}

/// A value as the `name: value` lines print it: plain, with as many decimals as it needs.
pub fn plain(v: f64) -> String {
    if !v.is_finite() {
        return "nan".into();
    }
    if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.4}")
    }
}

#[derive(Default)]
pub struct Report {
    pub figures: Vec<Figure>,
    /// Lines that explain the run (what each ceiling was, counts), for the file and the console.
    pub notes: Vec<String>,
}

impl Report {
    pub fn add(
        &mut self,
        name: &'static str,
        what: impl Into<String>,
        unit: &'static str,
        samples: Vec<f64>,
        baseline: impl Into<String>,
        target: impl Into<String>,
    ) {
        let f = Figure {
            name,
            what: what.into(),
            samples,
            unit,
            baseline: baseline.into(),
            target: target.into(),
        };
        let (min, max) = range(&f.samples);
        println!(
            "  {:<34} {:>12} {:<6} (min {} max {}, {} runs)",
            f.name,
            plain(f.median()),
            f.unit,
            plain(min),
            plain(max),
            f.samples.len()
        );
        self.figures.push(f);
    }

    pub fn note(&mut self, line: impl Into<String>) {
        let line = line.into();
        println!("  {line}");
        self.notes.push(line);
    }

    pub fn markdown(&self, machine: &str, date: &str, took_s: f64) -> String {
        let mut md = String::new();
        let _ = writeln!(md, "# Benchmarks\n");
        let _ = writeln!(
            md,
            "Written by `make bench` on {date}, on {machine}; the run took {:.0} s. Each figure is the median \
             of its runs, with the range; a ratio's baseline is measured in the same run. Benchmarks print, \
             they do not fail CI: the targets are the issue's, to be raised once met.\n",
            took_s
        );
        let _ = writeln!(md, "| figure | median | min – max | runs | unit | measured against | target |");
        let _ = writeln!(md, "|---|---:|---:|---:|---|---|---|");
        for f in &self.figures {
            let (min, max) = range(&f.samples);
            let _ = writeln!(
                md,
                "| `{}` — {} | {} | {} – {} | {} | {} | {} | {} |",
                f.name,
                f.what,
                plain(f.median()),
                plain(min),
                plain(max),
                f.samples.len(),
                f.unit,
                f.baseline,
                f.target
            );
        }
        if !self.notes.is_empty() {
            let _ = writeln!(md, "\n## Notes from this run\n");
            for n in &self.notes {
                let _ = writeln!(md, "- {n}");
            }
        }
        md
    }

    /// The closing lines: one `name: value` a figure, plain numbers.
    pub fn lines(&self) -> String {
        self.figures.iter().map(|f| format!("{}: {}\n", f.name, plain(f.median()))).collect()
    }
}

//! The shared realistic records (`shared/data/`) and the year-to-date totals their README says
//! they must produce, read from its tables so the tests never restate them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Where the shared records are: `MTD_SAMPLE_DATA`, or a `shared/data` above this crate. `None`
/// (said once) where neither exists.
#[expect(
    clippy::print_stderr,
    reason = "skipped checks must say so where a person running the tests will see it"
)]
pub fn root() -> Option<&'static Path> {
    static ROOT: OnceLock<Option<PathBuf>> = OnceLock::new();
    ROOT.get_or_init(|| {
        // The same places `mtd journey` looks, so the two agree on whether the year runs.
        let found = std::env::var_os("MTD_SAMPLE_DATA")
            .map(PathBuf::from)
            .filter(|p| p.join("README.md").is_file())
            .or_else(|| {
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .ancestors()
                    .map(|a| a.join("shared/data"))
                    .find(|p| p.join("README.md").is_file())
            });
        if found.is_none() {
            eprintln!("SKIPPED: checks against the shared records (no shared/data found)");
        }
        found
    })
    .as_deref()
}

/// For the records file `name`: each period end (`2025-07-05`) with the totals, field to amount
/// as written (`15578.64`), from the README's `## name` section.
pub fn expected_totals(name: &str) -> Vec<(String, BTreeMap<String, String>)> {
    let Some(root) = root() else {
        return Vec::new();
    };
    let readme = std::fs::read_to_string(root.join("README.md")).expect("shared/data/README.md");
    let mut out: Vec<(String, BTreeMap<String, String>)> = Vec::new();
    let mut inside = false;
    for line in readme.lines() {
        if let Some(heading) = line.strip_prefix("## ") {
            inside = heading.split_whitespace().next() == Some(name);
        } else if !inside {
        } else if let Some(end) = line.strip_prefix("### Year to ") {
            out.push((end.trim().to_owned(), BTreeMap::new()));
        } else if let (Some((_, totals)), Some(row)) = (out.last_mut(), line.strip_prefix('|')) {
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            if let [field, total, ..] = cells[..]
                && total.chars().next().is_some_and(|c| c.is_ascii_digit())
            {
                totals.insert(field.to_owned(), total.to_owned());
            }
        }
    }
    out
}

//! Records (and the receipts of what was sent from them) kept in SQLite, an owner-only file in
//! the data dir. Records are one set per business and source file: importing a file again
//! replaces its rows, so a file read twice adds nothing and an edited one changes only what
//! changed.

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;
use mtd_domain::Money;
use rusqlite::{Connection, params};

use super::Record;
use super::category::BusinessKind;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the records database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("the records database's folder: {0}")]
    Io(#[from] std::io::Error),
    #[error(
        "the records database holds a row it cannot read ({0}); it was written by other software"
    )]
    Corrupt(String),
}

/// What an import changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportSummary {
    pub added: usize,
    pub removed: usize,
    pub unchanged: usize,
    /// Rows already held from another file, not added again.
    pub duplicates: usize,
    /// Added rows that match another file's row in all but the amount.
    pub amended_elsewhere: usize,
}

#[derive(Debug)]
pub struct RecordStore {
    conn: Connection,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS records (
    id INTEGER PRIMARY KEY,
    business_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    line INTEGER NOT NULL,
    date TEXT NOT NULL,
    description TEXT NOT NULL,
    category TEXT NOT NULL,
    amount TEXT NOT NULL,
    disallowable INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS records_by_business ON records (business_id, date);
";

/// What makes two rows the same record, whatever line they are on.
type Key = (NaiveDate, String, &'static str, Money, bool);

fn key(r: &Record) -> Key {
    (
        r.date,
        r.description.clone(),
        r.category,
        r.amount,
        r.disallowable,
    )
}

impl RecordStore {
    /// Opens (creating if needed) the records database at `path`, readable by its owner only.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let conn = Connection::open(path)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        }
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.execute_batch(SCHEMA)?;
        conn.execute_batch(super::receipts::SCHEMA)?;
        Ok(Self { conn })
    }

    pub(super) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Replaces the rows `source` (a file's full path) gave `business_id` with `records`, in one
    /// transaction. A row already held from another source (an export imported back, a copy of
    /// a file) is not added twice: it counts as a duplicate.
    pub fn import(
        &mut self,
        business_id: &str,
        kind: BusinessKind,
        source: &str,
        records: &[Record],
    ) -> Result<ImportSummary, StoreError> {
        let tx = self.conn.transaction()?;
        let count = |rows: Vec<Record>| {
            let mut n: HashMap<Key, usize> = HashMap::new();
            for r in &rows {
                *n.entry(key(r)).or_default() += 1;
            }
            n
        };
        let this = "business_id = ?1 AND source = ?2";
        let mut old = count(load(&tx, this, params![business_id, source])?);
        let others = "business_id = ?1 AND source <> ?2";
        let held_elsewhere = load(&tx, others, params![business_id, source])?;
        // Rows alike but for the amount: a corrected copy saved under another name, most likely.
        let alike: std::collections::HashSet<(NaiveDate, String, &'static str)> = held_elsewhere
            .iter()
            .map(|r| (r.date, r.description.clone(), r.category))
            .collect();
        let mut elsewhere = count(held_elsewhere);
        let take = |held: &mut HashMap<Key, usize>, k: &Key| match held.get_mut(k) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        };
        let mut summary = ImportSummary::default();
        let mut kept = Vec::with_capacity(records.len());
        for r in records {
            let k = key(r);
            if take(&mut old, &k) {
                summary.unchanged += 1;
            } else if take(&mut elsewhere, &k) {
                summary.duplicates += 1;
                continue;
            } else {
                summary.added += 1;
                if alike.contains(&(r.date, r.description.clone(), r.category)) {
                    summary.amended_elsewhere += 1;
                }
            }
            kept.push(r);
        }
        summary.removed = old.values().sum();
        tx.execute(
            "DELETE FROM records WHERE business_id = ?1 AND source = ?2",
            params![business_id, source],
        )?;
        {
            let mut insert = tx.prepare(
                "INSERT INTO records (business_id, kind, source, line, date, description, category, amount, disallowable)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            for r in kept {
                insert.execute(params![
                    business_id,
                    kind.to_string(),
                    source,
                    r.line,
                    r.date.to_string(),
                    r.description,
                    r.category,
                    r.amount.to_string(),
                    r.disallowable,
                ])?;
            }
        }
        tx.commit()?;
        Ok(summary)
    }

    /// Every record of `business_id`, oldest first.
    pub fn records(&self, business_id: &str) -> Result<Vec<Record>, StoreError> {
        load(&self.conn, "business_id = ?1", params![business_id])
    }
}

fn load(
    conn: &Connection,
    filter: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<Record>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT kind, line, date, description, category, amount, disallowable FROM records
         WHERE {filter} ORDER BY date, source, line"
    ))?;
    let rows = stmt.query_map(params, |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, u64>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, bool>(6)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (kind, line, date, description, category, amount, disallowable) = row?;
        let corrupt = || StoreError::Corrupt(format!("{date} {category} {amount}"));
        let kind = BusinessKind::from_type_of_business(&kind).ok_or_else(corrupt)?;
        out.push(Record {
            line,
            date: date.parse().map_err(|_| corrupt())?,
            description,
            category: kind.category(&category).ok_or_else(corrupt)?.field,
            amount: Money::parse(&amount).map_err(|_| corrupt())?,
            disallowable,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::csv_file::{Mapping, parse};

    fn records(text: &str) -> Vec<Record> {
        let p = parse(
            text.as_bytes(),
            BusinessKind::SelfEmployment,
            &Mapping::default(),
        );
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        p.records
    }

    #[test]
    fn importing_again_adds_nothing_and_an_edit_changes_only_what_changed() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = RecordStore::open(&dir.path().join("records.sqlite")).unwrap();
        let se = BusinessKind::SelfEmployment;
        let first = records(
            "date,description,category,amount\n2025-04-07,A,turnover,1.00\n2025-04-07,A,turnover,1.00\n2025-04-08,B,adminCosts,-2.00\n",
        );
        let s = store.import("XAIS1", se, "a.csv", &first).unwrap();
        assert_eq!((s.added, s.removed, s.unchanged), (3, 0, 0));
        let s = store.import("XAIS1", se, "a.csv", &first).unwrap();
        assert_eq!((s.added, s.removed, s.unchanged), (0, 0, 3));
        let edited = records(
            "date,description,category,amount\n2025-04-07,A,turnover,1.00\n2025-04-08,B,adminCosts,-2.50\n",
        );
        let s = store.import("XAIS1", se, "a.csv", &edited).unwrap();
        assert_eq!((s.added, s.removed, s.unchanged), (1, 2, 1));
        let kept = store.records("XAIS1").unwrap();
        assert_eq!(kept, edited);
        // The same rows from another file (an export imported back) are not counted twice; a
        // file of the same name elsewhere with other rows keeps both.
        let s = store.import("XAIS1", se, "/b/a.csv", &edited).unwrap();
        assert_eq!((s.added, s.duplicates), (0, 2));
        let other = records("date,description,category,amount\n2025-05-01,C,turnover,9.00\n");
        let s = store.import("XAIS1", se, "/b/a.csv", &other).unwrap();
        assert_eq!((s.added, s.duplicates, s.amended_elsewhere), (1, 0, 0));
        let amended = records("date,description,category,amount\n2025-05-01,C,turnover,9.50\n");
        let s = store.import("XAIS1", se, "/c/a.csv", &amended).unwrap();
        assert_eq!((s.added, s.amended_elsewhere), (1, 1));
        assert_eq!(store.records("XAIS1").unwrap().len(), 4);
        assert!(store.records("XAIS2").unwrap().is_empty());
    }
}

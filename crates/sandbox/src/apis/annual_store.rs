//! Annual submissions as the local HMRC keeps them: one body per income source and tax year,
//! replaced by the next, whatever the income source.

use mtd_domain::TaxYear;
use rusqlite::{OptionalExtension, params};
use serde_json::Value;

pub fn save(
    tx: &rusqlite::Transaction<'_>,
    business_id: &str,
    year: TaxYear,
    body: &Value,
    now_ms: i64,
) -> Result<(), rusqlite::Error> {
    tx.execute(
        "INSERT INTO annual_submissions (business_id, tax_year, body, submitted_at_ms) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (business_id, tax_year) DO UPDATE SET body = ?3, submitted_at_ms = ?4",
        params![business_id, year.to_string(), body.to_string(), now_ms],
    )?;
    Ok(())
}

/// The submission and when it arrived.
pub fn load(
    conn: &rusqlite::Connection,
    business_id: &str,
    year: TaxYear,
) -> Result<Option<(Value, i64)>, rusqlite::Error> {
    let row: Option<(String, i64)> = conn
        .query_row(
            "SELECT body, submitted_at_ms FROM annual_submissions WHERE business_id = ?1 AND tax_year = ?2",
            params![business_id, year.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(row.map(|(b, at)| (serde_json::from_str(&b).unwrap_or(Value::Null), at)))
}

/// Whether there was one to delete.
pub fn delete(
    tx: &rusqlite::Transaction<'_>,
    business_id: &str,
    year: TaxYear,
) -> Result<bool, rusqlite::Error> {
    Ok(tx.execute(
        "DELETE FROM annual_submissions WHERE business_id = ?1 AND tax_year = ?2",
        params![business_id, year.to_string()],
    )? == 1)
}

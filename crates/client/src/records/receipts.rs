//! Receipts: every submission as it happened (when, by whom, what was sent, HMRC's answer and
//! correlation ID), kept beside the records they came from.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::store::{RecordStore, StoreError};

/// How a submission ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Accepted,
    /// HMRC answered with an error.
    Refused,
    /// No answer came back, even after trying again.
    NoAnswer,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Receipt {
    /// When it was sent, on this machine's clock.
    pub sent_at: DateTime<Utc>,
    /// The profile that sent it, and as what (`Individual`, `Organisation`, `Agent`).
    pub profile: String,
    pub sent_as: Option<String>,
    pub nino: String,
    pub business_id: String,
    pub tax_year: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// The body sent.
    pub sent: Value,
    pub outcome: Outcome,
    pub status: Option<u16>,
    pub correlation_id: Option<String>,
    /// HMRC's error, or what went wrong on the way.
    pub response: Option<Value>,
    /// How many times it was sent (a lost answer is sent again: a PUT is safe to repeat).
    pub attempts: u32,
}

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS receipts (
    id INTEGER PRIMARY KEY,
    business_id TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    receipt TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS receipts_by_business ON receipts (business_id, id);
";

impl RecordStore {
    pub fn keep_receipt(&self, r: &Receipt) -> Result<(), StoreError> {
        let text = serde_json::to_string(r).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.conn().execute(
            "INSERT INTO receipts (business_id, sent_at, receipt) VALUES (?1, ?2, ?3)",
            params![r.business_id, r.sent_at.to_rfc3339(), text],
        )?;
        Ok(())
    }

    /// Receipts, oldest first: of one business, or all.
    pub fn receipts(&self, business_id: Option<&str>) -> Result<Vec<Receipt>, StoreError> {
        let mut stmt = self.conn().prepare(
            "SELECT receipt FROM receipts WHERE ?1 IS NULL OR business_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map(params![business_id], |r| r.get::<_, String>(0))?;
        rows.map(|text| {
            let text = text?;
            serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(e.to_string()))
        })
        .collect()
    }
}

//! Annual submissions as the local HMRC keeps them: one body per income source and tax year,
//! replaced by the next, whatever the income source.

use axum::extract::Path;
use axum::extract::rejection::PathRejection;
use axum::http::{HeaderMap, StatusCode};
use mtd_domain::TaxYear;
use rusqlite::{OptionalExtension, params};
use serde_json::Value;

use crate::error::ApiError;

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

/// What sets one income source's annual submission apart.
#[derive(Debug)]
pub struct Annual {
    pub kinds: &'static [&'static str],
    /// The first tax year the endpoint serves.
    pub first_year: u16,
    pub scenarios: &'static [&'static str],
    pub judge: fn(&Value, TaxYear) -> Result<(), ApiError>,
    /// Rules on the stored state (foreign properties' IDs).
    pub on_state: Option<super::cumulative::StateRule>,
    /// HMRC answers 204 for a self-employment, 200 with no body for property.
    pub success: StatusCode,
    /// Whether a business of another kind is simply not found (self-employment), rather than
    /// `RULE_TYPE_OF_BUSINESS_INCORRECT` (property).
    pub other_kinds_not_found: bool,
}

/// An annual submission's PUT, alike for every income source.
pub fn put(
    state: &crate::AppState,
    caller: &crate::gateway::Caller,
    path: Result<Path<(String, String, String)>, PathRejection>,
    headers: &HeaderMap,
    bytes: &[u8],
    spec: &Annual,
) -> Result<StatusCode, ApiError> {
    use super::cumulative;
    let client = super::acting_for(caller)?;
    let (raw_id, raw_year) = path.map(|Path((_, b, y))| (b, y)).unwrap_or_default();
    let (id, year) = cumulative::path_from(&raw_id, &raw_year, spec.first_year)?;
    let body = cumulative::read_body(bytes)?;
    (spec.judge)(&body, year)?;
    if let Some(e) = cumulative::scenario_error(headers, spec.scenarios)? {
        return Err(e);
    }
    cumulative::check_amendment_window(state, year)?;
    let now = crate::clock::now_ms(&state.store)?;
    state.store.write(|tx| {
        let source = match cumulative::source_of_kind(tx, &client.mtd_it_id, &id, spec.kinds)? {
            Ok(s) => s,
            Err(_) if spec.other_kinds_not_found => return Ok(Err(cumulative::not_found())),
            Err(e) => return Ok(Err(e)),
        };
        if let Some(rule) = spec.on_state
            && let Some(e) = rule(tx, &source, year, &body)?
        {
            return Ok(Err(e));
        }
        save(tx, &source.business_id, year, &body, now)?;
        Ok(Ok(spec.success))
    })?
}

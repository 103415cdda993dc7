//! Business Details 2.0, the late accounting date rule (`itsa-apis.md` §3.1 #8–10): a
//! self-employment whose accounting date falls between 31 March and 4 April may treat it as the
//! tax year's end, unless it elects to disapply the rule; an election covers five tax years.
//! Eligibility follows the periods of account given for the year.

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::Datelike;
use mtd_domain::{BusinessId, TaxYear};
use rusqlite::{OptionalExtension, params};
use serde_json::{Value, json};

use super::{acting_for, cumulative, scenario};
use crate::error::ApiError;
use crate::gateway::Caller;
use crate::obligations::Source;
use crate::{AppState, clock};

/// An election made for one year holds for it and the four after.
const ELECTION_YEARS: u16 = 5;

fn path_parts(
    path: Result<Path<(String, String, String)>, PathRejection>,
) -> Result<(BusinessId, TaxYear), ApiError> {
    let (raw_id, raw_year) = path.map(|Path((_, b, y))| (b, y)).unwrap_or_default();
    let id = BusinessId::parse(&raw_id).map_err(|e| mtd_domain::ErrorItem {
        code: e.code().into(),
        message: e.to_string(),
        paths: None,
    });
    match (id, super::tax_year(&raw_year)) {
        (Ok(b), Ok(y)) => Ok((b, y)),
        (b, y) => Err(super::invalid(
            [b.err(), y.err()].into_iter().flatten().collect(),
        )),
    }
}

fn unprocessable(code: &str, message: &str) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
}

/// The election in force for `year`, by the year it was made in.
fn election(
    conn: &rusqlite::Connection,
    business_id: &str,
    year: TaxYear,
) -> Result<Option<TaxYear>, rusqlite::Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT tax_year FROM ladr_elections WHERE business_id = ?1 ORDER BY tax_year DESC",
    )?;
    let years = stmt
        .query_map([business_id], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(years
        .iter()
        .filter_map(|y| TaxYear::parse(y).ok())
        .find(|e| {
            e.start_year() <= year.start_year()
                && year.start_year() < e.start_year() + ELECTION_YEARS
        }))
}

/// Whether the year's periods of account end on a late accounting date (31 March to 4 April).
fn eligible(
    conn: &rusqlite::Connection,
    business_id: &str,
    year: TaxYear,
) -> Result<bool, rusqlite::Error> {
    let body: Option<String> = conn
        .query_row(
            "SELECT body FROM periods_of_account WHERE business_id = ?1 AND tax_year = ?2",
            params![business_id, year.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    let body: Value = body
        .and_then(|b| serde_json::from_str(&b).ok())
        .unwrap_or(Value::Null);
    let late = |d: chrono::NaiveDate| {
        (d.month() == 3 && d.day() == 31) || (d.month() == 4 && d.day() <= 4)
    };
    Ok(body["periodsOfAccountDates"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p.get("endDate").and_then(super::body::date))
        .any(late))
}

fn business(
    conn: &rusqlite::Connection,
    mtd_it_id: &str,
    id: &BusinessId,
) -> Result<Result<Source, ApiError>, rusqlite::Error> {
    // Here a business of another kind is a 422, not HMRC's usual 400.
    Ok(
        cumulative::source_of_kind(conn, mtd_it_id, id, &["self-employment"])?.map_err(|e| {
            if e.code() == "RULE_TYPE_OF_BUSINESS_INCORRECT" {
                unprocessable(
                    "RULE_TYPE_OF_BUSINESS_INCORRECT",
                    "The late accounting date rule is for self-employments",
                )
            } else {
                e
            }
        }),
    )
}

/// `GET …/{taxYear}/late-accounting-date-rule-election`
pub async fn get(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let client = acting_for(&caller)?;
    let (id, year) = path_parts(path)?;
    if scenario::pick(&headers, &["NOT_FOUND"])?.is_some() {
        return Err(cumulative::not_found());
    }
    let conn = state.store.reader();
    let source = cumulative::source(&conn, &client.mtd_it_id, &id, &["self-employment"])?
        .ok_or_else(cumulative::not_found)?;
    let mut body = json!({
        "disapply": false,
        "eligible": eligible(&conn, &source.business_id, year)?,
    });
    if let Some(e) = election(&conn, &source.business_id, year)? {
        body["disapply"] = json!(true);
        body["taxYearOfElection"] = json!(e.to_string());
        let expires = TaxYear::starting(e.start_year() + ELECTION_YEARS - 1).unwrap_or(e);
        body["taxYearElectionExpires"] = json!(expires.to_string());
    }
    Ok(Json(body))
}

/// The rules both changes share: a year from 2025-26 (2024-25 on the sandbox) that has ended and
/// whose amendment window is open.
fn changeable(
    state: &AppState,
    year: TaxYear,
    headers: &HeaderMap,
    known: &[&str],
) -> Result<(), ApiError> {
    match scenario::pick(headers, known)? {
        Some("NOT_FOUND") => return Err(cumulative::not_found()),
        Some(s @ "OUTSIDE_AMENDMENT_WINDOW") => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                &format!("RULE_{s}"),
                "The sandbox scenario asked for this error",
            ));
        }
        Some(s) => {
            return Err(unprocessable(
                &format!("RULE_{s}"),
                "The sandbox scenario asked for this error",
            ));
        }
        None => {}
    }
    if year.start_year() < 2024 {
        return Err(cumulative::not_supported());
    }
    let today = clock::now(&state.store)?.date_naive();
    if today <= year.last_day() && !cumulative::temporal_validations_suspended(headers) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "RULE_TAX_YEAR_NOT_ENDED",
            "The tax year has not ended",
        ));
    }
    cumulative::check_amendment_window(state, year)
}

/// `POST …/{taxYear}/late-accounting-date-rule-election/disapply` → 204.
pub async fn disapply(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let client = acting_for(&caller)?;
    let (id, year) = path_parts(path)?;
    let known = [
        "NOT_FOUND",
        "NO_ACCOUNTING_DATE_FOUND",
        "ELECTION_PERIOD_NOT_EXPIRED",
        "OUTSIDE_AMENDMENT_WINDOW",
        "TYPE_OF_BUSINESS_INCORRECT",
    ];
    changeable(&state, year, &headers, &known)?;
    let now = clock::now_ms(&state.store)?;
    state.store.write(|tx| {
        let source = match business(tx, &client.mtd_it_id, &id)? {
            Ok(s) => s,
            Err(e) => return Ok(Err(e)),
        };
        if !eligible(tx, &source.business_id, year)? {
            return Ok(Err(unprocessable(
                "RULE_NO_ACCOUNTING_DATE_FOUND",
                "No late accounting date was found for this year: give its periods of account first",
            )));
        }
        if election(tx, &source.business_id, year)?.is_some() {
            return Ok(Err(unprocessable(
                "RULE_ELECTION_PERIOD_NOT_EXPIRED",
                "An election to disapply the rule is already in force for this year",
            )));
        }
        tx.execute(
            "INSERT INTO ladr_elections (business_id, tax_year, elected_at_ms) VALUES (?1, ?2, ?3)",
            params![source.business_id, year.to_string(), now],
        )?;
        Ok(Ok(StatusCode::NO_CONTENT))
    })?
}

/// `DELETE …/{taxYear}/late-accounting-date-rule-election/withdraw` → 204.
pub async fn withdraw(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let client = acting_for(&caller)?;
    let (id, year) = path_parts(path)?;
    changeable(
        &state,
        year,
        &headers,
        &[
            "NOT_FOUND",
            "ELECTION_PERIOD_NOT_EXPIRED",
            "OUTSIDE_AMENDMENT_WINDOW",
        ],
    )?;
    state.store.write(|tx| {
        let source = match business(tx, &client.mtd_it_id, &id)? {
            Ok(s) => s,
            Err(e) => return Ok(Err(e)),
        };
        let n = tx.execute(
            "DELETE FROM ladr_elections WHERE business_id = ?1 AND tax_year = ?2",
            params![source.business_id, year.to_string()],
        )?;
        if n == 1 {
            return Ok(Ok(StatusCode::NO_CONTENT));
        }
        // A later year of an election made earlier: only the year it was made in can withdraw it.
        Ok(Err(if election(tx, &source.business_id, year)?.is_some() {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "RULE_ELECTION_PERIOD_NOT_EXPIRED",
                "This year is covered by an election made in an earlier year; withdraw it there",
            )
        } else {
            cumulative::not_found()
        }))
    })?
}

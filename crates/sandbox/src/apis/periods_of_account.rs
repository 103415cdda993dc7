//! Business Details 2.0, periods of account (`itsa-apis.md` §3.1 #6–7): whether a
//! self-employment draws up accounts for periods other than the tax year, and which, from
//! 2025-26 (2024-25 on the sandbox). Needed before the final declaration.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::NaiveDate;
use mtd_domain::{BusinessId, ErrorItem, TaxYear};
use rusqlite::{OptionalExtension, params};
use serde_json::{Value, json};

use super::body::{self, Findings};
use super::{acting_for, cumulative, invalid, scenario, tax_year};
use crate::error::ApiError;
use crate::gateway::Caller;
use crate::obligations::Source;
use crate::{AppState, clock};

/// The first tax year HMRC's sandbox takes periods of account for.
const FIRST_YEAR: u16 = 2024;

fn rule(code: &str, message: &str) -> ErrorItem {
    ErrorItem {
        code: code.into(),
        message: message.into(),
        paths: None,
    }
}

fn path_parts(raw_id: &str, raw_year: &str) -> Result<(BusinessId, TaxYear), ApiError> {
    let id = BusinessId::parse(raw_id).map_err(|e| rule(e.code(), &e.to_string()));
    match (id, tax_year(raw_year)) {
        (Ok(_), Ok(y)) if y.start_year() < FIRST_YEAR => Err(cumulative::not_supported()),
        (Ok(b), Ok(y)) => Ok((b, y)),
        (b, y) => Err(invalid([b.err(), y.err()].into_iter().flatten().collect())),
    }
}

/// The client's self-employment with this ID (property businesses have no periods of account).
fn self_employment(
    conn: &rusqlite::Connection,
    mtd_it_id: &str,
    id: &BusinessId,
) -> Result<Source, ApiError> {
    cumulative::source(conn, mtd_it_id, id, &["self-employment"])?.ok_or_else(cumulative::not_found)
}

fn scenario_error(headers: &HeaderMap, known: &[&str]) -> Result<Option<ApiError>, ApiError> {
    Ok(match scenario::pick(headers, known)? {
        Some("NOT_FOUND") => Some(cumulative::not_found()),
        // `NO_PERIODS_OF_ACCOUNT` is an answer to show, not an error.
        Some(s) if s.starts_with("NO_") => None,
        Some(s) => Some(ApiError::new(
            StatusCode::BAD_REQUEST,
            &format!("RULE_{s}"),
            "The sandbox scenario asked for this error",
        )),
        None => None,
    })
}

/// The dates given, checked against each other, the tax year and the business's cessation.
fn judge(body: &Value, year: TaxYear, source: &Source) -> Result<(), ApiError> {
    let mut found = Findings::default();
    let Some(obj) = body.as_object().filter(|o| !o.is_empty()) else {
        return Err(invalid(vec![rule(
            body::EMPTY_OR_WRONG,
            "An empty or non-matching body was submitted",
        )]));
    };
    for k in obj.keys() {
        if k != "periodsOfAccount" && k != "periodsOfAccountDates" {
            found.empty_or_wrong(&format!("/{k}"));
        }
    }
    let Some(flag) = obj.get("periodsOfAccount").and_then(Value::as_bool) else {
        found.empty_or_wrong("/periodsOfAccount");
        return Err(invalid(found.into_items()));
    };
    let dates = obj.get("periodsOfAccountDates");
    match (flag, dates) {
        (true, None) | (false, Some(_)) => {
            found.add(
                "RULE_PERIODS_OF_ACCOUNT",
                "Give periods of account dates when periodsOfAccount is true, and only then",
                "",
            );
            return Err(invalid(found.into_items()));
        }
        (false, None) => {}
        (true, Some(list)) => {
            let Some(list) = list.as_array().filter(|l| !l.is_empty()) else {
                found.empty_or_wrong("/periodsOfAccountDates");
                return Err(invalid(found.into_items()));
            };
            let mut periods: Vec<(NaiveDate, NaiveDate)> = Vec::new();
            for (i, p) in list.iter().enumerate() {
                let at = |k: &str| format!("/periodsOfAccountDates/{i}/{k}");
                for k in p.as_object().into_iter().flat_map(|o| o.keys()) {
                    if k != "startDate" && k != "endDate" {
                        found.empty_or_wrong(&at(k));
                    }
                }
                let start = p.get("startDate").and_then(body::date);
                let end = p.get("endDate").and_then(body::date);
                if start.is_none() {
                    found.add(
                        "FORMAT_START_DATE",
                        "The start date is invalid",
                        &at("startDate"),
                    );
                }
                if end.is_none() {
                    found.add("FORMAT_END_DATE", "The end date is invalid", &at("endDate"));
                }
                let (Some(s), Some(e)) = (start, end) else {
                    continue;
                };
                if e < s {
                    found.add(
                        "RULE_END_DATE_BEFORE_START_DATE",
                        "The end date cannot be before the start date",
                        &at("endDate"),
                    );
                }
                if s > year.last_day() {
                    found.add(
                        "RULE_START_DATE",
                        "A period of account must start in or before the tax year",
                        &at("startDate"),
                    );
                }
                if e < year.first_day() || e > year.last_day() {
                    found.add(
                        "RULE_END_DATE",
                        "A period of account must end in the tax year",
                        &at("endDate"),
                    );
                }
                if source.cessation.is_some_and(|c| e > c) {
                    found.add(
                        "RULE_CESSATION_DATE",
                        "A period of account cannot end after the business ceased",
                        &at("endDate"),
                    );
                }
                periods.push((s, e));
            }
            periods.sort();
            if periods.windows(2).any(|w| w[1].0 <= w[0].1) {
                found.add(
                    "RULE_PERIODS_OVERLAP",
                    "Periods of account must not overlap",
                    "/periodsOfAccountDates",
                );
            }
        }
    }
    if found.is_empty() {
        Ok(())
    } else {
        Err(invalid(found.into_items()))
    }
}

/// `PUT …/{nino}/{businessId}/{taxYear}/periods-of-account`
pub async fn put(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<StatusCode, ApiError> {
    let client = acting_for(&caller)?;
    let (raw_id, raw_year) = path.map(|Path((_, b, y))| (b, y)).unwrap_or_default();
    let (id, year) = path_parts(&raw_id, &raw_year)?;
    let body = cumulative::read_body(&bytes)?;
    let scenarios = ["CESSATION_DATE", "NOT_FOUND", "OUTSIDE_AMENDMENT_WINDOW"];
    if let Some(e) = scenario_error(&headers, &scenarios)? {
        return Err(e);
    }
    cumulative::check_amendment_window(&state, year)?;
    let now = clock::now_ms(&state.store)?;
    state.store.write(|tx| {
        let source = match self_employment(tx, &client.mtd_it_id, &id) {
            Ok(s) => s,
            Err(e) => return Ok(Err(e)),
        };
        if let Err(e) = judge(&body, year, &source) {
            return Ok(Err(e));
        }
        tx.execute(
            "INSERT INTO periods_of_account (business_id, tax_year, body, submitted_at_ms) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (business_id, tax_year) DO UPDATE SET body = ?3, submitted_at_ms = ?4",
            params![source.business_id, year.to_string(), body.to_string(), now],
        )?;
        Ok(Ok(StatusCode::NO_CONTENT))
    })?
}

/// `GET …/{nino}/{businessId}/{taxYear}/periods-of-account`
pub async fn get(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let client = acting_for(&caller)?;
    let (raw_id, raw_year) = path.map(|Path((_, b, y))| (b, y)).unwrap_or_default();
    let (id, year) = path_parts(&raw_id, &raw_year)?;
    let (text, at) = match scenario::pick(&headers, &["NO_PERIODS_OF_ACCOUNT", "NOT_FOUND"])? {
        Some("NOT_FOUND") => return Err(cumulative::not_found()),
        Some(_) => (
            json!({ "periodsOfAccount": false }).to_string(),
            clock::now_ms(&state.store)?,
        ),
        None => {
            let conn = state.store.reader();
            let source = self_employment(&conn, &client.mtd_it_id, &id)?;
            let stored: Option<(String, i64)> = conn
                .query_row(
                    "SELECT body, submitted_at_ms FROM periods_of_account WHERE business_id = ?1 AND tax_year = ?2",
                    params![source.business_id, year.to_string()],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            stored.ok_or_else(cumulative::not_found)?
        }
    };
    let mut body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    body["submittedOn"] = json!(
        clock::from_ms(at)
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string()
    );
    Ok(Json(body))
}

//! What the cumulative period summaries of every income source share (`itsa-apis.md` §4.1–4.2):
//! the path, the `Gov-Test-Scenario` errors, the date rules judged on state and the sandbox
//! clock, and the store that keeps every accepted version.

use crate::store::CachedQuery;
use axum::http::{HeaderMap, StatusCode};
use chrono::{Duration, NaiveDate};
use mtd_domain::{BusinessId, ErrorItem, TaxYear};
use rusqlite::{OptionalExtension, params};
use serde_json::Value;

use super::{invalid, scenario};
use crate::error::ApiError;
use crate::obligations::{self, FIRST_CUMULATIVE_YEAR, Source};

/// The business ID and tax year of a cumulative path, or HMRC's format errors together.
pub fn path(raw_id: &str, raw_year: &str) -> Result<(BusinessId, TaxYear), ApiError> {
    path_from(raw_id, raw_year, FIRST_CUMULATIVE_YEAR)
}

/// The business ID and tax year of a path whose endpoint serves years from `first_year`.
pub fn path_from(
    raw_id: &str,
    raw_year: &str,
    first_year: u16,
) -> Result<(BusinessId, TaxYear), ApiError> {
    let id = BusinessId::parse(raw_id).map_err(|e| ErrorItem {
        code: e.code().into(),
        message: e.to_string(),
        paths: None,
    });
    match (id, super::tax_year(raw_year)) {
        (Ok(_), Ok(y)) if y.start_year() < first_year => Err(not_supported()),
        (Ok(b), Ok(y)) => Ok((b, y)),
        (b, y) => Err(invalid([b.err(), y.err()].into_iter().flatten().collect())),
    }
}

pub fn not_supported() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "RULE_TAX_YEAR_NOT_SUPPORTED",
        "The tax year specified does not lie within the supported range",
    )
}

pub fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "MATCHING_RESOURCE_NOT_FOUND",
        "Matching resource not found",
    )
}

fn rule(code: &str, message: &str) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, code, message)
}

/// A year's submissions can change until a year after its final declaration is due.
pub fn amendment_window_closed(today: NaiveDate, year: TaxYear) -> bool {
    today > obligations::final_declaration_due(year) + Duration::days(365)
}

/// `RULE_OUTSIDE_AMENDMENT_WINDOW` when the year's window has closed on the sandbox clock.
pub fn check_amendment_window(state: &crate::AppState, year: TaxYear) -> Result<(), ApiError> {
    let today = crate::clock::now(&state.store)?.date_naive();
    if amendment_window_closed(today, year) {
        Err(rule(
            "RULE_OUTSIDE_AMENDMENT_WINDOW",
            "You are outside the amendment window",
        ))
    } else {
        Ok(())
    }
}

/// The sandbox's named error scenarios answer the error they name (`NOT_FOUND` is the 404);
/// `None` means the stateful behaviour.
pub fn scenario_error(headers: &HeaderMap, known: &[&str]) -> Result<Option<ApiError>, ApiError> {
    Ok(scenario::pick(headers, known)?.and_then(|s| match s {
        "NOT_FOUND" => Some(not_found()),
        "DYNAMIC" => None,
        name => Some(rule(
            &format!("RULE_{name}"),
            "The sandbox scenario asked for this error",
        )),
    }))
}

/// HMRC's sandbox header that lifts the rules about time not having come yet.
pub fn temporal_validations_suspended(headers: &HeaderMap) -> bool {
    headers
        .get("suspend-temporal-validations")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"true"))
}

/// The client's income source of `kinds` with this ID.
pub fn source(
    conn: &rusqlite::Connection,
    mtd_it_id: &str,
    id: &BusinessId,
    kinds: &[&str],
) -> Result<Option<Source>, rusqlite::Error> {
    Ok(obligations::sources(conn, mtd_it_id)?
        .into_iter()
        .find(|s| s.business_id == id.as_str() && kinds.contains(&s.kind.as_str())))
}

pub fn wrong_type() -> ApiError {
    rule(
        "RULE_TYPE_OF_BUSINESS_INCORRECT",
        "The businessId is for a different type of business",
    )
}

/// The client's income source with this ID if it is of `kinds`; an income source of another
/// kind is `RULE_TYPE_OF_BUSINESS_INCORRECT`, none at all is not found.
pub fn source_of_kind(
    conn: &rusqlite::Connection,
    mtd_it_id: &str,
    id: &BusinessId,
    kinds: &[&str],
) -> Result<Result<Source, ApiError>, rusqlite::Error> {
    Ok(
        match obligations::sources(conn, mtd_it_id)?
            .into_iter()
            .find(|s| s.business_id == id.as_str())
        {
            None => Err(not_found()),
            Some(s) if kinds.contains(&s.kind.as_str()) => Ok(s),
            Some(_) => Err(wrong_type()),
        },
    )
}

/// The latest accepted version: its body, dates and arrival.
#[derive(Debug)]
pub struct Stored {
    pub body: Value,
    pub end: Option<NaiveDate>,
    pub submitted_at_ms: i64,
}

pub fn latest(
    conn: &rusqlite::Connection,
    business_id: &str,
    year: TaxYear,
) -> Result<Option<Stored>, rusqlite::Error> {
    conn.query_row_cached(
        "SELECT body, period_end, submitted_at_ms FROM cumulative_summaries
         WHERE business_id = ?1 AND tax_year = ?2 ORDER BY id DESC LIMIT 1",
        params![business_id, year.to_string()],
        |r| {
            Ok(Stored {
                body: serde_json::from_str(&r.get::<_, String>(0)?).unwrap_or(Value::Null),
                end: r
                    .get::<_, Option<String>>(1)?
                    .and_then(|e| NaiveDate::parse_from_str(&e, "%Y-%m-%d").ok()),
                submitted_at_ms: r.get(2)?,
            })
        },
    )
    .optional()
}

/// The rules HMRC's downstream systems apply to an update's dates (`dates` is `None` when the
/// body has none). Judged in one transaction with the store, so a racing update cannot slip
/// between them.
pub fn judge_dates(
    conn: &rusqlite::Connection,
    source: &Source,
    year: TaxYear,
    dates: Option<(NaiveDate, NaiveDate)>,
    today: NaiveDate,
    suspended: bool,
) -> Result<Result<(), ApiError>, rusqlite::Error> {
    if amendment_window_closed(today, year) {
        return Ok(Err(rule(
            "RULE_OUTSIDE_AMENDMENT_WINDOW",
            "You are outside the amendment window",
        )));
    }
    let status = obligations::itsa_status(conn, &source.nino_stem, year)?;
    // A new income source in latency reports annually, whatever the taxpayer's status.
    let quarterly = obligations::quarterly(status.as_deref()) && !source.latent(year);
    let Some((start, end)) = dates else {
        return Ok(if quarterly {
            Err(rule(
                "RULE_MISSING_SUBMISSION_DATES",
                "The submission dates are required for a quarterly reporting income source",
            ))
        } else {
            Ok(())
        });
    };
    if !quarterly {
        return Ok(Err(rule(
            "RULE_START_AND_END_DATE_NOT_ALLOWED",
            "Dates are not allowed for an income source reporting annually",
        )));
    }
    let kind = obligations::period_type(conn, &source.business_id, year)?;
    let year_start = kind.year_start(year);
    let commenced_in_year = source.commencement.filter(|c| *c > year_start);
    if start != commenced_in_year.unwrap_or(year_start) {
        return Ok(Err(match commenced_in_year {
            Some(_) => rule(
                "RULE_START_DATE_NOT_ALIGNED_TO_COMMENCEMENT_DATE",
                "The start date must be the business's commencement date",
            ),
            None => rule(
                "RULE_START_DATE_NOT_ALIGNED_WITH_REPORTING_TYPE",
                "The start date must be the start of the tax year for the quarterly period type",
            ),
        }));
    }
    // The quarters the business still reports (none after the one it ceased in).
    let owed: Vec<NaiveDate> = obligations::quarterly_obligations(conn, source, year)?
        .iter()
        .map(|o| o.end)
        .collect();
    if !owed.contains(&end) {
        return Ok(Err(if end > today {
            rule(
                "RULE_ADVANCE_SUBMISSION_REQUIRES_PERIOD_END_DATE",
                "An update sent before its period ends must end on the period's end date",
            )
        } else {
            rule(
                "RULE_END_DATE_NOT_ALIGNED_WITH_REPORTING_TYPE",
                "The end date must be the end of a quarterly period for the quarterly period type",
            )
        }));
    }
    if !suspended && today < end - Duration::days(10) {
        return Ok(Err(rule(
            "RULE_EARLY_DATA_SUBMISSION_NOT_ACCEPTED",
            "An update cannot be sent more than 10 days before its period ends",
        )));
    }
    if let Some(previous) = latest(conn, &source.business_id, year)?.and_then(|s| s.end)
        && end < previous
    {
        return Ok(Err(rule(
            "RULE_SUBMISSION_END_DATE_CANNOT_MOVE_BACKWARDS",
            "The end date cannot be earlier than the end date of the previous update",
        )));
    }
    Ok(Ok(()))
}

/// Keeps an accepted update. The same body sent again (a retry after a dropped connection) adds
/// nothing.
pub fn store(
    tx: &rusqlite::Transaction<'_>,
    business_id: &str,
    year: TaxYear,
    dates: Option<(NaiveDate, NaiveDate)>,
    body: &Value,
    now_ms: i64,
) -> Result<(), rusqlite::Error> {
    if latest(tx, business_id, year)?.is_some_and(|s| &s.body == body) {
        return Ok(());
    }
    tx.execute(
        "INSERT INTO cumulative_summaries (business_id, tax_year, period_start, period_end, body, submitted_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            business_id,
            year.to_string(),
            dates.map(|(s, _)| s.to_string()),
            dates.map(|(_, e)| e.to_string()),
            body.to_string(),
            now_ms
        ],
    )?;
    Ok(())
}

/// The JSON body, read as a value; anything that is not a JSON object is an empty body.
pub fn read_body(bytes: &[u8]) -> Result<Value, ApiError> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(v @ Value::Object(_)) => Ok(v),
        _ => Err(rule(
            crate::apis::body::EMPTY_OR_WRONG,
            "An empty or non-matching body was submitted",
        )),
    }
}

/// What sets one income source's cumulative summary apart from another's.
#[derive(Debug)]
pub struct Summary {
    pub kinds: &'static [&'static str],
    pub scenarios: &'static [&'static str],
    /// The body's own rules; its dates, if any.
    pub judge: BodyRule,
    /// Rules on the stored state beyond the dates (foreign properties' IDs).
    pub on_state: Option<StateRule>,
}

/// A summary's start and end, when it has them.
pub type Dates = Option<(NaiveDate, NaiveDate)>;

pub type BodyRule = fn(&Value, TaxYear) -> Result<Dates, ApiError>;

pub type StateRule = fn(
    &rusqlite::Connection,
    &Source,
    TaxYear,
    &Value,
) -> Result<Option<ApiError>, rusqlite::Error>;

/// A cumulative summary's PUT, alike for every income source: path, body, scenario, then the
/// date rules and the store in one transaction.
pub fn put(
    state: &crate::AppState,
    caller: &crate::gateway::Caller,
    path: Result<
        axum::extract::Path<(String, String, String)>,
        axum::extract::rejection::PathRejection,
    >,
    headers: &HeaderMap,
    bytes: &[u8],
    spec: &Summary,
) -> Result<StatusCode, ApiError> {
    let client = super::acting_for(caller)?;
    let (raw_id, raw_year) = path
        .map(|axum::extract::Path((_, b, y))| (b, y))
        .unwrap_or_default();
    let (id, year) = self::path(&raw_id, &raw_year)?;
    let body = read_body(bytes)?;
    let dates = (spec.judge)(&body, year)?;
    if let Some(e) = scenario_error(headers, spec.scenarios)? {
        return Err(e);
    }
    let suspended = temporal_validations_suspended(headers);
    let now = crate::clock::now_ms(&state.store)?;
    let today = crate::clock::from_ms(now).date_naive();
    state.store.write(|tx| {
        let Some(source) = source(tx, &client.mtd_it_id, &id, spec.kinds)? else {
            return Ok(Err(not_found()));
        };
        if let Some(rule) = spec.on_state
            && let Some(e) = rule(tx, &source, year, &body)?
        {
            return Ok(Err(e));
        }
        if let Err(e) = judge_dates(tx, &source, year, dates, today, suspended)? {
            return Ok(Err(e));
        }
        store(tx, &source.business_id, year, dates, &body, now)?;
        Ok(Ok(StatusCode::NO_CONTENT))
    })?
}

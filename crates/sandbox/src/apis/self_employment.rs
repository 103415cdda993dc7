//! Self-Employment Business 5.0, the cumulative period summary (`itsa-apis.md` §3.3, §4.1):
//! year-to-date income and expenses from 2025-26, each update replacing the last.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};

use super::body::{Field, Findings, Kind, check_object, date, field, required};
use super::{acting_for, cumulative, invalid};
use crate::AppState;
use crate::error::ApiError;
use crate::gateway::Caller;

const DATES: &[Field] = &[
    required("periodStartDate", Kind::Date("FORMAT_START_DATE")),
    required("periodEndDate", Kind::Date("FORMAT_END_DATE")),
];
const INCOME: &[Field] = &[
    field("turnover", Kind::Amount),
    field("other", Kind::Amount),
    field("taxTakenOffTradingIncome", Kind::Amount),
];
const EXPENSES: &[Field] = &[
    field("consolidatedExpenses", Kind::SignedAmount),
    field("costOfGoods", Kind::SignedAmount),
    field("paymentsToSubcontractors", Kind::SignedAmount),
    field("wagesAndStaffCosts", Kind::SignedAmount),
    field("carVanTravelExpenses", Kind::SignedAmount),
    field("premisesRunningCosts", Kind::SignedAmount),
    field("maintenanceCosts", Kind::SignedAmount),
    field("adminCosts", Kind::SignedAmount),
    field("businessEntertainmentCosts", Kind::SignedAmount),
    field("advertisingCosts", Kind::SignedAmount),
    field("interestOnBankOtherLoans", Kind::SignedAmount),
    field("financeCharges", Kind::SignedAmount),
    field("irrecoverableDebts", Kind::SignedAmount),
    field("professionalFees", Kind::SignedAmount),
    field("depreciation", Kind::SignedAmount),
    field("otherExpenses", Kind::SignedAmount),
];
const DISALLOWABLE: &[Field] = &[
    field("costOfGoodsDisallowable", Kind::SignedAmount),
    field("paymentsToSubcontractorsDisallowable", Kind::SignedAmount),
    field("wagesAndStaffCostsDisallowable", Kind::SignedAmount),
    field("carVanTravelExpensesDisallowable", Kind::SignedAmount),
    field("premisesRunningCostsDisallowable", Kind::SignedAmount),
    field("maintenanceCostsDisallowable", Kind::SignedAmount),
    field("adminCostsDisallowable", Kind::SignedAmount),
    field("businessEntertainmentCostsDisallowable", Kind::SignedAmount),
    field("advertisingCostsDisallowable", Kind::SignedAmount),
    field("interestOnBankOtherLoansDisallowable", Kind::SignedAmount),
    field("financeChargesDisallowable", Kind::SignedAmount),
    field("irrecoverableDebtsDisallowable", Kind::SignedAmount),
    field("professionalFeesDisallowable", Kind::SignedAmount),
    field("depreciationDisallowable", Kind::SignedAmount),
    field("otherExpensesDisallowable", Kind::SignedAmount),
];
const BODY: &[Field] = &[
    field("periodDates", Kind::Object(DATES)),
    field("periodIncome", Kind::Object(INCOME)),
    field("periodExpenses", Kind::Object(EXPENSES)),
    field("periodDisallowableExpenses", Kind::Object(DISALLOWABLE)),
];

const PUT_SCENARIOS: &[&str] = &[
    "NOT_FOUND",
    "TAX_YEAR_NOT_SUPPORTED",
    "BOTH_EXPENSES_SUPPLIED",
    "START_DATE_NOT_ALIGNED_TO_COMMENCEMENT_DATE",
    "END_DATE_NOT_ALIGNED_WITH_REPORTING_TYPE",
    "MISSING_SUBMISSION_DATES",
    "START_AND_END_DATE_NOT_ALLOWED",
    "EARLY_DATA_SUBMISSION_NOT_ACCEPTED",
    "OUTSIDE_AMENDMENT_WINDOW",
    "ADVANCE_SUBMISSION_REQUIRES_PERIOD_END_DATE",
    "SUBMISSION_END_DATE_CANNOT_MOVE_BACKWARDS",
    "START_DATE_NOT_ALIGNED_WITH_REPORTING_TYPE",
];
const GET_SCENARIOS: &[&str] = &[
    "NOT_FOUND",
    "TAX_YEAR_NOT_SUPPORTED",
    "CONSOLIDATED_EXPENSES",
];

/// The body's own rules: its shape, at least two of dates, income and expenses, consolidated
/// expenses alone, and dates in order. The dates, when there are any and they are good.
fn judge_body(
    body: &Value,
    _year: mtd_domain::TaxYear,
) -> Result<Option<(chrono::NaiveDate, chrono::NaiveDate)>, ApiError> {
    if body.as_object().is_some_and(serde_json::Map::is_empty) {
        return Err(invalid(vec![mtd_domain::ErrorItem {
            code: super::body::EMPTY_OR_WRONG.into(),
            message: "An empty or non-matching body was submitted".into(),
            paths: None,
        }]));
    }
    let mut found = Findings::default();
    check_object(body, BODY, "", &mut found);
    let has = |k: &str| body.get(k).is_some();
    let parts = [
        has("periodDates"),
        has("periodIncome"),
        has("periodExpenses") || has("periodDisallowableExpenses"),
    ];
    if parts.iter().filter(|p| **p).count() < 2 {
        found.add(
            super::body::EMPTY_OR_WRONG,
            "Give at least two of periodDates, periodIncome and expenses",
            "",
        );
    }
    let expenses = body.get("periodExpenses").and_then(Value::as_object);
    if expenses.is_some_and(|e| e.contains_key("consolidatedExpenses"))
        && (expenses.is_some_and(|e| e.len() > 1) || has("periodDisallowableExpenses"))
    {
        found.add(
            "RULE_BOTH_EXPENSES_SUPPLIED",
            "Both expenses and consolidatedExpenses were supplied",
            "/periodExpenses",
        );
    }
    let dates = body.get("periodDates").and_then(|d| {
        Some((
            date(d.get("periodStartDate")?)?,
            date(d.get("periodEndDate")?)?,
        ))
    });
    if let Some((start, end)) = dates
        && end < start
    {
        found.add(
            "RULE_END_DATE_BEFORE_START_DATE",
            "The end date cannot be before the start date",
            "",
        );
    }
    if found.is_empty() {
        Ok(dates)
    } else {
        Err(invalid(found.into_items()))
    }
}

const SUMMARY: cumulative::Summary = cumulative::Summary {
    kinds: &["self-employment"],
    scenarios: PUT_SCENARIOS,
    judge: judge_body,
    on_state: None,
};

/// `PUT …/self-employment/{nino}/{businessId}/cumulative/{taxYear}`
pub async fn put(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<StatusCode, ApiError> {
    cumulative::put(&state, &caller, path, &headers, &bytes, &SUMMARY)
}

/// `GET …/self-employment/{nino}/{businessId}/cumulative/{taxYear}`
pub async fn get(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let client = acting_for(&caller)?;
    let (raw_id, raw_year) = path.map(|Path((_, b, y))| (b, y)).unwrap_or_default();
    let (id, year) = cumulative::path(&raw_id, &raw_year)?;
    match super::scenario::pick(&headers, GET_SCENARIOS)? {
        Some("CONSOLIDATED_EXPENSES") => {
            return Ok(Json(json!({
                "periodDates": { "periodStartDate": year.first_day().to_string(), "periodEndDate": crate::obligations::PeriodType::Standard.quarter_ends(year)[0].to_string() },
                "periodIncome": { "turnover": 12000.5, "other": 150 },
                "periodExpenses": { "consolidatedExpenses": 3100.25 }
            })));
        }
        Some(_) => {
            return Err(cumulative::scenario_error(&headers, GET_SCENARIOS)?
                .unwrap_or_else(cumulative::not_found));
        }
        None => {}
    }
    let conn = state.store.reader();
    let Some(source) = cumulative::source(&conn, &client.mtd_it_id, &id, &["self-employment"])?
    else {
        return Err(cumulative::not_found());
    };
    let stored =
        cumulative::latest(&conn, &source.business_id, year)?.ok_or_else(cumulative::not_found)?;
    let mut body = stored.body;
    // The answer always has its dates: for an update without them, the whole tax year.
    if body.get("periodDates").is_none() {
        body["periodDates"] = json!({
            "periodStartDate": year.first_day().to_string(),
            "periodEndDate": year.last_day().to_string(),
        });
    }
    Ok(Json(body))
}

//! Property Business 6.0, the UK property cumulative period summary (`itsa-apis.md` §3.4, §4.2):
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

const RENT_A_ROOM_INCOME: &[Field] = &[required("rentsReceived", Kind::Amount)];
const RENT_A_ROOM_EXPENSES: &[Field] = &[required("amountClaimed", Kind::Amount)];
const INCOME: &[Field] = &[
    field("premiumsOfLeaseGrant", Kind::Amount),
    field("reversePremiums", Kind::Amount),
    field("periodAmount", Kind::Amount),
    field("taxDeducted", Kind::Amount),
    field("otherIncome", Kind::Amount),
    field("rentARoom", Kind::Object(RENT_A_ROOM_INCOME)),
];
/// What `consolidatedExpenses` may come with.
const WITH_CONSOLIDATED: &[&str] = &[
    "consolidatedExpenses",
    "residentialFinancialCost",
    "residentialFinancialCostsCarriedForward",
    "rentARoom",
];
const EXPENSES: &[Field] = &[
    field("premisesRunningCosts", Kind::SignedAmount),
    field("repairsAndMaintenance", Kind::SignedAmount),
    field("financialCosts", Kind::SignedAmount),
    field("professionalFees", Kind::SignedAmount),
    field("costOfServices", Kind::SignedAmount),
    field("other", Kind::SignedAmount),
    field("travelCosts", Kind::SignedAmount),
    field("consolidatedExpenses", Kind::SignedAmount),
    field("residentialFinancialCost", Kind::Amount),
    field("residentialFinancialCostsCarriedForward", Kind::Amount),
    field("rentARoom", Kind::Object(RENT_A_ROOM_EXPENSES)),
];
const UK_PROPERTY: &[Field] = &[
    field("income", Kind::Object(INCOME)),
    field("expenses", Kind::Object(EXPENSES)),
];
const BODY: &[Field] = &[
    field("fromDate", Kind::Date("FORMAT_FROM_DATE")),
    field("toDate", Kind::Date("FORMAT_TO_DATE")),
    required("ukProperty", Kind::Object(UK_PROPERTY)),
];

const PUT_SCENARIOS: &[&str] = &[
    "NOT_FOUND",
    "TAX_YEAR_NOT_SUPPORTED",
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
    "UK_PROPERTY_CONSOLIDATED",
    "UK_PROPERTY_FULL_EXPENSES",
    "FOREIGN_PROPERTY",
];

fn judge_body(
    body: &Value,
    _year: mtd_domain::TaxYear,
) -> Result<Option<(chrono::NaiveDate, chrono::NaiveDate)>, ApiError> {
    let mut found = Findings::default();
    check_object(body, BODY, "", &mut found);
    if let Some(expenses) = body
        .pointer("/ukProperty/expenses")
        .and_then(Value::as_object)
        && expenses.contains_key("consolidatedExpenses")
        && expenses
            .keys()
            .any(|k| !WITH_CONSOLIDATED.contains(&k.as_str()))
    {
        found.add(
            "RULE_BOTH_EXPENSES_SUPPLIED",
            "Both expenses and consolidatedExpenses were supplied",
            "/ukProperty/expenses",
        );
    }
    let (from, to) = (body.get("fromDate"), body.get("toDate"));
    if from.is_some() != to.is_some() {
        found.add(
            "RULE_MISSING_SUBMISSION_DATES",
            "Give both fromDate and toDate, or neither",
            "",
        );
    }
    let dates = from.and_then(date).zip(to.and_then(date));
    if let Some((f, t)) = dates
        && t < f
    {
        found.add(
            "RULE_TO_DATE_BEFORE_FROM_DATE",
            "The to date cannot be before the from date",
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
    kinds: &["uk-property"],
    scenarios: PUT_SCENARIOS,
    judge: judge_body,
    on_state: None,
};

/// `PUT …/property/uk/{nino}/{businessId}/cumulative/{taxYear}`
pub async fn put_uk(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<StatusCode, ApiError> {
    cumulative::put(&state, &caller, path, &headers, &bytes, &SUMMARY)
}

/// `GET …/property/uk/{nino}/{businessId}/cumulative/{taxYear}`: the update with `submittedOn`.
pub async fn get_uk(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let client = acting_for(&caller)?;
    let (raw_id, raw_year) = path.map(|Path((_, b, y))| (b, y)).unwrap_or_default();
    let (id, year) = cumulative::path(&raw_id, &raw_year)?;
    let canned_expenses = match super::scenario::pick(&headers, GET_SCENARIOS)? {
        Some("UK_PROPERTY_CONSOLIDATED") => Some(json!({ "consolidatedExpenses": 1500.75 })),
        Some("UK_PROPERTY_FULL_EXPENSES") => Some(
            json!({ "premisesRunningCosts": 600.5, "repairsAndMaintenance": 420, "other": 80.25 }),
        ),
        Some("FOREIGN_PROPERTY") => return Err(cumulative::wrong_type()),
        Some(_) => {
            return Err(cumulative::scenario_error(&headers, GET_SCENARIOS)?
                .unwrap_or_else(cumulative::not_found));
        }
        None => None,
    };
    if let Some(expenses) = canned_expenses {
        let end = crate::obligations::PeriodType::Standard.quarter_ends(year)[0];
        return Ok(Json(json!({
            "submittedOn": crate::clock::now(&state.store)?.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
            "fromDate": year.first_day().to_string(),
            "toDate": end.to_string(),
            "ukProperty": { "income": { "periodAmount": 4200, "otherIncome": 35.5 }, "expenses": expenses }
        })));
    }
    let conn = state.store.reader();
    let source = cumulative::source_of_kind(&conn, &client.mtd_it_id, &id, &["uk-property"])??;
    let stored =
        cumulative::latest(&conn, &source.business_id, year)?.ok_or_else(cumulative::not_found)?;
    let mut body = stored.body;
    body["submittedOn"] = json!(
        crate::clock::from_ms(stored.submitted_at_ms)
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string()
    );
    if body.get("fromDate").is_none() {
        body["fromDate"] = json!(year.first_day().to_string());
        body["toDate"] = json!(year.last_day().to_string());
    }
    Ok(Json(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn year() -> mtd_domain::TaxYear {
        mtd_domain::TaxYear::parse("2025-26").unwrap()
    }

    #[test]
    fn consolidated_expenses_keep_their_allowed_company() {
        let ok = json!({ "fromDate": "2025-04-06", "toDate": "2025-07-05", "ukProperty": { "expenses": { "consolidatedExpenses": 10, "residentialFinancialCost": 5 } } });
        assert!(judge_body(&ok, year()).is_ok());
        let both = json!({ "ukProperty": { "expenses": { "consolidatedExpenses": 10, "travelCosts": 5 } } });
        let err = judge_body(&both, year()).unwrap_err();
        assert_eq!(err.code(), "RULE_BOTH_EXPENSES_SUPPLIED");
        let negative_rfc =
            json!({ "ukProperty": { "expenses": { "residentialFinancialCost": -5 } } });
        assert_eq!(
            judge_body(&negative_rfc, year()).unwrap_err().code(),
            "FORMAT_VALUE"
        );
        let no_property = json!({ "fromDate": "2025-04-06", "toDate": "2025-07-05" });
        assert_eq!(
            judge_body(&no_property, year()).unwrap_err().code(),
            crate::apis::body::EMPTY_OR_WRONG
        );
    }
}

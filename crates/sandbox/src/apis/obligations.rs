//! Obligations 3.0 (`itsa-apis.md` §3.2, §5.1): quarterly update and final declaration
//! obligations, derived from the taxpayer's income sources, ITSA status and updates on the
//! sandbox clock, so they turn `fulfilled` as updates arrive.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::{Duration, NaiveDate};
use mtd_domain::{BusinessId, ErrorItem, TaxYear};
use serde_json::{Value, json};

use super::{acting_for, invalid, scenario, tax_year};
use crate::error::ApiError;
use crate::gateway::Caller;
use crate::obligations::{self, Obligation};
use crate::{AppState, clock};

fn item(code: &str, message: &str) -> ErrorItem {
    ErrorItem {
        code: code.into(),
        message: message.into(),
        paths: None,
    }
}

fn no_obligations() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "NO_OBLIGATIONS_FOUND",
        "No obligations found using this filter",
    )
}

fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "MATCHING_RESOURCE_NOT_FOUND",
        "Matching resource not found",
    )
}

/// Each query parameter by its first value.
fn query(raw: Option<&str>) -> impl Fn(&str) -> Option<String> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(raw.unwrap_or("").as_bytes())
        .into_owned()
        .collect();
    move |k| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Open,
    Fulfilled,
}

fn status(raw: Option<String>, errors: &mut Vec<ErrorItem>) -> Option<Status> {
    match raw.as_deref() {
        None => None,
        Some("open") => Some(Status::Open),
        Some("fulfilled") => Some(Status::Fulfilled),
        Some(_) => {
            errors.push(item(
                "FORMAT_STATUS",
                "The status must be open or fulfilled",
            ));
            None
        }
    }
}

fn detail(o: &Obligation) -> Value {
    let mut v = json!({
        "periodStartDate": o.start.to_string(),
        "periodEndDate": o.end.to_string(),
        "dueDate": o.due.to_string(),
        "status": if o.received.is_some() { "fulfilled" } else { "open" },
    });
    if let Some(r) = o.received {
        v["receivedDate"] = json!(r.to_string());
    }
    v
}

fn keep(o: &Obligation, wanted: Option<Status>) -> bool {
    match wanted {
        None => true,
        Some(Status::Open) => o.received.is_none(),
        Some(Status::Fulfilled) => o.received.is_some(),
    }
}

fn error_scenario(name: &str) -> ApiError {
    match name {
        "NOT_FOUND" => not_found(),
        "NO_OBLIGATIONS_FOUND" => no_obligations(),
        _ => ApiError::new(
            StatusCode::BAD_REQUEST,
            "RULE_INSOLVENT_TRADER",
            "The remote endpoint has indicated that the Trader is insolvent",
        ),
    }
}

/// `GET /obligations/details/{nino}/income-and-expenditure`
pub async fn income_and_expenditure(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let client = acting_for(&caller)?;
    let q = query(raw.as_deref());
    let mut errors = Vec::new();
    let kind = q("typeOfBusiness");
    if kind
        .as_deref()
        .is_some_and(|k| !matches!(k, "self-employment" | "uk-property" | "foreign-property"))
    {
        errors.push(item(
            "FORMAT_TYPE_OF_BUSINESS",
            "The type of business is invalid",
        ));
    }
    let business = q("businessId");
    if let Some(b) = &business {
        if BusinessId::parse(b).is_err() {
            errors.push(item(
                "FORMAT_BUSINESS_ID",
                "The provided Business ID is invalid",
            ));
        }
        if kind.is_none() {
            errors.push(item(
                "MISSING_TYPE_OF_BUSINESS",
                "The type of business query parameter must be provided when a business ID is",
            ));
        }
    }
    let day = |k: &str, code: &str, errors: &mut Vec<ErrorItem>| {
        q(k).and_then(|v| {
            let d = NaiveDate::parse_from_str(&v, "%Y-%m-%d")
                .ok()
                .filter(|_| v.len() == 10);
            if d.is_none() {
                errors.push(item(code, "The date is invalid: give it as YYYY-MM-DD"));
            }
            d
        })
    };
    let from = day("fromDate", "FORMAT_FROM_DATE", &mut errors);
    let to = day("toDate", "FORMAT_TO_DATE", &mut errors);
    match (q("fromDate").is_some(), q("toDate").is_some()) {
        (true, false) => errors.push(item("MISSING_TO_DATE", "The to date is missing")),
        (false, true) => errors.push(item("MISSING_FROM_DATE", "The from date is missing")),
        _ => {}
    }
    if let (Some(f), Some(t)) = (from, to) {
        if t < f {
            errors.push(item(
                "RANGE_TO_DATE_BEFORE_FROM_DATE",
                "The to date cannot be before the from date",
            ));
        } else if (t - f).num_days() > 366 {
            errors.push(item(
                "RULE_DATE_RANGE_INVALID",
                "The date range must be 366 days or less",
            ));
        }
        if f < NaiveDate::from_ymd_opt(2018, 4, 6).expect("a real date") {
            errors.push(item(
                "RULE_FROM_DATE_NOT_SUPPORTED",
                "The from date must be 2018-04-06 or later",
            ));
        }
    }
    let wanted = status(q("status"), &mut errors);
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    let wanted = match scenario::pick(
        &headers,
        &[
            "OPEN",
            "FULFILLED",
            "INSOLVENT_TRADER",
            "NOT_FOUND",
            "NO_OBLIGATIONS_FOUND",
            "DYNAMIC",
            "CUMULATIVE",
        ],
    )? {
        Some("OPEN") => Some(Status::Open),
        Some("FULFILLED") => Some(Status::Fulfilled),
        Some(name @ ("INSOLVENT_TRADER" | "NOT_FOUND" | "NO_OBLIGATIONS_FOUND")) => {
            return Err(error_scenario(name));
        }
        _ => wanted,
    };

    let today = clock::now(&state.store)?.date_naive();
    // Without dates: the year either side of today, or every open obligation.
    let window = match (from, to) {
        (Some(f), Some(t)) => Some((f, t)),
        _ if wanted == Some(Status::Open) => None,
        _ => Some((today - Duration::days(366), today + Duration::days(366))),
    };
    let reader = state.store.reader();
    // One read transaction for all the queries: one set of file locks, one consistent view.
    let conn = reader.unchecked_transaction()?;
    let sources = obligations::sources(&conn, &client.mtd_it_id)?;
    let chosen: Vec<_> = sources
        .iter()
        .filter(|s| kind.as_deref().is_none_or(|k| s.kind == k))
        .filter(|s| business.as_deref().is_none_or(|b| s.business_id == b))
        .collect();
    if business.is_some() && chosen.is_empty() {
        return Err(not_found());
    }
    let mut out = Vec::new();
    for s in chosen {
        let mut details = Vec::new();
        for year in obligations::years_around(today) {
            for o in obligations::quarterly_obligations(&conn, s, year)? {
                let in_window = window.is_none_or(|(f, t)| o.end >= f && o.end <= t);
                if in_window && keep(&o, wanted) {
                    details.push(detail(&o));
                }
            }
        }
        if !details.is_empty() {
            out.push(json!({
                "typeOfBusiness": s.kind,
                "businessId": s.business_id,
                "obligationDetails": details,
            }));
        }
    }
    if out.is_empty() {
        return Err(no_obligations());
    }
    Ok(Json(json!({ "obligations": out })))
}

/// `GET /obligations/details/{nino}/crystallisation`: one final declaration per tax year the
/// taxpayer reports quarterly in, due 31 January after it.
pub async fn crystallisation(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let client = acting_for(&caller)?;
    let q = query(raw.as_deref());
    let mut errors = Vec::new();
    let year = q("taxYear").and_then(|y| match tax_year(&y) {
        Ok(y) => Some(y),
        Err(e) => {
            errors.push(e);
            None
        }
    });
    if year.is_some_and(|y| y.start_year() < 2017) {
        errors.push(item(
            "RULE_TAX_YEAR_NOT_SUPPORTED",
            "The tax year specified does not lie within the supported range",
        ));
    }
    let wanted = status(q("status"), &mut errors);
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    if let Some(name) = scenario::pick(
        &headers,
        &[
            "MULTIPLE",
            "INSOLVENT_TRADER",
            "NOT_FOUND",
            "DYNAMIC",
            "NO_OBLIGATIONS_FOUND",
        ],
    )? && matches!(
        name,
        "INSOLVENT_TRADER" | "NOT_FOUND" | "NO_OBLIGATIONS_FOUND"
    ) {
        return Err(error_scenario(name));
    }
    let today = clock::now(&state.store)?.date_naive();
    let current = TaxYear::containing(today).ok_or_else(no_obligations)?;
    let years: Vec<TaxYear> = match year {
        Some(y) => vec![y],
        None => (current.start_year().saturating_sub(4)..=current.start_year())
            .filter_map(TaxYear::starting)
            .collect(),
    };
    let reader = state.store.reader();
    // One read transaction for all the queries: one set of file locks, one consistent view.
    let conn = reader.unchecked_transaction()?;
    let Some(stem) = obligations::sources(&conn, &client.mtd_it_id)?
        .first()
        .map(|s| s.nino_stem.clone())
        .or_else(|| Some(client.nino.as_str()[..8].to_owned()))
    else {
        return Err(no_obligations());
    };
    let mut out = Vec::new();
    for y in years {
        if obligations::quarterly(obligations::itsa_status(&conn, &stem, y)?.as_deref()) {
            let o = Obligation {
                start: y.first_day(),
                end: y.last_day(),
                due: obligations::final_declaration_due(y),
                received: None,
            };
            if keep(&o, wanted) {
                out.push(detail(&o));
            }
        }
    }
    if out.is_empty() {
        return Err(no_obligations());
    }
    Ok(Json(json!({ "obligations": out })))
}

//! Business Details 2.0 (`itsa-apis.md` §3.1): the income sources a taxpayer signed up with.
//! Listing and reading them is open to supporting agents; the accounting type is for the
//! taxpayer and its main agent only (§2.7).

use crate::store::CachedQuery;
use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use mtd_domain::{BusinessId, ErrorItem};
use rusqlite::{OptionalExtension, params};
use serde_json::{Map, Value, json};

use super::{acting_for, invalid, scenario, tax_year};
use crate::AppState;
use crate::error::ApiError;
use crate::gateway::Caller;
use crate::obligations::PeriodType;

fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "MATCHING_RESOURCE_NOT_FOUND",
        "Matching resource not found",
    )
}

fn no_business() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "NO_BUSINESS_FOUND",
        "No business found for given NINO and Business ID",
    )
}

fn business_id(raw: &str) -> Result<BusinessId, ErrorItem> {
    BusinessId::parse(raw).map_err(|e| ErrorItem {
        code: e.code().into(),
        message: e.to_string(),
        paths: None,
    })
}

/// One income source as the store holds it.
struct Source {
    business_id: String,
    kind: String,
    trading_name: Option<String>,
    trade: Option<String>,
    address: Option<String>,
    commencement_date: Option<String>,
    cessation_date: Option<String>,
    /// Latency and first accounting period, as test support gave them.
    details: Option<String>,
}

fn sources(state: &AppState, mtd_it_id: &str) -> Result<Vec<Source>, ApiError> {
    let conn = state.store.reader();
    let mut stmt = conn.prepare_cached(
        "SELECT business_id, type_of_business, trading_name, trade, address, commencement_date, cessation_date, details
         FROM businesses WHERE mtd_it_id = ?1 ORDER BY created_at_ms, business_id",
    )?;
    let rows = stmt
        .query_map([mtd_it_id], |r| {
            Ok(Source {
                business_id: r.get(0)?,
                kind: r.get(1)?,
                trading_name: r.get(2)?,
                trade: r.get(3)?,
                address: r.get(4)?,
                commencement_date: r.get(5)?,
                cessation_date: r.get(6)?,
                details: r.get(7)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// HMRC's sandbox answers for `Gov-Test-Scenario`: fixed income sources, by HMRC's example IDs.
fn canned(kind: &str) -> Source {
    let (id, trade, name) = match kind {
        "self-employment" => ("XBIS12345678901", Some("Plastering"), Some("RCDTS")),
        "uk-property" => ("XPIS12345678901", None, None),
        "foreign-property" => ("XFIS12345678901", None, None),
        _ => ("XAIS12345678901", None, None),
    };
    Source {
        business_id: id.into(),
        kind: kind.into(),
        trading_name: name.map(Into::into),
        trade: trade.map(Into::into),
        address: (kind == "self-employment").then(|| {
            json!({ "addressLine1": "1 Acme Rd.", "addressLine2": "London", "postcode": "M1 1AG", "countryCode": "GB" }).to_string()
        }),
                commencement_date: Some("2023-04-06".into()),
        cessation_date: None,
        details: None,
    }
}

const LIST_SCENARIOS: &[&str] = &[
    "NOT_FOUND",
    "PROPERTY",
    "FOREIGN_PROPERTY",
    "BUSINESS_AND_PROPERTY",
    "UNSPECIFIED",
];
const RETRIEVE_SCENARIOS: &[&str] = &[
    "NOT_FOUND",
    "PROPERTY",
    "FOREIGN_PROPERTY",
    "UNSPECIFIED",
    "DYNAMIC",
];

/// `tradingType` and `tradingName` belong to self-employments only.
fn summary(s: &Source) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("typeOfBusiness".into(), json!(s.kind));
    m.insert("businessId".into(), json!(s.business_id));
    if s.kind == "self-employment" {
        if let Some(t) = &s.trade {
            m.insert("tradingType".into(), json!(t));
        }
        if let Some(n) = &s.trading_name {
            m.insert("tradingName".into(), json!(n));
        }
    }
    m
}

/// `GET /individuals/business/details/{nino}/list`
pub async fn list(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let client = acting_for(&caller)?;
    let all = match scenario::pick(&headers, LIST_SCENARIOS)? {
        None => sources(&state, &client.mtd_it_id)?,
        Some("NOT_FOUND") => return Err(not_found()),
        Some("PROPERTY") => vec![canned("uk-property")],
        Some("FOREIGN_PROPERTY") => vec![canned("foreign-property")],
        Some("BUSINESS_AND_PROPERTY") => vec![canned("self-employment"), canned("uk-property")],
        Some(_) => vec![canned("property-unspecified")],
    };
    if all.is_empty() {
        return Err(not_found());
    }
    let list: Vec<Value> = all.iter().map(|s| Value::Object(summary(s))).collect();
    Ok(Json(json!({ "listOfBusinesses": list })))
}

/// The client's income source named by the path, once its format is right.
fn one_source(state: &AppState, caller: &Caller, id: &BusinessId) -> Result<Source, ApiError> {
    let client = acting_for(caller)?;
    let all = sources(state, &client.mtd_it_id)?;
    if all.is_empty() {
        return Err(not_found());
    }
    all.into_iter()
        .find(|s| s.business_id == id.as_str())
        .ok_or_else(no_business)
}

/// `GET /individuals/business/details/{nino}/{businessId}`
pub async fn retrieve(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let raw = path.map(|Path((_, b))| b).unwrap_or_default();
    let id = business_id(&raw).map_err(|e| invalid(vec![e]))?;
    let s = match scenario::pick(&headers, RETRIEVE_SCENARIOS)? {
        None => one_source(&state, &caller, &id)?,
        Some("NOT_FOUND") => return Err(not_found()),
        Some("PROPERTY") => canned("uk-property"),
        Some("FOREIGN_PROPERTY") => canned("foreign-property"),
        Some("UNSPECIFIED") => canned("property-unspecified"),
        // The answer's type follows HMRC's example IDs.
        Some(_) => match id.as_str() {
            "XBIS12345678901" => canned("self-employment"),
            "XPIS12345678901" => canned("uk-property"),
            "XFIS12345678901" => canned("foreign-property"),
            "XAIS12345678901" => canned("property-unspecified"),
            _ => return Err(no_business()),
        },
    };
    let mut m = summary(&s);
    if let Some(d) = &s.commencement_date {
        m.insert("commencementDate".into(), json!(d));
    }
    let details: Value = s
        .details
        .as_deref()
        .and_then(|d| serde_json::from_str(d).ok())
        .unwrap_or(Value::Null);
    for (key, value) in details.as_object().into_iter().flatten() {
        m.insert(key.clone(), value.clone());
    }
    if let Some(d) = &s.cessation_date {
        m.insert("cessationDate".into(), json!(d));
    }
    let address: Value = s
        .address
        .as_deref()
        .and_then(|a| serde_json::from_str(a).ok())
        .unwrap_or(Value::Null);
    for (from, to) in [
        ("addressLine1", "businessAddressLineOne"),
        ("addressLine2", "businessAddressLineTwo"),
        ("addressLine3", "businessAddressLineThree"),
        ("addressLine4", "businessAddressLineFour"),
        ("postcode", "businessAddressPostcode"),
        ("countryCode", "businessAddressCountryCode"),
    ] {
        if let Some(v) = address.get(from).filter(|v| v.is_string()) {
            m.insert(to.into(), v.clone());
        }
    }
    let choice: Option<(String, String)> = state
        .store
        .reader()
        .query_row_cached(
            "SELECT period_type, tax_year FROM quarterly_period_types WHERE business_id = ?1 ORDER BY tax_year DESC LIMIT 1",
            [&s.business_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if let Some((kind, year)) = choice {
        m.insert(
            "quarterlyTypeChoice".into(),
            json!({ "quarterlyPeriodType": kind, "taxYearOfChoice": year }),
        );
    }
    Ok(Json(Value::Object(m)))
}

/// `GET /individuals/business/details/{nino}/{businessId}/{taxYear}/accounting-type`. An income
/// source uses the cash basis unless it elected otherwise for the year.
pub async fn accounting_type(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let (raw_id, raw_year) = path.map(|Path((_, b, y))| (b, y)).unwrap_or_default();
    let (id, year) = match (business_id(&raw_id), tax_year(&raw_year)) {
        (Ok(b), Ok(y)) => (b, y),
        (b, y) => return Err(invalid([b.err(), y.err()].into_iter().flatten().collect())),
    };
    if scenario::pick(&headers, &["NOT_FOUND"])?.is_some() {
        return Err(not_found());
    }
    let s = one_source(&state, &caller, &id).map_err(|e| match e.code() {
        "NO_BUSINESS_FOUND" => not_found(),
        _ => e,
    })?;
    let chosen: Option<String> = state
        .store
        .reader()
        .query_row_cached(
            // An election holds from its tax year until another is made.
            "SELECT accounting_type FROM accounting_types WHERE business_id = ?1 AND tax_year <= ?2
             ORDER BY tax_year DESC LIMIT 1",
            params![s.business_id, year.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    Ok(Json(
        json!({ "accountingType": chosen.as_deref().unwrap_or("CASH") }),
    ))
}

/// `PUT /individuals/business/details/{nino}/{businessId}/{taxYear}`: standard or calendar
/// quarters for the current tax year, until the year has an update.
pub async fn quarterly_period_type(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    headers: HeaderMap,
    bytes: axum::body::Bytes,
) -> Result<StatusCode, ApiError> {
    let client = acting_for(&caller)?;
    let (raw_id, raw_year) = path.map(|Path((_, b, y))| (b, y)).unwrap_or_default();
    let (id, year) = match (business_id(&raw_id), tax_year(&raw_year)) {
        (Ok(b), Ok(y)) => (b, y),
        (b, y) => return Err(invalid([b.err(), y.err()].into_iter().flatten().collect())),
    };
    let body: Option<Value> = serde_json::from_slice(&bytes).ok();
    let kind = body
        .as_ref()
        .and_then(Value::as_object)
        .filter(|o| o.len() == 1)
        .and_then(|o| o.get("quarterlyPeriodType"))
        .and_then(Value::as_str)
        .and_then(PeriodType::parse)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "RULE_INCORRECT_OR_EMPTY_BODY_SUBMITTED",
                "Give quarterlyPeriodType as standard or calendar, and nothing else",
            )
        })?;
    let scenarios = [
        "BUSINESS_ID_NOT_FOUND",
        "BUSINESS_ID_STATE_CONFLICT",
        "QUARTERLY_PERIOD_UPDATING",
        "REQUEST_CANNOT_BE_FULFILLED",
    ];
    if let Some(s) = scenario::pick(&headers, &scenarios)? {
        let status = match s {
            "BUSINESS_ID_NOT_FOUND" => StatusCode::NOT_FOUND,
            "REQUEST_CANNOT_BE_FULFILLED" => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::BAD_REQUEST,
        };
        return Err(ApiError::new(
            status,
            &format!("RULE_{s}"),
            "The sandbox scenario asked for this error",
        ));
    }
    let now = crate::clock::now(&state.store)?;
    let today = now.date_naive();
    let cannot = || {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "RULE_REQUEST_CANNOT_BE_FULFILLED",
            "Custom (will vary in production depending on the actual error)",
        )
    };
    if mtd_domain::TaxYear::containing(today) != Some(year) {
        return Err(cannot());
    }
    state.store.write(|tx| {
        let Some(source) = crate::obligations::sources(tx, &client.mtd_it_id)?
            .into_iter()
            .find(|s| s.business_id == id.as_str())
        else {
            return Ok(Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "RULE_BUSINESS_ID_NOT_FOUND",
                "The business ID was not found",
            )));
        };
        if !matches!(source.kind.as_str(), "self-employment" | "uk-property" | "foreign-property") {
            return Ok(Err(cannot()));
        }
        // Commencing in the 1 to 5 April gap while today is in it leaves the choice undecided.
        let gap = |d: chrono::NaiveDate| {
            use chrono::Datelike;
            d.month() == 4 && (1..=5).contains(&d.day())
        };
        if source.commencement.is_some_and(gap) && gap(today) {
            return Ok(Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "RULE_QUARTERLY_PERIOD_UPDATING",
                "The quarterly period type cannot be changed while the business starts between 1 and 5 April",
            )));
        }
        let current = crate::obligations::period_type(tx, &source.business_id, year)?;
        if current != kind && super::cumulative::latest(tx, &source.business_id, year)?.is_some() {
            return Ok(Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "RULE_BUSINESS_ID_STATE_CONFLICT",
                "The quarterly period type cannot change once the year has an update",
            )));
        }
        tx.execute(
            "INSERT INTO quarterly_period_types (business_id, tax_year, period_type) VALUES (?1, ?2, ?3)
             ON CONFLICT (business_id, tax_year) DO UPDATE SET period_type = ?3",
            params![source.business_id, year.to_string(), kind.as_str()],
        )?;
        Ok(Ok(StatusCode::NO_CONTENT))
    })?
}

/// `PUT …/{nino}/{businessId}/{taxYear}/accounting-type`: cash basis or accruals for a year
/// from 2025-26 (2024-25 on the sandbox), until its amendment window closes.
pub async fn update_accounting_type(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    headers: HeaderMap,
    bytes: axum::body::Bytes,
) -> Result<StatusCode, ApiError> {
    let (raw_id, raw_year) = path.map(|Path((_, b, y))| (b, y)).unwrap_or_default();
    let (id, year) = match (business_id(&raw_id), tax_year(&raw_year)) {
        (Ok(b), Ok(y)) => (b, y),
        (b, y) => return Err(invalid([b.err(), y.err()].into_iter().flatten().collect())),
    };
    if year.start_year() < 2024 {
        return Err(super::cumulative::not_supported());
    }
    let kind = serde_json::from_slice::<Value>(&bytes)
        .ok()
        .as_ref()
        .and_then(Value::as_object)
        .filter(|o| o.len() == 1)
        .and_then(|o| o.get("accountingType"))
        .and_then(Value::as_str)
        .filter(|k| matches!(*k, "CASH" | "ACCRUAL"))
        .map(str::to_owned)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "RULE_INCORRECT_OR_EMPTY_BODY_SUBMITTED",
                "Give accountingType as CASH or ACCRUAL, and nothing else",
            )
        })?;
    match scenario::pick(&headers, &["NOT_FOUND", "OUTSIDE_AMENDMENT_WINDOW"])? {
        Some("NOT_FOUND") => return Err(not_found()),
        Some(s) => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                &format!("RULE_{s}"),
                "The sandbox scenario asked for this error",
            ));
        }
        None => {}
    }
    super::cumulative::check_amendment_window(&state, year)?;
    let s = one_source(&state, &caller, &id).map_err(|e| match e.code() {
        "NO_BUSINESS_FOUND" => not_found(),
        _ => e,
    })?;
    state.store.write(|tx| {
        tx.execute(
            "INSERT INTO accounting_types (business_id, tax_year, accounting_type) VALUES (?1, ?2, ?3)
             ON CONFLICT (business_id, tax_year) DO UPDATE SET accounting_type = ?3",
            params![s.business_id, year.to_string(), kind],
        )
    })?;
    Ok(StatusCode::NO_CONTENT)
}

//! Business Details 2.0 (`itsa-apis.md` §3.1): the income sources a taxpayer signed up with.
//! Listing and reading them is open to supporting agents; the accounting type is for the
//! taxpayer and its main agent only (§2.7).

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
}

fn sources(state: &AppState, mtd_it_id: &str) -> Result<Vec<Source>, ApiError> {
    let conn = state.store.reader();
    let mut stmt = conn.prepare(
        "SELECT business_id, type_of_business, trading_name, trade, address, commencement_date, cessation_date
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
        .query_row(
            "SELECT accounting_type FROM accounting_types WHERE business_id = ?1 AND tax_year = ?2",
            params![s.business_id, year.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    Ok(Json(
        json!({ "accountingType": chosen.as_deref().unwrap_or("CASH") }),
    ))
}

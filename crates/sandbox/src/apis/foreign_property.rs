//! Property Business 6.0, foreign property (`itsa-apis.md` §3.4 #3, #4, #10–12, §4.3): the
//! cumulative period summary, keyed by country for 2025-26 and by property from 2026-27, and the
//! details that name each property (and give it its ID) from 2026-27.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use mtd_domain::country;
use mtd_domain::{BusinessId, ErrorItem, TaxYear};
use rusqlite::{OptionalExtension, params};
use serde_json::{Value, json};

use super::body::{Field, Findings, Kind, check_object, date, field, required};
use super::{acting_for, cumulative, invalid};
use crate::error::ApiError;
use crate::gateway::Caller;
use crate::obligations::Source;
use crate::{AppState, clock};

/// The first tax year properties are named by their own IDs.
const FIRST_PROPERTY_ID_YEAR: u16 = 2026;

const RENT: &[Field] = &[required("rentAmount", Kind::Amount)];
const INCOME: &[Field] = &[
    field("rentIncome", Kind::Object(RENT)),
    field("foreignTaxCreditRelief", Kind::Bool),
    field("premiumsOfLeaseGrant", Kind::Amount),
    field("otherPropertyIncome", Kind::Amount),
    field("foreignTaxPaidOrDeducted", Kind::Amount),
    field("specialWithholdingTaxOrUkTaxPaid", Kind::Amount),
];
const EXPENSES: &[Field] = &[
    field("premisesRunningCosts", Kind::SignedAmount),
    field("repairsAndMaintenance", Kind::SignedAmount),
    field("financialCosts", Kind::SignedAmount),
    field("professionalFees", Kind::SignedAmount),
    field("travelCosts", Kind::SignedAmount),
    field("costOfServices", Kind::SignedAmount),
    field("other", Kind::SignedAmount),
    field("residentialFinancialCost", Kind::Amount),
    field("broughtFwdResidentialFinancialCost", Kind::Amount),
    field("consolidatedExpenses", Kind::SignedAmount),
];
const BY_COUNTRY: &[Field] = &[
    required("countryCode", Kind::Text),
    field("income", Kind::Object(INCOME)),
    field("expenses", Kind::Object(EXPENSES)),
];
const BY_PROPERTY: &[Field] = &[
    required("propertyId", Kind::Text),
    field("income", Kind::Object(INCOME)),
    field("expenses", Kind::Object(EXPENSES)),
];
const BODY_2025: &[Field] = &[
    field("fromDate", Kind::Date("FORMAT_FROM_DATE")),
    field("toDate", Kind::Date("FORMAT_TO_DATE")),
    required("foreignProperty", Kind::List(BY_COUNTRY)),
];
const BODY_2026: &[Field] = &[
    field("fromDate", Kind::Date("FORMAT_FROM_DATE")),
    field("toDate", Kind::Date("FORMAT_TO_DATE")),
    required("foreignProperty", Kind::List(BY_PROPERTY)),
];
/// What `consolidatedExpenses` may come with.
const WITH_CONSOLIDATED: [&str; 3] = [
    "consolidatedExpenses",
    "residentialFinancialCost",
    "broughtFwdResidentialFinancialCost",
];

fn by_property(year: TaxYear) -> bool {
    year.start_year() >= FIRST_PROPERTY_ID_YEAR
}

fn bad(code: &str, message: &str) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, code, message)
}

/// The client's foreign property business with this ID.
fn business(
    conn: &rusqlite::Connection,
    mtd_it_id: &str,
    id: &BusinessId,
) -> Result<Option<Source>, rusqlite::Error> {
    cumulative::source(conn, mtd_it_id, id, &["foreign-property"])
}

/// Each entry's key (a country in 2025-26, a property ID after): its format, that it is real, and
/// that no entry repeats it.
fn check_keys(entries: &[Value], year: TaxYear, found: &mut Findings) {
    let key = if by_property(year) {
        "propertyId"
    } else {
        "countryCode"
    };
    let mut seen: Vec<&str> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let Some(k) = e.get(key).and_then(Value::as_str) else {
            continue;
        };
        let here = format!("/foreignProperty/{i}/{key}");
        if by_property(year) {
            if uuid::Uuid::try_parse(k).is_err() {
                found.add("FORMAT_PROPERTY_ID", "The property ID is invalid", &here);
            }
        } else if !country::is_alpha3_shaped(k) {
            found.add(
                "FORMAT_COUNTRY_CODE",
                "The country code must be three capital letters",
                &here,
            );
        } else if !country::is_alpha3(k) {
            found.add(
                "RULE_COUNTRY_CODE",
                "The country code is not an ISO 3166-1 alpha-3 code",
                &here,
            );
        }
        if seen.contains(&k) {
            let code = if by_property(year) {
                "RULE_DUPLICATE_PROPERTY_ID"
            } else {
                "RULE_DUPLICATE_COUNTRY_CODE"
            };
            found.add(code, "Each foreign property may appear once", &here);
        }
        seen.push(k);
    }
}

/// The body against its year's shape (`shapes`: by country, by property), and each entry's key.
fn shape_and_keys(body: &Value, year: TaxYear, shapes: [&[Field]; 2]) -> (Findings, Vec<Value>) {
    let mut found = Findings::default();
    check_object(body, shapes[usize::from(by_property(year))], "", &mut found);
    let entries = body
        .get("foreignProperty")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    check_keys(&entries, year, &mut found);
    (found, entries)
}

/// The first entry whose property ID is not one of the business's foreign properties.
fn unknown_property(
    conn: &rusqlite::Connection,
    business_id: &str,
    body: &Value,
) -> Result<Option<ApiError>, rusqlite::Error> {
    for (i, e) in body["foreignProperty"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let pid = e["propertyId"].as_str().unwrap_or_default();
        let known = conn
            .query_row(
                "SELECT 1 FROM foreign_properties WHERE property_id = ?1 AND business_id = ?2",
                params![pid, business_id],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        if !known {
            return Ok(Some(invalid(vec![ErrorItem {
                code: "RULE_PROPERTY_ID_MISMATCH".into(),
                message: "The property ID is not one of this business's foreign properties".into(),
                paths: Some(vec![format!("/foreignProperty/{i}/propertyId")]),
            }])));
        }
    }
    Ok(None)
}

/// The body's own rules; the dates, if any.
fn judge_body(
    body: &Value,
    year: TaxYear,
) -> Result<Option<(chrono::NaiveDate, chrono::NaiveDate)>, ApiError> {
    let (mut found, entries) = shape_and_keys(body, year, [BODY_2025, BODY_2026]);
    let mut styles: Vec<bool> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        if let Some(exp) = e.get("expenses").and_then(Value::as_object) {
            let consolidated = exp.contains_key("consolidatedExpenses");
            if consolidated && exp.keys().any(|k| !WITH_CONSOLIDATED.contains(&k.as_str())) {
                found.add(
                    "RULE_BOTH_EXPENSES_SUPPLIED",
                    "Both expenses and consolidatedExpenses were supplied",
                    &format!("/foreignProperty/{i}/expenses"),
                );
            }
            styles.push(consolidated);
        }
    }
    if styles.windows(2).any(|w| w[0] != w[1]) {
        found.add(
            "RULE_BOTH_EXPENSES_SUPPLIED",
            "Every foreign property must give its expenses the same way",
            "/foreignProperty",
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
    if dates.is_some_and(|(f, t)| t < f) {
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

fn path3(
    path: Result<Path<(String, String, String)>, PathRejection>,
) -> Result<(BusinessId, TaxYear), ApiError> {
    let (raw_id, raw_year) = path.map(|Path((_, b, y))| (b, y)).unwrap_or_default();
    cumulative::path(&raw_id, &raw_year)
}

const SUMMARY: cumulative::Summary = cumulative::Summary {
    kinds: &["foreign-property"],
    scenarios: &[
        "NOT_FOUND",
        "TAX_YEAR_NOT_SUPPORTED",
        "MISSING_SUBMISSION_DATES",
        "START_AND_END_DATE_NOT_ALLOWED",
        "EARLY_DATA_SUBMISSION_NOT_ACCEPTED",
        "OUTSIDE_AMENDMENT_WINDOW",
        "SUBMISSION_END_DATE_CANNOT_MOVE_BACKWARDS",
        "PROPERTY_ID_MISMATCH",
    ],
    judge: judge_body,
    on_state: Some(known_properties),
};

/// From 2026-27, each entry names one of the business's own foreign properties.
fn known_properties(
    conn: &rusqlite::Connection,
    source: &Source,
    year: TaxYear,
    body: &Value,
) -> Result<Option<ApiError>, rusqlite::Error> {
    if by_property(year) {
        unknown_property(conn, &source.business_id, body)
    } else {
        Ok(None)
    }
}

/// `PUT …/property/foreign/{nino}/{businessId}/cumulative/{taxYear}`
pub async fn put_cumulative(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<StatusCode, ApiError> {
    cumulative::put(&state, &caller, path, &headers, &bytes, &SUMMARY)
}

/// `GET …/property/foreign/{nino}/{businessId}/cumulative/{taxYear}[?propertyId=]`
pub async fn get_cumulative(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let client = acting_for(&caller)?;
    let (id, year) = path3(path)?;
    let known = [
        "NOT_FOUND",
        "TAX_YEAR_NOT_SUPPORTED",
        "FOREIGN_PROPERTY_FULL_EXPENSES",
        "FOREIGN_PROPERTY_CONSOLIDATED",
        "UK_PROPERTY",
    ];
    if let Some(e) = read_scenario(&headers, &known)? {
        return Err(e);
    }
    let wanted = query_param(query.as_deref(), "propertyId");
    if let Some(p) = &wanted
        && (!by_property(year) || uuid::Uuid::try_parse(p).is_err())
    {
        return Err(bad("FORMAT_PROPERTY_ID", "The property ID is invalid"));
    }
    let conn = state.store.reader();
    let source = cumulative::source_of_kind(&conn, &client.mtd_it_id, &id, &["foreign-property"])??;
    let stored =
        cumulative::latest(&conn, &source.business_id, year)?.ok_or_else(cumulative::not_found)?;
    let mut body = stored.body;
    if let Some(p) = wanted {
        let kept: Vec<Value> = body["foreignProperty"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["propertyId"] == p.as_str())
            .cloned()
            .collect();
        if kept.is_empty() {
            return Err(cumulative::not_found());
        }
        body["foreignProperty"] = Value::Array(kept);
    }
    body["submittedOn"] = json!(
        clock::from_ms(stored.submitted_at_ms)
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string()
    );
    if body.get("fromDate").is_none() {
        body["fromDate"] = json!(year.first_day().to_string());
        body["toDate"] = json!(year.last_day().to_string());
    }
    Ok(Json(body))
}

/// A read's scenario: an error it names, or `None` for the stateful answer (the canned data of
/// the others is not served here).
fn read_scenario(headers: &HeaderMap, known: &[&str]) -> Result<Option<ApiError>, ApiError> {
    Ok(match super::scenario::pick(headers, known)? {
        Some("NOT_FOUND") => Some(cumulative::not_found()),
        Some("TAX_YEAR_NOT_SUPPORTED") => Some(cumulative::not_supported()),
        Some("UK_PROPERTY") => Some(cumulative::wrong_type()),
        _ => None,
    })
}

fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

const END_REASONS: &[&str] = &["no-longer-renting-property-out", "disposal"];
const DETAILS_SCENARIOS: &[&str] = &[
    "NOT_FOUND",
    "DUPLICATE_PROPERTY_NAME",
    "TAX_YEAR_BEFORE_BUSINESS_START",
    "PROPERTY_BUSINESS_CEASED",
    "OUTSIDE_AMENDMENT_WINDOW",
];
const DETAILS: &[Field] = &[
    required("propertyName", Kind::Text),
    required("countryCode", Kind::Text),
    field("endDate", Kind::Date("FORMAT_END_DATE")),
    field("endReason", Kind::Choice(END_REASONS, "FORMAT_END_REASON")),
];
/// An update keeps the country.
const DETAILS_UPDATE: &[Field] = &[
    required("propertyName", Kind::Text),
    field("endDate", Kind::Date("FORMAT_END_DATE")),
    field("endReason", Kind::Choice(END_REASONS, "FORMAT_END_REASON")),
];

/// A foreign property's details, judged for the tax year and the business's life.
fn judge_details(
    body: &Value,
    year: TaxYear,
    source: &Source,
    with_country: bool,
) -> Result<(), ApiError> {
    let mut found = Findings::default();
    check_object(
        body,
        if with_country {
            DETAILS
        } else {
            DETAILS_UPDATE
        },
        "",
        &mut found,
    );
    if let Some(name) = body.get("propertyName").and_then(Value::as_str)
        && !(1..=105).contains(&name.chars().count())
    {
        found.add(
            "FORMAT_PROPERTY_NAME",
            "The property name must be 1 to 105 characters",
            "/propertyName",
        );
    }
    if let Some(c) = body.get("countryCode").and_then(Value::as_str) {
        if !country::is_alpha3_shaped(c) {
            found.add(
                "FORMAT_COUNTRY_CODE",
                "The country code must be three capital letters",
                "/countryCode",
            );
        } else if !country::is_alpha3(c) {
            found.add(
                "RULE_COUNTRY_CODE",
                "The country code is not an ISO 3166-1 alpha-3 code",
                "/countryCode",
            );
        }
    }
    if body.get("endDate").is_some() != body.get("endReason").is_some() {
        found.add(
            "RULE_MISSING_END_DETAILS",
            "Give both endDate and endReason, or neither",
            "",
        );
    }
    if let Some(end) = body.get("endDate").and_then(date) {
        if end < year.first_day() {
            found.add(
                "RULE_END_DATE_BEFORE_TAX_YEAR_START",
                "The end date is before the tax year starts",
                "/endDate",
            );
        } else if end > year.last_day() {
            found.add(
                "RULE_END_DATE_AFTER_TAX_YEAR_END",
                "The end date is after the tax year ends",
                "/endDate",
            );
        }
    }
    if source.commencement.is_some_and(|c| c > year.last_day()) {
        found.add(
            "RULE_TAX_YEAR_BEFORE_BUSINESS_START",
            "The business starts after this tax year",
            "",
        );
    }
    if source.cessation.is_some_and(|c| c < year.first_day()) {
        found.add(
            "RULE_PROPERTY_BUSINESS_CEASED",
            "The business ceased before this tax year",
            "",
        );
    }
    if found.is_empty() {
        Ok(())
    } else {
        Err(invalid(found.into_items()))
    }
}

fn details_year(raw: &str) -> Result<TaxYear, ApiError> {
    let year = super::tax_year(raw).map_err(|e| invalid(vec![e]))?;
    if year.start_year() < FIRST_PROPERTY_ID_YEAR {
        return Err(cumulative::not_supported());
    }
    Ok(year)
}

fn duplicate_name(
    tx: &rusqlite::Connection,
    business_id: &str,
    name: &str,
    except: &str,
) -> Result<bool, rusqlite::Error> {
    Ok(tx
        .query_row(
            "SELECT 1 FROM foreign_properties WHERE business_id = ?1 AND name = ?2 AND property_id != ?3",
            params![business_id, name, except],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

fn duplicate() -> ApiError {
    bad(
        "RULE_DUPLICATE_PROPERTY_NAME",
        "This business already has a foreign property with this name",
    )
}

/// `POST …/property/foreign/{nino}/{businessId}/details/{taxYear}` → 200 `{"propertyId"}`.
pub async fn create_details(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Json<Value>, ApiError> {
    if let Some(e) = cumulative::scenario_error(&headers, DETAILS_SCENARIOS)? {
        return Err(e);
    }
    let client = acting_for(&caller)?;
    let (raw_id, raw_year) = path.map(|Path((_, b, y))| (b, y)).unwrap_or_default();
    let id = BusinessId::parse(&raw_id).map_err(|e| bad(e.code(), &e.to_string()))?;
    let year = details_year(&raw_year)?;
    let body = cumulative::read_body(&bytes)?;
    cumulative::check_amendment_window(&state, year)?;
    let now = clock::now_ms(&state.store)?;
    state.store.write(|tx| {
        let Some(source) = business(tx, &client.mtd_it_id, &id)? else {
            return Ok(Err(cumulative::not_found()));
        };
        if let Err(e) = judge_details(&body, year, &source, true) {
            return Ok(Err(e));
        }
        let name = body["propertyName"].as_str().unwrap_or_default();
        if duplicate_name(tx, &source.business_id, name, "")? {
            return Ok(Err(duplicate()));
        }
        let pid = uuid::Uuid::new_v4().to_string();
        tx.execute(
            "INSERT INTO foreign_properties (property_id, business_id, tax_year, name, country_code, end_date, end_reason, submitted_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![pid, source.business_id, year.to_string(), name, body["countryCode"].as_str(), body["endDate"].as_str(), body["endReason"].as_str(), now],
        )?;
        Ok(Ok(Json(json!({ "propertyId": pid }))))
    })?
}

/// `GET …/property/foreign/{nino}/{businessId}/details/{taxYear}[?propertyId=]`
pub async fn get_details(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let client = acting_for(&caller)?;
    if let Some(e) = read_scenario(&headers, &["NOT_FOUND"])? {
        return Err(e);
    }
    let (raw_id, raw_year) = path.map(|Path((_, b, y))| (b, y)).unwrap_or_default();
    let id = BusinessId::parse(&raw_id).map_err(|e| bad(e.code(), &e.to_string()))?;
    details_year(&raw_year)?;
    let wanted = query_param(query.as_deref(), "propertyId");
    if wanted
        .as_deref()
        .is_some_and(|p| uuid::Uuid::try_parse(p).is_err())
    {
        return Err(bad("FORMAT_PROPERTY_ID", "The property ID is invalid"));
    }
    let conn = state.store.reader();
    let source = business(&conn, &client.mtd_it_id, &id)?.ok_or_else(cumulative::not_found)?;
    let mut stmt = conn.prepare_cached(
        "SELECT property_id, name, country_code, end_date, end_reason, submitted_at_ms FROM foreign_properties
         WHERE business_id = ?1 AND (?2 IS NULL OR property_id = ?2) ORDER BY submitted_at_ms, property_id",
    )?;
    let found: Vec<Value> = stmt
        .query_map(params![source.business_id, wanted], |r| {
            let mut v = json!({
                "submittedOn": clock::from_ms(r.get(5)?).format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
                "propertyId": r.get::<_, String>(0)?,
                "propertyName": r.get::<_, String>(1)?,
                "countryCode": r.get::<_, String>(2)?,
            });
            if let Some(end) = r.get::<_, Option<String>>(3)? {
                v["endDate"] = json!(end);
                v["endReason"] = json!(r.get::<_, Option<String>>(4)?);
            }
            Ok(v)
        })?
        .collect::<Result<_, _>>()?;
    if found.is_empty() {
        return Err(cumulative::not_found());
    }
    Ok(Json(json!({ "foreignPropertyDetails": found })))
}

/// `PUT …/property/foreign/{nino}/details/{propertyId}/{taxYear}` → 204.
pub async fn update_details(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<StatusCode, ApiError> {
    if let Some(e) = cumulative::scenario_error(&headers, DETAILS_SCENARIOS)? {
        return Err(e);
    }
    let client = acting_for(&caller)?;
    let (pid, raw_year) = path.map(|Path((_, p, y))| (p, y)).unwrap_or_default();
    if uuid::Uuid::try_parse(&pid).is_err() {
        return Err(bad("FORMAT_PROPERTY_ID", "The property ID is invalid"));
    }
    let year = details_year(&raw_year)?;
    let body = cumulative::read_body(&bytes)?;
    cumulative::check_amendment_window(&state, year)?;
    let now = clock::now_ms(&state.store)?;
    state.store.write(|tx| {
        let owner: Option<String> = tx
            .query_row("SELECT business_id FROM foreign_properties WHERE property_id = ?1", [&pid], |r| r.get(0))
            .optional()?;
        let source = match owner {
            Some(b) => obligations_source(tx, &client.mtd_it_id, &b)?,
            None => None,
        };
        let Some(source) = source else {
            return Ok(Err(cumulative::not_found()));
        };
        if let Err(e) = judge_details(&body, year, &source, false) {
            return Ok(Err(e));
        }
        let name = body["propertyName"].as_str().unwrap_or_default();
        if duplicate_name(tx, &source.business_id, name, &pid)? {
            return Ok(Err(duplicate()));
        }
        tx.execute(
            "UPDATE foreign_properties SET name = ?2, end_date = ?3, end_reason = ?4, submitted_at_ms = ?5 WHERE property_id = ?1",
            params![pid, name, body["endDate"].as_str(), body["endReason"].as_str(), now],
        )?;
        Ok(Ok(StatusCode::NO_CONTENT))
    })?
}

/// The client's income source with this business ID, whatever its kind.
fn obligations_source(
    conn: &rusqlite::Connection,
    mtd_it_id: &str,
    business_id: &str,
) -> Result<Option<Source>, rusqlite::Error> {
    Ok(crate::obligations::sources(conn, mtd_it_id)?
        .into_iter()
        .find(|s| s.business_id == business_id))
}

const ANNUAL_ADJUSTMENTS: &[Field] = &[
    field("privateUseAdjustment", Kind::Amount),
    field("balancingCharge", Kind::Amount),
];
const ANNUAL_ALLOWANCES: &[Field] = &[
    field("annualInvestmentAllowance", Kind::Amount),
    field("costOfReplacingDomesticItems", Kind::Amount),
    field("otherCapitalAllowance", Kind::Amount),
    field("zeroEmissionsCarAllowance", Kind::Amount),
    field("propertyIncomeAllowance", Kind::CappedAmount(1000)),
    field(
        "structuredBuildingAllowance",
        Kind::List(super::building_allowance::CLAIM),
    ),
    field("zeroEmissionsGoodsVehicleAllowance", Kind::Amount),
    field("electricChargePointAllowance", Kind::Amount),
];
/// Allowances only the definition to 2024-25 has.
const UNTIL_2024: [&str; 2] = [
    "zeroEmissionsGoodsVehicleAllowance",
    "electricChargePointAllowance",
];
const FHL_EEA_ADJUSTMENTS: &[Field] = &[
    field("privateUseAdjustment", Kind::Amount),
    field("balancingCharge", Kind::Amount),
    required("periodOfGraceAdjustment", Kind::Bool),
];
const FHL_EEA_ALLOWANCES: &[Field] = &[
    field("annualInvestmentAllowance", Kind::Amount),
    field("otherCapitalAllowance", Kind::Amount),
    field("electricChargePointAllowance", Kind::Amount),
    field("zeroEmissionsCarAllowance", Kind::Amount),
    field("propertyIncomeAllowance", Kind::CappedAmount(1000)),
];
const FHL_EEA: &[Field] = &[
    field("adjustments", Kind::Object(FHL_EEA_ADJUSTMENTS)),
    field("allowances", Kind::Object(FHL_EEA_ALLOWANCES)),
];
/// Until 2024-25: furnished holiday lettings in the EEA apart, the rest by country.
const ANNUAL_UNTIL_2024: &[Field] = &[
    field("foreignFhlEea", Kind::Object(FHL_EEA)),
    field("foreignProperty", Kind::List(ANNUAL_BY_COUNTRY)),
];
/// The first tax year HMRC's sandbox takes foreign property annual submissions for.
const FIRST_ANNUAL_YEAR: u16 = 2021;
const ANNUAL_BY_COUNTRY: &[Field] = &[
    required("countryCode", Kind::Text),
    field("adjustments", Kind::Object(ANNUAL_ADJUSTMENTS)),
    field("allowances", Kind::Object(ANNUAL_ALLOWANCES)),
];
const ANNUAL_BY_PROPERTY: &[Field] = &[
    required("propertyId", Kind::Text),
    field("adjustments", Kind::Object(ANNUAL_ADJUSTMENTS)),
    field("allowances", Kind::Object(ANNUAL_ALLOWANCES)),
];
const ANNUAL_2025: &[Field] = &[required("foreignProperty", Kind::List(ANNUAL_BY_COUNTRY))];
const ANNUAL_2026: &[Field] = &[required("foreignProperty", Kind::List(ANNUAL_BY_PROPERTY))];

fn annual_path(
    path: Result<Path<(String, String, String)>, PathRejection>,
) -> Result<(BusinessId, TaxYear), ApiError> {
    let (raw_id, raw_year) = path.map(|Path((_, b, y))| (b, y)).unwrap_or_default();
    cumulative::path_from(&raw_id, &raw_year, FIRST_ANNUAL_YEAR)
}

fn judge_annual(body: &Value, year: TaxYear) -> Result<(), ApiError> {
    let until_2024 = year.start_year() <= 2024;
    let shapes = if until_2024 {
        [ANNUAL_UNTIL_2024, ANNUAL_UNTIL_2024]
    } else {
        [ANNUAL_2025, ANNUAL_2026]
    };
    let (mut found, entries) = shape_and_keys(body, year, shapes);
    if let Some(fhl) = body.get("foreignFhlEea") {
        let allowances = fhl.get("allowances").and_then(Value::as_object);
        let pia = allowances.is_some_and(|a| a.contains_key("propertyIncomeAllowance"));
        if pia && allowances.is_some_and(|a| a.len() > 1) {
            found.add(
                "RULE_BOTH_ALLOWANCES_SUPPLIED",
                "The property income allowance cannot be claimed with other allowances",
                "/foreignFhlEea/allowances",
            );
        }
        if pia && fhl.pointer("/adjustments/privateUseAdjustment").is_some() {
            found.add(
                "RULE_PROPERTY_INCOME_ALLOWANCE",
                "The property income allowance cannot be claimed with a private use adjustment",
                "/foreignFhlEea/adjustments/privateUseAdjustment",
            );
        }
    }
    if !until_2024 {
        for (i, e) in entries.iter().enumerate() {
            for key in UNTIL_2024 {
                if e.pointer(&format!("/allowances/{key}")).is_some() {
                    found.empty_or_wrong(&format!("/foreignProperty/{i}/allowances/{key}"));
                }
            }
        }
    }
    for (i, e) in entries.iter().enumerate() {
        let allowances = e.get("allowances");
        let pia = allowances
            .and_then(|a| a.get("propertyIncomeAllowance"))
            .is_some();
        if pia
            && allowances
                .and_then(Value::as_object)
                .is_some_and(|a| a.len() > 1)
        {
            found.add(
                "RULE_BOTH_ALLOWANCES_SUPPLIED",
                "The property income allowance cannot be claimed with other allowances",
                &format!("/foreignProperty/{i}/allowances"),
            );
        }
        if pia && e.pointer("/adjustments/privateUseAdjustment").is_some() {
            found.add(
                "RULE_PROPERTY_INCOME_ALLOWANCE",
                "The property income allowance cannot be claimed with a private use adjustment",
                &format!("/foreignProperty/{i}/adjustments/privateUseAdjustment"),
            );
        }
        super::building_allowance::name_or_number(
            allowances,
            &format!("/foreignProperty/{i}/allowances"),
            &mut found,
        );
    }
    if found.is_empty() {
        Ok(())
    } else {
        Err(invalid(found.into_items()))
    }
}

const ANNUAL: super::annual_store::Annual = super::annual_store::Annual {
    kinds: &["foreign-property"],
    first_year: FIRST_ANNUAL_YEAR,
    scenarios: &[
        "NOT_FOUND",
        "TYPE_OF_BUSINESS_INCORRECT",
        "PROPERTY_INCOME_ALLOWANCE",
        "OUTSIDE_AMENDMENT_WINDOW",
        "PROPERTY_ID_MISMATCH",
    ],
    judge: judge_annual,
    on_state: Some(known_properties),
    success: StatusCode::OK,
    other_kinds_not_found: false,
};

/// `PUT …/property/foreign/{nino}/{businessId}/annual/{taxYear}`: 200 with no body, as HMRC answers.
pub async fn put_annual(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<StatusCode, ApiError> {
    super::annual_store::put(&state, &caller, path, &headers, &bytes, &ANNUAL)
}

/// `GET …/property/foreign/{nino}/{businessId}/annual/{taxYear}[?propertyId=]`
pub async fn get_annual(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let client = acting_for(&caller)?;
    let (id, year) = annual_path(path)?;
    let known = [
        "FOREIGN_PROPERTY",
        "FOREIGN_ALL_OTHER_ALLOWANCES",
        "FOREIGN_PROPERTY_ALLOWANCE",
        "FOREIGN_FHL_ALL_OTHER_ALLOWANCES",
        "FOREIGN_FHL_PROPERTY_ALLOWANCE",
        "UK_PROPERTY",
        "NOT_FOUND",
    ];
    if let Some(e) = read_scenario(&headers, &known)? {
        return Err(e);
    }
    let wanted = query_param(query.as_deref(), "propertyId");
    if wanted
        .as_deref()
        .is_some_and(|p| uuid::Uuid::try_parse(p).is_err())
    {
        return Err(bad("FORMAT_PROPERTY_ID", "The property ID is invalid"));
    }
    let conn = state.store.reader();
    let source = cumulative::source_of_kind(&conn, &client.mtd_it_id, &id, &["foreign-property"])??;
    let (mut body, at) = super::annual_store::load(&conn, &source.business_id, year)?
        .ok_or_else(cumulative::not_found)?;
    if let Some(p) = wanted {
        let kept: Vec<Value> = body["foreignProperty"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["propertyId"] == p.as_str())
            .cloned()
            .collect();
        if kept.is_empty() {
            return Err(cumulative::not_found());
        }
        body["foreignProperty"] = Value::Array(kept);
    }
    body["submittedOn"] = json!(
        clock::from_ms(at)
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string()
    );
    Ok(Json(body))
}

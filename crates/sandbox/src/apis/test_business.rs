//! HMRC's Self Assessment Test Support 1.0, test businesses (`itsa-apis.md` §3.11):
//! `POST /individuals/self-assessment-test-support/business/{nino}` creates an income source for
//! the signed-up taxpayer, `DELETE …/business/{nino}/{businessId}` removes it and its updates.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use mtd_domain::{BusinessId, TaxYear};
use rusqlite::{OptionalExtension, params};
use serde_json::{Value, json};

use super::body::{Field, Findings, Kind, check_object, field, required};
use super::{acting_for, cumulative, invalid};
use crate::error::ApiError;
use crate::gateway::Caller;
use crate::obligations::PeriodType;
use crate::{AppState, clock};

const LATENCY: &[Field] = &[
    required("latencyEndDate", Kind::Date("FORMAT_DATE")),
    required("taxYear1", Kind::Text),
    required("latencyIndicator1", Kind::Text),
    required("taxYear2", Kind::Text),
    required("latencyIndicator2", Kind::Text),
];
const CHOICE: &[Field] = &[
    required("quarterlyPeriodType", Kind::Text),
    required("taxYearOfChoice", Kind::Text),
];
const BODY: &[Field] = &[
    required("typeOfBusiness", Kind::Text),
    field("tradingName", Kind::Text),
    field("firstAccountingPeriodStartDate", Kind::Date("FORMAT_DATE")),
    field("firstAccountingPeriodEndDate", Kind::Date("FORMAT_DATE")),
    field("latencyDetails", Kind::Object(LATENCY)),
    field("quarterlyTypeChoice", Kind::Object(CHOICE)),
    field("accountingType", Kind::Text),
    field("commencementDate", Kind::Date("FORMAT_DATE")),
    field("cessationDate", Kind::Date("FORMAT_DATE")),
    field("businessAddressLineOne", Kind::Text),
    field("businessAddressLineTwo", Kind::Text),
    field("businessAddressLineThree", Kind::Text),
    field("businessAddressLineFour", Kind::Text),
    field("businessAddressPostcode", Kind::Text),
    field("businessAddressCountryCode", Kind::Text),
];
const ADDRESS: [&str; 6] = [
    "businessAddressLineOne",
    "businessAddressLineTwo",
    "businessAddressLineThree",
    "businessAddressLineFour",
    "businessAddressPostcode",
    "businessAddressCountryCode",
];

fn text<'a>(body: &'a Value, key: &str) -> Option<&'a str> {
    body.get(key).and_then(Value::as_str)
}

/// What a valid body settles.
struct Settled {
    kind: String,
    choice: Option<(PeriodType, TaxYear)>,
    accounting: Option<&'static str>,
}

/// The body's rules.
fn judge(body: &Value) -> Result<Settled, ApiError> {
    let mut found = Findings::default();
    if body.as_object().is_some_and(|o| o.is_empty()) {
        // Nothing to judge: HMRC answers the empty body alone, not each field it lacks.
        found.empty_or_wrong("");
        return Err(invalid(found.into_items()));
    }
    check_object(body, BODY, "", &mut found);
    let kind = text(body, "typeOfBusiness").unwrap_or_default();
    if !matches!(
        kind,
        "self-employment" | "uk-property" | "foreign-property" | "property-unspecified"
    ) {
        found.add(
            "FORMAT_TYPE_OF_BUSINESS",
            "The type of business is invalid",
            "/typeOfBusiness",
        );
    }
    let self_employment = kind == "self-employment";
    match (self_employment, text(body, "tradingName")) {
        (true, None) => found.add(
            "RULE_MISSING_TRADING_NAME",
            "A self-employment needs a trading name",
            "/tradingName",
        ),
        (false, Some(_)) => found.add(
            "RULE_UNEXPECTED_TRADING_NAME",
            "A property business has no trading name",
            "/tradingName",
        ),
        _ => {}
    }
    let has_address = ADDRESS.iter().any(|k| body.get(k).is_some());
    if self_employment {
        if text(body, "businessAddressLineOne").is_none()
            || text(body, "businessAddressCountryCode").is_none()
        {
            found.add(
                "RULE_MISSING_BUSINESS_ADDRESS",
                "A self-employment needs address line one and a country code",
                "",
            );
        }
        let country = text(body, "businessAddressCountryCode");
        if country.is_some_and(|c| c.len() != 2 || !c.bytes().all(|b| b.is_ascii_uppercase())) {
            found.add(
                "FORMAT_COUNTRY_CODE",
                "The country code must be two capital letters",
                "/businessAddressCountryCode",
            );
        }
        if country == Some("GB") && text(body, "businessAddressPostcode").is_none() {
            found.add(
                "MISSING_POSTCODE",
                "A UK business address needs a postcode",
                "/businessAddressPostcode",
            );
        }
    } else if has_address {
        found.add(
            "RULE_UNEXPECTED_BUSINESS_ADDRESS",
            "A property business has no business address",
            "",
        );
    }
    // HMRC's bounds, so what Business Details later answers fits its definitions.
    if text(body, "tradingName").is_some_and(|n| n.chars().count() > 105) {
        found.empty_or_wrong("/tradingName");
    }
    for line in &ADDRESS[..4] {
        if text(body, line).is_some_and(|l| l.chars().count() > 35) {
            found.empty_or_wrong(&format!("/{line}"));
        }
    }
    let postcode_shaped = |p: &str| {
        let p: String = p.chars().filter(|c| !c.is_whitespace()).collect();
        (5..=7).contains(&p.len())
            && p.chars().all(|c| c.is_ascii_alphanumeric())
            && p.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
    };
    if text(body, "businessAddressPostcode").is_some_and(|p| !postcode_shaped(p)) {
        found.add(
            "FORMAT_POSTCODE",
            "The postcode is invalid",
            "/businessAddressPostcode",
        );
    }
    match (
        body.get("firstAccountingPeriodStartDate"),
        body.get("firstAccountingPeriodEndDate"),
    ) {
        (Some(s), Some(e)) => {
            // A whole tax year: 6 April to the 5 April after.
            let whole = match (super::body::date(s), super::body::date(e)) {
                (Some(s), Some(e)) => {
                    TaxYear::containing(s).is_some_and(|y| y.first_day() == s && y.last_day() == e)
                }
                _ => true,
            };
            if !whole {
                found.add(
                    "RULE_FIRST_ACCOUNTING_DATE_RANGE_INVALID",
                    "The first accounting period must be one whole tax year, 6 April to 5 April",
                    "",
                );
            }
        }
        (Some(_), None) => found.add(
            "MISSING_FIRST_ACCOUNTING_PERIOD_END_DATE",
            "Give the first accounting period's end date too",
            "/firstAccountingPeriodEndDate",
        ),
        (None, Some(_)) => found.add(
            "MISSING_FIRST_ACCOUNTING_PERIOD_START_DATE",
            "Give the first accounting period's start date too",
            "/firstAccountingPeriodStartDate",
        ),
        _ => {}
    }
    for key in ["taxYear1", "taxYear2"] {
        let pointer = format!("/latencyDetails/{key}");
        if let Some(Err(e)) = body
            .pointer(&pointer)
            .and_then(Value::as_str)
            .map(super::tax_year)
        {
            found.add(&e.code, &e.message, &pointer);
        }
    }
    for (i, key) in ["latencyIndicator1", "latencyIndicator2"]
        .iter()
        .enumerate()
    {
        let v = body
            .pointer(&format!("/latencyDetails/{key}"))
            .and_then(Value::as_str);
        if v.is_some_and(|v| !matches!(v, "A" | "Q")) {
            found.add(
                "FORMAT_LATENCY_INDICATOR",
                "The latency indicator must be A or Q",
                &format!("/latencyDetails/latencyIndicator{}", i + 1),
            );
        }
    }
    let accounting = match text(body, "accountingType") {
        None => None,
        Some("CASH") => Some("CASH"),
        // Test support spells it ACCRUALS; Business Details answers ACCRUAL.
        Some("ACCRUALS") => Some("ACCRUAL"),
        Some(_) => {
            found.add(
                "FORMAT_ACCOUNTING_TYPE",
                "The accounting type must be CASH or ACCRUALS",
                "/accountingType",
            );
            None
        }
    };
    let choice = body.get("quarterlyTypeChoice").and_then(|c| {
        let kind = c
            .get("quarterlyPeriodType")
            .and_then(Value::as_str)
            .and_then(PeriodType::parse);
        let year = c
            .get("taxYearOfChoice")
            .and_then(Value::as_str)
            .map(super::tax_year);
        match (kind, year) {
            (Some(k), Some(Ok(y))) => Some((k, y)),
            (_, Some(Err(e))) => {
                found.add(&e.code, &e.message, "/quarterlyTypeChoice/taxYearOfChoice");
                None
            }
            _ => {
                found.empty_or_wrong("/quarterlyTypeChoice/quarterlyPeriodType");
                None
            }
        }
    });
    if found.is_empty() {
        Ok(Settled {
            kind: kind.to_owned(),
            choice,
            accounting,
        })
    } else {
        Err(invalid(found.into_items()))
    }
}

/// `POST /individuals/self-assessment-test-support/business/{nino}` → 201 `{"businessId"}`.
pub async fn create(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    bytes: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let client = acting_for(&caller)?;
    let body = cumulative::read_body(&bytes)?;
    let Settled {
        kind,
        choice,
        accounting,
    } = judge(&body)?;
    let now = clock::now_ms(&state.store)?;
    let today = clock::from_ms(now).date_naive();
    if body
        .get("commencementDate")
        .and_then(super::body::date)
        .is_some_and(|d| d >= today)
    {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "RULE_COMMENCEMENT_DATE_NOT_SUPPORTED",
            "The commencement date must be in the past",
        ));
    }
    let current = TaxYear::containing(today);
    let address = (kind == "self-employment").then(|| {
        json!({
            "addressLine1": text(&body, "businessAddressLineOne"),
            "addressLine2": text(&body, "businessAddressLineTwo"),
            "addressLine3": text(&body, "businessAddressLineThree"),
            "addressLine4": text(&body, "businessAddressLineFour"),
            "postcode": text(&body, "businessAddressPostcode"),
            "countryCode": text(&body, "businessAddressCountryCode"),
        })
        .to_string()
    });
    // What Business Details shows beyond the dates.
    let mut details = serde_json::Map::new();
    for key in [
        "latencyDetails",
        "firstAccountingPeriodStartDate",
        "firstAccountingPeriodEndDate",
    ] {
        if let Some(v) = body.get(key) {
            details.insert(key.into(), v.clone());
        }
    }
    let details = Value::Object(details);
    let outcome = state.store.write(|tx| {
        if kind != "self-employment" {
            let held: bool = tx
                .query_row(
                    "SELECT 1 FROM businesses WHERE mtd_it_id = ?1 AND type_of_business = ?2",
                    params![client.mtd_it_id, kind],
                    |_| Ok(true),
                )
                .optional()?
                .unwrap_or(false);
            if held {
                return Ok(Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "RULE_PROPERTY_BUSINESS_ADDED",
                    "The taxpayer already has a property business of this type",
                )));
            }
        }
        let id = loop {
            let candidate = BusinessId::from_number(rand::random::<u64>()).to_string();
            let taken = tx
                .query_row("SELECT 1 FROM businesses WHERE business_id = ?1", [&candidate], |_| Ok(()))
                .optional()?;
            if taken.is_none() {
                break candidate;
            }
        };
        tx.execute(
            "INSERT INTO businesses (business_id, mtd_it_id, type_of_business, trading_name, trade, address, commencement_date, cessation_date, created_at_ms, test_support, details)
             VALUES (?1, ?2, ?3, ?4, NULL, ?5, ?6, ?7, ?8, 1, ?9)",
            params![id, client.mtd_it_id, kind, text(&body, "tradingName"), address, text(&body, "commencementDate"), text(&body, "cessationDate"), now, details.to_string()],
        )?;
        if let Some((k, y)) = choice {
            tx.execute(
                "INSERT INTO quarterly_period_types (business_id, tax_year, period_type) VALUES (?1, ?2, ?3)",
                params![id, y.to_string(), k.as_str()],
            )?;
        }
        if let (Some(a), Some(y)) = (accounting, current) {
            tx.execute(
                "INSERT INTO accounting_types (business_id, tax_year, accounting_type) VALUES (?1, ?2, ?3)",
                params![id, y.to_string(), a],
            )?;
        }
        Ok(Ok(id))
    })?;
    let id = outcome?;
    Ok((StatusCode::CREATED, Json(json!({ "businessId": id }))))
}

/// `DELETE /individuals/self-assessment-test-support/business/{nino}/{businessId}`
pub async fn delete(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    let client = acting_for(&caller)?;
    let raw = path.map(|Path((_, b))| b).unwrap_or_default();
    let id = BusinessId::parse(&raw)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.code(), &e.to_string()))?;
    let removed = state.store.write(|tx| {
        let n = tx.execute(
            "DELETE FROM businesses WHERE business_id = ?1 AND mtd_it_id = ?2",
            params![id.as_str(), client.mtd_it_id],
        )?;
        if n == 1 {
            for table in [
                "cumulative_summaries",
                "quarterly_period_types",
                "accounting_types",
            ] {
                tx.execute(
                    &format!("DELETE FROM {table} WHERE business_id = ?1"),
                    [id.as_str()],
                )?;
            }
        }
        Ok(n == 1)
    })?;
    if removed {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(cumulative::not_found())
    }
}

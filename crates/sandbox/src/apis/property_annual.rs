//! Property Business 6.0, the UK property annual submission (`itsa-apis.md` §3.4 #5, #6, #9): the
//! year's adjustments and allowances, from 2021-22 (the sandbox's first year). Until 2024-25
//! furnished holiday lettings (`ukFhlProperty`) are reported apart from the rest (`ukProperty`),
//! with a few more allowances (HMRC's definition 1); from 2025-26 there is `ukProperty` alone.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use mtd_domain::{BusinessId, TaxYear};
use serde_json::{Value, json};

use super::body::{Field, Findings, Kind, check_object, field, required};
use super::{acting_for, building_allowance, cumulative, invalid, scenario};
use crate::error::ApiError;
use crate::gateway::Caller;
use crate::{AppState, clock};

const RENT_A_ROOM: &[Field] = &[required("jointlyLet", Kind::Bool)];
const ADJUSTMENTS: &[Field] = &[
    field("balancingCharge", Kind::Amount),
    field("privateUseAdjustment", Kind::Amount),
    field(
        "businessPremisesRenovationAllowanceBalancingCharges",
        Kind::Amount,
    ),
    required("nonResidentLandlord", Kind::Bool),
    field("rentARoom", Kind::Object(RENT_A_ROOM)),
];
const ALLOWANCES: &[Field] = &[
    field("annualInvestmentAllowance", Kind::Amount),
    field("businessPremisesRenovationAllowance", Kind::Amount),
    field("otherCapitalAllowance", Kind::Amount),
    field("costOfReplacingDomesticItems", Kind::Amount),
    field("zeroEmissionsCarAllowance", Kind::Amount),
    field("propertyIncomeAllowance", Kind::CappedAmount(1000)),
    field(
        "structuredBuildingAllowance",
        Kind::List(building_allowance::CLAIM),
    ),
    field(
        "enhancedStructuredBuildingAllowance",
        Kind::List(building_allowance::CLAIM),
    ),
    field("zeroEmissionsGoodsVehicleAllowance", Kind::Amount),
    field("electricChargePointAllowance", Kind::Amount),
];
/// Allowances only the definition to 2024-25 has.
const UNTIL_2024: [&str; 2] = [
    "zeroEmissionsGoodsVehicleAllowance",
    "electricChargePointAllowance",
];
const UK_PROPERTY: &[Field] = &[
    field("adjustments", Kind::Object(ADJUSTMENTS)),
    field("allowances", Kind::Object(ALLOWANCES)),
];
const FHL_ADJUSTMENTS: &[Field] = &[
    field("privateUseAdjustment", Kind::Amount),
    field("balancingCharge", Kind::Amount),
    required("periodOfGraceAdjustment", Kind::Bool),
    field(
        "businessPremisesRenovationAllowanceBalancingCharges",
        Kind::Amount,
    ),
    required("nonResidentLandlord", Kind::Bool),
    field("rentARoom", Kind::Object(RENT_A_ROOM)),
];
const FHL_ALLOWANCES: &[Field] = &[
    field("annualInvestmentAllowance", Kind::Amount),
    field("businessPremisesRenovationAllowance", Kind::Amount),
    field("otherCapitalAllowance", Kind::Amount),
    field("electricChargePointAllowance", Kind::Amount),
    field("zeroEmissionsCarAllowance", Kind::Amount),
    field("propertyIncomeAllowance", Kind::CappedAmount(1000)),
];
const UK_FHL_PROPERTY: &[Field] = &[
    field("adjustments", Kind::Object(FHL_ADJUSTMENTS)),
    field("allowances", Kind::Object(FHL_ALLOWANCES)),
];
const BODY: &[Field] = &[required("ukProperty", Kind::Object(UK_PROPERTY))];
const BODY_UNTIL_2024: &[Field] = &[
    field("ukFhlProperty", Kind::Object(UK_FHL_PROPERTY)),
    field("ukProperty", Kind::Object(UK_PROPERTY)),
];
/// The first tax year HMRC's sandbox takes UK property annual submissions for.
const FIRST_YEAR: u16 = 2021;
/// The last year with furnished holiday lettings apart.
const LAST_FHL_YEAR: u16 = 2024;

fn judge(body: &Value, year: TaxYear) -> Result<(), ApiError> {
    let mut found = Findings::default();
    let until_2024 = year.start_year() <= LAST_FHL_YEAR;
    check_object(
        body,
        if until_2024 { BODY_UNTIL_2024 } else { BODY },
        "",
        &mut found,
    );
    for part in ["ukProperty", "ukFhlProperty"] {
        let allowances = body.pointer(&format!("/{part}/allowances"));
        let named = allowances.and_then(Value::as_object);
        if !until_2024 {
            for key in UNTIL_2024 {
                if named.is_some_and(|a| a.contains_key(key)) {
                    found.empty_or_wrong(&format!("/{part}/allowances/{key}"));
                }
            }
        }
        let property_allowance = named.is_some_and(|a| a.contains_key("propertyIncomeAllowance"));
        if property_allowance && named.is_some_and(|a| a.len() > 1) {
            found.add(
                "RULE_BOTH_ALLOWANCES_SUPPLIED",
                "The property income allowance cannot be claimed with other allowances",
                &format!("/{part}/allowances"),
            );
        }
        let private_use = format!("/{part}/adjustments/privateUseAdjustment");
        if property_allowance && body.pointer(&private_use).is_some() {
            found.add(
                "RULE_PROPERTY_INCOME_ALLOWANCE",
                "The property income allowance cannot be claimed with a private use adjustment",
                &private_use,
            );
        }
        building_allowance::name_or_number(allowances, &format!("/{part}/allowances"), &mut found);
    }
    if found.is_empty() {
        Ok(())
    } else {
        Err(invalid(found.into_items()))
    }
}

fn path_parts(
    path: Result<Path<(String, String, String)>, PathRejection>,
) -> Result<(BusinessId, TaxYear), ApiError> {
    let (raw_id, raw_year) = path.map(|Path((_, b, y))| (b, y)).unwrap_or_default();
    cumulative::path_from(&raw_id, &raw_year, FIRST_YEAR)
}

const ANNUAL: super::annual_store::Annual = super::annual_store::Annual {
    kinds: &["uk-property"],
    first_year: FIRST_YEAR,
    scenarios: &[
        "NOT_FOUND",
        "TYPE_OF_BUSINESS_INCORRECT",
        "PROPERTY_INCOME_ALLOWANCE",
        "OUTSIDE_AMENDMENT_WINDOW",
    ],
    judge,
    on_state: None,
    success: StatusCode::OK,
    other_kinds_not_found: false,
};

/// `PUT …/property/uk/{nino}/{businessId}/annual/{taxYear}`: 200 with no body, as HMRC answers.
pub async fn put_uk(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<StatusCode, ApiError> {
    super::annual_store::put(&state, &caller, path, &headers, &bytes, &ANNUAL)
}

/// `GET …/property/uk/{nino}/{businessId}/annual/{taxYear}`: the submission with `submittedOn`.
pub async fn get_uk(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let client = acting_for(&caller)?;
    let (id, year) = path_parts(path)?;
    let known = [
        "UK_PROPERTY",
        "UK_ALL_OTHER_ALLOWANCES",
        "UK_PROPERTY_ALLOWANCE",
        "UK_FHL_ALL_OTHER_ALLOWANCES",
        "UK_FHL_PROPERTY_ALLOWANCE",
        "FOREIGN_PROPERTY",
        "NOT_FOUND",
    ];
    let canned = match scenario::pick(&headers, &known)? {
        Some("FOREIGN_PROPERTY") => return Err(cumulative::wrong_type()),
        Some("NOT_FOUND") => return Err(cumulative::not_found()),
        Some(s) => Some(canned_uk(s, year)),
        None => None,
    };
    // The clock is read before the reader is taken: both hold the same connection.
    let (mut body, at) = match canned {
        Some(body) => (body, clock::now_ms(&state.store)?),
        None => load_uk(&state.store.reader(), &client.mtd_it_id, &id, year)?,
    };
    body["submittedOn"] = Value::String(
        clock::from_ms(at)
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string(),
    );
    Ok(Json(body))
}

/// The stored UK property annual submission, and when it was made.
fn load_uk(
    conn: &rusqlite::Connection,
    mtd_it_id: &str,
    id: &mtd_domain::BusinessId,
    year: TaxYear,
) -> Result<(Value, i64), ApiError> {
    let source = cumulative::source_of_kind(conn, mtd_it_id, id, &["uk-property"])??;
    super::annual_store::load(conn, &source.business_id, year)?.ok_or_else(cumulative::not_found)
}

/// HMRC's canned answers for the UK annual submission's scenarios: allowances claimed, or the
/// property income allowance instead; furnished holiday lettings apart before 2025-26.
fn canned_uk(scenario: &str, year: TaxYear) -> Value {
    let allowances = if scenario.ends_with("PROPERTY_ALLOWANCE") {
        json!({ "propertyIncomeAllowance": 1000.00 })
    } else {
        json!({ "annualInvestmentAllowance": 1500.00, "otherCapitalAllowance": 230.75 })
    };
    let holiday_lets = scenario.starts_with("UK_FHL_") && year.start_year() < 2025;
    let key = if holiday_lets {
        "ukFhlProperty"
    } else {
        "ukProperty"
    };
    json!({ key: { "allowances": allowances } })
}

/// `DELETE /individuals/business/property/{nino}/{businessId}/annual/{taxYear}` (UK or foreign).
pub async fn delete(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let client = acting_for(&caller)?;
    let (id, year) = path_parts(path)?;
    if let Some(e) =
        cumulative::scenario_error(&headers, &["NOT_FOUND", "OUTSIDE_AMENDMENT_WINDOW"])?
    {
        return Err(e);
    }
    cumulative::check_amendment_window(&state, year)?;
    state.store.write(|tx| {
        let source = match cumulative::source_of_kind(
            tx,
            &client.mtd_it_id,
            &id,
            &["uk-property", "foreign-property"],
        )? {
            Ok(s) => s,
            Err(_) => return Ok(Err(cumulative::not_found())),
        };
        Ok(
            if super::annual_store::delete(tx, &source.business_id, year)? {
                Ok(StatusCode::NO_CONTENT)
            } else {
                Err(cumulative::not_found())
            },
        )
    })?
}

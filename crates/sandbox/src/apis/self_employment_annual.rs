//! Self-Employment Business 5.0, the annual submission (`itsa-apis.md` §3.3 #3–5): the year's
//! adjustments, allowances and non-financial facts, from 2017-18. One shape holds every year's
//! fields; each year refuses the fields its definition lacks (HMRC's definitions 1 to 4, the
//! newest published fields included).

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use mtd_domain::TaxYear;
use serde_json::Value;

use super::body::{Field, Findings, Kind, check_object, field, required};
use super::{acting_for, building_allowance, cumulative, invalid, scenario};
use crate::AppState;
use crate::error::ApiError;
use crate::gateway::Caller;

/// Every year's adjustments; `judge` refuses those a year's definition lacks.
const ADJUSTMENTS: &[Field] = &[
    field("includedNonTaxableProfits", Kind::Amount),
    field("basisAdjustment", Kind::SignedAmount),
    field("overlapReliefUsed", Kind::Amount),
    field("accountingAdjustment", Kind::Amount),
    field("averagingAdjustment", Kind::SignedAmount),
    field("outstandingBusinessIncome", Kind::Amount),
    field("balancingChargeBpra", Kind::Amount),
    field("balancingChargeOther", Kind::Amount),
    field("goodsAndServicesOwnUse", Kind::Amount),
    field("transitionProfitAmount", Kind::Amount),
    field("transitionProfitAccelerationAmount", Kind::Amount),
    field("adjustmentToProfitsForClass4", Kind::SignedAmount),
];
const ALLOWANCES: &[Field] = &[
    field("annualInvestmentAllowance", Kind::Amount),
    field("capitalAllowanceMainPool", Kind::Amount),
    field("capitalAllowanceSpecialRatePool", Kind::Amount),
    field("businessPremisesRenovationAllowance", Kind::Amount),
    field("enhancedCapitalAllowance", Kind::Amount),
    field("allowanceOnSales", Kind::Amount),
    field("capitalAllowanceSingleAssetPool", Kind::Amount),
    field("zeroEmissionsCarAllowance", Kind::Amount),
    field("tradingIncomeAllowance", Kind::CappedAmount(1000)),
    field(
        "structuredBuildingAllowance",
        Kind::List(building_allowance::CLAIM),
    ),
    field(
        "enhancedStructuredBuildingAllowance",
        Kind::List(building_allowance::CLAIM),
    ),
    field("firstYearAllowanceOnPlantAndMachinery", Kind::Amount),
    field("electricChargePointAllowance", Kind::Amount),
    field("zeroEmissionsGoodsVehicleAllowance", Kind::Amount),
];
/// Fields by the tax years whose definitions have them (first and last year they start in).
const YEARS_OF: [(&str, u16, u16); 6] = [
    ("/adjustments/adjustmentToProfitsForClass4", 2026, u16::MAX),
    (
        "/allowances/firstYearAllowanceOnPlantAndMachinery",
        2026,
        u16::MAX,
    ),
    ("/allowances/electricChargePointAllowance", 0, 2024),
    ("/allowances/zeroEmissionsGoodsVehicleAllowance", 0, 2024),
    ("/adjustments/transitionProfitAmount", 2024, u16::MAX),
    (
        "/adjustments/transitionProfitAccelerationAmount",
        2024,
        u16::MAX,
    ),
];
/// The first tax year HMRC takes annual submissions for.
const FIRST_YEAR: u16 = 2017;
const CLASS_4_REASONS: &[&str] = &[
    "non-resident",
    "trustee",
    "diver",
    "ITTOIA-2005",
    "over-state-pension-age",
    "under-16",
];
const NON_FINANCIALS: &[Field] = &[
    required("businessDetailsChangedRecently", Kind::Bool),
    field(
        "class4NicsExemptionReason",
        Kind::Choice(CLASS_4_REASONS, "FORMAT_CLASS_4_EXEMPTION_REASON"),
    ),
];
const BODY: &[Field] = &[
    field("adjustments", Kind::Object(ADJUSTMENTS)),
    field("allowances", Kind::Object(ALLOWANCES)),
    field("nonFinancials", Kind::Object(NON_FINANCIALS)),
];

fn path_parts(
    path: Result<Path<(String, String, String)>, PathRejection>,
) -> Result<(mtd_domain::BusinessId, TaxYear), ApiError> {
    let (raw_id, raw_year) = path.map(|Path((_, b, y))| (b, y)).unwrap_or_default();
    cumulative::path_from(&raw_id, &raw_year, FIRST_YEAR)
}

fn judge(body: &Value, year: TaxYear) -> Result<(), ApiError> {
    let mut found = Findings::default();
    check_object(body, BODY, "", &mut found);
    let y = year.start_year();
    for (pointer, first, last) in YEARS_OF {
        if !(first..=last).contains(&y) && body.pointer(pointer).is_some() {
            // HMRC names the allowances a year lacks; other fields a year lacks are just unknown.
            if pointer.starts_with("/allowances/") && !pointer.ends_with("GoodsVehicleAllowance") {
                found.add(
                    "RULE_ALLOWANCE_NOT_SUPPORTED",
                    "One or more of the allowances is not supported for this tax year",
                    pointer,
                );
            } else {
                found.empty_or_wrong(pointer);
            }
        }
    }
    let allowances = body.get("allowances").and_then(Value::as_object);
    if allowances.is_some_and(|a| a.contains_key("tradingIncomeAllowance") && a.len() > 1) {
        found.add(
            "RULE_BOTH_ALLOWANCES_SUPPLIED",
            "The trading income allowance cannot be claimed with other allowances",
            "/allowances",
        );
    }
    let adjustments = body.get("adjustments").and_then(Value::as_object);
    if adjustments.is_some_and(|a| {
        a.contains_key("transitionProfitAccelerationAmount")
            && !a.contains_key("transitionProfitAmount")
    }) {
        found.add(
            "RULE_WRONG_TPA_AMOUNT_SUBMITTED",
            "An accelerated transition profit needs the transition profit amount",
            "/adjustments/transitionProfitAccelerationAmount",
        );
    }
    if y >= 2024 && adjustments.is_some_and(|a| a.contains_key("overlapReliefUsed")) {
        found.add(
            "RULE_OVERLAP_RELIEF_USED_NOT_ALLOWED",
            "Overlap relief cannot be claimed from 2024-25",
            "/adjustments/overlapReliefUsed",
        );
    }
    building_allowance::name_or_number(body.get("allowances"), "/allowances", &mut found);
    if found.is_empty() {
        Ok(())
    } else {
        Err(invalid(found.into_items()))
    }
}

const ANNUAL: super::annual_store::Annual = super::annual_store::Annual {
    kinds: &["self-employment"],
    first_year: FIRST_YEAR,
    scenarios: &[
        "NOT_FOUND",
        "ALLOWANCE_NOT_SUPPORTED",
        "WRONG_TPA_AMOUNT_SUBMITTED",
        "OUTSIDE_AMENDMENT_WINDOW",
    ],
    judge,
    on_state: None,
    success: StatusCode::NO_CONTENT,
    other_kinds_not_found: true,
};

/// `PUT …/self-employment/{nino}/{businessId}/annual/{taxYear}`
pub async fn put(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<StatusCode, ApiError> {
    super::annual_store::put(&state, &caller, path, &headers, &bytes, &ANNUAL)
}

/// `GET …/self-employment/{nino}/{businessId}/annual/{taxYear}`
pub async fn get(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let client = acting_for(&caller)?;
    let (id, year) = path_parts(path)?;
    match scenario::pick(&headers, &["NOT_FOUND", "TRADING_ALLOWANCE"])? {
        Some("NOT_FOUND") => return Err(cumulative::not_found()),
        // HMRC's canned answer: a business claiming the trading allowance, whatever is stored.
        Some(_) => {
            return Ok(Json(serde_json::json!({
                "allowances": { "tradingIncomeAllowance": 1000.00 },
                "nonFinancials": { "businessDetailsChangedRecently": false }
            })));
        }
        None => {}
    }
    let conn = state.store.reader();
    let source = cumulative::source(&conn, &client.mtd_it_id, &id, &["self-employment"])?
        .ok_or_else(cumulative::not_found)?;
    let (body, _) = super::annual_store::load(&conn, &source.business_id, year)?
        .ok_or_else(cumulative::not_found)?;
    Ok(Json(body))
}

/// `DELETE …/self-employment/{nino}/{businessId}/annual/{taxYear}`
pub async fn delete(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let client = acting_for(&caller)?;
    let (id, year) = path_parts(path)?;
    // `DELETE` is HMRC's scenario for a plain success, whatever is stored.
    if scenario::pick(
        &headers,
        &["DELETE", "NOT_FOUND", "OUTSIDE_AMENDMENT_WINDOW"],
    )? == Some("DELETE")
    {
        return Ok(StatusCode::NO_CONTENT);
    }
    if let Some(e) =
        cumulative::scenario_error(&headers, &["NOT_FOUND", "OUTSIDE_AMENDMENT_WINDOW"])?
    {
        return Err(e);
    }
    cumulative::check_amendment_window(&state, year)?;
    let removed = state.store.write(|tx| {
        let Some(source) = cumulative::source(tx, &client.mtd_it_id, &id, &["self-employment"])?
        else {
            return Ok(false);
        };
        super::annual_store::delete(tx, &source.business_id, year)
    })?;
    if removed {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(cumulative::not_found())
    }
}

//! HMRC's Self Assessment Test Support 1.0, the part that sets ITSA statuses:
//! `POST /individuals/self-assessment-test-support/itsa-status/{nino}/{taxYear}`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use mtd_domain::ErrorItem;
use serde::Deserialize;

use super::{acting_for, invalid, tax_year};
use crate::AppState;
use crate::error::ApiError;
use crate::gateway::Caller;
use crate::itsa_status::{self, REASONS, STATUSES, StatusDetail};
use crate::json_body::JsonBody;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Request {
    itsa_status_details: Vec<StatusDetail>,
}

fn item(code: &str, message: &str, path: String) -> ErrorItem {
    ErrorItem {
        code: code.into(),
        message: message.into(),
        paths: Some(vec![path]),
    }
}

/// `YYYY-MM-DDThh:mm:ss.SSSZ`, as the definition says.
fn is_hmrc_timestamp(s: &str) -> bool {
    s.len() == 24
        && s.ends_with('Z')
        && chrono::NaiveDateTime::parse_from_str(&s[..23], "%Y-%m-%dT%H:%M:%S%.3f").is_ok()
}

pub async fn create_amend(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    Path((_nino, raw_year)): Path<(String, String)>,
    body: Result<JsonBody<Request>, ApiError>,
) -> Result<StatusCode, ApiError> {
    let client = acting_for(&caller)?;
    let year = tax_year(&raw_year).map_err(|e| invalid(vec![e]))?;
    let JsonBody(req) = body.map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "RULE_INCORRECT_OR_EMPTY_BODY_SUBMITTED",
            "An empty or non-matching body was submitted",
        )
    })?;
    if req.itsa_status_details.is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "RULE_INCORRECT_OR_EMPTY_BODY_SUBMITTED",
            "An empty or non-matching body was submitted",
        ));
    }
    let mut errors = Vec::new();
    let mut seen = Vec::new();
    for (i, d) in req.itsa_status_details.iter().enumerate() {
        let at = |f: &str| format!("/itsaStatusDetails/{i}/{f}");
        if !is_hmrc_timestamp(&d.submitted_on) {
            errors.push(item(
                "FORMAT_SUBMITTED_ON",
                "The provided submittedOn is invalid",
                at("submittedOn"),
            ));
        } else if seen.contains(&d.submitted_on) {
            errors.push(item(
                "DUPLICATE_SUBMITTED_ON",
                "More than one status detail has this submittedOn",
                at("submittedOn"),
            ));
        }
        seen.push(d.submitted_on.clone());
        if !STATUSES.contains(&d.status.as_str()) {
            errors.push(item(
                "FORMAT_STATUS",
                "The provided status is invalid",
                at("status"),
            ));
        }
        if !REASONS.contains(&d.status_reason.as_str()) {
            errors.push(item(
                "FORMAT_STATUS_REASON",
                "The provided statusReason is invalid",
                at("statusReason"),
            ));
        }
        if let Some(n) = &d.business_income_2_years_prior {
            let ok = mtd_domain::Money::parse(&n.to_string()).is_ok_and(|m| {
                !m.is_negative()
                    && m <= mtd_domain::Money::parse("99999999999.99").expect("constant")
            });
            if !ok {
                errors.push(item(
                    "FORMAT_BUSINESS_INCOME_2_YEARS_PRIOR",
                    "The value must be between 0 and 99999999999.99",
                    at("businessIncome2YearsPrior"),
                ));
            }
        }
    }
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    // Create or amend: the year's details are replaced by the ones sent.
    state.store.write(|tx| {
        tx.execute(
            "DELETE FROM itsa_statuses WHERE nino_stem = ?1 AND tax_year = ?2",
            rusqlite::params![itsa_status::stem(&client.nino), year.start_year()],
        )?;
        itsa_status::record(tx, &client.nino, year, &req.itsa_status_details)
    })?;
    Ok(StatusCode::NO_CONTENT)
}

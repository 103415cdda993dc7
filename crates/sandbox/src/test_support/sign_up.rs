//! `POST /test-support/sign-up`: a signed-up taxpayer in one call, as the sign-up pages would
//! leave it.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use mtd_domain::{Nino, TaxYear};
use serde::Deserialize;

use crate::error::ApiError;
use crate::json_body::JsonBody;
use crate::signup::{IncomeSource, SignUpError, SignedUp, sign_up};
use crate::{AppState, clock};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Request {
    nino: String,
    /// Default: the tax year current on the sandbox clock.
    tax_year: Option<String>,
    income_sources: Vec<IncomeSource>,
}

pub async fn create(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<Request>,
) -> Result<(StatusCode, Json<SignedUp>), ApiError> {
    let nino = Nino::parse(&req.nino)
        .map_err(|_| ApiError::bad_request("nino is not a valid National Insurance number"))?;
    let store = &state.store;
    let now = clock::now_ms(store)?;
    let year = match &req.tax_year {
        Some(y) => {
            TaxYear::parse(y).map_err(|_| ApiError::bad_request("taxYear must be like 2025-26"))?
        }
        None => TaxYear::containing(clock::from_ms(now).date_naive()).ok_or_else(|| {
            ApiError::bad_request("the sandbox clock is outside the supported years")
        })?,
    };
    match store.write(|tx| Ok(sign_up(tx, &nino, year, &req.income_sources, now)))? {
        Ok(s) => Ok((StatusCode::CREATED, Json(s))),
        Err(SignUpError::Store(e)) => Err(e.into()),
        Err(SignUpError::AlreadySignedUp) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "ALREADY_SIGNED_UP",
            "This NINO is already signed up",
        )),
        Err(e) => Err(ApiError::bad_request(e.to_string())),
    }
}

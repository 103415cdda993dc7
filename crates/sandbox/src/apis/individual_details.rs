//! Self Assessment Individual Details 2.0: `GET /individuals/person/itsa-status/{nino}/{taxYear}`
//! (`itsa-apis.md` §3.6). Statuses for a tax year, optionally the years after it and each year's
//! history.

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use mtd_domain::ErrorItem;
use serde_json::{Value, json};

use super::{acting_for, invalid, scenario, tax_year};
use crate::error::ApiError;
use crate::gateway::Caller;
use crate::{AppState, itsa_status};

/// The query flags; a repeated flag counts by its first value.
#[derive(Debug, Default)]
pub struct Params {
    future_years: Option<String>,
    history: Option<String>,
}

impl Params {
    fn from_query(query: &str) -> Params {
        let mut p = Params::default();
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            match k.as_ref() {
                "futureYears" if p.future_years.is_none() => p.future_years = Some(v.into_owned()),
                "history" if p.history.is_none() => p.history = Some(v.into_owned()),
                _ => {}
            }
        }
        p
    }
}

fn flag(raw: Option<&str>, code: &str, name: &str) -> Result<bool, ErrorItem> {
    match raw {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(ErrorItem {
            code: code.into(),
            message: format!("The provided {name} value is invalid"),
            paths: None,
        }),
    }
}

pub async fn retrieve(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    path: Result<Path<(String, String)>, PathRejection>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let client = acting_for(&caller)?;
    // Framework rejections (a path that is not UTF-8) are HMRC errors too.
    let raw_year = path.map(|Path((_, y))| y).unwrap_or_default();
    let params = Params::from_query(query.as_deref().unwrap_or(""));
    let year = tax_year(&raw_year);
    let future = flag(
        params.future_years.as_deref(),
        "FORMAT_FUTURE_YEARS",
        "futureYears",
    );
    let history = flag(params.history.as_deref(), "FORMAT_HISTORY", "history");
    let (year, future, history) = match (year, future, history) {
        (Ok(y), Ok(f), Ok(h)) => (y, f, h),
        (y, f, h) => {
            return Err(invalid(
                [y.err(), f.err(), h.err()].into_iter().flatten().collect(),
            ));
        }
    };
    match scenario::pick(&headers, &["NOT_FOUND", "NOT_ENROLLED"])? {
        Some("NOT_FOUND") => return Err(not_found()),
        Some(_) => {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "CLIENT_NOT_MTD_ENROLLED",
                "The client is not enrolled for MTD",
            ));
        }
        None => {}
    }
    let years = itsa_status::read(&state.store.reader(), &client.nino, year, future, history)?;
    if years.is_empty() {
        return Err(not_found());
    }
    let body: Vec<Value> = years
        .into_iter()
        .map(|(ty, details)| json!({ "taxYear": ty.to_string(), "itsaStatusDetails": details }))
        .collect();
    Ok(Json(json!({ "itsaStatuses": body })))
}

fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "MATCHING_RESOURCE_NOT_FOUND",
        "Matching resource not found",
    )
}

//! HMRC's Test Fraud Prevention Headers API 1.0 (application-restricted): judge this request's
//! headers now, or read the verdicts on the latest real request to each endpoint of an API.

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use mtd_domain::fraud_prevention::ConnectionMethod;
use serde_json::{Value, json};

use super::{api_id, received, summary, validator};
use crate::AppState;
use crate::error::ApiError;
use crate::gateway::{Api, Caller};

/// `GET /test/fraud-prevention-headers/validate`: 200 whatever the verdict.
pub async fn validate(headers: HeaderMap) -> Json<Value> {
    let report = validator::validate(&received(&headers), chrono::Utc::now());
    Json(summary(&report))
}

/// `GET /test/fraud-prevention-headers/{api}/validation-feedback[?connectionMethod=]`
pub async fn feedback(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    api: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let api = api.map(|Path(a)| a).unwrap_or_default();
    if !Api::ALL
        .into_iter()
        .any(|a| api_id(a) == Some(api.as_str()))
    {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "MATCHING_RESOURCE_NOT_FOUND",
            "No MTD API has this identifier",
        ));
    }
    let wanted = url::form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "connectionMethod")
        .map(|(_, v)| v.into_owned());
    let method = match wanted.as_deref() {
        None => None,
        Some(m) => Some(ConnectionMethod::parse(m).ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "INVALID_CONNECTION_METHOD",
                "connectionMethod must be one of the connection methods in the specification",
            )
        })?),
    };
    let conn = state.store.reader();
    let mut stmt = conn.prepare(
        "SELECT request FROM fraud_feedback WHERE client_id = ?1 AND api = ?2
           AND (?3 IS NULL OR connection_method = ?3)
         ORDER BY recorded_at_ms DESC",
    )?;
    let requests = stmt
        .query_map(
            rusqlite::params![caller.client_id, api, method.map(|m| m.as_str())],
            |r| r.get::<_, String>(0),
        )?
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .filter_map(|r| serde_json::from_str::<Value>(&r).ok())
        .collect::<Vec<_>>();
    Ok(Json(json!({ "requests": requests })))
}

//! Fraud prevention headers on the local HMRC: the validator, its record of each MTD request,
//! and HMRC's Test Fraud Prevention Headers API (`platform.md` §9). The gateway judges every
//! request to an MTD API and keeps the latest verdict per application and endpoint; it rejects a
//! request only in strict mode (`--strict-fraud-headers`), with the local-only
//! `400 INVALID_FRAUD_PREVENTION_HEADERS`.

pub mod routes;
pub mod validator;

#[cfg(test)]
mod tests;

use axum::http::{HeaderMap, StatusCode};
use mtd_domain::{ErrorItem, HmrcErrorBody};
use rusqlite::params;
use serde_json::{Value, json};

use crate::AppState;
use crate::error::ApiError;
use crate::gateway::{Api, Endpoint};
use validator::{Finding, Report};

/// The identifier of an MTD API in the feedback endpoint's path, or `None` for an API whose
/// requests are not judged (Hello World, Create Test User, test support). HMRC's list of these
/// identifiers is not published in full; where it is not known, the API's own name is used.
pub fn api_id(api: Api) -> Option<&'static str> {
    match api {
        Api::IndividualDetails => Some("self-assessment-individual-details-mtd"),
        Api::BusinessDetails => Some("business-details-mtd"),
        Api::AgentAuthorisation => Some("agent-authorisation-mtd"),
        Api::Obligations => Some("obligations-mtd"),
        Api::SelfEmployment => Some("self-employment-business-mtd"),
        Api::PropertyBusiness => Some("property-business-mtd"),
        Api::Hello
        | Api::CreateTestUser
        | Api::SaTestSupport
        | Api::AgentAuthorisationTestSupport
        | Api::TestFraudPreventionHeaders => None,
    }
}

/// The request's headers as (name, value) pairs; a value that is not visible ASCII is kept as
/// lossy text so the validator can say so.
pub fn received(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

fn item(f: &Finding) -> Value {
    json!({
        "code": f.code,
        "message": f.message,
        "headers": f.headers.iter().map(|h| h.lower()).collect::<Vec<_>>(),
    })
}

/// The `validate` endpoint's answer.
pub fn summary(report: &Report) -> Value {
    let mut body = json!({
        "specVersion": mtd_domain::fraud_prevention::SPEC_VERSION,
        "code": report.code(),
        "message": report.message(),
    });
    if !report.errors.is_empty() {
        body["errors"] = report.errors.iter().map(item).collect();
    }
    if !report.warnings.is_empty() {
        body["warnings"] = report.warnings.iter().map(item).collect();
    }
    body
}

/// One request as the feedback endpoint shows it.
fn feedback(report: &Report, method: &str, path: &str, at: &str) -> Value {
    let headers: Vec<Value> = report
        .headers
        .iter()
        .map(|v| {
            json!({
                "header": v.header.lower(),
                "value": v.value,
                "code": v.code,
                "errors": v.errors,
                "warnings": v.warnings,
            })
        })
        .collect();
    let cross: Vec<Value> = report
        .cross
        .iter()
        .map(|f| json!({ "headers": f.headers.iter().map(|h| h.lower()).collect::<Vec<_>>(), "code": f.code, "errors": [f.message] }))
        .collect();
    json!({
        "path": path,
        "method": method,
        "requestTimestamp": at,
        "code": report.code(),
        "headers": headers,
        "crossValidation": cross,
    })
}

/// Judges a request to an MTD API, records the verdict for the feedback endpoint, and in strict
/// mode refuses a request whose headers have errors.
pub fn inspect(
    state: &AppState,
    ep: &Endpoint,
    client_id: &str,
    method: &str,
    path: &str,
    headers: &HeaderMap,
) -> Result<(), ApiError> {
    let Some(api) = api_id(ep.api) else {
        return Ok(());
    };
    let now = chrono::Utc::now();
    let report = validator::validate(&received(headers), now);
    let key = (client_id.to_owned(), ep.path, method.to_owned());
    if state.fraud_recorded.due(key, verdict_of(&report)) {
        let at = mtd_domain::fraud_prevention::timestamp(now);
        let entry = feedback(&report, method, path, &at);
        record(state, client_id, api, method, ep, &report, now, &entry)?;
    }
    if state.config.strict_fraud_headers && !report.errors.is_empty() {
        let items = report
            .errors
            .iter()
            .map(|f| ErrorItem {
                code: f.code.into(),
                message: format!(
                    "{}: {}",
                    f.headers
                        .iter()
                        .map(|h| h.name())
                        .collect::<Vec<_>>()
                        .join(", "),
                    f.message
                ),
                paths: None,
            })
            .collect();
        return Err(ApiError::Hmrc(
            StatusCode::BAD_REQUEST,
            HmrcErrorBody {
                code: "INVALID_FRAUD_PREVENTION_HEADERS".into(),
                message: "The fraud prevention headers have errors (the local HMRC's strict mode)"
                    .into(),
                paths: None,
                errors: Some(items),
            },
        ));
    }
    Ok(())
}

/// Keeps the verdict for the feedback endpoint.
#[expect(clippy::too_many_arguments, reason = "one row's columns")]
fn record(
    state: &AppState,
    client_id: &str,
    api: &str,
    method: &str,
    ep: &Endpoint,
    report: &Report,
    now: chrono::DateTime<chrono::Utc>,
    entry: &Value,
) -> Result<(), ApiError> {
    state.store.write(|tx| {
        tx.execute(
            "INSERT INTO fraud_feedback (client_id, api, method, endpoint, connection_method, recorded_at_ms, request)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (client_id, api, method, endpoint) DO UPDATE SET
               connection_method = ?5, recorded_at_ms = ?6, request = ?7",
            params![
                client_id,
                api,
                method,
                ep.path,
                report.method.map(|m| m.as_str()),
                now.timestamp_millis(),
                entry.to_string()
            ],
        )
    })?;
    Ok(())
}

/// What a request's verdict is, less the values that change with every request (timestamps):
/// each header's code and findings, and the cross-header ones. A change is written at once.
fn verdict_of(report: &Report) -> String {
    let mut out = String::from(report.code());
    for h in &report.headers {
        out.push_str(h.header.name());
        out.push_str(h.code);
        for m in h.errors.iter().chain(&h.warnings) {
            out.push_str(m);
        }
    }
    for f in &report.cross {
        out.push_str(&f.message);
    }
    out
}

/// The last verdict written per application, endpoint and method, and when. Under load the
/// database gets at most one write a second for each, and any change of verdict at once.
#[derive(Debug, Default)]
pub struct Recorded(
    std::sync::Mutex<std::collections::HashMap<RecordKey, (std::time::Instant, String)>>,
);

/// Application, endpoint and method.
type RecordKey = (String, &'static str, String);

impl Recorded {
    /// Whether this verdict should be written now, noting it if so.
    pub fn due(&self, key: RecordKey, verdict: String) -> bool {
        let mut seen = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let fresh = seen.get(&key).is_some_and(|(at, v)| {
            *v == verdict && at.elapsed() < std::time::Duration::from_secs(1)
        });
        if !fresh {
            seen.insert(key, (std::time::Instant::now(), verdict));
        }
        !fresh
    }
}

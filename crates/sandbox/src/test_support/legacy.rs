//! Seeding existing Self Assessment agent authorisations: `POST /test-support/sa-agents` (an
//! agent's old Self Assessment for agents credential, holding `IR-SA-AGENT`),
//! `POST /test-support/legacy-authorisations` (a 64-8 held against an SA agent reference) and
//! `POST /test-support/agent-mappings` (the agent links its SA agent reference to its ARN, as the
//! mapping pages do).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use mtd_domain::{Arn, Nino};
use rusqlite::params;
use serde::Deserialize;

use crate::AppState;
use crate::error::ApiError;
use crate::json_body::JsonBody;
use crate::test_users::{CreateRequest, UserType, routes::create_user};

fn agent_reference(raw: &str) -> Result<String, ApiError> {
    let r = raw.trim().to_uppercase();
    let ok = (1..=12).contains(&r.len()) && r.bytes().all(|b| b.is_ascii_alphanumeric());
    if ok {
        Ok(r)
    } else {
        Err(ApiError::bad_request(
            "saAgentReference must be 1 to 12 letters and digits",
        ))
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Authorisation {
    sa_agent_reference: String,
    nino: String,
    /// The paper 64-8 (default true); `authI648` is the online one.
    #[serde(rename = "auth648")]
    auth_64_8: Option<bool>,
    #[serde(rename = "authI648")]
    auth_i64_8: Option<bool>,
}

pub async fn authorisation(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<Authorisation>,
) -> Result<StatusCode, ApiError> {
    let reference = agent_reference(&req.sa_agent_reference)?;
    let nino = Nino::parse(&req.nino)
        .map_err(|_| ApiError::bad_request("nino is not a valid National Insurance number"))?;
    let (paper, online) = (
        req.auth_64_8.unwrap_or(true),
        req.auth_i64_8.unwrap_or(false),
    );
    state.store.write(|tx| {
        tx.execute(
            "INSERT INTO legacy_authorisations (sa_agent_reference, nino_stem, auth_64_8, auth_i64_8) VALUES (?1, substr(?2, 1, 8), ?3, ?4)
             ON CONFLICT (sa_agent_reference, nino_stem) DO UPDATE SET auth_64_8 = ?3, auth_i64_8 = ?4",
            params![reference, nino.as_str(), paper, online],
        )
    })?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Mapping {
    arn: String,
    sa_agent_reference: String,
}

pub async fn mapping(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<Mapping>,
) -> Result<StatusCode, ApiError> {
    let arn = Arn::parse(&req.arn)
        .map_err(|_| ApiError::bad_request("arn is not a valid Agent Reference Number"))?;
    let reference = agent_reference(&req.sa_agent_reference)?;
    state.store.write(|tx| {
        tx.execute(
            "INSERT OR IGNORE INTO agent_mappings (arn, sa_agent_reference) VALUES (?1, ?2)",
            params![arn.as_str(), reference],
        )
    })?;
    Ok(StatusCode::NO_CONTENT)
}

/// An Agent-affinity credential holding `IR-SA-AGENT`: Create Test User's answer plus
/// `saAgentReference`.
pub async fn sa_agent(
    State(state): State<AppState>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let req = CreateRequest {
        legacy_sa_agent: true,
        ..Default::default()
    };
    create_user(&state, UserType::Agent, req).await
}

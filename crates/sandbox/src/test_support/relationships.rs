//! `POST /test-support/relationships`: make an agent the client's main or supporting agent at
//! once, as if the client had accepted its authorisation request.

use axum::extract::State;
use axum::http::StatusCode;
use mtd_domain::{Arn, Nino};
use rusqlite::OptionalExtension;
use serde::Deserialize;

use crate::agents::{self, AgentType};
use crate::error::ApiError;
use crate::gateway::act_for::mtd_it_id_for;
use crate::json_body::JsonBody;
use crate::{AppState, clock};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Request {
    arn: String,
    nino: String,
    agent_type: String,
}

pub async fn create(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<Request>,
) -> Result<StatusCode, ApiError> {
    let arn = Arn::parse(&req.arn)
        .map_err(|_| ApiError::bad_request("arn is not a valid Agent Reference Number"))?;
    let nino = Nino::parse(&req.nino)
        .map_err(|_| ApiError::bad_request("nino is not a valid National Insurance number"))?;
    let agent_type = AgentType::parse(&req.agent_type)
        .ok_or_else(|| ApiError::bad_request("agentType must be main or supporting"))?;
    let store = &state.store;
    let known_agent = store
        .reader()
        .query_row(
            "SELECT 1 FROM enrolments WHERE service = 'HMRC-AS-AGENT' AND identifier_value = ?1",
            [arn.as_str()],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    if !known_agent {
        return Err(ApiError::bad_request(
            "no agent services account has this ARN",
        ));
    }
    let mtd_it_id = mtd_it_id_for(&store.reader(), &nino)?
        .ok_or_else(|| ApiError::bad_request("the NINO is not signed up for MTD Income Tax"))?;
    let now = clock::now_ms(store)?;
    store.write(|tx| agents::authorise(tx, arn.as_str(), &mtd_it_id, agent_type, now))?;
    Ok(StatusCode::NO_CONTENT)
}

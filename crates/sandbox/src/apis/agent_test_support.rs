//! HMRC's Agent Authorisation Test Support API 1.0: the client's answer without the client's
//! journey, and the known fact an agent needs to ask.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use mtd_domain::Nino;
use serde_json::{Value, json};

use crate::agents::invitations;
use crate::error::ApiError;
use crate::{AppState, clock};

fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "INVITATION_NOT_FOUND",
        "The authorisation request cannot be found.",
    )
}

fn conflict(message: &str) -> ApiError {
    ApiError::new(StatusCode::CONFLICT, "INVALID_INVITATION_STATUS", message)
}

/// `PUT /agent-authorisation-test-support/invitations/{id}`: the client accepts.
pub async fn accept(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let now = clock::now_ms(&state.store)?;
    state.store.write(|tx| {
        invitations::expire(tx, now)?;
        let Some(inv) = invitations::get(tx, &id)? else {
            return Ok(Err(not_found()));
        };
        match inv.status.as_str() {
            "Pending" => {
                invitations::accept(tx, &inv, now)?;
                Ok(Ok(StatusCode::NO_CONTENT))
            }
            // Accepting again changes nothing.
            "Accepted" | "Partialauth" => Ok(Ok(StatusCode::NO_CONTENT)),
            _ => Ok(Err(conflict(
                "The authorisation request has already been rejected, cancelled or has expired.",
            ))),
        }
    })?
}

/// `DELETE /agent-authorisation-test-support/invitations/{id}`: the client rejects.
pub async fn reject(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let now = clock::now_ms(&state.store)?;
    state.store.write(|tx| {
        invitations::expire(tx, now)?;
        let Some(inv) = invitations::get(tx, &id)? else {
            return Ok(Err(not_found()));
        };
        if inv.status != "Pending" {
            return Ok(Err(conflict(
                "The authorisation request has already been accepted, cancelled or has expired.",
            )));
        }
        invitations::set_status(tx, &id, "Rejected", now)?;
        Ok(Ok(StatusCode::NO_CONTENT))
    })?
}

/// `GET /agent-authorisation-test-support/known-facts/mtd-it/nino/{nino}`: the postcode HMRC
/// holds for the client, which an agent gives as `knownFact`.
pub async fn known_fact(
    State(state): State<AppState>,
    Path(raw): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let nino = Nino::parse(&raw).map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "CLIENT_ID_FORMAT_INVALID",
            "Client identifier must be in the correct format.",
        )
    })?;
    let postcode = state
        .store
        .reader()
        .query_row(
            "SELECT json_extract(u.profile, '$.individualDetails.address.postcode') FROM identifiers n JOIN users u ON u.user_id = n.user_id
             WHERE n.kind = 'nino' AND substr(n.value, 1, 8) = substr(?1, 1, 8)",
            [nino.as_str()],
            |r| r.get::<_, Option<String>>(0),
        )
        .map_err(|_| ApiError::new(StatusCode::NOT_FOUND, "CLIENT_REGISTRATION_NOT_FOUND", "No client has this NINO."))?
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "CLIENT_REGISTRATION_NOT_FOUND", "No client has this NINO."))?;
    Ok(Json(
        json!({ "service": ["MTD-IT"], "clientType": "personal", "clientIdType": "ni", "clientId": nino.as_str(), "knownFact": postcode }),
    ))
}

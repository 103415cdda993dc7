//! `POST /test-support/tokens`: a user's token pair without the web journey. The answer is
//! exactly what `/oauth/token` gives, and the grant behind it is real, so refreshing works.

use axum::Json;
use axum::extract::State;
use mtd_domain::{Scope, Scopes};
use serde::Deserialize;

use crate::error::ApiError;
use crate::json_body::JsonBody;
use crate::oauth::tokens::{self, TokenResponse};
use crate::{AppState, apps, clock, test_users};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Request {
    client_id: String,
    user_id: String,
    scopes: Vec<String>,
}

pub async fn mint(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<Request>,
) -> Result<Json<TokenResponse>, ApiError> {
    let store = &state.store;
    let app = apps::find(store, &req.client_id)?
        .ok_or_else(|| ApiError::bad_request("clientId is not a known application"))?;
    if !test_users::exists(store, &req.user_id)? {
        return Err(ApiError::bad_request("userId is not a known user"));
    }
    let scopes = req
        .scopes
        .iter()
        .map(|s| {
            Scope::parse(s).map_err(|_| ApiError::bad_request(format!("scope {s:?} is invalid")))
        })
        .collect::<Result<Scopes, _>>()?;
    if scopes.is_empty() {
        return Err(ApiError::bad_request("at least one scope is required"));
    }
    let now = clock::now_ms(store)?;
    Ok(Json(tokens::grant(
        store,
        &app.client_id,
        &req.user_id,
        &scopes,
        app.grant_length_days,
        now,
    )?))
}

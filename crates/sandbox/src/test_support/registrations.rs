//! `POST /test-support/self-assessment-registrations`: register a user for Self Assessment, as
//! the registration page would.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::error::ApiError;
use crate::json_body::JsonBody;
use crate::signup::registration::register;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Request {
    user_id: String,
}

pub async fn create(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<Request>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    match state.store.write(|tx| register(tx, &req.user_id))? {
        Ok((utr, created)) => Ok((
            if created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            },
            Json(json!({ "saUtr": utr })),
        )),
        Err(why) => Err(ApiError::bad_request(why)),
    }
}

//! `GET /test-support/users/{userId}`: what HMRC holds about a test user, never the password.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::Value;

use crate::error::ApiError;
use crate::{AppState, test_users};

pub async fn show(
    State(state): State<AppState>,
    Path(user_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    test_users::known_facts(&state.store, &user_id)?
        .map(Json)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "USER_NOT_FOUND",
                "No test user has this user ID",
            )
        })
}

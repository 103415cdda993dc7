//! `GET /test-support/users/{userId}`: what HMRC holds about a test user, never the password;
//! `DELETE` removes the credential.

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::Value;

use crate::error::ApiError;
use crate::{AppState, test_users};

pub async fn show(
    State(state): State<AppState>,
    user_id: Result<Path<String>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let Path(user_id) = user_id.map_err(|_| no_such_user())?;
    test_users::known_facts(&state.store, &user_id)?
        .map(Json)
        .ok_or_else(no_such_user)
}

pub async fn remove(
    State(state): State<AppState>,
    user_id: Result<Path<String>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    let Path(user_id) = user_id.map_err(|_| no_such_user())?;
    let now = crate::clock::now_ms(&state.store)?;
    if test_users::remove(&state.store, &user_id, now)? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(no_such_user())
    }
}

/// `GET /test-support/users/{userId}/messages`: the text messages HMRC "sent" the user, newest
/// first, so tests can read 2-step verification codes.
pub async fn messages(
    State(state): State<AppState>,
    user_id: Result<Path<String>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let Path(user_id) = user_id.map_err(|_| no_such_user())?;
    if !test_users::exists(&state.store, &user_id)? {
        return Err(no_such_user());
    }
    let conn = state.store.reader();
    let mut stmt = conn.prepare("SELECT phone, body, code, sent_at_ms FROM outbox WHERE user_id = ?1 ORDER BY id DESC LIMIT 50")?;
    let rows = stmt
        .query_map([&user_id], |r| {
            Ok(serde_json::json!({
                "phone": r.get::<_, String>(0)?,
                "body": r.get::<_, String>(1)?,
                "code": r.get::<_, String>(2)?,
                "sentAt": crate::clock::from_ms(r.get(3)?).to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            }))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Json(serde_json::json!({ "messages": rows })))
}

fn no_such_user() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "USER_NOT_FOUND",
        "No test user has this user ID",
    )
}

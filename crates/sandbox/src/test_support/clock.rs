//! `GET|POST /test-support/clock`: read, set or advance the sandbox clock.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::json_body::JsonBody;
use crate::{AppState, clock};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Change {
    /// An RFC 3339 instant to move to.
    now: Option<String>,
    /// A duration to move forward by, e.g. `5h`, `548d`, `1h 30m`.
    advance: Option<String>,
}

pub async fn show(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    body(&state)
}

pub async fn change(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<Change>,
) -> Result<Json<Value>, ApiError> {
    match (req.now, req.advance) {
        (Some(at), None) => {
            let at: DateTime<Utc> = DateTime::parse_from_rfc3339(&at)
                .map_err(|_| {
                    ApiError::bad_request(
                        "now must be an RFC 3339 date-time such as 2025-06-01T09:00:00Z",
                    )
                })?
                .with_timezone(&Utc);
            in_range(at.timestamp_millis())?;
            clock::set(&state.store, at)?;
        }
        (None, Some(by)) => {
            let d = humantime::parse_duration(&by).map_err(|_| {
                ApiError::bad_request("advance must be a duration such as 5h, 30m or 548d")
            })?;
            let ms = i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
            in_range(clock::now_ms(&state.store)?.saturating_add(ms))?;
            clock::advance(&state.store, ms)?;
        }
        _ => return Err(ApiError::bad_request("give exactly one of now and advance")),
    }
    body(&state)
}

/// The clock stays between 1970 and 9999, where every date HMRC writes has four-digit years.
fn in_range(ms: i64) -> Result<(), ApiError> {
    const END_OF_9999_MS: i64 = 253_402_300_799_000;
    if (0..=END_OF_9999_MS).contains(&ms) {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            "the clock must stay between 1970 and the end of 9999",
        ))
    }
}

fn body(state: &AppState) -> Result<Json<Value>, ApiError> {
    let now = clock::now(&state.store)?;
    let offset_ms = now.timestamp_millis() - clock::wall_ms();
    Ok(Json(json!({
        "now": now.to_rfc3339_opts(SecondsFormat::Millis, true),
        "offsetSeconds": offset_ms / 1000,
    })))
}

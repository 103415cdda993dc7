//! `POST /test-support/applications`: register an application, as the Developer Hub would.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::apps::{self, NewApplication};
use crate::error::ApiError;
use crate::gateway::Api;
use crate::json_body::JsonBody;
use crate::{AppState, clock};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Request {
    name: String,
    #[serde(default)]
    redirect_uris: Vec<String>,
    rate_limit: Option<u32>,
    subscriptions: Option<Vec<String>>,
    grant_length_days: Option<i64>,
}

pub async fn create(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<Request>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let subscriptions = req
        .subscriptions
        .map(|subs| {
            subs.iter()
                .map(|s| {
                    Api::from_context(s).ok_or_else(|| {
                        ApiError::bad_request(format!("unknown API {s:?} in subscriptions"))
                    })
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    let new = NewApplication::new(
        req.name,
        &req.redirect_uris,
        req.rate_limit,
        subscriptions.as_deref(),
        req.grant_length_days,
    );
    new.validate().map_err(ApiError::bad_request)?;
    let (app, secret) = apps::create(&state.store, &new, clock::now_ms(&state.store)?)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "clientId": app.client_id,
            "clientSecret": secret,
            "name": app.name,
            "redirectUris": app.redirect_uris,
            "rateLimit": app.rate_limit.unwrap_or(state.config.rate_limit),
            "subscriptions": match &app.subscriptions {
                Some(s) => s.iter().map(|a| a.context()).collect::<Vec<_>>(),
                None => Api::ALL.iter().map(|a| a.context()).collect(),
            },
            "grantLengthDays": app.grant_length_days,
        })),
    ))
}

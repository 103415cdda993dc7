//! Create Test User's HTTP endpoints, behind the gateway (application-restricted).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::{CreateError, CreateRequest, UserType, create, services};
use crate::error::ApiError;
use crate::json_body::JsonBody;
use crate::{AppState, clock};

pub(crate) async fn create_user(
    state: &AppState,
    kind: UserType,
    req: CreateRequest,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let now = clock::now_ms(&state.store)?;
    // Hashing is deliberately slow; keep it off the async workers.
    let (store, cost) = (state.store.clone(), state.config.password_cost);
    let created = state
        .hash(move || create(&store, kind, &req, cost, now))
        .await?;
    match created {
        Ok(c) => Ok((StatusCode::CREATED, Json(c.body))),
        Err(CreateError::Invalid(m)) => Err(ApiError::bad_request(m)),
        Err(CreateError::NinoAlreadyUsed) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "NINO_ALREADY_USED",
            "The nino specified has already been used",
        )),
        Err(CreateError::Store(e)) => Err(e.into()),
    }
}

pub async fn individuals(
    State(s): State<AppState>,
    JsonBody(r): JsonBody<CreateRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    create_user(&s, UserType::Individual, r).await
}

pub async fn organisations(
    State(s): State<AppState>,
    JsonBody(r): JsonBody<CreateRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    create_user(&s, UserType::Organisation, r).await
}

pub async fn agents(
    State(s): State<AppState>,
    JsonBody(r): JsonBody<CreateRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    create_user(&s, UserType::Agent, r).await
}

pub async fn list_services() -> Json<Value> {
    Json(Value::Array(
        services::SERVICES
            .iter()
            .map(|s| json!({ "key": s.key, "name": s.name, "allowedUserTypes": s.allowed }))
            .collect(),
    ))
}

//! HMRC's Hello World API: one endpoint per access level, for smoke tests.

use axum::Json;
use serde_json::{Value, json};

pub async fn world() -> Json<Value> {
    Json(json!({ "message": "Hello World" }))
}

pub async fn application() -> Json<Value> {
    Json(json!({ "message": "Hello Application" }))
}

pub async fn user() -> Json<Value> {
    Json(json!({ "message": "Hello User" }))
}

//! Local-only test support under `/test-support/`: what an integrator needs to script the local
//! HMRC with curl. Unauthenticated, so served only to loopback callers unless the server was
//! started with `--expose-test-support`. Described at `/test-support/openapi.json`.

mod applications;
mod clock;
mod legacy;
mod registrations;
mod relationships;
mod sign_up;
mod tokens;
mod users;

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::AppState;
use crate::error::ApiError;

const OPENAPI: &str = include_str!("openapi.json");

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/test-support/openapi.json", get(openapi))
        .route("/test-support/applications", post(applications::create))
        .route("/test-support/tokens", post(tokens::mint))
        .route("/test-support/relationships", post(relationships::create))
        .route("/test-support/sign-up", post(sign_up::create))
        .route(
            "/test-support/legacy-authorisations",
            post(legacy::authorisation),
        )
        .route("/test-support/agent-mappings", post(legacy::mapping))
        .route("/test-support/sa-agents", post(legacy::sa_agent))
        .route(
            "/test-support/self-assessment-registrations",
            post(registrations::create),
        )
        .route("/test-support/clock", get(clock::show).post(clock::change))
        .route(
            "/test-support/users/{user_id}",
            get(users::show).delete(users::remove),
        )
        .route(
            "/test-support/users/{user_id}/messages",
            get(users::messages),
        )
        .route_layer(middleware::from_fn_with_state(state, loopback_only))
}

async fn openapi() -> impl IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        OPENAPI,
    )
}

/// Hides test support from anyone not on this machine, unless exposed on purpose.
async fn loopback_only(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let peer_is_local = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        // No peer address means an in-process call (tests using `oneshot`).
        .is_none_or(|ConnectInfo(addr)| addr.ip().is_loopback());
    if peer_is_local || state.config.expose_test_support {
        next.run(req).await
    } else {
        ApiError::not_found().into_response()
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt;

    use super::*;
    use crate::{Config, router};

    async fn clock_from(peer: &str, expose: bool) -> StatusCode {
        let state = AppState::new(Config {
            expose_test_support: expose,
            ..Config::default()
        })
        .unwrap();
        let mut req = Request::get("/test-support/clock")
            .body(Body::empty())
            .unwrap();
        req.extensions_mut()
            .insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        router::build(state).oneshot(req).await.unwrap().status()
    }

    #[tokio::test]
    async fn hidden_from_other_machines_unless_exposed() {
        assert_eq!(clock_from("127.0.0.1:5000", false).await, StatusCode::OK);
        assert_eq!(clock_from("[::1]:5000", false).await, StatusCode::OK);
        assert_eq!(
            clock_from("192.0.2.10:5000", false).await,
            StatusCode::NOT_FOUND
        );
        assert_eq!(clock_from("192.0.2.10:5000", true).await, StatusCode::OK);
    }

    /// Every route in `router` is described in the OpenAPI document.
    #[test]
    fn every_route_is_documented() {
        let doc: serde_json::Value = serde_json::from_str(OPENAPI).unwrap();
        let source = include_str!("mod.rs");
        let code = source.split("#[cfg(test)]").next().unwrap();
        let routes = code
            .split('"')
            .filter(|s| s.starts_with("/test-support/") && !s.ends_with(".json"));
        let mut seen = 0;
        for route in routes {
            let documented = route.replace("{user_id}", "{userId}");
            assert!(
                doc["paths"].get(&documented).is_some(),
                "{route} is not documented"
            );
            seen += 1;
        }
        assert!(seen >= 10);
    }
}

//! The API gateway in front of every API endpoint, judging each request as HMRC's platform does
//! (`platform.md` §4.4), in this order: `Accept` header (406), version (404), bearer token (401),
//! token type (401), rate limit (429), subscription (403 `RESOURCE_FORBIDDEN`), scope
//! (403 `INVALID_SCOPE`), then the fraud prevention headers of MTD requests (recorded; refused
//! only in strict mode). A request that passes carries a [`Caller`] to its handler.

pub mod accept;
pub mod act_for;
pub mod endpoints;
pub mod rate_limit;

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub use endpoints::{Access, Api, Endpoint};

use crate::error::ApiError;
use crate::oauth::tokens;
use crate::{AppState, clock};

/// Who is calling: the application, and the user when the token is a user's.
#[derive(Debug, Clone)]
pub struct Caller {
    pub client_id: String,
    pub user_id: Option<String>,
    /// For a NINO-scoped endpoint: whom the request acts for, and how.
    pub acting_for: Option<act_for::ActingFor>,
}

/// What the gateway middleware needs: the server state and the endpoint's row in the table.
#[derive(Clone, Debug)]
pub struct Gate {
    pub state: AppState,
    pub endpoint: &'static Endpoint,
}

/// Called with every answer of an API endpoint: the endpoint, the request's path, the status
/// and the body.
#[derive(Clone)]
pub struct Observer(pub Arc<ObserveFn>);

pub type ObserveFn = dyn Fn(&'static Endpoint, &str, StatusCode, &[u8]) + Send + Sync;

impl std::fmt::Debug for Observer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Observer")
    }
}

pub async fn gate(State(gate): State<Gate>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let writes = req.method() != axum::http::Method::GET;
    let resp = match admit(&gate, &req) {
        Ok(caller) => {
            let acting = caller
                .as_ref()
                .and_then(|c| Some((c.client_id.clone(), c.acting_for.as_ref()?.nino.clone())));
            if let Some(caller) = caller {
                req.extensions_mut().insert(caller);
            }
            let resp = next.run(req).await;
            // The framework's own refusal of an oversized body is plain text; HMRC's is JSON.
            if resp.status() == StatusCode::PAYLOAD_TOO_LARGE {
                return ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "INVALID_REQUEST",
                    "The request body is too large",
                )
                .into_response();
            }
            // Which taxpayers' data each application wrote: what vendor-state deletes.
            if let Some((client_id, nino)) = acting.filter(|_| writes && resp.status().is_success())
                && let Err(e) = gate
                    .state
                    .store
                    .write(|tx| crate::apis::vendor_state::note(tx, &client_id, &nino))
            {
                return ApiError::from(e).into_response();
            }
            resp
        }
        Err(e) => e.into_response(),
    };
    match &gate.state.config.observer {
        None => resp,
        Some(observer) => {
            let (parts, body) = resp.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            (observer.0)(gate.endpoint, &path, parts.status, &bytes);
            Response::from_parts(parts, axum::body::Body::from(bytes))
        }
    }
}

fn admit(gate: &Gate, req: &Request) -> Result<Option<Caller>, ApiError> {
    let ep = gate.endpoint;
    // A path that is not UTF-8 once decoded names nothing any API serves.
    if percent_encoding::percent_decode_str(req.uri().path())
        .decode_utf8()
        .is_err()
    {
        return Err(ApiError::not_found());
    }
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .and_then(accept::parse)
        .filter(|a| a.json)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_ACCEPTABLE,
                "ACCEPT_HEADER_INVALID",
                "The accept header is missing or invalid",
            )
        })?;
    if !ep.versions.contains(&accept.version.as_str()) {
        return Err(ApiError::not_found());
    }
    if ep.access == Access::Open {
        return Ok(None);
    }
    // A body is JSON, said so in its Content-Type (HMRC's `415 INVALID_BODY_TYPE`).
    let has_body = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|n| n.trim() != "0")
        || req.headers().contains_key(header::TRANSFER_ENCODING);
    let json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| {
            let t = t.trim().to_ascii_lowercase();
            t.starts_with("application/json")
                || (t.starts_with("application/") && t.contains("+json"))
        });
    if has_body && !json {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "INVALID_BODY_TYPE",
            "Expecting text/json or application/json body",
        ));
    }

    let store = &gate.state.store;
    let auth = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(ApiError::missing_credentials)?;
    let token = auth
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(ApiError::invalid_credentials)?;
    let wall = clock::wall_ms();
    let bearer =
        tokens::authenticate(store, token, wall)?.ok_or_else(ApiError::invalid_credentials)?;
    if matches!(ep.access, Access::User(_)) && bearer.user_id.is_none() {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "INCORRECT_ACCESS_TOKEN_TYPE",
            "The access token used is not the right type for this endpoint: it needs a user's token",
        ));
    }

    let limit = bearer.rate_limit.unwrap_or(gate.state.config.rate_limit);
    if !rate_limit::admit(store, &bearer.client_id, limit, wall)? {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "MESSAGE_THROTTLED_OUT",
            "The request for the API is throttled as you have exceeded your quota.",
        ));
    }
    if bearer
        .subscriptions
        .as_ref()
        .is_some_and(|s| !s.contains(&ep.api))
    {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "RESOURCE_FORBIDDEN",
            "The application is not subscribed to the API which it is attempting to invoke.",
        ));
    }
    if let Access::User(scope) = ep.access
        && !bearer.scopes.contains(scope)
    {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "INVALID_SCOPE",
            "Can not access the required resource. Ensure this token has all the required scopes.",
        ));
    }
    crate::fraud::inspect(
        &gate.state,
        ep,
        &bearer.client_id,
        req.method().as_str(),
        req.uri().path(),
        req.headers(),
    )?;
    // User-restricted endpoints about a NINO act for that person; application-restricted ones
    // (test support) name a NINO without acting for it.
    let nino = act_for::path_param(ep.path, req.uri().path(), "nino");
    let acting_for = match (nino, &bearer.user_id, ep.access) {
        (Some(nino), Some(user), Access::User(_)) => {
            Some(act_for::authorise(store, user, nino, ep)?)
        }
        _ => None,
    };
    Ok(Some(Caller {
        client_id: bearer.client_id,
        user_id: bearer.user_id,
        acting_for,
    }))
}

/// Paths and methods no endpoint serves: 404, or 405 for a method HMRC's platform never routes.
pub async fn unrouted(req: Request) -> ApiError {
    use axum::http::Method;
    let routable = [
        Method::GET,
        Method::PUT,
        Method::POST,
        Method::PATCH,
        Method::DELETE,
        Method::OPTIONS,
        Method::HEAD,
    ];
    if routable.contains(req.method()) {
        ApiError::not_found()
    } else {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "The request method is not allowed",
        )
    }
}

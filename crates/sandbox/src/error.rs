//! One error type for every JSON API the local HMRC serves, and one for the OAuth endpoints.
//!
//! Policy: handlers return `Result<_, ApiError>`; each variant has HMRC's status and code and is
//! written as HMRC's body `{"code", "message", ...}`. Anything unexpected (a store failure) is
//! logged with its cause and answered 500 `INTERNAL_SERVER_ERROR` with a generic message: internals
//! never reach a response. OAuth endpoints answer RFC 6749 bodies `{"error", "error_description"}`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mtd_domain::{ErrorItem, HmrcErrorBody};

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0:?}")]
    Hmrc(StatusCode, HmrcErrorBody),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A failure that is ours, not the caller's; logged, never shown.
    #[error("internal: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: &str) -> Self {
        Self::Hmrc(status, HmrcErrorBody::new(code, message))
    }

    pub fn items(status: StatusCode, items: Vec<ErrorItem>) -> Self {
        Self::Hmrc(status, HmrcErrorBody::from_items(items))
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::Hmrc(
            StatusCode::BAD_REQUEST,
            HmrcErrorBody::new("INVALID_REQUEST", message),
        )
    }

    pub fn missing_credentials() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "MISSING_CREDENTIALS",
            "Authentication information is not provided",
        )
    }

    pub fn invalid_credentials() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "INVALID_CREDENTIALS",
            "Invalid Authentication information provided",
        )
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "MATCHING_RESOURCE_NOT_FOUND",
            "A resource with the name in the request can not be found in the API",
        )
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::Hmrc(s, _) => *s,
            Self::Store(_) | Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &str {
        match self {
            Self::Hmrc(_, b) => &b.code,
            Self::Store(_) | Self::Internal(_) => "INTERNAL_SERVER_ERROR",
        }
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Store(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = match &self {
            Self::Hmrc(status, body) => (*status, body.clone()),
            Self::Store(_) | Self::Internal(_) => {
                tracing::error!(error = %self, "internal failure");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    HmrcErrorBody::new(
                        "INTERNAL_SERVER_ERROR",
                        "An internal server error occurred",
                    ),
                )
            }
        };
        let mut resp = (status, axum::Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"HMRC API Platform\""),
            );
        }
        resp
    }
}

/// An error from `/oauth/token` (and, for the browser, `/oauth/authorize`).
#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    #[error("{error}: {description}")]
    Rfc6749 {
        status: StatusCode,
        error: &'static str,
        description: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl OAuthError {
    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::Rfc6749 {
            status: StatusCode::BAD_REQUEST,
            error: "invalid_request",
            description: description.into(),
        }
    }

    pub fn invalid_client() -> Self {
        Self::Rfc6749 {
            status: StatusCode::UNAUTHORIZED,
            error: "invalid_client",
            description: "invalid client id or secret".into(),
        }
    }

    pub fn invalid_grant(description: impl Into<String>) -> Self {
        Self::Rfc6749 {
            status: StatusCode::BAD_REQUEST,
            error: "invalid_grant",
            description: description.into(),
        }
    }

    pub fn invalid_scope() -> Self {
        Self::Rfc6749 {
            status: StatusCode::BAD_REQUEST,
            error: "invalid_scope",
            description: "scope is invalid".into(),
        }
    }
}

impl From<rusqlite::Error> for OAuthError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Store(e.into())
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let (status, error, description) = match self {
            Self::Rfc6749 {
                status,
                error,
                description,
            } => (status, error, description),
            Self::Store(e) => {
                tracing::error!(error = %e, "store failure");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "server_error",
                    "an unexpected error occurred".into(),
                )
            }
        };
        let body = serde_json::json!({ "error": error, "error_description": description });
        let mut resp = (status, axum::Json(body)).into_response();
        // RFC 6749 §5.1: token responses must not be cached.
        resp.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        resp
    }
}

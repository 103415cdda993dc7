//! `POST /oauth/token`: client credentials and refresh, with HMRC's errors (`platform.md` §3.6–3.8).
//!
//! Checks run in this order: client ID present, secret present, client authenticated, grant type
//! present and supported, then the grant's own parameters. HMRC departs from RFC 6749 in places
//! (`invalid_request` for an unsupported grant type) and we follow HMRC.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::header;
use mtd_domain::Scopes;

use crate::store::Store;

use super::codes;
use super::tokens::{self, RefreshError, TokenResponse};
use crate::error::OAuthError;
use crate::{AppState, apps, clock};

/// Form parameters, first value of each name wins.
struct Form(Vec<(String, String)>);

impl Form {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    fn require(&self, name: &str) -> Result<&str, OAuthError> {
        self.get(name)
            .ok_or_else(|| OAuthError::invalid_request(format!("{name} is required")))
    }
}

pub async fn token(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<([(header::HeaderName, &'static str); 1], Json<TokenResponse>), OAuthError> {
    let body = body.map_err(|_| OAuthError::invalid_request("the request body is too large"))?;
    let form = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body)
        .map(Form)
        .map_err(|_| {
            OAuthError::invalid_request(
                "the request body must be application/x-www-form-urlencoded",
            )
        })?;
    let store = &state.store;
    let client_id = form.require("client_id")?;
    let secret = form.require("client_secret")?;
    let app =
        apps::authenticate(store, client_id, secret)?.ok_or_else(OAuthError::invalid_client)?;
    let grant_type = form.require("grant_type")?;
    let now = clock::now_ms(store)?;
    let response = match grant_type {
        "client_credentials" => {
            let scopes = Scopes::parse(form.get("scope").unwrap_or(""))
                .map_err(|_| OAuthError::invalid_scope())?;
            tokens::issue_client_credentials(store, &app.client_id, &scopes, now)?
        }
        "refresh_token" => {
            let refresh = form.require("refresh_token")?;
            tokens::refresh(store, &app.client_id, refresh, now, clock::wall_ms()).map_err(|e| {
                match e {
                    RefreshError::Invalid => OAuthError::invalid_grant("refresh_token is invalid"),
                    RefreshError::InProgress => {
                        OAuthError::invalid_request("refresh already in progress")
                    }
                    RefreshError::Store(e) => OAuthError::Store(e),
                }
            })?
        }
        "authorization_code" => exchange_code(&form, store, &app, now)?,
        _ => return Err(OAuthError::invalid_request("unsupported grant_type")),
    };
    // RFC 6749 §5.1: token responses must not be cached.
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(response)))
}

/// The authorization code grant: the code must be this application's, live and unused; the
/// redirect URI identical to the one authorized; the PKCE verifier right if a challenge was sent.
/// A refused exchange leaves the code as it was.
fn exchange_code(
    form: &Form,
    store: &Store,
    app: &apps::Application,
    now: i64,
) -> Result<TokenResponse, OAuthError> {
    let redirect_uri = form.require("redirect_uri")?;
    let code = form
        .get("code")
        .ok_or_else(|| OAuthError::invalid_request("code is required for given grant_type"))?;
    let issued = codes::find(store, &app.client_id, code, now)?
        .ok_or_else(|| OAuthError::invalid_request("code is invalid"))?;
    if issued.redirect_uri != redirect_uri {
        return Err(OAuthError::invalid_request("redirect_uri is invalid"));
    }
    match (issued.code_challenge.as_deref(), form.get("code_verifier")) {
        (None, Some(_)) => {
            return Err(OAuthError::invalid_request("code_verifier is not expected"));
        }
        (Some(_), None) => {
            return Err(OAuthError::invalid_request(
                "code_verifier is expected when code_challenge was supplied",
            ));
        }
        (Some(challenge), Some(verifier)) => {
            if !codes::verifier_is_well_formed(verifier) {
                return Err(OAuthError::invalid_request(
                    "code_verifier must contain valid characters of length between 43 and 128",
                ));
            }
            if !codes::verifier_matches(verifier, challenge) {
                return Err(OAuthError::invalid_grant("code_verifier is invalid"));
            }
        }
        (None, None) => {}
    }
    let scopes = Scopes::parse(&issued.scopes).unwrap_or_default();
    tokens::grant_from_code(
        store,
        &issued.code_hash,
        &app.client_id,
        &issued.user_id,
        &scopes,
        app.grant_length_days,
        now,
    )?
    .ok_or_else(|| OAuthError::invalid_request("code is invalid"))
}

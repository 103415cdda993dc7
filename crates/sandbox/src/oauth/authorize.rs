//! `GET /oauth/authorize`: the start of the grant-authority journey (`platform.md` §3.2).
//!
//! A request that breaks a rule is shown to the browser as a 400 page naming HMRC's error code
//! and description, never redirected back. A valid one starts a fresh browser session holding the
//! request and shows HMRC's start page.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use maud::html;
use mtd_domain::Scopes;
use serde::Deserialize;

use crate::apps::{self, redirect_uri};
use crate::error::ApiError;
use crate::web::session::{self, AuthRequest, Session};
use crate::web::{PageForm, page, see_other};
use crate::{AppState, clock};

/// An authorization request refused with HMRC's `error` and description.
#[derive(Debug, PartialEq, Eq)]
pub struct Refusal {
    pub error: &'static str,
    pub description: &'static str,
}

const fn refuse(error: &'static str, description: &'static str) -> Refusal {
    Refusal { error, description }
}

/// Query parameters; a name present with an empty value counts as present (`code_challenge=`).
struct Params(Vec<(String, String)>);

impl Params {
    fn raw(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    fn get(&self, name: &str) -> Option<&str> {
        self.raw(name).filter(|v| !v.is_empty())
    }
}

/// Checks the request in the order of HMRC's table.
fn validate(state: &AppState, p: &Params) -> Result<Result<AuthRequest, Refusal>, ApiError> {
    let Some(client_id) = p.get("client_id") else {
        return Ok(Err(refuse("invalid_request", "client_id is required")));
    };
    let Some(app) = apps::find(&state.store, client_id)? else {
        return Ok(Err(refuse("invalid_request", "client_id is invalid")));
    };
    let Some(redirect) = p.get("redirect_uri") else {
        return Ok(Err(refuse("invalid_request", "redirect_uri is required")));
    };
    if !app
        .redirect_uris
        .iter()
        .any(|r| redirect_uri::matches(r, redirect))
    {
        return Ok(Err(refuse("invalid_request", "redirect_uri is invalid")));
    }
    match p.get("response_type") {
        None => return Ok(Err(refuse("invalid_request", "response_type is required"))),
        Some("code") => {}
        Some(_) => {
            return Ok(Err(refuse(
                "unsupported_response_type",
                "response_type must be 'code'",
            )));
        }
    }
    let Some(scope) = p.get("scope") else {
        return Ok(Err(refuse("invalid_request", "scope is required")));
    };
    let scopes = match Scopes::parse(scope) {
        Ok(s) if !s.is_empty() => s,
        _ => return Ok(Err(refuse("invalid_scope", "scope is invalid"))),
    };
    if p.raw("client_secret").is_some() {
        return Ok(Err(refuse(
            "invalid_request",
            "client_secret should NOT be present",
        )));
    }
    let challenge = p.raw("code_challenge");
    let method = p.raw("code_challenge_method");
    if challenge == Some("") {
        return Ok(Err(refuse(
            "invalid_request",
            "code_challenge if present, cannot be empty",
        )));
    }
    match (challenge, method) {
        (_, Some(m)) if m != "S256" => {
            return Ok(Err(refuse(
                "invalid_request",
                "code_challenge_method, if present, must be S256",
            )));
        }
        (Some(_), None) => {
            return Ok(Err(refuse(
                "invalid_request",
                "code_challenge_method should be present when code_challenge is present",
            )));
        }
        (None, Some(_)) => {
            return Ok(Err(refuse(
                "invalid_request",
                "code_challenge should be present when code_challenge_method is present",
            )));
        }
        _ => {}
    }
    Ok(Ok(AuthRequest {
        client_id: app.client_id,
        app_name: app.name,
        redirect_uri: redirect.to_owned(),
        scopes: scopes.to_string(),
        state: p.raw("state").map(str::to_owned),
        code_challenge: challenge.map(str::to_owned),
    }))
}

pub async fn authorize(
    State(state): State<AppState>,
    jar: CookieJar,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let pairs = serde_urlencoded::from_str::<Vec<(String, String)>>(query.as_deref().unwrap_or(""))
        .unwrap_or_default();
    let req = match validate(&state, &Params(pairs))? {
        Ok(req) => req,
        Err(r) => return Ok(refusal_page(&r)),
    };
    let store = &state.store;
    let now = clock::now_ms(store)?;
    let (mut s, jar) = Session::create(store, jar, now)?;
    s.auth_request = Some(req.clone());
    s.continue_url = Some("/oauth/grant".into());
    s.save(store, now)?;
    let scopes = Scopes::parse(&req.scopes).unwrap_or_default();
    let body = html! {
        h1 { "Authorise software" }
        p { strong { (req.app_name) } " wants to connect to HMRC on your behalf." }
        p { "To give it authority you will:" }
        ol {
            li { "sign in with your Government Gateway user ID and password (agents: your agent services account)" }
            li { "enter an access code (2-step verification)" }
            li { "confirm your identity, if we need to" }
            li { "grant the software authority to:" }
        }
        ul { @for sc in scopes.iter() { li { (sc.display_name()) } } }
        p { "You can remove its authority at any time." }
        form method="post" action="/oauth/start" {
            input type="hidden" name="nonce" value=(s.nonce);
            button type="submit" { "Continue" }
        }
    };
    Ok((jar, page("start", "Authorise software", body)).into_response())
}

fn refusal_page(r: &Refusal) -> Response {
    page("authorize-error", "Sorry, there is a problem with the request", html! {
        h1 { "Sorry, there is a problem with the request from your software" }
        p { "The software sent a request HMRC cannot accept. Contact the software's provider." }
        dl {
            dt { "Error" } dd { code data-error=(r.error) { (r.error) } }
            dt { "Description" } dd { span data-error-description=(r.description) { (r.description) } }
        }
    })
    .status(StatusCode::BAD_REQUEST)
    .into_response()
}

#[derive(Debug, Deserialize)]
pub struct Start {
    #[serde(default)]
    nonce: String,
}

/// "Continue" on the start page.
pub async fn start(
    State(state): State<AppState>,
    jar: CookieJar,
    PageForm(f): PageForm<Start>,
) -> Result<Response, ApiError> {
    let store = &state.store;
    let now = clock::now_ms(store)?;
    let Some(mut s) = Session::load(store, &jar, now)? else {
        return Ok(session::expired_page());
    };
    if !s.consume_nonce(store, &f.nonce)? || s.auth_request.is_none() {
        return Ok(session::stale_form_page());
    }
    Ok(see_other("/sign-in"))
}

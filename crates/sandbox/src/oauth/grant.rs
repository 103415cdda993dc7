//! `GET|POST /oauth/grant`: the grant-authority page, and the redirect back to the software
//! with a code or with `error=access_denied` (`platform.md` §3.4). For the out-of-band redirect
//! URIs the code is shown on a page and carried in its title.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use maud::html;
use mtd_domain::Scopes;
use serde::Deserialize;

use super::codes::{self, NewCode};
use crate::apps::redirect_uri::{OOB, OOB_AUTO};
use crate::error::ApiError;
use crate::gg::identity;
use crate::web::session::{self, AuthRequest};
use crate::web::{PageForm, page, see_other};
use crate::{AppState, clock};

/// The confidence level the scopes need, for an individual or organisation.
fn needed_level(scopes: &str) -> u16 {
    Scopes::parse(scopes)
        .unwrap_or_default()
        .iter()
        .filter_map(|s| s.confidence_level())
        .max()
        .unwrap_or(0)
}

pub async fn show(State(state): State<AppState>, jar: CookieJar) -> Result<Response, ApiError> {
    let now = clock::now_ms(&state.store)?;
    let (s, account) = match identity::journey(&state, &jar, now)? {
        Ok(v) => v,
        Err(page) => return Ok(page),
    };
    let Some(req) = &s.auth_request else {
        return Ok(session::expired_page());
    };
    if !account.is_agent() && account.confidence_level < needed_level(&req.scopes) {
        return Ok(see_other("/identity-check"));
    }
    let scopes = Scopes::parse(&req.scopes).unwrap_or_default();
    Ok(page("grant-authority", "Grant authority", html! {
        h1 { "Grant authority to " (req.app_name) }
        p { "Signed in as " strong { (account.display_name()) } " (user ID " (account.user_id) ")." }
        p { "If you grant authority, " strong { (req.app_name) } " will be able to:" }
        ul { @for sc in scopes.iter() { li data-scope=(sc.as_str()) { (sc.display_name()) } } }
        p { "for 18 months, unless you remove its authority sooner." }
        form method="post" action="/oauth/grant" {
            input type="hidden" name="nonce" value=(s.nonce);
            button type="submit" name="decision" value="grant" { "Grant authority" }
            button type="submit" name="decision" value="deny" class="secondary" { "Do not grant authority" }
        }
    })
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct Decision {
    #[serde(default)]
    nonce: String,
    decision: Option<String>,
}

pub async fn submit(
    State(state): State<AppState>,
    jar: CookieJar,
    PageForm(f): PageForm<Decision>,
) -> Result<Response, ApiError> {
    let store = &state.store;
    let now = clock::now_ms(store)?;
    let (mut s, account) = match identity::journey(&state, &jar, now)? {
        Ok(v) => v,
        Err(page) => return Ok(page),
    };
    if !s.consume_nonce(store, &f.nonce)? {
        return Ok(session::stale_form_page());
    }
    let Some(req) = s.auth_request.clone() else {
        return Ok(session::expired_page());
    };
    match f.decision.as_deref() {
        Some("grant") => {
            if !account.is_agent() && account.confidence_level < needed_level(&req.scopes) {
                return Ok(see_other("/identity-check"));
            }
            let code = codes::issue(
                store,
                &NewCode {
                    client_id: &req.client_id,
                    user_id: &account.user_id,
                    redirect_uri: &req.redirect_uri,
                    scopes: &req.scopes,
                    code_challenge: req.code_challenge.as_deref(),
                },
                now,
            )?;
            s.auth_request = None;
            s.save(store, now)?;
            Ok(redirect(&req, &[("code", &code)], Some(&code)))
        }
        Some("deny") => {
            s.auth_request = None;
            s.save(store, now)?;
            Ok(deny(
                &req,
                "user denied the authorization",
                "USER_DENIED_AUTHORIZATION",
            ))
        }
        _ => Ok(see_other("/oauth/grant")),
    }
}

/// Ends the journey with `error=access_denied`.
pub fn deny(req: &AuthRequest, description: &str, error_code: &str) -> Response {
    redirect(
        req,
        &[
            ("error", "access_denied"),
            ("error_description", description),
            ("error_code", error_code),
        ],
        None,
    )
}

/// Back to the software: a redirect with `params` and `state`, or for the out-of-band URIs a page
/// whose title carries the outcome.
fn redirect(req: &AuthRequest, params: &[(&str, &str)], code: Option<&str>) -> Response {
    if req.redirect_uri == OOB || req.redirect_uri == OOB_AUTO {
        let title = match code {
            Some(c) => format!("Success code={c}"),
            None => format!(
                "Denied error={}",
                params
                    .iter()
                    .find(|(k, _)| *k == "error")
                    .map_or("", |(_, v)| v)
            ),
        };
        let auto = req.redirect_uri == OOB_AUTO;
        return page(
            "oob-result",
            title.clone(),
            html! {
                @match code {
                    Some(c) => {
                        h1 { "Authority granted" }
                        @if auto { p { "You can close this window." } } @else {
                            p { "Copy this code and paste it into " (req.app_name) ":" }
                            p class="code" data-code=(c) { (c) }
                        }
                    }
                    None => { h1 { "Authority not granted" } p { "You can close this window." } }
                }
            },
        )
        .into_response();
    }
    let Ok(mut url) = url::Url::parse(&req.redirect_uri) else {
        return page(
            "error",
            "Sorry, there is a problem",
            html! { p { "The software's redirect address is not valid." } },
        )
        .status(StatusCode::BAD_REQUEST)
        .into_response();
    };
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in params {
            q.append_pair(k, v);
        }
        if let Some(st) = &req.state {
            q.append_pair("state", st);
        }
    }
    see_other(url.as_str())
}

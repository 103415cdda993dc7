//! Copying existing Self Assessment clients across (`agents-signup.md` §4.3): an agent signed in
//! with its agent services account also signs in with its old Self Assessment for agents user ID,
//! whose SA agent reference (`IR-SA-AGENT`) is then linked to the ARN. Clients who authorised that
//! reference (64-8) are copied across when the agent's relationship is checked or they sign up.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use maud::html;
use rusqlite::params;
use serde::Deserialize;

use crate::error::ApiError;
use crate::gg::sign_in::check_password;
use crate::web::session::{self, Session, signed_in_account};
use crate::web::{PageForm, notice, page};
use crate::{AppState, clock};

pub const PATH: &str = "/agent-mapping";

/// The signed-in agent's session and ARN, or the page to show instead.
fn prepare(
    state: &AppState,
    jar: &CookieJar,
    now: i64,
) -> Result<Result<(Session, String), Response>, ApiError> {
    let (s, account) = match signed_in_account(&state.store, jar, now, PATH)? {
        Ok(v) => v,
        Err(r) => return Ok(Err(r)),
    };
    match account.enrolment_value(&state.store, "HMRC-AS-AGENT")? {
        Some(arn) if account.is_agent() => Ok(Ok((s, arn))),
        _ => Ok(Err(notice(
            "agent-mapping-refused",
            "You need an agent services account",
            "Sign in with your agent services account user ID to copy your Self Assessment clients across.",
            StatusCode::FORBIDDEN,
        ))),
    }
}

fn mapped(state: &AppState, arn: &str) -> Result<Vec<String>, ApiError> {
    let conn = state.store.reader();
    let mut stmt = conn.prepare(
        "SELECT sa_agent_reference FROM agent_mappings WHERE arn = ?1 ORDER BY sa_agent_reference",
    )?;
    let refs = stmt
        .query_map([arn], |r| r.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    Ok(refs)
}

fn form(s: &Session, linked: &[String], error: Option<&str>) -> Response {
    let p = page(
        "agent-mapping",
        "Copy across your existing Self Assessment clients",
        html! {
            h1 { "Copy across your existing Self Assessment clients" }
            p { "Sign in with the Government Gateway user ID you use for Self Assessment for agents. Clients who authorised that agent reference (64-8) can then be managed with your agent services account." }
            @if !linked.is_empty() {
                p { "Already linked: " @for (i, r) in linked.iter().enumerate() { @if i > 0 { ", " } strong data-sa-agent-reference=(r) { (r) } } }
            }
            form method="post" action=(PATH) novalidate {
                input type="hidden" name="nonce" value=(s.nonce);
                label for="legacyUserId" { "User ID for Self Assessment for agents" }
                input type="text" id="legacyUserId" name="legacyUserId" autocomplete="off" spellcheck="false";
                label for="legacyPassword" { "Password" }
                input type="password" id="legacyPassword" name="legacyPassword" autocomplete="off";
                div { button type="submit" { "Copy clients across" } }
            }
        },
    );
    match error {
        Some(e) => p.error(e).status(StatusCode::BAD_REQUEST).into_response(),
        None => p.into_response(),
    }
}

pub async fn show(State(state): State<AppState>, jar: CookieJar) -> Result<Response, ApiError> {
    let now = clock::now_ms(&state.store)?;
    Ok(match prepare(&state, &jar, now)? {
        Ok((s, arn)) => form(&s, &mapped(&state, &arn)?, None),
        Err(r) => r,
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Legacy {
    #[serde(default)]
    nonce: String,
    #[serde(default)]
    legacy_user_id: String,
    #[serde(default)]
    legacy_password: String,
}

pub async fn submit(
    State(state): State<AppState>,
    jar: CookieJar,
    PageForm(f): PageForm<Legacy>,
) -> Result<Response, ApiError> {
    let store = &state.store;
    let now = clock::now_ms(store)?;
    let (mut s, arn) = match prepare(&state, &jar, now)? {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
    if !s.consume_nonce(store, &f.nonce)? {
        return Ok(session::stale_form_page());
    }
    let linked = mapped(&state, &arn)?;
    let legacy =
        match check_password(&state, f.legacy_user_id.trim(), f.legacy_password, now).await? {
            Ok(a) => a,
            Err(refusal) => return Ok(form(&s, &linked, Some(&refusal))),
        };
    let reference = match legacy.enrolment_value(store, "IR-SA-AGENT")? {
        Some(r) if legacy.is_agent() => r,
        _ => {
            let why = "This user ID has no Self Assessment agent reference. Sign in with the user ID you used for Self Assessment for agents.";
            return Ok(form(&s, &linked, Some(why)));
        }
    };
    store.write(|tx| {
        tx.execute(
            "INSERT OR IGNORE INTO agent_mappings (arn, sa_agent_reference) VALUES (?1, ?2)",
            params![arn, reference],
        )
    })?;
    Ok(page(
        "agent-mapping-done",
        "Your Self Assessment agent reference is linked",
        html! {
            h1 { "Your Self Assessment agent reference is linked" }
            p { "Agent reference " strong data-sa-agent-reference=(reference) { (reference) } " is linked to your agent services account " strong data-arn=(arn) { (arn) } "." }
            p { "Each client who authorised that reference becomes your client for Making Tax Digital for Income Tax when you check your relationship with them, or when they sign up." }
        },
    )
    .into_response())
}

//! `GET|POST /sign-in`: Government Gateway user ID and password.
//!
//! Wrong passwords in a row lock the account for a while (settings); a locked account is refused
//! even with the right password, and the refusal changes nothing. An Agent without an agent
//! services account is refused when it signs in to grant authority, unless the settings allow it.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use maud::{Markup, html};
use rusqlite::params;
use serde::Deserialize;

use super::account::Account;
use crate::error::ApiError;
use crate::web::session::{self, Session, continue_to, safe_continue};
use crate::web::{PageForm, page, see_other};
use crate::{AppState, clock, secrets};

const BAD_CREDENTIALS: &str = "Invalid user ID or password. Try again.";
/// An argon2id hash of nothing anyone types, checked for unknown user IDs.
const UNKNOWN_USER_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$RJu0bbhdxEM+7cdxXLfaYuVFmAuv1rcbI7wBD7PS6bU";

#[derive(Debug, Deserialize)]
pub struct Params {
    #[serde(rename = "continue")]
    continue_url: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(p): Query<Params>,
) -> Result<Response, ApiError> {
    let store = &state.store;
    let now = clock::now_ms(store)?;
    let (mut s, jar) = match Session::load(store, &jar, now)? {
        Some(s) => (s, jar),
        None => Session::create(store, jar, now)?,
    };
    if let Some(c) = p.continue_url.as_deref().and_then(safe_continue)
        && s.auth_request.is_none()
    {
        s.continue_url = Some(c);
        s.save(store, now)?;
    }
    if s.is_authenticated() {
        return Ok((jar, continue_to(&s)).into_response());
    }
    Ok((jar, form(&s, None, "")).into_response())
}

fn form(s: &Session, error: Option<&str>, user_id: &str) -> Response {
    let body: Markup = html! {
        h1 { "Sign in using Government Gateway" }
        @if let Some(a) = &s.auth_request {
            p { "Sign in to grant authority to " strong { (a.app_name) } "." }
        }
        p class="hint" { "Agents: sign in with your agent services account user ID." }
        form method="post" action="/sign-in" novalidate {
            input type="hidden" name="nonce" value=(s.nonce);
            label for="userId" { "Government Gateway user ID" }
            input type="text" id="userId" name="userId" value=(user_id) autocomplete="username" spellcheck="false";
            label for="password" { "Password" }
            input type="password" id="password" name="password" autocomplete="current-password";
            div { button type="submit" { "Sign in" } }
        }
    };
    let p = page("sign-in", "Sign in", body);
    match error {
        Some(e) => p.error(e).status(StatusCode::UNAUTHORIZED).into_response(),
        None => p.into_response(),
    }
}

/// Checks a Government Gateway user ID and password, counting wrong passwords toward a lockout.
/// The account, or the refusal to show the person.
pub async fn check_password(
    state: &AppState,
    user_id: &str,
    password: String,
    now: i64,
) -> Result<Result<Account, String>, ApiError> {
    let store = &state.store;
    let Some(account) = Account::load(store, user_id)? else {
        // Spend the time a real check takes, so the answer's timing does not tell which IDs exist.
        state
            .hash(move || secrets::verify_password(&password, UNKNOWN_USER_HASH))
            .await?;
        return Ok(Err(BAD_CREDENTIALS.to_owned()));
    };
    let settings = &state.config.journey;
    if let Some(until) = account.locked_until_ms.filter(|u| *u > now) {
        let minutes = (until - now + 59_999) / 60_000;
        return Ok(Err(format!(
            "This account is locked because of too many wrong passwords. Try again in {minutes} minutes."
        )));
    }
    let hash = account.password_hash.clone();
    let ok = state
        .hash(move || secrets::verify_password(&password, &hash))
        .await?;
    // Counted in the database, so wrong guesses sent at once each count.
    let lockout = now + settings.lockout_ms;
    let max = settings.max_sign_in_failures;
    let user = account.user_id.clone();
    let outcome = store.write(|tx| {
        if !ok {
            let failures: i64 = tx.query_row(
                "UPDATE users SET failed_sign_ins = failed_sign_ins + 1 WHERE user_id = ?1 RETURNING failed_sign_ins",
                [&user],
                |r| r.get(0),
            )?;
            let lock = failures >= max;
            if lock {
                tx.execute(
                    "UPDATE users SET failed_sign_ins = 0, locked_until_ms = ?2 WHERE user_id = ?1",
                    params![user, lockout],
                )?;
            }
            return Ok(Err(lock));
        }
        // A right password that lost the race to a lockout is refused too.
        let locked: Option<i64> = tx.query_row(
            "SELECT locked_until_ms FROM users WHERE user_id = ?1",
            [&user],
            |r| r.get(0),
        )?;
        if locked.is_some_and(|u| u > now) {
            return Ok(Err(true));
        }
        tx.execute(
            "UPDATE users SET failed_sign_ins = 0, locked_until_ms = NULL WHERE user_id = ?1",
            [&user],
        )?;
        Ok(Ok(()))
    })?;
    match outcome {
        Ok(()) => {}
        Err(true) => {
            return Ok(Err(format!(
                "{BAD_CREDENTIALS} This account is now locked for {} minutes.",
                settings.lockout_ms / 60_000
            )));
        }
        Err(false) => return Ok(Err(BAD_CREDENTIALS.to_owned())),
    }
    Ok(Ok(account))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignIn {
    #[serde(default)]
    nonce: String,
    #[serde(default)]
    user_id: String,
    #[serde(default)]
    password: String,
}

pub async fn submit(
    State(state): State<AppState>,
    jar: CookieJar,
    PageForm(f): PageForm<SignIn>,
) -> Result<Response, ApiError> {
    let store = &state.store;
    let now = clock::now_ms(store)?;
    let Some(mut s) = Session::load(store, &jar, now)? else {
        return Ok(session::expired_page());
    };
    if !s.consume_nonce(store, &f.nonce)? {
        return Ok(session::stale_form_page());
    }
    let user_id = f.user_id.trim();
    let shown_id: String = user_id.chars().take(64).collect();
    let account = match check_password(&state, user_id, f.password, now).await? {
        Ok(a) => a,
        Err(refusal) => return Ok(form(&s, Some(&refusal), &shown_id)),
    };
    if account.is_agent()
        && s.auth_request.is_some()
        && !state.config.journey.agent_without_asa_may_grant
        && !account.has_enrolment(store, "HMRC-AS-AGENT")?
    {
        s.auth_request = None;
        s.save(store, now)?;
        return Ok(page("agent-services-account-needed", "You need an agent services account", html! {
            h1 { "You need an agent services account" }
            p { "You signed in with an agent's Government Gateway user ID that has no agent services account." }
            p { "To give software authority to act for your clients, create an agent services account, then sign in with its user ID." }
        })
        .status(StatusCode::FORBIDDEN)
        .into_response());
    }
    // A sign-in starts a new session with a new cookie: nothing half-done before it (another
    // user's 2-step set-up, a cookie planted by someone else) carries over.
    let (mut fresh, jar) = s.renew(store, jar, now)?;
    fresh.user_id = Some(account.user_id.clone());
    fresh.save(store, now)?;
    Ok((jar, see_other("/two-step-verification")).into_response())
}

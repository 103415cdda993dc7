//! The client's pages for answering an agent's authorisation request: sign in (at confidence
//! level 250, as an individual or organisation), see who asks and for what, accept or reject.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use maud::html;
use rusqlite::OptionalExtension;
use serde::Deserialize;

use super::AgentType;
use super::invitations::{self, Invitation};
use crate::error::ApiError;
use crate::gg::account::Account;
use crate::web::session::{self, Session};
use crate::web::{PageForm, notice, page, see_other};
use crate::{AppState, clock};

const PREFIX: &str = "/appoint-someone-to-deal-with-HMRC-for-you";

/// The signed-in client and the request, or the page to show instead.
fn prepare(
    state: &AppState,
    jar: &CookieJar,
    id: &str,
    now: i64,
) -> Result<Result<(Session, Account, Invitation), Response>, ApiError> {
    let (s, account) =
        match session::signed_in_account(&state.store, jar, now, &format!("{PREFIX}/{id}"))? {
            Ok(v) => v,
            Err(r) => return Ok(Err(r)),
        };
    if account.is_agent() {
        return Ok(Err(notice(
            "client-authorisation-refused",
            "You cannot answer this request",
            "This request is for the agent's client. Sign in with the client's own Government Gateway user ID.",
            StatusCode::FORBIDDEN,
        )));
    }
    if account.confidence_level < 250 {
        return Ok(Err(notice(
            "client-authorisation-refused",
            "We need to confirm your identity",
            "Your Government Gateway account has not proved your identity to the level needed to appoint an agent.",
            StatusCode::FORBIDDEN,
        )));
    }
    state.store.write(|tx| invitations::expire(tx, now))?;
    let Some(inv) = invitations::get(&state.store.reader(), id)? else {
        return Ok(Err(not_found()));
    };
    let own_nino = account
        .fact("/nino")
        .map(|n| n.chars().take(8).collect::<String>());
    if own_nino.as_deref() != Some(&inv.nino[..8.min(inv.nino.len())]) {
        return Ok(Err(notice(
            "client-authorisation-refused",
            "This request is not for you",
            "The request was made for a different National Insurance number.",
            StatusCode::FORBIDDEN,
        )));
    }
    Ok(Ok((s, account, inv)))
}

fn role(t: AgentType) -> &'static str {
    match t {
        AgentType::Main => {
            "your main agent for Making Tax Digital for Income Tax: it can do everything, including your final declaration"
        }
        AgentType::Supporting => {
            "a supporting agent for Making Tax Digital for Income Tax: it can send your quarterly updates, but not your final declaration"
        }
    }
}

fn not_found() -> Response {
    notice(
        "client-authorisation-not-found",
        "This request cannot be found",
        "Check the link your agent gave you.",
        StatusCode::NOT_FOUND,
    )
}

pub async fn show(
    State(state): State<AppState>,
    jar: CookieJar,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let Ok(Path(id)) = id else {
        return Ok(not_found());
    };
    let now = clock::now_ms(&state.store)?;
    let (s, _account, inv) = match prepare(&state, &jar, &id, now)? {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
    if inv.status != "Pending" {
        return Ok(notice(
            "client-authorisation-answered",
            "This request has already been answered",
            format!("Its status is {}.", inv.status),
            StatusCode::OK,
        ));
    }
    let agency: Option<String> = state
        .store
        .reader()
        .query_row(
            "SELECT json_extract(u.profile, '$.userFullName') FROM enrolments e JOIN users u ON u.group_id = e.group_id
             WHERE e.service = 'HMRC-AS-AGENT' AND e.identifier_value = ?1",
            [&inv.arn],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    Ok(page("client-authorisation", "Authorise an agent", html! {
        h1 { "Do you want " (agency.as_deref().unwrap_or("this agent")) " to act for you?" }
        p { "Agent reference number " strong { (inv.arn) } " has asked to be " (role(inv.agent_type)) "." }
        p { "You can remove its authority at any time." }
        form method="post" action={(PREFIX) "/" (inv.id)} {
            input type="hidden" name="nonce" value=(s.nonce);
            button type="submit" name="answer" value="accept" { "Yes, authorise this agent" }
            button type="submit" name="answer" value="reject" class="secondary" { "No, do not authorise" }
        }
    })
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct Answer {
    #[serde(default)]
    nonce: String,
    answer: Option<String>,
}

pub async fn answer(
    State(state): State<AppState>,
    jar: CookieJar,
    id: Result<Path<String>, PathRejection>,
    PageForm(f): PageForm<Answer>,
) -> Result<Response, ApiError> {
    let Ok(Path(id)) = id else {
        return Ok(not_found());
    };
    let store = &state.store;
    let now = clock::now_ms(store)?;
    let (mut s, _account, inv) = match prepare(&state, &jar, &id, now)? {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
    if !s.consume_nonce(store, &f.nonce)? {
        return Ok(session::stale_form_page());
    }
    let accepted = match f.answer.as_deref() {
        Some("accept") => true,
        Some("reject") => false,
        _ => return Ok(see_other(&format!("{PREFIX}/{id}"))),
    };
    let done = store.write(|tx| {
        // Answered meanwhile (another tab, or it expired): nothing changes.
        let Some(current) = invitations::get(tx, &id)? else {
            return Ok(false);
        };
        if current.status != "Pending" {
            return Ok(false);
        }
        if accepted {
            invitations::accept(tx, &current, now)?;
        } else {
            invitations::set_status(tx, &id, "Rejected", now)?;
        }
        Ok(true)
    })?;
    if !done {
        return Ok(notice(
            "client-authorisation-answered",
            "This request has already been answered",
            "Nothing was changed.",
            StatusCode::CONFLICT,
        ));
    }
    let (title, text) = if accepted {
        (
            "You have authorised your agent",
            format!(
                "{} can now act for you as {}.",
                inv.arn,
                role(inv.agent_type)
            ),
        )
    } else {
        (
            "You have not authorised the agent",
            format!("{} cannot act for you.", inv.arn),
        )
    };
    Ok(page(
        "client-authorisation-done",
        title,
        html! { h1 { (title) } p { (text) } },
    )
    .into_response())
}

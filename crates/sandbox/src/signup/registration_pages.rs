//! `GET|POST /register-for-self-assessment`: an individual without a UTR registers and gets one.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use maud::html;
use serde::Deserialize;

use super::registration::register;
use crate::error::ApiError;
use crate::web::session::{self, signed_in_account};
use crate::web::{PageForm, page};
use crate::{AppState, clock};

pub const PATH: &str = "/register-for-self-assessment";

pub async fn show(State(state): State<AppState>, jar: CookieJar) -> Result<Response, ApiError> {
    let now = clock::now_ms(&state.store)?;
    let (s, account) = match signed_in_account(&state.store, &jar, now, PATH)? {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
    if let Some(utr) = account.enrolment_value(&state.store, "IR-SA")? {
        return Ok(page(
            "sa-registered",
            "You are registered for Self Assessment",
            html! {
                h1 { "You are already registered for Self Assessment" }
                p { "Your Unique Taxpayer Reference is " strong data-utr=(utr) { (utr) } "." }
            },
        )
        .into_response());
    }
    Ok(page("sa-register", "Register for Self Assessment", html! {
        h1 { "Register for Self Assessment" }
        p { "Register " strong { (account.display_name()) } " to send Self Assessment returns, and to sign up for Making Tax Digital for Income Tax." }
        form method="post" action=(PATH) {
            input type="hidden" name="nonce" value=(s.nonce);
            button type="submit" { "Register" }
        }
    })
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct Confirm {
    #[serde(default)]
    nonce: String,
}

pub async fn submit(
    State(state): State<AppState>,
    jar: CookieJar,
    PageForm(f): PageForm<Confirm>,
) -> Result<Response, ApiError> {
    let store = &state.store;
    let now = clock::now_ms(store)?;
    let (mut s, account) = match signed_in_account(store, &jar, now, PATH)? {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
    if !s.consume_nonce(store, &f.nonce)? {
        return Ok(session::stale_form_page());
    }
    match store.write(|tx| register(tx, &account.user_id))? {
        Ok((utr, _)) => Ok(page(
            "sa-registered",
            "You are registered for Self Assessment",
            html! {
                h1 { "You are registered for Self Assessment" }
                p { "Your Unique Taxpayer Reference is " strong data-utr=(utr) { (utr) } "." }
            },
        )
        .into_response()),
        Err(why) => Ok(page(
            "sa-register-refused",
            "You cannot register here",
            html! { h1 { "You cannot register here" } p { (why) } },
        )
        .status(StatusCode::FORBIDDEN)
        .into_response()),
    }
}

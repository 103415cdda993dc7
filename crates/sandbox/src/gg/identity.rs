//! "Confirm your identity": for an individual or organisation below the confidence level the
//! requested scopes need. Questions are answered from what HMRC holds; success raises the user to
//! 250; too many failures end the journey with `access_denied` (a setting).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use maud::html;
use serde::Deserialize;

use super::account::Account;
use crate::error::ApiError;
use crate::oauth::grant;
use crate::web::session::{self, Session};
use crate::web::{PageForm, page, see_other};
use crate::{AppState, clock};

/// The level identity checks raise a user to.
pub const UPLIFTED_LEVEL: u16 = 250;

/// The authenticated session with an authorization request, and its account.
pub fn journey(
    state: &AppState,
    jar: &CookieJar,
    now: i64,
) -> Result<Result<(Session, Account), Response>, ApiError> {
    let Some(s) = Session::load(&state.store, jar, now)? else {
        return Ok(Err(session::expired_page()));
    };
    if !s.is_authenticated() {
        return Ok(Err(see_other("/sign-in")));
    }
    if s.auth_request.is_none() {
        return Ok(Err(session::expired_page()));
    }
    let user_id = s.user_id.clone().unwrap_or_default();
    let Some(account) = Account::load(&state.store, &user_id)? else {
        return Ok(Err(session::expired_page()));
    };
    Ok(Ok((s, account)))
}

fn normalise(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase()
}

fn form(s: &Session, account: &Account, error: Option<&str>) -> Response {
    let has_nino = account.fact("/nino").is_some();
    let p = page(
        "identity-check",
        "Confirm your identity",
        html! {
            h1 { "Confirm your identity" }
            p { "The software is asking for access that needs us to be sure it is you. Answer from the details HMRC holds." }
            form method="post" action="/identity-check" novalidate {
                input type="hidden" name="nonce" value=(s.nonce);
                fieldset {
                    legend { "Date of birth" }
                    p class="hint" { "For example, 27 3 1985" }
                    label for="dob-day" { "Day" }
                    input type="text" class="short" id="dob-day" name="dobDay" inputmode="numeric";
                    label for="dob-month" { "Month" }
                    input type="text" class="short" id="dob-month" name="dobMonth" inputmode="numeric";
                    label for="dob-year" { "Year" }
                    input type="text" class="short" id="dob-year" name="dobYear" inputmode="numeric";
                }
                label for="postcode" { "Postcode of your home address" }
                input type="text" class="short" id="postcode" name="postcode" autocomplete="postal-code";
                @if has_nino {
                    label for="nino" { "National Insurance number" }
                    p class="hint" { "For example, QQ 12 34 56 C" }
                    input type="text" id="nino" name="nino" spellcheck="false";
                }
                div { button type="submit" { "Continue" } }
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
    match journey(&state, &jar, now)? {
        Ok((s, account)) => Ok(form(&s, &account, None)),
        Err(page) => Ok(page),
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Answers {
    #[serde(default)]
    nonce: String,
    #[serde(default)]
    dob_day: String,
    #[serde(default)]
    dob_month: String,
    #[serde(default)]
    dob_year: String,
    #[serde(default)]
    postcode: String,
    #[serde(default)]
    nino: String,
}

pub async fn submit(
    State(state): State<AppState>,
    jar: CookieJar,
    PageForm(f): PageForm<Answers>,
) -> Result<Response, ApiError> {
    let store = &state.store;
    let now = clock::now_ms(store)?;
    let (mut s, account) = match journey(&state, &jar, now)? {
        Ok(v) => v,
        Err(page) => return Ok(page),
    };
    if !s.consume_nonce(store, &f.nonce)? {
        return Ok(session::stale_form_page());
    }
    let settings = &state.config.journey;
    // Identity checks closed to this user after too many failures (counted per user, not per
    // browser): the journey ends at once.
    if account
        .identity_locked_until_ms
        .is_some_and(|until| until > now)
    {
        let Some(req) = s.auth_request.take() else {
            return Ok(session::expired_page());
        };
        s.save(store, now)?;
        return Ok(grant::deny(
            &req,
            "the user's identity could not be confirmed",
            "IDENTITY_NOT_CONFIRMED",
        ));
    }
    let dob = match (
        f.dob_year.trim().parse::<i32>(),
        f.dob_month.trim().parse::<u32>(),
        f.dob_day.trim().parse::<u32>(),
    ) {
        (Ok(y), Ok(m), Ok(d)) => chrono::NaiveDate::from_ymd_opt(y, m, d).map(|d| d.to_string()),
        _ => None,
    };
    let dob_ok = dob.is_some() && dob.as_deref() == account.fact("/individualDetails/dateOfBirth");
    let postcode_ok = account
        .fact("/individualDetails/address/postcode")
        .is_some_and(|p| normalise(p) == normalise(&f.postcode));
    let nino_ok = account
        .fact("/nino")
        .is_none_or(|n| normalise(n) == normalise(&f.nino));
    if dob_ok && postcode_ok && nino_ok {
        store.write(|tx| {
            tx.execute(
                "UPDATE users SET confidence_level = MAX(confidence_level, ?2), identity_failures = 0 WHERE user_id = ?1",
                rusqlite::params![account.user_id, UPLIFTED_LEVEL],
            )
        })?;
        return Ok(see_other("/oauth/grant"));
    }
    let failures = account.identity_failures + 1;
    let lock = failures >= settings.identity_attempts;
    store.write(|tx| {
        tx.execute(
            "UPDATE users SET identity_failures = ?2, identity_locked_until_ms = CASE WHEN ?3 THEN ?4 ELSE identity_locked_until_ms END
             WHERE user_id = ?1",
            rusqlite::params![account.user_id, if lock { 0 } else { failures }, lock, now + settings.identity_lockout_ms],
        )
    })?;
    if lock {
        let Some(req) = s.auth_request.take() else {
            return Ok(session::expired_page());
        };
        s.save(store, now)?;
        return Ok(grant::deny(
            &req,
            "the user's identity could not be confirmed",
            "IDENTITY_NOT_CONFIRMED",
        ));
    }
    let left = settings.identity_attempts - failures;
    Ok(form(
        &s,
        &account,
        Some(&format!(
            "Those details do not match what HMRC holds. You have {left} more tries."
        )),
    ))
}

//! 2-step verification. A user whose 2SV is `unregistered` chooses an authenticator app or a
//! phone and proves it with a code; a `registered` user enters a code from the method it has; `off`
//! skips the step. Phone codes are "sent" to an outbox that test support reads.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use maud::{PreEscaped, html};
use rand::Rng;
use rusqlite::params;
use serde::Deserialize;

use super::account::Account;
use super::totp;
use crate::error::ApiError;
use crate::web::session::{self, Session, continue_to};
use crate::web::{PageForm, page, see_other};
use crate::{AppState, clock, secrets};

/// Phone codes last ten minutes on the sandbox clock.
const PHONE_CODE_MS: i64 = 10 * 60 * 1000;

/// The signed-in (not yet verified) session and its account, or the page to show instead.
fn signed_in(
    state: &AppState,
    jar: &CookieJar,
    now: i64,
) -> Result<Result<(Session, Account), Response>, ApiError> {
    let Some(s) = Session::load(&state.store, jar, now)? else {
        return Ok(Err(session::expired_page()));
    };
    let Some(user_id) = s.user_id.clone() else {
        return Ok(Err(see_other("/sign-in")));
    };
    let Some(account) = Account::load(&state.store, &user_id)? else {
        return Ok(Err(session::expired_page()));
    };
    Ok(Ok((s, account)))
}

pub async fn start(State(state): State<AppState>, jar: CookieJar) -> Result<Response, ApiError> {
    let store = &state.store;
    let now = clock::now_ms(store)?;
    let (mut s, account) = match signed_in(&state, &jar, now)? {
        Ok(v) => v,
        Err(page) => return Ok(page),
    };
    if s.two_step_done {
        return Ok(continue_to(&s));
    }
    match (
        account.two_step.as_str(),
        account.two_step_method.as_deref(),
    ) {
        ("off", _) => {
            s.two_step_done = true;
            s.save(store, now)?;
            Ok(continue_to(&s))
        }
        ("registered", Some("app")) => Ok(code_page(&s, "app", None)),
        ("registered", _) => {
            let phone = account.phone.clone().unwrap_or_default();
            // A code is texted once per sign-in while it lasts; reloading the page sends no more.
            if s.phone_code_expires_ms.is_none_or(|e| now >= e) {
                send_phone_code(state.clone(), &mut s, &account, &phone, now)?;
            }
            Ok(code_page(&s, "phone", None))
        }
        _ => Ok(choose_page(&s, None)),
    }
}

fn choose_page(s: &Session, error: Option<&str>) -> Response {
    let p = page(
        "two-step-setup",
        "Set up 2-step verification",
        html! {
            h1 { "Set up 2-step verification" }
            p { "Each time you sign in to give software authority, we will ask for a code as well as your password." }
            form method="post" action="/two-step-verification/setup" {
                input type="hidden" name="nonce" value=(s.nonce);
                fieldset {
                    legend { "How do you want to get access codes?" }
                    div class="radio" { input type="radio" id="method-app" name="method" value="app"; " " label for="method-app" style="display:inline" { "Authenticator app" } }
                    div class="radio" { input type="radio" id="method-phone" name="method" value="phone"; " " label for="method-phone" style="display:inline" { "Text message to a phone" } }
                }
                button type="submit" { "Continue" }
            }
        },
    );
    match error {
        Some(e) => p.error(e).status(StatusCode::BAD_REQUEST).into_response(),
        None => p.into_response(),
    }
}

#[derive(Debug, Deserialize)]
pub struct Choose {
    #[serde(default)]
    nonce: String,
    method: Option<String>,
}

pub async fn choose(
    State(state): State<AppState>,
    jar: CookieJar,
    PageForm(f): PageForm<Choose>,
) -> Result<Response, ApiError> {
    let store = &state.store;
    let now = clock::now_ms(store)?;
    let (mut s, account) = match signed_in(&state, &jar, now)? {
        Ok(v) => v,
        Err(page) => return Ok(page),
    };
    if !s.consume_nonce(store, &f.nonce)? {
        return Ok(session::stale_form_page());
    }
    if account.two_step != "unregistered" {
        return Ok(see_other("/two-step-verification"));
    }
    match f.method.as_deref() {
        Some("app") => {
            let secret = totp::new_secret();
            s.pending_totp_secret = Some(secret.clone());
            s.pending_phone = None;
            s.save(store, now)?;
            let url = totp::otpauth_url(&secret, &account.user_id);
            let svg = totp::qr_svg(&url).unwrap_or_default();
            Ok(page("two-step-authenticator-app", "Set up your authenticator app", html! {
                h1 { "Set up your authenticator app" }
                p { "Scan this QR code with your authenticator app." }
                div role="img" aria-label="QR code for your authenticator app" { (PreEscaped(svg)) }
                p { "Or enter this key in the app:" }
                p class="code" data-secret=(secret) { (secret) }
                (code_form(&s, "app", "Enter the 6-digit code the app shows"))
            })
            .into_response())
        }
        Some("phone") => Ok(phone_page(&s, None)),
        _ => Ok(choose_page(
            &s,
            Some("Select how you want to get access codes"),
        )),
    }
}

fn phone_page(s: &Session, error: Option<&str>) -> Response {
    let p = page(
        "two-step-phone",
        "Enter your phone number",
        html! {
            h1 { "Enter a phone number for text messages" }
            form method="post" action="/two-step-verification/phone" novalidate {
                input type="hidden" name="nonce" value=(s.nonce);
                label for="phone" { "UK mobile number" }
                p class="hint" { "For example, 07700 900 982" }
                input type="tel" id="phone" name="phone" autocomplete="tel";
                div { button type="submit" { "Send code" } }
            }
        },
    );
    match error {
        Some(e) => p.error(e).status(StatusCode::BAD_REQUEST).into_response(),
        None => p.into_response(),
    }
}

/// A UK number as digits starting 0 (from `07700 900982` or `+44 7700 900982`), if it is one.
fn normalise_uk_phone(raw: &str) -> Option<String> {
    let cleaned: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && !"-()".contains(*c))
        .collect();
    let national = match cleaned.strip_prefix("+44") {
        Some(rest) => format!("0{rest}"),
        None => cleaned,
    };
    (national.len() == 11
        && national.starts_with('0')
        && national.bytes().all(|b| b.is_ascii_digit()))
    .then_some(national)
}

#[derive(Debug, Deserialize)]
pub struct Phone {
    #[serde(default)]
    nonce: String,
    #[serde(default)]
    phone: String,
}

pub async fn phone(
    State(state): State<AppState>,
    jar: CookieJar,
    PageForm(f): PageForm<Phone>,
) -> Result<Response, ApiError> {
    let store = &state.store;
    let now = clock::now_ms(store)?;
    let (mut s, account) = match signed_in(&state, &jar, now)? {
        Ok(v) => v,
        Err(page) => return Ok(page),
    };
    if !s.consume_nonce(store, &f.nonce)? {
        return Ok(session::stale_form_page());
    }
    if account.two_step != "unregistered" {
        return Ok(see_other("/two-step-verification"));
    }
    let Some(number) = normalise_uk_phone(&f.phone) else {
        return Ok(phone_page(
            &s,
            Some("Enter a UK phone number, like 07700 900 982"),
        ));
    };
    s.pending_totp_secret = None;
    s.pending_phone = Some(number.clone());
    send_phone_code(state.clone(), &mut s, &account, &number, now)?;
    Ok(code_page(&s, "phone", None))
}

/// "Sends" a fresh 6-digit code: records it in the outbox and, hashed, in the session.
fn send_phone_code(
    state: AppState,
    s: &mut Session,
    account: &Account,
    phone: &str,
    now: i64,
) -> Result<(), ApiError> {
    let code = format!("{:06}", rand::rng().random_range(0..1_000_000));
    let body =
        format!("{code} is your HMRC access code. It expires in 10 minutes. Do not share it.");
    state.store.write(|tx| {
        tx.execute(
            "INSERT INTO outbox (user_id, phone, body, code, sent_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![account.user_id, phone, body, code, now],
        )
    })?;
    s.phone_code_hash = Some(secrets::sha256_hex(&code));
    s.phone_code_expires_ms = Some(now + PHONE_CODE_MS);
    s.save(&state.store, now)?;
    Ok(())
}

fn code_form(s: &Session, method: &str, label: &str) -> maud::Markup {
    html! {
        form method="post" action="/two-step-verification/code" novalidate data-method=(method) {
            input type="hidden" name="nonce" value=(s.nonce);
            label for="code" { (label) }
            input type="text" class="short" id="code" name="code" inputmode="numeric" autocomplete="one-time-code";
            div { button type="submit" { "Continue" } }
        }
    }
}

fn code_page(s: &Session, method: &str, error: Option<&str>) -> Response {
    let (title, label) = if method == "app" {
        ("Enter the code from your authenticator app", "Access code")
    } else {
        (
            "Enter the code we sent to your phone",
            "Access code from the text message",
        )
    };
    let p = page(
        "two-step-code",
        title,
        html! {
            h1 { (title) }
            p { "The code has 6 digits." }
            (code_form(s, method, label))
        },
    );
    match error {
        Some(e) => p.error(e).status(StatusCode::BAD_REQUEST).into_response(),
        None => p.into_response(),
    }
}

#[derive(Debug, Deserialize)]
pub struct Code {
    #[serde(default)]
    nonce: String,
    #[serde(default)]
    code: String,
}

pub async fn code(
    State(state): State<AppState>,
    jar: CookieJar,
    PageForm(f): PageForm<Code>,
) -> Result<Response, ApiError> {
    let store = &state.store;
    let now = clock::now_ms(store)?;
    let (mut s, account) = match signed_in(&state, &jar, now)? {
        Ok(v) => v,
        Err(page) => return Ok(page),
    };
    if !s.consume_nonce(store, &f.nonce)? {
        return Ok(session::stale_form_page());
    }
    if s.two_step_done {
        return Ok(continue_to(&s));
    }
    let wall_secs = u64::try_from(clock::wall_ms() / 1000).unwrap_or(0);
    let code = f.code.trim();
    // Which secret the code must match: an app being set up, a phone code, or the registered app.
    let (method, ok) = if let Some(secret) = s.pending_totp_secret.clone() {
        let step = totp::accept(&secret, code, None, wall_secs);
        if let Some(step) = step {
            store.write(|tx| {
                tx.execute(
                    "UPDATE users SET two_step = 'registered', two_step_method = 'app', totp_secret = ?2, totp_last_step = ?3
                     WHERE user_id = ?1",
                    params![account.user_id, secret, step],
                )
            })?;
            s.pending_totp_secret = None;
        }
        ("app", step.is_some())
    } else if let Some(hash) = s.phone_code_hash.clone() {
        let live = s.phone_code_expires_ms.is_some_and(|e| now < e);
        let ok = live && secrets::sha256_hex(code) == hash;
        if ok {
            if let Some(phone) = s.pending_phone.take() {
                store.write(|tx| {
                    tx.execute(
                        "UPDATE users SET two_step = 'registered', two_step_method = 'phone', phone = ?2 WHERE user_id = ?1",
                        params![account.user_id, phone],
                    )
                })?;
            }
            // Single-use.
            s.phone_code_hash = None;
            s.phone_code_expires_ms = None;
        }
        ("phone", ok)
    } else if let (Some("app"), Some(secret)) = (
        account.two_step_method.as_deref(),
        account.totp_secret.as_deref(),
    ) {
        let step = totp::accept(secret, code, account.totp_last_step, wall_secs);
        if let Some(step) = step {
            // Only a later step may be accepted: a code cannot be used twice, even concurrently.
            let claimed = store.write(|tx| {
                tx.execute(
                    "UPDATE users SET totp_last_step = ?2 WHERE user_id = ?1 AND (totp_last_step IS NULL OR totp_last_step < ?2)",
                    params![account.user_id, step],
                )
            })?;
            ("app", claimed == 1)
        } else {
            ("app", false)
        }
    } else {
        return Ok(see_other("/two-step-verification"));
    };
    if !ok {
        // Wrong codes count against the user, so guessing across browsers gets nowhere either.
        let settings = &state.config.journey;
        let failures = account.two_step_failures + 1;
        let lock = failures >= settings.max_two_step_failures;
        store.write(|tx| {
            tx.execute(
                "UPDATE users SET two_step_failures = ?2, locked_until_ms = CASE WHEN ?3 THEN ?4 ELSE locked_until_ms END WHERE user_id = ?1",
                params![account.user_id, if lock { 0 } else { failures }, lock, now + settings.lockout_ms],
            )
        })?;
        if lock {
            store.write(|tx| {
                tx.execute("DELETE FROM web_sessions WHERE id_hash = ?1", [&s.id_hash])
            })?;
            return Ok(page("account-locked", "Your account is locked", html! {
                h1 { "Your account is locked" }
                p { "Too many wrong access codes were entered. Try again in " (settings.lockout_ms / 60_000) " minutes." }
            })
            .status(StatusCode::FORBIDDEN)
            .into_response());
        }
        return Ok(code_page(
            &s,
            method,
            Some("The code is wrong, expired or already used. Enter a new code."),
        ));
    }
    store.write(|tx| {
        tx.execute(
            "UPDATE users SET two_step_failures = 0 WHERE user_id = ?1",
            [&account.user_id],
        )
    })?;

    s.two_step_done = true;
    s.save(store, now)?;
    Ok(continue_to(&s))
}

#[cfg(test)]
mod tests {
    use super::normalise_uk_phone;

    #[test]
    fn phones() {
        assert_eq!(
            normalise_uk_phone("07700 900 982").as_deref(),
            Some("07700900982")
        );
        assert_eq!(normalise_uk_phone("+44 (0)7700 900982"), None);
        assert_eq!(
            normalise_uk_phone("+447700900982").as_deref(),
            Some("07700900982")
        );
        assert_eq!(normalise_uk_phone("0770090098"), None);
        assert_eq!(normalise_uk_phone("call me"), None);
    }
}

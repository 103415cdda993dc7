//! A browser's session with the local HMRC's pages, kept in the store and found by the hash of
//! its cookie. It remembers who signed in, how far they got, and the authorization request
//! being served.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use maud::html;
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::layout::{page, see_other};
use crate::secrets::{random_hex32, sha256_hex};
use crate::store::{Store, StoreError};

pub const COOKIE: &str = "mtd_hmrc_session";
/// Sessions end after 30 minutes without a page, on the sandbox clock.
const IDLE_MS: i64 = 30 * 60 * 1000;

/// The `/oauth/authorize` request a session is serving, validated.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthRequest {
    pub client_id: String,
    pub app_name: String,
    pub redirect_uri: String,
    /// Space-separated, validated.
    pub scopes: String,
    pub state: Option<String>,
    pub code_challenge: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Session {
    pub id_hash: String,
    pub user_id: Option<String>,
    pub two_step_done: bool,
    pub continue_url: Option<String>,
    pub nonce: String,
    pub pending_totp_secret: Option<String>,
    pub pending_phone: Option<String>,
    pub phone_code_hash: Option<String>,
    pub phone_code_expires_ms: Option<i64>,
    pub auth_request: Option<AuthRequest>,
}

impl Session {
    /// Starts a session; the jar carries its new cookie.
    pub fn create(
        store: &Store,
        jar: CookieJar,
        now_ms: i64,
    ) -> Result<(Session, CookieJar), StoreError> {
        let token = random_hex32();
        let s = Session {
            id_hash: sha256_hex(&token),
            user_id: None,
            two_step_done: false,
            continue_url: None,
            nonce: random_hex32(),
            pending_totp_secret: None,
            pending_phone: None,
            phone_code_hash: None,
            phone_code_expires_ms: None,
            auth_request: None,
        };
        store.write(|tx| {
            tx.execute(
                "INSERT INTO web_sessions (id_hash, nonce, expires_at_ms) VALUES (?1, ?2, ?3)",
                params![s.id_hash, s.nonce, now_ms + IDLE_MS],
            )
        })?;
        let cookie = Cookie::build((COOKIE, token))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .build();
        Ok((s, jar.add(cookie)))
    }

    /// The live session this browser's cookie names, if any.
    pub fn load(
        store: &Store,
        jar: &CookieJar,
        now_ms: i64,
    ) -> Result<Option<Session>, StoreError> {
        let Some(cookie) = jar.get(COOKIE) else {
            return Ok(None);
        };
        let id_hash = sha256_hex(cookie.value());
        let conn = store.reader();
        let row = conn
            .query_row(
                "SELECT user_id, two_step_done, continue_url, nonce, pending_totp_secret, pending_phone, phone_code_hash,
                        phone_code_expires_ms, auth_request, expires_at_ms
                 FROM web_sessions WHERE id_hash = ?1",
                [&id_hash],
                |r| {
                    Ok((
                        Session {
                            id_hash: id_hash.clone(),
                            user_id: r.get(0)?,
                            two_step_done: r.get(1)?,
                            continue_url: r.get(2)?,
                            nonce: r.get(3)?,
                            pending_totp_secret: r.get(4)?,
                            pending_phone: r.get(5)?,
                            phone_code_hash: r.get(6)?,
                            phone_code_expires_ms: r.get(7)?,
                            auth_request: r.get::<_, Option<String>>(8)?.and_then(|j| serde_json::from_str(&j).ok()),
                        },
                        r.get::<_, i64>(9)?,
                    ))
                },
            )
            .optional()?;
        Ok(row.and_then(|(s, expires)| (now_ms < expires).then_some(s)))
    }

    /// Replaces this session with a new one (new cookie, new ID) that keeps only the journey
    /// being served; the old one is deleted.
    pub fn renew(
        &self,
        store: &Store,
        jar: CookieJar,
        now_ms: i64,
    ) -> Result<(Session, CookieJar), StoreError> {
        let (mut fresh, jar) = Session::create(store, jar, now_ms)?;
        fresh.auth_request = self.auth_request.clone();
        fresh.continue_url = self.continue_url.clone();
        store.write(|tx| {
            tx.execute(
                "DELETE FROM web_sessions WHERE id_hash = ?1",
                [&self.id_hash],
            )
        })?;
        Ok((fresh, jar))
    }

    /// Writes every field back and extends the session's life.
    pub fn save(&self, store: &Store, now_ms: i64) -> Result<(), StoreError> {
        let auth = self
            .auth_request
            .as_ref()
            .map(|a| serde_json::to_string(a).expect("plain struct"));
        store.write(|tx| {
            tx.execute(
                "UPDATE web_sessions SET user_id = ?2, two_step_done = ?3, continue_url = ?4, pending_totp_secret = ?5,
                        pending_phone = ?6, phone_code_hash = ?7, phone_code_expires_ms = ?8,
                        auth_request = ?9, expires_at_ms = ?10
                 WHERE id_hash = ?1",
                params![
                    self.id_hash,
                    self.user_id,
                    self.two_step_done,
                    self.continue_url,
                    self.pending_totp_secret,
                    self.pending_phone,
                    self.phone_code_hash,
                    self.phone_code_expires_ms,
                    auth,
                    now_ms + IDLE_MS
                ],
            )
        })?;
        Ok(())
    }

    /// Accepts a form post only with the session's current nonce, and replaces it, so the same
    /// post cannot be accepted twice. On success `self.nonce` is the next one.
    pub fn consume_nonce(&mut self, store: &Store, given: &str) -> Result<bool, StoreError> {
        let next = random_hex32();
        let changed = store.write(|tx| {
            tx.execute(
                "UPDATE web_sessions SET nonce = ?3 WHERE id_hash = ?1 AND nonce = ?2",
                params![self.id_hash, given, next],
            )
        })?;
        if changed == 1 {
            self.nonce = next;
        }
        Ok(changed == 1)
    }

    /// Signed in and through 2-step verification.
    pub fn is_authenticated(&self) -> bool {
        self.user_id.is_some() && self.two_step_done
    }
}

/// The page for a browser with no session (or an expired one).
pub fn expired_page() -> Response {
    page("session-expired", "Your session has ended", html! {
        h1 { "Your session has ended" }
        p { "For your security, your session ended or was never started. Go back to your software and start again." }
    })
    .status(StatusCode::FORBIDDEN)
    .into_response()
}

/// The page for a form post whose nonce is missing, forged or already used.
pub fn stale_form_page() -> Response {
    page(
        "form-expired",
        "This form has already been sent",
        html! {
            h1 { "This form has already been sent or has expired" }
            p { "Nothing was changed. " a href="/sign-in" { "Start again" } "." }
        },
    )
    .status(StatusCode::FORBIDDEN)
    .into_response()
}

/// Where a signed-in session goes next.
pub fn continue_to(s: &Session) -> Response {
    see_other(
        s.continue_url
            .as_deref()
            .unwrap_or("/applications-manage-authority/applications"),
    )
}

/// A `continue` target is accepted only as a path on this site (no open redirects).
pub fn safe_continue(c: &str) -> Option<String> {
    let ok = c.starts_with('/')
        && !c.starts_with("//")
        && !c.contains('\\')
        && c.len() <= 512
        && !c.chars().any(char::is_control);
    ok.then(|| c.to_owned())
}

/// The signed-in (and 2-step verified) session and its account, or a trip through sign-in that
/// comes back to `here`.
pub fn signed_in_account(
    store: &Store,
    jar: &CookieJar,
    now_ms: i64,
    here: &str,
) -> Result<Result<(Session, crate::gg::account::Account), Response>, StoreError> {
    let session = Session::load(store, jar, now_ms)?.filter(Session::is_authenticated);
    let account = match &session {
        Some(s) => {
            crate::gg::account::Account::load(store, s.user_id.as_deref().unwrap_or_default())?
        }
        None => None,
    };
    match (session, account) {
        (Some(s), Some(a)) => Ok(Ok((s, a))),
        _ => {
            let encoded: String = url::form_urlencoded::byte_serialize(here.as_bytes()).collect();
            Ok(Err(see_other(&format!("/sign-in?continue={encoded}"))))
        }
    }
}

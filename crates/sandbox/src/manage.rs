//! Manage authorised applications: HMRC's page where a user sees which software holds authority
//! and removes it (`platform.md` §3.11). Removing revokes every grant the user gave that
//! application: its tokens stop working and its refresh tokens get `invalid_grant`.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use maud::html;
use mtd_domain::Scopes;
use rusqlite::params;
use serde::Deserialize;

use crate::error::ApiError;
use crate::web::session::{self, Session};
use crate::web::{PageForm, page, see_other};
use crate::{AppState, clock};

const LIST: &str = "/applications-manage-authority/applications";

/// An application the user has granted, with its live grants summed up.
#[derive(Debug)]
struct Granted {
    client_id: String,
    name: String,
    scopes: Scopes,
    first_granted_ms: i64,
}

fn granted(state: &AppState, user_id: &str, now: i64) -> Result<Vec<Granted>, ApiError> {
    let conn = state.store.reader();
    let mut stmt = conn.prepare(
        "SELECT g.client_id, a.name, g.scopes, g.granted_at_ms FROM grants g JOIN applications a ON a.client_id = g.client_id
         WHERE g.user_id = ?1 AND g.revoked_at_ms IS NULL AND g.ends_at_ms > ?2 ORDER BY a.name, g.granted_at_ms",
    )?;
    let rows = stmt.query_map(params![user_id, now], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
        ))
    })?;
    let mut out: Vec<Granted> = Vec::new();
    for row in rows {
        let (client_id, name, scopes, at) = row?;
        let scopes = Scopes::parse(&scopes).unwrap_or_default();
        match out.iter_mut().find(|g| g.client_id == client_id) {
            Some(g) => {
                g.scopes = g.scopes.iter().chain(scopes.iter()).collect();
                g.first_granted_ms = g.first_granted_ms.min(at);
            }
            None => out.push(Granted {
                client_id,
                name,
                scopes,
                first_granted_ms: at,
            }),
        }
    }
    Ok(out)
}

/// The signed-in session and its user, or a trip through sign-in that comes back to `here`.
fn signed_in(
    state: &AppState,
    jar: &CookieJar,
    now: i64,
    here: &str,
) -> Result<Result<(Session, String), Response>, ApiError> {
    Ok(session::signed_in_account(&state.store, jar, now, here)?
        .map(|(s, account)| (s, account.user_id)))
}

pub async fn list(State(state): State<AppState>, jar: CookieJar) -> Result<Response, ApiError> {
    let now = clock::now_ms(&state.store)?;
    let (_s, user_id) = match signed_in(&state, &jar, now, LIST)? {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
    let apps = granted(&state, &user_id, now)?;
    Ok(page("manage-applications", "Applications you have authorised", html! {
        h1 { "Applications you have authorised" }
        @if apps.is_empty() {
            p { "You have not given any software authority to interact with HMRC for you." }
        } @else {
            table {
                thead { tr { th { "Application" } th { "Can" } th { "Authority granted on" } th { span class="visually-hidden" { "Action" } } } }
                tbody {
                    @for a in &apps {
                        tr data-client-id=(a.client_id) {
                            td { (a.name) }
                            td { ul { @for sc in a.scopes.iter() { li { (sc.display_name()) } } } }
                            td { (clock::from_ms(a.first_granted_ms).format("%-d %B %Y")) }
                            td { a href={"/applications-manage-authority/application/" (a.client_id) "/remove-authority"} { "Remove authority" span class="visually-hidden" { " from " (a.name) } } }
                        }
                    }
                }
            }
        }
    })
    .into_response())
}

pub async fn confirm(
    State(state): State<AppState>,
    jar: CookieJar,
    client_id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let Ok(Path(client_id)) = client_id else {
        return Ok(see_other(LIST));
    };
    let now = clock::now_ms(&state.store)?;
    let here = format!("/applications-manage-authority/application/{client_id}/remove-authority");
    let (s, user_id) = match signed_in(&state, &jar, now, &here)? {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
    let Some(app) = granted(&state, &user_id, now)?
        .into_iter()
        .find(|g| g.client_id == client_id)
    else {
        return Ok(see_other(LIST));
    };
    Ok(page("remove-authority", "Remove authority", html! {
        h1 { "Are you sure you want to remove authority from " (app.name) "?" }
        p { (app.name) " will no longer be able to interact with HMRC for you. You can grant authority again from inside the software." }
        form method="post" action=(here) {
            input type="hidden" name="nonce" value=(s.nonce);
            button type="submit" class="warning" { "Remove authority" }
        }
        p { a href=(LIST) { "Cancel" } }
    })
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct Remove {
    #[serde(default)]
    nonce: String,
}

pub async fn remove(
    State(state): State<AppState>,
    jar: CookieJar,
    client_id: Result<Path<String>, PathRejection>,
    PageForm(f): PageForm<Remove>,
) -> Result<Response, ApiError> {
    let Ok(Path(client_id)) = client_id else {
        return Ok(see_other(LIST));
    };
    let store = &state.store;
    let now = clock::now_ms(store)?;
    let (mut s, user_id) = match signed_in(&state, &jar, now, LIST)? {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
    if !s.consume_nonce(store, &f.nonce)? {
        return Ok(session::stale_form_page());
    }
    store.write(|tx| {
        tx.execute(
            "UPDATE grants SET revoked_at_ms = ?3 WHERE user_id = ?1 AND client_id = ?2 AND revoked_at_ms IS NULL",
            params![user_id, client_id, now],
        )?;
        // A code issued but not yet exchanged would grant the authority again.
        tx.execute("UPDATE auth_codes SET used = 1 WHERE user_id = ?1 AND client_id = ?2", params![user_id, client_id])
    })?;
    Ok(see_other(
        "/applications-manage-authority/application/authority-removed",
    ))
}

pub async fn removed() -> Response {
    page("authority-removed", "Authority removed", html! {
        h1 { "Authority removed" }
        p { "The application can no longer interact with HMRC for you. You can grant authority again from inside the software." }
        p { a href=(LIST) { "Back to your authorised applications" } }
    })
    .into_response()
}

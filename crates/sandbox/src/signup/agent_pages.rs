//! The agent-led sign-up: `GET|POST /sign-up-for-making-tax-digital/agent`. An agent with an
//! agent services account names the client (first and last name, NINO, date of birth, matched
//! against what HMRC holds; repeated failures lock the agent out for a while), must already hold
//! a legacy (64-8) or partial authorisation for the client, and signs the client up; the agent
//! becomes its main agent.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use maud::html;
use mtd_domain::Nino;
use rusqlite::{OptionalExtension, params};
use serde::Deserialize;

use super::pages::{Choices, choices, done};
use super::{SignUpError, sign_up};
use crate::agents::{self, AgentType};
use crate::error::ApiError;
use crate::gateway::act_for::mtd_it_id_for;
use crate::web::session::{self, Session, signed_in_account};
use crate::web::{PageForm, notice, page};
use crate::{AppState, clock};

pub const PATH: &str = "/sign-up-for-making-tax-digital/agent";

fn prepare(
    state: &AppState,
    jar: &CookieJar,
    now: i64,
) -> Result<Result<(Session, String), Response>, ApiError> {
    let (s, account) = match signed_in_account(&state.store, jar, now, PATH)? {
        Ok(v) => v,
        Err(r) => return Ok(Err(r)),
    };
    let arn = if account.is_agent() {
        account.enrolment_value(&state.store, "HMRC-AS-AGENT")?
    } else {
        None
    };
    match arn {
        Some(arn) => Ok(Ok((s, arn))),
        None => Ok(Err(notice(
            "agent-sign-up-refused",
            "You are not signed in with an agent services account",
            "Agents sign up clients with their agent services account user ID.",
            StatusCode::FORBIDDEN,
        ))),
    }
}

fn form(s: &Session, now: i64, error: Option<&str>) -> Response {
    let field = |id: &'static str, label: &'static str| html! { label for=(id) { (label) } input type="text" id=(id) name=(id); };
    let p = page(
        "agent-sign-up",
        "Sign up a client for Making Tax Digital for Income Tax",
        html! {
            h1 { "Sign up a client for Making Tax Digital for Income Tax" }
            form method="post" action=(PATH) novalidate {
                input type="hidden" name="nonce" value=(s.nonce);
                fieldset {
                    legend { "Your client" }
                    (field("firstName", "First name"))
                    (field("lastName", "Last name"))
                    (field("nino", "National Insurance number"))
                    (field("dateOfBirth", "Date of birth, like 1980-03-18"))
                }
                (choices(now))
                div { button type="submit" { "Sign up this client" } }
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
        Ok((s, _)) => form(&s, now, None),
        Err(r) => r,
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Answers {
    #[serde(default)]
    nonce: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    nino: String,
    #[serde(default)]
    date_of_birth: String,
    #[serde(flatten)]
    choices: Choices,
}

/// Whether HMRC holds a person with this NINO, name and date of birth.
fn matches(conn: &rusqlite::Connection, nino: &Nino, f: &Answers) -> Result<bool, rusqlite::Error> {
    let found: Option<(Option<String>, Option<String>, Option<String>)> = conn
        .query_row(
            "SELECT json_extract(u.profile, '$.individualDetails.firstName'), json_extract(u.profile, '$.individualDetails.lastName'),
                    json_extract(u.profile, '$.individualDetails.dateOfBirth')
             FROM identifiers n JOIN users u ON u.user_id = n.user_id WHERE n.kind = 'nino' AND substr(n.value, 1, 8) = substr(?1, 1, 8)",
            [nino.as_str()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let same = |a: &Option<String>, b: &str| {
        a.as_deref()
            .is_some_and(|a| a.trim().eq_ignore_ascii_case(b.trim()))
    };
    Ok(found.is_some_and(|(first, last, dob)| {
        same(&first, &f.first_name) && same(&last, &f.last_name) && same(&dob, &f.date_of_birth)
    }))
}

pub async fn submit(
    State(state): State<AppState>,
    jar: CookieJar,
    PageForm(f): PageForm<Answers>,
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
    let settings = &state.config.journey;
    let locked: Option<i64> = store
        .reader()
        .query_row(
            "SELECT locked_until_ms FROM agent_matching WHERE arn = ?1",
            [&arn],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    if locked.is_some_and(|until| until > now) {
        return Ok(notice(
            "agent-sign-up-locked",
            "You cannot sign up clients for now",
            "Too many client details did not match HMRC's records. Try again later.",
            StatusCode::FORBIDDEN,
        ));
    }
    let nino = Nino::parse(&f.nino.trim().to_uppercase().replace(' ', "")).ok();
    let matched = match &nino {
        Some(n) => matches(&store.reader(), n, &f)?,
        None => false,
    };
    let Some(nino) = nino.filter(|_| matched) else {
        store.write(|tx| {
            tx.execute(
                "INSERT INTO agent_matching (arn, failures) VALUES (?1, 1) ON CONFLICT (arn) DO UPDATE SET failures = failures + 1",
                [&arn],
            )?;
            tx.execute(
                "UPDATE agent_matching SET failures = 0, locked_until_ms = ?2 WHERE arn = ?1 AND failures >= ?3",
                params![arn, now + settings.identity_lockout_ms, settings.identity_attempts],
            )
        })?;
        return Ok(form(
            &s,
            now,
            Some("The client's details do not match HMRC's records"),
        ));
    };
    store.write(|tx| tx.execute("DELETE FROM agent_matching WHERE arn = ?1", [&arn]))?;
    if let Some(id) = mtd_it_id_for(&store.reader(), &nino)? {
        let text = match agents::active(&store.reader(), &arn, &id)? {
            Some(_) => "This client is already signed up, and you are its agent.",
            None => {
                "This client is already signed up. Ask it for authority with an authorisation request."
            }
        };
        return Ok(notice(
            "agent-sign-up-already",
            "This client is already signed up",
            text,
            StatusCode::CONFLICT,
        ));
    }
    let partial: bool = store
        .reader()
        .query_row("SELECT 1 FROM partial_auths WHERE arn = ?1 AND nino_stem = substr(?2, 1, 8) AND ended_at_ms IS NULL", params![arn, nino.as_str()], |_| Ok(()))
        .optional()?
        .is_some();
    if !partial && !agents::legacy::has_legacy(&store.reader(), &arn, &nino)? {
        return Ok(notice(
            "agent-sign-up-no-relationship",
            "You are not authorised for this client",
            "Ask the client for authority first with an authorisation request, or copy across an existing Self Assessment authorisation.",
            StatusCode::FORBIDDEN,
        ));
    }
    let Some(year) = f.choices.year(now) else {
        return Ok(form(&s, now, Some("Choose the tax year to start from")));
    };
    let sources = f.choices.sources();
    let outcome = store.write(|tx| {
        let signed = match sign_up(tx, &nino, year, &sources, now) {
            Ok(signed) => signed,
            Err(SignUpError::Store(e)) => return Err(e),
            Err(e) => return Ok(Err(e)),
        };
        // The agent signing the client up is its main agent (from its legacy authorisation).
        if agents::active(tx, &arn, &signed.mtd_it_id)?.is_none() {
            agents::authorise(tx, &arn, &signed.mtd_it_id, AgentType::Main, now)?;
        }
        Ok(Ok(signed))
    })?;
    match outcome {
        Ok(signed) => Ok(done(&signed, "Your client has")),
        Err(SignUpError::Invalid(m)) => Ok(form(&s, now, Some(&m))),
        Err(e) => {
            s.save(store, now)?;
            Ok(notice(
                "agent-sign-up-refused",
                "You cannot sign up this client",
                e.to_string(),
                StatusCode::CONFLICT,
            ))
        }
    }
}

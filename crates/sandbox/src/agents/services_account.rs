//! Creating an agent services account (`agents-signup.md` §3): an Agent-affinity user names its
//! business by the UTR and postcode HMRC holds, gives the agency's details and its
//! anti-money-laundering supervision, and gets an ARN and the `HMRC-AS-AGENT` enrolment.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use maud::html;
use mtd_domain::{Arn, SaUtr};
use rusqlite::{OptionalExtension, params};
use serde::Deserialize;
use serde_json::json;

use crate::error::ApiError;
use crate::gg::account::Account;
use crate::web::session::{self, Session, signed_in_account};
use crate::web::{PageForm, notice, page};
use crate::{AppState, clock};

pub const PATH: &str = "/agent-services-account/create";

/// An agent without an account yet, or the page to show instead.
fn prepare(
    state: &AppState,
    jar: &CookieJar,
    now: i64,
) -> Result<Result<(Session, Account), Response>, ApiError> {
    let (s, account) = match signed_in_account(&state.store, jar, now, PATH)? {
        Ok(v) => v,
        Err(r) => return Ok(Err(r)),
    };
    if !account.is_agent() {
        let text = "An agent services account is for agents. Sign in with a Government Gateway user ID made for an agent.";
        return Ok(Err(notice(
            "asa-refused",
            "You are not signed in as an agent",
            text,
            StatusCode::FORBIDDEN,
        )));
    }
    if let Some(arn) = account.enrolment_value(&state.store, "HMRC-AS-AGENT")? {
        let text = format!("Your agent reference number is {arn}.");
        return Ok(Err(notice(
            "asa-exists",
            "You already have an agent services account",
            text,
            StatusCode::CONFLICT,
        )));
    }
    Ok(Ok((s, account)))
}

fn form(s: &Session, error: Option<&str>) -> Response {
    let field = |id: &'static str, label: &'static str| html! { label for=(id) { (label) } input type="text" id=(id) name=(id); };
    let p = page(
        "asa-create",
        "Create an agent services account",
        html! {
            h1 { "Create an agent services account" }
            form method="post" action=(PATH) novalidate {
                input type="hidden" name="nonce" value=(s.nonce);
                fieldset {
                    legend { "Your business, as HMRC knows it" }
                    (field("utr", "Self Assessment or Corporation Tax UTR"))
                    (field("postcode", "Postcode of your registered taxpayer address"))
                }
                fieldset {
                    legend { "Your agency" }
                    (field("agencyName", "Agency name"))
                    (field("addressLine1", "Agency address, first line"))
                    (field("agencyPostcode", "Agency postcode"))
                    (field("email", "Agency email address"))
                }
                fieldset {
                    legend { "Anti-money laundering supervision" }
                    (field("supervisoryBody", "Supervisory body"))
                    (field("membershipNumber", "Membership number"))
                }
                div { button type="submit" { "Create account" } }
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
        Ok((s, _)) => form(&s, None),
        Err(r) => r,
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Details {
    #[serde(default)]
    nonce: String,
    #[serde(default)]
    utr: String,
    #[serde(default)]
    postcode: String,
    #[serde(default)]
    agency_name: String,
    #[serde(default)]
    address_line1: String,
    #[serde(default)]
    agency_postcode: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    supervisory_body: String,
    #[serde(default)]
    membership_number: String,
}

fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase()
}

pub async fn submit(
    State(state): State<AppState>,
    jar: CookieJar,
    PageForm(f): PageForm<Details>,
) -> Result<Response, ApiError> {
    let store = &state.store;
    let now = clock::now_ms(store)?;
    let (mut s, account) = match prepare(&state, &jar, now)? {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
    if !s.consume_nonce(store, &f.nonce)? {
        return Ok(session::stale_form_page());
    }
    let utr = match SaUtr::parse(f.utr.trim()) {
        Ok(u) => u,
        Err(_) => return Ok(form(&s, Some("Enter a valid 10-digit UTR"))),
    };
    let required = [
        &f.agency_name,
        &f.address_line1,
        &f.agency_postcode,
        &f.email,
        &f.supervisory_body,
        &f.membership_number,
    ];
    if required.iter().any(|v| v.trim().is_empty())
        || !f.email.contains('@')
        || f.agency_name.chars().count() > 40
    {
        return Ok(form(
            &s,
            Some(
                "Give the agency's name (up to 40 characters), address, postcode, a valid email and its supervision",
            ),
        ));
    }
    let outcome = store.write(|tx| {
        // The business's registered address: the postcode HMRC holds for the UTR's taxpayer.
        let held: Option<String> = tx
            .query_row(
                "SELECT json_extract(u.profile, '$.individualDetails.address.postcode') FROM identifiers i JOIN users u ON u.user_id = i.user_id
                 WHERE i.kind IN ('saUtr', 'ctUtr') AND i.value = ?1",
                [utr.as_str()],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        if held.as_deref().map(squash) != Some(squash(&f.postcode)) {
            return Ok(Err("The UTR and postcode do not match HMRC's records".to_owned()));
        }
        let used = tx.query_row("SELECT arn FROM agencies WHERE utr = ?1", [utr.as_str()], |r| r.get::<_, String>(0)).optional()?;
        if let Some(arn) = used {
            return Ok(Err(format!("This business already has an agent services account ({arn}) in another Government Gateway group")));
        }
        let arn = loop {
            let candidate = Arn::from_number(rand::random::<u32>() % 10_000_000).to_string();
            let taken = tx
                .query_row("SELECT 1 FROM identifiers WHERE kind = 'agentServicesAccountNumber' AND value = ?1", [&candidate], |_| Ok(()))
                .optional()?;
            if taken.is_none() {
                break candidate;
            }
        };
        tx.execute("INSERT INTO identifiers (kind, value, user_id) VALUES ('agentServicesAccountNumber', ?1, ?2)", params![arn, account.user_id])?;
        tx.execute(
            "INSERT INTO enrolments (group_id, service, identifier_name, identifier_value) VALUES (?1, 'HMRC-AS-AGENT', 'AgentReferenceNumber', ?2)",
            params![account.group_id, arn],
        )?;
        let address = json!({ "addressLine1": f.address_line1.trim(), "postcode": f.agency_postcode.trim(), "countryCode": "GB" });
        let amls = json!({ "supervisoryBody": f.supervisory_body.trim(), "membershipNumber": f.membership_number.trim() });
        tx.execute(
            "INSERT INTO agencies (arn, utr, group_id, name, email, address, amls, created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![arn, utr.as_str(), account.group_id, f.agency_name.trim(), f.email.trim(), address.to_string(), amls.to_string(), now],
        )?;
        Ok(Ok(arn))
    })?;
    match outcome {
        Ok(arn) => Ok(page("asa-created", "Agent services account created", html! {
            h1 { "Your agent services account is ready" }
            p { "Your agent reference number is " strong data-arn=(arn) { (arn) } "." }
            p { "Use this Government Gateway user ID to link software and to ask clients for authority." }
        })
        .into_response()),
        Err(why) if why.starts_with("This business already") => Ok(notice("asa-exists", "You cannot create this account", why, StatusCode::CONFLICT)),
        Err(why) => Ok(form(&s, Some(&why))),
    }
}

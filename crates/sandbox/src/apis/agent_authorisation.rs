//! HMRC's Agent Authorisation API 1.0 for the MTD-IT service (`agents-signup.md` §4.2): an agent
//! asks a client for authority, lists, reads and cancels its requests, checks and ends its
//! relationships. Every change is one transaction; refusals change nothing.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mtd_domain::Nino;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::agents::invitations::{self, Invitation};
use crate::agents::removal_lock;
use crate::agents::{self, AgentType};
use crate::error::ApiError;
use crate::gateway::Caller;
use crate::gateway::act_for::mtd_it_id_for;
use crate::gg::account::Account;
use crate::json_body::JsonBody;
use crate::{AppState, clock};

fn refuse(status: StatusCode, code: &str, message: &str) -> ApiError {
    ApiError::new(status, code, message)
}

/// The caller's own ARN, after HMRC's agent checks: an agent, subscribed, acting for its own agency.
fn agency(state: &AppState, caller: &Caller, arn: &str) -> Result<String, ApiError> {
    let user = caller.user_id.as_deref().unwrap_or_default();
    // The token passed the gateway, but the credential behind it is gone (removed from its group).
    let account = Account::load(&state.store, user)?.ok_or_else(|| {
        refuse(
            StatusCode::UNAUTHORIZED,
            "UNAUTHORIZED",
            "Bearer token is missing or not authorized",
        )
    })?;
    if !account.is_agent() {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "NOT_AN_AGENT",
            "This user does not have a Government Gateway agent account.",
        ));
    }
    let own = account.enrolment_value(&state.store, "HMRC-AS-AGENT")?.ok_or_else(|| {
        refuse(StatusCode::FORBIDDEN, "AGENT_NOT_SUBSCRIBED", "This agent needs to create an agent services account before they can use this service.")
    })?;
    if own != arn {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "NO_PERMISSION_ON_AGENCY",
            "The user that is signed in cannot access this authorisation request.",
        ));
    }
    Ok(own)
}

/// `service` arrives as `["MTD-IT"]` in HMRC's examples, and as a plain string in older ones.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Service {
    One(String),
    List(Vec<String>),
}

impl Service {
    fn is_mtd_it(&self) -> bool {
        match self {
            Service::One(s) => s == "MTD-IT",
            Service::List(l) => l.len() == 1 && l[0] == "MTD-IT",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientRequest {
    service: Service,
    client_type: Option<String>,
    client_id_type: String,
    client_id: String,
    known_fact: Option<String>,
    agent_type: Option<String>,
}

fn bad_request(code: &str, message: &str) -> ApiError {
    refuse(StatusCode::BAD_REQUEST, code, message)
}

/// The request's service, client ID and agent type, checked in HMRC's order.
/// The request body, or HMRC's `BAD_REQUEST`, and its client (see [`client_of`]).
fn read_client(
    body: Result<JsonBody<ClientRequest>, ApiError>,
) -> Result<(ClientRequest, Nino, AgentType), ApiError> {
    let JsonBody(req) = body.map_err(|_| {
        bad_request(
            "BAD_REQUEST",
            "Bad request: the body is not valid for this endpoint.",
        )
    })?;
    let (nino, agent_type) = client_of(&req)?;
    Ok((req, nino, agent_type))
}

fn client_of(req: &ClientRequest) -> Result<(Nino, AgentType), ApiError> {
    if !req.service.is_mtd_it() {
        return Err(bad_request(
            "SERVICE_NOT_SUPPORTED",
            "The service requested is not supported.",
        ));
    }
    if req.client_id_type != "ni" {
        return Err(bad_request(
            "CLIENT_ID_DOES_NOT_MATCH_SERVICE",
            "The client identifier type is not valid for the service.",
        ));
    }
    let nino = Nino::parse(req.client_id.trim()).map_err(|_| {
        bad_request(
            "CLIENT_ID_FORMAT_INVALID",
            "Client identifier must be in the correct format.",
        )
    })?;
    let agent_type = match req.agent_type.as_deref() {
        None => AgentType::Main,
        Some(t) => AgentType::parse(t).ok_or_else(|| {
            bad_request(
                "AGENT_TYPE_NOT_SUPPORTED",
                "The agent type requested is not supported.",
            )
        })?,
    };
    Ok((nino, agent_type))
}

/// Whitespace removed, upper case, and the UK postcode shape HMRC checks:
/// `^[A-Z]{1,2}[0-9]{1,2}[A-Z]?[0-9][A-Z]{2}$`.
fn postcode(raw: &str) -> Result<String, ApiError> {
    let p: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    let b = p.as_bytes();
    // The inward code is always a digit and two letters; the outward code is what precedes it.
    let ok = b.len() >= 5 && {
        let (outward, inward) = b.split_at(b.len() - 3);
        let letters = outward
            .iter()
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        let digits = outward[letters..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        let rest = &outward[letters + digits..];
        (1..=2).contains(&letters)
            && (1..=2).contains(&digits)
            && (rest.is_empty() || (rest.len() == 1 && rest[0].is_ascii_alphabetic()))
            && inward[0].is_ascii_digit()
            && inward[1..].iter().all(u8::is_ascii_alphabetic)
    };
    if ok {
        Ok(p)
    } else {
        Err(bad_request(
            "POSTCODE_FORMAT_INVALID",
            "Postcode must be in the correct format.",
        ))
    }
}

/// The postcode HMRC holds for the client (from its personal details), if it is registered for
/// Self Assessment.
fn client_postcode(
    conn: &rusqlite::Connection,
    nino: &Nino,
) -> Result<Option<String>, rusqlite::Error> {
    use rusqlite::OptionalExtension;
    conn.query_row(
        "SELECT json_extract(u.profile, '$.individualDetails.address.postcode') FROM identifiers n
         JOIN users u ON u.user_id = n.user_id
         JOIN identifiers s ON s.user_id = n.user_id AND s.kind = 'saUtr'
         WHERE n.kind = 'nino' AND substr(n.value, 1, 8) = substr(?1, 1, 8)",
        [nino.as_str()],
        |r| r.get::<_, Option<String>>(0),
    )
    .optional()
    .map(Option::flatten)
}

/// The known-fact checks: the client exists for Self Assessment, and the postcode matches.
fn check_known_fact(conn: &rusqlite::Connection, nino: &Nino, given: &str) -> Result<(), ApiError> {
    let held = client_postcode(conn, nino)?.ok_or_else(|| {
        refuse(
            StatusCode::FORBIDDEN,
            "CLIENT_REGISTRATION_NOT_FOUND",
            "The details provided for this client do not match HMRC's records.",
        )
    })?;
    let held: String = held
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    if held.contains(given) {
        Ok(())
    } else {
        Err(refuse(
            StatusCode::FORBIDDEN,
            "POSTCODE_DOES_NOT_MATCH",
            "The postcode provided does not match HMRC's record for the client.",
        ))
    }
}

fn hmrc_time(ms: i64) -> String {
    clock::from_ms(ms)
        .format("%Y-%m-%dT%H:%M:%S%.3f")
        .to_string()
}

/// An invitation as the API shows it.
pub fn to_json(inv: &Invitation, www_base: &str) -> Value {
    let mut v = json!({
        "_links": { "self": { "href": format!("/agents/{}/invitations/{}", inv.arn, inv.id) } },
        "created": hmrc_time(inv.created_at_ms),
        "arn": inv.arn,
        "service": [inv.service],
        "status": inv.status,
        "agentType": inv.agent_type.as_str(),
    });
    if inv.status == "Pending" {
        v["expiresOn"] = json!(
            clock::from_ms(inv.expires_at_ms)
                .format("%Y-%m-%dT00:00:00:000")
                .to_string()
        );
        v["clientActionUrl"] = json!(format!(
            "{www_base}/appoint-someone-to-deal-with-HMRC-for-you/{}",
            inv.id
        ));
    } else {
        v["updated"] = json!(hmrc_time(inv.updated_at_ms));
    }
    v
}

/// The web address clients are sent to; the local HMRC serves it on its own origin.
fn www_base(headers: &axum::http::HeaderMap) -> String {
    headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(|h| format!("http://{h}"))
        .unwrap_or_default()
}

pub async fn create(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    Path(arn): Path<String>,
    body: Result<JsonBody<ClientRequest>, ApiError>,
) -> Result<Response, ApiError> {
    let arn = agency(&state, &caller, &arn)?;
    let (req, nino, agent_type) = read_client(body)?;
    if !matches!(
        req.client_type.as_deref(),
        Some("personal" | "business" | "trust")
    ) {
        return Err(bad_request(
            "CLIENT_TYPE_NOT_SUPPORTED",
            "The client type requested is not supported.",
        ));
    }
    let given = postcode(req.known_fact.as_deref().unwrap_or_default())?;
    let store = &state.store;
    let now = clock::now_ms(store)?;
    let id = invitations::new_id();
    let created = store.write(|tx| {
        invitations::expire(tx, now)?;
        if invitations::pending(tx, &arn, &nino)?.is_some() {
            return Ok(Err(refuse(StatusCode::FORBIDDEN, "DUPLICATE_AUTHORISATION_REQUEST", "An authorisation request for this service has already been created and is awaiting the client's response.")));
        }
        if let Err(e) = check_known_fact(tx, &nino, &given) {
            return Ok(Err(e));
        }
        if invitations::already_authorised(tx, &arn, &nino, agent_type)? {
            return Ok(Err(refuse(StatusCode::FORBIDDEN, "ALREADY_AUTHORISED", "The client has already authorised the agent for this service.")));
        }
        let inv = Invitation {
            id: id.clone(),
            arn: arn.clone(),
            service: "MTD-IT".into(),
            client_type: req.client_type.clone().unwrap_or_default(),
            nino: nino.to_string(),
            agent_type,
            status: "Pending".into(),
            created_at_ms: now,
            updated_at_ms: now,
            expires_at_ms: now + invitations::EXPIRY_MS,
        };
        invitations::insert(tx, &inv)?;
        Ok(Ok(()))
    })?;
    created?;
    let location = HeaderValue::from_str(&format!("/agents/{arn}/invitations/{id}"))
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok((StatusCode::NO_CONTENT, [(header::LOCATION, location)]).into_response())
}

pub async fn list(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    Path(arn): Path<String>,
    headers: axum::http::HeaderMap,
) -> Result<Response, ApiError> {
    let arn = agency(&state, &caller, &arn)?;
    let now = clock::now_ms(&state.store)?;
    state.store.write(|tx| invitations::expire(tx, now))?;
    let all = invitations::list(&state.store.reader(), &arn, now)?;
    if all.is_empty() {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let base = www_base(&headers);
    Ok(Json(Value::Array(
        all.iter().map(|i| to_json(i, &base)).collect(),
    ))
    .into_response())
}

fn not_found() -> ApiError {
    refuse(
        StatusCode::NOT_FOUND,
        "INVITATION_NOT_FOUND",
        "The authorisation request cannot be found.",
    )
}

pub async fn get(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    Path((arn, id)): Path<(String, String)>,
    headers: axum::http::HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let arn = agency(&state, &caller, &arn)?;
    let now = clock::now_ms(&state.store)?;
    state.store.write(|tx| invitations::expire(tx, now))?;
    let inv = invitations::get(&state.store.reader(), &id)?.ok_or_else(not_found)?;
    if inv.arn != arn {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "NO_PERMISSION_ON_AGENCY",
            "The user that is signed in cannot access this authorisation request.",
        ));
    }
    Ok(Json(to_json(&inv, &www_base(&headers))))
}

pub async fn cancel(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    Path((arn, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let arn = agency(&state, &caller, &arn)?;
    let now = clock::now_ms(&state.store)?;
    state.store.write(|tx| {
        invitations::expire(tx, now)?;
        let Some(inv) = invitations::get(tx, &id)? else { return Ok(Err(not_found())) };
        if inv.arn != arn {
            return Ok(Err(refuse(StatusCode::FORBIDDEN, "NO_PERMISSION_ON_AGENCY", "The user that is signed in cannot access this authorisation request.")));
        }
        if inv.status != "Pending" {
            return Ok(Err(refuse(StatusCode::FORBIDDEN, "INVALID_INVITATION_STATUS", "This authorisation request cannot be cancelled as the client has already responded to the request, or the request has expired.")));
        }
        invitations::set_status(tx, &id, "Cancelled", now)?;
        Ok(Ok(StatusCode::NO_CONTENT))
    })?
}

pub async fn check_relationship(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    Path(arn): Path<String>,
    body: Result<JsonBody<ClientRequest>, ApiError>,
) -> Result<StatusCode, ApiError> {
    let arn = agency(&state, &caller, &arn)?;
    let (req, nino, agent_type) = read_client(body)?;
    let given = postcode(req.known_fact.as_deref().unwrap_or_default())?;
    let conn = state.store.reader();
    check_known_fact(&conn, &nino, &given)?;
    drop(conn);
    let now = clock::now_ms(&state.store)?;
    // A main relationship missing but a legacy authorisation mapped: copied now, as HMRC does.
    let active = state.store.write(|tx| match mtd_it_id_for(tx, &nino)? {
        Some(id) => {
            if agent_type == AgentType::Main {
                agents::legacy::copy(tx, &arn, &nino, &id, now)?;
            }
            Ok(agents::active(tx, &arn, &id)? == Some(agent_type))
        }
        None => Ok(false),
    })?;
    if active {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(refuse(
            StatusCode::NOT_FOUND,
            "RELATIONSHIP_NOT_FOUND",
            "Relationship is inactive. Agent is not authorised to act for this client.",
        ))
    }
}

pub async fn deauthorise(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    Path(arn): Path<String>,
    body: Result<JsonBody<ClientRequest>, ApiError>,
) -> Result<StatusCode, ApiError> {
    let arn = agency(&state, &caller, &arn)?;
    let (_, nino, agent_type) = read_client(body)?;
    let Some(lock) = removal_lock::take(&state.store, &arn, &nino, agent_type)? else {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "ALREADY_BEING_PROCESSED",
            "A request to end this relationship is already being processed.",
        ));
    };
    let now = clock::now_ms(&state.store)?;
    let ended = state.store.write(|tx| {
        let Some(id) = mtd_it_id_for(tx, &nino)? else { return Ok(false) };
        if !agents::deauthorise(tx, &arn, &id, agent_type, now)? {
            return Ok(false);
        }
        tx.execute(
            "UPDATE invitations SET status = 'Deauthorised', updated_at_ms = ?4, ended_by = 'Agent'
             WHERE arn = ?1 AND substr(nino, 1, 8) = substr(?2, 1, 8) AND agent_type = ?3 AND status = 'Accepted'",
            rusqlite::params![arn, nino.as_str(), agent_type.as_str(), now],
        )?;
        Ok(true)
    });
    // Released whether or not the removal worked, so a failure can be retried at once.
    lock.release(&state.store)?;
    if ended? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(refuse(
            StatusCode::FORBIDDEN,
            "NO_RELATIONSHIP",
            "The agent has no relationship with this client for this service.",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::postcode;

    #[test]
    fn postcodes() {
        for ok in [
            "TS1 1PA", "ts11pa", "EH1 2DP", "AB11 6BA", "SW1A 1AA", "M1 2WD",
        ] {
            assert!(postcode(ok).is_ok(), "{ok}");
        }
        for bad in ["", "TS1", "12345", "TS1 1P", "TS1-1PA", "TTTT 1AA"] {
            assert!(postcode(bad).is_err(), "{bad}");
        }
    }
}

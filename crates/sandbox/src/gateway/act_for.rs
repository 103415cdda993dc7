//! Who may act for a NINO, checked for every NINO-scoped endpoint after the platform's own checks
//! (`platform.md` §5): the NINO's format first (400 `FORMAT_NINO`); then the NINO's MTD Income Tax
//! ID (none: 403 `CLIENT_OR_AGENT_NOT_AUTHORISED`); then an individual or organisation holding
//! that ID at confidence level 250, or an agent with an agent services account and a main
//! relationship, or a supporting one where the endpoint allows supporting agents.

use crate::store::CachedQuery;
use axum::http::StatusCode;
use mtd_domain::Nino;
use rusqlite::{OptionalExtension, params};

use super::Endpoint;
use crate::agents::{self, AgentType};
use crate::error::ApiError;
use crate::gg::account::Account;
use crate::store::Store;

/// The level the MTD ITSA APIs require of individuals and organisations.
const REQUIRED_LEVEL: u16 = 250;

/// In what capacity the caller acts for the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capacity {
    /// The taxpayer itself.
    Principal,
    MainAgent,
    SupportingAgent,
}

/// The client a request acts for, once allowed.
#[derive(Debug, Clone)]
pub struct ActingFor {
    pub nino: Nino,
    pub mtd_it_id: String,
    pub capacity: Capacity,
}

fn not_authorised() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "CLIENT_OR_AGENT_NOT_AUTHORISED",
        "The client or agent is not authorised",
    )
}

/// The MTD Income Tax ID of the person with this NINO (the suffix letter does not matter).
pub fn mtd_it_id_for(
    conn: &rusqlite::Connection,
    nino: &Nino,
) -> Result<Option<String>, rusqlite::Error> {
    conn.query_row_cached(
        "SELECT m.value FROM identifiers n JOIN identifiers m ON m.user_id = n.user_id AND m.kind = 'mtdItId'
         WHERE n.kind = 'nino' AND substr(n.value, 1, 8) = substr(?1, 1, 8)",
        params![nino.as_str()],
        |r| r.get(0),
    )
    .optional()
}

pub fn authorise(
    store: &Store,
    user_id: &str,
    raw_nino: &str,
    ep: &Endpoint,
) -> Result<ActingFor, ApiError> {
    let nino = Nino::parse(raw_nino).map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "FORMAT_NINO",
            "The provided NINO is invalid",
        )
    })?;
    let mtd_it_id = mtd_it_id_for(&store.reader(), &nino)?.ok_or_else(not_authorised)?;
    let account = Account::load(store, user_id)?.ok_or_else(not_authorised)?;
    let capacity = if account.is_agent() {
        let arn = account
            .enrolment_value(store, "HMRC-AS-AGENT")?
            .ok_or_else(not_authorised)?;
        match agents::active(&store.reader(), &arn, &mtd_it_id)? {
            Some(AgentType::Main) => Capacity::MainAgent,
            Some(AgentType::Supporting) if ep.supporting_agents => Capacity::SupportingAgent,
            _ => return Err(not_authorised()),
        }
    } else {
        let own = account
            .enrolment_value(store, "HMRC-MTD-IT")?
            .is_some_and(|id| id == mtd_it_id);
        if !own || account.confidence_level < REQUIRED_LEVEL {
            return Err(not_authorised());
        }
        Capacity::Principal
    };
    Ok(ActingFor {
        nino,
        mtd_it_id,
        capacity,
    })
}

/// The value of `{name}` in `path`, matched against the route `template`.
pub fn path_param<'a>(template: &str, path: &'a str, name: &str) -> Option<&'a str> {
    let wanted = format!("{{{name}}}");
    template
        .split('/')
        .zip(path.split('/'))
        .find(|(t, _)| *t == wanted)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::{Access, Api};
    use crate::secrets::PasswordCost;
    use crate::test_users::{self, CreateRequest, UserType};

    fn endpoint(supporting_agents: bool) -> Endpoint {
        Endpoint {
            api: Api::IndividualDetails,
            method: axum::http::Method::GET,
            path: "/x/{nino}",
            versions: &["1.0"],
            access: Access::User(mtd_domain::Scope::ReadSelfAssessment),
            supporting_agents,
        }
    }

    /// A supporting agent is refused where the endpoint is for main agents only (HMRC's
    /// calculations, final declaration and accounting type), and allowed elsewhere.
    #[test]
    fn supporting_agents_only_where_the_endpoint_allows() {
        let store = Store::in_memory().unwrap();
        let make = |kind, services: &[&str]| {
            let req = CreateRequest {
                service_names: services.iter().map(|s| s.to_string()).collect(),
                ..Default::default()
            };
            test_users::create(&store, kind, &req, PasswordCost::Cheap, 0)
                .unwrap()
                .body
        };
        let client = make(
            UserType::Individual,
            &["national-insurance", "mtd-income-tax"],
        );
        let main = make(UserType::Agent, &["agent-services"]);
        let supporting = make(UserType::Agent, &["agent-services"]);
        let id = client["mtdItId"].as_str().unwrap();
        let nino = client["nino"].as_str().unwrap();
        let arn =
            |a: &serde_json::Value| a["agentServicesAccountNumber"].as_str().unwrap().to_owned();
        store
            .write(|tx| agents::authorise(tx, &arn(&main), id, AgentType::Main, 0))
            .unwrap();
        store
            .write(|tx| agents::authorise(tx, &arn(&supporting), id, AgentType::Supporting, 0))
            .unwrap();
        let user = |a: &serde_json::Value| a["userId"].as_str().unwrap().to_owned();

        let refused = authorise(&store, &user(&supporting), nino, &endpoint(false)).unwrap_err();
        assert_eq!(
            (refused.status(), refused.code()),
            (StatusCode::FORBIDDEN, "CLIENT_OR_AGENT_NOT_AUTHORISED")
        );
        let allowed = authorise(&store, &user(&supporting), nino, &endpoint(true)).unwrap();
        assert_eq!(allowed.capacity, Capacity::SupportingAgent);
        assert_eq!(
            authorise(&store, &user(&main), nino, &endpoint(false))
                .unwrap()
                .capacity,
            Capacity::MainAgent
        );
        assert_eq!(
            authorise(&store, &user(&client), nino, &endpoint(false))
                .unwrap()
                .capacity,
            Capacity::Principal
        );
    }

    #[test]
    fn finds_path_params() {
        let t = "/individuals/person/itsa-status/{nino}/{taxYear}";
        assert_eq!(
            path_param(
                t,
                "/individuals/person/itsa-status/AA123456A/2025-26",
                "nino"
            ),
            Some("AA123456A")
        );
        assert_eq!(
            path_param(
                t,
                "/individuals/person/itsa-status/AA123456A/2025-26",
                "taxYear"
            ),
            Some("2025-26")
        );
        assert_eq!(path_param("/hello/user", "/hello/user", "nino"), None);
    }
}

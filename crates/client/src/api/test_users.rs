//! HMRC's Create Test User API, version 1.0 (HMRC's sandbox and the local HMRC).

use oauth2::AccessToken;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::transport::{accept, send_api};
use crate::{Client, Error};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserKind {
    Individual,
    Organisation,
    Agent,
}

impl UserKind {
    fn path(self) -> &'static str {
        match self {
            UserKind::Individual => "/create-test-user/individuals",
            UserKind::Organisation => "/create-test-user/organisations",
            UserKind::Agent => "/create-test-user/agents",
        }
    }

    /// The services a user of this kind needs for MTD Income Tax.
    pub fn mtd_services(self) -> &'static [&'static str] {
        match self {
            UserKind::Individual | UserKind::Organisation => {
                &["national-insurance", "self-assessment", "mtd-income-tax"]
            }
            UserKind::Agent => &["agent-services"],
        }
    }
}

/// The request. The last three fields exist only on the local HMRC; leave them `None` for HMRC.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewTestUser {
    pub service_names: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nino: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence_level: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub two_step_verification: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_regime: Option<String>,
}

/// A created user. `password` is a test credential, shown once as HMRC's Developer Hub does.
/// Identifiers come as flat fields whose set depends on the services; they are kept in `fields`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TestUser {
    pub user_id: String,
    pub password: String,
    pub user_full_name: String,
    pub email_address: String,
    #[serde(flatten)]
    pub fields: Map<String, Value>,
}

impl TestUser {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).and_then(Value::as_str)
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceInfo {
    pub key: String,
    pub name: String,
    pub allowed_user_types: Vec<String>,
}

#[derive(Debug)]
pub struct TestUsers<'a> {
    pub(crate) client: &'a Client,
}

impl TestUsers<'_> {
    /// Creates a user, with an application token.
    pub async fn create(
        &self,
        app_token: &AccessToken,
        kind: UserKind,
        req: &NewTestUser,
    ) -> Result<TestUser, Error> {
        let c = self.client;
        send_api(
            &c.pacer,
            c.http
                .post(c.env.api_url(kind.path()))
                .header("Accept", accept("1.0"))
                .bearer_auth(app_token.secret())
                .json(req),
        )
        .await
    }

    pub async fn services(&self, app_token: &AccessToken) -> Result<Vec<ServiceInfo>, Error> {
        let c = self.client;
        send_api(
            &c.pacer,
            c.http
                .get(c.env.api_url("/create-test-user/services"))
                .header("Accept", accept("1.0"))
                .bearer_auth(app_token.secret()),
        )
        .await
    }
}

//! HMRC's Agent Authorisation API 1.0 (MTD-IT), and its test support API.

use mtd_domain::{Arn, Nino};
use oauth2::AccessToken;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::transport::{accept, send_api};
use crate::{Client, Error};

/// `main` or `supporting`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AgentType {
    Main,
    Supporting,
}

impl AgentType {
    pub fn as_str(self) -> &'static str {
        match self {
            AgentType::Main => "main",
            AgentType::Supporting => "supporting",
        }
    }
}

/// An authorisation request as HMRC shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Invitation {
    #[serde(rename = "_links")]
    pub links: Links,
    pub created: String,
    #[serde(default)]
    pub updated: Option<String>,
    pub arn: String,
    pub service: Vec<String>,
    pub status: String,
    #[serde(default)]
    pub expires_on: Option<String>,
    #[serde(default)]
    pub client_action_url: Option<String>,
    #[serde(default)]
    pub agent_type: Option<AgentType>,
}

impl Invitation {
    /// The invitation ID, the last part of its `self` link.
    pub fn id(&self) -> &str {
        self.links
            .self_link
            .href
            .rsplit('/')
            .next()
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Links {
    #[serde(rename = "self")]
    pub self_link: Href,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Href {
    pub href: String,
}

/// The known fact HMRC's test support gives for a client.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KnownFact {
    pub client_id: String,
    pub known_fact: String,
}

#[derive(Debug)]
pub struct AgentAuthorisation<'a> {
    pub(crate) client: &'a Client,
}

impl AgentAuthorisation<'_> {
    fn url(&self, path: &str) -> String {
        self.client.env.api_url(path)
    }

    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        req: reqwest::RequestBuilder,
        token: &AccessToken,
    ) -> Result<T, Error> {
        let c = self.client;
        send_api(
            &c.pacer,
            c.api_request(req)
                .header("Accept", accept("1.0"))
                .bearer_auth(token.secret()),
        )
        .await
    }

    /// Asks a client for authority; returns the new request's ID.
    pub async fn invite(
        &self,
        token: &AccessToken,
        arn: &Arn,
        nino: &Nino,
        postcode: &str,
        agent_type: AgentType,
    ) -> Result<String, Error> {
        let body = json!({
            "service": ["MTD-IT"], "clientType": "personal", "clientIdType": "ni",
            "clientId": nino.as_str(), "knownFact": postcode, "agentType": agent_type.as_str(),
        });
        let c = self.client;
        let req = c.api_request(
            c.http
                .post(self.url(&format!("/agents/{arn}/invitations")))
                .json(&body),
        );
        let resp = crate::transport::send_api_headers(
            &c.pacer,
            req.header("Accept", accept("1.0"))
                .bearer_auth(token.secret()),
        )
        .await?;
        let location = resp.header("location").unwrap_or_default();
        Ok(location.rsplit('/').next().unwrap_or_default().to_owned())
    }

    /// The agent's requests of the last 30 days (none: an empty list).
    pub async fn invitations(
        &self,
        token: &AccessToken,
        arn: &Arn,
    ) -> Result<Vec<Invitation>, Error> {
        let list: Option<Vec<Invitation>> = self
            .call(
                self.client
                    .http
                    .get(self.url(&format!("/agents/{arn}/invitations"))),
                token,
            )
            .await?;
        Ok(list.unwrap_or_default())
    }

    pub async fn invitation(
        &self,
        token: &AccessToken,
        arn: &Arn,
        id: &str,
    ) -> Result<Invitation, Error> {
        self.call(
            self.client
                .http
                .get(self.url(&format!("/agents/{arn}/invitations/{id}"))),
            token,
        )
        .await
    }

    pub async fn cancel(&self, token: &AccessToken, arn: &Arn, id: &str) -> Result<(), Error> {
        self.call(
            self.client
                .http
                .delete(self.url(&format!("/agents/{arn}/invitations/{id}"))),
            token,
        )
        .await
    }

    /// Whether the agent has an active relationship of `agent_type` with the client (`false` for
    /// HMRC's `RELATIONSHIP_NOT_FOUND`).
    pub async fn check(
        &self,
        token: &AccessToken,
        arn: &Arn,
        nino: &Nino,
        postcode: &str,
        agent_type: AgentType,
    ) -> Result<bool, Error> {
        let body = json!({ "service": ["MTD-IT"], "clientIdType": "ni", "clientId": nino.as_str(), "knownFact": postcode, "agentType": agent_type.as_str() });
        match self
            .call::<()>(
                self.client
                    .http
                    .post(self.url(&format!("/agents/{arn}/relationships")))
                    .json(&body),
                token,
            )
            .await
        {
            Ok(()) => Ok(true),
            Err(e) if e.hmrc_code() == Some("RELATIONSHIP_NOT_FOUND") => Ok(false),
            Err(e) => Err(e),
        }
    }

    pub async fn deauthorise(
        &self,
        token: &AccessToken,
        arn: &Arn,
        nino: &Nino,
        agent_type: AgentType,
    ) -> Result<(), Error> {
        let body = json!({ "service": ["MTD-IT"], "clientIdType": "ni", "clientId": nino.as_str(), "agentType": agent_type.as_str() });
        self.call(
            self.client
                .http
                .put(self.url(&format!("/agents/{arn}/deauthorise-client")))
                .json(&body),
            token,
        )
        .await
    }

    /// Test support: the client accepts (`true`) or rejects the request, with an application token.
    pub async fn answer(
        &self,
        app_token: &AccessToken,
        id: &str,
        accept_it: bool,
    ) -> Result<(), Error> {
        let url = self.url(&format!(
            "/agent-authorisation-test-support/invitations/{id}"
        ));
        let req = if accept_it {
            self.client.http.put(url)
        } else {
            self.client.http.delete(url)
        };
        self.call(req, app_token).await
    }

    /// Test support: the postcode HMRC holds for a client, with an application token.
    pub async fn known_fact(
        &self,
        app_token: &AccessToken,
        nino: &Nino,
    ) -> Result<KnownFact, Error> {
        self.call(
            self.client.http.get(self.url(&format!(
                "/agent-authorisation-test-support/known-facts/mtd-it/nino/{nino}"
            ))),
            app_token,
        )
        .await
    }
}

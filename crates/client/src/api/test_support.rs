//! The local HMRC's `/test-support/` endpoints. They exist only on the local HMRC.

use oauth2::{ClientId, ClientSecret};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::api::test_users::TestUser;
use crate::oauth::{AppCredentials, TokenSet, token_set_from_json};
use crate::transport::send;
use crate::{Client, Error};

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewApplication {
    pub name: String,
    pub redirect_uris: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscriptions: Option<Vec<String>>,
}

/// A registered application; the secret is shown once.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    pub client_id: String,
    pub client_secret: String,
    pub name: String,
    pub redirect_uris: Vec<String>,
    pub rate_limit: u32,
    pub subscriptions: Vec<String>,
    pub grant_length_days: i64,
}

impl Application {
    pub fn credentials(&self) -> AppCredentials {
        AppCredentials {
            client_id: ClientId::new(self.client_id.clone()),
            client_secret: ClientSecret::new(self.client_secret.clone()),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ClockNow {
    pub now: String,
    pub offset_seconds: i64,
}

/// A text message the local HMRC "sent".
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    pub phone: String,
    pub body: String,
    pub code: String,
    pub sent_at: String,
}

#[derive(Debug, Deserialize)]
struct Messages {
    messages: Vec<Message>,
}

#[derive(Debug)]
pub struct TestSupport<'a> {
    pub(crate) client: &'a Client,
}

impl TestSupport<'_> {
    fn url(&self, path: &str) -> String {
        self.client.env.api_url(path)
    }

    pub async fn create_application(&self, app: &NewApplication) -> Result<Application, Error> {
        send(
            self.client
                .http
                .post(self.url("/test-support/applications"))
                .json(app),
        )
        .await
    }

    /// A user's token pair without the web journey.
    pub async fn mint_token(
        &self,
        client_id: &ClientId,
        user_id: &str,
        scopes: &[&str],
    ) -> Result<TokenSet, Error> {
        let body = json!({ "clientId": client_id.as_str(), "userId": user_id, "scopes": scopes });
        let resp: oauth2::basic::BasicTokenResponse = send(
            self.client
                .http
                .post(self.url("/test-support/tokens"))
                .json(&body),
        )
        .await?;
        Ok(token_set_from_json(&resp))
    }

    pub async fn clock(&self) -> Result<ClockNow, Error> {
        send(self.client.http.get(self.url("/test-support/clock"))).await
    }

    /// Moves the sandbox clock to an RFC 3339 instant.
    pub async fn set_clock(&self, now: &str) -> Result<ClockNow, Error> {
        send(
            self.client
                .http
                .post(self.url("/test-support/clock"))
                .json(&json!({ "now": now })),
        )
        .await
    }

    /// Moves the sandbox clock forward by a duration such as `5h` or `548d`.
    pub async fn advance_clock(&self, by: &str) -> Result<ClockNow, Error> {
        send(
            self.client
                .http
                .post(self.url("/test-support/clock"))
                .json(&json!({ "advance": by })),
        )
        .await
    }

    /// Makes `arn` the client's `main` or `supporting` agent at once.
    pub async fn create_relationship(
        &self,
        arn: &str,
        nino: &str,
        agent_type: &str,
    ) -> Result<(), Error> {
        let body = json!({ "arn": arn, "nino": nino, "agentType": agent_type });
        send(
            self.client
                .http
                .post(self.url("/test-support/relationships"))
                .json(&body),
        )
        .await
    }

    /// Seeds a legacy Self Assessment agent authorisation (64-8) for `nino` held by an SA agent
    /// reference.
    pub async fn seed_legacy_authorisation(
        &self,
        sa_agent_reference: &str,
        nino: &str,
    ) -> Result<(), Error> {
        let body = json!({ "saAgentReference": sa_agent_reference, "nino": nino });
        send(
            self.client
                .http
                .post(self.url("/test-support/legacy-authorisations"))
                .json(&body),
        )
        .await
    }

    /// An agent's old Self Assessment for agents credential (`IR-SA-AGENT`); its reference is
    /// the `saAgentReference` field.
    pub async fn create_sa_agent(&self) -> Result<TestUser, Error> {
        send(self.client.http.post(self.url("/test-support/sa-agents"))).await
    }

    /// Signs a taxpayer up for MTD Income Tax at once with `income_sources` (each like
    /// `{"type": "self-employment", "tradingName": "…"}`); answers what sign-up created.
    pub async fn sign_up(&self, nino: &str, income_sources: Value) -> Result<Value, Error> {
        let body = json!({ "nino": nino, "incomeSources": income_sources });
        send(
            self.client
                .http
                .post(self.url("/test-support/sign-up"))
                .json(&body),
        )
        .await
    }

    /// Removes a test user's credential: it can no longer sign in or act through its tokens.
    pub async fn remove_user(&self, user_id: &str) -> Result<(), Error> {
        send(self.client.http.delete(self.user_url(user_id, None))).await
    }

    /// What HMRC holds about a test user (never the password).
    pub async fn user(&self, user_id: &str) -> Result<Value, Error> {
        send(self.client.http.get(self.user_url(user_id, None))).await
    }

    /// The text messages sent to a test user, newest first.
    pub async fn messages(&self, user_id: &str) -> Result<Vec<Message>, Error> {
        let m: Messages = send(
            self.client
                .http
                .get(self.user_url(user_id, Some("messages"))),
        )
        .await?;
        Ok(m.messages)
    }

    /// `/test-support/users/{userId}[/{tail}]`, the ID percent-encoded as one path segment.
    fn user_url(&self, user_id: &str, tail: Option<&str>) -> String {
        let segment = url::form_urlencoded::byte_serialize(user_id.as_bytes())
            .collect::<String>()
            .replace('+', "%20");
        match tail {
            Some(t) => self.url(&format!("/test-support/users/{segment}/{t}")),
            None => self.url(&format!("/test-support/users/{segment}")),
        }
    }
}

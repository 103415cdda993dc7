//! HMRC's Hello World API, version 1.0.

use oauth2::AccessToken;
use serde::Deserialize;

use crate::transport::{accept, send_api};
use crate::{Client, Error};

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Message {
    pub message: String,
}

#[derive(Debug)]
pub struct Hello<'a> {
    pub(crate) client: &'a Client,
}

impl Hello<'_> {
    /// `GET /hello/world`, open access.
    pub async fn world(&self) -> Result<Message, Error> {
        self.get("/hello/world", None).await
    }

    /// `GET /hello/application`, with an application token.
    pub async fn application(&self, token: &AccessToken) -> Result<Message, Error> {
        self.get("/hello/application", Some(token)).await
    }

    /// `GET /hello/user`, with a user's token carrying the `hello` scope.
    pub async fn user(&self, token: &AccessToken) -> Result<Message, Error> {
        self.get("/hello/user", Some(token)).await
    }

    async fn get(&self, path: &str, token: Option<&AccessToken>) -> Result<Message, Error> {
        let mut req = self
            .client
            .http
            .get(self.client.env.api_url(path))
            .header("Accept", accept("1.0"));
        if let Some(t) = token {
            req = req.bearer_auth(t.secret());
        }
        send_api(&self.client.pacer, req).await
    }
}

//! OAuth 2.0 against HMRC's token endpoint, built on the `oauth2` crate. HMRC wants the client's
//! credentials in the form body, not a Basic header (`platform.md` §3.6).

pub mod driver;
mod link;
pub mod loopback;

use std::time::Duration;

use oauth2::basic::{BasicClient, BasicErrorResponseType, BasicRequestTokenError};
use oauth2::{
    AccessToken, AuthType, ClientId, ClientSecret, HttpClientError, RefreshToken, Scope,
    TokenResponse, TokenUrl,
};

pub use link::{Callback, PendingLink};

use crate::{Client, Error};

/// An application's credentials from HMRC's Developer Hub (or the local HMRC's test support).
#[derive(Debug, Clone)]
pub struct AppCredentials {
    pub client_id: ClientId,
    pub client_secret: ClientSecret,
}

/// What the token endpoint gave. `Debug` shows no token.
#[derive(Debug, Clone)]
pub struct TokenSet {
    pub access_token: AccessToken,
    pub refresh_token: Option<RefreshToken>,
    pub expires_in: Option<Duration>,
    /// Space-separated, as HMRC sends it.
    pub scope: String,
}

impl TokenSet {
    pub(crate) fn from_response(r: &impl TokenResponse) -> Self {
        Self {
            access_token: r.access_token().clone(),
            refresh_token: r.refresh_token().cloned(),
            expires_in: r.expires_in(),
            scope: r
                .scopes()
                .map(|s| s.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" "))
                .unwrap_or_default(),
        }
    }
}

/// Token requests for one application.
#[derive(Debug)]
pub struct OAuth<'a> {
    pub(crate) client: &'a Client,
    pub(crate) app: &'a AppCredentials,
}

impl OAuth<'_> {
    fn oauth_client(
        &self,
    ) -> Result<
        oauth2::basic::BasicClient<
            oauth2::EndpointNotSet,
            oauth2::EndpointNotSet,
            oauth2::EndpointNotSet,
            oauth2::EndpointNotSet,
            oauth2::EndpointSet,
        >,
        Error,
    > {
        let token_url =
            TokenUrl::new(self.client.env.api_url("/oauth/token")).map_err(|e| Error::Decode {
                status: 0,
                reason: format!("bad token URL: {e}"),
                raw: String::new(),
                correlation_id: None,
            })?;
        Ok(BasicClient::new(self.app.client_id.clone())
            .set_client_secret(self.app.client_secret.clone())
            .set_auth_type(AuthType::RequestBody)
            .set_token_uri(token_url))
    }

    /// An application token (client credentials grant), for application-restricted endpoints.
    pub async fn client_credentials(&self, scopes: &[&str]) -> Result<TokenSet, Error> {
        let client = self.oauth_client()?;
        let resp = client
            .exchange_client_credentials()
            .add_scopes(scopes.iter().map(|s| Scope::new((*s).to_owned())))
            .request_async(&self.client.oauth_http)
            .await
            .map_err(token_error)?;
        Ok(TokenSet::from_response(&resp))
    }

    /// Spends a refresh token for a new pair. HMRC's refresh tokens are single-use.
    pub async fn refresh(&self, refresh_token: &RefreshToken) -> Result<TokenSet, Error> {
        let client = self.oauth_client()?;
        let resp = client
            .exchange_refresh_token(refresh_token)
            .request_async(&self.client.oauth_http)
            .await
            .map_err(token_error)?;
        Ok(TokenSet::from_response(&resp))
    }
}

pub(crate) fn token_error(e: BasicRequestTokenError<HttpClientError<reqwest::Error>>) -> Error {
    match e {
        oauth2::RequestTokenError::ServerResponse(r) => {
            // HMRC's tables give one status per error code: 401 for `invalid_client`, else 400.
            let status = if matches!(r.error(), BasicErrorResponseType::InvalidClient) {
                401
            } else {
                400
            };
            Error::OAuth {
                status,
                error: r.error().as_ref().to_owned(),
                description: r.error_description().cloned().unwrap_or_default(),
            }
        }
        oauth2::RequestTokenError::Request(HttpClientError::Reqwest(e)) => Error::Transport(*e),
        oauth2::RequestTokenError::Request(other) => Error::Decode {
            status: 0,
            reason: other.to_string(),
            raw: String::new(),
            correlation_id: None,
        },
        oauth2::RequestTokenError::Parse(e, raw) => Error::Decode {
            status: 200,
            reason: e.to_string(),
            raw: String::from_utf8_lossy(&raw).into_owned(),
            correlation_id: None,
        },
        oauth2::RequestTokenError::Other(reason) => Error::Decode {
            status: 0,
            reason,
            raw: String::new(),
            correlation_id: None,
        },
    }
}

/// Reads a token body that came from somewhere other than `/oauth/token` but has its shape
/// (the local HMRC's test support mints tokens this way).
pub(crate) fn token_set_from_json(v: &oauth2::basic::BasicTokenResponse) -> TokenSet {
    TokenSet::from_response(v)
}

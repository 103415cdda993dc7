//! Linking software to HMRC: the authorization code grant with PKCE (S256) and a random `state`,
//! built on the `oauth2` crate. `begin` makes the address of HMRC's grant-authority journey;
//! `finish` checks what came back to the redirect URI and exchanges the code.

use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, CsrfToken, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    TokenUrl,
};

use super::{OAuth, TokenSet, token_error};
use crate::Error;

/// A journey in flight: the address to open, and what checking its outcome needs.
#[derive(Debug)]
pub struct PendingLink {
    pub authorize_url: String,
    pub redirect_uri: String,
    state: CsrfToken,
    verifier: PkceCodeVerifier,
}

impl PendingLink {
    /// The `state` sent; the out-of-band flow, which gets no redirect, answers with it.
    pub fn state(&self) -> &str {
        self.state.secret()
    }
}

/// What HMRC's journey sent back to the redirect URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Callback {
    Code {
        code: String,
        state: Option<String>,
    },
    Error {
        error: String,
        description: Option<String>,
        error_code: Option<String>,
        state: Option<String>,
    },
}

impl Callback {
    /// Reads the query of the redirect (`?code=…&state=…` or `?error=…`).
    pub fn from_query(query: &str) -> Option<Callback> {
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        if let Some(error) = get("error") {
            return Some(Callback::Error {
                error,
                description: get("error_description"),
                error_code: get("error_code"),
                state: get("state"),
            });
        }
        get("code").map(|code| Callback::Code {
            code,
            state: get("state"),
        })
    }

    /// Reads a whole redirect address.
    pub fn from_url(url: &str) -> Option<Callback> {
        url::Url::parse(url)
            .ok()
            .and_then(|u| u.query().and_then(Callback::from_query))
    }
}

fn bad_url(e: impl std::fmt::Display) -> Error {
    Error::Decode {
        status: 0,
        reason: format!("bad OAuth address: {e}"),
        raw: String::new(),
        correlation_id: None,
    }
}

impl OAuth<'_> {
    /// Starts linking: a fresh `state` and PKCE pair, and HMRC's authorize address.
    pub fn begin_link(&self, redirect_uri: &str, scopes: &[&str]) -> Result<PendingLink, Error> {
        let env = &self.client.env;
        let client = BasicClient::new(self.app.client_id.clone())
            .set_auth_uri(AuthUrl::new(env.www_url("/oauth/authorize")).map_err(bad_url)?)
            .set_redirect_uri(RedirectUrl::new(redirect_uri.to_owned()).map_err(bad_url)?);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state) = client
            .authorize_url(CsrfToken::new_random)
            .add_scopes(scopes.iter().map(|s| Scope::new((*s).to_owned())))
            .set_pkce_challenge(challenge)
            .url();
        Ok(PendingLink {
            authorize_url: url.to_string(),
            redirect_uri: redirect_uri.to_owned(),
            state,
            verifier,
        })
    }

    /// Checks the callback's `state`, then exchanges its code for tokens.
    pub async fn finish_link(
        &self,
        link: PendingLink,
        callback: Callback,
    ) -> Result<TokenSet, Error> {
        let (code, state) = match callback {
            Callback::Code { code, state } => (code, state),
            Callback::Error {
                error,
                description,
                error_code,
                state,
            } => {
                if state.as_deref() != Some(link.state.secret().as_str()) {
                    return Err(Error::StateMismatch);
                }
                return Err(Error::AuthorizationRefused {
                    error,
                    description: description.unwrap_or_default(),
                    error_code,
                });
            }
        };
        // The state ties this answer to the journey this software started (CSRF, RFC 6749 §10.12).
        if state.as_deref() != Some(link.state.secret().as_str()) {
            return Err(Error::StateMismatch);
        }
        let env = &self.client.env;
        let client = BasicClient::new(self.app.client_id.clone())
            .set_client_secret(self.app.client_secret.clone())
            .set_auth_type(oauth2::AuthType::RequestBody)
            .set_token_uri(TokenUrl::new(env.api_url("/oauth/token")).map_err(bad_url)?)
            .set_redirect_uri(RedirectUrl::new(link.redirect_uri.clone()).map_err(bad_url)?);
        let resp = client
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(link.verifier)
            .request_async(&self.client.oauth_http)
            .await
            .map_err(token_error)?;
        Ok(TokenSet::from_response(&resp))
    }
}

//! A linked identity's authority, handing out access tokens that are good to use.
//!
//! The access token is refreshed a minute before it expires (on this machine's clock, from
//! `expires_in`) and once more if HMRC answers `INVALID_CREDENTIALS` (which is what a moved
//! sandbox clock, or a refresh by another process, looks like). A refresh holds the record's lock
//! file and first re-reads the record: if another thread or process refreshed meanwhile, its new
//! pair is used and nothing is spent, so a refresh token is spent exactly once.

use std::future::Future;

use chrono::{Duration, Utc};
use oauth2::AccessToken;

use super::store::{StoreError, StoredTokens, TokenStore};
use crate::oauth::{AppCredentials, TokenSet};
use crate::{Client, Error};

/// Refresh this long before the access token's expiry.
const EARLY: Duration = Duration::seconds(60);
/// HMRC's grant lasts 18 months.
pub const GRANT_DAYS: i64 = 547;

/// Why there is no usable authority.
#[derive(Debug, thiserror::Error)]
pub enum AuthorityEnded {
    #[error("this software is not linked to HMRC for this profile")]
    NotLinked,
    #[error("Your authority for this software has ended or was removed")]
    Ended,
}

#[derive(Debug, thiserror::Error)]
pub enum FreshError {
    #[error(transparent)]
    NoAuthority(#[from] AuthorityEnded),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Api(#[from] Error),
}

/// What the software knows of who granted authority (from a test user's record; HMRC's
/// journey itself does not say).
#[derive(Debug, Clone, Default)]
pub struct Grantor {
    pub user_id: Option<String>,
    pub affinity_group: Option<String>,
    pub nino: Option<String>,
    pub arn: Option<String>,
    /// When HMRC granted it, on HMRC's clock where that differs from this machine's (the local
    /// HMRC's clock can be moved); this machine's clock otherwise.
    pub granted_at: Option<chrono::DateTime<Utc>>,
}

/// One environment and profile's authority.
#[derive(Debug, Clone)]
pub struct Authority {
    client: Client,
    app: AppCredentials,
    store: TokenStore,
    env: String,
    profile: String,
}

impl Authority {
    pub fn new(
        client: Client,
        app: AppCredentials,
        store: TokenStore,
        env: &str,
        profile: &str,
    ) -> Self {
        Self {
            client,
            app,
            store,
            env: env.to_owned(),
            profile: profile.to_owned(),
        }
    }

    /// Keeps a freshly granted pair, with what is known of who granted it.
    pub fn save_grant(&self, tokens: &TokenSet, who: Grantor) -> Result<StoredTokens, FreshError> {
        let refresh = tokens.refresh_token.clone().ok_or_else(|| Error::Decode {
            status: 200,
            reason: "HMRC issued no refresh token".into(),
            raw: String::new(),
            correlation_id: None,
        })?;
        let now = Utc::now();
        let record = StoredTokens {
            access_token: tokens.access_token.clone(),
            refresh_token: refresh,
            access_token_expires_at: now + expires_in(tokens),
            scopes: tokens.scope.clone(),
            granted_at: who.granted_at.unwrap_or(now),
            user_id: who.user_id,
            affinity_group: who.affinity_group,
            nino: who.nino,
            arn: who.arn,
        };
        self.store.save(&self.env, &self.profile, &record)?;
        Ok(record)
    }

    /// The stored record, if linked.
    pub fn stored(&self) -> Result<Option<StoredTokens>, FreshError> {
        Ok(self.store.load(&self.env, &self.profile)?)
    }

    /// An access token good to use now.
    pub async fn access_token(&self) -> Result<AccessToken, FreshError> {
        let record = self.stored()?.ok_or(AuthorityEnded::NotLinked)?;
        if record.access_token_expires_at - EARLY > Utc::now() {
            return Ok(record.access_token);
        }
        self.refresh_replacing(&record.access_token).await
    }

    /// Runs `call` with a good access token; on `INVALID_CREDENTIALS` refreshes once and runs it
    /// again.
    pub async fn call<T, F, Fut>(&self, call: F) -> Result<T, FreshError>
    where
        F: Fn(AccessToken) -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        let token = self.access_token().await?;
        match call(token.clone()).await {
            Err(e) if e.hmrc_code() == Some("INVALID_CREDENTIALS") => {
                tracing::debug!("HMRC refused the access token; refreshing once");
                let fresh = self.refresh_replacing(&token).await?;
                Ok(call(fresh).await?)
            }
            other => Ok(other?),
        }
    }

    /// Replaces `used` with a fresh token, unless another thread or process already did.
    async fn refresh_replacing(&self, used: &AccessToken) -> Result<AccessToken, FreshError> {
        let store = self.store.clone();
        let (env, profile) = (self.env.clone(), self.profile.clone());
        let _lock = tokio::task::spawn_blocking(move || store.lock(&env, &profile))
            .await
            .map_err(|e| StoreError::Io {
                path: "token lock".into(),
                source: std::io::Error::other(e),
            })??;
        let record = self.stored()?.ok_or(AuthorityEnded::NotLinked)?;
        if record.access_token.secret() != used.secret() {
            tracing::debug!("another process refreshed the tokens; using its pair");
            return Ok(record.access_token);
        }
        tracing::debug!("refreshing the access token");
        let tokens = match self
            .client
            .oauth(&self.app)
            .refresh(&record.refresh_token)
            .await
        {
            Ok(t) => t,
            // HMRC once documented `invalid_request` for an ended grant; both mean "link again".
            Err(Error::OAuth { error, .. })
                if error == "invalid_grant" || error == "invalid_request" =>
            {
                return Err(AuthorityEnded::Ended.into());
            }
            Err(e) => return Err(e.into()),
        };
        let renewed = StoredTokens {
            access_token: tokens.access_token.clone(),
            refresh_token: tokens.refresh_token.clone().unwrap_or(record.refresh_token),
            access_token_expires_at: Utc::now() + expires_in(&tokens),
            scopes: if tokens.scope.is_empty() {
                record.scopes
            } else {
                tokens.scope.clone()
            },
            granted_at: record.granted_at,
            user_id: record.user_id,
            affinity_group: record.affinity_group,
            nino: record.nino,
            arn: record.arn,
        };
        self.store.save(&self.env, &self.profile, &renewed)?;
        Ok(renewed.access_token)
    }

    /// Forgets the local tokens. The authority itself lives on at HMRC until the user removes it.
    pub fn forget(&self) -> Result<bool, FreshError> {
        Ok(self.store.remove(&self.env, &self.profile)?)
    }
}

fn expires_in(tokens: &TokenSet) -> Duration {
    tokens
        .expires_in
        .and_then(|d| Duration::from_std(d).ok())
        .unwrap_or(Duration::hours(4))
}

//! Access and refresh tokens: issued, checked and rotated. Only hashes are stored.
//!
//! A refresh is two short transactions with the fresh pair made in between: the first marks the
//! old refresh token `refreshing` (a concurrent refresh of the same token then gets HMRC's
//! "already in progress"), the second stores the new pair, kills the old access token and marks
//! the old refresh token `used`. A refresh left `refreshing` by a crashed process is taken over
//! after `TAKEOVER_MS` on the wall clock, so nothing depends on a process staying alive.

use crate::store::CachedQuery;
use mtd_domain::Scopes;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use crate::secrets::{random_hex32, sha256_hex};
use crate::store::{Store, StoreError};

/// Access tokens last four hours.
pub const ACCESS_TOKEN_MS: i64 = 4 * 3600 * 1000;
const TAKEOVER_MS: i64 = 10_000;
const DAY_MS: i64 = 24 * 3600 * 1000;

/// The body `/oauth/token` answers with.
#[derive(Debug, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    pub expires_in: i64,
    pub scope: String,
    pub token_type: &'static str,
}

/// A bearer token the gateway has accepted, and its application's limits.
#[derive(Debug, Clone)]
pub struct Bearer {
    pub client_id: String,
    /// `None` for a client-credentials token.
    pub user_id: Option<String>,
    pub scopes: Scopes,
    /// The application's own rate limit, if it has one.
    pub rate_limit: Option<u32>,
    /// The application's subscriptions; `None` is every API.
    pub subscriptions: Option<Vec<crate::gateway::Api>>,
}

#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    #[error("refresh_token is invalid")]
    Invalid,
    #[error("refresh already in progress")]
    InProgress,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for RefreshError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Store(e.into())
    }
}

/// An application token, with no refresh token. An empty scope list comes back as `default`.
pub fn issue_client_credentials(
    store: &Store,
    client_id: &str,
    scopes: &Scopes,
    now_ms: i64,
) -> Result<TokenResponse, StoreError> {
    let access = random_hex32();
    store.write(|tx| {
        tx.execute(
            "INSERT INTO access_tokens (token_hash, client_id, grant_id, scopes, expires_at_ms) VALUES (?1, ?2, NULL, ?3, ?4)",
            params![sha256_hex(&access), client_id, scopes.to_string(), now_ms + ACCESS_TOKEN_MS],
        )
    })?;
    let scope = if scopes.is_empty() {
        "default".to_owned()
    } else {
        scopes.to_string()
    };
    Ok(TokenResponse {
        access_token: access,
        refresh_token: None,
        expires_in: ACCESS_TOKEN_MS / 1000,
        scope,
        token_type: "bearer",
    })
}

/// Records a user's grant of `scopes` to an application and issues its first token pair.
pub fn grant(
    store: &Store,
    client_id: &str,
    user_id: &str,
    scopes: &Scopes,
    grant_length_days: i64,
    now_ms: i64,
) -> Result<TokenResponse, StoreError> {
    let pair = Pair::new();
    store.write(|tx| {
        insert_grant(
            tx,
            &pair,
            client_id,
            user_id,
            scopes,
            grant_length_days,
            now_ms,
        )
    })?;
    Ok(pair.response(scopes.to_string()))
}

/// Like [`grant`], for an authorization code, which is spent in the same transaction so two
/// exchanges of one code cannot both succeed. `None` if the code was already spent.
pub fn grant_from_code(
    store: &Store,
    code_hash: &str,
    client_id: &str,
    user_id: &str,
    scopes: &Scopes,
    grant_length_days: i64,
    now_ms: i64,
) -> Result<Option<TokenResponse>, StoreError> {
    let pair = Pair::new();
    let issued = store.write(|tx| {
        if !super::codes::spend(tx, code_hash)? {
            return Ok(false);
        }
        insert_grant(
            tx,
            &pair,
            client_id,
            user_id,
            scopes,
            grant_length_days,
            now_ms,
        )?;
        Ok(true)
    })?;
    Ok(issued.then(|| pair.response(scopes.to_string())))
}

fn insert_grant(
    tx: &rusqlite::Transaction<'_>,
    pair: &Pair,
    client_id: &str,
    user_id: &str,
    scopes: &Scopes,
    grant_length_days: i64,
    now_ms: i64,
) -> Result<(), rusqlite::Error> {
    tx.execute(
        "INSERT INTO grants (client_id, user_id, scopes, granted_at_ms, ends_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![client_id, user_id, scopes.to_string(), now_ms, now_ms + grant_length_days * DAY_MS],
    )?;
    pair.insert(
        tx,
        client_id,
        tx.last_insert_rowid(),
        &scopes.to_string(),
        now_ms,
    )
}

/// Spends `refresh_token` (which must be `client_id`'s) for a new pair.
pub fn refresh(
    store: &Store,
    client_id: &str,
    refresh_token: &str,
    now_ms: i64,
    wall_ms: i64,
) -> Result<TokenResponse, RefreshError> {
    let hash = sha256_hex(refresh_token);
    let (grant_id, scopes, old_access) = store.write(|tx| {
        let row = tx
            .query_row_cached(
                "SELECT r.grant_id, r.state, r.refreshing_since_ms, r.access_hash, g.client_id, g.scopes,
                        g.ends_at_ms, g.revoked_at_ms
                 FROM refresh_tokens r JOIN grants g ON g.id = r.grant_id WHERE r.token_hash = ?1",
                [&hash],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Option<i64>>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, i64>(6)?,
                        r.get::<_, Option<i64>>(7)?,
                    ))
                },
            )
            .optional()?;
        let Some((grant_id, state, since, access, owner, scopes, ends_at, revoked)) = row else {
            return Ok(Err(RefreshError::Invalid));
        };
        if owner != client_id || revoked.is_some() || now_ms >= ends_at || state == "used" {
            return Ok(Err(RefreshError::Invalid));
        }
        if state == "refreshing" && since.is_some_and(|s| wall_ms - s < TAKEOVER_MS) {
            return Ok(Err(RefreshError::InProgress));
        }
        tx.execute(
            "UPDATE refresh_tokens SET state = 'refreshing', refreshing_since_ms = ?2 WHERE token_hash = ?1",
            params![hash, wall_ms],
        )?;
        Ok(Ok((grant_id, scopes, access)))
    })??;

    let pair = Pair::new();
    store.write(|tx| {
        // Only the refresh that marked the token may finish it.
        let still_ours = tx.execute(
            "UPDATE refresh_tokens SET state = 'used' WHERE token_hash = ?1 AND state = 'refreshing' AND refreshing_since_ms = ?2",
            params![hash, wall_ms],
        )?;
        if still_ours == 0 {
            return Ok(Err(RefreshError::Invalid));
        }
        tx.execute("DELETE FROM access_tokens WHERE token_hash = ?1", [&old_access])?;
        pair.insert(tx, client_id, grant_id, &scopes, now_ms)?;
        Ok(Ok(()))
    })??;
    Ok(pair.response(scopes))
}

/// The live token behind a bearer string, if any, with what the gateway needs to know of its
/// application. One query reads the token, its grant, its application and the sandbox clock, as
/// this runs on every API request.
pub fn authenticate(
    store: &Store,
    token: &str,
    wall_ms: i64,
) -> Result<Option<Bearer>, StoreError> {
    let conn = store.reader();
    let row = conn
        .prepare_cached(
            "SELECT a.client_id, a.scopes, a.expires_at_ms, g.user_id, g.revoked_at_ms,
                    app.rate_limit, app.subscriptions, (SELECT offset_ms FROM clock WHERE id = 1)
             FROM access_tokens a
             JOIN applications app ON app.client_id = a.client_id
             LEFT JOIN grants g ON g.id = a.grant_id
             WHERE a.token_hash = ?1",
        )?
        .query_row([sha256_hex(token)], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<i64>>(4)?,
                r.get::<_, Option<u32>>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, i64>(7)?,
            ))
        })
        .optional()?;
    Ok(row.and_then(
        |(client_id, scopes, expires_at, user_id, revoked, rate_limit, subscriptions, offset)| {
            let live = wall_ms + offset < expires_at && revoked.is_none();
            live.then(|| Bearer {
                client_id,
                user_id,
                // Stored scopes were parsed when granted, so they parse again.
                scopes: Scopes::parse(&scopes).unwrap_or_default(),
                rate_limit,
                subscriptions: subscriptions.map(|json| crate::apps::parse_subscriptions(&json)),
            })
        },
    ))
}

/// A fresh access and refresh token, not yet stored.
struct Pair {
    access: String,
    refresh: String,
}

impl Pair {
    fn new() -> Self {
        Self {
            access: random_hex32(),
            refresh: random_hex32(),
        }
    }

    fn insert(
        &self,
        tx: &rusqlite::Transaction<'_>,
        client_id: &str,
        grant_id: i64,
        scopes: &str,
        now_ms: i64,
    ) -> Result<(), rusqlite::Error> {
        let access_hash = sha256_hex(&self.access);
        tx.execute(
            "INSERT INTO access_tokens (token_hash, client_id, grant_id, scopes, expires_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![access_hash, client_id, grant_id, scopes, now_ms + ACCESS_TOKEN_MS],
        )?;
        tx.execute(
            "INSERT INTO refresh_tokens (token_hash, grant_id, access_hash, state) VALUES (?1, ?2, ?3, 'live')",
            params![sha256_hex(&self.refresh), grant_id, access_hash],
        )?;
        Ok(())
    }

    fn response(self, scope: String) -> TokenResponse {
        TokenResponse {
            access_token: self.access,
            refresh_token: Some(self.refresh),
            expires_in: ACCESS_TOKEN_MS / 1000,
            scope,
            token_type: "bearer",
        }
    }
}

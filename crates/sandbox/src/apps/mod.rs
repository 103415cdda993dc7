//! Applications, HMRC's Developer Hub reduced to what matters here: client ID, hashed client
//! secrets, redirect URIs, API subscriptions, rate limit and grant length.

pub mod redirect_uri;

use rusqlite::{OptionalExtension, params};

use crate::gateway::Api;
use crate::secrets;
use crate::store::{Store, StoreError};

/// HMRC's default grant length: 18 months.
pub const DEFAULT_GRANT_LENGTH_DAYS: i64 = 547;
pub const MAX_REDIRECT_URIS: usize = 5;

#[derive(Debug, Clone)]
pub struct Application {
    pub client_id: String,
    pub name: String,
    /// `None`: the server's default.
    pub rate_limit: Option<u32>,
    /// `None`: subscribed to every API.
    pub subscriptions: Option<Vec<Api>>,
    pub grant_length_days: i64,
    pub redirect_uris: Vec<String>,
}

#[derive(Debug)]
pub struct NewApplication {
    pub name: String,
    pub redirect_uris: Vec<String>,
    pub rate_limit: Option<u32>,
    pub subscriptions: Option<Vec<Api>>,
    pub grant_length_days: Option<i64>,
}

/// Keeps the first of each repeated item, in order.
fn distinct<T: PartialEq + Clone>(items: &[T]) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(items.len());
    for i in items {
        if !out.contains(i) {
            out.push(i.clone());
        }
    }
    out
}

impl NewApplication {
    /// The request with repeated redirect URIs and subscriptions counted once.
    pub fn new(
        name: String,
        redirect_uris: &[String],
        rate_limit: Option<u32>,
        subscriptions: Option<&[Api]>,
        grant_length_days: Option<i64>,
    ) -> Self {
        Self {
            name,
            redirect_uris: distinct(redirect_uris),
            rate_limit,
            subscriptions: subscriptions.map(distinct),
            grant_length_days,
        }
    }

    /// Checks the Developer Hub's rules; the message says what to fix.
    pub fn validate(&self) -> Result<(), String> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err("name must be 1 to 100 characters".into());
        }
        if self.redirect_uris.len() > MAX_REDIRECT_URIS {
            return Err(format!(
                "at most {MAX_REDIRECT_URIS} redirect URIs may be registered"
            ));
        }
        for uri in &self.redirect_uris {
            redirect_uri::validate(uri).map_err(|why| format!("redirect URI {uri:?} {why}"))?;
        }
        if self.rate_limit.is_some_and(|r| r > 100_000) {
            return Err("rateLimit must be 0 (none) to 100000 requests a second".into());
        }
        if self
            .grant_length_days
            .is_some_and(|d| !(1..=36_500).contains(&d))
        {
            return Err("grantLengthDays must be 1 to 36500".into());
        }
        Ok(())
    }
}

/// Creates an application and its first client secret, which is returned once and kept only
/// as a hash.
pub fn create(
    store: &Store,
    new: &NewApplication,
    now_ms: i64,
) -> Result<(Application, String), StoreError> {
    let client_id = secrets::random_alphanumeric(28);
    let secret = secrets::random_hex32();
    let uris = new.redirect_uris.clone();
    let subs = new.subscriptions.as_ref().map(|s| {
        serde_json::to_string(&s.iter().map(|a| a.context()).collect::<Vec<_>>()).expect("strings")
    });
    let grant_length_days = new.grant_length_days.unwrap_or(DEFAULT_GRANT_LENGTH_DAYS);
    store.write(|tx| {
        tx.execute(
            "INSERT INTO applications (client_id, name, rate_limit, subscriptions, grant_length_days, created_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![client_id, new.name.trim(), new.rate_limit, subs, grant_length_days, now_ms],
        )?;
        tx.execute(
            "INSERT INTO client_secrets (secret_hash, client_id, created_at_ms) VALUES (?1, ?2, ?3)",
            params![secrets::sha256_hex(&secret), client_id, now_ms],
        )?;
        for uri in &uris {
            tx.execute(
                "INSERT OR IGNORE INTO redirect_uris (client_id, uri) VALUES (?1, ?2)",
                params![client_id, uri],
            )?;
        }
        Ok(())
    })?;
    let app = Application {
        client_id,
        name: new.name.trim().to_owned(),
        rate_limit: new.rate_limit,
        subscriptions: new.subscriptions.clone(),
        grant_length_days,
        redirect_uris: uris,
    };
    Ok((app, secret))
}

pub fn find(store: &Store, client_id: &str) -> Result<Option<Application>, StoreError> {
    let conn = store.reader();
    let row = conn
        .prepare_cached(
            "SELECT name, rate_limit, subscriptions, grant_length_days FROM applications WHERE client_id = ?1",
        )?
        .query_row([client_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Option<u32>>(1)?, r.get::<_, Option<String>>(2)?, r.get(3)?))
        })
        .optional()?;
    let Some((name, rate_limit, subs, grant_length_days)) = row else {
        return Ok(None);
    };
    let redirect_uris = conn
        .prepare_cached("SELECT uri FROM redirect_uris WHERE client_id = ?1 ORDER BY rowid")?
        .query_map([client_id], |r| r.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    let subscriptions = subs.map(|json| parse_subscriptions(&json));
    Ok(Some(Application {
        client_id: client_id.to_owned(),
        name,
        rate_limit,
        subscriptions,
        grant_length_days,
        redirect_uris,
    }))
}

/// Subscriptions as stored: a JSON array of API contexts.
pub fn parse_subscriptions(json: &str) -> Vec<Api> {
    serde_json::from_str::<Vec<String>>(json)
        .unwrap_or_default()
        .iter()
        .filter_map(|c| Api::from_context(c))
        .collect()
}

/// The application whose ID this is and one of whose live secrets this is.
pub fn authenticate(
    store: &Store,
    client_id: &str,
    secret: &str,
) -> Result<Option<Application>, StoreError> {
    let owner: Option<String> = store
        .reader()
        .prepare_cached("SELECT client_id FROM client_secrets WHERE secret_hash = ?1")?
        .query_row([secrets::sha256_hex(secret)], |r| r.get(0))
        .optional()?;
    match owner {
        Some(owner) if owner == client_id => find(store, client_id),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_app(uris: &[&str]) -> NewApplication {
        NewApplication {
            name: "Test software".into(),
            redirect_uris: uris.iter().map(|s| s.to_string()).collect(),
            rate_limit: None,
            subscriptions: None,
            grant_length_days: None,
        }
    }

    #[test]
    fn secrets_belong_to_their_application() {
        let store = Store::in_memory().unwrap();
        let (a, secret_a) = create(&store, &new_app(&["http://localhost"]), 0).unwrap();
        let (b, secret_b) = create(&store, &new_app(&[]), 0).unwrap();
        assert_eq!(a.client_id.len(), 28);
        assert!(
            authenticate(&store, &a.client_id, &secret_a)
                .unwrap()
                .is_some()
        );
        assert!(
            authenticate(&store, &a.client_id, &secret_b)
                .unwrap()
                .is_none()
        );
        assert!(
            authenticate(&store, &b.client_id, &secret_a)
                .unwrap()
                .is_none()
        );
        assert!(authenticate(&store, "nobody", &secret_a).unwrap().is_none());
        let found = find(&store, &a.client_id).unwrap().unwrap();
        assert_eq!(found.redirect_uris, vec!["http://localhost"]);
        assert_eq!(found.grant_length_days, DEFAULT_GRANT_LENGTH_DAYS);
        assert!(found.subscriptions.is_none(), "every API by default");
    }

    #[test]
    fn hub_rules() {
        assert!(new_app(&["https://a.example/cb"]).validate().is_ok());
        let six = ["https://a.example/1"; 6];
        assert!(new_app(&six).validate().is_err());
        assert!(new_app(&["http://a.example/cb"]).validate().is_err());
        let mut blank = new_app(&[]);
        blank.name = "  ".into();
        assert!(blank.validate().is_err());
    }
}

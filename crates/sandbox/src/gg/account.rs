//! A Government Gateway credential as sign-in, 2-step verification and identity checks see it.

use crate::store::CachedQuery;
use rusqlite::{OptionalExtension, params};
use serde_json::Value;

use crate::store::{Store, StoreError};

#[derive(Debug, Clone)]
pub struct Account {
    pub user_id: String,
    pub password_hash: String,
    pub affinity_group: String,
    pub group_id: String,
    pub confidence_level: u16,
    /// `unregistered`, `registered` or `off`.
    pub two_step: String,
    /// `app` or `phone`, once registered.
    pub two_step_method: Option<String>,
    pub totp_secret: Option<String>,
    pub totp_last_step: Option<i64>,
    pub phone: Option<String>,
    pub failed_sign_ins: i64,
    pub locked_until_ms: Option<i64>,
    pub two_step_failures: i64,
    pub identity_failures: i64,
    pub identity_locked_until_ms: Option<i64>,
    /// What Create Test User answered, less the password.
    pub profile: Value,
}

impl Account {
    /// The credential, unless it does not exist or has been removed (a removed credential's
    /// tokens still pass the gateway, but nothing behind it knows the user any more).
    pub fn load(store: &Store, user_id: &str) -> Result<Option<Account>, StoreError> {
        Ok(store
            .reader()
            .query_row_cached(
                "SELECT user_id, password_hash, affinity_group, group_id, confidence_level, two_step, two_step_method,
                        totp_secret, totp_last_step, phone, failed_sign_ins, locked_until_ms, profile,
                        two_step_failures, identity_failures, identity_locked_until_ms
                 FROM users WHERE user_id = ?1 AND removed_at_ms IS NULL",
                [user_id],
                |r| {
                    Ok(Account {
                        user_id: r.get(0)?,
                        password_hash: r.get(1)?,
                        affinity_group: r.get(2)?,
                        group_id: r.get(3)?,
                        confidence_level: r.get(4)?,
                        two_step: r.get(5)?,
                        two_step_method: r.get(6)?,
                        totp_secret: r.get(7)?,
                        totp_last_step: r.get(8)?,
                        phone: r.get(9)?,
                        failed_sign_ins: r.get(10)?,
                        locked_until_ms: r.get(11)?,
                        profile: serde_json::from_str(&r.get::<_, String>(12)?).unwrap_or(Value::Null),
                        two_step_failures: r.get(13)?,
                        identity_failures: r.get(14)?,
                        identity_locked_until_ms: r.get(15)?,
                    })
                },
            )
            .optional()?)
    }

    pub fn is_agent(&self) -> bool {
        self.affinity_group == "Agent"
    }

    /// Whether the user's group holds an enrolment for `service`.
    pub fn has_enrolment(&self, store: &Store, service: &str) -> Result<bool, StoreError> {
        Ok(store
            .reader()
            .query_row_cached(
                "SELECT 1 FROM enrolments WHERE group_id = ?1 AND service = ?2",
                params![self.group_id, service],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// The identifier of the group's enrolment for `service` (its first, for one with several).
    pub fn enrolment_value(
        &self,
        store: &Store,
        service: &str,
    ) -> Result<Option<String>, StoreError> {
        Ok(store
            .reader()
            .query_row_cached(
                "SELECT identifier_value FROM enrolments WHERE group_id = ?1 AND service = ?2 ORDER BY identifier_name LIMIT 1",
                params![self.group_id, service],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// A string field of the profile, by JSON pointer (`/individualDetails/dateOfBirth`).
    pub fn fact(&self, pointer: &str) -> Option<&str> {
        self.profile.pointer(pointer).and_then(Value::as_str)
    }

    pub fn display_name(&self) -> &str {
        self.fact("/userFullName").unwrap_or("you")
    }
}

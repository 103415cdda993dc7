//! Government Gateway, as the grant-authority journey meets it: sign in, 2-step verification,
//! identity checks. Numbers HMRC does not publish (lockout, identity attempts) are settings in
//! [`JourneySettings`], with our choices as defaults.

pub mod account;
pub mod identity;
pub mod sign_in;
pub mod totp;
pub mod two_step;

/// The journey's unpublished numbers and unconfirmed behaviours.
#[derive(Debug, Clone)]
pub struct JourneySettings {
    /// Wrong passwords in a row that lock an account.
    pub max_sign_in_failures: i64,
    /// How long a lock lasts, on the sandbox clock.
    pub lockout_ms: i64,
    /// Failed identity checks that end the journey with `access_denied`.
    pub identity_attempts: i64,
    /// How long identity checks stay closed to a user after that.
    pub identity_lockout_ms: i64,
    /// Wrong 2-step verification codes in a row that lock the account (like wrong passwords).
    pub max_two_step_failures: i64,
    /// Whether an Agent without `HMRC-AS-AGENT` may grant authority. HMRC's behaviour is
    /// unconfirmed; by default such an agent is refused with a page saying it needs an agent
    /// services account.
    pub agent_without_asa_may_grant: bool,
}

impl Default for JourneySettings {
    fn default() -> Self {
        Self {
            max_sign_in_failures: 5,
            lockout_ms: 15 * 60 * 1000,
            identity_attempts: 3,
            identity_lockout_ms: 24 * 3600 * 1000,
            max_two_step_failures: 5,
            agent_without_asa_may_grant: false,
        }
    }
}

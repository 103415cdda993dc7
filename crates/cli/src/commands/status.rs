//! `mtd status`: whether this profile is linked, for what, and until when.

use chrono::{DateTime, Duration, Utc};
use mtd_client::tokens::{GRANT_DAYS, StoredTokens};
use serde_json::json;

use crate::context::Context;
use crate::output::{CliError, Exit, emit};

/// HMRC ends a grant 18 months after it was made.
pub fn authority_ends(record: &StoredTokens) -> DateTime<Utc> {
    record.granted_at + Duration::days(GRANT_DAYS)
}

pub async fn run(ctx: &Context) -> Result<Exit, CliError> {
    let authority = ctx.authority().await?;
    let Some(record) = authority.stored()? else {
        let value =
            json!({ "environment": ctx.env.as_str(), "profile": ctx.profile, "linked": false });
        emit(ctx.json, &value, || {
            format!(
                "Not linked to HMRC ({}, profile {}). Run `mtd link`.",
                ctx.env.as_str(),
                ctx.profile
            )
        });
        return Ok(Exit::Done);
    };
    let ends = authority_ends(&record);
    let now = ctx.hmrc_now().await;
    let days_left = (ends - now).num_days();
    let warning = (days_left <= 30).then(|| {
        if ends <= now {
            "The authority has ended: run `mtd link`.".to_owned()
        } else {
            format!(
                "The authority ends in {days_left} days: run `mtd link` before then to keep filing."
            )
        }
    });
    let value = json!({
        "environment": ctx.env.as_str(),
        "profile": ctx.profile,
        "linked": ends > now,
        "userId": record.user_id,
        "affinityGroup": record.affinity_group,
        "scopes": record.scopes.split(' ').collect::<Vec<_>>(),
        "accessTokenExpiresAt": record.access_token_expires_at,
        "authorityEndsAt": ends,
        "warning": warning,
    });
    emit(ctx.json, &value, || {
        let mut lines = vec![
            format!(
                "Linked to HMRC ({}, profile {}).",
                ctx.env.as_str(),
                ctx.profile
            ),
            format!(
                "  user:          {} ({})",
                record.user_id.as_deref().unwrap_or("not known"),
                record.affinity_group.as_deref().unwrap_or("-")
            ),
            format!("  scopes:        {}", record.scopes),
            format!(
                "  access token:  expires {}",
                record.access_token_expires_at.format("%Y-%m-%d %H:%M UTC")
            ),
            format!("  authority:     ends {}", ends.format("%Y-%m-%d")),
        ];
        if let Some(w) = &warning {
            lines.push(format!("  warning:       {w}"));
        }
        lines.join("\n")
    });
    Ok(Exit::Done)
}

//! `mtd unlink`: forgets this profile's tokens here. The authority itself is removed on HMRC's
//! "manage authorised applications" page.

use serde_json::json;

use crate::context::Context;
use crate::output::{CliError, Exit, emit};

pub async fn run(ctx: &Context) -> Result<Exit, CliError> {
    let authority = ctx.authority().await?;
    let forgot = authority.forget()?;
    let manage = ctx
        .client
        .environment()
        .www_url("/applications-manage-authority/applications");
    let value = json!({ "environment": ctx.env.as_str(), "profile": ctx.profile, "forgotten": forgot, "manageAuthorityAt": manage });
    emit(ctx.json, &value, || {
        let first = if forgot {
            "The tokens for this profile are forgotten on this machine."
        } else {
            "This profile was not linked on this machine."
        };
        format!("{first}\nHMRC still lists the authority until you remove it at:\n  {manage}")
    });
    Ok(Exit::Done)
}

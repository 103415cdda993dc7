//! `mtd unlink`: forgets this profile's tokens here. The authority itself is removed on HMRC's
//! "manage authorised applications" page.

use serde_json::json;

use crate::args::EnvName;
use crate::context::Context;
use crate::output::{CliError, Exit, emit};

pub async fn run(ctx: &Context) -> Result<Exit, CliError> {
    let authority = ctx.authority().await?;
    let forgot = authority.forget()?;
    // The embedded local HMRC lives only while a command runs, so its pages have no lasting
    // address: `mtd sandbox serve` over the same database gives one.
    let manage = match ctx.env {
        EnvName::Embedded => format!(
            "http://127.0.0.1:9000/applications-manage-authority/applications (after `mtd sandbox serve --db {}`)",
            ctx.env_dir.join("hmrc.db").display()
        ),
        _ => ctx
            .client
            .environment()
            .www_url("/applications-manage-authority/applications"),
    };
    let value = json!({ "environment": ctx.env.as_str(), "profile": ctx.profile, "forgotten": forgot, "manageAuthorityAt": manage });
    emit(ctx.json, &value, || {
        if forgot {
            format!(
                "The tokens for this profile are forgotten on this machine.\nHMRC still lists the authority until you remove it at:\n  {manage}"
            )
        } else {
            "This profile was not linked on this machine: nothing to forget.".to_owned()
        }
    });
    Ok(Exit::Done)
}

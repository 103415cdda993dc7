//! `mtd open JOURNEY`: the local HMRC's web journeys (agent services account, Self Assessment
//! registration, sign-up, manage authority) in the browser. HMRC's own journeys live on GOV.UK;
//! this is for the local HMRC.

use std::io::BufRead;

use serde_json::json;

use crate::args::{EnvName, WebJourney};
use crate::context::Context;
use crate::output::{CliError, Exit, emit};

pub async fn run(
    ctx: &Context,
    journey: WebJourney,
    invitation: Option<String>,
) -> Result<Exit, CliError> {
    ctx.require_local("mtd open")?;
    let path = match (journey, invitation) {
        (WebJourney::ClientAuthorisation, Some(id))
            if id.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            format!("{}/{id}", journey.path())
        }
        (WebJourney::ClientAuthorisation, _) => {
            return Err(CliError::usage(
                "give the request's ID with --invitation ID",
            ));
        }
        _ => journey.path().to_owned(),
    };
    let url = ctx.client.environment().www_url(&path);
    let opened = super::link::has_display() && webbrowser::open(&url).is_ok();
    emit(ctx.json, &json!({ "url": url, "opened": opened }), || {
        format!(
            "Open this address in your browser:\n  {url}{}",
            if opened {
                "\n(Your browser should have opened it.)"
            } else {
                ""
            }
        )
    });
    if ctx.env == EnvName::Embedded {
        // The embedded HMRC lives only as long as this command: wait for the person.
        eprintln!("The local HMRC runs until you press Enter.");
        let mut line = String::new();
        let _ = std::io::stdin().lock().read_line(&mut line);
    }
    Ok(Exit::Done)
}

//! `mtd journey`: the whole story on a fresh embedded HMRC, narrated as it happens.
//! It runs in a temporary data dir from a fixed date, so it never depends on today.

use mtd_client::api::test_users::UserKind;
use serde::Serialize;
use serde_json::json;

use crate::args::{EnvName, Global};
use crate::context::Context;
use crate::output::{CliError, Exit, emit, print_line};

/// The journey's fixed starting point on the sandbox clock.
const START: &str = "2025-06-01T09:00:00Z";

#[derive(Debug, Serialize)]
struct Step {
    /// The seed journey's step number, when the line is one of its nine steps.
    step: Option<u8>,
    title: String,
    detail: String,
}

/// Collects the steps; prints each at once unless the output is JSON.
pub(super) struct Narrator {
    json: bool,
    steps: Vec<Step>,
}

impl Narrator {
    pub(super) fn say(&mut self, step: Option<u8>, title: &str, detail: String) {
        if !self.json {
            let mark = step.map_or_else(|| "   ".to_owned(), |n| format!("{n:>2}."));
            print_line(&format!("{mark} {title}"));
            for line in detail.lines() {
                print_line(&format!("      {line}"));
            }
        }
        self.steps.push(Step {
            step,
            title: title.to_owned(),
            detail,
        });
    }
}

pub async fn run(global: &Global) -> Result<Exit, CliError> {
    if global.env != EnvName::Embedded {
        return Err(CliError::usage(
            "the journey always runs on a fresh local HMRC inside this process",
        )
        .hint("run it without --env (or with --env embedded)"));
    }
    let scratch = tempfile::tempdir()?;
    let journey_global = Global {
        env: EnvName::Embedded,
        profile: "journey".into(),
        data_dir: Some(scratch.path().to_owned()),
        json: global.json,
        batch: global.batch,
        test_scenario: None,
        verbose: global.verbose,
    };
    let ctx = Context::open(&journey_global).await?;
    let mut n = Narrator {
        json: global.json,
        steps: Vec::new(),
    };
    let hmrc = ctx.client.environment().api_base.clone();

    let clock = ctx.client.test_support().set_clock(START).await?;
    let creds = ctx.app_credentials().await?;
    n.say(
        None,
        "Setting the scene",
        format!(
            "A local HMRC runs inside this process at {hmrc}; its clock reads {}.\nThe software is registered with HMRC's Developer Hub (client ID {}).",
            clock.now,
            creds.client_id.as_str()
        ),
    );
    // Setting up: agents, authorisations, Self Assessment registration, sign-up.
    let agents_client = super::journey_setup::run(&ctx, &mut n).await?;

    let user = super::sandbox::create_user(&ctx, UserKind::Individual, None, None, Some(200), None)
        .await?;
    let name = user.user_full_name.clone();
    n.say(
        None,
        "A sole trader, made with HMRC's Create Test User API",
        format!(
            "{name}: user ID {}, NINO {}, signed up for MTD Income Tax ({}).\nConfidence level 200, and no 2-step verification set up yet.",
            user.user_id,
            user.field("nino").unwrap_or("-"),
            user.field("mtdItId").unwrap_or("-"),
        ),
    );

    n.say(
        Some(1),
        "The business asks to link its software to HMRC",
        format!("{name} runs `mtd link`."),
    );
    let scopes = super::link::default_scopes(&ctx, false);
    n.say(
        Some(2),
        "The software launches HMRC's grant-authority journey",
        format!(
            "It opens {hmrc}/oauth/authorize asking for: {}.\nA random state and a PKCE challenge tie HMRC's answer to this request.",
            scopes.join(", ")
        ),
    );
    let authority = ctx.authority().await?;
    let scope_refs: Vec<&str> = scopes.iter().map(String::as_str).collect();
    let mut told = [false; 8];
    let record = super::link::link_test_user(&ctx, &authority, &user.user_id, None, &scope_refs, |page| {
        let (step, title, detail): (u8, &str, &str) = match page {
            "start" => (3, "HMRC's start page", "It names the software and explains what is about to happen. Continue."),
            "sign-in" => (4, "Sign in with Government Gateway", "User ID and password, on HMRC's sign-in page."),
            "two-step-setup" | "two-step-authenticator-app" | "two-step-code" => (
                5,
                "2-step verification",
                "First time: an authenticator app is set up from a QR code, and its 6-digit code entered.",
            ),
            "identity-check" => (
                6,
                "Identity checks",
                "Self Assessment scopes need confidence level 250; at 200 HMRC asks date of birth,\npostcode and NINO, checks them against what it holds, and raises the level to 250.",
            ),
            "grant-authority" => (7, "Grant authority", "HMRC lists what the software may do (\"View your Self Assessment information\", ...).\nGrant authority."),
            _ => return,
        };
        if !std::mem::replace(&mut told[usize::from(step)], true) {
            n.say(Some(step), title, detail.to_owned());
        }
    })
    .await?;
    n.say(
        Some(8),
        "HMRC generates an OAuth token",
        format!(
            "HMRC redirects back with a one-time code; the software exchanges it at /oauth/token\nwith its PKCE verifier for an access token (4 hours) and a refresh token (authority for 18 months).\nScopes: {}.",
            record.scopes
        ),
    );
    n.say(
        Some(9),
        "The software stores the token",
        "Encrypted (ChaCha20-Poly1305), in an owner-only file in the data dir. It is never printed.".into(),
    );

    let client = ctx.client.clone();
    let hello = authority
        .call(|t| {
            let c = client.clone();
            async move { c.hello().user(&t).await }
        })
        .await?;
    n.say(
        None,
        "The software calls HMRC as the business",
        format!(
            "GET /hello/user with the bearer token answers: {}",
            hello.message
        ),
    );

    ctx.client.test_support().advance_clock("5h").await?;
    let again = authority
        .call(|t| {
            let c = client.clone();
            async move { c.hello().user(&t).await }
        })
        .await?;
    n.say(
        None,
        "Five hours later",
        format!(
            "The access token has expired on HMRC's clock: HMRC answers INVALID_CREDENTIALS, the software\nspends its refresh token once, stores the new pair, and HMRC answers: {}",
            again.message
        ),
    );

    let nino = mtd_domain::Nino::parse(user.field("nino").unwrap_or_default())
        .map_err(|_| CliError::new("hmrc", "the test user has no NINO"))?;
    let year =
        mtd_domain::TaxYear::parse("2025-26").map_err(|e| CliError::new("hmrc", e.to_string()))?;
    let statuses = authority
        .call(|t| {
            let (c, n) = (client.clone(), nino.clone());
            async move {
                c.individual_details()
                    .itsa_status(&t, &n, year, true, false)
                    .await
            }
        })
        .await?;
    let described: Vec<String> = statuses
        .itsa_statuses
        .iter()
        .filter_map(|y| {
            y.itsa_status_details
                .first()
                .map(|d| format!("{} {}", y.tax_year, d.status))
        })
        .collect();
    n.say(
        None,
        "The business reads its ITSA status",
        format!(
            "Self Assessment Individual Details answers: {}.",
            described.join(", ")
        ),
    );

    super::journey_updates::run(&ctx, &mut n, &nino, &agents_client).await?;

    if global.json {
        emit(
            true,
            &json!({ "steps": n.steps, "result": again.message }),
            String::new,
        );
    } else {
        print_line(&format!("\nDone: {}", again.message));
    }
    Ok(Exit::Done)
}

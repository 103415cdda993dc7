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
    step: usize,
    title: String,
    detail: String,
}

/// Collects the steps; prints each at once unless the output is JSON.
struct Narrator {
    json: bool,
    steps: Vec<Step>,
}

impl Narrator {
    fn say(&mut self, title: &str, detail: String) {
        let step = self.steps.len() + 1;
        if !self.json {
            print_line(&format!("{step:>2}. {title}"));
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
        data_dir: Some(scratch.path().to_owned()),
        json: global.json,
        verbose: global.verbose,
    };
    let ctx = Context::open(&journey_global).await?;
    let mut n = Narrator {
        json: global.json,
        steps: Vec::new(),
    };
    let hmrc = ctx.client.environment().api_base.clone();

    let clock = ctx.client.test_support().set_clock(START).await?;
    n.say(
        "A local HMRC starts inside this process",
        format!("It listens on {hmrc}, keeps its state in a scratch folder,\nand its clock is set to {}.", clock.now),
    );

    let creds = ctx.app_credentials().await?;
    n.say(
        "The software registers with HMRC's Developer Hub",
        format!(
            "It gets a client ID ({}) and a client secret, kept hashed on HMRC's side.",
            creds.client_id.as_str()
        ),
    );

    let user =
        super::sandbox::create_user(&ctx, UserKind::Individual, Vec::new(), None, None, None)
            .await?;
    n.say(
        "HMRC's Create Test User API makes a sole trader",
        format!(
            "{} (user ID {}), NINO {}, signed up for MTD Income Tax as {}.\nThe call is application-restricted: the software used a client-credentials token.",
            user.user_full_name,
            user.user_id,
            user.field("nino").unwrap_or("-"),
            user.field("mtdItId").unwrap_or("-"),
        ),
    );

    let tokens = ctx
        .client
        .test_support()
        .mint_token(
            &creds.client_id,
            &user.user_id,
            &["hello", "read:self-assessment", "write:self-assessment"],
        )
        .await?;
    n.say(
        "The business grants the software authority",
        format!(
            "HMRC records the grant and issues an access token (valid 4 hours) and a refresh token.\nScopes: {}.",
            tokens.scope
        ),
    );

    let hello = ctx.client.hello().user(&tokens.access_token).await?;
    n.say(
        "The software calls HMRC as the business",
        format!("GET /hello/user answers: {}", hello.message),
    );

    ctx.client.test_support().advance_clock("5h").await?;
    let expired = ctx.client.hello().user(&tokens.access_token).await;
    let code = expired
        .as_ref()
        .err()
        .and_then(|e| e.hmrc_code())
        .unwrap_or("none")
        .to_owned();
    let refresh = tokens
        .refresh_token
        .as_ref()
        .ok_or_else(|| CliError::new("hmrc", "HMRC issued no refresh token"))?;
    let renewed = ctx.client.oauth(&creds).refresh(refresh).await?;
    let again = ctx.client.hello().user(&renewed.access_token).await?;
    n.say(
        "Five hours later the access token has expired",
        format!(
            "HMRC answers {code}; the software spends its refresh token once,\ngets a new pair, and HMRC answers: {}",
            again.message
        ),
    );

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

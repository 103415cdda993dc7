//! `mtd sandbox …`: run and script the local HMRC.

use mtd_client::api::test_support::NewApplication;
use mtd_client::api::test_users::{NewTestUser, TestUser, UserKind};
use serde_json::json;

use crate::args::{ClockCommand, Global, SandboxCommand, UserKindArg};
use crate::context::Context;
use crate::data_dir;
use crate::output::{CliError, Exit, emit};

pub async fn run(global: &Global, cmd: SandboxCommand) -> Result<Exit, CliError> {
    if let SandboxCommand::Serve(args) = cmd {
        mtd_sandbox::cli::serve(args)
            .await
            .map_err(|e| CliError::new("serve", e.to_string()))?;
        return Ok(Exit::Done);
    }
    // Bad arguments are the person's to fix before anything is sent.
    if let SandboxCommand::Clock(ClockCommand::Set { at }) = &cmd {
        chrono::DateTime::parse_from_rfc3339(at).map_err(|_| {
            CliError::usage(format!("{at:?} is not a date-time"))
                .hint("write it like 2025-06-01T09:00:00Z")
        })?;
    }
    if let SandboxCommand::Clock(ClockCommand::Advance { by }) = &cmd {
        humantime::parse_duration(by).map_err(|_| {
            CliError::usage(format!("{by:?} is not a duration"))
                .hint("write it like 30m, 5h, 548d or \"1h 30m\"")
        })?;
    }
    let ctx = super::open(global).await?;
    // HMRC's sandbox has this test support too.
    if let SandboxCommand::AddBusiness {
        kind,
        trading_name,
        start,
        calendar,
        client,
    } = cmd
    {
        let new = super::add_business::NewBusiness {
            kind,
            trading_name,
            start,
            calendar,
            client,
        };
        return super::add_business::run(&ctx, new).await;
    }
    ctx.require_local("mtd sandbox")?;
    match cmd {
        SandboxCommand::Serve(_) | SandboxCommand::AddBusiness { .. } => {
            unreachable!("handled above")
        }
        SandboxCommand::CreateApp {
            name,
            redirect_uris,
            rate_limit,
        } => {
            let app = ctx
                .client
                .test_support()
                .create_application(&NewApplication {
                    name,
                    redirect_uris,
                    rate_limit,
                    subscriptions: None,
                })
                .await?;
            let value = json!({
                "clientId": app.client_id, "clientSecret": app.client_secret, "name": app.name,
                "redirectUris": app.redirect_uris, "rateLimit": app.rate_limit,
                "subscriptions": app.subscriptions, "grantLengthDays": app.grant_length_days,
            });
            emit(ctx.json, &value, || {
                format!(
                    "Application {:?} registered.\n  client ID:     {}\n  client secret: {}\n  (the secret is shown only now: keep it somewhere safe)\n  redirect URIs: {}",
                    app.name,
                    app.client_id,
                    app.client_secret,
                    if app.redirect_uris.is_empty() {
                        "none".to_owned()
                    } else {
                        app.redirect_uris.join(", ")
                    }
                )
            });
        }
        SandboxCommand::CreateUser {
            kind,
            confidence_level,
            two_step,
            services,
            nino,
        } => {
            let kind = match kind {
                UserKindArg::Individual => UserKind::Individual,
                UserKindArg::Organisation => UserKind::Organisation,
                UserKindArg::Agent => UserKind::Agent,
            };
            let user = create_user(
                &ctx,
                kind,
                (!services.is_empty()).then_some(services),
                nino,
                confidence_level.and_then(|c| c.parse().ok()),
                two_step,
            )
            .await?;
            emit(ctx.json, &user, || describe_user(&user));
        }
        SandboxCommand::AnswerInvitation {
            invitation_id,
            reject,
        } => {
            let creds = ctx.app_credentials().await?;
            let token = ctx.client.oauth(&creds).client_credentials(&[]).await?;
            ctx.client
                .agent_authorisation()
                .answer(&token.access_token, &invitation_id, !reject)
                .await?;
            let word = if reject { "rejected" } else { "accepted" };
            emit(
                ctx.json,
                &json!({ "invitationId": invitation_id, "answer": word }),
                || format!("The client {word} authorisation request {invitation_id}."),
            );
        }
        SandboxCommand::Clock(c) => {
            let ts = ctx.client.test_support();
            let now = match c {
                ClockCommand::Show => ts.clock().await?,
                ClockCommand::Set { at } => ts.set_clock(&at).await?,
                ClockCommand::Advance { by } => ts.advance_clock(&by).await?,
            };
            emit(ctx.json, &now, || {
                format!("The local HMRC's clock reads {}", now.now)
            });
        }
    }
    Ok(Exit::Done)
}

/// Creates a test user with this software's application token and records it in the data
/// dir (`test-users/<userId>.json`, owner-only) so later commands can sign in as it.
pub async fn create_user(
    ctx: &Context,
    kind: UserKind,
    services: Option<Vec<String>>,
    nino: Option<String>,
    confidence_level: Option<u16>,
    two_step: Option<String>,
) -> Result<TestUser, CliError> {
    let creds = ctx.app_credentials().await?;
    let token = ctx.client.oauth(&creds).client_credentials(&[]).await?;
    // No list: the services MTD Income Tax needs for this kind of user.
    let service_names =
        services.unwrap_or_else(|| kind.mtd_services().iter().map(|s| s.to_string()).collect());
    let req = NewTestUser {
        service_names,
        nino,
        confidence_level,
        two_step_verification: two_step,
        tax_regime: None,
    };
    let user = ctx
        .client
        .test_users()
        .create(&token.access_token, kind, &req)
        .await?;
    data_dir::write_private_json(
        &ctx.env_dir
            .join("test-users")
            .join(format!("{}.json", user.user_id)),
        &user,
    )?;
    Ok(user)
}

fn describe_user(user: &TestUser) -> String {
    let mut lines = vec![
        format!("Test user created: {}", user.user_full_name),
        format!("  user ID:  {}", user.user_id),
        format!(
            "  password: {}  (a test credential, shown once)",
            user.password
        ),
    ];
    for (label, key) in [
        ("NINO", "nino"),
        ("SA UTR", "saUtr"),
        ("MTDITID", "mtdItId"),
        ("ARN", "agentServicesAccountNumber"),
        ("confidence level", "confidenceLevel"),
        ("2-step verification", "twoStepVerification"),
    ] {
        if let Some(v) = user.fields.get(key) {
            let v = v
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| v.to_string());
            lines.push(format!("  {label}: {v}"));
        }
    }
    lines.join("\n")
}

//! `mtd link`: HMRC's grant-authority journey, and keeping the tokens it ends with.
//!
//! Three ways through: the person's browser with a loopback redirect (the default), the
//! out-of-band code pasted back (`--oob`), or, on the local HMRC only, the page driver as a test
//! user (`--test-user`). HMRC's own pages are never driven by a program.

use std::io::{BufRead, IsTerminal};

use mtd_client::oauth::driver::{self, KnownFacts, TwoStepChoice};
use mtd_client::oauth::loopback::{self, Loopback};
use mtd_client::oauth::{Callback, PendingLink};
use mtd_client::tokens::{Authority, Grantor, StoredTokens};
use serde_json::{Value, json};

use crate::args::{EnvName, LinkArgs};
use crate::context::Context;
use crate::data_dir;
use crate::output::{CliError, Exit, emit};

const OOB: &str = "urn:ietf:wg:oauth:2.0:oob";

/// What an agent asks for besides: HMRC's Agent Authorisation API.
const AGENT_SCOPES: [&str; 4] = [
    "read:sent-invitations",
    "write:sent-invitations",
    "write:cancel-invitations",
    "read:check-relationship",
];

/// The scopes asked for unless `--scopes` says otherwise.
pub fn default_scopes(ctx: &Context, agent: bool) -> Vec<String> {
    let mut s = vec![
        "read:self-assessment".to_owned(),
        "write:self-assessment".to_owned(),
    ];
    if agent {
        s.extend(AGENT_SCOPES.iter().map(|s| s.to_string()));
    }
    if ctx.is_local() {
        s.push("hello".into());
    }
    s
}

pub async fn run(ctx: &Context, args: LinkArgs) -> Result<Exit, CliError> {
    if args.test_user.is_some() {
        ctx.require_local("mtd link --test-user")?;
    }
    // An agent asks for the Agent Authorisation API's scopes too; a test user says what it is.
    let agent = args.agent
        || match &args.test_user {
            Some(id) if ctx.is_local() => ctx
                .client
                .test_support()
                .user(id)
                .await
                .ok()
                .and_then(|f| f["affinityGroup"].as_str().map(|a| a == "Agent"))
                .unwrap_or(false),
            _ => false,
        };
    let scopes = if args.scopes.is_empty() {
        default_scopes(ctx, agent)
    } else {
        args.scopes.clone()
    };
    let scopes: Vec<&str> = scopes.iter().map(String::as_str).collect();
    let authority = ctx.authority().await?;
    let record = match &args.test_user {
        Some(user_id) => {
            ctx.require_local("mtd link --test-user")?;
            link_test_user(
                ctx,
                &authority,
                user_id,
                args.password.as_deref(),
                &scopes,
                |_| {},
            )
            .await?
        }
        None if args.oob => link_out_of_band(ctx, &authority, &scopes).await?,
        None => link_in_browser(ctx, &authority, &scopes).await?,
    };
    let value = json!({
        "environment": ctx.env.as_str(),
        "profile": ctx.profile,
        "linked": true,
        "userId": record.user_id,
        "scopes": record.scopes.split(' ').collect::<Vec<_>>(),
        "accessTokenExpiresAt": record.access_token_expires_at,
        "authorityEndsAt": super::status::authority_ends(&record),
    });
    emit(ctx.json, &value, || {
        format!(
            "Linked to HMRC ({}, profile {}) for: {}.\nThe tokens are stored encrypted in {}.",
            ctx.env.as_str(),
            ctx.profile,
            record.scopes,
            ctx.data_dir.join("tokens").display()
        )
    });
    Ok(Exit::Done)
}

async fn finish(
    ctx: &Context,
    authority: &Authority,
    pending: PendingLink,
    callback: Callback,
    who: Grantor,
) -> Result<StoredTokens, CliError> {
    let creds = ctx.app_credentials().await?;
    let tokens = ctx
        .client
        .oauth(&creds)
        .finish_link(pending, callback)
        .await
        .map_err(|e| {
            let bad_code = matches!(&e, mtd_client::Error::OAuth { description, .. } if description == "code is invalid");
            if bad_code {
                return CliError::from(e).hint("the code was mistyped, already used or is more than 10 minutes old: run `mtd link` again");
            }
            let refused = matches!(e, mtd_client::Error::AuthorizationRefused { .. });
            let err = CliError::from(e);
            if refused {
                err.hint("run `mtd link` again and choose \"Grant authority\"")
            } else {
                err
            }
        })?;
    Ok(authority.save_grant(&tokens, who)?)
}

/// The redirect URI for a browser link: a free port on the local HMRC, or exactly the
/// registered `MTD_REDIRECT_URI` against HMRC (whose port matching is unconfirmed).
fn loopback_target(ctx: &Context) -> Result<(u16, String), CliError> {
    if ctx.is_local() {
        return Ok((0, "/callback".into()));
    }
    let uri = std::env::var("MTD_REDIRECT_URI")
        .unwrap_or_else(|_| "http://localhost:9004/callback".into());
    let url = url::Url::parse(&uri)
        .map_err(|_| CliError::usage(format!("MTD_REDIRECT_URI {uri:?} is not an address")))?;
    if url.scheme() != "http" || !matches!(url.host_str(), Some("localhost" | "127.0.0.1")) {
        return Err(CliError::usage("MTD_REDIRECT_URI must be an http://localhost or http://127.0.0.1 address on this machine")
            .hint("register http://localhost:9004/callback with HMRC and set MTD_REDIRECT_URI to it, or use --oob"));
    }
    Ok((url.port().unwrap_or(80), url.path().to_owned()))
}

async fn link_in_browser(
    ctx: &Context,
    authority: &Authority,
    scopes: &[&str],
) -> Result<StoredTokens, CliError> {
    let (port, path) = loopback_target(ctx)?;
    let listener = Loopback::bind(port, &path).await?;
    let redirect = match ctx.env {
        EnvName::Embedded | EnvName::Local => listener.redirect_uri(),
        _ => std::env::var("MTD_REDIRECT_URI")
            .unwrap_or_else(|_| "http://localhost:9004/callback".into()),
    };
    let creds = ctx.app_credentials().await?;
    let pending = ctx.client.oauth(&creds).begin_link(&redirect, scopes)?;
    eprintln!(
        "Open this address in your browser to grant this software authority with HMRC:\n\n  {}\n",
        pending.authorize_url
    );
    if has_display() && webbrowser::open(&pending.authorize_url).is_ok() {
        eprintln!("(Your browser should have opened it.)");
    }
    eprintln!("Waiting for HMRC's answer (up to 10 minutes)...");
    let callback = listener.wait(loopback::WAIT).await?;
    finish(
        ctx,
        authority,
        pending,
        callback,
        Grantor {
            granted_at: Some(ctx.hmrc_now().await),
            ..Grantor::default()
        },
    )
    .await
}

/// Whether a browser can be shown: a desktop session on Linux, always on macOS and Windows.
pub fn has_display() -> bool {
    if cfg!(any(target_os = "macos", target_os = "windows")) {
        return true;
    }
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|d| !d.is_empty()))
}

async fn link_out_of_band(
    ctx: &Context,
    authority: &Authority,
    scopes: &[&str],
) -> Result<StoredTokens, CliError> {
    let creds = ctx.app_credentials().await?;
    let pending = ctx.client.oauth(&creds).begin_link(OOB, scopes)?;
    eprintln!(
        "Open this address in a browser, grant authority, then paste the code HMRC shows:\n\n  {}\n",
        pending.authorize_url
    );
    if std::io::stdin().is_terminal() {
        eprint!("Code: ");
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let code = line.trim().to_owned();
    if code.is_empty() {
        return Err(CliError::usage("no code was pasted")
            .hint("run `mtd link --oob` again and paste the code HMRC shows"));
    }
    let state = pending.state().to_owned();
    finish(
        ctx,
        authority,
        pending,
        Callback::Code {
            code,
            state: Some(state),
        },
        Grantor {
            granted_at: Some(ctx.hmrc_now().await),
            ..Grantor::default()
        },
    )
    .await
}

/// Links as a local test user, through the same pages a person sees. `on_page` hears each page.
pub async fn link_test_user(
    ctx: &Context,
    authority: &Authority,
    user_id: &str,
    password: Option<&str>,
    scopes: &[&str],
    on_page: impl FnMut(&str),
) -> Result<StoredTokens, CliError> {
    let known = ctx.client.test_support().user(user_id).await.map_err(|e| {
        let unknown = e.hmrc_code() == Some("USER_NOT_FOUND");
        let err = CliError::from(e);
        if unknown { err.hint("no test user has this ID on this local HMRC: create one with `mtd sandbox create-user`") } else { err }
    })?;
    let record_path = ctx
        .env_dir
        .join("test-users")
        .join(format!("{}.json", file_name(user_id)));
    let mut record: Value =
        data_dir::read_json(&record_path)?.unwrap_or_else(|| json!({ "userId": user_id }));
    let password = password
        .map(str::to_owned)
        .or_else(|| record["password"].as_str().map(str::to_owned))
        .ok_or_else(|| {
            CliError::usage(format!("no password is recorded for test user {user_id}"))
                .hint("give it with --password, or create the user with `mtd sandbox create-user`")
        })?;
    let fact = |p: &str| known.pointer(p).and_then(Value::as_str).map(str::to_owned);
    let facts = KnownFacts {
        user_id: user_id.to_owned(),
        password: password.clone(),
        date_of_birth: fact("/individualDetails/dateOfBirth"),
        postcode: fact("/individualDetails/address/postcode"),
        nino: fact("/nino"),
        totp_secret: record["totpSecret"].as_str().map(str::to_owned),
        two_step_choice: TwoStepChoice::AuthenticatorApp,
        grant: true,
        answers: Vec::new(),
        finish_on: Vec::new(),
    };
    let creds = ctx.app_credentials().await?;
    let pending = ctx
        .client
        .oauth(&creds)
        .begin_link("http://127.0.0.1/callback", scopes)?;
    let outcome = driver::drive(&ctx.client, &pending.authorize_url, &facts, on_page).await?;
    if let Some(secret) = &outcome.registered_totp_secret {
        // The person's authenticator app now holds this secret; keep it for the next sign-in.
        record["totpSecret"] = json!(secret);
        record["password"] = json!(password);
        data_dir::write_private_json(&record_path, &record)?;
    }
    let callback = Callback::from_url(&outcome.redirect).ok_or_else(|| {
        CliError::new(
            "hmrc",
            format!(
                "HMRC's pages ended without an answer ({})",
                outcome.redirect
            ),
        )
    })?;
    let who = Grantor {
        user_id: Some(user_id.to_owned()),
        affinity_group: fact("/affinityGroup"),
        nino: fact("/nino"),
        arn: fact("/agentServicesAccountNumber"),
        granted_at: Some(ctx.hmrc_now().await),
    };
    finish(ctx, authority, pending, callback, who).await
}

fn file_name(user_id: &str) -> String {
    user_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}

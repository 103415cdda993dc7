//! `mtd agent …`: an agent's authorisation requests and client register, through HMRC's Agent
//! Authorisation API with the agent's own token.

use mtd_client::api::agent_authorisation::AgentType;
use mtd_domain::{Arn, Nino};
use serde_json::json;

use crate::args::{AgentCommand, ClientsCommand};
use crate::context::Context;
use crate::output::{CliError, Exit, emit};
use crate::register::{ClientEntry, Register};

fn nino(raw: &str) -> Result<Nino, CliError> {
    Nino::parse(&raw.trim().to_uppercase().replace(' ', "")).map_err(|_| {
        CliError::usage(format!("{raw:?} is not a National Insurance number"))
            .hint("write it like QQ123456C")
    })
}

fn agent_type(supporting: bool) -> AgentType {
    if supporting {
        AgentType::Supporting
    } else {
        AgentType::Main
    }
}

pub async fn run(ctx: &Context, cmd: AgentCommand) -> Result<Exit, CliError> {
    if let AgentCommand::Clients {
        action: Some(ClientsCommand::Import { file }),
    } = &cmd
    {
        return import(ctx, file);
    }
    if let AgentCommand::Clients { action: None } = cmd {
        let register = Register::load(ctx)?;
        emit(ctx.json, &register, || {
            if register.clients.is_empty() {
                return "No clients yet: `mtd agent invite` or `mtd agent clients import FILE`."
                    .into();
            }
            let mut lines = vec![format!(
                "{:<10} {:<24} {:<9} {:<11} {}",
                "NINO", "name", "postcode", "agent type", "relationship (checked)"
            )];
            for c in &register.clients {
                let rel = match (&c.relationship, c.checked_at) {
                    (Some(r), Some(at)) => format!("{r} ({})", at.format("%Y-%m-%d %H:%M")),
                    _ => "not checked".into(),
                };
                lines.push(format!(
                    "{:<10} {:<24} {:<9} {:<11} {rel}",
                    c.nino,
                    c.name.as_deref().unwrap_or("-"),
                    c.postcode,
                    c.agent_type
                ));
            }
            lines.join("\n")
        });
        return Ok(Exit::Done);
    }
    let authority = ctx.authority().await?;
    // Not linked at all is "no authority" (exit 3); linked without an ARN is a usage matter.
    let record = authority
        .stored()?
        .ok_or(mtd_client::tokens::FreshError::NoAuthority(
            mtd_client::tokens::AuthorityEnded::NotLinked,
        ))?;
    let arn = Some(record)
        .and_then(|r| r.arn)
        .and_then(|a| Arn::parse(&a).ok())
        .ok_or_else(|| {
            CliError::usage("this profile is not linked as an agent with a known ARN")
                .hint("run `mtd link --agent` with the agent services account")
        })?;
    let client = ctx.client.clone();
    match cmd {
        AgentCommand::Invite {
            nino: raw,
            postcode,
            supporting,
            name,
        } => {
            let n = nino(&raw)?;
            let t = agent_type(supporting);
            let id = authority
                .call(|tok| {
                    let (c, a, n, p) = (client.clone(), arn.clone(), n.clone(), postcode.clone());
                    async move { c.agent_authorisation().invite(&tok, &a, &n, &p, t).await }
                })
                .await?;
            let inv = authority
                .call(|tok| {
                    let (c, a, id) = (client.clone(), arn.clone(), id.clone());
                    async move { c.agent_authorisation().invitation(&tok, &a, &id).await }
                })
                .await?;
            let mut register = Register::load(ctx)?;
            register.upsert(ClientEntry {
                nino: n.to_string(),
                name,
                postcode,
                agent_type: t.as_str().into(),
                invitation_id: Some(id.clone()),
                relationship: None,
                checked_at: None,
            });
            register.save(ctx)?;
            emit(ctx.json, &inv, || {
                format!(
                    "Authorisation request {id} sent ({} agent), status {}.\nIt expires {}. Give the client this link to answer it:\n  {}",
                    t.as_str(),
                    inv.status,
                    inv.expires_on.as_deref().unwrap_or("-"),
                    inv.client_action_url.as_deref().unwrap_or("-")
                ) + &if ctx.env == crate::args::EnvName::Embedded {
                    format!(
                        "\n(The embedded local HMRC lives only while a command runs: open the client's page with\n`mtd open client-authorisation --invitation {id}`, or answer with `mtd sandbox answer-invitation {id}`.)"
                    )
                } else {
                    String::new()
                }
            });
        }
        AgentCommand::Invitations => {
            let list = authority
                .call(|tok| {
                    let (c, a) = (client.clone(), arn.clone());
                    async move { c.agent_authorisation().invitations(&tok, &a).await }
                })
                .await?;
            emit(ctx.json, &list, || {
                if list.is_empty() {
                    return "No authorisation requests in the last 30 days.".into();
                }
                list.iter()
                    .map(|i| {
                        format!(
                            "{}  {:<12} {:<10} created {}",
                            i.id(),
                            i.status,
                            i.agent_type.map_or("-", |t| t.as_str()),
                            i.created
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        AgentCommand::Cancel { invitation_id } => {
            authority
                .call(|tok| {
                    let (c, a, id) = (client.clone(), arn.clone(), invitation_id.clone());
                    async move { c.agent_authorisation().cancel(&tok, &a, &id).await }
                })
                .await?;
            emit(ctx.json, &json!({ "cancelled": invitation_id }), || {
                format!("Authorisation request {invitation_id} cancelled.")
            });
        }
        AgentCommand::Check {
            nino: raw,
            postcode,
            supporting,
        } => {
            let n = nino(&raw)?;
            let t = agent_type(supporting);
            let active = authority
                .call(|tok| {
                    let (c, a, n, p) = (client.clone(), arn.clone(), n.clone(), postcode.clone());
                    async move { c.agent_authorisation().check(&tok, &a, &n, &p, t).await }
                })
                .await?;
            let mut register = Register::load(ctx)?;
            register.upsert(ClientEntry {
                nino: n.to_string(),
                name: None,
                postcode,
                agent_type: t.as_str().into(),
                invitation_id: None,
                relationship: Some(if active { "active" } else { "none" }.into()),
                checked_at: Some(chrono::Utc::now()),
            });
            register.save(ctx)?;
            emit(
                ctx.json,
                &json!({ "nino": n.as_str(), "agentType": t.as_str(), "active": active }),
                || {
                    if active {
                        format!("You are {n}'s {} agent.", t.as_str())
                    } else {
                        format!(
                            "You are not {n}'s {} agent: send an authorisation request with `mtd agent invite`.",
                            t.as_str()
                        )
                    }
                },
            );
        }
        AgentCommand::Deauthorise {
            nino: raw,
            supporting,
        } => {
            let n = nino(&raw)?;
            let t = agent_type(supporting);
            authority
                .call(|tok| {
                    let (c, a, n) = (client.clone(), arn.clone(), n.clone());
                    async move { c.agent_authorisation().deauthorise(&tok, &a, &n, t).await }
                })
                .await?;
            let mut register = Register::load(ctx)?;
            if let Some(c) = register
                .clients
                .iter_mut()
                .find(|c| c.nino.get(..8) == n.as_str().get(..8))
            {
                c.relationship = Some("ended".into());
                c.checked_at = Some(chrono::Utc::now());
            }
            register.save(ctx)?;
            emit(
                ctx.json,
                &json!({ "nino": n.as_str(), "agentType": t.as_str(), "deauthorised": true }),
                || format!("You are no longer {n}'s {} agent.", t.as_str()),
            );
        }
        AgentCommand::Clients { .. } => {}
    }
    Ok(Exit::Done)
}

/// Reads a CSV of `NINO,name,postcode,main|supporting` (a header line is allowed) into the
/// register. Any bad line is reported with its number and nothing is imported.
fn import(ctx: &Context, file: &std::path::Path) -> Result<Exit, CliError> {
    let text = std::fs::read_to_string(file).map_err(|e| {
        CliError::new("io", format!("cannot read {}: {e}", file.display()))
            .hint("check the file's path")
    })?;
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    // Real CSV: quoted fields may hold commas ("Smith, Alice").
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    for (i, record) in reader.records().enumerate() {
        let Ok(record) = record else {
            problems.push(format!("line {}: not valid CSV", i + 1));
            continue;
        };
        let line = record.position().map_or(i as u64 + 1, |p| p.line());
        let cols: Vec<&str> = record.iter().collect();
        if cols.iter().all(|c| c.is_empty())
            || (i == 0 && cols.first().is_some_and(|c| c.eq_ignore_ascii_case("nino")))
        {
            continue;
        }
        let entry = match cols.as_slice() {
            [n, name, postcode, kind] => match (nino(n), *kind) {
                (Ok(n), "main" | "supporting") => Ok(ClientEntry {
                    nino: n.to_string(),
                    name: (!name.is_empty()).then(|| name.to_string()),
                    postcode: postcode.to_string(),
                    agent_type: kind.to_string(),
                    invitation_id: None,
                    relationship: None,
                    checked_at: None,
                }),
                (Err(_), _) => Err(format!("line {}: {n:?} is not a NINO", line)),
                _ => Err(format!(
                    "line {}: the agent type must be main or supporting, not {kind:?}",
                    line
                )),
            },
            _ => Err(format!(
                "line {}: expected NINO,name,postcode,main|supporting",
                line
            )),
        };
        match entry {
            Ok(e) => entries.push(e),
            Err(p) => problems.push(p),
        }
    }
    if !problems.is_empty() {
        return Err(CliError::new(
            "input",
            format!(
                "{} has lines that cannot be read; nothing was imported:\n  {}",
                file.display(),
                problems.join("\n  ")
            ),
        )
        .hint("fix the lines and import again"));
    }
    let mut register = Register::load(ctx)?;
    let count = entries.len();
    for e in entries {
        register.upsert(e);
    }
    register.save(ctx)?;
    emit(ctx.json, &json!({ "imported": count }), || {
        format!(
            "{count} client{} imported.",
            if count == 1 { "" } else { "s" }
        )
    });
    Ok(Exit::Done)
}

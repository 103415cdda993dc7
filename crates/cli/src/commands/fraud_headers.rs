//! `mtd fraud-headers show|validate`: the fraud prevention headers this software sends, the ones
//! it leaves out and why (for the vendor to agree with HMRC), and the environment's verdict.

use serde_json::{Value, json};

use crate::args::FraudHeadersCommand;
use crate::context::Context;
use crate::output::{CliError, Exit, emit};

pub async fn run(ctx: &Context, cmd: FraudHeadersCommand) -> Result<Exit, CliError> {
    let fraud = ctx
        .client
        .fraud_prevention()
        .ok_or_else(|| CliError::new("internal", "no fraud prevention headers are configured"))?;
    let headers = fraud.headers_now();
    let left_out: Vec<Value> = headers
        .left_out
        .iter()
        .map(|(h, why)| json!({ "header": h.name(), "reason": why }))
        .collect();
    let explain_left_out = || {
        let mut out = String::new();
        if !headers.left_out.is_empty() {
            out.push_str(
                "\nLeft out, because the data does not exist (agree this with HMRC: SDSTeam@hmrc.gov.uk):\n",
            );
            for (h, why) in &headers.left_out {
                out.push_str(&format!("  {}: {why}\n", h.name()));
            }
        }
        out
    };
    match cmd {
        FraudHeadersCommand::Show => {
            let sent: serde_json::Map<String, Value> = headers
                .sent
                .iter()
                .map(|(h, v)| (h.name().to_owned(), json!(v)))
                .collect();
            let body = json!({
                "connectionMethod": headers.method.as_str(),
                "sent": sent,
                "leftOut": left_out,
            });
            emit(ctx.json, &body, || {
                let mut out = format!(
                    "Connection method {}: {}.\n\nSent on every MTD call (values read just before each one):\n",
                    headers.method,
                    if headers.method.as_str() == "BATCH_PROCESS_DIRECT" {
                        "an unattended run (no terminal, or --batch)"
                    } else {
                        "a person runs this command (--batch for unattended runs)"
                    }
                );
                for (h, v) in &headers.sent {
                    out.push_str(&format!("  {}: {v}\n", h.name()));
                }
                out.push_str(&explain_left_out());
                out.trim_end().to_owned()
            });
            Ok(Exit::Done)
        }
        FraudHeadersCommand::Validate => {
            if ctx.env == crate::args::EnvName::HmrcProduction {
                return Err(CliError::usage(
                    "HMRC's production has no Test Fraud Prevention Headers API",
                )
                .hint("validate against HMRC's sandbox (--env hmrc-sandbox) or a local HMRC"));
            }
            let creds = ctx.app_credentials().await?;
            let token = ctx.client.oauth(&creds).client_credentials(&[]).await?;
            let verdict = ctx
                .client
                .test_fraud_prevention()
                .validate(&token.access_token)
                .await?;
            let body = json!({ "verdict": verdict, "leftOut": left_out });
            emit(ctx.json, &body, || {
                let mut out = format!(
                    "{} (specification {}): {}.\n",
                    verdict.code, verdict.spec_version, verdict.message
                );
                for e in &verdict.errors {
                    out.push_str(&format!(
                        "  error {} {}: {}\n",
                        e.code,
                        e.headers.join(", "),
                        e.message
                    ));
                }
                for w in &verdict.warnings {
                    out.push_str(&format!(
                        "  warning {} {}: {}\n",
                        w.code,
                        w.headers.join(", "),
                        w.message
                    ));
                }
                out.push_str(&explain_left_out());
                out.trim_end().to_owned()
            });
            Ok(if verdict.code == "INVALID_HEADERS" {
                Exit::Failed
            } else {
                Exit::Done
            })
        }
    }
}

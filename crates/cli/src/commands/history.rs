//! `mtd history [--business ID] [--client NINO]`: the receipts of every submission, oldest first.

use crate::context::Context;
use crate::output::{CliError, Exit, emit};

use super::records::{business_id, open_store, store_error};

pub fn run(
    ctx: &Context,
    business: Option<String>,
    client: Option<String>,
) -> Result<Exit, CliError> {
    let id = business.as_deref().map(business_id).transpose()?;
    let client = client
        .map(|n| {
            mtd_domain::Nino::parse(&n)
                .map_err(|_| CliError::usage(format!("{n:?} is not a National Insurance number")))
        })
        .transpose()?;
    let mut receipts = open_store(ctx)?
        .receipts(id.as_ref().map(|b| b.as_str()))
        .map_err(store_error)?;
    if let Some(nino) = &client {
        receipts.retain(|r| r.nino == nino.as_ref());
    }
    emit(ctx.json, &receipts, || {
        if receipts.is_empty() {
            return "Nothing has been sent yet.".to_owned();
        }
        let by = |r: &mtd_client::records::receipts::Receipt| {
            let role = r.sent_as.as_deref().map(|a| format!(" ({a})"));
            format!("{}{}", r.profile, role.unwrap_or_default())
        };
        let width = receipts
            .iter()
            .map(|r| by(r).len())
            .max()
            .unwrap_or(0)
            .max(2);
        let mut lines = vec![format!(
            "  {:<20} {:<16} {:<8} {:<24} {:<width$} {:<10} {}",
            "sent (UTC)", "business ID", "year", "period", "by", "outcome", "HMRC correlation ID"
        )];
        for r in &receipts {
            let outcome = serde_json::to_value(r.outcome).ok();
            lines.push(format!(
                "  {:<20} {:<16} {:<8} {} to {} {:<width$} {:<10} {}",
                r.sent_at.format("%Y-%m-%d %H:%M:%S"),
                r.business_id,
                r.tax_year,
                r.period_start,
                r.period_end,
                by(r),
                outcome
                    .as_ref()
                    .and_then(|v| v.as_str())
                    .unwrap_or_default(),
                r.correlation_id.as_deref().unwrap_or("-"),
            ));
        }
        lines.join("\n")
    });
    Ok(Exit::Done)
}

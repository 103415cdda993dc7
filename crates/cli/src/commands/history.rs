//! `mtd history [--business ID]`: the receipts of every submission, oldest first.

use crate::context::Context;
use crate::output::{CliError, Exit, emit};

use super::records::{business_id, open_store, store_error};

pub fn run(ctx: &Context, business: Option<String>) -> Result<Exit, CliError> {
    let id = business.as_deref().map(business_id).transpose()?;
    let receipts = open_store(ctx)?
        .receipts(id.as_ref().map(|b| b.as_str()))
        .map_err(store_error)?;
    emit(ctx.json, &receipts, || {
        if receipts.is_empty() {
            return "Nothing has been sent yet.".to_owned();
        }
        let mut lines = vec![format!(
            "  {:<20} {:<16} {:<8} {:<24} {:<12} {:<10} {}",
            "sent (UTC)", "business ID", "year", "period", "by", "outcome", "HMRC correlation ID"
        )];
        for r in &receipts {
            lines.push(format!(
                "  {:<20} {:<16} {:<8} {} to {} {:<12} {:<10} {}",
                r.sent_at.format("%Y-%m-%d %H:%M:%S"),
                r.business_id,
                r.tax_year,
                r.period_start,
                r.period_end,
                format!(
                    "{}{}",
                    r.profile,
                    r.sent_as
                        .as_deref()
                        .map(|a| format!(" ({a})"))
                        .unwrap_or_default()
                ),
                serde_json::to_value(r.outcome)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                r.correlation_id.as_deref().unwrap_or("-"),
            ));
        }
        lines.join("\n")
    });
    Ok(Exit::Done)
}

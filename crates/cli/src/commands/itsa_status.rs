//! `mtd itsa-status`: the ITSA status HMRC holds for a business, or for an agent's client.

use crate::context::Context;
use crate::output::{CliError, Exit, emit};

pub async fn run(
    ctx: &Context,
    tax_year: Option<String>,
    client: Option<String>,
    future_years: bool,
    history: bool,
) -> Result<Exit, CliError> {
    let year = ctx.tax_year(tax_year).await?;
    let authority = ctx.authority().await?;
    let nino = ctx.whose_nino(client, &authority)?;
    let client = ctx.client.clone();
    let statuses = authority
        .call(|t| {
            let (c, n) = (client.clone(), nino.clone());
            async move {
                c.individual_details()
                    .itsa_status(&t, &n, year, future_years, history)
                    .await
            }
        })
        .await?;
    emit(ctx.json, &statuses, || {
        let mut lines = vec![format!("ITSA status for {nino}:")];
        for y in &statuses.itsa_statuses {
            for (i, d) in y.itsa_status_details.iter().enumerate() {
                let label = if i == 0 {
                    y.tax_year.to_string()
                } else {
                    String::new()
                };
                lines.push(format!(
                    "  {label:<8} {:<16} {} (since {})",
                    d.status,
                    d.status_reason,
                    &d.submitted_on[..10.min(d.submitted_on.len())]
                ));
            }
        }
        lines.join("\n")
    });
    Ok(Exit::Done)
}

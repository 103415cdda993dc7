//! `mtd itsa-status`: the ITSA status HMRC holds for a business, or for an agent's client.

use mtd_domain::{Nino, TaxYear};

use crate::context::Context;
use crate::output::{CliError, Exit, emit};

pub async fn run(
    ctx: &Context,
    tax_year: Option<String>,
    client: Option<String>,
    future_years: bool,
    history: bool,
) -> Result<Exit, CliError> {
    let year = match tax_year {
        Some(y) => TaxYear::parse(&y).map_err(|e| {
            CliError::usage(format!("{y:?}: {e}")).hint("write a tax year like 2025-26")
        })?,
        None => TaxYear::containing(chrono::Utc::now().date_naive())
            .ok_or_else(|| CliError::usage("give --tax-year"))?,
    };
    let authority = ctx.authority().await?;
    let nino = match client.or_else(|| authority.stored().ok().flatten().and_then(|r| r.nino)) {
        Some(n) => Nino::parse(&n)
            .map_err(|_| CliError::usage(format!("{n:?} is not a National Insurance number")))?,
        None => {
            return Err(CliError::usage("this software does not know whose ITSA status to read")
                .hint("give the NINO with --client NINO (HMRC's sign-in does not tell software who signed in)"));
        }
    };
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

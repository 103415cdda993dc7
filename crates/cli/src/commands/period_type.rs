//! `mtd period-type set standard|calendar --business ID`: the business's quarterly period type for
//! the current tax year (HMRC refuses a change once the year has an update).

use mtd_domain::BusinessId;

use crate::args::{PeriodType, PeriodTypeCommand};
use crate::context::Context;
use crate::output::{CliError, Exit, emit};

pub async fn run(ctx: &Context, cmd: PeriodTypeCommand) -> Result<Exit, CliError> {
    let PeriodTypeCommand::Set {
        kind,
        business,
        client,
    } = cmd;
    let id = BusinessId::parse(&business).map_err(|_| {
        CliError::usage(format!("{business:?} is not a business ID"))
            .hint("see them with mtd businesses")
    })?;
    let year = ctx.tax_year(None).await?;
    let authority = ctx.authority().await?;
    let nino = ctx.whose_nino(client, &authority)?;
    let calendar = kind == PeriodType::Calendar;
    let api = ctx.client.clone();
    authority
        .call(|t| {
            let (c, n, b) = (api.clone(), nino.clone(), id.clone());
            async move {
                c.business_details()
                    .set_quarterly_period_type(&t, &n, &b, year, calendar)
                    .await
            }
        })
        .await?;
    let word = if calendar { "calendar" } else { "standard" };
    emit(
        ctx.json,
        &serde_json::json!({ "businessId": id.as_str(), "taxYear": year.to_string(), "quarterlyPeriodType": word }),
        || format!("{} reports on {word} quarters in {year}.", id.as_str()),
    );
    Ok(Exit::Done)
}

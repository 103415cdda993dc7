//! `mtd businesses`: the income sources HMRC holds for a business, or for an agent's client.

use mtd_client::api::business_details::Businesses;
use mtd_client::tokens::FreshError;

use crate::context::Context;
use crate::output::{CliError, Exit, emit};

pub async fn run(ctx: &Context, client: Option<String>) -> Result<Exit, CliError> {
    let authority = ctx.authority().await?;
    let nino = ctx.whose_nino(client, &authority)?;
    let api = ctx.client.clone();
    let found = authority
        .call(|t| {
            let (c, n) = (api.clone(), nino.clone());
            async move { c.business_details().list(&t, &n).await }
        })
        .await;
    // HMRC answers "none" with a 404.
    let businesses = match found {
        Err(FreshError::Api(e)) if e.hmrc_code() == Some("MATCHING_RESOURCE_NOT_FOUND") => {
            Businesses {
                list_of_businesses: Vec::new(),
            }
        }
        other => other?,
    };
    emit(ctx.json, &businesses, || {
        if businesses.list_of_businesses.is_empty() {
            return format!(
                "HMRC holds no income sources for {nino}.\nOn a test HMRC, add one with mtd sandbox add-business."
            );
        }
        let mut lines = vec![format!(
            "Income sources for {nino}:\n  {:<16} {:<17} {}",
            "business ID", "type", "trading name"
        )];
        for b in &businesses.list_of_businesses {
            lines.push(format!(
                "  {:<16} {:<17} {}",
                b.business_id.as_str(),
                b.type_of_business,
                b.trading_name.as_deref().unwrap_or("")
            ));
        }
        lines.join("\n")
    });
    Ok(Exit::Done)
}

//! `mtd sandbox add-business`: HMRC's Self Assessment Test Support "create test business" for the
//! linked user or an agent's client (the embedded or local HMRC, and HMRC's sandbox).

use serde_json::{Value, json};

use crate::args::BusinessType;
use crate::context::Context;
use crate::output::{CliError, Exit, emit};

#[derive(Debug)]
pub struct NewBusiness {
    pub kind: BusinessType,
    pub trading_name: Option<String>,
    pub start: Option<String>,
    pub calendar: bool,
    pub client: Option<String>,
}

pub async fn run(ctx: &Context, new: NewBusiness) -> Result<Exit, CliError> {
    if ctx.env == crate::args::EnvName::HmrcProduction {
        return Err(CliError::usage(
            "HMRC's production has no test support: businesses come from sign-up there",
        )
        .hint("use --env hmrc-sandbox, local or embedded"));
    }
    if let Some(start) = &new.start {
        chrono::NaiveDate::parse_from_str(start, "%Y-%m-%d").map_err(|_| {
            CliError::usage(format!("{start:?} is not a date")).hint("write it like 2024-05-01")
        })?;
    }
    let authority = ctx.authority().await?;
    let nino = ctx.whose_nino(new.client.clone(), &authority)?;
    let body = body(&new, ctx.tax_year(None).await?);
    let api = ctx.client.clone();
    let id = authority
        .call(|t| {
            let (c, n, b) = (api.clone(), nino.clone(), body.clone());
            async move { c.sa_test_support().create_business(&t, &n, &b).await }
        })
        .await?;
    let kind = new.kind.as_str();
    emit(
        ctx.json,
        &json!({ "businessId": id.as_str(), "typeOfBusiness": kind, "nino": nino.as_ref() }),
        || {
            format!(
                "Added a {kind} business for {nino}: business ID {}",
                id.as_str()
            )
        },
    );
    Ok(Exit::Done)
}

/// HMRC's request (calendar quarters chosen for the current year): a self-employment needs a trading name and address; property businesses
/// must not have them.
fn body(new: &NewBusiness, this_year: mtd_domain::TaxYear) -> Value {
    let mut body = json!({ "typeOfBusiness": new.kind.as_str(), "accountingType": "CASH" });
    if new.calendar {
        body["quarterlyTypeChoice"] =
            json!({ "quarterlyPeriodType": "calendar", "taxYearOfChoice": this_year.to_string() });
    }
    if let Some(start) = &new.start {
        body["commencementDate"] = json!(start);
    }
    if new.kind == BusinessType::SelfEmployment {
        body["tradingName"] = json!(
            new.trading_name
                .as_deref()
                .unwrap_or("Test trading business")
        );
        body["businessAddressLineOne"] = json!("1 Test Street");
        body["businessAddressPostcode"] = json!("TF3 4NT");
        body["businessAddressCountryCode"] = json!("GB");
    }
    body
}

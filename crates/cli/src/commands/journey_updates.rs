//! The journey's year: with HMRC's clock at each quarter's end in 2025-26, the sole trader sends
//! its four updates from its records, and the agent does the same for its landlord client; each
//! sees its obligations met. The records are the shared sample year (`shared/data`).

use std::path::PathBuf;

use mtd_domain::{BusinessId, Nino};
use serde_json::json;

use super::journey::Narrator;
use super::records::import_as;
use super::update::send_update;
use crate::args::{Quarter, UpdateArgs};
use crate::context::Context;
use crate::output::CliError;

/// Where the sample records are: `MTD_SAMPLE_DATA`, or a `shared/data` above the working
/// directory or this source tree.
fn sample_records() -> Option<PathBuf> {
    let has = |p: &PathBuf| p.join("sole-trader-2025-26.csv").is_file();
    if let Some(dir) = std::env::var_os("MTD_SAMPLE_DATA").map(PathBuf::from) {
        return has(&dir).then_some(dir);
    }
    let cwd = std::env::current_dir().ok()?;
    cwd.ancestors()
        .chain(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).ancestors())
        .map(|a| a.join("shared/data"))
        .find(has)
}

pub async fn run(
    ctx: &Context,
    n: &mut Narrator,
    business_nino: &Nino,
    agents_client: &Nino,
) -> Result<(), CliError> {
    let Some(data) = sample_records() else {
        n.say(
            None,
            "Quarterly updates: skipped",
            "The sample records (shared/data) are not on this machine; set MTD_SAMPLE_DATA to their folder.".into(),
        );
        return Ok(());
    };

    // The sole trader's business, made with HMRC's test support.
    let authority = ctx.authority().await?;
    let api = ctx.client.clone();
    let own: BusinessId = authority
        .call(|t| {
            let (c, nn) = (api.clone(), business_nino.clone());
            let body = json!({
                "typeOfBusiness": "self-employment", "tradingName": "Sparks Electrical",
                "commencementDate": "2019-05-01", "accountingType": "CASH",
                "businessAddressLineOne": "1 Test Street", "businessAddressPostcode": "TF3 4NT",
                "businessAddressCountryCode": "GB",
            });
            async move { c.sa_test_support().create_business(&t, &nn, &body).await }
        })
        .await?;
    // The agent's client's UK property, from its sign-up.
    let agent = ctx.authority_for("agent").await?;
    let listed = agent
        .call(|t| {
            let (c, nn) = (api.clone(), agents_client.clone());
            async move { c.business_details().list(&t, &nn).await }
        })
        .await?;
    let property = listed
        .list_of_businesses
        .iter()
        .find(|b| b.type_of_business == "uk-property")
        .map(|b| b.business_id.clone())
        .ok_or_else(|| {
            CliError::new("journey", "the agent's client has no UK property business")
        })?;

    let mut told = Vec::new();
    for (profile, who, id, file, client) in [
        (
            "journey",
            "The sole trader",
            &own,
            "sole-trader-2025-26.csv",
            None,
        ),
        (
            "agent",
            "The agent, for its client",
            &property,
            "landlord-2025-26.csv",
            Some(agents_client),
        ),
    ] {
        let (_, said) = import_as(
            ctx,
            profile,
            &data.join(file),
            id.as_str(),
            None,
            false,
            client.map(|c| c.as_ref().to_owned()),
        )
        .await?;
        told.push(format!("{who}: {said}"));
    }
    n.say(
        None,
        "Digital records imported",
        format!(
            "`mtd records import` for each business (business IDs {} and {}):\n{}",
            own.as_str(),
            property.as_str(),
            told.join("\n")
        ),
    );

    let quarters = [
        (Quarter::Q1, "2025-07-06"),
        (Quarter::Q2, "2025-10-06"),
        (Quarter::Q3, "2026-01-06"),
        (Quarter::Q4, "2026-04-06"),
    ];
    for (quarter, day) in quarters {
        ctx.client
            .test_support()
            .set_clock(&format!("{day}T09:00:00Z"))
            .await?;
        let mut lines = Vec::new();
        for (profile, who, id, client) in [
            ("journey", "The sole trader", &own, None),
            (
                "agent",
                "The agent, for its client,",
                &property,
                Some(agents_client),
            ),
        ] {
            let args = UpdateArgs {
                business: id.as_str().to_owned(),
                period: Some(quarter),
                to: None,
                tax_year: Some("2025-26".into()),
                yes: true,
                client: client.map(|c| c.as_ref().to_owned()),
            };
            let sent = send_update(ctx, profile, &args, false).await?;
            let income = sent.value["sent"]
                .pointer("/periodIncome/turnover")
                .or_else(|| sent.value["sent"].pointer("/ukProperty/income/periodAmount"))
                .and_then(|v| mtd_domain::Money::parse(&v.to_string()).ok())
                .map_or_else(String::new, |m| {
                    format!(", year-to-date income £{:.2}", m.as_decimal())
                });
            let state = sent
                .obligation
                .as_ref()
                .map_or("not found".to_owned(), |p| {
                    format!("{:?}", p.status).to_lowercase()
                        + &p.received_date
                            .map(|d| format!(" (received {d})"))
                            .unwrap_or_default()
                });
            lines.push(format!(
                "{who} sends the update to {}{income}: obligation {state}.",
                sent.period_end
            ));
        }
        n.say(
            None,
            &format!("{quarter:?} of 2025-26: HMRC's clock reads {day}"),
            lines.join("\n"),
        );
    }
    Ok(())
}

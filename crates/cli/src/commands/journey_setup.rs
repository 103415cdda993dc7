//! The journey's set-up part: an agent creates its agent services account, a new taxpayer
//! registers for Self Assessment, the agent asks for authority and the client accepts, the client
//! signs up for MTD Income Tax, and the agent acts for it. The web journeys run through the same
//! page driver as linking.

use mtd_client::api::agent_authorisation::AgentType;
use mtd_client::api::test_users::{TestUser, UserKind};
use mtd_client::oauth::driver::{self, KnownFacts, TwoStepChoice};
use mtd_domain::{Arn, Nino, TaxYear};
use serde_json::Value;

use super::journey::Narrator;
use crate::context::Context;
use crate::output::CliError;

/// What the person at the keyboard knows, with the answers for the set-up pages.
async fn facts(
    ctx: &Context,
    user: &TestUser,
    answers: Vec<(&str, Vec<(&str, String)>)>,
    finish_on: &[&str],
) -> Result<KnownFacts, CliError> {
    let known = ctx.client.test_support().user(&user.user_id).await?;
    let fact = |p: &str| known.pointer(p).and_then(Value::as_str).map(str::to_owned);
    Ok(KnownFacts {
        user_id: user.user_id.clone(),
        password: user.password.clone(),
        date_of_birth: fact("/individualDetails/dateOfBirth"),
        postcode: fact("/individualDetails/address/postcode"),
        nino: fact("/nino"),
        totp_secret: None,
        two_step_choice: TwoStepChoice::Phone("07700 900 100".into()),
        grant: true,
        answers: answers
            .into_iter()
            .map(|(page, fields)| {
                (
                    page.to_owned(),
                    fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
                )
            })
            .collect(),
        finish_on: finish_on.iter().map(|s| s.to_string()).collect(),
    })
}

/// The value of `attr` on the first element carrying it, in a page.
fn page_value(html: &str, attr: &str) -> Option<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(&format!("[{attr}]")).ok()?;
    doc.select(&sel)
        .next()
        .and_then(|e| e.value().attr(attr))
        .map(str::to_owned)
}

async fn drive(ctx: &Context, url: &str, facts: &KnownFacts) -> Result<String, CliError> {
    let outcome = driver::drive(&ctx.client, url, facts, |_| {}).await?;
    outcome
        .final_page
        .ok_or_else(|| CliError::new("hmrc", format!("the pages at {url} did not finish")))
}

/// Runs the set-up; gives the NINO of the client who signed up with UK property, for whom the
/// agent later sends updates.
pub async fn run(ctx: &Context, n: &mut Narrator) -> Result<Nino, CliError> {
    let www = ctx.client.environment().www_base.clone();
    let mk = |kind, services: &[&str], two_step: &str| {
        let services = Some(services.iter().map(|s| s.to_string()).collect());
        super::sandbox::create_user(ctx, kind, services, None, None, Some(two_step.to_owned()))
    };

    // 1. The agent's own business is registered for Self Assessment; the agent creates its account.
    let business = mk(
        UserKind::Individual,
        &["national-insurance", "self-assessment"],
        "registered",
    )
    .await?;
    let agent = mk(UserKind::Agent, &[], "registered").await?;
    let held = ctx.client.test_support().user(&business.user_id).await?;
    let utr = held["saUtr"].as_str().unwrap_or_default().to_owned();
    let postcode = held
        .pointer("/individualDetails/address/postcode")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let asa_answers = vec![(
        "asa-create",
        vec![
            ("utr", utr.clone()),
            ("postcode", postcode),
            ("agencyName", "Example Accountants".to_owned()),
            ("addressLine1", "2 Market Square".to_owned()),
            ("agencyPostcode", "LS1 4AP".to_owned()),
            ("email", "office@example.com".to_owned()),
            ("supervisoryBody", "HMRC".to_owned()),
            ("membershipNumber", "XAML00000123456".to_owned()),
        ],
    )];
    let page = drive(
        ctx,
        &format!("{www}/agent-services-account/create"),
        &facts(ctx, &agent, asa_answers, &["asa-created"]).await?,
    )
    .await?;
    let arn = page_value(&page, "data-arn")
        .and_then(|a| Arn::parse(&a).ok())
        .ok_or_else(|| CliError::new("hmrc", "no ARN was given"))?;
    n.say(
        None,
        "An agent creates its agent services account",
        format!("{} signs in, names the agency's business by its UTR {utr} and postcode,\ngives the agency's details and supervision, and gets ARN {arn}.", agent.user_full_name),
    );

    // 2. A new taxpayer registers for Self Assessment.
    let client = mk(UserKind::Individual, &["national-insurance"], "registered").await?;
    let page = drive(
        ctx,
        &format!("{www}/register-for-self-assessment"),
        &facts(
            ctx,
            &client,
            vec![("sa-register", vec![])],
            &["sa-registered"],
        )
        .await?,
    )
    .await?;
    let client_utr = page_value(&page, "data-utr").unwrap_or_default();
    let nino = Nino::parse(client.field("nino").unwrap_or_default())
        .map_err(|_| CliError::new("hmrc", "the client has no NINO"))?;
    n.say(
        None,
        "A new taxpayer registers for Self Assessment",
        format!(
            "{} (NINO {nino}) registers on HMRC's pages and gets UTR {client_utr}.",
            client.user_full_name
        ),
    );

    // 3. The agent links its software, asking for the agent scopes too.
    let agent_authority = ctx.authority_for("agent").await?;
    let scopes = super::link::default_scopes(ctx, true);
    let scope_refs: Vec<&str> = scopes.iter().map(String::as_str).collect();
    super::link::link_test_user(
        ctx,
        &agent_authority,
        &agent.user_id,
        None,
        &scope_refs,
        |_| {},
    )
    .await?;
    n.say(
        None,
        "The agent links its software to HMRC",
        "The nine linking steps (narrated below for a business), signed in with the agent services\naccount, for the MTD scopes and the Agent Authorisation API's (send, view and cancel requests,\ncheck relationships).".into(),
    );

    // 4. An existing Self Assessment client: its 64-8 is copied across when the agent signs it up.
    let existing = mk(
        UserKind::Individual,
        &["national-insurance", "self-assessment"],
        "registered",
    )
    .await?;
    let existing_nino = Nino::parse(existing.field("nino").unwrap_or_default())
        .map_err(|_| CliError::new("hmrc", "the client has no NINO"))?;
    let ts = ctx.client.test_support();
    let sa_agent = ts.create_sa_agent().await?;
    let reference = sa_agent
        .field("saAgentReference")
        .unwrap_or_default()
        .to_owned();
    ts.seed_legacy_authorisation(&reference, existing_nino.as_str())
        .await?;
    let mapping = vec![(
        "agent-mapping",
        vec![
            ("legacyUserId", sa_agent.user_id.clone()),
            ("legacyPassword", sa_agent.password.clone()),
        ],
    )];
    drive(
        ctx,
        &format!("{www}/agent-mapping"),
        &facts(ctx, &agent, mapping, &["agent-mapping-done"]).await?,
    )
    .await?;
    let d = existing
        .fields
        .get("individualDetails")
        .cloned()
        .unwrap_or_default();
    let text = |p: &str| {
        d.pointer(p)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let agent_sign_up = vec![(
        "agent-sign-up",
        vec![
            ("firstName", text("/firstName")),
            ("lastName", text("/lastName")),
            ("nino", existing_nino.to_string()),
            ("dateOfBirth", text("/dateOfBirth")),
            ("taxYear", "2025-26".to_owned()),
            ("tradingName", "Harbour Cafe".to_owned()),
            ("trade", "Cafe".to_owned()),
            ("startDate", "2019-04-06".to_owned()),
        ],
    )];
    let page = drive(
        ctx,
        &format!("{www}/sign-up-for-making-tax-digital/agent"),
        &facts(ctx, &agent, agent_sign_up, &["sign-up-done"]).await?,
    )
    .await?;
    let existing_id = page_value(&page, "data-mtditid").unwrap_or_default();
    n.say(
        None,
        "The agent links an existing client and signs it up",
        format!(
            "{} already had the agency as its Self Assessment agent: a 64-8 held\nagainst SA agent reference {reference}. On HMRC's pages the agent signs in with its old\nSelf Assessment for agents user ID too, linking that reference to its ARN. On the agent\nsign-up pages it names the client (name, NINO, date of birth) and signs it up:\nMTDITID {existing_id}. The 64-8 is copied across as a main relationship.",
            existing.user_full_name
        ),
    );

    // 5. The agent asks the new client for authority; the client accepts on HMRC's pages.
    let client_postcode = client
        .fields
        .get("individualDetails")
        .and_then(|d| d.pointer("/address/postcode"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let client_api = ctx.client.clone();
    let id = agent_authority
        .call(|t| {
            let (c, a, nn, p) = (
                client_api.clone(),
                arn.clone(),
                nino.clone(),
                client_postcode.clone(),
            );
            async move {
                c.agent_authorisation()
                    .invite(&t, &a, &nn, &p, AgentType::Main)
                    .await
            }
        })
        .await?;
    let invitation = agent_authority
        .call(|t| {
            let (c, a, i) = (client_api.clone(), arn.clone(), id.clone());
            async move { c.agent_authorisation().invitation(&t, &a, &i).await }
        })
        .await?;
    let link = invitation.client_action_url.clone().unwrap_or_default();
    let accept = vec![(
        "client-authorisation",
        vec![("answer", "accept".to_owned())],
    )];
    drive(
        ctx,
        &link,
        &facts(ctx, &client, accept, &["client-authorisation-done"]).await?,
    )
    .await?;
    let after = agent_authority
        .call(|t| {
            let (c, a, i) = (client_api.clone(), arn.clone(), id.clone());
            async move { c.agent_authorisation().invitation(&t, &a, &i).await }
        })
        .await?;
    n.say(
        None,
        "The agent asks the new client for authority, and the client accepts",
        format!(
            "Agent Authorisation API: request {id}, main agent, known fact the client's postcode.\nThe client opens the link, signs in, and accepts. Not signed up yet, so the request is {}\n(authorised before sign-up).",
            after.status
        ),
    );

    // 6. The client signs itself up; the partial authorisation becomes the agent's relationship.
    let sign_up = vec![(
        "sign-up",
        vec![
            ("taxYear", "2025-26".to_owned()),
            ("tradingName", "Nimble Lettings".to_owned()),
            ("trade", "Property management".to_owned()),
            ("startDate", "2021-04-06".to_owned()),
            ("ukProperty", "yes".to_owned()),
        ],
    )];
    let page = drive(
        ctx,
        &format!("{www}/sign-up-for-making-tax-digital"),
        &facts(ctx, &client, sign_up, &["sign-up-done"]).await?,
    )
    .await?;
    let mtditid = page_value(&page, "data-mtditid").unwrap_or_default();
    let after = agent_authority
        .call(|t| {
            let (c, a, i) = (client_api.clone(), arn.clone(), id.clone());
            async move { c.agent_authorisation().invitation(&t, &a, &i).await }
        })
        .await?;
    n.say(
        None,
        "The new client signs up for Making Tax Digital for Income Tax",
        format!(
            "From 2025-26, with a sole-trader business and UK property: MTDITID {mtditid}.\nThe agent's partial authorisation becomes a relationship: the request is now {}.",
            after.status
        ),
    );

    // 7. The agent reads its clients' ITSA status.
    let year = TaxYear::parse("2025-26").map_err(|e| CliError::new("hmrc", e.to_string()))?;
    let mut lines = Vec::new();
    for (who, whose) in [
        (&existing.user_full_name, &existing_nino),
        (&client.user_full_name, &nino),
    ] {
        let statuses = agent_authority
            .call(|t| {
                let (c, nn) = (client_api.clone(), whose.clone());
                async move {
                    c.individual_details()
                        .itsa_status(&t, &nn, year, true, false)
                        .await
                }
            })
            .await?;
        let described: Vec<String> = statuses
            .itsa_statuses
            .iter()
            .filter_map(|y| {
                y.itsa_status_details
                    .first()
                    .map(|d| format!("{} {}", y.tax_year, d.status))
            })
            .collect();
        lines.push(format!("{who}: {}", described.join(", ")));
    }
    n.say(
        None,
        "The agent reads its clients' ITSA status",
        format!("As main agent for both:\n{}", lines.join("\n")),
    );
    Ok(nino)
}

//! Signing up for MTD Income Tax: test support's one call, the taxpayer's own pages, and what
//! sign-up does to an agent's partial authorisation.

use mtd_client::ClientId;
use mtd_client::api::test_users::{NewTestUser, UserKind};
use serde_json::{Value, json};

use crate::helpers::{expect_error, spawn_app};

#[tokio::test]
async fn test_support_signs_up_and_partial_authorisations_become_relationships() {
    let app = spawn_app().await;
    app.client
        .test_support()
        .set_clock("2025-06-01T09:00:00Z")
        .await
        .unwrap();
    let registered = app.create_app().await;
    let sa_only = NewTestUser {
        service_names: vec!["national-insurance".into(), "self-assessment".into()],
        ..Default::default()
    };
    let taxpayer = app
        .create_user_with(&registered, UserKind::Individual, sa_only)
        .await;
    let no_sa = app
        .create_user_with(
            &registered,
            UserKind::Individual,
            NewTestUser {
                service_names: vec!["national-insurance".into()],
                ..Default::default()
            },
        )
        .await;
    let agent = app.create_user(&registered, UserKind::Agent).await;
    let nino = taxpayer.field("nino").unwrap().to_owned();
    let postcode = taxpayer.fields["individualDetails"]["address"]["postcode"]
        .as_str()
        .unwrap()
        .to_owned();

    // The agent is authorised before sign-up: a partial authorisation.
    let scopes = [
        "write:sent-invitations",
        "read:sent-invitations",
        "read:self-assessment",
    ];
    let t = app
        .client
        .test_support()
        .mint_token(
            &ClientId::new(registered.client_id.clone()),
            &agent.user_id,
            &scopes,
        )
        .await
        .unwrap()
        .access_token;
    let arn = mtd_domain::Arn::parse(agent.field("agentServicesAccountNumber").unwrap()).unwrap();
    let n = mtd_domain::Nino::parse(&nino).unwrap();
    let aa = app.client.agent_authorisation();
    let id = aa
        .invite(
            &t,
            &arn,
            &n,
            &postcode,
            mtd_client::api::agent_authorisation::AgentType::Main,
        )
        .await
        .unwrap();
    aa.answer(&app.app_token(&registered).await.access_token, &id, true)
        .await
        .unwrap();
    assert_eq!(
        aa.invitation(&t, &arn, &id).await.unwrap().status,
        "Partialauth"
    );

    let sign_up = |body: Value| {
        let app = &app;
        async move {
            app.raw
                .post(app.url("/test-support/sign-up"))
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let before = app.fingerprint();
    for (body, code) in [
        (
            json!({ "nino": nino, "incomeSources": [] }),
            "INVALID_REQUEST",
        ),
        (
            json!({ "nino": nino, "incomeSources": [{ "type": "self-employment" }] }),
            "INVALID_REQUEST",
        ),
        (
            json!({ "nino": nino, "incomeSources": [{ "type": "crypto" }] }),
            "INVALID_REQUEST",
        ),
        (
            json!({ "nino": no_sa.field("nino").unwrap(), "incomeSources": [{ "type": "uk-property" }] }),
            "INVALID_REQUEST",
        ),
    ] {
        expect_error(sign_up(body).await, 400, code).await;
        assert_eq!(
            app.fingerprint(),
            before,
            "a refused sign-up changes nothing"
        );
    }
    let resp = sign_up(json!({ "nino": nino, "incomeSources": [
        { "type": "self-employment", "tradingName": "Ada's Bikes", "trade": "Bicycle repairs", "startDate": "2020-05-01", "addressLine1": "1 High Street", "postcode": "TS1 1PA" },
        { "type": "uk-property" }
    ]}))
    .await;
    assert_eq!(resp.status(), 201);
    let signed: Value = resp.json().await.unwrap();
    mtd_domain::MtdItId::parse(signed["mtdItId"].as_str().unwrap()).unwrap();
    assert_eq!(signed["taxYear"], "2025-26");
    let ids: Vec<&str> = signed["businesses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["businessId"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 2);
    for b in ids {
        mtd_domain::BusinessId::parse(b).unwrap();
    }
    expect_error(
        sign_up(json!({ "nino": nino, "incomeSources": [{ "type": "uk-property" }] })).await,
        409,
        "ALREADY_SIGNED_UP",
    )
    .await;

    // The partial authorisation is now a relationship, and the request Accepted.
    assert_eq!(
        aa.invitation(&t, &arn, &id).await.unwrap().status,
        "Accepted"
    );
    let year = mtd_domain::TaxYear::parse("2025-26").unwrap();
    let statuses = app
        .client
        .individual_details()
        .itsa_status(&t, &n, year, true, false)
        .await
        .unwrap();
    assert_eq!(statuses.itsa_statuses.len(), 2);
}

#[tokio::test]
async fn the_taxpayer_signs_up_on_the_pages() {
    let app = spawn_app().await;
    app.client
        .test_support()
        .set_clock("2025-06-01T09:00:00Z")
        .await
        .unwrap();
    let registered = app.create_app().await;
    let req = NewTestUser {
        service_names: vec!["national-insurance".into(), "self-assessment".into()],
        two_step_verification: Some("off".into()),
        ..Default::default()
    };
    let taxpayer = app
        .create_user_with(&registered, UserKind::Individual, req)
        .await;
    let b = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let nonce_of = |html: &str| {
        scraper::Html::parse_document(html)
            .select(&scraper::Selector::parse("input[name=nonce]").unwrap())
            .next()
            .map(|e| e.value().attr("value").unwrap().to_owned())
            .unwrap()
    };
    let sign_in = b
        .get(app.url("/sign-up-for-making-tax-digital"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let form = b
        .post(app.url("/sign-in"))
        .form(&[
            ("nonce", nonce_of(&sign_in).as_str()),
            ("userId", &taxpayer.user_id),
            ("password", &taxpayer.password),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(form.contains("data-page=\"sign-up\""), "{form}");
    let done = b
        .post(app.url("/sign-up-for-making-tax-digital"))
        .form(&[
            ("nonce", nonce_of(&form).as_str()),
            ("taxYear", "2025-26"),
            ("tradingName", "Ada's Bikes"),
            ("trade", "Bicycle repairs"),
            ("startDate", "2020-05-01"),
            ("ukProperty", "yes"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);
    let html = done.text().await.unwrap();
    assert!(
        html.contains("data-page=\"sign-up-done\"") && html.contains("data-mtditid"),
        "{html}"
    );
    let facts = app
        .client
        .test_support()
        .user(&taxpayer.user_id)
        .await
        .unwrap();
    let enrolled = facts["enrolments"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["service"] == "HMRC-MTD-IT");
    assert!(enrolled, "{facts}");
}

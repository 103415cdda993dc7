//! Signing up for MTD Income Tax: test support's one call, the taxpayer's own pages, and what
//! sign-up does to an agent's partial authorisation.

use mtd_client::ClientId;
use mtd_client::api::test_users::{NewTestUser, UserKind};
use serde_json::{Value, json};

use crate::helpers::{expect_error, nonce_of, spawn_app};

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
    let (b, form) = app
        .signed_in_at("/sign-up-for-making-tax-digital", &taxpayer)
        .await;
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

fn no_2sv(services: &[&str]) -> NewTestUser {
    NewTestUser {
        service_names: services.iter().map(|s| s.to_string()).collect(),
        two_step_verification: Some("off".into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn registering_for_self_assessment_and_creating_an_agent_services_account() {
    let app = spawn_app().await;
    let registered = app.create_app().await;
    // An individual with no UTR registers on the page.
    let person = app
        .create_user_with(
            &registered,
            UserKind::Individual,
            no_2sv(&["national-insurance"]),
        )
        .await;
    let (b, page) = app
        .signed_in_at("/register-for-self-assessment", &person)
        .await;
    assert!(page.contains("data-page=\"sa-register\""), "{page}");
    let done = b
        .post(app.url("/register-for-self-assessment"))
        .form(&[("nonce", nonce_of(&page))])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(done.contains("data-utr"), "{done}");
    let facts = app
        .client
        .test_support()
        .user(&person.user_id)
        .await
        .unwrap();
    mtd_domain::SaUtr::parse(facts["saUtr"].as_str().unwrap_or_else(|| panic!("{facts}")))
        .unwrap_or_else(|_| panic!("{facts}"));

    // An agent names its business by that UTR and the postcode HMRC holds for it.
    let utr = facts["saUtr"].as_str().unwrap().to_owned();
    let postcode = facts["individualDetails"]["address"]["postcode"]
        .as_str()
        .unwrap()
        .to_owned();
    let agent = app
        .create_user_with(&registered, UserKind::Agent, no_2sv(&[]))
        .await;
    let (b, page) = app
        .signed_in_at("/agent-services-account/create", &agent)
        .await;
    assert!(page.contains("data-page=\"asa-create\""), "{page}");
    let details = |utr: &str, postcode: &str, page: &str| {
        vec![
            ("nonce".to_owned(), nonce_of(page)),
            ("utr".into(), utr.into()),
            ("postcode".into(), postcode.into()),
            ("agencyName".into(), "Example Accountants".into()),
            ("addressLine1".into(), "2 Market Square".into()),
            ("agencyPostcode".into(), "LS1 4AP".into()),
            ("email".into(), "office@example.com".into()),
            ("supervisoryBody".into(), "HMRC".into()),
            ("membershipNumber".into(), "XAML00000123456".into()),
        ]
    };
    let before = app.fingerprint_without_sessions();
    let wrong = b
        .post(app.url("/agent-services-account/create"))
        .form(&details(&utr, "ZZ99 9ZZ", &page))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 400);
    let page = wrong.text().await.unwrap();
    assert!(page.contains("do not match"));
    assert_eq!(
        app.fingerprint_without_sessions(),
        before,
        "a refused application changes nothing"
    );
    let created = b
        .post(app.url("/agent-services-account/create"))
        .form(&details(&utr, &postcode.to_lowercase(), &page))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(created.contains("data-arn"), "{created}");
    let facts = app
        .client
        .test_support()
        .user(&agent.user_id)
        .await
        .unwrap();
    let arn = facts["enrolments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["service"] == "HMRC-AS-AGENT")
        .unwrap()["identifierValue"]
        .as_str()
        .unwrap()
        .to_owned();
    mtd_domain::Arn::parse(&arn).unwrap();
    // Again: this group already has one.
    let again = b
        .get(app.url("/agent-services-account/create"))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409);
    // Another agent with the same business's UTR: refused.
    let other = app
        .create_user_with(&registered, UserKind::Agent, no_2sv(&[]))
        .await;
    let (b2, page2) = app
        .signed_in_at("/agent-services-account/create", &other)
        .await;
    let dup = b2
        .post(app.url("/agent-services-account/create"))
        .form(&details(&utr, &postcode, &page2))
        .send()
        .await
        .unwrap();
    assert_eq!(dup.status(), 409);
    // Not an agent: refused.
    let (_, refused) = app
        .signed_in_at("/agent-services-account/create", &person)
        .await;
    assert!(refused.contains("not signed in as an agent"), "{refused}");
    // Test support registers too, once.
    let again = app
        .raw
        .post(app.url("/test-support/self-assessment-registrations"))
        .json(&json!({ "userId": person.user_id }))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200);
}

#[tokio::test]
async fn an_agent_signs_up_an_existing_client() {
    let app = spawn_app().await;
    app.client
        .test_support()
        .set_clock("2025-06-01T09:00:00Z")
        .await
        .unwrap();
    let registered = app.create_app().await;
    let agent = app
        .create_user_with(&registered, UserKind::Agent, no_2sv(&["agent-services"]))
        .await;
    let arn = agent
        .field("agentServicesAccountNumber")
        .unwrap()
        .to_owned();
    let client = app
        .create_user_with(
            &registered,
            UserKind::Individual,
            no_2sv(&["national-insurance", "self-assessment"]),
        )
        .await;
    let stranger = app
        .create_user_with(
            &registered,
            UserKind::Individual,
            no_2sv(&["national-insurance", "self-assessment"]),
        )
        .await;
    let seed = |path: &str, body: Value| {
        let app = &app;
        let path = path.to_owned();
        async move {
            app.raw
                .post(app.url(&path))
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(
        seed(
            "/test-support/legacy-authorisations",
            json!({ "saAgentReference": "SA777", "nino": client.field("nino").unwrap() })
        )
        .await,
        204
    );
    assert_eq!(
        seed(
            "/test-support/agent-mappings",
            json!({ "arn": arn, "saAgentReference": "SA777" })
        )
        .await,
        204
    );

    let (b, page) = app
        .signed_in_at("/sign-up-for-making-tax-digital/agent", &agent)
        .await;
    assert!(page.contains("data-page=\"agent-sign-up\""), "{page}");
    let details =
        |who: &mtd_client::api::test_users::TestUser, page: &str, dob_override: Option<&str>| {
            let d = &who.fields["individualDetails"];
            vec![
                ("nonce".to_owned(), nonce_of(page)),
                (
                    "firstName".into(),
                    d["firstName"].as_str().unwrap().to_lowercase(),
                ),
                (
                    "lastName".into(),
                    d["lastName"].as_str().unwrap().to_owned(),
                ),
                ("nino".into(), who.field("nino").unwrap().to_owned()),
                (
                    "dateOfBirth".into(),
                    dob_override
                        .unwrap_or(d["dateOfBirth"].as_str().unwrap())
                        .to_owned(),
                ),
                ("taxYear".into(), "2025-26".into()),
                ("ukProperty".into(), "yes".into()),
            ]
        };
    let wrong = b
        .post(app.url("/sign-up-for-making-tax-digital/agent"))
        .form(&details(&client, &page, Some("1900-01-01")))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 400);
    let page = wrong.text().await.unwrap();
    let no_auth = b
        .post(app.url("/sign-up-for-making-tax-digital/agent"))
        .form(&details(&stranger, &page, None))
        .send()
        .await
        .unwrap();
    assert_eq!(
        no_auth.status(),
        403,
        "no legacy or partial authorisation for this client"
    );
    let page = b
        .get(app.url("/sign-up-for-making-tax-digital/agent"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let done = b
        .post(app.url("/sign-up-for-making-tax-digital/agent"))
        .form(&details(&client, &page, None))
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);
    assert!(done.text().await.unwrap().contains("data-mtditid"));

    // The agent is now the client's main agent.
    let token = app
        .client
        .test_support()
        .mint_token(
            &ClientId::new(registered.client_id.clone()),
            &agent.user_id,
            &["read:self-assessment"],
        )
        .await
        .unwrap()
        .access_token;
    let nino = mtd_domain::Nino::parse(client.field("nino").unwrap()).unwrap();
    app.client
        .individual_details()
        .itsa_status(
            &token,
            &nino,
            mtd_domain::TaxYear::parse("2025-26").unwrap(),
            false,
            false,
        )
        .await
        .unwrap();

    // Repeated mismatches lock the agent out.
    let mut last = 0;
    for _ in 0..3 {
        let page = b
            .get(app.url("/sign-up-for-making-tax-digital/agent"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        last = b
            .post(app.url("/sign-up-for-making-tax-digital/agent"))
            .form(&details(&stranger, &page, Some("1900-01-01")))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
    }
    assert_eq!(last, 400);
    let page = b
        .get(app.url("/sign-up-for-making-tax-digital/agent"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let locked = b
        .post(app.url("/sign-up-for-making-tax-digital/agent"))
        .form(&details(&stranger, &page, None))
        .send()
        .await
        .unwrap();
    assert_eq!(locked.status(), 403);
    assert!(locked.text().await.unwrap().contains("Too many"));
}

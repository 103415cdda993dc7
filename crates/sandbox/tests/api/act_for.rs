//! Who may act for a NINO, over HTTP with the real client: the authorisation matrix of the
//! set-up issue, on Self Assessment Individual Details (ITSA status), and that API's own rules.

use mtd_client::api::business_details::AccountingType;
use mtd_client::api::test_support::Application;
use mtd_client::api::test_users::{NewTestUser, TestUser, UserKind};
use mtd_client::{AccessToken, ClientId};
use mtd_domain::{BusinessId, Nino, TaxYear};

use crate::helpers::{TestApp, expect_error, spawn_app};

const ACCEPT_2: &str = "application/vnd.hmrc.2.0+json";

async fn token(app: &TestApp, registered: &Application, user: &TestUser) -> AccessToken {
    let scopes = ["read:self-assessment", "write:self-assessment"];
    let id = ClientId::new(registered.client_id.clone());
    app.client
        .test_support()
        .mint_token(&id, &user.user_id, &scopes)
        .await
        .unwrap()
        .access_token
}

async fn user(
    app: &TestApp,
    registered: &Application,
    kind: UserKind,
    services: &[&str],
    cl: u16,
) -> TestUser {
    let req = NewTestUser {
        service_names: services.iter().map(|s| s.to_string()).collect(),
        confidence_level: Some(cl),
        ..Default::default()
    };
    app.create_user_with(registered, kind, req).await
}

fn nino(u: &TestUser) -> Nino {
    Nino::parse(u.field("nino").unwrap()).unwrap()
}

fn arn(u: &TestUser) -> &str {
    u.field("agentServicesAccountNumber").unwrap()
}

#[tokio::test]
async fn the_authorisation_matrix() {
    let app = spawn_app().await;
    let registered = app.create_app().await;
    let mtd = ["national-insurance", "self-assessment", "mtd-income-tax"];
    let client = user(
        &app,
        &registered,
        UserKind::Individual,
        &["national-insurance", "self-assessment"],
        250,
    )
    .await;
    let signed = app
        .client
        .test_support()
        .sign_up(
            nino(&client).as_str(),
            serde_json::json!([{ "type": "self-employment", "tradingName": "Ferris Joinery", "trade": "Joinery",
                                 "addressLine1": "1 Crab Lane", "postcode": "TS1 1PA", "startDate": "2020-05-01" }]),
        )
        .await
        .unwrap();
    let business =
        BusinessId::parse(signed["businesses"][0]["businessId"].as_str().unwrap()).unwrap();
    let other = user(&app, &registered, UserKind::Individual, &mtd, 250).await;
    let not_signed_up = user(
        &app,
        &registered,
        UserKind::Individual,
        &["national-insurance", "self-assessment"],
        250,
    )
    .await;
    let low_level = user(&app, &registered, UserKind::Individual, &mtd, 200).await;
    let org = user(&app, &registered, UserKind::Organisation, &mtd, 250).await;
    let main = user(&app, &registered, UserKind::Agent, &["agent-services"], 50).await;
    let supporting = user(&app, &registered, UserKind::Agent, &["agent-services"], 50).await;
    let stranger = user(&app, &registered, UserKind::Agent, &["agent-services"], 50).await;
    let replaced = user(&app, &registered, UserKind::Agent, &["agent-services"], 50).await;
    let deauthorised = user(&app, &registered, UserKind::Agent, &["agent-services"], 50).await;
    let no_asa = user(&app, &registered, UserKind::Agent, &[], 50).await;

    let ts = app.client.test_support();
    let cn = nino(&client).to_string();
    ts.create_relationship(arn(&replaced), &cn, "main")
        .await
        .unwrap();
    ts.create_relationship(arn(&main), &cn, "main")
        .await
        .unwrap(); // replaces `replaced`
    ts.create_relationship(arn(&supporting), &cn, "supporting")
        .await
        .unwrap();
    ts.create_relationship(arn(&deauthorised), &cn, "supporting")
        .await
        .unwrap();
    app.server
        .state
        .store
        .write(|tx| {
            let id: String = tx.query_row(
                "SELECT value FROM identifiers WHERE kind = 'mtdItId' AND user_id = ?1",
                [&client.user_id],
                |r| r.get(0),
            )?;
            mtd_sandbox::agents::deauthorise(
                tx,
                arn(&deauthorised),
                &id,
                mtd_sandbox::agents::AgentType::Supporting,
                0,
            )
        })
        .unwrap();

    let year = TaxYear::containing(chrono::Utc::now().date_naive()).unwrap();
    let details = app.client.individual_details();
    let businesses = app.client.business_details();
    // (who, whose NINO, allowed where supporting agents are?); only the supporting agent
    // differs on an endpoint for main agents only.
    let cases: Vec<(&str, &TestUser, Nino, bool)> = vec![
        ("individual, own NINO", &client, nino(&client), true),
        ("individual, another's NINO", &client, nino(&other), false),
        (
            "individual, a NINO not signed up",
            &client,
            nino(&not_signed_up),
            false,
        ),
        (
            "not signed up, own NINO",
            &not_signed_up,
            nino(&not_signed_up),
            false,
        ),
        (
            "individual below confidence level 250",
            &low_level,
            nino(&low_level),
            false,
        ),
        ("organisation, own NINO", &org, nino(&org), true),
        ("main agent", &main, nino(&client), true),
        (
            "supporting agent, an endpoint open to supporting agents",
            &supporting,
            nino(&client),
            true,
        ),
        (
            "agent with no relationship",
            &stranger,
            nino(&client),
            false,
        ),
        ("replaced main agent", &replaced, nino(&client), false),
        ("deauthorised agent", &deauthorised, nino(&client), false),
        (
            "agent without an agent services account",
            &no_asa,
            nino(&client),
            false,
        ),
    ];
    let mut tokens = Vec::new();
    for (_, caller, _, _) in &cases {
        tokens.push(token(&app, &registered, caller).await);
    }
    let t = token(&app, &registered, &client).await;
    let before = app.fingerprint();
    let refused = |who: &str, answer: Result<(), mtd_client::Error>| match answer {
        Err(e) => assert_eq!(
            (e.status(), e.hmrc_code()),
            (Some(403), Some("CLIENT_OR_AGENT_NOT_AUTHORISED")),
            "{who}"
        ),
        Ok(()) => panic!("{who}: allowed, but should be refused"),
    };
    for ((who, _, client_nino, allowed), t) in cases.into_iter().zip(tokens) {
        let status = details
            .itsa_status(&t, &client_nino, year, false, false)
            .await;
        let listed = businesses.list(&t, &client_nino).await;
        let accounting = businesses
            .accounting_type(&t, &client_nino, &business, year)
            .await;
        let main_only_allowed = allowed && !who.starts_with("supporting");
        if allowed {
            let s = status.unwrap_or_else(|e| panic!("{who}: {e:?}"));
            assert_eq!(
                s.itsa_statuses[0].itsa_status_details[0].status, "MTD Voluntary",
                "{who}"
            );
            if client_nino == nino(&client) {
                let l = listed.unwrap_or_else(|e| panic!("{who}: {e:?}"));
                assert_eq!(l.list_of_businesses.len(), 1, "{who}");
                assert_eq!(l.list_of_businesses[0].business_id, business, "{who}");
            } else {
                // Signed up through Create Test User, so allowed in, but with no income sources.
                let e = listed.unwrap_err();
                assert_eq!(e.hmrc_code(), Some("MATCHING_RESOURCE_NOT_FOUND"), "{who}");
            }
        } else {
            refused(who, status.map(drop));
            refused(who, listed.map(drop));
        }
        match accounting {
            Ok(a) if main_only_allowed => assert_eq!(a, AccountingType::Cash, "{who}"),
            Err(e) if main_only_allowed => {
                assert_ne!(client_nino, nino(&client), "{who}");
                assert_eq!(e.hmrc_code(), Some("MATCHING_RESOURCE_NOT_FOUND"), "{who}");
            }
            other => refused(who, other.map(drop)),
        }
    }
    let resp = app
        .raw
        .get(app.url("/individuals/person/itsa-status/QQ123456A/2025-26"))
        .header("Accept", ACCEPT_2)
        .bearer_auth(t.secret())
        .send()
        .await
        .unwrap();
    expect_error(resp, 400, "FORMAT_NINO").await;
    assert_eq!(app.fingerprint(), before, "reading changes nothing");
}

#[tokio::test]
async fn itsa_status_rules_and_test_support() {
    let app = spawn_app().await;
    app.client
        .test_support()
        .set_clock("2025-06-01T09:00:00Z")
        .await
        .unwrap();
    let registered = app.create_app().await;
    let client = app.create_user(&registered, UserKind::Individual).await;
    let t = token(&app, &registered, &client).await;
    let n = nino(&client);
    let details = app.client.individual_details();
    let y2025 = TaxYear::parse("2025-26").unwrap();

    let one = details
        .itsa_status(&t, &n, y2025, false, false)
        .await
        .unwrap();
    assert_eq!(one.itsa_statuses.len(), 1);
    let both = details
        .itsa_status(&t, &n, y2025, true, false)
        .await
        .unwrap();
    assert_eq!(
        both.itsa_statuses
            .iter()
            .map(|y| y.tax_year.to_string())
            .collect::<Vec<_>>(),
        ["2025-26", "2026-27"]
    );
    let err = details
        .itsa_status(&t, &n, TaxYear::parse("2023-24").unwrap(), false, false)
        .await
        .unwrap_err();
    assert_eq!(
        (err.status(), err.hmrc_code()),
        (Some(404), Some("MATCHING_RESOURCE_NOT_FOUND"))
    );

    // HMRC's Self Assessment Test Support sets a year's status; history keeps every detail.
    let set = |body: serde_json::Value, year: &'static str| {
        let (app, t, n) = (&app, t.clone(), n.clone());
        async move {
            app.raw
                .post(app.url(&format!(
                    "/individuals/self-assessment-test-support/itsa-status/{n}/{year}"
                )))
                .header("Accept", "application/vnd.hmrc.1.0+json")
                .bearer_auth(t.secret())
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let good = serde_json::json!({ "itsaStatusDetails": [
        { "submittedOn": "2025-04-06T09:00:00.000Z", "status": "MTD Voluntary", "statusReason": "Sign up - return available" },
        { "submittedOn": "2025-05-01T10:00:00.000Z", "status": "MTD Mandated", "statusReason": "ITSA final declaration", "businessIncome2YearsPrior": 52000.55 }
    ]});
    assert_eq!(set(good, "2025-26").await.status(), 204);
    let latest = details
        .itsa_status(&t, &n, y2025, false, false)
        .await
        .unwrap();
    let d = &latest.itsa_statuses[0].itsa_status_details;
    assert_eq!((d.len(), d[0].status.as_str()), (1, "MTD Mandated"));
    assert_eq!(
        d[0].business_income_2_years_prior
            .as_ref()
            .unwrap()
            .to_string(),
        "52000.55"
    );
    let history = details
        .itsa_status(&t, &n, y2025, false, true)
        .await
        .unwrap();
    assert_eq!(history.itsa_statuses[0].itsa_status_details.len(), 2);

    let before = app.fingerprint();
    let bad = serde_json::json!({ "itsaStatusDetails": [
        { "submittedOn": "2025-04-06", "status": "Sometimes", "statusReason": "Because", "businessIncome2YearsPrior": -1 }
    ]});
    let body = expect_error(set(bad, "2025-26").await, 400, "INVALID_REQUEST").await;
    let codes: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "FORMAT_SUBMITTED_ON",
            "FORMAT_STATUS",
            "FORMAT_STATUS_REASON",
            "FORMAT_BUSINESS_INCOME_2_YEARS_PRIOR"
        ]
    );
    let dup = serde_json::json!({ "itsaStatusDetails": [
        { "submittedOn": "2025-04-06T09:00:00.000Z", "status": "Annual", "statusReason": "Rollover" },
        { "submittedOn": "2025-04-06T09:00:00.000Z", "status": "Annual", "statusReason": "Rollover" }
    ]});
    expect_error(set(dup, "2025-26").await, 400, "DUPLICATE_SUBMITTED_ON").await;
    expect_error(
        set(serde_json::json!({}), "2025-26").await,
        400,
        "RULE_INCORRECT_OR_EMPTY_BODY_SUBMITTED",
    )
    .await;
    expect_error(
        set(serde_json::json!({ "itsaStatusDetails": [] }), "2025-26").await,
        400,
        "RULE_INCORRECT_OR_EMPTY_BODY_SUBMITTED",
    )
    .await;
    expect_error(
        set(serde_json::json!({ "itsaStatusDetails": [] }), "2025-27").await,
        400,
        "RULE_TAX_YEAR_RANGE_INVALID",
    )
    .await;
    assert_eq!(app.fingerprint(), before, "refused writes change nothing");

    // Path and query errors, together when there are several; Gov-Test-Scenario.
    let get = |path: String, scenario: Option<&'static str>| {
        let (app, t) = (&app, t.clone());
        async move {
            let mut r = app
                .raw
                .get(app.url(&path))
                .header("Accept", ACCEPT_2)
                .bearer_auth(t.secret());
            if let Some(s) = scenario {
                r = r.header("Gov-Test-Scenario", s);
            }
            r.send().await.unwrap()
        }
    };
    expect_error(
        get(format!("/individuals/person/itsa-status/{n}/2025"), None).await,
        400,
        "FORMAT_TAX_YEAR",
    )
    .await;
    let body = expect_error(
        get(
            format!("/individuals/person/itsa-status/{n}/2025-26?futureYears=yes&history=1"),
            None,
        )
        .await,
        400,
        "INVALID_REQUEST",
    )
    .await;
    assert_eq!(body["errors"].as_array().unwrap().len(), 2);
    expect_error(
        get(
            format!("/individuals/person/itsa-status/{n}/2025-26"),
            Some("NOT_FOUND"),
        )
        .await,
        404,
        "MATCHING_RESOURCE_NOT_FOUND",
    )
    .await;
    expect_error(
        get(
            format!("/individuals/person/itsa-status/{n}/2025-26"),
            Some("NOT_ENROLLED"),
        )
        .await,
        403,
        "CLIENT_NOT_MTD_ENROLLED",
    )
    .await;
    expect_error(
        get(
            format!("/individuals/person/itsa-status/{n}/2025-26"),
            Some("WHATEVER"),
        )
        .await,
        400,
        "RULE_INCORRECT_GOV_TEST_SCENARIO",
    )
    .await;
    assert_eq!(
        get(
            format!("/individuals/person/itsa-status/{n}/2025-26"),
            Some("STATEFUL")
        )
        .await
        .status(),
        200
    );
    // The read scope is not enough to write.
    let read_only = app
        .client
        .test_support()
        .mint_token(
            &ClientId::new(registered.client_id.clone()),
            &client.user_id,
            &["read:self-assessment"],
        )
        .await
        .unwrap()
        .access_token;
    let resp = app
        .raw
        .post(app.url(&format!(
            "/individuals/self-assessment-test-support/itsa-status/{n}/2025-26"
        )))
        .header("Accept", "application/vnd.hmrc.1.0+json")
        .bearer_auth(read_only.secret())
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    expect_error(resp, 403, "INVALID_SCOPE").await;
}

#[tokio::test]
async fn business_details_test_scenarios() {
    let app = spawn_app().await;
    let registered = app.create_app().await;
    let user = app.create_user(&registered, UserKind::Individual).await;
    let t = token(&app, &registered, &user).await;
    let n = nino(&user);
    let with = |s: &str| app.client.clone().with_test_scenario(Some(s.into()));
    let kinds = |b: &mtd_client::api::business_details::Businesses| {
        b.list_of_businesses
            .iter()
            .map(|x| format!("{} {}", x.type_of_business, x.business_id))
            .collect::<Vec<_>>()
    };
    let both = with("BUSINESS_AND_PROPERTY")
        .business_details()
        .list(&t, &n)
        .await
        .unwrap();
    assert_eq!(
        kinds(&both),
        [
            "self-employment XBIS12345678901",
            "uk-property XPIS12345678901"
        ]
    );
    let id = |s: &str| BusinessId::parse(s).unwrap();
    let dynamic_client = with("DYNAMIC");
    let dynamic = dynamic_client.business_details();
    let foreign = dynamic
        .retrieve(&t, &n, &id("XFIS12345678901"))
        .await
        .unwrap();
    assert_eq!(foreign.summary.type_of_business, "foreign-property");
    let other = dynamic
        .retrieve(&t, &n, &id("XAIS00000000001"))
        .await
        .unwrap_err();
    assert_eq!(other.hmrc_code(), Some("NO_BUSINESS_FOUND"));
    let wrong = with("NO_SUCH_SCENARIO")
        .business_details()
        .list(&t, &n)
        .await
        .unwrap_err();
    assert_eq!(wrong.hmrc_code(), Some("RULE_INCORRECT_GOV_TEST_SCENARIO"));
    // Without a scenario the answer is this taxpayer's own: none yet.
    let own = app
        .client
        .business_details()
        .list(&t, &n)
        .await
        .unwrap_err();
    assert_eq!(own.hmrc_code(), Some("MATCHING_RESOURCE_NOT_FOUND"));
}

//! HMRC's Create Test User API on the local HMRC.

use mtd_client::api::test_users::{NewTestUser, UserKind};
use mtd_domain::{Arn, MtdItId, Nino, SaUtr};

use crate::helpers::{ACCEPT_1, expect_error, spawn_app};

#[tokio::test]
async fn creates_each_kind_with_valid_identifiers() {
    let app = spawn_app().await;
    let registered = app.create_app().await;
    let individual = app.create_user(&registered, UserKind::Individual).await;
    assert_eq!(individual.user_id.len(), 12);
    assert!(individual.user_id.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(individual.password.len(), 12);
    assert!(individual.email_address.ends_with("@example.com"));
    Nino::parse(individual.field("nino").unwrap()).unwrap();
    SaUtr::parse(individual.field("saUtr").unwrap()).unwrap();
    MtdItId::parse(individual.field("mtdItId").unwrap()).unwrap();
    let details = &individual.fields["individualDetails"];
    assert!(details["dateOfBirth"].as_str().unwrap().len() == 10);
    assert!(details["address"]["postcode"].is_string());
    assert_eq!(individual.fields["confidenceLevel"], 250);
    assert_eq!(individual.fields["twoStepVerification"], "unregistered");

    let org = app.create_user(&registered, UserKind::Organisation).await;
    assert!(
        org.fields["organisationDetails"]["name"]
            .as_str()
            .unwrap()
            .starts_with("Company ")
    );

    let agent = app.create_user(&registered, UserKind::Agent).await;
    Arn::parse(agent.field("agentServicesAccountNumber").unwrap()).unwrap();
    assert!(agent.fields.get("individualDetails").is_none());

    let token = app.app_token(&registered).await;
    let services = app
        .client
        .test_users()
        .services(&token.access_token)
        .await
        .unwrap();
    assert!(
        services.iter().any(|s| s.key == "mtd-income-tax"
            && s.allowed_user_types.contains(&"INDIVIDUAL".to_owned()))
    );
}

#[tokio::test]
async fn local_extensions_are_honoured() {
    let app = spawn_app().await;
    let registered = app.create_app().await;
    let token = app.app_token(&registered).await;
    let req = NewTestUser {
        service_names: vec!["national-insurance".into()],
        nino: Some("PE938808A".into()),
        confidence_level: Some(200),
        two_step_verification: Some("off".into()),
        tax_regime: Some("scotland".into()),
    };
    let user = app
        .client
        .test_users()
        .create(&token.access_token, UserKind::Individual, &req)
        .await
        .unwrap();
    assert_eq!(user.field("nino"), Some("PE938808A"));
    let facts = app.client.test_support().user(&user.user_id).await.unwrap();
    assert_eq!(facts["confidenceLevel"], 200);
    assert_eq!(facts["twoStepVerification"], "off");
    assert_eq!(facts["taxRegime"], "scotland");
    assert_eq!(facts["affinityGroup"], "Individual");
}

#[tokio::test]
async fn bad_requests_change_nothing() {
    let app = spawn_app().await;
    let registered = app.create_app().await;
    let token = app
        .app_token(&registered)
        .await
        .access_token
        .secret()
        .clone();
    let used = NewTestUser {
        service_names: vec!["national-insurance".into()],
        nino: Some("PE938808A".into()),
        ..Default::default()
    };
    app.client
        .test_users()
        .create(
            &mtd_client::AccessToken::new(token.clone()),
            UserKind::Individual,
            &used,
        )
        .await
        .unwrap();
    let before = app.fingerprint();
    let cases: Vec<(&str, String, u16, &str)> = vec![
        (
            "/create-test-user/individuals",
            "{".into(),
            400,
            "INVALID_REQUEST",
        ),
        (
            "/create-test-user/individuals",
            "[]".into(),
            400,
            "INVALID_REQUEST",
        ),
        (
            "/create-test-user/individuals",
            r#"{"serviceNames": ["no-such-service"]}"#.into(),
            400,
            "INVALID_REQUEST",
        ),
        (
            "/create-test-user/individuals",
            r#"{"serviceNames": ["agent-services"]}"#.into(),
            400,
            "INVALID_REQUEST",
        ),
        (
            "/create-test-user/agents",
            r#"{"serviceNames": ["mtd-income-tax"]}"#.into(),
            400,
            "INVALID_REQUEST",
        ),
        (
            "/create-test-user/individuals",
            r#"{"serviceNames": [], "surprise": 1}"#.into(),
            400,
            "INVALID_REQUEST",
        ),
        (
            "/create-test-user/individuals",
            r#"{"serviceNames": ["national-insurance"], "nino": "QQ123456A"}"#.into(),
            400,
            "INVALID_REQUEST",
        ),
        (
            "/create-test-user/individuals",
            r#"{"serviceNames": ["national-insurance"], "nino": "PE938808A"}"#.into(),
            400,
            "NINO_ALREADY_USED",
        ),
        (
            "/create-test-user/individuals",
            r#"{"serviceNames": [], "confidenceLevel": 100}"#.into(),
            400,
            "INVALID_REQUEST",
        ),
        (
            "/create-test-user/individuals",
            r#"{"serviceNames": [], "twoStepVerification": "sometimes"}"#.into(),
            400,
            "INVALID_REQUEST",
        ),
        (
            "/create-test-user/individuals",
            format!(r#"{{"serviceNames": ["{}"]}}"#, "x".repeat(100_000)),
            400,
            "INVALID_REQUEST",
        ),
    ];
    for (path, body, status, code) in cases {
        let resp = app
            .raw
            .post(app.url(path))
            .header("Accept", ACCEPT_1)
            .header("Content-Type", "application/json")
            .bearer_auth(&token)
            .body(body.clone())
            .send()
            .await
            .unwrap();
        expect_error(resp, status, code).await;
        assert_eq!(
            app.fingerprint(),
            before,
            "{} changed state",
            &body[..body.len().min(80)]
        );
    }
}

//! The local-only `/test-support/` endpoints.

use mtd_client::api::test_support::NewApplication;

use crate::helpers::{expect_error, spawn_app};

#[tokio::test]
async fn applications_follow_the_developer_hubs_rules() {
    let app = spawn_app().await;
    let ok = app
        .create_app_with(NewApplication {
            name: "Five URIs".into(),
            redirect_uris: (1..=5)
                .map(|i| format!("https://software.example/cb{i}"))
                .chain([])
                .collect(),
            ..Default::default()
        })
        .await;
    assert_eq!(ok.redirect_uris.len(), 5);
    assert_eq!(ok.client_id.len(), 28);
    assert_eq!(ok.grant_length_days, 547);
    let before = app.fingerprint();
    let bad_bodies = [
        r#"{"name": "Six", "redirectUris": ["https://a.example/1","https://a.example/2","https://a.example/3","https://a.example/4","https://a.example/5","https://a.example/6"]}"#.to_owned(),
        r#"{"name": "Fragment", "redirectUris": ["https://a.example/cb#x"]}"#.to_owned(),
        r#"{"name": "Plain http", "redirectUris": ["http://a.example/cb"]}"#.to_owned(),
        r#"{"name": "Relative", "redirectUris": ["/cb"]}"#.to_owned(),
        r#"{"name": "", "redirectUris": []}"#.to_owned(),
        format!(r#"{{"name": "{}"}}"#, "n".repeat(101)),
        r#"{"name": "Unknown API", "subscriptions": ["vat-api"]}"#.to_owned(),
        r#"{"name": "Unknown field", "colour": "red"}"#.to_owned(),
        r#"{"redirectUris": []}"#.to_owned(),
        "not json".to_owned(),
    ];
    for body in bad_bodies {
        let resp = app
            .raw
            .post(app.url("/test-support/applications"))
            .header("Content-Type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        expect_error(resp, 400, "INVALID_REQUEST").await;
        assert_eq!(app.fingerprint(), before, "{body} changed state");
    }
}

#[tokio::test]
async fn minting_refuses_unknown_parties_and_scopes() {
    let app = spawn_app().await;
    let registered = app.create_app().await;
    let user = app
        .create_user(
            &registered,
            mtd_client::api::test_users::UserKind::Individual,
        )
        .await;
    let before = app.fingerprint();
    for body in [
        serde_json::json!({ "clientId": "nope", "userId": user.user_id, "scopes": ["hello"] }),
        serde_json::json!({ "clientId": registered.client_id, "userId": "000000000000", "scopes": ["hello"] }),
        serde_json::json!({ "clientId": registered.client_id, "userId": user.user_id, "scopes": ["read:everything"] }),
        serde_json::json!({ "clientId": registered.client_id, "userId": user.user_id, "scopes": [] }),
    ] {
        let resp = app
            .raw
            .post(app.url("/test-support/tokens"))
            .json(&body)
            .send()
            .await
            .unwrap();
        expect_error(resp, 400, "INVALID_REQUEST").await;
        assert_eq!(app.fingerprint(), before);
    }
}

#[tokio::test]
async fn the_clock_moves_and_refuses_nonsense() {
    let app = spawn_app().await;
    let ts = app.client.test_support();
    let set = ts.set_clock("2025-06-01T09:00:00Z").await.unwrap();
    assert!(set.now.starts_with("2025-06-01T09:00:0"), "{}", set.now);
    let later = ts.advance_clock("5h").await.unwrap();
    assert!(later.now.starts_with("2025-06-01T14:00:0"), "{}", later.now);
    assert!(
        ts.clock()
            .await
            .unwrap()
            .now
            .starts_with("2025-06-01T14:00")
    );
    let before = app.fingerprint();
    for body in [
        serde_json::json!({ "now": "yesterday" }),
        serde_json::json!({ "advance": "soon" }),
        serde_json::json!({ "now": "2025-06-01T09:00:00Z", "advance": "5h" }),
        serde_json::json!({}),
        serde_json::json!({ "advance": "100000000d" }),
        serde_json::json!({ "now": "1969-12-31T23:59:59Z" }),
    ] {
        let resp = app
            .raw
            .post(app.url("/test-support/clock"))
            .json(&body)
            .send()
            .await
            .unwrap();
        expect_error(resp, 400, "INVALID_REQUEST").await;
        assert_eq!(app.fingerprint(), before, "{body}");
    }
}

#[tokio::test]
async fn users_are_described_without_passwords_and_openapi_is_served() {
    let app = spawn_app().await;
    let resp = app
        .raw
        .get(app.url("/test-support/users/000000000000"))
        .send()
        .await
        .unwrap();
    expect_error(resp, 404, "USER_NOT_FOUND").await;
    let doc: serde_json::Value = app
        .raw
        .get(app.url("/test-support/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["openapi"], "3.0.3");
    for path in [
        "/test-support/applications",
        "/test-support/tokens",
        "/test-support/clock",
        "/test-support/users/{userId}",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} documented");
    }
}

#[tokio::test]
async fn test_support_can_be_switched_off() {
    let app = crate::helpers::spawn_with(mtd_sandbox::Config {
        test_support: false,
        ..Default::default()
    })
    .await;
    let resp = app
        .raw
        .post(app.url("/test-support/applications"))
        .json(&serde_json::json!({"name": "x"}))
        .send()
        .await
        .unwrap();
    expect_error(resp, 404, "MATCHING_RESOURCE_NOT_FOUND").await;
}

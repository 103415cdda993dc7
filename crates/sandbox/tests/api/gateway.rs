//! Every gateway refusal, with the state unchanged after it.

use mtd_client::api::test_support::NewApplication;
use reqwest::Method;

use crate::helpers::{ACCEPT_1, expect_error, spawn_app};

#[tokio::test]
async fn open_endpoint_needs_only_accept() {
    let app = spawn_app().await;
    let msg = app.client.hello().world().await.unwrap();
    assert_eq!(msg.message, "Hello World");
    let resp = app
        .raw
        .get(app.url("/hello/world"))
        .header("Accept", ACCEPT_1)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
    assert!(resp.headers().contains_key("x-correlationid"));
}

#[tokio::test]
async fn user_and_application_tokens_reach_their_endpoints() {
    let app = spawn_app().await;
    let (registered, _user, tokens) = app.user_tokens(&["hello"]).await;
    assert_eq!(
        app.client
            .hello()
            .user(&tokens.access_token)
            .await
            .unwrap()
            .message,
        "Hello User"
    );
    let app_token = app.app_token(&registered).await;
    assert_eq!(
        app.client
            .hello()
            .application(&app_token.access_token)
            .await
            .unwrap()
            .message,
        "Hello Application"
    );
}

/// One refused request: how to send it, and HMRC's status and code for it.
struct Case {
    name: &'static str,
    method: Method,
    path: &'static str,
    accept: Option<&'static str>,
    bearer: Option<String>,
    status: u16,
    code: &'static str,
}

#[tokio::test]
async fn every_refusal_has_hmrcs_status_and_code_and_changes_nothing() {
    let app = spawn_app().await;
    let (registered, _user, user_tokens) = app.user_tokens(&["read:self-assessment"]).await;
    let app_token = app
        .app_token(&registered)
        .await
        .access_token
        .secret()
        .clone();
    let user_token = user_tokens.access_token.secret().clone();
    let unsubscribed = app
        .create_app_with(NewApplication {
            name: "No hello".into(),
            subscriptions: Some(vec!["create-test-user".into()]),
            ..Default::default()
        })
        .await;
    let unsubscribed_token = app
        .app_token(&unsubscribed)
        .await
        .access_token
        .secret()
        .clone();

    let get = |name, path, accept, bearer: Option<&String>, status, code| Case {
        name,
        method: Method::GET,
        path,
        accept,
        bearer: bearer.cloned(),
        status,
        code,
    };
    let cases = vec![
        get(
            "no Accept",
            "/hello/world",
            None,
            None,
            406,
            "ACCEPT_HEADER_INVALID",
        ),
        get(
            "plain JSON Accept",
            "/hello/world",
            Some("application/json"),
            None,
            406,
            "ACCEPT_HEADER_INVALID",
        ),
        get(
            "malformed Accept",
            "/hello/world",
            Some("application/vnd.hmrc.1+json"),
            None,
            406,
            "ACCEPT_HEADER_INVALID",
        ),
        get(
            "XML Accept",
            "/hello/user",
            Some("application/vnd.hmrc.1.0+xml"),
            Some(&user_token),
            406,
            "ACCEPT_HEADER_INVALID",
        ),
        get(
            "unknown version",
            "/hello/world",
            Some("application/vnd.hmrc.2.0+json"),
            None,
            404,
            "MATCHING_RESOURCE_NOT_FOUND",
        ),
        get(
            "no token",
            "/hello/user",
            Some(ACCEPT_1),
            None,
            401,
            "MISSING_CREDENTIALS",
        ),
        get(
            "no token, app-restricted",
            "/hello/application",
            Some(ACCEPT_1),
            None,
            401,
            "MISSING_CREDENTIALS",
        ),
        get(
            "forged token",
            "/hello/user",
            Some(ACCEPT_1),
            Some(&"0123456789abcdef0123456789abcdef".to_owned()),
            401,
            "INVALID_CREDENTIALS",
        ),
        get(
            "empty bearer",
            "/hello/user",
            Some(ACCEPT_1),
            Some(&String::new()),
            401,
            "INVALID_CREDENTIALS",
        ),
        get(
            "application token on a user endpoint",
            "/hello/user",
            Some(ACCEPT_1),
            Some(&app_token),
            401,
            "INCORRECT_ACCESS_TOKEN_TYPE",
        ),
        get(
            "token without the scope",
            "/hello/user",
            Some(ACCEPT_1),
            Some(&user_token),
            403,
            "INVALID_SCOPE",
        ),
        get(
            "application not subscribed",
            "/hello/application",
            Some(ACCEPT_1),
            Some(&unsubscribed_token),
            403,
            "RESOURCE_FORBIDDEN",
        ),
        get(
            "unknown path",
            "/hello/nobody",
            Some(ACCEPT_1),
            None,
            404,
            "MATCHING_RESOURCE_NOT_FOUND",
        ),
        get(
            "unknown API",
            "/individuals/business/details/AA123456A/list",
            Some(ACCEPT_1),
            Some(&user_token),
            404,
            "MATCHING_RESOURCE_NOT_FOUND",
        ),
        Case {
            name: "wrong method",
            method: Method::POST,
            path: "/hello/world",
            accept: Some(ACCEPT_1),
            bearer: None,
            status: 404,
            code: "MATCHING_RESOURCE_NOT_FOUND",
        },
        Case {
            name: "unroutable method",
            method: Method::TRACE,
            path: "/hello/world",
            accept: Some(ACCEPT_1),
            bearer: None,
            status: 405,
            code: "METHOD_NOT_ALLOWED",
        },
    ];

    let before = app.fingerprint();
    for case in cases {
        let mut req = app.raw.request(case.method.clone(), app.url(case.path));
        if let Some(a) = case.accept {
            req = req.header("Accept", a);
        }
        if let Some(b) = &case.bearer {
            req = req.header("Authorization", format!("Bearer {b}"));
        }
        let resp = req.send().await.unwrap();
        let www_auth = resp.headers().get("www-authenticate").cloned();
        if case.status == 401 {
            assert!(
                www_auth.is_some(),
                "{}: 401 carries WWW-Authenticate",
                case.name
            );
        }
        expect_error(resp, case.status, case.code).await;
        assert_eq!(app.fingerprint(), before, "{} changed state", case.name);
    }
}

#[tokio::test]
async fn expired_token_is_invalid_credentials() {
    let app = spawn_app().await;
    let (_registered, _user, tokens) = app.user_tokens(&["hello"]).await;
    app.client
        .test_support()
        .advance_clock("3h 59m")
        .await
        .unwrap();
    app.client.hello().user(&tokens.access_token).await.unwrap();
    app.client.test_support().advance_clock("2m").await.unwrap();
    let err = app
        .client
        .hello()
        .user(&tokens.access_token)
        .await
        .unwrap_err();
    assert_eq!(err.hmrc_code(), Some("INVALID_CREDENTIALS"));
    assert_eq!(err.status(), Some(401));
    assert!(err.correlation_id().is_some());
}

#[tokio::test]
async fn each_application_is_throttled_on_its_own() {
    let app = spawn_app().await;
    let slow = app
        .create_app_with(NewApplication {
            name: "Slow".into(),
            rate_limit: Some(2),
            ..Default::default()
        })
        .await;
    let other = app.create_app().await;
    let slow_token = app.app_token(&slow).await.access_token;
    let other_token = app.app_token(&other).await.access_token;
    let hello = app.client.hello();
    hello.application(&slow_token).await.unwrap();
    hello.application(&slow_token).await.unwrap();
    let before = app.fingerprint();
    let resp = app
        .raw
        .get(app.url("/hello/application"))
        .header("Accept", ACCEPT_1)
        .bearer_auth(slow_token.secret())
        .send()
        .await
        .unwrap();
    expect_error(resp, 429, "MESSAGE_THROTTLED_OUT").await;
    assert_eq!(app.fingerprint(), before);
    hello.application(&other_token).await.unwrap();
}

/// Another process holding the database's write lock must not stall requests that do not write.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_database_does_not_stall_other_requests() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hmrc.db");
    let app = crate::helpers::spawn_with(mtd_sandbox::Config {
        db: Some(db.clone()),
        rate_limit: 0,
        password_cost: mtd_sandbox::secrets::PasswordCost::Cheap,
        ..Default::default()
    })
    .await;
    let registered = app.create_app().await;
    let other = rusqlite::Connection::open(&db).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let writers: Vec<_> = (0..3)
        .map(|_| {
            let client = app.client.clone();
            let creds = registered.credentials();
            tokio::spawn(async move { client.oauth(&creds).client_credentials(&[]).await })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let started = std::time::Instant::now();
    let hello = tokio::time::timeout(
        std::time::Duration::from_secs(3),
        app.client.hello().world(),
    )
    .await;
    assert!(
        hello.is_ok_and(|r| r.is_ok()),
        "an open endpoint answered while the database was locked"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
    other.execute_batch("COMMIT").unwrap();
    for w in writers {
        w.await.unwrap().unwrap();
    }
}

/// The SDK gets through a throttle by itself: it waits and sends again.
#[tokio::test]
async fn the_client_waits_out_a_throttle() {
    let app = spawn_app().await;
    let slow = app
        .create_app_with(NewApplication {
            name: "Slow".into(),
            rate_limit: Some(1),
            ..Default::default()
        })
        .await;
    let token = app.app_token(&slow).await.access_token;
    for _ in 0..3 {
        app.client.hello().application(&token).await.unwrap();
    }
}

/// Paths that are not UTF-8 once decoded get HMRC's JSON 404, and pages a page, never text.
#[tokio::test]
async fn paths_that_are_not_utf8_name_nothing() {
    let app = spawn_app().await;
    let registered = app.create_app().await;
    let token = app.app_token(&registered).await.access_token;
    for path in [
        "/agents/%FF/invitations",
        "/agents/XARN1234567/invitations/%FF",
        "/agent-authorisation-test-support/invitations/%C3",
    ] {
        let resp = app
            .raw
            .get(app.url(path))
            .header("Accept", ACCEPT_1)
            .bearer_auth(token.secret())
            .send()
            .await
            .unwrap();
        expect_error(resp, 404, "MATCHING_RESOURCE_NOT_FOUND").await;
    }
    let page = app
        .raw
        .get(app.url("/appoint-someone-to-deal-with-HMRC-for-you/%FF"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 404);
    assert!(page.text().await.unwrap().contains("cannot be found"));
}

/// A body that does not say it is JSON is refused before anything reads it.
#[tokio::test]
async fn bodies_must_be_json() {
    let app = spawn_app().await;
    let registered = app.create_app().await;
    let token = app.app_token(&registered).await.access_token;
    let resp = app
        .raw
        .post(app.url("/create-test-user/individuals"))
        .header("Accept", ACCEPT_1)
        .header("Content-Type", "text/plain")
        .bearer_auth(token.secret())
        .body(r#"{"serviceNames":["national-insurance"]}"#)
        .send()
        .await
        .unwrap();
    expect_error(resp, 415, "INVALID_BODY_TYPE").await;
}

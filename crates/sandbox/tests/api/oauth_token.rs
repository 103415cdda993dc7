//! `POST /oauth/token` for the client-credentials and refresh grants: every error row of
//! `platform.md` §3.6–3.8 that applies, each leaving the state as it was.

use mtd_client::api::test_support::Application;
use mtd_client::{ClientId, RefreshToken};
use mtd_sandbox::clock;

use crate::helpers::{Pairs, TestApp, expect_oauth_error, spawn_app};

async fn post_form(app: &TestApp, form: &[(&str, &str)]) -> reqwest::Response {
    app.raw
        .post(app.url("/oauth/token"))
        .form(form)
        .send()
        .await
        .unwrap()
}

async fn mint(app: &TestApp, registered: &Application, user_id: &str) -> mtd_client::TokenSet {
    app.client
        .test_support()
        .mint_token(
            &ClientId::new(registered.client_id.clone()),
            user_id,
            &["hello"],
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn client_credentials_as_hmrc_documents() {
    let app = spawn_app().await;
    let registered = app.create_app().await;
    let resp = post_form(
        &app,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &registered.client_id),
            ("client_secret", &registered.client_secret),
        ],
    )
    .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 14400);
    assert_eq!(body["scope"], "default");
    assert!(body.get("refresh_token").is_none());
    assert_eq!(body["access_token"].as_str().unwrap().len(), 32);

    let scoped = app
        .client
        .oauth(&registered.credentials())
        .client_credentials(&["hello"])
        .await
        .unwrap();
    assert_eq!(scoped.scope, "hello");
    assert!(scoped.refresh_token.is_none());
}

#[tokio::test]
async fn refresh_rotates_and_kills_the_old_pair() {
    let app = spawn_app().await;
    let (registered, user, first) = app.user_tokens(&["hello"]).await;
    let creds = registered.credentials();
    let oauth = app.client.oauth(&creds);
    let old_refresh = first.refresh_token.clone().unwrap();
    let second = oauth.refresh(&old_refresh).await.unwrap();
    assert_eq!(second.scope, "hello");
    assert_ne!(second.access_token.secret(), first.access_token.secret());
    assert_eq!(
        app.client
            .hello()
            .user(&second.access_token)
            .await
            .unwrap()
            .message,
        "Hello User"
    );

    let err = app
        .client
        .hello()
        .user(&first.access_token)
        .await
        .unwrap_err();
    assert_eq!(
        err.hmrc_code(),
        Some("INVALID_CREDENTIALS"),
        "the old access token dies at once"
    );
    let err = oauth.refresh(&old_refresh).await.unwrap_err();
    assert_eq!(
        (err.status(), err.hmrc_code()),
        (Some(400), Some("invalid_grant")),
        "refresh tokens are single-use"
    );

    let third = oauth
        .refresh(second.refresh_token.as_ref().unwrap())
        .await
        .unwrap();
    app.client.hello().user(&third.access_token).await.unwrap();
    let facts = app.client.test_support().user(&user.user_id).await.unwrap();
    assert!(facts.get("password").is_none());
}

#[tokio::test]
async fn authority_ends_547_days_after_the_original_grant() {
    let app = spawn_app().await;
    app.client
        .test_support()
        .set_clock("2025-06-01T09:00:00Z")
        .await
        .unwrap();
    let (registered, _user, first) = app.user_tokens(&["hello"]).await;
    let creds = registered.credentials();
    let oauth = app.client.oauth(&creds);
    // Refreshing along the way does not move the end of the authority.
    app.client
        .test_support()
        .advance_clock("400d")
        .await
        .unwrap();
    let later = oauth
        .refresh(first.refresh_token.as_ref().unwrap())
        .await
        .unwrap();
    app.client
        .test_support()
        .advance_clock("146d 23h")
        .await
        .unwrap();
    let last = oauth
        .refresh(later.refresh_token.as_ref().unwrap())
        .await
        .unwrap();
    app.client.test_support().advance_clock("1h").await.unwrap();
    let before = app.fingerprint();
    let resp = post_form(
        &app,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &registered.client_id),
            ("client_secret", &registered.client_secret),
            (
                "refresh_token",
                last.refresh_token.as_ref().unwrap().secret(),
            ),
        ],
    )
    .await;
    expect_oauth_error(resp, 400, "invalid_grant", "refresh_token is invalid").await;
    assert_eq!(app.fingerprint(), before);
}

#[tokio::test]
async fn every_error_row_changes_nothing() {
    let app = spawn_app().await;
    let (registered, user, tokens) = app.user_tokens(&["hello"]).await;
    let other = app.create_app().await;
    let others_refresh = mint(&app, &other, &user.user_id)
        .await
        .refresh_token
        .unwrap();
    let id = registered.client_id.as_str();
    let secret = registered.client_secret.as_str();
    let refresh = tokens.refresh_token.as_ref().unwrap().secret().as_str();
    let forged = "0123456789abcdef0123456789abcdef";

    // (form, status, error, description)
    let rows: Vec<(Pairs, u16, &str, &str)> = vec![
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_secret", secret),
            ],
            400,
            "invalid_request",
            "client_id is required",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", ""),
                ("client_secret", secret),
            ],
            400,
            "invalid_request",
            "client_id is required",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", "nope"),
                ("client_secret", secret),
            ],
            401,
            "invalid_client",
            "invalid client id or secret",
        ),
        (
            vec![("grant_type", "client_credentials"), ("client_id", id)],
            400,
            "invalid_request",
            "client_secret is required",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", id),
                ("client_secret", forged),
            ],
            401,
            "invalid_client",
            "invalid client id or secret",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", id),
                ("client_secret", &other.client_secret),
            ],
            401,
            "invalid_client",
            "invalid client id or secret",
        ),
        (
            vec![("client_id", id), ("client_secret", secret)],
            400,
            "invalid_request",
            "grant_type is required",
        ),
        (
            vec![
                ("grant_type", "password"),
                ("client_id", id),
                ("client_secret", secret),
            ],
            400,
            "invalid_request",
            "unsupported grant_type",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", id),
                ("client_secret", secret),
                ("scope", "read:everything"),
            ],
            400,
            "invalid_scope",
            "scope is invalid",
        ),
        (
            vec![
                ("grant_type", "refresh_token"),
                ("client_id", id),
                ("client_secret", secret),
            ],
            400,
            "invalid_request",
            "refresh_token is required",
        ),
        (
            vec![
                ("grant_type", "refresh_token"),
                ("client_id", id),
                ("client_secret", secret),
                ("refresh_token", forged),
            ],
            400,
            "invalid_grant",
            "refresh_token is invalid",
        ),
        // Another application's refresh token is not this application's to spend.
        (
            vec![
                ("grant_type", "refresh_token"),
                ("client_id", id),
                ("client_secret", secret),
                ("refresh_token", others_refresh.secret()),
            ],
            400,
            "invalid_grant",
            "refresh_token is invalid",
        ),
        (
            vec![
                ("grant_type", "refresh_token"),
                ("client_id", id),
                ("client_secret", forged),
                ("refresh_token", refresh),
            ],
            401,
            "invalid_client",
            "invalid client id or secret",
        ),
    ];
    let before = app.fingerprint();
    for (form, status, error, description) in rows {
        expect_oauth_error(post_form(&app, &form).await, status, error, description).await;
        assert_eq!(app.fingerprint(), before, "{form:?} changed state");
    }
    // Bodies that are not a form at all.
    for body in ["%%%", "{\"grant_type\": \"client_credentials\"}", ""] {
        let resp = app
            .raw
            .post(app.url("/oauth/token"))
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400, "{body}");
        let json: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(json["error"], "invalid_request");
        assert_eq!(app.fingerprint(), before);
    }
    // The untouched refresh token still works afterwards.
    app.client
        .oauth(&registered.credentials())
        .refresh(&RefreshToken::new(refresh.to_owned()))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_refresh_in_progress_is_refused_and_a_stale_one_taken_over() {
    let app = spawn_app().await;
    let (registered, _user, tokens) = app.user_tokens(&["hello"]).await;
    let refresh = tokens.refresh_token.unwrap();
    let mark = |since: i64| {
        app.server
            .state
            .store
            .conn()
            .execute(
                "UPDATE refresh_tokens SET state = 'refreshing', refreshing_since_ms = ?1",
                [since],
            )
            .unwrap();
    };
    mark(clock::wall_ms());
    let before = app.fingerprint();
    let resp = post_form(
        &app,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &registered.client_id),
            ("client_secret", &registered.client_secret),
            ("refresh_token", refresh.secret()),
        ],
    )
    .await;
    expect_oauth_error(resp, 400, "invalid_request", "refresh already in progress").await;
    assert_eq!(app.fingerprint(), before);

    // A refresh whose process died long ago does not block the token forever.
    mark(clock::wall_ms() - 60_000);
    app.client
        .oauth(&registered.credentials())
        .refresh(&refresh)
        .await
        .unwrap();
}

#[tokio::test]
async fn concurrent_refreshes_spend_the_token_once() {
    let app = spawn_app().await;
    let (registered, _user, tokens) = app.user_tokens(&["hello"]).await;
    let refresh = tokens.refresh_token.unwrap();
    let creds = registered.credentials();
    let attempts = (0..8).map(|_| {
        let client = app.client.clone();
        let creds = creds.clone();
        let refresh = refresh.clone();
        tokio::spawn(async move { client.oauth(&creds).refresh(&refresh).await })
    });
    let mut wins = 0;
    for a in attempts {
        match a.await.unwrap() {
            Ok(_) => wins += 1,
            Err(e) => assert!(
                matches!(e.hmrc_code(), Some("invalid_grant" | "invalid_request")),
                "{e}"
            ),
        }
    }
    assert_eq!(wins, 1);
    let live: i64 = app
        .server
        .state
        .store
        .conn()
        .query_row(
            "SELECT COUNT(*) FROM refresh_tokens WHERE state = 'live'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(live, 1, "exactly one new pair");
}

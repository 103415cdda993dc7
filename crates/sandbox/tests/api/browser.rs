//! The grant-authority journey in a real headless Chromium, through chromedriver. Skipped with a
//! loud message where Chromium is not installed, except under CI (`CI=true`), where it must run.

use std::time::Duration;

use fantoccini::Locator;
use mtd_client::api::test_support::NewApplication;
use mtd_client::api::test_users::{NewTestUser, UserKind};
use mtd_client::oauth::Callback;
use mtd_testkit::Browser;
use tokio::sync::mpsc;

use crate::helpers::{TestApp, spawn_app};

/// A loopback "software" that receives the redirect and says the window can be closed.
async fn callback_server() -> (String, mpsc::UnboundedReceiver<String>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let app = axum::Router::new().route(
        "/callback",
        axum::routing::get(move |axum::extract::RawQuery(q): axum::extract::RawQuery| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(q.unwrap_or_default());
                axum::response::Html("<title>Done</title><p>You can close this window.</p>")
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://127.0.0.1:{port}/callback"), rx)
}

async fn user(
    app: &TestApp,
    registered: &mtd_client::api::test_support::Application,
    cl: u16,
    two_step: &str,
) -> mtd_client::api::test_users::TestUser {
    app.create_user_with(
        registered,
        UserKind::Individual,
        NewTestUser {
            service_names: UserKind::Individual
                .mtd_services()
                .iter()
                .map(|s| s.to_string())
                .collect(),
            confidence_level: Some(cl),
            two_step_verification: Some(two_step.into()),
            ..Default::default()
        },
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_goes_through_the_whole_journey() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    let registered = app
        .create_app_with(NewApplication {
            name: "Browser test software".into(),
            redirect_uris: vec!["http://127.0.0.1".into()],
            ..Default::default()
        })
        .await;
    let creds = registered.credentials();
    let oauth = app.client.oauth(&creds);
    let (redirect, mut received) = callback_server().await;
    let scopes = ["read:self-assessment", "write:self-assessment", "hello"];

    // 1. Start page, sign in, 2SV registration with an authenticator app, identity check, grant.
    let first = user(&app, &registered, 200, "unregistered").await;
    let facts = app.facts(&first).await;
    let pending = oauth.begin_link(&redirect, &scopes).unwrap();
    browser.web.goto(&pending.authorize_url).await.unwrap();
    browser.on_page("start").await;
    browser.click("button[type=submit]").await;
    browser.on_page("sign-in").await;
    browser.fill("#userId", &first.user_id).await;
    browser.fill("#password", &first.password).await;
    browser.click("button[type=submit]").await;
    browser.on_page("two-step-setup").await;
    browser.click("#method-app").await;
    browser.click("button[type=submit]").await;
    browser.on_page("two-step-authenticator-app").await;
    assert!(
        browser.web.find(Locator::Css("svg")).await.is_ok(),
        "a QR code is shown"
    );
    let secret = browser
        .web
        .find(Locator::Css("[data-secret]"))
        .await
        .unwrap()
        .attr("data-secret")
        .await
        .unwrap()
        .unwrap();
    let totp = totp_rs::TOTP::new(
        totp_rs::Algorithm::SHA1,
        6,
        1,
        30,
        totp_rs::Secret::Encoded(secret).to_bytes().unwrap(),
    )
    .unwrap();
    browser
        .fill("#code", &totp.generate_current().unwrap())
        .await;
    browser.click("button[type=submit]").await;
    browser.on_page("identity-check").await;
    let dob = facts.date_of_birth.clone().unwrap();
    let (y, rest) = dob.split_once('-').unwrap();
    let (m, d) = rest.split_once('-').unwrap();
    browser.fill("#dob-day", d).await;
    browser.fill("#dob-month", m).await;
    browser.fill("#dob-year", y).await;
    browser
        .fill("#postcode", &facts.postcode.clone().unwrap())
        .await;
    browser.fill("#nino", &facts.nino.clone().unwrap()).await;
    browser.click("button[type=submit]").await;
    browser.on_page("grant-authority").await;
    browser.click("button[value=grant]").await;
    let query = tokio::time::timeout(Duration::from_secs(10), received.recv())
        .await
        .unwrap()
        .unwrap();
    let tokens = oauth
        .finish_link(pending, Callback::from_query(&query).unwrap())
        .await
        .unwrap();
    assert_eq!(
        app.client
            .hello()
            .user(&tokens.access_token)
            .await
            .unwrap()
            .message,
        "Hello User"
    );

    // 2. A second user declines.
    let second = user(&app, &registered, 250, "off").await;
    let pending = oauth.begin_link(&redirect, &scopes).unwrap();
    browser.web.goto(&pending.authorize_url).await.unwrap();
    browser.on_page("start").await;
    browser.click("button[type=submit]").await;
    browser.on_page("sign-in").await;
    browser.fill("#userId", &second.user_id).await;
    browser.fill("#password", &second.password).await;
    browser.click("button[type=submit]").await;
    browser.on_page("grant-authority").await;
    browser.click("button[value=deny]").await;
    let query = tokio::time::timeout(Duration::from_secs(10), received.recv())
        .await
        .unwrap()
        .unwrap();
    match Callback::from_query(&query).unwrap() {
        Callback::Error {
            error, error_code, ..
        } => {
            assert_eq!(error, "access_denied");
            assert_eq!(error_code.as_deref(), Some("USER_DENIED_AUTHORIZATION"));
        }
        other => panic!("{other:?}"),
    }

    // 3. A registered user enters a texted code and meets no identity check.
    let third = user(&app, &registered, 250, "registered").await;
    let pending = oauth.begin_link(&redirect, &scopes).unwrap();
    browser.web.goto(&pending.authorize_url).await.unwrap();
    browser.on_page("start").await;
    browser.click("button[type=submit]").await;
    browser.on_page("sign-in").await;
    browser.fill("#userId", &third.user_id).await;
    browser.fill("#password", &third.password).await;
    browser.click("button[type=submit]").await;
    browser.on_page("two-step-code").await;
    let code = app
        .client
        .test_support()
        .messages(&third.user_id)
        .await
        .unwrap()[0]
        .code
        .clone();
    browser.fill("#code", &code).await;
    browser.click("button[type=submit]").await;
    browser.on_page("grant-authority").await;
    browser.click("button[value=grant]").await;
    let query = tokio::time::timeout(Duration::from_secs(10), received.recv())
        .await
        .unwrap()
        .unwrap();
    oauth
        .finish_link(pending, Callback::from_query(&query).unwrap())
        .await
        .unwrap();

    browser.stop().await;
}

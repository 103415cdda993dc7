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

/// The set-up journeys in Chromium: an agent services account, a client accepting an
/// authorisation request, and the individual sign-up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_sets_up_an_agent_and_a_client() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    app.client
        .test_support()
        .set_clock("2025-06-01T09:00:00Z")
        .await
        .unwrap();
    let registered = app.create_app().await;
    let no_2sv = |services: &[&str]| NewTestUser {
        service_names: services.iter().map(|s| s.to_string()).collect(),
        two_step_verification: Some("off".into()),
        ..Default::default()
    };
    let business = app
        .create_user_with(
            &registered,
            UserKind::Individual,
            no_2sv(&["national-insurance", "self-assessment"]),
        )
        .await;
    let business_facts = app
        .client
        .test_support()
        .user(&business.user_id)
        .await
        .unwrap();
    let agent = app
        .create_user_with(&registered, UserKind::Agent, no_2sv(&[]))
        .await;
    let client = app
        .create_user_with(
            &registered,
            UserKind::Individual,
            no_2sv(&["national-insurance", "self-assessment"]),
        )
        .await;

    let sign_in = |user: &mtd_client::api::test_users::TestUser| {
        let (id, pw) = (user.user_id.clone(), user.password.clone());
        let browser = &browser;
        async move {
            browser.on_page("sign-in").await;
            browser.fill("#userId", &id).await;
            browser.fill("#password", &pw).await;
            browser.click("button[type=submit]").await;
        }
    };

    // The agent creates its agent services account.
    browser
        .web
        .goto(&app.url("/agent-services-account/create"))
        .await
        .unwrap();
    sign_in(&agent).await;
    browser.on_page("asa-create").await;
    for (id, value) in [
        ("#utr", business_facts["saUtr"].as_str().unwrap()),
        (
            "#postcode",
            business_facts["individualDetails"]["address"]["postcode"]
                .as_str()
                .unwrap(),
        ),
        ("#agencyName", "Example Accountants"),
        ("#addressLine1", "2 Market Square"),
        ("#agencyPostcode", "LS1 4AP"),
        ("#email", "office@example.com"),
        ("#supervisoryBody", "HMRC"),
        ("#membershipNumber", "XAML00000123456"),
    ] {
        browser.fill(id, value).await;
    }
    browser.click("button[type=submit]").await;
    browser.on_page("asa-created").await;
    let arn = browser
        .web
        .find(Locator::Css("[data-arn]"))
        .await
        .unwrap()
        .attr("data-arn")
        .await
        .unwrap()
        .unwrap();
    let arn = mtd_domain::Arn::parse(&arn).unwrap();

    // The agent asks the client for authority (API); the client accepts in the browser.
    let scopes = ["write:sent-invitations", "read:sent-invitations"];
    let token = app
        .client
        .test_support()
        .mint_token(
            &mtd_client::ClientId::new(registered.client_id.clone()),
            &agent.user_id,
            &scopes,
        )
        .await
        .unwrap()
        .access_token;
    let nino = mtd_domain::Nino::parse(client.field("nino").unwrap()).unwrap();
    let postcode = client.fields["individualDetails"]["address"]["postcode"]
        .as_str()
        .unwrap()
        .to_owned();
    let aa = app.client.agent_authorisation();
    let id = aa
        .invite(
            &token,
            &arn,
            &nino,
            &postcode,
            mtd_client::api::agent_authorisation::AgentType::Main,
        )
        .await
        .unwrap();
    let link = aa
        .invitation(&token, &arn, &id)
        .await
        .unwrap()
        .client_action_url
        .unwrap();
    browser.web.delete_all_cookies().await.unwrap();
    browser.web.goto(&link).await.unwrap();
    sign_in(&client).await;
    browser.on_page("client-authorisation").await;
    browser.click("button[value=accept]").await;
    browser.on_page("client-authorisation-done").await;
    assert_eq!(
        aa.invitation(&token, &arn, &id).await.unwrap().status,
        "Partialauth"
    );

    // The client signs itself up.
    browser
        .web
        .goto(&app.url("/sign-up-for-making-tax-digital"))
        .await
        .unwrap();
    browser.on_page("sign-up").await;
    browser.fill("#tradingName", "Nimble Lettings").await;
    browser.fill("#trade", "Property management").await;
    browser.fill("#startDate", "2021-04-06").await;
    browser.click("#ukProperty").await;
    browser.click("button[type=submit]").await;
    browser.on_page("sign-up-done").await;
    assert_eq!(
        aa.invitation(&token, &arn, &id).await.unwrap().status,
        "Accepted"
    );
    browser.stop().await;
}

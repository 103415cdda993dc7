//! Every `/oauth/authorize` error row (`platform.md` §3.2) and every authorization-code row of
//! `/oauth/token` (§3.6), the attacks of the grant-journey issue, and removing authority.

use mtd_client::api::test_support::Application;
use mtd_client::api::test_users::UserKind;
use mtd_client::oauth::Callback;
use mtd_client::oauth::driver;
use reqwest::redirect::Policy;

use crate::helpers::{Pairs, TestApp, expect_oauth_error, nonce_of, spawn_app};

const REDIRECT: &str = "http://localhost:7777/callback";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

fn authorize_url(app: &TestApp, params: &[(&str, &str)]) -> String {
    let q: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish();
    app.url(&format!("/oauth/authorize?{q}"))
}

#[tokio::test]
async fn every_authorize_error_is_a_400_page_never_a_redirect() {
    let app = spawn_app().await;
    let registered = app.create_app().await;
    let id = registered.client_id.as_str();
    let base = [
        ("response_type", "code"),
        ("client_id", id),
        ("scope", "hello"),
        ("redirect_uri", REDIRECT),
        ("state", "xyz"),
    ];
    let without = |name: &str| {
        base.iter()
            .filter(|(k, _)| *k != name)
            .copied()
            .collect::<Vec<_>>()
    };
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut v: Vec<(&str, &str)> = base.to_vec();
        for (k, val) in extra {
            v.retain(|(n, _)| n != k);
            v.push((k, val));
        }
        v
    };
    let rows: Vec<(Pairs, &str, &str)> = vec![
        (
            without("client_id"),
            "invalid_request",
            "client_id is required",
        ),
        (
            with(&[("client_id", "nobody")]),
            "invalid_request",
            "client_id is invalid",
        ),
        (
            without("redirect_uri"),
            "invalid_request",
            "redirect_uri is required",
        ),
        (
            with(&[("redirect_uri", "https://attacker.example/cb")]),
            "invalid_request",
            "redirect_uri is invalid",
        ),
        (
            with(&[(
                "redirect_uri",
                "http://localhost.attacker.example:7777/callback",
            )]),
            "invalid_request",
            "redirect_uri is invalid",
        ),
        (
            without("response_type"),
            "invalid_request",
            "response_type is required",
        ),
        (
            with(&[("response_type", "token")]),
            "unsupported_response_type",
            "response_type must be 'code'",
        ),
        (without("scope"), "invalid_request", "scope is required"),
        (
            with(&[("scope", "read:everything")]),
            "invalid_scope",
            "scope is invalid",
        ),
        (
            with(&[("client_secret", "anything")]),
            "invalid_request",
            "client_secret should NOT be present",
        ),
        (
            with(&[("code_challenge", ""), ("code_challenge_method", "S256")]),
            "invalid_request",
            "code_challenge if present, cannot be empty",
        ),
        (
            with(&[
                ("code_challenge", CHALLENGE),
                ("code_challenge_method", "plain"),
            ]),
            "invalid_request",
            "code_challenge_method, if present, must be S256",
        ),
        (
            with(&[("code_challenge", CHALLENGE)]),
            "invalid_request",
            "code_challenge_method should be present when code_challenge is present",
        ),
        (
            with(&[("code_challenge_method", "S256")]),
            "invalid_request",
            "code_challenge should be present when code_challenge_method is present",
        ),
    ];
    let browser = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    let before = app.fingerprint();
    for (params, error, description) in rows {
        let resp = browser
            .get(authorize_url(&app, &params))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400, "{description}");
        assert!(
            resp.headers().get("location").is_none(),
            "{description}: never redirected back"
        );
        let html = scraper::Html::parse_document(&resp.text().await.unwrap());
        let pick = |css: &str, attr: &str| {
            html.select(&scraper::Selector::parse(css).unwrap())
                .next()
                .and_then(|e| e.value().attr(attr))
                .map(str::to_owned)
        };
        assert_eq!(
            pick("[data-error]", "data-error").as_deref(),
            Some(error),
            "{description}"
        );
        assert_eq!(
            pick("[data-error-description]", "data-error-description").as_deref(),
            Some(description)
        );
        assert_eq!(app.fingerprint(), before, "{description} changed state");
    }
    // A valid request shows the start page.
    let ok = browser
        .get(authorize_url(&app, &base))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert!(ok.text().await.unwrap().contains("data-page=\"start\""));
}

/// Runs the pages to a code for `params`, returning the code.
async fn code_for(app: &TestApp, registered: &Application, params: &[(&str, &str)]) -> String {
    let user = app.create_user(registered, UserKind::Individual).await;
    let mut facts = app.facts(&user).await;
    facts.two_step_choice = driver::TwoStepChoice::Phone("07700900555".into());
    let outcome = driver::drive(&app.client, &authorize_url(app, params), &facts, |_| {})
        .await
        .unwrap();
    match Callback::from_url(&outcome.redirect).unwrap() {
        Callback::Code { code, state } => {
            assert_eq!(
                state.as_deref(),
                params.iter().find(|(k, _)| *k == "state").map(|(_, v)| *v),
                "state comes back untouched"
            );
            code
        }
        other => panic!("{other:?}"),
    }
}

async fn exchange(app: &TestApp, form: &[(&str, &str)]) -> reqwest::Response {
    app.raw
        .post(app.url("/oauth/token"))
        .form(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn every_code_exchange_error_changes_nothing_then_the_code_works_once() {
    let app = spawn_app().await;
    let registered = app.create_app().await;
    let other = app.create_app().await;
    let id = registered.client_id.as_str();
    let secret = registered.client_secret.as_str();
    // A tampered state comes back exactly as sent: checking it is the software's job.
    let tampered_state = "state with spaces & symbols <script>";
    let pkce_code = code_for(
        &app,
        &registered,
        &[
            ("response_type", "code"),
            ("client_id", id),
            ("scope", "hello"),
            ("redirect_uri", REDIRECT),
            ("state", tampered_state),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ],
    )
    .await;
    let plain_code = code_for(
        &app,
        &registered,
        &[
            ("response_type", "code"),
            ("client_id", id),
            ("scope", "hello"),
            ("redirect_uri", REDIRECT),
        ],
    )
    .await;

    let g = ("grant_type", "authorization_code");
    let rows: Vec<(Pairs, u16, &str, &str)> = vec![
        (
            vec![
                g,
                ("client_id", id),
                ("client_secret", secret),
                ("code", &pkce_code),
                ("code_verifier", VERIFIER),
            ],
            400,
            "invalid_request",
            "redirect_uri is required",
        ),
        (
            vec![
                g,
                ("client_id", id),
                ("client_secret", secret),
                ("redirect_uri", REDIRECT),
                ("code_verifier", VERIFIER),
            ],
            400,
            "invalid_request",
            "code is required for given grant_type",
        ),
        (
            vec![
                g,
                ("client_id", id),
                ("client_secret", secret),
                ("redirect_uri", REDIRECT),
                ("code", "0123456789abcdef0123456789abcdef"),
            ],
            400,
            "invalid_request",
            "code is invalid",
        ),
        // A code of another application.
        (
            vec![
                g,
                ("client_id", &other.client_id),
                ("client_secret", &other.client_secret),
                ("redirect_uri", REDIRECT),
                ("code", &pkce_code),
                ("code_verifier", VERIFIER),
            ],
            400,
            "invalid_request",
            "code is invalid",
        ),
        (
            vec![
                g,
                ("client_id", id),
                ("client_secret", secret),
                ("redirect_uri", "http://localhost:7778/callback"),
                ("code", &pkce_code),
                ("code_verifier", VERIFIER),
            ],
            400,
            "invalid_request",
            "redirect_uri is invalid",
        ),
        (
            vec![
                g,
                ("client_id", id),
                ("client_secret", secret),
                ("redirect_uri", REDIRECT),
                ("code", &plain_code),
                ("code_verifier", VERIFIER),
            ],
            400,
            "invalid_request",
            "code_verifier is not expected",
        ),
        (
            vec![
                g,
                ("client_id", id),
                ("client_secret", secret),
                ("redirect_uri", REDIRECT),
                ("code", &pkce_code),
            ],
            400,
            "invalid_request",
            "code_verifier is expected when code_challenge was supplied",
        ),
        (
            vec![
                g,
                ("client_id", id),
                ("client_secret", secret),
                ("redirect_uri", REDIRECT),
                ("code", &pkce_code),
                ("code_verifier", "too-short"),
            ],
            400,
            "invalid_request",
            "code_verifier must contain valid characters of length between 43 and 128",
        ),
        (
            vec![
                g,
                ("client_id", id),
                ("client_secret", secret),
                ("redirect_uri", REDIRECT),
                ("code", &pkce_code),
                (
                    "code_verifier",
                    "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXX",
                ),
            ],
            400,
            "invalid_grant",
            "code_verifier is invalid",
        ),
        (
            vec![
                g,
                ("client_id", id),
                ("client_secret", "wrong"),
                ("redirect_uri", REDIRECT),
                ("code", &pkce_code),
                ("code_verifier", VERIFIER),
            ],
            401,
            "invalid_client",
            "invalid client id or secret",
        ),
    ];
    let before = app.fingerprint();
    for (form, status, error, description) in rows {
        expect_oauth_error(exchange(&app, &form).await, status, error, description).await;
        assert_eq!(app.fingerprint(), before, "{description} changed state");
    }
    let good = [
        g,
        ("client_id", id),
        ("client_secret", secret),
        ("redirect_uri", REDIRECT),
        ("code", &pkce_code),
        ("code_verifier", VERIFIER),
    ];
    let resp = exchange(&app, &good).await;
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 14400);
    assert_eq!(body["scope"], "hello");
    let after_first = app.fingerprint();
    expect_oauth_error(
        exchange(&app, &good).await,
        400,
        "invalid_request",
        "code is invalid",
    )
    .await;
    assert_eq!(
        app.fingerprint(),
        after_first,
        "a code used twice issues nothing"
    );

    // Codes expire after ten minutes on the sandbox clock.
    app.client
        .test_support()
        .advance_clock("10m")
        .await
        .unwrap();
    let before = app.fingerprint();
    let late = [
        g,
        ("client_id", id),
        ("client_secret", secret),
        ("redirect_uri", REDIRECT),
        ("code", &plain_code),
    ];
    expect_oauth_error(
        exchange(&app, &late).await,
        400,
        "invalid_request",
        "code is invalid",
    )
    .await;
    assert_eq!(app.fingerprint(), before);
}

#[tokio::test]
async fn forged_and_replayed_form_posts_are_refused() {
    let app = spawn_app().await;
    let registered = app.create_app().await;
    let user = app.create_user(&registered, UserKind::Individual).await;
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap();
    let start = browser
        .get(authorize_url(
            &app,
            &[
                ("response_type", "code"),
                ("client_id", &registered.client_id),
                ("scope", "hello"),
                ("redirect_uri", REDIRECT),
            ],
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let nonce = scraper::Html::parse_document(&start)
        .select(&scraper::Selector::parse("input[name=nonce]").unwrap())
        .next()
        .unwrap()
        .value()
        .attr("value")
        .unwrap()
        .to_owned();
    let before = app.fingerprint_without_sessions();
    // Forged: no nonce, a made-up nonce, or no session cookie at all.
    for form in [vec![], vec![("nonce", "0".repeat(32))]] {
        let resp = browser
            .post(app.url("/oauth/start"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 403);
    }
    let stranger = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    let resp = stranger
        .post(app.url("/sign-in"))
        .form(&[
            ("nonce", nonce.as_str()),
            ("userId", &user.user_id),
            ("password", &user.password),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        403,
        "a post from another browser has no session"
    );
    // The real post works once; replaying it is refused.
    let resp = browser
        .post(app.url("/oauth/start"))
        .form(&[("nonce", nonce.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let resp = browser
        .post(app.url("/oauth/start"))
        .form(&[("nonce", nonce.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    assert_eq!(app.fingerprint_without_sessions(), before);
}

#[tokio::test]
async fn removing_authority_ends_the_refresh_token() {
    let app = spawn_app().await;
    let registered = app.create_app().await;
    let user = app.create_user(&registered, UserKind::Individual).await;
    let mut facts = app.facts(&user).await;
    facts.two_step_choice = driver::TwoStepChoice::Phone("07700900555".into());
    let creds = registered.credentials();
    let oauth = app.client.oauth(&creds);
    let pending = oauth
        .begin_link(REDIRECT, &["hello", "read:self-assessment"])
        .unwrap();
    let outcome = driver::drive(&app.client, &pending.authorize_url, &facts, |_| {})
        .await
        .unwrap();
    let tokens = oauth
        .finish_link(pending, Callback::from_url(&outcome.redirect).unwrap())
        .await
        .unwrap();

    // A second journey ends with a code that is not exchanged before the authority is removed.
    let unused = oauth.begin_link(REDIRECT, &["hello"]).unwrap();
    let unused_outcome = driver::drive(&app.client, &unused.authorize_url, &facts, |_| {})
        .await
        .unwrap();

    // The user signs in to HMRC's "manage authorised applications" page in a browser.
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap();
    let list = app.url("/applications-manage-authority/applications");
    let resp = browser.get(&list).send().await.unwrap();
    assert_eq!(resp.status(), 303, "sign in first");
    let sign_in = app.url(resp.headers()["location"].to_str().unwrap());
    let page = browser
        .get(&sign_in)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let resp = browser
        .post(app.url("/sign-in"))
        .form(&[
            ("nonce", nonce_of(&page).as_str()),
            ("userId", &user.user_id),
            ("password", &user.password),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let code_page = browser
        .get(app.url("/two-step-verification"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let code = app
        .client
        .test_support()
        .messages(&user.user_id)
        .await
        .unwrap()[0]
        .code
        .clone();
    let resp = browser
        .post(app.url("/two-step-verification/code"))
        .form(&[("nonce", nonce_of(&code_page).as_str()), ("code", &code)])
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.headers()["location"],
        "/applications-manage-authority/applications"
    );
    let html = browser
        .get(&list)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Test software") && html.contains("View your Self Assessment information"),
        "{html}"
    );
    assert!(html.contains(&format!("data-client-id=\"{}\"", registered.client_id)));

    let remove = app.url(&format!(
        "/applications-manage-authority/application/{}/remove-authority",
        registered.client_id
    ));
    let confirm = browser
        .get(&remove)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let resp = browser
        .post(&remove)
        .form(&[("nonce", nonce_of(&confirm))])
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.headers()["location"],
        "/applications-manage-authority/application/authority-removed"
    );

    let late = oauth
        .finish_link(
            unused,
            Callback::from_url(&unused_outcome.redirect).unwrap(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        late.hmrc_code(),
        Some("invalid_request"),
        "removing authority also spends codes not yet exchanged"
    );

    let err = oauth
        .refresh(tokens.refresh_token.as_ref().unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.hmrc_code(), Some("invalid_grant"));
    let err = app
        .client
        .hello()
        .user(&tokens.access_token)
        .await
        .unwrap_err();
    assert_eq!(err.hmrc_code(), Some("INVALID_CREDENTIALS"));
    let html = browser
        .get(&list)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("data-client-id="), "nothing left to list");
}

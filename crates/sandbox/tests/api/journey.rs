//! The grant-authority journey, driven page by page with the workspace's program driver, for
//! each kind of user, and its refusals.

use mtd_client::api::test_users::{NewTestUser, UserKind};
use mtd_client::oauth::Callback;
use mtd_client::oauth::driver::{self, TwoStepChoice};

use crate::helpers::{TestApp, spawn_app};

const MTD_SCOPES: [&str; 3] = ["read:self-assessment", "write:self-assessment", "hello"];

fn services(kind: UserKind) -> Vec<String> {
    kind.mtd_services().iter().map(|s| s.to_string()).collect()
}

/// Links `user` through the pages and returns the tokens and pages passed.
async fn link(
    app: &TestApp,
    registered: &mtd_client::api::test_support::Application,
    facts: &driver::KnownFacts,
    scopes: &[&str],
) -> (Result<mtd_client::TokenSet, mtd_client::Error>, Vec<String>) {
    let creds = registered.credentials();
    let oauth = app.client.oauth(&creds);
    let pending = oauth
        .begin_link("http://localhost:7777/callback", scopes)
        .unwrap();
    let outcome = driver::drive(&app.client, &pending.authorize_url, facts, |_| {}).await;
    let outcome = match outcome {
        Ok(o) => o,
        Err(e) => return (Err(e), Vec::new()),
    };
    assert!(
        outcome
            .redirect
            .starts_with("http://localhost:7777/callback?"),
        "{}",
        outcome.redirect
    );
    let callback = Callback::from_url(&outcome.redirect).unwrap();
    (oauth.finish_link(pending, callback).await, outcome.pages)
}

#[tokio::test]
async fn individual_below_250_registers_2sv_and_confirms_identity() {
    let app = spawn_app().await;
    let registered = app.create_app().await;
    let user = app
        .create_user_with(
            &registered,
            UserKind::Individual,
            NewTestUser {
                service_names: services(UserKind::Individual),
                confidence_level: Some(200),
                ..Default::default()
            },
        )
        .await;
    let facts = app.facts(&user).await;
    let (tokens, pages) = link(&app, &registered, &facts, &MTD_SCOPES).await;
    let tokens = tokens.unwrap();
    assert_eq!(
        pages,
        [
            "start",
            "sign-in",
            "two-step-setup",
            "two-step-authenticator-app",
            "identity-check",
            "grant-authority"
        ]
    );
    assert_eq!(
        tokens.scope,
        "hello read:self-assessment write:self-assessment"
    );
    assert_eq!(
        app.client
            .hello()
            .user(&tokens.access_token)
            .await
            .unwrap()
            .message,
        "Hello User"
    );
    let known = app.client.test_support().user(&user.user_id).await.unwrap();
    assert_eq!(
        known["confidenceLevel"], 250,
        "the identity check raised the level"
    );
    assert_eq!(known["twoStepVerification"], "registered");
}

#[tokio::test]
async fn organisation_links_by_text_message() {
    let app = spawn_app().await;
    let registered = app.create_app().await;
    let user = app.create_user(&registered, UserKind::Organisation).await;
    let mut facts = app.facts(&user).await;
    facts.two_step_choice = TwoStepChoice::Phone("07700 900 123".into());
    let (tokens, pages) = link(&app, &registered, &facts, &MTD_SCOPES).await;
    tokens.unwrap();
    assert_eq!(
        pages,
        [
            "start",
            "sign-in",
            "two-step-setup",
            "two-step-phone",
            "two-step-code",
            "grant-authority"
        ]
    );
    let sent = app
        .client
        .test_support()
        .messages(&user.user_id)
        .await
        .unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].phone, "07700900123");
}

#[tokio::test]
async fn agent_with_an_agent_services_account_links() {
    let app = spawn_app().await;
    let registered = app.create_app().await;
    let agent = app.create_user(&registered, UserKind::Agent).await;
    let facts = app.facts(&agent).await;
    let (tokens, pages) = link(&app, &registered, &facts, &MTD_SCOPES).await;
    tokens.unwrap();
    assert!(
        !pages.contains(&"identity-check".to_owned()),
        "agents need no confidence level: {pages:?}"
    );
}

#[tokio::test]
async fn agent_without_an_agent_services_account_is_refused() {
    let app = spawn_app().await;
    let registered = app.create_app().await;
    let agent = app
        .create_user_with(&registered, UserKind::Agent, NewTestUser::default())
        .await;
    let facts = app.facts(&agent).await;
    let before = app.fingerprint_without_sessions();
    let (tokens, _) = link(&app, &registered, &facts, &MTD_SCOPES).await;
    match tokens {
        Err(mtd_client::Error::Journey { page, .. }) => {
            assert_eq!(page, "agent-services-account-needed")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(
        app.fingerprint_without_sessions(),
        before,
        "no grant, no code, no token"
    );
}

#[tokio::test]
async fn registered_user_skips_setup_and_identity_and_can_decline() {
    let app = spawn_app().await;
    let registered = app.create_app().await;
    let user = app
        .create_user_with(
            &registered,
            UserKind::Individual,
            NewTestUser {
                service_names: services(UserKind::Individual),
                two_step_verification: Some("registered".into()),
                ..Default::default()
            },
        )
        .await;
    let mut facts = app.facts(&user).await;
    let (tokens, pages) = link(&app, &registered, &facts, &MTD_SCOPES).await;
    tokens.unwrap();
    assert_eq!(
        pages,
        ["start", "sign-in", "two-step-code", "grant-authority"]
    );

    facts.grant = false;
    let (refused, _) = link(&app, &registered, &facts, &MTD_SCOPES).await;
    match refused {
        Err(mtd_client::Error::AuthorizationRefused {
            error, error_code, ..
        }) => {
            assert_eq!(error, "access_denied");
            assert_eq!(error_code.as_deref(), Some("USER_DENIED_AUTHORIZATION"));
        }
        other => panic!("expected access_denied, got {other:?}"),
    }
}

#[tokio::test]
async fn authenticator_codes_work_once_and_2sv_off_skips_the_step() {
    let app = spawn_app().await;
    let registered = app.create_app().await;
    let user = app.create_user(&registered, UserKind::Individual).await;
    let facts = app.facts(&user).await;
    let creds = registered.credentials();
    let pending = app
        .client
        .oauth(&creds)
        .begin_link("http://localhost:7777/callback", &["hello"])
        .unwrap();
    let first = driver::drive(&app.client, &pending.authorize_url, &facts, |_| {})
        .await
        .unwrap();
    let secret = first
        .registered_totp_secret
        .clone()
        .expect("an app was registered");
    // Signing in again right away: the code of the step used at registration is refused, so
    // the driver has to wait for the next step (and does).
    let mut again = facts.clone();
    again.totp_secret = Some(secret);
    let pending = app
        .client
        .oauth(&creds)
        .begin_link("http://localhost:7777/callback", &["hello"])
        .unwrap();
    let second = driver::drive(&app.client, &pending.authorize_url, &again, |_| {})
        .await
        .unwrap();
    assert_eq!(
        second
            .pages
            .iter()
            .filter(|p| *p == "two-step-code")
            .count(),
        2,
        "{:?}",
        second.pages
    );

    let off = app
        .create_user_with(
            &registered,
            UserKind::Individual,
            NewTestUser {
                service_names: services(UserKind::Individual),
                two_step_verification: Some("off".into()),
                ..Default::default()
            },
        )
        .await;
    let (tokens, pages) = link(&app, &registered, &app.facts(&off).await, &["hello"]).await;
    tokens.unwrap();
    assert_eq!(pages, ["start", "sign-in", "grant-authority"]);
}

#[tokio::test]
async fn three_wrong_identity_answers_end_the_journey() {
    let app = spawn_app().await;
    let registered = app.create_app().await;
    let user = app
        .create_user_with(
            &registered,
            UserKind::Individual,
            NewTestUser {
                service_names: services(UserKind::Individual),
                confidence_level: Some(200),
                two_step_verification: Some("off".into()),
                ..Default::default()
            },
        )
        .await;
    let mut facts = app.facts(&user).await;
    facts.postcode = Some("ZZ99 9ZZ".into());
    let (tokens, pages) = link(&app, &registered, &facts, &MTD_SCOPES).await;
    match tokens {
        Err(mtd_client::Error::AuthorizationRefused { error, .. }) => {
            assert_eq!(error, "access_denied")
        }
        other => panic!("expected access_denied, got {other:?}"),
    }
    assert_eq!(pages.iter().filter(|p| *p == "identity-check").count(), 3);
    let known = app.client.test_support().user(&user.user_id).await.unwrap();
    assert_eq!(known["confidenceLevel"], 200);
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_for_15_minutes() {
    let app = spawn_app().await;
    let registered = app.create_app().await;
    let user = app.create_user(&registered, UserKind::Individual).await;
    let mut wrong = app.facts(&user).await;
    wrong.password = "not-the-password".into();
    // Sent at once, from five browsers: each guess still counts.
    let guess = || link(&app, &registered, &wrong, &["hello"]);
    let (a, b, c, d, e) = tokio::join!(guess(), guess(), guess(), guess(), guess());
    for (r, _) in [a, b, c, d, e] {
        assert!(
            matches!(r, Err(mtd_client::Error::Journey { ref page, .. }) if page == "sign-in"),
            "{r:?}"
        );
    }
    let right = app.facts(&user).await;
    let before = app.fingerprint_without_sessions();
    let (r, _) = link(&app, &registered, &right, &["hello"]).await;
    match r {
        Err(mtd_client::Error::Journey { page, message }) => {
            assert_eq!(page, "sign-in");
            assert!(message.contains("locked"), "{message}");
        }
        other => panic!("expected the lock, got {other:?}"),
    }
    assert_eq!(
        app.fingerprint_without_sessions(),
        before,
        "a refused sign-in changes nothing"
    );
    app.client
        .test_support()
        .advance_clock("15m")
        .await
        .unwrap();
    let (r, _) = link(&app, &registered, &right, &["hello"]).await;
    r.unwrap();
}

#[tokio::test]
async fn out_of_band_shows_the_code_in_the_title() {
    let app = spawn_app().await;
    let registered = app
        .create_app_with(mtd_client::api::test_support::NewApplication {
            name: "Desktop".into(),
            redirect_uris: vec!["urn:ietf:wg:oauth:2.0:oob".into()],
            ..Default::default()
        })
        .await;
    let user = app.create_user(&registered, UserKind::Individual).await;
    let facts = app.facts(&user).await;
    let creds = registered.credentials();
    let oauth = app.client.oauth(&creds);
    let pending = oauth
        .begin_link("urn:ietf:wg:oauth:2.0:oob", &["hello"])
        .unwrap();
    let outcome = driver::drive(&app.client, &pending.authorize_url, &facts, |_| {})
        .await
        .unwrap();
    let code = outcome
        .redirect
        .split("code=")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(code.len(), 32, "{}", outcome.redirect);
    // The paste-the-code flow has no state on the way back; the software trusts its own paste.
    let state = url::Url::parse(&pending.authorize_url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let tokens = oauth
        .finish_link(
            pending,
            Callback::Code {
                code,
                state: Some(state),
            },
        )
        .await
        .unwrap();
    app.client.hello().user(&tokens.access_token).await.unwrap();
}

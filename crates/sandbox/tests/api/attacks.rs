//! Attacks on the web journey that a browser-like client can try: switching user half-way
//! through 2-step verification, guessing codes and identity answers, planting a session cookie,
//! smuggling parameters into the redirect.

use mtd_client::api::test_users::{NewTestUser, TestUser, UserKind};
use reqwest::redirect::Policy;

use crate::helpers::{TestApp, nonce_of, spawn_app};

fn attr(html: &str, css: &str, name: &str) -> Option<String> {
    scraper::Html::parse_document(html)
        .select(&scraper::Selector::parse(css).unwrap())
        .next()
        .and_then(|e| e.value().attr(name).map(str::to_owned))
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

struct Tab {
    b: reqwest::Client,
    html: String,
}

impl Tab {
    async fn get(&mut self, url: &str) -> u16 {
        let r = self.b.get(url).send().await.unwrap();
        let status = r.status().as_u16();
        self.html = r.text().await.unwrap();
        status
    }
    async fn post(&mut self, url: &str, fields: &[(&str, &str)]) -> (u16, Option<String>) {
        let mut form = vec![("nonce".to_owned(), nonce_of(&self.html))];
        form.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let r = self.b.post(url).form(&form).send().await.unwrap();
        let status = r.status().as_u16();
        let location = r
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned());
        self.html = r.text().await.unwrap();
        (status, location)
    }
}

async fn user(
    app: &TestApp,
    registered: &mtd_client::api::test_support::Application,
    two_step: &str,
    cl: u16,
) -> TestUser {
    let req = NewTestUser {
        service_names: UserKind::Individual
            .mtd_services()
            .iter()
            .map(|s| s.to_string())
            .collect(),
        two_step_verification: Some(two_step.into()),
        confidence_level: Some(cl),
        ..Default::default()
    };
    app.create_user_with(registered, UserKind::Individual, req)
        .await
}

/// A tab on HMRC's start page for a fresh authorization request.
async fn start(app: &TestApp, client_id: &str) -> Tab {
    let mut tab = Tab {
        b: browser(),
        html: String::new(),
    };
    let q = format!(
        "/oauth/authorize?response_type=code&client_id={client_id}&scope=read:self-assessment&redirect_uri=http://localhost:7777/cb&state=s"
    );
    assert_eq!(tab.get(&app.url(&q)).await, 200);
    tab.post(&app.url("/oauth/start"), &[]).await;
    tab.get(&app.url("/sign-in")).await;
    tab
}

#[tokio::test]
async fn switching_user_half_way_through_2sv_gets_nowhere() {
    let app = spawn_app().await;
    let registered = app.create_app().await;
    let attacker = user(&app, &registered, "unregistered", 250).await;
    let victim = user(&app, &registered, "registered", 250).await;
    let mut tab = start(&app, &registered.client_id).await;
    tab.post(
        &app.url("/sign-in"),
        &[
            ("userId", &attacker.user_id),
            ("password", &attacker.password),
        ],
    )
    .await;
    tab.get(&app.url("/two-step-verification")).await;
    tab.post(
        &app.url("/two-step-verification/setup"),
        &[("method", "app")],
    )
    .await;
    let secret = attr(&tab.html, "[data-secret]", "data-secret").unwrap();
    // Now the victim's password, in the same browser.
    tab.get(&app.url("/sign-in")).await;
    let (status, _) = tab
        .post(
            &app.url("/sign-in"),
            &[("userId", &victim.user_id), ("password", &victim.password)],
        )
        .await;
    assert_eq!(status, 303);
    tab.get(&app.url("/two-step-verification")).await;
    assert_eq!(
        attr(&tab.html, "form[data-method]", "data-method").as_deref(),
        Some("phone"),
        "the victim's own method is asked for"
    );
    let totp = totp_rs::TOTP::new(
        totp_rs::Algorithm::SHA1,
        6,
        1,
        30,
        totp_rs::Secret::Encoded(secret).to_bytes().unwrap(),
    )
    .unwrap();
    let (status, _) = tab
        .post(
            &app.url("/two-step-verification/code"),
            &[("code", &totp.generate_current().unwrap())],
        )
        .await;
    assert_eq!(
        status, 400,
        "the attacker's authenticator code is not the victim's"
    );
    let facts = app
        .client
        .test_support()
        .user(&victim.user_id)
        .await
        .unwrap();
    assert_eq!(
        facts["twoStepMethod"], "phone",
        "the victim's 2-step method is untouched"
    );
}

#[tokio::test]
async fn signing_in_replaces_the_session_cookie() {
    let app = spawn_app().await;
    let registered = app.create_app().await;
    let victim = user(&app, &registered, "off", 250).await;
    let plain = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    // The attacker gets a session cookie and plants it in the victim's browser.
    let first = plain
        .get(app.url("/sign-in?continue=/applications-manage-authority/applications"))
        .send()
        .await
        .unwrap();
    let planted = first.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let html = first.text().await.unwrap();
    let signed_in = plain
        .post(app.url("/sign-in"))
        .header("Cookie", &planted)
        .form(&[
            ("nonce", nonce_of(&html).as_str()),
            ("userId", &victim.user_id),
            ("password", &victim.password),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 303);
    let fresh = signed_in.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    assert_ne!(fresh, planted, "signing in gives a new session cookie");
    let done = plain
        .get(app.url("/two-step-verification"))
        .header("Cookie", &fresh)
        .send()
        .await
        .unwrap();
    assert_eq!(
        done.headers()["location"],
        "/applications-manage-authority/applications"
    );
    // The victim is in; the planted cookie gets the attacker nothing.
    let victim_view = plain
        .get(app.url("/applications-manage-authority/applications"))
        .header("Cookie", &fresh)
        .send()
        .await
        .unwrap();
    assert_eq!(victim_view.status(), 200);
    let attacker_view = plain
        .get(app.url("/applications-manage-authority/applications"))
        .header("Cookie", &planted)
        .send()
        .await
        .unwrap();
    assert_eq!(attacker_view.status(), 303, "sent to sign in");
}

#[tokio::test]
async fn guessing_codes_locks_the_account() {
    let app = spawn_app().await;
    let registered = app.create_app().await;
    let victim = user(&app, &registered, "registered", 250).await;
    let mut tab = start(&app, &registered.client_id).await;
    tab.post(
        &app.url("/sign-in"),
        &[("userId", &victim.user_id), ("password", &victim.password)],
    )
    .await;
    tab.get(&app.url("/two-step-verification")).await;
    let texts = app
        .client
        .test_support()
        .messages(&victim.user_id)
        .await
        .unwrap()
        .len();
    tab.get(&app.url("/two-step-verification")).await;
    assert_eq!(
        app.client
            .test_support()
            .messages(&victim.user_id)
            .await
            .unwrap()
            .len(),
        texts,
        "reloading sends no more texts"
    );
    let mut last = 0;
    for guess in ["000000", "111111", "222222", "333333", "444444"] {
        last = tab
            .post(&app.url("/two-step-verification/code"), &[("code", guess)])
            .await
            .0;
    }
    assert_eq!(last, 403);
    assert!(tab.html.contains("locked"));
    // Even the right password is refused for now.
    let mut again = start(&app, &registered.client_id).await;
    let (status, _) = again
        .post(
            &app.url("/sign-in"),
            &[("userId", &victim.user_id), ("password", &victim.password)],
        )
        .await;
    assert_eq!(status, 401);
    assert!(again.html.contains("locked"));
}

#[tokio::test]
async fn identity_guesses_count_per_user_not_per_browser() {
    let app = spawn_app().await;
    let registered = app.create_app().await;
    let victim = user(&app, &registered, "off", 200).await;
    let facts = app.facts(&victim).await;
    let mut denied = 0;
    for round in 0..2 {
        let mut tab = start(&app, &registered.client_id).await;
        tab.post(
            &app.url("/sign-in"),
            &[("userId", &victim.user_id), ("password", &victim.password)],
        )
        .await;
        tab.get(&app.url("/two-step-verification")).await;
        tab.get(&app.url("/identity-check")).await;
        let dob = facts.date_of_birth.clone().unwrap();
        let (y, rest) = dob.split_once('-').unwrap();
        let (m, d) = rest.split_once('-').unwrap();
        let postcode = if round == 0 {
            "ZZ99 9ZZ".to_owned()
        } else {
            facts.postcode.clone().unwrap()
        };
        for _ in 0..3 {
            let (status, location) = tab
                .post(
                    &app.url("/identity-check"),
                    &[
                        ("dobDay", d),
                        ("dobMonth", m),
                        ("dobYear", y),
                        ("postcode", &postcode),
                        ("nino", facts.nino.as_deref().unwrap()),
                    ],
                )
                .await;
            if status == 303
                && location
                    .as_deref()
                    .is_some_and(|l| l.contains("error=access_denied"))
            {
                denied += 1;
                break;
            }
        }
    }
    assert_eq!(
        denied, 2,
        "after three wrong answers, the right ones in a new browser are refused too"
    );
    let known = app
        .client
        .test_support()
        .user(&victim.user_id)
        .await
        .unwrap();
    assert_eq!(known["confidenceLevel"], 200);
}

#[tokio::test]
async fn parameters_cannot_be_smuggled_into_the_redirect() {
    let app = spawn_app().await;
    let registered = app.create_app().await;
    let b = browser();
    for redirect in [
        "http://localhost:8080/cb?code=ATTACKER&state=forged",
        "http://localhost:8080/cb#fragment",
    ] {
        let q: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("response_type", "code"),
                ("client_id", registered.client_id.as_str()),
                ("scope", "hello"),
                ("redirect_uri", redirect),
            ])
            .finish();
        let resp = b
            .get(app.url(&format!("/oauth/authorize?{q}")))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400, "{redirect}");
    }
}

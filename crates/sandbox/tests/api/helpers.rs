//! `spawn_app` and friends.

use mtd_client::api::test_support::{Application, NewApplication};
use mtd_client::api::test_users::{NewTestUser, TestUser, UserKind};
use mtd_client::fraud_headers::{FraudPrevention, Vendor};
use mtd_client::oauth::driver::{KnownFacts, TwoStepChoice};
use mtd_client::{AccessToken, Client, Environment, TokenSet};
use mtd_domain::fraud_prevention::ConnectionMethod;
use mtd_domain::{BusinessId, Nino};
use mtd_sandbox::secrets::PasswordCost;
use std::sync::{Arc, Mutex};

use mtd_sandbox::{Config, Running};

pub struct TestApp {
    pub server: Running,
    pub client: Client,
    /// For requests the SDK would never send.
    pub raw: reqwest::Client,
    /// Answers that do not fit HMRC's published schemas.
    nonconforming: Arc<Mutex<Vec<String>>>,
}

/// A test whose answers strayed from HMRC's definitions fails, even if it passed otherwise.
impl Drop for TestApp {
    fn drop(&mut self) {
        let strays = std::mem::take(&mut *self.nonconforming.lock().unwrap());
        if !std::thread::panicking() {
            assert!(
                strays.is_empty(),
                "answers that do not fit HMRC's schemas:\n{}",
                strays.join("\n")
            );
        }
    }
}

/// A local HMRC in strict fraud-header mode: every MTD request here must carry valid headers.
pub async fn spawn_app() -> TestApp {
    spawn_with(Config {
        rate_limit: 0,
        password_cost: PasswordCost::Cheap,
        strict_fraud_headers: true,
        ..Config::default()
    })
    .await
}

/// The fraud prevention headers of software on this machine, as `mtd` sends them.
pub fn fraud_prevention() -> FraudPrevention {
    FraudPrevention::direct(
        ConnectionMethod::DesktopAppDirect,
        uuid::Uuid::new_v4(),
        Vendor::mtd(),
    )
}

pub async fn spawn_with(config: Config) -> TestApp {
    if std::env::var_os("TEST_LOG").is_some() {
        mtd_sandbox::cli::init_logging();
    }
    let nonconforming = Arc::new(Mutex::new(Vec::new()));
    let config = Config {
        observer: Some(crate::conformance::observer(nonconforming.clone())),
        ..config
    };
    let server = Running::start(config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    // The servers here have no rate limit unless a test gives one, so the client need not pace.
    let fraud = fraud_prevention();
    // Raw requests carry the headers too, collected once: their timestamps age, but stay well
    // inside the hour the validator allows.
    let mut headers = reqwest::header::HeaderMap::new();
    for (h, v) in fraud.headers_now().sent {
        headers.insert(h.name(), v.parse().unwrap());
    }
    let client = Client::new(Environment::local(&server.base_url()))
        .with_rate_limit(0)
        .with_fraud_prevention(fraud);
    TestApp {
        server,
        client,
        raw: reqwest::Client::builder()
            .default_headers(headers)
            .build()
            .unwrap(),
        nonconforming,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.base_url())
    }

    pub async fn create_app(&self) -> Application {
        self.create_app_with(NewApplication {
            name: "Test software".into(),
            redirect_uris: vec!["http://localhost".into()],
            ..Default::default()
        })
        .await
    }

    pub async fn create_app_with(&self, new: NewApplication) -> Application {
        self.client
            .test_support()
            .create_application(&new)
            .await
            .unwrap()
    }

    pub async fn app_token(&self, app: &Application) -> TokenSet {
        self.client
            .oauth(&app.credentials())
            .client_credentials(&[])
            .await
            .unwrap()
    }

    pub async fn create_user(&self, app: &Application, kind: UserKind) -> TestUser {
        let token = self.app_token(app).await;
        let req = NewTestUser {
            service_names: kind.mtd_services().iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        self.client
            .test_users()
            .create(&token.access_token, kind, &req)
            .await
            .unwrap()
    }

    /// An application, an individual, and that individual's tokens with `scopes`.
    pub async fn user_tokens(&self, scopes: &[&str]) -> (Application, TestUser, TokenSet) {
        let app = self.create_app().await;
        let user = self.create_user(&app, UserKind::Individual).await;
        let tokens = self
            .client
            .test_support()
            .mint_token(
                &mtd_client::ClientId::new(app.client_id.clone()),
                &user.user_id,
                scopes,
            )
            .await
            .unwrap();
        (app, user, tokens)
    }

    /// What the person would know about a user: its password and the facts HMRC holds.
    pub async fn facts(&self, user: &TestUser) -> KnownFacts {
        let f = self
            .client
            .test_support()
            .user(&user.user_id)
            .await
            .unwrap();
        let s = |p: &str| f.pointer(p).and_then(|v| v.as_str()).map(str::to_owned);
        KnownFacts {
            user_id: user.user_id.clone(),
            password: user.password.clone(),
            date_of_birth: s("/individualDetails/dateOfBirth"),
            postcode: s("/individualDetails/address/postcode"),
            nino: s("/nino"),
            totp_secret: None,
            two_step_choice: TwoStepChoice::AuthenticatorApp,
            grant: true,
            answers: Vec::new(),
            finish_on: Vec::new(),
        }
    }

    /// A user of `kind` with the local extensions set.
    pub async fn create_user_with(
        &self,
        app: &Application,
        kind: UserKind,
        req: NewTestUser,
    ) -> TestUser {
        let token = self.app_token(app).await;
        self.client
            .test_users()
            .create(&token.access_token, kind, &req)
            .await
            .unwrap()
    }

    /// A cookie-keeping browser that opened `start`, was sent to sign in, and signed in as `user`
    /// (whose 2-step verification is off); the page it then got.
    pub async fn signed_in_at(&self, start: &str, user: &TestUser) -> (reqwest::Client, String) {
        let b = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let sign_in = b
            .get(self.url(start))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let form = [
            ("nonce", nonce_of(&sign_in)),
            ("userId", user.user_id.clone()),
            ("password", user.password.clone()),
        ];
        let page = b
            .post(self.url("/sign-in"))
            .form(&form)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        (b, page)
    }

    /// Every row of every table but the rate-limit counters and fraud-header verdicts (records of
    /// requests, not data), to show a refused request changed
    /// nothing.
    pub fn fingerprint(&self) -> String {
        self.fingerprint_except(&["rate_hits", "fraud_feedback"])
    }

    /// The same, less browser sessions (whose one-time form nonces turn over on every post).
    pub fn fingerprint_without_sessions(&self) -> String {
        self.fingerprint_except(&["rate_hits", "fraud_feedback", "web_sessions"])
    }

    fn fingerprint_except(&self, skip: &[&str]) -> String {
        let conn = self.server.state.store.conn();
        let tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let mut out = String::new();
        for t in tables.into_iter().filter(|t| !skip.contains(&t.as_str())) {
            let mut stmt = conn
                .prepare(&format!("SELECT * FROM {t} ORDER BY rowid"))
                .unwrap();
            let n = stmt.column_count();
            let rows = stmt
                .query_map([], |r| {
                    Ok((0..n)
                        .map(|i| cell(r.get_ref(i).unwrap()))
                        .collect::<Vec<_>>()
                        .join("|"))
                })
                .unwrap();
            out.push_str(&t);
            out.push('\n');
            for row in rows {
                out.push_str(&row.unwrap());
                out.push('\n');
            }
        }
        out
    }
}

/// Asserts an HMRC error body, status and correlation ID; returns the body.
pub async fn expect_error(resp: reqwest::Response, status: u16, code: &str) -> serde_json::Value {
    assert_eq!(resp.status().as_u16(), status, "status for {code}");
    let cid = resp
        .headers()
        .get("x-correlationid")
        .expect("X-CorrelationId on every response")
        .to_str()
        .unwrap()
        .to_owned();
    assert!(uuid_like(&cid), "{cid}");
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["code"], code, "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    body
}

/// Asserts an OAuth error body.
pub async fn expect_oauth_error(
    resp: reqwest::Response,
    status: u16,
    error: &str,
    description: &str,
) {
    assert_eq!(
        resp.status().as_u16(),
        status,
        "status for {error} / {description}"
    );
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"], error, "{body}");
    assert_eq!(body["error_description"], description, "{body}");
}

fn uuid_like(s: &str) -> bool {
    s.len() == 36 && s.chars().filter(|c| *c == '-').count() == 4
}

pub const ACCEPT_1: &str = "application/vnd.hmrc.1.0+json";

/// Form or query parameters, as a table row holds them.
pub type Pairs<'a> = Vec<(&'a str, &'a str)>;

/// A stored value as readable text, for fingerprints and their diffs.
fn cell(v: rusqlite::types::ValueRef<'_>) -> String {
    match v {
        rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
        other => format!("{other:?}"),
    }
}

/// The one-time form nonce on a page.
pub fn nonce_of(html: &str) -> String {
    scraper::Html::parse_document(html)
        .select(&scraper::Selector::parse("input[name=nonce]").unwrap())
        .next()
        .map(|e| e.value().attr("value").unwrap().to_owned())
        .unwrap_or_default()
}

/// A signed-up taxpayer with one income source, and a token for it.
pub struct Taxpayer {
    pub token: AccessToken,
    pub nino: Nino,
    pub business: BusinessId,
    client_id: String,
    user_id: String,
}

impl Taxpayer {
    /// A token good for four hours from now on the sandbox clock, as software would refresh.
    pub async fn refresh(&mut self, app: &TestApp) {
        self.token = mint(app, &self.client_id, &self.user_id).await;
    }
}

async fn mint(app: &TestApp, client_id: &str, user_id: &str) -> AccessToken {
    let id = mtd_client::ClientId::new(client_id.to_owned());
    app.client
        .test_support()
        .mint_token(
            &id,
            user_id,
            &["read:self-assessment", "write:self-assessment"],
        )
        .await
        .unwrap()
        .access_token
}

/// A signed-up taxpayer with one income source made through HMRC's test support.
pub async fn taxpayer(app: &TestApp, business: serde_json::Value) -> Taxpayer {
    let registered = app.create_app().await;
    let user = app.create_user(&registered, UserKind::Individual).await;
    let token = mint(app, &registered.client_id, &user.user_id).await;
    let nino = Nino::parse(user.field("nino").unwrap()).unwrap();
    let business = app
        .client
        .sa_test_support()
        .create_business(&token, &nino, &business)
        .await
        .unwrap();
    Taxpayer {
        token,
        nino,
        business,
        client_id: registered.client_id.clone(),
        user_id: user.user_id.clone(),
    }
}

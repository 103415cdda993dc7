//! HMRC's Agent Authorisation API for MTD-IT, and its test support: the life of a request and
//! every MTD-IT error code, each refusal leaving the state as it was.

use mtd_client::api::test_support::Application;
use mtd_client::api::test_users::{NewTestUser, TestUser, UserKind};
use mtd_client::{AccessToken, ClientId};
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect_error, nonce_of, spawn_app};

const A1: &str = "application/vnd.hmrc.1.0+json";
const AGENT_SCOPES: [&str; 5] = [
    "read:sent-invitations",
    "write:sent-invitations",
    "write:cancel-invitations",
    "read:check-relationship",
    "read:self-assessment",
];

struct World {
    app: TestApp,
    registered: Application,
}

impl World {
    async fn new() -> World {
        let app = spawn_app().await;
        app.client
            .test_support()
            .set_clock("2025-06-01T09:00:00Z")
            .await
            .unwrap();
        let registered = app.create_app().await;
        World { app, registered }
    }

    async fn user(&self, kind: UserKind, services: &[&str]) -> TestUser {
        let req = NewTestUser {
            service_names: services.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        self.app.create_user_with(&self.registered, kind, req).await
    }

    async fn token(&self, user: &TestUser) -> AccessToken {
        let id = ClientId::new(self.registered.client_id.clone());
        self.app
            .client
            .test_support()
            .mint_token(&id, &user.user_id, &AGENT_SCOPES)
            .await
            .unwrap()
            .access_token
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &AccessToken,
        body: Option<Value>,
    ) -> reqwest::Response {
        let mut r = self
            .app
            .raw
            .request(method, self.app.url(path))
            .header("Accept", A1)
            .bearer_auth(token.secret());
        if let Some(b) = body {
            r = r.json(&b);
        }
        r.send().await.unwrap()
    }

    async fn app_token(&self) -> AccessToken {
        self.app.app_token(&self.registered).await.access_token
    }
}

fn arn(u: &TestUser) -> String {
    u.field("agentServicesAccountNumber").unwrap().to_owned()
}

fn ask(client: &TestUser, postcode: &str, agent_type: &str) -> Value {
    json!({ "service": ["MTD-IT"], "clientType": "personal", "clientIdType": "ni", "clientId": client.field("nino").unwrap(), "knownFact": postcode, "agentType": agent_type })
}

fn postcode(u: &TestUser) -> String {
    u.fields["individualDetails"]["address"]["postcode"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_request_from_creation_to_deauthorisation() {
    let w = World::new().await;
    let agent = w.user(UserKind::Agent, &["agent-services"]).await;
    let client = w
        .user(
            UserKind::Individual,
            &["national-insurance", "self-assessment", "mtd-income-tax"],
        )
        .await;
    let t = w.token(&agent).await;
    let a = arn(&agent);
    use reqwest::Method;

    let resp = w
        .send(
            Method::POST,
            &format!("/agents/{a}/invitations"),
            &t,
            Some(ask(&client, &postcode(&client).to_lowercase(), "main")),
        )
        .await;
    assert_eq!(resp.status(), 204, "{:?}", resp.headers());
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    let id = location.rsplit('/').next().unwrap().to_owned();
    assert_eq!(id.len(), 13);
    let inv: Value = w
        .send(Method::GET, &location, &t, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (inv["status"].as_str(), inv["agentType"].as_str()),
        (Some("Pending"), Some("main"))
    );
    assert_eq!(inv["service"], json!(["MTD-IT"]));
    assert!(
        inv["expiresOn"].as_str().unwrap().starts_with("2025-06-22"),
        "{inv}"
    );
    assert!(inv["clientActionUrl"].is_string());
    let list: Value = w
        .send(Method::GET, &format!("/agents/{a}/invitations"), &t, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);

    // The client accepts (test support); the agent now acts for the client.
    let app_token = w.app_token().await;
    assert_eq!(
        w.send(
            Method::PUT,
            &format!("/agent-authorisation-test-support/invitations/{id}"),
            &app_token,
            None
        )
        .await
        .status(),
        204
    );
    assert_eq!(
        w.send(
            Method::PUT,
            &format!("/agent-authorisation-test-support/invitations/{id}"),
            &app_token,
            None
        )
        .await
        .status(),
        204,
        "accepting again is harmless"
    );
    let inv: Value = w
        .send(Method::GET, &location, &t, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(inv["status"], "Accepted");
    let check = json!({ "service": ["MTD-IT"], "clientIdType": "ni", "clientId": client.field("nino").unwrap(), "knownFact": postcode(&client), "agentType": "main" });
    assert_eq!(
        w.send(
            Method::POST,
            &format!("/agents/{a}/relationships"),
            &t,
            Some(check.clone())
        )
        .await
        .status(),
        204
    );
    let nino = mtd_domain::Nino::parse(client.field("nino").unwrap()).unwrap();
    let year = mtd_domain::TaxYear::parse("2025-26").unwrap();
    w.app
        .client
        .individual_details()
        .itsa_status(&t, &nino, year, false, false)
        .await
        .unwrap();

    // A second main agent replaces the first, whose request becomes Deauthorised.
    let second = w.user(UserKind::Agent, &["agent-services"]).await;
    let t2 = w.token(&second).await;
    let resp = w
        .send(
            Method::POST,
            &format!("/agents/{}/invitations", arn(&second)),
            &t2,
            Some(ask(&client, &postcode(&client), "main")),
        )
        .await;
    let id2 = resp.headers()["location"]
        .to_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(
        w.send(
            Method::PUT,
            &format!("/agent-authorisation-test-support/invitations/{id2}"),
            &app_token,
            None
        )
        .await
        .status(),
        204
    );
    let inv: Value = w
        .send(Method::GET, &location, &t, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(inv["status"], "Deauthorised");
    let err = w
        .app
        .client
        .individual_details()
        .itsa_status(&t, &nino, year, false, false)
        .await
        .unwrap_err();
    assert_eq!(err.hmrc_code(), Some("CLIENT_OR_AGENT_NOT_AUTHORISED"));
    expect_error(
        w.send(
            Method::POST,
            &format!("/agents/{a}/relationships"),
            &t,
            Some(check),
        )
        .await,
        404,
        "RELATIONSHIP_NOT_FOUND",
    )
    .await;

    // The second agent ends its own relationship.
    let end = json!({ "service": ["MTD-IT"], "clientIdType": "ni", "clientId": client.field("nino").unwrap(), "agentType": "main" });
    assert_eq!(
        w.send(
            Method::PUT,
            &format!("/agents/{}/deauthorise-client", arn(&second)),
            &t2,
            Some(end.clone())
        )
        .await
        .status(),
        204
    );
    expect_error(
        w.send(
            Method::PUT,
            &format!("/agents/{}/deauthorise-client", arn(&second)),
            &t2,
            Some(end),
        )
        .await,
        403,
        "NO_RELATIONSHIP",
    )
    .await;
    let err = w
        .app
        .client
        .individual_details()
        .itsa_status(&t2, &nino, year, false, false)
        .await
        .unwrap_err();
    assert_eq!(
        err.hmrc_code(),
        Some("CLIENT_OR_AGENT_NOT_AUTHORISED"),
        "acting after deauthorisation"
    );
}

#[tokio::test]
async fn partial_authorisation_expiry_rejection_and_cancelling() {
    let w = World::new().await;
    let agent = w.user(UserKind::Agent, &["agent-services"]).await;
    let t = w.token(&agent).await;
    let a = arn(&agent);
    let not_signed_up = w
        .user(
            UserKind::Individual,
            &["national-insurance", "self-assessment"],
        )
        .await;
    let app_token = w.app_token().await;
    use reqwest::Method;
    let create = |client: &TestUser, agent_type: &str, t: &AccessToken| {
        let body = ask(client, &postcode(client), agent_type);
        let (w, t, a) = (&w, t.clone(), a.clone());
        async move {
            let resp = w
                .send(
                    Method::POST,
                    &format!("/agents/{a}/invitations"),
                    &t,
                    Some(body),
                )
                .await;
            assert_eq!(resp.status(), 204);
            resp.headers()["location"]
                .to_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_owned()
        }
    };
    let id = create(&not_signed_up, "supporting", &t).await;
    assert_eq!(
        w.send(
            Method::PUT,
            &format!("/agent-authorisation-test-support/invitations/{id}"),
            &app_token,
            None
        )
        .await
        .status(),
        204
    );
    let inv: Value = w
        .send(
            Method::GET,
            &format!("/agents/{a}/invitations/{id}"),
            &t,
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        inv["status"], "Partialauth",
        "a client not signed up gives a partial authorisation"
    );
    expect_error(
        w.send(
            Method::POST,
            &format!("/agents/{a}/invitations"),
            &t,
            Some(ask(&not_signed_up, &postcode(&not_signed_up), "supporting")),
        )
        .await,
        403,
        "ALREADY_AUTHORISED",
    )
    .await;

    let other = w
        .user(
            UserKind::Individual,
            &["national-insurance", "self-assessment", "mtd-income-tax"],
        )
        .await;
    let expiring = create(&other, "main", &t).await;
    w.app
        .client
        .test_support()
        .advance_clock("21d")
        .await
        .unwrap();
    // Access tokens last four hours: the agent and the application get fresh ones.
    let t = w.token(&agent).await;
    let app_token = w.app_token().await;
    let inv: Value = w
        .send(
            Method::GET,
            &format!("/agents/{a}/invitations/{expiring}"),
            &t,
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(inv["status"], "Expired");
    let before = w.app.fingerprint();
    expect_error(
        w.send(
            Method::PUT,
            &format!("/agent-authorisation-test-support/invitations/{expiring}"),
            &app_token,
            None,
        )
        .await,
        409,
        "INVALID_INVITATION_STATUS",
    )
    .await;
    expect_error(
        w.send(
            Method::DELETE,
            &format!("/agents/{a}/invitations/{expiring}"),
            &t,
            None,
        )
        .await,
        403,
        "INVALID_INVITATION_STATUS",
    )
    .await;
    assert_eq!(w.app.fingerprint(), before);

    let rejected = create(&other, "main", &t).await;
    assert_eq!(
        w.send(
            Method::DELETE,
            &format!("/agent-authorisation-test-support/invitations/{rejected}"),
            &app_token,
            None
        )
        .await
        .status(),
        204
    );
    let cancelled = create(&other, "main", &t).await;
    assert_eq!(
        w.send(
            Method::DELETE,
            &format!("/agents/{a}/invitations/{cancelled}"),
            &t,
            None
        )
        .await
        .status(),
        204
    );
    let list: Value = w
        .send(Method::GET, &format!("/agents/{a}/invitations"), &t, None)
        .await
        .json()
        .await
        .unwrap();
    let statuses: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["status"].as_str().unwrap())
        .collect();
    for s in ["Partialauth", "Expired", "Rejected", "Cancelled"] {
        assert!(statuses.contains(&s), "{statuses:?}");
    }
    let known: Value = w
        .send(
            Method::GET,
            &format!(
                "/agent-authorisation-test-support/known-facts/mtd-it/nino/{}",
                other.field("nino").unwrap()
            ),
            &app_token,
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(known["knownFact"], postcode(&other).as_str());
}

#[tokio::test]
async fn every_mtd_it_error_code() {
    let w = World::new().await;
    let agent = w.user(UserKind::Agent, &["agent-services"]).await;
    let other_agent = w.user(UserKind::Agent, &["agent-services"]).await;
    let no_asa = w.user(UserKind::Agent, &[]).await;
    let individual = w
        .user(
            UserKind::Individual,
            &["national-insurance", "self-assessment", "mtd-income-tax"],
        )
        .await;
    let no_sa = w.user(UserKind::Individual, &["national-insurance"]).await;
    let (t, a) = (w.token(&agent).await, arn(&agent));
    let pc = postcode(&individual);
    use reqwest::Method;
    // A pending request, for the duplicate case.
    let pending = w
        .send(
            Method::POST,
            &format!("/agents/{a}/invitations"),
            &t,
            Some(ask(&individual, &pc, "main")),
        )
        .await;
    assert_eq!(pending.status(), 204);
    let pending_id = pending.headers()["location"]
        .to_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();

    let with = |change: Value| {
        let mut b = ask(&individual, &pc, "main");
        for (k, v) in change.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    let invitations = format!("/agents/{a}/invitations");
    let other_pc = if pc.starts_with("TS") {
        "EH1 2DP"
    } else {
        "TS1 1PA"
    };
    // (method, path, token, body, status, code)
    type Case<'a> = (Method, String, AccessToken, Option<Value>, u16, &'a str);
    let cases: Vec<Case> = vec![
        (
            Method::POST,
            invitations.clone(),
            t.clone(),
            Some(with(json!({ "service": ["MTD-VAT"] }))),
            400,
            "SERVICE_NOT_SUPPORTED",
        ),
        (
            Method::POST,
            invitations.clone(),
            t.clone(),
            Some(with(json!({ "clientType": "charity" }))),
            400,
            "CLIENT_TYPE_NOT_SUPPORTED",
        ),
        (
            Method::POST,
            invitations.clone(),
            t.clone(),
            Some(with(json!({ "clientId": "NOT-A-NINO" }))),
            400,
            "CLIENT_ID_FORMAT_INVALID",
        ),
        (
            Method::POST,
            invitations.clone(),
            t.clone(),
            Some(with(json!({ "clientIdType": "vrn" }))),
            400,
            "CLIENT_ID_DOES_NOT_MATCH_SERVICE",
        ),
        (
            Method::POST,
            invitations.clone(),
            t.clone(),
            Some(with(json!({ "knownFact": "NOT A POSTCODE" }))),
            400,
            "POSTCODE_FORMAT_INVALID",
        ),
        (
            Method::POST,
            invitations.clone(),
            t.clone(),
            Some(with(json!({ "agentType": "deputy" }))),
            400,
            "AGENT_TYPE_NOT_SUPPORTED",
        ),
        (
            Method::POST,
            invitations.clone(),
            t.clone(),
            Some(json!({ "nonsense": true })),
            400,
            "BAD_REQUEST",
        ),
        (
            Method::POST,
            invitations.clone(),
            t.clone(),
            Some(with(json!({ "agentType": "supporting" }))),
            403,
            "DUPLICATE_AUTHORISATION_REQUEST",
        ),
        (
            Method::POST,
            invitations.clone(),
            t.clone(),
            Some(ask(&no_sa, &postcode(&no_sa), "main")),
            403,
            "CLIENT_REGISTRATION_NOT_FOUND",
        ),
        (
            Method::POST,
            format!("/agents/{}/invitations", arn(&other_agent)),
            w.token(&other_agent).await,
            Some(with(json!({ "knownFact": other_pc }))),
            403,
            "POSTCODE_DOES_NOT_MATCH",
        ),
        (
            Method::POST,
            invitations.clone(),
            w.token(&individual).await,
            Some(ask(&individual, &pc, "main")),
            403,
            "NOT_AN_AGENT",
        ),
        (
            Method::POST,
            invitations.clone(),
            w.token(&no_asa).await,
            Some(ask(&individual, &pc, "main")),
            403,
            "AGENT_NOT_SUBSCRIBED",
        ),
        (
            Method::GET,
            format!("/agents/{}/invitations", arn(&other_agent)),
            t.clone(),
            None,
            403,
            "NO_PERMISSION_ON_AGENCY",
        ),
        (
            Method::GET,
            format!("/agents/{}/invitations/{pending_id}", arn(&other_agent)),
            w.token(&other_agent).await,
            None,
            403,
            "NO_PERMISSION_ON_AGENCY",
        ),
        (
            Method::GET,
            format!("{invitations}/AAAAAAAAAAAAA"),
            t.clone(),
            None,
            404,
            "INVITATION_NOT_FOUND",
        ),
        (
            Method::DELETE,
            format!("{invitations}/AAAAAAAAAAAAA"),
            t.clone(),
            None,
            404,
            "INVITATION_NOT_FOUND",
        ),
        (
            Method::POST,
            format!("/agents/{a}/relationships"),
            t.clone(),
            Some(ask(&individual, &pc, "main")),
            404,
            "RELATIONSHIP_NOT_FOUND",
        ),
    ];
    let before = w.app.fingerprint();
    for (method, path, token, body, status, code) in cases {
        expect_error(w.send(method, &path, &token, body).await, status, code).await;
        assert_eq!(w.app.fingerprint(), before, "{code} changed state");
    }
    // The Accept header is checked first, as everywhere.
    let resp = w
        .app
        .raw
        .get(w.app.url(&invitations))
        .bearer_auth(t.secret())
        .send()
        .await
        .unwrap();
    expect_error(resp, 406, "ACCEPT_HEADER_INVALID").await;
    // Already authorised: accept the pending request, then ask again.
    let app_token = w.app_token().await;
    assert_eq!(
        w.send(
            Method::PUT,
            &format!("/agent-authorisation-test-support/invitations/{pending_id}"),
            &app_token,
            None
        )
        .await
        .status(),
        204
    );
    expect_error(
        w.send(
            Method::POST,
            &invitations,
            &t,
            Some(ask(&individual, &pc, "main")),
        )
        .await,
        403,
        "ALREADY_AUTHORISED",
    )
    .await;
    expect_error(
        w.send(
            Method::DELETE,
            &format!("{invitations}/{pending_id}"),
            &t,
            None,
        )
        .await,
        403,
        "INVALID_INVITATION_STATUS",
    )
    .await;

    // A removal of the relationship already under way (another local HMRC process sharing the
    // data, holding the lock): the second is refused and changes nothing.
    let nino = individual.field("nino").unwrap().to_owned();
    w.app
        .server
        .state
        .store
        .write(|tx| {
            tx.execute(
                "INSERT INTO relationship_locks VALUES (?1, substr(?2, 1, 8), 'main', ?3)",
                rusqlite::params![a, nino, mtd_sandbox::clock::wall_ms()],
            )
        })
        .unwrap();
    let deauthorise = format!("/agents/{a}/deauthorise-client");
    let before = w.app.fingerprint();
    expect_error(
        w.send(
            Method::PUT,
            &deauthorise,
            &t,
            Some(ask(&individual, &pc, "main")),
        )
        .await,
        403,
        "ALREADY_BEING_PROCESSED",
    )
    .await;
    assert_eq!(w.app.fingerprint(), before);
    w.app
        .server
        .state
        .store
        .write(|tx| tx.execute("DELETE FROM relationship_locks", []))
        .unwrap();
    let ended = w
        .send(
            Method::PUT,
            &deauthorise,
            &t,
            Some(ask(&individual, &pc, "main")),
        )
        .await;
    assert_eq!(ended.status(), 204);

    // The agent's credential removed from its group: its token still passes the gateway, but
    // nothing behind it knows the user.
    w.app
        .client
        .test_support()
        .remove_user(&agent.user_id)
        .await
        .unwrap();
    expect_error(
        w.send(Method::GET, &invitations, &t, None).await,
        401,
        "UNAUTHORIZED",
    )
    .await;
}

/// The client's own pages: sign in, see the request, accept it; nobody else may answer it.
#[tokio::test]
async fn the_client_answers_in_the_browser() {
    let w = World::new().await;
    let agent = w.user(UserKind::Agent, &["agent-services"]).await;
    let req = NewTestUser {
        service_names: vec![
            "national-insurance".into(),
            "self-assessment".into(),
            "mtd-income-tax".into(),
        ],
        two_step_verification: Some("off".into()),
        ..Default::default()
    };
    let client = w
        .app
        .create_user_with(&w.registered, UserKind::Individual, req.clone())
        .await;
    let stranger = w
        .app
        .create_user_with(&w.registered, UserKind::Individual, req)
        .await;
    let t = w.token(&agent).await;
    let a = arn(&agent);
    let resp = w
        .send(
            reqwest::Method::POST,
            &format!("/agents/{a}/invitations"),
            &t,
            Some(ask(&client, &postcode(&client), "supporting")),
        )
        .await;
    let id = resp.headers()["location"]
        .to_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let inv: Value = w
        .send(
            reqwest::Method::GET,
            &format!("/agents/{a}/invitations/{id}"),
            &t,
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    let link = inv["clientActionUrl"].as_str().unwrap().to_owned();

    let browse_as = |user: TestUser| {
        let (w, link) = (&w, link.clone());
        async move {
            let browser = reqwest::Client::builder()
                .cookie_store(true)
                .build()
                .unwrap();
            let sign_in = browser
                .get(&link)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let page = browser
                .post(w.app.url("/sign-in"))
                .form(&[
                    ("nonce", nonce_of(&sign_in).as_str()),
                    ("userId", &user.user_id),
                    ("password", &user.password),
                ])
                .send()
                .await
                .unwrap();
            (browser, page.status(), page.text().await.unwrap())
        }
    };
    let (_, status, html) = browse_as(stranger).await;
    assert_eq!(status, 403, "a request for someone else");
    assert!(html.contains("not for you"));

    let (browser, status, html) = browse_as(client).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("data-page=\"client-authorisation\"")
            && html.contains(&a)
            && html.contains("supporting agent"),
        "{html}"
    );
    let done = browser
        .post(&link)
        .form(&[("nonce", nonce_of(&html).as_str()), ("answer", "accept")])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);
    let inv: Value = w
        .send(
            reqwest::Method::GET,
            &format!("/agents/{a}/invitations/{id}"),
            &t,
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(inv["status"], "Accepted");
    // Posting the same answer again is refused: the form was used.
    let again = browser
        .post(&link)
        .form(&[("nonce", nonce_of(&html).as_str()), ("answer", "reject")])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 403);
}

/// Existing Self Assessment clients: a legacy 64-8 mapped to the agent's ARN is copied into a main
/// relationship when the relationship is checked, or at sign-up; never a supporting one, and once.
#[tokio::test]
async fn legacy_authorisations_are_copied_across() {
    let w = World::new().await;
    use reqwest::Method;
    // Without 2-step verification, so the test can sign in on the mapping pages in one step.
    let quick = NewTestUser {
        service_names: vec!["agent-services".into()],
        two_step_verification: Some("off".into()),
        ..Default::default()
    };
    let agent = w
        .app
        .create_user_with(&w.registered, UserKind::Agent, quick)
        .await;
    let client = w
        .user(
            UserKind::Individual,
            &["national-insurance", "self-assessment", "mtd-income-tax"],
        )
        .await;
    let (t, a) = (w.token(&agent).await, arn(&agent));
    let seed = |path: &str, body: Value| {
        let app = &w.app;
        let path = path.to_owned();
        async move {
            app.raw
                .post(app.url(&path))
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let sa_agent = w.app.client.test_support().create_sa_agent().await.unwrap();
    let reference = sa_agent.field("saAgentReference").unwrap().to_owned();
    assert_eq!(
        seed(
            "/test-support/legacy-authorisations",
            json!({ "saAgentReference": reference.to_lowercase(), "nino": client.field("nino").unwrap() })
        )
        .await,
        204
    );
    // The agent links the reference on HMRC's pages, signing in with the old user ID too.
    let (browser, page) = w.app.signed_in_at("/agent-mapping", &agent).await;
    assert!(page.contains("data-page=\"agent-mapping\""), "{page}");
    let post = |page: String, user_id: String, password: String| {
        let (b, url) = (browser.clone(), w.app.url("/agent-mapping"));
        async move {
            let form = [
                ("nonce", nonce_of(&page)),
                ("legacyUserId", user_id),
                ("legacyPassword", password),
            ];
            let r = b.post(url).form(&form).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let (status, page) = post(page, sa_agent.user_id.clone(), "wrong".into()).await;
    assert_eq!(status, 400);
    assert!(page.contains("Invalid user ID or password"), "{page}");
    let (status, page) = post(page, agent.user_id.clone(), agent.password.clone()).await;
    assert_eq!(
        status, 400,
        "the agent services account holds no SA agent reference"
    );
    assert!(
        page.contains("no Self Assessment agent reference"),
        "{page}"
    );
    let (status, page) = post(page, sa_agent.user_id.clone(), sa_agent.password.clone()).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("data-page=\"agent-mapping-done\"")
            && page.contains(&reference)
            && page.contains(&a),
        "{page}"
    );
    let nino = mtd_domain::Nino::parse(client.field("nino").unwrap()).unwrap();
    let year = mtd_domain::TaxYear::parse("2025-26").unwrap();
    let details = w.app.client.individual_details();
    assert!(
        details
            .itsa_status(&t, &nino, year, false, false)
            .await
            .is_err(),
        "not copied until checked"
    );

    let check = |agent_type: &str| json!({ "service": ["MTD-IT"], "clientIdType": "ni", "clientId": nino.as_str(), "knownFact": postcode(&client), "agentType": agent_type });
    expect_error(
        w.send(
            Method::POST,
            &format!("/agents/{a}/relationships"),
            &t,
            Some(check("supporting")),
        )
        .await,
        404,
        "RELATIONSHIP_NOT_FOUND",
    )
    .await;
    assert_eq!(
        w.send(
            Method::POST,
            &format!("/agents/{a}/relationships"),
            &t,
            Some(check("main"))
        )
        .await
        .status(),
        204,
        "copied on the check"
    );
    details
        .itsa_status(&t, &nino, year, false, false)
        .await
        .unwrap();

    let end = json!({ "service": ["MTD-IT"], "clientIdType": "ni", "clientId": nino.as_str(), "agentType": "main" });
    assert_eq!(
        w.send(
            Method::PUT,
            &format!("/agents/{a}/deauthorise-client"),
            &t,
            Some(end)
        )
        .await
        .status(),
        204
    );
    expect_error(
        w.send(
            Method::POST,
            &format!("/agents/{a}/relationships"),
            &t,
            Some(check("main")),
        )
        .await,
        404,
        "RELATIONSHIP_NOT_FOUND",
    )
    .await;

    // At sign-up, without any check.
    let other_agent = w.user(UserKind::Agent, &["agent-services"]).await;
    let t2 = w.token(&other_agent).await;
    let newcomer = w
        .user(
            UserKind::Individual,
            &["national-insurance", "self-assessment"],
        )
        .await;
    assert_eq!(
        seed(
            "/test-support/legacy-authorisations",
            json!({ "saAgentReference": "SA9999", "nino": newcomer.field("nino").unwrap() })
        )
        .await,
        204
    );
    assert_eq!(
        seed(
            "/test-support/agent-mappings",
            json!({ "arn": arn(&other_agent), "saAgentReference": "SA9999" })
        )
        .await,
        204
    );
    let signed = w.app.raw.post(w.app.url("/test-support/sign-up")).json(&json!({ "nino": newcomer.field("nino").unwrap(), "incomeSources": [{ "type": "uk-property" }] })).send().await.unwrap();
    assert_eq!(signed.status(), 201);
    let nn = mtd_domain::Nino::parse(newcomer.field("nino").unwrap()).unwrap();
    details
        .itsa_status(&t2, &nn, year, false, false)
        .await
        .unwrap();
}

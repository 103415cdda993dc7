//! Every endpoint about a NINO, swept for the format errors of its path: a bad NINO, business ID
//! or tax year, and a tax year range that is not one year, answered with HMRC's code and status
//! and changing nothing.

use mtd_client::api::test_users::UserKind;
use mtd_sandbox::gateway::{Access, endpoints};

use crate::helpers::{expect_error, spawn_app};

#[tokio::test]
async fn every_nino_endpoint_refuses_bad_path_parameters() {
    let app = spawn_app().await;
    let registered = app.create_app().await;
    let user = app.create_user(&registered, UserKind::Individual).await;
    let id = mtd_client::ClientId::new(registered.client_id.clone());
    let token = app
        .client
        .test_support()
        .mint_token(
            &id,
            &user.user_id,
            &["read:self-assessment", "write:self-assessment"],
        )
        .await
        .unwrap()
        .access_token;
    let nino = user.field("nino").unwrap().to_owned();
    let before = app.fingerprint();
    let mut checked = 0;
    for ep in endpoints::ALL.iter().filter(|e| e.path.contains("{nino}")) {
        let Access::User(scope) = ep.access else {
            continue;
        };
        if !matches!(
            scope.as_str(),
            "read:self-assessment" | "write:self-assessment"
        ) {
            continue;
        }
        let fill = |nino: &str, business: &str, year: &str| {
            ep.path
                .replace("{nino}", nino)
                .replace("{businessId}", business)
                .replace("{taxYear}", year)
                .replace("{propertyId}", "8e8b8450-dc1b-4360-8109-7067337b42cb")
        };
        let mut cases = vec![(fill("AB12", "XAIS12345678901", "2025-26"), "FORMAT_NINO")];
        if ep.path.contains("{businessId}") {
            cases.push((fill(&nino, "X12", "2025-26"), "FORMAT_BUSINESS_ID"));
        }
        if ep.path.contains("{taxYear}") {
            cases.push((fill(&nino, "XAIS12345678901", "2025"), "FORMAT_TAX_YEAR"));
            cases.push((
                fill(&nino, "XAIS12345678901", "2025-27"),
                "RULE_TAX_YEAR_RANGE_INVALID",
            ));
        }
        for (path, code) in cases {
            let mut req = app
                .raw
                .request(ep.method.clone(), app.url(&path))
                .header(
                    "Accept",
                    format!("application/vnd.hmrc.{}+json", ep.versions[0]),
                )
                .bearer_auth(token.secret());
            if ep.method != reqwest::Method::GET && ep.method != reqwest::Method::DELETE {
                req = req.json(&serde_json::json!({}));
            }
            let resp = req.send().await.unwrap();
            let body = expect_error(resp, 400, code).await;
            assert!(body.to_string().contains(code), "{} {path}", ep.method);
            checked += 1;
        }
    }
    assert!(checked > 60, "{checked} requests");
    assert_eq!(app.fingerprint(), before, "no refusal changed anything");
}

/// A `Gov-Test-Scenario` no endpoint knows is refused by every endpoint that reads a taxpayer's data.
#[tokio::test]
async fn every_read_refuses_an_unknown_test_scenario() {
    let app = spawn_app().await;
    let registered = app.create_app().await;
    let user = app.create_user(&registered, UserKind::Individual).await;
    let id = mtd_client::ClientId::new(registered.client_id.clone());
    let token = app
        .client
        .test_support()
        .mint_token(&id, &user.user_id, &["read:self-assessment"])
        .await
        .unwrap()
        .access_token;
    let nino = user.field("nino").unwrap().to_owned();
    let mut refused_by = Vec::new();
    for ep in endpoints::ALL
        .iter()
        .filter(|e| e.path.contains("{nino}") && e.method == reqwest::Method::GET)
    {
        if !matches!(ep.access, Access::User(s) if s.as_str() == "read:self-assessment") {
            continue;
        }
        let path = ep
            .path
            .replace("{nino}", &nino)
            .replace("{businessId}", "XAIS12345678901")
            .replace("{taxYear}", "2026-27")
            .replace("{propertyId}", "8e8b8450-dc1b-4360-8109-7067337b42cb");
        let resp = app
            .raw
            .get(app.url(&path))
            .header(
                "Accept",
                format!("application/vnd.hmrc.{}+json", ep.versions[0]),
            )
            .header("Gov-Test-Scenario", "NO_SUCH_SCENARIO")
            .bearer_auth(token.secret())
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let body: serde_json::Value = resp.json().await.unwrap();
        if status != 400 || body["code"] != "RULE_INCORRECT_GOV_TEST_SCENARIO" {
            refused_by.push(format!("{path}: {status} {}", body["code"]));
        }
    }
    assert!(
        refused_by.is_empty(),
        "these ignore an unknown scenario:\n{}",
        refused_by.join("\n")
    );
}

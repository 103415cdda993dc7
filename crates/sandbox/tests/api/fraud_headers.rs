//! Fraud prevention headers end to end: what the real client sends is judged by the local HMRC's
//! validator, over HTTP and for arbitrary machines; strict mode refuses bad headers; the
//! feedback endpoint shows the latest verdict per endpoint.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use chrono::{Duration, Utc};
use mtd_client::api::test_users::UserKind;
use mtd_client::fraud_headers::{
    self, Factor, FactorType, MachineFacts, Origin, Screen, Vendor, WebOrigin, WindowSize,
};
use mtd_domain::fraud_prevention::{ConnectionMethod, Header, names_an_interface};
use mtd_sandbox::fraud::validator::validate;
use proptest::prelude::*;
use serde_json::Value;

use crate::helpers::{expect_error, fraud_prevention, spawn_app, spawn_with};

const OFFSETS_MINUTES: &[i32] = &[
    -720, -660, -600, -570, -540, -480, -420, -360, -300, -240, -210, -180, -150, -120, -60, 0, 60,
    120, 180, 210, 240, 270, 300, 330, 345, 360, 390, 420, 480, 525, 540, 570, 600, 630, 660, 720,
    765, 780, 825, 840,
];

/// Any address the client would list: what the machine reports, less what names no interface.
fn interface_ip() -> impl Strategy<Value = IpAddr> {
    prop_oneof![
        any::<Ipv4Addr>().prop_map(IpAddr::V4),
        any::<Ipv6Addr>().prop_map(IpAddr::V6),
    ]
    .prop_filter("an interface address", |ip| names_an_interface(*ip))
}

fn screen() -> impl Strategy<Value = Screen> {
    (
        1u32..8000,
        1u32..8000,
        50u32..400,
        prop::sample::select(vec![8u32, 16, 24, 30, 32]),
    )
        .prop_map(|(width, height, scaling_percent, colour_depth)| Screen {
            width,
            height,
            scaling_percent,
            colour_depth,
        })
}

fn window() -> impl Strategy<Value = Option<WindowSize>> {
    prop::option::of(
        (1u32..8000, 1u32..8000).prop_map(|(width, height)| WindowSize { width, height }),
    )
}

fn named() -> impl Strategy<Value = Option<String>> {
    prop::option::of("[A-Za-z][A-Za-z0-9 .,&()/-]{0,30}")
}

prop_compose! {
    fn machine()(
        local_ips in prop::collection::vec(interface_ip(), 0..5),
        mac_addresses in prop::collection::vec(any::<[u8; 6]>().prop_filter("real", |m| m.iter().any(|b| *b != 0) && m.iter().any(|b| *b != 0xff)), 0..4),
        os_user in prop::option::of("\\PC{1,24}".prop_filter("a name", |u| !u.trim().is_empty())),
        os_version in "[A-Za-z0-9][A-Za-z0-9 ./()_-]{0,40}",
        device_manufacturer in named(),
        device_model in named(),
        offset in prop::sample::select(OFFSETS_MINUTES.to_vec()),
        screens in prop::collection::vec(screen(), 0..4),
        window in window(),
    ) -> MachineFacts {
        MachineFacts {
            local_ips,
            mac_addresses,
            os_user,
            os_family: "Linux".into(),
            os_version,
            device_manufacturer,
            device_model,
            utc_offset_secs: offset * 60,
            screens,
            window,
        }
    }
}

fn public_ip() -> impl Strategy<Value = IpAddr> {
    prop_oneof![
        (0u8..=255).prop_map(|d| IpAddr::V4(Ipv4Addr::new(198, 51, 100, d))),
        (0u8..=255).prop_map(|d| IpAddr::V4(Ipv4Addr::new(81, 2, 69, d))),
        any::<u16>().prop_map(|x| IpAddr::V6(Ipv6Addr::new(0x2a00, 0x23c6, 0, 0, 0, 0, 0, x))),
    ]
}

prop_compose! {
    fn web_origin()(
        client in public_ip(),
        vendor_last in 1u8..=254,
        port in (1u16..=65535).prop_filter("a source port", |p| *p != 80 && *p != 443),
        user in "[a-z]{1,12}@example\\.com",
        offset in prop::sample::select(OFFSETS_MINUTES.to_vec()),
        screens in prop::collection::vec(screen(), 0..4),
        window in window(),
        factors in prop::collection::vec((prop::sample::select(vec![FactorType::Totp, FactorType::AuthCode, FactorType::Other]), "[0-9a-f]{16,64}"), 0..3),
        device in any::<u128>().prop_filter("not nil", |d| *d != 0),
    ) -> WebOrigin {
        let vendor_ip = IpAddr::V4(Ipv4Addr::new(203, 0, 113, vendor_last));
        let now = Utc::now();
        WebOrigin {
            client_public_ip: client,
            client_public_port: port,
            public_ip_seen_at: now - Duration::seconds(1),
            device_id: uuid::Uuid::from_u128(device),
            user_ids: vec![("my-web-app".into(), user)],
            utc_offset_minutes: offset,
            browser_js_user_agent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36".into(),
            screens,
            window,
            multi_factor: factors.into_iter().map(|(kind, r)| Factor { kind, at: now - Duration::minutes(5), unique_reference: r }).collect(),
            vendor_public_ip: vendor_ip,
            forwarded: vec![(vendor_ip, client)],
        }
    }
}

/// What the validator says of the headers, given what the client left out on purpose.
fn judged_fine(h: &fraud_headers::Headers) -> Result<(), TestCaseError> {
    let sent: Vec<(String, String)> = h
        .sent
        .iter()
        .map(|(n, v)| (n.name().to_owned(), v.clone()))
        .collect();
    let report = validate(&sent, Utc::now());
    prop_assert!(
        report.errors.is_empty(),
        "errors: {:#?}\nsent: {:#?}",
        report.errors,
        h.sent
    );
    let left: Vec<Header> = h.left_out.iter().map(|(n, _)| *n).collect();
    for w in &report.warnings {
        prop_assert!(
            w.headers.iter().all(|x| left.contains(x)),
            "a warning about a header sent: {w:?}\nsent: {:#?}",
            h.sent
        );
    }
    let expected = if left.is_empty() {
        "VALID_HEADERS"
    } else {
        "POTENTIALLY_INVALID_HEADERS"
    };
    prop_assert_eq!(report.code(), expected);
    Ok(())
}

fn web_vendor() -> Vendor {
    Vendor {
        product_name: "My Tax Web".into(),
        versions: vec![
            ("my-tax-web".into(), "2.1.0".into()),
            ("my-tax-server".into(), "3.8".into()),
        ],
        license_ids: vec![],
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn what_the_client_sends_from_any_machine_is_valid(
        facts in machine(),
        batch in any::<bool>(),
        device in any::<u128>().prop_filter("not nil", |d| *d != 0),
    ) {
        let method = if batch { ConnectionMethod::BatchProcessDirect } else { ConnectionMethod::DesktopAppDirect };
        // The client reads the OS user's name or, failing that, its numeric ID: never nothing.
        let facts = MachineFacts { os_user: facts.os_user.clone().or(Some("1000".into())), ..facts };
        let h = fraud_headers::build(method, &Origin::Machine(facts), &Vendor::mtd(), uuid::Uuid::from_u128(device), Utc::now());
        judged_fine(&h)?;
    }

    #[test]
    fn what_a_web_app_sends_is_valid(origin in web_origin()) {
        let h = fraud_headers::build(ConnectionMethod::WebAppViaServer, &Origin::Web(origin.clone()), &web_vendor(), origin.device_id, Utc::now());
        judged_fine(&h)?;
    }
}

#[tokio::test]
async fn this_machines_headers_are_valid_over_http() {
    let app = spawn_app().await;
    let registered = app.create_app().await;
    let token = app.app_token(&registered).await.access_token;
    let verdict = app
        .client
        .test_fraud_prevention()
        .validate(&token)
        .await
        .unwrap();
    let left: Vec<String> = fraud_prevention()
        .headers_now()
        .left_out
        .iter()
        .map(|(h, _)| h.lower())
        .collect();
    assert!(verdict.errors.is_empty(), "{verdict:#?}");
    assert_eq!(verdict.spec_version, "3.3");
    for w in &verdict.warnings {
        assert!(
            w.headers.iter().all(|h| left.contains(h)),
            "{w:?} not left out on purpose"
        );
    }
    // Nothing sent at all is judged too.
    let bare = reqwest::Client::new()
        .get(app.url("/test/fraud-prevention-headers/validate"))
        .header("Accept", "application/vnd.hmrc.1.0+json")
        .bearer_auth(token.secret())
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status(), 200);
    let body: Value = bare.json().await.unwrap();
    assert_eq!(body["code"], "INVALID_HEADERS");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("No fraud prevention headers")
    );
}

/// A signed-up taxpayer with a business, and a token for them.
async fn taxpayer(
    app: &crate::helpers::TestApp,
) -> (mtd_client::AccessToken, String, mtd_client::AccessToken) {
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
    let app_token = app.app_token(&registered).await.access_token;
    (token, user.field("nino").unwrap().to_owned(), app_token)
}

#[tokio::test]
async fn strict_mode_refuses_bad_headers_and_feedback_shows_the_latest() {
    let app = spawn_app().await;
    let (token, nino, app_token) = taxpayer(&app).await;
    let list = app.url(&format!("/individuals/business/details/{nino}/list"));
    let resp = app
        .raw
        .get(&list)
        .header("Accept", "application/vnd.hmrc.2.0+json")
        .header("Gov-Client-Timezone", "UTC")
        .header("Gov-Client-Device-ID", "null")
        .bearer_auth(token.secret())
        .send()
        .await
        .unwrap();
    let body = expect_error(resp, 400, "INVALID_FRAUD_PREVENTION_HEADERS").await;
    let text = body.to_string();
    assert!(
        text.contains("Gov-Client-Timezone") && text.contains("Gov-Client-Device-ID"),
        "{text}"
    );

    let feedback = app
        .client
        .test_fraud_prevention()
        .feedback(
            &app_token,
            "business-details-mtd",
            Some(ConnectionMethod::DesktopAppDirect),
        )
        .await
        .unwrap();
    let request = &feedback["requests"][0];
    assert_eq!(request["code"], "INVALID_HEADERS");
    assert_eq!(request["method"], "GET");
    let verdict_of = |r: &Value, name: &str| {
        r["headers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["header"] == name)
            .map(|h| h["code"].as_str().unwrap().to_owned())
    };
    assert_eq!(
        verdict_of(request, "gov-client-timezone").as_deref(),
        Some("INVALID_HEADER")
    );
    assert_eq!(
        verdict_of(request, "gov-vendor-version").as_deref(),
        Some("VALID_HEADER")
    );

    // The SDK's own request to the same endpoint replaces it.
    let nino = mtd_domain::Nino::parse(&nino).unwrap();
    let answer = app.client.business_details().list(&token, &nino).await;
    assert_eq!(
        answer.unwrap_err().hmrc_code(),
        Some("MATCHING_RESOURCE_NOT_FOUND"),
        "passes the gateway"
    );
    let feedback = app
        .client
        .test_fraud_prevention()
        .feedback(&app_token, "business-details-mtd", None)
        .await
        .unwrap();
    assert_eq!(feedback["requests"].as_array().unwrap().len(), 1);
    assert_ne!(feedback["requests"][0]["code"], "INVALID_HEADERS");
    // Other methods' requests are filtered out, and unknown APIs are refused.
    let batch = app
        .client
        .test_fraud_prevention()
        .feedback(
            &app_token,
            "business-details-mtd",
            Some(ConnectionMethod::BatchProcessDirect),
        )
        .await
        .unwrap();
    assert_eq!(batch["requests"].as_array().unwrap().len(), 0);
    let unknown = app
        .client
        .test_fraud_prevention()
        .feedback(&app_token, "vat-mtd", None)
        .await
        .unwrap_err();
    assert_eq!(unknown.status(), Some(404));
}

#[tokio::test]
async fn by_default_bad_headers_are_recorded_not_refused() {
    let app = spawn_with(mtd_sandbox::Config {
        rate_limit: 0,
        password_cost: mtd_sandbox::secrets::PasswordCost::Cheap,
        ..Default::default()
    })
    .await;
    let (token, nino, app_token) = taxpayer(&app).await;
    let resp = reqwest::Client::new()
        .get(app.url(&format!("/individuals/business/details/{nino}/list")))
        .header("Accept", "application/vnd.hmrc.2.0+json")
        .bearer_auth(token.secret())
        .send()
        .await
        .unwrap();
    expect_error(resp, 404, "MATCHING_RESOURCE_NOT_FOUND").await;
    let feedback = app
        .client
        .test_fraud_prevention()
        .feedback(&app_token, "business-details-mtd", None)
        .await
        .unwrap();
    assert_eq!(feedback["requests"][0]["code"], "INVALID_HEADERS");
}

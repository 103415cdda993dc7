//! Foreign property: cumulative summaries keyed by country in 2025-26 and by the property's own
//! ID from 2026-27, and the details that create those IDs.

use serde_json::{Value, json};

use crate::helpers::{Taxpayer, TestApp, expect_error, spawn_app, taxpayer};

async fn send(
    app: &TestApp,
    t: &Taxpayer,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut r = app
        .raw
        .request(method, app.url(path))
        .header("Accept", "application/vnd.hmrc.6.0+json")
        .bearer_auth(t.token.secret());
    if let Some(b) = body {
        r = r.json(&b);
    }
    r.send().await.unwrap()
}

fn entry(key: &str, value: &str, expenses: Value) -> Value {
    json!({ key: value, "income": { "rentIncome": { "rentAmount": 1200.5 } }, "expenses": expenses })
}

#[tokio::test]
async fn by_country_then_by_property() {
    let app = spawn_app().await;
    let ts = app.client.test_support();
    ts.set_clock("2025-07-08T09:00:00Z").await.unwrap();
    let mut t = taxpayer(
        &app,
        json!({ "typeOfBusiness": "foreign-property", "commencementDate": "2018-05-01" }),
    )
    .await;
    use reqwest::Method;
    let (nino, business) = (t.nino.clone(), t.business.clone());
    let cumulative = |year: &str| {
        format!("/individuals/business/property/foreign/{nino}/{business}/cumulative/{year}")
    };
    let dates = |body: Value| {
        let mut b = json!({ "fromDate": "2025-04-06", "toDate": "2025-07-05" });
        b["foreignProperty"] = body;
        b
    };
    if mtd_testkit::oas::root().is_some() {
        for file in ["request.json", "consolidated_request.json"] {
            let body = mtd_testkit::oas::json(&format!(
                "property-business-api/6.0/examples/foreign_property_cumulative_summary_create_and_amend/def1/{file}"
            ))
            .unwrap();
            let put = send(&app, &t, Method::PUT, &cumulative("2025-26"), Some(body)).await;
            assert_eq!(put.status(), 204, "{file}");
        }
    }
    let good = dates(json!([
        entry("countryCode", "FRA", json!({ "consolidatedExpenses": 100 })),
        entry("countryCode", "ESP", json!({ "consolidatedExpenses": 50 }))
    ]));
    assert_eq!(
        send(
            &app,
            &t,
            Method::PUT,
            &cumulative("2025-26"),
            Some(good.clone())
        )
        .await
        .status(),
        204
    );
    let read: Value = send(&app, &t, Method::GET, &cumulative("2025-26"), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(read["foreignProperty"], good["foreignProperty"]);

    let before = app.fingerprint();
    let refused = [
        (
            dates(json!([
                entry("countryCode", "FRA", json!({})),
                entry("countryCode", "FRA", json!({}))
            ])),
            "INVALID_REQUEST",
        ),
        (
            dates(json!([
                entry("countryCode", "FRA", json!({ "other": 1 })),
                entry("countryCode", "FRA", json!({ "other": 2 }))
            ])),
            "RULE_DUPLICATE_COUNTRY_CODE",
        ),
        (
            dates(json!([entry("countryCode", "XYZ", json!({ "other": 1 }))])),
            "RULE_COUNTRY_CODE",
        ),
        (
            dates(json!([entry("countryCode", "fr", json!({ "other": 1 }))])),
            "FORMAT_COUNTRY_CODE",
        ),
        (
            dates(json!([
                entry("countryCode", "FRA", json!({ "consolidatedExpenses": 1 })),
                entry("countryCode", "ESP", json!({ "other": 2 }))
            ])),
            "RULE_BOTH_EXPENSES_SUPPLIED",
        ),
        (
            dates(json!([entry(
                "countryCode",
                "FRA",
                json!({ "consolidatedExpenses": 1, "travelCosts": 2 })
            )])),
            "RULE_BOTH_EXPENSES_SUPPLIED",
        ),
        (
            json!({ "fromDate": "2025-04-06", "foreignProperty": [entry("countryCode", "FRA", json!({ "other": 1 }))] }),
            "RULE_MISSING_SUBMISSION_DATES",
        ),
        (dates(json!([])), "RULE_INCORRECT_OR_EMPTY_BODY_SUBMITTED"),
    ];
    for (body, code) in refused {
        let resp = send(&app, &t, Method::PUT, &cumulative("2025-26"), Some(body)).await;
        expect_error(resp, 400, code).await;
        assert_eq!(app.fingerprint(), before, "{code} changed nothing");
    }

    // From 2026-27 each property is named first, and updates carry its ID.
    ts.set_clock("2026-07-08T09:00:00Z").await.unwrap();
    t.refresh(&app).await;
    let details = format!(
        "/individuals/business/property/foreign/{}/{}/details/2026-27",
        t.nino, t.business
    );
    let made: Value = send(
        &app,
        &t,
        Method::POST,
        &details,
        Some(json!({ "propertyName": "Villa Rosa", "countryCode": "ITA" })),
    )
    .await
    .json()
    .await
    .unwrap();
    let pid = made["propertyId"].as_str().unwrap().to_owned();
    let dup = send(
        &app,
        &t,
        Method::POST,
        &details,
        Some(json!({ "propertyName": "Villa Rosa", "countryCode": "FRA" })),
    )
    .await;
    expect_error(dup, 400, "RULE_DUPLICATE_PROPERTY_NAME").await;
    let half = send(
        &app,
        &t,
        Method::POST,
        &details,
        Some(json!({ "propertyName": "Casa", "countryCode": "ESP", "endDate": "2026-09-01" })),
    )
    .await;
    expect_error(half, 400, "RULE_MISSING_END_DETAILS").await;
    let late = send(&app, &t, Method::POST, &details, Some(json!({ "propertyName": "Casa", "countryCode": "ESP", "endDate": "2027-09-01", "endReason": "disposal" }))).await;
    expect_error(late, 400, "RULE_END_DATE_AFTER_TAX_YEAR_END").await;
    let listed: Value = send(&app, &t, Method::GET, &details, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        listed["foreignPropertyDetails"][0]["propertyId"],
        pid.as_str()
    );
    let update = format!(
        "/individuals/business/property/foreign/{}/details/{pid}/2026-27",
        t.nino
    );
    let ended = send(&app, &t, Method::PUT, &update, Some(json!({ "propertyName": "Villa Rosa", "endDate": "2026-12-31", "endReason": "disposal" }))).await;
    assert_eq!(ended.status(), 204);

    let y26 = |body: Value| {
        let mut b = json!({ "fromDate": "2026-04-06", "toDate": "2026-07-05" });
        b["foreignProperty"] = body;
        b
    };
    let unknown = send(
        &app,
        &t,
        Method::PUT,
        &cumulative("2026-27"),
        Some(y26(json!([entry(
            "propertyId",
            "8e8b8450-dc1b-4360-8109-7067337b42cb",
            json!({ "other": 1 })
        )]))),
    )
    .await;
    expect_error(unknown, 400, "RULE_PROPERTY_ID_MISMATCH").await;
    let twice = send(
        &app,
        &t,
        Method::PUT,
        &cumulative("2026-27"),
        Some(y26(json!([
            entry("propertyId", &pid, json!({ "other": 1 })),
            entry("propertyId", &pid, json!({ "other": 1 }))
        ]))),
    )
    .await;
    expect_error(twice, 400, "RULE_DUPLICATE_PROPERTY_ID").await;
    let ok = send(
        &app,
        &t,
        Method::PUT,
        &cumulative("2026-27"),
        Some(y26(json!([entry(
            "propertyId",
            &pid,
            json!({ "other": 1 })
        )]))),
    )
    .await;
    assert_eq!(ok.status(), 204);
    let one: Value = send(
        &app,
        &t,
        Method::GET,
        &format!("{}?propertyId={pid}", cumulative("2026-27")),
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(one["foreignProperty"][0]["propertyId"], pid.as_str());
}

/// The SDK's typed foreign property calls and HMRC's checkpoints, through the local HMRC.
#[tokio::test]
async fn typed_sdk_calls() {
    use mtd_client::api::property_business::{
        ForeignCumulativeSummary, ForeignEntry, ForeignIncome, ForeignPropertyDetails, RentIncome,
    };
    use mtd_domain::{Money, TaxYear};
    let app = spawn_app().await;
    app.client
        .test_support()
        .set_clock("2026-07-08T09:00:00Z")
        .await
        .unwrap();
    let t = taxpayer(
        &app,
        json!({ "typeOfBusiness": "foreign-property", "commencementDate": "2018-05-01" }),
    )
    .await;
    let y = TaxYear::parse("2026-27").unwrap();
    let property = app.client.property_business();
    let details = ForeignPropertyDetails {
        property_name: "Villa Rosa".into(),
        country_code: Some("ITA".into()),
        ..Default::default()
    };
    let pid = property
        .create_foreign_property(&t.token, &t.nino, &t.business, y, &details)
        .await
        .unwrap();
    let listed = property
        .foreign_properties(&t.token, &t.nino, &t.business, y)
        .await
        .unwrap();
    assert_eq!(listed[0].property_id.as_deref(), Some(pid.as_str()));
    let summary = |rent: &str| ForeignCumulativeSummary {
        submitted_on: None,
        from_date: Some("2026-04-06".parse().unwrap()),
        to_date: Some("2026-07-05".parse().unwrap()),
        foreign_property: vec![ForeignEntry {
            property_id: Some(pid.clone()),
            income: Some(ForeignIncome {
                rent_income: Some(RentIncome {
                    rent_amount: Money::parse(rent).unwrap(),
                }),
                ..Default::default()
            }),
            expenses: Some(
                [(
                    "consolidatedExpenses".to_owned(),
                    Money::parse("99.99").unwrap(),
                )]
                .into(),
            ),
            ..Default::default()
        }],
    };
    property
        .put_foreign_cumulative(&t.token, &t.nino, &t.business, y, &summary("1000.50"))
        .await
        .unwrap();

    let sa = app.client.sa_test_support();
    let checkpoint = sa.create_checkpoint(&t.token, &t.nino).await.unwrap();
    property
        .put_foreign_cumulative(&t.token, &t.nino, &t.business, y, &summary("2000.00"))
        .await
        .unwrap();
    assert_eq!(
        sa.checkpoints(&t.token, Some(&t.nino)).await.unwrap()[0].checkpoint_id,
        checkpoint
    );
    sa.restore_checkpoint(&t.token, &checkpoint).await.unwrap();
    let back = property
        .foreign_cumulative(&t.token, &t.nino, &t.business, y)
        .await
        .unwrap();
    assert_eq!(back.foreign_property, summary("1000.50").foreign_property);
    sa.delete_checkpoint(&t.token, &checkpoint).await.unwrap();
    sa.delete_vendor_state(&t.token, Some(&t.nino))
        .await
        .unwrap();
    let gone = property
        .foreign_cumulative(&t.token, &t.nino, &t.business, y)
        .await
        .unwrap_err();
    assert_eq!(gone.status(), Some(404));
}

#[tokio::test]
async fn annual_submissions() {
    let app = spawn_app().await;
    let ts = app.client.test_support();
    ts.set_clock("2026-07-08T09:00:00Z").await.unwrap();
    let t = taxpayer(
        &app,
        json!({ "typeOfBusiness": "foreign-property", "commencementDate": "2018-05-01" }),
    )
    .await;
    use reqwest::Method;
    let annual = |year: &str| {
        format!(
            "/individuals/business/property/foreign/{}/{}/annual/{year}",
            t.nino, t.business
        )
    };
    if mtd_testkit::oas::root().is_some() {
        let dir = "property-business-api/6.0/examples/foreign_property_annual_submission_create_and_amend";
        for (def, year, file) in [
            ("def2", "2025-26", "all_other_allowances_request.json"),
            ("def2", "2025-26", "property_allowance_request.json"),
            ("def1", "2024-25", "all_other_allowances_request.json"),
            ("def1", "2024-25", "property_allowance_request.json"),
        ] {
            let body = mtd_testkit::oas::json(&format!("{dir}/{def}/{file}")).unwrap();
            let put = send(&app, &t, Method::PUT, &annual(year), Some(body.clone())).await;
            assert_eq!(put.status(), 200, "{file}: {}", put.text().await.unwrap());
            let mut got: Value = send(&app, &t, Method::GET, &annual(year), None)
                .await
                .json()
                .await
                .unwrap();
            got.as_object_mut().unwrap().remove("submittedOn");
            assert_eq!(got, body, "{file}");
        }
    }
    let before = app.fingerprint();
    let entry = |allowances: Value| json!({ "foreignProperty": [ { "countryCode": "FRA", "allowances": allowances } ] });
    for (body, code) in [
        (
            entry(json!({ "propertyIncomeAllowance": 100, "otherCapitalAllowance": 1 })),
            "RULE_BOTH_ALLOWANCES_SUPPLIED",
        ),
        (
            json!({ "foreignProperty": [ { "countryCode": "FRA", "adjustments": { "privateUseAdjustment": 1 }, "allowances": { "propertyIncomeAllowance": 100 } } ] }),
            "RULE_PROPERTY_INCOME_ALLOWANCE",
        ),
        (
            json!({ "foreignProperty": [ { "countryCode": "ZZZ", "allowances": { "otherCapitalAllowance": 1 } } ] }),
            "RULE_COUNTRY_CODE",
        ),
        (
            entry(
                json!({ "structuredBuildingAllowance": [ { "amount": 1, "building": { "postcode": "75001" } } ] }),
            ),
            "RULE_BUILDING_NAME_NUMBER",
        ),
    ] {
        expect_error(
            send(&app, &t, Method::PUT, &annual("2025-26"), Some(body)).await,
            400,
            code,
        )
        .await;
        assert_eq!(app.fingerprint(), before, "{code} changed nothing");
    }
    let stranger = json!({ "foreignProperty": [ { "propertyId": "8e8b8450-dc1b-4360-8109-7067337b42cb", "allowances": { "otherCapitalAllowance": 1 } } ] });
    expect_error(
        send(&app, &t, Method::PUT, &annual("2026-27"), Some(stranger)).await,
        400,
        "RULE_PROPERTY_ID_MISMATCH",
    )
    .await;
}

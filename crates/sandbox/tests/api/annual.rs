//! Self-employment annual submissions: HMRC's examples accepted and read back (each checked
//! against its year's schema), every rule refused with HMRC's code, nothing changed by a refusal.

use serde_json::{Value, json};

use crate::helpers::{Taxpayer, TestApp, expect_error, spawn_app, taxpayer};

const ACCEPT: &str = "application/vnd.hmrc.5.0+json";

async fn send(
    app: &TestApp,
    t: &Taxpayer,
    method: reqwest::Method,
    year: &str,
    body: Option<&Value>,
) -> reqwest::Response {
    let url = app.url(&format!(
        "/individuals/business/self-employment/{}/{}/annual/{year}",
        t.nino, t.business
    ));
    let mut r = app
        .raw
        .request(method, url)
        .header("Accept", ACCEPT)
        .bearer_auth(t.token.secret());
    if let Some(b) = body {
        r = r.json(b);
    }
    r.send().await.unwrap()
}

#[tokio::test]
async fn annual_submissions() {
    let app = spawn_app().await;
    app.client
        .test_support()
        .set_clock("2025-06-01T09:00:00Z")
        .await
        .unwrap();
    let t = taxpayer(
        &app,
        json!({ "typeOfBusiness": "self-employment", "tradingName": "Ferris Joinery", "commencementDate": "2019-01-01",
                "businessAddressLineOne": "1 Crab Lane", "businessAddressPostcode": "TS1 1PA", "businessAddressCountryCode": "GB" }),
    )
    .await;
    use reqwest::Method;
    if let Some(root) = mtd_testkit::oas::root() {
        for (def, year) in [
            ("def1", "2023-24"),
            ("def2", "2024-25"),
            ("def3", "2025-26"),
            ("def4", "2026-27"),
        ] {
            let dir = root.join(format!(
                "self-employment-business-api/5.0/examples/createAmendAnnualSubmission/{def}"
            ));
            for file in std::fs::read_dir(dir).unwrap() {
                let name = file.unwrap().file_name().to_string_lossy().into_owned();
                let body = mtd_testkit::oas::json(&format!("self-employment-business-api/5.0/examples/createAmendAnnualSubmission/{def}/{name}")).unwrap();
                let put = send(&app, &t, Method::PUT, year, Some(&body)).await;
                assert_eq!(
                    put.status(),
                    204,
                    "{def}/{name}: {}",
                    put.text().await.unwrap()
                );
                let got: Value = send(&app, &t, Method::GET, year, None)
                    .await
                    .json()
                    .await
                    .unwrap();
                assert_eq!(got, body, "{def}/{name} read back");
            }
        }
    }
    let good = json!({ "allowances": { "annualInvestmentAllowance": 1200.50 }, "nonFinancials": { "businessDetailsChangedRecently": false } });
    assert_eq!(
        send(&app, &t, Method::PUT, "2025-26", Some(&good))
            .await
            .status(),
        204
    );

    let before = app.fingerprint();
    let building = |b: Value| json!({ "allowances": { "structuredBuildingAllowance": [ { "amount": 10, "building": b } ] } });
    let refused = [
        (
            json!({ "allowances": { "tradingIncomeAllowance": 1000, "annualInvestmentAllowance": 5 } }),
            "RULE_BOTH_ALLOWANCES_SUPPLIED",
        ),
        (
            json!({ "allowances": { "tradingIncomeAllowance": 1000.01 } }),
            "FORMAT_VALUE",
        ),
        (
            json!({ "adjustments": { "transitionProfitAccelerationAmount": 5 } }),
            "RULE_WRONG_TPA_AMOUNT_SUBMITTED",
        ),
        (
            json!({ "adjustments": { "overlapReliefUsed": 5 } }),
            "RULE_OVERLAP_RELIEF_USED_NOT_ALLOWED",
        ),
        (
            building(json!({ "postcode": "TF3 4NT" })),
            "RULE_BUILDING_NAME_NUMBER",
        ),
        (
            building(json!({ "name": "Plaza #2", "postcode": "TF3 4NT" })),
            "FORMAT_STRING",
        ),
        (
            json!({ "allowances": { "structuredBuildingAllowance": [ { "amount": 1, "firstYear": { "qualifyingDate": "2021-13-01", "qualifyingAmountExpenditure": 1 }, "building": { "number": "2", "postcode": "TF3 4NT" } } ] } }),
            "FORMAT_DATE",
        ),
        (
            json!({ "nonFinancials": { "businessDetailsChangedRecently": true, "class4NicsExemptionReason": "retired" } }),
            "FORMAT_CLASS_4_EXEMPTION_REASON",
        ),
        (
            json!({ "nonFinancials": { "class4NicsExemptionReason": "diver" } }),
            "RULE_INCORRECT_OR_EMPTY_BODY_SUBMITTED",
        ),
        (json!({}), "RULE_INCORRECT_OR_EMPTY_BODY_SUBMITTED"),
    ];
    for (body, code) in refused {
        let resp = send(&app, &t, Method::PUT, "2025-26", Some(&body)).await;
        expect_error(resp, 400, code).await;
        assert_eq!(app.fingerprint(), before, "{code} changed nothing");
    }
    expect_error(
        send(&app, &t, Method::PUT, "2016-17", Some(&good)).await,
        400,
        "RULE_TAX_YEAR_NOT_SUPPORTED",
    )
    .await;
    // Each year takes its own definition's fields.
    let charge_point = json!({ "allowances": { "electricChargePointAllowance": 10 } });
    assert_eq!(
        send(&app, &t, Method::PUT, "2024-25", Some(&charge_point))
            .await
            .status(),
        204
    );
    expect_error(
        send(&app, &t, Method::PUT, "2025-26", Some(&charge_point)).await,
        400,
        "RULE_ALLOWANCE_NOT_SUPPORTED",
    )
    .await;
    let overlap = json!({ "adjustments": { "overlapReliefUsed": 10 } });
    assert_eq!(
        send(&app, &t, Method::PUT, "2023-24", Some(&overlap))
            .await
            .status(),
        204
    );
    expect_error(
        send(&app, &t, Method::GET, "2027-28", None).await,
        404,
        "MATCHING_RESOURCE_NOT_FOUND",
    )
    .await;

    // Deleted, then gone; past the amendment window nothing can change.
    assert_eq!(
        send(&app, &t, Method::DELETE, "2025-26", None)
            .await
            .status(),
        204
    );
    expect_error(
        send(&app, &t, Method::GET, "2025-26", None).await,
        404,
        "MATCHING_RESOURCE_NOT_FOUND",
    )
    .await;
    expect_error(
        send(&app, &t, Method::DELETE, "2025-26", None).await,
        404,
        "MATCHING_RESOURCE_NOT_FOUND",
    )
    .await;
    app.client
        .test_support()
        .set_clock("2028-02-01T09:00:00Z")
        .await
        .unwrap();
    let mut t = t;
    t.refresh(&app).await;
    expect_error(
        send(&app, &t, Method::PUT, "2025-26", Some(&good)).await,
        400,
        "RULE_OUTSIDE_AMENDMENT_WINDOW",
    )
    .await;
}

#[tokio::test]
async fn uk_property_annual_submissions() {
    let app = spawn_app().await;
    app.client
        .test_support()
        .set_clock("2026-06-01T09:00:00Z")
        .await
        .unwrap();
    let landlord = taxpayer(
        &app,
        json!({ "typeOfBusiness": "uk-property", "commencementDate": "2015-06-01" }),
    )
    .await;
    let url = |t: &Taxpayer, kind: &str| {
        app.url(&format!(
            "/individuals/business/property/{kind}{}/{}/annual/2025-26",
            t.nino, t.business
        ))
    };
    let send = |method: reqwest::Method, url: String, body: Option<Value>, t: &Taxpayer| {
        let mut r = app
            .raw
            .request(method, url)
            .header("Accept", "application/vnd.hmrc.6.0+json")
            .bearer_auth(t.token.secret());
        if let Some(b) = body {
            r = r.json(&b);
        }
        r.send()
    };
    use reqwest::Method;
    if mtd_testkit::oas::root().is_some() {
        for (def, file) in [
            ("def2", "all_other_allowances_request.json"),
            ("def2", "property_allowance_request.json"),
            ("def1", "all_other_allowances_request.json"),
            ("def1", "property_allowance_request.json"),
        ] {
            let body = mtd_testkit::oas::json(&format!(
                "property-business-api/6.0/examples/uk_property_annual_submission_create_and_amend/{def}/{file}"
            ))
            .unwrap();
            let year = if def == "def1" { "2024-25" } else { "2025-26" };
            let year_url = |t: &Taxpayer| url(t, "uk/").replace("2025-26", year);
            let put = send(
                Method::PUT,
                year_url(&landlord),
                Some(body.clone()),
                &landlord,
            )
            .await
            .unwrap();
            assert_eq!(put.status(), 200, "{file}");
            assert!(
                put.text().await.unwrap().is_empty(),
                "HMRC answers 200 with no body"
            );
            let mut got: Value = send(Method::GET, year_url(&landlord), None, &landlord)
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert!(got["submittedOn"].is_string());
            got.as_object_mut().unwrap().remove("submittedOn");
            assert_eq!(got, body, "{file} read back");
        }
    }
    let before = app.fingerprint();
    let refused = [
        (
            json!({ "ukProperty": { "allowances": { "propertyIncomeAllowance": 100, "otherCapitalAllowance": 5 } } }),
            "RULE_BOTH_ALLOWANCES_SUPPLIED",
        ),
        (
            json!({ "ukProperty": { "adjustments": { "privateUseAdjustment": 5, "nonResidentLandlord": false }, "allowances": { "propertyIncomeAllowance": 100 } } }),
            "RULE_PROPERTY_INCOME_ALLOWANCE",
        ),
        (
            json!({ "ukProperty": { "adjustments": { "balancingCharge": 5 } } }),
            "RULE_INCORRECT_OR_EMPTY_BODY_SUBMITTED",
        ),
        (
            json!({ "ukProperty": { "allowances": { "structuredBuildingAllowance": [ { "amount": 1, "building": { "postcode": "TF3 4NT" } } ] } } }),
            "RULE_BUILDING_NAME_NUMBER",
        ),
        (
            json!({ "ukProperty": { "allowances": { "costOfReplacingDomesticItems": -1 } } }),
            "FORMAT_VALUE",
        ),
    ];
    for (body, code) in refused {
        let resp = send(Method::PUT, url(&landlord, "uk/"), Some(body), &landlord)
            .await
            .unwrap();
        expect_error(resp, 400, code).await;
        assert_eq!(app.fingerprint(), before, "{code} changed nothing");
    }
    // A self-employment's ID is the wrong type of business for UK property.
    let trader = taxpayer(
        &app,
        json!({ "typeOfBusiness": "self-employment", "tradingName": "T", "businessAddressLineOne": "1 A St",
                "businessAddressPostcode": "TS1 1PA", "businessAddressCountryCode": "GB" }),
    )
    .await;
    let resp = send(Method::GET, url(&trader, "uk/"), None, &trader)
        .await
        .unwrap();
    expect_error(resp, 400, "RULE_TYPE_OF_BUSINESS_INCORRECT").await;
    // Deleted through the path shared by UK and foreign property.
    assert_eq!(
        send(Method::DELETE, url(&landlord, ""), None, &landlord)
            .await
            .unwrap()
            .status(),
        204
    );
    let gone = send(Method::GET, url(&landlord, "uk/"), None, &landlord)
        .await
        .unwrap();
    expect_error(gone, 404, "MATCHING_RESOURCE_NOT_FOUND").await;
}

/// The SDK's typed annual submissions, and Business Details' periods of account and accounting
/// type, round-trip through the local HMRC.
#[tokio::test]
async fn typed_sdk_calls() {
    use mtd_client::api::annual::{
        Amounts, Building, BuildingAllowance, NonFinancials, SeAllowances, SelfEmploymentAnnual,
        UkAdjustments, UkProperty, UkPropertyAnnual,
    };
    use mtd_client::api::business_details::{AccountPeriod, AccountingType, PeriodsOfAccount};
    use mtd_domain::{Money, TaxYear};
    let app = spawn_app().await;
    app.client
        .test_support()
        .set_clock("2026-06-01T09:00:00Z")
        .await
        .unwrap();
    let trader = taxpayer(
        &app,
        json!({ "typeOfBusiness": "self-employment", "tradingName": "Typed", "commencementDate": "2019-01-01",
                "businessAddressLineOne": "1 A St", "businessAddressPostcode": "TS1 1PA", "businessAddressCountryCode": "GB" }),
    )
    .await;
    let y = TaxYear::parse("2025-26").unwrap();
    let m = |s: &str| Money::parse(s).unwrap();
    let se = SelfEmploymentAnnual {
        adjustments: Some(Amounts::from([(
            "basisAdjustment".to_owned(),
            m("-120.50"),
        )])),
        allowances: Some(SeAllowances {
            amounts: Amounts::from([("annualInvestmentAllowance".to_owned(), m("3000"))]),
            structured_building_allowance: Some(vec![BuildingAllowance {
                amount: m("250.25"),
                first_year: None,
                building: Building {
                    name: Some("Mill".into()),
                    number: None,
                    postcode: "TS1 1PA".into(),
                },
            }]),
            enhanced_structured_building_allowance: None,
        }),
        non_financials: Some(NonFinancials {
            business_details_changed_recently: false,
            class4_nics_exemption_reason: None,
        }),
    };
    let annual = app.client.annual();
    annual
        .put_self_employment(&trader.token, &trader.nino, &trader.business, y, &se)
        .await
        .unwrap();
    assert_eq!(
        annual
            .self_employment(&trader.token, &trader.nino, &trader.business, y)
            .await
            .unwrap(),
        se
    );
    annual
        .delete_self_employment(&trader.token, &trader.nino, &trader.business, y)
        .await
        .unwrap();

    let details = app.client.business_details();
    details
        .set_accounting_type(
            &trader.token,
            &trader.nino,
            &trader.business,
            y,
            AccountingType::Accrual,
        )
        .await
        .unwrap();
    assert_eq!(
        details
            .accounting_type(&trader.token, &trader.nino, &trader.business, y)
            .await
            .unwrap(),
        AccountingType::Accrual
    );
    let periods = PeriodsOfAccount {
        submitted_on: None,
        periods_of_account: true,
        periods_of_account_dates: Some(vec![AccountPeriod {
            start_date: "2025-04-06".parse().unwrap(),
            end_date: "2026-04-05".parse().unwrap(),
        }]),
    };
    details
        .set_periods_of_account(&trader.token, &trader.nino, &trader.business, y, &periods)
        .await
        .unwrap();
    let read = details
        .periods_of_account(&trader.token, &trader.nino, &trader.business, y)
        .await
        .unwrap();
    assert_eq!(
        read.periods_of_account_dates,
        periods.periods_of_account_dates
    );
    let rule = details
        .late_accounting_date_rule(&trader.token, &trader.nino, &trader.business, y)
        .await
        .unwrap();
    assert!(!rule.disapply && !rule.eligible);

    let landlord = taxpayer(&app, json!({ "typeOfBusiness": "uk-property" })).await;
    let uk = UkPropertyAnnual {
        submitted_on: None,
        uk_property: UkProperty {
            adjustments: Some(UkAdjustments {
                amounts: Amounts::from([("balancingCharge".to_owned(), m("10"))]),
                non_resident_landlord: false,
                rent_a_room: None,
            }),
            allowances: Some(SeAllowances {
                amounts: Amounts::from([("propertyIncomeAllowance".to_owned(), m("1000"))]),
                ..Default::default()
            }),
        },
    };
    annual
        .put_uk_property(&landlord.token, &landlord.nino, &landlord.business, y, &uk)
        .await
        .unwrap();
    let back = annual
        .uk_property(&landlord.token, &landlord.nino, &landlord.business, y)
        .await
        .unwrap();
    assert_eq!(back.uk_property, uk.uk_property);
    assert!(back.submitted_on.is_some());
    annual
        .delete_property(&landlord.token, &landlord.nino, &landlord.business, y)
        .await
        .unwrap();
}

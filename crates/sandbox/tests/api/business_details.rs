//! Business Details 2.0 beyond listing: quarterly period type, accounting type and periods of
//! account, each rule judged on state and the sandbox clock, each refusal changing nothing.

use serde_json::{Value, json};

use crate::helpers::{Taxpayer, TestApp, expect_error, spawn_app, taxpayer};

const ACCEPT: &str = "application/vnd.hmrc.2.0+json";

async fn send(
    app: &TestApp,
    t: &Taxpayer,
    method: reqwest::Method,
    tail: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let url = app.url(&format!(
        "/individuals/business/details/{}/{}/{tail}",
        t.nino, t.business
    ));
    let mut r = app
        .raw
        .request(method, url)
        .header("Accept", ACCEPT)
        .bearer_auth(t.token.secret());
    if let Some(b) = body {
        r = r.json(&b);
    }
    r.send().await.unwrap()
}

fn trader() -> Value {
    json!({ "typeOfBusiness": "self-employment", "tradingName": "Ferris Joinery", "commencementDate": "2019-01-01",
            "cessationDate": "2026-01-31",
            "businessAddressLineOne": "1 Crab Lane", "businessAddressPostcode": "TS1 1PA", "businessAddressCountryCode": "GB" })
}

#[tokio::test]
async fn accounting_type_and_periods_of_account() {
    let app = spawn_app().await;
    app.client
        .test_support()
        .set_clock("2025-07-08T09:00:00Z")
        .await
        .unwrap();
    let t = taxpayer(&app, trader()).await;
    use reqwest::Method;
    // Cash basis unless elected; an election is read back.
    let read = send(&app, &t, Method::GET, "2025-26/accounting-type", None).await;
    assert_eq!(
        read.json::<Value>().await.unwrap()["accountingType"],
        "CASH"
    );
    let put = send(
        &app,
        &t,
        Method::PUT,
        "2025-26/accounting-type",
        Some(json!({ "accountingType": "ACCRUAL" })),
    )
    .await;
    assert_eq!(put.status(), 204);
    let read = send(&app, &t, Method::GET, "2025-26/accounting-type", None).await;
    assert_eq!(
        read.json::<Value>().await.unwrap()["accountingType"],
        "ACCRUAL"
    );

    let before = app.fingerprint();
    let refused = [
        (
            "2025-26/accounting-type",
            json!({ "accountingType": "ACCRUALS" }),
            400,
            "RULE_INCORRECT_OR_EMPTY_BODY_SUBMITTED",
        ),
        (
            "2023-24/accounting-type",
            json!({ "accountingType": "CASH" }),
            400,
            "RULE_TAX_YEAR_NOT_SUPPORTED",
        ),
        (
            "2025-27/accounting-type",
            json!({ "accountingType": "CASH" }),
            400,
            "RULE_TAX_YEAR_RANGE_INVALID",
        ),
        (
            "2025-26/periods-of-account",
            json!({ "periodsOfAccount": true }),
            400,
            "RULE_PERIODS_OF_ACCOUNT",
        ),
        (
            "2025-26/periods-of-account",
            json!({ "periodsOfAccount": false, "periodsOfAccountDates": [] }),
            400,
            "RULE_PERIODS_OF_ACCOUNT",
        ),
        (
            "2025-26/periods-of-account",
            json!({ "periodsOfAccount": true, "periodsOfAccountDates": [
            { "startDate": "2025-04-06", "endDate": "2025-09-30" }, { "startDate": "2025-09-01", "endDate": "2026-01-31" } ] }),
            400,
            "RULE_PERIODS_OVERLAP",
        ),
        (
            "2025-26/periods-of-account",
            json!({ "periodsOfAccount": true, "periodsOfAccountDates": [
            { "startDate": "2024-04-06", "endDate": "2025-01-31" } ] }),
            400,
            "RULE_END_DATE",
        ),
        (
            "2025-26/periods-of-account",
            json!({ "periodsOfAccount": true, "periodsOfAccountDates": [
            { "startDate": "2026-05-01", "endDate": "2026-06-30" } ] }),
            400,
            "INVALID_REQUEST",
        ),
        (
            "2025-26/periods-of-account",
            json!({ "periodsOfAccount": true, "periodsOfAccountDates": [
            { "startDate": "2025-04-06", "endDate": "2026-03-31" } ] }),
            400,
            "RULE_CESSATION_DATE",
        ),
        (
            "2025-26/periods-of-account",
            json!({ "periodsOfAccount": true, "periodsOfAccountDates": [
            { "startDate": "2025-10-01", "endDate": "2025-09-30" } ] }),
            400,
            "RULE_END_DATE_BEFORE_START_DATE",
        ),
        (
            "2025-26/periods-of-account",
            json!({ "periodsOfAccount": true, "periodsOfAccountDates": [
            { "startDate": "1 April", "endDate": "2025-09-30" } ] }),
            400,
            "FORMAT_START_DATE",
        ),
        (
            "2023-24/periods-of-account",
            json!({ "periodsOfAccount": false }),
            400,
            "RULE_TAX_YEAR_NOT_SUPPORTED",
        ),
    ];
    for (tail, body, status, code) in refused {
        let resp = send(&app, &t, Method::PUT, tail, Some(body)).await;
        expect_error(resp, status, code).await;
        assert_eq!(app.fingerprint(), before, "{code} changed nothing");
    }
    let none = send(&app, &t, Method::GET, "2025-26/periods-of-account", None).await;
    expect_error(none, 404, "MATCHING_RESOURCE_NOT_FOUND").await;
    let dates = json!({ "periodsOfAccount": true, "periodsOfAccountDates": [ { "startDate": "2025-04-06", "endDate": "2026-01-31" } ] });
    let put = send(
        &app,
        &t,
        Method::PUT,
        "2025-26/periods-of-account",
        Some(dates),
    )
    .await;
    assert_eq!(put.status(), 204);
    let read: Value = send(&app, &t, Method::GET, "2025-26/periods-of-account", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(read["periodsOfAccountDates"][0]["endDate"], "2026-01-31");
    assert!(
        read["submittedOn"]
            .as_str()
            .unwrap()
            .starts_with("2025-07-08T")
    );

    // A property business has no periods of account.
    let landlord = taxpayer(&app, json!({ "typeOfBusiness": "uk-property" })).await;
    let resp = send(
        &app,
        &landlord,
        Method::GET,
        "2025-26/periods-of-account",
        None,
    )
    .await;
    expect_error(resp, 404, "MATCHING_RESOURCE_NOT_FOUND").await;
}

#[tokio::test]
async fn quarterly_period_type_rules() {
    let app = spawn_app().await;
    let ts = app.client.test_support();
    ts.set_clock("2025-07-08T09:00:00Z").await.unwrap();
    let t = taxpayer(&app, trader()).await;
    use reqwest::Method;
    let calendar = json!({ "quarterlyPeriodType": "calendar" });
    let put = send(&app, &t, Method::PUT, "2025-26", Some(calendar.clone())).await;
    assert_eq!(put.status(), 204);
    let retrieved: Value = app
        .raw
        .get(app.url(&format!(
            "/individuals/business/details/{}/{}",
            t.nino, t.business
        )))
        .header("Accept", ACCEPT)
        .bearer_auth(t.token.secret())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        retrieved["quarterlyTypeChoice"]["quarterlyPeriodType"],
        "calendar"
    );

    let before = app.fingerprint();
    let wrong_year = send(&app, &t, Method::PUT, "2026-27", Some(calendar.clone())).await;
    expect_error(wrong_year, 422, "RULE_REQUEST_CANNOT_BE_FULFILLED").await;
    let bad_body = send(
        &app,
        &t,
        Method::PUT,
        "2025-26",
        Some(json!({ "quarterlyPeriodType": "monthly" })),
    )
    .await;
    expect_error(bad_body, 400, "RULE_INCORRECT_OR_EMPTY_BODY_SUBMITTED").await;
    let unknown = app
        .raw
        .put(app.url(&format!(
            "/individuals/business/details/{}/XAIS00000000001/2025-26",
            t.nino
        )))
        .header("Accept", ACCEPT)
        .bearer_auth(t.token.secret())
        .json(&calendar)
        .send()
        .await
        .unwrap();
    expect_error(unknown, 404, "RULE_BUSINESS_ID_NOT_FOUND").await;
    assert_eq!(app.fingerprint(), before);

    // Once the year has an update, the period type stays.
    let update = json!({ "periodDates": { "periodStartDate": "2025-04-01", "periodEndDate": "2025-06-30" },
                         "periodIncome": { "turnover": 100 } });
    let sent = app
        .raw
        .put(app.url(&format!(
            "/individuals/business/self-employment/{}/{}/cumulative/2025-26",
            t.nino, t.business
        )))
        .header("Accept", "application/vnd.hmrc.5.0+json")
        .bearer_auth(t.token.secret())
        .json(&update)
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 204);
    let before = app.fingerprint();
    let conflict = send(
        &app,
        &t,
        Method::PUT,
        "2025-26",
        Some(json!({ "quarterlyPeriodType": "standard" })),
    )
    .await;
    expect_error(conflict, 400, "RULE_BUSINESS_ID_STATE_CONFLICT").await;
    assert_eq!(app.fingerprint(), before);
}

#[tokio::test]
async fn late_accounting_date_rule() {
    let app = spawn_app().await;
    let ts = app.client.test_support();
    ts.set_clock("2025-07-08T09:00:00Z").await.unwrap();
    let mut t = taxpayer(
        &app,
        json!({ "typeOfBusiness": "self-employment", "tradingName": "Late Books", "commencementDate": "2019-01-01",
                "businessAddressLineOne": "1 Crab Lane", "businessAddressPostcode": "TS1 1PA", "businessAddressCountryCode": "GB" }),
    )
    .await;
    use reqwest::Method;
    let rule = "2025-26/late-accounting-date-rule-election";
    let read = |t: &Taxpayer| {
        let app = &app;
        let url = app.url(&format!(
            "/individuals/business/details/{}/{}/{rule}",
            t.nino, t.business
        ));
        let token = t.token.clone();
        async move {
            app.raw
                .get(url)
                .header("Accept", ACCEPT)
                .bearer_auth(token.secret())
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    assert_eq!(
        read(&t).await,
        json!({ "disapply": false, "eligible": false })
    );
    // An accounting date of 31 March makes the business eligible.
    let dates = json!({ "periodsOfAccount": true, "periodsOfAccountDates": [ { "startDate": "2025-04-01", "endDate": "2026-03-31" } ] });
    assert_eq!(
        send(
            &app,
            &t,
            Method::PUT,
            "2025-26/periods-of-account",
            Some(dates)
        )
        .await
        .status(),
        204
    );
    assert_eq!(read(&t).await["eligible"], true);

    let before = app.fingerprint();
    let early = send(&app, &t, Method::POST, &format!("{rule}/disapply"), None).await;
    expect_error(early, 400, "RULE_TAX_YEAR_NOT_ENDED").await;
    let old = send(
        &app,
        &t,
        Method::POST,
        "2023-24/late-accounting-date-rule-election/disapply",
        None,
    )
    .await;
    expect_error(old, 400, "RULE_TAX_YEAR_NOT_SUPPORTED").await;
    assert_eq!(app.fingerprint(), before);

    ts.set_clock("2026-05-01T09:00:00Z").await.unwrap();
    t.refresh(&app).await;
    assert_eq!(
        send(&app, &t, Method::POST, &format!("{rule}/disapply"), None)
            .await
            .status(),
        204
    );
    let elected = read(&t).await;
    assert_eq!(
        (
            elected["disapply"].clone(),
            elected["taxYearElectionExpires"].clone()
        ),
        (json!(true), json!("2029-30"))
    );
    let again = send(&app, &t, Method::POST, &format!("{rule}/disapply"), None).await;
    expect_error(again, 422, "RULE_ELECTION_PERIOD_NOT_EXPIRED").await;
    let none = send(
        &app,
        &t,
        Method::POST,
        "2024-25/late-accounting-date-rule-election/disapply",
        None,
    )
    .await;
    expect_error(none, 422, "RULE_NO_ACCOUNTING_DATE_FOUND").await;
    assert_eq!(
        send(&app, &t, Method::DELETE, &format!("{rule}/withdraw"), None)
            .await
            .status(),
        204
    );
    assert_eq!(read(&t).await["disapply"], false);
    let twice = send(&app, &t, Method::DELETE, &format!("{rule}/withdraw"), None).await;
    expect_error(twice, 404, "MATCHING_RESOURCE_NOT_FOUND").await;

    let mut landlord = taxpayer(&app, json!({ "typeOfBusiness": "uk-property" })).await;
    landlord.refresh(&app).await;
    let wrong = send(
        &app,
        &landlord,
        Method::POST,
        &format!("{rule}/disapply"),
        None,
    )
    .await;
    expect_error(wrong, 422, "RULE_TYPE_OF_BUSINESS_INCORRECT").await;
}

//! A 2025-26 year on the sandbox clock: a sole trader on standard quarters and a landlord on
//! calendar quarters each send four cumulative updates, and their obligations turn fulfilled one
//! by one; the rules about dates, money and bodies are judged on that state.

use chrono::NaiveDate;
use mtd_client::api::obligations::{Filter, Status};
use mtd_client::api::property_business::{self, UkCumulativeSummary, UkProperty};
use mtd_client::api::self_employment::{CumulativeSummary, Expenses, Income, PeriodDates};
use mtd_domain::{Money, TaxYear};
use serde_json::json;

use crate::helpers::{Taxpayer, TestApp, expect_error, spawn_app, taxpayer};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn m(s: &str) -> Option<Money> {
    Some(Money::parse(s).unwrap())
}

fn se_update(start: &str, end: &str, turnover: &str, costs: &str) -> CumulativeSummary {
    CumulativeSummary {
        period_dates: Some(PeriodDates {
            period_start_date: d(start),
            period_end_date: d(end),
        }),
        period_income: Some(Income {
            turnover: m(turnover),
            other: m("0"),
            ..Default::default()
        }),
        period_expenses: Some(Expenses {
            cost_of_goods: m(costs),
            admin_costs: m("12.50"),
            ..Default::default()
        }),
        period_disallowable_expenses: None,
    }
}

fn uk_update(from: &str, to: &str, rent: &str) -> UkCumulativeSummary {
    UkCumulativeSummary {
        submitted_on: None,
        from_date: Some(d(from)),
        to_date: Some(d(to)),
        uk_property: UkProperty {
            income: Some(property_business::Income {
                period_amount: m(rent),
                ..Default::default()
            }),
            expenses: Some(property_business::Expenses {
                consolidated_expenses: m("300.00"),
                ..Default::default()
            }),
        },
    }
}

/// The 2025-26 quarterly obligations: end date, status, received date.
async fn statuses(app: &TestApp, t: &Taxpayer) -> Vec<(String, Status, Option<NaiveDate>)> {
    let year = Filter {
        from_to: Some((d("2025-04-06"), d("2026-04-05"))),
        ..Default::default()
    };
    let found = app
        .client
        .obligations()
        .quarterly(&t.token, &t.nino, &year)
        .await
        .unwrap();
    found.obligations[0]
        .obligation_details
        .iter()
        .map(|o| (o.period_end_date.to_string(), o.status, o.received_date))
        .collect()
}

#[tokio::test]
async fn a_year_of_cumulative_updates_fulfils_the_obligations() {
    let app = spawn_app().await;
    let ts = app.client.test_support();
    ts.set_clock("2025-04-10T09:00:00Z").await.unwrap();
    let y = TaxYear::parse("2025-26").unwrap();
    let mut trader = taxpayer(
        &app,
        json!({
            "typeOfBusiness": "self-employment", "tradingName": "Ferris Joinery",
            "commencementDate": "2019-01-01", "accountingType": "CASH",
            "quarterlyTypeChoice": { "quarterlyPeriodType": "standard", "taxYearOfChoice": "2025-26" },
            "businessAddressLineOne": "1 Crab Lane", "businessAddressPostcode": "TS1 1PA", "businessAddressCountryCode": "GB"
        }),
    )
    .await;
    let mut landlord = taxpayer(
        &app,
        json!({
            "typeOfBusiness": "uk-property", "commencementDate": "2015-06-01",
            "quarterlyTypeChoice": { "quarterlyPeriodType": "calendar", "taxYearOfChoice": "2025-26" }
        }),
    )
    .await;

    let open = |ends: &[&str]| -> Vec<(String, Status, Option<NaiveDate>)> {
        ends.iter()
            .map(|e| (e.to_string(), Status::Open, None))
            .collect()
    };
    let se_ends = ["2025-07-05", "2025-10-05", "2026-01-05", "2026-04-05"];
    let uk_ends = ["2025-06-30", "2025-09-30", "2025-12-31", "2026-03-31"];
    assert_eq!(statuses(&app, &trader).await, open(&se_ends));
    assert_eq!(statuses(&app, &landlord).await, open(&uk_ends));
    let found = app
        .client
        .obligations()
        .quarterly(&trader.token, &trader.nino, &Filter::default())
        .await
        .unwrap();
    let first = &found.obligations[0].obligation_details[0];
    assert_eq!(
        (first.period_start_date, first.due_date),
        (d("2025-04-06"), d("2025-08-05"))
    );

    // Too early: more than 10 days before the quarter ends. Nothing is stored.
    let se = app.client.self_employment();
    let before = app.fingerprint();
    let early = se
        .put_cumulative(
            &trader.token,
            &trader.nino,
            &trader.business,
            y,
            &se_update("2025-04-06", "2025-07-05", "100", "10"),
        )
        .await
        .unwrap_err();
    assert_eq!(
        early.hmrc_code(),
        Some("RULE_EARLY_DATA_SUBMISSION_NOT_ACCEPTED")
    );
    assert_eq!(app.fingerprint(), before);

    let turnover = ["5000.00", "11250.75", "17000.10", "24999.99"];
    let rent = ["2400.00", "4800.00", "7200.00", "9600.00"];
    for q in 0..4 {
        // The day after both quarters end.
        let day = d(se_ends[q]).max(d(uk_ends[q])) + chrono::Duration::days(1);
        ts.set_clock(&format!("{day}T10:00:00Z")).await.unwrap();
        trader.refresh(&app).await;
        landlord.refresh(&app).await;
        let update = se_update("2025-04-06", se_ends[q], turnover[q], "1000.01");
        se.put_cumulative(&trader.token, &trader.nino, &trader.business, y, &update)
            .await
            .unwrap();
        // A retry after a dropped connection changes nothing.
        let stored = app.fingerprint();
        se.put_cumulative(&trader.token, &trader.nino, &trader.business, y, &update)
            .await
            .unwrap();
        assert_eq!(
            app.fingerprint(),
            stored,
            "quarter {q}: a retried update is stored once"
        );
        app.client
            .property_business()
            .put_uk_cumulative(
                &landlord.token,
                &landlord.nino,
                &landlord.business,
                y,
                &uk_update("2025-04-01", uk_ends[q], rent[q]),
            )
            .await
            .unwrap();
        for (who, ends) in [(&trader, &se_ends), (&landlord, &uk_ends)] {
            let now = statuses(&app, who).await;
            for (i, (end, status, received)) in now.iter().enumerate() {
                assert_eq!(end, ends[i]);
                if i <= q {
                    assert_eq!(*status, Status::Fulfilled, "quarter {i} after update {q}");
                    assert!(received.is_some());
                } else {
                    assert_eq!(
                        (*status, *received),
                        (Status::Open, None),
                        "quarter {i} after update {q}"
                    );
                }
            }
        }
        // Fulfilled on the day its update arrived, and kept so.
        assert_eq!(statuses(&app, &trader).await[q].2, Some(day));
    }
    let latest = se
        .cumulative(&trader.token, &trader.nino, &trader.business, y)
        .await
        .unwrap();
    assert_eq!(latest.period_income.unwrap().turnover, m("24999.99"));
    let uk = app
        .client
        .property_business()
        .uk_cumulative(&landlord.token, &landlord.nino, &landlord.business, y)
        .await
        .unwrap();
    assert_eq!(uk.to_date, Some(d("2026-03-31")));
    assert!(uk.submitted_on.is_some());

    // The end date cannot move backwards, and the stored totals stay.
    let before = app.fingerprint();
    let back = se
        .put_cumulative(
            &trader.token,
            &trader.nino,
            &trader.business,
            y,
            &se_update("2025-04-06", "2025-10-05", "1", "1"),
        )
        .await
        .unwrap_err();
    assert_eq!(
        back.hmrc_code(),
        Some("RULE_SUBMISSION_END_DATE_CANNOT_MOVE_BACKWARDS")
    );
    assert_eq!(app.fingerprint(), before);
    // Nothing of 2025-26 is left open; 2026-27's quarters are, due on the 7th.
    let open_in = |from: &str, to: &str| Filter {
        from_to: Some((d(from), d(to))),
        status: Some(Status::Open),
        ..Default::default()
    };
    let obligations = app.client.obligations();
    let none = obligations
        .quarterly(
            &trader.token,
            &trader.nino,
            &open_in("2025-04-06", "2026-04-05"),
        )
        .await;
    assert_eq!(none.unwrap_err().hmrc_code(), Some("NO_OBLIGATIONS_FOUND"));
    let next = obligations
        .quarterly(
            &trader.token,
            &trader.nino,
            &open_in("2026-04-06", "2027-04-05"),
        )
        .await
        .unwrap();
    let due: Vec<String> = next.obligations[0]
        .obligation_details
        .iter()
        .map(|o| o.due_date.to_string())
        .collect();
    assert_eq!(
        due,
        ["2026-08-07", "2026-11-07", "2027-02-07", "2027-05-07"]
    );
    let finals = obligations
        .final_declaration(&trader.token, &trader.nino, Some(y))
        .await
        .unwrap();
    assert_eq!(finals.obligations[0].due_date, d("2027-01-31"));
}

#[tokio::test]
async fn bad_updates_get_hmrcs_errors_and_change_nothing() {
    let app = spawn_app().await;
    app.client
        .test_support()
        .set_clock("2025-07-08T09:00:00Z")
        .await
        .unwrap();
    let mut t = taxpayer(
        &app,
        json!({
            "typeOfBusiness": "self-employment", "tradingName": "Harbour Cafe", "commencementDate": "2020-05-01",
            "businessAddressLineOne": "2 Quay", "businessAddressPostcode": "TS1 1PA", "businessAddressCountryCode": "GB"
        }),
    )
    .await;
    let url = app.url(&format!(
        "/individuals/business/self-employment/{}/{}/cumulative/2025-26",
        t.nino, t.business
    ));
    let put = |body: serde_json::Value| {
        let (app, url, token) = (&app, url.clone(), t.token.clone());
        async move {
            app.raw
                .put(url)
                .header("Accept", "application/vnd.hmrc.5.0+json")
                .bearer_auth(token.secret())
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let dates = json!({ "periodStartDate": "2025-04-06", "periodEndDate": "2025-07-05" });
    let before = app.fingerprint();
    let cases = [
        (
            json!({ "periodDates": dates, "periodIncome": { "turnover": -1 } }),
            "FORMAT_VALUE",
            Some("/periodIncome/turnover"),
        ),
        (
            json!({ "periodDates": dates, "periodIncome": { "turnover": 10.001 } }),
            "FORMAT_VALUE",
            Some("/periodIncome/turnover"),
        ),
        (
            json!({ "periodDates": dates, "periodIncome": { "turnover": 100000000000.00 } }),
            "FORMAT_VALUE",
            Some("/periodIncome/turnover"),
        ),
        (
            json!({ "periodDates": dates, "periodIncome": { "turnover": 1, "tips": 2 } }),
            "RULE_INCORRECT_OR_EMPTY_BODY_SUBMITTED",
            Some("/periodIncome/tips"),
        ),
        (
            json!({ "periodIncome": { "turnover": 1 } }),
            "RULE_INCORRECT_OR_EMPTY_BODY_SUBMITTED",
            None,
        ),
        (json!({}), "RULE_INCORRECT_OR_EMPTY_BODY_SUBMITTED", None),
        (
            json!({ "periodDates": dates, "periodExpenses": { "consolidatedExpenses": 5, "adminCosts": 1 } }),
            "RULE_BOTH_EXPENSES_SUPPLIED",
            Some("/periodExpenses"),
        ),
        (
            json!({ "periodDates": { "periodStartDate": "2025-07-05", "periodEndDate": "2025-04-06" }, "periodIncome": { "turnover": 1 } }),
            "RULE_END_DATE_BEFORE_START_DATE",
            None,
        ),
        (
            json!({ "periodDates": { "periodStartDate": "06/04/2025", "periodEndDate": "2025-07-05" }, "periodIncome": { "turnover": 1 } }),
            "FORMAT_START_DATE",
            Some("/periodDates/periodStartDate"),
        ),
        (
            json!({ "periodDates": { "periodStartDate": "2025-04-01", "periodEndDate": "2025-07-05" }, "periodIncome": { "turnover": 1 } }),
            "RULE_START_DATE_NOT_ALIGNED_WITH_REPORTING_TYPE",
            None,
        ),
        (
            json!({ "periodDates": { "periodStartDate": "2025-04-06", "periodEndDate": "2025-06-30" }, "periodIncome": { "turnover": 1 } }),
            "RULE_END_DATE_NOT_ALIGNED_WITH_REPORTING_TYPE",
            None,
        ),
        (
            json!({ "periodDates": { "periodStartDate": "2025-04-06", "periodEndDate": "2025-07-20" }, "periodIncome": { "turnover": 1 } }),
            "RULE_ADVANCE_SUBMISSION_REQUIRES_PERIOD_END_DATE",
            None,
        ),
        (
            json!({ "periodIncome": { "turnover": 1 }, "periodExpenses": { "adminCosts": 1 } }),
            "RULE_MISSING_SUBMISSION_DATES",
            None,
        ),
    ];
    for (body, code, path) in cases {
        let resp = put(body.clone()).await;
        let err = expect_error(resp, 400, code).await;
        if let Some(p) = path {
            let text = err.to_string();
            assert!(text.contains(p), "{code}: {text}");
        }
        assert_eq!(app.fingerprint(), before, "{code} changed nothing");
    }
    // A business that is not this taxpayer's, and a year before cumulative updates.
    let other = app.url(&format!(
        "/individuals/business/self-employment/{}/XAIS00000000001/cumulative/2025-26",
        t.nino
    ));
    let resp = app
        .raw
        .put(other)
        .header("Accept", "application/vnd.hmrc.5.0+json")
        .bearer_auth(t.token.secret())
        .json(&json!({ "periodDates": dates, "periodIncome": { "turnover": 1 } }))
        .send()
        .await
        .unwrap();
    expect_error(resp, 404, "MATCHING_RESOURCE_NOT_FOUND").await;
    let old = app.url(&format!(
        "/individuals/business/self-employment/{}/{}/cumulative/2024-25",
        t.nino, t.business
    ));
    let resp = app
        .raw
        .put(old)
        .header("Accept", "application/vnd.hmrc.5.0+json")
        .bearer_auth(t.token.secret())
        .json(&json!({ "periodDates": dates, "periodIncome": { "turnover": 1 } }))
        .send()
        .await
        .unwrap();
    expect_error(resp, 400, "RULE_TAX_YEAR_NOT_SUPPORTED").await;
    // Named sandbox scenarios answer their error; an unknown one is refused.
    for (scenario, code) in [
        ("OUTSIDE_AMENDMENT_WINDOW", "RULE_OUTSIDE_AMENDMENT_WINDOW"),
        ("NO_SUCH_THING", "RULE_INCORRECT_GOV_TEST_SCENARIO"),
    ] {
        let resp = app
            .raw
            .put(&url)
            .header("Accept", "application/vnd.hmrc.5.0+json")
            .header("Gov-Test-Scenario", scenario)
            .bearer_auth(t.token.secret())
            .json(&json!({ "periodDates": dates, "periodIncome": { "turnover": 1 } }))
            .send()
            .await
            .unwrap();
        expect_error(resp, 400, code).await;
    }
    assert_eq!(app.fingerprint(), before);
    // The rule about time not having come yet, lifted as HMRC's sandbox lifts it.
    app.client
        .test_support()
        .set_clock("2025-05-01T09:00:00Z")
        .await
        .unwrap();
    t.refresh(&app).await;
    let resp = app
        .raw
        .put(&url)
        .header("Accept", "application/vnd.hmrc.5.0+json")
        .header("suspend-temporal-validations", "true")
        .bearer_auth(t.token.secret())
        .json(&json!({ "periodDates": dates, "periodIncome": { "turnover": 1 } }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
}

/// HMRC's vendor-state test support: checkpoints roll a taxpayer's test data back; deleting the
/// vendor's state removes what this application wrote, and nothing a sign-up made.
#[tokio::test]
async fn checkpoints_and_vendor_state() {
    let app = spawn_app().await;
    app.client
        .test_support()
        .set_clock("2025-07-08T09:00:00Z")
        .await
        .unwrap();
    let t = taxpayer(
        &app,
        json!({ "typeOfBusiness": "self-employment", "tradingName": "Ferris Joinery", "commencementDate": "2019-01-01",
                "businessAddressLineOne": "1 Crab Lane", "businessAddressPostcode": "TS1 1PA", "businessAddressCountryCode": "GB" }),
    )
    .await;
    let y = TaxYear::parse("2025-26").unwrap();
    let se = app.client.self_employment();
    se.put_cumulative(
        &t.token,
        &t.nino,
        &t.business,
        y,
        &se_update("2025-04-06", "2025-07-05", "100.00", "10.00"),
    )
    .await
    .unwrap();
    let base = "/individuals/self-assessment-test-support/vendor-state";
    let call = |method: reqwest::Method, path: String| {
        let (app, token) = (&app, t.token.clone());
        async move {
            app.raw
                .request(method, app.url(&path))
                .header("Accept", "application/vnd.hmrc.1.0+json")
                .bearer_auth(token.secret())
                .send()
                .await
                .unwrap()
        }
    };
    use reqwest::Method;
    let made: serde_json::Value = call(Method::POST, format!("{base}/checkpoints?nino={}", t.nino))
        .await
        .json()
        .await
        .unwrap();
    let id = made["checkpointId"].as_str().unwrap().to_owned();
    se.put_cumulative(
        &t.token,
        &t.nino,
        &t.business,
        y,
        &se_update("2025-04-06", "2025-07-05", "999.00", "10.00"),
    )
    .await
    .unwrap();
    let listed: serde_json::Value =
        call(Method::GET, format!("{base}/checkpoints?nino={}", t.nino))
            .await
            .json()
            .await
            .unwrap();
    assert_eq!(listed["checkpoints"][0]["checkpointId"], id.as_str());
    assert_eq!(
        call(Method::POST, format!("{base}/checkpoints/{id}/restore"))
            .await
            .status(),
        201
    );
    let back = se
        .cumulative(&t.token, &t.nino, &t.business, y)
        .await
        .unwrap();
    assert_eq!(
        back.period_income.unwrap().turnover,
        m("100.00"),
        "rolled back"
    );

    expect_error(
        call(
            Method::POST,
            format!("{base}/checkpoints/not-an-id/restore"),
        )
        .await,
        400,
        "FORMAT_CHECKPOINT_ID",
    )
    .await;
    expect_error(
        call(Method::GET, format!("{base}/checkpoints?nino=XX")).await,
        400,
        "FORMAT_NINO",
    )
    .await;
    assert_eq!(
        call(Method::DELETE, format!("{base}/checkpoints/{id}"))
            .await
            .status(),
        204
    );
    expect_error(
        call(Method::DELETE, format!("{base}/checkpoints/{id}")).await,
        404,
        "MATCHING_RESOURCE_NOT_FOUND",
    )
    .await;

    // Everything this application wrote goes; the taxpayer is still signed up.
    assert_eq!(call(Method::DELETE, base.to_owned()).await.status(), 204);
    let gone = app
        .client
        .business_details()
        .list(&t.token, &t.nino)
        .await
        .unwrap_err();
    assert_eq!(gone.hmrc_code(), Some("MATCHING_RESOURCE_NOT_FOUND"));
}

/// A business owes nothing after the quarter it ceased in, and takes no update for later ones.
#[tokio::test]
async fn ceased_businesses_stop_owing() {
    let app = spawn_app().await;
    app.client
        .test_support()
        .set_clock("2026-01-20T09:00:00Z")
        .await
        .unwrap();
    let se = |ceased: &str| {
        json!({ "typeOfBusiness": "self-employment", "tradingName": "Closed", "cessationDate": ceased,
                "businessAddressLineOne": "1 A St", "businessAddressPostcode": "TS1 1PA", "businessAddressCountryCode": "GB" })
    };
    let long_gone = taxpayer(&app, se("2024-01-31")).await;
    let year = Filter {
        from_to: Some((d("2025-04-06"), d("2026-04-05"))),
        ..Default::default()
    };
    let none = app
        .client
        .obligations()
        .quarterly(&long_gone.token, &long_gone.nino, &year)
        .await;
    assert_eq!(none.unwrap_err().hmrc_code(), Some("NO_OBLIGATIONS_FOUND"));

    let mid_year = taxpayer(&app, se("2025-08-01")).await;
    let owed = statuses(&app, &mid_year).await;
    let ends: Vec<&str> = owed.iter().map(|(e, _, _)| e.as_str()).collect();
    assert_eq!(ends, ["2025-07-05", "2025-10-05"]);
    let y = TaxYear::parse("2025-26").unwrap();
    let before = app.fingerprint();
    let late = app
        .client
        .self_employment()
        .put_cumulative(
            &mid_year.token,
            &mid_year.nino,
            &mid_year.business,
            y,
            &se_update("2025-04-06", "2026-01-05", "1.00", "1.00"),
        )
        .await
        .unwrap_err();
    assert_eq!(
        late.hmrc_code(),
        Some("RULE_END_DATE_NOT_ALIGNED_WITH_REPORTING_TYPE")
    );
    assert_eq!(app.fingerprint(), before);
}

/// A new income source in latency reports annually: no quarterly obligations, no dates.
#[tokio::test]
async fn a_latent_income_source_reports_annually() {
    let app = spawn_app().await;
    app.client
        .test_support()
        .set_clock("2025-07-08T09:00:00Z")
        .await
        .unwrap();
    let latency = json!({ "latencyEndDate": "2027-04-05", "taxYear1": "2025-26", "latencyIndicator1": "A",
                          "taxYear2": "2026-27", "latencyIndicator2": "Q" });
    let t = taxpayer(
        &app,
        json!({ "typeOfBusiness": "self-employment", "tradingName": "New Venture", "commencementDate": "2025-03-01",
                "latencyDetails": latency,
                "businessAddressLineOne": "1 A St", "businessAddressPostcode": "TS1 1PA", "businessAddressCountryCode": "GB" }),
    )
    .await;
    let shown = app
        .client
        .business_details()
        .retrieve(&t.token, &t.nino, &t.business)
        .await;
    assert!(shown.is_ok());
    let raw: serde_json::Value = app
        .raw
        .get(app.url(&format!(
            "/individuals/business/details/{}/{}",
            t.nino, t.business
        )))
        .header("Accept", "application/vnd.hmrc.2.0+json")
        .bearer_auth(t.token.secret())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(raw["latencyDetails"], latency);
    let year = Filter {
        from_to: Some((d("2025-04-06"), d("2026-04-05"))),
        ..Default::default()
    };
    let none = app
        .client
        .obligations()
        .quarterly(&t.token, &t.nino, &year)
        .await;
    assert_eq!(none.unwrap_err().hmrc_code(), Some("NO_OBLIGATIONS_FOUND"));
    let y = TaxYear::parse("2025-26").unwrap();
    let se = app.client.self_employment();
    let dated = se
        .put_cumulative(
            &t.token,
            &t.nino,
            &t.business,
            y,
            &se_update("2025-04-06", "2025-07-05", "10.00", "1.00"),
        )
        .await
        .unwrap_err();
    assert_eq!(
        dated.hmrc_code(),
        Some("RULE_START_AND_END_DATE_NOT_ALLOWED")
    );
    let undated = CumulativeSummary {
        period_dates: None,
        ..se_update("2025-04-06", "2025-07-05", "10.00", "1.00")
    };
    se.put_cumulative(&t.token, &t.nino, &t.business, y, &undated)
        .await
        .unwrap();
}

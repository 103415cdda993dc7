//! Every answer of an endpoint HMRC defines is checked against HMRC's published schema for it
//! (and its tax year's definition), in every test: the gateway hands each response to an
//! observer, which records what does not fit; a test's app fails when it is dropped.

use std::sync::{Arc, Mutex};

use axum::http::{Method, StatusCode};
use mtd_sandbox::gateway::{Api, Endpoint, Observer, endpoints as ep};

/// HMRC's schema for a successful answer of `endpoint` at `path` (some differ by tax year), by
/// path under `hmrc-oas/`.
fn schema_for(endpoint: &Endpoint, path: &str) -> Option<&'static str> {
    if std::ptr::eq(endpoint, &ep::UK_PROPERTY_ANNUAL_GET) {
        let year = path.rsplit('/').next().unwrap_or("");
        return Some(if year >= "2025-26" {
            "property-business-api/6.0/schemas/uk_property_annual_submission_retrieve/def2/response.json"
        } else {
            "property-business-api/6.0/schemas/uk_property_annual_submission_retrieve/def1/response.json"
        });
    }
    if std::ptr::eq(endpoint, &ep::FOREIGN_ANNUAL_GET) {
        let year = path.rsplit('/').next().unwrap_or("");
        return Some(match year {
            y if y >= "2026-27" => {
                "property-business-api/6.0/schemas/foreign_property_annual_submission_retrieve/def3/response.json"
            }
            "2025-26" => {
                "property-business-api/6.0/schemas/foreign_property_annual_submission_retrieve/def2/response.json"
            }
            _ => {
                "property-business-api/6.0/schemas/foreign_property_annual_submission_retrieve/def1/response.json"
            }
        });
    }
    if std::ptr::eq(endpoint, &ep::FOREIGN_CUMULATIVE_GET) {
        let year = path
            .split('?')
            .next()
            .unwrap_or(path)
            .rsplit('/')
            .next()
            .unwrap_or("");
        return Some(if year >= "2026-27" {
            "property-business-api/6.0/schemas/foreign_property_cumulative_summary_retrieve/def2/response.json"
        } else {
            "property-business-api/6.0/schemas/foreign_property_cumulative_summary_retrieve/def1/response.json"
        });
    }
    if std::ptr::eq(endpoint, &ep::SE_ANNUAL_GET) {
        let year = path.rsplit('/').next().unwrap_or("");
        return Some(match year {
            y if y >= "2026-27" => {
                "self-employment-business-api/5.0/schemas/retrieveAnnualSubmission/def4/response.json"
            }
            "2025-26" => {
                "self-employment-business-api/5.0/schemas/retrieveAnnualSubmission/def3/response.json"
            }
            "2024-25" => {
                "self-employment-business-api/5.0/schemas/retrieveAnnualSubmission/def2/response.json"
            }
            _ => {
                "self-employment-business-api/5.0/schemas/retrieveAnnualSubmission/def1/response.json"
            }
        });
    }
    let table: &[(&Endpoint, &str)] = &[
        (
            &ep::ITSA_STATUS,
            "self-assessment-individual-details-api/2.0/schemas/retrieveItsaStatus/def1/response.json",
        ),
        (
            &ep::BUSINESS_LIST,
            "business-details-api/2.0/schemas/listAllbusinesses/response.json",
        ),
        (
            &ep::BUSINESS_RETRIEVE,
            "business-details-api/2.0/schemas/retrieveBusinessDetails/response.json",
        ),
        (
            &ep::BUSINESS_ACCOUNTING_TYPE,
            "business-details-api/2.0/schemas/retrieveAccountingType/response.json",
        ),
        (
            &ep::LADR_GET,
            "business-details-api/2.0/schemas/retrieveLateAccountingDateRule/response.json",
        ),
        (
            &ep::PERIODS_OF_ACCOUNT_GET,
            "business-details-api/2.0/schemas/retrievePeriodsOfAccount/response.json",
        ),
        (
            &ep::OBLIGATIONS_QUARTERLY,
            "obligations-api/3.0/schemas/retrieve_periodic_obligations_response.json",
        ),
        (
            &ep::OBLIGATIONS_FINAL,
            "obligations-api/3.0/schemas/retrieve_crystallisation_obligations_response.json",
        ),
        (
            &ep::SE_CUMULATIVE_GET,
            "self-employment-business-api/5.0/schemas/retrieveCumulativePeriodSummary/def1/response.json",
        ),
        (
            &ep::UK_PROPERTY_CUMULATIVE_GET,
            "property-business-api/6.0/schemas/uk_property_cumulative_summary_retrieve/def1/response.json",
        ),
        (
            &ep::FOREIGN_DETAILS_GET,
            "property-business-api/6.0/schemas/foreign_property_details_retrieve/def1/response.json",
        ),
        (
            &ep::FOREIGN_DETAILS_CREATE,
            "property-business-api/6.0/schemas/foreign_property_details_create/def1/response.json",
        ),
        (
            &ep::SA_TEST_SUPPORT_BUSINESS_CREATE,
            "mtd-sa-test-support-api/1.0/schemas/businesses/create_response.json",
        ),
        (
            &ep::CHECKPOINTS_CREATE,
            "mtd-sa-test-support-api/1.0/schemas/checkpoints/create_response.json",
        ),
        (
            &ep::CHECKPOINTS_LIST,
            "mtd-sa-test-support-api/1.0/schemas/checkpoints/list_response.json",
        ),
        (
            &ep::CREATE_INDIVIDUAL,
            "api-platform-test-user/1.0/schemas/create-individual-response.json",
        ),
        (
            &ep::CREATE_ORGANISATION,
            "api-platform-test-user/1.0/schemas/create-organisation-response.json",
        ),
        (
            &ep::CREATE_AGENT,
            "api-platform-test-user/1.0/schemas/create-agent-response.json",
        ),
        (
            &ep::TEST_USER_SERVICES,
            "api-platform-test-user/1.0/schemas/get-services-response.json",
        ),
    ];
    table
        .iter()
        .find(|(e, _)| std::ptr::eq(*e, endpoint))
        .map(|(_, s)| *s)
}

/// HMRC's schema for an error answer of an API it defines.
fn error_schema_for(endpoint: &Endpoint) -> Option<&'static str> {
    Some(match endpoint.api {
        Api::IndividualDetails => {
            "self-assessment-individual-details-api/2.0/schemas/error-response.yaml"
        }
        Api::BusinessDetails => "business-details-api/2.0/schemas/error-response.yaml",
        Api::Obligations => "obligations-api/3.0/schemas/error-response.yaml",
        Api::SelfEmployment => "self-employment-business-api/5.0/schemas/error-response.yaml",
        Api::PropertyBusiness => "property-business-api/6.0/schemas/error-response.yaml",
        Api::SaTestSupport => "mtd-sa-test-support-api/1.0/schemas/error_response.yaml",
        _ => return None,
    })
}

/// An observer that checks each JSON answer, success or error, and keeps what does not conform.
pub fn observer(violations: Arc<Mutex<Vec<String>>>) -> Observer {
    Observer(Arc::new(move |endpoint, path, status, body| {
        if status == StatusCode::NO_CONTENT || body.is_empty() {
            return;
        }
        let schema = if status.is_success() {
            schema_for(endpoint, path)
        } else {
            error_schema_for(endpoint)
        };
        let Some(schema) = schema else {
            return;
        };
        let outcome = match serde_json::from_slice(body) {
            Ok(value) => mtd_testkit::oas::check(schema, &value),
            Err(e) => Err(format!("not JSON: {e}")),
        };
        if let Err(e) = outcome {
            violations
                .lock()
                .unwrap()
                .push(format!("{} {path}: {e}", endpoint.method));
        }
    }))
}

/// Every endpoint HMRC defines a JSON answer for has its schema here.
#[test]
fn every_answer_with_a_body_has_its_schema() {
    let with_body = [
        &ep::ITSA_STATUS,
        &ep::BUSINESS_LIST,
        &ep::BUSINESS_RETRIEVE,
        &ep::BUSINESS_ACCOUNTING_TYPE,
        &ep::PERIODS_OF_ACCOUNT_GET,
        &ep::LADR_GET,
        &ep::OBLIGATIONS_QUARTERLY,
        &ep::OBLIGATIONS_FINAL,
        &ep::SE_CUMULATIVE_GET,
        &ep::SE_ANNUAL_GET,
        &ep::UK_PROPERTY_CUMULATIVE_GET,
        &ep::UK_PROPERTY_ANNUAL_GET,
        &ep::FOREIGN_CUMULATIVE_GET,
        &ep::FOREIGN_DETAILS_GET,
        &ep::FOREIGN_DETAILS_CREATE,
        &ep::SA_TEST_SUPPORT_BUSINESS_CREATE,
        &ep::CHECKPOINTS_CREATE,
        &ep::CHECKPOINTS_LIST,
        &ep::FOREIGN_ANNUAL_GET,
    ];
    for e in with_body {
        assert!(schema_for(e, e.path).is_some(), "{}", e.path);
        assert_eq!(e.method == Method::GET, e.method != Method::POST);
    }
}

#[test]
fn a_stray_answer_is_caught() {
    let strays = Arc::new(Mutex::new(Vec::new()));
    let check = observer(strays.clone());
    (check.0)(
        &ep::OBLIGATIONS_QUARTERLY,
        "/obligations/details/AA123456A/income-and-expenditure",
        StatusCode::OK,
        br#"{"obligations": [{"typeOfBusiness": "self-employment", "late": true}]}"#,
    );
    // An error answer without its code.
    (check.0)(
        &ep::SE_CUMULATIVE_PUT,
        "/individuals/business/self-employment/AA123456A/XAIS12345678901/cumulative/2025-26",
        StatusCode::BAD_REQUEST,
        br#"{"message": "Something was wrong"}"#,
    );
    if mtd_testkit::oas::root().is_some() {
        assert_eq!(strays.lock().unwrap().len(), 2, "{strays:?}");
    }
}

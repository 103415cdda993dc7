//! HMRC's Test Fraud Prevention Headers API 1.0 (sandbox only, application-restricted): judge the
//! headers this client sends, or read HMRC's verdicts on its latest real requests.

use mtd_domain::fraud_prevention::ConnectionMethod;
use oauth2::AccessToken;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::transport::{accept, send_api};
use crate::{Client, Error};

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verdict {
    pub spec_version: String,
    /// `VALID_HEADERS`, `INVALID_HEADERS` or `POTENTIALLY_INVALID_HEADERS`.
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<Finding>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Finding>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Finding {
    pub code: String,
    pub message: String,
    #[serde(default)]
    pub headers: Vec<String>,
}

#[derive(Debug)]
pub struct TestFraudPrevention<'a> {
    pub(crate) client: &'a Client,
}

impl TestFraudPrevention<'_> {
    /// `GET /test/fraud-prevention-headers/validate`, sending the headers an MTD call would.
    pub async fn validate(&self, app_token: &AccessToken) -> Result<Verdict, Error> {
        let c = self.client;
        let req = c
            .api_request(
                c.http
                    .get(c.env.api_url("/test/fraud-prevention-headers/validate")),
            )
            .header("Accept", accept("1.0"))
            .bearer_auth(app_token.secret());
        send_api(&c.pacer, req).await
    }

    /// `GET /test/fraud-prevention-headers/{api}/validation-feedback`: HMRC's analysis of the
    /// latest request to each endpoint of `api` (e.g. `business-details-mtd`).
    pub async fn feedback(
        &self,
        app_token: &AccessToken,
        api: &str,
        method: Option<ConnectionMethod>,
    ) -> Result<Value, Error> {
        let c = self.client;
        let mut http = c.http.get(c.env.api_url(&format!(
            "/test/fraud-prevention-headers/{api}/validation-feedback"
        )));
        if let Some(m) = method {
            http = http.query(&[("connectionMethod", m.as_str())]);
        }
        let req = http
            .header("Accept", accept("1.0"))
            .bearer_auth(app_token.secret());
        send_api(&c.pacer, req).await
    }
}

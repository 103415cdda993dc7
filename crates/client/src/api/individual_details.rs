//! Self Assessment Individual Details 2.0: ITSA status.

use mtd_domain::{Nino, TaxYear};
use oauth2::AccessToken;
use serde::{Deserialize, Serialize};

use crate::transport::{accept, send_api};
use crate::{Client, Error};

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ItsaStatuses {
    pub itsa_statuses: Vec<YearStatus>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct YearStatus {
    pub tax_year: TaxYear,
    pub itsa_status_details: Vec<StatusDetail>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusDetail {
    pub submitted_on: String,
    pub status: String,
    pub status_reason: String,
    /// Exact decimal text as HMRC sent it.
    #[serde(
        rename = "businessIncome2YearsPrior",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub business_income_2_years_prior: Option<serde_json::Number>,
}

#[derive(Debug)]
pub struct IndividualDetails<'a> {
    pub(crate) client: &'a Client,
}

impl IndividualDetails<'_> {
    /// `GET /individuals/person/itsa-status/{nino}/{taxYear}`.
    pub async fn itsa_status(
        &self,
        token: &AccessToken,
        nino: &Nino,
        tax_year: TaxYear,
        future_years: bool,
        history: bool,
    ) -> Result<ItsaStatuses, Error> {
        let c = self.client;
        let url = c.env.api_url(&format!(
            "/individuals/person/itsa-status/{nino}/{tax_year}"
        ));
        let req = c
            .api_request(
                c.http
                    .get(url)
                    .query(&[("futureYears", future_years), ("history", history)]),
            )
            .header("Accept", accept("2.0"))
            .bearer_auth(token.secret());
        send_api(&c.pacer, req).await
    }
}

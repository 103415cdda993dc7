//! Obligations 3.0: the quarterly updates and final declarations HMRC expects, and which are met.

use chrono::NaiveDate;
use mtd_domain::{BusinessId, Nino, TaxYear};
use oauth2::AccessToken;
use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::request::call;
use crate::{Client, Error};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Open,
    Fulfilled,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Fulfilled => "fulfilled",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Period {
    pub period_start_date: NaiveDate,
    pub period_end_date: NaiveDate,
    pub due_date: NaiveDate,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_date: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BusinessObligations {
    pub type_of_business: String,
    pub business_id: BusinessId,
    pub obligation_details: Vec<Period>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct QuarterlyObligations {
    pub obligations: Vec<BusinessObligations>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct FinalDeclarationObligations {
    pub obligations: Vec<Period>,
}

/// Filters for the quarterly obligations; all optional.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub type_of_business: Option<String>,
    pub business_id: Option<BusinessId>,
    pub from_to: Option<(NaiveDate, NaiveDate)>,
    pub status: Option<Status>,
}

#[derive(Debug)]
pub struct Obligations<'a> {
    pub(crate) client: &'a Client,
}

impl Obligations<'_> {
    /// `GET /obligations/details/{nino}/income-and-expenditure`
    pub async fn quarterly(
        &self,
        token: &AccessToken,
        nino: &Nino,
        filter: &Filter,
    ) -> Result<QuarterlyObligations, Error> {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        if let Some(t) = &filter.type_of_business {
            q.append_pair("typeOfBusiness", t);
        }
        if let Some(b) = &filter.business_id {
            q.append_pair("businessId", b.as_str());
        }
        if let Some((from, to)) = filter.from_to {
            q.append_pair("fromDate", &from.to_string());
            q.append_pair("toDate", &to.to_string());
        }
        if let Some(s) = filter.status {
            q.append_pair("status", s.as_str());
        }
        let query = q.finish();
        let path = format!("/obligations/details/{nino}/income-and-expenditure?{query}");
        call(self.client, Method::GET, &path, "3.0", token, None::<&()>).await
    }

    /// `GET /obligations/details/{nino}/crystallisation[?taxYear=]`
    pub async fn final_declaration(
        &self,
        token: &AccessToken,
        nino: &Nino,
        tax_year: Option<TaxYear>,
    ) -> Result<FinalDeclarationObligations, Error> {
        let path = match tax_year {
            Some(y) => format!("/obligations/details/{nino}/crystallisation?taxYear={y}"),
            None => format!("/obligations/details/{nino}/crystallisation"),
        };
        call(self.client, Method::GET, &path, "3.0", token, None::<&()>).await
    }
}

//! Business Details 2.0: a taxpayer's income sources and their accounting type.

use mtd_domain::{BusinessId, Nino, TaxYear};
use oauth2::AccessToken;
use serde::{Deserialize, Serialize};

use super::request::call;
use crate::{Client, Error};

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Businesses {
    pub list_of_businesses: Vec<BusinessSummary>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BusinessSummary {
    /// `self-employment`, `uk-property`, `foreign-property` or `property-unspecified`.
    pub type_of_business: String,
    pub business_id: BusinessId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trading_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trading_name: Option<String>,
}

/// One income source, with the fields the local HMRC and HMRC both give.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Business {
    #[serde(flatten)]
    pub summary: BusinessSummary,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commencement_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cessation_date: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AccountingType {
    Cash,
    Accrual,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AccountingTypeBody {
    accounting_type: AccountingType,
}

#[derive(Debug)]
pub struct BusinessDetails<'a> {
    pub(crate) client: &'a Client,
}

impl BusinessDetails<'_> {
    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        token: &AccessToken,
        path: &str,
    ) -> Result<T, Error> {
        call(
            self.client,
            reqwest::Method::GET,
            path,
            "2.0",
            token,
            None::<&()>,
        )
        .await
    }

    /// `PUT …/{nino}/{businessId}/{taxYear}`: standard or calendar quarters for the current year.
    pub async fn set_quarterly_period_type(
        &self,
        token: &AccessToken,
        nino: &Nino,
        business_id: &BusinessId,
        tax_year: TaxYear,
        calendar: bool,
    ) -> Result<(), Error> {
        let kind = if calendar { "calendar" } else { "standard" };
        let body = serde_json::json!({ "quarterlyPeriodType": kind });
        let path = format!("/individuals/business/details/{nino}/{business_id}/{tax_year}");
        call(
            self.client,
            reqwest::Method::PUT,
            &path,
            "2.0",
            token,
            Some(&body),
        )
        .await
    }

    /// `GET /individuals/business/details/{nino}/list`.
    pub async fn list(&self, token: &AccessToken, nino: &Nino) -> Result<Businesses, Error> {
        self.get(token, &format!("/individuals/business/details/{nino}/list"))
            .await
    }

    /// `GET /individuals/business/details/{nino}/{businessId}`.
    pub async fn retrieve(
        &self,
        token: &AccessToken,
        nino: &Nino,
        business_id: &BusinessId,
    ) -> Result<Business, Error> {
        self.get(
            token,
            &format!("/individuals/business/details/{nino}/{business_id}"),
        )
        .await
    }

    /// `GET …/{nino}/{businessId}/{taxYear}/accounting-type` (main agents and the taxpayer only).
    pub async fn accounting_type(
        &self,
        token: &AccessToken,
        nino: &Nino,
        business_id: &BusinessId,
        tax_year: TaxYear,
    ) -> Result<AccountingType, Error> {
        let body: AccountingTypeBody = self
            .get(
                token,
                &format!(
                    "/individuals/business/details/{nino}/{business_id}/{tax_year}/accounting-type"
                ),
            )
            .await?;
        Ok(body.accounting_type)
    }
}

/// Periods of account for a self-employment and year.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PeriodsOfAccount {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_on: Option<String>,
    pub periods_of_account: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub periods_of_account_dates: Option<Vec<AccountPeriod>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountPeriod {
    pub start_date: chrono::NaiveDate,
    pub end_date: chrono::NaiveDate,
}

/// Whether the late accounting date rule may apply, and any election to disapply it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LateAccountingDateRule {
    pub disapply: bool,
    pub eligible: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_year_of_election: Option<TaxYear>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_year_election_expires: Option<TaxYear>,
}

impl BusinessDetails<'_> {
    fn year_path(nino: &Nino, id: &BusinessId, year: TaxYear, tail: &str) -> String {
        format!("/individuals/business/details/{nino}/{id}/{year}/{tail}")
    }

    /// `PUT …/{taxYear}/accounting-type` (main agents and the taxpayer only).
    pub async fn set_accounting_type(
        &self,
        token: &AccessToken,
        nino: &Nino,
        id: &BusinessId,
        year: TaxYear,
        accounting_type: AccountingType,
    ) -> Result<(), Error> {
        let body = serde_json::json!({ "accountingType": accounting_type });
        let path = Self::year_path(nino, id, year, "accounting-type");
        call(
            self.client,
            reqwest::Method::PUT,
            &path,
            "2.0",
            token,
            Some(&body),
        )
        .await
    }

    /// `GET …/{taxYear}/periods-of-account`
    pub async fn periods_of_account(
        &self,
        token: &AccessToken,
        nino: &Nino,
        id: &BusinessId,
        year: TaxYear,
    ) -> Result<PeriodsOfAccount, Error> {
        self.get(
            token,
            &Self::year_path(nino, id, year, "periods-of-account"),
        )
        .await
    }

    /// `PUT …/{taxYear}/periods-of-account`
    pub async fn set_periods_of_account(
        &self,
        token: &AccessToken,
        nino: &Nino,
        id: &BusinessId,
        year: TaxYear,
        periods: &PeriodsOfAccount,
    ) -> Result<(), Error> {
        let path = Self::year_path(nino, id, year, "periods-of-account");
        call(
            self.client,
            reqwest::Method::PUT,
            &path,
            "2.0",
            token,
            Some(periods),
        )
        .await
    }

    /// `GET …/{taxYear}/late-accounting-date-rule-election`
    pub async fn late_accounting_date_rule(
        &self,
        token: &AccessToken,
        nino: &Nino,
        id: &BusinessId,
        year: TaxYear,
    ) -> Result<LateAccountingDateRule, Error> {
        self.get(
            token,
            &Self::year_path(nino, id, year, "late-accounting-date-rule-election"),
        )
        .await
    }

    /// `POST …/late-accounting-date-rule-election/disapply`, or with `withdraw`,
    /// `DELETE …/withdraw`.
    pub async fn disapply_late_accounting_date_rule(
        &self,
        token: &AccessToken,
        nino: &Nino,
        id: &BusinessId,
        year: TaxYear,
        withdraw: bool,
    ) -> Result<(), Error> {
        let (method, tail) = if withdraw {
            (
                reqwest::Method::DELETE,
                "late-accounting-date-rule-election/withdraw",
            )
        } else {
            (
                reqwest::Method::POST,
                "late-accounting-date-rule-election/disapply",
            )
        };
        let path = Self::year_path(nino, id, year, tail);
        call(self.client, method, &path, "2.0", token, None::<&()>).await
    }
}

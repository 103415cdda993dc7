//! Self-Employment Business 5.0: the cumulative period summary, year-to-date from 2025-26.

use chrono::NaiveDate;
use mtd_domain::{BusinessId, Money, Nino, TaxYear};
use oauth2::AccessToken;
use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::request::{Submitted, call, submit};
use crate::{Client, Error};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PeriodDates {
    pub period_start_date: NaiveDate,
    pub period_end_date: NaiveDate,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Income {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub turnover: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_taken_off_trading_income: Option<Money>,
}

/// Allowable expenses: either `consolidated_expenses` alone, or the itemised ones.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Expenses {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consolidated_expenses: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_of_goods: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payments_to_subcontractors: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wages_and_staff_costs: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub car_van_travel_expenses: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub premises_running_costs: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maintenance_costs: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_costs: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_entertainment_costs: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advertising_costs: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interest_on_bank_other_loans: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finance_charges: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub irrecoverable_debts: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub professional_fees: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depreciation: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_expenses: Option<Money>,
}

/// The year-to-date figures of one self-employment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CumulativeSummary {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_dates: Option<PeriodDates>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_income: Option<Income>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_expenses: Option<Expenses>,
    /// Disallowable expenses, keyed as HMRC keys them (`costOfGoodsDisallowable`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_disallowable_expenses: Option<std::collections::BTreeMap<String, Money>>,
}

#[derive(Debug)]
pub struct SelfEmployment<'a> {
    pub(crate) client: &'a Client,
}

fn path(nino: &Nino, id: &BusinessId, year: TaxYear) -> String {
    format!("/individuals/business/self-employment/{nino}/{id}/cumulative/{year}")
}

impl SelfEmployment<'_> {
    /// `PUT …/cumulative/{taxYear}`: replaces the year-to-date figures.
    pub async fn put_cumulative(
        &self,
        token: &AccessToken,
        nino: &Nino,
        id: &BusinessId,
        year: TaxYear,
        summary: &CumulativeSummary,
    ) -> Result<Submitted, Error> {
        submit(
            self.client,
            Method::PUT,
            &path(nino, id, year),
            "5.0",
            token,
            summary,
        )
        .await
    }

    /// `GET …/cumulative/{taxYear}`
    pub async fn cumulative(
        &self,
        token: &AccessToken,
        nino: &Nino,
        id: &BusinessId,
        year: TaxYear,
    ) -> Result<CumulativeSummary, Error> {
        call(
            self.client,
            Method::GET,
            &path(nino, id, year),
            "5.0",
            token,
            None::<&()>,
        )
        .await
    }
}

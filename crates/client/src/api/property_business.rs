//! Property Business 6.0: the UK property cumulative period summary, year-to-date from 2025-26.

use chrono::NaiveDate;
use mtd_domain::{BusinessId, Money, Nino, TaxYear};
use oauth2::AccessToken;
use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::request::{Submitted, call, submit};
use crate::{Client, Error};

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RentARoomIncome {
    pub rents_received: Money,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RentARoomExpenses {
    pub amount_claimed: Money,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Income {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub premiums_of_lease_grant: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reverse_premiums: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_amount: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_deducted: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_income: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rent_a_room: Option<RentARoomIncome>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Expenses {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub premises_running_costs: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repairs_and_maintenance: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub financial_costs: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub professional_fees: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_of_services: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub travel_costs: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consolidated_expenses: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub residential_financial_cost: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub residential_financial_costs_carried_forward: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rent_a_room: Option<RentARoomExpenses>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UkProperty {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub income: Option<Income>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expenses: Option<Expenses>,
}

/// The year-to-date figures of a UK property business; `submitted_on` only in answers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UkCumulativeSummary {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_on: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_date: Option<NaiveDate>,
    pub uk_property: UkProperty,
}

#[derive(Debug)]
pub struct PropertyBusiness<'a> {
    pub(crate) client: &'a Client,
}

fn path(nino: &Nino, id: &BusinessId, year: TaxYear) -> String {
    format!("/individuals/business/property/uk/{nino}/{id}/cumulative/{year}")
}

impl PropertyBusiness<'_> {
    /// `PUT …/uk/{nino}/{businessId}/cumulative/{taxYear}`: replaces the year-to-date figures.
    pub async fn put_uk_cumulative(
        &self,
        token: &AccessToken,
        nino: &Nino,
        id: &BusinessId,
        year: TaxYear,
        summary: &UkCumulativeSummary,
    ) -> Result<Submitted, Error> {
        submit(
            self.client,
            Method::PUT,
            &path(nino, id, year),
            "6.0",
            token,
            summary,
        )
        .await
    }

    /// `GET …/uk/{nino}/{businessId}/cumulative/{taxYear}`
    pub async fn uk_cumulative(
        &self,
        token: &AccessToken,
        nino: &Nino,
        id: &BusinessId,
        year: TaxYear,
    ) -> Result<UkCumulativeSummary, Error> {
        call(
            self.client,
            Method::GET,
            &path(nino, id, year),
            "6.0",
            token,
            None::<&()>,
        )
        .await
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RentIncome {
    pub rent_amount: Money,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ForeignIncome {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rent_income: Option<RentIncome>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub foreign_tax_credit_relief: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub premiums_of_lease_grant: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_property_income: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub foreign_tax_paid_or_deducted: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub special_withholding_tax_or_uk_tax_paid: Option<Money>,
}

/// One foreign property's figures: keyed by `country_code` (ISO alpha-3) in 2025-26, by
/// `property_id` from 2026-27. Expenses by HMRC's names (`consolidatedExpenses`, `other`, …).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ForeignEntry {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub income: Option<ForeignIncome>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expenses: Option<std::collections::BTreeMap<String, Money>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ForeignCumulativeSummary {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_on: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_date: Option<NaiveDate>,
    pub foreign_property: Vec<ForeignEntry>,
}

/// A foreign property's details (from 2026-27).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ForeignPropertyDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_on: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property_id: Option<String>,
    pub property_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<NaiveDate>,
    /// `no-longer-renting-property-out` or `disposal`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_reason: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Listed {
    foreign_property_details: Vec<ForeignPropertyDetails>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Created {
    property_id: String,
}

impl PropertyBusiness<'_> {
    fn foreign(nino: &Nino, id: &BusinessId, what: &str, year: TaxYear) -> String {
        format!("/individuals/business/property/foreign/{nino}/{id}/{what}/{year}")
    }

    pub async fn put_foreign_cumulative(
        &self,
        token: &AccessToken,
        nino: &Nino,
        id: &BusinessId,
        year: TaxYear,
        summary: &ForeignCumulativeSummary,
    ) -> Result<(), Error> {
        call(
            self.client,
            Method::PUT,
            &Self::foreign(nino, id, "cumulative", year),
            "6.0",
            token,
            Some(summary),
        )
        .await
    }

    pub async fn foreign_cumulative(
        &self,
        token: &AccessToken,
        nino: &Nino,
        id: &BusinessId,
        year: TaxYear,
    ) -> Result<ForeignCumulativeSummary, Error> {
        call(
            self.client,
            Method::GET,
            &Self::foreign(nino, id, "cumulative", year),
            "6.0",
            token,
            None::<&()>,
        )
        .await
    }

    /// Names a foreign property for a year; its new ID.
    pub async fn create_foreign_property(
        &self,
        token: &AccessToken,
        nino: &Nino,
        id: &BusinessId,
        year: TaxYear,
        details: &ForeignPropertyDetails,
    ) -> Result<String, Error> {
        let created: Created = call(
            self.client,
            Method::POST,
            &Self::foreign(nino, id, "details", year),
            "6.0",
            token,
            Some(details),
        )
        .await?;
        Ok(created.property_id)
    }

    pub async fn foreign_properties(
        &self,
        token: &AccessToken,
        nino: &Nino,
        id: &BusinessId,
        year: TaxYear,
    ) -> Result<Vec<ForeignPropertyDetails>, Error> {
        let listed: Listed = call(
            self.client,
            Method::GET,
            &Self::foreign(nino, id, "details", year),
            "6.0",
            token,
            None::<&()>,
        )
        .await?;
        Ok(listed.foreign_property_details)
    }

    pub async fn update_foreign_property(
        &self,
        token: &AccessToken,
        nino: &Nino,
        property_id: &str,
        year: TaxYear,
        details: &ForeignPropertyDetails,
    ) -> Result<(), Error> {
        let path =
            format!("/individuals/business/property/foreign/{nino}/details/{property_id}/{year}");
        call(self.client, Method::PUT, &path, "6.0", token, Some(details)).await
    }
}

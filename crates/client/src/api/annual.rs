//! Annual submissions: a self-employment's or UK property business's adjustments and allowances
//! for a tax year (Self-Employment Business 5.0, Property Business 6.0), from 2025-26.

use chrono::NaiveDate;
use mtd_domain::{BusinessId, Money, Nino, TaxYear};
use oauth2::AccessToken;
use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::request::call;
use crate::{Client, Error};

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FirstYear {
    pub qualifying_date: NaiveDate,
    pub qualifying_amount_expenditure: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Building {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    pub postcode: String,
}

/// One structures and buildings allowance claim.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildingAllowance {
    pub amount: Money,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_year: Option<FirstYear>,
    pub building: Building,
}

/// Amounts by HMRC's field names (`includedNonTaxableProfits`, `annualInvestmentAllowance`, …).
pub type Amounts = std::collections::BTreeMap<String, Money>;

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SeAllowances {
    #[serde(flatten)]
    pub amounts: Amounts,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub structured_building_allowance: Option<Vec<BuildingAllowance>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enhanced_structured_building_allowance: Option<Vec<BuildingAllowance>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NonFinancials {
    pub business_details_changed_recently: bool,
    /// `non-resident`, `trustee`, `diver`, `ITTOIA-2005`, `over-state-pension-age` or `under-16`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class4_nics_exemption_reason: Option<String>,
}

/// A self-employment's annual submission.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SelfEmploymentAnnual {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjustments: Option<Amounts>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowances: Option<SeAllowances>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub non_financials: Option<NonFinancials>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RentARoom {
    pub jointly_let: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UkAdjustments {
    #[serde(flatten)]
    pub amounts: Amounts,
    pub non_resident_landlord: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rent_a_room: Option<RentARoom>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UkProperty {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjustments: Option<UkAdjustments>,
    /// Allowances share their shape with a self-employment's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowances: Option<SeAllowances>,
}

/// A UK property business's annual submission; `submitted_on` only in answers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UkPropertyAnnual {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_on: Option<String>,
    pub uk_property: UkProperty,
}

#[derive(Debug)]
pub struct Annual<'a> {
    pub(crate) client: &'a Client,
}

impl Annual<'_> {
    fn se(nino: &Nino, id: &BusinessId, year: TaxYear) -> String {
        format!("/individuals/business/self-employment/{nino}/{id}/annual/{year}")
    }

    pub async fn put_self_employment(
        &self,
        token: &AccessToken,
        nino: &Nino,
        id: &BusinessId,
        year: TaxYear,
        body: &SelfEmploymentAnnual,
    ) -> Result<(), Error> {
        call(
            self.client,
            Method::PUT,
            &Self::se(nino, id, year),
            "5.0",
            token,
            Some(body),
        )
        .await
    }

    pub async fn self_employment(
        &self,
        token: &AccessToken,
        nino: &Nino,
        id: &BusinessId,
        year: TaxYear,
    ) -> Result<SelfEmploymentAnnual, Error> {
        call(
            self.client,
            Method::GET,
            &Self::se(nino, id, year),
            "5.0",
            token,
            None::<&()>,
        )
        .await
    }

    pub async fn delete_self_employment(
        &self,
        token: &AccessToken,
        nino: &Nino,
        id: &BusinessId,
        year: TaxYear,
    ) -> Result<(), Error> {
        call(
            self.client,
            Method::DELETE,
            &Self::se(nino, id, year),
            "5.0",
            token,
            None::<&()>,
        )
        .await
    }

    pub async fn put_uk_property(
        &self,
        token: &AccessToken,
        nino: &Nino,
        id: &BusinessId,
        year: TaxYear,
        body: &UkPropertyAnnual,
    ) -> Result<(), Error> {
        let path = format!("/individuals/business/property/uk/{nino}/{id}/annual/{year}");
        call(self.client, Method::PUT, &path, "6.0", token, Some(body)).await
    }

    pub async fn uk_property(
        &self,
        token: &AccessToken,
        nino: &Nino,
        id: &BusinessId,
        year: TaxYear,
    ) -> Result<UkPropertyAnnual, Error> {
        let path = format!("/individuals/business/property/uk/{nino}/{id}/annual/{year}");
        call(self.client, Method::GET, &path, "6.0", token, None::<&()>).await
    }

    /// `DELETE /individuals/business/property/{nino}/{businessId}/annual/{taxYear}` (UK or foreign).
    pub async fn delete_property(
        &self,
        token: &AccessToken,
        nino: &Nino,
        id: &BusinessId,
        year: TaxYear,
    ) -> Result<(), Error> {
        let path = format!("/individuals/business/property/{nino}/{id}/annual/{year}");
        call(
            self.client,
            Method::DELETE,
            &path,
            "6.0",
            token,
            None::<&()>,
        )
        .await
    }
}

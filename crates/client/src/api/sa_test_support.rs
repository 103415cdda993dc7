//! HMRC's Self Assessment Test Support 1.0 (sandbox only): test businesses.

use mtd_domain::{BusinessId, Nino};
use oauth2::AccessToken;
use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;

use super::request::call;
use crate::{Client, Error};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Created {
    business_id: BusinessId,
}

#[derive(Debug)]
pub struct SaTestSupport<'a> {
    pub(crate) client: &'a Client,
}

impl SaTestSupport<'_> {
    /// `POST …/business/{nino}` with HMRC's body (`typeOfBusiness`, `tradingName`,
    /// `quarterlyTypeChoice`, …): the new business's ID.
    pub async fn create_business(
        &self,
        token: &AccessToken,
        nino: &Nino,
        business: &Value,
    ) -> Result<BusinessId, Error> {
        let path = format!("/individuals/self-assessment-test-support/business/{nino}");
        let created: Created = call(
            self.client,
            Method::POST,
            &path,
            "1.0",
            token,
            Some(business),
        )
        .await?;
        Ok(created.business_id)
    }

    /// `DELETE …/business/{nino}/{businessId}`
    pub async fn delete_business(
        &self,
        token: &AccessToken,
        nino: &Nino,
        id: &BusinessId,
    ) -> Result<(), Error> {
        let path = format!("/individuals/self-assessment-test-support/business/{nino}/{id}");
        call(
            self.client,
            Method::DELETE,
            &path,
            "1.0",
            token,
            None::<&()>,
        )
        .await
    }
}

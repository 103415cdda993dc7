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

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Checkpoint {
    pub checkpoint_id: String,
    pub nino: String,
    pub checkpoint_creation_timestamp: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Checkpoints {
    checkpoints: Vec<Checkpoint>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CheckpointCreated {
    checkpoint_id: String,
}

const VENDOR_STATE: &str = "/individuals/self-assessment-test-support/vendor-state";

impl SaTestSupport<'_> {
    /// Deletes the test data this application wrote: for one taxpayer, or for all.
    pub async fn delete_vendor_state(
        &self,
        token: &AccessToken,
        nino: Option<&Nino>,
    ) -> Result<(), Error> {
        let path = match nino {
            Some(n) => format!("{VENDOR_STATE}?nino={n}"),
            None => VENDOR_STATE.to_owned(),
        };
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

    /// Snapshots a taxpayer's test data; the checkpoint's ID.
    pub async fn create_checkpoint(
        &self,
        token: &AccessToken,
        nino: &Nino,
    ) -> Result<String, Error> {
        let path = format!("{VENDOR_STATE}/checkpoints?nino={nino}");
        let made: CheckpointCreated =
            call(self.client, Method::POST, &path, "1.0", token, None::<&()>).await?;
        Ok(made.checkpoint_id)
    }

    pub async fn checkpoints(
        &self,
        token: &AccessToken,
        nino: Option<&Nino>,
    ) -> Result<Vec<Checkpoint>, Error> {
        let path = match nino {
            Some(n) => format!("{VENDOR_STATE}/checkpoints?nino={n}"),
            None => format!("{VENDOR_STATE}/checkpoints"),
        };
        let listed: Checkpoints =
            call(self.client, Method::GET, &path, "1.0", token, None::<&()>).await?;
        Ok(listed.checkpoints)
    }

    /// Puts the taxpayer's test data back as the checkpoint saw it.
    pub async fn restore_checkpoint(&self, token: &AccessToken, id: &str) -> Result<(), Error> {
        let path = format!("{VENDOR_STATE}/checkpoints/{id}/restore");
        call(self.client, Method::POST, &path, "1.0", token, None::<&()>).await
    }

    pub async fn delete_checkpoint(&self, token: &AccessToken, id: &str) -> Result<(), Error> {
        let path = format!("{VENDOR_STATE}/checkpoints/{id}");
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

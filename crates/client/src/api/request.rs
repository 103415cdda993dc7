//! The one way the MTD API handlers send a request: the version's `Accept`, the bearer token, the
//! fraud prevention headers and the test scenario, paced under HMRC's rate limit.

use oauth2::AccessToken;
use reqwest::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::transport::{accept, send_api, send_api_headers};
use crate::{Client, Error};

/// What HMRC gave back for a submission whose answer has no body: its status and correlation
/// ID, the evidence a receipt keeps.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Submitted {
    pub status: u16,
    pub correlation_id: Option<String>,
}

/// Like [`call`] for a request whose success has no body worth reading.
pub(crate) async fn submit(
    c: &Client,
    method: Method,
    path: &str,
    version: &str,
    token: &AccessToken,
    body: &(impl Serialize + ?Sized),
) -> Result<Submitted, Error> {
    let req = c
        .api_request(c.http.request(method, c.env.api_url(path)))
        .header("Accept", accept(version))
        .bearer_auth(token.secret())
        .json(body);
    let answered = send_api_headers(&c.pacer, req).await?;
    Ok(Submitted {
        status: answered.status,
        correlation_id: answered.header("x-correlationid").map(str::to_owned),
    })
}

pub(crate) async fn call<T: DeserializeOwned>(
    c: &Client,
    method: Method,
    path: &str,
    version: &str,
    token: &AccessToken,
    body: Option<&(impl Serialize + ?Sized)>,
) -> Result<T, Error> {
    let mut req = c
        .api_request(c.http.request(method, c.env.api_url(path)))
        .header("Accept", accept(version))
        .bearer_auth(token.secret());
    if let Some(b) = body {
        req = req.json(b);
    }
    send_api(&c.pacer, req).await
}

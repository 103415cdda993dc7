//! The one way the MTD API handlers send a request: the version's `Accept`, the bearer token, the
//! fraud prevention headers and the test scenario, paced under HMRC's rate limit.

use oauth2::AccessToken;
use reqwest::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::transport::{accept, send_api};
use crate::{Client, Error};

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

//! Sending a request and reading HMRC's answer into a type or an [`Error`].

use reqwest::RequestBuilder;
use serde::de::DeserializeOwned;

use crate::error::{Error, HmrcError};

const CORRELATION_ID: &str = "x-correlationid";

/// `Accept` for version `v` of a JSON API.
pub(crate) fn accept(v: &str) -> String {
    format!("application/vnd.hmrc.{v}+json")
}

/// Sends `req`; a 2xx body becomes `T`, anything else HMRC's error.
pub(crate) async fn send<T: DeserializeOwned>(req: RequestBuilder) -> Result<T, Error> {
    let resp = req.send().await?;
    let status = resp.status().as_u16();
    let correlation_id = resp
        .headers()
        .get(CORRELATION_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let raw = resp.text().await?;
    if (200..300).contains(&status) {
        let text = if raw.is_empty() { "null" } else { &raw };
        return serde_json::from_str(text).map_err(|e| Error::Decode {
            status,
            reason: e.to_string(),
            raw,
            correlation_id,
        });
    }
    match serde_json::from_str(&raw) {
        Ok(body) => Err(Error::Hmrc(Box::new(HmrcError {
            status,
            body,
            correlation_id,
        }))),
        Err(e) => Err(Error::Decode {
            status,
            reason: format!("not an HMRC error body: {e}"),
            raw,
            correlation_id,
        }),
    }
}

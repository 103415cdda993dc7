//! Sending a request and reading HMRC's answer into a type or an [`Error`].

use std::time::{Duration, Instant};

use reqwest::RequestBuilder;
use serde::de::DeserializeOwned;

use crate::error::{Error, HmrcError};

const CORRELATION_ID: &str = "x-correlationid";

/// `Accept` for version `v` of a JSON API.
pub(crate) fn accept(v: &str) -> String {
    format!("application/vnd.hmrc.{v}+json")
}

/// How many times a throttled request is sent again, and the first wait.
const THROTTLE_RETRIES: u32 = 12;
const THROTTLE_BACKOFF: Duration = Duration::from_millis(300);
const THROTTLE_BACKOFF_MAX: Duration = Duration::from_secs(2);

/// Keeps this process's requests under HMRC's rate limit (3 a second by default) by spacing
/// them out, rather than relying on the server's 429.
#[derive(Debug)]
pub(crate) struct Pacer {
    interval: Duration,
    next: tokio::sync::Mutex<Instant>,
}

impl Pacer {
    pub(crate) fn new(per_second: u32) -> Self {
        let interval = if per_second == 0 {
            Duration::ZERO
        } else {
            Duration::from_secs(1) / per_second
        };
        Self {
            interval,
            next: tokio::sync::Mutex::new(Instant::now()),
        }
    }

    async fn wait_turn(&self) {
        if self.interval.is_zero() {
            return;
        }
        let slot = {
            let mut next = self.next.lock().await;
            let slot = (*next).max(Instant::now());
            *next = slot + self.interval;
            slot
        };
        tokio::time::sleep_until(slot.into()).await;
    }
}

/// A successful answer's headers, for calls whose result is a header (`Location`).
#[derive(Debug)]
pub(crate) struct Answered {
    pub(crate) status: u16,
    headers: reqwest::header::HeaderMap,
}

impl Answered {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Sends an API request through the gateway: paced, and sent again after a bounded backoff if
/// HMRC throttles it (429). A 2xx body becomes `T`, anything else HMRC's error.
pub(crate) async fn send_api<T: DeserializeOwned>(
    pacer: &Pacer,
    req: RequestBuilder,
) -> Result<T, Error> {
    read(send_paced(pacer, req).await?).await
}

/// Like [`send_api`], keeping a successful answer's headers instead of reading its body.
pub(crate) async fn send_api_headers(
    pacer: &Pacer,
    req: RequestBuilder,
) -> Result<Answered, Error> {
    let resp = send_paced(pacer, req).await?;
    if resp.status().is_success() {
        return Ok(Answered {
            status: resp.status().as_u16(),
            headers: resp.headers().clone(),
        });
    }
    Err(read::<serde_json::Value>(resp)
        .await
        .err()
        .unwrap_or_else(|| Error::Decode {
            status: 0,
            reason: "an error status with a success body".into(),
            raw: String::new(),
            correlation_id: None,
        }))
}

async fn send_paced(pacer: &Pacer, req: RequestBuilder) -> Result<reqwest::Response, Error> {
    let mut attempt = 0;
    loop {
        pacer.wait_turn().await;
        let Some(again) = req.try_clone() else {
            // A streamed body cannot be sent twice: one try.
            return Ok(req.send().await?);
        };
        let resp = again.send().await?;
        if resp.status().as_u16() != 429 || attempt >= THROTTLE_RETRIES {
            return Ok(resp);
        }
        attempt += 1;
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .map(Duration::from_secs);
        // Waits grow to a cap, with jitter so that throttled processes do not return in step.
        let jitter = Duration::from_millis(rand::random::<u64>() % 250);
        let wait = retry_after.map_or(
            (THROTTLE_BACKOFF * attempt).min(THROTTLE_BACKOFF_MAX),
            |d| d.min(Duration::from_secs(5)),
        ) + jitter;
        tracing::debug!(attempt, ?wait, "HMRC throttled the request; waiting");
        tokio::time::sleep(wait).await;
    }
}

/// Sends `req` once; a 2xx body becomes `T`, anything else HMRC's error.
pub(crate) async fn send<T: DeserializeOwned>(req: RequestBuilder) -> Result<T, Error> {
    read(req.send().await?).await
}

async fn read<T: DeserializeOwned>(resp: reqwest::Response) -> Result<T, Error> {
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

//! The loopback redirect target for installed software (RFC 8252 §7.3): a one-shot listener on
//! 127.0.0.1 that takes the browser's redirect from HMRC, tells the person they can close the
//! window, and hands the query to the software. It gives up after a time limit.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::link::Callback;
use crate::Error;

/// How long a person has to finish the journey in the browser.
pub const WAIT: Duration = Duration::from_secs(10 * 60);

const DONE_PAGE: &str = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>mtd: you can close this window</title></head>\
<body style=\"font-family:Arial,sans-serif;max-width:40em;margin:3em auto\"><h1>You can close this window</h1>\
<p>HMRC has answered. Go back to the terminal to see the result.</p></body></html>";

/// A bound listener waiting for the redirect to `path`.
#[derive(Debug)]
pub struct Loopback {
    listener: TcpListener,
    path: String,
}

impl Loopback {
    /// Listens on 127.0.0.1:`port` (0 for any free port) for `path` (e.g. `/callback`).
    pub async fn bind(port: u16, path: &str) -> Result<Self, Error> {
        let listener =
            TcpListener::bind(("127.0.0.1", port))
                .await
                .map_err(|e| Error::Journey {
                    page: "loopback".into(),
                    message: format!("cannot listen on 127.0.0.1:{port} for HMRC's redirect: {e}"),
                })?;
        Ok(Self {
            listener,
            path: path.to_owned(),
        })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// `http://127.0.0.1:PORT/path`.
    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}{}", self.port(), self.path)
    }

    /// Waits (up to `limit`) for the browser to arrive with HMRC's answer.
    pub async fn wait(self, limit: Duration) -> Result<Callback, Error> {
        tokio::time::timeout(limit, self.accept_callback())
            .await
            .map_err(|_| Error::Journey {
                page: "loopback".into(),
                message: format!(
                    "no answer from HMRC's pages within {} minutes",
                    limit.as_secs() / 60
                ),
            })?
    }

    async fn accept_callback(self) -> Result<Callback, Error> {
        loop {
            let Ok((mut conn, _)) = self.listener.accept().await else {
                continue;
            };
            let mut buf = vec![0u8; 16 * 1024];
            let mut len = 0;
            // Read the request head; a body is never expected.
            while len < buf.len() {
                match conn.read(&mut buf[len..]).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => len += n,
                }
                if buf[..len].windows(4).any(|w| w == b"\r\n\r\n") {
                    break;
                }
            }
            let head = String::from_utf8_lossy(&buf[..len]);
            let target = head
                .lines()
                .next()
                .and_then(|l| l.strip_prefix("GET "))
                .and_then(|l| l.split(' ').next())
                .unwrap_or("");
            let (path, query) = target.split_once('?').unwrap_or((target, ""));
            let callback = (path == self.path)
                .then(|| Callback::from_query(query))
                .flatten();
            let (status, body) = match &callback {
                Some(_) => ("200 OK", DONE_PAGE),
                None => ("404 Not Found", "Not found"),
            };
            let reply = format!(
                "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = conn.write_all(reply.as_bytes()).await;
            let _ = conn.shutdown().await;
            if let Some(c) = callback {
                return Ok(c);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn takes_the_redirect_and_ignores_other_requests() {
        let lb = Loopback::bind(0, "/callback").await.unwrap();
        let uri = lb.redirect_uri();
        let base = uri.trim_end_matches("/callback").to_owned();
        let waiter = tokio::spawn(lb.wait(Duration::from_secs(10)));
        let http = reqwest::Client::new();
        assert_eq!(
            http.get(format!("{base}/favicon.ico"))
                .send()
                .await
                .unwrap()
                .status(),
            404
        );
        let page = http
            .get(format!("{uri}?code=abc&state=xyz"))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        assert!(page.text().await.unwrap().contains("close this window"));
        assert_eq!(
            waiter.await.unwrap().unwrap(),
            Callback::Code {
                code: "abc".into(),
                state: Some("xyz".into())
            }
        );
    }

    #[tokio::test]
    async fn gives_up() {
        let lb = Loopback::bind(0, "/callback").await.unwrap();
        assert!(lb.wait(Duration::from_millis(50)).await.is_err());
    }
}
